import type { WorkspaceFileData } from './devkit-internal';
import { FolderListings, type Absence } from './folder-stamps';
import type { KeptAnswer } from './nodes-cache';
import type { FileEdit } from './runtime-providers';
import type { KnownText, WorkspaceTexts } from './workspace-texts';

/** What Nx's file list says changed since an earlier one: only contents (each edit), or the set of paths. */
export type FilesDelta = { kind: 'edits'; edits: FileEdit[] } | { kind: 'paths' };

export function filesDelta(before: readonly WorkspaceFileData[], after: readonly WorkspaceFileData[]): FilesDelta {
  if (before === after) return { kind: 'edits', edits: [] };
  if (before.length !== after.length) return { kind: 'paths' };
  // Nx lists the files in the same order from one call to the next, mostly: compared in place, by path otherwise.
  let byPath: Map<string, string> | undefined;
  const edits: FileEdit[] = [];
  for (let i = 0; i < after.length; i++) {
    const { file, hash } = after[i]!;
    const was =
      before[i]!.file === file ? before[i]!.hash : (byPath ??= new Map(before.map((f) => [f.file, f.hash]))).get(file);
    if (was === undefined) return { kind: 'paths' };
    if (was !== hash) edits.push({ file, before: was, after: hash });
  }
  return { kind: 'edits', edits };
}

/** What an answer was made from, for a worker to tell whether an edit could change it. */
export interface AnswerBasis {
  /** Every input but the file list (`frameOf`). */
  frame: string;
  files: readonly WorkspaceFileData[];
  /** Nx's one hash of that list (`workspaceFilesHash`), when it was asked for. */
  state?: string | undefined;
  /** The listed files whose content was read or named by hash (manifests, Dockerfiles, ignore files). */
  reads: ReadonlySet<string>;
  /** Whether the runtime graph's part of the answer holds after an edit. */
  unchangedBy(edit: FileEdit): boolean;
}

/**
 * What createNodes can answer again without recomputing while its worker lives (the daemon keeps
 * it across edits): the texts it read, by Nx's hash, each folder's analysis and each service's
 * build-context decision, by everything they are made from, and its last whole answer with what it
 * was made from. A new worker starts empty.
 */
export class GraphMemo {
  readonly texts = new Map<string, KnownText>();
  /** The files the disk said were missing, by the folder whose stamp stands for that (`WorkspaceTexts`). */
  readonly absences = new Map<string, Absence>();
  /** What was computed from folders' entries, while they are unchanged. */
  readonly listings = new FolderListings();
  private files: { list: readonly string[]; set: ReadonlySet<string> | undefined; version: number } | undefined;
  private readonly decisions = new Map<string, { key: string; value: unknown }>();
  private asked = false;
  private last: (AnswerBasis & { answer: KeptAnswer }) | undefined;
  private pendingSave: NodeJS.Timeout | undefined;

  /**
   * `shared`: whether the answers given reach Nx as objects it may change (plugins loaded in Nx's own
   * process); an isolated worker's answers leave it serialized, and are given again without a copy.
   */
  constructor(private readonly shared = true) {}

  /** Whether this is the worker's first graph: true the first time it is asked, then false. */
  firstAnswer(): boolean {
    const first = !this.asked;
    this.asked = true;
    return first;
  }

  /** Keeps the answer just given, and what it was made from. */
  answered(basis: AnswerBasis, answer: KeptAnswer): void {
    this.last = { ...basis, answer };
  }

  /**
   * The last answer again, when nothing it was made from has changed: the same frame and paths, no
   * file it read edited, every other edit leaving the runtime graph as it was, and the disk still
   * saying what it did of the files Nx does not list. The edits become part of its basis.
   */
  answerAgain(
    frame: string,
    { files, state }: Pick<AnswerBasis, 'files' | 'state'>,
    texts: WorkspaceTexts,
  ): KeptAnswer | undefined {
    const last = this.last;
    if (last?.frame !== frame) return undefined;
    const delta = filesDelta(last.files, files);
    if (delta.kind === 'paths') return undefined;
    if (delta.edits.some((edit) => last.reads.has(edit.file))) return undefined;
    if (!delta.edits.every((edit) => last.unchangedBy(edit))) return undefined;
    if (!texts.stillHolds(last.answer.probes)) return undefined;
    last.files = files;
    last.state = state;
    const { probes, result } = last.answer;
    return { probes, result: this.shared ? structuredClone(result) : result };
  }

  /** The file list the last answer was made from, when `state` is its hash: Nx's list would say the same. */
  filesAt(state: string): readonly WorkspaceFileData[] | undefined {
    return this.last?.state === state ? this.last.files : undefined;
  }

  /** Runs `save` once the worker has been idle a second: a burst of edits writes the last answer once. */
  saveWhenIdle(save: () => void): void {
    clearTimeout(this.pendingSave);
    this.pendingSave = setTimeout(save, 1000).unref();
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
