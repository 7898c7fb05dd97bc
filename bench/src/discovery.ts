import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportCache } from '../../packages/nx-fleet/src/runtime-graph/import-cache';
import { scanRuntimeGraph } from '../../packages/nx-fleet/src/runtime-graph/sdk-graph';
import { importsOf, parsedImportsOf, type ImportRef } from '../../packages/nx-fleet/src/runtime-graph/sdk-imports';
import { resetWorkerState } from '../../packages/nx-fleet/src/runtime-graph/worker-state';
import { realShapedWorkspace, writeFiles, type RealShape } from './fleet';

/**
 * Issue 16's in-process benchmark: nx-fleet's import discovery (`scanRuntimeGraph`, what
 * createNodes runs) on the real-shaped workspaces, cold (empty cache, fresh worker state), with
 * ts-morph's full parse as the extractor (before) and with the scanner (after); then warm.
 * `node dist/bench/bench/src/discovery.js` after `npx tsc -p bench/tsconfig.json`.
 */
const SHAPES: RealShape[] = ['aliases', 'core-sdk'];
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  for (const shape of SHAPES) {
    const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-bench-discovery-'));
    try {
      const workspace = realShapedWorkspace(shape);
      writeFiles(parent, workspace.files);
      const byProject: Record<string, Array<{ file: string; hash: string }>> = {};
      const otherFiles: Array<{ file: string; hash: string }> = [];
      const roots = [...workspace.projects].sort((a, b) => b.root.length - a.root.length);
      for (const [file, text] of Object.entries(workspace.files)) {
        const hash = createHash('sha1').update(text).digest('hex');
        const owner = roots.find((p) => file.startsWith(`${p.root}/`));
        if (owner) (byProject[owner.name] ??= []).push({ file, hash });
        else otherFiles.push({ file, hash });
      }
      const sourceCount = Object.keys(workspace.files).filter((f) => f.endsWith('.ts')).length;
      const run = (extract: (file: string, text: string) => ImportRef[], cacheDir: string) => {
        const stats = { parsed: 0, resolved: 0 };
        const started = performance.now();
        const scan = scanRuntimeGraph({
          workspaceRoot: parent,
          projects: workspace.projects,
          files: byProject,
          otherFiles,
          sdksOption: workspace.sdks,
          cache: ImportCache.load(cacheDir),
          warn: () => undefined,
          stats,
          extract,
        });
        return { ms: performance.now() - started, stats, imports: scan.imports.length, edges: scan.codeEdges.length };
      };
      const fullParses = { fullParses: 0 };
      const sides = {
        'before (ts-morph parse)': parsedImportsOf,
        'after (scanner)': (file: string, text: string) => importsOf(file, text, fullParses),
      };
      // BENCH_BEFORE=false: the scanner only (the full parse takes ~15 s a shape here).
      const skipBefore = process.env['BENCH_BEFORE'] === 'false';
      for (const [side, extract] of Object.entries(sides)) {
        if (skipBefore && side.startsWith('before')) continue;
        const cold: number[] = [];
        const warm: number[] = [];
        let last: ReturnType<typeof run> | undefined;
        for (let round = 0; round < ROUNDS; round++) {
          resetWorkerState();
          fullParses.fullParses = 0;
          const cacheDir = join(parent, '.nx', `cache-${side.length}-${round}`);
          last = run(extract, cacheDir);
          cold.push(last.ms);
          ImportCache.load(cacheDir).save();
          resetWorkerState();
          warm.push(run(extract, cacheDir).ms);
        }
        console.log(
          `${shape}: ${sourceCount} files, ${side}: cold ${median(cold).toFixed(0)} ms (runs ${cold.map((m) => m.toFixed(0)).join(', ')}), warm ${median(warm).toFixed(0)} ms; extracted ${last!.stats.parsed}, full parses ${side.startsWith('after') ? fullParses.fullParses : last!.stats.parsed}, resolved ${last!.stats.resolved}, ${last!.imports} SDK imports, ${last!.edges} code edges`,
        );
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }
}

main();
