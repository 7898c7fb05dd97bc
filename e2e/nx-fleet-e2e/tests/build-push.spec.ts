import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builds, createEngineSpy, type EngineSpy, pushes } from '../../../tools/fleet-harness/src/engine-spy';
import { tree } from '../../../tools/fleet-harness/src/files';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { type RunningRemoteCache, startRemoteCache } from '../../../tools/fleet-harness/src/remote-cache';
import { detectEngine, forgetImage, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

const SERVICES = ['gateway', 'orders', 'payments', 'users', 'billing'];

interface ImageJson {
  image: string;
  contentTag: string;
  localRef: string;
  built: boolean;
}
interface PushJson {
  digest: string;
  reference: string;
  tags: string[];
  uploaded: boolean;
}

describe('docker-build and docker-push on a 5-service workspace (real engine, real registry)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  let spy: EngineSpy;
  let scratch: string;
  const engine = detectEngine();

  const image = (s: string) => ws.readJson<ImageJson>(`dist/fleet/services/${s}/image.json`);
  const push = (s: string) => ws.readJson<PushJson>(`dist/fleet/services/${s}/push.json`);
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    FLEET_REGISTRY: registry.host,
    FLEET_ENGINE: engine,
    ...spy.env,
    ...extra,
  });

  beforeAll(async () => {
    ws = TestWorkspace.create('build-push', 'nx23', 'isolated');
    scratch = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-scratch-'));
    registry = await startRegistry();
    spy = createEngineSpy(join(scratch, 'spy'));
    ws.write('libs/money/project.json', JSON.stringify({ name: 'money', root: 'libs/money' }));
    ws.write('libs/money/index.js', 'module.exports = (cents) => (cents / 100).toFixed(2);\n');
    ws.write('libs/unrelated/project.json', JSON.stringify({ name: 'unrelated', root: 'libs/unrelated' }));
    ws.write('libs/unrelated/index.js', 'module.exports = 1;\n');
    for (const name of SERVICES) ws.addService(name);
    // payments imports the money library: Nx sees the edge, and money is part of its pruned context.
    ws.write(
      'services/payments/main.js',
      `// ${ws.id}\nconst money = require('../../libs/money');\nconsole.log(money(1234));\n`,
    );
    ws.write(
      'services/payments/Dockerfile',
      'FROM node:20\nWORKDIR /app\nCOPY libs/money libs/money\nCOPY services/payments services/payments\nUSER node\nCMD ["node", "services/payments/main.js"]\n',
    );
    await ws.commit('five services');
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('(a) first run builds and pushes every service', async () => {
    spy.reset();
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(builds(spy.calls())).toHaveLength(5);
    expect(pushes(spy.calls())).toHaveLength(5);
    for (const s of SERVICES) {
      expect(image(s).built).toBe(true);
      expect(push(s).uploaded).toBe(true);
      expect(await registry.manifestDigest(s, image(s).contentTag)).toBe(push(s).digest);
      expect(push(s).reference).toBe(`${registry.host}/${s}@${push(s).digest}`);
    }
    // The image really contains the library from the pruned context, and carries the OCI labels.
    if (engine === 'podman') {
      const out = await runOk('podman', ['run', '--rm', image('payments').localRef]);
      expect(out.stdout.trim()).toBe('12.34');
      const labels = JSON.parse(
        (await runOk('podman', ['image', 'inspect', '--format', '{{json .Labels}}', image('payments').localRef]))
          .stdout,
      );
      const [sha, time] = (await ws.git(['log', '-1', '--format=%H %cI'])).stdout.trim().split(' ');
      expect(labels).toMatchObject({
        'org.opencontainers.image.revision': sha,
        'org.opencontainers.image.created': time,
      });
    }
  });

  it('(b) a second run with no change makes zero builds and zero uploads', async () => {
    spy.reset();
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(builds(spy.calls())).toEqual([]);
    expect(pushes(spy.calls())).toEqual([]);
    for (const s of SERVICES) expect(push(s).uploaded).toBe(false);
    expect(result.stdout.match(/docker-build\s+\[local cache\]/g)).toHaveLength(5);
    // One process asks the registry for all five (executors.json preferBatch), each push reported under its task.
    expect(result.stdout).toContain('Running 5 tasks with nx-fleet:docker-push');
    for (const s of SERVICES)
      expect(result.stdout).toContain(`nx-fleet: ${s}: already present, no upload: ${push(s).reference}`);
  });

  it('(g) a change in an unrelated project leaves the build context byte-identical', async () => {
    const before = join(scratch, 'ctx-before');
    const after = join(scratch, 'ctx-after');
    const paymentsBefore = join(scratch, 'payments-before');
    await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', 'orders', '--out', before], {
      cwd: ws.root,
      env: ws.env(),
    });
    await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', 'payments', '--out', paymentsBefore], {
      cwd: ws.root,
      env: ws.env(),
    });
    ws.write('libs/unrelated/index.js', 'module.exports = 2;\n');
    ws.write('libs/money/index.js', 'module.exports = (cents) => (cents / 100).toFixed(2); // v2\n');
    await ws.commit('change libraries orders does not use');
    await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', 'orders', '--out', after], {
      cwd: ws.root,
      env: ws.env(),
    });
    expect(tree(after)).toEqual(tree(before));
    expect(Object.keys(tree(after))).toEqual(expect.arrayContaining(['services/orders/main.js']));
    // Its Dockerfile copies main.js alone: no root manifest is sent.
    expect(Object.keys(tree(after))).not.toContain('package-lock.json');
    expect(Object.keys(tree(after)).some((f) => f.startsWith('libs/'))).toBe(false);
    // ...while the service that uses the changed library does see it.
    expect(Object.keys(tree(paymentsBefore))).toContain('libs/money/index.js');
  });

  it('(c) one service changed: one build and one upload, and no engine call for any other service', async () => {
    const base = await ws.head();
    ws.write('services/orders/main.js', `// ${ws.id}\nconsole.log('orders v2');\n`);
    await ws.commit('orders v2');
    spy.reset();
    const result = await ws.nx(
      ['affected', '-t', 'docker-push', `--base=${base}`, '--head=HEAD', '--output-style=static'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    const calls = spy.calls();
    expect(builds(calls).map((c) => /-t (\S+)/.exec(c.args)?.[1]?.split(':')[0])).toEqual(['orders']);
    expect(pushes(calls)).toHaveLength(1);
    for (const other of SERVICES.filter((s) => s !== 'orders'))
      expect(calls.filter((c) => c.args.includes(other))).toEqual([]);
    expect(push('orders').uploaded).toBe(true);
    // What the run pushed, for the CI step after it: written by the plugin's postTasksExecution hook.
    const lastRun = ws.readJson<{
      tasks: Array<{ task: string; image?: string; built?: boolean; pushed?: string; uploaded?: boolean }>;
    }>('dist/fleet/last-run.json');
    expect(lastRun.tasks).toEqual([
      expect.objectContaining({
        task: 'orders:docker-build',
        image: `${image('orders').image}:${image('orders').contentTag}`,
        built: true,
      }),
      expect.objectContaining({ task: 'orders:docker-push', pushed: push('orders').reference, uploaded: true }),
    ]);
    expect(result.stdout).toContain(
      `nx-fleet: 1 image(s) built, 1 uploaded, 0 already in the registry.\n  orders: ${push('orders').reference}`,
    );
  });

  it('(d) local cache wiped, Nx remote cache on: no rebuild, push skipped', async () => {
    const cache: RunningRemoteCache = await startRemoteCache();
    try {
      // This machine ships everything and fills the remote cache (its local cache is gone, so every build task runs).
      ws.remove('.nx');
      await ws.nxOk(['run-many', '-t', 'docker-push'], { env: env(cache.env) });
      expect(cache.stats.puts).toBeGreaterThanOrEqual(5);
      // Another machine: no local Nx cache, no workspace data, no records, no images in the engine.
      const localRefs = SERVICES.map((s) => image(s).localRef);
      ws.remove('.nx');
      ws.remove('dist');
      for (const ref of localRefs) await forgetImage(engine, ref);
      spy.reset();
      const result = await ws.nx(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env(cache.env) });
      expect(result.code).toBe(0);
      expect(result.stdout.match(/docker-build\s+\[remote cache\]/g)).toHaveLength(5);
      expect(builds(spy.calls())).toEqual([]);
      expect(pushes(spy.calls())).toEqual([]);
      for (const s of SERVICES) expect(push(s).uploaded).toBe(false);
      expect(cache.stats.hits).toBeGreaterThanOrEqual(5);
    } finally {
      await cache.stop();
    }
  });

  it('(e) the registry lost the image: rebuilt and pushed', async () => {
    await registry.deleteRepo('users');
    await forgetImage(engine, image('users').localRef);
    spy.reset();
    const result = await ws.nx(['run', 'users:docker-push', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(builds(spy.calls())).toHaveLength(1);
    expect(push('users').uploaded).toBe(true);
    expect(await registry.manifestDigest('users', image('users').contentTag)).toBe(push('users').digest);
  });

  it('(f) registry down: clear error, non-zero exit, nothing recorded as pushed', async () => {
    ws.write('services/billing/main.js', `// ${ws.id}\nconsole.log('billing v2');\n`);
    await ws.commit('billing v2');
    ws.remove('dist/fleet/services/billing/push.json');
    const down = await startRegistry();
    const host = down.host;
    await down.stop();
    const result = await ws.nx(['run', 'billing:docker-push', '--output-style=static'], {
      env: env({ FLEET_REGISTRY: host }),
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(
      new RegExp(`${host.replace(/\./g, '\\.')}.*(Is the registry up|FLEET_REGISTRY)`, 's'),
    );
    expect(ws.exists('dist/fleet/services/billing/push.json')).toBe(false);
  });
});
