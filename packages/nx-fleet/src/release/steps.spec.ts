import type { ProjectGraph, TargetConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import type { PushRecord } from '../image/records';
import { BUILD_EXECUTOR } from '../services/projects';
import { emptyLedger, parseLedger, type Ledger } from './ledger';
import type { PlannedService, ReleasePlan } from './plan';
import { outputsPhase, promotion, releasePhases, type PromotionInput } from './steps';

const names = { buildTargetName: 'docker-build', pushTargetName: 'docker-push' };

const planned = (service: string): PlannedService => ({
  service,
  contentTag: `ct-${service}`,
  releaseHash: `rh-${service}`,
  reasons: [{ kind: 'first-deploy' }],
});
const planOf = (...services: string[]): ReleasePlan => ({
  release: services.map(planned),
  skipped: [],
  waves: [services],
});

/** Services whose push target depends on the given targets. */
function graphOf(pushDependsOn: Record<string, TargetConfiguration['dependsOn']>): Pick<ProjectGraph, 'nodes'> {
  return {
    nodes: Object.fromEntries(
      Object.entries(pushDependsOn).map(([name, dependsOn]) => [
        name,
        { name, type: 'app', data: { root: `services/${name}`, targets: { 'docker-push': { dependsOn } } } },
      ]),
    ),
  };
}

describe('outputsPhase', () => {
  /** Services whose docker-build has these options and dependsOn, under the given build target name. */
  const graphOf = (
    builds: Record<
      string,
      { outputs?: string[]; named?: Record<string, string>; dependsOn?: TargetConfiguration['dependsOn'] }
    >,
  ) => ({
    nodes: Object.fromEntries(
      Object.entries(builds).map(([name, { outputs, named, dependsOn }]) => [
        name,
        {
          name,
          type: 'app' as const,
          data: {
            root: `apps/${name}`,
            targets: {
              image: {
                executor: BUILD_EXECUTOR,
                options: {
                  ...(outputs ? { contextOutputs: outputs } : {}),
                  ...(named ? { buildContexts: named } : {}),
                },
                ...(dependsOn ? { dependsOn } : {}),
              },
            },
          },
        },
      ]),
    ),
  });

  it('makes only the outputs Dockerfiles copy, with the targets their build waits for', () => {
    const graph = graphOf({
      web: { outputs: ['dist/apps/web'], dependsOn: ['build'] },
      api: { outputs: ['dist/apps/api'], dependsOn: ['compile', '^build', { target: 'bundle' }] },
      orders: {},
      legacy: { dependsOn: ['build'] },
    });
    expect(outputsPhase(graph, { buildTargetName: 'image' })).toEqual({
      name: 'build and bundle and compile (the build outputs api, web copy)',
      args: ['run-many', '-t', 'build,bundle,compile', '-p', 'api,web'],
    });
  });

  it("runs the other projects' builds a service waits for, for what it copies or sends as named contexts", () => {
    const graph = graphOf({
      api: { outputs: ['apps/web/dist'], dependsOn: [{ projects: ['web'], target: 'build' }] },
      router: { named: { dist: 'packages/router/dist' }, dependsOn: [{ projects: ['router-pkg'], target: 'build' }] },
      // An image reference needs no build.
      edge: { named: { base: 'docker-image://node:20' }, dependsOn: [{ projects: ['base'], target: 'build' }] },
    });
    expect(outputsPhase(graph, { buildTargetName: 'image' })).toEqual({
      name: 'build (the build outputs api, router copy)',
      args: ['run-many', '-t', 'build', '-p', 'router-pkg,web'],
    });
  });

  it('is undefined when no Dockerfile copies a build output (a plan then runs nothing)', () => {
    expect(outputsPhase(graphOf({ orders: {}, legacy: { dependsOn: ['build'] } }), { buildTargetName: 'image' })).toBe(
      undefined,
    );
  });
});

describe('releasePhases', () => {
  const all = ['docker-build', 'scan', 'contract-verify', '^docker-push'];

  it.each<[string, ReleasePlan, Record<string, TargetConfiguration['dependsOn']>, boolean, unknown]>([
    ['nothing to release', planOf(), { orders: all }, false, undefined],
    ['only a plan asked for', planOf('orders'), { orders: all }, true, undefined],
    [
      'gates of every service, sorted and joined, then the push',
      planOf('web', 'orders'),
      { orders: ['docker-build', 'scan'], web: all },
      false,
      [
        { name: 'contract-verify and scan', args: ['run-many', '-t', 'contract-verify,scan', '-p', 'web,orders'] },
        { name: 'docker-push', args: ['run-many', '-t', 'docker-push', '-p', 'web,orders'] },
      ],
    ],
    [
      'the push alone when every gate is off (the build, ^ and object dependencies are no gates)',
      planOf('orders'),
      { orders: ['docker-build', '^docker-push', { target: 'lint' }] },
      false,
      [{ name: 'docker-push', args: ['run-many', '-t', 'docker-push', '-p', 'orders'] }],
    ],
    [
      'the push alone for a service the graph does not have',
      planOf('gone'),
      { orders: all },
      false,
      [{ name: 'docker-push', args: ['run-many', '-t', 'docker-push', '-p', 'gone'] }],
    ],
  ])('%s', (_name, plan, dependsOn, planOnly, expected) => {
    expect(releasePhases({ plan, graph: graphOf(dependsOn), options: names, planOnly })).toEqual(expected);
  });

  it("refuses, before anything runs, a service whose push is the project's own target (getlarge/ticketing's docker push)", () => {
    const graph = graphOf({ orders: all, web: all });
    graph.nodes['web']!.data.targets!['docker-push'] = {
      executor: 'nx:run-commands',
      options: { command: 'docker push acme/web' },
    };
    expect(() => releasePhases({ plan: planOf('orders', 'web'), graph, options: names, planOnly: false })).toThrow(
      /^nx-fleet release: nothing was pushed or recorded\. web:docker-push runs `docker push acme\/web` \(nx:run-commands\), not nx-fleet:docker-push: .*`nx-fleet release` refuses the service/,
    );
    // The check can fail: nx-fleet's own push is released.
    graph.nodes['web']!.data.targets!['docker-push'] = { executor: 'nx-fleet:docker-push', dependsOn: all };
    expect(releasePhases({ plan: planOf('orders', 'web'), graph, options: names, planOnly: false })).toHaveLength(2);
  });

  it('uses the configured target names', () => {
    const graph = {
      nodes: {
        orders: {
          name: 'orders',
          type: 'app' as const,
          data: { root: 'orders', targets: { publish: { dependsOn: ['image', 'audit'] } } },
        },
      },
    };
    expect(
      releasePhases({
        plan: planOf('orders'),
        graph,
        options: { buildTargetName: 'image', pushTargetName: 'publish' },
        planOnly: false,
      }),
    ).toEqual([
      { name: 'audit', args: ['run-many', '-t', 'audit', '-p', 'orders'] },
      { name: 'publish', args: ['run-many', '-t', 'publish', '-p', 'orders'] },
    ]);
  });
});

describe('promotion', () => {
  const push = (service: string): PushRecord => ({
    repository: `ghcr.io/acme/${service}`,
    digest: `sha256:${service}`,
    reference: `ghcr.io/acme/${service}@sha256:${service}`,
    tags: [`ct-${service}`],
    uploaded: true,
    destination: 'registry',
    pushedAt: '2025-03-01T00:00:00.000Z',
  });
  const input = (overrides: Partial<PromotionInput> = {}): PromotionInput => ({
    plan: planOf('orders', 'web'),
    environment: 'production',
    ledger: emptyLedger(),
    ledgerFile: '/ws/deploy/fleet.json',
    roots: new Map([
      ['orders', 'services/orders'],
      ['web', 'apps/web'],
    ]),
    pushes: new Map([
      ['orders', push('orders')],
      ['web', push('web')],
    ]),
    gitSha: 'abc123',
    releasedAt: '2025-03-02T00:00:00.000Z',
    kustomize: [],
    helmValues: [],
    ...overrides,
  });

  it('records every released service in the ledger, keeping the other environments', () => {
    const staging: Ledger = parseLedger(
      JSON.stringify({
        version: 1,
        environments: {
          staging: {
            orders: {
              image: 'i',
              digest: 'd',
              contentTag: 'c',
              releaseHash: 'r',
              gitSha: 's',
              releasedAt: 't',
            },
          },
        },
      }),
      'fleet.json',
    );
    const { promoted, writes } = promotion(input({ ledger: staging }));
    expect(promoted).toEqual([
      { service: 'orders', image: 'ghcr.io/acme/orders', digest: 'sha256:orders', contentTag: 'ct-orders' },
      { service: 'web', image: 'ghcr.io/acme/web', digest: 'sha256:web', contentTag: 'ct-web' },
    ]);
    expect([...writes.keys()]).toEqual(['/ws/deploy/fleet.json']);
    const ledger = parseLedger(writes.get('/ws/deploy/fleet.json')!, 'fleet.json');
    expect(Object.keys(ledger.environments)).toEqual(['production', 'staging']);
    expect(ledger.environments['production']!['web']).toEqual({
      image: 'ghcr.io/acme/web',
      digest: 'sha256:web',
      contentTag: 'ct-web',
      releaseHash: 'rh-web',
      gitSha: 'abc123',
      releasedAt: '2025-03-02T00:00:00.000Z',
    });
  });

  it('bumps the GitOps files after the ledger, by path, and writes the commit message', () => {
    const { writes, commitMessage } = promotion(
      input({
        kustomize: [{ file: 'deploy/k.yaml', path: '/ws/deploy/k.yaml', text: '' }],
        helmValues: [{ file: 'deploy/values.yaml', path: '/ws/deploy/values.yaml', text: 'web: {}\n' }],
      }),
    );
    expect([...writes.keys()]).toEqual(['/ws/deploy/fleet.json', '/ws/deploy/k.yaml', '/ws/deploy/values.yaml']);
    expect(writes.get('/ws/deploy/k.yaml')).toContain('- name: ghcr.io/acme/orders\n    digest: sha256:orders');
    expect(writes.get('/ws/deploy/values.yaml')).toContain('repository: ghcr.io/acme/web');
    expect(commitMessage).toBe(
      'release(production): orders, web\n\norders: ghcr.io/acme/orders@sha256:orders\nweb: ghcr.io/acme/web@sha256:web',
    );
  });

  it.each<[string, Partial<PromotionInput>, string]>([
    [
      'no commit to record',
      { gitSha: undefined },
      'nx-fleet release: releases are recorded by git commit; commit your changes first.',
    ],
    [
      'a push without a record',
      { pushes: new Map([['orders', push('orders')]]) },
      'nx-fleet release: web has no dist/fleet/apps/web/push.json after its push; nothing was promoted.',
    ],
    [
      'a push of another content tag than planned',
      {
        pushes: new Map([
          ['orders', push('orders')],
          ['web', { ...push('web'), tags: ['ct-older', 'abc123'] }],
        ]),
      },
      "nx-fleet release: web's dist/fleet/apps/web/push.json is for ct-older, abc123, not the planned ct-web (did the sources change during the release?); nothing was promoted. Run the release again.",
    ],
    [
      'a GitOps file that does not parse',
      { kustomize: [{ file: 'deploy/k.yaml', path: '/ws/deploy/k.yaml', text: 'images: [' }] },
      'nx-fleet: deploy/k.yaml is not valid YAML',
    ],
  ])('decides nothing for %s', (_name, overrides, message) => {
    expect(() => promotion(input(overrides))).toThrow(message);
  });
});
