import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureNodeBaseImage } from '../../tools/fleet-harness/src/base-image';
import { removeRunStorage, useRunStorage } from '../../tools/fleet-harness/src/container-storage';
import { commitAll, createFleetWorkspace, nxEnv, packPlugin } from '../../tools/fleet-harness/src/nx-workspace';
import { startRegistry } from '../../tools/fleet-harness/src/registry';
import { detectEngine, runOk } from '../../tools/fleet-harness/src/tools';
import { serviceFiles, serviceNames, writeFiles } from './fleet';
import { timed } from './timing';

/**
 * Issue 3's benchmark: on a generated 50-service workspace, the wall time of
 * `nx affected -t docker-push` after a one-service change vs `nx run-many -t docker-push` from cold,
 * measured in one run; and the size of a pruned context vs the full-repo context.
 */
const COUNT = Number(process.env['BENCH_SERVICES'] ?? 50);
/** `install`: each image runs `npm ci` of its pruned lockfile, as real service builds do; `minimal`: one COPY. */
const BUILD = process.env['BENCH_BUILD'] === 'minimal' ? 'minimal' : 'install';

function bytesOf(root: string, files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
}

async function main(): Promise<void> {
  const engine = detectEngine();
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-bench-'));
  // The run's own image store (podman), removed with it: the machine's store does not keep every service image.
  const storage = await useRunStorage(parent, engine);
  const [tarball] = await Promise.all([packPlugin(), ensureNodeBaseImage(engine)]);
  const registry = await startRegistry();
  try {
    const root = await createFleetWorkspace(parent, 'fleet', tarball);
    // A nonce keeps every image new: "cold" means nothing from earlier runs in the engine either.
    const nonce = randomBytes(4).toString('hex');
    const names = serviceNames(COUNT);
    if (BUILD === 'install')
      await runOk('npm', ['install', '--no-fund', '--no-audit', 'is-number@7.0.0'], { cwd: root });
    for (const name of names)
      writeFiles(root, {
        ...serviceFiles(name, `services/${name}`, BUILD === 'install'),
        [`services/${name}/build-id.txt`]: `${nonce}\n`,
      });
    writeFileSync(join(root, '.dockerignore'), 'node_modules\n.git\ndist\n.nx\n');
    await commitAll(root, `${COUNT} services`);
    const env = nxEnv(root, { FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine });
    const nx = join(root, 'node_modules', '.bin', 'nx');

    const full = await timed(nx, ['run-many', '-t', 'docker-push', '--output-style=static'], { cwd: root, env });
    if (full.code !== 0) throw new Error(`run-many failed:\n${full.stdout}\n${full.stderr}`);
    writeFiles(root, { [`services/${names[1]}/main.js`]: `// one-line change ${nonce}\nconsole.log('v2');\n` });
    await commitAll(root, 'one-service change');
    const affected = await timed(
      nx,
      ['affected', '-t', 'docker-push', '--base=HEAD~1', '--head=HEAD', '--output-style=static'],
      { cwd: root, env },
    );
    if (affected.code !== 0) throw new Error(`affected failed:\n${affected.stdout}\n${affected.stderr}`);

    const fleetCli = join(root, 'node_modules', '.bin', 'nx-fleet');
    const prunedDir = join(parent, 'pruned');
    const pruned = (await runOk(fleetCli, ['context', names[1]!, '--out', prunedDir], { cwd: root, env })).stdout
      .trim()
      .split('\n');
    const repo = (await runOk('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root })).stdout
      .trim()
      .split('\n');

    const ratio = affected.seconds / full.seconds;
    console.log(
      `services: ${COUNT} (${BUILD === 'install' ? 'each image runs npm ci of its pruned lockfile' : 'each image is one COPY'}), engine: ${engine}, registry: distribution on ${registry.host}`,
    );
    console.log(`nx run-many -t docker-push (cold, all ${COUNT}): ${full.seconds.toFixed(1)} s`);
    console.log(`nx affected -t docker-push (one service changed): ${affected.seconds.toFixed(1)} s`);
    console.log(
      `ratio affected/full: 1/${(1 / ratio).toFixed(1)} (goal: at most 1/25) ${ratio <= 1 / 25 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `pruned context of ${names[1]}: ${pruned.length} files, ${bytesOf(prunedDir, pruned)} bytes (including the pruned package.json and lockfile)`,
    );
    console.log(
      `full-repo context (git-visible files, .dockerignore: node_modules .git dist .nx): ${repo.length} files, ${bytesOf(root, repo)} bytes`,
    );
  } finally {
    await registry.stop();
    if (storage) await removeRunStorage(storage);
    rmSync(parent, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
