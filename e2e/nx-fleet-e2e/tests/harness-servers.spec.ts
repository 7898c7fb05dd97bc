import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage, NODE_BASE_IMAGE } from '../../../tools/fleet-harness/src/base-image';
import { DOCKER_CLIENT, loadImage, type RunningDockerd, startDockerd } from '../../../tools/fleet-harness/src/dockerd';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { type RunningRemoteCache, startRemoteCache } from '../../../tools/fleet-harness/src/remote-cache';
import { run, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

describe('remote cache harness: Nx 23.2.1 stores to and restores from it', () => {
  let ws: TestWorkspace;
  let cache: RunningRemoteCache;

  beforeAll(async () => {
    ws = TestWorkspace.create('remote-cache');
    cache = await startRemoteCache();
  });
  afterAll(async () => {
    await cache?.stop();
    ws?.dispose();
  });

  it('answers 401 without the bearer token, 404 for a miss, 409 for a second PUT', async () => {
    const entry = `${cache.url}/v1/cache/123`;
    expect((await fetch(entry)).status).toBe(401);
    expect((await fetch(entry, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const auth = { Authorization: `Bearer ${cache.token}` };
    expect((await fetch(entry, { headers: auth })).status).toBe(404);
    expect((await fetch(entry, { method: 'PUT', headers: auth, body: 'one' })).status).toBe(200);
    expect((await fetch(entry, { method: 'PUT', headers: auth, body: 'two' })).status).toBe(409);
    const got = await fetch(entry, { headers: auth });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(await got.text()).toBe('one');
    cache.clear();
    cache.stats.gets = cache.stats.hits = cache.stats.puts = 0;
    expect(cache.entries()).toEqual([]);
  });

  it('restores a cacheable run-commands output after the local cache (.nx) is deleted', async () => {
    // Date.now() makes a re-run distinguishable from a restore.
    ws.write(
      'tools/stamp/stamp.js',
      "const fs = require('fs');\nfs.mkdirSync('dist/stamp', { recursive: true });\nfs.writeFileSync('dist/stamp/stamp.txt', String(Date.now()));\nconsole.log('stamped');\n",
    );
    ws.write(
      'tools/stamp/project.json',
      JSON.stringify({
        name: 'stamp',
        root: 'tools/stamp',
        targets: {
          stamp: {
            executor: 'nx:run-commands',
            cache: true,
            outputs: ['{workspaceRoot}/dist/stamp'],
            options: { command: 'node tools/stamp/stamp.js' },
          },
        },
      }),
    );
    const args = ['run', 'stamp:stamp', '--output-style=static'];

    const first = await ws.nxOk(args, { env: cache.env });
    expect(first.stdout).toMatch(/stamped/);
    expect(first.stdout).not.toMatch(/cache\]/);
    expect(cache.stats).toMatchObject({ gets: 1, hits: 0, puts: 1 });
    expect(cache.entries()).toHaveLength(1);
    const stamp = ws.read('dist/stamp/stamp.txt');

    // Not just .nx/cache: Nx 23 indexes local entries in .nx/workspace-data/*.db and, with only the
    // cache folder gone, still reports "[local cache]" while restoring nothing.
    ws.remove('.nx');
    ws.remove('dist/stamp');
    const second = await ws.nxOk(args, { env: cache.env });
    expect(second.stdout).toMatch(/stamp:stamp\s+\[remote cache\]/);
    expect(ws.read('dist/stamp/stamp.txt')).toBe(stamp);
    expect(cache.stats.hits).toBeGreaterThanOrEqual(1);
    expect(cache.stats.puts).toBe(1);
  });
});

describe('dockerd harness: BuildKit secret build and push to a loopback registry', () => {
  let docker: RunningDockerd;
  let registry: RunningRegistry;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const secret = randomBytes(24).toString('hex');
  const docker$ = (args: string[]) => runOk(DOCKER_CLIENT, args, { env, timeoutMs: 300_000 });

  beforeAll(async () => {
    [docker, registry] = await Promise.all([startDockerd(), startRegistry()]);
    env = { ...process.env, ...docker.env };
    work = mkdtempSync(join(tmpdir(), 'nx-fleet-dockerd-spec-'));
    await loadImage(docker.host, await ensureNodeBaseImage('podman'), ['node:20']);
  });
  afterAll(async () => {
    await docker?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the docker.io 20.10 daemon and client, with 127.0.0.0/8 as insecure registries', async () => {
    const version = JSON.parse((await docker$(['version', '--format', '{{json .}}'])).stdout);
    expect(version.Server.Version).toMatch(/^20\.10\./);
    expect(version.Client.Version).toMatch(/^20\.10\./);
    expect((await run('docker', ['--version'], { env })).stdout).toMatch(/^Docker version 20\.10\./); // PATH from env
    expect(
      JSON.parse((await docker$(['info', '--format', '{{json .RegistryConfig.InsecureRegistryCIDRs}}'])).stdout),
    ).toContain('127.0.0.0/8');
    expect((await docker$(['image', 'inspect', '--format', '{{.Id}}', 'node:20'])).stdout.trim()).toBe(
      (await docker$(['image', 'inspect', '--format', '{{.Id}}', NODE_BASE_IMAGE])).stdout.trim(),
    );
  });

  it('reads a secret mount during the build, keeps it out of the image, and pushes by digest', async () => {
    const ctx = join(work, 'ctx');
    const secretFile = join(work, 'token');
    writeFileSync(secretFile, secret);
    const digestJs =
      "const fs=require('fs');fs.writeFileSync('/secret.sha256',require('crypto').createHash('sha256').update(fs.readFileSync('/run/secrets/token')).digest('hex'))";
    const dockerfile = [
      'FROM node:20',
      `RUN --mount=type=secret,id=token ${JSON.stringify(['node', '-e', digestJs])}`,
      'CMD ["cat", "/secret.sha256"]',
      '',
    ].join('\n');
    mkdirSync(ctx); // the secret file stays outside the build context
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    const image = `${registry.host}/secret-demo:1`;

    await runOk(
      DOCKER_CLIENT,
      ['build', '--progress=plain', '--secret', `id=token,src=${secretFile}`, '-t', image, ctx],
      {
        env: { ...env, DOCKER_BUILDKIT: '1' },
        timeoutMs: 300_000,
      },
    );

    expect((await docker$(['run', '--rm', image])).stdout.trim()).toBe(
      createHash('sha256').update(secret).digest('hex'),
    );
    const probe = await docker$([
      'run',
      '--rm',
      image,
      'sh',
      '-c',
      'cat /run/secrets/token 2>/dev/null; ls -A /run/secrets 2>/dev/null; echo end',
    ]);
    expect(probe.stdout.trim()).toBe('end');
    expect((await docker$(['history', '--no-trunc', image])).stdout).not.toContain(secret);
    const saved = join(work, 'image.tar');
    await docker$(['save', '-o', saved, image]);
    expect(readFileSync(saved).includes(secret)).toBe(false); // layers are uncompressed tars in `docker save`

    const push = await docker$(['push', image]);
    const pushed = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    expect(pushed).toBeDefined();
    expect(await registry.manifestDigest('secret-demo', '1')).toBe(pushed);
    expect((await docker$(['image', 'inspect', '--format', '{{json .RepoDigests}}', image])).stdout).toContain(
      `${registry.host}/secret-demo@${pushed}`,
    );
  });
});
