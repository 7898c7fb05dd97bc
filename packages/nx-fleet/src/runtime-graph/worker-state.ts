import type { ts } from 'ts-morph';
import type { ImportCache } from './import-cache';
import type { Shape } from './sdk-graph';

/**
 * Everything the runtime graph keeps between calls, for as long as Nx's plugin worker lives: the
 * daemon keeps nx-fleet's worker across graph computations (see nx/post-tasks.ts), so an edit
 * reuses these instead of loading the cache, reading every tsconfig and loading TypeScript again.
 * The only module-level mutable state of runtime-graph/.
 */
export interface RuntimeGraphWorkerState {
  /** The last cache this process loaded or saved per file, with the file's stamp at that moment. */
  importCaches: Map<string, { stamp: string | undefined; cache: ImportCache }>;
  /** The last workspace shape seen: the resolver's warm caches and the pre-filter. */
  lastShape: { key: string; shape: Shape } | undefined;
  /** The TypeScript module, once found (see typescript.ts). */
  typescript: typeof ts | undefined;
  /** One TypeScript scanner reads every file's tokens. */
  scanner: ts.Scanner | undefined;
  /** The test-file globs last compiled, and their matcher. */
  testFiles: { key: string; matches: (file: string) => boolean } | undefined;
  /** Cache saves due before the worker exits, run by one exit listener however many caches wait. */
  pendingSaves: Set<() => void>;
  exitListener: boolean;
}

export const workerState: RuntimeGraphWorkerState = {
  importCaches: new Map(),
  lastShape: undefined,
  typescript: undefined,
  scanner: undefined,
  testFiles: undefined,
  pendingSaves: new Set(),
  exitListener: false,
};

/** Runs `save` when the worker exits, unless it ran before (then it removes itself from the set). */
export function saveBeforeExit(save: () => void): void {
  workerState.pendingSaves.add(save);
  if (workerState.exitListener) return;
  workerState.exitListener = true;
  process.once('exit', flushPendingSaves);
}

/** Runs the saves still due now: a process that answers before it ends does not wait for its exit. */
export function flushPendingSaves(): void {
  for (const pending of [...workerState.pendingSaves]) pending();
}

/** As after a worker start: for tests. */
export function resetWorkerState(): void {
  workerState.importCaches.clear();
  workerState.lastShape = undefined;
  workerState.testFiles = undefined;
}
