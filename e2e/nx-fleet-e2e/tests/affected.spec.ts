import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { detectEngine, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace, type WorkspaceTemplate } from '../../../tools/fleet-harness/src/workspace';

/*
 * Issue 13 on both majors: runtime knowledge decides what ships, never what builds. Nx 23 selects
 * affected projects, Nx 24 affected tasks; the same fleet must give the same pushes on both, never a
 * task-graph cycle, and never an affected library.
 *
 *   orders ← payments ⇄ billing        (SDK calls; payments and billing call each other)
 *   orders ← gateway, through libs/shared, which orders itself uses
 *   shipping: a type-only import of orders' SDK and a test file calling payments: calls nobody
 *   web → @acme/client, an SDK of two services (api, realtime)
 *   jobs → @acme/core/workers, a subpath SDK of workers; audit → @acme/core: calls nobody
 */

const CALLERS = ['orders', 'payments', 'billing', 'gateway', 'shipping'];
const OTHERS = ['api', 'realtime', 'web', 'workers', 'jobs', 'audit', 'platform', 'platform-agent'];
const SERVICES = [...CALLERS, ...OTHERS];
const LIBRARIES = ['orders-sdk', 'payments-sdk', 'billing-sdk', 'shared', 'client', 'core'];

const BUILD = {
  build: {
    executor: 'nx:run-commands',
    options: { command: 'node -e "process.stdout.write(process.env.NX_TASK_TARGET_PROJECT)"' },
  },
};

function sdk(ws: TestWorkspace, dir: string, name: string, body = 'export const call = (): number => 1;\n'): void {
  ws.write(`${dir}/project.json`, JSON.stringify({ name, root: dir, targets: BUILD }));
  ws.write(`${dir}/src/index.ts`, body);
}

function library(ws: TestWorkspace, dir: string, name: string, packageName: string, files: Record<string, string>) {
  ws.write(`${dir}/project.json`, JSON.stringify({ name, root: dir, targets: BUILD }));
  ws.write(`${dir}/package.json`, JSON.stringify({ name: packageName, version: '1.0.0' }));
  for (const [file, text] of Object.entries(files)) ws.write(`${dir}/${file}`, text);
}

/** The fleet above, with a `build` target on every project and `build.dependsOn ["^build"]`, committed. */
async function fleet(template: WorkspaceTemplate): Promise<TestWorkspace> {
  const ws = TestWorkspace.create(`affected-${template}`, template);
  const tsconfig = ws.exists('tsconfig.base.json')
    ? ws.readJson<{ compilerOptions?: Record<string, unknown> }>('tsconfig.base.json')
    : {};
  const alias = (dir: string) => [`${dir}/src/index.ts`];
  ws.write(
    'tsconfig.base.json',
    JSON.stringify({
      ...tsconfig,
      compilerOptions: {
        ...tsconfig.compilerOptions,
        baseUrl: '.',
        paths: {
          '@acme/orders-sdk': alias('services/orders/sdk'),
          '@acme/payments-sdk': alias('services/payments/sdk'),
          '@acme/billing-sdk': alias('services/billing/sdk'),
          '@acme/shared': alias('libs/shared'),
          '@acme/client': alias('libs/client'),
          '@acme/core': alias('libs/core'),
          '@acme/core/*': ['libs/core/src/*'],
        },
      },
    }),
  );
  const service = (name: string, source: string, files: Record<string, string> = {}) => {
    ws.addTsService(name, { source, files });
    const project = ws.readJson<Record<string, unknown>>(`services/${name}/project.json`);
    ws.write(`services/${name}/project.json`, JSON.stringify({ ...project, targets: BUILD }));
  };
  service('orders', "import { format } from '@acme/shared';\nexport const orders = format(1);\n");
  sdk(ws, 'services/orders/sdk', 'orders-sdk');
  library(ws, 'libs/shared', 'shared', '@acme/shared-lib', {
    'src/index.ts':
      "import { call } from '@acme/orders-sdk';\nexport const format = (n: number): string => `${n}`;\nexport const lookup = () => call();\n",
  });
  service(
    'payments',
    "import { call } from '@acme/orders-sdk';\nimport { call as bill } from '@acme/billing-sdk';\nexport const p = [call(), bill()];\n",
  );
  sdk(ws, 'services/payments/sdk', 'payments-sdk');
  service('billing', "import { call } from '@acme/payments-sdk';\nexport const b = call();\n");
  sdk(ws, 'services/billing/sdk', 'billing-sdk');
  service('gateway', "import { lookup } from '@acme/shared';\nexport const g = lookup();\n");
  service('shipping', "import type { call } from '@acme/orders-sdk';\nexport type Call = typeof call;\n", {
    'src/main.spec.ts': "import { call } from '@acme/payments-sdk';\ncall();\n",
  });
  service('api', 'export const api = 1;\n');
  service('realtime', 'export const realtime = 1;\n');
  library(ws, 'libs/client', 'client', '@acme/client', { 'src/index.ts': 'export const connect = (): number => 1;\n' });
  service('web', "import { connect } from '@acme/client';\nexport const w = connect();\n");
  service('workers', 'export const workers = 1;\n');
  library(ws, 'libs/core', 'core', '@acme/core', {
    'src/index.ts': 'export const core = 1;\n',
    'src/workers.ts': 'export const enqueue = (): number => 1;\n',
  });
  service('jobs', "import { enqueue } from '@acme/core/workers';\nexport const j = enqueue();\n");
  service('audit', "import { core } from '@acme/core';\nexport const a = core;\n");

  const nxJson = ws.readJson<{ plugins?: unknown[]; targetDefaults?: Record<string, unknown> }>('nx.json');
  ws.write(
    'nx.json',
    JSON.stringify(
      {
        ...nxJson,
        targetDefaults: { ...nxJson.targetDefaults, build: { dependsOn: ['^build'], cache: true } },
        plugins: [
          ...(nxJson.plugins ?? []).filter((p) => p !== 'nx-fleet' && (p as { plugin?: string }).plugin !== 'nx-fleet'),
          {
            plugin: 'nx-fleet',
            options: {
              gates: { scan: false },
              sdks: { '@acme/client': ['api', 'realtime'], '@acme/core/workers': 'workers' },
            },
          },
        ],
      },
      null,
      2,
    ),
  );
  // A service nested in another's folder (rule c): the outer folder's own files affect its push.
  ws.addTsService('platform-agent', { dir: 'platform/agent' });
  ws.write(
    'platform/agent/project.json',
    JSON.stringify({ ...ws.readJson<Record<string, unknown>>('platform/agent/project.json'), targets: BUILD }),
  );
  ws.write('platform/project.json', JSON.stringify({ name: 'platform', root: 'platform', targets: BUILD }));
  ws.write('platform/Dockerfile', 'FROM node:20\nCOPY platform/settings.json /app/\n');
  ws.write('platform/settings.json', '{}\n');
  ws.write('scripts/deploy.sh', 'echo deploy\n');
  await ws.commit('a fleet with runtime calls');
  return ws;
}

type TaskGraph = { tasks: Record<string, unknown>; dependencies: Record<string, string[]> };

describe.each<[string, WorkspaceTemplate]>([
  ['Nx 23 (project-level affected)', 'nx23'],
  ['Nx 24 (task-level affected)', 'nx24'],
])('%s: runtime knowledge decides what ships, never what builds', (_label, template) => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const engine = detectEngine();
  const env = () => ({ FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine });

  /**
   * The tasks `nx affected -t <target>` starts for the commits since `base`, without their
   * dependencies, not run: Nx 23 starts the target of every affected project that has it (its
   * `--graph` output also lists dependency tasks), Nx 24 the tasks its task-level selection picks.
   */
  async function affectedTasks(target: string, base: string): Promise<string[]> {
    const range = [`--base=${base}`, '--head=HEAD'];
    if (template === 'nx23')
      return (await ws.projects(['--affected', ...range, `--with-target=${target}`]))
        .map((p) => `${p}:${target}`)
        .sort();
    const file = `tmp/affected-${target}-${Date.now()}.json`;
    await ws.nxOk(['affected', '-t', target, ...range, '--exclude-task-dependencies', `--graph=${file}`]);
    const { tasks } = ws.readJson<{ tasks: TaskGraph }>(file);
    return Object.keys(tasks.tasks)
      .filter((id) => id.endsWith(`:${target}`))
      .sort();
  }

  async function buildTaskGraph(): Promise<TaskGraph> {
    const file = `tmp/build-${Date.now()}.json`;
    await ws.nxOk(['run-many', '-t', 'build', `--graph=${file}`]);
    const { tasks } = ws.readJson<{ tasks: TaskGraph & { roots?: unknown } }>(file);
    return {
      tasks: Object.fromEntries(Object.keys(tasks.tasks).map((id) => [id, true])),
      dependencies: tasks.dependencies,
    };
  }

  const pushRecord = (service: string) =>
    ws.readJson<{ digest: string; uploaded: boolean }>(`dist/fleet/services/${service}/push.json`);
  const imageRecord = (service: string) =>
    ws.readJson<{ contentTag: string; built: boolean }>(`dist/fleet/services/${service}/image.json`);

  beforeAll(async () => {
    registry = await startRegistry();
    ws = await fleet(template);
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('the runtime links are the pushes inputs: mutual calls, a library, two owners, a subpath; no type-only or test-file link', async () => {
    const { graph } = (await ws.graph()) as unknown as {
      graph: {
        nodes: Record<string, { data: { root: string; targets?: Record<string, { inputs?: unknown[] }> } }>;
        dependencies: Record<string, Array<{ type: string; target: string }>>;
      };
    };
    // Nothing of nx-fleet's in the project graph: only Nx's own code edges.
    expect(
      Object.values(graph.dependencies)
        .flat()
        .filter((e) => e.type === 'implicit'),
    ).toEqual([]);
    const rootOf = new Map(Object.entries(graph.nodes).map(([name, node]) => [node.data.root, name]));
    const links = SERVICES.flatMap((consumer) =>
      (graph.nodes[consumer]!.data.targets!['docker-push']!.inputs ?? []).flatMap((input) => {
        const root = typeof input === 'string' ? /^\{workspaceRoot\}\/(.+)\/\*\*$/.exec(input)?.[1] : undefined;
        // A parent service's folder (rule c) is no runtime link.
        const parent = root !== undefined && graph.nodes[consumer]!.data.root.startsWith(`${root}/`);
        return root && rootOf.has(root) && !parent ? [`${consumer}->${rootOf.get(root)}`] : [];
      }),
    ).sort();
    expect(links).toEqual([
      'billing->payments',
      'gateway->orders',
      'jobs->workers',
      'payments->billing',
      'payments->orders',
      'web->api',
      'web->realtime',
    ]);
  });

  it('nx run-many -t build with ^build: the same task graph as without nx-fleet, no cycle, and it succeeds', async () => {
    const withFleet = await buildTaskGraph();
    const nxJson = ws.read('nx.json');
    const parsed = JSON.parse(nxJson) as { plugins: unknown[] };
    ws.write(
      'nx.json',
      JSON.stringify({
        ...parsed,
        plugins: parsed.plugins.filter((p) => (p as { plugin?: string }).plugin !== 'nx-fleet'),
      }),
    );
    try {
      expect(await buildTaskGraph()).toEqual(withFleet);
    } finally {
      ws.write('nx.json', nxJson);
    }
    expect(Object.keys(withFleet.tasks)).toEqual(
      expect.arrayContaining([...SERVICES, ...LIBRARIES].map((p) => `${p}:build`)),
    );
    const result = await ws.nx(['run-many', '-t', 'build', '--output-style=static']);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/circular dependency/i);
    expect(result.code).toBe(0);
  });

  it('first deploy, then a one-service commit: only that service is built and pushed', async () => {
    const first = await ws.nx(['run-many', '-t', 'docker-push', '-p', CALLERS.join(','), '--output-style=static'], {
      env: env(),
    });
    if (first.code !== 0) throw new Error(`${first.stdout}\n${first.stderr}`);
    const base = await ws.head();
    ws.write('services/gateway/src/extra.ts', 'export const extra = 1;\n');
    await ws.commit('gateway only');
    expect(await affectedTasks('docker-push', base)).toEqual(['gateway:docker-push']);
    const before = Object.fromEntries(CALLERS.map((s) => [s, pushRecord(s).digest]));
    const result = await ws.nx(
      ['affected', '-t', 'docker-push', `--base=${base}`, '--head=HEAD', '--output-style=static'],
      {
        env: env(),
      },
    );
    if (result.code !== 0) throw new Error(`${result.stdout}\n${result.stderr}`);
    expect(imageRecord('gateway').built).toBe(true);
    expect(pushRecord('gateway').uploaded).toBe(true);
    expect(pushRecord('gateway').digest).not.toBe(before['gateway']);
    for (const s of CALLERS.filter((s) => s !== 'gateway')) expect(pushRecord(s).digest).toBe(before[s]);
  });

  it('a provider change: its callers push (no new digest), their builds and every library stay unaffected', async () => {
    const base = await ws.head();
    const digests = Object.fromEntries(CALLERS.map((s) => [s, pushRecord(s).digest]));
    ws.write('services/orders/src/v2.ts', 'export const v2 = true;\n');
    await ws.commit('orders v2');
    // payments calls orders; gateway through libs/shared. billing (through payments) and shipping (types only) do not.
    expect(await affectedTasks('docker-push', base)).toEqual([
      'gateway:docker-push',
      'orders:docker-push',
      'payments:docker-push',
    ]);
    const projects = await ws.projects(['--affected', `--base=${base}`, '--head=HEAD']);
    for (const library of LIBRARIES) expect(projects).not.toContain(library);
    const builds = await affectedTasks('build', base);
    if (template === 'nx24') expect(builds).toEqual(['orders:build']);
    // Nx 23 selects whole projects: the calling services are affected projects, the libraries never.
    else expect(builds).toEqual(['gateway:build', 'orders:build', 'payments:build']);

    const result = await ws.nx(
      ['affected', '-t', 'docker-push', `--base=${base}`, '--head=HEAD', '--output-style=static'],
      {
        env: env(),
      },
    );
    if (result.code !== 0) throw new Error(`${result.stdout}\n${result.stderr}`);
    expect(pushRecord('orders').uploaded).toBe(true);
    expect(pushRecord('orders').digest).not.toBe(digests['orders']);
    for (const caller of ['payments', 'gateway']) {
      expect(pushRecord(caller).uploaded).toBe(false);
      expect(pushRecord(caller).digest).toBe(digests[caller]);
    }
  });

  it("a parent service's own file (rule c) affects the nested service's push, and its build only per project on Nx 23", async () => {
    const base = await ws.head();
    ws.write('platform/settings.json', '{ "v": 2 }\n');
    await ws.commit('platform settings');
    expect(await affectedTasks('docker-push', base)).toEqual(['platform-agent:docker-push', 'platform:docker-push']);
    expect(await affectedTasks('build', base)).toEqual(
      template === 'nx24' ? ['platform:build'] : ['platform-agent:build', 'platform:build'],
    );
  });

  it('a lockfile change (rule d): the push of the service that imports the package on Nx 23; on Nx 24 what Nx selects for every target', async () => {
    const npm = (version: string) =>
      runOk('npm', ['install', '--save', '--no-fund', '--no-audit', `ms@${version}`], {
        cwd: ws.root,
        env: ws.env(),
        timeoutMs: 300_000,
      });
    await npm('2.1.2');
    ws.write('services/audit/src/ms.ts', "import ms from 'ms';\nexport const day = ms('1d');\n");
    await ws.commit('audit uses ms');
    const base = await ws.head();
    await npm('2.1.3');
    await ws.commit('bump ms');
    const pushes = await affectedTasks('docker-push', base);
    if (template === 'nx23') expect(pushes).toEqual(['audit:docker-push']);
    // Nx 24 without @nx/js 24 (not published yet) plans every task with the root's dependencies: the
    // bump affects every task, the user's own builds included. The pushes follow Nx, never more.
    else
      expect(pushes).toEqual(
        (await affectedTasks('build', base))
          .map((id) => id.replace(/:build$/, ''))
          .filter((p) => SERVICES.includes(p))
          .map((p) => `${p}:docker-push`),
      );
  });

  it('a file outside every project (rule b) affects every push, and no build', async () => {
    const base = await ws.head();
    ws.write('scripts/deploy.sh', 'echo deploy v2\n');
    await ws.commit('deploy script');
    expect(await affectedTasks('docker-push', base)).toEqual(SERVICES.map((s) => `${s}:docker-push`).sort());
    expect(await affectedTasks('build', base)).toEqual(
      template === 'nx24' ? [] : SERVICES.map((s) => `${s}:build`).sort(),
    );
  });

  it('Markdown inside a folder outside every project (a vendored repository, a handbook) affects no push', async () => {
    ws.write('scripts/README.md', '# scripts\n');
    ws.write('handbook/guide/intro.md', '# handbook\n');
    await ws.commit('documentation beside the scripts');
    const base = await ws.head();
    ws.write('scripts/README.md', '# scripts, v2\n');
    ws.write('handbook/guide/intro.md', '# handbook, v2\n');
    await ws.commit('documentation only');
    expect(await affectedTasks('docker-push', base)).toEqual([]);
    // The folder's other files still do.
    ws.write('scripts/deploy.sh', 'echo deploy v3\n');
    await ws.commit('deploy script again');
    expect(await affectedTasks('docker-push', base)).toEqual(SERVICES.map((s) => `${s}:docker-push`).sort());
  });
});
