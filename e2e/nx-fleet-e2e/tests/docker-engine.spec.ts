import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage, NODE_BASE_IMAGE } from '../../../tools/fleet-harness/src/base-image';
import { dockerClient, loadImage, type RunningDockerd, startDockerd } from '../../../tools/fleet-harness/src/dockerd';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

describe('the docker engine path against a real dockerd (Debian docker.io)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  let dockerd: RunningDockerd;
  let secretDir: string;
  const secret = `s3cr3t-${Date.now()}`;

  beforeAll(async () => {
    [registry, dockerd] = await Promise.all([startRegistry(), startDockerd()]);
    await ensureNodeBaseImage('podman');
    await loadImage(dockerd.host, NODE_BASE_IMAGE, ['node:20']);
    ws = TestWorkspace.create('dockerd');
    secretDir = mkdtempSync(join(tmpdir(), 'nx-fleet-secret-'));
    writeFileSync(join(secretDir, 'token'), secret);
    ws.addService('api', {
      dockerfile: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY services/api/main.js ./',
        // The secret is readable while building; only its length lands in the image.
        "RUN --mount=type=secret,id=token node -e \"require('fs').writeFileSync('/app/len', String(require('fs').readFileSync('/run/secrets/token').length))\"",
        'CMD ["node", "main.js"]',
        '',
      ].join('\n'),
    });
    const project = ws.readJson<Record<string, unknown>>('services/api/project.json');
    ws.write(
      'services/api/project.json',
      JSON.stringify(
        {
          ...project,
          targets: { 'docker-build': { options: { secrets: [{ id: 'token', src: join(secretDir, 'token') }] } } },
        },
        null,
        2,
      ),
    );
    // Built FROM api's image, as the repository api pushes to names it: the classic builder (no buildx here).
    ws.addService('web', {
      dockerfile: `FROM ${registry.host}/api\nCOPY services/web/main.js /app/web.js\nCMD ["node", "/app/web.js"]\n`,
    });
    await ws.commit('api');
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), dockerd?.stop()]);
    ws?.dispose();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it('builds with a BuildKit secret, pushes, and the registry serves the recorded digest; the secret is nowhere', async () => {
    const env = { ...dockerd.env, FLEET_ENGINE: 'docker', FLEET_REGISTRY: registry.host };
    const result = await ws.nx(['run', 'api:docker-push', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    const image = ws.readJson<{ engine: string; localRef: string; contentTag: string; built: boolean }>(
      'dist/fleet/services/api/image.json',
    );
    const push = ws.readJson<{ digest: string; uploaded: boolean }>('dist/fleet/services/api/push.json');
    expect(image).toMatchObject({ engine: 'docker', built: true });
    expect(push.uploaded).toBe(true);
    expect(await registry.manifestDigest('api', image.contentTag)).toBe(push.digest);

    const docker = dockerClient();
    const denv = { ...process.env, DOCKER_HOST: dockerd.host };
    expect((await runOk(docker, ['run', '--rm', image.localRef, 'cat', '/app/len'], { env: denv })).stdout).toBe(
      String(secret.length),
    );
    const history = await runOk(docker, ['history', '--no-trunc', image.localRef], { env: denv });
    expect(history.stdout).not.toContain(secret);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(JSON.stringify(image) + JSON.stringify(push)).not.toContain(secret);

    // A second run: the Nx cache and the registry say nothing changed; nothing is built or uploaded.
    const again = await ws.nx(['run', 'api:docker-push', '--output-style=static'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/docker-build\s+\[local cache\]/);
    expect(ws.readJson<{ uploaded: boolean }>('dist/fleet/services/api/push.json').uploaded).toBe(false);
  });

  it("builds an image FROM another service's image: the daemon's api image, tagged as the FROM names it", async () => {
    const env = { ...dockerd.env, FLEET_ENGINE: 'docker', FLEET_REGISTRY: registry.host };
    const result = await ws.nxOk(['run', 'web:docker-build', '--output-style=static'], { env });
    expect(result.stdout).toMatch(/api:docker-build/);
    const web = ws.readJson<{ localRef: string }>('dist/fleet/services/web/image.json');
    const denv = { ...process.env, DOCKER_HOST: dockerd.host };
    // api's layers are web's: the file api's build wrote is there.
    expect((await runOk(dockerClient(), ['run', '--rm', web.localRef, 'cat', '/app/len'], { env: denv })).stdout).toBe(
      String(secret.length),
    );
  });
});
