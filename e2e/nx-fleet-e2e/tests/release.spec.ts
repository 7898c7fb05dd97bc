import { join } from 'node:path';
import { startReleaseHarness, type ReleaseHarness } from '../../../tools/fleet-harness/src/release-setup';
import { run, runOk } from '../../../tools/fleet-harness/src/tools';
import type { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';
interface ReleaseJson {
  services: string[];
  waves: string[][];
  release: Array<{
    service: string;
    reasons: Array<{
      kind: string;
      provider?: string;
      files?: string[];
      chain?: Array<{ consumer: string; provider: string; file: string; line: number }>;
    }>;
  }>;
  skipped: Array<{ service: string }>;
  promoted?: Array<{ service: string; image: string; digest: string }>;
}

const SERVICES = ['billing', 'gateway', 'admin', 'orders', 'web'];

/** orders answers GET /orders/1; web's pact expects `total`. */
const ordersMain = (field: string, note = '') => `// ${note}
require('node:http').createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200); return res.end('ok'); }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: '1', ${field}: 10 }));
}).listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => process.exit(0));
`;

const webPact = JSON.stringify(
  {
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions: [
      {
        description: 'web reads order 1',
        request: { method: 'GET', path: '/orders/1' },
        response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: '1', total: 10 } },
      },
    ],
    metadata: { pactSpecification: { version: '3.0.0' } },
  },
  null,
  2,
);

describe('nx-fleet release: change rules, ledger, all-or-nothing promotion with reasons (real engine, registry, Pact)', () => {
  let harness: ReleaseHarness;
  let ws: TestWorkspace;
  const release = (args: string[]) => harness.release(args);
  const releaseJson = (args: string[]) => harness.releaseJson<ReleaseJson>(args);
  const ledger = () => harness.ledger();
  const affected = async (base: string) =>
    (await ws.nxOk(['show', 'projects', '--affected', `--base=${base}`, '--head=HEAD', '--json'])).stdout;
  const affectedServices = async (base: string) =>
    (JSON.parse(await affected(base)) as string[]).filter((p) => SERVICES.includes(p)).sort();

  beforeAll(async () => {
    harness = await startReleaseHarness('release', 'production', 'isolated');
    ws = harness.ws;
    await runOk('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '@pact-foundation/pact@16.5.0'], {
      cwd: ws.root,
      env: ws.env(),
      timeoutMs: 300_000,
    });
    await runOk('npm', ['install', '--save', '--no-fund', '--no-audit', 'ms@2.1.2'], {
      cwd: ws.root,
      env: ws.env(),
      timeoutMs: 300_000,
    });
    ws.write(
      'tsconfig.base.json',
      JSON.stringify(
        {
          compilerOptions: {
            baseUrl: '.',
            allowJs: true,
            paths: { '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] },
          },
        },
        null,
        2,
      ),
    );
    ws.addService('orders', {
      main: ordersMain('total'),
      dockerfile: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY services/orders/main.js ./',
        'EXPOSE 3000',
        'USER node',
        'CMD ["node", "main.js"]',
        '',
      ].join('\n'),
    });
    ws.write('services/orders/sdk/project.json', JSON.stringify({ name: 'orders-sdk', root: 'services/orders/sdk' }));
    ws.write('services/orders/sdk/src/index.ts', 'export const getOrder = (id: string) => fetch(`/orders/${id}`);\n');
    ws.write('services/orders/pacts/web-orders.json', webPact);
    ws.addService('web');
    ws.write(
      'services/web/src/client.ts',
      "import { getOrder } from '@acme/orders-sdk';\nexport const first = () => getOrder('1');\n",
    );
    ws.addService('billing', { main: "const ms = require('ms');\nconsole.log(ms('1d'));\n" });
    ws.addService('gateway');
    // A service nested in another service's folder (rule c).
    ws.addService('admin', { dir: 'services/gateway/admin' });
    ws.write('scripts/tool.sh', 'echo shared tooling\n');
    // A GitOps target next to the ledger: releases bump its images in the same commit.
    ws.write(
      'deploy/kustomization.yaml',
      '# bumped by nx-fleet release\nresources:\n  - orders.yaml\nimages:\n  - name: orders\n    newTag: old\n',
    );
    ws.write('docs/runbook.md', '# Runbook\n');
    await ws.commit('five services, one nested; web calls orders through its SDK and has a pact with it');
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('first release: every service, providers first, recorded in the ledger in one commit', async () => {
    const head = await ws.head();
    const result = await releaseJson(['--commit', '--kustomize', 'deploy/kustomization.yaml']);
    expect(result.services.sort()).toEqual([...SERVICES].sort());
    for (const r of result.release) expect(r.reasons).toEqual([{ kind: 'first-deploy' }]);
    const wave = (s: string) => result.waves.findIndex((w) => w.includes(s));
    expect(wave('orders')).toBeLessThan(wave('web'));
    const entries = ledger().environments['production']!;
    expect(Object.keys(entries).sort()).toEqual([...SERVICES].sort());
    for (const s of SERVICES) {
      expect(entries[s]!.gitSha).toBe(head);
      expect(await harness.registry.manifestDigest(s, entries[s]!.contentTag)).toBe(entries[s]!.digest);
    }
    expect(result.promoted?.map((p) => p.service).sort()).toEqual([...SERVICES].sort());
    // Committed: the ledger is the last commit, and the tree is clean.
    expect((await ws.git(['log', '-1', '--format=%s'])).stdout.trim()).toBe(
      `release(production): ${result.promoted!.map((p) => p.service).join(', ')}`,
    );
    expect((await ws.git(['status', '--porcelain', '--', 'deploy'])).stdout.trim()).toBe('');
    expect((await ws.git(['show', '--name-only', '--format=', 'HEAD'])).stdout.trim().split('\n').sort()).toEqual([
      'deploy/fleet.json',
      'deploy/kustomization.yaml',
    ]);
    const kustomization = ws.read('deploy/kustomization.yaml');
    expect(kustomization).toMatch(/^# bumped by nx-fleet release/);
    expect(kustomization).toContain(
      `- name: orders\n    newName: ${entries['orders']!.image}\n    digest: ${entries['orders']!.digest}`,
    );
    expect(kustomization).toContain(`- name: ${entries['web']!.image}\n    digest: ${entries['web']!.digest}`);
  });

  it('no-op release: nothing changed, every service skipped as already deployed, ledger and history untouched', async () => {
    const before = ws.read('deploy/fleet.json');
    const head = await ws.head();
    const result = await releaseJson(['--commit']);
    expect(result.services).toEqual([]);
    expect(result.skipped.map((s) => s.service).sort()).toEqual([...SERVICES].sort());
    expect(ws.read('deploy/fleet.json')).toBe(before);
    expect(await ws.head()).toBe(head);
  });

  it('change rules under nx affected: (a) a service folder, (b) a file outside every project but not docs, (c) a parent service folder, (d) a lockfile change only for the service whose dependency changed', async () => {
    let base = await ws.head();
    ws.write('services/billing/main.js', "const ms = require('ms');\nconsole.log(ms('2d'));\n");
    await ws.commit('billing changed');
    expect(await affectedServices(base)).toEqual(['billing']);

    base = await ws.head();
    ws.write('scripts/tool.sh', 'echo shared tooling v2\n');
    await ws.commit('a root script changed');
    expect(await affectedServices(base)).toEqual([...SERVICES].sort());

    base = await ws.head();
    ws.write('docs/runbook.md', '# Runbook v2\n');
    ws.write('README.md', '# changed readme\n');
    await ws.commit('documentation only');
    expect(await affectedServices(base)).toEqual([]);

    base = await ws.head();
    ws.write('services/gateway/main.js', "console.log('gateway v2');\n");
    await ws.commit('gateway changed');
    expect(await affectedServices(base)).toEqual(['admin', 'gateway']);

    base = await ws.head();
    await runOk('npm', ['install', '--save', '--no-fund', '--no-audit', 'ms@2.1.3'], {
      cwd: ws.root,
      env: ws.env(),
      timeoutMs: 300_000,
    });
    await ws.commit('bump ms');
    expect(await affectedServices(base)).toEqual(['billing']);
  });

  it('a provider change brings its SDK consumers into the release, with the import chain as the reason', async () => {
    ws.write('services/orders/main.js', ordersMain('total', 'v2'));
    await ws.commit('orders v2');
    const plan = await releaseJson(['--plan']);
    const web = plan.release.find((r) => r.service === 'web')!;
    expect(web.reasons).toContainEqual(
      expect.objectContaining({
        kind: 'provider',
        provider: 'orders',
        files: ['services/orders/main.js'],
        chain: [{ consumer: 'web', provider: 'orders', file: 'services/web/src/client.ts', line: 1 }],
      }),
    );
    expect(plan.release.find((r) => r.service === 'orders')!.reasons).toContainEqual({
      kind: 'changed',
      files: ['services/orders/main.js'],
    });
    // The shared script and the parent folder changed since the first release: those rules explain too.
    expect(plan.release.find((r) => r.service === 'admin')!.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'parent', parent: 'gateway' }),
        expect.objectContaining({ kind: 'shared', files: ['scripts/tool.sh'] }),
      ]),
    );
    const text = await release(['--plan']);
    expect(text.stdout).toMatch(
      /web\s+\S+\n\s+provider orders changed \(services\/orders\/main\.js\) via web → orders \(services\/web\/src\/client\.ts:1\)/,
    );
    // --plan changes nothing, and is a read: no task runs, no engine builds.
    expect(ledger().environments['production']!['orders']!.gitSha).not.toBe(await ws.head());
    expect(text.stdout + text.stderr).not.toMatch(/STEP \d|nx run |docker-build/);
  });

  it('one service fails its contract: zero services promoted, ledger untouched; fixed and re-run, exactly the pending services are promoted', async () => {
    ws.write('services/orders/main.js', ordersMain('amount', 'v3: total renamed'));
    await ws.commit("orders breaks web's contract");
    const before = ws.read('deploy/fleet.json');
    const kustomizationBefore = ws.read('deploy/kustomization.yaml');
    const head = await ws.head();
    const failed = await release(['--force', '--commit', '--kustomize', 'deploy/kustomization.yaml']);
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/web: FAILED/);
    expect(failed.stderr).toMatch(/nothing was promoted, the ledger is unchanged/);
    expect(ws.read('deploy/fleet.json')).toBe(before);
    expect(ws.read('deploy/kustomization.yaml')).toBe(kustomizationBefore);
    expect(await ws.head()).toBe(head);

    ws.write('services/orders/main.js', ordersMain('total', 'v4: total is back'));
    await ws.commit('orders fixed');
    const pending = (await releaseJson(['--plan'])).services.sort();
    expect(pending).toEqual(['admin', 'billing', 'gateway', 'orders', 'web']);
    const fixed = await releaseJson(['--commit']);
    expect(fixed.promoted?.map((p) => p.service).sort()).toEqual(pending);
    const entries = ledger().environments['production']!;
    for (const p of fixed.promoted!) expect(entries[p.service]!.digest).toBe(p.digest);
    // Idempotent: a re-run finds nothing left.
    expect((await releaseJson([])).services).toEqual([]);
  });

  it('forced release: every service again, with "forced" as the reason', async () => {
    const result = await releaseJson(['--force', '--commit']);
    expect(result.services.sort()).toEqual([...SERVICES].sort());
    for (const r of result.release) expect(r.reasons).toEqual([{ kind: 'forced' }]);
  });

  it("nx-fleet report: DORA figures from the ledger's history", async () => {
    const result = await run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['report', '--env', 'production', '--json'], {
      cwd: ws.root,
      env: ws.env(),
    });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{
      service: string | null;
      deployments: number;
      leadTimeMedianHours: number | null;
    }>;
    // billing: the first release, then its change (the forced re-release promoted the same digest).
    expect(rows.find((r) => r.service === 'billing')).toMatchObject({ deployments: 2 });
    expect(rows.find((r) => r.service === null)!.deployments).toBeGreaterThanOrEqual(SERVICES.length * 2);
    expect(rows.find((r) => r.service === 'billing')!.leadTimeMedianHours).not.toBeNull();
  });

  it('bad input: a missing --env and a corrupt ledger are refused with what to fix, and nothing runs', async () => {
    const noEnv = await run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['release'], { cwd: ws.root, env: ws.env() });
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toMatch(/--env <name> is required/);
    const good = ws.read('deploy/fleet.json');
    ws.write('deploy/fleet.json', '{ "version": 1, "environments": { "production": { "orders": { "image": "x" } } } }');
    const corrupt = await release([]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/deploy\/fleet\.json: production\.orders lacks digest/);
    ws.write('deploy/fleet.json', good);
  });
});
