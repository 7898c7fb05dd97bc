import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import {
  addProjectConfiguration,
  getProjects,
  readJson,
  readNxJson,
  readProjectConfiguration,
  type Tree,
} from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import picomatch from 'picomatch';
import ts from 'typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import { PRODUCTION_INPUT } from '../init/nx-json';
import { GENERATED_DEV_DEPENDENCIES, PACT_DEV_DEPENDENCY } from '../workspace-setup';
import serviceGenerator, { normalizeServiceOptions, serviceGenerator as namedServiceGenerator } from './generator';
import type { ServiceGeneratorSchema } from './schema';

/** The declarations of @pact-foundation/pact 16.x the generated pact tests rely on (PactV3, MatchersV3.string), same signatures. */
const PACT_16_SUBSET = `declare module '@pact-foundation/pact' {
  export interface PactV3Options { dir?: string; consumer: string; provider: string; logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error'; port?: number; host?: string }
  export interface V3MockServer { port: number; url: string; id: string }
  export interface V3Request { method: string; path: string; query?: Record<string, string | string[]>; headers?: Record<string, string>; body?: unknown }
  export interface V3Response { status: number; headers?: Record<string, string>; body?: unknown }
  export class PactV3 {
    constructor(opts: PactV3Options);
    given(providerState: string, parameters?: Record<string, unknown>): PactV3;
    uponReceiving(description: string): PactV3;
    withRequest(req: V3Request): PactV3;
    willRespondWith(res: V3Response): PactV3;
    executeTest<T>(testFn: (mockServer: V3MockServer) => Promise<T>): Promise<T | undefined>;
  }
  export namespace MatchersV3 {
    function string(example?: string): { 'pact:matcher:type': 'type'; value: string };
  }
}
`;

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
  return tree;
}

const generate = (tree: Tree, options: Partial<ServiceGeneratorSchema> & { name: string }) =>
  serviceGenerator(tree, { skipFormat: true, ...options });

const read = (tree: Tree, path: string): string => {
  const content = tree.read(path, 'utf-8');
  if (content === null) throw new Error(`${path} was not generated`);
  return content;
};

/** Files (not deleted) under a folder, relative to it. */
function filesUnder(tree: Tree, root: string): string[] {
  return tree
    .listChanges()
    .filter((c) => c.type !== 'DELETE' && c.path.startsWith(`${root}/`))
    .map((c) => c.path.slice(root.length + 1))
    .sort();
}

/** The Dockerfile's instructions before the first FROM, and per stage. */
function dockerStages(dockerfile: string): { preamble: string[]; stages: string[][] } {
  const lines = dockerfile
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const first = lines.findIndex((l) => l.startsWith('FROM '));
  const stages: string[][] = [];
  for (const line of lines.slice(first)) {
    if (line.startsWith('FROM ')) stages.push([line]);
    else stages[stages.length - 1]!.push(line);
  }
  return { preamble: lines.slice(0, first), stages };
}

/** Runs a generated module, transpiled to CommonJS, with the given modules and process. */
function runModule(
  source: string,
  modules: Record<string, unknown>,
  processStub: unknown = process,
): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exports: Record<string, unknown> = {};
  const requireStub = (id: string) => {
    if (id in modules) return modules[id];
    throw new Error(`unexpected import of ${id}`);
  };
  new Function('exports', 'require', 'process', outputText)(exports, requireStub, processStub);
  return exports;
}

describe('service generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = workspace();
  });

  it('exports the same function as default and by name', () => {
    expect(serviceGenerator).toBe(namedServiceGenerator);
  });

  describe('nx g nx-fleet:service orders', () => {
    let callback: unknown;

    beforeEach(async () => {
      callback = await generate(tree, { name: 'orders' });
    });

    it('returns the install callback without running it', () => {
      expect(typeof callback).toBe('function');
    });

    it('creates the service project', () => {
      const project = readProjectConfiguration(tree, 'orders');
      expect(project).toMatchObject({
        name: 'orders',
        root: 'services/orders',
        sourceRoot: 'services/orders/src',
        projectType: 'application',
        tags: ['type:service'],
        metadata: { fleet: { contextInclude: ['tsconfig.base.json'] } },
      });
      expect(project.targets?.['test']).toMatchObject({
        executor: 'nx:run-commands',
        options: { command: 'vitest run --root {projectRoot}' },
        cache: true,
      });
      expect(project.targets?.['typecheck']).toMatchObject({
        executor: 'nx:run-commands',
        options: { command: 'tsc -p {projectRoot}/tsconfig.json --noEmit' },
        cache: true,
      });
    });

    it('writes exactly the service and SDK files', () => {
      expect(filesUnder(tree, 'services/orders')).toEqual([
        'Dockerfile',
        'bundle.mjs',
        'project.json',
        'sdk/project.json',
        'sdk/src/index.spec.ts',
        'sdk/src/index.ts',
        'sdk/tsconfig.json',
        'sdk/vitest.config.mts',
        'src/app.spec.ts',
        'src/app.ts',
        'src/log.ts',
        'src/main.ts',
        'tsconfig.json',
        'vitest.config.mts',
      ]);
    });

    it('writes a multi-stage, non-root Dockerfile with a pinnable base image', () => {
      const { preamble, stages } = dockerStages(read(tree, 'services/orders/Dockerfile'));
      expect(preamble).toEqual(['ARG NODE_IMAGE=node:20']);
      expect(stages).toHaveLength(2);
      const [build, runtime] = stages as [string[], string[]];
      expect(build[0]).toBe('FROM ${NODE_IMAGE} AS build');
      expect(build).toContain('RUN node services/orders/bundle.mjs');
      expect(build).toContain(
        'RUN npm ci --no-audit --no-fund --ignore-scripts && node_modules/.bin/esbuild --version',
      );
      expect(runtime[0]).toBe('FROM ${NODE_IMAGE}');
      expect(runtime).toContain('COPY --from=build /workspace/services/orders/dist/main.js ./main.js');
      expect(runtime).toContain('ARG FLEET_GIT_SHA=unknown');
      expect(runtime).toContain('ENV NODE_ENV=production PORT=3000');
      expect(runtime).toContain(`RUN printf '%s' "$FLEET_GIT_SHA" > /app/REVISION`);
      expect(runtime).toContain('USER node');
      expect(runtime).toContain('EXPOSE 3000');
      expect(runtime.indexOf('USER node')).toBeLessThan(runtime.findIndex((l) => l.startsWith('CMD')));
      expect(runtime[runtime.length - 1]).toBe('CMD ["node", "main.js"]');
    });

    it('bundles src/main.ts to the dist/main.js the Dockerfile copies', () => {
      const bundle = read(tree, 'services/orders/bundle.mjs');
      expect(bundle).toContain("import { build } from 'esbuild';");
      expect(bundle).toContain("entryPoints: [join(here, 'src/main.ts')]");
      expect(bundle).toContain("outfile: join(here, 'dist/main.js')");
      expect(bundle).toContain('bundle: true');
      expect(bundle).toContain("platform: 'node'");
      expect(bundle).toContain("tsconfig: join(here, 'tsconfig.json')");
      expect(read(tree, 'services/orders/Dockerfile')).toContain('/workspace/services/orders/dist/main.js');
    });

    it('writes main.ts listening on the port and shutting down on SIGTERM', () => {
      const main = read(tree, 'services/orders/src/main.ts');
      expect(main).toContain("const port = Number(process.env['PORT'] ?? 3000);");
      expect(main).toContain("env['GIT_SHA']");
      expect(main).toContain("join(__dirname, 'REVISION')");
      expect(main).toContain("for (const signal of ['SIGTERM', 'SIGINT'] as const)");
      expect(main).toContain('server.close(() => process.exit(0))');
    });

    it('writes log.ts that prints one JSON object per line', () => {
      const written: string[] = [];
      const { log } = runModule(
        read(tree, 'services/orders/src/log.ts'),
        {},
        { stdout: { write: (s: string) => written.push(s) } },
      ) as {
        log: (level: string, msg: string, fields?: Record<string, unknown>) => void;
      };
      log('info', 'listening', { port: 3000 });
      log('error', 'failed');
      expect(written).toHaveLength(2);
      for (const line of written) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
      expect(JSON.parse(written[0]!)).toEqual({
        time: expect.any(String),
        level: 'info',
        service: 'orders',
        msg: 'listening',
        port: 3000,
      });
      expect(JSON.parse(written[1]!)).toMatchObject({ level: 'error', service: 'orders', msg: 'failed' });
    });

    it('writes app.ts with a health endpoint and no upstreams', () => {
      const app = read(tree, 'services/orders/src/app.ts');
      expect(app).toContain("req.url === '/health'");
      expect(app).toContain("service: 'orders', revision");
      expect(app).not.toContain('/upstream/');
      expect(app).not.toMatch(/from '@acme\//);
      const { upstreamsFromEnv } = runModule(app, { 'node:http': {}, './log': { log: () => undefined } }) as {
        upstreamsFromEnv: (env: object) => object;
      };
      expect(upstreamsFromEnv({})).toEqual({});
    });

    it('writes app.spec.ts with the health and 404 tests', () => {
      const spec = read(tree, 'services/orders/src/app.spec.ts');
      expect(spec.match(/\bit\(/g)).toHaveLength(2);
      expect(spec).toContain("describe('orders'");
    });

    it('writes vitest.config.mts and a tsconfig.json extending the workspace tsconfig.base.json', () => {
      expect(read(tree, 'services/orders/vitest.config.mts')).toContain("new URL('../../', import.meta.url)");
      expect(read(tree, 'services/orders/sdk/vitest.config.mts')).toContain("new URL('../../../', import.meta.url)");
      for (const root of ['services/orders', 'services/orders/sdk']) {
        const tsconfig = readJson<{ extends: string; include: string[] }>(tree, `${root}/tsconfig.json`);
        expect(posix.join(root, tsconfig.extends)).toBe('tsconfig.base.json');
        expect(tsconfig.include).toEqual(['src/**/*.ts']);
      }
      expect(readJson(tree, 'services/orders/tsconfig.json').extends).toBe('../../tsconfig.base.json');
    });

    it('creates the nested SDK project orders-sdk', () => {
      expect(readProjectConfiguration(tree, 'orders-sdk')).toMatchObject({
        name: 'orders-sdk',
        root: 'services/orders/sdk',
        sourceRoot: 'services/orders/sdk/src',
        projectType: 'library',
        tags: expect.arrayContaining(['fleet:sdk-of:orders']),
      });
      const sdk = read(tree, 'services/orders/sdk/src/index.ts');
      expect(sdk).toContain('export function createOrdersClient(');
      expect(sdk).toContain('export interface OrdersClient');
      expect(read(tree, 'services/orders/sdk/src/index.spec.ts')).toContain("'http://orders:3000/health'");
    });

    it('maps @acme/orders-sdk in the existing tsconfig.base.json', () => {
      const base = readJson<{ compilerOptions: { paths: Record<string, string[]> } }>(tree, 'tsconfig.base.json');
      expect(base.compilerOptions.paths).toEqual({ '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] });
      expect(tree.exists(base.compilerOptions.paths['@acme/orders-sdk']![0]!)).toBe(true);
    });

    it('adds the devDependencies the generated code needs', () => {
      const pkg = readJson<{ name: string; devDependencies: Record<string, string> }>(tree, 'package.json');
      expect(pkg.name).toBe('@acme/source');
      expect(pkg.devDependencies).toEqual(GENERATED_DEV_DEPENDENCIES);
    });

    it('registers the nx-fleet plugin and writes the root .dockerignore', () => {
      expect(readNxJson(tree)?.plugins).toContain('nx-fleet');
      expect(tree.exists('.dockerignore')).toBe(true);
    });

    it('leaves no ejs and no __tmpl__ suffix anywhere in the tree', () => {
      for (const change of tree.listChanges()) {
        if (change.type === 'DELETE') continue;
        expect(change.path).not.toContain('__tmpl__');
        const content = change.content!.toString('utf-8');
        expect(content, change.path).not.toContain('<%');
        expect(content, change.path).not.toContain('%>');
      }
    });
  });

  it('creates tsconfig.base.json when the workspace has none', async () => {
    tree.delete('tsconfig.base.json');
    await generate(tree, { name: 'orders' });
    const base = readJson<{ compilerOptions: { paths: Record<string, string[]>; strict: boolean } }>(
      tree,
      'tsconfig.base.json',
    );
    expect(base.compilerOptions.strict).toBe(true);
    expect(base.compilerOptions.paths).toEqual({ '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] });
  });

  it('merges into a tsconfig.base.json that has paths and options', async () => {
    tree.write(
      'tsconfig.base.json',
      JSON.stringify({
        compilerOptions: { target: 'es2022', paths: { '@acme/shared': ['libs/shared/src/index.ts'] } },
      }),
    );
    await generate(tree, { name: 'orders' });
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions).toEqual({
      target: 'es2022',
      baseUrl: '.',
      paths: { '@acme/shared': ['libs/shared/src/index.ts'], '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] },
    });
  });

  it('keeps dependencies already in package.json', async () => {
    tree.write(
      'package.json',
      JSON.stringify({ name: '@acme/source', dependencies: { zod: '4.0.0' }, devDependencies: { nx: '23.2.1' } }),
    );
    await generate(tree, { name: 'orders' });
    const pkg = readJson(tree, 'package.json');
    expect(pkg.dependencies).toEqual({ zod: '4.0.0' });
    expect(pkg.devDependencies).toEqual({ nx: '23.2.1', ...GENERATED_DEV_DEPENDENCIES });
  });

  it('creates the service in --directory', async () => {
    await generate(tree, { name: 'orders', directory: 'apps' });
    expect(readProjectConfiguration(tree, 'orders').root).toBe('apps/orders');
    expect(readProjectConfiguration(tree, 'orders-sdk').root).toBe('apps/orders/sdk');
    expect(tree.exists('services')).toBe(false);
    const dockerfile = read(tree, 'apps/orders/Dockerfile');
    expect(dockerfile).toContain('RUN node apps/orders/bundle.mjs');
    expect(dockerfile).toContain('COPY --from=build /workspace/apps/orders/dist/main.js ./main.js');
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths['@acme/orders-sdk']).toEqual([
      'apps/orders/sdk/src/index.ts',
    ]);
  });

  it.each([
    ['./apps/', 'apps/orders', '../../'],
    ['apps/backend', 'apps/backend/orders', '../../../'],
    ['', 'orders', '../'],
  ])('normalises --directory %j to the root %s', async (directory, root, offset) => {
    await generate(tree, { name: 'orders', directory });
    expect(readProjectConfiguration(tree, 'orders').root).toBe(root);
    expect(readJson(tree, `${root}/tsconfig.json`).extends).toBe(`${offset}tsconfig.base.json`);
    expect(readJson(tree, `${root}/sdk/tsconfig.json`).extends).toBe(`${offset}../tsconfig.base.json`);
    expect(read(tree, `${root}/vitest.config.mts`)).toContain(`new URL('${offset}', import.meta.url)`);
  });

  it('uses --port in the Dockerfile, main.ts and the SDK test', async () => {
    await generate(tree, { name: 'orders', port: 4000 });
    const { stages } = dockerStages(read(tree, 'services/orders/Dockerfile'));
    expect(stages[1]).toContain('EXPOSE 4000');
    expect(stages[1]).toContain('ENV NODE_ENV=production PORT=4000');
    expect(read(tree, 'services/orders/Dockerfile')).not.toContain('3000');
    expect(read(tree, 'services/orders/src/main.ts')).toContain("const port = Number(process.env['PORT'] ?? 4000);");
    expect(read(tree, 'services/orders/sdk/src/index.spec.ts')).toContain("'http://orders:4000/health'");
  });

  describe('--consumes', () => {
    beforeEach(async () => {
      await generate(tree, { name: 'orders', port: 4000 });
      await generate(tree, { name: 'payments' });
      await generate(tree, { name: 'order-history', directory: 'apps' });
    });

    it("writes one Pact consumer test per provider, writing its pact into the provider's pacts folder", async () => {
      await generate(tree, { name: 'web', consumes: 'orders,order-history' });
      const orders = read(tree, 'services/web/src/orders.pact.spec.ts');
      expect(orders).toContain("const committedDir = join(__dirname, '../../orders/pacts');");
      expect(orders).toContain("const file = 'web-orders.json';");
      expect(orders).toContain("new PactV3({ consumer: 'web', provider: 'orders', dir, logLevel: 'warn' })");
      // In CI it writes aside and compares with the committed pact.
      expect(orders).toContain("const dir = checking ? mkdtempSync(join(tmpdir(), 'pact-')) : committedDir;");
      expect(orders).toContain("from '@acme/orders-sdk'");
      // A provider in another folder: the path climbs out of services/.
      expect(read(tree, 'services/web/src/order-history.pact.spec.ts')).toContain(
        "const committedDir = join(__dirname, '../../../apps/order-history/pacts');",
      );
      expect(tree.exists('services/web/src/payments.pact.spec.ts')).toBe(false);
      expect(readJson(tree, 'package.json').devDependencies).toMatchObject(PACT_DEV_DEPENDENCY);
    });

    it('adds no Pact test and no Pact dependency to a service that consumes nothing', async () => {
      expect(filesUnder(tree, 'services/orders').filter((file) => file.endsWith('.pact.spec.ts'))).toEqual([]);
      expect(readJson(tree, 'package.json').devDependencies).not.toHaveProperty('@pact-foundation/pact');
    });

    it('imports the SDKs and calls them on /upstream routes', async () => {
      await generate(tree, { name: 'web', consumes: 'orders,payments' });
      const app = read(tree, 'services/web/src/app.ts');
      expect(app).toContain("import { createOrdersClient, type OrdersClient } from '@acme/orders-sdk';");
      expect(app).toContain("import { createPaymentsClient, type PaymentsClient } from '@acme/payments-sdk';");
      expect(app).toContain("req.url === '/upstream/orders') return send(200, await upstreams.orders.health());");
      expect(app).toContain("req.url === '/upstream/payments') return send(200, await upstreams.payments.health());");
      expect(app).toContain("env['ORDERS_URL'] ?? 'http://orders:4000'");
      expect(app).toContain("env['PAYMENTS_URL'] ?? 'http://payments:3000'");
    });

    it("defaults each upstream URL to the provider's DNS name and exposed port, overridable by env", async () => {
      await generate(tree, { name: 'web', consumes: 'orders,payments,order-history' });
      const clients = (name: string) => (url: string) => ({ client: name, url });
      const { upstreamsFromEnv } = runModule(read(tree, 'services/web/src/app.ts'), {
        'node:http': {},
        './log': { log: () => undefined },
        '@acme/orders-sdk': { createOrdersClient: clients('orders') },
        '@acme/payments-sdk': { createPaymentsClient: clients('payments') },
        '@acme/order-history-sdk': { createOrderHistoryClient: clients('order-history') },
      }) as { upstreamsFromEnv: (env: Record<string, string>) => unknown };
      expect(upstreamsFromEnv({})).toEqual({
        orders: { client: 'orders', url: 'http://orders:4000' },
        payments: { client: 'payments', url: 'http://payments:3000' },
        orderHistory: { client: 'order-history', url: 'http://order-history:3000' },
      });
      expect(upstreamsFromEnv({ ORDER_HISTORY_URL: 'http://localhost:9000' })).toMatchObject({
        orderHistory: { url: 'http://localhost:9000' },
      });
    });

    it('writes one app.spec.ts test per consumed service', async () => {
      await generate(tree, { name: 'web', consumes: 'orders,payments' });
      const spec = read(tree, 'services/web/src/app.spec.ts');
      expect(spec.match(/\bit\(/g)).toHaveLength(4);
      expect(spec).toContain("it('reaches orders through its SDK'");
      expect(spec).toContain("it('reaches payments through its SDK'");
      expect(spec).toContain('`${url}/upstream/orders`');
      expect(spec).toContain('`${url}/upstream/payments`');
    });

    it('trims and de-duplicates the list', async () => {
      await generate(tree, { name: 'web', consumes: ' orders , payments,orders,, ' });
      const app = read(tree, 'services/web/src/app.ts');
      expect(app.match(/from '@acme\/orders-sdk'/g)).toHaveLength(1);
      expect(app.match(/from '@acme\//g)).toHaveLength(2);
    });

    it('leaves no ejs in the generated files', async () => {
      await generate(tree, { name: 'web', consumes: 'orders,payments,order-history' });
      for (const file of filesUnder(tree, 'services/web'))
        expect(read(tree, `services/web/${file}`), file).not.toMatch(/<%|%>/);
    });

    it('generates TypeScript without syntax errors', async () => {
      await generate(tree, { name: 'web', consumes: 'orders,payments,order-history' });
      const sources = tree.listChanges().filter((c) => c.type !== 'DELETE' && /\.(ts|mts|mjs)$/.test(c.path));
      expect(sources.length).toBeGreaterThan(20);
      for (const { path, content } of sources) {
        const { diagnostics } = ts.transpileModule(content!.toString('utf-8'), {
          fileName: path,
          reportDiagnostics: true,
          compilerOptions: { module: ts.ModuleKind.ESNext },
        });
        expect(
          diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
          path,
        ).toEqual([]);
      }
    });

    // Slowest test here (~1-2 s): the real compiler over the written tree, with the workspace's own node_modules.
    it('generates code that type-checks against its SDKs', async () => {
      // A workspace without tsconfig.base.json: the generators write the whole compiler setup.
      tree = workspace();
      tree.delete('tsconfig.base.json');
      await generate(tree, { name: 'orders', port: 4000 });
      await generate(tree, { name: 'payments' });
      await generate(tree, { name: 'order-history', directory: 'apps' });
      await generate(tree, { name: 'web', consumes: 'orders,payments,order-history' });
      const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-service-'));
      try {
        for (const c of tree.listChanges()) {
          if (c.type === 'DELETE') continue;
          mkdirSync(dirname(join(dir, c.path)), { recursive: true });
          writeFileSync(join(dir, c.path), c.content!);
        }
        const require = createRequire(__filename);
        symlinkSync(dirname(dirname(require.resolve('typescript/package.json'))), join(dir, 'node_modules'), 'dir');
        const rootNames: string[] = [];
        let options: ts.CompilerOptions = {};
        for (const project of ['services/web', 'services/orders/sdk', 'apps/order-history']) {
          const parsed = ts.getParsedCommandLineOfConfigFile(
            join(dir, project, 'tsconfig.json'),
            {},
            {
              ...ts.sys,
              onUnRecoverableConfigFileDiagnostic: (d) => {
                throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
              },
            },
          )!;
          expect(parsed.errors).toEqual([]);
          rootNames.push(...parsed.fileNames);
          options = parsed.options;
        }
        // The unit suite does not install @pact-foundation/pact: the part of its 16.x API the generated pact tests use, as it declares it.
        writeFileSync(join(dir, 'pact-foundation-pact.d.ts'), PACT_16_SUBSET);
        const program = ts.createProgram({
          rootNames: [...rootNames, join(dir, 'pact-foundation-pact.d.ts')],
          options: { ...options, noEmit: true },
        });
        const errors = ts
          .getPreEmitDiagnostics(program)
          .map(
            (d) => `${d.file?.fileName.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
          );
        expect(errors).toEqual([]);
        // 10 files of the services and SDKs, and one pact test per consumed provider.
        expect(
          rootNames
            .filter((file) => file.endsWith('.pact.spec.ts'))
            .map((file) => file.slice(dir.length + 1))
            .sort(),
        ).toEqual([
          'services/web/src/order-history.pact.spec.ts',
          'services/web/src/orders.pact.spec.ts',
          'services/web/src/payments.pact.spec.ts',
        ]);
        expect(rootNames.length).toBe(13);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  });

  describe('errors', () => {
    it.each(['Orders', '1abc', 'a_b', '-x', 'x-', 'a--b', 'a'.repeat(51)])(
      'rejects the name %j, naming it and the rule',
      async (name) => {
        const before = tree.listChanges().length;
        await expect(generate(tree, { name })).rejects.toThrow(
          `nx-fleet: "${name}" is not a valid service name: use lowercase letters, digits and single dashes`,
        );
        expect(tree.listChanges()).toHaveLength(before);
      },
    );

    it('accepts a name of 50 characters', async () => {
      await expect(generate(tree, { name: 'a'.repeat(50) })).resolves.toBeTypeOf('function');
    });

    it('rejects an invalid --consumes entry', async () => {
      await expect(generate(tree, { name: 'web', consumes: 'orders,Payments' })).rejects.toThrow(
        '"Payments" is not a valid service --consumes entry',
      );
    });

    it('refuses an existing service without --force', async () => {
      await generate(tree, { name: 'orders' });
      await expect(generate(tree, { name: 'orders' })).rejects.toThrow(
        'nx-fleet: project "orders" already exists; pass --force to overwrite it.',
      );
      await expect(generate(tree, { name: 'orders', directory: 'apps' })).rejects.toThrow(
        'project "orders" already exists; pass --force',
      );
    });

    it('refuses an existing folder without --force', async () => {
      tree.write('services/orders/README.md', '# orders\n');
      await expect(generate(tree, { name: 'orders' })).rejects.toThrow(
        'nx-fleet: services/orders already exists; pass --force to overwrite it.',
      );
      expect(read(tree, 'services/orders/README.md')).toBe('# orders\n');
    });

    it('rejects --consumes of a missing project, naming it', async () => {
      await expect(generate(tree, { name: 'web', consumes: 'payments' })).rejects.toThrow(
        'nx-fleet: --consumes payments: no service "payments" with an SDK (no such project).',
      );
      expect(getProjects(tree).has('web')).toBe(false);
    });

    it('rejects --consumes of a project without an SDK, naming it and the fix', async () => {
      addProjectConfiguration(tree, 'legacy', { root: 'apps/legacy' });
      await expect(generate(tree, { name: 'web', consumes: 'legacy' })).rejects.toThrow(
        'nx-fleet: --consumes legacy: no service "legacy" with an SDK (missing apps/legacy/sdk/src/index.ts; run `nx g nx-fleet:sdk legacy`).',
      );
      expect(getProjects(tree).has('web')).toBe(false);
    });

    it('rejects a service consuming itself', async () => {
      await expect(generate(tree, { name: 'orders', consumes: 'payments,orders' })).rejects.toThrow(
        'nx-fleet: orders cannot consume itself (--consumes).',
      );
    });

    it.each([0, -1, 65536, 3000.5, Number.NaN])('rejects --port %s', async (port) => {
      await expect(generate(tree, { name: 'orders', port })).rejects.toThrow(
        `nx-fleet: --port ${port} is not a TCP port (1-65535).`,
      );
      expect(getProjects(tree).has('orders')).toBe(false);
    });

    it.each([1, 65535])('accepts --port %s', (port) => {
      expect(normalizeServiceOptions({ name: 'orders', port }).port).toBe(port);
    });
  });

  describe('--force', () => {
    it('overwrites an existing service, dropping files added to its folder', async () => {
      await generate(tree, { name: 'orders' });
      tree.write('services/orders/src/extra.ts', 'export const extra = 1;\n');
      tree.write('services/orders/sdk/src/extra.ts', 'export const extra = 1;\n');
      await generate(tree, { name: 'orders', port: 5000, force: true });
      expect(tree.exists('services/orders/src/extra.ts')).toBe(false);
      expect(tree.exists('services/orders/sdk/src/extra.ts')).toBe(false);
      expect(read(tree, 'services/orders/Dockerfile')).toContain('EXPOSE 5000');
      expect(readProjectConfiguration(tree, 'orders').root).toBe('services/orders');
      expect(readProjectConfiguration(tree, 'orders-sdk').root).toBe('services/orders/sdk');
      expect([...getProjects(tree).keys()].sort()).toEqual(['orders', 'orders-sdk']);
    });

    it('overwrites a folder that is not a project', async () => {
      tree.write('services/orders/README.md', '# orders\n');
      await generate(tree, { name: 'orders', force: true });
      expect(tree.exists('services/orders/README.md')).toBe(false);
      expect(readProjectConfiguration(tree, 'orders').root).toBe('services/orders');
    });

    it('overwrites a same-named service that lives in another folder', async () => {
      await generate(tree, { name: 'orders' });
      await generate(tree, { name: 'orders', directory: 'apps', force: true });
      expect(readProjectConfiguration(tree, 'orders').root).toBe('apps/orders');
      expect(tree.exists('services/orders')).toBe(false);
    });
  });

  describe('the production named input init adds', () => {
    const production = (root: string) => {
      const excluded = PRODUCTION_INPUT.filter((p) => p.startsWith('!')).map((p) =>
        p.slice(1).replace('{projectRoot}', root),
      );
      return (file: string) => !excluded.some((glob) => picomatch(glob)(file));
    };

    it('leaves out the generated spec files and keeps the sources', async () => {
      await generate(tree, { name: 'orders' });
      const isProduction = production('services/orders');
      expect(isProduction('services/orders/src/app.spec.ts')).toBe(false);
      expect(isProduction('services/orders/sdk/src/index.spec.ts')).toBe(false);
      expect(isProduction('services/orders/src/app.ts')).toBe(true);
      expect(isProduction('services/orders/Dockerfile')).toBe(true);
    });

    it('leaves out the vitest.config.mts the generators write', async () => {
      await generate(tree, { name: 'orders' });
      expect(tree.exists('services/orders/vitest.config.mts')).toBe(true);
      expect(production('services/orders')('services/orders/vitest.config.mts')).toBe(false);
    });
  });
});
