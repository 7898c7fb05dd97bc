import { createHash } from 'node:crypto';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

describe('nx-fleet installed from dist/nx-fleet.tgz into a fresh Nx 23.2.1 workspace', () => {
  let ws: TestWorkspace;

  beforeAll(() => {
    ws = TestWorkspace.create('foundation', 'nx23', 'isolated');
  });
  afterAll(() => ws?.dispose());

  it('is installed from the tarball and registered in nx.json by its init generator', async () => {
    const installed = ws.readJson<{ name: string; version: string }>('node_modules/nx-fleet/package.json');
    expect(installed.name).toBe('nx-fleet');
    expect(
      ws.readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies['nx-fleet'],
    ).toMatch(/nx-fleet\.tgz$/);
    expect(ws.readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies['nx']).toBe(
      '23.2.1',
    );
    // Registered by init; the harness then turns the scan gate off (no vulnerability database here).
    expect(ws.readJson<{ plugins: unknown[] }>('nx.json').plugins).toContainEqual({
      plugin: 'nx-fleet',
      options: { gates: { scan: false } },
    });
    expect(await ws.projects()).toEqual([]);
  });

  it('init is idempotent and --dry-run changes nothing', async () => {
    const before = ws.read('nx.json');
    await ws.nxOk(['g', 'nx-fleet:init', '--no-interactive']);
    expect(ws.read('nx.json')).toBe(before);
    const dry = await ws.nxOk(['g', 'nx-fleet:init', '--registry=127.0.0.1:5999', '--dry-run', '--no-interactive']);
    expect(dry.stdout).toMatch(/UPDATE nx\.json/);
    expect(ws.read('nx.json')).toBe(before);
  });

  it('exposes the nx-fleet command with --help', async () => {
    const help = await ws.bin('nx-fleet', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: nx-fleet <command>/);
    expect(help.stdout).toMatch(/status/);
    const unknown = await ws.bin('nx-fleet', ['no-such-command']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "no-such-command"/);
  });

  it('infers docker-build and docker-push for a project with a Dockerfile, and ignores an orphan Dockerfile with one warning', async () => {
    ws.addService('orders');
    ws.write('tools/orphan/Dockerfile', 'FROM node:20\n');
    const result = await ws.nxOk(['show', 'projects', '--json']);
    expect(JSON.parse(result.stdout)).toEqual(['orders']);
    expect(result.stderr + result.stdout).toMatch(/tools\/orphan\/Dockerfile has no project\.json/);

    // Two example apps outside every workspace of the package manager, under one package name:
    // Nx makes no project of either, and nx-fleet must not make two of one name (Nx would refuse the graph).
    ws.write('demos/a/package.json', JSON.stringify({ name: 'demo-app' }));
    ws.write('demos/a/Dockerfile', 'FROM node:20\n');
    ws.write('demos/b/package.json', JSON.stringify({ name: 'demo-app' }));
    ws.write('demos/b/Dockerfile', 'FROM node:20\n');
    const clash = await ws.nxOk(['show', 'projects', '--json']);
    expect(JSON.parse(clash.stdout)).toEqual(['orders']);
    // One warning for both, not one each.
    const said = clash.stderr + clash.stdout;
    expect(said).toMatch(
      /2 Dockerfiles are not services: demos\/a\/Dockerfile, demos\/b\/Dockerfile\. .*"demo-app", is the others'/,
    );
    expect(said.match(/are not services: demos/g)).toHaveLength(1);
    await ws.nxOk(['graph', '--file=graph.json']);
    ws.remove('demos');

    const project = await ws.showProject('orders');
    expect(project.targets['docker-build']).toMatchObject({
      executor: 'nx-fleet:docker-build',
      cache: true,
      metadata: { technologies: ['docker'] },
    });
    expect(project.targets['docker-push']).toMatchObject({
      executor: 'nx-fleet:docker-push',
      dependsOn: ['docker-build'],
    });
  });
});

describe('build and push with the real engine and a real registry', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;

  beforeAll(async () => {
    ws = TestWorkspace.create('push', 'nx23', 'isolated');
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('builds a one-file image, pushes it, and the registry serves the recorded digest', async () => {
    ws.addService('hello');
    const sha = await ws.commit('add hello');

    const run = await ws.nx(['run', 'hello:docker-push', '--output-style=static'], {
      env: { FLEET_REGISTRY: registry.host },
    });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/hello: the scan gate is turned off/);

    const image = ws.readJson<{ contentTag: string; built: boolean }>('dist/fleet/services/hello/image.json');
    const push = ws.readJson<{ digest: string; reference: string; tags: string[]; uploaded: boolean }>(
      'dist/fleet/services/hello/push.json',
    );
    expect(image.built).toBe(true);
    expect(push.uploaded).toBe(true);
    expect(push.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(push.reference).toBe(`${registry.host}/hello@${push.digest}`);
    expect(await registry.manifestDigest('hello', image.contentTag)).toBe(push.digest);
    expect(await registry.manifestDigest('hello', sha.slice(0, 12))).toBe(push.digest);
    expect((await registry.tags('hello')).sort()).toEqual([image.contentTag, sha.slice(0, 12)].sort());
  });

  it('with no registry configured, pushes to the embedded OCI image layout', async () => {
    ws.addService('embedded');
    await ws.commit('add embedded');
    const run = await ws.nx(['run', 'embedded:docker-push', '--output-style=static'], { env: { FLEET_REGISTRY: '' } });
    expect(run.code).toBe(0);
    const image = ws.readJson<{ contentTag: string }>('dist/fleet/services/embedded/image.json');
    const push = ws.readJson<{ digest: string; destination: string; reference: string }>(
      'dist/fleet/services/embedded/push.json',
    );
    expect(push).toMatchObject({ destination: 'oci-layout', reference: `embedded@${push.digest}` });
    const raw = await runOk('skopeo', [
      'inspect',
      '--raw',
      `oci:${ws.root}/dist/fleet-registry/embedded:${image.contentTag}`,
    ]);
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(push.digest);
  });

  it('affected follows the commit helpers: only the changed service is affected', async () => {
    ws.addService('billing');
    const base = await ws.commit('add billing');
    ws.write('services/billing/main.js', 'console.log("billing v2");\n');
    await ws.commit('change billing');
    expect(await ws.projects(['--affected', `--base=${base}`, '--head=HEAD'])).toEqual(['billing']);
  });
});
