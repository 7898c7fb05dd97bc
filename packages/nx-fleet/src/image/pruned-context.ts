import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { detectPackageManager, type ProjectGraph } from '@nx/devkit';
import { createPackageJson, generatePrunedDeployOutput, workspaceDataDirectory } from '@nx/devkit/internal';
import { glob } from 'tinyglobby';
import { PACTS_FOLDER } from '../config/defaults';
import { run } from '../io/process';
import { isServiceProject } from '../services/projects';

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
export async function listWorkspaceFiles(workspaceRoot: string, patterns: readonly string[]): Promise<string[]> {
  try {
    const result = await run(
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

/** Pruned package.json and lockfile, as Nx's own deploy output computes them from the graph. */
export function prunedManifests(graph: ProjectGraph, service: string, workspaceRoot: string): Record<string, string> {
  if (!existsSync(join(workspaceRoot, 'package.json'))) return {};
  // Development dependencies the service's files use stay: a multi-stage build compiles or bundles with them.
  const packageJson = createPackageJson(service, graph, { root: workspaceRoot, isProduction: false });
  const files: Record<string, string> = {};
  generatePrunedDeployOutput(packageJson, graph, graph.nodes[service]!.data.root, {
    packageManager: detectPackageManager(workspaceRoot),
    workspaceRoot,
    emit: (path, content) => (files[path] = content.toString()),
  });
  // Written after: generating the lockfile may rewrite the manifest it ships with.
  files['package.json'] = `${JSON.stringify(packageJson, null, 2)}\n`;
  return files;
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
export async function assemblePrunedContext(input: {
  workspaceRoot: string;
  graph: ProjectGraph;
  service: string;
  include: readonly string[];
  into?: string;
}): Promise<PrunedContext> {
  const roots = contextProjects(input.graph, input.service).map((name) => input.graph.nodes[name]!.data.root);
  const patterns = [...roots.map((root) => (root === '.' ? '**' : `${root}/**`)), ...input.include, '.dockerignore'];
  const serviceRoot = input.graph.nodes[input.service]!.data.root;
  // Consumers' pacts live in the provider's folder; they are checked against the image, not put in it.
  const pacts = `${serviceRoot === '.' ? '' : `${serviceRoot}/`}${PACTS_FOLDER}/`;
  const files = (await listWorkspaceFiles(input.workspaceRoot, patterns)).filter((file) => !file.startsWith(pacts));
  const manifests = prunedManifests(input.graph, input.service, input.workspaceRoot);
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
  await checkFrozenInstall(dir, input.service);
  return {
    dir,
    files: [...new Set([...files, ...Object.keys(manifests)])].sort(),
    dispose: () => (input.into ? Promise.resolve() : rm(dir, { recursive: true, force: true })),
  };
}

/**
 * A pruned lockfile that npm would refuse with `npm ci` fails here, naming the service, not
 * mid-build. A lockfile with nothing to install cannot fail, and a pair that passed once is
 * remembered by content in Nx's workspace-data directory.
 */
async function checkFrozenInstall(dir: string, service: string): Promise<void> {
  const lockFile = join(dir, 'package-lock.json');
  if (!existsSync(lockFile)) return;
  const lock = await readFile(lockFile, 'utf8');
  const manifest = await readFile(join(dir, 'package.json'), 'utf8');
  if (!installsAnything(lock)) return;
  const marker = join(
    workspaceDataDirectory,
    'nx-fleet',
    'frozen-install',
    createHash('sha256').update(manifest).update('\0').update(lock).digest('hex'),
  );
  if (existsSync(marker)) return;
  const result = await run(
    'npm',
    ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir },
  );
  if (result.code === 0) {
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
    return;
  }
  throw new Error(
    `nx-fleet: the lockfile pruned for ${service} does not install frozen (npm ci):\n${result.stderr.trim().split('\n').slice(-8).join('\n')}\n` +
      'Run `npm install` at the workspace root so package.json and package-lock.json agree, or use "context": "workspace" for this service.',
  );
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
