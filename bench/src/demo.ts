import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage } from '../../tools/fleet-harness/src/base-image';
import { commitAll, createFleetWorkspace, nxEnv, packPlugin } from '../../tools/fleet-harness/src/nx-workspace';
import { detectEngine } from '../../tools/fleet-harness/src/tools';
import { writeFiles } from './fleet';
import { outcomeSince, table, type ServiceOutcome } from './records';
import { timed } from './timing';

/** A fleet with real call paths: each entry consumes the SDKs of the services listed after it. */
const FLEET: ReadonlyArray<[string, string[]]> = [
  ['orders', []],
  ['catalog', []],
  ['users', []],
  ['inventory', []],
  ['auth', ['users']],
  ['payments', ['orders']],
  ['shipping', ['orders', 'inventory']],
  ['notifications', ['users']],
  ['search', ['catalog']],
  ['reviews', ['catalog', 'users']],
  ['billing', ['payments']],
  ['gateway', ['orders', 'catalog', 'users']],
];
const SERVICES = FLEET.length;
const CHANGED = 'orders';

function step(text: string): void {
  console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);
}

async function nx(root: string, args: string[]) {
  console.log(`  $ nx ${args.join(' ')}`);
  const result = await timed(join(root, 'node_modules', '.bin', 'nx'), args, {
    cwd: root,
    env: nxEnv(root, { FLEET_REGISTRY: process.env['FLEET_REGISTRY'] ?? '' }),
  });
  if (result.code !== 0) {
    console.error(result.stdout, result.stderr);
    throw new Error(`nx ${args.join(' ')} failed with exit code ${result.code}`);
  }
  return result;
}

function report(outcomes: ServiceOutcome[]): void {
  console.log(
    table(
      ['SERVICE', 'IMAGE BUILD', 'PUSH', 'DIGEST'],
      outcomes.map((o) => [
        o.service,
        o.build,
        o.push === 'not run' ? 'skipped (not affected)' : o.push,
        o.digest ? `${o.digest.slice(0, 19)}…` : '',
      ]),
    ),
  );
  const count = (f: (o: ServiceOutcome) => boolean) => outcomes.filter(f).length;
  console.log(
    `  → ${count((o) => o.build === 'built')} built, ${count((o) => o.push === 'uploaded')} uploaded, ` +
      `${count((o) => o.push === 'already in registry')} already in registry, ${count((o) => o.push === 'not run')} skipped`,
  );
}

async function main(): Promise<void> {
  // Outside this repository: the demo workspace is a git repository of its own.
  const parent = join(tmpdir(), 'nx-fleet-demo');
  const root = join(parent, 'fleet-demo');
  const registry = process.env['FLEET_REGISTRY'];
  console.log('nx-fleet demo: a fleet of services where each commit ships only what it changed.');

  step(
    'Packing nx-fleet and creating a fresh Nx 23.2.1 workspace with it installed (create-nx-workspace, npm install dist/nx-fleet.tgz, nx g nx-fleet:init)',
  );
  const engine = detectEngine();
  const [tarball] = await Promise.all([packPlugin(), ensureNodeBaseImage(engine)]);
  if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  mkdirSync(parent, { recursive: true });
  await createFleetWorkspace(parent, 'fleet-demo', tarball);
  const names = FLEET.map(([name]) => name);
  step(
    `Generating ${SERVICES} services with nx g nx-fleet:service (each with an SDK; consumers call providers through them)`,
  );
  for (const [name, consumes] of FLEET) {
    await nx(root, [
      'g',
      'nx-fleet:service',
      name,
      ...(consumes.length ? [`--consumes=${consumes.join(',')}`] : []),
      '--no-interactive',
    ]);
  }
  await commitAll(root, `add ${SERVICES} services`);
  const graph = await timed(join(root, 'node_modules', '.bin', 'nx-fleet'), ['graph', '--json'], {
    cwd: root,
    env: nxEnv(root),
  });
  const runtime = JSON.parse(graph.stdout) as Array<{ service: string; consumers: Array<{ service: string }> }>;
  console.log(
    `  runtime graph (nx-fleet graph): ${runtime
      .filter((r) => r.consumers.length)
      .map((r) => `${r.service} ← ${r.consumers.map((c) => c.service).join(', ')}`)
      .join('; ')}`,
  );
  console.log(
    `  ${root}: ${SERVICES} services (${names.join(', ')}), engine ${engine}, ` +
      (registry
        ? `registry ${registry}`
        : 'no registry configured → embedded OCI image layout in dist/fleet-registry/'),
  );
  console.log(
    '  scan gate off (nx.json gates.scan=false): no vulnerability database can be downloaded here; every push says so.',
  );

  step('First deploy: every service is new');
  let since = new Date();
  const full = await nx(root, ['run-many', '-t', 'docker-push', '--output-style=static']);
  report(names.map((n) => outcomeSince(root, n, `services/${n}`, since)));

  step(
    `A one-service commit: edit services/${CHANGED}/src/app.ts (its consumers become affected, their images do not change)`,
  );
  const file = join(root, 'services', CHANGED, 'src', 'app.ts');
  writeFiles(root, { [`services/${CHANGED}/src/app.ts`]: `${readFileSync(file, 'utf8')}// v2: faster checkout\n` });
  await commitAll(root, `${CHANGED}: v2`);

  step('CI runs one line: nx affected -t docker-push');
  since = new Date();
  const affected = await nx(root, [
    'affected',
    '-t',
    'docker-push',
    '--base=HEAD~1',
    '--head=HEAD',
    '--output-style=static',
  ]);
  const outcomes = names.map((n) => outcomeSince(root, n, `services/${n}`, since));
  report(outcomes);

  step(
    'Releases: nx-fleet release records what is deployed in a ledger (deploy/fleet.json) and promotes all or nothing',
  );
  const fleet = (args: string[]) => {
    console.log(`  $ nx-fleet ${args.join(' ')}`);
    return timed(join(root, 'node_modules', '.bin', 'nx-fleet'), args, {
      cwd: root,
      env: nxEnv(root, { FLEET_REGISTRY: process.env['FLEET_REGISTRY'] ?? '' }),
    });
  };
  await commitAll(root, 'before the first release');
  const first = await fleet(['release', '--env', 'demo', '--commit', '--json']);
  if (first.code !== 0) throw new Error(`nx-fleet release failed:\n${first.stdout}\n${first.stderr}`);
  console.log(
    `  first release: ${(JSON.parse(first.stdout) as { services: string[] }).services.length} services promoted (first deploy), ledger committed`,
  );
  writeFiles(root, { [`services/${CHANGED}/src/app.ts`]: `${readFileSync(file, 'utf8')}// v3: refunds\n` });
  await commitAll(root, `${CHANGED}: v3`);
  const plan = await fleet(['release', '--env', 'demo', '--plan']);
  if (plan.code !== 0) throw new Error(`nx-fleet release --plan failed:\n${plan.stdout}\n${plan.stderr}`);
  console.log(plan.stdout.replace(/^/gm, '    '));
  const second = await fleet(['release', '--env', 'demo', '--commit', '--json']);
  if (second.code !== 0) throw new Error(`nx-fleet release failed:\n${second.stdout}\n${second.stderr}`);
  const promoted = (JSON.parse(second.stdout) as { services: string[] }).services;
  // Everything that reaches the changed service through SDK calls, directly or through another service.
  const consumers: string[] = [];
  for (const queue = [CHANGED]; queue.length;) {
    const provider = queue.shift();
    for (const c of runtime.find((r) => r.service === provider)?.consumers ?? []) {
      if (consumers.includes(c.service)) continue;
      consumers.push(c.service);
      queue.push(c.service);
    }
  }
  console.log(
    `  second release: ${promoted.join(', ')} promoted in ${second.seconds.toFixed(1)} s; the other ${SERVICES - promoted.length} skipped as already deployed`,
  );
  if ([...promoted].sort().join() !== [CHANGED, ...consumers].sort().join())
    throw new Error(
      `demo: expected ${CHANGED} and its consumers (${consumers.join(', ')}) in the release, got ${promoted.join(', ')}`,
    );

  step('Timings');
  console.log(`  first deploy (run-many, ${SERVICES} services): ${full.seconds.toFixed(1)} s`);
  console.log(
    `  one-service change (affected):           ${affected.seconds.toFixed(1)} s  (${(full.seconds / affected.seconds).toFixed(1)}× faster)`,
  );
  console.log(
    `\nExplore it: cd ${root} && npx nx show project ${CHANGED} && npx nx-fleet status && npx nx-fleet graph --format html --out runtime-graph.html`,
  );

  // Only the changed service is uploaded (and built, unless an earlier demo run left its image in the
  // engine); its consumers run but find their images unchanged.
  const wrong = outcomes.filter((o) =>
    o.service === CHANGED ? o.push !== 'uploaded' : o.build === 'built' || o.push === 'uploaded',
  );
  if (wrong.length)
    throw new Error(
      `demo: unexpected builds or uploads in the affected run: ${wrong.map((o) => o.service).join(', ')}`,
    );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
