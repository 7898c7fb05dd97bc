import { addProjectConfiguration, readNxJson, readProjectConfiguration, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { logger } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADOPT_DOCKERIGNORE } from '../init/nx-json';
import adoptGenerator, { adoptGenerator as namedAdoptGenerator } from './generator';
import type { AdoptGeneratorSchema } from './schema';

const adopt = (tree: Tree, options: AdoptGeneratorSchema) => adoptGenerator(tree, { skipFormat: true, ...options });
const fleetOf = (tree: Tree, project: string) =>
  (readProjectConfiguration(tree, project).metadata as { fleet?: unknown } | undefined)?.fleet;

describe('adopt generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
    addProjectConfiguration(tree, 'api', {
      root: 'apps/api',
      projectType: 'application',
      targets: { build: { executor: 'nx:noop' } },
    });
  });

  it('exports the same function as default and by name', () => {
    expect(adoptGenerator).toBe(namedAdoptGenerator);
  });

  it('adopts a project with its own Dockerfile, leaving the context to inference', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    const callback = await adopt(tree, { project: 'api' });
    expect(typeof callback).toBe('function');
    expect(fleetOf(tree, 'api')).toBeUndefined();
    expect(tree.read('apps/api/.dockerignore', 'utf-8')).toBe(ADOPT_DOCKERIGNORE);
    expect(readProjectConfiguration(tree, 'api').targets).toEqual({ build: { executor: 'nx:noop' } });
  });

  it("leaves the project file of a service built as inferred as it is written (iqb-berlin's coding-box frontend)", async () => {
    const written =
      '{"name":"api","root":"apps/api","targets":{"serve":{"options":{"port":4200},"executor":"nx:noop"}}}\n';
    tree.write('apps/api/project.json', written);
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    await adopt(tree, {});
    expect(tree.read('apps/api/project.json', 'utf-8')).toBe(written);
    expect(tree.exists('apps/api/.dockerignore')).toBe(true);
  });

  it('finds a Containerfile too', async () => {
    tree.write('apps/api/Containerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', image: 'acme/api' });
    expect(fleetOf(tree, 'api')).toEqual({ image: 'acme/api' });
  });

  it('records a Dockerfile elsewhere, the context and the image', async () => {
    tree.write('.deploy/api/Dockerfile', 'FROM node:20\n');
    tree.delete('.dockerignore');
    await adopt(tree, {
      project: 'api',
      dockerfile: '.deploy/api/Dockerfile',
      context: 'workspace',
      image: 'acme/api',
    });
    expect(fleetOf(tree, 'api')).toEqual({
      dockerfile: '.deploy/api/Dockerfile',
      context: 'workspace',
      image: 'acme/api',
    });
    expect(tree.read('.dockerignore', 'utf-8')).toBe(ADOPT_DOCKERIGNORE);
    expect(tree.exists('apps/api/.dockerignore')).toBe(false);
  });

  it('writes the root .dockerignore for the pruned context', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', context: 'pruned' });
    expect(fleetOf(tree, 'api')).toEqual({ context: 'pruned' });
    expect(tree.exists('.dockerignore')).toBe(true);
    expect(tree.exists('apps/api/.dockerignore')).toBe(false);
  });

  it('finds the one named variant inference would pick, and records one of several', async () => {
    tree.write('apps/api/Dockerfile.api', 'FROM node:20\n');
    tree.write('apps/api/Dockerfile.dev', 'FROM node:20\n');
    await adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile.api' });
    expect(fleetOf(tree, 'api')).toBeUndefined();
    tree.write('apps/api/Dockerfile.worker', 'FROM node:20\n');
    await adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile.api' });
    expect(fleetOf(tree, 'api')).toEqual({ dockerfile: 'apps/api/Dockerfile.api' });
  });

  it("names the shipping variants the graph does not choose between, and the command adopting one (graphql-hive's node.Dockerfile and bun.Dockerfile)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('package.json', JSON.stringify({ name: '@acme/source', workspaces: ['packages/*'] }));
    tree.write('packages/gw/package.json', JSON.stringify({ name: 'gw' }));
    tree.write('packages/gw/node.Dockerfile', 'FROM node:20\nCOPY dist .\n');
    tree.write('packages/gw/bun.Dockerfile', 'FROM oven/bun:1\nCOPY dist .\n');
    const choice =
      'packages/gw holds bun.Dockerfile and node.Dockerfile and no plain Dockerfile, so it is no service in the graph either: which one ships is not guessed. Adopt that one: `nx g nx-fleet:adopt --project gw --dockerfile packages/gw/bun.Dockerfile` or `nx g nx-fleet:adopt --project gw --dockerfile packages/gw/node.Dockerfile`';
    const state = () => tree.listChanges().map((change) => [change.path, change.content?.toString()]);
    const before = state();
    await adopt(tree, {});
    expect(state()).toEqual(before);
    const row = printed[0]!.split('\n').find((line) => line.startsWith('gw '));
    expect(row).toMatch(/^gw\s+-\s+-\s+-\s+-\s+packages\/gw holds/);
    expect(row?.endsWith(choice)).toBe(true);
    expect(printed[0]).toContain('Not adopted (nothing written): gw.');
    await expect(adopt(tree, { project: 'gw' })).rejects.toThrow(`nx-fleet: ${choice}.`);
    await adopt(tree, { project: 'gw', dockerfile: 'packages/gw/node.Dockerfile' });
    vi.restoreAllMocks();
    expect(JSON.parse(tree.read('packages/gw/package.json', 'utf-8')!).nx.metadata.fleet).toEqual({
      dockerfile: 'packages/gw/node.Dockerfile',
    });
  });

  it("adopts a variant in another project's folder for the project it builds by name, and names only the variants left (world-wide-webb's Dockerfile.frontend)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('package.json', JSON.stringify({ name: 'root', workspaces: ['apps/suite', 'apps/suite/apps/*'] }));
    tree.write('apps/suite/package.json', JSON.stringify({ name: 'suite' }));
    tree.write(
      'apps/suite/apps/web/package.json',
      JSON.stringify({ name: '@s/web', scripts: { build: 'vite build' } }),
    );
    tree.write('apps/suite/Dockerfile.web', 'FROM oven/bun:1\nCOPY . .\nRUN bun run --cwd apps/suite/apps/web build\n');
    tree.write('apps/suite/Dockerfile.jobs', 'FROM oven/bun:1\nCOPY . .\nCMD ["bun", "jobs.ts"]\n');
    tree.write('apps/suite/Dockerfile.worker', 'FROM oven/bun:1\nCOPY . .\nCMD ["bun", "worker.ts"]\n');
    await adopt(tree, {});
    const rows = printed[0]!.split('\n');
    expect(rows.find((line) => line.startsWith('@s/web '))).toMatch(/^@s\/web\s+apps\/suite\/Dockerfile\.web\s/);
    const suite = rows.find((line) => line.startsWith('suite '));
    expect(suite).toContain('apps/suite holds Dockerfile.jobs and Dockerfile.worker and no plain Dockerfile');
    expect(suite).not.toContain('Dockerfile.web');
    // One left: the folder's project builds that one, as the graph does.
    tree.delete('apps/suite/Dockerfile.worker');
    printed.length = 0;
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^suite\s+apps\/suite\/Dockerfile\.jobs\s/m);
    expect(printed[0]).toMatch(/^@s\/web\s+apps\/suite\/Dockerfile\.web\s/m);
  });

  it("adopts the one variant the plugin option exclude leaves, as the graph takes it (serverless' examples' Dockerfile.public)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    updateNxJson(tree, { plugins: [{ plugin: 'nx-fleet', options: { exclude: ['**/Dockerfile.private'] } }] });
    tree.write('apps/api/Dockerfile.public', 'FROM node:20\nCOPY . .\n');
    tree.write('apps/api/Dockerfile.private', 'FROM node:20\nCOPY . .\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^api\s+apps\/api\/Dockerfile\.public\s/m);
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it("finds the project's Dockerfile in a container folder of its own, as the graph does (mockoon's packages/cli/docker)", async () => {
    const infos = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree.write('apps/api/docker/Dockerfile', 'FROM node:20\nRUN npm install -g @acme/cli\n');
    await adopt(tree, {});
    const report = infos.mock.calls.map(([line]) => String(line)).join('\n');
    expect(report).toContain('apps/api/docker/Dockerfile');
    expect(report).not.toMatch(/no project builds an image here/);
    expect(fleetOf(tree, 'api')).toBeUndefined();
    await adopt(tree, { project: 'api' });
    expect(fleetOf(tree, 'api')).toBeUndefined();
    // One written for that folder (it copies a file kept beside it) is that folder's image, not the project's.
    tree.write('apps/api/docker/Dockerfile', 'FROM node:20\nCOPY entry.sh /entry.sh\n');
    tree.write('apps/api/docker/entry.sh', 'exec node\n');
    await expect(adopt(tree, { project: 'api' })).rejects.toThrow(
      /api has no Dockerfile or Containerfile in apps\/api/,
    );
    infos.mockRestore();
  });

  it("tells the context the graph infers, root scripts included (ever-teams' chatgpt runs one only the root defines)", async () => {
    const infos = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree.write('package.json', JSON.stringify({ name: '@acme/source', scripts: { 'build:api': 'nx build api' } }));
    tree.write(
      'apps/api/Dockerfile',
      'FROM node:20\nCOPY package.json ./\nCOPY apps/api apps/api\nRUN yarn build:api\n',
    );
    await adopt(tree, { project: 'api' });
    const report = infos.mock.calls.map(([line]) => String(line)).join('\n');
    // It runs Nx, which reads the workspace.
    expect(report).toMatch(/apps\/api\/Dockerfile\s+workspace\s.*runs "build:api", a script only the workspace root's/);
    infos.mockClear();
    // One that runs no workspace tool needs only the root manifest it is run beside, kept as it is.
    tree.write('package.json', JSON.stringify({ name: '@acme/source', scripts: { 'build:api': 'tsc -p apps/api' } }));
    await adopt(tree, { project: 'api' });
    expect(infos.mock.calls.map(([line]) => String(line)).join('\n')).toMatch(
      /apps\/api\/Dockerfile\s+pruned\s.*runs "build:api" beside the root package\.json/,
    );
    infos.mockRestore();
  });

  it("adopts no project whose Dockerfile only lists images (testcontainers' modules), as the graph makes no service of it", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM redis:7\nFROM valkey/valkey:8\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(fleetOf(tree, 'api')).toBeUndefined();
    expect(printed[0]).toMatch(/^nx-fleet adopt: no project builds an image here/);
  });

  describe("a Dockerfile building one image per final stage (squid-sdk's root Dockerfile, a stage per package)", () => {
    const STAGES =
      'FROM node:20 AS deps\nRUN rush install\nFROM deps AS api-builder\nRUN rush deploy --project api\n' +
      'FROM node:20 AS api\nCOPY --from=api-builder /out /app\nCMD ["node", "/app"]\n' +
      'FROM deps AS web-builder\nRUN rush deploy --project web\n' +
      'FROM node:20 AS web\nCOPY --from=web-builder /out /app\nCMD ["node", "/app"]\n';

    it('sets the stage named after the project as "target", and says so', async () => {
      tree.write('Dockerfile', STAGES);
      const infos = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
      await adopt(tree, { project: 'api', dockerfile: 'Dockerfile' });
      expect(fleetOf(tree, 'api')).toEqual({ dockerfile: 'Dockerfile', target: 'api' });
      expect(infos.mock.calls.map(([line]) => String(line)).join('\n')).toContain(
        'the stage named after api, api, is set as "target"',
      );
      infos.mockRestore();
    });

    it('takes --target, checked against the stages', async () => {
      tree.write('Dockerfile', STAGES);
      await adopt(tree, { project: 'api', dockerfile: 'Dockerfile', target: 'web' });
      expect(fleetOf(tree, 'api')).toEqual({ dockerfile: 'Dockerfile', target: 'web' });
      await expect(adopt(tree, { project: 'api', dockerfile: 'Dockerfile', target: 'nope' })).rejects.toThrow(
        'nx-fleet: Dockerfile has no stage named "nope" (--target); its stages: deps, api-builder, api, web-builder, web.',
      );
      await expect(adopt(tree, { target: 'web' })).rejects.toThrow('--target applies to one project');
    });

    it('names the stages where none is named after the project', async () => {
      tree.write('Dockerfile', STAGES.replace(/\bapi\b/g, 'orders'));
      const infos = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
      await adopt(tree, { project: 'api', dockerfile: 'Dockerfile' });
      expect(fleetOf(tree, 'api')).toEqual({ dockerfile: 'Dockerfile' });
      expect(infos.mock.calls.map(([line]) => String(line)).join('\n')).toContain(
        'Dockerfile builds one image per final stage (orders, web), none named after api alone: pass --target <stage>',
      );
      infos.mockRestore();
    });
  });

  it("adopts a Dockerfile elsewhere that the graph gives the project, with the root script building it (gridfire's docker/Dockerfile.api)", async () => {
    tree.write(
      'package.json',
      JSON.stringify({
        name: 'gridfire',
        scripts: { 'docker:build:api': 'docker build -f ./docker/Dockerfile.api -t csleary/gridfire-api .' },
      }),
    );
    tree.write('apps/api/package.json', JSON.stringify({ name: '@gridfire/api' }));
    tree.write(
      'docker/Dockerfile.api',
      'FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN yarn workspaces focus @gridfire/api --production\nCMD ["node", "apps/api/dist/app.js"]\n',
    );
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    vi.restoreAllMocks();
    // The graph infers the file: only the image name the script tags is written.
    expect(fleetOf(tree, 'api')).toEqual({ image: 'csleary/gridfire-api' });
    expect(printed.join('\n')).toMatch(/api\s+docker\/Dockerfile\.api\s/);
  });

  it("adopts the Dockerfile a root script builds after building the project, and no other, by name (zen's prod:api)", async () => {
    const script = (build: string, file = 'deploy/api/Dockerfile') =>
      tree.write(
        'package.json',
        JSON.stringify({ name: 'zen', scripts: { 'prod:api': `${build} && docker build -f ${file} -t zen-api .` } }),
      );
    tree.write('deploy/api/Dockerfile', 'FROM node:20-alpine\nCOPY dist/apps/api ./\nCMD ["node", "main.js"]\n');
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: {} });
    script('nx build api --prod');
    await adopt(tree, {});
    expect(fleetOf(tree, 'api')).toEqual({
      dockerfile: 'deploy/api/Dockerfile',
      image: 'zen-api',
    });
  });

  it("carries the image name of a root script building the Dockerfile a project is pointed at by hand (zen's, without the build)", async () => {
    tree.write(
      'package.json',
      JSON.stringify({ name: 'zen', scripts: { 'prod:api': 'docker build -f deploy/api/Dockerfile -t zen-api .' } }),
    );
    tree.write('deploy/api/Dockerfile', 'FROM node:20-alpine\nCOPY dist/apps/api ./\nCMD ["node", "main.js"]\n');
    await adopt(tree, { project: 'api', dockerfile: 'deploy/api/Dockerfile' });
    expect(fleetOf(tree, 'api')).toMatchObject({ dockerfile: 'deploy/api/Dockerfile', image: 'zen-api' });
  });

  it("leaves a root script that builds two projects before the image, or builds another project's own Dockerfile", async () => {
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: {} });
    tree.write('deploy/api/Dockerfile', 'FROM node:20-alpine\nCOPY dist/apps/api ./\n');
    tree.write('apps/web/Dockerfile', 'FROM node:20-alpine\nCOPY dist/apps/web ./\n');
    tree.write(
      'package.json',
      JSON.stringify({
        name: 'zen',
        scripts: {
          both: 'nx build api && nx build web && docker build -f deploy/api/Dockerfile -t zen-api .',
          web: 'nx build api && docker build -f apps/web/Dockerfile -t zen-web .',
        },
      }),
    );
    await adopt(tree, { skipFormat: true });
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it("carries an image name two services' builds both tag for the first only (loopback4-microservice-catalog's copied facade scripts)", async () => {
    for (const name of ['a-facade', 'b-facade']) {
      addProjectConfiguration(tree, name, { root: `apps/${name}`, targets: {} });
      tree.write(
        `apps/${name}/package.json`,
        JSON.stringify({ name, scripts: { 'docker:build': 'docker build -t facade .' } }),
      );
      tree.write(`apps/${name}/Dockerfile`, 'FROM node:20\nCOPY . .\n');
    }
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(fleetOf(tree, 'a-facade')).toEqual({ image: 'facade' });
    expect(fleetOf(tree, 'b-facade')).toBeUndefined();
    expect(printed.join('\n')).toContain(
      "image facade: a-facade's too, and docker-push refuses two services sharing one repository (pass --image for a name of its own)",
    );
  });

  it('does not record --dockerfile when it is the project’s own', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile' });
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it("writes no .dockerignore where the Dockerfile has an ignore file of its own, which the engine reads instead (cacti's api server)", async () => {
    tree.write('apps/api/api.Dockerfile', 'FROM node:20\nCOPY main.js .\n');
    tree.write('apps/api/api.Dockerfile.dockerignore', '');
    tree.write('apps/api/main.js', '');
    await adopt(tree, { project: 'api' });
    expect(tree.exists('apps/api/.dockerignore')).toBe(false);
    // Nor a root one no context of it reads (debate-map's Dockerfiles each have theirs).
    expect(tree.exists('.dockerignore')).toBe(false);
    expect(readNxJson(tree)?.plugins).toContain('nx-fleet');
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it('never overwrites an existing .dockerignore', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    tree.write('apps/api/.dockerignore', 'secrets\n');
    tree.write('.dockerignore', 'ours\n');
    await adopt(tree, { project: 'api' });
    await adopt(tree, { project: 'api', context: 'workspace' });
    expect(tree.read('apps/api/.dockerignore', 'utf-8')).toBe('secrets\n');
    expect(tree.read('.dockerignore', 'utf-8')).toBe('ours\n');
  });

  it("with no service, names the Dockerfiles no project is beside and how to adopt one (ever-gauzy's .deploy/*)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('.deploy/api/Dockerfile', 'FROM node:20\n');
    tree.write('.deploy/webapp/Dockerfile.prod', 'FROM node:20\n');
    tree.write('.deploy/webapp/Dockerfile.dev', 'FROM node:20\n');
    tree.write('.devcontainer/Dockerfile', 'FROM node:20\n');
    const state = () => tree.listChanges().map((change) => [change.path, change.content?.toString()]);
    const before = state();
    await adopt(tree, {});
    vi.restoreAllMocks();
    // Nothing adopted, nothing written: no plugin entry, no ignore file, no .gitignore lines.
    expect(state()).toEqual(before);
    expect(printed[0]).toBe(
      'nx-fleet adopt: no project builds an image here; 2 Dockerfiles have no project beside them (.deploy/api/Dockerfile, .deploy/webapp/Dockerfile.prod). Where the Dockerfile\'s folder is its own service (spacedrive\'s apps/server), add a project.json with a "name" to that folder; where it builds another project, adopt it for that one with `nx g nx-fleet:adopt --project <name> --dockerfile <path>`, or name it in the plugin option `services`.',
    );
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it("beside the services it adopts, names the Dockerfiles no project is beside and none of them builds (atlas' deploy/api)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    tree.write('deploy/worker/Dockerfile', 'FROM node:20\nCOPY . .\nCMD ["node", "worker.js"]\n');
    // As in the graph, a folder named for development holds no image anyone ships (ts-rust-monorepo's dev/).
    tree.write('dev/Dockerfile.node', 'FROM node:20\nRUN npm i -g nodemon\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toContain(
      "\nNo project is beside deploy/worker/Dockerfile, and none above builds it. Where the Dockerfile's folder is its own service",
    );
    expect(printed[0]).not.toMatch(/No project is beside apps\/api/);
    expect(printed[0]).not.toContain('dev/Dockerfile.node');
  });

  it("names the projects whose own Dockerfile the plugin option exclude hides, and --project makes one a service (ever-teams' examples)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    addProjectConfiguration(tree, 'demo', { root: 'packages/toolkit/examples/demo' });
    tree.write('packages/toolkit/examples/demo/Dockerfile', 'FROM node:20\nCOPY . .\n');
    addProjectConfiguration(tree, 'old', { root: 'legacy/old' });
    tree.write('legacy/old/Dockerfile', 'FROM node:20\nCOPY . .\n');
    updateNxJson(tree, { plugins: [{ plugin: 'nx-fleet', options: { exclude: ['legacy/**'] } }] });
    await adopt(tree, {});
    // Not "no Dockerfile": there are two, each left out (saleor/apps' dev containers).
    expect(printed[0]).toMatch(
      /^nx-fleet adopt: no project builds an image here but the ones the plugin option "exclude" leaves out \(below\)\.\n/,
    );
    expect(printed.join('\n')).toContain(
      'Left out by the plugin option "exclude" (no service, no note in the graph): demo (packages/toolkit/examples/demo/Dockerfile, **/examples/**), old (legacy/old/Dockerfile, legacy/**). Adopt one with `nx g nx-fleet:adopt --project <name>`: its metadata.fleet.dockerfile then names the Dockerfile, which exclusions do not apply to.',
    );
    expect(fleetOf(tree, 'demo')).toBeUndefined();
    printed.length = 0;
    await adopt(tree, { project: 'demo' });
    expect(fleetOf(tree, 'demo')).toEqual({ dockerfile: 'packages/toolkit/examples/demo/Dockerfile' });
    expect(printed.join('\n')).toContain(
      'demo: packages/toolkit/examples/demo/Dockerfile matches the plugin option "exclude" (**/examples/**): metadata.fleet.dockerfile names it, which exclusions do not apply to',
    );
    // Without the default excludes, the example is adopted as any project with its own Dockerfile.
    printed.length = 0;
    updateNxJson(tree, {
      plugins: [{ plugin: 'nx-fleet', options: { excludeDefaults: false, exclude: ['legacy/**'] } }],
    });
    addProjectConfiguration(tree, 'sample', { root: 'examples/sample' });
    tree.write('examples/sample/Dockerfile', 'FROM node:20\nCOPY . .\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).toMatch(/^sample\s+examples\/sample\/Dockerfile\s+project/m);
    expect(printed.join('\n')).toContain('old (legacy/old/Dockerfile, legacy/**)');
    expect(fleetOf(tree, 'sample')).toBeUndefined();
  });

  it("adopts no project whose Dockerfile exclude hides because a script builds it, listing it instead, as the README says (OpenFn's integration-tests)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('package.json', JSON.stringify({ name: '@acme/source', workspaces: ['integration-tests/*'] }));
    const manifest = JSON.stringify({
      name: 'cli-tests',
      scripts: { build: 'docker build --tag cli-integration-tests .' },
    });
    tree.write('integration-tests/cli/package.json', manifest);
    tree.write('integration-tests/cli/Dockerfile', 'FROM node:20\nCOPY . .\n');
    await adopt(tree, {});
    expect(tree.read('integration-tests/cli/package.json', 'utf-8')).toBe(manifest);
    expect(printed.join('\n')).toContain(
      'Left out by the plugin option "exclude" (no service, no note in the graph): cli-tests (integration-tests/cli/Dockerfile, **/*-tests/**).',
    );
    expect(printed.join('\n')).not.toMatch(/^cli-tests\s/m);
    await adopt(tree, { project: 'cli-tests' });
    vi.restoreAllMocks();
    expect(JSON.parse(tree.read('integration-tests/cli/package.json', 'utf-8')!).nx.metadata.fleet).toEqual({
      dockerfile: 'integration-tests/cli/Dockerfile',
      image: 'cli-integration-tests',
    });
  });

  it("tells the folder context of a package manager root above the project, as the graph infers it (plasmic's platform/)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    addProjectConfiguration(tree, 'wab', { root: 'platform/wab' });
    tree.write('platform/package.json', JSON.stringify({ name: 'platform', private: true }));
    tree.write('platform/pnpm-lock.yaml', "lockfileVersion: '9.0'\n");
    tree.write('platform/patches/x.patch', 'diff\n');
    tree.write(
      'platform/wab/Dockerfile',
      'FROM node:20\nWORKDIR /platform\nCOPY package.json pnpm-lock.yaml ./\nCOPY patches/ ./patches/\nCOPY . .\nWORKDIR /platform/wab\n',
    );
    await adopt(tree, { project: 'wab' });
    vi.restoreAllMocks();
    expect(printed.join('\n')).toMatch(
      /^wab\s+platform\/wab\/Dockerfile\s+folder\s+.*platform is a package manager root of its own/m,
    );
    // Inference finds it: no setting is written.
    expect(fleetOf(tree, 'wab')).toBeUndefined();
  });

  it("tells the folder above the project that alone holds every COPY source, as the graph infers it (a compose file's context: ./backend), writing no ignore file in the project", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    addProjectConfiguration(tree, 'svc', { root: 'backend/svc' });
    tree.write('backend/shared/package.json', JSON.stringify({ name: 'shared' }));
    tree.write('backend/shared/index.js', 'export const x = 1;\n');
    tree.write('backend/svc/index.js', 'console.log(1);\n');
    tree.write('backend/svc/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY shared ./shared\nCOPY svc ./svc\n');
    await adopt(tree, { project: 'svc' });
    vi.restoreAllMocks();
    expect(printed.join('\n')).toMatch(
      /^svc\s+backend\/svc\/Dockerfile\s+folder\s+.*backend holds every one of its COPY sources/m,
    );
    expect(tree.exists('backend/svc/.dockerignore')).toBe(false);
    expect(fleetOf(tree, 'svc')).toBeUndefined();
  });

  it("names the projects only nx-fleet makes (a named package.json in no workspaces: planka's root), which it cannot write, and --project says what to do", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('Dockerfile', 'FROM node:20\nCOPY src ./src\n');
    tree.write(
      'tools/svc/package.json',
      JSON.stringify({ name: 'svc', scripts: { img: 'docker build -t acme/svc .' } }),
    );
    tree.write('tools/svc/Dockerfile', 'FROM node:20\n');
    tree.write('tools/img/Dockerfile', 'FROM node:20\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    const note = (name: string, manifest: string, where: string, folder: string) =>
      `nx-fleet adopt: ${name} is a project only nx-fleet makes, of ${manifest}, which is in none of the package manager's workspaces: Nx's generators can read and write no configuration of it. Add a project.json with "name": "${name}" to ${where} (or list ${folder} in the workspaces), then run adopt again.`;
    expect(printed[0]).toBe(
      [
        "nx-fleet adopt: no project Nx's generators can write builds an image here.",
        `  ${note('@acme/source', 'package.json', 'the workspace root', 'the root')}`,
        `  ${note('svc', 'tools/svc/package.json', 'tools/svc', 'the folder')}`,
        '  No project is beside tools/img/Dockerfile.',
      ].join('\n'),
    );
    await expect(adopt(tree, { project: 'svc' })).rejects.toThrow(
      note('svc', 'tools/svc/package.json', 'tools/svc', 'the folder'),
    );
    await expect(adopt(tree, { project: 'nothing' })).rejects.toThrow(
      'nx-fleet adopt: no project is named "nothing" (`nx show projects` lists them). To make the folder of a Dockerfile a project of that name, add a project.json with "name": "nothing" to it, then run adopt again.',
    );
  });

  it("names the files that build a service's image with tools it does not read: compose, CI, platforms' configs (anyterm's fly.toml)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM node:20\nARG URL=http://localhost\nCOPY . .\n');
    tree.write('apps/api/fly.toml', '[build.args]\n  URL = "https://api.fly.dev"\n');
    tree.write(
      'docker-compose.yml',
      'services:\n  api:\n    build:\n      context: ./apps/api\n      dockerfile: Dockerfile\n',
    );
    tree.write(
      '.github/workflows/ci.yml',
      'jobs: { b: { steps: [{ run: "docker build -f apps/web/Dockerfile ." }] } }\n',
    );
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toContain(
      'api: apps/api/fly.toml, docker-compose.yml also build apps/api/Dockerfile (adopt does not read them): compare the image name, build context, build arguments, target stage, platforms, secrets and named contexts there',
    );
    expect(printed[0]).not.toContain('ci.yml');
  });

  it("carries the build secrets an npm script passes into docker-build's options, and names an SSH forward it cannot", async () => {
    tree.write(
      'apps/api/package.json',
      JSON.stringify({
        name: '@acme/api',
        scripts: {
          image: 'docker build --secret id=npmrc,src=../../.npmrc --ssh default -t acme/api -f Dockerfile ../..',
        },
      }),
    );
    tree.write(
      'apps/api/Dockerfile',
      'FROM node:20\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\nCOPY apps/api .\n',
    );
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, { project: 'api' });
    vi.restoreAllMocks();
    expect(readProjectConfiguration(tree, 'api').targets?.['docker-build']?.options).toMatchObject({
      secrets: [{ id: 'npmrc', src: '.npmrc' }],
    });
    expect(printed[0]).toContain('--ssh default: docker-build forwards no SSH agent');
  });

  it("sets the build argument a shared Dockerfile picks the project by, as its paths name the project's folder (email-platform-services)", async () => {
    tree.write(
      'infra/docker/app.Dockerfile',
      'FROM node:20\nARG APP_NAME\nCOPY package.json ./\nCOPY apps/${APP_NAME} ./apps/${APP_NAME}\nRUN npm ci && npm run build -w @acme/${APP_NAME}\n',
    );
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, { project: 'api', dockerfile: 'infra/docker/app.Dockerfile' });
    vi.restoreAllMocks();
    expect(readProjectConfiguration(tree, 'api').targets?.['docker-build']?.options).toEqual({
      buildArgs: { APP_NAME: 'api' },
    });
    expect(printed[0]).toContain(
      'infra/docker/app.Dockerfile picks the project it builds by the build argument APP_NAME: set to "APP_NAME": "api", as the file names apps/api by it',
    );
    // A value no path of the file gives is named for the user to set.
    tree.write(
      'infra/docker/app.Dockerfile',
      'FROM node:20\nARG APP_NAME\nCOPY . .\nRUN npx nest build $APP_NAME --webpack\nCOPY dist/${APP_NAME} /srv\n',
    );
    addProjectConfiguration(tree, 'worker-app', { root: 'services/worker-app/src', targets: {} });
    printed.length = 0;
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, { project: 'worker-app', dockerfile: 'infra/docker/app.Dockerfile' });
    vi.restoreAllMocks();
    expect(printed[0]).toContain(
      'infra/docker/app.Dockerfile picks the project it builds by the build argument APP_NAME, which nothing here sets',
    );
  });

  it("takes no root for a project only nx-fleet makes where its named variants are its apps' (next-turborepo-starter)", async () => {
    tree.write('package.json', JSON.stringify({ name: 'next-app', private: true }));
    tree.write('admin.Dockerfile', 'FROM node:20\nCOPY apps/api ./\n');
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).not.toContain('next-app is a project only nx-fleet makes');
  });

  it('takes no root for a project only nx-fleet makes where other projects build from its Dockerfile by their settings (gps-kafka-aggregator)', async () => {
    tree.write('package.json', JSON.stringify({ name: 'gps', private: true }));
    tree.write('Dockerfile', 'FROM node:20\nARG APP\nCOPY . .\nRUN npm run build -- ${APP}\n');
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    // The check can fail: with no project claiming it, the root is one only nx-fleet makes.
    expect(printed.join('\n')).toContain('gps is a project only nx-fleet makes');
    printed.length = 0;
    updateNxJson(tree, {
      plugins: [
        { plugin: 'nx-fleet', options: { services: { api: { dockerfile: 'Dockerfile', buildArgs: { APP: 'api' } } } } },
      ],
    });
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).not.toContain('gps is a project only nx-fleet makes');
  });

  it("gives the root's Dockerfile pruning to another project to that project, as the graph does, root project or not (cobalt's `pnpm deploy --filter=@imput/cobalt-api`)", async () => {
    tree.write('package.json', JSON.stringify({ name: 'mono', packageManager: 'pnpm@9.6.0' }));
    tree.write('pnpm-workspace.yaml', 'packages:\n  - "api"\n');
    tree.write('api/package.json', JSON.stringify({ name: '@x/api', scripts: { start: 'node index.js' } }));
    tree.write('api/index.js', '\n');
    addProjectConfiguration(tree, '@x/api', { root: 'api' });
    tree.write(
      'Dockerfile',
      'FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . /app\nRUN corepack enable && pnpm install --prod\nRUN pnpm deploy --filter=@x/api --prod /prod/api\nFROM node:22-alpine\nCOPY --from=build /prod/api /app\nCMD ["node", "/app/index.js"]\n',
    );
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    expect(printed.join('\n')).not.toContain('mono is a project only nx-fleet makes');
    expect(printed.join('\n')).toMatch(/^@x\/api\s+Dockerfile\s+workspace\s/m);
    // Made an Nx project, the root does not take it: the graph still builds it as @x/api.
    addProjectConfiguration(tree, 'mono', { root: '.' });
    printed.length = 0;
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).toMatch(/^@x\/api\s+Dockerfile\s+workspace\s/m);
    expect(printed.join('\n')).not.toMatch(/^mono\s/m);
    expect(fleetOf(tree, '@x/api')).toBeUndefined();
    expect(fleetOf(tree, 'mono')).toBeUndefined();
  });

  it("names no project only nx-fleet makes where two folders' package.json files share its name (VinheiriaAgnello's auth-service)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    for (const folder of ['auth', 'gateway']) {
      tree.write(`${folder}/package.json`, JSON.stringify({ name: 'auth-service' }));
      tree.write(`${folder}/Dockerfile`, 'FROM node:20\nCOPY . .\nCMD ["node", "i.js"]\n');
    }
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).not.toContain('auth-service is a project only nx-fleet makes');
    expect(printed.join('\n')).toContain(
      '2 Dockerfiles have no project beside them (auth/Dockerfile, gateway/Dockerfile)',
    );
  });

  it("says to adopt a root Dockerfile for the projects its final stages are named after (cyborg-academy's api and ui stages)", async () => {
    tree.write('package.json', JSON.stringify({ name: 'academy', private: true }));
    addProjectConfiguration(tree, 'ui', { root: 'apps/ui' });
    const stages =
      'FROM node:22 AS build\nCOPY . /app\nRUN cd /app && npm install && npm run -ws build\nFROM node:22 AS api\nCOPY --from=build /app/api /api\nCMD ["node", "/api/main.js"]\nFROM nginx AS ui\nCOPY --from=build /app/ui/dist /usr/share/nginx/html\n';
    tree.write('Dockerfile', stages);
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, {});
    expect(printed.join('\n')).toContain(
      "Where Dockerfile's final stages api, ui are those projects' images (built with that target), adopt it for each of them instead (`nx g nx-fleet:adopt --project api --dockerfile Dockerfile`, `nx g nx-fleet:adopt --project ui --dockerfile Dockerfile`: the target is the stage named after the project).",
    );
    // The check can fail: stages named after no project.
    printed.length = 0;
    tree.write('Dockerfile', stages.replaceAll(' AS api', ' AS server').replaceAll(' AS ui', ' AS web'));
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed.join('\n')).toContain('academy is a project only nx-fleet makes');
    expect(printed.join('\n')).not.toContain('adopt it for each of them instead');
  });

  it("names the root a project only nx-fleet makes where its Dockerfile is kept in the root's docker/ folder, as the graph builds it, and its variant there no Dockerfile without a project (supermarket-watch's docker/Dockerfile)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write(
      'docker/Dockerfile',
      'FROM node:20\nCOPY package.json ./\nRUN npm install\nCOPY nx.json ./\nCOPY apps apps/\nRUN npx nx run-many -t build\n',
    );
    // The graph warns of it as a variant beside the Dockerfile the root is built from.
    tree.write('docker/proxy.Dockerfile', 'FROM nginx\nCOPY docker/nginx.conf /etc/nginx/nginx.conf\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toBe(
      [
        "nx-fleet adopt: no project Nx's generators can write builds an image here.",
        `  nx-fleet adopt: @acme/source is a project only nx-fleet makes, of package.json, which is in none of the package manager's workspaces: Nx's generators can read and write no configuration of it. Add a project.json with "name": "@acme/source" to the workspace root (or list the root in the workspaces), then run adopt again.`,
      ].join('\n'),
    );
  });

  it("names a folder's project only nx-fleet makes where its Dockerfile is kept in its docker/ folder (hedgedoc's backend/docker/Dockerfile)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    tree.write('tools/svc/package.json', JSON.stringify({ name: 'svc' }));
    tree.write('tools/svc/docker/Dockerfile', 'FROM node:20\nCOPY tools/svc ./\nRUN npm install\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^SERVICE/);
    expect(printed[0]).toContain('nx-fleet adopt: svc is a project only nx-fleet makes, of tools/svc/package.json');
    expect(printed[0]).not.toContain('No project is beside');
  });

  it("lists no variant in a project's docker/ folder as a Dockerfile without a project: the graph names it a variant beside the project's Dockerfile", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/docker/Dockerfile', 'FROM node:20\nCOPY apps/api ./\nRUN npm install\n');
    tree.write('apps/api/docker/proxy.Dockerfile', 'FROM nginx\nCOPY apps/api/nginx.conf /etc/nginx/nginx.conf\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^api\s+apps\/api\/docker\/Dockerfile/m);
    expect(printed[0]).not.toContain('No project is beside');
  });

  it("names a project only nx-fleet makes beside the services it adopts (FreeStuff's legacy bot)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    tree.write('legacy/bot/package.json', JSON.stringify({ name: 'bot' }));
    tree.write('legacy/bot/Dockerfile', 'FROM node:20\nCOPY src ./src\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^SERVICE/);
    expect(printed[0]).toContain('nx-fleet adopt: bot is a project only nx-fleet makes, of legacy/bot/package.json');
  });

  it("names no project only nx-fleet makes in a folder named for development, which the graph makes no service of (xmtp-js' dev/uploadService)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    tree.write('dev/uploadService/package.json', JSON.stringify({ name: 'uploadservice' }));
    tree.write('dev/uploadService/Dockerfile', 'FROM node:20\nCOPY . .\nRUN npm install\n');
    tree.write('dev/docker-compose.yml', 'services:\n  upload:\n    build: ./uploadService\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).toMatch(/^SERVICE/);
    expect(printed[0]).not.toContain('uploadservice');
    await expect(adopt(tree, { project: 'uploadservice' })).rejects.toThrow(
      'nx-fleet adopt: no project is named "uploadservice"',
    );
  });

  it("takes no package.json whose name another project has for a project only nx-fleet makes: its Dockerfile has no project (redocly-cli's root, named as packages/cli)", async () => {
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    tree.write('package.json', JSON.stringify({ name: 'api', private: true }));
    tree.write('Dockerfile', 'FROM node:20\nCOPY . .\n');
    await adopt(tree, {});
    vi.restoreAllMocks();
    expect(printed[0]).not.toMatch(/Add a project\.json with "name": "api"/);
    expect(printed[0]).toMatch(
      /one Dockerfile has no project beside it \(Dockerfile\)\..*--project <name> --dockerfile <path>/,
    );
  });

  it("writes no context for a service at the workspace root whose old build sends the root (nx-recipes' store-api)", async () => {
    addProjectConfiguration(tree, 'store', {
      root: '.',
      targets: {
        'docker-build': { executor: 'nx:run-commands', options: { command: 'docker build -f Dockerfile . -t store' } },
      },
    });
    tree.write('Dockerfile', 'FROM node:20-alpine\nCOPY dist/store app\nCMD ["node", "app"]\n');
    await adopt(tree, { project: 'store' });
    expect(fleetOf(tree, 'store') ?? {}).not.toHaveProperty('context');
  });

  it('errors for a project without a Dockerfile', async () => {
    await expect(adopt(tree, { project: 'api' })).rejects.toThrow(
      'nx-fleet: api has no Dockerfile or Containerfile in apps/api; pass --dockerfile <path>.',
    );
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it('errors for a --dockerfile that does not exist', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await expect(adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile.prod' })).rejects.toThrow(
      'nx-fleet: apps/api/Dockerfile.prod (--dockerfile) does not exist; pass --dockerfile <path>.',
    );
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it('errors for per-project flags without --project', async () => {
    await expect(adopt(tree, { image: 'acme/api' })).rejects.toThrow(
      'nx-fleet: --image applies to one project; pass --project <name> too.',
    );
  });

  it('errors for a project that does not exist', async () => {
    await expect(adopt(tree, { project: 'nope' })).rejects.toThrow(/nope/);
  });

  it('merges into existing metadata.fleet and other metadata', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    const project = readProjectConfiguration(tree, 'api');
    addProjectConfiguration(tree, 'web', {
      root: 'apps/web',
      metadata: {
        owner: 'team-a',
        fleet: { image: 'acme/web', contextInclude: ['tsconfig.base.json'], enabled: true },
      } as never,
    });
    tree.write('apps/web/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'web', context: 'pruned' });
    expect(readProjectConfiguration(tree, 'web').metadata).toEqual({
      owner: 'team-a',
      fleet: { image: 'acme/web', contextInclude: ['tsconfig.base.json'], enabled: true, context: 'pruned' },
    });
    await adopt(tree, { project: 'web', image: 'acme/web-v2' });
    expect(fleetOf(tree, 'web')).toEqual({
      image: 'acme/web-v2',
      contextInclude: ['tsconfig.base.json'],
      enabled: true,
      context: 'pruned',
    });
    expect(readProjectConfiguration(tree, 'api')).toEqual(project);
  });

  it('uses the Dockerfile metadata.fleet already points at', async () => {
    addProjectConfiguration(tree, 'worker', {
      root: 'apps/worker',
      metadata: { fleet: { dockerfile: 'docker/worker.Dockerfile' } } as never,
    });
    tree.write('docker/worker.Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'worker', image: 'acme/worker' });
    expect(fleetOf(tree, 'worker')).toEqual({ dockerfile: 'docker/worker.Dockerfile', image: 'acme/worker' });
  });

  it("takes the plugin option services' entry without repeating it, and names a package.json script under the build target name (stack-auth)", async () => {
    updateNxJson(tree, {
      ...readNxJson(tree),
      plugins: [
        {
          plugin: 'nx-fleet',
          options: { services: { backend: { dockerfile: 'docker/server/Dockerfile', image: 'server' } } },
        },
      ],
    });
    addProjectConfiguration(tree, 'backend', { root: 'apps/backend' });
    tree.write(
      'apps/backend/package.json',
      JSON.stringify({ name: 'backend', scripts: { 'docker-build': 'pnpm run codegen && next build' } }),
    );
    tree.write('docker/server/Dockerfile', 'FROM node:20\nCOPY apps/backend apps/backend\n');
    const printed: string[] = [];
    vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
    await adopt(tree, { project: 'backend' });
    expect(fleetOf(tree, 'backend')).toBeUndefined();
    expect(printed.join('\n')).toMatch(
      /^backend\s+docker\/server\/Dockerfile\s+pruned\s+.*\sserver\s+target docker-build already runs the package\.json script "docker-build": it replaces nx-fleet's/m,
    );
  });

  it('lets an explicit --dockerfile replace a configured one', async () => {
    addProjectConfiguration(tree, 'worker', {
      root: 'apps/worker',
      metadata: { fleet: { dockerfile: 'docker/worker.Dockerfile' } } as never,
    });
    tree.write('docker/worker.Dockerfile', 'FROM node:20\n');
    tree.write('apps/worker/Dockerfile', 'FROM node:22\n');
    await adopt(tree, { project: 'worker', dockerfile: 'apps/worker/Dockerfile' });
    const fleet = fleetOf(tree, 'worker') as { dockerfile?: string };
    expect(fleet.dockerfile ?? 'apps/worker/Dockerfile').toBe('apps/worker/Dockerfile');
  });

  it('registers the plugin and is idempotent', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', image: 'acme/api' });
    expect(readNxJson(tree)?.plugins).toEqual(['nx-fleet']);
    // Compared as data: Nx may reorder the keys of project.json when it rewrites it.
    const snapshot = () =>
      tree
        .listChanges()
        .map((c) => [c.path, c.path.endsWith('.json') ? JSON.parse(c.content!.toString()) : c.content?.toString()]);
    const before = snapshot();
    await adopt(tree, { project: 'api', image: 'acme/api' });
    expect(snapshot()).toEqual(before);
  });

  it("replaces a run-commands build that has nx-fleet's build target name, and is idempotent", async () => {
    addProjectConfiguration(tree, 'gateway', {
      root: 'backend/gateway',
      targets: {
        build: { executor: 'nx:noop' },
        'docker-build': {
          dependsOn: ['build'],
          command: 'docker build -f backend/gateway/Dockerfile . -t erxes/erxes-next-gateway',
        },
      },
    });
    tree.write('backend/gateway/Dockerfile', 'FROM node:20\nCOPY backend/gateway/main.js /app/\n');
    tree.write('backend/gateway/main.js', '\n');
    await adopt(tree, {});
    expect(fleetOf(tree, 'gateway')).toEqual({ image: 'erxes/erxes-next-gateway' });
    expect(readProjectConfiguration(tree, 'gateway').targets).toEqual({
      build: { executor: 'nx:noop' },
      'docker-build': { dependsOn: ['build'] },
    });
    const after = JSON.parse(tree.read('backend/gateway/project.json', 'utf-8')!);
    await adopt(tree, {});
    expect(JSON.parse(tree.read('backend/gateway/project.json', 'utf-8')!)).toEqual(after);
  });

  it("names a Dockerfile .nxignore hides from Nx, so that the graph finds it (nx_actions_ecs' `Dockerfile` line)", async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree.write('.nxignore', 'Dockerfile\n');
    tree.write('apps/api/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY dist/apps/api api/\nCMD ["node", "api"]\n');
    await adopt(tree, {});
    expect(fleetOf(tree, 'api')).toEqual({ dockerfile: 'apps/api/Dockerfile' });
    expect(info.mock.calls.map(([line]) => String(line)).join('\n')).toContain(
      'api: apps/api/Dockerfile matches .nxignore, which hides it from Nx and so from the graph: metadata.fleet.dockerfile names it',
    );
  });

  it("replaces the project's own push of the image it adopts, and keeps (naming it) one that pushes anything else (Azkaban_V4)", async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    addProjectConfiguration(tree, 'azkaban', {
      root: 'apps/azkaban',
      targets: {
        'docker-build': {
          dependsOn: ['build'],
          command: 'docker build -f apps/azkaban/Dockerfile . -t toxictoast/azkaban:{args.VERSION}',
        },
        'docker-push': { command: 'docker push toxictoast/azkaban:{args.VERSION}' },
        lint: { executor: 'nx:noop' },
      },
    });
    tree.write('apps/azkaban/Dockerfile', 'FROM node:20\nCOPY dist/apps/azkaban .\n');
    addProjectConfiguration(tree, 'other', {
      root: 'apps/other',
      targets: {
        'docker-build': { command: 'docker build -f apps/other/Dockerfile . -t acme/other' },
        'docker-push': { command: 'docker push acme/other && ./notify.sh' },
      },
    });
    tree.write('apps/other/Dockerfile', 'FROM node:20\nCOPY apps/other/main.js /app/\n');
    await adopt(tree, {});
    expect(readProjectConfiguration(tree, 'azkaban').targets).toEqual({
      'docker-build': { dependsOn: ['build'] },
      lint: { executor: 'nx:noop' },
    });
    expect(readProjectConfiguration(tree, 'other').targets?.['docker-push']).toEqual({
      command: 'docker push acme/other && ./notify.sh',
    });
    const said = info.mock.calls.map(([line]) => String(line)).join('\n');
    expect(said).toContain(
      "azkaban: docker-push (`docker push toxictoast/azkaban:{args.VERSION}`) is replaced: nx-fleet's docker-push pushes the image docker-build builds",
    );
    expect(said).toContain(
      "other: docker-push (`docker push acme/other && ./notify.sh`) is kept, and Nx runs it for docker-push instead of nx-fleet's push",
    );
  });

  it("reads a run-commands build as Nx runs it: its {workspaceRoot} cwd is the workspace root (JimmyPaolini's caelundas)", async () => {
    addProjectConfiguration(tree, 'caelundas', {
      root: 'applications/caelundas',
      targets: {
        'docker-build': {
          executor: 'nx:run-commands',
          options: {
            command:
              'docker buildx build --platform linux/amd64 -f applications/caelundas/Dockerfile -t ghcr.io/jp/caelundas:1.0.0 --load .',
            cwd: '{workspaceRoot}',
          },
        },
      },
    });
    tree.write('applications/caelundas/Dockerfile', 'FROM node:20\nCOPY applications/caelundas/main.js /app/\n');
    tree.write('applications/caelundas/main.js', '\n');
    await adopt(tree, {});
    expect(fleetOf(tree, 'caelundas')).toEqual({ image: 'jp/caelundas' });
    expect(readProjectConfiguration(tree, 'caelundas').targets).toEqual({
      'docker-build': { options: { platforms: ['linux/amd64'] } },
    });
  });

  it("infers the context the graph does: another project's dist folder is its build output, stated or not (drdreo/hub's tell-it-api)", async () => {
    addProjectConfiguration(tree, 'tell', {
      root: 'apps/tell',
      targets: {
        build: { command: 'webpack-cli build' },
        'docker-build': { command: 'docker build -f apps/tell/Dockerfile . -t tell' },
      },
    });
    tree.write(
      'apps/tell/Dockerfile',
      'FROM node:22-alpine\nWORKDIR /app\nCOPY apps/tell/dist tell/\nCMD ["node", "tell"]\n',
    );
    await adopt(tree, {});
    expect(fleetOf(tree, 'tell')).toBeUndefined();
    expect(readProjectConfiguration(tree, 'tell').targets).toEqual({ build: { command: 'webpack-cli build' } });
  });

  it("puts no build of the service's own first where the image copies only another project's stated output (uesio's platform)", async () => {
    addProjectConfiguration(tree, 'platform', {
      root: 'apps/platform',
      targets: {
        build: { command: 'go build -o dist/platform ./apps/platform', outputs: ['{workspaceRoot}/dist/platform'] },
        'build-image': {
          command: 'docker build -t platform -f apps/platform/Dockerfile .',
          dependsOn: [{ projects: 'ui', target: 'build' }],
        },
      },
    });
    addProjectConfiguration(tree, 'ui', {
      root: 'libs/ui',
      targets: { build: { command: 'vite build', outputs: ['{workspaceRoot}/dist/ui'] } },
    });
    // The Go build runs in the image; the host's `dist/ui` is ui's, which the old build waits for.
    tree.write(
      'apps/platform/Dockerfile',
      'FROM golang:1.22 AS build\nCOPY apps/platform/main.go /src/main.go\nRUN cd /src && go build -o /platform main.go\nFROM alpine\nCOPY --from=build /platform /platform\nCOPY dist/ui /ui\nCMD ["/platform"]\n',
    );
    tree.write('apps/platform/main.go', 'package main\n');
    await adopt(tree, { project: 'platform' });
    expect(readProjectConfiguration(tree, 'platform').targets?.['docker-build']).toEqual({
      dependsOn: [{ projects: 'ui', target: 'build' }],
    });
  });

  it('reads an {options.outputPath} its default configuration sets as the build output the Dockerfile copies', async () => {
    addProjectConfiguration(tree, 'svc', {
      root: 'apps/svc',
      targets: {
        build: {
          executor: '@nx/esbuild:esbuild',
          outputs: ['{options.outputPath}'],
          defaultConfiguration: 'production',
          options: { main: 'apps/svc/main.ts' },
          configurations: { production: { outputPath: 'dist/services/svc' } },
        },
        'docker-build': { command: 'docker build -f apps/svc/Dockerfile . -t acme/svc' },
      },
    });
    tree.write('apps/svc/Dockerfile', 'FROM node:22-alpine\nCOPY dist/services/svc svc/\nCMD ["node", "api"]\n');
    await adopt(tree, {});
    // The inferred pruned context carries it: nothing to state but the image.
    expect(fleetOf(tree, 'svc')).toEqual({ image: 'acme/svc' });
    expect(tree.exists('apps/svc/.dockerignore')).toBe(false);
  });

  it('reads the build output of the target the plugin option buildTarget names, not of a target named build', async () => {
    updateNxJson(tree, { plugins: [{ plugin: 'nx-fleet', options: { buildTarget: 'compile' } }] });
    addProjectConfiguration(tree, 'svc', {
      root: 'apps/svc',
      targets: {
        compile: { command: 'tsc -p apps/svc', outputs: ['{projectRoot}/dist'] },
        image: { command: 'docker build -t acme/svc apps/svc', dependsOn: ['compile'] },
      },
    });
    tree.write('apps/svc/Dockerfile', 'FROM node:22-alpine\nCOPY dist /app\nCMD ["node", "/app/main.js"]\n');
    tree.write('apps/svc/src/main.ts', '\n');
    await adopt(tree, {});
    expect(fleetOf(tree, 'svc')).toEqual({ image: 'acme/svc' });
    // The old build's dependsOn is kept; no `build` (which svc has not) put before it.
    expect(readProjectConfiguration(tree, 'svc').targets?.['docker-build']).toEqual({ dependsOn: ['compile'] });
  });

  it('writes nothing, nx.json included, where a target under nx-fleet’s build target name runs something else', async () => {
    addProjectConfiguration(tree, 'legacy', {
      root: 'apps/legacy',
      targets: { 'docker-build': { executor: 'nx:run-commands', options: { command: 'make image' } } },
    });
    tree.write('apps/legacy/Dockerfile', 'FROM node:20\nCOPY main.js /app/\n');
    const before = tree.read('nx.json', 'utf-8');
    await adopt(tree, {});
    expect(tree.read('nx.json', 'utf-8')).toBe(before);
    expect(fleetOf(tree, 'legacy')).toBeUndefined();
  });

  it('removes the replaced build target when nothing of it is left', async () => {
    addProjectConfiguration(tree, 'gateway', {
      root: 'backend/gateway',
      targets: { 'docker-build': { command: 'docker build -t acme/gateway backend/gateway' } },
    });
    tree.write('backend/gateway/Dockerfile', 'FROM node:20\nCOPY main.js /app/\n');
    tree.write('backend/gateway/main.js', '\n');
    await adopt(tree, { project: 'gateway' });
    expect(readProjectConfiguration(tree, 'gateway').targets).toEqual({});
    expect(fleetOf(tree, 'gateway')).toEqual({ image: 'acme/gateway' });
  });

  describe('without --project: what already builds images', () => {
    let printed: string[];
    beforeEach(() => {
      printed = [];
      vi.spyOn(logger, 'info').mockImplementation((message: unknown) => void printed.push(String(message)));
      // @nx/docker: plugin entry with a --tag, a project whose Dockerfile is written for its folder.
      tree.write(
        'nx.json',
        JSON.stringify({
          plugins: [
            {
              plugin: '@nx/docker',
              options: { buildTarget: { name: 'docker:build', args: ['--tag acme/{projectName}'] } },
            },
          ],
        }),
      );
      addProjectConfiguration(tree, 'build-manager', {
        root: 'apps/build-manager',
        targets: {
          'docker:build': {
            dependsOn: ['prebuild', 'build'],
            options: { args: ['--tag acme/build-manager', '--build-arg NODE_ENV=production'] },
          },
        },
      });
      tree.write(
        'apps/build-manager/Dockerfile',
        'FROM node:20\nWORKDIR /app\nCOPY main.js ./\nCMD ["node", "main.js"]\n',
      );
      tree.write('apps/build-manager/main.js', 'console.log(1);\n');
      // nx-container: a project.json target, repo-shaped Dockerfile elsewhere.
      addProjectConfiguration(tree, 'billing', {
        root: 'apps/billing',
        targets: {
          container: {
            executor: '@nx-tools/nx-container:build',
            dependsOn: ['build'],
            options: {
              context: '.',
              file: 'docker/billing.Dockerfile',
              target: 'runner',
              metadata: { images: ['acme/billing-api'] },
            },
          },
        },
      });
      tree.write('docker/billing.Dockerfile', 'FROM node:20 AS runner\nCOPY apps/billing/main.js /app/\n');
      tree.write('apps/billing/main.js', 'console.log(2);\n');
      // An npm script that streams its context on stdin: reported, not guessed.
      tree.write(
        'apps/legacy/package.json',
        JSON.stringify({ name: 'legacy', scripts: { image: 'docker build -t acme/legacy - < legacy.dockerfile' } }),
      );
      tree.write('apps/legacy/legacy.dockerfile', 'FROM node:20\n');
      tree.write('package.json', JSON.stringify({ name: '@acme/source', workspaces: ['apps/*'] }));
    });
    afterEach(() => vi.restoreAllMocks());

    it('keeps image names, build args, target stages and dependsOn, and prints the table', async () => {
      await adopt(tree, {});
      expect(fleetOf(tree, 'build-manager')).toEqual({ image: 'acme/build-manager' });
      expect(readProjectConfiguration(tree, 'build-manager').targets).toEqual({
        'docker:build': {
          dependsOn: ['prebuild', 'build'],
          options: { args: ['--tag acme/build-manager', '--build-arg NODE_ENV=production'] },
        },
        'docker-build': { dependsOn: ['prebuild', 'build'], options: { buildArgs: { NODE_ENV: 'production' } } },
      });
      expect(fleetOf(tree, 'billing')).toEqual({ dockerfile: 'docker/billing.Dockerfile', image: 'acme/billing-api' });
      expect(readProjectConfiguration(tree, 'billing').targets?.['docker-build']).toEqual({
        dependsOn: ['build'],
        options: { target: 'runner' },
      });
      // The script's stdin context is reported, and no setting is written; nx-fleet builds the folder's
      // legacy.dockerfile (its one variant) from the project folder, which gets its ignore file.
      expect(fleetOf(tree, 'legacy')).toBeUndefined();
      expect(tree.exists('apps/legacy/.dockerignore')).toBe(true);
      const table = printed.join('\n');
      expect(table).toMatch(/^SERVICE\s+DOCKERFILE\s+CONTEXT\s+WHY\s+IMAGE\s+NOT ADOPTED$/m);
      expect(table).toMatch(/^billing\s+docker\/billing\.Dockerfile\s+pruned\s+.*acme\/billing-api\s+-$/m);
      expect(table).toMatch(/^build-manager\s+apps\/build-manager\/Dockerfile\s+project\s+.*acme\/build-manager\s+-$/m);
      expect(table).toMatch(/^legacy .*npm script image: the context is streamed on stdin \(-\): no folder to adopt$/m);
      expect(table).toContain(
        'build-manager: @nx/docker target docker:build is kept: remove it once docker-build builds the image',
      );
    });

    it('is idempotent', async () => {
      await adopt(tree, {});
      const snapshot = () =>
        tree
          .listChanges()
          .map((c) => [c.path, c.path.endsWith('.json') ? JSON.parse(c.content!.toString()) : c.content?.toString()]);
      const before = snapshot();
      await adopt(tree, {});
      expect(snapshot()).toEqual(before);
    });

    it('writes build settings of a package.json project into its nx field', async () => {
      tree.write('nx.json', '{}');
      tree.write(
        'apps/web/package.json',
        JSON.stringify({ name: 'web', scripts: { 'docker:build': 'docker build --target prod -t acme/web:latest .' } }),
      );
      tree.write('apps/web/Dockerfile', 'FROM node:20 AS prod\nCOPY server.js ./\n');
      tree.write('apps/web/server.js', '\n');
      await adopt(tree, { project: 'web' });
      const manifest = JSON.parse(tree.read('apps/web/package.json', 'utf-8')!);
      expect(manifest.nx).toEqual({
        metadata: { fleet: { image: 'acme/web' } },
        targets: { 'docker-build': { options: { target: 'prod' } } },
      });
      expect(manifest.scripts['docker:build']).toBeDefined();
    });
  });
});
