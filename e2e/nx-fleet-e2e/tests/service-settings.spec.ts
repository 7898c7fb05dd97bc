import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

describe('service detection settings, Nx overrides and graph safety (real nx CLI)', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = TestWorkspace.create('settings');
    // A Dockerfile kept outside the project, built from the whole repository.
    ws.write(
      'apps/api/project.json',
      JSON.stringify({
        name: 'api',
        root: 'apps/api',
        metadata: { fleet: { dockerfile: '.deploy/api/Dockerfile', context: 'workspace', image: 'acme/api' } },
      }),
    );
    ws.write('.deploy/api/Dockerfile', 'FROM node:20\nCOPY apps/api /app\n');
    // Opted out, and a package.json-only service with its settings under nx.metadata.
    ws.addService('legacy');
    const legacy = ws.readJson<Record<string, unknown>>('services/legacy/project.json');
    ws.write('services/legacy/project.json', JSON.stringify({ ...legacy, metadata: { fleet: { enabled: false } } }));
    ws.write(
      'services/web/package.json',
      JSON.stringify({ name: '@acme/web', nx: { metadata: { fleet: { context: 'project' } } } }),
    );
    ws.write('services/web/Dockerfile', 'FROM node:20\nCOPY . /app\n');
    // Dev containers and templates are not services; a typo in a setting warns but breaks nothing.
    ws.write('.devcontainer/project.json', JSON.stringify({ name: 'devcontainer', root: '.devcontainer' }));
    ws.write('.devcontainer/Dockerfile', 'FROM node:20\n');
    ws.addService('typo');
    const typo = ws.readJson<Record<string, unknown>>('services/typo/project.json');
    ws.write('services/typo/project.json', JSON.stringify({ ...typo, metadata: { fleet: { context: 'bogus' } } }));
    // A runtime cycle between two services must not become a task cycle.
    ws.addService('ping');
    ws.addService('pong');
    for (const [a, b] of [
      ['ping', 'pong'],
      ['pong', 'ping'],
    ] as const) {
      const p = ws.readJson<Record<string, unknown>>(`services/${a}/project.json`);
      ws.write(`services/${a}/project.json`, JSON.stringify({ ...p, implicitDependencies: [b] }));
    }
    await ws.commit('settings');
  });
  afterAll(() => ws?.dispose());

  it('applies per-project settings and never makes services of excluded or opted-out Dockerfiles', async () => {
    const result = await ws.nxOk(['show', 'projects', '--json']);
    const projects = JSON.parse(result.stdout) as string[];
    expect(projects.sort()).toEqual(['@acme/web', 'api', 'devcontainer', 'legacy', 'ping', 'pong', 'typo']);
    expect(result.stderr + result.stdout).toMatch(
      /services\/typo\/project\.json: fleet setting "context" must be one of pruned, workspace, project/,
    );
    expect(result.stderr + result.stdout).not.toMatch(/\.deploy\/api\/Dockerfile has no project/);

    const shown = await ws.shownProjects();
    const api = shown['api']!;
    expect(api.targets['docker-build']).toMatchObject({
      options: { dockerfile: '.deploy/api/Dockerfile', context: '.', prune: false, image: 'acme/api' },
      inputs: ['{workspaceRoot}/**/*', { env: 'FLEET_ENGINE' }],
    });
    const web = shown['@acme/web']!;
    expect(web.targets['docker-build']).toMatchObject({
      options: { context: 'services/web' },
      inputs: ['{projectRoot}/**/*', { env: 'FLEET_ENGINE' }],
    });
    expect(shown['legacy']!.targets['docker-build']).toBeUndefined();
    expect(shown['devcontainer']!.targets['docker-build']).toBeUndefined();
    expect(shown['typo']!.targets['docker-build']).toMatchObject({
      options: { context: '.', prune: true },
    });
  });

  it('explains targets to nx show project / Nx Console and honours targetDefaults and project overrides', async () => {
    const nxJson = ws.readJson<Record<string, unknown>>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        { ...nxJson, targetDefaults: { 'docker-build': { options: { platforms: ['linux/amd64'] } } } },
        null,
        2,
      ),
    );
    const p = ws.readJson<Record<string, unknown>>('services/ping/project.json');
    ws.write(
      'services/ping/project.json',
      JSON.stringify({ ...p, targets: { 'docker-build': { options: { buildArgs: { NODE_ENV: 'production' } } } } }),
    );
    const ping = await ws.showProject('ping');
    expect(ping.targets['docker-build']).toMatchObject({
      executor: 'nx-fleet:docker-build',
      cache: true,
      options: { platforms: ['linux/amd64'], buildArgs: { NODE_ENV: 'production' }, prune: true },
      metadata: { technologies: ['docker'], description: expect.stringContaining('pruned context') },
    });
    expect(ping.targets['docker-push']).toMatchObject({
      dependsOn: ['docker-build'],
      cache: false,
      metadata: { technologies: ['docker'] },
    });
  });

  it('a runtime cycle between services creates no task cycle', async () => {
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--projects=ping,pong', '--output-style=static']);
    expect(result.stdout + result.stderr).not.toMatch(/[Cc]ircular|cycle/);
    expect(result.code).toBe(0);
    expect(ws.readJson<{ uploaded: boolean }>('dist/fleet/services/ping/push.json').uploaded).toBe(true);
  });

  it('makes a project without a Dockerfile a service from the plugin option services, and warns once per workspace state', async () => {
    // The README's route for projects you cannot edit: docker/Dockerfile (no manifest beside it) builds apps/webapp.
    ws.write('apps/webapp/package.json', JSON.stringify({ name: 'webapp', version: '0.0.0' }));
    ws.write('apps/webapp/src/main.js', 'console.log("webapp");\n');
    ws.write('docker/Dockerfile', 'FROM node:20\nCOPY apps/webapp /app\n');
    const nxJson = ws.readJson<{ plugins?: unknown[] }>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        {
          ...nxJson,
          plugins: [
            ...(nxJson.plugins ?? []).filter(
              (p) => p !== 'nx-fleet' && (p as { plugin?: string }).plugin !== 'nx-fleet',
            ),
            {
              plugin: 'nx-fleet',
              options: { services: { webapp: { dockerfile: 'docker/Dockerfile', context: 'workspace' } } },
            },
          ],
        },
        null,
        2,
      ),
    );
    const first = await ws.nxOk(['show', 'projects', '--json']);
    expect(JSON.parse(first.stdout)).toContain('webapp');
    expect(first.stderr + first.stdout).not.toMatch(/docker\/Dockerfile has no project/);
    expect(first.stderr + first.stdout).toMatch(/services\/typo\/project\.json: fleet setting "context"/);

    const webapp = await ws.showProject('webapp');
    expect(webapp.targets['docker-build']).toMatchObject({
      executor: 'nx-fleet:docker-build',
      options: { dockerfile: 'docker/Dockerfile', context: '.', prune: false },
    });

    // The next Nx command over the same files prints the warning no more.
    const second = await ws.nxOk(['show', 'projects', '--json']);
    expect(second.stderr + second.stdout).not.toMatch(/fleet setting "context"/);
  });
});
