import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { type RunningRemoteCache, startRemoteCache } from '../../../tools/fleet-harness/src/remote-cache';
import { detectEngine, forgetImage, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * An Nx cache entry (local or remote) is written by whoever ran the task: docker-push must not take
 * a restored image.json at its word (CVE-2025-36852, "CREEP"). Whatever the entry says, no push.json
 * records another build's digest and no registry tag of this commit moves onto another image.
 */

interface ImageJson {
  image: string;
  contentTag: string;
  localRef: string;
  imageId?: string;
  built: boolean;
}
interface PushJson {
  digest: string;
  tags: string[];
}

const LEDGER = 'ledger-api';
const NOTIFIER = 'notifier';
const record = (service: string) => `dist/fleet/services/${service}/image.json`;
const pushRecord = (service: string) => `dist/fleet/services/${service}/push.json`;
const shortSha = (sha: string) => sha.slice(0, 12);

describe('a poisoned local cache: restored image.json files that do not match the sources or the image', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const engine = detectEngine();
  const env = () => ({ FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine });
  let v1: ImageJson;
  let v1Digest: string;

  // docker-push alone: with its docker-build dependency Nx would restore the record it cached itself.
  const pushOnly = (service: string) =>
    ws.nx(['run', `${service}:docker-push`, '--exclude-task-dependencies', '--output-style=static'], { env: env() });

  beforeAll(async () => {
    ws = TestWorkspace.create('cache-trust-local');
    registry = await startRegistry();
    ws.addService(LEDGER);
    ws.addService(NOTIFIER);
    await ws.commit('two services');
    await ws.nxOk(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env() });
    v1 = ws.readJson<ImageJson>(record(LEDGER));
    v1Digest = ws.readJson<PushJson>(pushRecord(LEDGER)).digest;
    expect(await registry.manifestDigest(LEDGER, v1.contentTag)).toBe(v1Digest);
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('(a) v1 image.json back over v2 sources: refused naming the record, v1 digest never recorded, the commit tag never on v1', async () => {
    ws.write(`services/${LEDGER}/main.js`, `// test workspace ${ws.id}\nconsole.log('ledger v2');\n`);
    const v2Commit = await ws.commit('ledger v2');
    await ws.nxOk(['run', `${LEDGER}:docker-build`, '--output-style=static'], { env: env() });
    const v2 = ws.readJson<ImageJson>(record(LEDGER));
    expect(v2.contentTag).not.toBe(v1.contentTag);
    ws.remove(pushRecord(LEDGER));

    // What a cache restore of the older entry leaves behind; the registry still holds v1 under its tag.
    ws.write(record(LEDGER), `${JSON.stringify(v1, null, 2)}\n`);
    const result = await pushOnly(LEDGER);
    const output = result.stdout + result.stderr;

    expect(result.code).not.toBe(0);
    expect(output).toContain(`${record(LEDGER)} is not trusted`);
    expect(output).toContain(`it records content tag ${v1.contentTag}, but the current sources give ${v2.contentTag}`);
    expect(output).not.toContain('already present, no upload');
    expect(ws.exists(pushRecord(LEDGER))).toBe(false);
    expect(await registry.manifestDigest(LEDGER, shortSha(v2Commit))).toBeUndefined();

    // The real record (docker-build's own, restored by Nx) pushes v2 under this commit's tag.
    await ws.nxOk(['run', `${LEDGER}:docker-push`, '--output-style=static'], { env: env() });
    const pushed = ws.readJson<PushJson>(pushRecord(LEDGER));
    expect(pushed.digest).not.toBe(v1Digest);
    expect(pushed.tags.slice(0, 2)).toEqual([v2.contentTag, shortSha(v2Commit)]);
    expect(await registry.manifestDigest(LEDGER, shortSha(v2Commit))).toBe(pushed.digest);
    expect(await registry.manifestDigest(LEDGER, v1.contentTag)).toBe(v1Digest);
  });

  it("(b) a localRef naming another service's image, or a base image: refused, nothing pushed", async () => {
    // A new ledger version, built but not pushed: an accepted record would upload its localRef under this tag.
    ws.write(`services/${LEDGER}/main.js`, `// test workspace ${ws.id}\nconsole.log('ledger v3');\n`);
    const v3Commit = await ws.commit('ledger v3');
    await ws.nxOk(['run', `${LEDGER}:docker-build`, '--output-style=static'], { env: env() });
    const v3 = ws.readJson<ImageJson>(record(LEDGER));
    const notifier = ws.readJson<ImageJson>(record(NOTIFIER));
    const tagsBefore = (await registry.tags(LEDGER)).sort();
    const pushBefore = ws.read(pushRecord(LEDGER));

    for (const localRef of [notifier.localRef, 'docker.io/library/node:20']) {
      ws.write(record(LEDGER), `${JSON.stringify({ ...v3, localRef }, null, 2)}\n`);
      const result = await pushOnly(LEDGER);
      const output = result.stdout + result.stderr;
      expect(result.code).not.toBe(0);
      expect(output).toContain(`${record(LEDGER)} is not trusted`);
      expect(output).toContain(`its localRef "${localRef}" is not "${v3.image}:${v3.contentTag}"`);
      expect(await registry.manifestDigest(LEDGER, v3.contentTag)).toBeUndefined();
      expect(await registry.manifestDigest(LEDGER, shortSha(v3Commit))).toBeUndefined();
      expect((await registry.tags(LEDGER)).sort()).toEqual(tagsBefore);
      expect(ws.read(pushRecord(LEDGER))).toBe(pushBefore);
    }
  });
});

describe('a poisoned remote cache: a docker-build entry whose image.json names an older content tag', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  let cache: RunningRemoteCache;
  let scratch: string;
  const engine = detectEngine();
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine, ...extra });

  const entryUrl = (server: RunningRemoteCache, hash: string) => `${server.url}/v1/cache/${hash}`;
  const auth = (server: RunningRemoteCache) => ({ Authorization: `Bearer ${server.token}` });

  /** The entry of `server` whose tar holds the service's image.json, extracted under `dir`. */
  async function entryHolding(server: RunningRemoteCache, file: string, dir: string) {
    for (const hash of server.entries()) {
      const res = await fetch(entryUrl(server, hash), { headers: auth(server) });
      const body = Buffer.from(await res.arrayBuffer());
      const tgz = join(scratch, `${hash}.tgz`);
      writeFileSync(tgz, body);
      const names = (await runOk('tar', ['-tzf', tgz])).stdout.split('\n').filter(Boolean);
      const member = names.find((name) => name.endsWith(file));
      if (!member) continue;
      mkdirSync(dir, { recursive: true });
      await runOk('tar', ['-xzf', tgz, '-C', dir]);
      return { hash, names, member };
    }
    throw new Error(`no entry of ${server.url} holds ${file}: ${server.entries().join(', ')}`);
  }

  beforeAll(async () => {
    ws = TestWorkspace.create('cache-trust-remote');
    scratch = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-cache-trust-'));
    registry = await startRegistry();
    cache = await startRemoteCache();
    ws.addService(LEDGER);
    await ws.commit('one service');
  });
  afterAll(async () => {
    await cache?.stop();
    await registry?.stop();
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('(c) a second machine restores the poisoned entry: docker-push never records the older digest', async () => {
    // main ships v1 and fills the shared remote cache.
    await ws.nxOk(['run', `${LEDGER}:docker-push`, '--output-style=static'], { env: env(cache.env) });
    const v1 = ws.readJson<ImageJson>(record(LEDGER));
    const v1Digest = ws.readJson<PushJson>(pushRecord(LEDGER)).digest;

    // A branch job holding a cache token that writes: it builds v2 against a cache of its own to learn
    // the entry's hash and layout, puts v1's record in it, and writes it first under v2's hash.
    ws.write(`services/${LEDGER}/main.js`, `// test workspace ${ws.id}\nconsole.log('ledger v2');\n`);
    const v2Commit = await ws.commit('ledger v2');
    const own = await startRemoteCache();
    let v2: ImageJson;
    try {
      ws.remove('.nx');
      await ws.nxOk(['run', `${LEDGER}:docker-build`, '--output-style=static'], { env: env(own.env) });
      v2 = ws.readJson<ImageJson>(record(LEDGER));
      const dir = join(scratch, 'entry');
      const entry = await entryHolding(own, record(LEDGER), dir);
      writeFileSync(join(dir, entry.member), `${JSON.stringify(v1, null, 2)}\n`);
      const poisoned = join(scratch, 'poisoned.tgz');
      await runOk('tar', ['-czf', poisoned, '-C', dir, '--no-recursion', '--', ...entry.names]);
      const put = await fetch(entryUrl(cache, entry.hash), {
        method: 'PUT',
        headers: { ...auth(cache), 'Content-Type': 'application/octet-stream' },
        body: readFileSync(poisoned),
      });
      expect(put.status).toBe(200);
    } finally {
      await own.stop();
    }
    expect(v2.contentTag).not.toBe(v1.contentTag);

    // Another machine at the same commit: no local cache, no records, neither image in the engine.
    ws.remove('.nx');
    ws.remove('dist');
    for (const ref of [v1.localRef, v2.localRef]) await forgetImage(engine, ref);
    const result = await ws.nx(['run', `${LEDGER}:docker-push`, '--output-style=static'], { env: env(cache.env) });
    const output = result.stdout + result.stderr;

    // The poisoned entry was used (else this proves nothing)...
    expect(output).toMatch(/docker-build\s+\[remote cache\]/);
    // ...and refused, or rebuilt: never a push of v1's digest for this commit.
    if (result.code === 0) {
      const pushed = ws.readJson<PushJson>(pushRecord(LEDGER));
      expect(pushed.digest).not.toBe(v1Digest);
      expect(pushed.tags[0]).toBe(v2.contentTag);
    } else {
      expect(output).toContain(`${record(LEDGER)} is not trusted`);
      expect(output).toContain(
        `it records content tag ${v1.contentTag}, but the current sources give ${v2.contentTag}`,
      );
      expect(ws.exists(pushRecord(LEDGER))).toBe(false);
    }
    expect(output).not.toContain('already present, no upload');
    const commitTag = await registry.manifestDigest(LEDGER, shortSha(v2Commit));
    expect(commitTag === undefined || commitTag !== v1Digest).toBe(true);
    expect(await registry.manifestDigest(LEDGER, v1.contentTag)).toBe(v1Digest);
  });
});
