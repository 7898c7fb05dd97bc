import { createHash } from 'node:crypto';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { ProjectGraph, ProjectGraphDependency } from '@nx/devkit';
import picomatch from 'picomatch';
import { glob, isDynamicPattern } from 'tinyglobby';
import { PACTS_FOLDER } from '../config/defaults';
import type { Ports } from '../io/ports';
import { withPrefix } from '../text/sorted';
import { ToolNotFoundError } from '../io/process';
import { isServiceProject, perGraph } from '../services/projects';
import {
  filterContext,
  hashFile,
  ignorePatternsOf,
  inVolatileFolder,
  outputPatterns,
  type ContextFile,
} from './build-context';
import { workspaceManifestGlobs } from './context-inference';
import {
  describeInvocation,
  detectPackageManager,
  INSTALL_PROBLEMS,
  installVerdict,
  pnpmMissingSnapshots,
  quotedLines,
  planFrozenInstall,
  SUPPORT_FILES,
  YARN_CACHE,
  TOOL_NAMES,
  type FrozenInstallPlan,
  type InstallFacts,
  type Invocation,
  type PackageManager,
} from './frozen-install';
import { relocateWorkspaceLibraries, type WorkspaceLibrary } from './workspace-libraries';

export { npmInstallProblems } from './frozen-install';

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

export type PruningPorts = Pick<Ports, 'processes' | 'log'> & {
  pruning: NxPruning;
  /** Shared by a run that assembles many contexts (a batch of pushes, a release plan): one listing of the workspace. */
  listing?: WorkspaceListing;
};

/** The workspace's files a context may take, listed once however many contexts are assembled. */
export interface WorkspaceListing {
  files(workspaceRoot: string): Promise<readonly string[]>;
}

/** A listing that asks git (or the disk) once per workspace root. */
export function workspaceListing(ports: Pick<Ports, 'processes'>): WorkspaceListing {
  const listed = new Map<string, Promise<string[]>>();
  return {
    files(workspaceRoot) {
      let files = listed.get(workspaceRoot);
      if (!files) listed.set(workspaceRoot, (files = listAllFiles(ports, workspaceRoot)));
      return files;
    },
  };
}

/**
 * The workspace projects whose files a service's image may contain: everything it depends on,
 * transitively, except npm packages (they come through the lockfile) and other services. A runtime
 * edge to another service (from its SDK) makes a consumer affected, but its image never holds the
 * provider. With a prune tool run in the image (`workspaceManifests`) the tool decides what the image
 * holds, and it follows package.json dependencies whatever they name: a service a package depends on
 * (midday's dashboard on @midday/api, for its types) is in the context with its own closure.
 */
export function contextProjects(graph: ProjectGraph, service: string, workspaceManifests = false): readonly string[] {
  const ofGraph = closures(graph);
  const key = `${workspaceManifests ? 'all' : 'own'}\0${service}`;
  let projects = ofGraph.get(key);
  if (!projects) ofGraph.set(key, (projects = closureOf(graph, service, workspaceManifests)));
  return projects;
}

/**
 * The projects nested in a folder of the context's projects that the service does not depend on
 * (plane's locale folders, each with a `project.json` of its own, inside @plane/i18n), and which
 * project's folder holds each: the context sends their files (`listed`), which Nx hashes for them
 * alone — unless the Dockerfile copies them by name (`include`: docker-build's inputs).
 */
export function nestedOutside(
  graph: ProjectGraph,
  service: string,
  context: { projects: readonly string[]; listed: readonly string[]; include: readonly string[] },
): Array<{ project: string; root: string; inside: string }> {
  const { projects, listed, include } = context;
  const included = include.length ? picomatch([...include], { dot: true }) : () => false;
  const sent = (root: string) => listed.some((file) => file.startsWith(`${root}/`) && !included(file));
  const held = new Set(projects);
  // The service's own nested projects are its docker-build's inputs already.
  const roots = projects
    .filter((project) => project !== service)
    .map((project) => graph.nodes[project]!.data.root)
    .filter((root) => root !== '.');
  return Object.values(graph.nodes).flatMap(({ name, data }) => {
    const inside = held.has(name) ? undefined : roots.find((root) => data.root.startsWith(`${root}/`));
    return inside === undefined || !sent(data.root) ? [] : [{ project: name, root: data.root, inside }];
  });
}

/** contextProjects, found once per graph and service: a plan asks for the key, the facts and the context. */
const closures = perGraph(() => new Map<string, readonly string[]>());

function closureOf(graph: ProjectGraph, service: string, withServices: boolean): string[] {
  // A service is reached only through a dependency a package declares or imports (`static`), as a prune
  // tool follows it; an implicit one (a runtime edge written in project.json) never brings it in.
  const leftOut = (dep: ProjectGraphDependency) =>
    isServiceProject(graph.nodes[dep.target]?.data) && !(withServices && dep.type === 'static');
  const seen = new Set([service]);
  const queue = [service];
  while (queue.length) {
    for (const dep of graph.dependencies[queue.shift()!] ?? []) {
      if (seen.has(dep.target) || !graph.nodes[dep.target] || leftOut(dep)) continue;
      seen.add(dep.target);
      queue.push(dep.target);
    }
  }
  return [...seen].sort();
}

/**
 * Files under the given patterns that belong in a context: tracked or untracked, never git-ignored.
 * Patterns match as git's `:(glob)` pathspecs do: `*` within a folder, `**` across folders, dot files
 * included, and a pattern without glob characters also names a folder and everything in it.
 */
export async function listWorkspaceFiles(
  ports: Pick<PruningPorts, 'processes' | 'listing'>,
  workspaceRoot: string,
  patterns: readonly string[],
): Promise<string[]> {
  const all = await (ports.listing ?? workspaceListing(ports)).files(workspaceRoot);
  const found = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    const path = pattern.replace(/^\.\//, '');
    const folder = /^(.*)\/\*\*$/.exec(path)?.[1] ?? path.replace(/\/+$/, '');
    // A folder (`libs/a`, `libs/a/**`) is a range of the sorted list; only real globs are matched file by file.
    if (isDynamicPattern(folder)) globs.push(path);
    else
      for (const file of withPrefix(all, folder, (f) => f))
        if (file === folder || file.startsWith(`${folder}/`)) found.add(file);
  }
  if (globs.length) {
    const matches = picomatch(globs, { dot: true });
    for (const file of all) if (matches(file)) found.add(file);
  }
  return [...found].sort();
}

/** Every file of the workspace a context may hold, sorted: git's view of it, else the disk's. */
async function listAllFiles(ports: Pick<Ports, 'processes'>, workspaceRoot: string): Promise<string[]> {
  try {
    const result = await ports.processes.run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: workspaceRoot,
    });
    if (result.code === 0) {
      const files: string[] = [];
      for (const listed of result.stdout.split('\0')) {
        const file = listed.replace(/\/$/, '');
        if (!file || !existsSync(join(workspaceRoot, file))) continue;
        // git lists a submodule (and an untracked repository inside the checkout) as one path: the
        // engine sends the files checked out in it, which are what the context holds (none when empty).
        if ((await lstat(join(workspaceRoot, file))).isDirectory())
          files.push(
            ...(await nestedCheckoutFiles(ports, join(workspaceRoot, file))).map((nested) => `${file}/${nested}`),
          );
        else files.push(file);
      }
      return files.sort();
    }
  } catch {
    // not a git checkout: fall through
  }
  return diskFiles(workspaceRoot);
}

/** A nested checkout's files: its own git's view when it is checked out, else what the disk holds. */
async function nestedCheckoutFiles(ports: Pick<Ports, 'processes'>, dir: string): Promise<string[]> {
  // Without its own `.git` (a submodule not initialised), git run there would answer for the outer checkout.
  return existsSync(join(dir, '.git')) ? listAllFiles(ports, dir) : diskFiles(dir);
}

async function diskFiles(root: string): Promise<string[]> {
  return (
    await glob(['**'], {
      cwd: root,
      dot: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**', '**/.git/**', '**/.git', 'dist/**', '.nx/**'],
    })
  ).sort();
}

/** Files on disk under the given outputs (folders, files or globs), ignored by git or not. */
export async function listOutputFiles(workspaceRoot: string, outputs: readonly string[]): Promise<string[]> {
  if (!outputs.length) return [];
  return (
    await glob(outputPatterns(outputs), {
      cwd: workspaceRoot,
      dot: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**'],
    })
  ).sort();
}

/**
 * A pruned context before it is written anywhere: every file it holds, and where each one's bytes
 * come from. Its content tag is computed from this (hashContents), so only a build writes it out.
 */
export interface PrunedContents {
  workspaceRoot: string;
  /** Every file of the context, sorted. */
  files: string[];
  /** The files pruning wrote (manifests, lockfile), by path; every other file is the workspace's. */
  generated: Readonly<Record<string, string>>;
}

/**
 * A repo-shaped context holding only what the service needs (Nx's missing `turbo prune --docker`):
 * its files, the workspace projects it depends on, the extra included files, the workspace's root
 * `.dockerignore`, and a package.json + lockfile pruned to its dependency closure.
 */
export async function prunedContents(ports: PruningPorts, input: PrunedContextInput): Promise<PrunedContents> {
  const projects = contextProjects(input.graph, input.service, input.workspaceManifests);
  const roots = projects.map((name) => input.graph.nodes[name]!.data.root);
  const manifests = input.rootManifests !== false;
  const patterns = [
    ...roots.map((root) => (root === '.' ? '**' : `${root}/**`)),
    ...input.include,
    '.dockerignore',
    // What the workspace's package manager reads beside the lockfile (only what exists is copied).
    ...(manifests ? new Set(Object.values(SUPPORT_FILES).flat()) : []),
    ...(input.workspaceManifests ? workspaceManifestGlobs(input.rootFiles ?? true, input.packageGlobs) : []),
    // A whole copy sends a committed yarn cache, which the prune tool installs from.
    ...(input.workspaceManifests && (input.rootFiles ?? true) ? [YARN_CACHE] : []),
  ];
  const serviceRoot = input.graph.nodes[input.service]!.data.root;
  // Consumers' pacts live in the provider's folder; they are checked against the image, not put in it.
  const pacts = `${serviceRoot === '.' ? '' : `${serviceRoot}/`}${PACTS_FOLDER}/`;
  const files = [
    // Nx's working files (a workspace whose .gitignore lacks `.nx`) would move the tag on every Nx run.
    ...(await listWorkspaceFiles(ports, input.workspaceRoot, patterns)).filter(
      (file) => !file.startsWith(pacts) && !inVolatileFolder(file),
    ),
    ...(await listOutputFiles(input.workspaceRoot, input.outputs ?? [])),
  ];
  const generated =
    manifests && !input.workspaceManifests && existsSync(join(input.workspaceRoot, 'package.json'))
      ? await repoShaped(
          ports.pruning.prunedManifests(input.graph, input.service, input.workspaceRoot),
          input.workspaceRoot,
          roots.filter((root) => root !== serviceRoot),
        )
      : {};
  const contents = {
    workspaceRoot: input.workspaceRoot,
    files: [...new Set([...files, ...Object.keys(generated)])].sort(),
    generated,
  };
  // The workspace's own lockfile needs no proof: the workspace installs with it; none sent, none to prove.
  return input.workspaceManifests || !manifests
    ? contents
    : checkFrozenInstall(ports, contents, input.service, input.include);
}

export interface PrunedContextInput {
  workspaceRoot: string;
  graph: ProjectGraph;
  service: string;
  include: readonly string[];
  /**
   * Build outputs the Dockerfile copies (e.g. `dist/apps/api`): git-ignored, so taken from the disk
   * as the build task left (or Nx's cache restored) them.
   */
  outputs?: readonly string[];
  /** A prune tool runs in the build: the manifests it reads as they are (`workspaceManifestGlobs`), nothing pruned by Nx. */
  workspaceManifests?: boolean;
  /** With `workspaceManifests`: the Dockerfile copies the whole context, so every root file and package manifest; default true. */
  rootFiles?: boolean;
  /** With `workspaceManifests`: the package manifests the workspaces name (`workspacePackageGlobs`); default every one. */
  packageGlobs?: readonly string[];
  /**
   * The Dockerfile reads the workspace root's package.json, lockfile or package manager settings
   * (`readsRootManifests`); default true. When it does not (a project with a lockfile of its own,
   * OpenSign's apps), neither is pruned, proven or sent.
   */
  rootManifests?: boolean;
}

/** The bytes of one file of the context. */
export function readContent(contents: PrunedContents, file: string): Promise<Buffer> {
  const text = contents.generated[file];
  return text === undefined ? readFile(join(contents.workspaceRoot, file)) : Promise.resolve(Buffer.from(text));
}

/** Writes the context's files into a folder (made if missing). */
export async function writeContents(
  contents: PrunedContents,
  dir: string,
  only: readonly string[] = contents.files,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    only.map(async (file) => {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      const text = contents.generated[file];
      const source = join(contents.workspaceRoot, file);
      if (text !== undefined) await writeFile(join(dir, file), text);
      // A link stays a link, as `docker build` sends it (one to a folder cannot be copied as a file).
      else if ((await lstat(source)).isSymbolicLink()) await symlink(await readlink(source), join(dir, file));
      else await copyFile(source, join(dir, file));
    }),
  );
}

/**
 * The files the engine would be sent (the ignore file beside the Dockerfile, else the context's
 * `.dockerignore`, applied) and their hashes, read where they are: nothing is copied to hash a context.
 */
export async function hashContents(
  contents: PrunedContents,
  dockerfile: string,
  excluded: readonly string[] = [],
): Promise<{ listed: string[]; files: ContextFile[] }> {
  // Nx's pruning generates manifests, never the ignore file: the context's is the workspace's own.
  const contextIgnore = contents.files.includes('.dockerignore')
    ? join(contents.workspaceRoot, '.dockerignore')
    : undefined;
  const listed = filterContext(contents.files, ignorePatternsOf(dockerfile, contextIgnore, excluded));
  const files = await Promise.all(
    listed.map(async (path) => {
      const text = contents.generated[path];
      return {
        path,
        sha256:
          text === undefined
            ? await hashFile(join(contents.workspaceRoot, path))
            : createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
  return { listed, files };
}

/** Nx's pruned manifests with the workspace libraries the context holds referenced at their roots. */
async function repoShaped(
  manifests: Record<string, string>,
  workspaceRoot: string,
  libraryRoots: readonly string[],
): Promise<Record<string, string>> {
  const packageManager = detectPackageManager({
    files: Object.keys(manifests),
    packageManagerField: packageManagerFieldOf(manifests['package.json']),
    yarnLock: manifests['yarn.lock'],
  });
  if (!packageManager) return manifests;
  const libraries: WorkspaceLibrary[] = [];
  for (const root of libraryRoots) {
    const text = await readText(join(workspaceRoot, root, 'package.json'));
    if (!text) continue;
    const manifest = JSON.parse(text) as { name?: string; version?: string; dependencies?: Record<string, string> };
    if (manifest.name)
      libraries.push({ name: manifest.name, root, version: manifest.version, dependencies: manifest.dependencies });
  }
  const rootYarnLock = packageManager === 'yarn-berry' ? await readText(join(workspaceRoot, 'yarn.lock')) : undefined;
  return relocateWorkspaceLibraries(packageManager, manifests, libraries, rootYarnLock);
}

const readText = (file: string) => readFile(file, 'utf8').catch(() => undefined);

function packageManagerFieldOf(manifest: string | undefined): string | undefined {
  try {
    return (JSON.parse(manifest ?? '{}') as { packageManager?: string }).packageManager;
  } catch {
    return undefined;
  }
}

/**
 * Package managers already said to be missing, by tool: said once per process, not once per
 * service (a docker-build run assembles many contexts in one process).
 */
const toldMissing = new Set<string>();

/**
 * The pruned lockfile installs frozen with the workspace's package manager, or is announced here,
 * naming the service and the package manager's own reasons, not mid-build: the context then
 * carries the workspace's manifests and lockfile, which the workspace installs with. The check runs
 * in a scratch copy of the manifests, so the context gets no node_modules. Where the workspace's own
 * files fail alike, the pruned ones stay, and the workspace's lockfile is what the warning names. A
 * verdict is remembered by content in Nx's workspace-data directory. Returns the contents to send.
 */
async function checkFrozenInstall(
  ports: PruningPorts,
  contents: PrunedContents,
  service: string,
  /** The paths the Dockerfile copies by name: docker-build's Nx inputs. */
  include: readonly string[],
): Promise<PrunedContents> {
  const { files, workspaceRoot } = contents;
  const plan = planFrozenInstall(await installFacts(contents));
  if (!plan) return contents;
  const lock = (await readContent(contents, plan.lockfile)).toString('utf8');
  if (plan.packageManager === 'npm' && !installsAnything(lock)) return contents;
  const inputs = installInputs(plan.packageManager, files);
  const hash = createHash('sha256').update(plan.packageManager);
  for (const file of inputs)
    hash
      .update('\0')
      .update(file)
      .update('\0')
      .update(await readContent(contents, file));
  const marker = join(ports.pruning.workspaceDataDirectory, 'nx-fleet', 'frozen-install', hash.digest('hex'));
  if (existsSync(marker)) return contents;
  const remember = async () => {
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
  };
  const outcome = await frozenInstall(ports, plan, contents, inputs);
  if (outcome.kind === 'missing') {
    if (!toldMissing.has(plan.packageManager)) {
      toldMissing.add(plan.packageManager);
      ports.log.warn(
        `nx-fleet: ${plan.missingToolHint}. The pruned ${plan.lockfile} of ${service} (and of every other service) ` +
          'goes into its context unchecked.',
      );
    }
    return contents;
  }
  if (outcome.kind === 'passed') {
    await remember();
    return contents;
  }
  // A registry that failed to answer is not remembered: the next assembly checks again, once it answers.
  const unchecked = (why: string) => {
    ports.log.warn(
      `nx-fleet: ${service}: the check that its pruned ${plan.lockfile} installs frozen ${why}; the pruned ${plan.lockfile} goes into its context unchecked.`,
    );
    return contents;
  };
  if (outcome.kind === 'timedOut')
    return unchecked(
      `did not finish in ${FROZEN_INSTALL_TIMEOUT_MS / 1000} s (${describeInvocation(outcome.invocation)}: is the package registry reachable from here?)`,
    );
  const verdict = installVerdict(plan.packageManager, outcome.output);
  if (verdict.kind === 'unreachable')
    return unchecked(`could not fetch packages (${describeInvocation(outcome.invocation)}: ${verdict.line})`);
  if (verdict.kind === 'outside') {
    // Nothing a retry changes: what the copy lacks, or what a plugin refuses, stays so for these contents.
    await remember();
    return unchecked(
      `failed on something other than the lockfile, in a copy holding the context's root files, its manifests and ${TOOL_NAMES[plan.packageManager]}'s settings ` +
        `(${describeInvocation(outcome.invocation)}: ${verdict.line})`,
    );
  }
  const problems = INSTALL_PROBLEMS[plan.packageManager](outcome.output);
  const fallback = await workspaceInstallFiles(ports, workspaceRoot, plan);
  // The workspace's own install files replace the pruned ones.
  const generated = Object.fromEntries(Object.entries(contents.generated).filter(([file]) => !fallback.includes(file)));
  const carrying = { workspaceRoot, files: [...new Set([...files, ...fallback])].sort(), generated };
  const again = await frozenInstall(ports, plan, carrying, installInputs(plan.packageManager, carrying.files));
  const shown = (lines: string[]) => quotedLines(lines, SHOWN_LINES);
  if (again.kind === 'failed' && installVerdict(plan.packageManager, again.output).kind === 'lockfile') {
    // The workspace's own files fail alike (Azkaban's lockfile, out of step with its manifests, which its
    // `npm install` fixes up): the pruning is not the cause, and carrying them would gain nothing.
    ports.log.warn(
      `nx-fleet: ${service}: the workspace's ${plan.lockfile} does not install frozen with its own package.json files either (${describeInvocation(again.invocation)}):\n` +
        `${shown(INSTALL_PROBLEMS[plan.packageManager](again.output))}\n` +
        `The lockfile Nx pruned from it goes into ${service}'s context as it is, and an install in the image that needs a frozen one fails. ` +
        `Bring the lockfile in line (\`${TOOL_NAMES[plan.packageManager]} install\` at the workspace root) and commit it.`,
    );
    await remember();
    return contents;
  }
  const carriedFiles = fallback
    .filter((file) => !file.endsWith('/package.json'))
    .sort((a, b) => Number(b === 'package.json') - Number(a === 'package.json') || a.localeCompare(b));
  const carried = carriedFiles.join(', ');
  // Where Nx could not prune (it said so), the lockfile is the workspace's, beside the service's own package.json.
  const unpruned = lock === (await readFile(join(workspaceRoot, plan.lockfile), 'utf8').catch(() => undefined));
  // What the Dockerfile copies by name is hashed already (`COPY package*.json ./`): no stale tag to warn of.
  const hashed = include.length ? picomatch([...include], { dot: true }) : () => false;
  const unhashed = carriedFiles.filter((file) => !hashed(file));
  ports.log.warn(
    `nx-fleet: ${service}: ${unpruned ? `the workspace's ${plan.lockfile}, which Nx could not prune for it, does not install frozen with its pruned package.json` : 'the lockfile Nx pruned for it does not install frozen'} (${describeInvocation(outcome.invocation)}):\n` +
      `${shown(problems)}\n` +
      `Its context carries the workspace's ${carried} instead (they install together); ` +
      `the image installs more than the service needs until ${unpruned ? 'Nx can prune the lockfile for it' : 'the pruned lockfile installs'}.` +
      (unhashed.length
        ? ` docker-build's Nx inputs do not name ${unhashed.join(', ')}: after a change there, a build restored from the cache carries ` +
          `an older content tag, which docker-push refuses; "context": "workspace" in ${service}'s settings makes them inputs.`
        : ''),
  );
  return carrying;
}

/** The most lines of a tool's reasons a warning quotes. */
const SHOWN_LINES = 30;

/**
 * How long the check may take: a registry that does not answer makes npm wait minutes per request
 * (its fetch-timeout, with retries), and the build waits on the check.
 */
export const FROZEN_INSTALL_TIMEOUT_MS = 180_000;

type InstallOutcome =
  | { kind: 'passed' }
  | { kind: 'missing' }
  | { kind: 'timedOut'; invocation: Invocation }
  | { kind: 'failed'; invocation: Invocation; output: string };

/** Runs the plan's first candidate that starts, in a scratch copy of the install inputs. */
async function frozenInstall(
  ports: PruningPorts,
  plan: FrozenInstallPlan,
  contents: PrunedContents,
  inputs: readonly string[],
): Promise<InstallOutcome> {
  const scratch = await mkdtemp(join(tmpdir(), 'nx-fleet-frozen-'));
  try {
    await writeContents(contents, scratch, inputs);
    for (const invocation of plan.candidates) {
      let result;
      try {
        result = await ports.processes.run(invocation.command, invocation.args, {
          cwd: scratch,
          timeoutMs: FROZEN_INSTALL_TIMEOUT_MS,
        });
      } catch (error) {
        if (error instanceof ToolNotFoundError) continue;
        throw error;
      }
      if (result.timedOut) return { kind: 'timedOut', invocation };
      // corepack that cannot fetch the release is a missing tool, not a broken lockfile.
      if (
        invocation.command === 'corepack' &&
        result.code !== 0 &&
        !/\bERR_PNPM_|YN\d{4}|^error /m.test(result.stdout + result.stderr)
      )
        continue;
      if (result.code === 0) {
        const missing =
          plan.packageManager === 'pnpm'
            ? pnpmMissingSnapshots((await readContent(contents, plan.lockfile)).toString('utf8'))
            : [];
        return missing.length ? { kind: 'failed', invocation, output: missing.join('\n') } : { kind: 'passed' };
      }
      // The scratch folder is gone when the output is read: the paths it names are the context's.
      const output = [scratch, await realpath(scratch)].reduce(
        (text, folder) => text.replaceAll(`${folder}${sep}`, ''),
        `${result.stdout}\n${result.stderr}`,
      );
      return { kind: 'failed', invocation, output };
    }
    return { kind: 'missing' };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function installFacts(contents: PrunedContents): Promise<InstallFacts> {
  const text = async (file: string) =>
    contents.files.includes(file) ? (await readContent(contents, file)).toString('utf8') : undefined;
  return {
    files: contents.files,
    packageManagerField: packageManagerFieldOf(await text('package.json')),
    yarnLock: await text('yarn.lock'),
    yarnrcYml: await text('.yarnrc.yml'),
  };
}

/**
 * What a package manager reads to install: every manifest, the lockfile and its settings, and the
 * context's other root files, which a yarn plugin or a pnpm hook may read (Backstage's yarn plugin
 * reads `backstage.json`).
 */
export function installInputs(packageManager: PackageManager, files: readonly string[]): string[] {
  // The lockfile and the settings files are root files: only the settings folders are left to name.
  const folders = SUPPORT_FILES[packageManager].flatMap((pattern) => /^(.*\/)\*\*$/.exec(pattern)?.[1] ?? []);
  return files.filter(
    (file) =>
      !file.includes('/') || file.endsWith('/package.json') || folders.some((folder) => file.startsWith(folder)),
  );
}

/** The workspace's own install files: root manifest, lockfile, settings, and every project's manifest. */
async function workspaceInstallFiles(
  ports: PruningPorts,
  workspaceRoot: string,
  plan: FrozenInstallPlan,
): Promise<string[]> {
  const listed = await listWorkspaceFiles(ports, workspaceRoot, [
    '**/package.json',
    plan.lockfile,
    'pnpm-workspace.yaml',
    ...SUPPORT_FILES[plan.packageManager],
  ]);
  return installInputs(
    plan.packageManager,
    listed.filter((file) => !file.split('/').includes('node_modules')),
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
