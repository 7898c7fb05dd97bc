import { posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CreateNodes, CreateNodesContext, CreateNodesResultArray } from '@nx/devkit';
import { normalizeOptions, type FleetPluginOptions } from '../config/options';
import { brokerConfigFromEnv } from '../contracts/pact-broker';
import { PACT_FILE } from '../contracts/pacts';
import { sharedPatterns } from '../release/change-rules';
import { groupByFolder, isContainerfile, PLUGIN_GLOB } from '../services/detection';
import { setting } from '../config/settings';
import type { Env } from '../io/ports';
import { nodePorts } from '../io/ports';
import { askApart, computesApart, type ApartAnswer, type ApartOutcome, type ApartQuestion } from './create-nodes-apart';
import {
  AggregateCreateNodesError,
  createNodesFromFiles,
  getAllFileDataInContext,
  logger,
  workspaceDataDirectory,
  workspaceFilesHash,
  type WorkspaceFileData,
} from './devkit-internal';
import { frameOf, NodesCache, nodesKey } from './nodes-cache';
import type { Warning } from './service-folders';
import { cpuMs, inDaemon, workerState, type OnceWarnings } from './worker-state';
import { entriesOf } from './folder-stamps';
import { GraphMemo } from './graph-memo';
import { WorkspaceTexts } from './workspace-texts';

export interface CreateNodesDeps {
  /** Nx's workspace-data directory: where the per-options cache and the import cache live. */
  cacheDirectory: string;
  warnings: Pick<OnceWarnings, 'warn'>;
  /** Nx's verbose log (`NX_VERBOSE_LOGGING=true`). */
  verbose(message: string): void;
  /** The same createNodes computed in a process of its own (`askApart`). */
  askApart(question: ApartQuestion): Promise<ApartAnswer>;
  /** Every workspace file with Nx's content hash (Nx's workspace context). */
  sourceFiles(workspaceRoot: string): Promise<readonly WorkspaceFileData[]>;
  /** One hash of every path and content of that list (`workspaceFilesHash`), for the daemon's worker. */
  filesState?(workspaceRoot: string): Promise<string>;
  /** What this worker has answered before (texts read, context decisions): kept while it lives. */
  memo: GraphMemo;
  env: Env;
}

/**
 * The batch-wide facts (which folders are services, the paths outside every project, parent
 * services, which Dockerfiles a project names) are computed once over every matched file; then each
 * service becomes its project through `createNodesFromFiles`, so one folder that fails fails alone.
 */
export function fleetCreateNodes(deps: CreateNodesDeps): CreateNodes<FleetPluginOptions> {
  return [
    PLUGIN_GLOB,
    async (files, rawOptions, context) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      try {
        return await fleetNodes(files, rawOptions, context, deps);
      } finally {
        // Nx's perf log has the wall time; the CPU time is nx-fleet's own, whatever else the machine runs.
        deps.verbose(
          `nx-fleet: createNodes: ${files.length} files in ${(performance.now() - started).toFixed(1)} ms (CPU ${cpuMs(cpu)} ms)`,
        );
      }
    },
  ];
}

/**
 * `how`: `graph` for Nx's call (computed in a process of its own when `computesApart` says so);
 * `here` when that process failed; `warm-up` when the daemon's worker, after answering its first
 * graph from the disk, computes the same answer again while it waits, so that the edits after it
 * have an answer to compare with.
 */
async function fleetNodes(
  files: readonly string[],
  rawOptions: FleetPluginOptions | undefined,
  context: CreateNodesContext,
  deps: CreateNodesDeps,
  how: 'graph' | 'here' | 'warm-up' = 'graph',
): Promise<CreateNodesResultArray> {
  const options = normalizeOptions(rawOptions);
  const daemon = inDaemon(deps.env);
  const apart = how === 'graph' && computesApart(daemon, files.length, rawOptions?.runtimeGraph?.ownProcess, deps.env);
  const computedApart = async (workspaceFiles?: readonly WorkspaceFileData[]) =>
    (await nodesApart(
      {
        files,
        options: rawOptions,
        context,
        cacheDirectory: deps.cacheDirectory,
        ...(workspaceFiles && { workspaceFiles }),
      },
      deps,
    )) ?? fleetNodes(files, rawOptions, context, deps, 'here');
  const nodesCache = NodesCache.for(deps.cacheDirectory, rawOptions);
  // Nothing kept to compare with (the first graph after `nx reset`): the process lists the files, not this worker.
  if (apart && !nodesCache.kept()) return computedApart();
  // The sources' warnings (unreadable files, SDK owners) join the folders': all print once per workspace state.
  const sourceWarnings: Warning[] = [];
  const collect = (key: string, message: string) => sourceWarnings.push({ key, message });
  // Nx recomputes the graph twice for one edit (its watcher's event, then the client's flush): the
  // daemon's worker asks for the state's one hash first, and needs no list when it answered that state last.
  const state = daemon && how === 'graph' ? await filesStateOf(context.workspaceRoot, deps) : undefined;
  const workspaceFiles =
    (state === undefined ? undefined : deps.memo.filesAt(state)) ??
    (await listSourceFiles(context.workspaceRoot, collect, deps));
  // Only a worker that outlives one graph keeps what stands for the missing files: the others would pay for it alone.
  const texts = new WorkspaceTexts(
    context.workspaceRoot,
    workspaceFiles,
    deps.memo.texts,
    daemon ? deps.memo.absences : undefined,
  );
  const matchedFolders = groupByFolder(files.filter((file) => !PACT_FILE.test(file)));
  // A folder with a Dockerfile and no manifest is no project: its files are rule (b)'s, unless a service
  // the plugin option names builds from it (that Dockerfile is the service's own input).
  const claimed = new Set(
    Object.values(options.services).flatMap((config) =>
      config.dockerfile ? [posix.dirname(posix.normalize(config.dockerfile))] : [],
    ),
  );
  // The variants and lowercase dockerfiles join folders already matched: the roots are known before
  // them, and a kept answer needs no more (a folder of container files alone is no rule-(b) root).
  const roots = [...matchedFolders.keys()];
  const sharedRoots = [...matchedFolders].flatMap(([root, matched]) =>
    claimed.has(root) || matched.some((file) => !isContainerfile(posix.basename(file))) ? [root] : [],
  );
  const sharedOf = (
    projectRoots: readonly string[],
    ignored: readonly string[] = [],
    entries = (dir: string) => entriesOf(context.workspaceRoot, dir),
  ) => sharedPatterns({ projectRoots, entriesOf: entries, ignore: [...options.releaseIgnore, ...ignored] });
  // Asked again after every edit in the daemon, before the last answer can be given again.
  const shared = deps.memo.listings.value(
    context.workspaceRoot,
    'shared',
    JSON.stringify([sharedRoots, options.releaseIgnore]),
    (entries) => sharedOf(sharedRoots, [], entries),
  );
  const broker = brokerConfigFromEnv(deps.env) !== undefined;
  const frame = frameOf({
    options: rawOptions,
    matched: files,
    shared,
    broker,
    registry: setting(deps.env, 'registry'),
  });
  // The whole answer, kept for the state of every input (without Nx's file list there is no such state).
  const answers = workspaceFiles && nodesCache;
  let key: string | undefined;
  const keyOf = () => (key ??= nodesKey(frame, workspaceFiles ?? []));
  if (answers && how !== 'warm-up') {
    // The disk once per worker; after that (the daemon) this worker's own last answer, while no edit changes it.
    if (deps.memo.firstAnswer()) {
      const kept = answers.lookup(keyOf(), texts);
      if (kept && daemon)
        setTimeout(
          () => void fleetNodes(files, rawOptions, context, deps, 'warm-up').catch(() => undefined),
          100,
        ).unref();
      if (kept) return kept.result;
    } else {
      const again = deps.memo.answerAgain(frame, { files: workspaceFiles, state }, texts);
      if (again) {
        deps.memo.saveWhenIdle(() => answers.save(keyOf(), again.probes, again.result));
        return again.result;
      }
    }
    if (apart) return computedApart(workspaceFiles);
  }
  // A kept answer needs none of the analysis: its modules load on a miss only (~30 ms of each worker's start).
  const { computeNodes } = await import('./service-nodes');
  return computeNodes({
    files,
    rawOptions,
    context,
    deps,
    how,
    options,
    daemon,
    sourceWarnings,
    collect,
    state,
    workspaceFiles,
    texts,
    matchedFolders,
    claimed,
    roots,
    sharedRoots,
    sharedOf,
    shared,
    broker,
    frame,
    answers,
    keyOf,
  });
}

// With no answer kept (after `nx reset`) the analysis will run: its modules load while the worker waits
// for Nx's call, as a plugin's modules do, not on createNodes' path; a kept answer needs none of them.
if (!NodesCache.anyKept(workspaceDataDirectory))
  setImmediate(() => void import('./service-nodes').catch(() => undefined));

export const createNodes = fleetCreateNodes({
  cacheDirectory: workspaceDataDirectory,
  warnings: workerState.nodeWarnings,
  verbose: (message) => logger.verbose(message),
  askApart: (question) => askApart(question),
  sourceFiles: getAllFileDataInContext,
  filesState: workspaceFilesHash,
  memo: workerState.graph,
  env: nodePorts().env,
});

/**
 * The answer computed in a process of its own, given here as if computed here: its warnings and
 * verbose lines printed by this worker, each file's failure failing that file alone. Undefined when
 * the process could not start or died without an answer: then this worker computes it.
 */
async function nodesApart(question: ApartQuestion, deps: CreateNodesDeps): Promise<CreateNodesResultArray | undefined> {
  let answer: ApartAnswer;
  try {
    answer = await deps.askApart(question);
  } catch {
    return undefined;
  }
  if ('error' in answer) throw new Error(answer.error);
  for (const line of answer.logs) deps.verbose(line);
  for (const [key, message] of answer.warnings) deps.warnings.warn(key, message);
  deps.verbose(`nx-fleet: createNodes computed in a process of its own (CPU ${answer.cpuMs.toFixed(1)} ms)`);
  const { outcomes } = answer;
  return createNodesFromFiles(
    (_file, _options, _context, index) => {
      const outcome = outcomes[index]!;
      if ('error' in outcome) throw outcome.error;
      return outcome.result;
    },
    outcomes.map((outcome) => outcome.file),
    question.options,
    question.context,
  );
}

/**
 * What the process of its own answers (create-nodes-process.ts): createNodes over the worker's file
 * list, or its own listing when the worker has none, its caches saved as here.
 */
export async function answerApart(
  question: ApartQuestion,
  { env, sourceFiles }: Pick<CreateNodesDeps, 'env' | 'sourceFiles'> = {
    env: nodePorts().env,
    sourceFiles: getAllFileDataInContext,
  },
): Promise<ApartAnswer> {
  const warnings: Array<[string, string]> = [];
  const logs: string[] = [];
  const deps: CreateNodesDeps = {
    cacheDirectory: question.cacheDirectory,
    warnings: { warn: (key, message) => void warnings.push([key, message]) },
    verbose: (message) => void logs.push(message),
    askApart: () => Promise.reject(new Error('already in a process of its own')),
    sourceFiles: question.workspaceFiles ? () => Promise.resolve(question.workspaceFiles!) : sourceFiles,
    // Its answer leaves this process as a copy.
    memo: new GraphMemo(false),
    env,
  };
  let outcomes: ApartOutcome[];
  try {
    const result = await fleetNodes(question.files, question.options, question.context, deps);
    outcomes = result.map(([file, value]) => ({ file, result: value }));
  } catch (error) {
    const whole = !(error instanceof AggregateCreateNodesError) || error.errors.some(([file]) => file === null);
    if (whole) return { error: error instanceof Error ? error.message : String(error) };
    outcomes = [
      ...error.partialResults.map(([file, value]) => ({ file, result: value })),
      ...error.errors.map(([file, reason]) => ({ file: file!, error: reason })),
    ];
  }
  const cpu = process.cpuUsage();
  return { outcomes, warnings, logs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** @deprecated Nx 23 reads `createNodes`; kept for tools that still look for the v2 name. */
export const createNodesV2 = createNodes;

/**
 * Every workspace file, from Nx's workspace context: the runtime graph reads them, and context
 * inference looks up the Dockerfiles' COPY sources in them. Without them, pushes lose their runtime
 * inputs and contexts their inference, never the graph.
 */
async function listSourceFiles(
  workspaceRoot: string,
  warn: (key: string, message: string) => void,
  deps: CreateNodesDeps,
): Promise<readonly WorkspaceFileData[] | undefined> {
  try {
    return await deps.sourceFiles(workspaceRoot);
  } catch (error) {
    warn(
      'workspace-files',
      `nx-fleet: the workspace's files could not be listed (${error instanceof Error ? error.message : String(error)}); build contexts are not inferred and docker-push targets are affected by their own inputs only.`,
    );
    return undefined;
  }
}

async function filesStateOf(workspaceRoot: string, deps: CreateNodesDeps): Promise<string | undefined> {
  try {
    return await deps.filesState?.(workspaceRoot);
  } catch {
    return undefined;
  }
}
