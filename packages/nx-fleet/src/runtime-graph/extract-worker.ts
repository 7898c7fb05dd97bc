import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { PendingFile } from './parallel-extract';

/**
 * A thread of parallel-extract.ts: extracts its share of files' imports and posts them back, then
 * counts itself done on the shared counter the graph thread waits on — also when it fails, so the
 * graph thread never waits longer than the work.
 */
const { files, port, done } = workerData as { files: PendingFile[]; port: MessagePort; done: Int32Array };
try {
  // Loaded inside the try: a load failure is a failed share, not an uncounted thread.
  const { importsOf } = require('./sdk-imports') as typeof import('./sdk-imports');
  const stats = { fullParses: 0 };
  const results = files.map(({ file, text }) => {
    try {
      return importsOf(file, text, stats);
    } catch {
      return null;
    }
  });
  port.postMessage({ results, fullParses: stats.fullParses });
} catch {
  port.postMessage({});
} finally {
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}
