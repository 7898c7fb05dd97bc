import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { detectEngine, forgetImage, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/*
 * Images built FROM another service's image, as browserless builds its browsers FROM the image its
 * docker/base builds: base ← api ← worker (each FROM the repository the other pushes to), tools FROM
 * base by name, gateway copying from api, checker mounting base in a RUN, and other, FROM node:20 alone. Real nx CLI, real engine, real registry.
 */
describe('an image built FROM another service’s image (real nx CLI, real engine, real registry)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const engine = detectEngine();
  const image = (root: string) =>
    ws.readJson<{ contentTag: string; localRef: string; built: boolean }>(`dist/fleet/${root}/image.json`);
  const env = () => ({ FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine });
  const says = async (root: string) =>
    (await runOk(engine === 'buildah' ? 'podman' : engine, ['run', '--rm', image(root).localRef])).stdout.trim();

  beforeAll(async () => {
    ws = TestWorkspace.create('base-images');
    registry = await startRegistry();
    ws.write('images/base/project.json', JSON.stringify({ name: 'base' }));
    ws.write('images/base/motd.txt', `motd v1 ${ws.id}\n`);
    ws.write('images/base/Dockerfile', 'FROM node:20\nCOPY motd.txt /etc/motd.txt\n');
    ws.write('services/api/project.json', JSON.stringify({ name: 'api' }));
    ws.write(
      'services/api/main.js',
      "console.log(require('fs').readFileSync('/etc/motd.txt', 'utf8').trim() + ' / api');\n",
    );
    ws.write(
      'services/api/Dockerfile',
      `ARG VERSION=latest\nFROM ${registry.host}/base:$VERSION\nCOPY main.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
    );
    ws.write('services/worker/project.json', JSON.stringify({ name: 'worker' }));
    ws.write('services/worker/role.txt', 'worker\n');
    ws.write('services/worker/Dockerfile', `FROM ${registry.host}/api\nCOPY role.txt /app/role.txt\n`);
    // A local base image, named as nx-fleet builds it.
    ws.write('services/tools/project.json', JSON.stringify({ name: 'tools' }));
    ws.write('services/tools/Dockerfile', 'FROM base\nCMD ["cat", "/etc/motd.txt"]\n');
    // Files copied --from another service's image.
    ws.write('services/gateway/project.json', JSON.stringify({ name: 'gateway' }));
    ws.write(
      'services/gateway/Dockerfile',
      'FROM node:20\nCOPY --from=api /app/main.js /srv/api.js\nCMD ["cat", "/srv/api.js"]\n',
    );
    // Files a RUN mounts from another service's image.
    ws.write('services/checker/project.json', JSON.stringify({ name: 'checker' }));
    ws.write(
      'services/checker/Dockerfile',
      'FROM node:20\nRUN --mount=type=bind,from=base,source=/etc/motd.txt,target=/tmp/motd cp /tmp/motd /motd.txt\nCMD ["cat", "/motd.txt"]\n',
    );
    ws.addService('other');
    await ws.commit('a base image and the images built FROM it');
  });

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('builds the base first and FROM its image, as nx show project says; the chain too', async () => {
    const show = async (extra = {}) =>
      JSON.parse((await ws.nxOk(['show', 'project', 'api', '--json'], { env: extra })).stdout).targets['docker-build'];
    expect(await show(env())).toMatchObject({
      dependsOn: [{ projects: ['base'], target: 'docker-build' }],
      options: { baseImages: { [`${registry.host}/base`]: 'base:docker-build' } },
      metadata: { description: expect.stringContaining('built FROM the image of base') },
    });
    const context = await ws.bin('nx-fleet', ['context', 'api'], { env: env() });
    expect(context.stderr).toContain(
      `built FROM other services' images, as their sources build them (their docker-build runs first): ${registry.host}/base ← base:docker-build`,
    );
    const missing = await ws.bin('nx-fleet', ['context', 'no-such-project'], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nx-fleet context: no project is named "no-such-project".');
    // Without a registry only a local name names a service's image.
    expect((await show()).options).not.toHaveProperty('baseImages');

    const run = await ws.nxOk(['run-many', '-t', 'docker-push', '--output-style=stream'], { env: env() });
    const order = ['base', 'api', 'gateway'].map((p) => run.stdout.indexOf(`nx run ${p}:docker-build`));
    expect(run.stdout.indexOf('nx run worker:docker-build')).toBeGreaterThan(order[1]!);
    expect(run.stdout.indexOf('nx run checker:docker-build')).toBeGreaterThan(order[0]!);
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(await says('services/api')).toBe(`motd v1 ${ws.id} / api`);
    expect(await says('services/worker')).toBe(`motd v1 ${ws.id} / api`);
    expect(await says('services/tools')).toBe(`motd v1 ${ws.id}`);
    expect(await says('services/gateway')).toContain('/ api');
    expect(await says('services/checker')).toBe(`motd v1 ${ws.id}`);
  });

  it("a change to the base's sources affects and rebuilds what is built FROM it, nothing else", async () => {
    const before = { api: image('services/api').contentTag, worker: image('services/worker').contentTag };
    ws.write('images/base/motd.txt', `motd v2 ${ws.id}\n`);
    await ws.commit('a new motd');
    const affected = await ws.nxOk(['show', 'projects', '--affected', '--base=HEAD~1', '--json'], { env: env() });
    expect((JSON.parse(affected.stdout) as string[]).sort()).toEqual([
      'api',
      'base',
      'checker',
      'gateway',
      'tools',
      'worker',
    ]);
    await ws.nxOk(['affected', '-t', 'docker-push', '--base=HEAD~1', '--output-style=stream'], { env: env() });
    expect(image('services/api').contentTag).not.toBe(before.api);
    expect(image('services/worker').contentTag).not.toBe(before.worker);
    expect(await says('services/worker')).toBe(`motd v2 ${ws.id} / api`);
    expect(await says('services/tools')).toBe(`motd v2 ${ws.id}`);
    expect(await says('services/checker')).toBe(`motd v2 ${ws.id}`);
  });

  it("takes the registry's base when the engine has none (its build's record restored from Nx's cache)", async () => {
    await forgetImage(engine, image('images/base').localRef);
    ws.write('services/api/main.js', ws.read('services/api/main.js').replace("' / api'", "' / api v2'"));
    await ws.commit('api v2');
    const run = await ws.nxOk(['run', 'api:docker-build', '--output-style=stream'], { env: env() });
    expect(run.stdout).toMatch(/nx run base:docker-build.*\[local cache\]|existing outputs match the cache/);
    expect(await says('services/api')).toBe(`motd v2 ${ws.id} / api v2`);
  });

  it('a tag whose build argument has no value until the build gives one (nango) still builds after the base, FROM its image', async () => {
    ws.write('services/later/project.json', JSON.stringify({ name: 'later' }));
    ws.write('services/later/Dockerfile', 'ARG BASE_TAG\nFROM base:${BASE_TAG}\nCMD ["cat", "/etc/motd.txt"]\n');
    await ws.commit('an image whose base tag each build gives');
    try {
      const shown = JSON.parse((await ws.nxOk(['show', 'project', 'later', '--json'])).stdout).targets['docker-build'];
      expect(shown).toMatchObject({
        dependsOn: [{ projects: ['base'], target: 'docker-build' }],
        options: { baseImages: { base: 'base:docker-build' } },
      });
      const unset = await ws.nx(['run', 'later:docker-build', '--output-style=stream']);
      expect(unset.code).not.toBe(0);
      expect(unset.stdout + unset.stderr).toMatch(/BASE_TAG/);
      await ws.nxOk(['run', 'later:docker-build', '--buildArgs.BASE_TAG=sha-1234', '--output-style=stream']);
      expect(await says('services/later')).toBe(`motd v2 ${ws.id}`);
    } finally {
      ws.remove('services/later');
      await ws.commit('no later');
    }
  });

  it('a FROM pinned to a literal tag is built FROM the base where baseImages states it (terramatch), and a stated entry no FROM takes is named', async () => {
    // `base:ci` is no image anywhere here: the build succeeds only FROM the base's own image.
    ws.write(
      'services/pinned/project.json',
      JSON.stringify({
        name: 'pinned',
        targets: {
          'docker-build': {
            dependsOn: [{ projects: ['base'], target: 'docker-build' }],
            options: { baseImages: { base: 'base:docker-build', 'acme/unused': 'base:docker-build' } },
          },
        },
      }),
    );
    ws.write('services/pinned/Dockerfile', 'FROM base:ci\nCMD ["cat", "/etc/motd.txt"]\n');
    await ws.commit('an image FROM a base pinned to the tag its CI builds');
    try {
      // Read at graph time: the base's record is the build's input, as for an inferred link.
      expect((await ws.showProject('pinned')).targets['docker-build']).toMatchObject({
        inputs: expect.arrayContaining([{ dependentTasksOutputFiles: '**/image.json', transitive: false }]),
        metadata: { description: expect.stringContaining('built FROM the image of base') },
      });
      const context = await ws.bin('nx-fleet', ['context', 'pinned'], { env: env() });
      expect(context.code).toBe(0);
      expect(context.stderr).toContain(
        "built FROM other services' images, as their sources build them (their docker-build runs first): base ← base:docker-build",
      );
      expect(context.stderr).toContain(`docker-build's "baseImages" names acme/unused, which no FROM`);
      const built = await ws.nxOk(['run', 'pinned:docker-build', '--output-style=stream'], { env: env() });
      expect(built.stdout + built.stderr).toContain(`docker-build's "baseImages" names acme/unused, which no FROM`);
      expect(await says('services/pinned')).toBe(`motd v2 ${ws.id}`);
    } finally {
      ws.remove('services/pinned');
      await ws.commit('no pinned');
    }
  });
});
