import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aliasTargets, ImportResolver, rememberingHost } from './module-resolution';
import { typescript } from './typescript';
import type { ProjectInfo } from './sdk-ownership';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A workspace in a temp dir (under a parent, so "outside the workspace" exists too). */
function workspace(files: Record<string, string>): string {
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-resolve-'));
  temps.push(parent);
  const root = join(parent, 'ws');
  for (const [path, content] of Object.entries({ ...files })) {
    const full = join(parent, path.startsWith('../') ? path.slice(3) : `ws/${path}`);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const service = (name: string, root: string, packageName?: string): ProjectInfo => ({
  name,
  root,
  tags: [],
  isService: true,
  packageName,
});
const lib = (name: string, root: string, packageName?: string): ProjectInfo => ({
  name,
  root,
  tags: [],
  isService: false,
  packageName,
});

const PROJECTS = [
  service('api', 'services/api', '@acme/api'),
  service('orders', 'services/orders', '@acme/orders'),
  lib('orders-sdk', 'services/orders/sdk', '@acme/orders-sdk'),
  lib('payments-sdk', 'services/payments/sdk'),
];

const SDK_FILES = {
  'services/orders/sdk/src/index.ts': 'export const orders = 1;\n',
  'services/payments/sdk/src/index.ts': 'export const payments = 1;\n',
  'services/api/src/main.ts': '',
};

function resolver(root: string, projects = PROJECTS) {
  const reported: Array<{ file: string; message: string }> = [];
  const r = new ImportResolver(root, projects, (file, message) => reported.push({ file, message }));
  return {
    resolve: (specifier: string, from = 'services/api/src/main.ts', projectRoot = 'services/api') =>
      r.resolve(specifier, from, projectRoot),
    /** What a scan reports when it ends. */
    get warnings() {
      r.reportUnreadable();
      return reported;
    },
  };
}

describe('ImportResolver: TypeScript resolution', () => {
  it('resolves relative paths into other projects to workspace-relative files', () => {
    const { resolve } = resolver(workspace(SDK_FILES));
    expect(resolve('../../orders/sdk/src')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(resolve('../../orders/sdk/src/index')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
  });

  it('resolves exact and wildcard paths aliases of tsconfig.base.json', () => {
    const root = workspace({
      ...SDK_FILES,
      'tsconfig.base.json': json({
        compilerOptions: {
          paths: { '@orders/sdk': ['services/orders/sdk/src/index.ts'], '@sdk/*': ['services/*/sdk/src/index.ts'] },
        },
      }),
    });
    const r = resolver(root);
    const { resolve } = r;
    expect(resolve('@orders/sdk')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(resolve('@sdk/payments')).toEqual({ file: 'services/payments/sdk/src/index.ts' });
    expect(resolve('@sdk/orders')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(resolve('@sdk/nothing')).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('uses the nearest tsconfig.json, following its extends to the base', () => {
    const root = workspace({
      ...SDK_FILES,
      'tsconfig.base.json': json({ compilerOptions: { paths: { '@sdk/*': ['services/*/sdk/src/index.ts'] } } }),
      'services/api/tsconfig.json': json({ extends: '../../tsconfig.base.json', compilerOptions: {} }),
      'services/orders/tsconfig.json': json({ compilerOptions: { paths: { '@sdk/*': ['./nowhere/*'] } } }),
    });
    const { resolve } = resolver(root);
    expect(resolve('@sdk/payments')).toEqual({ file: 'services/payments/sdk/src/index.ts' });
    // orders' own tsconfig maps @sdk/* elsewhere, and nothing is there.
    expect(resolve('@sdk/payments', 'services/orders/src/main.ts', 'services/orders')).toBeUndefined();
  });

  it('resolves paths of a project tsconfig.json relative to that tsconfig', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/api/tsconfig.json': json({ compilerOptions: { paths: { '#orders': ['../orders/sdk/src/index.ts'] } } }),
    });
    expect(resolver(root).resolve('#orders')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
  });

  it('names the project a paths alias maps into when TypeScript finds no file there: a generated, git-ignored client', () => {
    const root = workspace({
      ...SDK_FILES,
      // supplyside: `npm run gen:client` writes services/orders/client.ts; a fresh checkout has none.
      'services/api/tsconfig.json': json({
        compilerOptions: {
          paths: { '@acme/orders-client': ['../orders/client.ts'], '@gen/*': ['../*/generated/client.ts'] },
        },
      }),
    });
    const { resolve } = resolver(root);
    expect(resolve('@acme/orders-client')).toEqual({ project: 'orders' });
    expect(resolve('@gen/payments/sdk')).toEqual({ project: 'payments-sdk' });
    // Into the importing project itself, or into no project: nothing.
    expect(resolve('@gen/api')).toBeUndefined();
    expect(resolve('@gen/nowhere')).toBeUndefined();
  });

  it('resolves through baseUrl', () => {
    const root = workspace({
      ...SDK_FILES,
      'tsconfig.base.json': json({ compilerOptions: { baseUrl: '.', moduleResolution: 'node' } }),
    });
    expect(resolver(root).resolve('services/orders/sdk/src')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
  });

  it('follows an npm-workspaces link in node_modules back into the workspace', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/payments/sdk/package.json': json({ name: '@acme/payments-sdk', main: 'src/index.ts' }),
    });
    mkdirSync(join(root, 'node_modules/@acme'), { recursive: true });
    symlinkSync('../../services/payments/sdk', join(root, 'node_modules/@acme/payments-sdk'));
    expect(resolver(root).resolve('@acme/payments-sdk')).toEqual({ file: 'services/payments/sdk/src/index.ts' });
  });

  it('resolves a package name once per project, except from a folder with node_modules of its own', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/api/src/legacy/old.ts': '',
      'services/api/src/other/main.ts': '',
      'services/payments/sdk/package.json': json({ name: '@acme/pay', main: 'src/index.ts' }),
      'services/orders/sdk/package.json': json({ name: '@acme/pay', main: 'src/index.ts' }),
    });
    mkdirSync(join(root, 'node_modules/@acme'), { recursive: true });
    symlinkSync('../../services/payments/sdk', join(root, 'node_modules/@acme/pay'));
    mkdirSync(join(root, 'services/api/src/legacy/node_modules/@acme'), { recursive: true });
    symlinkSync('../../../../../orders/sdk', join(root, 'services/api/src/legacy/node_modules/@acme/pay'));
    const r = new ImportResolver(root, PROJECTS, () => undefined);
    const payments = { file: 'services/payments/sdk/src/index.ts' };
    expect(r.resolve('@acme/pay', 'services/api/src/main.ts', 'services/api')).toEqual(payments);
    expect(r.resolve('@acme/pay', 'services/api/src/other/main.ts', 'services/api')).toEqual(payments);
    expect(r.typeScriptResolutions).toBe(1);
    expect(r.resolve('./other/main', 'services/api/src/main.ts', 'services/api')).toEqual({
      file: 'services/api/src/other/main.ts',
    });
    expect(r.resolve('@acme/pay', 'services/api/src/legacy/old.ts', 'services/api')).toEqual({
      file: 'services/orders/sdk/src/index.ts',
    });
    expect(r.typeScriptResolutions).toBe(3);
  });

  it('never returns files in node_modules, even when their name looks like a workspace SDK', () => {
    const root = workspace({
      ...SDK_FILES,
      'node_modules/@acme/orders-sdk-client/package.json': json({ name: '@acme/orders-sdk-client', main: 'index.js' }),
      'node_modules/@acme/orders-sdk-client/index.js': 'module.exports = {};\n',
      'node_modules/@acme/payments-sdk/package.json': json({ name: '@acme/payments-sdk', types: 'index.d.ts' }),
      'node_modules/@acme/payments-sdk/index.d.ts': 'export declare const x: number;\n',
    });
    const { resolve } = resolver(root);
    expect(resolve('@acme/orders-sdk-client')).toBeUndefined();
    expect(resolve('@acme/payments-sdk')).toBeUndefined();
    expect(resolve('@acme/orders-sdk-client/index.js')).toBeUndefined();
  });

  it('never returns files outside the workspace', () => {
    const root = workspace({
      ...SDK_FILES,
      '../outside/sdk/index.ts': 'export {};\n',
      'tsconfig.base.json': json({ compilerOptions: { paths: { '@outside/*': ['../outside/*/index.ts'] } } }),
    });
    const { resolve } = resolver(root);
    expect(resolve('@outside/sdk')).toBeUndefined();
    expect(resolve('../../../../outside/sdk')).toBeUndefined();
  });

  it('returns undefined for what resolves nowhere, without throwing', () => {
    const { resolve } = resolver(workspace(SDK_FILES));
    expect(resolve('@acme/does-not-exist')).toBeUndefined();
    expect(resolve('./missing')).toBeUndefined();
    expect(resolve('')).toBeUndefined();
    expect(resolve('node:fs')).toBeUndefined();
  });
});

describe('aliasTargets', () => {
  it.each([
    ['@x/api', { '@x/api': ['../api/client.ts'] }, ['../api/client.ts']],
    ['@x/api', { '@x/*': ['libs/*/src'], '@x/api': ['apps/api/client.ts'] }, ['apps/api/client.ts']],
    // The longest prefix wins, as TypeScript picks it.
    ['@x/sdk/orders', { '@x/*': ['a/*'], '@x/sdk/*': ['b/*', 'c/*/index.ts'] }, ['b/orders', 'c/orders/index.ts']],
    ['@y/z', { '@x/*': ['a/*'] }, []],
    ['@x/a.js', { '@x/*.js': ['src/*.ts'] }, ['src/a.ts']],
  ])('%s with %j: %j', (specifier, paths, expected) => {
    expect(aliasTargets(paths, specifier)).toEqual(expected);
  });
});

describe('ImportResolver: workspace package names', () => {
  it('names the project of a package without exports', () => {
    const root = workspace({ ...SDK_FILES, 'services/orders/sdk/package.json': json({ name: '@acme/orders-sdk' }) });
    expect(resolver(root).resolve('@acme/orders-sdk')).toEqual({ project: 'orders-sdk' });
  });

  it('names the project even when it has no package.json on disk', () => {
    expect(resolver(workspace(SDK_FILES)).resolve('@acme/orders-sdk/anything')).toEqual({ project: 'orders-sdk' });
  });

  it('follows package.json exports subpaths to files', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/orders/package.json': json({
        name: '@acme/orders',
        exports: {
          '.': './src/main.ts',
          './sdk': { types: './sdk/src/index.ts', default: './dist/sdk/index.js' },
          './client/*': './src/clients/*.ts',
        },
      }),
    });
    const { resolve } = resolver(root);
    expect(resolve('@acme/orders')).toEqual({ file: 'services/orders/src/main.ts' });
    expect(resolve('@acme/orders/sdk')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(resolve('@acme/orders/client/http')).toEqual({ file: 'services/orders/src/clients/http.ts' });
    // Not exported: still the package, so still the project.
    expect(resolve('@acme/orders/internal')).toEqual({ project: 'orders' });
  });

  it('does not take a longer name for a package that only starts the same', () => {
    const { resolve } = resolver(workspace(SDK_FILES));
    expect(resolve('@acme/orders-ui')).toBeUndefined();
    expect(resolve('@acme/ordersx/sdk')).toBeUndefined();
    expect(resolve('@acme/orders-sdk-client')).toBeUndefined();
    expect(resolve('@acme/orders-sdk')).toEqual({ project: 'orders-sdk' });
    expect(resolve('@acme/orders/x')).toEqual({ project: 'orders' });
  });
});

describe('ImportResolver: broken tsconfig files', () => {
  it('warns once naming a tsconfig that does not parse, and resolves on with defaults', () => {
    const root = workspace({ ...SDK_FILES, 'tsconfig.base.json': '{ "compilerOptions": { "paths": { "@sdk/*": [ ' });
    const r = resolver(root);
    const { resolve } = r;
    expect(resolve('../../orders/sdk/src')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(resolve('@acme/orders-sdk')).toEqual({ project: 'orders-sdk' });
    expect(resolve('../../api/src/main', 'services/orders/src/x.ts', 'services/orders')).toEqual({
      file: 'services/api/src/main.ts',
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.file).toBe('tsconfig.base.json');
    expect(r.warnings[0]!.message).toContain('tsconfig.base.json');
  });

  it('warns naming a project tsconfig whose extends target is missing', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/api/tsconfig.json': json({ extends: './tsconfig.missing.json' }),
    });
    const r = resolver(root);
    const { resolve } = r;
    expect(resolve('../../orders/sdk/src')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(r.warnings.map((w) => w.file)).toEqual(['services/api/tsconfig.json']);
    expect(r.warnings[0]!.message).toMatch(
      /^nx-fleet: services\/api\/tsconfig\.json could not be read in full \(.*\); imports in the folders it governs resolve with the rest of its options\.$/,
    );
  });

  it('reads a solution tsconfig of `{ "files": [] }` in full: an empty files list costs no option (speckle-server\'s root)', () => {
    const root = workspace({ ...SDK_FILES, 'services/api/tsconfig.json': json({ files: [] }) });
    const r = resolver(root);
    expect(r.resolve('../../orders/sdk/src', 'services/api/src/main.ts', 'services/api')).toEqual({
      file: 'services/orders/sdk/src/index.ts',
    });
    expect(r.warnings).toEqual([]);
  });

  it('keeps a tsconfig\'s other options when TypeScript rejects one value (tamanu\'s `"module": "es2025"`)', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/api/tsconfig.json': json({
        compilerOptions: { module: 'es2025', baseUrl: '.', paths: { '#orders': ['../orders/sdk/src/index.ts'] } },
      }),
    });
    const r = resolver(root);
    expect(r.resolve('#orders')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^nx-fleet: services\/api\/tsconfig\.json could not be read in full \(Argument for '--module' option must be: .*\); imports in the folders it governs resolve with the rest of its options\.$/,
      ),
    ]);
  });

  it('reads nothing of a tsconfig that is no JSON: default options', () => {
    const root = workspace({ ...SDK_FILES, 'services/api/tsconfig.json': '{ "compilerOptions": { "paths": ' });
    const r = resolver(root);
    r.resolve('../../orders/sdk/src');
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^nx-fleet: services\/api\/tsconfig\.json could not be read \(.*\); imports in the folders it governs resolve with default options\.$/,
      ),
    ]);
  });

  it('reports the tsconfigs a missing shared base fails together, in one warning', () => {
    const root = workspace({
      ...SDK_FILES,
      'services/api/tsconfig.json': json({ extends: '@acme/tsconfig/node.json' }),
      'services/orders/tsconfig.json': json({ extends: '@acme/tsconfig/node.json' }),
      'services/payments/tsconfig.json': json({ extends: './missing.json' }),
    });
    const r = resolver(root);
    r.resolve('../../orders/sdk/src');
    r.resolve('../../api/src/main', 'services/orders/src/x.ts', 'services/orders');
    r.resolve('../../api/src/main', 'services/payments/src/x.ts', 'services/payments');
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^nx-fleet: services\/api\/tsconfig\.json, services\/orders\/tsconfig\.json could not be read in full \(.*@acme\/tsconfig\/node\.json.*\); imports in the folders they govern resolve with the rest of their options\.$/,
      ),
      expect.stringMatching(/^nx-fleet: services\/payments\/tsconfig\.json could not be read in full .*it governs/),
    ]);
  });

  it("reports tsconfigs extending a base in each one's own node_modules (not installed) in one warning", () => {
    const rig = './node_modules/@acme/rig/profiles/node/tsconfig.json';
    const root = workspace({
      ...SDK_FILES,
      'services/api/tsconfig.json': json({ extends: rig }),
      'services/orders/tsconfig.json': json({ extends: rig }),
    });
    const r = resolver(root);
    r.resolve('../../orders/sdk/src');
    r.resolve('../../api/src/main', 'services/orders/src/x.ts', 'services/orders');
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^nx-fleet: services\/api\/tsconfig\.json, services\/orders\/tsconfig\.json could not be read in full \(.*'\.\/node_modules\/@acme\/rig\/profiles\/node\/tsconfig\.json'.*; \.\/ is each one's folder\); imports in the folders they govern/,
      ),
    ]);
    expect(r.warnings[0]!.message).not.toContain(root);
  });

  it('accepts comments and trailing commas, as TypeScript does', () => {
    const root = workspace({
      ...SDK_FILES,
      'tsconfig.base.json':
        '{\n  // aliases\n  "compilerOptions": { /* sdk */ "paths": { "@sdk/*": ["services/*/sdk/src/index.ts"], }, },\n}\n',
    });
    const r = resolver(root);
    const { resolve } = r;
    expect(resolve('@sdk/orders')).toEqual({ file: 'services/orders/sdk/src/index.ts' });
    expect(r.warnings).toEqual([]);
  });
});

describe('rememberingHost', () => {
  it('asks the file system once per path and answer, and TypeScript resolves through it as through ts.sys', () => {
    const root = workspace({
      'libs/orders/src/index.ts': 'export const x = 1;\n',
      'apps/a/src/main.ts': '',
      'apps/b/src/main.ts': '',
    });
    const ts = typescript();
    const asked: string[] = [];
    const counting = { ...ts.sys, directoryExists: (path: string) => (asked.push(path), ts.sys.directoryExists(path)) };
    const host = rememberingHost(counting);
    for (const app of ['a', 'b', 'a'])
      expect(
        ts.resolveModuleName(
          'left-pad',
          join(root, `apps/${app}/src/main.ts`),
          { moduleResolution: ts.ModuleResolutionKind.Node10 },
          host,
        ).resolvedModule,
      ).toBeUndefined();
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked).size).toBe(asked.length);
    expect(host.directoryExists!(join(root, 'libs'))).toBe(true);
    expect(host.directoryExists!(join(root, 'nope'))).toBe(false);
  });
});
