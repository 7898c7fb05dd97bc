import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll, disableScanGate, nxEnv, TYPESCRIPT_VERSION } from './nx-workspace';
import { runOk } from './tools';

/**
 * Nx 24 as this registry serves it: `nx` 24.0.6 and `@nx/devkit` 24.0.0, but no `@nx/js` 24 and no
 * `create-nx-workspace` 24, so the workspace is written by hand the way a small npm-workspaces repo
 * looks: a root package.json, nx.json, and projects from project.json / package.json files (Nx's
 * core plugins need nothing else).
 */
export const NX24_VERSION = '24.0.6';
export const NX24_DEVKIT_VERSION = '24.0.0';

const NPM_QUIET = ['--no-audit', '--no-fund'];

/**
 * A hand-written Nx 24 workspace with `nx`, `@nx/devkit` and TypeScript installed and one commit,
 * and no nx-fleet: what a user has before `npm i -D nx-fleet` or `nx add nx-fleet`.
 */
export async function createNx24BareWorkspace(parent: string, name: string): Promise<string> {
  const root = join(parent, name);
  mkdirSync(root, { recursive: true });
  const json = (file: string, value: unknown) => writeFileSync(join(root, file), `${JSON.stringify(value, null, 2)}\n`);
  json('package.json', {
    name: `@fleet/${name}`,
    version: '0.0.0',
    private: true,
    workspaces: ['services/*', 'libs/*'],
    devDependencies: {
      '@nx/devkit': NX24_DEVKIT_VERSION,
      nx: NX24_VERSION,
      typescript: TYPESCRIPT_VERSION,
    },
  });
  json('nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' });
  json('tsconfig.base.json', {
    compilerOptions: {
      target: 'es2022',
      module: 'commonjs',
      moduleResolution: 'node10',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      baseUrl: '.',
      paths: {},
    },
  });
  writeFileSync(
    join(root, '.gitignore'),
    ['node_modules', 'dist', 'tmp', '.nx/cache', '.nx/workspace-data', ''].join('\n'),
  );
  await runOk('npm', ['install', ...NPM_QUIET], { cwd: root, env: nxEnv(root), timeoutMs: 600_000 });
  await runOk('git', ['init', '--quiet', '--initial-branch=main'], { cwd: root });
  await commitAll(root, 'nx 24 workspace');
  return root;
}

/**
 * A copy of the bare workspace with nx-fleet installed from the tarball the way the README says
 * (`npm install --save-dev <tarball>`: npm 11 refuses it with ERESOLVE when the peer range excludes
 * Nx 24), `nx g nx-fleet:init`, the scan gate off (no vulnerability database here), one commit.
 */
export async function createNx24FleetWorkspace(
  bare: string,
  parent: string,
  name: string,
  tarball: string,
): Promise<string> {
  const root = join(parent, name);
  cpSync(bare, root, { recursive: true, verbatimSymlinks: true });
  const env = nxEnv(root);
  await runOk('npm', ['install', '--save-dev', ...NPM_QUIET, tarball], { cwd: root, env, timeoutMs: 600_000 });
  await runOk(join(root, 'node_modules', '.bin', 'nx'), ['g', 'nx-fleet:init', '--no-interactive'], { cwd: root, env });
  disableScanGate(root);
  analyzeSourceFiles(root);
  await commitAll(root, 'add nx-fleet');
  return root;
}

/**
 * With no `@nx/js` 24 to install, Nx 24 analyses no source file, and init keeps it so (it never adds
 * edges a workspace did not have): a service's npm dependencies would come from its package.json
 * alone. This workspace's services import theirs, as an integrated repository's do, so it turns the
 * analysis on, as such a team would.
 */
function analyzeSourceFiles(root: string): void {
  const file = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(file, 'utf8')) as { pluginsConfig?: Record<string, Record<string, unknown>> };
  nxJson.pluginsConfig = {
    ...nxJson.pluginsConfig,
    '@nx/js': { ...nxJson.pluginsConfig?.['@nx/js'], analyzeSourceFiles: true },
  };
  writeFileSync(file, `${JSON.stringify(nxJson, null, 2)}\n`);
}
