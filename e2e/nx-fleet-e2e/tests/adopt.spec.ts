import { detectEngine, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * `nx g nx-fleet:adopt` on a repository whose images something else builds: @nx/docker (installed,
 * as a user has it: its plugin entry in nx.json, a project target overriding its docker:build) and
 * @nx-tools/nx-container (a project.json target only; the executor is not needed to read it).
 */
describe('adopt: @nx/docker and nx-container setups become fleet services with the same image names', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = TestWorkspace.create('adopt');
    await runOk('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '@nx/docker@23.2.1'], {
      cwd: ws.root,
      env: ws.env(),
      timeoutMs: 300_000,
    });
    const nxJson = ws.readJson<{ plugins?: unknown[] }>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        {
          ...nxJson,
          plugins: [
            ...(nxJson.plugins ?? []),
            // Its samples are no images of @nx/docker's either.
            {
              plugin: '@nx/docker',
              options: { buildTarget: 'docker:build', runTarget: 'docker:run' },
              exclude: ['examples/**'],
            },
          ],
        },
        null,
        2,
      ),
    );
    // @nx/docker: a Dockerfile written for its folder; the project's target adds the team's tag and a build arg.
    ws.write(
      'apps/build-manager/project.json',
      JSON.stringify(
        {
          name: 'build-manager',
          root: 'apps/build-manager',
          targets: {
            'docker:build': {
              options: { args: ['--tag acme/build-manager', `--build-arg GREETING=hello-${ws.id}`] },
            },
          },
        },
        null,
        2,
      ),
    );
    ws.write(
      'apps/build-manager/Dockerfile',
      [
        'FROM node:20',
        'ARG GREETING',
        'WORKDIR /app',
        'COPY main.js ./',
        'RUN echo "$GREETING" > greeting.txt',
        'CMD ["node", "main.js"]',
        '',
      ].join('\n'),
    );
    ws.write('apps/build-manager/main.js', `console.log('build-manager ${ws.id}');\n`);
    // nx-container: a repo-shaped Dockerfile, a target stage before a debug stage, the image from metadata.images;
    // no `file`: the executor builds the project's Dockerfile (harmony's targets).
    ws.write(
      'apps/billing/project.json',
      JSON.stringify(
        {
          name: 'billing',
          root: 'apps/billing',
          targets: {
            container: {
              executor: '@nx-tools/nx-container:build',
              options: {
                engine: 'docker',
                context: '.',
                target: 'runner',
                'build-args': ['PORT=8080'],
                metadata: { images: ['acme/billing-api'], tags: ['type=sha'] },
              },
            },
          },
        },
        null,
        2,
      ),
    );
    ws.write(
      'apps/billing/Dockerfile',
      [
        'FROM node:20 AS runner',
        'ARG PORT',
        'WORKDIR /app',
        'COPY apps/billing/main.js ./',
        'RUN echo "$PORT" > port.txt',
        'CMD ["node", "main.js"]',
        'FROM runner AS debug',
        'RUN false',
        '',
      ].join('\n'),
    );
    ws.write('apps/billing/main.js', `console.log('billing ${ws.id}');\n`);
    // Its own run-commands target under nx-fleet's build target name (Nx's `command` shorthand).
    ws.write(
      'apps/gateway/project.json',
      JSON.stringify({
        name: 'gateway',
        targets: { 'docker-build': { command: 'docker build -f apps/gateway/Dockerfile . -t acme/gateway' } },
      }),
    );
    ws.write(
      'apps/gateway/Dockerfile',
      'FROM node:20\nWORKDIR /app\nCOPY apps/gateway/main.js ./\nCMD ["node", "main.js"]\n',
    );
    ws.write('apps/gateway/main.js', `console.log('gateway ${ws.id}');\n`);
    // A sample app whose Dockerfile the default excludes (`**/examples/**`) hide, which a CI may push all the same.
    ws.write('examples/demo/project.json', JSON.stringify({ name: 'demo' }));
    ws.write('examples/demo/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY main.js ./\nCMD ["node", "main.js"]\n');
    ws.write('examples/demo/main.js', `console.log('demo ${ws.id}');\n`);
    await ws.commit('services built by @nx/docker, nx-container and a run-commands target');
  });
  afterAll(() => ws?.dispose());

  it("names a project's own docker-build at graph time, and the push refuses to run on it", async () => {
    const graph = await ws.nxOk(['graph', '--file=tmp/graph.json']);
    expect(graph.stdout + graph.stderr).toMatch(
      /nx-fleet: apps\/gateway\/project\.json: gateway:docker-build runs `docker build -f apps\/gateway\/Dockerfile \. -t acme\/gateway` \(nx:run-commands\), not nx-fleet:docker-build/,
    );
    const push = await ws.nx(['run', 'gateway:docker-push', '--exclude-task-dependencies', '--output-style=stream']);
    expect(push.code).not.toBe(0);
    expect(push.stdout + push.stderr).toMatch(/Carry that build over with `nx g nx-fleet:adopt gateway`/);
    expect(ws.exists('dist/fleet/apps/gateway/push.json')).toBe(false);
    // nx-fleet context says the same, with no folder of "undefined".
    const context = await ws.bin('nx-fleet', ['context', 'gateway', '--out', 'tmp/gateway-context']);
    expect(context.code).not.toBe(0);
    expect(context.stderr).toMatch(/nx-fleet context: gateway:docker-build runs .*Carry that build over/);
    expect(context.stdout + context.stderr).not.toMatch(/undefined/);
    // And nx-fleet status lists it as replaced, exiting 1, among the services.
    const status = await ws.bin('nx-fleet', ['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^gateway +- +replaced +not pushed/m);
    expect(status.stdout).toMatch(/^error: gateway:docker-build runs .*Carry that build over/m);
  });

  it('--dry-run prints the table and writes nothing', async () => {
    const result = await ws.nxOk(['g', 'nx-fleet:adopt', '--dry-run', '--no-interactive']);
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/SERVICE\s+DOCKERFILE\s+CONTEXT\s+WHY\s+IMAGE\s+NOT ADOPTED/);
    expect(out).toMatch(/billing\s+apps\/billing\/Dockerfile\s+pruned\s+.*acme\/billing-api\s+-/);
    expect(out).toMatch(/build-manager\s+apps\/build-manager\/Dockerfile\s+project\s+.*acme\/build-manager\s+-/);
    expect(out).toMatch(/@nx\/docker target docker:build is kept: remove it once docker-build builds the image/);
    expect(out).toMatch(/gateway\s+apps\/gateway\/Dockerfile\s+pruned\s+.*acme\/gateway\s+-/);
    expect(out).toMatch(
      /gateway: run-commands target docker-build is replaced: nx-fleet's docker-build builds the image now/,
    );
    expect(out).toContain(
      'Left out by the plugin option "exclude" (no service, no note in the graph): demo (examples/demo/Dockerfile, **/examples/**).',
    );
    expect((await ws.git(['status', '--porcelain'])).stdout.trim()).toBe('');
  });

  it('converts both, keeping image names, build args and the target stage', async () => {
    const result = await ws.nxOk(['g', 'nx-fleet:adopt', '--no-interactive']);
    expect(result.stdout).toMatch(/build-manager\s+apps\/build-manager\/Dockerfile\s+project/);
    const manager = ws.readJson<{ metadata?: { fleet?: unknown }; targets: Record<string, unknown> }>(
      'apps/build-manager/project.json',
    );
    expect(manager.metadata?.fleet).toEqual({ image: 'acme/build-manager' });
    // @nx/docker's own dependsOn (every build, whatever the Dockerfile copies) is not the user's: not carried.
    expect(manager.targets['docker-build']).toEqual({ options: { buildArgs: { GREETING: `hello-${ws.id}` } } });
    // The old target stays (the notes say it can go).
    expect(manager.targets['docker:build']).toBeDefined();
    const billing = ws.readJson<{ metadata?: { fleet?: unknown }; targets: Record<string, unknown> }>(
      'apps/billing/project.json',
    );
    expect(billing.metadata?.fleet).toEqual({ image: 'acme/billing-api' });
    expect(billing.targets['docker-build']).toEqual({ options: { buildArgs: { PORT: '8080' }, target: 'runner' } });
    expect(billing.targets['container']).toBeDefined();
    // The run-commands build under nx-fleet's name is gone: nx-fleet's docker-build takes its place.
    const gateway = ws.readJson<{ metadata?: { fleet?: unknown }; targets?: Record<string, unknown> }>(
      'apps/gateway/project.json',
    );
    expect(gateway.metadata?.fleet).toEqual({ image: 'acme/gateway' });
    expect(gateway.targets?.['docker-build']).toBeUndefined();
    expect((await ws.showProject('gateway')).targets['docker-build']!.executor).toBe('nx-fleet:docker-build');
  });

  it('--project makes an excluded Dockerfile its service, naming it in metadata.fleet.dockerfile', async () => {
    expect((await ws.showProject('demo')).targets['docker-build']).toBeUndefined();
    const result = await ws.nxOk(['g', 'nx-fleet:adopt', '--project', 'demo', '--no-interactive']);
    expect(result.stdout).toContain(
      'demo: examples/demo/Dockerfile matches the plugin option "exclude" (**/examples/**): metadata.fleet.dockerfile names it',
    );
    expect(ws.readJson<{ metadata?: { fleet?: unknown } }>('examples/demo/project.json').metadata?.fleet).toEqual({
      dockerfile: 'examples/demo/Dockerfile',
    });
    const build = (await ws.showProject('demo')).targets['docker-build']!;
    expect(build.executor).toBe('nx-fleet:docker-build');
    expect(build.options).toMatchObject({ dockerfile: 'examples/demo/Dockerfile' });
  });

  it('the converted services build real images under the same names', async () => {
    await ws.nxOk([
      'run-many',
      '-t',
      'docker-build',
      '--projects=build-manager,billing,gateway',
      '--output-style=static',
    ]);
    expect(ws.readJson<{ image: string }>('dist/fleet/apps/gateway/image.json').image).toBe('acme/gateway');
    const manager = ws.readJson<{ image: string; localRef: string }>('dist/fleet/apps/build-manager/image.json');
    const billing = ws.readJson<{ image: string; localRef: string }>('dist/fleet/apps/billing/image.json');
    expect(manager.image).toBe('acme/build-manager');
    expect(billing.image).toBe('acme/billing-api');
    // The build arg and the target stage reached the engine (the debug stage would have failed the build).
    if (detectEngine() === 'podman') {
      const read = (ref: string, file: string) =>
        runOk('podman', [
          'run',
          '--rm',
          ref,
          'node',
          '-e',
          `process.stdout.write(require('fs').readFileSync('${file}', 'utf8'))`,
        ]).then((r) => r.stdout.trim());
      expect(await read(manager.localRef, '/app/greeting.txt')).toBe(`hello-${ws.id}`);
      expect(await read(billing.localRef, '/app/port.txt')).toBe('8080');
    }
  });
});
