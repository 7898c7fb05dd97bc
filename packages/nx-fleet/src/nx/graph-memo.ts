import type { KeptAnswer } from './nodes-cache';
import type { KnownText, WorkspaceTexts } from './workspace-texts';

/**
 * What createNodes can answer again without recomputing while its worker lives (the daemon keeps
 * it across edits): the texts it read, by Nx's hash, each folder's analysis and each service's
 * build-context decision, by everything they are made from, and its last whole answer. A new worker
 * starts empty.
 */
export class GraphMemo {
  readonly texts = new Map<string, KnownText>();
  private files: { list: readonly string[]; set: ReadonlySet<string> | undefined; version: number } | undefined;
  private readonly decisions = new Map<string, { key: string; value: unknown }>();
  private asked = false;
  private last: { key: string; answer: KeptAnswer } | undefined;

  /** Whether this is the worker's first graph: true the first time it is asked, then false. */
  firstAnswer(): boolean {
    const first = !this.asked;
    this.asked = true;
    return first;
  }

  /** Keeps the answer just given for `key`. */
  answered(key: string, answer: KeptAnswer): void {
    this.last = { key, answer };
  }

  /** A copy of the last answer when it was for `key` and the disk still says the same (Nx may change what it is given). */
  lastAnswer(key: string, texts: WorkspaceTexts): KeptAnswer | undefined {
    const last = this.last;
    if (last?.key !== key || !texts.stillHolds(last.answer.probes)) return undefined;
    return { probes: last.answer.probes, result: structuredClone(last.answer.result) };
  }

  /**
   * A number that changes whenever the set of workspace paths does. The order does not count: the
   * daemon lists an edited file in another place than a fresh listing does.
   */
  filesVersion(list: readonly string[]): number {
    const last = this.files;
    if (last && sameSet(last, list)) {
      last.list = list;
      return last.version;
    }
    this.files = { list, set: undefined, version: (last?.version ?? 0) + 1 };
    return this.files.version;
  }

  /** `compute()`'s value, or the one it gave last for `slot` when `key` (all of its inputs) is the same. */
  decision<T>(slot: string, key: string, compute: () => T): T {
    const last = this.decisions.get(slot);
    if (last?.key === key) return last.value as T;
    const value = compute();
    this.decisions.set(slot, { key, value });
    return value;
  }
}

function sameSet(last: { list: readonly string[]; set: ReadonlySet<string> | undefined }, list: readonly string[]) {
  if (last.list.length !== list.length) return false;
  if (last.list.every((path, i) => list[i] === path)) return true;
  last.set ??= new Set(last.list);
  const set = last.set;
  return list.every((path) => set.has(path));
}
