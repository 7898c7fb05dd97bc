import {
  addProvider,
  halPactsForVerification,
  installPact,
  startFakeBroker,
} from '../../../tools/fleet-harness/src/pact-broker';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { run, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';
import { join } from 'node:path';

/** The provider: a real HTTP service in a real container. `total` is what web relies on; mobile only reads `id`. */
const ordersMain = (field: string) => `const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200); return res.end('ok'); }
  if (req.url === '/orders/1') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ id: '1', ${field}: 10 })); }
  res.writeHead(404); res.end();
}).listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * A consumer's Pact test (Pact's own consumer DSL, run with node): it writes the pact into the provider's
 * pacts/ folder.
 */
const consumerTest = (
  consumer: string,
  body: string,
  description = `${consumer} reads order 1`,
) => `const { PactV3, MatchersV3 } = require('@pact-foundation/pact');
const path = require('node:path');
const dir = path.join(__dirname, '../orders/pacts');
// Pact merges into an existing file: removing it first makes the pact exactly what this test expects.
require('node:fs').rmSync(path.join(dir, '${consumer}-orders.json'), { force: true });
const pact = new PactV3({ consumer: '${consumer}', provider: 'orders', dir, logLevel: 'warn' });
pact.given('order 1 exists').uponReceiving('${description}').withRequest({ method: 'GET', path: '/orders/1' })
  .willRespondWith({ status: 200, headers: { 'Content-Type': 'application/json' }, body: ${body} });
pact.executeTest(async (mock) => {
  const order = await (await fetch(mock.url + '/orders/1')).json();
  if (order.id !== '1') throw new Error('unexpected order ' + JSON.stringify(order));
}).catch((error) => { console.error(error); process.exit(1); });
`;

describe("contract-verify: consumers' pacts verified against the provider's running image (real Pact, real container)", () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const env = () => ({ FLEET_REGISTRY: registry.host, PACT_DO_NOT_TRACK: 'true' });
  const pactTest = (consumer: string) =>
    runOk('node', [`services/${consumer}/pact.test.js`], {
      cwd: ws.root,
      env: { ...ws.env(), PACT_DO_NOT_TRACK: 'true' },
    });

  beforeAll(async () => {
    ws = TestWorkspace.create('contracts');
    registry = await startRegistry();
    await installPact(ws);
    addProvider(ws, 'orders', ordersMain('total'));
    // The documented provider-state module; it leaves a trace so the test sees Pact call it.
    ws.write(
      'services/orders/pacts/states.js',
      "const { appendFileSync, mkdirSync } = require('node:fs');\nconst { join } = require('node:path');\nmodule.exports = { 'order 1 exists': async () => { mkdirSync(join(__dirname, '../../../tmp'), { recursive: true }); appendFileSync(join(__dirname, '../../../tmp/states.log'), 'order 1 exists\\n'); } };\n",
    );
    ws.addService('web');
    ws.addService('mobile');
    ws.write('libs/unrelated/project.json', JSON.stringify({ name: 'unrelated', root: 'libs/unrelated' }));
    ws.write('libs/unrelated/index.js', 'module.exports = 1;\n');
    ws.write('services/web/pact.test.js', consumerTest('web', "{ id: '1', total: MatchersV3.integer(10) }"));
    ws.write('services/mobile/pact.test.js', consumerTest('mobile', "{ id: MatchersV3.string('1') }"));
    await pactTest('web');
    await pactTest('mobile');
    await ws.commit('orders with two consumers and their pacts');
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('infers contract-verify on every service; only the provider that has pacts makes its push wait for it', async () => {
    expect(ws.exists('services/orders/pacts/web-orders.json')).toBe(true);
    const orders = await ws.showProject('orders');
    expect(orders.targets['contract-verify']).toMatchObject({
      executor: 'nx-fleet:contract-verify',
      dependsOn: ['docker-build'],
      cache: true,
    });
    expect(orders.targets['docker-push']?.dependsOn).toEqual(['docker-build', 'contract-verify']);
    const web = await ws.showProject('web');
    expect(web.targets['contract-verify']).toMatchObject({ executor: 'nx-fleet:contract-verify' });
    expect(web.targets['docker-push']?.dependsOn).toEqual(['docker-build']);
  });

  it("(a) the consumers' pacts verify against the running image, then everything is pushed", async () => {
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/web: 1 interaction\(s\) verified/);
    expect(result.stdout).toMatch(/mobile: 1 interaction\(s\) verified/);
    const record = ws.readJson<{ passed: boolean; pacts: Array<{ consumer: string; passed: boolean }> }>(
      'dist/fleet/services/orders/contract-verify.json',
    );
    expect(record.passed).toBe(true);
    expect(record.pacts.map((p) => p.consumer).sort()).toEqual(['mobile', 'web']);
    for (const s of ['orders', 'web', 'mobile']) expect(ws.exists(`dist/fleet/services/${s}/push.json`)).toBe(true);
    // The provider was stopped: no container of the image is left running.
    const image = ws.readJson<{ localRef: string }>('dist/fleet/services/orders/image.json').localRef;
    expect((await runOk('podman', ['ps', '--filter', `ancestor=${image}`, '--format', '{{.ID}}'])).stdout.trim()).toBe(
      '',
    );
    // Provider states came from the documented module.
    expect(ws.read('tmp/states.log')).toMatch(/order 1 exists/);
  });

  it('(b) a provider change that breaks one consumer fails contract-verify naming that interaction, and nothing is pushed', async () => {
    const base = await ws.head();
    const pushedBefore = ws.read('dist/fleet/services/orders/push.json');
    ws.write('services/orders/main.js', ordersMain('amount'));
    await ws.commit('orders renames total to amount');
    const result = await ws.nx(
      ['affected', '-t', 'docker-push', `--base=${base}`, '--head=HEAD', '--output-style=static'],
      { env: env() },
    );
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/web: FAILED/);
    expect(output).toMatch(/web reads order 1/);
    expect(output).toMatch(/missing the following keys: total/);
    expect(output).toMatch(/mobile: 1 interaction\(s\) verified/);
    expect(ws.read('dist/fleet/services/orders/push.json')).toBe(pushedBefore);
    const broken = ws.readJson<{ contentTag: string }>('dist/fleet/services/orders/image.json').contentTag;
    expect(await registry.tags('orders')).not.toContain(broken);
    // Stopped after a failure too.
    expect(
      (
        await runOk('podman', [
          'ps',
          '--filter',
          `ancestor=${ws.readJson<{ localRef: string }>('dist/fleet/services/orders/image.json').localRef}`,
          '--format',
          '{{.ID}}',
        ])
      ).stdout.trim(),
    ).toBe('');
    ws.write('services/orders/main.js', ordersMain('total'));
    await ws.commit('orders: total is back');
  });

  it("(c) a consumer changing its pact re-runs the provider's verification under nx affected; the provider's build is a cache hit", async () => {
    expect((await ws.nx(['run', 'orders:contract-verify', '--output-style=static'], { env: env() })).code).toBe(0);
    const base = await ws.head();
    ws.write(
      'services/web/pact.test.js',
      consumerTest(
        'web',
        "{ id: MatchersV3.string('1'), total: MatchersV3.integer(10) }",
        'web reads order 1 and its total',
      ),
    );
    await pactTest('web');
    await ws.commit('web now accepts any order id');
    const affected = await ws.nx(['show', 'projects', '--affected', `--base=${base}`, '--head=HEAD'], { env: env() });
    expect(affected.stdout.split(/\s+/)).toContain('orders');
    const result = await ws.nx(
      ['affected', '-t', 'contract-verify', `--base=${base}`, '--head=HEAD', '--output-style=static'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/orders:docker-build\s+\[local cache\]/);
    expect(result.stdout).not.toMatch(/orders:contract-verify\s+\[local cache\]/);
    expect(result.stdout).toMatch(/web: 1 interaction\(s\) verified/);
    expect(
      ws.readJson<{ pacts: Array<{ consumer: string }> }>('dist/fleet/services/orders/contract-verify.json').pacts,
    ).toHaveLength(2);
  });

  it('(d) an unrelated change leaves the verification a cache hit', async () => {
    ws.write('libs/unrelated/index.js', 'module.exports = 2;\n');
    await ws.commit('unrelated change');
    const result = await ws.nx(['run', 'orders:contract-verify', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/orders:contract-verify\s+\[local cache\]/);
  });

  it('(e) nx-fleet pacts lists the pacts, warns where no SDK import explains one, and --check fails on an uncommitted pact', async () => {
    const pacts = (args: string[]) =>
      run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['pacts', ...args], { cwd: ws.root, env: ws.env() });
    const listed = await pacts([]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/orders ← mobile: 1 interaction\(s\)\s+services\/orders\/pacts\/mobile-orders\.json/);
    expect(listed.stdout).toMatch(/orders ← web: 1 interaction\(s\)/);
    // Neither consumer imports an SDK of orders here: the contracts are not explained by the runtime graph.
    expect(listed.stderr).toMatch(
      /mobile-orders\.json is a pact of mobile with orders, but no SDK import of mobile explains it/,
    );
    expect((await pacts(['--check'])).code).toBe(0);
    ws.write(
      'services/mobile/pact.test.js',
      consumerTest('mobile', "{ id: MatchersV3.string('1') }", 'mobile reads order 1 by id'),
    );
    await pactTest('mobile');
    const checked = await pacts(['--check']);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/differ from the commit[\s\S]*services\/orders\/pacts\/mobile-orders\.json/);
  });

  it('(f) with a Pact Broker (a fake speaking its HTTP API; none can run here): pacts published by commit and branch, and a can-i-deploy "no" stops the push', async () => {
    const { url, requests, close } = await startFakeBroker(({ method, url: path }): [number, unknown] =>
      method === 'GET' && path.startsWith('/can-i-deploy')
        ? [
            200,
            {
              summary: {
                deployable: false,
                reason: 'There is no verified pact between web (main) and orders',
                success: 0,
                failed: 1,
                unknown: 0,
              },
              matrix: [],
            },
          ]
        : [method === 'PUT' ? 201 : 404, {}],
    );
    try {
      ws.write('services/mobile/pact.test.js', consumerTest('mobile', "{ id: MatchersV3.string('1') }"));
      await pactTest('mobile');
      await ws.commit('mobile pact as before');
      const sha = await ws.head();
      const published = await run(
        join(ws.root, 'node_modules/.bin/nx-fleet'),
        ['pacts', '--publish', '--broker-url', url],
        { cwd: ws.root, env: { ...ws.env(), PACT_BROKER_TOKEN: 'secret-token' } },
      );
      expect(published.code).toBe(0);
      const puts = requests.filter((r) => r.method === 'PUT').map((r) => r.url);
      expect(puts).toContain(`/pacts/provider/orders/consumer/web/version/${sha}`);
      expect(puts).toContain(`/pacts/provider/orders/consumer/mobile/version/${sha}`);
      expect(
        JSON.parse(requests.find((r) => r.url === `/pacts/provider/orders/consumer/web/version/${sha}`)!.body),
      ).toMatchObject({ consumer: { name: 'web' }, provider: { name: 'orders' } });

      const pushedBefore = ws.read('dist/fleet/services/orders/push.json');
      const result = await ws.nx(['run', 'orders:docker-push', '--canIDeploy=production', '--output-style=static'], {
        env: { ...env(), PACT_BROKER_BASE_URL: url, PACT_BROKER_TOKEN: 'secret-token' },
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(
        /orders [0-9a-f]{12} cannot be deployed to production \(Pact Broker: There is no verified pact/,
      );
      expect(result.stdout + result.stderr).not.toContain('secret-token');
      expect(
        requests.some(
          (r) =>
            r.method === 'GET' &&
            r.url.includes('pacticipant=orders') &&
            r.url.includes(`version=${sha}`) &&
            r.url.includes('environment=production'),
        ),
      ).toBe(true);
      expect(ws.read('dist/fleet/services/orders/push.json')).toBe(pushedBefore);
    } finally {
      close();
    }
  });

  it('(g) with a Pact Broker, contract-verify also verifies the pacts it holds (real Pact Verifier) and publishes the results with the git SHA and branch', async () => {
    // The HAL resources Pact's verifier walks: the index, pacts-for-verification, the pact, its provider, its results link.
    const { requests, url, close } = await startFakeBroker(
      halPactsForVerification('orders', () => [
        { consumer: 'web', version: '1', pact: ws.readJson<unknown>('services/orders/pacts/web-orders.json') },
      ]),
    );
    try {
      const sha = await ws.head();
      const result = await ws.nx(['run', 'orders:contract-verify', '--skip-nx-cache', '--output-style=static'], {
        env: { ...env(), PACT_BROKER_BASE_URL: url, PACT_BROKER_TOKEN: 'secret-token', GITHUB_REF_NAME: 'main' },
      });
      if (result.code !== 0)
        throw new Error(`${result.stdout}\n${result.stderr}\n${JSON.stringify(requests, null, 1)}`);
      expect(result.stdout).toMatch(/\(Pact Broker\): verified \(http/);
      expect(result.stdout + result.stderr).not.toMatch(/Publishing of verification results failed/);
      // The cache fingerprint and contract-verify's listing ask first, the verifier last: all with the same selectors.
      const asked = requests
        .filter((r) => r.method === 'POST' && r.url.endsWith('/for-verification'))
        .map((r) => JSON.parse(r.body) as { consumerVersionSelectors: unknown[]; providerVersionBranch?: string });
      expect(asked.length).toBeGreaterThanOrEqual(2);
      expect(new Set(asked.map((body) => JSON.stringify(body.consumerVersionSelectors))).size).toBe(1);
      const forVerification = asked.at(-1)!;
      // Each consumer's latest pact too: a consumer's new pact is verified before the provider ships.
      expect(forVerification.consumerVersionSelectors).toEqual([
        { mainBranch: true },
        { deployedOrReleased: true },
        { latest: true },
      ]);
      expect(forVerification.providerVersionBranch).toBe('main');
      const published = requests.find((r) => r.method === 'POST' && r.url.endsWith('/verification-results'));
      expect(JSON.parse(published!.body)).toMatchObject({ success: true, providerApplicationVersion: sha });
      // The provider version is put on its branch first, as the broker's matrix needs.
      expect(
        requests.some((r) => r.method === 'PUT' && r.url === `/pacticipants/orders/branches/main/versions/${sha}`),
      ).toBe(true);
    } finally {
      close();
    }
  });
});
