import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureNodeBaseImage } from '../../../tools/fleet-harness/src/base-image';
import { commitAll, nxEnv, TARBALL } from '../../../tools/fleet-harness/src/nx-workspace';
import { createPmWorkspace, type PmKind, type PmWorkspace } from '../../../tools/fleet-harness/src/pm-workspaces';
import { detectEngine, run, runOk } from '../../../tools/fleet-harness/src/tools';

/**
 * Lockfiles of every package manager (issue 14, deliverable 4): each workspace is built once, with
 * its own package manager; its service builds a real image with no per-service settings, its
 * written-out context installs frozen with that package manager, and its content tag ignores an
 * unrelated project. npm's library shares its name with a registry package another dependency
 * needs: Nx's pruning cannot lock that, so the context falls back, announced.
 */
describe('lockfiles: pruned contexts install frozen with the workspace’s package manager', () => {
  const engine = detectEngine();
  const id = randomBytes(6).toString('hex');
  let parent: string;
  const workspaces = new Map<PmKind, PmWorkspace>();

  const env = (ws: PmWorkspace) => ({ ...nxEnv(ws.root), PATH: `${ws.binDir}:${process.env['PATH']}` });
  const nx = (ws: PmWorkspace, args: string[]) =>
    runOk(join(ws.root, 'node_modules/.bin/nx'), args, { cwd: ws.root, env: env(ws), timeoutMs: 300_000 });
  const imageTag = async (ws: PmWorkspace) => {
    await nx(ws, ['run', `${ws.service}:docker-build`, '--output-style=static', '--skip-nx-cache']);
    const { readFileSync } = await import('node:fs');
    return (JSON.parse(readFileSync(join(ws.root, 'dist/fleet/apps/api/image.json'), 'utf8')) as { contentTag: string })
      .contentTag;
  };

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-lockfiles-'));
    const kinds: PmKind[] = ['pnpm', 'yarn-berry', 'yarn-classic', 'npm'];
    const [built] = await Promise.all([
      Promise.all(kinds.map((kind) => createPmWorkspace(kind, parent, TARBALL, id))),
      ensureNodeBaseImage(engine),
    ]);
    for (const ws of built) workspaces.set(ws.kind, ws);
  }, 600_000);
  afterAll(() => {
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it.each<PmKind>(['pnpm', 'yarn-berry', 'yarn-classic'])(
    '%s: the pruned lockfile installs frozen, the image builds, the tag ignores an unrelated project',
    async (kind) => {
      const ws = workspaces.get(kind)!;
      const out = join(parent, `${kind}-context`);
      const context = await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', ws.service, '--out', out], {
        cwd: ws.root,
        env: env(ws),
      });
      expect(context.stdout + context.stderr).not.toMatch(/does not install frozen/);
      const [command, args] = ws.frozenInstall;
      const install = await run(command, args, { cwd: out, env: env(ws), timeoutMs: 300_000 });
      expect({ code: install.code, output: install.code ? install.stdout + install.stderr : '' }).toEqual({
        code: 0,
        output: '',
      });
      const before = await imageTag(ws);
      writeFileSync(join(ws.root, 'apps/other/index.js'), `module.exports = 2; // ${id}\n`);
      await commitAll(ws.root, 'unrelated change');
      expect(await imageTag(ws)).toBe(before);
    },
  );

  it("npm: a library named like a registry package falls back to the workspace's lockfile, announced with npm's lines", async () => {
    const ws = workspaces.get('npm')!;
    const out = join(parent, 'npm-context');
    const context = await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', ws.service, '--out', out], {
      cwd: ws.root,
      env: env(ws),
    });
    const said = context.stdout + context.stderr;
    expect(said).toMatch(/does not install frozen \(npm ci/);
    expect(said).toMatch(/(Missing|Invalid): .*is-number@/);
    expect(said).not.toMatch(/Usage:|Clean install a project|Run `npm install`/);
    await runOk('npm', ['ci', '--dry-run', '--ignore-scripts'], { cwd: out, env: env(ws) });
    const before = await imageTag(ws);
    writeFileSync(join(ws.root, 'apps/other/index.js'), `module.exports = 2; // ${id}\n`);
    await commitAll(ws.root, 'unrelated change');
    expect(await imageTag(ws)).toBe(before);
  });
});
