import {
  appendFileSync,
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
import { commitAll, createFleetWorkspace, nxEnv, packPlugin } from '../../tools/fleet-harness/src/nx-workspace';
import { run, runOk } from '../../tools/fleet-harness/src/tools';
import { realShapedWorkspace, sdkFleetFiles, writeFiles } from './fleet';
import { timed } from './timing';

/**
 * Issue 16, deliverable 4: `nx graph` on workspaces shaped like users' repositories, side by side in one
 * run — Nx alone, an empty isolated plugin (the floor every plugin pays), @nx/docker 23.2.1, nx-fleet,
 * and nx-fleet's answer returned precomputed (what Nx pays for nx-fleet's targets) — cold, warm, one
 * file changed with the daemon, and peak memory.
 *
 * BENCH_WORKSPACES: comma-separated, from `fleet-<N>` (N services × 15 files), `aliases`, `core-sdk`;
 * default `fleet-200,fleet-1000`. BENCH_ROUNDS (default 3); BENCH_ROUNDS_<workspace> overrides it for one
 * workspace (non-word characters as `_`), e.g. BENCH_ROUNDS_fleet_1000=1.
 */
const SIDES = ['nx alone', 'empty plugin', '@nx/docker', 'nx-fleet', 'nx-fleet answer'] as const;
type Side = (typeof SIDES)[number];
const NX_DOCKER_VERSION = '23.2.1';
/**
 * Installed like a package (a plain directory under node_modules, no symlink): a workspace-local path
 * would also make Nx scan every project.json without inference to look for a local plugin project, a
 * cost @nx/docker and nx-fleet, both installed packages, do not pay.
 */
const EMPTY_PLUGIN = 'nx-empty-plugin';
/**
 * nx-fleet's answer for the shape, computed once beforehand and only returned: the cost Nx itself pays
 * for nx-fleet's projects and targets (merging them, writing the graph), without nx-fleet's own work.
 */
const ANSWER_PLUGIN = 'nx-fleet-answer';
/**
 * The answer with less and less in its targets, each measured warm as the answer plugin's: what Nx
 * charges for each part of nx-fleet's targets (Nx Console metadata; inputs, outputs, options; the
 * targets themselves), so the warm goal's floor is a figure, not a guess.
 */
const ANSWER_PARTS: ReadonlyArray<[string, (target: Record<string, unknown>) => Record<string, unknown> | undefined]> =
  [
    ['whole answer', (target) => target],
    ['without target metadata', ({ metadata: _metadata, ...rest }) => rest],
    ['executor and cache only', ({ executor, cache }) => ({ executor, cache })],
    ['no targets', () => undefined],
  ];
/** Directories and files the generators write; cleared between workspaces so one install serves all. */
const GENERATED = ['services', 'apps', 'libs', 'packages', 'tsconfig.base.json'];

interface Shape {
  name: string;
  files: Record<string, string>;
  sdks: Record<string, string>;
  /** A service source file the daemon round edits. */
  editFile: string;
  tsFiles: number;
  services: number;
}

function shapeOf(name: string): Shape {
  const fleet = /^fleet-(\d+)$/.exec(name);
  if (fleet) {
    const services = Number(fleet[1]);
    const { files, paths } = sdkFleetFiles(services);
    files['tsconfig.base.json'] = JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }, null, 2);
    return {
      name,
      files,
      sdks: {},
      editFile: 'services/svc-005/src/handlers/h3.ts',
      tsFiles: Object.keys(files).filter((f) => f.endsWith('.ts')).length,
      services,
    };
  }
  if (name === 'aliases' || name === 'core-sdk') {
    const ws = realShapedWorkspace(name);
    return {
      name,
      files: ws.files,
      sdks: ws.sdks,
      editFile: 'apps/orders/src/m5.ts',
      tsFiles: Object.keys(ws.files).filter((f) => f.endsWith('.ts')).length,
      services: ws.projects.filter((p) => p.isService).length,
    };
  }
  throw new Error(`unknown workspace ${name}`);
}

/** The floor: an isolated plugin that matches every Dockerfile and contributes nothing. */
const EMPTY_PLUGIN_FILES: Record<string, string> = {
  'node_modules/nx-empty-plugin/package.json': `${JSON.stringify({ name: 'nx-empty-plugin', version: '0.0.0', main: 'index.js' }, null, 2)}\n`,
  'node_modules/nx-empty-plugin/index.js': [
    "exports.createNodes = ['**/Dockerfile', async (files) => files.map((file) => [file, {}])];",
    'exports.createDependencies = async () => [];',
    '',
  ].join('\n'),
};

function fleetOptions(sdks: Record<string, string>) {
  return { gates: { scan: false }, ...(Object.keys(sdks).length ? { sdks } : {}) };
}

/**
 * Computes nx-fleet's answer in a process of its own (as a plugin worker does, with Nx's file list)
 * and installs the plugin that returns it, matching the same files.
 */
async function writeAnswerPlugin(root: string, sdks: Record<string, string>): Promise<void> {
  const dir = join(root, 'node_modules', ANSWER_PLUGIN);
  mkdirSync(dir, { recursive: true });
  const compute = [
    "const { globWithWorkspaceContext } = require('nx/src/utils/workspace-context');",
    "const { createNodes } = require('nx-fleet');",
    '(async () => {',
    '  const root = process.cwd();',
    '  const files = await globWithWorkspaceContext(root, [createNodes[0]]);',
    `  const answer = await createNodes[1](files, ${JSON.stringify(fleetOptions(sdks))}, { nxJsonConfiguration: {}, workspaceRoot: root });`,
    `  require('fs').writeFileSync(${JSON.stringify(join(dir, 'answer.json'))}, JSON.stringify(answer));`,
    `  require('fs').writeFileSync(${JSON.stringify(join(dir, 'glob.json'))}, JSON.stringify(createNodes[0]));`,
    '})();',
  ].join('\n');
  await runOk('node', ['-e', compute], { cwd: root, env: nxEnv(root, { NX_DAEMON: 'false' }) });
  writeFiles(root, {
    [`node_modules/${ANSWER_PLUGIN}/package.json`]: `${JSON.stringify({ name: ANSWER_PLUGIN, version: '0.0.0', main: 'index.js' })}\n`,
    [`node_modules/${ANSWER_PLUGIN}/index.js`]: [
      "const { readFileSync } = require('node:fs');",
      "const here = (name) => JSON.parse(readFileSync(require('node:path').join(__dirname, name), 'utf8'));",
      "exports.createNodes = [here('glob.json'), async () => here('answer.json')];",
      // nx-fleet has no createDependencies: Nx would send this worker every project to ask for none.
      '',
    ].join('\n'),
  });
}

/**
 * Warm graphs of the empty plugin and of the answer plugin returning each of ANSWER_PARTS, in turn
 * (order rotated every round); the whole answer is back in place after it.
 */
async function answerParts(
  root: string,
  sdks: Record<string, string>,
  rounds: number,
  graph: () => Promise<{ seconds: number }>,
  reset: () => Promise<unknown>,
): Promise<Map<string, number[]>> {
  const file = join(root, 'node_modules', ANSWER_PLUGIN, 'answer.json');
  const whole = readFileSync(file, 'utf8');
  type Answer = Array<
    [string, { projects?: Record<string, { targets?: Record<string, Record<string, unknown>>; metadata?: unknown }> }]
  >;
  const variant = (pick: (typeof ANSWER_PARTS)[number][1]) =>
    JSON.stringify(
      (JSON.parse(whole) as Answer).map(([configFile, result]) => {
        for (const project of Object.values(result.projects ?? {})) {
          const targets = Object.entries(project.targets ?? {}).flatMap(([name, target]) => {
            const kept = pick(target);
            return kept ? [[name, kept] as const] : [];
          });
          project.targets = Object.fromEntries(targets);
          // Target groups name targets: none without them.
          if (!targets.length) delete project.metadata;
        }
        return [configFile, result];
      }),
    );
  const runs = new Map<string, number[]>([
    ['empty plugin', []],
    ...ANSWER_PARTS.map(([part]) => [part, []] as [string, number[]]),
  ]);
  const names = [...runs.keys()];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length]!;
        const part = ANSWER_PARTS.find(([p]) => p === name);
        setSide(root, part ? 'nx-fleet answer' : 'empty plugin', sdks);
        if (part) writeFileSync(file, variant(part[1]));
        await reset();
        await graph();
        runs.get(name)!.push((await graph()).seconds);
      }
    }
  } finally {
    writeFileSync(file, whole);
  }
  return runs;
}

function setSide(root: string, side: Side, sdks: Record<string, string>): void {
  const file = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  nxJson['plugins'] = {
    'nx alone': [],
    'empty plugin': [EMPTY_PLUGIN],
    '@nx/docker': ['@nx/docker'],
    'nx-fleet': [{ plugin: 'nx-fleet', options: fleetOptions(sdks) }],
    'nx-fleet answer': [ANSWER_PLUGIN],
  }[side];
  // Users' TypeScript repositories have @nx/js, which analyses imports; every side pays for it alike.
  nxJson['pluginsConfig'] = { '@nx/js': { analyzeSourceFiles: true } };
  writeFileSync(file, `${JSON.stringify(nxJson, null, 2)}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Sum of RSS over every live descendant of this process, in KiB. */
function treeRssKiB(): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid ... rss is field 24.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), Number(fields[21]) * 4);
    } catch {
      // the process ended while we looked
    }
  }
  let sum = 0;
  for (const [pid, kib] of rss) {
    for (let p: number | undefined = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === process.pid) {
        sum += kib;
        break;
      }
    }
  }
  return sum;
}

/** Peak of the summed RSS of the process tree while `work` runs, sampled every 50 ms. */
async function sampledPeak<T>(work: () => Promise<T>): Promise<{ result: T; peakKiB: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssKiB());
  }, 50);
  try {
    const result = await work();
    return { result, peakKiB: peak };
  } finally {
    clearInterval(timer);
  }
}

interface SideResult {
  cold: number[];
  warm: number[];
  daemonEdit: number[];
  /** nx-fleet's own lines in the daemon log after each edit, summed over its createNodes calls: createNodes and, of it, the runtime graph (ms). */
  fleetEdit: Array<{ createNodes: number; createNodesCpu: number; runtimeGraph: number; runtimeGraphCpu: number }>;
  /** /usr/bin/time %M of `nx graph`, NX_DAEMON=false, NX_ISOLATE_PLUGINS=false (one process holds all plugins). */
  inProcessMaxRssKiB: number;
  /** Peak of the summed RSS of nx and its plugin workers, default isolation, sampled every 50 ms. */
  treePeakKiB: number;
}

async function benchShape(root: string, shape: Shape, rounds: number, log: (line: string) => void): Promise<void> {
  for (const dir of GENERATED) rmSync(join(root, dir), { recursive: true, force: true });
  writeFiles(root, shape.files);
  await commitAll(root, shape.name);
  await writeAnswerPlugin(root, shape.sdks);
  const nx = join(root, 'node_modules', '.bin', 'nx');
  const env = nxEnv(root, { NX_DAEMON: 'false' });
  const graph = async (extra: NodeJS.ProcessEnv = {}) => {
    const r = await timed(nx, ['graph', '--file=tmp/graph.json'], { cwd: root, env: { ...env, ...extra } });
    if (r.code !== 0) throw new Error(`nx graph failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const reset = () => runOk(nx, ['reset'], { cwd: root, env });
  const results = Object.fromEntries(
    SIDES.map((s) => [s, { cold: [], warm: [], daemonEdit: [], fleetEdit: [], inProcessMaxRssKiB: 0, treePeakKiB: 0 }]),
  ) as unknown as Record<Side, SideResult>;

  for (let round = 0; round < rounds; round++) {
    // Rotating the order keeps a slow phase of a noisy machine from landing on one side only.
    const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
    for (const side of round % 2 ? [...order].reverse() : order) {
      setSide(root, side, shape.sdks);
      await reset();
      results[side].cold.push((await graph()).seconds);
      results[side].warm.push((await graph()).seconds);
      log(
        `  round ${round + 1} ${side}: cold ${results[side].cold.at(-1)!.toFixed(2)} s, warm ${results[side].warm.at(-1)!.toFixed(2)} s`,
      );
    }
  }

  const parts = await answerParts(root, shape.sdks, rounds, graph, reset);

  // One file changed with a warm daemon: what an editor save costs the next `nx graph`.
  const daemonLog = join(root, '.nx', 'workspace-data', 'd', 'daemon.log');
  const daemonEnv = { NX_DAEMON: 'true', CI: 'false', NX_VERBOSE_LOGGING: 'true' };
  // What nx-fleet's createNodes calls since the edit cost, summed (the daemon may call it more than once).
  const fleetTimes = (text: string) => {
    const sum = (line: RegExp, group: number) =>
      [...text.matchAll(line)].reduce((total, match) => total + Number(match[group]), 0);
    const nodes = /nx-fleet: createNodes: .* in ([\d.]+) ms \(CPU ([\d.]+) ms\)/g;
    const runtime = /nx-fleet: runtime graph: .* in ([\d.]+) ms \(CPU ([\d.]+) ms/g;
    return text.match(nodes)
      ? {
          createNodes: sum(nodes, 1),
          createNodesCpu: sum(nodes, 2),
          runtimeGraph: sum(runtime, 1),
          runtimeGraphCpu: sum(runtime, 2),
        }
      : undefined;
  };
  const original = readFileSync(join(root, shape.editFile), 'utf8');
  // The precomputed answer does not follow an edit: no daemon round for it.
  for (const side of SIDES.filter((s) => s !== 'nx-fleet answer')) {
    setSide(root, side, shape.sdks);
    await reset();
    await graph(daemonEnv);
    await graph(daemonEnv);
    for (let round = 0; round < Math.max(rounds, 3); round++) {
      const logged = existsSync(daemonLog) ? readFileSync(daemonLog, 'utf8').length : 0;
      writeFileSync(join(root, shape.editFile), `${original}// edited ${side} ${round}\n`);
      results[side].daemonEdit.push((await graph(daemonEnv)).seconds);
      if (side === 'nx-fleet') {
        const times = fleetTimes(readFileSync(daemonLog, 'utf8').slice(logged));
        if (times) results[side].fleetEdit.push(times);
      }
    }
    await run(nx, ['daemon', '--stop'], { cwd: root, env: { ...env, ...daemonEnv } });
    writeFileSync(join(root, shape.editFile), original);
  }

  // Peak memory, cold (after nx reset), daemon off.
  const memFile = join(root, 'tmp', 'maxrss.txt');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  for (const side of SIDES) {
    setSide(root, side, shape.sdks);
    await reset();
    const r = await run('/usr/bin/time', ['-f', '%M', '-o', memFile, nx, 'graph', '--file=tmp/graph.json'], {
      cwd: root,
      env: { ...env, NX_ISOLATE_PLUGINS: 'false' },
    });
    if (r.code !== 0) throw new Error(`nx graph (in-process) failed:\n${r.stdout}\n${r.stderr}`);
    results[side].inProcessMaxRssKiB = Number(readFileSync(memFile, 'utf8').trim().split('\n').pop());
    await reset();
    results[side].treePeakKiB = (await sampledPeak(() => graph())).peakKiB;
  }

  const base = results['nx alone'];
  const s = (xs: number[]) => `${median(xs).toFixed(2)} s`;
  const over = (side: Side) => median(results[side].cold) - median(base.cold);
  log('');
  log(`### ${shape.name}: ${shape.services} services, ${shape.tsFiles} TypeScript files; ${rounds} round(s), medians`);
  log('');
  log(
    '| side | cold | cold overhead vs Nx alone | warm | one file changed, daemon (nx graph wall) | peak RSS, in-process plugins (MiB) | peak RSS sum, isolated tree (MiB) |',
  );
  log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const side of SIDES) {
    const r = results[side];
    log(
      `| ${side} | ${s(r.cold)} | ${side === 'nx alone' ? '—' : `${over(side) >= 0 ? '+' : ''}${over(side).toFixed(2)} s`} | ${s(r.warm)} | ${r.daemonEdit.length ? s(r.daemonEdit) : '—'} | ${(r.inProcessMaxRssKiB / 1024).toFixed(0)} | ${(r.treePeakKiB / 1024).toFixed(0)} |`,
    );
  }
  const fleet = results['nx-fleet'];
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  log('');
  log(
    `- cold overhead: nx-fleet ${over('nx-fleet').toFixed(2)} s vs @nx/docker ${over('@nx/docker').toFixed(2)} s → ${verdict(over('nx-fleet') <= over('@nx/docker'))}`,
  );
  log(
    `- cold overhead per TypeScript file: nx-fleet ${((over('nx-fleet') / shape.tsFiles) * 1e6).toFixed(0)} µs, empty plugin ${((over('empty plugin') / shape.tsFiles) * 1e6).toFixed(0)} µs`,
  );
  log(
    `- warm: nx-fleet ${s(fleet.warm)} vs empty plugin ${s(results['empty plugin'].warm)} + 0.1 s → ${verdict(median(fleet.warm) <= median(results['empty plugin'].warm) + 0.1)}`,
  );
  const edits = (pick: (t: SideResult['fleetEdit'][number]) => number) =>
    `${median(fleet.fleetEdit.map(pick)).toFixed(1)} ms (runs: ${fleet.fleetEdit.map((t) => pick(t).toFixed(1)).join(', ')})`;
  // Its CPU time is nx-fleet's own cost: the wall times also wait for the plugin workers Nx restarts on every edit.
  log(
    fleet.fleetEdit.length
      ? `- one file changed with the daemon: nx-fleet createNodes CPU ${edits((t) => t.createNodesCpu)} → ${verdict(median(fleet.fleetEdit.map((t) => t.createNodesCpu)) <= 50)}; its wall ${edits((t) => t.createNodes)}; of it the runtime graph CPU ${edits((t) => t.runtimeGraphCpu)}, wall ${edits((t) => t.runtimeGraph)}; nx graph wall ${fleet.daemonEdit.map((x) => x.toFixed(2)).join(', ')} s`
      : '- one file changed with the daemon: no nx-fleet timing line found → NOT MET',
  );
  const answer = results['nx-fleet answer'];
  const mib = (kib: number) => `${kib >= 0 ? '+' : ''}${(kib / 1024).toFixed(0)} MiB`;
  log(
    `- nx-fleet over its own answer returned precomputed (its work alone; Nx's cost of its targets is the answer's): cold +${(median(fleet.cold) - median(answer.cold)).toFixed(2)} s, warm +${(median(fleet.warm) - median(answer.warm)).toFixed(2)} s; the answer over the empty plugin: warm +${(median(answer.warm) - median(results['empty plugin'].warm)).toFixed(2)} s, in-process ${mib(answer.inProcessMaxRssKiB - results['empty plugin'].inProcessMaxRssKiB)}, tree ${mib(answer.treePeakKiB - results['empty plugin'].treePeakKiB)}; nx-fleet over the answer: in-process ${mib(fleet.inProcessMaxRssKiB - answer.inProcessMaxRssKiB)}, tree ${mib(fleet.treePeakKiB - answer.treePeakKiB)}`,
  );
  const emptyWarm = median(parts.get('empty plugin')!);
  log(
    `- what Nx charges for the answer's parts, warm, over the empty plugin (${emptyWarm.toFixed(2)} s), measured in turn in one loop: ${ANSWER_PARTS.map(([part]) => `${part} +${(median(parts.get(part)!) - emptyWarm).toFixed(2)} s`).join(', ')}`,
  );
  const memRatio = (pick: (r: SideResult) => number) => pick(fleet) / pick(base);
  log(
    `- peak memory vs Nx alone: in-process ${memRatio((r) => r.inProcessMaxRssKiB).toFixed(2)}×, isolated tree sum ${memRatio((r) => r.treePeakKiB).toFixed(2)}× → ${verdict(memRatio((r) => r.inProcessMaxRssKiB) <= 1.5 && memRatio((r) => r.treePeakKiB) <= 1.5)} (goal ≤ 1.5×)`,
  );
  log(`- RAW ${JSON.stringify({ shape: shape.name, tsFiles: shape.tsFiles, results })}`);
}

async function main(): Promise<void> {
  const names = (process.env['BENCH_WORKSPACES'] ?? 'fleet-200,fleet-1000').split(',').filter(Boolean);
  const out = process.env['BENCH_OUT'];
  const log = (line: string) => {
    console.log(line);
    if (out) appendFileSync(out, `${line}\n`);
  };
  const tarball = await packPlugin();
  // BENCH_ROOT: an existing workspace of an earlier run (kept with BENCH_KEEP), to skip the install.
  const reuse = process.env['BENCH_ROOT'];
  const parent = reuse ? join(reuse, '..') : mkdtempSync(join(tmpdir(), 'nx-fleet-bench-side-'));
  try {
    const root = reuse ?? (await createFleetWorkspace(parent, 'fleet', tarball));
    if (!reuse)
      await runOk('npm', ['install', '--save-dev', '--no-fund', '--no-audit', `@nx/docker@${NX_DOCKER_VERSION}`], {
        cwd: root,
        env: nxEnv(root),
        timeoutMs: 600_000,
      });
    writeFiles(root, EMPTY_PLUGIN_FILES);
    const nxVersion = JSON.parse(readFileSync(join(root, 'node_modules/nx/package.json'), 'utf8')) as {
      version: string;
    };
    const docker = JSON.parse(readFileSync(join(root, 'node_modules/@nx/docker/package.json'), 'utf8')) as {
      version: string;
    };
    log(
      `nx ${nxVersion.version}, @nx/docker ${docker.version}, node ${process.version}; daemon off unless noted; plugins isolated (Nx default) unless noted`,
    );
    for (const name of names) {
      const rounds = Number(
        process.env[`BENCH_ROUNDS_${name.replace(/\W/g, '_')}`] ?? process.env['BENCH_ROUNDS'] ?? 3,
      );
      const started = Date.now();
      await benchShape(root, shapeOf(name), rounds, log);
      log(`(${name} took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    if (process.env['BENCH_KEEP'] || reuse) console.log(`kept ${parent}`);
    else rmSync(parent, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
