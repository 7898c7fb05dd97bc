import type { ProjectGraph, TargetConfiguration } from '@nx/devkit';
import type { NormalizedFleetOptions } from '../config/options';
import { namedContextSource } from '../config/service-settings';
import { pushRecordPath, type PushRecord } from '../image/records';
import { BUILD_EXECUTOR, foreignServiceTarget } from '../services/projects';
import { bumpHelmValues, bumpKustomization, type Promoted } from './gitops';
import { serializeLedger, withReleased, type Ledger, type LedgerEntry } from './ledger';
import type { ReleasePlan } from './plan';

/** One `nx run-many` of a release; `name` is how its failure message calls it. */
export interface NxPhase {
  name: string;
  args: string[];
}

type TargetNames = Pick<NormalizedFleetOptions, 'buildTargetName' | 'pushTargetName'>;

/**
 * A service's build target: the one named `name`, else the one nx-fleet's build executor runs under
 * another name (what makes the project a service).
 */
export function buildTargetOf(node: ProjectGraph['nodes'][string], name: string): TargetConfiguration | undefined {
  const targets = node.data.targets ?? {};
  return targets[name]?.executor === BUILD_EXECUTOR
    ? targets[name]
    : Object.values(targets).find((t) => t.executor === BUILD_EXECUTOR);
}

/**
 * Before planning: the build outputs some Dockerfiles copy or send as named contexts (git-ignored, so
 * not sources to read) are made by the targets docker-build waits for — its own project's, and the
 * other projects' it names — for those services only. Undefined when none takes any.
 */
export function outputsPhase(
  graph: Pick<ProjectGraph, 'nodes'>,
  options: Pick<NormalizedFleetOptions, 'buildTargetName'>,
): NxPhase | undefined {
  const targets = new Set<string>();
  const services: string[] = [];
  const projects = new Set<string>();
  for (const [name, node] of Object.entries(graph.nodes)) {
    const build = buildTargetOf(node, options.buildTargetName);
    const named = Object.values((build?.options?.buildContexts ?? {}) as Record<string, string>).some(
      (value) => namedContextSource(value)?.kind === 'folder',
    );
    if (!build?.options?.contextOutputs?.length && !named) continue;
    services.push(name);
    for (const dep of build?.dependsOn ?? []) {
      const own = typeof dep === 'string' ? (dep.startsWith('^') ? undefined : dep) : undefined;
      const other = typeof dep === 'object' && dep.target && !dep.dependencies ? dep : undefined;
      if (own === undefined && !other) continue;
      targets.add(own ?? other!.target);
      for (const project of other?.projects === undefined ? [name] : ([] as string[]).concat(other.projects))
        projects.add(project);
    }
  }
  if (!projects.size || !targets.size) return undefined;
  const names = [...targets].sort();
  return {
    name: `${names.join(' and ')} (the build outputs ${services.sort().join(', ')} copy)`,
    args: ['run-many', '-t', names.join(','), '-p', [...projects].sort().join(',')],
  };
}

/**
 * The phases that release the plan's set, in order: the gates docker-push waits for, then docker-push.
 * Undefined when nothing runs: only a plan was asked for, or everything is deployed already.
 */
export function releasePhases(input: {
  plan: ReleasePlan;
  graph: Pick<ProjectGraph, 'nodes'>;
  options: TargetNames;
  planOnly: boolean;
}): NxPhase[] | undefined {
  if (input.planOnly || !input.plan.release.length) return undefined;
  const set = input.plan.release.map((r) => r.service);
  const push = input.options.pushTargetName;
  // Before anything runs: the project's own push would ship without the gates and record nothing to promote.
  const foreign = set.flatMap((name) => {
    const why = foreignServiceTarget(name, push, 'push', input.graph.nodes[name]?.data.targets?.[push]);
    return why ? [why] : [];
  });
  if (foreign.length) throw new Error(`nx-fleet release: nothing was pushed or recorded. ${foreign.join(' ')}`);
  const gates = gateTargets(input.graph, set, input.options);
  return [
    ...(gates.length
      ? [{ name: gates.join(' and '), args: ['run-many', '-t', gates.join(','), '-p', set.join(',')] }]
      : []),
    { name: push, args: ['run-many', '-t', push, '-p', set.join(',')] },
  ];
}

/** The gates docker-push waits for (scan, contract-verify, unless turned off), per the inferred configuration. */
function gateTargets(graph: Pick<ProjectGraph, 'nodes'>, set: readonly string[], options: TargetNames): string[] {
  const gates = new Set<string>();
  for (const name of set) {
    for (const dep of graph.nodes[name]?.data.targets?.[options.pushTargetName]?.dependsOn ?? []) {
      if (typeof dep === 'string' && !dep.startsWith('^') && dep !== options.buildTargetName) gates.add(dep);
    }
  }
  return [...gates].sort();
}

export interface PromotionInput {
  plan: ReleasePlan;
  environment: string;
  ledger: Ledger;
  /** Absolute. */
  ledgerFile: string;
  /** Project roots of the released services. */
  roots: ReadonlyMap<string, string>;
  /** What each released service's docker-push recorded. */
  pushes: ReadonlyMap<string, PushRecord | undefined>;
  /** The commit released from; undefined outside git or before the first commit. */
  gitSha: string | undefined;
  releasedAt: string;
  /** GitOps files as given (`file`, for messages), where they are (`path`), and their text now ('' when missing). */
  kustomize: ReadonlyArray<{ file: string; path: string; text: string }>;
  helmValues: ReadonlyArray<{ file: string; path: string; text: string }>;
}

export interface Promotion {
  promoted: Promoted[];
  /**
   * Path → text, the ledger first: computed in full before anything is written, so a GitOps file
   * that does not parse leaves all untouched.
   */
  writes: Map<string, string>;
  commitMessage: string;
}

/** Every push succeeded: the ledger entries and GitOps bumps that record it. */
export function promotion(input: PromotionInput): Promotion {
  if (!input.gitSha)
    throw new Error('nx-fleet release: releases are recorded by git commit; commit your changes first.');
  const entries: Record<string, LedgerEntry> = {};
  const promoted: Promoted[] = [];
  for (const planned of input.plan.release) {
    const push = input.pushes.get(planned.service);
    const record = pushRecordPath(input.roots.get(planned.service)!);
    if (!push)
      throw new Error(`nx-fleet release: ${planned.service} has no ${record} after its push; nothing was promoted.`);
    // The plan's tag is the sources' at planning time: a push of anything else (sources edited during
    // the release, a stale record) is not what was planned, gated and verified.
    if (!push.tags.includes(planned.contentTag))
      throw new Error(
        `nx-fleet release: ${planned.service}'s ${record} is for ${push.tags.join(', ') || 'no tag'}, not the planned ${planned.contentTag} (did the sources change during the release?); nothing was promoted. Run the release again.`,
      );
    entries[planned.service] = {
      image: push.repository,
      digest: push.digest,
      contentTag: planned.contentTag,
      releaseHash: planned.releaseHash,
      gitSha: input.gitSha,
      releasedAt: input.releasedAt,
    };
    promoted.push({
      service: planned.service,
      image: push.repository,
      digest: push.digest,
      contentTag: planned.contentTag,
    });
  }
  const writes = new Map([[input.ledgerFile, serializeLedger(withReleased(input.ledger, input.environment, entries))]]);
  for (const { file, path, text } of input.kustomize) writes.set(path, bumpKustomization(text, promoted, file));
  for (const { file, path, text } of input.helmValues) writes.set(path, bumpHelmValues(text, promoted, file));
  return { promoted, writes, commitMessage: commitMessage(input.environment, promoted) };
}

function commitMessage(environment: string, promoted: readonly Promoted[]): string {
  return [
    `release(${environment}): ${promoted.map((p) => p.service).join(', ')}`,
    '',
    ...promoted.map((p) => `${p.service}: ${p.image}@${p.digest}`),
  ].join('\n');
}
