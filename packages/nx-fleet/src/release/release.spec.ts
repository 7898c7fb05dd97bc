import { relative } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEDGER } from '../config/defaults';
import { normalizeOptions } from '../config/options';
import { contentTag } from '../image/content-tag';
import { imageRecordPath, pushRecordPath, type ImageRecord, type PushRecord } from '../image/records';
import { BUILD_EXECUTOR } from '../services/projects';
import { ToolNotFoundError } from '../io/process';
import type { LockFiles } from '../io/git';
import {
  collectingLog,
  fakeGit,
  fakeProcesses,
  fixedClock,
  memoryFiles,
  runResult,
  type ProcessCall,
} from '../testing/fake-ports';
import { parseLedger } from './ledger';
import { lockFileName, serializeLockHolder } from './lock';
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
    'docker-build': { executor: BUILD_EXECUTOR, options: { dockerfile: `${root}/Dockerfile`, context: root } },
    'docker-push': { dependsOn: ['docker-build', 'scan', 'contract-verify'] },
  };
  return { name, type: 'app', data: { root, targets } };
}

/**
 * Each service's sources as docker-build reads them: a Dockerfile and a context folder that holds no
 * file on disk, so the content tag comes from the Dockerfile alone.
 */
const ROOTS = { orders: 'services/orders', web: 'apps/web' } as const;
const dockerfile = (name: string) => `FROM node:20\nCOPY . /app # ${name}\n`;
const SOURCES = Object.fromEntries(
  Object.entries(ROOTS).flatMap(([name, root]) => [
    [`${WS}/${root}/Dockerfile`, dockerfile(name)],
    [`${WS}/${root}`, ''],
  ]),
);
const TAG: Record<string, string> = Object.fromEntries(
  Object.keys(ROOTS).map((name) => [
    name,
    contentTag({ files: [], dockerfile: dockerfile(name), buildArgs: {}, platforms: [] }),
  ]),
);
/** The record docker-build writes for these sources. */
const image = (name: string): ImageRecord =>
  ({ image: name, contentTag: TAG[name], localRef: `${name}:${TAG[name]}` }) as ImageRecord;
const push = (name: string) =>
  ({ repository: `ghcr.io/acme/${name}`, digest: `sha256:${name}`, tags: [TAG[name], SHA] }) as PushRecord;

interface Setup {
  /** The nx target whose phase exits 1. */
  failing?: string;
  files?: Record<string, string>;
  images?: Record<string, ImageRecord>;
  pushes?: Record<string, PushRecord>;
  revision?: boolean;
  commitFails?: boolean;
  /** What `git rev-list -1 HEAD -- . :(exclude)<ledger>…` answers: the last commit that changed sources. */
  sourceSha?: string;
  /** Before the first release: deploy/ does not exist yet. */
  noLedgerFolder?: boolean;
  /** Lock files present before the release, by path. */
  locks?: Record<string, string>;
  /** The pids running on this host (ours, 100, always does). */
  alive?: number[];
  /** The ledger's branch tracks origin/main: each push answers in turn (default: accepted). */
  upstream?: { pushes?: ReturnType<typeof runResult>[]; remoteLedger?: string; mergeFails?: boolean };
}

const GIT_DIR = `${WS}/.git`;

/** No service here has a pruned context: pruning is never asked for. */
const NO_PRUNING = {
  prunedManifests: () => expect.fail('no pruned context here'),
  workspaceDataDirectory: `${WS}/.nx/workspace-data`,
};

/** Lock files in memory, with O_EXCL's answer; records what happened to them. */
function memoryLocks(initial: Record<string, string>, alive: readonly number[]) {
  const files = new Map(Object.entries(initial));
  const events: string[] = [];
  const lock: LockFiles = {
    create: async (file, text) => {
      if (files.has(file)) return false;
      files.set(file, text);
      events.push(`create ${file}`);
      return true;
    },
    read: async (file) => files.get(file),
    remove: async (file) => {
      files.delete(file);
      events.push(`remove ${file}`);
    },
    alive: (pid) => pid === 100 || alive.includes(pid),
    host: 'ci-1',
    pid: 100,
    sleep: async (ms) => void events.push(`sleep ${ms}`),
  };
  return { lock, files, events };
}

function setup(input: Setup = {}) {
  const processes = fakeProcesses((call: ProcessCall) => {
    if (call.command === NX)
      return call.args.some((arg) => arg.split(',').includes(input.failing ?? '-'))
        ? runResult('', `Running target ${input.failing} failed\n`, 1)
        : runResult();
    const git = call.args.join(' ');
    // As spawning does: git cannot start in a folder that does not exist (Node reports ENOENT, as for a missing git).
    if (call.command === 'git' && call.options?.cwd && !files.exists(call.options.cwd))
      return new ToolNotFoundError('git');
    if (git === 'ls-files -s')
      return runResult('100644 5hared 0\tscripts/deploy.sh\n100644 0wn 0\tservices/orders/a.ts\n');
    if (git.startsWith('diff --name-only')) return runResult('services/orders/a.ts\n');
    if (git === 'rev-parse --show-toplevel') return runResult(`${WS}\n`);
    if (git === 'rev-parse --git-common-dir')
      return runResult(`${relative(call.options?.cwd ?? WS, GIT_DIR) || '.git'}\n`);
    if (git.startsWith('rev-list -1 HEAD')) return runResult(`${input.sourceSha ?? SHA}\n`);
    if (git.startsWith('commit') && input.commitFails) return runResult('', 'nothing added to commit\n', 1);
    if (input.upstream) {
      if (git === 'symbolic-ref -q HEAD') return runResult('refs/heads/main\n');
      if (git.startsWith('for-each-ref')) return runResult('origin\0refs/heads/main\n');
      if (git.startsWith('push')) return input.upstream.pushes?.shift() ?? runResult();
      if (git === 'show FETCH_HEAD:deploy/fleet.json')
        return input.upstream.remoteLedger ? runResult(input.upstream.remoteLedger) : runResult('', 'fatal: path', 128);
      if (git.startsWith('merge') && input.upstream.mergeFails)
        return runResult('', 'fatal: Not possible to fast-forward', 128);
    }
    return undefined;
  });
  const images = input.images ?? { 'services/orders': image('orders'), 'apps/web': image('web') };
  const pushes = input.pushes ?? { 'services/orders': push('orders'), 'apps/web': push('web') };
  const records: Record<string, string> = {
    // The workspace and the ledger's folder (only folders the release reads from are listed).
    [WS]: '',
    ...(input.noLedgerFolder ? {} : { [`${WS}/deploy`]: '' }),
    ...SOURCES,
    ...Object.fromEntries(
      Object.entries(images).map(([root, r]) => [`${WS}/${imageRecordPath(root)}`, JSON.stringify(r)]),
    ),
    ...Object.fromEntries(
      Object.entries(pushes).map(([root, r]) => [`${WS}/${pushRecordPath(root)}`, JSON.stringify(r)]),
    ),
  };
  const files = memoryFiles({ ...records, ...input.files });
  // A folder exists once a file is in it (writing the ledger makes deploy/, as the node FilePort does).
  files.exists = (path) => [...files.files.keys()].some((file) => file === path || file.startsWith(`${path}/`));
  /** What the release wrote: every file but the records. */
  const written = () => [...files.files].filter(([file]) => !(file in records));
  const locks = memoryLocks(input.locks ?? {}, input.alive ?? []);
  const log = collectingLog();
  const ports: ReleasePorts = {
    processes,
    git: fakeGit(input.revision === false ? {} : { revision: { sha: SHA, committedAt: '2025-03-01T00:00:00Z' } }),
    files,
    clock: fixedClock('2025-03-02T00:00:00.000Z'),
    log,
    lock: locks.lock,
    workspace: async () => ({ graph, runtime }),
    sourceFiles: async () => ({ files: [], versions: 'test' }),
    pruning: NO_PRUNING,
  };
  /** The nx phases run, without the --output-style every one gets. */
  const phases = () => processes.calls.filter((c) => c.command === NX).map((c) => c.args.slice(0, -1).join(' '));
  const gitCalls = () => processes.calls.filter((c) => c.command === 'git').map((c) => c.args.join(' '));
  return { ports, files, written, processes, phases, gitCalls, locks, log };
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

const GATES = 'run-many -t contract-verify,scan -p orders,web';
const PUSH = 'run-many -t docker-push -p orders,web';

describe('release', () => {
  it('plans from the sources, tells the plan, runs the gates, then the pushes, then writes the ledger', async () => {
    const { ports, files, written, processes, phases } = setup();
    const heard: Array<{ plan: ReleasePlan; callsBefore: number }> = [];
    const outcome = await release(request(), ports, (plan) => heard.push({ plan, callsBefore: phases().length }));
    expect(phases()).toEqual([GATES, PUSH]);
    expect(heard).toEqual([{ plan: outcome.plan, callsBefore: 0 }]);
    expect(outcome.plan.waves).toEqual([['orders'], ['web']]);
    expect(outcome.promoted).toEqual([
      { service: 'orders', image: 'ghcr.io/acme/orders', digest: 'sha256:orders', contentTag: TAG['orders'] },
      { service: 'web', image: 'ghcr.io/acme/web', digest: 'sha256:web', contentTag: TAG['web'] },
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
      Array(2).fill({ cwd: WS, stdout: 'inherit' }),
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

  it('runs no phase and writes nothing when everything is deployed', async () => {
    const first = setup();
    await release(request(), first.ports);
    const again = setup({ files: Object.fromEntries(first.files.files) });
    const heard: ReleasePlan[] = [];
    const outcome = await release(request(), again.ports, (plan) => heard.push(plan));
    expect(outcome).toEqual({ plan: expect.objectContaining({ release: [] }) });
    expect(outcome.plan.skipped.map((s) => s.service)).toEqual(['orders', 'web']);
    expect(again.phases()).toEqual([]);
    expect(heard).toEqual([]);
    expect(again.files.files).toEqual(first.files.files);
    // One diff per released commit tells why, were anything to release.
    expect(again.gitCalls()).toEqual([
      'rev-parse --git-common-dir',
      'rev-list -1 HEAD -- . :(exclude)deploy/fleet.json',
      'ls-files -s',
      `diff --name-only ${SHA} HEAD`,
    ]);
  });

  it('runs no phase (no build, no engine) and writes nothing for --plan', async () => {
    const { ports, written, phases, processes } = setup();
    const outcome = await release(request({ plan: true }), ports, () => expect.fail('no phase follows a plan'));
    expect(outcome.promoted).toBeUndefined();
    expect(outcome.plan.release.map((r) => [r.service, r.reasons])).toEqual([
      ['orders', [{ kind: 'first-deploy' }]],
      ['web', [{ kind: 'first-deploy' }]],
    ]);
    expect(phases()).toEqual([]);
    expect(processes.calls.map((c) => c.command)).not.toContain('podman');
    expect(written()).toEqual([]);
  });

  it('--force releases services already deployed', async () => {
    const first = setup();
    await release(request(), first.ports);
    const again = setup({ files: Object.fromEntries(first.files.files) });
    const outcome = await release(request({ force: true }), again.ports);
    expect(outcome.plan.release.map((r) => r.reasons)).toEqual([[{ kind: 'forced' }], [{ kind: 'forced' }]]);
    expect(again.phases()).toEqual([GATES, PUSH]);
  });

  it.each([
    [
      'a gate',
      'scan',
      [GATES],
      `nx-fleet release: contract-verify and scan failed (nx ${GATES} exited 1); nothing was promoted, the ledger is unchanged. Fix it and run the release again.`,
    ],
    [
      'the push',
      'docker-push',
      [GATES, PUSH],
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
      'a service without a push record after the push',
      { pushes: { 'apps/web': push('web') } },
      'nx-fleet release: orders has no dist/fleet/services/orders/push.json after its push; nothing was promoted.',
    ],
    [
      'a push record of another content tag (a stale push.json, or sources edited during the release)',
      { pushes: { 'services/orders': { ...push('orders'), tags: ['ct-older'] }, 'apps/web': push('web') } },
      `nx-fleet release: orders's dist/fleet/services/orders/push.json is for ct-older, not the planned ${TAG['orders']} (did the sources change during the release?); nothing was promoted. Run the release again.`,
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
    expect(files.files.get(values)).toContain(
      `web:\n  image:\n    repository: ghcr.io/acme/web\n    tag: ${TAG['web']}\n`,
    );
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

describe('release: one at a time, recording the source commit', () => {
  const LOCK = `${GIT_DIR}/${lockFileName(LEDGER, 'production')}`;
  const holder = (pid: number, host = 'ci-1') =>
    serializeLockHolder({ pid, host, since: '2025-03-01T23:00:00.000Z', environment: 'production' });

  it("records the commit the release was planned from, not HEAD when HEAD is a release's own ledger commit", async () => {
    const source = '5ource'.padEnd(40, '0');
    const { ports, files, gitCalls } = setup({ sourceSha: source });
    await release(request({ commit: true }, { kustomize: ['deploy/k.yaml'] }), ports);
    const ledger = parseLedger(files.files.get(LEDGER)!, LEDGER);
    expect(ledger.environments['production']!['orders']!.gitSha).toBe(source);
    expect(gitCalls()).toContain('rev-list -1 HEAD -- . :(exclude)deploy/fleet.json :(exclude)deploy/k.yaml');
  });

  it('takes the lock in the git dir before reading the ledger, and removes it after the release', async () => {
    const { ports, locks } = setup();
    await release(request({ commit: true }), ports);
    expect(locks.events).toEqual([`create ${LOCK}`, `remove ${LOCK}`]);
    expect(locks.files.size).toBe(0);
  });

  it("takes the same lock before the first release, when the ledger's folder does not exist yet", async () => {
    const { ports, locks, processes } = setup({ noLedgerFolder: true });
    await release(request({ commit: true }), ports);
    expect(locks.events).toEqual([`create ${LOCK}`, `remove ${LOCK}`]);
    const asked = processes.calls.find((c) => c.args.join(' ') === 'rev-parse --git-common-dir');
    expect(asked?.options?.cwd).toBe(WS);
  });

  it('commits and pushes the first release, when deploy/ does not exist until the ledger is written', async () => {
    const { ports, gitCalls } = setup({ noLedgerFolder: true, upstream: {} });
    await release(request({ commit: true }), ports);
    expect(gitCalls().slice(-2)).toEqual([
      expect.stringMatching(/^commit /),
      'push --quiet origin HEAD:refs/heads/main',
    ]);
  });

  it('removes the lock after a failed release too', async () => {
    const { ports, locks } = setup({ failing: 'scan' });
    await expect(release(request(), ports)).rejects.toThrow('scan failed');
    expect(locks.files.size).toBe(0);
  });

  it('a second release while the first runs fails at once naming it: nothing built, written or unlocked', async () => {
    const { ports, phases, written, locks } = setup({ locks: { [LOCK]: holder(4242) }, alive: [4242] });
    await expect(release(request({ commit: true }), ports)).rejects.toThrow(
      new Error(
        `nx-fleet release: another release (pid 4242 on ci-1, since 2025-03-01T23:00:00.000Z) holds the production release lock ${LOCK}; wait for it to finish, then run the release again. Nothing was built or recorded.`,
      ),
    );
    expect(phases()).toEqual([]);
    expect(written()).toEqual([]);
    expect(locks.files.get(LOCK)).toBe(holder(4242));
  });

  it('waits for the lock up to --wait, then fails', async () => {
    const { ports, locks } = setup({ locks: { [LOCK]: holder(4242) }, alive: [4242] });
    await expect(release({ ...request(), lockWaitMs: 2500 }, ports)).rejects.toThrow('(waited 3 s)');
    expect(locks.events).toEqual(['sleep 1000', 'sleep 1000', 'sleep 500']);
  });

  it("takes over a dead holder's lock on this host, warning", async () => {
    const { ports, locks, log, phases } = setup({ locks: { [LOCK]: holder(4242) } });
    await release(request(), ports);
    expect(log.of('warn')).toEqual([
      `nx-fleet release: taking over a stale release lock ${LOCK} (pid 4242 on ci-1 since 2025-03-01T23:00:00.000Z is no longer running).`,
    ]);
    expect(locks.events).toEqual([`remove ${LOCK}`, `create ${LOCK}`, `remove ${LOCK}`]);
    expect(phases()).toEqual([GATES, PUSH]);
  });

  it("never takes over another host's lock", async () => {
    const { ports } = setup({ locks: { [LOCK]: holder(4242, 'laptop') } });
    await expect(release(request(), ports)).rejects.toThrow(`if that release is gone, remove ${LOCK}`);
  });

  it('--plan takes no lock (it writes nothing)', async () => {
    const { ports, locks } = setup({ locks: { [LOCK]: holder(4242) }, alive: [4242] });
    await release(request({ plan: true }), ports);
    expect(locks.events).toEqual([]);
  });
});

describe('release plans from the sources, never from records', () => {
  /** The ledger already records orders' older image: a poisoned record naming it would skip orders. */
  const deployedOlder = JSON.stringify({
    version: 1,
    environments: {
      production: {
        orders: {
          image: 'ghcr.io/acme/orders',
          digest: 'sha256:older',
          contentTag: 'ct-older',
          releaseHash: 'rh-older',
          gitSha: 'b'.repeat(40),
          releasedAt: '2025-01-01T00:00:00.000Z',
        },
      },
    },
  });

  it('ignores a poisoned image.json (an older content tag): the sources give the tag, so orders is released', async () => {
    const { ports } = setup({
      images: { 'services/orders': { ...image('orders'), contentTag: 'ct-older', localRef: 'orders:ct-older' } },
      files: { [LEDGER]: deployedOlder },
    });
    const { plan } = await release(request({ plan: true }), ports);
    expect(plan.release.map((r) => [r.service, r.contentTag])).toEqual([
      ['orders', TAG['orders']],
      ['web', TAG['web']],
    ]);
  });

  it("reads the build executor's target under another name, and names a target without a Dockerfile", async () => {
    const { ports } = setup();
    const renamed = structuredClone(graph);
    const targets = renamed.nodes['web']!.data.targets!;
    targets['image'] = targets['docker-build']!;
    delete targets['docker-build'];
    const { plan } = await release(request({ plan: true }), {
      ...ports,
      workspace: async () => ({ graph: renamed, runtime }),
    });
    expect(plan.release.find((r) => r.service === 'web')!.contentTag).toBe(TAG['web']);
    targets['image']!.options = {};
    await expect(
      release(request({ plan: true }), { ...ports, workspace: async () => ({ graph: renamed, runtime }) }),
    ).rejects.toThrow(
      'nx-fleet release: web\'s docker-build target has no "dockerfile" and "context" options; see `nx show project web`.',
    );
  });

  it('makes the build outputs a Dockerfile copies first, quietly, and only for the services that copy them', async () => {
    const { ports, processes } = setup();
    const copying = structuredClone(graph);
    const web = copying.nodes['web']!.data.targets!['docker-build']!;
    web.options = { ...web.options, contextOutputs: ['dist/apps/web'] };
    web.dependsOn = ['build'];
    await release(request({ plan: true }), { ...ports, workspace: async () => ({ graph: copying, runtime }) });
    expect(processes.calls.filter((c) => c.command === NX).map((c) => [c.method, c.args.join(' ')])).toEqual([
      ['run', 'run-many -t build -p web --output-style=static'],
    ]);
  });

  it('a failing outputs build stops the plan, showing its output', async () => {
    const { ports } = setup({ failing: 'build' });
    const copying = structuredClone(graph);
    const web = copying.nodes['web']!.data.targets!['docker-build']!;
    web.options = { ...web.options, contextOutputs: ['dist/apps/web'] };
    web.dependsOn = ['build'];
    await expect(
      release(request({ plan: true }), { ...ports, workspace: async () => ({ graph: copying, runtime }) }),
    ).rejects.toThrow(
      'nx-fleet release: build (the build outputs web copy) failed (nx run-many -t build -p web exited 1); nothing was promoted, the ledger is unchanged. Fix it and run the release again.\nRunning target build failed',
    );
  });
});

describe('release --commit with a remote for the ledger', () => {
  const PUSH_GIT = 'push --quiet origin HEAD:refs/heads/main';
  const REJECTED = runResult(
    '',
    ' ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs\n',
    1,
  );
  const entry = (gitSha: string) => ({
    image: 'ghcr.io/acme/billing',
    digest: 'sha256:billing',
    contentTag: 'ct-billing',
    releaseHash: 'rh',
    gitSha,
    releasedAt: '2025-03-01T00:00:00.000Z',
  });
  const remoteLedger = (production: Record<string, unknown>) =>
    JSON.stringify({ version: 1, environments: { production } });
  const commits = (calls: string[]) => calls.filter((c) => c.startsWith('commit')).length;

  it('pushes the release commit to the branch it tracks', async () => {
    const { ports, gitCalls } = setup({ upstream: {} });
    await release(request({ commit: true }), ports);
    expect(gitCalls().slice(-2)).toEqual([expect.stringMatching(/^commit /), PUSH_GIT]);
  });

  it('without --commit pushes nothing and asks git nothing about remotes', async () => {
    const { ports, gitCalls } = setup({ upstream: {} });
    await release(request(), ports);
    expect(gitCalls().filter((c) => /push|symbolic-ref|for-each-ref/.test(c))).toEqual([]);
  });

  it('rejected because another clone released other services: undoes, fetches, records again on their ledger, pushes', async () => {
    const { ports, gitCalls, files } = setup({
      upstream: { pushes: [REJECTED], remoteLedger: remoteLedger({ billing: entry('b1') }) },
    });
    const outcome = await release(request({ commit: true }), ports);
    expect(outcome.promoted?.map((p) => p.service)).toEqual(['orders', 'web']);
    expect(gitCalls().slice(-9)).toEqual([
      PUSH_GIT,
      'reset --quiet --keep HEAD~1',
      'fetch --quiet origin refs/heads/main',
      'show FETCH_HEAD:deploy/fleet.json',
      'merge --ff-only --quiet FETCH_HEAD',
      'rev-parse --show-toplevel',
      'add -- deploy/fleet.json',
      expect.stringMatching(/^commit /),
      PUSH_GIT,
    ]);
    const ledger = parseLedger(files.files.get(LEDGER)!, LEDGER);
    expect(Object.keys(ledger.environments['production']!)).toEqual(['billing', 'orders', 'web']);
  });

  it('rejected because another release recorded the same service: fails cleanly, the commit undone, nothing recorded again', async () => {
    const { ports, gitCalls } = setup({
      upstream: {
        pushes: [REJECTED],
        remoteLedger: remoteLedger({ orders: { ...entry('d0d0d0d0d0d0d0'), image: 'x' } }),
      },
    });
    await expect(release(request({ commit: true }), ports)).rejects.toThrow(
      'nx-fleet release: another release recorded orders (d0d0d0d0d0d0) in production on origin/main meanwhile; nothing was recorded here (the images are pushed). Pull and run the release again.',
    );
    expect(gitCalls()).toContain('reset --quiet --keep HEAD~1');
    expect(gitCalls()).not.toContain('merge --ff-only --quiet FETCH_HEAD');
    expect(commits(gitCalls())).toBe(1);
  });

  it('rejected on every attempt: fails after three', async () => {
    const { ports, gitCalls } = setup({
      upstream: { pushes: [REJECTED, REJECTED, REJECTED], remoteLedger: remoteLedger({}) },
    });
    await expect(release(request({ commit: true }), ports)).rejects.toThrow('rejected the ledger commit 3 times');
    expect(gitCalls().filter((c) => c === PUSH_GIT)).toHaveLength(3);
    expect(gitCalls().at(-1)).toBe('show FETCH_HEAD:deploy/fleet.json');
  });

  it('a push that fails for another reason undoes the commit and says why, credentials redacted', async () => {
    const { ports, gitCalls } = setup({
      upstream: {
        pushes: [runResult('', "fatal: Authentication failed for 'https://ci:s3cr3t-pw@git.example/acme.git/'", 128)],
      },
    });
    const error = (await release(request({ commit: true }), ports).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      "nx-fleet release: pushing the ledger commit to origin/main failed (fatal: Authentication failed for 'https://***@git.example/acme.git/'); the commit was undone, nothing was recorded (the images are pushed). Fix it and run the release again.",
    );
    expect(gitCalls().slice(-2)).toEqual([PUSH_GIT, 'reset --quiet --keep HEAD~1']);
  });

  it('a branch that cannot fast-forward to the remote: fails, the commit undone, no merge left behind', async () => {
    const { ports } = setup({ upstream: { pushes: [REJECTED], remoteLedger: remoteLedger({}), mergeFails: true } });
    await expect(release(request({ commit: true }), ports)).rejects.toThrow(
      "this branch has commits origin/main lacks, so it cannot take the remote's ledger without a merge; the commit was undone",
    );
  });
});
