import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
 * npm's variant adds a library named `is-number` (99.0.0, libs/num) that `@acme/util` uses while
 * the service needs the registry's is-number 7: Nx's pruning cannot lock both (it returns the
 * root lockfile), so the context must fall back.
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
  json(root, 'apps/api/package.json', {
    name: '@acme/api',
    version: '1.0.0',
    private: true,
    dependencies: { '@acme/util': workspaceRange, 'is-number': '7.0.0' },
  });
  // Run in the installed context: the library, its npm dependency and the service's resolve.
  write(
    root,
    'apps/api/main.js',
    `// ${id}\nconst util = require('@acme/util');\nconsole.log('api up', util.odd(3), require('is-number')(7));\n`,
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
    name: '@acme/util',
    version: '1.0.0',
    private: true,
    main: 'index.js',
    dependencies: { 'is-odd': '3.0.1', ...(kind === 'npm' ? { 'is-number': '99.0.0' } : {}) },
  });
  write(root, 'libs/util/index.js', "exports.odd = (n) => require('is-odd')(n);\n");
  if (kind === 'npm') {
    json(root, 'libs/num/package.json', { name: 'is-number', version: '99.0.0', private: true, main: 'index.js' });
    write(root, 'libs/num/index.js', 'module.exports = () => 99;\n');
  }
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
  // nx-fleet from the tarball in the manifest from the start: one install per workspace.
  const devDependencies = {
    '@nx/devkit': NX_VERSION,
    nx: NX_VERSION,
    'nx-fleet': `file:${tarball}`,
    typescript: TYPESCRIPT_VERSION,
  };
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
      frozenInstall = ['npm', ['ci', '--dry-run', '--ignore-scripts']];
      break;
    case 'pnpm':
      json(root, 'package.json', manifest(`pnpm@${PNPM_VERSION}`, false));
      write(root, 'pnpm-workspace.yaml', "packages:\n  - 'apps/*'\n  - 'libs/*'\n");
      await runOk('pnpm', ['install'], quiet);
      frozenInstall = ['pnpm', ['install', '--frozen-lockfile', '--ignore-scripts']];
      break;
    case 'yarn-classic':
      json(root, 'package.json', manifest(`yarn@${YARN_CLASSIC_VERSION}`));
      await runOk('yarn', ['install', '--non-interactive'], quiet);
      // Seen once in ~10 CI runs: yarn 1 finished without linking nx-fleet's bin. `--check-files`
      // makes it verify node_modules against the lockfile and link what is missing.
      if (!existsSync(join(root, 'node_modules', '.bin', 'nx-fleet'))) {
        await runOk('yarn', ['install', '--non-interactive', '--check-files'], quiet);
      }
      frozenInstall = ['yarn', ['install', '--frozen-lockfile', '--ignore-scripts', '--non-interactive']];
      break;
    case 'yarn-berry': {
      json(root, 'package.json', manifest(`yarn@${YARN_BERRY_VERSION}`));
      const release = `.yarn/releases/yarn-${YARN_BERRY_VERSION}.cjs`;
      mkdirSync(join(root, '.yarn', 'releases'), { recursive: true });
      copyFileSync(await berryRelease(parent), join(root, release));
      write(root, '.yarnrc.yml', `nodeLinker: node-modules\nyarnPath: ${release}\nenableTelemetry: false\n`);
      // CI=true (nxEnv) makes yarn 4 refuse to create the lockfile this first install writes.
      const creating = { ...quiet, env: { ...env, YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' } };
      await runOk('node', [release, 'install'], creating);
      frozenInstall = ['node', [release, 'install', '--immutable', '--mode=skip-build']];
      break;
    }
  }
  disableScanGate(root);
  await runOk('git', ['init', '--quiet', '--initial-branch=main'], { cwd: root });
  await commitAll(root, `${kind} workspace with nx-fleet`);
  return { kind, root, binDir, service: '@acme/api', frozenInstall };
}

/**
 * The standalone yarn bundle @yarnpkg/cli-dist ships (bin/yarn.js), as berry repos commit it under
 * .yarn/releases: packed from npm's cache, never run inside a workspace (yarn 4 refuses a project
 * missing from its lockfile, even for `--version`).
 */
async function berryRelease(parent: string): Promise<string> {
  const dir = join(parent, `yarn-cli-dist-${YARN_BERRY_VERSION}`);
  const bundle = join(dir, 'package', 'bin', 'yarn.js');
  if (existsSync(bundle)) return bundle;
  mkdirSync(dir, { recursive: true });
  const packed = await runOk(
    'npm',
    ['pack', '--json', '--pack-destination', dir, `@yarnpkg/cli-dist@${YARN_BERRY_VERSION}`],
    { cwd: dir, timeoutMs: 300_000 },
  );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  await runOk('tar', ['-xzf', join(dir, filename), '-C', dir, 'package/bin/yarn.js'], { cwd: dir });
  return bundle;
}
