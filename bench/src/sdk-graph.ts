import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, createFleetWorkspace, nxEnv, packPlugin } from '../../tools/fleet-harness/src/nx-workspace';
import { sdkFleetFiles, writeFiles } from './fleet';
import { timed } from './timing';

/**
 * Issue 4's benchmark: `nx graph` on a generated workspace of 200 services × 15 files, with
 * nx-fleet registered and without it, side by side in one run; and nx-fleet's own
 * runtime-graph time (in createNodes) after one file changed.
 */
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 200);
const FILES_PER_SERVICE = 15;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const svc = (i: number) => `svc-${String(i).padStart(3, '0')}`;

function setPlugin(root: string, on: boolean): void {
  const file = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(file, 'utf8')) as { plugins?: unknown[] };
  nxJson.plugins = on ? ['nx-fleet'] : [];
  writeFileSync(file, JSON.stringify(nxJson, null, 2));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const tarball = await packPlugin();
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-bench-graph-'));
  try {
    const root = await createFleetWorkspace(parent, 'fleet', tarball);
    const { files, paths } = sdkFleetFiles(SERVICES, FILES_PER_SERVICE);
    writeFiles(root, files);
    writeFileSync(
      join(root, 'tsconfig.base.json'),
      JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }, null, 2),
    );
    await commitAll(root, `${SERVICES} services`);
    const nx = join(root, 'node_modules', '.bin', 'nx');
    // BENCH_ISOLATE_PLUGINS=false measures Nx's in-process plugin mode (NX_ISOLATE_PLUGINS=false).
    const isolation = process.env['BENCH_ISOLATE_PLUGINS'] === 'false' ? { NX_ISOLATE_PLUGINS: 'false' } : {};
    const env = nxEnv(root, { NX_DAEMON: 'false', ...isolation });
    const graph = () => timed(nx, ['graph', '--file=tmp/graph.json'], { cwd: root, env });

    const cold: Record<'with' | 'without', number[]> = { with: [], without: [] };
    const warm: Record<'with' | 'without', number[]> = { with: [], without: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating keeps slow phases of a noisy machine from landing on one side only.
      for (const side of round % 2 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
        setPlugin(root, side === 'with');
        await timed(nx, ['reset'], { cwd: root, env });
        const c = await graph();
        if (c.code !== 0) throw new Error(`nx graph failed:\n${c.stdout}\n${c.stderr}`);
        cold[side].push(c.seconds);
        warm[side].push((await graph()).seconds);
      }
    }
    setPlugin(root, true);
    await graph();
    const nodes = (
      JSON.parse(readFileSync(join(root, 'tmp/graph.json'), 'utf8')) as {
        graph: { nodes: Record<string, { data: { targets?: Record<string, { inputs?: unknown[] }> } }> };
      }
    ).graph.nodes;
    // Runtime links are the provider folders among the consumers' docker-push inputs.
    const runtimeEdges = Object.values(nodes)
      .flatMap((node) => node.data.targets?.['docker-push']?.inputs ?? [])
      .filter((input) => typeof input === 'string' && /^\{workspaceRoot\}\/services\/[^/]+\/\*\*$/.test(input)).length;

    // One file changed, daemon off: a fresh process, so this includes loading ts-morph for the parse.
    const oneFileCold: number[] = [];
    // And with the daemon, which keeps nx-fleet's worker (and ts-morph) between graphs: the everyday edit loop.
    const oneFileDaemon: number[] = [];
    const daemonLog = join(root, '.nx', 'workspace-data', 'd', 'daemon.log');
    const daemonEnv = { ...env, NX_DAEMON: 'true', CI: 'false', NX_VERBOSE_LOGGING: 'true' };
    const lastTiming = (text: string) => [...text.matchAll(/nx-fleet: runtime graph: .* in ([\d.]+) ms/g)].pop()?.[1];
    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(
        join(root, `services/${svc(5)}/src/main.ts`),
        `import { get } from '@acme/${svc(9)}-sdk';\nexport const main = () => get('cold ${round}');\n`,
      );
      const run = await timed(nx, ['graph', '--file=tmp/graph.json'], {
        cwd: root,
        env: { ...env, NX_VERBOSE_LOGGING: 'true' },
      });
      const ms = lastTiming(run.stdout + run.stderr);
      if (!ms) throw new Error(`no nx-fleet timing in the verbose output:\n${run.stdout}\n${run.stderr}`);
      oneFileCold.push(Number(ms));
    }
    await timed(nx, ['graph', '--file=tmp/graph.json'], { cwd: root, env: daemonEnv });
    for (let round = 0; round < Math.max(ROUNDS, 5); round++) {
      writeFileSync(
        join(root, `services/${svc(5)}/src/main.ts`),
        `import { get } from '@acme/${svc(9)}-sdk';\nexport const main = () => get('daemon ${round}');\n`,
      );
      await timed(nx, ['graph', '--file=tmp/graph.json'], { cwd: root, env: daemonEnv });
      const ms = lastTiming(readFileSync(daemonLog, 'utf8'));
      if (!ms) throw new Error(`no nx-fleet timing in ${daemonLog}`);
      oneFileDaemon.push(Number(ms));
    }
    await timed(nx, ['daemon', '--stop'], { cwd: root, env: daemonEnv });

    const fileCount = Object.keys(files).filter((f) => f.endsWith('.ts')).length;
    const ratio = (side: Record<'with' | 'without', number[]>) => median(side.with) / median(side.without);
    console.log(
      `workspace: ${SERVICES} services, ${fileCount} TypeScript files, ${runtimeEdges} runtime links found; ${ROUNDS} rounds, medians; plugins ${'NX_ISOLATE_PLUGINS' in isolation ? 'in-process (NX_ISOLATE_PLUGINS=false)' : 'isolated (Nx default)'}`,
    );
    console.log(
      `nx graph cold (nx reset, daemon off): with nx-fleet ${median(cold.with).toFixed(2)} s, without ${median(cold.without).toFixed(2)} s → ${ratio(cold).toFixed(2)}× (goal ≤ 1.25×) ${ratio(cold) <= 1.25 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `nx graph warm (nothing changed):     with nx-fleet ${median(warm.with).toFixed(2)} s, without ${median(warm.without).toFixed(2)} s → ${ratio(warm).toFixed(2)}× (goal ≤ 1.05×) ${ratio(warm) <= 1.05 ? 'MET' : 'NOT MET'}`,
    );
    const runs = (xs: number[]) => `${median(xs).toFixed(1)} ms (runs: ${xs.map((m) => m.toFixed(1)).join(', ')})`;
    console.log(
      `one file changed, with the daemon: nx-fleet runtime graph ${runs(oneFileDaemon)} (goal ≤ 50 ms) ${median(oneFileDaemon) <= 50 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `one file changed, daemon off (fresh process, loads ts-morph): nx-fleet runtime graph ${runs(oneFileCold)}`,
    );
  } finally {
    if (process.env['BENCH_KEEP']) console.log(`kept ${parent}`);
    else rmSync(parent, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
