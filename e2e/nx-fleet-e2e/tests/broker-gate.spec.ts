import {
  addProvider,
  halPactsForVerification,
  installPact,
  startFakeBroker,
  type FakeBroker,
  type HeldPact,
} from '../../../tools/fleet-harness/src/pact-broker';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * Issue 15, deliverable 6: with a Pact Broker, its pacts gate the push of a provider that has no
 * repository pacts, and contract-verify's cache follows the broker (a runtime input fingerprinting its pacts).
 */
const ordersMain = `const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200); return res.end('ok'); }
  if (req.url === '/orders/1') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ id: '1' })); }
  res.writeHead(404); res.end();
}).listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => process.exit(0));
`;

/** web's pact with orders: `body` is what web expects of order 1. */
const webPact = (description: string, body: Record<string, unknown>) => ({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      description,
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body },
    },
  ],
  metadata: { pactSpecification: { version: '2.0.0' } },
});

describe("broker gate: the Pact Broker's pacts gate a provider's push and key its contract-verify cache", () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  let broker: FakeBroker;
  const held: HeldPact[] = [{ consumer: 'web', version: 'v1', pact: webPact('web reads order 1', { id: '1' }) }];
  const env = () => ({
    FLEET_REGISTRY: registry.host,
    PACT_DO_NOT_TRACK: 'true',
    PACT_BROKER_BASE_URL: broker.url,
    PACT_BROKER_TOKEN: 'broker-token-e2e',
    GITHUB_REF_NAME: 'main',
  });
  const push = () => ws.nx(['run', 'orders:docker-push', '--output-style=static'], { env: env() });
  const verificationResults = () =>
    broker.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/verification-results'));

  beforeAll(async () => {
    ws = TestWorkspace.create('broker-gate');
    registry = await startRegistry();
    broker = await startFakeBroker(halPactsForVerification('orders', () => held));
    await installPact(ws);
    addProvider(ws, 'orders', ordersMain);
    await ws.commit('orders, a provider with no repository pacts');
  });
  afterAll(async () => {
    broker?.close();
    await registry?.stop();
    ws?.dispose();
  });

  it('with PACT_BROKER_BASE_URL, docker-push depends on contract-verify, whose inputs fingerprint the broker; without it, not', async () => {
    expect(ws.exists('services/orders/pacts')).toBe(false);
    const gated = JSON.parse((await ws.nxOk(['show', 'project', 'orders', '--json'], { env: env() })).stdout) as {
      targets: Record<string, { dependsOn?: string[]; inputs?: unknown[]; cache?: boolean }>;
    };
    // The templates turn the scan gate off (no vulnerability database can be downloaded here).
    expect(gated.targets['docker-push']!.dependsOn).toEqual(['docker-build', 'contract-verify']);
    expect(gated.targets['contract-verify']!.cache).toBe(true);
    expect(gated.targets['contract-verify']!.inputs).toContainEqual({
      runtime: `node -e "require('nx-fleet/src/cli/broker-fingerprint').printBrokerFingerprint('orders')"`,
    });
    expect(JSON.stringify(gated)).not.toContain('broker-token-e2e');
    const plain = await ws.showProject('orders');
    expect(plain.targets['docker-push']!.dependsOn).toEqual(['docker-build']);
    // The command the runtime input runs: the broker's pacts, no credentials.
    const fingerprint = await ws.bin('nx-fleet', ['broker', 'fingerprint', 'orders'], { env: env() });
    expect(fingerprint.stdout).toContain(`broker ${broker.url}`);
    expect(fingerprint.stdout).toContain('/pacts/provider/orders/consumer/web/pact-version/v1');
    expect(fingerprint.stdout).not.toContain('broker-token-e2e');
    expect(broker.requests.at(-1)!.authorization).toBe('Bearer broker-token-e2e');
  });

  it("nx run orders:docker-push verifies the broker's pact first, publishes the result, then pushes", async () => {
    const result = await push();
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0) throw new Error(output);
    // Where Nx starts each task (`> nx run <task>`, colours or not).
    const started = (task: string) => output.search(new RegExp(`nx run(\\u001b\\[[0-9;]*m)*\\s*${task}`));
    expect(started('orders:contract-verify')).toBeGreaterThanOrEqual(0);
    expect(started('orders:contract-verify')).toBeLessThan(started('orders:docker-push'));
    expect(output).toMatch(/\(Pact Broker\): verified/);
    expect(output).not.toMatch(/orders:contract-verify\s+\[local cache\]/);
    expect(verificationResults()).toHaveLength(1);
    expect(ws.exists('dist/fleet/services/orders/push.json')).toBe(true);
    expect(output).not.toContain('broker-token-e2e');
  });

  it('the same broker pacts again: contract-verify is a cache hit', async () => {
    const result = await push();
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0) throw new Error(output);
    expect(output).toMatch(/orders:contract-verify\s+\[local cache\]/);
    expect(verificationResults()).toHaveLength(1);
  });

  it('a new pact version in the broker: contract-verify runs again, not a cache hit', async () => {
    held[0] = { consumer: 'web', version: 'v2', pact: webPact('web reads order 1 by id', { id: '1' }) };
    const result = await push();
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0) throw new Error(output);
    expect(output).not.toMatch(/orders:contract-verify\s+\[local cache\]/);
    expect(output).toMatch(/\(Pact Broker\): verified/);
    expect(verificationResults()).toHaveLength(2);
    expect(broker.requests.some((r) => r.method === 'GET' && r.url.endsWith('/pact-version/v2'))).toBe(true);
  });

  it("a consumer's new failing pact in the broker blocks the push: nothing pushed, no push.json", async () => {
    // A new commit: a push would add its commit tag to the registry.
    ws.write('README.md', 'orders and its consumers\n');
    await ws.commit('a commit to push');
    ws.remove('dist/fleet/services/orders/push.json');
    const tagsBefore = (await registry.tags('orders')).sort();
    held[0] = {
      consumer: 'web',
      version: 'v3',
      pact: webPact('web reads the total of order 1', { id: '1', total: 10 }),
    };
    const result = await push();
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code).not.toBe(0);
    expect(output).not.toMatch(/orders:contract-verify\s+\[local cache\]/);
    expect(output).toMatch(/\(Pact Broker\): FAILED/);
    expect(output).toMatch(/web reads the total of order 1/);
    expect(ws.exists('dist/fleet/services/orders/push.json')).toBe(false);
    expect((await registry.tags('orders')).sort()).toEqual(tagsBefore);
    expect(output).not.toContain('broker-token-e2e');
  });
});
