import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage } from '../../tools/fleet-harness/src/base-image';
import { removeRunStorage, useRunStorage } from '../../tools/fleet-harness/src/container-storage';
import { commitAll, createFleetWorkspace, nxEnv, packPlugin } from '../../tools/fleet-harness/src/nx-workspace';
import { startRegistry } from '../../tools/fleet-harness/src/registry';
import { detectEngine, runOk } from '../../tools/fleet-harness/src/tools';
import { sdkFleetFiles, writeFiles } from './fleet';
import { timed, type Timed } from './timing';

/**
 * Issue 16, deliverables 3 and 2': on the 200-service × 15-file workspace with a real registry, every
 * image pushed once, then per round a rule-(b) commit (a file outside every project, not docs): the whole
 * no-op `nx affected -t docker-push` (every push adds the new commit's tag) and `nx-fleet release --env
 * prod --plan`, each timed against `nx graph` in the same run, alternating, medians of BENCH_ROUNDS (default 3).
 * BENCH_REUSE=<dir> keeps the workspace and the registry's storage there: a second run with the same
 * directory skips the hour-long first push and only swaps in the plugin packed from the tree.
 */
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 200);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Tasks by how Nx ran them, from the static output of a run. */
function taskSummary(run: Timed): string {
  const text = run.stdout + run.stderr;
  const fromCache = (
    text.match(/\[local cache\]|existing outputs match the cache|read the output from the cache/g) ?? []
  ).length;
  const ran = /Successfully ran target[^\n]*/.exec(text)?.[0] ?? 'no summary line';
  const cached = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(
    text,
  );
  return `${ran.trim()}${cached ? `; ${cached[1]}/${cached[2]} from the Nx cache` : fromCache ? `; ${fromCache} cache lines` : ''}`;
}

async function main(): Promise<void> {
  const out = process.env['BENCH_OUT'];
  const log = (line: string) => {
    console.log(line);
    if (out) appendFileSync(out, `${line}\n`);
  };
  const engine = detectEngine();
  const reuse = process.env['BENCH_REUSE'];
  const parent = reuse ?? mkdtempSync(join(tmpdir(), 'nx-fleet-bench-registry-'));
  // The run's own image store (podman), kept with a reused workspace, else removed with the run.
  const storage = await useRunStorage(parent, engine);
  const [tarball] = await Promise.all([packPlugin(), ensureNodeBaseImage(engine)]);
  const reused = reuse !== undefined && existsSync(join(parent, 'fleet', 'nx.json'));
  mkdirSync(join(parent, 'registry-data'), { recursive: true });
  // The same registry name on every run over the same workspace: FLEET_REGISTRY is part of the task hashes.
  const portFile = join(parent, 'registry-port');
  const port = reused && existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
  const registry = await startRegistry({ dataDir: join(parent, 'registry-data'), ...(port ? { port } : {}) });
  writeFileSync(portFile, registry.host.split(':')[1]!);
  try {
    const root = reused ? join(parent, 'fleet') : await createFleetWorkspace(parent, 'fleet', tarball);
    if (reused) await swapInPlugin(root, tarball);
    else await setUp(root);
    const env = nxEnv(root, { FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine, PACT_DO_NOT_TRACK: 'true' });
    const nx = join(root, 'node_modules', '.bin', 'nx');
    const fleet = join(root, 'node_modules', '.bin', 'nx-fleet');
    const ok = (what: string, r: Timed) => {
      if (r.code !== 0)
        throw new Error(`${what} failed (${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
      return r;
    };

    if (!reused) {
      const pushAll = ok(
        'run-many',
        await timed(nx, ['run-many', '-t', 'docker-push', '--output-style=static'], { cwd: root, env }),
      );
      log(`nx run-many -t docker-push (everything, once): ${pushAll.seconds.toFixed(1)} s (${taskSummary(pushAll)})`);
    }
    log(`services: ${SERVICES} × 15 files, engine ${engine}, registry distribution on ${registry.host}`);

    const graph: number[] = [];
    const affected: number[] = [];
    const plan: number[] = [];
    let firstAffected: Timed | undefined;
    let planOutput = '';
    const parallel = process.env['BENCH_PARALLEL'];
    for (let round = 0; round < ROUNDS; round++) {
      // Rule (b), a new commit each round: outside every project, not docs — every service is affected,
      // no content tag changes, and every push adds the new commit's tag (one copy in the registry each).
      writeFiles(root, { 'scripts/tool.sh': `#!/bin/sh\necho "release helper ${Date.now()}"\n` });
      await commitAll(root, 'a repository script');
      const steps: Array<() => Promise<void>> = [
        async () => {
          graph.push(ok('nx graph', await timed(nx, ['graph', '--file=tmp/graph.json'], { cwd: root, env })).seconds);
        },
        async () => {
          const r = ok(
            'nx affected',
            await timed(
              nx,
              [
                'affected',
                '-t',
                'docker-push',
                '--base=HEAD~1',
                '--head=HEAD',
                '--output-style=static',
                ...(parallel ? [`--parallel=${parallel}`] : []),
              ],
              { cwd: root, env },
            ),
          );
          firstAffected ??= r;
          affected.push(r.seconds);
        },
        async () => {
          const r = ok(
            'nx-fleet release --plan',
            await timed(fleet, ['release', '--env', 'prod', '--plan'], { cwd: root, env }),
          );
          planOutput = r.stdout;
          plan.push(r.seconds);
        },
      ];
      // Alternating keeps a slow phase of a noisy machine from landing on one command only.
      for (const step of round % 2 ? [...steps].reverse() : steps) await step();
    }
    const g = median(graph);
    const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
    const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
    log('');
    log(`| command (after the rule-(b) change, daemon off) | median | runs | × nx graph | goal |`);
    log('| --- | --- | --- | --- | --- |');
    log(`| \`nx graph --file\` | ${g.toFixed(2)} s | ${runs(graph)} | 1 | |`);
    log(
      `| no-op \`nx affected -t docker-push\`${parallel ? ` --parallel=${parallel}` : ''} | ${median(affected).toFixed(2)} s | ${runs(affected)} | ${(median(affected) / g).toFixed(2)}× | ≤ 3× — ${verdict(median(affected) / g <= 3)} |`,
    );
    log(
      `| \`nx-fleet release --env prod --plan\` | ${median(plan).toFixed(2)} s | ${runs(plan)} | ${(median(plan) / g).toFixed(2)}× | ≤ 2× — ${verdict(median(plan) / g <= 2)} |`,
    );
    log('');
    log(`first affected run: ${firstAffected ? taskSummary(firstAffected) : '—'}`);
    log(`release plan output (first lines):\n${planOutput.split('\n').slice(0, 6).join('\n')}`);
  } finally {
    await registry.stop();
    if (!reuse) {
      if (storage) await removeRunStorage(storage);
      rmSync(parent, { recursive: true, force: true });
    }
  }
}

/** The generated services committed into a fresh workspace, with Nx's import analysis on. */
async function setUp(root: string): Promise<void> {
  const { files, paths } = sdkFleetFiles(SERVICES);
  writeFiles(root, files);
  writeFileSync(
    join(root, 'tsconfig.base.json'),
    JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }, null, 2),
  );
  writeFileSync(join(root, '.dockerignore'), 'node_modules\n.git\ndist\n.nx\n');
  // As in side-by-side.ts: users' TypeScript repositories have Nx's import analysis on.
  const nxJsonPath = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8')) as Record<string, unknown>;
  nxJson['pluginsConfig'] = { '@nx/js': { analyzeSourceFiles: true } };
  writeFileSync(nxJsonPath, `${JSON.stringify(nxJson, null, 2)}\n`);
  await commitAll(root, `${SERVICES} services`);
}

/**
 * The packed plugin over the installed one, without npm (the lockfile and so every task hash stay),
 * and the plugin's graph caches dropped (Nx's task cache stays: the builds remain cache hits).
 */
async function swapInPlugin(root: string, tarball: string): Promise<void> {
  const installed = join(root, 'node_modules', 'nx-fleet');
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  await runOk('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], { cwd: root });
  // npm makes a package's bin executable on install; a tarball's modes do not.
  const { bin } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const file of Object.values(bin)) chmodSync(join(installed, file), 0o755);
  // Nx's task-cache records live in workspace-data too: only the plugin's own caches go.
  const data = join(root, '.nx', 'workspace-data');
  for (const entry of readdirSync(data))
    if (entry.startsWith('nx-fleet')) rmSync(join(data, entry), { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
