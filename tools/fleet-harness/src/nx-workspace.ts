import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, runOk } from './tools';

export const NX_VERSION = '23.2.1';
export const TYPESCRIPT_VERSION = '5.9.3';
/** Found by walking up, so the harness also works compiled elsewhere (the demo and bench run it from dist/). */
export const REPO_ROOT = findRepoRoot(__dirname);
export const TARBALL = join(REPO_ROOT, 'dist', 'nx-fleet.tgz');

const quietEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CI: 'true',
});

/**
 * How tests, the demo and the benchmarks run nx in a generated workspace: no daemon (runs stay
 * independent), the workspace's own cache, and plain text so output can be read by assertions.
 */
export function nxEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...quietEnv(),
    NX_CACHE_DIRECTORY: join(root, '.nx', 'cache'),
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

/** `npm run package`, through Nx so an unchanged plugin is a cache hit. */
export async function packPlugin(): Promise<string> {
  await runOk(join(REPO_ROOT, 'node_modules', '.bin', 'nx'), ['run', 'nx-fleet:package'], {
    cwd: REPO_ROOT,
    env: quietEnv(),
  });
  if (!existsSync(TARBALL)) throw new Error(`nx run nx-fleet:package did not produce ${TARBALL}`);
  return TARBALL;
}

/**
 * What a user does: a fresh Nx workspace from create-nx-workspace (pinned: the registry's latest
 * is another major), nx-fleet installed from the tarball, `nx g nx-fleet:init`, one commit.
 */
export async function createFleetWorkspace(parent: string, name: string, tarball: string): Promise<string> {
  const env = quietEnv();
  await runOk(
    'npx',
    [
      '--yes',
      `create-nx-workspace@${NX_VERSION}`,
      name,
      '--preset=apps',
      '--nxCloud=skip',
      '--packageManager=npm',
      '--interactive=false',
    ],
    {
      cwd: parent,
      env,
      timeoutMs: 600_000,
    },
  );
  const root = join(parent, name);
  // create-nx-workspace skips `git init` inside another repository; commits must never land there.
  const top = await run('git', ['rev-parse', '--show-toplevel'], { cwd: root });
  if (top.code !== 0 || realpathSync(top.stdout.trim()) !== realpathSync(root))
    await runOk('git', ['init', '--quiet', '--initial-branch=main'], { cwd: root });
  // TypeScript, as in any Nx TS workspace: without it Nx does not analyse imports at all.
  await runOk(
    'npm',
    ['install', '--save-dev', '--no-fund', '--no-audit', tarball, `typescript@${TYPESCRIPT_VERSION}`],
    { cwd: root, env, timeoutMs: 600_000 },
  );
  await runOk(join(root, 'node_modules', '.bin', 'nx'), ['g', 'nx-fleet:init', '--no-interactive'], { cwd: root, env });
  disableScanGate(root);
  await commitAll(root, 'add nx-fleet');
  return root;
}

/**
 * No vulnerability database can be downloaded on these machines, so no scan can pass: pushes in the
 * templates skip the scan gate (and say so). tests/scan.spec.ts turns it back on to test the gate itself.
 */
export function disableScanGate(root: string): void {
  const nxJsonPath = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8')) as { plugins?: unknown[] };
  nxJson.plugins = (nxJson.plugins ?? []).map((p) =>
    p === 'nx-fleet' ? { plugin: 'nx-fleet', options: { gates: { scan: false } } } : p,
  );
  writeFileSync(nxJsonPath, `${JSON.stringify(nxJson, null, 2)}\n`);
}

export async function commitAll(root: string, message: string): Promise<void> {
  await runOk('git', ['add', '-A'], { cwd: root });
  await runOk(
    'git',
    [
      '-c',
      'user.name=nx-fleet',
      '-c',
      'user.email=nx-fleet@example.invalid',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      message,
    ],
    { cwd: root },
  );
}

function findRepoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'packages', 'nx-fleet', 'package.json'))) return dir;
  }
  throw new Error(`cannot find the nx-fleet repository above ${start}`);
}
