import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEDGER } from '../config/defaults';
import { normalizeOptions } from '../config/options';
import { imageRecordPath, pushRecordPath, type ImageRecord, type PushRecord } from '../image/records';
import { BUILD_EXECUTOR } from '../services/projects';
import { ToolNotFoundError } from '../io/process';
import { fakeGit, fakeProcesses, fixedClock, memoryFiles, runResult, type ProcessCall } from '../testing/fake-ports';
import { parseLedger } from './ledger';
import type { ReleasePlan } from './plan';
import { release, type ReleasePorts, type ReleaseRequest } from './release';

const WS = '/ws';
const NX = '/ws/node_modules/.bin/nx';
const LEDGER = `${WS}/${DEFAULT_LEDGER}`;
const SHA = 'c0ffee'.padEnd(40, '0');

/** orders and web are services (web imports orders' SDK); libs/money is a library of orders. */
const graph: ProjectGraph = {
  nodes: {
    orders: service('orders', 'services/orders'),
    web: service('web', 'apps/web'),
    money: { name: 'money', type: 'lib', data: { root: 'libs/money', targets: {} } },
  },
  dependencies: { orders: [{ source: 'orders', target: 'money', type: 'static' }], web: [], money: [] },
};
const runtime = [
  { service: 'orders', providers: [], consumers: [] },
  {
    service: 'web',
    providers: [
      { service: 'orders', imports: [{ file: 'apps/web/src/api.ts', line: 3, specifier: 'orders-sdk', via: 'web' }] },
    ],
    consumers: [],
  },
];

function service(name: string, root: string): ProjectGraph['nodes'][string] {
  const targets = {
    'docker-build': { executor: BUILD_EXECUTOR },
    'docker-push': { dependsOn: ['docker-build', 'scan', 'contract-verify'] },
  };
  return { name, type: 'app', data: { root, targets } };
}

const image = (name: string) => ({ image: `acme/${name}`, contentTag: `ct-${name}`, localRef: 'x' }) as ImageRecord;
const push = (name: string) => ({ repository: `ghcr.io/acme/${name}`, digest: `sha256:${name}` }) as PushRecord;

interface Setup {
  /** The nx target whose phase exits 1. */
  failing?: string;
  files?: Record<string, string>;
  images?: Record<string, ImageRecord>;
  pushes?: Record<string, PushRecord>;
  revision?: boolean;
  commitFails?: boolean;
}

function setup(input: Setup = {}) {
  const processes = fakeProcesses((call: ProcessCall) => {
    if (call.command === NX)
      return runResult('', '', call.args.some((arg) => arg.split(',').includes(input.failing ?? '-')) ? 1 : 0);
    const git = call.args.join(' ');
    if (git === 'ls-files -s')
      return runResult('100644 5hared 0\tscripts/deploy.sh\n100644 0wn 0\tservices/orders/a.ts\n');
    if (git.startsWith('diff --name-only')) return runResult('services/orders/a.ts\n');
    if (git === 'rev-parse --show-toplevel') return runResult(`${WS}\n`);
    if (git.startsWith('commit') && input.commitFails) return runResult('', 'nothing added to commit\n', 1);
    return undefined;
  });
  const images = input.images ?? { 'services/orders': image('orders'), 'apps/web': image('web') };
  const pushes = input.pushes ?? { 'services/orders': push('orders'), 'apps/web': push('web') };
  const records = {
    ...Object.fromEntries(
      Object.entries(images).map(([root, r]) => [`${WS}/${imageRecordPath(root)}`, JSON.stringify(r)]),
    ),
    ...Object.fromEntries(
      Object.entries(pushes).map(([root, r]) => [`${WS}/${pushRecordPath(root)}`, JSON.stringify(r)]),
    ),
  };
  const files = memoryFiles({ ...records, ...input.files });
  /** What the release wrote: every file but the records. */
  const written = () => [...files.files].filter(([file]) => !(file in records));
  const ports: ReleasePorts = {
    processes,
    git: fakeGit(input.revision === false ? {} : { revision: { sha: SHA, committedAt: '2025-03-01T00:00:00Z' } }),
    files,
    clock: fixedClock('2025-03-02T00:00:00.000Z'),
    workspace: async () => ({ graph, runtime }),
  };
  /** The nx phases run, without the --output-style every one gets. */
  const phases = () => processes.calls.filter((c) => c.command === NX).map((c) => c.args.slice(0, -1).join(' '));
  const gitCalls = () => processes.calls.filter((c) => c.command === 'git').map((c) => c.args.join(' '));
  return { ports, files, written, processes, phases, gitCalls };
}

function request(
  overrides: Partial<ReleaseRequest['flags']> = {},
  gitops: Partial<ReleaseRequest['gitops']> = {},
): ReleaseRequest {
  return {
    workspaceRoot: WS,
    environment: 'production',
    options: normalizeOptions({}),
    ledgerFile: LEDGER,
    flags: { plan: false, force: false, commit: false, json: false, ...overrides },
    gitops: { kustomize: [], helmValues: [], ...gitops },
  };
}

const BUILD = 'run-many -t docker-build';
const GATES = 'run-many -t contract-verify,scan -p orders,web';
const PUSH = 'run-many -t docker-push -p orders,web';

describe('release', () => {
  it('builds, plans, tells the plan, runs the gates, then the pushes, then writes the ledger', async () => {
    const { ports, files, written, processes, phases } = setup();
    const heard: Array<{ plan: ReleasePlan; callsBefore: number }> = [];
    const outcome = await release(request(), ports, (plan) => heard.push({ plan, callsBefore: phases().length }));
    expect(phases()).toEqual([BUILD, GATES, PUSH]);
    expect(heard).toEqual([{ plan: outcome.plan, callsBefore: 1 }]);
    expect(outcome.plan.waves).toEqual([['orders'], ['web']]);
    expect(outcome.promoted).toEqual([
      { service: 'orders', image: 'ghcr.io/acme/orders', digest: 'sha256:orders', contentTag: 'ct-orders' },
      { service: 'web', image: 'ghcr.io/acme/web', digest: 'sha256:web', contentTag: 'ct-web' },
    ]);
    const ledger = parseLedger(files.files.get(LEDGER)!, LEDGER);
    expect(ledger.environments['production']!['orders']).toMatchObject({
      digest: 'sha256:orders',
      gitSha: SHA,
      releasedAt: '2025-03-02T00:00:00.000Z',
    });
    expect(written().map(([file]) => file)).toEqual([LEDGER]);
    // Each phase in the workspace, its output the user's.
    expect(processes.calls.filter((c) => c.command === NX).map((c) => c.options)).toEqual(
      Array(3).fill({ cwd: WS, stdout: 'inherit' }),
    );
    expect(processes.calls.every((c) => c.command !== 'git' || !c.args.includes('commit'))).toBe(true);
  });

  it('sends the phases output to stderr when stdout carries JSON', async () => {
    const { ports, processes } = setup();
    await release(request({ json: true }), ports);
    expect(new Set(processes.calls.filter((c) => c.method === 'runAttached').map((c) => c.options?.stdout))).toEqual(
      new Set(['stderr']),
    );
  });

  it('runs no phase after the build and writes nothing when everything is deployed', async () => {
    const first = setup();
    await release(request(), first.ports);
    const again = setup({ files: Object.fromEntries(first.files.files) });
    const heard: ReleasePlan[] = [];
    const outcome = await release(request(), again.ports, (plan) => heard.push(plan));
    expect(outcome).toEqual({ plan: expect.objectContaining({ release: [] }) });
    expect(outcome.plan.skipped.map((s) => s.service)).toEqual(['orders', 'web']);
    expect(again.phases()).toEqual([BUILD]);
    expect(heard).toEqual([]);
    expect(again.files.files).toEqual(first.files.files);
    // One diff per released commit tells why, were anything to release.
    expect(again.gitCalls()).toEqual(['ls-files -s', `diff --name-only ${SHA} HEAD`]);
  });

  it('runs no phase after the build and writes nothing for --plan', async () => {
    const { ports, written, phases } = setup();
    const outcome = await release(request({ plan: true }), ports, () => expect.fail('no phase follows a plan'));
    expect(outcome.promoted).toBeUndefined();
    expect(outcome.plan.release.map((r) => [r.service, r.reasons])).toEqual([
      ['orders', [{ kind: 'first-deploy' }]],
      ['web', [{ kind: 'first-deploy' }]],
    ]);
    expect(phases()).toEqual([BUILD]);
    expect(written()).toEqual([]);
  });

  it('--force releases services already deployed', async () => {
    const first = setup();
    await release(request(), first.ports);
    const again = setup({ files: Object.fromEntries(first.files.files) });
    const outcome = await release(request({ force: true }), again.ports);
    expect(outcome.plan.release.map((r) => r.reasons)).toEqual([[{ kind: 'forced' }], [{ kind: 'forced' }]]);
    expect(again.phases()).toEqual([BUILD, GATES, PUSH]);
  });

  it.each([
    [
      'the build',
      'docker-build',
      [BUILD],
      'nx-fleet release: docker-build failed (nx run-many -t docker-build exited 1); nothing was promoted, the ledger is unchanged. Fix it and run the release again.',
    ],
    [
      'a gate',
      'scan',
      [BUILD, GATES],
      `nx-fleet release: contract-verify and scan failed (nx ${GATES} exited 1); nothing was promoted, the ledger is unchanged. Fix it and run the release again.`,
    ],
    [
      'the push',
      'docker-push',
      [BUILD, GATES, PUSH],
      `nx-fleet release: docker-push failed (nx ${PUSH} exited 1); nothing was promoted, the ledger is unchanged. Fix it and run the release again.`,
    ],
  ])('stops after a failing phase (%s): no later phase, no ledger', async (_name, failing, ran, message) => {
    const { ports, written, phases } = setup({ failing, files: { [`${WS}/deploy/k.yaml`]: '' } });
    await expect(release(request({ commit: true }, { kustomize: ['deploy/k.yaml'] }), ports)).rejects.toThrow(
      new Error(message),
    );
    expect(phases()).toEqual(ran);
    expect(written()).toEqual([[`${WS}/deploy/k.yaml`, '']]);
  });

  it.each<[string, Setup, string]>([
    [
      'a service without an image record after the build',
      { images: { 'services/orders': image('orders') } },
      'nx-fleet release: web has no dist/fleet/apps/web/image.json after docker-build; is the target disabled?',
    ],
    [
      'a service without a push record after the push',
      { pushes: { 'apps/web': push('web') } },
      'nx-fleet release: orders has no dist/fleet/services/orders/push.json after its push; nothing was promoted.',
    ],
    [
      'no commit to record the release by',
      { revision: false },
      'nx-fleet release: releases are recorded by git commit; commit your changes first.',
    ],
  ])('writes nothing for %s', async (_name, input, message) => {
    const { ports, written } = setup(input);
    await expect(release(request(), ports)).rejects.toThrow(new Error(message));
    expect(written()).toEqual([]);
  });

  it('bumps the Kustomize and Helm files with the ledger and commits them together with --commit', async () => {
    const kustomization = `${WS}/deploy/prod/kustomization.yaml`;
    const values = `${WS}/deploy/values.yaml`;
    const { ports, files, written, gitCalls } = setup({
      files: { [kustomization]: 'images:\n  - name: orders\n    newTag: old\n' },
    });
    await release(
      request({ commit: true }, { kustomize: ['deploy/prod/kustomization.yaml'], helmValues: ['deploy/values.yaml'] }),
      ports,
    );
    expect(
      written()
        .map(([file]) => file)
        .sort(),
    ).toEqual([LEDGER, kustomization, values].sort());
    expect(files.files.get(kustomization)).toBe(
      'images:\n  - name: orders\n    newName: ghcr.io/acme/orders\n    digest: sha256:orders\n  - name: ghcr.io/acme/web\n    digest: sha256:web\n',
    );
    expect(files.files.get(values)).toContain('web:\n  image:\n    repository: ghcr.io/acme/web\n    tag: ct-web\n');
    expect(gitCalls().slice(-3)).toEqual([
      'rev-parse --show-toplevel',
      'add -- deploy/fleet.json deploy/prod/kustomization.yaml deploy/values.yaml',
      'commit --quiet -m release(production): orders, web\n\norders: ghcr.io/acme/orders@sha256:orders\nweb: ghcr.io/acme/web@sha256:web',
    ]);
  });

  it('leaves every file untouched when a GitOps file does not parse', async () => {
    const values = `${WS}/deploy/values.yaml`;
    const { ports, written } = setup({ files: { [values]: 'web: 3\n' } });
    await expect(release(request({}, { helmValues: ['deploy/values.yaml'] }), ports)).rejects.toThrow(
      'nx-fleet: deploy/values.yaml: "web" is not a map; it cannot hold image settings.',
    );
    expect(written()).toEqual([[values, 'web: 3\n']]);
  });

  it('says which files to commit when the commit fails, the ledger written', async () => {
    const { ports, files } = setup({ commitFails: true });
    await expect(release(request({ commit: true }), ports)).rejects.toThrow(
      new Error(
        'nx-fleet release: the ledger was written but could not be committed (nothing added to commit); commit deploy/fleet.json yourself.',
      ),
    );
    expect(files.files.has(LEDGER)).toBe(true);
  });

  it('refuses a ledger that does not parse before running anything', async () => {
    const { ports, phases } = setup({ files: { [LEDGER]: '{' } });
    await expect(release(request(), ports)).rejects.toThrow(`nx-fleet: the release ledger ${LEDGER} is not valid JSON`);
    expect(phases()).toEqual([]);
  });

  it('says how to get nx when the workspace has none, before anything runs', async () => {
    const { ports, written } = setup();
    ports.processes = { ...ports.processes, runAttached: () => Promise.reject(new ToolNotFoundError(NX)) };
    await expect(release(request(), ports)).rejects.toThrow(
      `nx-fleet: "${NX}" was not found on PATH. Run nx-fleet release from the workspace root after \`npm install\``,
    );
    expect(written()).toEqual([]);
  });
});
