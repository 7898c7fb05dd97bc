import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeSyncFiles, type SyncFiles } from './files';
import { ImportCache } from './import-cache';
import { BUILD_EXECUTOR } from '../services/projects';
import type { RuntimeImport } from './edges';
import { MAX_SOURCE_BYTES, projectInfos, sameReach, scanRuntimeGraph } from './sdk-graph';
import { importsOf } from './sdk-imports';
import { resetWorkerState } from './worker-state';
import type { SdksOption } from './sdk-ownership';

// Every parse goes through the extractor: counting its calls shows what the cache spared.
const extract = vi.fn(importsOf);
const parsed = () => extract.mock.calls.map(([file]) => file).sort();

interface Config {
  root: string;
  tags?: string[];
  targets?: Record<string, { executor?: string }>;
  metadata?: { js?: { packageName?: string } };
}
const service = (root: string, tags: string[] = []): Config => ({
  root,
  tags,
  targets: { 'docker-build': { executor: BUILD_EXECUTOR }, test: { executor: 'nx:run-commands' } },
});
const lib = (root: string, tags: string[] = []): Config => ({
  root,
  tags,
  targets: { test: { executor: 'nx:run-commands' } },
});
const pkg = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, ...extra });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-fleet-sdk-graph-'));
  extract.mockClear();
});
afterEach(async () => {
  // The import cache is saved on the next turn of the event loop: after it, so the folder stays removed.
  await new Promise((resolve) => setImmediate(resolve));
  rmSync(root, { recursive: true, force: true });
});

function write(files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

type FileList = Array<{ file: string; hash: string }>;

/**
 * The files as Nx lists them: each under its deepest project, the rest as non-project files;
 * node_modules and dot dirs left out; hashed by content (a symlink by its target) unless overridden.
 */
function nxFiles(
  configs: Record<string, Config>,
  overrides: Record<string, string> = {},
): { projectFileMap: Record<string, FileList>; nonProjectFiles: FileList } {
  const roots = Object.entries(configs).sort(([, a], [, b]) => b.root.length - a.root.length);
  const owner = (file: string) => roots.find(([, c]) => c.root === '.' || file.startsWith(`${c.root}/`))?.[0];
  const projectFileMap: Record<string, FileList> = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
  const nonProjectFiles: FileList = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? posix.join(dir, entry.name) : entry.name;
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(rel);
      else {
        const full = join(root, rel);
        const content = lstatSync(full).isSymbolicLink() ? readlinkSync(full) : readFileSync(full);
        const listed = { file: rel, hash: overrides[rel] ?? createHash('sha1').update(content).digest('hex') };
        const project = owner(rel);
        (project ? projectFileMap[project]! : nonProjectFiles).push(listed);
      }
    }
  };
  walk('');
  return { projectFileMap, nonProjectFiles };
}
const fileMap = (configs: Record<string, Config>, overrides?: Record<string, string>) =>
  nxFiles(configs, overrides).projectFileMap;

interface ScanOptions {
  sdks?: SdksOption;
  testFiles?: string[];
  /** The project files Nx would pass, instead of listing the disk now. */
  files?: Record<string, FileList>;
  otherFiles?: FileList;
  hashes?: Record<string, string>;
  cache?: ImportCache;
  stats?: { parsed: number; resolved: number };
  fs?: SyncFiles;
}

function scan(configs: Record<string, Config>, options: ScanOptions = {}) {
  const warnings: Array<{ key: string; message: string }> = [];
  const cache = options.cache ?? ImportCache.load(join(root, '.nx', 'workspace-data'));
  const listed = nxFiles(configs, options.hashes);
  const { imports, typeOnly, codeEdges, basis } = scanRuntimeGraph({
    workspaceRoot: root,
    projects: projectInfos(root, configs),
    files: options.files ?? listed.projectFileMap,
    otherFiles: options.otherFiles ?? listed.nonProjectFiles,
    sdksOption: options.sdks,
    ...(options.testFiles ? { testFiles: options.testFiles } : {}),
    cache,
    extract,
    ...(options.stats ? { stats: options.stats } : {}),
    ...(options.fs ? { fs: options.fs } : {}),
    warn: (key, message) => warnings.push({ key, message }),
  });
  return {
    imports,
    typeOnly,
    edges: consumerProviderPairs(imports),
    codeEdges: codeEdges.map((e) => `${e.source} -> ${e.target}`),
    warnings,
    cache,
    basis,
  };
}

/** orders and payments, each with an SDK nested in its folder, and api, a service that consumes. */
const FLEET: Record<string, Config> = {
  api: service('services/api'),
  orders: service('services/orders'),
  'orders-sdk': lib('services/orders/sdk'),
  payments: service('services/payments'),
  'payments-sdk': lib('services/payments/sdk'),
  shared: lib('libs/shared'),
};
function writeFleet(extra: Record<string, string | Buffer> = {}): void {
  write({
    'services/api/package.json': pkg('@acme/api'),
    'services/api/src/main.ts': 'export const main = 1;\n',
    'services/orders/package.json': pkg('@acme/orders'),
    'services/orders/src/main.ts': 'export const main = 1;\n',
    'services/orders/src/routes.ts': 'export const routes = [];\n',
    'services/orders/sdk/package.json': pkg('@acme/orders-sdk', { main: 'src/index.ts' }),
    'services/orders/sdk/src/index.ts': 'export class OrdersClient {}\n',
    'services/payments/package.json': pkg('@acme/payments'),
    'services/payments/src/main.ts': 'export const main = 1;\n',
    'services/payments/sdk/package.json': pkg('@acme/payments-sdk', { main: 'src/index.ts' }),
    'services/payments/sdk/src/index.ts': 'export class PaymentsClient {}\n',
    'libs/shared/package.json': pkg('@acme/shared'),
    'libs/shared/src/index.ts': 'export const shared = 1;\n',
    ...extra,
  });
}

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const brief = (imports: RuntimeImport[]) =>
  imports.map((i) => `${i.consumer} -> ${i.provider} ${i.file}:${i.line}${i.sdk ? ` via ${i.sdk}` : ''}`);

describe('projectInfos', () => {
  it('reads names, roots, tags, package names and whether a project is a service', () => {
    write({
      'services/orders/package.json': pkg('@acme/orders'),
      'libs/broken/package.json': '{ "name": ',
      'libs/nameless/package.json': '{ "version": "1.0.0" }',
      'libs/numeric/package.json': '{ "name": 42 }',
    });
    expect(
      projectInfos(root, {
        orders: service('services/orders', ['fleet:x']),
        meta: { root: 'libs/meta', metadata: { js: { packageName: '@acme/from-metadata' } } },
        broken: lib('libs/broken'),
        nameless: lib('libs/nameless'),
        numeric: lib('libs/numeric'),
        none: { root: 'libs/none' },
      }),
    ).toEqual([
      { name: 'orders', root: 'services/orders', tags: ['fleet:x'], packageName: '@acme/orders', isService: true },
      { name: 'meta', root: 'libs/meta', tags: [], packageName: '@acme/from-metadata', isService: false },
      { name: 'broken', root: 'libs/broken', tags: [], packageName: undefined, isService: false },
      { name: 'nameless', root: 'libs/nameless', tags: [], packageName: undefined, isService: false },
      { name: 'numeric', root: 'libs/numeric', tags: [], packageName: undefined, isService: false },
      { name: 'none', root: 'libs/none', tags: [], packageName: undefined, isService: false },
    ]);
  });
});

describe('scanRuntimeImports: ownership conventions', () => {
  it('folder: importing the SDK nested in a service folder depends on that service', () => {
    writeFleet({
      'services/api/src/main.ts': lines('export const x = 1;', "import { OrdersClient } from '@acme/orders-sdk';"),
    });
    const { imports, edges, warnings } = scan(FLEET);
    expect(imports).toEqual([
      {
        consumer: 'api',
        provider: 'orders',
        file: 'services/api/src/main.ts',
        line: 2,
        specifier: '@acme/orders-sdk',
        sdk: 'orders-sdk',
      },
    ]);
    expect(edges).toEqual(['api -> orders']);
    expect(warnings).toEqual([]);
  });

  it("tag: a library tagged fleet:sdk-of:<service> anywhere is that service's SDK", () => {
    writeFleet({
      'libs/orders-client/package.json': pkg('@acme/orders-client'),
      'libs/orders-client/src/index.ts': 'export {};\n',
      'services/api/src/main.ts': "import '@acme/orders-client';\n",
    });
    const configs = { ...FLEET, 'orders-client': lib('libs/orders-client', ['fleet:sdk-of:orders']) };
    expect(brief(scan(configs).imports)).toEqual(['api -> orders services/api/src/main.ts:1 via orders-client']);
    // Without the tag it is a plain library: no runtime edge.
    expect(scan({ ...FLEET, 'orders-client': lib('libs/orders-client') }).edges).toEqual([]);
  });

  it('option: sdks names SDKs by project or package name, and bad entries warn', () => {
    writeFleet({
      'libs/a/package.json': pkg('@acme/a-client'),
      'libs/a/src/index.ts': 'export {};\n',
      'libs/b/src/index.ts': 'export {};\n',
      'services/api/src/main.ts': lines("import '@acme/a-client';", "import '../../../libs/b/src';"),
    });
    const configs = { ...FLEET, a: lib('libs/a'), b: lib('libs/b') };
    const { imports, warnings } = scan(configs, {
      sdks: { '@acme/a-client': 'orders', b: 'payments', ghost: 'orders' },
    });
    expect(brief(imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via a',
      'api -> payments services/api/src/main.ts:2 via b',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('"ghost"');
  });

  it('a file in a service folder: importing it (relatively or by an exports subpath) depends on that service', () => {
    writeFleet({
      'services/orders/package.json': pkg('@acme/orders', { exports: { './routes': './src/routes.ts' } }),
      'services/api/src/main.ts': lines(
        "import { routes } from '../../orders/src/routes';",
        "import { routes as r } from '@acme/orders/routes';",
      ),
    });
    expect(brief(scan(FLEET).imports)).toEqual([
      'api -> orders services/api/src/main.ts:1',
      'api -> orders services/api/src/main.ts:2',
    ]);
  });

  it("Vue and Svelte components' script blocks count, at the component's lines, as Nx's own analysis reads .vue", () => {
    writeFleet({
      'libs/ui/package.json': pkg('@acme/ui'),
      'libs/ui/src/Badge.vue': '<template><span /></template>\n',
      'services/api/src/App.vue': lines(
        '<template>',
        "  <p>import x from '@acme/payments-sdk'</p>",
        '</template>',
        '<!-- <script>import "@acme/payments-sdk";</script> -->',
        '<script setup lang="ts">',
        "import { OrdersClient } from '@acme/orders-sdk';",
        "import type { Shared } from '@acme/shared';",
        "import Badge from '../../../libs/ui/src/Badge.vue';",
        '</script>',
      ),
      'services/api/src/Widget.svelte': lines(
        '<script context="module">',
        "  const sdk = require('@acme/payments-sdk');",
        '</script>',
      ),
    });
    const result = scan({ ...FLEET, ui: lib('libs/ui') });
    expect(brief(result.imports)).toEqual([
      'api -> orders services/api/src/App.vue:6 via orders-sdk',
      'api -> payments services/api/src/Widget.svelte:2 via payments-sdk',
    ]);
    expect(brief(result.typeOnly)).toEqual([]);
    expect(result.codeEdges).toEqual(['api -> orders-sdk', 'api -> payments-sdk', 'api -> ui']);
  });

  it('a service importing its own SDK, or an SDK its own service, is no runtime edge', () => {
    writeFleet({
      'services/orders/src/main.ts': "import '@acme/orders-sdk';\n",
      'services/orders/sdk/src/index.ts':
        "import type { routes } from '../../src/routes';\nexport * from '@acme/orders';\n",
    });
    const { imports, warnings } = scan(FLEET);
    expect(imports).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("an SDK consuming another service's SDK makes its own edge", () => {
    writeFleet({ 'services/orders/sdk/src/index.ts': "export { PaymentsClient } from '@acme/payments-sdk';\n" });
    expect(scan(FLEET).edges).toEqual(['orders-sdk -> payments']);
  });

  it('finds nothing, and scans nothing, in a workspace without services', () => {
    writeFleet({ 'libs/shared/src/index.ts': "import '@acme/orders-sdk';\n" });
    const libsOnly = { 'orders-sdk': lib('services/orders/sdk'), shared: lib('libs/shared') };
    expect(scan(libsOnly).imports).toEqual([]);
    expect(parsed()).toEqual([]);
  });

  it('finds nothing, and scans nothing, with one service: a runtime link joins two services', () => {
    writeFleet({ 'libs/shared/src/index.ts': "import '@acme/orders-sdk';\n" });
    const oneService = {
      orders: service('services/orders'),
      'orders-sdk': lib('services/orders/sdk'),
      shared: lib('libs/shared'),
    };
    expect(scan(oneService)).toMatchObject({ imports: [], edges: [] });
    expect(parsed()).toEqual([]);
    // The control: a second service, and the same file is read and links to orders.
    expect(scan({ ...oneService, payments: service('services/payments') }).imports).not.toEqual([]);
    expect(parsed()).toEqual(['libs/shared/src/index.ts']);
  });
});

describe('scanRuntimeGraph: code edges', () => {
  it('records every runtime import from one project into another, once per pair, libraries by package name too', () => {
    writeFleet({
      'libs/ui/package.json': pkg('@acme/ui'),
      'libs/ui/src/index.ts': lines(
        "import { shared } from '@acme/shared';",
        "import { shared as s } from '@acme/shared';",
      ),
      'libs/shared/src/index.ts': lines("import { OrdersClient } from '@acme/orders-sdk';", 'export const shared = 1;'),
      'services/api/src/main.ts': lines(
        "import { ui } from '@acme/ui';",
        "import { x } from '../../../libs/shared/src';",
      ),
      'services/payments/src/main.ts': "import { routes } from '@acme/orders';\n",
    });
    const configs = { ...FLEET, ui: lib('libs/ui') };
    const { codeEdges, edges } = scan(configs);
    expect(codeEdges).toEqual([
      'api -> shared',
      'api -> ui',
      'payments -> orders',
      'shared -> orders-sdk',
      'ui -> shared',
    ]);
    // The runtime edges are the SDK imports only; the closure is the caller's business.
    expect(edges).toEqual(['payments -> orders', 'shared -> orders']);
  });

  it("a file that imports only a library by package name is parsed (it was pre-filtered when only SDKs' names counted)", () => {
    writeFleet({ 'services/api/src/main.ts': "import { shared } from '@acme/shared';\n" });
    const { codeEdges, imports } = scan(FLEET);
    expect(codeEdges).toEqual(['api -> shared']);
    expect(imports).toEqual([]);
    expect(parsed()).toEqual(['services/api/src/main.ts']);
  });

  it('makes none for type-only imports, imports inside the project, npm packages, data files, or what does not resolve', () => {
    writeFleet({
      'services/orders/sdk/openapi.json': '{}\n',
      'services/api/src/spec.ts': "import spec from '@acme/orders-sdk/openapi.json';\nexport default spec;\n",
      'services/api/src/main.ts': lines(
        "import type { Shared } from '@acme/shared';",
        "import { type A, type B } from '@acme/orders-sdk';",
        "import { local } from './local';",
        "import { ghost } from '@acme/ghost';",
        "import { readFileSync } from 'node:fs';",
      ),
      'services/api/src/local.ts': 'export const local = 1;\n',
    });
    const { codeEdges, imports, typeOnly } = scan(FLEET);
    expect(codeEdges).toEqual([]);
    expect(imports).toEqual([]);
    expect(brief(typeOnly)).toEqual(['api -> orders services/api/src/main.ts:2 via orders-sdk']);
  });

  it("makes none for an import the compiler erases, whose names are used in types alone (FoodFund's jwt types)", () => {
    writeFleet({
      'services/api/src/types.ts': lines(
        "import { OrdersClient } from '@acme/orders-sdk';",
        'export type Order = Partial<OrdersClient> & { id: string };',
      ),
      // Used nowhere: erased too, but most often a call being written, so it stays one.
      'services/api/src/unused.ts': "import { PaymentsClient } from '@acme/payments-sdk';\nexport const x = 1;\n",
    });
    const { imports, typeOnly } = scan(FLEET);
    expect(consumerProviderPairs(imports)).toEqual(['api -> payments']);
    expect(brief(typeOnly)).toEqual(['api -> orders services/api/src/types.ts:1 via orders-sdk']);
  });

  it("makes none for a namespace whose members are used in types alone (solana-m's `M0SolanaApi.BalanceUpdate[]`), one for a member called", () => {
    writeFleet({
      'services/api/src/types.ts': lines(
        "import { Orders } from '@acme/orders-sdk';",
        'export function count(claims: Orders.Claim[]): Promise<Orders.Total> { return Promise.resolve(claims.length as unknown as Orders.Total); }',
      ),
      'services/api/src/call.ts': lines(
        "import { Payments } from '@acme/payments-sdk';",
        'export const p = Payments.create();',
      ),
    });
    const { imports, typeOnly } = scan(FLEET);
    expect(consumerProviderPairs(imports)).toEqual(['api -> payments']);
    expect(brief(typeOnly)).toEqual(['api -> orders services/api/src/types.ts:1 via orders-sdk']);
  });

  it('keeps an import whose names are values: used plainly, after a type, in decorated parameters with metadata, or kept as written', () => {
    const decorated = lines(
      "import { OrdersClient } from '@acme/orders-sdk';",
      '@Injectable() export class Api { constructor(private readonly orders: OrdersClient) {} }',
      'declare function Injectable(): ClassDecorator;',
    );
    const consumers = (main: string, tsconfig?: object) => {
      writeFleet({
        'services/api/src/main.ts': main,
        ...(tsconfig ? { 'services/api/tsconfig.json': JSON.stringify({ compilerOptions: tsconfig }) } : {}),
      });
      return consumerProviderPairs(scan(FLEET).imports);
    };
    const calls = ['api -> orders'];
    // Called or constructed; also where a type use comes first, read by the compiler.
    expect(consumers("import { OrdersClient } from '@acme/orders-sdk';\nnew OrdersClient();\n")).toEqual(calls);
    expect(
      consumers(
        "import { OrdersClient as C } from '@acme/orders-sdk';\nlet c: C | undefined;\nexport const make = () => (c ??= Reflect.construct(C, []));\n",
      ),
    ).toEqual(calls);
    expect(consumers(decorated, { experimentalDecorators: true, emitDecoratorMetadata: true })).toEqual(calls);
    expect(consumers(decorated, { experimentalDecorators: true })).toEqual([]);
    expect(
      consumers("import { OrdersClient } from '@acme/orders-sdk';\nexport type T = OrdersClient;\n", {
        verbatimModuleSyntax: true,
      }),
    ).toEqual(calls);
  });

  it('comes from the cache on an unchanged second scan: nothing parsed or resolved', () => {
    writeFleet({ 'services/api/src/main.ts': "import { shared } from '@acme/shared';\n" });
    const { projectFileMap, nonProjectFiles } = nxFiles(FLEET);
    const first = scan(FLEET, { files: projectFileMap, otherFiles: nonProjectFiles });
    const stats = { parsed: 0, resolved: 0 };
    const second = scan(FLEET, { files: projectFileMap, otherFiles: nonProjectFiles, stats });
    expect(stats).toEqual({ parsed: 0, resolved: 0 });
    expect(second.codeEdges).toEqual(first.codeEdges);
    expect(second.codeEdges).toEqual(['api -> shared']);
  });

  it("shares resolutions between views of the projects that differ in tags other than SDK ownership (Nx's graph adds npm:*)", () => {
    writeFleet({ 'services/api/src/main.ts': "import { shared } from '@acme/shared';\n" });
    const { projectFileMap, nonProjectFiles } = nxFiles(FLEET);
    scan(FLEET, { files: projectFileMap, otherFiles: nonProjectFiles });
    const tagged = (tags: string[]) =>
      Object.fromEntries(Object.entries(FLEET).map(([name, config]) => [name, { ...config, tags }]));
    const stats = { parsed: 0, resolved: 0 };
    scan(tagged(['npm:private', 'npm:keyword']), { files: projectFileMap, otherFiles: nonProjectFiles, stats });
    expect(stats).toEqual({ parsed: 0, resolved: 0 });
    scan(tagged(['fleet:sdk-of:orders']), { files: projectFileMap, otherFiles: nonProjectFiles, stats });
    expect(stats.resolved).toBe(1);
  });

  it('a new library whose package name an unchanged, pre-filtered file already imports gets its code edge', () => {
    writeFleet({ 'services/api/src/main.ts': "import { ui } from '@acme/ui';\n" });
    expect(scan(FLEET).codeEdges).toEqual([]);
    write({ 'libs/ui/package.json': pkg('@acme/ui'), 'libs/ui/src/index.ts': 'export const ui = 1;\n' });
    expect(scan({ ...FLEET, ui: lib('libs/ui') }).codeEdges).toEqual(['api -> ui']);
  });
});

describe('scanRuntimeGraph: test files', () => {
  const SDK_IMPORT = "import { OrdersClient } from '@acme/orders-sdk';\nimport { shared } from '@acme/shared';\n";

  it.each([
    ['services/api/src/main.spec.ts', true],
    ['services/api/src/main.test.tsx', true],
    ['services/api/src/main.spec.js', true],
    ['services/api/src/__tests__/main.ts', true],
    ['services/api/e2e/flow.ts', true],
    ['services/api/cypress/support/commands.ts', true],
    ['services/api/src/main.ts', false],
    ['services/api/src/spec.ts', false],
    ['services/api/src/contest.ts', false],
    ['services/api/src/e2e-helpers.ts', false],
    ['services/api/src/testing/fake.ts', false],
    ['services/api/config/webpack.config.js', true],
    ['services/api/src/app.config.ts', false],
  ])('%s is a test file by default: %s', (file, isTest) => {
    writeFleet({ [file]: SDK_IMPORT });
    const { edges, codeEdges, typeOnly } = scan(FLEET);
    expect(edges).toEqual(isTest ? [] : ['api -> orders']);
    expect(codeEdges).toEqual(isTest ? [] : ['api -> orders-sdk', 'api -> shared']);
    expect(typeOnly).toEqual([]);
    if (isTest) expect(parsed()).toEqual([]);
  });

  it.each<[string, string[], string, boolean]>([
    ['a glob of its own replaces the defaults', ['**/fixtures/**'], 'services/api/src/main.spec.ts', false],
    ['a glob of its own applies', ['**/fixtures/**'], 'services/api/fixtures/orders.ts', true],
    ['an empty list counts every file', [], 'services/api/src/__tests__/main.ts', false],
    ['globs are relative to the workspace root', ['services/api/src/**'], 'services/api/src/main.ts', true],
    ['and match dot folders too', ['**/*.stories.*'], 'services/api/.storybook/x.stories.ts', true],
  ])('runtimeGraph.testFiles: %s', (_name, testFiles, file, isTest) => {
    writeFleet({ [file]: SDK_IMPORT });
    const files = fileMap(FLEET);
    // Nx lists dot folders that are not ignored; the fixture helper leaves them out.
    if (file.includes('/.')) files['api']!.push({ file, hash: 'h' });
    expect(scan(FLEET, { testFiles, files }).edges).toEqual(isTest ? [] : ['api -> orders']);
  });

  it('a file that becomes a test file by option loses its edge, and one that stops being one gets it back, from the cache', () => {
    writeFleet({ 'services/api/src/main.spec.ts': SDK_IMPORT });
    expect(scan(FLEET, { testFiles: [] }).edges).toEqual(['api -> orders']);
    expect(scan(FLEET).edges).toEqual([]);
    expect(scan(FLEET, { testFiles: [] }).edges).toEqual(['api -> orders']);
  });
});

describe("scanRuntimeGraph: files the project's own tsconfig leaves out", () => {
  // A library with a dev script beside its sources that imports a service's module (sorry-cypress's
  // packages/mongo/scripts/seed.ts, run by hand with ts-node, importing @sorry-cypress/director/lib/hash).
  const CONFIGS = { ...FLEET, db: lib('libs/db') };
  const SEED = "import { routes } from '../../../services/orders/src/routes';\n";
  const dbWith = (files: Record<string, string>) =>
    writeFleet({
      'libs/db/package.json': pkg('@acme/db'),
      'libs/db/src/index.ts': "import { shared } from '@acme/shared';\n",
      'libs/db/scripts/seed.ts': SEED,
      ...files,
    });
  const tsconfig = (config: object) => JSON.stringify(config);

  it("a library's script outside its tsconfig's include is no runtime code of it: no edge (sorry-cypress's mongo seed script)", () => {
    dbWith({ 'libs/db/tsconfig.json': tsconfig({ include: ['src/**/*'] }) });
    const { edges, codeEdges, warnings } = scan(CONFIGS);
    expect(codeEdges).toEqual(['db -> shared']);
    expect(edges).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('an Nx-style solution tsconfig (`files: []`, references to tsconfig.lib.json and tsconfig.spec.json) covers what those include, and no more', () => {
    dbWith({
      'libs/db/tsconfig.json': tsconfig({
        files: [],
        include: [],
        references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
      }),
      'libs/db/tsconfig.lib.json': tsconfig({ include: ['src/**/*.ts'], exclude: ['src/**/*.spec.ts'] }),
      'libs/db/tsconfig.spec.json': tsconfig({ include: ['src/**/*.spec.ts'] }),
      'libs/db/src/index.ts': lines(
        "import { shared } from '@acme/shared';",
        "import { OrdersClient } from '@acme/orders-sdk';",
      ),
    });
    const { edges, codeEdges } = scan(CONFIGS);
    expect(codeEdges).toEqual(['db -> orders-sdk', 'db -> shared']);
    expect(edges).toEqual(['db -> orders']);
  });

  it.each<[string, Record<string, string>]>([
    [
      'no tsconfig of its own (a root one does not count)',
      { 'tsconfig.json': tsconfig({ include: ['libs/db/src/**/*'] }) },
    ],
    [
      'a tsconfig with neither files nor include (TypeScript takes **/*)',
      { 'libs/db/tsconfig.json': tsconfig({ compilerOptions: { strict: true } }) },
    ],
    [
      'a tsconfig whose include, covering the script, comes from what it extends',
      {
        'libs/db/tsconfig.json': tsconfig({ extends: './tsconfig.base.json' }),
        'libs/db/tsconfig.base.json': tsconfig({ include: ['src/**/*', 'scripts/**/*'] }),
      },
    ],
    [
      'a tsconfig extending a base that is not there (generated, or before an install)',
      { 'libs/db/tsconfig.json': tsconfig({ extends: './.generated/tsconfig.json', include: ['src/**/*'] }) },
    ],
    ['a tsconfig that does not parse', { 'libs/db/tsconfig.json': '{ "include": ' }],
    [
      "a `files` list (Angular's main.ts: TypeScript compiles what it imports too)",
      { 'libs/db/tsconfig.json': tsconfig({ files: ['src/index.ts'], include: ['src/**/*.d.ts'] }) },
    ],
    [
      'a solution tsconfig referencing a config that is not there',
      { 'libs/db/tsconfig.json': tsconfig({ files: [], references: [{ path: './tsconfig.lib.json' }] }) },
    ],
    [
      'an include that covers none of its sources (a config for something else)',
      { 'libs/db/tsconfig.json': tsconfig({ include: ['types/**/*.d.ts'] }) },
    ],
  ])("a library's script keeps its edge with %s", (_name, files) => {
    dbWith(files);
    expect(scan(CONFIGS).codeEdges).toEqual(['db -> orders', 'db -> shared']);
  });

  it('a changed include changes the outcome, though the script and the import cache are unchanged', () => {
    dbWith({ 'libs/db/tsconfig.json': tsconfig({ include: ['src/**/*'] }) });
    const cache = ImportCache.load(join(root, '.nx', 'workspace-data'));
    expect(scan(CONFIGS, { cache }).codeEdges).toEqual(['db -> shared']);
    write({ 'libs/db/tsconfig.json': tsconfig({ include: ['src/**/*', 'scripts/**/*'] }) });
    extract.mockClear();
    expect(scan(CONFIGS, { cache }).codeEdges).toEqual(['db -> orders', 'db -> shared']);
    expect(parsed()).toEqual([]);
    write({ 'libs/db/tsconfig.json': tsconfig({ include: ['src/**/*'], exclude: [] }) });
    expect(scan(CONFIGS, { cache }).codeEdges).toEqual(['db -> shared']);
  });
});

describe('scanRuntimeGraph: several owners and subpath SDKs', () => {
  const CLIENTS: Record<string, Config> = {
    ...FLEET,
    realtime: service('services/realtime'),
    client: lib('libs/client'),
    core: lib('libs/core'),
  };
  function writeClients(main: string): void {
    writeFleet({
      'services/realtime/package.json': pkg('@acme/realtime'),
      'services/realtime/src/main.ts': 'export {};\n',
      'libs/client/package.json': pkg('@acme/client'),
      'libs/client/src/index.ts': 'export {};\n',
      'libs/core/package.json': pkg('@acme/core', {
        exports: {
          '.': './src/index.ts',
          './v3/workers': './src/v3/workers/index.ts',
          './v3/workers/*': './src/v3/workers/*.ts',
          './v3/*': './src/v3/*.ts',
        },
      }),
      'libs/core/src/index.ts': 'export {};\n',
      'libs/core/src/v3/workers/index.ts': 'export {};\n',
      'libs/core/src/v3/workers/queue.ts': 'export {};\n',
      'libs/core/src/v3/mail.ts': 'export {};\n',
      'services/api/src/main.ts': main,
    });
  }

  it('a client of two services makes one import per owner, and an edge to each', () => {
    writeClients("import { connect } from '@acme/client';\n");
    const { imports, edges, codeEdges } = scan(CLIENTS, { sdks: { '@acme/client': ['orders', 'realtime'] } });
    expect(brief(imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via client',
      'api -> realtime services/api/src/main.ts:1 via client',
    ]);
    expect(edges).toEqual(['api -> orders', 'api -> realtime']);
    expect(codeEdges).toEqual(['api -> client']);
  });

  it('an owner importing its multi-owner SDK calls only the other owner', () => {
    writeClients('export {};\n');
    write({ 'services/realtime/src/main.ts': "import { connect } from '@acme/client';\n" });
    expect(scan(CLIENTS, { sdks: { client: ['orders', 'realtime'] } }).edges).toEqual(['realtime -> orders']);
  });

  it.each([
    ['@acme/core/v3/workers', 'workers'],
    ['@acme/core/v3/workers/queue', 'workers'],
    ['@acme/core/v3/mail', 'payments'],
    ['@acme/core', 'orders'],
  ])('%s calls %s: the longest key of sdks wins', (specifier, provider) => {
    writeClients(`import { x } from '${specifier}';\n`);
    const configs = { ...CLIENTS, workers: service('services/workers') };
    write({ 'services/workers/package.json': pkg('@acme/workers'), 'services/workers/src/main.ts': 'export {};\n' });
    const { imports, codeEdges, warnings } = scan(configs, {
      sdks: { '@acme/core': 'orders', '@acme/core/v3': 'payments', '@acme/core/v3/workers': 'workers' },
    });
    expect(brief(imports)).toEqual([`api -> ${provider} services/api/src/main.ts:1 via core`]);
    expect(codeEdges).toEqual(['api -> core']);
    expect(warnings).toEqual([]);
  });

  it("an import of a package's entry calls the services whose modules, keyed in sdks, declare the names it takes (jobber's @jobber/grpc)", () => {
    const configs = { ...FLEET, grpc: lib('libs/grpc'), graphql: lib('libs/graphql') };
    writeFleet({
      'libs/grpc/package.json': pkg('@acme/grpc', { main: 'src/index.ts' }),
      'libs/grpc/src/index.ts': lines(
        '// export * from "./lib/payments": a comment re-exports nothing',
        "export * from './lib/orders';",
        "export * from './lib/payments';",
        "export { Health as HealthClient } from './lib/health';",
      ),
      'libs/grpc/src/lib/orders.ts': lines(
        'export interface OrdersServiceClient { get(): unknown }',
        "export const ORDERS_SERVICE_NAME = 'OrdersService';",
        'export function OrdersServiceControllerMethods() { return (c: unknown) => c; }',
      ),
      'libs/grpc/src/lib/payments.ts': lines(
        'export interface PaymentsServiceClient { pay(): unknown }',
        "export const PAYMENTS_SERVICE_NAME = 'PaymentsService';",
      ),
      'libs/grpc/src/lib/health.ts': 'export class Health {}\n',
      // The server imports its own module: no link to itself.
      'services/orders/src/main.ts': lines(
        "import { OrdersServiceControllerMethods } from '@acme/grpc';",
        'export const c = OrdersServiceControllerMethods();',
      ),
      'services/api/src/main.ts': lines(
        "import { ClientGrpc } from '@nestjs/microservices';",
        "import { ORDERS_SERVICE_NAME, OrdersServiceClient } from '@acme/grpc';",
        'export const g = (c: ClientGrpc) => c.getService<OrdersServiceClient>(ORDERS_SERVICE_NAME);',
      ),
      // Through a library: payments calls orders' gRPC service in the graphql library it uses.
      'libs/graphql/package.json': pkg('@acme/graphql'),
      'libs/graphql/src/index.ts': lines(
        "import { ORDERS_SERVICE_NAME } from '@acme/grpc';",
        'export const guard = () => ORDERS_SERVICE_NAME.length;',
      ),
      'services/payments/src/main.ts': "import { guard } from '@acme/graphql';\nexport const g = guard();\n",
    });
    const sdks = {
      '@acme/grpc/src/lib/orders': 'orders',
      '@acme/grpc/src/lib/payments': 'payments',
      '@acme/grpc/src/lib/health': [] as string[],
    };
    const hashes = { 'libs/grpc/src/lib/payments.ts': 'h1', 'services/orders/src/main.ts': 'h1' };
    const { edges, warnings, basis, cache } = scan(configs, { sdks, hashes });
    // The library's own import names orders (payments reaches it through its code closure: edges.ts).
    expect(edges).toEqual(['api -> orders', 'graphql -> orders']);
    expect(warnings).toEqual([]);
    // The daemon's edit check never answers an edit of the keyed package from its imports alone: a name
    // its module adds or removes moves a link.
    const edit = (file: string) => sameReach({ workspaceRoot: root, cache }, basis!, file, 'h1', 'h2');
    expect(edit('libs/grpc/src/lib/payments.ts')).toBe(false);
    // The check can pass: a service's file whose imports stay as they were.
    expect(edit('services/orders/src/main.ts')).toBe(true);
    // The whole package keyed instead: every owner, as before.
    expect(scan(configs, { sdks: { '@acme/grpc': ['orders', 'payments'] } }).edges).toEqual([
      'api -> orders',
      'api -> payments',
      'graphql -> orders',
      'graphql -> payments',
      'orders -> payments',
    ]);
  });

  describe("keys naming a library's modules through a tsconfig paths alias (riat's @app/common, a Nest CLI library)", () => {
    const configs = {
      ...FLEET,
      common: lib('libs/common'),
      account: service('services/account'),
      billing: service('services/billing'),
    };
    function writeCommon(
      manifest?: string,
      paths: Record<string, string[]> = { '@app/common': ['libs/common/src'], '@app/common/*': ['libs/common/src/*'] },
    ): void {
      writeFleet({
        'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }),
        ...(manifest === undefined ? {} : { 'libs/common/package.json': manifest }),
        'libs/common/src/index.ts': lines("export * from './proto/orders';", "export * from './base';"),
        'libs/common/src/proto/orders.ts': lines(
          'export interface OrdersServiceClient { get(): unknown }',
          "export const ORDERS_SERVICE_NAME = 'OrdersService';",
        ),
        'libs/common/src/proto/payments.ts': "export const PAYMENTS_SERVICE_NAME = 'PaymentsService';\n",
        'libs/common/src/base.ts': 'export class BaseEntity { id = 1; }\n',
        // Through the entry's `export *`, by the alias's path, and a name no keyed module declares.
        'services/api/src/main.ts': lines(
          "import { ORDERS_SERVICE_NAME } from '@app/common';",
          'export const name = ORDERS_SERVICE_NAME;',
        ),
        'services/account/src/main.ts': lines(
          "import { PAYMENTS_SERVICE_NAME } from '@app/common/proto/payments';",
          'export const name = PAYMENTS_SERVICE_NAME;',
        ),
        'services/billing/src/main.ts': lines(
          "import { BaseEntity } from '@app/common';",
          'export const e = new BaseEntity();',
        ),
        'services/billing/package.json': pkg('@acme/billing'),
        'services/account/package.json': pkg('@acme/account'),
      });
    }

    it('a library with no package.json, keyed by the alias: each import calls the owner of the module it takes', () => {
      writeCommon();
      const sdks = { '@app/common/proto/orders': 'orders', '@app/common/proto/payments': 'payments' };
      const { edges, warnings, basis } = scan(configs, { sdks });
      expect(edges).toEqual(['account -> payments', 'api -> orders']);
      expect(warnings).toEqual([]);
      // An edit of the keyed library may move a name from one module to another: never answered from its imports.
      expect(basis!.keyedRoots).toEqual(['libs/common/']);
    });

    it("an alias with no `/*` form names the paths below its folder (bitsacco's @bitsacco/common, its apps importing the entry)", () => {
      writeCommon(undefined, { '@app/common': ['libs/common/src'] });
      write({
        'services/account/src/main.ts': lines(
          "import { PAYMENTS_SERVICE_NAME } from '@app/common';",
          'export const name = PAYMENTS_SERVICE_NAME;',
        ),
        'libs/common/src/index.ts': lines(
          "export * from './proto/orders';",
          "export * from './proto/payments';",
          "export * from './base';",
        ),
      });
      const { edges, warnings } = scan(configs, {
        sdks: { '@app/common/proto/orders': 'orders', '@app/common/proto/payments': 'payments' },
      });
      expect(edges).toEqual(['account -> payments', 'api -> orders']);
      expect(warnings).toEqual([]);
    });

    it('a key an alias maps into no project says so, and how to make the library one', () => {
      writeCommon();
      const { common: _, ...withoutLibrary } = configs;
      const { edges, warnings } = scan(withoutLibrary, { sdks: { '@app/common/proto/orders': 'orders' } });
      expect(edges).toEqual([]);
      expect(warnings.map((w) => w.message)).toEqual([
        'nx-fleet: plugin option sdks names "@app/common/proto/orders", which is no workspace project or package, nor a path of one (a package\'s subpath, or one a tsconfig "paths" alias maps into a project): a tsconfig "paths" alias maps it to libs/common/src/proto/orders, which no project holds (a project.json with a "name" in the library\'s folder makes one).',
      ]);
    });

    it('a namespace import read by its members, and a destructured require, call the owners of the members they read', () => {
      writeCommon();
      write({
        'libs/common/src/index.ts': lines(
          "export * from './proto/orders';",
          "export * from './proto/payments';",
          "export * from './base';",
        ),
        'services/account/src/main.ts': lines(
          "import * as common from '@app/common';",
          'export const name = common.PAYMENTS_SERVICE_NAME;',
        ),
        'services/billing/src/main.ts': lines(
          "const { BaseEntity, ORDERS_SERVICE_NAME: orders } = require('@app/common');",
          'export const e = [new BaseEntity(), orders];',
        ),
        // Used whole: whom it calls cannot be told from its members.
        'services/api/src/main.ts': lines("import * as common from '@app/common';", 'export const all = common;'),
      });
      const sdks = { '@app/common/proto/orders': 'orders', '@app/common/proto/payments': 'payments' };
      expect(scan(configs, { sdks }).edges).toEqual(['account -> payments', 'billing -> orders']);
    });

    it('a library with no package.json: a key spelled as a package path names nothing, and says where nothing is', () => {
      writeCommon();
      const { edges, warnings } = scan(configs, { sdks: { '@app/common/src/proto/orders': 'orders' } });
      expect(edges).toEqual([]);
      expect(warnings.map((w) => w.message)).toEqual([
        'nx-fleet: plugin option sdks names "@app/common/src/proto/orders", a path common does not have (no file or folder at libs/common/src/src/proto/orders): no import can name it, so it makes no runtime link. Name a path that is there, as the imports spell it (or the whole project).',
      ]);
    });

    it.each([
      ['the alias spelling', { '@app/common/proto/orders': 'orders', '@app/common/proto/payments': 'payments' }],
      // However a key spells the path, it is the module an import reaches.
      [
        'the package spelling',
        { '@app/common/src/proto/orders': 'orders', '@app/common/src/proto/payments.ts': 'payments' },
      ],
    ])('a library with a package.json, keyed by %s: the same links, and no key is called absent', (_, sdks) => {
      writeCommon(pkg('@app/common', { main: 'src/index.ts' }));
      const { edges, warnings } = scan(configs, { sdks });
      expect(edges).toEqual(['account -> payments', 'api -> orders']);
      expect(warnings).toEqual([]);
    });
  });

  it("a subpath key the package's exports do not offer is named: no import can match it (my-girok's misspelt nest-common/grcp)", () => {
    writeClients("import { x } from '@acme/core/v3/mail';\n");
    const { warnings } = scan(CLIENTS, {
      sdks: { '@acme/core/v4/mail': 'payments', '@acme/core/v3/workers': 'realtime' },
    });
    expect(warnings.map((w) => w.message)).toEqual([
      'nx-fleet: plugin option sdks names "@acme/core/v4/mail", a subpath its package\'s "exports" does not offer: no import can name it, so it makes no runtime link. Name an exported subpath (or the package).',
    ]);
    // A package without an exports map offers every path it has, with a source extension or without.
    expect(
      scan(CLIENTS, { sdks: { '@acme/client/src/index': 'payments', '@acme/client/src': 'orders' } }).warnings,
    ).toEqual([]);
    // And no other: a key naming nothing there is named (a misspelt `.proto` name).
    expect(
      scan(CLIENTS, { sdks: { '@acme/client/protos/nothing.proto': 'payments' } }).warnings.map((w) => w.message),
    ).toEqual([
      'nx-fleet: plugin option sdks names "@acme/client/protos/nothing.proto", a path client does not have (no file or folder at libs/client/protos/nothing.proto): no import can name it, so it makes no runtime link. Name a path that is there, as the imports spell it (or the whole project).',
    ]);
  });

  it('a key naming a module Nx lists no file of (generated, git-ignored) is named: its link would hold here and not on a fresh checkout (round 96b)', () => {
    writeClients("import { x } from '@acme/client/src/generated/orders';\n");
    writeFleet({ 'libs/client/src/generated/orders.ts': 'export const x = 1;\n' });
    const listed = nxFiles(CLIENTS);
    const files = Object.fromEntries(
      Object.entries(listed.projectFileMap).map(([project, list]) => [
        project,
        list.filter(({ file }) => !file.includes('/generated/')),
      ]),
    );
    expect(
      scan(CLIENTS, { files, sdks: { '@acme/client/src/generated/orders': 'payments' } }).warnings.map(
        (w) => w.message,
      ),
    ).toEqual([
      'nx-fleet: plugin option sdks names "@acme/client/src/generated/orders", a path Nx lists no file of (libs/client/src/generated/orders: git ignores it, a module a build generates): its runtime link holds where it was generated and on no fresh checkout, so CI\'s graph lacks it. Key the package, or a module committed beside it.',
    ]);
    // Committed, it is a key like any other.
    expect(scan(CLIENTS, { sdks: { '@acme/client/src/generated/orders': 'payments' } }).warnings).toEqual([]);
  });

  it("an ESM import names a file by its .js twin (protobuf-es' users_pb.js): a key written with or without it matches, and is no absent path", () => {
    writeClients(
      lines(
        "import { Orders } from '@acme/client/src/orders_pb.js';",
        "import { Live } from '@acme/client/src/live_pb.js';",
        'export const clients = [Orders, Live];',
      ),
    );
    write({
      'libs/client/src/orders_pb.ts': 'export const Orders = {};\n',
      'libs/client/src/live_pb.ts': 'export const Live = {};\n',
    });
    const { imports, warnings } = scan(CLIENTS, {
      sdks: { '@acme/client/src/orders_pb': 'orders', '@acme/client/src/live_pb.js': 'realtime', '@acme/client': [] },
    });
    expect(brief(imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via client',
      'api -> realtime services/api/src/main.ts:2 via client',
    ]);
    expect(warnings).toEqual([]);
  });

  it("a require.resolve'd path an sdks key names calls its owner, with no code edge (nebulaNV's gRPC protoPath); with no key, nothing", () => {
    writeClients(
      lines(
        "const ORDERS_PROTO = require.resolve('@acme/client/protos/orders.proto');",
        "const OTHER_PROTO = require.resolve('@acme/client/protos/other.proto');",
        'export const client = { protoPath: [ORDERS_PROTO, OTHER_PROTO] };',
      ),
    );
    write({ 'libs/client/protos/orders.proto': 'syntax = "proto3";\n' });
    const keyed = scan(CLIENTS, { sdks: { '@acme/client/protos/orders.proto': 'orders', '@acme/client': [] } });
    expect(brief(keyed.imports)).toEqual(['api -> orders services/api/src/main.ts:1 via client']);
    expect(keyed.codeEdges).toEqual([]);
    expect(keyed.warnings).toEqual([]);
    // The package's owner alone does not make a path a call: only a key naming it does.
    const owned = scan(CLIENTS, { sdks: { '@acme/client': 'orders' } });
    expect(owned.imports).toEqual([]);
    expect(owned.codeEdges).toEqual([]);
  });

  it('a subpath key without a key for its package leaves the rest of the package a plain library', () => {
    writeClients(lines("import { q } from '@acme/core/v3/workers/queue';", "import { c } from '@acme/core';"));
    const { imports, codeEdges } = scan(CLIENTS, { sdks: { '@acme/core/v3/workers': 'realtime' } });
    expect(brief(imports)).toEqual(['api -> realtime services/api/src/main.ts:1 via core']);
    expect(codeEdges).toEqual(['api -> core']);
  });
});

describe('scanRuntimeGraph: problems in sdks', () => {
  it('are reported by every scan, each distinct problem once (callers print each once per workspace state)', () => {
    writeFleet();
    const first = scan(FLEET, { sdks: { ghost: 'orders' } });
    const second = scan(FLEET, { sdks: { ghost: 'orders', shared: 'nobody' } });
    expect(first.warnings.map((w) => w.message)).toEqual([
      'nx-fleet: plugin option sdks names "ghost", which is no workspace project or package, nor a path of one (a package\'s subpath, or one a tsconfig "paths" alias maps into a project).',
    ]);
    expect(second.warnings.map((w) => w.message)).toEqual([
      'nx-fleet: plugin option sdks names "ghost", which is no workspace project or package, nor a path of one (a package\'s subpath, or one a tsconfig "paths" alias maps into a project).',
      'nx-fleet: plugin option sdks["shared"] names "nobody" as the owner of shared, but "nobody" is not a service.',
    ]);
  });
});

describe('scanRuntimeImports: traps', () => {
  it('comments, plain strings and template literals naming an SDK never count', () => {
    writeFleet({
      'services/api/src/main.ts': lines(
        "// import { OrdersClient } from '@acme/orders-sdk';",
        '/* const p = require("@acme/payments-sdk"); */',
        'const help = \'run: import("@acme/orders-sdk")\';',
        "const doc = `import { x } from '@acme/payments-sdk'`;",
        'export { help, doc };',
      ),
    });
    const { imports } = scan(FLEET);
    expect(imports).toEqual([]);
    // They did reach the parser (the pre-filter is textual): the parser is what discards them.
    expect(parsed()).toEqual(['services/api/src/main.ts']);
  });

  it('dynamic import(), require() and import x = require() count, each at its line; type-only references are evidence only', () => {
    writeFleet({
      'services/api/src/a.ts': "import type { OrdersClient } from '@acme/orders-sdk';\n",
      'services/api/src/b.ts': "export async function pay() {\n  return import('@acme/payments-sdk');\n}\n",
      'services/api/src/c.js': "\n\nconst orders = require('@acme/orders-sdk');\nmodule.exports = orders;\n",
      'services/api/src/d.ts': "\nimport payments = require('@acme/payments-sdk');\nexport { payments };\n",
      'services/api/src/e.ts': "export type C = import('@acme/orders-sdk').OrdersClient;\n",
      'services/api/src/f.ts':
        "import { type PaymentsClient } from '@acme/payments-sdk';\nexport type { PaymentsClient };\n",
    });
    const { imports, typeOnly, edges } = scan(FLEET);
    expect(brief(imports).sort()).toEqual([
      'api -> orders services/api/src/c.js:3 via orders-sdk',
      'api -> payments services/api/src/b.ts:2 via payments-sdk',
      'api -> payments services/api/src/d.ts:2 via payments-sdk',
    ]);
    expect(brief(typeOnly).sort()).toEqual([
      'api -> orders services/api/src/a.ts:1 via orders-sdk',
      'api -> orders services/api/src/e.ts:1 via orders-sdk',
      'api -> payments services/api/src/f.ts:1 via payments-sdk',
    ]);
    expect(edges).toEqual(['api -> orders', 'api -> payments']);
  });

  it("a type-only import that types an RPC client the file makes is a call (dotkom's monoweb: tRPC; Hono's hc)", () => {
    writeFleet({
      'services/api/src/trpc.ts': lines(
        "import type { OrdersRouter } from '@acme/orders-sdk';",
        "import { createTRPCProxyClient, httpLink } from '@trpc/client';",
        'export const orders = createTRPCProxyClient<OrdersRouter>({ links: [httpLink({ url: process.env.ORDERS_URL! })] });',
      ),
      'services/api/src/hono.ts': lines(
        "import { hc } from 'hono/client';",
        "import type { PaymentsApp } from '@acme/payments-sdk';",
        'export const payments = hc<PaymentsApp>(process.env.PAYMENTS_URL!);',
      ),
    });
    const { imports, typeOnly, edges } = scan(FLEET);
    expect(brief(imports).sort()).toEqual([
      'api -> orders services/api/src/trpc.ts:1 via orders-sdk',
      'api -> payments services/api/src/hono.ts:2 via payments-sdk',
    ]);
    expect(typeOnly).toEqual([]);
    expect(edges).toEqual(['api -> orders', 'api -> payments']);
  });

  it("follows a package.json's subpath imports to another project (`#orders` → `@acme/orders-sdk`, `#pay/*` → a path there)", () => {
    writeFleet({
      'services/api/package.json': pkg('@acme/api', {
        imports: {
          '#orders': '@acme/orders-sdk',
          '#pay/*': { types: '../payments/sdk/src/*.ts', default: '../payments/sdk/dist/*.js' },
          '#local/*': './src/local/*.ts',
        },
      }),
      'services/api/src/main.ts': lines(
        "import { OrdersClient } from '#orders';",
        "import { PaymentsClient } from '#pay/index';",
        "import { here } from '#local/here';",
        'new OrdersClient(); new PaymentsClient(); here();',
      ),
      'services/api/src/local/here.ts': 'export const here = () => 1;\n',
    });
    const { imports } = scan(FLEET);
    expect(brief(imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via orders-sdk',
      'api -> payments services/api/src/main.ts:2 via payments-sdk',
    ]);
  });

  it('a plain import whose name types an RPC client the file makes is a call, though the compiler erases it (openapi-fetch, tRPC)', () => {
    writeFleet({
      'services/api/src/rest.ts': lines(
        "import createClient from 'openapi-fetch';",
        "import { paths } from '@acme/orders-sdk';",
        'export const orders = createClient<paths>({ baseUrl: process.env.ORDERS_URL! });',
      ),
      'services/api/src/trpc.ts': lines(
        "import { PaymentsRouter } from '@acme/payments-sdk';",
        "import { createTRPCProxyClient, httpLink } from '@trpc/client';",
        'export const payments = createTRPCProxyClient<PaymentsRouter>({ links: [httpLink({ url: "x" })] });',
      ),
      // The check can fail: the same name in a type alone is erased, so no call.
      'services/api/src/types.ts': lines("import { paths } from '@acme/orders-sdk';", 'export type P = keyof paths;'),
    });
    const { imports, typeOnly } = scan(FLEET);
    expect(brief(imports).sort()).toEqual([
      'api -> orders services/api/src/rest.ts:2 via orders-sdk',
      'api -> payments services/api/src/trpc.ts:1 via payments-sdk',
    ]);
    expect(brief(typeOnly)).toEqual(['api -> orders services/api/src/types.ts:1 via orders-sdk']);
  });

  it("a library's type that types an RPC client loads none of its code: no code edge, so nothing it calls is the client's call (ctrlplane's web and @ctrlplane/trpc)", () => {
    const client = lines(
      "import type { Router } from '@acme/shared';",
      "import { createTRPCReact } from '@trpc/react-query';",
      'export const trpc = createTRPCReact<Router>();',
    );
    const router = lines(
      "import { OrdersClient } from '@acme/orders-sdk';",
      'export const router = { orders: OrdersClient };',
      'export type Router = typeof router;',
    );
    writeFleet({ 'libs/shared/src/index.ts': router, 'services/api/src/trpc.ts': client });
    expect(scan(FLEET).codeEdges).toEqual(['shared -> orders-sdk']);
    // The check can fail: importing the router itself loads its code, and its calls are api's.
    writeFleet({
      'libs/shared/src/index.ts': router,
      'services/api/src/trpc.ts': client.replace('import type { Router }', 'import { router, type Router }'),
    });
    expect(scan(FLEET).codeEdges).toEqual(['api -> shared', 'shared -> orders-sdk']);
  });

  it('re-export chains: the library re-exporting an SDK gets the edge, not the services importing the library', () => {
    writeFleet({
      'libs/shared/src/index.ts': lines("export * from './clients';"),
      'libs/shared/src/clients.ts': lines("export { OrdersClient } from '@acme/orders-sdk';"),
      'services/api/src/main.ts': "import { OrdersClient } from '@acme/shared';\n",
    });
    const { imports, edges } = scan(FLEET);
    expect(brief(imports)).toEqual(['shared -> orders libs/shared/src/clients.ts:1 via orders-sdk']);
    expect(edges).toEqual(['shared -> orders']);
  });

  it('an exact tsconfig paths alias reaches an SDK that has no package name', () => {
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: {
          paths: {
            '@orders/sdk': ['services/orders/sdk/src/index.ts'],
            '@payments/sdk': ['services/payments/sdk/src/index.ts'],
          },
        },
      }),
      'services/api/src/main.ts': lines(
        "import { OrdersClient } from '@orders/sdk';",
        "import { PaymentsClient } from '@payments/sdk/index';",
      ),
      'services/orders/sdk/src/index.ts': 'export class OrdersClient {}\n',
      'services/payments/sdk/src/index.ts': 'export class PaymentsClient {}\n',
    });
    expect(brief(scan(FLEET).imports)).toEqual(['api -> orders services/api/src/main.ts:1 via orders-sdk']);
  });

  it("a project's own alias into its own folder (`@/*` → `./src/*`) is no candidate in that project: its files are not read for it", () => {
    const configs = { ...FLEET, web: service('apps/web') };
    const web = {
      'apps/web/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'] } } }),
      'apps/web/src/page.tsx': "import { Button } from '@/components/button';\nexport const Page = Button;\n",
      'apps/web/src/components/button.tsx': "import { cn } from '@/lib/cn';\nexport const Button = cn;\n",
      'apps/web/src/lib/cn.ts': 'export const cn = 1;\n',
      'apps/web/src/api.ts': "import { OrdersClient } from '@acme/orders-sdk';\nexport const c = OrdersClient;\n",
    };
    writeFleet(web);
    expect(brief(scan(configs).imports)).toEqual(['web -> orders apps/web/src/api.ts:1 via orders-sdk']);
    expect(parsed().filter((file) => file.startsWith('apps/web/'))).toEqual(['apps/web/src/api.ts']);

    // The same key pointing out of its project in another tsconfig keeps it a candidate everywhere.
    extract.mockClear();
    writeFleet({
      ...web,
      'services/api/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['../orders/sdk/src/*'] } } }),
      'services/api/src/main.ts': "import { OrdersClient } from '@/index';\n",
    });
    expect(brief(scan(configs).imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via orders-sdk',
      'web -> orders apps/web/src/api.ts:1 via orders-sdk',
    ]);
    // The files rejected against web's own names are read again (api.ts comes from the cache).
    expect(parsed().filter((file) => file.startsWith('apps/web/'))).toEqual([
      'apps/web/src/components/button.tsx',
      'apps/web/src/page.tsx',
    ]);
  });

  it('a wildcard paths alias reaches SDKs (targets without "*/")', () => {
    write({
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { paths: { '@sdk/*': ['sdks/*'] } } }),
      'services/api/src/main.ts': lines(
        "import { OrdersClient } from '@sdk/orders';",
        "import { PaymentsClient } from '@sdk/payments';",
        "import { nothing } from '@sdk/missing';",
      ),
      'sdks/orders/index.ts': 'export class OrdersClient {}\n',
      'sdks/payments/index.ts': 'export class PaymentsClient {}\n',
    });
    const configs = {
      api: service('services/api'),
      orders: service('services/orders'),
      payments: service('services/payments'),
      'orders-sdk': lib('sdks/orders', ['fleet:sdk-of:orders']),
      'payments-sdk': lib('sdks/payments', ['fleet:sdk-of:payments']),
    };
    expect(brief(scan(configs).imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via orders-sdk',
      'api -> payments services/api/src/main.ts:2 via payments-sdk',
    ]);
  });

  it('an alias into folders no project holds names no project: its importers are not read', () => {
    write({
      // notesnook: packages/* are no Nx projects; its apps import them through tsconfig paths.
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: {
          paths: { '@acme/theme': ['packages/theme/src'], '@acme/ui-*': ['libs/ui-*'], '@sdk/*': ['sdks/*'] },
        },
      }),
      'services/api/src/theme.ts': "import { theme } from '@acme/theme';\nexport const t = theme;\n",
      'services/api/src/button.ts': "import { Button } from '@acme/ui-kit';\nexport const b = Button;\n",
      'services/api/src/main.ts': "import { OrdersClient } from '@sdk/orders';\nexport const c = OrdersClient;\n",
      'packages/theme/src/index.ts': 'export const theme = 1;\n',
      'libs/ui-kit/index.ts': 'export const Button = 1;\n',
      'sdks/orders/index.ts': 'export class OrdersClient {}\n',
    });
    const configs = {
      api: service('services/api'),
      orders: service('services/orders'),
      'ui-kit': lib('libs/ui-kit'),
      'orders-sdk': lib('sdks/orders', ['fleet:sdk-of:orders']),
    };
    expect(brief(scan(configs).imports)).toEqual(['api -> orders services/api/src/main.ts:1 via orders-sdk']);
    // The theme alias points at no project; the ui-* one (cut at its `*`) at libs/ui-kit, a project.
    expect(parsed()).toEqual(['services/api/src/button.ts', 'services/api/src/main.ts']);
  });

  // "/*" inside a paths key must not be read as a comment opener.
  it('a wildcard paths alias "@sdk/*" -> "services/*/sdk/src/index.ts" reaches the nested SDKs', () => {
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { paths: { '@sdk/*': ['services/*/sdk/src/index.ts'] } },
      }),
      'services/api/src/main.ts': lines(
        "import { OrdersClient } from '@sdk/orders';",
        "import { PaymentsClient } from '@sdk/payments';",
      ),
      'services/orders/sdk/src/index.ts': 'export class OrdersClient {}\n',
      'services/payments/sdk/src/index.ts': 'export class PaymentsClient {}\n',
    });
    expect(brief(scan(FLEET).imports)).toEqual([
      'api -> orders services/api/src/main.ts:1 via orders-sdk',
      'api -> payments services/api/src/main.ts:2 via payments-sdk',
    ]);
  });

  it('the same "@sdk/*" alias works once the file gets past the pre-filter (control for the bug above)', () => {
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { paths: { '@sdk/*': ['services/*/sdk/src/index.ts'] } },
      }),
      'services/api/src/main.ts': lines("import { OrdersClient } from '@sdk/orders';", "// '../../../'"),
      'services/orders/sdk/src/index.ts': 'export class OrdersClient {}\n',
    });
    expect(brief(scan(FLEET).imports)).toEqual(['api -> orders services/api/src/main.ts:1 via orders-sdk']);
  });

  it('package.json exports subpaths lead to the SDK they point into', () => {
    writeFleet({
      'services/orders/package.json': pkg('@acme/orders', {
        exports: { '.': './src/main.ts', './sdk': { types: './sdk/src/index.ts', default: './sdk/dist/index.js' } },
      }),
      'services/api/src/main.ts': "import { OrdersClient } from '@acme/orders/sdk';\n",
    });
    expect(brief(scan(FLEET).imports)).toEqual(['api -> orders services/api/src/main.ts:1 via orders-sdk']);
  });

  it('nested services: a service inside another service folder is a provider of its own, not an SDK of the outer one', () => {
    writeFleet({
      'services/orders/billing/package.json': pkg('@acme/billing'),
      'services/orders/billing/src/main.ts': "import { routes } from '@acme/orders';\n",
      'services/orders/billing/sdk/package.json': pkg('@acme/billing-sdk'),
      'services/orders/billing/sdk/src/index.ts': 'export {};\n',
      'services/api/src/main.ts': lines("import '@acme/billing';", "import '@acme/billing-sdk';"),
    });
    const configs = {
      ...FLEET,
      billing: service('services/orders/billing'),
      'billing-sdk': lib('services/orders/billing/sdk'),
    };
    const { imports, edges } = scan(configs);
    expect(brief(imports)).toEqual([
      'api -> billing services/api/src/main.ts:1',
      'api -> billing services/api/src/main.ts:2 via billing-sdk',
      'billing -> orders services/orders/billing/src/main.ts:1',
    ]);
    expect(edges).toEqual(['api -> billing', 'billing -> orders']);
  });

  it("cycles: A importing B's SDK and B importing A's give both edges, without error", () => {
    writeFleet({
      'services/orders/src/main.ts': "import { PaymentsClient } from '@acme/payments-sdk';\n",
      'services/payments/src/main.ts': "import { OrdersClient } from '@acme/orders-sdk';\n",
    });
    const { edges, warnings } = scan(FLEET);
    expect(edges).toEqual(['orders -> payments', 'payments -> orders']);
    expect(warnings).toEqual([]);
  });

  it('npm packages in node_modules whose names look like workspace SDKs make no edge', () => {
    writeFleet({
      'node_modules/@acme/orders-sdk-client/package.json': pkg('@acme/orders-sdk-client', { main: 'index.js' }),
      'node_modules/@acme/orders-sdk-client/index.js': 'module.exports = {};\n',
      'node_modules/@acme/billing-sdk/package.json': pkg('@acme/billing-sdk', { types: 'index.d.ts' }),
      'node_modules/@acme/billing-sdk/index.d.ts': 'export declare const billing: number;\n',
      'services/api/src/main.ts': lines(
        "import '@acme/orders-sdk-client';",
        "import '@acme/billing-sdk';",
        "import '@acme/orders-sdk-client/index.js';",
      ),
    });
    const { imports, warnings } = scan(FLEET);
    expect(imports).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a real node_modules directory named like an SDK does not shadow, or impersonate, the workspace SDK of a service', () => {
    // The workspace's payments SDK has no package name; node_modules/@acme/payments-sdk is someone else's.
    write({
      'node_modules/@acme/payments-sdk/package.json': pkg('@acme/payments-sdk', { main: 'index.js' }),
      'node_modules/@acme/payments-sdk/index.js': 'module.exports = {};\n',
      'services/payments/sdk/src/index.ts': 'export {};\n',
      'services/api/src/main.ts': "import '@acme/payments-sdk';\nimport '@acme/payments-sdk/index.js';\n",
    });
    expect(scan(FLEET).imports).toEqual([]);
  });
});

describe('scanRuntimeImports: bad input', () => {
  it('parses a file with syntax errors without throwing', () => {
    writeFleet({
      'services/api/src/main.ts': lines(
        "import { OrdersClient } from '@acme/orders-sdk';",
        'export function broken( {',
        '  const = ;',
      ),
    });
    const { edges, warnings } = scan(FLEET);
    expect(edges).toEqual(['api -> orders']);
    expect(warnings).toEqual([]);
  });

  it('an unresolvable import makes no edge and no error', () => {
    writeFleet({
      'services/api/src/main.ts': lines(
        "import '../../../services/nowhere/sdk';",
        "import '../../../services/orders/sdk/src/missing';",
        "import '@acme/ghost-sdk';",
        "import '@acme/orders-sdk-v2';",
      ),
    });
    const { imports, warnings } = scan(FLEET);
    expect(imports).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('skips files over 1 MB, those that may name another project in one warning, without parsing them', () => {
    const big = `import '@acme/orders-sdk';\n${'// padding\n'.repeat(Math.ceil(MAX_SOURCE_BYTES / 11) + 1)}`;
    writeFleet({
      'services/api/src/generated.ts': big,
      'services/api/src/migrations/1.ts': big,
      // Naming no other project: not an SDK consumer that could be missed, so not named.
      'services/api/src/migrations/2.ts': big.replace("import '@acme/orders-sdk';", "import 'typeorm';"),
      'services/api/src/main.ts': "import '@acme/payments-sdk';\n",
    });
    const { edges, warnings, cache } = scan(FLEET);
    expect(edges).toEqual(['api -> payments']);
    const named = [
      'nx-fleet: files over 1 MB are not scanned for SDK imports: services/api/src/generated.ts (1.0 MB), services/api/src/migrations/1.ts (1.0 MB).',
    ];
    expect(warnings.map((w) => w.message)).toEqual(named);
    expect(parsed()).not.toContain('services/api/src/generated.ts');
    // From the cache (what nx-fleet graph reads after createNodes), the same files are named.
    const again = scan(FLEET, { cache });
    expect(again.warnings.map((w) => w.message)).toEqual(named);
  });

  it('scans a file of exactly 1 MB', () => {
    const head = "import '@acme/orders-sdk';\n";
    writeFleet({ 'services/api/src/main.ts': head + ' '.repeat(MAX_SOURCE_BYTES - head.length) });
    const { edges, warnings } = scan(FLEET);
    expect(edges).toEqual(['api -> orders']);
    expect(warnings).toEqual([]);
  });

  it('skips a binary file with a .ts name, with one warning naming it', () => {
    const binary = Buffer.concat([
      Buffer.from("import '@acme/orders-sdk';\n"),
      Buffer.from([0, 1, 2, 0xff, 0]),
      Buffer.from("import '@acme/payments-sdk';\n"),
    ]);
    writeFleet({ 'services/api/src/video.ts': binary });
    const { imports, warnings } = scan(FLEET);
    expect(imports).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('services/api/src/video.ts');
    expect(parsed()).not.toContain('services/api/src/video.ts');
  });

  it('skips a file of many NULs even when its bytes decode as UTF-8', () => {
    writeFleet({ 'services/api/src/blob.ts': `import '@acme/orders-sdk';\n${'\u0000'.repeat(64)}\n` });
    const { edges, warnings, cache } = scan(FLEET);
    expect(edges).toEqual([]);
    const named = [expect.stringContaining('services/api/src/blob.ts is not text')];
    expect(warnings.map((w) => w.message)).toEqual(named);
    expect(scan(FLEET, { cache }).warnings.map((w) => w.message)).toEqual(named);
  });

  it('scans a source holding a NUL in a string (valid TypeScript, binary to git)', () => {
    // The file holds the NUL byte itself, inside a template literal.
    writeFleet({
      'services/api/src/vault.ts':
        "import '@acme/orders-sdk';\nexport const key = (a: string, b: string) => `${a}\u0000${b}`;\n",
    });
    const { edges, warnings } = scan(FLEET);
    expect(edges).toEqual(['api -> orders']);
    expect(warnings).toEqual([]);
  });

  it('warns once, naming it, about a tsconfig that does not parse, and still finds edges', () => {
    writeFleet({
      'tsconfig.base.json': '{ "compilerOptions": { "paths": ',
      'services/api/src/main.ts': "import '@acme/orders-sdk';\n",
      'services/payments/src/main.ts': "import '@acme/orders-sdk';\n",
      'libs/shared/src/index.ts': "import '@acme/payments-sdk';\n",
    });
    const { edges, warnings } = scan(FLEET);
    expect(edges).toEqual(['api -> orders', 'payments -> orders', 'shared -> payments']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('tsconfig.base.json');
  });

  it('warns about a symlink loop without throwing, and scans the other files', () => {
    writeFleet({ 'services/api/src/main.ts': "import '@acme/orders-sdk';\n" });
    // a -> b -> a, and x.ts (listed by Nx) points into the loop.
    symlinkSync('b', join(root, 'services/api/src/a'));
    symlinkSync('a', join(root, 'services/api/src/b'));
    symlinkSync('a', join(root, 'services/api/src/x.ts'));
    let result: ReturnType<typeof scan> | undefined;
    expect(() => (result = scan(FLEET))).not.toThrow();
    expect(result!.edges).toEqual(['api -> orders']);
    expect(result!.warnings).toHaveLength(1);
    expect(result!.warnings[0]!.message).toContain('services/api/src/x.ts');
  });

  it('warns about a listed file that is gone, without throwing', () => {
    writeFleet();
    const files = fileMap(FLEET);
    files['api']!.push({ file: 'services/api/src/deleted.ts', hash: 'h' });
    const { imports, warnings } = scan(FLEET, { files });
    expect(imports).toEqual([]);
    expect(warnings.map((w) => w.key)).toEqual(['services/api/src/deleted.ts']);
  });

  it('warns with the error code about a file it may not read, and reads it again on the next scan', () => {
    writeFleet({ 'services/api/src/main.ts': "import '@acme/orders-sdk';\n" });
    const denied = join(root, 'services/api/src/main.ts');
    let deny = true;
    const fs: SyncFiles = {
      ...nodeSyncFiles,
      read: (path) => {
        if (deny && path === denied) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
        return nodeSyncFiles.read(path);
      },
    };
    const first = scan(FLEET, { fs });
    expect(first.edges).toEqual([]);
    expect(first.warnings).toEqual([
      {
        key: 'services/api/src/main.ts',
        message: 'nx-fleet: services/api/src/main.ts could not be scanned for SDK imports (EACCES).',
      },
    ]);
    deny = false;
    expect(scan(FLEET, { fs, cache: first.cache }).edges).toEqual(['api -> orders']);
  });

  it('never reads declaration files or non-source files', () => {
    writeFleet({
      'services/api/src/types.d.ts': "import '@acme/orders-sdk';\n",
      'services/api/README.md': "import '@acme/orders-sdk';\n",
      'services/api/src/data.json': '{"x": "@acme/orders-sdk"}',
    });
    expect(scan(FLEET).imports).toEqual([]);
    expect(parsed()).toEqual([]);
  });
});

describe('scanRuntimeImports: cache', () => {
  const CONSUMER = 'services/api/src/main.ts';

  it('a second scan with unchanged hashes reads, parses and resolves nothing, even from a freshly loaded cache', () => {
    writeFleet({
      [CONSUMER]: lines("import '@acme/orders-sdk';", "import { routes } from '../../orders/src/routes';"),
      'libs/shared/src/index.ts': "import { x } from '@acme/payments-sdk';\n",
    });
    const { projectFileMap, nonProjectFiles } = nxFiles(FLEET);
    const stats = { parsed: 0, resolved: 0 };
    const first = scan(FLEET, { files: projectFileMap, otherFiles: nonProjectFiles, stats });
    expect(parsed()).toEqual(['libs/shared/src/index.ts', CONSUMER]);
    expect(stats).toEqual({ parsed: 2, resolved: 2 });
    expect(brief(first.imports)).toEqual([
      `api -> orders ${CONSUMER}:1 via orders-sdk`,
      `api -> orders ${CONSUMER}:2`,
      'shared -> payments libs/shared/src/index.ts:1 via payments-sdk',
    ]);
    extract.mockClear();

    // Remove every source file (the routes.ts the relative import resolves to too): reading any would warn, resolving any would miss.
    for (const list of Object.values(projectFileMap))
      for (const { file } of list) if (file.endsWith('.ts')) rmSync(join(root, file));
    const again = { parsed: 0, resolved: 0 };
    const second = scan(FLEET, { files: projectFileMap, otherFiles: nonProjectFiles, stats: again });
    expect(parsed()).toEqual([]);
    expect(again).toEqual({ parsed: 0, resolved: 0 });
    expect(second.warnings).toEqual([]);
    expect(second.imports).toEqual(first.imports);
  });

  it('a cache restored into another checkout (a CI cache step keeping .nx/workspace-data/nx-fleet) parses and resolves nothing', async () => {
    writeFleet({
      [CONSUMER]: lines("import '@acme/orders-sdk';", "import { routes } from '../../orders/src/routes';"),
      'libs/shared/src/index.ts': "import { x } from '@acme/payments-sdk';\nimport { z } from 'zod';\n",
    });
    const first = scan(FLEET);
    expect(parsed()).toEqual(['libs/shared/src/index.ts', CONSUMER]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(ImportCache.path(join(root, '.nx', 'workspace-data')))).toBe(true);

    // The next CI run: a fresh checkout elsewhere, a fresh process, only the cached folder restored.
    const checkout = mkdtempSync(join(tmpdir(), 'nx-fleet-sdk-graph-ci-'));
    const original = root;
    try {
      cpSync(root, checkout, { recursive: true, filter: (path) => !path.includes(`${join(root, '.nx')}`) });
      cpSync(join(root, '.nx', 'workspace-data', 'nx-fleet'), join(checkout, '.nx', 'workspace-data', 'nx-fleet'), {
        recursive: true,
      });
      root = checkout;
      resetWorkerState();
      extract.mockClear();
      const stats = { parsed: 0, resolved: 0 };
      const second = scan(FLEET, { stats });
      expect(parsed()).toEqual([]);
      expect(stats).toEqual({ parsed: 0, resolved: 0 });
      expect(second.imports).toEqual(first.imports);
    } finally {
      root = original;
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('counts the files the scanner could not decide, and parsed in full, when asked', () => {
    writeFleet({
      [CONSUMER]: "import '@acme/orders-sdk';\n",
      'services/api/src/App.tsx':
        "export const App = () => <p>Don't</p>;\nexport const lazy = () => import('@acme/payments-sdk');\n",
    });
    const stats = { parsed: 0, resolved: 0, fullParses: 0 };
    const { imports } = scanRuntimeGraph({
      workspaceRoot: root,
      projects: projectInfos(root, FLEET),
      files: fileMap(FLEET),
      cache: ImportCache.load(join(root, '.nx', 'workspace-data')),
      warn: () => undefined,
      stats,
    });
    expect(consumerProviderPairs(imports)).toEqual(['api -> orders', 'api -> payments']);
    expect(stats).toEqual({ parsed: 2, resolved: 2, fullParses: 1 });
  });

  it("a file that starts to exist makes an unchanged file's import resolve", () => {
    writeFleet({ [CONSUMER]: "import { later } from '../../orders/src/later';\n" });
    expect(scan(FLEET).imports).toEqual([]);
    write({ 'services/orders/src/later.ts': 'export const later = 1;\n' });
    expect(brief(scan(FLEET).imports)).toEqual([`api -> orders ${CONSUMER}:1`]);
    extract.mockClear();
    rmSync(join(root, 'services/orders/src/later.ts'));
    expect(scan(FLEET).imports).toEqual([]);
    expect(parsed()).toEqual([]);
  });

  it('a changed root tsconfig (a non-project file) re-resolves unchanged files', () => {
    writeFleet({ [CONSUMER]: "import { Client } from '~client';\n" });
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { paths: { '~client': ['services/orders/sdk/src/index.ts'] } },
      }),
    });
    expect(scan(FLEET).edges).toEqual(['api -> orders']);
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { paths: { '~client': ['services/payments/sdk/src/index.ts'] } },
      }),
    });
    extract.mockClear();
    const stats = { parsed: 0, resolved: 0 };
    expect(scan(FLEET, { stats }).edges).toEqual(['api -> payments']);
    expect(parsed()).toEqual([]);
    expect(stats).toEqual({ parsed: 0, resolved: 1 });
  });

  it('a changed package.json exports map re-resolves unchanged files', () => {
    writeFleet({ [CONSUMER]: "import { Client } from '@acme/orders/client';\n" });
    expect(brief(scan(FLEET).imports)).toEqual([`api -> orders ${CONSUMER}:1`]);
    write({ 'services/orders/package.json': pkg('@acme/orders', { exports: { './client': './sdk/src/index.ts' } }) });
    expect(brief(scan(FLEET).imports)).toEqual([`api -> orders ${CONSUMER}:1 via orders-sdk`]);
  });

  it('a changed sdks option re-resolves unchanged files', () => {
    writeFleet({
      'libs/client/package.json': pkg('@acme/client'),
      'libs/client/src/index.ts': 'export {};\n',
      [CONSUMER]: "import '@acme/client';\n",
    });
    const configs = { ...FLEET, client: lib('libs/client') };
    expect(scan(configs, { sdks: { client: 'orders' } }).edges).toEqual(['api -> orders']);
    expect(scan(configs, { sdks: { client: 'payments' } }).edges).toEqual(['api -> payments']);
    expect(scan(configs).edges).toEqual([]);
  });

  it('a changed hash re-parses that file only', () => {
    writeFleet({
      [CONSUMER]: "import '@acme/orders-sdk';\n",
      'libs/shared/src/index.ts': "import { x } from '@acme/payments-sdk';\n",
    });
    expect(scan(FLEET).edges).toEqual(['api -> orders', 'shared -> payments']);
    extract.mockClear();

    write({ [CONSUMER]: "import '@acme/payments-sdk';\n" });
    expect(scan(FLEET).edges).toEqual(['api -> payments', 'shared -> payments']);
    expect(parsed()).toEqual([CONSUMER]);
  });

  it('the same hash with different content is trusted: the cached imports are used', () => {
    writeFleet({ [CONSUMER]: "import '@acme/orders-sdk';\n" });
    scan(FLEET, { hashes: { [CONSUMER]: 'h1' } });
    write({ [CONSUMER]: "import '@acme/payments-sdk';\n" });
    expect(scan(FLEET, { hashes: { [CONSUMER]: 'h1' } }).edges).toEqual(['api -> orders']);
    expect(scan(FLEET, { hashes: { [CONSUMER]: 'h2' } }).edges).toEqual(['api -> payments']);
  });

  it('a new SDK whose package name an unchanged, pre-filtered file already imports gets its edge on the next scan', () => {
    writeFleet({ [CONSUMER]: "import { InventoryClient } from '@acme/inventory-sdk';\n" });
    const before = scan(FLEET);
    expect(before.imports).toEqual([]);
    // The pre-filter knew no such name: the file was not parsed.
    expect(parsed()).not.toContain(CONSUMER);
    extract.mockClear();

    write({
      'services/inventory/package.json': pkg('@acme/inventory'),
      'services/inventory/src/main.ts': 'export {};\n',
      'services/inventory/sdk/package.json': pkg('@acme/inventory-sdk'),
      'services/inventory/sdk/src/index.ts': 'export class InventoryClient {}\n',
    });
    const configs = {
      ...FLEET,
      inventory: service('services/inventory'),
      'inventory-sdk': lib('services/inventory/sdk'),
    };
    const after = scan(configs);
    expect(brief(after.imports)).toEqual([`api -> inventory ${CONSUMER}:1 via inventory-sdk`]);
    expect(parsed()).toContain(CONSUMER);
  });

  it('a new paths alias that an unchanged, pre-filtered file already uses gets its edge on the next scan', () => {
    writeFleet({ [CONSUMER]: "import { OrdersClient } from '~orders';\n" });
    expect(scan(FLEET).imports).toEqual([]);
    write({
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { paths: { '~orders': ['services/orders/sdk/src/index.ts'] } },
      }),
    });
    expect(scan(FLEET).edges).toEqual(['api -> orders']);
  });

  it('deleting the provider service removes the edge, though the consumer is unchanged and cached', () => {
    writeFleet({ [CONSUMER]: lines("import '@acme/orders-sdk';", "import '@acme/payments';") });
    expect(scan(FLEET).edges).toEqual(['api -> orders', 'api -> payments']);
    extract.mockClear();

    // payments goes entirely; orders loses its service project but the SDK folder stays.
    rmSync(join(root, 'services/payments'), { recursive: true });
    const { orders: _orders, payments: _payments, 'payments-sdk': _paymentsSdk, ...rest } = FLEET;
    const { imports, edges } = scan(rest);
    expect(edges).toEqual([]);
    expect(imports).toEqual([]);
    expect(parsed()).not.toContain(CONSUMER);
  });

  it('moving an SDK to another service moves the edge, though the consumer is unchanged and cached', () => {
    writeFleet({
      'services/orders/client/package.json': pkg('@acme/client'),
      'services/orders/client/src/index.ts': 'export class Client {}\n',
      [CONSUMER]: "import { Client } from '@acme/client';\n",
    });
    expect(brief(scan({ ...FLEET, client: lib('services/orders/client') }).imports)).toEqual([
      `api -> orders ${CONSUMER}:1 via client`,
    ]);
    extract.mockClear();

    renameSync(join(root, 'services/orders/client'), join(root, 'services/payments/client'));
    const { imports, edges } = scan({ ...FLEET, client: lib('services/payments/client') });
    expect(brief(imports)).toEqual([`api -> payments ${CONSUMER}:1 via client`]);
    expect(edges).toEqual(['api -> payments']);
    expect(parsed()).not.toContain(CONSUMER);
  });

  it('retagging an SDK moves the edge', () => {
    writeFleet({
      'libs/client/package.json': pkg('@acme/client'),
      'libs/client/src/index.ts': 'export {};\n',
      [CONSUMER]: "import '@acme/client';\n",
    });
    expect(scan({ ...FLEET, client: lib('libs/client', ['fleet:sdk-of:orders']) }).edges).toEqual(['api -> orders']);
    expect(scan({ ...FLEET, client: lib('libs/client', ['fleet:sdk-of:payments']) }).edges).toEqual([
      'api -> payments',
    ]);
  });

  it('saves the cache once the scan has answered, and drops entries of files that are no longer listed', async () => {
    const afterAnswer = () => new Promise((resolve) => setImmediate(resolve));
    writeFleet({
      [CONSUMER]: "import '@acme/orders-sdk';\n",
      'services/api/src/old.ts': "import '@acme/payments-sdk';\n",
    });
    scan(FLEET);
    await afterAnswer();
    const dir = join(root, '.nx', 'workspace-data', 'nx-fleet');
    const names = readdirSync(dir).filter((name) => /^imports\.v\d+\.json$/.test(name));
    expect(names).toHaveLength(1);
    const file = join(dir, names[0]!);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toContain('services/api/src/old.ts');
    unlinkSync(join(root, 'services/api/src/old.ts'));
    expect(scan(FLEET).edges).toEqual(['api -> orders']);
    await afterAnswer();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).not.toHaveProperty(['services/api/src/old.ts']);
    expect(saved).toHaveProperty([CONSUMER]);
  });
});

describe('scanRuntimeImports: imports the pre-filter must not drop', () => {
  it('a relative import climbing out of the project reaches an SDK without a package name', () => {
    write({
      'services/orders/sdk/src/index.ts': 'export {};\n',
      'services/api/src/deep/er/main.ts': "import '../../../../orders/sdk/src';\n",
      'services/api/src/deep/er/near.ts': "import '../../../other';\n",
      'services/api/other.ts': 'export {};\n',
    });
    const { imports } = scan(FLEET);
    expect(brief(imports)).toEqual(['api -> orders services/api/src/deep/er/main.ts:1 via orders-sdk']);
  });

  interface Dropped {
    files: Record<string, string>;
    configs?: Record<string, Config>;
    consumer: string;
    edge: string;
  }
  const dropped: Record<string, Dropped> = {
    "a paths alias declared in the consuming project's own tsconfig.json": {
      files: {
        'services/orders/sdk/src/index.ts': 'export {};\n',
        'services/api/tsconfig.json': JSON.stringify({
          compilerOptions: { paths: { '#orders-sdk': ['../orders/sdk/src/index.ts'] } },
        }),
        'services/api/src/main.ts': "import { x } from '#orders-sdk';\n",
      },
      consumer: 'services/api/src/main.ts',
      edge: 'api -> orders',
    },
    'a paths alias that tsconfig.base.json inherits through extends': {
      files: {
        'tsconfig.paths.json': JSON.stringify({
          compilerOptions: { paths: { '@orders/sdk': ['services/orders/sdk/src/index.ts'] } },
        }),
        'tsconfig.base.json': JSON.stringify({ extends: './tsconfig.paths.json', compilerOptions: { strict: true } }),
        'services/orders/sdk/src/index.ts': 'export {};\n',
        'services/api/src/main.ts': "import { x } from '@orders/sdk';\n",
      },
      consumer: 'services/api/src/main.ts',
      edge: 'api -> orders',
    },
    'a baseUrl-relative import': {
      files: {
        'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.' } }),
        'services/orders/sdk/src/index.ts': 'export {};\n',
        'services/api/src/main.ts': "import { x } from 'services/orders/sdk/src';\n",
      },
      consumer: 'services/api/src/main.ts',
      edge: 'api -> orders',
    },
    'a relative import from a root "." service': {
      files: {
        'services/orders/sdk/src/index.ts': 'export {};\n',
        'src/main.ts': "import { x } from '../services/orders/sdk/src';\n",
      },
      configs: { gateway: service('.'), orders: service('services/orders'), 'orders-sdk': lib('services/orders/sdk') },
      consumer: 'src/main.ts',
      edge: 'gateway -> orders',
    },
    "a relative import of the SDK of a service nested in the importing service's folder": {
      files: {
        'services/orders/billing/sdk/src/index.ts': 'export {};\n',
        'services/orders/src/main.ts': "import { x } from '../billing/sdk/src';\n",
      },
      configs: {
        orders: service('services/orders'),
        billing: service('services/orders/billing'),
        'billing-sdk': lib('services/orders/billing/sdk'),
      },
      consumer: 'services/orders/src/main.ts',
      edge: 'orders -> billing',
    },
  };

  // Each of these slips past a naive pre-filter (root-only aliases, no baseUrl folders, counting `../` without nested projects).
  it.each(Object.entries(dropped))('%s makes its edge', (_name, { files, configs, edge }) => {
    write(files);
    expect(scan(configs ?? FLEET).edges).toEqual([edge]);
  });

  it("makes no edge to a root service through a folder no project holds (iqb-berlin's libs/api-dto behind an alias)", () => {
    write({
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { paths: { '@m/dto': ['libs/dto/src/index.ts'] } } }),
      'libs/dto/src/index.ts': 'export class Dto {}\n',
      'services/api/src/main.ts': "import { Dto } from '@m/dto';\nexport const dto = new Dto();\n",
      'services/orders/sdk/src/index.ts': 'export {};\n',
      'services/web/src/main.ts': "import { x } from '../../orders/sdk/src';\n",
    });
    const configs = {
      mono: service('.'),
      api: service('services/api'),
      web: service('services/web'),
      orders: service('services/orders'),
    };
    expect(scan(configs).edges).toEqual(['web -> orders']);
  });

  // Control for the bugs above: the same files with a line that gets past the pre-filter do make the edge, so resolution and ownership are right.
  it.each(Object.entries(dropped))(
    '%s makes its edge once the pre-filter lets the file through',
    (_name, { files, configs, edge, consumer }) => {
      write({ ...files, [consumer]: `${files[consumer]}// '../../../../../../'\n` });
      expect(scan(configs ?? FLEET).edges).toEqual([edge]);
    },
  );
});

describe('scanRuntimeImports: sanity of the fixture helpers', () => {
  it('lists each file under its deepest project only', () => {
    writeFleet();
    const files = fileMap(FLEET);
    expect(files['orders']!.map((f) => f.file).sort()).toEqual([
      'services/orders/package.json',
      'services/orders/src/main.ts',
      'services/orders/src/routes.ts',
    ]);
    expect(files['orders-sdk']!.map((f) => f.file).sort()).toEqual([
      'services/orders/sdk/package.json',
      'services/orders/sdk/src/index.ts',
    ]);
    expect(existsSync(join(root, 'services/api/src/main.ts'))).toBe(true);
  });
});

/** Each (consumer, provider) pair the imports make, once, sorted: the links a scan finds. */
function consumerProviderPairs(imports: readonly RuntimeImport[]): string[] {
  return [
    ...new Set(imports.filter((i) => i.consumer !== i.provider).map((i) => `${i.consumer} -> ${i.provider}`)),
  ].sort();
}
