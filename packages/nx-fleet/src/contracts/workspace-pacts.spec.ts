import type { ProjectGraph, ProjectGraphProjectNode } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { BUILD_EXECUTOR } from '../services/projects';
import type { ServiceRuntime } from '../runtime-graph/edges';
import { fakeGit, fakePorts, fakeProcesses, memoryFiles, runResult } from '../testing/fake-ports';
import { publishPacts, reviewPacts, uncommittedPacts } from './workspace-pacts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

const pactText = (consumer: string, provider: string) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [{ description: `${consumer} reads`, providerState: 'ready' }],
  });

function graphOf(projects: Record<string, { root: string; service: boolean }>): ProjectGraph {
  const nodes = Object.fromEntries(
    Object.entries(projects).map(([name, { root, service }]): [string, ProjectGraphProjectNode] => [
      name,
      { name, type: 'app', data: { root, targets: service ? { 'docker-build': { executor: BUILD_EXECUTOR } } : {} } },
    ]),
  );
  return { nodes, dependencies: {} };
}

const runtimeOf = (consumer: string, provider: string): ServiceRuntime[] => [
  {
    service: consumer,
    providers: [
      { service: provider, imports: [{ file: `${consumer}/main.ts`, line: 1, specifier: provider, via: consumer }] },
    ],
    consumers: [],
  },
  { service: provider, providers: [], consumers: [] },
];

describe('uncommittedPacts', () => {
  it.each([
    ['nothing', '', []],
    [
      'a modified and an untracked pact, sorted',
      ' M b/pacts/web-b.json\n?? a/pacts/web-a.json\n',
      ['a/pacts/web-a.json', 'b/pacts/web-b.json'],
    ],
    ['a quoted path', '?? "a/pacts/we b-a.json"\n', ['a/pacts/we b-a.json']],
    ['what is not a JSON file, and short lines', ' M a/pacts/states.js\nxx\n', []],
  ])('%s', (_case, porcelain, expected) => {
    expect(uncommittedPacts(porcelain)).toEqual(expected);
  });
});

describe('reviewPacts', () => {
  const graph = graphOf({
    web: { root: 'apps/web', service: true },
    orders: { root: 'services/orders', service: true },
    tools: { root: 'libs/tools', service: false },
  });

  /** The workspace's pact files (relative to /ws) and what they hold; web calls orders through its SDK. */
  const review = (files: Record<string, string>, check = false, processes = fakeProcesses()) =>
    reviewPacts(
      fakePorts({
        processes,
        files: memoryFiles(Object.fromEntries(Object.entries(files).map(([file, text]) => [`/ws/${file}`, text]))),
      }),
      { workspaceRoot: '/ws', graph, runtime: runtimeOf('web', 'orders'), files: Object.keys(files).sort(), check },
    );

  it("reads the services' pacts only, and asks git nothing without check", async () => {
    const processes = fakeProcesses();
    const result = await review(
      {
        'services/orders/pacts/web-orders.json': pactText('web', 'orders'),
        'libs/tools/pacts/web-tools.json': pactText('web', 'tools'),
      },
      false,
      processes,
    );
    expect(result).toEqual({
      pacts: [
        {
          file: 'services/orders/pacts/web-orders.json',
          consumer: 'web',
          provider: 'orders',
          interactions: [{ description: 'web reads', providerStates: ['ready'] }],
        },
      ],
      warnings: [],
      uncommitted: [],
      clean: true,
    });
    expect(processes.calls).toEqual([]);
  });

  it('reports a pact it cannot read first, then where contracts and SDK imports disagree, and is not clean', async () => {
    const result = await review({
      'services/orders/pacts/web-orders.json': '{',
      'apps/web/pacts/orders-web.json': pactText('orders', 'web'),
    });
    expect(result.pacts.map((p) => p.file)).toEqual(['apps/web/pacts/orders-web.json']);
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings[0]).toMatch(/^nx-fleet: services\/orders\/pacts\/web-orders\.json is not valid JSON/);
    expect(result.warnings[1]).toBe(
      "nx-fleet: web imports orders's SDK (web/main.ts:1) but has no pact with it (expected services/orders/pacts/web-orders.json); add a Pact consumer test.",
    );
    expect(result.warnings[2]).toMatch(
      /^nx-fleet: apps\/web\/pacts\/orders-web\.json is a pact of orders with web, but no SDK import/,
    );
    expect(result.clean).toBe(false);
  });

  it('with check, asks git for the pacts that differ from the commit, and is not clean when there are some', async () => {
    const processes = fakeProcesses(() => runResult('?? services/orders/pacts/web-orders.json\n'));
    const result = await review({}, true, processes);
    expect(processes.calls).toEqual([
      {
        method: 'run',
        command: 'git',
        args: ['status', '--porcelain', '--untracked-files=all', '--', ':(glob)**/pacts/*.json'],
        options: { cwd: '/ws' },
      },
    ]);
    expect(result).toEqual({
      pacts: [],
      warnings: [],
      uncommitted: ['services/orders/pacts/web-orders.json'],
      clean: false,
    });
  });
});

describe('publishPacts', () => {
  const pacts = [
    { file: 'services/orders/pacts/web-orders.json', consumer: 'web', provider: 'orders', interactions: [] },
    { file: 'services/orders/pacts/billing-orders.json', consumer: 'billing', provider: 'orders', interactions: [] },
  ];
  const files = memoryFiles({
    '/ws/services/orders/pacts/web-orders.json': pactText('web', 'orders'),
    '/ws/services/orders/pacts/billing-orders.json': pactText('billing', 'orders'),
  });

  /** Publishes with a broker answering 200 to everything; what it was sent and what was printed. */
  async function publish(given: { env?: Record<string, string>; branch?: string; brokerUrl?: string }, only = pacts) {
    const requests: Array<{ url: string; method?: string; body?: unknown }> = [];
    const http = async (input: string | URL, init?: RequestInit) => {
      requests.push({ url: String(input), method: init?.method, body: init?.body });
      return new Response('{}', { status: 200 });
    };
    const git = fakeGit({ revision: { sha: SHA, committedAt: '2025-01-01T00:00:00Z' }, branch: given.branch });
    const lines: string[] = [];
    await publishPacts(
      fakePorts({ env: given.env ?? {}, git, http, files }),
      { workspaceRoot: '/ws', pacts: only, brokerUrl: given.brokerUrl },
      (line) => lines.push(line),
    );
    return { requests, lines };
  }

  it('publishes every pact versioned by the commit on the branch, saying so after each', async () => {
    const { requests, lines } = await publish({
      env: { PACT_BROKER_BASE_URL: 'http://env-broker.example' },
      branch: 'main',
      brokerUrl: 'http://broker.example',
    });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PUT http://broker.example/pacticipants/web/branches/main/versions/${SHA}`,
      `PUT http://broker.example/pacts/provider/orders/consumer/web/version/${SHA}`,
      `PUT http://broker.example/pacticipants/billing/branches/main/versions/${SHA}`,
      `PUT http://broker.example/pacts/provider/orders/consumer/billing/version/${SHA}`,
    ]);
    expect(requests[1]!.body).toBe(JSON.stringify(JSON.parse(pactText('web', 'orders'))));
    expect(lines).toEqual([
      'published web → orders (0123456789ab on main)',
      'published billing → orders (0123456789ab on main)',
    ]);
  });

  it('publishes without a branch when there is none', async () => {
    const { requests, lines } = await publish(
      { env: { PACT_BROKER_BASE_URL: 'http://broker.example' } },
      pacts.slice(0, 1),
    );
    expect(requests.map((r) => r.url)).toEqual([
      `http://broker.example/pacts/provider/orders/consumer/web/version/${SHA}`,
    ]);
    expect(lines).toEqual(['published web → orders (0123456789ab)']);
  });

  it('refuses without a broker, and without a commit, before publishing anything', async () => {
    const requests: unknown[] = [];
    const http = async (input: string | URL) => {
      requests.push(input);
      return new Response('{}');
    };
    await expect(
      publishPacts(fakePorts({ http, files }), { workspaceRoot: '/ws', pacts, brokerUrl: undefined }, () => undefined),
    ).rejects.toThrow('nx-fleet pacts --publish: no Pact Broker: set PACT_BROKER_BASE_URL or pass --broker-url.');
    await expect(
      publishPacts(
        fakePorts({ http, files }),
        { workspaceRoot: '/ws', pacts, brokerUrl: 'http://broker.example' },
        () => undefined,
      ),
    ).rejects.toThrow(
      'nx-fleet pacts --publish: pacts are versioned by the git commit; run it in a git checkout with a commit.',
    );
    expect(requests).toEqual([]);
  });
});
