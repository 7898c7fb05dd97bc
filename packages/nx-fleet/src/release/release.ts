import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import type { NormalizedFleetOptions } from '../config/options';
import { baseTagMemo, configuredOptions, type BuildOptions } from '../image/build';
import { contentInputsKeys, contentTagMemo, type HashedFile } from '../image/content-inputs';
import { sourcesContentTag } from '../image/verify-record';
import { contextProjects, workspaceListing, type NxPruning } from '../image/pruned-context';
import { mapWithLimit } from '../io/concurrency';
import type { LockFiles } from '../io/git';
import type { Clock, FilePort, GitPort, Log, ProcessRunner } from '../io/ports';
import { ToolNotFoundError } from '../io/process';
import { redactText } from '../text/redact';
import type { ServiceRuntime } from '../runtime-graph/edges';
import { serviceNodes } from '../services/projects';
import { parentServiceRoots, sharedFileTest } from './change-rules';
import type { Promoted } from './gitops';
import { emptyLedger, parseLedger, type Ledger, type LedgerEntry } from './ledger';
import { classifyPush, decideAfterRejection, MAX_PUSH_ATTEMPTS, parseUpstream, type Upstream } from './ledger-sync';
import { decideLock, lockFileName, parseLockHolder, serializeLockHolder } from './lock';
import { planRelease, providerMap, releaseHashes, sharedFilesHash, type ReleasePlan, type ServiceFacts } from './plan';
import { serviceRecords } from './records';
import { buildTargetOf, outputsPhase, promotion, releasePhases, type NxPhase } from './steps';

export interface ReleaseRequest {
  workspaceRoot: string;
  environment: string;
  options: NormalizedFleetOptions;
  /** Absolute. */
  ledgerFile: string;
  /**
   * plan: plan only; force: release every service; commit: commit what the release writes;
   * json: stdout carries JSON, so nx's output goes to stderr.
   */
  flags: { plan: boolean; force: boolean; commit: boolean; json: boolean };
  /** GitOps files to bump, relative to the workspace root. */
  gitops: { kustomize: readonly string[]; helmValues: readonly string[] };
  /** How long a release waits for another one on the same ledger and environment; 0 (default): fail at once. */
  lockWaitMs?: number;
}

export interface ReleasePorts {
  processes: ProcessRunner;
  git: Pick<GitPort, 'revision'>;
  files: FilePort;
  clock: Clock;
  log: Log;
  /** Nx's pruning: a pruned context's content tag is computed with it. */
  pruning: NxPruning;
  /** The release lock's file (see lock.ts). */
  lock: LockFiles;
  /** The project graph and the runtime graph as the plugin computes them. */
  workspace(): Promise<{ graph: ProjectGraph; runtime: ServiceRuntime[] }>;
  /**
   * Nx's list of the workspace's files with their hashes, and the versions of what computes a content
   * tag (nx-fleet, Nx's pruning): the keys under which content tags are remembered between plans.
   */
  sourceFiles(): Promise<{ files: readonly HashedFile[]; versions: string }>;
}

export interface ReleaseOutcome {
  plan: ReleasePlan;
  /** Set when the release ran: every push succeeded and the ledger was written. */
  promoted?: Promoted[];
}

/**
 * One transaction: plan from the sources, then (unless only a plan was asked for, or nothing changed)
 * the gates, the pushes, and the ledger with the GitOps files. A failure anywhere leaves the ledger
 * as it was. `planned` hears the plan before the first of those phases runs.
 */
export async function release(
  request: ReleaseRequest,
  ports: ReleasePorts,
  planned: (plan: ReleasePlan) => void = () => undefined,
): Promise<ReleaseOutcome> {
  if (request.flags.plan) return releaseLocked(request, ports, planned);
  // One release at a time per ledger and environment; the ledger is read under the lock.
  const lock = await takeLock(request, ports);
  try {
    return await releaseLocked(request, ports, planned);
  } finally {
    await lock.release();
  }
}

async function releaseLocked(
  request: ReleaseRequest,
  ports: ReleasePorts,
  planned: (plan: ReleasePlan) => void,
): Promise<ReleaseOutcome> {
  // The commit the release is planned from, read before anything runs (a ledger commit is never it).
  const source = await sourceCommit(request, ports);
  const ledgerText = await ports.files.readText(request.ledgerFile);
  const ledger = ledgerText === undefined ? emptyLedger() : parseLedger(ledgerText, request.ledgerFile);
  const { graph, runtime } = await ports.workspace();
  // A plan is a read: only build outputs a Dockerfile copies are made (or restored by Nx's cache), quietly.
  const outputs = outputsPhase(graph, request.options);
  if (outputs) await runPhase(outputs, request, ports, { quiet: true });
  const plan = await planFor(request, { graph, runtime, ledger }, ports);
  const phases = releasePhases({ plan, graph, options: request.options, planOnly: request.flags.plan });
  if (!phases) return { plan };
  planned(plan);
  for (const phase of phases) await runPhase(phase, request, ports);
  return { plan, promoted: await promote(request, { plan, graph, ledger, source }, ports) };
}

/**
 * HEAD, or when HEAD only changed the ledger and GitOps files (a release's own commit), the last
 * commit before it that changed anything else: the sources the images were built from.
 */
async function sourceCommit(request: ReleaseRequest, ports: ReleasePorts): Promise<string | undefined> {
  const head = (await ports.git.revision(request.workspaceRoot))?.sha;
  if (!head) return undefined;
  const written = [request.ledgerFile, ...[...request.gitops.kustomize, ...request.gitops.helmValues]]
    .map((file) => relative(request.workspaceRoot, resolve(request.workspaceRoot, file)))
    .filter((file) => file && !file.startsWith('..') && !isAbsolute(file));
  if (!written.length) return head;
  const listed = await ports.processes.run(
    'git',
    ['rev-list', '-1', 'HEAD', '--', '.', ...written.map((file) => `:(exclude)${file}`)],
    { cwd: request.workspaceRoot },
  );
  return (listed.code === 0 && listed.stdout.trim()) || head;
}

/**
 * Where git is asked about the ledger's repository: the nearest folder of the ledger's path that exists.
 * Before the first release the ledger's folder may not (git cannot even start there), and two first
 * releases would otherwise put the lock somewhere else than every later one.
 */
function ledgerFolder(request: ReleaseRequest, files: Pick<FilePort, 'exists'>): string {
  let folder = dirname(request.ledgerFile);
  while (!files.exists(folder) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

/** The lock file in the ledger repository's git dir (shared by its worktrees), else next to the ledger. */
async function lockPath(request: ReleaseRequest, ports: ReleasePorts): Promise<string> {
  const cwd = ledgerFolder(request, ports.files);
  const name = lockFileName(request.ledgerFile, request.environment);
  const gitDir = await ports.processes.run('git', ['rev-parse', '--git-common-dir'], { cwd }).catch(() => undefined);
  const dir = gitDir?.code === 0 && gitDir.stdout.trim() ? resolve(cwd, gitDir.stdout.trim()) : cwd;
  return join(dir, name);
}

async function takeLock(request: ReleaseRequest, ports: ReleasePorts): Promise<{ release(): Promise<void> }> {
  const file = await lockPath(request, ports);
  const self = {
    pid: ports.lock.pid,
    host: ports.lock.host,
    since: ports.clock.now().toISOString(),
    environment: request.environment,
  };
  const text = serializeLockHolder(self);
  const timeoutMs = request.lockWaitMs ?? 0;
  let waitedMs = 0;
  while (!(await ports.lock.create(file, text))) {
    const held = await ports.lock.read(file);
    const holder = parseLockHolder(held);
    const holderAlive = holder ? holder.host !== self.host || ports.lock.alive(holder.pid) : false;
    const decision = decideLock({ file, holder, holderAlive, host: self.host, waitedMs, timeoutMs });
    if (decision.kind === 'fail') throw new Error(decision.message);
    if (decision.kind === 'take-over') {
      ports.log.warn(decision.warning);
      // Still the stale holder's (not a lock a concurrent take-over just created): remove it, then retry.
      if ((await ports.lock.read(file)) === held) await ports.lock.remove(file);
    } else {
      await ports.lock.sleep(decision.delayMs);
      waitedMs += decision.delayMs;
    }
  }
  return {
    async release() {
      // Only our own: a lock someone took over from us is theirs.
      const holder = parseLockHolder(await ports.lock.read(file));
      if (holder?.pid === self.pid && holder.host === self.host && holder.since === self.since)
        await ports.lock.remove(file);
    },
  };
}

/** The facts a plan needs (content tags, the shared files' hash, what changed since each release), then the plan. */
async function planFor(
  request: ReleaseRequest,
  state: { graph: ProjectGraph; runtime: ServiceRuntime[]; ledger: Ledger },
  ports: ReleasePorts,
): Promise<ReleasePlan> {
  const facts = await serviceFacts(request, state.graph, ports);
  const providers = providerMap(state.runtime);
  // A service's Dockerfile outside its folder is its own input, as in the graph's rule (b).
  const owned = serviceNodes(Object.values(state.graph.nodes)).flatMap((node) => {
    const { dockerfile } = buildTargetOptions(node, request.options.buildTargetName);
    return [dockerfile, `${dockerfile}.dockerignore`];
  });
  const isShared = sharedFileTest(
    Object.values(state.graph.nodes).map((n) => n.data.root),
    request.options.releaseIgnore,
    owned,
  );
  const listed = await ports.processes.runOk('git', ['ls-files', '-s'], { cwd: request.workspaceRoot });
  const deployed = state.ledger.environments[request.environment] ?? {};
  const changes = await changedSinceReleases(deployed, request.workspaceRoot, ports.processes);
  return planRelease({
    services: facts,
    providers,
    hashes: releaseHashes(facts, providers, sharedFilesHash(listed.stdout, isShared)),
    deployed,
    force: request.flags.force,
    changedSince: (sha) => changes.get(sha),
    isShared,
  });
}

/**
 * Every push succeeded: the ledger and GitOps files change together, and with --commit in one commit.
 * With an upstream for the ledger's branch the commit is pushed; a rejection undoes it, fetches, and
 * records again on the remote's ledger (see ledger-sync.ts), so no conflict and no half record is left.
 */
async function promote(
  request: ReleaseRequest,
  state: { plan: ReleasePlan; graph: ProjectGraph; ledger: Ledger; source: string | undefined },
  ports: ReleasePorts,
): Promise<Promoted[]> {
  const upstream = request.flags.commit
    ? await ledgerUpstream(ledgerFolder(request, ports.files), ports.processes)
    : undefined;
  let ledger = state.ledger;
  for (let attempt = 1; ; attempt++) {
    const decided = await decidePromotion(request, { ...state, ledger }, ports);
    for (const [file, text] of decided.writes) await ports.files.writeText(file, text);
    if (!request.flags.commit) return decided.promoted;
    const repo = await commitRelease([...decided.writes.keys()], decided.commitMessage, ports.processes);
    if (!upstream) return decided.promoted;
    const remote = await pushRelease(
      request,
      { repo, upstream, attempt, plannedOn: state.ledger, plan: state.plan },
      ports,
    );
    if (!remote) return decided.promoted;
    ledger = remote;
  }
}

async function decidePromotion(
  request: ReleaseRequest,
  state: { plan: ReleasePlan; graph: ProjectGraph; ledger: Ledger; source: string | undefined },
  ports: ReleasePorts,
) {
  const { plan } = state;
  const records = serviceRecords(request.workspaceRoot, ports.files);
  const gitops = (files: readonly string[]) =>
    Promise.all(
      files.map(async (file) => {
        const path = resolve(request.workspaceRoot, file);
        return { file, path, text: (await ports.files.readText(path)) ?? '' };
      }),
    );
  const roots = new Map(plan.release.map((r) => [r.service, state.graph.nodes[r.service]!.data.root]));
  const pushes = new Map(
    await Promise.all(plan.release.map(async (r) => [r.service, await records.push(roots.get(r.service)!)] as const)),
  );
  return promotion({
    plan,
    environment: request.environment,
    ledger: state.ledger,
    ledgerFile: request.ledgerFile,
    roots,
    pushes,
    gitSha: state.source,
    releasedAt: ports.clock.now().toISOString(),
    kustomize: await gitops(request.gitops.kustomize),
    helmValues: await gitops(request.gitops.helmValues),
  });
}

/** The remote and ref the ledger's branch tracks; undefined on a detached HEAD or a branch without one. */
async function ledgerUpstream(cwd: string, processes: Pick<ProcessRunner, 'run'>): Promise<Upstream | undefined> {
  const head = await processes.run('git', ['symbolic-ref', '-q', 'HEAD'], { cwd });
  const ref = head.code === 0 ? head.stdout.trim() : '';
  if (!ref) return undefined;
  const tracked = await processes.run(
    'git',
    ['for-each-ref', '--format=%(upstream:remotename)%00%(upstream:remoteref)', ref],
    { cwd },
  );
  return tracked.code === 0 ? parseUpstream(tracked.stdout) : undefined;
}

/**
 * Pushes the release commit. Undefined: pushed. A ledger: the remote's, to record on again (the
 * commit was undone and the branch fast-forwarded to the remote). Anything else throws, the commit undone.
 */
async function pushRelease(
  request: ReleaseRequest,
  input: { repo: string; upstream: Upstream; attempt: number; plannedOn: Ledger; plan: ReleasePlan },
  ports: ReleasePorts,
): Promise<Ledger | undefined> {
  const { repo, upstream } = input;
  const git = (args: string[]) => ports.processes.run('git', args, { cwd: repo });
  const name = `${upstream.remote}/${upstream.ref.replace(/^refs\/heads\//, '')}`;
  const pushed = await git(['push', '--quiet', upstream.remote, `HEAD:${upstream.ref}`]);
  const verdict = classifyPush(pushed);
  if (verdict === 'pushed') return undefined;
  const undone = await git(['reset', '--quiet', '--keep', 'HEAD~1']);
  const undo = undone.code === 0 ? 'the commit was undone' : 'undo the release commit with `git reset --keep HEAD~1`';
  const fail = (why: string) =>
    new Error(
      `nx-fleet release: ${why}; ${undo}, nothing was recorded (the images are pushed). Fix it and run the release again.`,
    );
  if (undone.code !== 0 || verdict === 'failed')
    throw fail(`pushing the ledger commit to ${name} failed (${redactText(pushed.stderr.trim())})`);
  const fetched = await git(['fetch', '--quiet', upstream.remote, upstream.ref]);
  if (fetched.code !== 0) throw fail(`fetching ${name} failed (${redactText(fetched.stderr.trim())})`);
  const shown = await git(['show', `FETCH_HEAD:${relative(repo, request.ledgerFile)}`]);
  const remote =
    shown.code === 0 ? parseLedger(shown.stdout, `${name}:${relative(repo, request.ledgerFile)}`) : emptyLedger();
  const decision = decideAfterRejection({
    attempt: input.attempt,
    maxAttempts: MAX_PUSH_ATTEMPTS,
    environment: request.environment,
    releasing: input.plan.release.map((r) => r.service),
    plannedOn: input.plannedOn,
    remote,
    upstream: name,
  });
  if (decision.kind === 'fail') throw new Error(decision.message);
  const merged = await git(['merge', '--ff-only', '--quiet', 'FETCH_HEAD']);
  if (merged.code !== 0)
    throw fail(`this branch has commits ${name} lacks, so it cannot take the remote's ledger without a merge`);
  return remote;
}

/**
 * The workspace's own nx, its output the user's (on stderr when stdout carries JSON); a quiet phase's
 * output is shown only when it fails.
 */
async function runPhase(
  phase: NxPhase,
  request: ReleaseRequest,
  ports: Pick<ReleasePorts, 'processes'>,
  { quiet = false } = {},
) {
  const nx = join(request.workspaceRoot, 'node_modules', '.bin', 'nx');
  const args = [...phase.args, '--output-style=static'];
  const cwd = request.workspaceRoot;
  const ran = quiet
    ? ports.processes.run(nx, args, { cwd }).then((r) => ({ code: r.code, output: `${r.stdout}${r.stderr}` }))
    : ports.processes
        .runAttached(nx, args, { cwd, stdout: request.flags.json ? 'stderr' : 'inherit' })
        .then((code) => ({ code, output: '' }));
  const { code, output } = await ran.catch((error: unknown) => {
    throw error instanceof ToolNotFoundError
      ? new ToolNotFoundError(
          nx,
          "Run nx-fleet release from the workspace root after `npm install` (it runs the workspace's own nx).",
        )
      : error;
  });
  if (code !== 0) {
    const tail = output.trim() ? `\n${redactText(output.trim().split('\n').slice(-30).join('\n'))}` : '';
    throw new Error(
      `nx-fleet release: ${phase.name} failed (nx ${phase.args.join(' ')} exited ${code}); nothing was promoted, the ledger is unchanged. Fix it and run the release again.${tail}`,
    );
  }
}

/**
 * Each service's facts, its content tag computed from its sources as docker-build would: no record
 * is read (a poisoned one cannot enter a plan), no engine asked. A few services at a time: each
 * lists and hashes a build context (a pruned one is assembled first), unless the same inputs gave
 * a tag before (contentInputsKeys).
 */
async function serviceFacts(
  request: ReleaseRequest,
  graph: ProjectGraph,
  ports: ReleasePorts,
): Promise<ServiceFacts[]> {
  const services = serviceNodes(Object.values(graph.nodes));
  const roots = services.map((s) => s.data.root);
  const serviceRoots = new Set(roots);
  const { files, versions } = await ports.sourceFiles();
  const keyOf = contentInputsKeys(files, versions);
  const memo = contentTagMemo(ports.files, join(ports.pruning.workspaceDataDirectory, 'nx-fleet', 'content-tags'));
  const sharing = { ...ports, listing: workspaceListing(ports), baseTags: baseTagMemo() };
  return mapWithLimit(services, CONTEXTS_AT_ONCE, async (node) => {
    const options = buildTargetOptions(node, request.options.buildTargetName);
    const service = {
      workspaceRoot: request.workspaceRoot,
      projectName: node.name,
      projectRoot: node.data.root,
      graph,
    };
    return {
      name: node.name,
      root: node.data.root,
      contentTag: await memo.remembered(node.name, keyOf(options, graph, node.name), () =>
        sourcesContentTag(sharing, options, service),
      ),
      contextRoots: contextProjects(graph, node.name, options.workspaceManifests).map((p) => graph.nodes[p]!.data.root),
      parents: parentServiceRoots(node.data.root, serviceRoots).map(
        (root) => services.find((s) => s.data.root === root)!.name,
      ),
    };
  });
}

/** Hashing is file reads: a few at once keep the disk busy without holding many assembled contexts. */
const CONTEXTS_AT_ONCE = Math.max(2, Math.min(8, availableParallelism()));

/** The build target's options as the graph holds them (Nx resolved the tokens), its default configuration over them. */
function buildTargetOptions(node: ProjectGraph['nodes'][string], target: string): BuildOptions {
  const options = configuredOptions(buildTargetOf(node, target));
  if (typeof options.dockerfile !== 'string' || typeof options.context !== 'string')
    throw new Error(
      `nx-fleet release: ${node.name}'s ${target} target has no "dockerfile" and "context" options; see \`nx show project ${node.name}\`.`,
    );
  return options as BuildOptions;
}

/** Files changed since each released commit, one `git diff` per distinct commit; undefined where git does not know it. */
async function changedSinceReleases(
  deployed: Readonly<Record<string, LedgerEntry>>,
  cwd: string,
  processes: Pick<ProcessRunner, 'run'>,
): Promise<Map<string, string[] | undefined>> {
  const shas = [...new Set(Object.values(deployed).map((entry) => entry.gitSha))];
  const diffs = await Promise.all(
    shas.map((sha) => processes.run('git', ['diff', '--name-only', sha, 'HEAD'], { cwd })),
  );
  return new Map(
    shas.map((sha, i) => [sha, diffs[i]!.code === 0 ? diffs[i]!.stdout.split('\n').filter(Boolean) : undefined]),
  );
}

/** In the ledger's own repository, which may be a separate GitOps checkout. */
async function commitRelease(
  files: readonly string[],
  message: string,
  processes: Pick<ProcessRunner, 'run' | 'runOk'>,
): Promise<string> {
  const repo = (
    await processes.runOk('git', ['rev-parse', '--show-toplevel'], { cwd: dirname(files[0]!) })
  ).stdout.trim();
  await processes.runOk('git', ['add', '--', ...files.map((f) => relative(repo, f))], { cwd: repo });
  const result = await processes.run('git', ['commit', '--quiet', '-m', message], { cwd: repo });
  if (result.code !== 0)
    throw new Error(
      `nx-fleet release: the ledger was written but could not be committed (${result.stderr.trim() || result.stdout.trim()}); commit ${files.map((f) => relative(repo, f)).join(', ')} yourself.`,
    );
  return repo;
}
