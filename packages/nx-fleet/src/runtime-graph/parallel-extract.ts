import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ImportRef } from './sdk-imports';

/** A file the pre-filter let through: its imports are still to be extracted. */
export interface PendingFile {
  file: string;
  text: string;
}

/**
 * Files one extra thread must have before it pays: a thread costs ~0.45 s (loading TypeScript, its
 * JIT warming up) before it extracts anything, and extraction takes ~0.037 ms a file. Measured on
 * 2 cores (bench/src/extract-threads.ts, bench/RESULTS.md): 4,000 files 1.23× slower with a
 * thread, 16,000 1.08×, 32,000 0.97×; break-even near 24,000.
 */
export const FILES_PER_WORKER = 25_000;

/**
 * How many threads extract imports besides this one: the `runtimeGraph.workers` option when it is
 * a whole number (0: none), else one per FILES_PER_WORKER pending files, never more than the other cores.
 */
export function workersFor(pending: number, cores: number, option: unknown): number {
  if (pending < 2) return 0;
  const wanted =
    typeof option === 'number' && Number.isInteger(option) && option >= 0
      ? option
      : Math.floor(pending / FILES_PER_WORKER);
  return Math.max(0, Math.min(wanted, cores - 1, pending - 1));
}

/** Contiguous shares, this thread's first: `parts` of them, as even as the count allows. */
export function shares<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size)).filter((s) => s.length);
}

/** What a worker sends back: each file's imports, or null where extraction threw (retried here, to report it). */
interface WorkerAnswer {
  results?: Array<ImportRef[] | null>;
  fullParses?: number;
}

/** The worker's script beside this module; absent when the sources run untranspiled (unit tests). */
const WORKER_SCRIPT = join(__dirname, 'extract-worker.js');

/** The longest a graph waits for a worker before extracting its share itself. */
const WORKER_TIMEOUT_MS = 120_000;

/**
 * Each pending file's imports, in order: `workers` threads take a share each while this thread
 * extracts the first. createNodes is synchronous, so this thread blocks on a shared counter and
 * reads the answers from message ports synchronously. A worker that fails, or cannot start, leaves
 * its share to this thread: the result never depends on the threads.
 */
export function extractAll(
  pending: readonly PendingFile[],
  workers: number,
  extract: (file: string, text: string) => ImportRef[],
  stats?: { fullParses?: number },
  script = WORKER_SCRIPT,
): Array<ImportRef[] | Error> {
  const local = (p: PendingFile): ImportRef[] | Error => {
    try {
      return extract(p.file, p.text);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  if (!workers || !existsSync(script)) return pending.map(local);
  const [mine = [], ...theirs] = shares(pending, workers + 1);
  const done = new Int32Array(new SharedArrayBuffer(4));
  const started = theirs.map((files) => ({ files, ...startWorker(script, files, done) }));
  const results = mine.map(local);
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  for (let finished = Atomics.load(done, 0); finished < started.length && Date.now() < deadline;) {
    Atomics.wait(done, 0, finished, 1000);
    finished = Atomics.load(done, 0);
  }
  for (const { files, port, worker } of started) {
    const answer = receiveMessageOnPort(port)?.message as WorkerAnswer | undefined;
    void worker.terminate();
    if (stats?.fullParses !== undefined) stats.fullParses += answer?.fullParses ?? 0;
    files.forEach((file, i) => results.push(answer?.results?.[i] ?? local(file)));
  }
  return results;
}

function startWorker(
  script: string,
  files: readonly PendingFile[],
  done: Int32Array,
): { port: MessagePort; worker: Worker } {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { files, port: port2, done }, transferList: [port2] });
  // Never what keeps Nx's plugin worker alive, nor an unhandled 'error' event: the share falls back here.
  worker.unref();
  worker.on('error', () => undefined);
  return { port: port1, worker };
}
