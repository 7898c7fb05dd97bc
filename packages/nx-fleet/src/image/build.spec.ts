import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Env } from '../io/ports';
import type { FakeContainerTools } from '../testing/fake-container-tools';
import { fakeGit } from '../testing/fake-ports';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import {
  baseTagMemo,
  buildServiceImage,
  copySourceProblem,
  submodulePaths,
  prepareContext,
  sourcesOf,
  unhashedContextWarning,
  type BuildOptions,
} from './build';
import { CONTENT_TAG_LABEL } from './content-label';
import { contentTag } from './content-tag';
import { sourcesContentTag } from './verify-record';
import type { ServiceRef } from './service-ref';

const SHA = 'a'.repeat(40);
const service = ordersService();
const options: BuildOptions = {
  ...ordersBuildOptions,
  buildArgs: { NODE_ENV: 'production' },
  labels: { team: 'orders' },
};
const DOCKERFILE = 'FROM scratch\nARG FLEET_GIT_SHA\n';
const git = fakeGit({
  revision: { sha: SHA, committedAt: '2025-01-02T03:04:05Z' },
  sourceUrl: 'https://github.com/acme/fleet',
});
const setup = (env: Env = {}, dockerfile = DOCKERFILE) => imageWorkspace({ env, dockerfile, git });

const commands = (tools: FakeContainerTools) => tools.toolCalls().map((call) => `${call.command} ${call.args[0]}`);

describe('buildServiceImage', () => {
  it('builds when neither the engine nor a registry has the content tag, with the labels and build args', async () => {
    const { ports, tools, log } = setup();
    const record = await buildServiceImage(ports, options, service);
    expect(record).toEqual({
      image: 'orders',
      contentTag: expect.stringMatching(/^ct-[0-9a-f]{32}$/),
      localRef: `orders:${record.contentTag}`,
      imageId: `sha256:${'1'.repeat(64)}`,
      engine: 'podman',
      platforms: [],
      built: true,
      revision: SHA,
      recordedAt: '2025-06-01T00:00:00.000Z',
    });
    // No registry is configured: it is not asked.
    expect(commands(tools)).toEqual(['podman image', 'podman build']);
    const build = tools.toolCalls()[1]!.args;
    const values = (flag: string) => build.flatMap((arg, i) => (build[i - 1] === flag ? [arg] : []));
    expect(values('--label')).toEqual([
      `org.opencontainers.image.revision=${SHA}`,
      'org.opencontainers.image.created=2025-01-02T03:04:05Z',
      'org.opencontainers.image.source=https://github.com/acme/fleet',
      'team=orders',
      `dev.nx-fleet.content-tag=${record.contentTag}`,
    ]);
    expect(values('--build-arg')).toEqual(['NODE_ENV=production', `FLEET_GIT_SHA=${SHA}`]);
    expect(values('-t')).toEqual([record.localRef]);
    expect(build.at(-1)).toBe('/ws/services/orders');
    expect(tools.images.has(record.localRef)).toBe(true);
    expect(log.of('info')).toEqual([`nx-fleet: orders: built ${record.localRef} with podman in 0.0s`]);
  });

  it('passes FLEET_GIT_SHA only to a Dockerfile that declares it', async () => {
    const { ports, tools } = setup({}, 'FROM scratch\n');
    await buildServiceImage(ports, options, service);
    expect(tools.toolCalls()[1]!.args.filter((arg) => arg.startsWith('FLEET_GIT_SHA'))).toEqual([]);
  });

  it('gives the same sources the same content tag at another commit', async () => {
    const first = await buildServiceImage(setup().ports, options, service);
    const { ports } = setup();
    const later = await buildServiceImage(
      { ...ports, git: fakeGit({ revision: { sha: 'b'.repeat(40), committedAt: '2025-02-01T00:00:00Z' } }) },
      options,
      service,
    );
    expect(later.contentTag).toBe(first.contentTag);
    expect(later.revision).toBe('b'.repeat(40));
  });

  it('does not build when the engine has the content tag, and does not ask the registry', async () => {
    const { ports, tools, log } = setup({ FLEET_REGISTRY: 'registry.example:5000/acme' });
    const first = await buildServiceImage(ports, options, service);
    tools.processes.calls.length = 0;
    const again = await buildServiceImage(ports, options, service);
    expect(again).toMatchObject({ contentTag: first.contentTag, built: false });
    expect(again.imageId).toBeUndefined();
    expect(commands(tools)).toEqual(['podman image']);
    expect(log.of('info').at(-1)).toBe(
      `nx-fleet: orders: ${first.localRef} already exists (in podman), no build needed`,
    );
  });

  it('does not build when the registry has the content tag (FLEET_REGISTRY over the option)', async () => {
    const { ports, tools, log } = setup({ FLEET_REGISTRY: 'registry.example:5000/acme' });
    const { contentTag } = await buildServiceImage(setup().ports, options, service);
    tools.manifests.set(`docker://registry.example:5000/acme/orders:${contentTag}`, '{}');
    const record = await buildServiceImage(ports, { ...options, registry: 'ignored.example' }, service);
    expect(record).toMatchObject({ contentTag, built: false });
    expect(tools.toolCalls().map((call) => [call.command, ...call.args])).toEqual([
      ['podman', 'image', 'inspect', `orders:${contentTag}`],
    ]);
    expect(tools.httpCalls).toEqual([`GET registry.example:5000/acme/orders:${contentTag}`]);
    expect(log.of('info')).toEqual([
      `nx-fleet: orders: orders:${contentTag} already exists (in the registry), no build needed`,
    ]);
  });

  it('a dry run says the engine command it would run, redacted, and runs no build', async () => {
    const { ports, tools, log } = setup();
    const dry = await buildServiceImage(
      ports,
      { ...options, buildArgs: { NPM_TOKEN: 'secret-value' }, dryRun: true },
      service,
    );
    expect(dry).toMatchObject({ contentTag: expect.stringMatching(/^ct-/), built: false });
    expect(dry.imageId).toBeUndefined();
    expect(commands(tools)).toEqual(['podman image']);
    expect(tools.images.has(dry.localRef)).toBe(false);
    const [said] = log.of('info');
    expect(said).toMatch(
      new RegExp(
        `^nx-fleet: orders: dry run: would build ${dry.localRef}, running: podman build --layers -f /ws/services/orders/Dockerfile --iidfile <image-id-file> -t ${dry.localRef} .* /ws/services/orders; nothing is built or recorded$`,
      ),
    );
    // A build argument named as a secret is passed by name, its value in the engine's environment.
    expect(said).toMatch(/--build-arg NPM_TOKEN(?!=)/);
    expect(said).not.toContain('secret-value');
    // The same content tag as the build it describes; with the image there, it says so.
    const built = await buildServiceImage(ports, { ...options, buildArgs: { NPM_TOKEN: 'secret-value' } }, service);
    expect(built.contentTag).toBe(dry.contentTag);
    await buildServiceImage(ports, { ...options, buildArgs: { NPM_TOKEN: 'secret-value' }, dryRun: true }, service);
    expect(log.of('info').at(-1)).toBe(
      `nx-fleet: orders: dry run: ${built.localRef} already exists (in podman), no build needed; nothing is recorded`,
    );
  });

  it('a build argument no ARG declares moves no tag (CI gives every affected service the same ones)', async () => {
    const tagWith = async (dockerfile: string, buildArgs: Record<string, string>) =>
      (await buildServiceImage(setup({}, dockerfile).ports, { ...options, buildArgs }, service)).contentTag;
    const plain = 'FROM scratch\n';
    expect(await tagWith(plain, { VERSION: '1.3.0' })).toBe(await tagWith(plain, {}));
    // The check can fail: one the Dockerfile declares is the image's.
    const declared = 'FROM scratch\nARG VERSION\n';
    expect(await tagWith(declared, { VERSION: '1.3.0' })).not.toBe(await tagWith(declared, { VERSION: '1.2.0' }));
  });

  it('builds when the registry does not have it', async () => {
    const { ports, tools } = setup({}, DOCKERFILE);
    const record = await buildServiceImage(ports, { ...options, registry: 'localhost:5000' }, service);
    expect(record.built).toBe(true);
    expect(commands(tools)).toEqual(['podman image', 'podman build']);
    expect(tools.httpCalls).toEqual([`GET localhost:5000/orders:${record.contentTag}`]);
  });

  it('names the Dockerfile line of a COPY source the context lacks, and the setting, before the engine builds', async () => {
    const { ports, tools } = setup({}, 'FROM scratch\nCOPY --chown=node src/ ./src/\n');
    // A workspace path: the Dockerfile is written for a context that holds it.
    ports.files.files.set('/ws/src', '');
    await expect(buildServiceImage(ports, options, service)).rejects.toThrow(
      'nx-fleet: services/orders/Dockerfile:2 COPY --chown=node src/ ./src/: "src/" is not in the build context of orders. ' +
        'The context is the folder services/orders; a Dockerfile that copies workspace paths needs "context": "pruned" or "workspace"',
    );
    expect(commands(tools)).toEqual(['podman image']);
  });

  it("names a path found nowhere (gram's server: a binary its CI builds first) as a step's output, not a context to change", async () => {
    const { ports } = setup({}, 'FROM scratch\nCOPY ./bin/app /app/app\n');
    await expect(buildServiceImage(ports, options, service)).rejects.toThrow(
      '"./bin/app" is not in the build context of orders. Nothing in services/orders or at the workspace root has that path: a step before the build writes it',
    );
  });

  it("expands a COPY source with the target's build arguments before checking it", async () => {
    const { ports, tools } = setup({}, 'FROM scratch\nARG NODE_ENV=development\nCOPY config/${NODE_ENV}.json ./\n');
    await expect(buildServiceImage(ports, options, service)).rejects.toThrow(
      'nx-fleet: services/orders/Dockerfile:3 COPY config/${NODE_ENV}.json ./: "config/production.json" is not in the build context of orders.',
    );
    expect(commands(tools)).toEqual(['podman image']);
  });

  it('names a build argument without a default that makes a COPY source point nowhere, before the engine builds', async () => {
    const dockerfile = 'FROM scratch\nARG SCOPE\nCOPY scripts/${SCOPE}-entrypoint.sh ./\n';
    const { ports, tools } = setup({}, dockerfile);
    await expect(buildServiceImage(ports, options, service)).rejects.toThrow(
      'nx-fleet: services/orders/Dockerfile:3 COPY scripts/${SCOPE}-entrypoint.sh ./: the build argument SCOPE has no default and docker-build passes none, so the build reads "scripts/-entrypoint.sh", which is not in the build context. Set "SCOPE" in docker-build\'s "buildArgs"',
    );
    expect(commands(tools)).toEqual(['podman image']);
    // Given, it expands as any other: only a missing file is named.
    await expect(buildServiceImage(ports, { ...options, buildArgs: { SCOPE: 'builder' } }, service)).rejects.toThrow(
      '"scripts/builder-entrypoint.sh" is not in the build context of orders.',
    );
  });

  it('refuses several platforms with podman before the engine builds: it would tag one architecture under a tag that names both', async () => {
    const { ports, tools } = setup();
    const both = { ...options, platforms: ['linux/amd64', 'linux/arm64'] };
    await expect(buildServiceImage(ports, both, service)).rejects.toThrow(
      'nx-fleet: orders: docker-build\'s "platforms" names 2 platforms (linux/amd64, linux/arm64), and podman builds them as separate images and tags only the last',
    );
    await expect(buildServiceImage(ports, { ...both, dryRun: true }, service)).rejects.toThrow(
      'set one platform per image ("platforms": ["linux/amd64"])',
    );
    expect(commands(tools)).toEqual([]);
    // One platform builds.
    await buildServiceImage(ports, { ...options, platforms: ['linux/arm64'] }, service);
    expect(commands(tools).at(-1)).toBe('podman build');
  });

  it('names a build argument without a default that leaves a FROM without its base image, before the engine builds', async () => {
    const dockerfile = 'ARG LITE_IMAGE\nARG TAG=1\nFROM ${LITE_IMAGE}:${TAG} AS base\nFROM node:20\n';
    const { ports, tools } = setup({}, dockerfile);
    await expect(buildServiceImage(ports, options, service)).rejects.toThrow(
      'nx-fleet: services/orders/Dockerfile:3 FROM ${LITE_IMAGE}:${TAG} AS base: the build argument LITE_IMAGE has no default and docker-build passes none, so the build reads the base image ":1", which names none. Set "LITE_IMAGE" in docker-build\'s "buildArgs"',
    );
    expect(commands(tools)).toEqual(['podman image']);
    // Given, the engine builds.
    await buildServiceImage(ports, { ...options, buildArgs: { LITE_IMAGE: 'localhost/lite' } }, service);
    expect(commands(tools).at(-1)).toBe('podman build');
  });

  it('leaves the engine a source an unset build argument empties into a file, and one the builder sets', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-fleet-unset-args-'));
    try {
      mkdirSync(join(root, 'services/orders'), { recursive: true });
      writeFileSync(join(root, 'services/orders/app.js'), '');
      for (const copy of ['ARG PREFIX\nCOPY ${PREFIX}app.js ./', 'ARG TARGETARCH\nCOPY bin/${TARGETARCH}/app ./']) {
        const dockerfile = `FROM scratch\n${copy}\n`;
        writeFileSync(join(root, 'services/orders/Dockerfile'), dockerfile);
        const { ports, tools } = imageWorkspace({ workspaceRoot: root, dockerfile, git });
        await buildServiceImage(ports, options, ordersService(root));
        expect(commands(tools)).toContain('podman build');
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("names another project's build output and the settings that carry it", async () => {
    const { ports, tools } = setup({}, 'FROM scratch\nCOPY apps/web/dist ./static\n');
    ports.files.files.set('/ws', '');
    const graph = {
      nodes: {
        orders: { name: 'orders', type: 'app' as const, data: { root: 'services/orders' } },
        web: { name: 'web', type: 'app' as const, data: { root: 'apps/web' } },
      },
      dependencies: {},
    };
    await expect(buildServiceImage(ports, { ...options, context: '.' }, { ...service, graph })).rejects.toThrow(
      `nx-fleet: services/orders/Dockerfile:2 COPY apps/web/dist ./static: "apps/web/dist" is not in the build context of orders. It is web's build output (apps/web/dist): this target must run after the build that writes it and carry it in a pruned or workspace context — in services/orders's project configuration, on this target: "dependsOn": [{ "projects": ["web"], "target": "build" }] and "options": { "contextOutputs": ["apps/web/dist"] }.`,
    );
    expect(commands(tools)).toEqual(['podman image']);
    // Inferred and carried, but not built: the producer's build target is named.
    await expect(
      buildServiceImage(ports, { ...options, context: '.', contextOutputs: ['apps/web/dist'] }, { ...service, graph }),
    ).rejects.toThrow(
      `"apps/web/dist" is not in the build context of orders. It is web's build output (apps/web/dist) that is not on disk: docker-build depends on web's build target`,
    );
  });

  it('does not check COPY sources when no build runs (the engine has the image)', async () => {
    const dockerfile = 'FROM scratch\nCOPY src/ ./src/\n';
    const { ports, tools } = setup({}, dockerfile);
    // NODE_ENV, declared by no ARG, is no part of it.
    const tag = contentTag({ files: [], dockerfile, buildArgs: {}, platforms: [] });
    tools.images.add(`orders:${tag}`);
    tools.labels.set(`orders:${tag}`, { [CONTENT_TAG_LABEL]: tag });
    await expect(buildServiceImage(ports, options, service)).resolves.toMatchObject({ contentTag: tag, built: false });
  });

  it('builds over a local image under the content tag that does not carry it as its label', async () => {
    const tag = contentTag({ files: [], dockerfile: DOCKERFILE, buildArgs: {}, platforms: [] });
    for (const labels of [undefined, { [CONTENT_TAG_LABEL]: 'ct-older' }]) {
      const { ports, tools } = setup();
      tools.images.add(`orders:${tag}`);
      if (labels) tools.labels.set(`orders:${tag}`, labels);
      await expect(buildServiceImage(ports, options, service)).resolves.toMatchObject({ contentTag: tag, built: true });
      expect(tools.labels.get(`orders:${tag}`)?.[CONTENT_TAG_LABEL]).toBe(tag);
    }
  });

  it('labels cannot override the content-tag label, and it is no part of the content tag', async () => {
    const plain = await buildServiceImage(setup().ports, options, service);
    const { ports, tools } = setup();
    const forged = await buildServiceImage(
      ports,
      { ...options, labels: { [CONTENT_TAG_LABEL]: 'ct-forged', team: 'other' } },
      service,
    );
    expect(forged.contentTag).toBe(plain.contentTag);
    expect(tools.labels.get(forged.localRef)?.[CONTENT_TAG_LABEL]).toBe(plain.contentTag);
  });

  it('names a missing Dockerfile', async () => {
    const { ports, tools } = setup();
    await expect(buildServiceImage(ports, { ...options, dockerfile: 'nope/Dockerfile' }, service)).rejects.toThrow(
      'nx-fleet: nope/Dockerfile (option "dockerfile" of orders) does not exist.',
    );
    expect(tools.processes.calls).toEqual([]);
  });
});

/** The `--build-context` values of the last engine build. */
function buildContextFlags(tools: FakeContainerTools): string[] {
  const build = tools.toolCalls().findLast((call) => call.args[0] === 'build')!.args;
  return build.flatMap((arg, i) => (build[i - 1] === '--build-context' ? [arg] : []));
}

/** A workspace on disk for one test (a context is listed from the disk), removed after it. */
async function onDisk(
  use: (root: string, write: (path: string, text?: string) => void) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'nx-fleet-build-spec-'));
  const write = (path: string, text = '') => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  try {
    await use(root, write);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('a RUN that bind-mounts files', () => {
  it('is built without cached layers, which buildah keys on the RUN text alone; other Dockerfiles keep them', async () => {
    await onDisk(async (root, write) => {
      const here = ordersService(root);
      write('services/orders/package.json', '{}');
      const buildArgsOf = async (dockerfile: string) => {
        write('services/orders/Dockerfile', dockerfile);
        const { ports, tools } = imageWorkspace({ workspaceRoot: root, dockerfile });
        await buildServiceImage(ports, options, here);
        return tools.toolCalls().findLast((call) => call.args[0] === 'build')!.args;
      };
      expect(await buildArgsOf('FROM scratch\nRUN --mount=source=package.json,target=/p true\n')).toContain(
        '--no-cache',
      );
      expect(await buildArgsOf('FROM scratch\nRUN --mount=type=cache,target=/c true\n')).not.toContain('--no-cache');
    });
  });
});

describe("a copy of the whole context that excludes paths (BuildKit's COPY --exclude)", () => {
  it('leaves them out of the content tag as the ignore file would, where no other source reads them', async () => {
    await onDisk(async (root, write) => {
      const excluding = 'FROM scratch\nCOPY --exclude=web --exclude=docs/** . /srv/\n';
      write('services/orders/main.ts', 'one');
      write('services/orders/web/index.ts', 'one');
      write('services/orders/docs/a/b.md', 'one');
      const here = ordersService(root);
      const tagNow = async (dockerfile = excluding) => {
        write('services/orders/Dockerfile', dockerfile);
        return sourcesContentTag(imageWorkspace({ workspaceRoot: root, dockerfile }).ports, options, here);
      };
      const before = await tagNow();
      write('services/orders/web/index.ts', 'two');
      write('services/orders/docs/a/b.md', 'two');
      expect(await tagNow()).toBe(before);
      // The check can fail: a file the copy takes, and an excluded one another source reads.
      write('services/orders/main.ts', 'two');
      expect(await tagNow()).not.toBe(before);
      const reading = `${excluding}COPY web/index.ts /web/\n`;
      const read = await tagNow(reading);
      write('services/orders/web/index.ts', 'three');
      expect(await tagNow(reading)).not.toBe(read);
    });
  });
});

describe('named build contexts', () => {
  const named = (root: string) => {
    const { ports, tools } = imageWorkspace({ workspaceRoot: root });
    ports.files.files.set(join(root, 'libs/assets'), '');
    return { ports, tools };
  };
  it('passes a workspace folder and an image, and the tag follows every file of the folder, as the check of a record does', async () => {
    await onDisk(async (root, write) => {
      write('services/orders/Dockerfile', 'FROM scratch AS assets\nFROM scratch\nCOPY --from=assets / /srv/\n');
      write('libs/assets/logo.svg', '<svg/>');
      // Sent by an engine that reads no ignore file in a named context: the tag follows it too.
      write('libs/assets/.dockerignore', 'drafts\n');
      write('libs/assets/drafts/next.svg', '<svg/>');
      const here = ordersService(root);
      const withNamed = {
        ...options,
        buildContexts: { assets: 'libs/assets/', base: 'docker-image://localhost/base:1' },
      };
      const first = named(root);
      const record = await buildServiceImage(first.ports, withNamed, here);
      expect(buildContextFlags(first.tools)).toEqual([
        `assets=${join(root, 'libs/assets')}`,
        'base=docker-image://localhost/base:1',
      ]);
      expect(await sourcesContentTag(first.ports, withNamed, here)).toBe(record.contentTag);
      expect(record.contentTag).not.toBe((await buildServiceImage(named(root).ports, options, here)).contentTag);
      write('libs/assets/drafts/next.svg', '<svg version="2"/>');
      expect(await sourcesContentTag(named(root).ports, withNamed, here)).not.toBe(record.contentTag);
    });
  });

  it('names a folder that is not there, or a value it does not pass, before the engine runs', async () => {
    await onDisk(async (root, write) => {
      write('services/orders/Dockerfile', 'FROM scratch\n');
      const here = ordersService(root);
      const { ports, tools } = named(root);
      await expect(
        buildServiceImage(ports, { ...options, buildContexts: { dist: 'apps/web/dist' } }, here),
      ).rejects.toThrow(
        'nx-fleet: apps/web/dist (named build context "dist" of orders (option "buildContexts")) does not exist. A build output is there once the build that writes it ran',
      );
      await expect(
        buildServiceImage(ports, { ...options, buildContexts: { src: 'https://github.com/acme/src.git' } }, here),
      ).rejects.toThrow(
        'nx-fleet: named build context "src" of orders (option "buildContexts"): "https://github.com/acme/src.git" is neither a workspace folder nor a docker-image:// reference',
      );
      expect(tools.toolCalls().filter((call) => call.args[0] === 'build')).toEqual([]);
    });
  });
});

describe('prepareContext', () => {
  it('sends the context folder as it is without prune', async () => {
    const context = await prepareContext(setup().ports, options, service);
    expect(await context.folder()).toBe('/ws/services/orders');
  });

  it("warns, naming the ignore file and the lines to add, when a context holds Nx's or git's working folders", async () => {
    await onDisk(async (root, write) => {
      write('services/orders/Dockerfile', 'FROM scratch\n');
      write('services/orders/main.ts');
      write('services/orders/.nx/cache/a');
      write('services/orders/.nx/workspace-data/project-graph.json');
      write('services/orders/.git/HEAD');
      write('services/orders/.git/index');
      // nx-fleet's own records, when a context (a workspace one, say) holds the records folder.
      write('services/orders/dist/fleet/image.json', '{}');
      const here = ordersService(root);
      const { ports, log } = imageWorkspace({ workspaceRoot: root });
      await prepareContext(ports, options, here);
      expect(log.of('warn')).toEqual([
        'nx-fleet: orders: its build context services/orders holds .nx/cache, .nx/workspace-data, .git, dist/fleet, which Nx, git and nx-fleet rewrite as they run, and it has no .dockerignore: the engine sends them and the content tag changes with them, so the image is built again every time. Add `.nx/cache`, `.nx/workspace-data`, `.git`, `dist/fleet` to services/orders/.dockerignore unless the image needs them.',
      ]);
      write('services/orders/.dockerignore', '.git\n.nx/workspace-data\ndist/fleet\n');
      const again = imageWorkspace({ workspaceRoot: root });
      await prepareContext(again.ports, options, here);
      expect(again.log.of('warn')).toEqual([
        'nx-fleet: orders: its build context services/orders holds .nx/cache, which Nx, git and nx-fleet rewrite as they run, and services/orders/.dockerignore does not leave it out: the engine sends it and the content tag changes with it, so the image is built again every time. Add `.nx/cache` to services/orders/.dockerignore unless the image needs it.',
      ]);
      write('services/orders/.dockerignore', '.git\n.nx\ndist\n');
      const clean = imageWorkspace({ workspaceRoot: root });
      await prepareContext(clean.ports, options, here);
      expect(clean.log.of('warn')).toEqual([]);
    });
  });

  it('a build Nx caches warns of the files its context sends that git ignores (Nx does not hash them), naming the ignore file', async () => {
    await onDisk(async (root, write) => {
      write('services/orders/Dockerfile', 'FROM scratch\n');
      write('services/orders/main.ts');
      write('services/orders/.env', 'TOKEN=local\n');
      write('services/orders/coverage/lcov.info');
      write('services/orders/coverage/summary.json');
      const here = ordersService(root);
      const { ports, tools, log } = imageWorkspace({ workspaceRoot: root });
      tools.gitIgnored.push('.env', 'coverage/', 'node_modules/');
      // Not cached by Nx (a source it cannot hash, set so at graph time): nothing to warn of, git is not asked.
      await buildServiceImage(ports, options, here);
      expect(log.of('warn')).toEqual([]);
      expect(tools.processes.calls.filter((call) => call.command === 'git')).toEqual([]);
      await buildServiceImage(ports, options, here, { nxTarget: { cache: true } });
      expect(log.of('warn')).toEqual([
        'nx-fleet: orders: its build context services/orders sends 3 files (.env, coverage/ (2 files)), which match ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash them: a cached docker-build cannot see them change, and a record restored for other contents is refused before use. Add them to services/orders/.dockerignore unless the image needs them; if it does, carry them as the output of the build that writes them (docker-build\'s "contextOutputs", and "dependsOn" on that build, whose "outputs" hold them), or set docker-build\'s "cache": false.',
      ]);
      // A committed file a .gitignore rule matches (puter's config.default.json): the rule is what to change.
      write('services/orders/config.default.json', '{}\n');
      const committed = imageWorkspace({ workspaceRoot: root });
      committed.tools.gitIgnored.push('.env', 'coverage/', 'config.default.json');
      committed.tools.gitIgnoredCommitted.push('config.default.json');
      await buildServiceImage(committed.ports, options, here, { nxTarget: { cache: true } });
      expect(committed.log.of('warn')).toEqual([
        'nx-fleet: orders: its build context services/orders sends 4 files (.env, config.default.json, coverage/ (2 files)), which match ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash them: a cached docker-build cannot see them change, and a record restored for other contents is refused before use. Of them, 1 file (config.default.json) is committed: change the rule that matches it so Nx hashes it (`git check-ignore -v --no-index services/orders/config.default.json` names a .gitignore one); add the others to services/orders/.dockerignore unless the image needs them.',
      ]);
      rmSync(join(root, 'services/orders/config.default.json'));
      write('services/orders/.dockerignore', '.env\ncoverage\n');
      const fixed = imageWorkspace({ workspaceRoot: root });
      fixed.tools.gitIgnored.push('.env', 'coverage/', 'node_modules/');
      await buildServiceImage(fixed.ports, options, here, { nxTarget: { cache: true } });
      expect(fixed.log.of('warn')).toEqual([]);
    });
  });

  it("a pruned context's unhashed files are committed ones .gitignore matches: the advice says so", () => {
    expect(
      unhashedContextWarning(
        ordersService(),
        { dockerfile: 'services/orders/Dockerfile', context: '.' },
        { files: ['services/orders/src/version.ts'], committed: ['services/orders/src/version.ts'] },
      ),
    ).toBe(
      'nx-fleet: orders: its build context . sends 1 file (services/orders/src/version.ts), which matches ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash it: a cached docker-build cannot see it change, and a record restored for other contents is refused before use. It is committed: change the rule that matches it so Nx hashes it (`git check-ignore -v --no-index services/orders/src/version.ts` names a .gitignore one), or add it to .dockerignore unless the image needs it.',
    );
  });

  it("names a .ignore file, not git's check-ignore, for a file only a walker's ignore file matches (karakeep's drizzle meta)", () => {
    const meta = 'packages/db/drizzle/meta/0000_snapshot.json';
    expect(
      unhashedContextWarning(
        ordersService(),
        { dockerfile: 'services/orders/Dockerfile', context: '.' },
        { files: [meta], committed: [meta], walkerOnly: new Map([[meta, '.ignore']]) },
      ),
    ).toContain(
      `It is committed: change the rule that matches it so Nx hashes it (a .ignore file's rule, which Nx's walker reads and git does not: look in the .ignore files from the workspace root down to ${meta}), or add it to .dockerignore`,
    );
  });

  it("a build Nx caches warns of the build outputs its context takes that no build it depends on declares (langfuse's sandbox)", async () => {
    await onDisk(async (root, write) => {
      write('services/orders/Dockerfile', 'FROM scratch\n');
      write('services/orders/dist/index.js');
      const withBuild = (build: Record<string, unknown>) => ({
        ...ordersService(root),
        graph: {
          nodes: {
            orders: { name: 'orders', type: 'app' as const, data: { root: 'services/orders', targets: { build } } },
          },
          dependencies: {},
        },
      });
      const withOutputs = { ...options, contextOutputs: ['services/orders/dist'] };
      const nxTarget = { cache: true, dependsOn: ['build'] };
      const run = async (
        build: Record<string, unknown>,
        target: { cache?: boolean; dependsOn?: string[] } = nxTarget,
      ) => {
        const { ports, log } = imageWorkspace({ workspaceRoot: root });
        await buildServiceImage(ports, withOutputs, withBuild(build), { nxTarget: target });
        return log.of('warn');
      };
      expect(await run({ executor: 'nx:run-script', options: { script: 'build' } })).toEqual([
        'nx-fleet: orders: its build context takes services/orders/dist from the disk, but no build it depends on (orders:build) declares it as an output: Nx hashes a build\'s files only through its declared outputs, so a cached docker-build cannot see it change, and a record restored for other contents is refused before use. Declare it in the outputs of the build that writes it (project.json, package.json\'s "nx", or nx.json\'s targetDefaults: "outputs": ["{workspaceRoot}/services/orders/dist"]).',
      ]);
      expect(await run({ executor: 'nx:run-script', outputs: ['{projectRoot}/dist'] })).toEqual([]);
      // Not cached by Nx: nothing to warn of.
      expect(await run({ executor: 'nx:run-script' }, { cache: false, dependsOn: ['build'] })).toEqual([]);
      // A build it depends on that its project does not have (zigbee2mqtt's root package.json, no Nx project): said.
      expect(await run({ executor: 'nx:run-script' }, { cache: true, dependsOn: ['compile'] })).toEqual([
        'nx-fleet: orders: its build context takes services/orders/dist from the disk, but the build it depends on (orders:compile) is no target of its project (a package.json\'s scripts are targets only where Nx makes a project of it: give it an "nx" field), so Nx runs nothing before it: Nx hashes a build\'s files only through its declared outputs, so a cached docker-build cannot see it change, and a record restored for other contents is refused before use. Declare it in the outputs of the build that writes it (project.json, package.json\'s "nx", or nx.json\'s targetDefaults: "outputs": ["{workspaceRoot}/services/orders/dist"]).',
      ]);
    });
  });

  it('names a missing context folder', async () => {
    await expect(prepareContext(setup().ports, { ...options, context: 'nope' }, service)).rejects.toThrow(
      'nx-fleet: nope (option "context" of orders) does not exist.',
    );
  });

  it('refuses to prune a context that is not the workspace root', async () => {
    await expect(prepareContext(setup().ports, { ...options, prune: true }, service)).rejects.toThrow(
      'nx-fleet: option "prune" of orders needs "context": "." (a pruned context is repo-shaped); got "services/orders".',
    );
  });
});

describe('copySourceProblem: a folder context', () => {
  it("names a source on disk that the context's .dockerignore leaves out (pulumi's langserve README.md)", () => {
    const service = {
      projectName: 'langserve',
      projectRoot: 'langserve',
      graph: { nodes: {}, dependencies: {} },
      workspaceRoot: '/repo',
    };
    const problem = (onDisk: string[]) =>
      copySourceProblem(
        'FROM python:3.11\nCOPY ./pyproject.toml ./README.md ./\n',
        ['pyproject.toml'],
        { dockerfile: 'langserve/Dockerfile', context: 'langserve' },
        service,
        (path) => onDisk.includes(path),
      );
    expect(problem(['langserve/README.md'])).toBe(
      'nx-fleet: langserve/Dockerfile:2 COPY ./pyproject.toml ./README.md ./: "./README.md" is not in the build context of langserve. It is on disk in the context, but the .dockerignore the engine uses leaves it out: let it through (a "!README.md" line in it), or take it out of the COPY.',
    );
    // The check can fail: at the workspace root only, the folder context's own advice; nowhere, a step's output.
    expect(problem(['README.md'])).toMatch(/The context is the folder langserve;/);
    expect(problem([])).toMatch(/Nothing in langserve or at the workspace root has that path/);
  });
});

describe('copySourceProblem: a pruned context', () => {
  const pruned: BuildOptions = { dockerfile: 'services/orders/Dockerfile', context: '.', prune: true };
  const orders = {
    projectName: 'orders',
    projectRoot: 'services/orders',
    graph: { nodes: {}, dependencies: {} },
    workspaceRoot: '/repo/web',
  };
  const problem = (copy: string, onDisk: string[], options: BuildOptions = pruned) =>
    copySourceProblem(`FROM scratch\n${copy}\n`, ['services/orders/main.js'], options, orders, (path) =>
      onDisk.includes(path),
    );

  it('names the contexts that would hold a source on disk, and says when nothing holds it', () => {
    expect(problem('COPY main.js ./', ['services/orders/main.js'])).toMatch(
      /"main\.js" is not in the build context of orders\. The pruned context holds the service's files .* needs "context": "project"/,
    );
    // ever-teams' chatgpt copies packages/config-typescript/package.json: the folder is packages/ts-config now.
    expect(problem('COPY packages/config-typescript/package.json ./', [])).toMatch(
      /"packages\/config-typescript\/package\.json" is not in the build context of orders\. Nothing in the workspace or in services\/orders has that path: check it against the repository/,
    );
    expect(problem('COPY services/orders/main.js ./', [])).toBeUndefined();
    // electric's todo-app: the root .dockerignore's `examples` leaves it out of every root-shaped context.
    expect(
      copySourceProblem(
        'FROM scratch\nCOPY services/orders/documentation ./documentation\n',
        ['services/orders/main.js'],
        pruned,
        orders,
        () => true,
        [],
        (path) => path.startsWith('services/'),
      ),
    ).toMatch(
      /It is on disk, but the \.dockerignore a pruned context applies \(the Dockerfile's own, else the root one\) leaves it out: let it through \(a "!services\/orders\/documentation" line in it\), or take it out of the COPY\.$/,
    );
    // Hexabot's api: a folder a script writes where the COPY names it, which git ignores.
    expect(problem('COPY services/orders/documentation ./documentation', ['services/orders/documentation'])).toMatch(
      /"services\/orders\/documentation" is not in the build context of orders\. It is on disk at that workspace path, but a pruned context takes only the files git lists .* declare it in docker-build's "contextOutputs" with a "dependsOn" on the target that writes it .* set "context": "workspace"\.$/,
    );
  });

  it("names a git submodule that is not checked out (sourcebot's vendor/zoekt)", () => {
    const gitmodules = '[submodule "vendor/zoekt"]\n\tpath = vendor/zoekt\n\turl = https://github.com/x/zoekt\n';
    expect(submodulePaths(gitmodules)).toEqual(['vendor/zoekt']);
    const copy = 'FROM scratch\nCOPY vendor/zoekt/go.mod ./\n';
    const withSubmodule = (onDisk: string[]) =>
      copySourceProblem(copy, ['services/orders/main.js'], pruned, orders, (path) => onDisk.includes(path), [
        'vendor/zoekt',
      ]);
    expect(withSubmodule([])).toMatch(
      /"vendor\/zoekt\/go\.mod" is not in the build context of orders\. It is in vendor\/zoekt, a git submodule \(\.gitmodules\) that is not checked out here: run "git submodule update --init vendor\/zoekt"/,
    );
    // Checked out (its own .git), the source is missing for another reason.
    expect(withSubmodule(['vendor/zoekt/.git'])).toMatch(/Nothing in the workspace/);
    // A folder that holds nothing but the submodule (`COPY vendor ./vendor`) is missing for the same reason.
    const folder = copySourceProblem(
      'FROM scratch\nCOPY vendor ./vendor\n',
      ['services/orders/main.js'],
      pruned,
      orders,
      () => false,
      ['vendor/zoekt'],
    );
    expect(folder).toMatch(/"vendor" is not in the build context of orders\. It is in vendor\/zoekt, a git submodule/);
  });

  it("warns once of a copied folder holding a submodule that is not checked out: the image gets it empty (alto's contracts/lib)", async () => {
    const { ports, log } = setup({}, 'FROM scratch\nCOPY . .\n');
    ports.files.files.set(
      '/ws/.gitmodules',
      '[submodule "lib"]\n\tpath = services/orders/lib/forge\n\turl = https://x/forge\n',
    );
    await buildServiceImage(ports, options, service);
    expect(log.of('warn')).toEqual([
      'nx-fleet: orders: services/orders/Dockerfile:2 COPY . . copies services/orders/lib/forge: a git submodule (.gitmodules) not checked out here, which the image gets empty. Run "git submodule update --init services/orders/lib/forge" (in CI, check out with submodules: actions/checkout\'s "submodules: true").',
    ]);
    // The check can fail: checked out, nothing to say.
    const checkedOut = setup({}, 'FROM scratch\nCOPY . .\n');
    checkedOut.ports.files.files.set('/ws/.gitmodules', '[submodule "lib"]\n\tpath = services/orders/lib/forge\n');
    checkedOut.ports.files.files.set('/ws/services/orders/lib/forge/.git', 'gitdir: ../../.git/modules/lib\n');
    await buildServiceImage(checkedOut.ports, options, service);
    expect(checkedOut.log.of('warn')).toEqual([]);
  });

  it("names a Dockerfile written for the folder above the workspace (unkey's COPY web/…, Nx in web/), in any context", () => {
    const above =
      /"web\/pnpm-lock\.yaml" is not in the build context of orders: it starts with web\/, the Nx workspace's own folder, so the Dockerfile is written for the folder above the workspace .* "options": \{ "context": "\.\.", "prune": false \} and "cache": false/;
    expect(problem('COPY web/pnpm-lock.yaml ./', ['pnpm-lock.yaml'])).toMatch(above);
    const project: BuildOptions = { dockerfile: 'services/orders/Dockerfile', context: 'services/orders' };
    expect(problem('COPY web/pnpm-lock.yaml ./', ['pnpm-lock.yaml'], project)).toMatch(above);
    // Not a workspace path without the folder's name: the other diagnoses.
    expect(problem('COPY web/nothing.txt ./', ['pnpm-lock.yaml'])).toMatch(/Nothing in the workspace/);
  });
});

describe('an image built FROM another service’s image (baseImages)', () => {
  const REGISTRY = 'registry.example:5000/acme';
  const baseOptions: BuildOptions = { dockerfile: 'images/base/Dockerfile', context: 'images/base', engine: 'podman' };
  const withBase: BuildOptions = { ...options, baseImages: { [`${REGISTRY}/base`]: 'base:docker-build' } };
  const CONSUMER = `ARG VERSION=latest\nFROM ${REGISTRY}/base:$VERSION\nCOPY . /app\n`;
  const graphOf = (root: string, targetOptions: BuildOptions | null = baseOptions) =>
    ({
      ...ordersService(root),
      graph: {
        nodes: {
          base: {
            name: 'base',
            type: 'app',
            data: { root: 'images/base', targets: targetOptions ? { 'docker-build': { options: targetOptions } } : {} },
          },
        },
        dependencies: {},
      },
    }) as ServiceRef;
  const files = (write: (path: string, text?: string) => void) => {
    write('images/base/Dockerfile', 'FROM scratch\nCOPY base.txt /\n');
    write('images/base/base.txt', 'one');
    write('services/orders/Dockerfile', CONSUMER);
  };
  const workspace = (root: string, env: Env = {}) => {
    const { ports, tools } = imageWorkspace({ workspaceRoot: root, env, dockerfile: CONSUMER });
    ports.files.files.set(join(root, 'images/base/Dockerfile'), 'FROM scratch\nCOPY base.txt /\n');
    ports.files.files.set(join(root, 'images/base'), '');
    return { ports, tools };
  };

  it("builds FROM the base's image as its sources build it now, the engine's, and its tag follows the base's sources", async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const { ports, tools } = workspace(root);
      const base = await buildServiceImage(ports, baseOptions, {
        ...here,
        projectName: 'base',
        projectRoot: 'images/base',
      });
      const record = await buildServiceImage(ports, withBase, here);
      expect(buildContextFlags(tools)).toEqual([
        `${REGISTRY}/base:$VERSION=docker-image://${base.localRef}`,
        `${REGISTRY}/base:latest=docker-image://${base.localRef}`,
      ]);
      expect(await sourcesContentTag(workspace(root).ports, withBase, here)).toBe(record.contentTag);
      const alone = await buildServiceImage(workspace(root).ports, options, here);
      expect(alone.contentTag).not.toBe(record.contentTag);
      write('images/base/base.txt', 'two');
      expect(await sourcesContentTag(workspace(root).ports, withBase, here)).not.toBe(record.contentTag);
    });
  });

  it("takes the registry's image under the base's content tag when the engine has none, and refuses when neither has it", async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const env = { FLEET_REGISTRY: REGISTRY };
      const base = { ...here, projectName: 'base', projectRoot: 'images/base' };
      const { tag } = await sourcesOf(workspace(root).ports, baseOptions, base);
      const missing = workspace(root, env);
      await expect(buildServiceImage(missing.ports, withBase, here)).rejects.toThrow(
        `nx-fleet: orders: its Dockerfile's FROM ${REGISTRY}/base:$VERSION is the image of base, whose sources build base:${tag}: neither podman nor ${REGISTRY}/base has it.`,
      );
      expect(missing.tools.toolCalls().some((call) => call.args[0] === 'build')).toBe(false);
      const { ports, tools } = workspace(root, env);
      tools.manifests.set(`docker://${REGISTRY}/base:${tag}`, '{}');
      await buildServiceImage(ports, withBase, here);
      expect(buildContextFlags(tools)).toContain(`${REGISTRY}/base:latest=docker-image://${REGISTRY}/base:${tag}`);
    });
  });

  it("computes the base's tag with its build's default configuration, as Nx runs that build", async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const configured = {
        ...here,
        graph: {
          ...here.graph,
          nodes: {
            base: {
              ...here.graph.nodes['base']!,
              data: {
                root: 'images/base',
                targets: {
                  'docker-build': {
                    options: baseOptions,
                    defaultConfiguration: 'production',
                    configurations: { production: { buildArgs: { MODE: 'production' } } },
                  },
                },
              },
            },
          },
        },
      };
      const base = { ...here, projectName: 'base', projectRoot: 'images/base' };
      const { ports, tools } = workspace(root);
      const built = await buildServiceImage(ports, { ...baseOptions, buildArgs: { MODE: 'production' } }, base);
      await buildServiceImage(ports, withBase, configured);
      expect(buildContextFlags(tools)).toContain(`${REGISTRY}/base:latest=docker-image://${built.localRef}`);
    });
  });

  it('passes a base image a COPY takes files --from alike, and names it so when it is missing', async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const { ports, tools } = workspace(root);
      ports.files.files.set(
        join(root, 'services/orders/Dockerfile'),
        `FROM scratch\nCOPY --from=${REGISTRY}/base /base.txt /\n`,
      );
      await expect(buildServiceImage(ports, withBase, here)).rejects.toThrow(
        `nx-fleet: orders: its Dockerfile's --from=${REGISTRY}/base is the image of base`,
      );
      const base = await buildServiceImage(ports, baseOptions, {
        ...here,
        projectName: 'base',
        projectRoot: 'images/base',
      });
      await buildServiceImage(ports, withBase, here);
      expect(buildContextFlags(tools)).toEqual([`${REGISTRY}/base=docker-image://${base.localRef}`]);
    });
  });

  it("computes a base's tag once per run that shares baseTags (a release plan, a push batch), however many build FROM it", async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const { ports } = workspace(root);
      const reads: string[] = [];
      const readText = ports.files.readText.bind(ports.files);
      ports.files.readText = async (path: string) => (reads.push(path), readText(path));
      const baseDockerfile = join(root, 'images/base/Dockerfile');
      const shared = { ...ports, baseTags: baseTagMemo() };
      const tags = [await sourcesContentTag(shared, withBase, here), await sourcesContentTag(shared, withBase, here)];
      expect(tags[0]).toBe(tags[1]);
      expect(reads.filter((path) => path === baseDockerfile)).toHaveLength(1);
      await sourcesContentTag(ports, withBase, here);
      expect(reads.filter((path) => path === baseDockerfile)).toHaveLength(2);
    });
  });

  it('links a FROM with a literal tag where baseImages was stated for it; a digest stays the published image, named', async () => {
    await onDisk(async (root, write) => {
      files(write);
      const here = graphOf(root);
      const pinned = workspace(root);
      const base = await buildServiceImage(pinned.ports, baseOptions, {
        ...here,
        projectName: 'base',
        projectRoot: 'images/base',
      });
      pinned.ports.files.files.set(join(root, 'services/orders/Dockerfile'), `FROM ${REGISTRY}/base:1.4\n`);
      await buildServiceImage(pinned.ports, withBase, here);
      expect(buildContextFlags(pinned.tools)).toEqual([`${REGISTRY}/base:1.4=docker-image://${base.localRef}`]);
      expect(pinned.ports.log.of('warn')).toEqual([]);
      const { ports, tools } = workspace(root);
      ports.files.files.set(
        join(root, 'services/orders/Dockerfile'),
        `FROM ${REGISTRY}/base@sha256:${'a'.repeat(64)}\n`,
      );
      await buildServiceImage(ports, withBase, here);
      expect(buildContextFlags(tools)).toEqual([]);
      expect(ports.log.of('warn')).toEqual([
        `nx-fleet: orders: docker-build's "baseImages" names ${REGISTRY}/base, which no FROM, --from= or RUN mount of services/orders/Dockerfile takes, so the image it means is not built from the sources for this build. Write each repository as the Dockerfile names it (a FROM pinned to a digest is never linked), or take the entry out.`,
      ]);
    });
  });

  it('names a base the graph does not build, and a chain of bases that comes back, before the engine runs', async () => {
    await onDisk(async (root, write) => {
      files(write);
      const { ports, tools } = workspace(root);
      await expect(buildServiceImage(ports, withBase, graphOf(root, null))).rejects.toThrow(
        `nx-fleet: orders: services/orders/Dockerfile:2 FROM ${REGISTRY}/base:$VERSION: docker-build's "baseImages" names base:docker-build as the build of that image, and base has no nx-fleet docker-build target "docker-build".`,
      );
      const looping = graphOf(root, {
        ...baseOptions,
        baseImages: { [`${REGISTRY}/orders`]: 'orders:docker-build' },
      });
      looping.graph.nodes['orders'] = {
        name: 'orders',
        type: 'app',
        data: { root: 'services/orders', targets: { 'docker-build': { options: withBase } } },
      };
      ports.files.files.set(join(root, 'images/base/Dockerfile'), `FROM ${REGISTRY}/orders\n`);
      write('images/base/Dockerfile', `FROM ${REGISTRY}/orders\n`);
      await expect(buildServiceImage(ports, withBase, looping)).rejects.toThrow(
        'orders → base → orders: each of these images is built FROM the next, so none can be built first.',
      );
      expect(tools.toolCalls().some((call) => call.args[0] === 'build')).toBe(false);
    });
  });
});
