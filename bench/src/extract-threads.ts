import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { realShapedWorkspace } from './fleet';

/**
 * Issue 16's thread question: extracting imports from N real-shaped files (the `aliases` shape's
 * sources, repeated under new names) on this thread alone vs with extra worker threads, each
 * measure in a fresh process (as a cold graph's plugin worker is), sides alternated, medians.
 * Uses the built package (`nx run nx-fleet:build`): the worker is its compiled `extract-worker.js`.
 * `node dist/bench/bench/src/extract-threads.js` (BENCH_SIZES=8000,16000,32000, BENCH_ROUNDS=3).
 */
const PACKAGE = join(__dirname, '../../../packages/nx-fleet/src/runtime-graph');
const SIZES = (process.env['BENCH_SIZES'] ?? '4000,8000,16000,32000').split(',').map(Number);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

type Extract = typeof import('../../packages/nx-fleet/src/runtime-graph/parallel-extract');
type Imports = typeof import('../../packages/nx-fleet/src/runtime-graph/sdk-imports');

/** One measure, in this (fresh) process: milliseconds to extract `size` files with `workers` extra threads. */
function child(size: number, workers: number): void {
  // The built package, loaded at run time: its worker script exists only there.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { extractAll } = require(join(PACKAGE, 'parallel-extract.js')) as Extract;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { importsOf } = require(join(PACKAGE, 'sdk-imports.js')) as Imports;
  const sources = Object.entries(realShapedWorkspace('aliases').files).filter(([file]) => file.endsWith('.ts'));
  const pending = Array.from({ length: size }, (_, i) => {
    const [file, text] = sources[i % sources.length]!;
    return { file: `copy-${Math.floor(i / sources.length)}/${file}`, text };
  });
  const started = performance.now();
  const out = extractAll(pending, workers, (file, text) => importsOf(file, text));
  const ms = performance.now() - started;
  if (out.length !== size || out.some((r) => r instanceof Error)) throw new Error('extraction failed');
  process.stdout.write(JSON.stringify({ ms }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  console.log('| files | this thread only | with 1 extra thread | ratio |');
  console.log('| --- | --- | --- | --- |');
  for (const size of SIZES) {
    const runs: Record<0 | 1, number[]> = { 0: [], 1: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const workers of round % 2 ? ([1, 0] as const) : ([0, 1] as const)) {
        const result = spawnSync(process.execPath, [__filename, String(size), String(workers)], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(result.stderr);
        runs[workers].push((JSON.parse(result.stdout) as { ms: number }).ms);
      }
    }
    const [alone, threaded] = [median(runs[0]), median(runs[1])];
    console.log(
      `| ${size} | ${alone.toFixed(0)} ms (${runs[0].map((m) => m.toFixed(0)).join(' / ')}) | ${threaded.toFixed(0)} ms (${runs[1].map((m) => m.toFixed(0)).join(' / ')}) | ${(threaded / alone).toFixed(2)} |`,
    );
  }
}

if (process.argv.length > 3) child(Number(process.argv[2]), Number(process.argv[3]));
else main();
