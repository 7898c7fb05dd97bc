import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

type Edge = { source: string; target: string; type: string };
type Node = { name: string; data: { root: string; targets?: Record<string, { inputs?: unknown[] }> } };

/**
 * The runtime links nx-fleet infers, as `nx graph --file` shows them: a provider's folder among a
 * consumer's docker-push inputs (`consumer->provider`). Runtime knowledge is never a project-graph edge.
 */
async function runtimeLinks(
  ws: TestWorkspace,
  services: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string[]> {
  const file = `tmp/graph-${Date.now()}.json`;
  await ws.nxOk(['graph', `--file=${file}`], { env });
  const graph = ws.readJson<{ graph: { nodes: Record<string, Node>; dependencies: Record<string, Edge[]> } }>(
    file,
  ).graph;
  const byRoot = new Map(Object.values(graph.nodes).map((node) => [node.data.root, node.name]));
  // nx-fleet adds no edge of its own: every edge into a service is one of Nx's code edges.
  const implicit = Object.values(graph.dependencies)
    .flat()
    .filter((e) => e.type === 'implicit' && services.includes(e.target));
  expect(implicit).toEqual([]);
  return services
    .flatMap((consumer) =>
      (graph.nodes[consumer]?.data.targets?.['docker-push']?.inputs ?? []).flatMap((input) => {
        const root = typeof input === 'string' ? /^\{workspaceRoot\}\/(.+)\/\*\*$/.exec(input)?.[1] : undefined;
        const provider = root ? byRoot.get(root) : undefined;
        return provider && services.includes(provider) ? [`${consumer}->${provider}`] : [];
      }),
    )
    .sort();
}

function service(ws: TestWorkspace, name: string, main: string): void {
  ws.write(`services/${name}/project.json`, JSON.stringify({ name, root: `services/${name}` }));
  ws.write(`services/${name}/Dockerfile`, `FROM node:20\nCOPY services/${name} /app\n`);
  ws.write(`services/${name}/src/main.ts`, main);
}

function sdk(
  ws: TestWorkspace,
  dir: string,
  name: string,
  packageName: string,
  extra: Record<string, unknown> = {},
): void {
  ws.write(`${dir}/project.json`, JSON.stringify({ name, root: dir, ...extra }));
  ws.write(
    `${dir}/package.json`,
    JSON.stringify({
      name: packageName,
      version: '1.0.0',
      exports: { '.': './src/index.ts', './client': './src/client.ts' },
    }),
  );
  ws.write(`${dir}/src/index.ts`, 'export const call = (): number => 1;\n');
  ws.write(`${dir}/src/client.ts`, 'export interface Client { id: string }\n');
}

const SERVICES = ['orders', 'payments', 'shipping', 'gateway', 'catalog', 'billing'];

describe('runtime links from SDK imports (real nx CLI)', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = TestWorkspace.create('sdk-graph');
    ws.write(
      'tsconfig.base.json',
      JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] } },
      }),
    );
    // (1) nested SDK, reached through a tsconfig path alias
    service(ws, 'orders', 'export const orders = 1;\n');
    sdk(ws, 'services/orders/sdk', 'orders-sdk', '@acme/orders-sdk');
    service(
      ws,
      'payments',
      [
        "import { call } from '@acme/orders-sdk';",
        "// import { call } from '@acme/catalog-client';",
        "export const snippet = `import { x } from '@acme/catalog-client'`;",
        'export const paid = call();',
        '',
      ].join('\n'),
    );
    // (4) a package.json exports subpath, type-only
    service(ws, 'shipping', "import type { Client } from '@acme/orders-sdk/client';\nexport type C = Client;\n");
    // (2) a tagged SDK elsewhere, used through a shared library by gateway
    service(ws, 'catalog', 'export const catalog = 1;\n');
    sdk(ws, 'libs/catalog-client', 'catalog-client', '@acme/catalog-client', { tags: ['fleet:sdk-of:catalog'] });
    ws.write('libs/shared/project.json', JSON.stringify({ name: 'shared', root: 'libs/shared' }));
    ws.write('libs/shared/index.ts', "export const load = () => import('@acme/catalog-client');\n");
    service(ws, 'gateway', "import { load } from '../../../libs/shared';\nexport const g = load;\n");
    // (3) an SDK assigned by the plugin option; billing and payments call each other (a cycle)
    sdk(ws, 'libs/legacy-billing', 'legacy-billing', '@acme/legacy-billing');
    service(ws, 'billing', "const { call } = require('@acme/payments-sdk');\nexport const b = call;\n");
    sdk(ws, 'services/payments/sdk', 'payments-sdk', '@acme/payments-sdk');
    ws.write(
      'services/payments/src/bill.ts',
      "import legacy = require('@acme/legacy-billing');\nexport const l = legacy;\n",
    );
    const nxJson = ws.readJson<{ plugins: unknown[] }>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        {
          ...nxJson,
          plugins: [
            { plugin: 'nx-fleet', options: { gates: { scan: false }, sdks: { '@acme/legacy-billing': 'billing' } } },
          ],
        },
        null,
        2,
      ),
    );
    await ws.commit('a fleet with SDKs');
  });
  afterAll(() => ws?.dispose());

  it('every consumer push names its providers, cycles included; no project-graph edge, type-only imports call nothing', async () => {
    // shipping only imports a type of orders' SDK: no call, no link.
    expect(await runtimeLinks(ws, SERVICES)).toEqual([
      'billing->payments',
      'gateway->catalog',
      'payments->billing',
      'payments->orders',
    ]);
    // Nx's own edges stay as they were: consumer → SDK project, and nothing from nx-fleet.
    const graph = ws.readJson<{ graph: { dependencies: Record<string, Edge[]> } }>(
      (await ws.nxOk(['graph', '--file=tmp/full.json']), 'tmp/full.json'),
    ).graph;
    expect(graph.dependencies['payments']!.filter((e) => e.target === 'orders-sdk')).toHaveLength(1);
    expect(graph.dependencies['payments']!.filter((e) => e.target === 'orders')).toEqual([]);
  });

  it('runtimeGraph.ownProcess and workers: a cold graph computed in a process of its own, extracting on an extra thread (the packaged scripts), finds the same links', async () => {
    await ws.withFleetOptions({ runtimeGraph: { workers: 1, ownProcess: true } }, async () => {
      const file = 'tmp/graph-workers.json';
      const cold = await ws.nxOk(['graph', `--file=${file}`], { env: { NX_VERBOSE_LOGGING: 'true' } });
      // The process's verbose lines reach Nx's output through the plugin's worker.
      expect(cold.stdout + cold.stderr).toMatch(/nx-fleet: runtime graph: .*extra threads: 1; re-resolved: \d+\)/);
      expect(cold.stdout + cold.stderr).toMatch(
        /nx-fleet: createNodes computed in a process of its own \(CPU [\d.]+ ms\)/,
      );
      expect(await runtimeLinks(ws, SERVICES)).toEqual([
        'billing->payments',
        'gateway->catalog',
        'payments->billing',
        'payments->orders',
      ]);
    });
  });

  it('nx affected (Nx 23, per project) reaches the services that call the provider, never a library, never further', async () => {
    const base = await ws.head();
    ws.write('services/catalog/src/main.ts', 'export const catalog = 2;\n');
    await ws.commit('catalog v2');
    // gateway calls catalog through the library shared: shared itself is not affected.
    expect((await ws.projects(['--affected', `--base=${base}`, '--head=HEAD'])).sort()).toEqual(['catalog', 'gateway']);
    const base2 = await ws.head();
    ws.write('services/orders/src/main.ts', 'export const orders = 2;\n');
    await ws.commit('orders v2');
    // billing calls payments, which calls orders: billing is not affected by orders (no transitive runtime closure).
    expect((await ws.projects(['--affected', `--base=${base2}`, '--head=HEAD'])).sort()).toEqual([
      'orders',
      'payments',
    ]);
  });

  it('nx-fleet graph --json lists providers and consumers with file:line', async () => {
    const result = await ws.bin('nx-fleet', ['graph', '--json']);
    expect(result.code).toBe(0);
    const runtime = JSON.parse(result.stdout) as Array<{
      service: string;
      providers: Array<{ service: string; imports: Array<{ file: string; line: number; via: string }> }>;
      consumers: Array<{ service: string }>;
    }>;
    const orders = runtime.find((s) => s.service === 'orders')!;
    // shipping imports only a type of orders' SDK: evidence, not a call.
    expect(orders.consumers.map((c) => c.service)).toEqual(['payments']);
    const gateway = runtime.find((s) => s.service === 'gateway')!;
    expect(gateway.providers).toEqual([
      {
        service: 'catalog',
        imports: [
          {
            file: 'libs/shared/index.ts',
            line: 1,
            specifier: '@acme/catalog-client',
            via: 'shared',
            sdk: 'catalog-client',
          },
        ],
      },
    ]);
    const payments = runtime.find((s) => s.service === 'payments')!;
    expect(payments.providers.find((p) => p.service === 'orders')!.imports[0]).toMatchObject({
      file: 'services/payments/src/main.ts',
      line: 1,
    });
  });

  describe.each([
    ['without the daemon', { NX_DAEMON: 'false' }],
    ['with the daemon', { NX_DAEMON: 'true', CI: 'false' }],
  ])('links stay right as the workspace changes, %s, without nx reset', (_label, env) => {
    afterAll(async () => {
      await ws.nx(['daemon', '--stop'], { env });
    });

    it('a new service whose SDK an unchanged file already imports, then deleted; a moved SDK; a renamed package; an edited import', async () => {
      const name = env.NX_DAEMON === 'true' ? 'ledger-d' : 'ledger';
      // An unchanged file imports an SDK that does not exist yet.
      ws.write(
        `services/gateway/src/${name}.ts`,
        `import { call } from '@acme/${name}-sdk';\nexport const v = call;\n`,
      );
      await ws.commit(`gateway uses ${name}`);
      expect(await runtimeLinks(ws, [...SERVICES, name], env)).not.toContain(`gateway->${name}`);
      service(ws, name, 'export const l = 1;\n');
      sdk(ws, `services/${name}/sdk`, `${name}-sdk`, `@acme/${name}-sdk`);
      await ws.commit(`add ${name}`);
      expect(await runtimeLinks(ws, [...SERVICES, name], env)).toContain(`gateway->${name}`);

      // The SDK moves to another service (re-tagged and moved out of the folder).
      ws.remove(`services/${name}/sdk`);
      sdk(ws, `libs/${name}-sdk`, `${name}-sdk`, `@acme/${name}-sdk`, { tags: ['fleet:sdk-of:billing'] });
      await ws.commit('move the sdk to billing');
      let edges = await runtimeLinks(ws, [...SERVICES, name], env);
      expect(edges).not.toContain(`gateway->${name}`);
      expect(edges).toContain('gateway->billing');

      // The package is renamed: the unchanged import no longer reaches it.
      const pkg = ws.readJson<Record<string, unknown>>(`libs/${name}-sdk/package.json`);
      ws.write(`libs/${name}-sdk/package.json`, JSON.stringify({ ...pkg, name: `@acme/${name}-client` }));
      await ws.commit('rename the package');
      expect(await runtimeLinks(ws, [...SERVICES, name], env)).not.toContain('gateway->billing');

      // The import is edited to the new name: the edge is back.
      ws.write(
        `services/gateway/src/${name}.ts`,
        `import { call } from '@acme/${name}-client';\nexport const v = call;\n`,
      );
      await ws.commit('follow the rename');
      expect(await runtimeLinks(ws, [...SERVICES, name], env)).toContain('gateway->billing');

      // The service is deleted; the graph still builds and the edge is gone.
      ws.remove(`libs/${name}-sdk`);
      ws.remove(`services/${name}`);
      await ws.commit(`delete ${name}`);
      edges = await runtimeLinks(ws, SERVICES, env);
      expect(edges.some((e) => e.includes(name))).toBe(false);
      expect(edges).not.toContain('gateway->billing');
    });
  });

  it('bad input never breaks the graph: at most one warning naming the file', async () => {
    ws.write('services/orders/src/broken.ts', 'import { call } from "@acme/payments-sdk"\nexport const = ;;; {{{\n');
    ws.write(
      'services/orders/src/unresolved.ts',
      "import { nothing } from '@acme/no-such-sdk';\nimport x from './missing';\n",
    );
    // The head of an MPEG transport stream (also `.ts`): NULs and bytes that are no UTF-8.
    ws.write('services/orders/src/binary.ts', Buffer.from([0x47, 0x40, 0, 0x10, 0, 0xff, 0xfe, 0x80]));
    // Named because it may call another service (one naming no other project is not named at all).
    ws.write(
      'services/orders/src/generated.ts',
      `// generated\nimport { call } from '@acme/payments-sdk';\nexport const data = ${JSON.stringify('x'.repeat(5 * 1024 * 1024))};\n`,
    );
    ws.write('services/orders/tsconfig.json', '{ "compilerOptions": { "paths": ');
    await ws.commit('bad input');
    const result = await ws.nx(['graph', '--file=tmp/bad.json']);
    expect(result.code).toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/services\/orders\/src\/binary\.ts is not text/);
    expect(output).toMatch(
      /files over 1 MB are not scanned for SDK imports: services\/orders\/src\/generated\.ts \(5\.0 MB\)/,
    );
    expect(output).toMatch(/services\/orders\/tsconfig\.json could not be read/);
    expect(output.match(/generated\.ts \(5\.0 MB\)/g)).toHaveLength(1);
    // The syntax error does not hide the import that is there.
    expect(await runtimeLinks(ws, SERVICES)).toContain('orders->payments');
    // nx-fleet graph computes the project graph, then scans again: each warning once all the same.
    await ws.nxOk(['reset']);
    const cli = await ws.bin('nx-fleet', ['graph']);
    expect(cli.code).toBe(0);
    expect((cli.stdout + cli.stderr).match(/binary\.ts is not text/g)).toHaveLength(1);
    // With the daemon, whose worker's output goes to its log: nx-fleet graph prints them, once, each time.
    const daemon = { NX_DAEMON: 'true', CI: 'false' };
    try {
      for (let run = 0; run < 2; run++) {
        const withDaemon = await ws.bin('nx-fleet', ['graph'], { env: daemon });
        expect(withDaemon.code).toBe(0);
        expect((withDaemon.stdout + withDaemon.stderr).match(/binary\.ts is not text/g)).toHaveLength(1);
      }
    } finally {
      await ws.nx(['daemon', '--stop'], { env: daemon });
    }

    // Computed in a process of its own, the same: its warnings reach Nx's output, once each.
    await ws.withFleetOptions({ runtimeGraph: { ownProcess: true } }, async () => {
      const inOwn = await ws.nx(['graph', '--file=tmp/bad-apart.json'], { env: { NX_VERBOSE_LOGGING: 'true' } });
      expect(inOwn.code).toBe(0);
      const text = inOwn.stdout + inOwn.stderr;
      expect(text).toMatch(/nx-fleet: createNodes computed in a process of its own/);
      expect(text).toMatch(/services\/orders\/src\/binary\.ts is not text/);
      expect(text).toMatch(/services\/orders\/tsconfig\.json could not be read/);
      expect(text.match(/generated\.ts \(5\.0 MB\)/g)).toHaveLength(1);
      expect(await runtimeLinks(ws, SERVICES)).toContain('orders->payments');
    });
  });

  it("with the daemon, an ignore file git does not track, made in a folder untouched for a while, changes the image's inputs at the next edit", async () => {
    const daemon = { NX_DAEMON: 'true', CI: 'false' };
    ws.write('.gitignore', `${ws.read('.gitignore')}\n*.dockerignore\n`);
    // Copies the whole workspace: which files its image is made of is what an ignore file says.
    ws.write('services/whole/project.json', JSON.stringify({ name: 'whole', root: 'services/whole' }));
    ws.write(
      'services/whole/Dockerfile',
      'FROM node:20\nCOPY ./ /workspace\nWORKDIR /workspace/services/whole\nCMD ["node", "main.js"]\n',
    );
    ws.write('services/whole/main.js', 'console.log(1);\n');
    await ws.commit('a service made of the whole workspace; ignore files stay local');
    const buildInputs = async () => {
      const file = `tmp/graph-ignore-${Date.now()}.json`;
      await ws.nxOk(['graph', `--file=${file}`], { env: daemon });
      const nodes = ws.readJson<{ graph: { nodes: Record<string, Node> } }>(file).graph.nodes;
      return nodes['whole']!.data.targets?.['docker-build']?.inputs;
    };
    const edit = (n: number) => ws.write('services/catalog/src/edited.ts', `export const n = ${n};\n`);
    // Every folder last changed a minute ago: their times can stand for the files they lack.
    const old = new Date(Date.now() - 60_000);
    const age = (dir: string): void => {
      for (const entry of readdirSync(join(ws.root, dir))) {
        const path = join(dir, entry);
        if (entry !== 'node_modules' && !entry.startsWith('.') && statSync(join(ws.root, path)).isDirectory())
          age(path);
      }
      utimesSync(join(ws.root, dir), old, old);
    };
    try {
      edit(0);
      age('.');
      const before = await buildInputs();
      expect(before).not.toContain('{workspaceRoot}/services/whole/**');
      // The daemon's worker answers an edit again, with the folders' times taken while it idled.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      edit(1);
      expect(await buildInputs()).toEqual(before);
      // An allow-list beside the Dockerfile, which the build reads before the root's: the inputs are what it lets through.
      ws.write('services/whole/Dockerfile.dockerignore', '*\n!services/whole\n');
      edit(2);
      expect(await buildInputs()).toContain('{workspaceRoot}/services/whole/**');
    } finally {
      await ws.nx(['daemon', '--stop'], { env: daemon });
      ws.remove('services/whole');
      ws.remove('services/catalog/src/edited.ts');
      await ws.commit('no whole service');
    }
  });
});
