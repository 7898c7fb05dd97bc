import { createHash } from 'node:crypto';
import type { ServiceRuntime } from '../runtime-graph/edges';
import type { Promoted } from './gitops';
import type { LedgerEntry } from './ledger';

/** What a release needs to know of one service, gathered by the caller. */
export interface ServiceFacts {
  name: string;
  root: string;
  /** docker-build's content tag now: a hash of exactly what goes into the image. */
  contentTag: string;
  /** Roots whose files reach its image: its own and its workspace libraries'. */
  contextRoots: string[];
  /** Service folders it is nested in (rule c). */
  parents: string[];
}

export interface Hop {
  consumer: string;
  provider: string;
  file: string;
  line: number;
}

export type Reason =
  | { kind: 'first-deploy' }
  | { kind: 'forced' }
  | { kind: 'changed'; files: string[] }
  | { kind: 'provider'; provider: string; files: string[]; chain: Hop[] }
  | { kind: 'shared'; files: string[] }
  | { kind: 'parent'; parent: string; files: string[] }
  | { kind: 'content'; from: string; to: string };

export interface PlannedService {
  service: string;
  contentTag: string;
  releaseHash: string;
  reasons: Reason[];
}

export interface ReleasePlan {
  release: PlannedService[];
  skipped: Array<{ service: string; digest: string; contentTag: string; releasedAt: string }>;
  /** The release set in runtime-dependency order: providers before their consumers; a cycle shares a wave. */
  waves: string[][];
}

/** Providers of each service (direct), with the import that makes the edge. */
export type ProviderMap = ReadonlyMap<string, ReadonlyArray<{ service: string; file: string; line: number }>>;

export function providerMap(runtime: readonly ServiceRuntime[]): ProviderMap {
  return new Map(
    runtime.map((s) => [
      s.service,
      s.providers.map((p) => ({ service: p.service, file: p.imports[0]?.file ?? '', line: p.imports[0]?.line ?? 0 })),
    ]),
  );
}

/** Every provider a service reaches, transitively, with the shortest import chain to it. */
export function providerChains(service: string, providers: ProviderMap): Map<string, Hop[]> {
  const chains = new Map<string, Hop[]>();
  const queue: Array<{ at: string; chain: Hop[] }> = [{ at: service, chain: [] }];
  while (queue.length) {
    const { at, chain } = queue.shift()!;
    for (const p of providers.get(at) ?? []) {
      if (p.service === service || chains.has(p.service)) continue;
      const next = [...chain, { consumer: at, provider: p.service, file: p.file, line: p.line }];
      chains.set(p.service, next);
      queue.push({ at: p.service, chain: next });
    }
  }
  return chains;
}

/**
 * A service's release hash: its own content, the content of every provider it reaches (a provider
 * change re-releases its consumers), of the service folders around it (rule c), and the files outside
 * every project (rule b). Equal hashes mean nothing that matters changed since the ledger's release.
 */
export function releaseHashes(
  services: readonly ServiceFacts[],
  providers: ProviderMap,
  sharedHash: string,
): Map<string, string> {
  const byName = new Map(services.map((s) => [s.name, s]));
  return new Map(
    services.map((s) => {
      const hash = createHash('sha256').update(`own ${s.contentTag}\nshared ${sharedHash}\n`);
      for (const parent of [...s.parents].sort())
        hash.update(`parent ${parent} ${byName.get(parent)?.contentTag ?? '?'}\n`);
      for (const provider of [...providerChains(s.name, providers).keys()].sort())
        hash.update(`provider ${provider} ${byName.get(provider)?.contentTag ?? '?'}\n`);
      return [s.name, `rh-${hash.digest('hex').slice(0, 32)}`];
    }),
  );
}

/**
 * Rule (b)'s part of every release hash: the committed files outside every project, from
 * `git ls-files -s`: cheap, and exactly what is committed.
 */
export function sharedFilesHash(lsFilesStaged: string, isShared: (file: string) => boolean): string {
  const hash = createHash('sha256');
  for (const line of lsFilesStaged.split('\n')) {
    const [meta, file] = line.split('\t');
    if (file && isShared(file)) hash.update(`${file} ${meta!.split(' ')[1]}\n`);
  }
  return hash.digest('hex');
}

export interface PlanInput {
  services: readonly ServiceFacts[];
  providers: ProviderMap;
  hashes: ReadonlyMap<string, string>;
  deployed: Readonly<Record<string, LedgerEntry>>;
  force: boolean;
  /** Files changed between a released commit and now; undefined when git cannot tell (an unknown commit). */
  changedSince(sha: string): readonly string[] | undefined;
  /** Files outside every project that count (rule b). */
  isShared(file: string): boolean;
}

const under = (root: string, file: string) => root === '.' || file.startsWith(`${root}/`);

export function planRelease(input: PlanInput): ReleasePlan {
  const byName = new Map(input.services.map((s) => [s.name, s]));
  const release: PlannedService[] = [];
  const skipped: ReleasePlan['skipped'] = [];
  for (const service of input.services) {
    const releaseHash = input.hashes.get(service.name)!;
    const entry = input.deployed[service.name];
    if (!input.force && entry && entry.releaseHash === releaseHash) {
      skipped.push({
        service: service.name,
        digest: entry.digest,
        contentTag: entry.contentTag,
        releasedAt: entry.releasedAt,
      });
      continue;
    }
    const reasons: Reason[] = input.force
      ? [{ kind: 'forced' }]
      : !entry
        ? [{ kind: 'first-deploy' }]
        : explain(service, entry, input, byName);
    release.push({ service: service.name, contentTag: service.contentTag, releaseHash, reasons });
  }
  return {
    release,
    skipped,
    waves: waves(
      release.map((r) => r.service),
      input.providers,
    ),
  };
}

function explain(
  service: ServiceFacts,
  entry: LedgerEntry,
  input: PlanInput,
  byName: ReadonlyMap<string, ServiceFacts>,
): Reason[] {
  const files = input.changedSince(entry.gitSha);
  const fallback: Reason[] =
    entry.contentTag !== service.contentTag
      ? [{ kind: 'content', from: entry.contentTag, to: service.contentTag }]
      : [];
  if (!files)
    return fallback.length
      ? fallback
      : [{ kind: 'content', from: entry.releaseHash, to: input.hashes.get(service.name)! }];
  const reasons: Reason[] = [];
  const own = files.filter((f) => service.contextRoots.some((root) => under(root, f)));
  if (own.length) reasons.push({ kind: 'changed', files: own });
  for (const parent of service.parents) {
    const root = byName.get(parent)?.root;
    const inParent = root ? files.filter((f) => under(root, f) && !own.includes(f)) : [];
    if (inParent.length) reasons.push({ kind: 'parent', parent, files: inParent });
  }
  for (const [provider, chain] of providerChains(service.name, input.providers)) {
    const roots = byName.get(provider)?.contextRoots ?? [];
    const changed = files.filter((f) => roots.some((root) => under(root, f)));
    if (changed.length) reasons.push({ kind: 'provider', provider, files: changed, chain });
  }
  const shared = files.filter((f) => input.isShared(f));
  if (shared.length) reasons.push({ kind: 'shared', files: shared });
  // Build settings (args, target) live outside the files: the content tag still tells.
  return reasons.length
    ? reasons
    : fallback.length
      ? fallback
      : [{ kind: 'content', from: entry.releaseHash, to: input.hashes.get(service.name)! }];
}

/**
 * Kahn's order over the runtime edges inside the release set. When only cycles are left, the cycles
 * that wait for nothing outside themselves go out together; their consumers still wait for them.
 */
export function waves(set: readonly string[], providers: ProviderMap): string[][] {
  const inSet = new Set(set);
  const waiting = new Map(
    set.map((s) => [s, new Set((providers.get(s) ?? []).map((p) => p.service).filter((p) => inSet.has(p) && p !== s))]),
  );
  const result: string[][] = [];
  while (waiting.size) {
    let wave = [...waiting].filter(([, deps]) => deps.size === 0).map(([s]) => s);
    if (!wave.length) wave = readyCycles(waiting);
    wave.sort();
    result.push(wave);
    for (const s of wave) waiting.delete(s);
    for (const deps of waiting.values()) for (const s of wave) deps.delete(s);
  }
  return result;
}

/** Members of the strongly connected groups that depend on nothing outside their group. */
function readyCycles(waiting: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const reach = (from: string) => {
    const seen = new Set<string>();
    const stack = [...(waiting.get(from) ?? [])];
    while (stack.length) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(waiting.get(next) ?? []));
    }
    return seen;
  };
  const reaches = new Map([...waiting.keys()].map((s) => [s, reach(s)]));
  const ready = [...waiting.keys()].filter((s) => [...reaches.get(s)!].every((dep) => reaches.get(dep)!.has(s)));
  // Every remaining service waits on a cycle, so some cycle is ready; the fallback only guards the loop.
  return ready.length ? ready : [...waiting.keys()];
}

export function describeReason(reason: Reason): string {
  switch (reason.kind) {
    case 'first-deploy':
      return 'first deploy (not in the ledger)';
    case 'forced':
      return 'forced (--force)';
    case 'changed':
      return `changed: ${reason.files.join(', ')}`;
    case 'parent':
      return `parent service ${reason.parent} changed: ${reason.files.join(', ')}`;
    case 'shared':
      return `shared file changed: ${reason.files.join(', ')}`;
    case 'provider':
      return `provider ${reason.provider} changed (${reason.files.join(', ')}) via ${reason.chain.map((h) => `${h.consumer} → ${h.provider} (${h.file}:${h.line})`).join(', ')}`;
    case 'content':
      return `content changed: ${reason.from} → ${reason.to}`;
  }
}

/** What a release prints: with --json the plan and, once promoted, what was; else the plan in text. */
export function formatRelease(
  environment: string,
  outcome: { plan: ReleasePlan; promoted?: readonly Promoted[] },
  json: boolean,
): string {
  const { plan, promoted } = outcome;
  if (!json) return formatPlan(environment, plan);
  const summary = { environment, services: plan.release.map((r) => r.service), waves: plan.waves };
  return JSON.stringify(
    { ...summary, release: plan.release, skipped: plan.skipped, ...(promoted ? { promoted } : {}) },
    null,
    2,
  );
}

export function formatPlan(environment: string, plan: ReleasePlan): string {
  const lines = [
    `nx-fleet release ${environment}: ${plan.release.length} to release, ${plan.skipped.length} already deployed`,
  ];
  plan.waves.forEach((wave, i) => {
    lines.push(`wave ${i + 1}:`);
    for (const name of wave) {
      const planned = plan.release.find((r) => r.service === name)!;
      lines.push(`  ${name}  ${planned.contentTag}`, ...planned.reasons.map((r) => `      ${describeReason(r)}`));
    }
  });
  for (const s of plan.skipped)
    lines.push(`skipped ${s.service}: already deployed (${s.contentTag}, ${s.digest}, ${s.releasedAt})`);
  return lines.join('\n');
}
