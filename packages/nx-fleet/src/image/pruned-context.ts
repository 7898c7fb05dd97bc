import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import { glob, isDynamicPattern } from 'tinyglobby';
import { PACTS_FOLDER } from '../config/defaults';
import type { Ports } from '../io/ports';
import { isServiceProject } from '../services/projects';

/**
 * What pruning takes from Nx's internal API, which only nx/ may import: nx/devkit-internal.ts
 * implements it.
 */
export interface NxPruning {
  /** package.json and the lockfile pruned to the service's dependency closure, as Nx's deploy output computes them. */
  prunedManifests(graph: ProjectGraph, service: string, workspaceRoot: string): Record<string, string>;
  /** Nx's workspace-data directory: what holds for given contents is remembered there. */
  workspaceDataDirectory: string;
}

export type PruningPorts = Pick<Ports, 'processes' | 'log'> & { pruning: NxPruning };

/**
 * The workspace projects whose files a service's image may contain: everything it depends on,
 * transitively, except npm packages (they come through the lockfile) and other services. A runtime
 * edge to another service (from its SDK) makes a consumer affected, but its image never holds the
 * provider.
 */
export function contextProjects(graph: ProjectGraph, service: string): string[] {
  const isService = (name: string) => isServiceProject(graph.nodes[name]?.data);
  const seen = new Set([service]);
  const queue = [service];
  while (queue.length) {
    for (const dep of graph.dependencies[queue.shift()!] ?? []) {
      if (seen.has(dep.target) || !graph.nodes[dep.target] || isService(dep.target)) continue;
      seen.add(dep.target);
      queue.push(dep.target);
    }
  }
  return [...seen].sort();
}

/** Files under the given roots that belong in a context: tracked or untracked, never git-ignored. */
export async function listWorkspaceFiles(
  ports: Pick<Ports, 'processes'>,
  workspaceRoot: string,
  patterns: readonly string[],
): Promise<string[]> {
  try {
    const result = await ports.processes.run(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...patterns.map((p) => `:(glob)${p}`)],
      { cwd: workspaceRoot },
    );
    if (result.code === 0)
      return result.stdout
        .split('\0')
        .filter((file) => file && existsSync(join(workspaceRoot, file)))
        .sort();
  } catch {
    // not a git checkout: fall through
  }
  return (
    await glob([...patterns], {
      cwd: workspaceRoot,
      dot: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**', '**/.git/**', 'dist/**', '.nx/**'],
    })
  ).sort();
}

/** Files on disk under the given outputs (folders, files or globs), ignored by git or not. */
export async function listOutputFiles(workspaceRoot: string, outputs: readonly string[]): Promise<string[]> {
  if (!outputs.length) return [];
  const patterns = outputs.flatMap((output) => {
    const path = output.replace(/^\.?\//, '').replace(/\/+$/, '');
    return isDynamicPattern(path) ? [path] : [path, `${path}/**`];
  });
  return (
    await glob(patterns, { cwd: workspaceRoot, dot: true, onlyFiles: true, ignore: ['**/node_modules/**'] })
  ).sort();
}

export interface PrunedContext {
  dir: string;
  files: string[];
  dispose(): Promise<void>;
}

/**
 * A repo-shaped context holding only what the service needs (Nx's missing `turbo prune --docker`):
 * its files, the workspace projects it depends on, the extra included files, the workspace's root
 * `.dockerignore`, and a package.json + lockfile pruned to its dependency closure.
 */
export async function assemblePrunedContext(
  ports: PruningPorts,
  input: {
    workspaceRoot: string;
    graph: ProjectGraph;
    service: string;
    include: readonly string[];
    /**
     * Build outputs the Dockerfile copies (e.g. `dist/apps/api`): git-ignored, so taken from the disk
     * as the build task left (or Nx's cache restored) them.
     */
    outputs?: readonly string[];
    into?: string;
  },
): Promise<PrunedContext> {
  const roots = contextProjects(input.graph, input.service).map((name) => input.graph.nodes[name]!.data.root);
  const patterns = [...roots.map((root) => (root === '.' ? '**' : `${root}/**`)), ...input.include, '.dockerignore'];
  const serviceRoot = input.graph.nodes[input.service]!.data.root;
  // Consumers' pacts live in the provider's folder; they are checked against the image, not put in it.
  const pacts = `${serviceRoot === '.' ? '' : `${serviceRoot}/`}${PACTS_FOLDER}/`;
  const files = [
    ...new Set([
      ...(await listWorkspaceFiles(ports, input.workspaceRoot, patterns)).filter((file) => !file.startsWith(pacts)),
      ...(await listOutputFiles(input.workspaceRoot, input.outputs ?? [])),
    ]),
  ].sort();
  const manifests = existsSync(join(input.workspaceRoot, 'package.json'))
    ? ports.pruning.prunedManifests(input.graph, input.service, input.workspaceRoot)
    : {};
  const dir = input.into ?? (await mkdtemp(join(tmpdir(), 'nx-fleet-context-')));
  await mkdir(dir, { recursive: true });
  await Promise.all(
    files
      .filter((file) => !(file in manifests))
      .map(async (file) => {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await copyFile(join(input.workspaceRoot, file), join(dir, file));
      }),
  );
  for (const [file, content] of Object.entries(manifests)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
  }
  await checkFrozenInstall(ports, dir, input.service, input.workspaceRoot);
  return {
    dir,
    files: [...new Set([...files, ...Object.keys(manifests)])].sort(),
    dispose: () => (input.into ? Promise.resolve() : rm(dir, { recursive: true, force: true })),
  };
}

/**
 * A pruned lockfile npm would refuse with `npm ci` is announced here, naming the service and npm's
 * own reasons, not mid-build: the context then carries the workspace's package.json and lockfile,
 * which the workspace installs with. A lockfile with nothing to install cannot fail, and a pair that
 * passed once is remembered by content in Nx's workspace-data directory.
 */
async function checkFrozenInstall(
  ports: PruningPorts,
  dir: string,
  service: string,
  workspaceRoot: string,
): Promise<void> {
  const lockFile = join(dir, 'package-lock.json');
  if (!existsSync(lockFile)) return;
  const lock = await readFile(lockFile, 'utf8');
  const manifest = await readFile(join(dir, 'package.json'), 'utf8');
  if (!installsAnything(lock)) return;
  const marker = join(
    ports.pruning.workspaceDataDirectory,
    'nx-fleet',
    'frozen-install',
    createHash('sha256').update(manifest).update('\0').update(lock).digest('hex'),
  );
  if (existsSync(marker)) return;
  const result = await ports.processes.run(
    'npm',
    ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir },
  );
  if (result.code === 0) {
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
    return;
  }
  for (const file of ['package.json', 'package-lock.json']) await copyFile(join(workspaceRoot, file), join(dir, file));
  ports.log.warn(
    `nx-fleet: ${service}: the lockfile Nx pruned for it does not install frozen (npm ci):\n` +
      npmInstallProblems(result.stderr)
        .map((line) => `  ${line}`)
        .join('\n') +
      "\nIts context carries the workspace's package.json and package-lock.json instead (they install together); " +
      'the image installs more than the service needs until the pruned lockfile installs.',
  );
}

/**
 * What npm says is wrong, without its usage text: the lines naming packages (`Missing: x@1 from lock
 * file`, `Invalid: lock file's x@1 does not satisfy x@2`), else its error message before the usage.
 */
export function npmInstallProblems(stderr: string): string[] {
  const lines = stderr.split('\n').map((line) => line.replace(/^npm (?:error|ERR!)\s?/, '').trimEnd());
  const named = lines.filter((line) => /^(Missing|Invalid): /.test(line));
  if (named.length) return named;
  const usage = lines.findIndex((line) => line === 'Clean install a project' || line.startsWith('Usage:'));
  const message = (usage < 0 ? lines : lines.slice(0, usage)).filter(
    (line) => line && !/^code E/.test(line) && !line.startsWith('A complete log of this run'),
  );
  return message.length ? message.slice(-8) : ['(npm printed no reason)'];
}

export function installsAnything(packageLock: string): boolean {
  try {
    const packages = (JSON.parse(packageLock) as { packages?: Record<string, unknown> }).packages ?? {};
    return Object.keys(packages).some((key) => key !== '');
  } catch {
    // Let npm itself say what is wrong with it.
    return true;
  }
}
