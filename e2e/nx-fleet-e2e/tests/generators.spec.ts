import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { detectEngine, freePort, run, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

type Edge = { source: string; target: string; type: string };

async function getJson(url: string, attempts = 50): Promise<unknown> {
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(url);
      if (response.ok) return await response.json();
    } catch {
      // not listening yet
    }
    if (i >= attempts) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('generators: a complete service in one command (real nx, real engine, real registry)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const engine = detectEngine();
  const containers: string[] = [];

  beforeAll(async () => {
    ws = TestWorkspace.create('generators', 'nx23', 'isolated');
    registry = await startRegistry();
  });
  afterAll(async () => {
    for (const name of containers) await run('podman', ['rm', '-f', name]);
    await registry?.stop();
    ws?.dispose();
  });

  it('scaffolds three services, two consuming the first; bad input is refused; --dry-run writes nothing', async () => {
    await ws.nxOk(['g', 'nx-fleet:service', 'orders', '--no-interactive']);
    await ws.nxOk(['g', 'nx-fleet:service', 'payments', '--consumes=orders', '--port=3001', '--no-interactive']);
    await ws.nxOk(['g', 'nx-fleet:service', 'shipping', '--consumes=orders', '--port=3002', '--no-interactive']);

    const bad = await ws.nx(['g', 'nx-fleet:service', 'Bad_Name', '--no-interactive']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/"Bad_Name" is not a valid service name/);
    const again = await ws.nx(['g', 'nx-fleet:service', 'orders', '--no-interactive']);
    expect(again.code).not.toBe(0);
    expect(again.stdout + again.stderr).toMatch(/already exists; pass --force/);
    const dry = await ws.nxOk(['g', 'nx-fleet:service', 'billing', '--dry-run', '--no-interactive']);
    expect(dry.stdout).toMatch(/CREATE services\/billing\/Dockerfile/);
    expect(dry.stdout).toMatch(/CREATE services\/billing\/sdk\/src\/index\.ts/);
    expect(ws.exists('services/billing')).toBe(false);
    // Images outlive test runs in the engine's store; a per-run build argument keeps this run's content new.
    const nxJson = ws.readJson<Record<string, unknown>>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        {
          ...nxJson,
          targetDefaults: {
            ...(nxJson['targetDefaults'] as object),
            'docker-build': { options: { buildArgs: { E2E_RUN: ws.id } } },
          },
        },
        null,
        2,
      ),
    );
    await ws.commit('three services');

    const targets = (await ws.showProject('orders')).targets;
    expect(Object.keys(targets)).toEqual(
      expect.arrayContaining(['docker-build', 'scan', 'contract-verify', 'docker-push']),
    );
    // A Pact consumer test per consumed service, and Pact itself in the workspace.
    expect(ws.exists('services/payments/src/orders.pact.spec.ts')).toBe(true);
    expect(ws.exists('services/shipping/src/orders.pact.spec.ts')).toBe(true);
    expect(
      ws.readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies['@pact-foundation/pact'],
    ).toBe('16.5.0');
    // The CI pipeline, from the installed plugin in a real workspace.
    await ws.nxOk(['g', 'nx-fleet:ci', '--environment=staging', '--no-interactive']);
    expect(ws.read('.github/workflows/fleet.yml')).toMatch(/nx-fleet release --env staging --commit/);
    const gitlab = await ws.nxOk(['g', 'nx-fleet:ci', '--provider=gitlab', '--dry-run', '--no-interactive']);
    expect(gitlab.stdout).toMatch(/CREATE \.gitlab-ci\.yml/);
    expect(ws.exists('.gitlab-ci.yml')).toBe(false);
  });

  it('the generated code passes its own lint, type checks and tests', async () => {
    // On a developer machine (CI unset) the consumers' Pact tests write their pacts into the provider's folder.
    const result = await ws.nx(['run-many', '-t', 'lint,typecheck,test', '--output-style=static'], {
      env: { PACT_DO_NOT_TRACK: 'true', CI: 'false' },
    });
    expect(result.stdout + result.stderr).toMatch(/Successfully ran targets lint, typecheck, test for 6 projects/);
    expect(result.code).toBe(0);
    for (const consumer of ['payments', 'shipping']) {
      expect(
        ws.readJson<{ consumer: { name: string }; provider: { name: string } }>(
          `services/orders/pacts/${consumer}-orders.json`,
        ),
      ).toMatchObject({ consumer: { name: consumer }, provider: { name: 'orders' } });
    }
    await ws.commit('pacts of payments and shipping with orders');
    // Committed like snapshots: in CI the tests compare instead of writing, and a pact that differs fails.
    const ciTest = () =>
      ws.nx(['run-many', '-t', 'test', '-p', 'payments,shipping', '--skip-nx-cache', '--output-style=static'], {
        env: { PACT_DO_NOT_TRACK: 'true', CI: 'true' },
      });
    expect((await ciTest()).code).toBe(0);
    const committed = ws.read('services/orders/pacts/payments-orders.json');
    ws.write(
      'services/orders/pacts/payments-orders.json',
      committed.replace('payments reads the health of orders', 'payments reads something else'),
    );
    const stale = await ciTest();
    expect(stale.code).not.toBe(0);
    expect(stale.stdout + stale.stderr).toMatch(
      /payments-orders\.json differs from what this test expects now: run the test without CI=true and commit the pact/,
    );
    ws.write('services/orders/pacts/payments-orders.json', committed);
    expect((await ws.showProject('orders')).targets['docker-push']?.dependsOn).toContain('contract-verify');
  });

  it('the generated SDK calls make each consumer push follow its provider, with no project-graph edge', async () => {
    await ws.nxOk(['graph', '--file=tmp/graph.json']);
    const graph = ws.readJson<{
      graph: {
        nodes: Record<string, { data: { targets?: Record<string, { inputs?: unknown[] }> } }>;
        dependencies: Record<string, Edge[]>;
      };
    }>('tmp/graph.json').graph;
    expect(
      Object.values(graph.dependencies)
        .flat()
        .filter((e) => e.type === 'implicit'),
    ).toEqual([]);
    const follows = (service: string) =>
      (graph.nodes[service]!.data.targets!['docker-push']!.inputs ?? []).filter(
        (input) => typeof input === 'string' && input.endsWith('/**') && input.startsWith('{workspaceRoot}/services/'),
      );
    expect(follows('payments')).toEqual(['{workspaceRoot}/services/orders/**']);
    expect(follows('shipping')).toEqual(['{workspaceRoot}/services/orders/**']);
    expect(follows('orders')).toEqual([]);
  });

  it('nx run-many -t docker-push builds and pushes all three; each container answers health with the git SHA and a consumer reaches its provider', async () => {
    const sha = await ws.head();
    // One task at a time: the generated services' pruned manifests are alike, so a later image can take the
    // `npm ci` layer (through a proxy that can take minutes) from the engine's cache, not install side by side
    // (docker-push 104 s, against 167–299 s in parallel).
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--parallel=1', '--output-style=static'], {
      env: { FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine, PACT_DO_NOT_TRACK: 'true' },
      retryNetwork: true,
      timeoutMs: 600_000,
    });
    if (result.code !== 0) throw new Error(result.stdout + result.stderr);
    // orders was pushed only after the consumers' pacts verified against its running image.
    expect(result.stdout).toMatch(/payments: 1 interaction\(s\) verified/);
    expect(result.stdout).toMatch(/shipping: 1 interaction\(s\) verified/);
    for (const s of ['orders', 'payments', 'shipping']) {
      const push = ws.readJson<{ digest: string; tags: string[] }>(`dist/fleet/services/${s}/push.json`);
      expect(await registry.manifestDigest(s, push.tags[0]!)).toBe(push.digest);
    }
    if (engine !== 'podman') return;
    const image = (s: string) => ws.readJson<{ localRef: string }>(`dist/fleet/services/${s}/image.json`).localRef;
    const [ordersPort, paymentsPort] = [await freePort(), await freePort()];
    const start = async (name: string, env: string[]) => {
      const container = `${name}-${ws.id}`;
      containers.push(container);
      await runOk('podman', [
        'run',
        '-d',
        '--name',
        container,
        '--network',
        'host',
        ...env.flatMap((e) => ['-e', e]),
        image(name),
      ]);
      return container;
    };
    await start('orders', [`PORT=${ordersPort}`]);
    const payments = await start('payments', [`PORT=${paymentsPort}`, `ORDERS_URL=http://127.0.0.1:${ordersPort}`]);
    expect(await getJson(`http://127.0.0.1:${ordersPort}/health`)).toEqual({
      status: 'ok',
      service: 'orders',
      revision: sha,
    });
    expect(await getJson(`http://127.0.0.1:${paymentsPort}/health`)).toEqual({
      status: 'ok',
      service: 'payments',
      revision: sha,
    });
    expect(await getJson(`http://127.0.0.1:${paymentsPort}/upstream/orders`)).toEqual({
      status: 'ok',
      service: 'orders',
      revision: sha,
    });

    // SIGTERM: it finishes and exits 0; its logs are JSON lines.
    await runOk('podman', ['stop', '-t', '10', payments]);
    expect((await runOk('podman', ['inspect', payments, '--format', '{{.State.ExitCode}}'])).stdout.trim()).toBe('0');
    const logs = (await runOk('podman', ['logs', payments])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; service: string });
    expect(logs.map((l) => l.msg)).toEqual(['listening', 'shutting down']);
    // Non-root, and nothing but the bundle in the runtime image.
    expect(
      (await runOk('podman', ['image', 'inspect', image('payments'), '--format', '{{.Config.User}}'])).stdout.trim(),
    ).toBe('node');
    expect(
      (await runOk('podman', ['run', '--rm', image('payments'), 'ls', '/app'])).stdout.trim().split('\n').sort(),
    ).toEqual(['REVISION', 'main.js']);
  }, 1_500_000);
});
