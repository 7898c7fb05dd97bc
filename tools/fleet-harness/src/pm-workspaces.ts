import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { commitAll, disableScanGate, nxEnv, NX_VERSION, TYPESCRIPT_VERSION } from './nx-workspace';
import { runOk } from './tools';

/** The package managers the lockfile spec covers, at the versions it tests. */
export const PNPM_VERSION = '10.34.9';
export const YARN_CLASSIC_VERSION = '1.22.22';
export const YARN_BERRY_VERSION = '4.18.1';

export type PmKind = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry';

export interface PmWorkspace {
  kind: PmKind;
  root: string;
  /** Put first on PATH: `pnpm` and `yarn` as a user with them installed has them. */
  binDir: string;
  /** The project name of the service (`@acme/api`). */
  service: string;
  /** The frozen install the spec runs in a written-out context, as [command, args]. */
  frozenInstall: [string, string[]];
}

/**
 * `pnpm` and `yarn` shims running the tested versions through npx (neither is installed here); the
 * berry workspace runs its committed release through `yarnPath`, as berry repos do.
 */
export function packageManagerBin(parent: string): string {
  const bin = join(parent, 'pm-bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, pkg] of [
    ['pnpm', `pnpm@${PNPM_VERSION}`],
    ['yarn', `yarn@${YARN_CLASSIC_VERSION}`],
  ]) {
    writeFileSync(join(bin, name!), `#!/bin/sh\nexec npx -y ${pkg} "$@"\n`);
    chmodSync(join(bin, name!), 0o755);
  }
  return bin;
}

const json = (root: string, file: string, value: unknown) => write(root, file, `${JSON.stringify(value, null, 2)}\n`);

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/**
 * A small monorepo the way teams have them: `apps/api` (the service: a workspace library and an npm
 * package), `libs/util` (the library, with its own npm dependency), `apps/other` (unrelated), Nx
 * 23.2.1 and the packed nx-fleet installed with the workspace's package manager, one commit.
 * npm's variant names its library `is-number` at 99.0.0 while `is-odd` needs the registry's
 * is-number 6: the case Nx's pruning cannot lock, which must fall back.
 */
export async function createPmWorkspace(
  kind: PmKind,
  parent: string,
  tarball: string,
  id: string,
): Promise<PmWorkspace> {
  const root = join(parent, kind);
  const binDir = packageManagerBin(parent);
  const env = { ...nxEnv(root), PATH: `${binDir}:${process.env['PATH']}` };
  const workspaceRange = kind === 'pnpm' || kind === 'yarn-berry' ? 'workspace:*' : kind === 'npm' ? '*' : '1.0.0';
  const libName = kind === 'npm' ? 'is-number' : '@acme/util';
  const libVersion = kind === 'npm' ? '99.0.0' : '1.0.0';
  json(root, 'apps/api/package.json', {
    name: '@acme/api',
    version: '1.0.0',
    private: true,
    dependencies: { [libName]: workspaceRange, ...(kind === 'npm' ? { 'is-odd': '3.0.1' } : { 'is-number': '7.0.0' }) },
  });
  write(
    root,
    'apps/api/main.js',
    `// ${id}\nconst util = require('${libName}');\nconsole.log('api up', typeof util);\n`,
  );
  write(
    root,
    'apps/api/Dockerfile',
    [
      'FROM node:20',
      'WORKDIR /app',
      `COPY package.json ${kind === 'npm' ? 'package-lock.json' : kind === 'pnpm' ? 'pnpm-lock.yaml' : 'yarn.lock'} ./`,
      'COPY libs libs',
      'COPY apps/api apps/api',
      'CMD ["node", "apps/api/main.js"]',
      '',
    ].join('\n'),
  );
  json(root, 'libs/util/package.json', {
    name: libName,
    version: libVersion,
    private: true,
    main: 'index.js',
    dependencies: { 'is-odd': '3.0.1' },
  });
  write(root, 'libs/util/index.js', "exports.odd = (n) => require('is-odd')(n);\n");
  json(root, 'apps/other/package.json', {
    name: '@acme/other',
    version: '1.0.0',
    private: true,
    dependencies: { ms: '2.1.3' },
  });
  write(root, 'apps/other/index.js', 'module.exports = 1;\n');
  json(root, 'nx.json', {
    $schema: './node_modules/nx/schemas/nx-schema.json',
    defaultBase: 'main',
    plugins: ['nx-fleet'],
  });
  write(
    root,
    '.gitignore',
    ['node_modules', 'dist', 'tmp', '.nx/cache', '.nx/workspace-data', '.yarn/*', '!.yarn/releases', ''].join('\n'),
  );
  const devDependencies = { '@nx/devkit': NX_VERSION, nx: NX_VERSION, typescript: TYPESCRIPT_VERSION };
  const manifest = (packageManager?: string, workspaces = true) => ({
    name: `acme-${kind}`,
    version: '0.0.0',
    private: true,
    ...(packageManager ? { packageManager } : {}),
    ...(workspaces ? { workspaces: ['apps/*', 'libs/*'] } : {}),
    devDependencies,
  });
  const quiet = { cwd: root, env, timeoutMs: 600_000 };
  let frozenInstall: [string, string[]];
  switch (kind) {
    case 'npm':
      json(root, 'package.json', manifest());
      await runOk('npm', ['install', '--no-audit', '--no-fund'], quiet);
      await runOk('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], quiet);
      frozenInstall = ['npm', ['ci', '--dry-run', '--ignore-scripts']];
      break;
    case 'pnpm':
      json(root, 'package.json', manifest(`pnpm@${PNPM_VERSION}`, false));
      write(root, 'pnpm-workspace.yaml', "packages:\n  - 'apps/*'\n  - 'libs/*'\n");
      await runOk('pnpm', ['install'], quiet);
      await runOk('pnpm', ['add', '-D', '-w', tarball], quiet);
      frozenInstall = ['pnpm', ['install', '--frozen-lockfile', '--ignore-scripts']];
      break;
    case 'yarn-classic':
      json(root, 'package.json', manifest(`yarn@${YARN_CLASSIC_VERSION}`));
      await runOk('yarn', ['install', '--non-interactive'], quiet);
      await runOk('yarn', ['add', '-D', '-W', '--non-interactive', `file:${tarball}`], quiet);
      frozenInstall = ['yarn', ['install', '--frozen-lockfile', '--ignore-scripts', '--non-interactive']];
      break;
    case 'yarn-berry': {
      json(root, 'package.json', manifest(`yarn@${YARN_BERRY_VERSION}`));
      const release = `.yarn/releases/yarn-${YARN_BERRY_VERSION}.cjs`;
      await runOk(
        'npm',
        ['exec', '-y', '-p', `@yarnpkg/cli-dist@${YARN_BERRY_VERSION}`, '--', 'yarn', '--version'],
        quiet,
      );
      copyFileSync(berryRelease(), join(root, release));
      write(root, '.yarnrc.yml', `nodeLinker: node-modules\nyarnPath: ${release}\nenableTelemetry: false\n`);
      await runOk('node', [release, 'install'], quiet);
      await runOk('node', [release, 'add', '-D', `nx-fleet@file:${tarball}`], quiet);
      frozenInstall = ['node', [release, 'install', '--immutable', '--mode=skip-build']];
      break;
    }
  }
  disableScanGate(root);
  await runOk('git', ['init', '--quiet', '--initial-branch=main'], { cwd: root });
  await commitAll(root, `${kind} workspace with nx-fleet`);
  return { kind, root, binDir, service: '@acme/api', frozenInstall };
}

/** The yarn release npx unpacked from @yarnpkg/cli-dist (its bin/yarn.js is the standalone bundle). */
function berryRelease(): string {
  const npx = join(homedir(), '.npm', '_npx');
  for (const dir of readdirSync(npx)) {
    const candidate = join(npx, dir, 'node_modules', '@yarnpkg', 'cli-dist');
    try {
      const { version } = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { version: string };
      if (version === YARN_BERRY_VERSION) return join(candidate, 'bin', 'yarn.js');
    } catch {
      // another npx package
    }
  }
  throw new Error(`@yarnpkg/cli-dist@${YARN_BERRY_VERSION} was not found under ${npx}`);
}
