import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngineSpy, type EngineSpy } from '../../../tools/fleet-harness/src/engine-spy';
import {
  addProvider,
  halPactsForVerification,
  installPact,
  startFakeBroker as startBroker,
} from '../../../tools/fleet-harness/src/pact-broker';
import { runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * Issue 15, deliverable 5: a canary secret in contract-verify's provider env and in the Pact Broker URL's
 * credentials must not reach podman's command line (a PATH shim records every argv: `ps` is racy), Nx's
 * output, the Nx cache, dist/fleet records, or the image's layers.
 */
const CANARY = `canary${Math.random().toString(36).slice(2, 10)}s3cr3t`;

// Only the canary's hash goes into the provider's source (and so its image): the layers must not hold the canary.
const CANARY_SHA256 = createHash('sha256').update(CANARY).digest('hex');

/** The provider refuses to be healthy unless the secret reached it (by name, through podman's environment). */
const ordersMain = `const http = require('node:http');
const { createHash } = require('node:crypto');
const token = createHash('sha256').update(process.env.API_TOKEN || '').digest('hex');
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(token === '${CANARY_SHA256}' ? 200 : 500); return res.end(); }
  if (req.url === '/orders/1') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ id: '1' })); }
  res.writeHead(404); res.end();
}).listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => process.exit(0));
`;

const pact = {
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      description: 'web reads order 1',
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: '1' } },
    },
  ],
  metadata: { pactSpecification: { version: '2.0.0' } },
};

/** Every file under a folder whose bytes contain the needle (a few MB at most here). */
function filesContaining(dir: string, needle: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/**
 * A fake Pact Broker (none can run here) serving the HAL resources Pact's verifier walks for one pact,
 * or refusing everything with 401 while `state.refuse`.
 */
async function startFakeBroker() {
  const state = { refuse: true };
  const hal = halPactsForVerification('orders', () => [{ consumer: 'web', version: '1', pact }]);
  const broker = await startBroker((request, base) => (state.refuse ? [401, {}] : hal(request, base)));
  return { ...broker, state, auth: () => broker.requests.map((request) => request.authorization) };
}

describe('secrets: a canary in contract-verify env and the Pact Broker URL reaches no argv, output, cache, record or layer', () => {
  let ws: TestWorkspace;
  let spy: EngineSpy;
  let broker: Awaited<ReturnType<typeof startFakeBroker>>;
  const verify = () =>
    ws.nx(['run', 'orders:contract-verify', '--output-style=static'], {
      env: {
        ...spy.env,
        PACT_DO_NOT_TRACK: 'true',
        PACT_BROKER_BASE_URL: `http://fleet:${CANARY}@${broker.hostPort}`,
        GITHUB_REF_NAME: 'main',
      },
    });
  /** Nothing anywhere nx-fleet writes or spawns carries the canary. */
  const expectNoCanary = async (output: string) => {
    expect(spy.calls().filter((c) => c.args.includes(CANARY))).toEqual([]);
    expect(output).not.toContain(CANARY);
    expect(filesContaining(join(ws.root, '.nx', 'cache'), CANARY)).toEqual([]);
    expect(filesContaining(join(ws.root, 'dist', 'fleet'), CANARY)).toEqual([]);
  };

  beforeAll(async () => {
    ws = TestWorkspace.create('secrets');
    spy = createEngineSpy(join(ws.root, '..', 'spy'), ['podman']);
    broker = await startFakeBroker();
    await installPact(ws);
    const dir = addProvider(ws, 'orders', ordersMain);
    const project = ws.readJson<Record<string, unknown>>(`${dir}/project.json`);
    ws.write(
      `${dir}/project.json`,
      JSON.stringify(
        { ...project, targets: { 'contract-verify': { options: { env: { API_TOKEN: CANARY } } } } },
        null,
        2,
      ),
    );
    ws.write(`${dir}/pacts/web-orders.json`, JSON.stringify(pact, null, 2));
    await ws.commit('orders with a pact and a secret-bearing provider env');
  });
  afterAll(() => {
    broker?.close();
    ws?.dispose();
  });

  it('a broker refusing the credentials: FAILED names it without them; the provider still got its secret by name', async () => {
    broker.state.refuse = true;
    const result = await verify();
    const output = `${result.stdout}\n${result.stderr}`;
    // The repository's pact verified against the running container: its health needs the secret.
    expect(output).toMatch(/web: 1 interaction\(s\) verified/);
    expect(output).toContain(`(Pact Broker): FAILED (http://${broker.hostPort})`);
    expect(broker.auth().some((header) => header.startsWith('Basic '))).toBe(true);
    expect(result.code).not.toBe(0);
    const runs = spy.calls().filter((c) => c.args.startsWith('run '));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.args).toMatch(/--env API_TOKEN(\s|$)/);
    await expectNoCanary(output);
    expect(ws.read('dist/fleet/services/orders/contract-verify.json')).toContain(`http://${broker.hostPort}`);
  });

  it("a broker serving a pact: verified, cached (Nx's terminal output and outputs), still no canary; none in the image's layers", async () => {
    broker.state.refuse = false;
    const result = await verify();
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0) throw new Error(output);
    expect(output).toContain(`(Pact Broker): verified (http://${broker.hostPort})`);
    await expectNoCanary(output);
    expect(filesContaining(join(ws.root, '.nx', 'cache'), `http://${broker.hostPort}`).length).toBeGreaterThan(0);
    const image = ws.readJson<{ localRef: string }>('dist/fleet/services/orders/image.json').localRef;
    const archive = join(ws.root, '..', 'orders.tar');
    await runOk('podman', ['save', '--format', 'docker-archive', '-o', archive, image]);
    expect(readFileSync(archive).includes(CANARY)).toBe(false);
    // The provider was stopped.
    expect((await runOk('podman', ['ps', '--filter', `ancestor=${image}`, '--format', '{{.ID}}'])).stdout.trim()).toBe(
      '',
    );
  });
});
