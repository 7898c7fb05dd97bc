import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureNodeBaseImage } from '../../../tools/fleet-harness/src/base-image';
import { commitAll, nxEnv, TARBALL } from '../../../tools/fleet-harness/src/nx-workspace';
import { createPmWorkspace, type PmKind, type PmWorkspace } from '../../../tools/fleet-harness/src/pm-workspaces';
import { detectEngine, run, runOk, type RunResult } from '../../../tools/fleet-harness/src/tools';

/** What one workspace's run gave: the tests below judge it. */
interface Outcome {
  ws: PmWorkspace;
  /** `nx-fleet context <svc> --out <dir>`. */
  context: RunResult;
  /** The package manager's frozen install in that dir. */
  install: RunResult;
  /** `node apps/api/main.js` in the installed dir (after a real install only). */
  main?: RunResult;
  /** The content tag before and after an unrelated project changed. */
  tags: [string, string];
  /** pnpm: a filtered run over the workspace in the context of a Dockerfile copying the root manifests by name. */
  filtered?: RunResult;
  /** pnpm: `nx show target inputs <svc>:docker-build --check pnpm-workspace.yaml` (Nx's pruning rewrites it into the context). */
  settingsInput?: RunResult;
}

/**
 * Lockfiles of every package manager (issue 14, deliverable 4): each workspace is built once, with
 * its own package manager; its service builds a real image with no per-service settings, its
 * written-out context installs frozen with that package manager (and the service runs there), and
 * its content tag ignores an unrelated project. npm's workspace has a library named like a registry
 * package the service also needs: Nx's pruning cannot lock that, so the context falls back,
 * announced. The four workspaces run side by side in beforeAll (each alone is mostly waiting on
 * installs and nx); the tests judge what each gave.
 */
describe('lockfiles: pruned contexts install frozen with the workspace’s package manager', () => {
  const engine = detectEngine();
  const id = randomBytes(6).toString('hex');
  let parent: string;
  const outcomes = new Map<PmKind, { outcome?: Outcome; error?: unknown }>();

  const env = (ws: PmWorkspace) => ({ ...nxEnv(ws.root), PATH: `${ws.binDir}:${process.env['PATH']}` });
  const imageTag = async (ws: PmWorkspace) => {
    await runOk(
      join(ws.root, 'node_modules/.bin/nx'),
      ['run', `${ws.service}:docker-build`, '--output-style=static', '--skip-nx-cache'],
      { cwd: ws.root, env: env(ws), timeoutMs: 300_000 },
    );
    return (JSON.parse(readFileSync(join(ws.root, 'dist/fleet/apps/api/image.json'), 'utf8')) as { contentTag: string })
      .contentTag;
  };

  async function exercise(kind: PmKind, baseImage: Promise<unknown>): Promise<Outcome> {
    const ws = await createPmWorkspace(kind, parent, TARBALL, id);
    const out = join(parent, `${kind}-context`);
    const context = await run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', ws.service, '--out', out], {
      cwd: ws.root,
      env: env(ws),
      timeoutMs: 300_000,
    });
    const [command, args] = ws.frozenInstall;
    const install = await run(command, args, { cwd: out, env: env(ws), timeoutMs: 300_000 });
    const main =
      kind === 'npm'
        ? undefined
        : await run('node', ['apps/api/main.js'], { cwd: out, env: env(ws), timeoutMs: 60_000 });
    await baseImage;
    const before = await imageTag(ws);
    writeFileSync(join(ws.root, 'apps/other/index.js'), `module.exports = 2; // ${id}\n`);
    await commitAll(ws.root, 'unrelated change');
    const tags: [string, string] = [before, await imageTag(ws)];
    if (kind !== 'pnpm') return { ws, context, install, main, tags };
    const settingsInput = await run(
      join(ws.root, 'node_modules/.bin/nx'),
      ['show', 'target', 'inputs', `${ws.service}:docker-build`, '--check', 'pnpm-workspace.yaml'],
      { cwd: ws.root, env: env(ws), timeoutMs: 120_000 },
    );
    return { ws, context, install, main, tags, settingsInput, filtered: await filteredRun(ws) };
  }

  /**
   * atproto's and botpress's services: the root manifests copied by name, then a pnpm run filtered to
   * the service and its dependencies. In the written context that filter must find the library too
   * (a pruned root manifest is the service's own, with `packages: []`: it finds the service alone).
   */
  async function filteredRun(ws: PmWorkspace): Promise<RunResult> {
    writeFileSync(
      join(ws.root, 'apps/api/Dockerfile'),
      [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./',
        'COPY libs/util libs/util',
        'COPY apps/api apps/api',
        'RUN pnpm install --frozen-lockfile',
        "RUN pnpm --filter '@acme/api...' exec node -p 'require(\"./package.json\").name'",
        '',
      ].join('\n'),
    );
    await commitAll(ws.root, 'a filtered run over the workspace in the image');
    const out = join(parent, 'pnpm-filtered-context');
    await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', ws.service, '--out', out], {
      cwd: ws.root,
      env: env(ws),
      timeoutMs: 300_000,
    });
    await runOk('pnpm', ['install', '--frozen-lockfile', '--ignore-scripts'], {
      cwd: out,
      env: env(ws),
      timeoutMs: 300_000,
    });
    return run('pnpm', ['--filter', '@acme/api...', 'exec', 'node', '-p', 'require("./package.json").name'], {
      cwd: out,
      env: env(ws),
      timeoutMs: 120_000,
    });
  }

  const outcome = (kind: PmKind): Outcome => {
    const result = outcomes.get(kind)!;
    if (!result.outcome) throw result.error;
    return result.outcome;
  };
  const said = (result: RunResult) => result.stdout + result.stderr;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-lockfiles-'));
    const baseImage = ensureNodeBaseImage(engine);
    const kinds: PmKind[] = ['pnpm', 'yarn-berry', 'yarn-classic', 'npm'];
    await Promise.all([
      baseImage,
      ...kinds.map((kind) =>
        exercise(kind, baseImage).then(
          (result) => outcomes.set(kind, { outcome: result }),
          (error: unknown) => outcomes.set(kind, { error }),
        ),
      ),
    ]);
  }, 600_000);
  afterAll(() => {
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it.each<PmKind>(['pnpm', 'yarn-berry', 'yarn-classic'])(
    '%s: the pruned lockfile installs frozen, the service runs from it, the image builds, the tag ignores an unrelated project',
    (kind) => {
      const { context, install, main, tags } = outcome(kind);
      expect({ code: context.code, said: said(context) }).toEqual({
        code: 0,
        said: expect.not.stringMatching(/does not install frozen|is not installed/),
      });
      expect({ code: install.code, output: install.code ? said(install) : '' }).toEqual({ code: 0, output: '' });
      expect({ code: main?.code, stdout: main?.stdout, stderr: main?.code ? main.stderr : '' }).toEqual({
        code: 0,
        stdout: 'api up true true\n',
        stderr: '',
      });
      expect(tags[0]).toMatch(/^ct-[0-9a-f]+$/);
      expect(tags[1]).toBe(tags[0]);
    },
  );

  it('pnpm: pnpm-workspace.yaml, which the pruned context carries rewritten to its settings, is an input of docker-build', () => {
    const { settingsInput } = outcome('pnpm');
    expect({ code: settingsInput?.code, said: settingsInput?.code ? said(settingsInput) : '' }).toEqual({
      code: 0,
      said: '',
    });
  });

  it("pnpm: with the root manifests copied by name and a filtered run over the workspace, the context keeps the workspace's manifests: the filter finds the library", () => {
    const { filtered } = outcome('pnpm');
    expect({ code: filtered?.code, stderr: filtered?.code ? filtered.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(filtered?.stdout).toMatch(/@acme\/util/);
    expect(filtered?.stdout).toMatch(/@acme\/api/);
  });

  it("npm: a library named like a registry package falls back to the workspace's lockfile, announced with npm's lines", () => {
    const { context, install, tags } = outcome('npm');
    expect(context.code).toBe(0);
    // Once: the context written out is the one listed, from one pruning and one check.
    expect(said(context).match(/does not install frozen(?: with its pruned package\.json)? \(npm ci/g)).toHaveLength(1);
    // npm's own line naming the package it could not lock, not its guess about why.
    expect(said(context)).toMatch(/(Missing: |Invalid: |No matching version found for )\S*is-number@/);
    expect(said(context)).not.toMatch(/Usage:|Clean install a project|Run `npm install`|In most cases/);
    expect(said(context)).toMatch(
      /carries the workspace's package\.json, package-lock\.json instead \(they install together\)/,
    );
    expect({ code: install.code, output: install.code ? said(install) : '' }).toEqual({ code: 0, output: '' });
    expect(tags[0]).toMatch(/^ct-[0-9a-f]+$/);
    expect(tags[1]).toBe(tags[0]);
  });
});
