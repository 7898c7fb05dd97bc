import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix, relative, resolve, sep } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { EngineName } from '../config/options';
import { namedContextSource } from '../config/service-settings';
import { resolveEngine } from '../engines/detect';
import {
  platformsProblem,
  type BaseImageSource,
  type BuildRequest,
  type BuildSecret,
  type Engine,
} from '../engines/engine';
import type { GitRevision } from '../io/git';
import type { Ports } from '../io/ports';
import { registryAccess } from '../registry/access';
import { destinationFor } from '../registry/destinations';
import {
  contextIgnoreFile,
  filterContext,
  gitIgnoredEntries,
  hashContextFiles,
  ignorePatternsOf,
  leftOutOfPruned,
  listContextFiles,
  listFolderFiles,
  pathSummary,
  undeclaredOutputs,
  unhashedOf,
  volatileFoldersIn,
  type ContextFile,
  type DependedBuild,
  type GitIgnored,
  type UnhashedFiles,
} from './build-context';
import { CONTENT_TAG_LABEL, isLocalImageOf } from './content-label';
import {
  buildOutputOwner,
  copiesWholeContext,
  insideOf,
  insideWorkspaceFolder,
  readsRootManifests,
} from './context-inference';
import {
  contextPath,
  DockerfileReading,
  excludedEverywhere,
  expandedSources,
  missingSources,
  type CopySource,
  type WrittenSource,
} from './dockerfile-copies';
import { contentTag } from './content-tag';
import { workspacePackageGlobs } from './frozen-install';
import { linkedBases, takenAs, unlinkedBaseImages, type BaseImages, type LinkedBase } from './base-images';
import { decideBuild, type BuildDecision } from './decide';
import {
  contextProjects,
  hashContents,
  nestedOutside,
  prunedContents,
  writeContents,
  type PrunedContextInput,
  type PruningPorts,
} from './pruned-context';
import { imageNameFor, type ImageRecord } from './records';
import type { ServiceRef } from './service-ref';
import { listed as listedNames } from '../text/listed';
import { redactCommandLine } from '../text/redact';
import { defaultRunOptions } from '../services/projects';

/** docker-build's options (its schema.json states them for Nx Console). */
export interface BuildOptions {
  dockerfile: string;
  context: string;
  prune?: boolean;
  contextInclude?: string[];
  /** Build outputs the Dockerfile copies (git-ignored): a pruned context takes them from the disk. */
  contextOutputs?: string[];
  /** With prune: a prune tool runs in the build, so manifests and root files are sent whole and unpruned. */
  workspaceManifests?: boolean;
  registry?: string;
  tlsVerify?: boolean;
  image?: string;
  engine?: EngineName;
  buildArgs?: Record<string, string>;
  /** Named build contexts (`--build-context name=…`): workspace folders, or `docker-image://` references. */
  buildContexts?: Record<string, string>;
  /** Repositories a FROM names that another service's docker-build builds (`project:target`): that build's image is the base. */
  baseImages?: BaseImages;
  target?: string;
  platforms?: string[];
  secrets?: BuildSecret[];
  cacheFrom?: string[];
  cacheTo?: string[];
  labels?: Record<string, string>;
  /** Says what the build would do (content tag, engine command), reading only: no build, no pruned context, no record. */
  dryRun?: boolean;
}

export type BuildPorts = Pick<Ports, 'processes' | 'files' | 'git' | 'env' | 'log' | 'clock' | 'http'> &
  Pick<PruningPorts, 'pruning' | 'listing'> & {
    /** Where a run computes many tags over unchanged sources (a release plan, a push batch): each base's, once. */
    baseTags?: BaseTags;
  };

/**
 * Computes the content tag from the context actually sent, and builds only when no image with that
 * tag exists, neither in the engine nor in the registry.
 */
export async function buildServiceImage(
  ports: BuildPorts,
  options: BuildOptions,
  service: ServiceRef,
  /** The docker-build target as Nx runs it: when Nx caches its record, what Nx does not hash can make a hit wrong. */
  { nxTarget }: { nxTarget?: Pick<TargetConfiguration, 'cache' | 'dependsOn'> } = {},
): Promise<ImageRecord> {
  const dockerfile = resolve(service.workspaceRoot, options.dockerfile);
  if (!ports.files.exists(dockerfile))
    throw new Error(`nx-fleet: ${options.dockerfile} (option "dockerfile" of ${service.projectName}) does not exist.`);
  const context = await prepareContext(ports, options, service);
  if (nxTarget?.cache === true) {
    const unhashed = await context.unhashed();
    if (unhashed.files.length) ports.log.warn(unhashedContextWarning(service, options, unhashed));
    const { builds, missing } = dependedBuilds(service, nxTarget.dependsOn ?? []);
    const undeclared = undeclaredOutputs(options.contextOutputs ?? [], builds);
    if (undeclared.length) ports.log.warn(undeclaredOutputsWarning(service, undeclared, builds, missing));
  }
  try {
    return await buildFromContext(ports, options, service, dockerfile, context);
  } finally {
    await context.dispose();
  }
}

const NONE_UNHASHED: UnhashedFiles = { files: [], committed: [] };

/** A build context as its content tag sees it; a pruned one is written to a folder only for a build. */
export interface PreparedContext {
  /** The files the engine is sent (the ignore file applied), sorted; less what every copy of the whole context excludes. */
  listed: string[];
  /** What every copy of the whole context excludes (`excludedEverywhere`), as ignore-file lines. */
  excluded: readonly string[];
  /** The Dockerfile as it was read for the context (empty when unreadable): one read per build. */
  dockerfileText: string;
  files: ContextFile[];
  /** Of those, the files Nx does not hash (they match .gitignore rules): a cache hit cannot tell they changed. Asks git. */
  unhashed(): Promise<UnhashedFiles>;
  /** A pruned context: what `docker build` from the workspace root would send that it leaves out (`leftOutOfPruned`). Asks git. */
  leftOut?(): Promise<string[]>;
  /** A pruned context: the projects it sends files of that the service does not depend on (`nestedOutside`). Asked by a build only. */
  strays?(): ReturnType<typeof nestedOutside>;
  /** The folder the engine builds from. */
  folder(): Promise<string>;
  /** A pruned context: writes its files into `dir` (`nx-fleet context --out`), from the same pruning. */
  writeOut?(dir: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function prepareContext(
  ports: Pick<BuildPorts, 'processes' | 'files' | 'log' | 'pruning' | 'listing'>,
  options: BuildOptions,
  service: ServiceRef,
): Promise<PreparedContext> {
  const dockerfile = resolve(service.workspaceRoot, options.dockerfile);
  const contextDir = resolve(service.workspaceRoot, options.context);
  if (!ports.files.exists(contextDir))
    throw new Error(`nx-fleet: ${options.context} (option "context" of ${service.projectName}) does not exist.`);
  // One reading of the Dockerfile: what its whole copies leave out, whether it reads the root's manifests, and the folders it copies.
  const dockerfileText = (await ports.files.readText(dockerfile)) ?? '';
  const reading = new DockerfileReading(dockerfileText, options.buildArgs, options.target);
  const excluded = excludedEverywhere(reading.sources);
  if (!options.prune) {
    const listed = await listContextFiles(contextDir, dockerfile, excluded);
    const volatile = volatileFoldersIn(listed);
    if (volatile.length) {
      ports.log.warn(
        volatileContextWarning(service, options.context, volatile, contextIgnoreFile(contextDir, dockerfile)),
      );
    }
    const outputs = (options.contextOutputs ?? [])
      .map((output) => relative(contextDir, resolve(service.workspaceRoot, output)).split(sep).join('/'))
      .filter((output) => !output.startsWith('..'));
    const unhashed = async () => {
      const ignored = await gitIgnoredEntries(ports, contextDir, listed);
      return ignored ? unhashedOf(listed, ignored, outputs, options.context) : NONE_UNHASHED;
    };
    const files = await hashContextFiles(contextDir, listed);
    return {
      listed,
      excluded,
      dockerfileText,
      files,
      unhashed,
      folder: async () => contextDir,
      dispose: async () => undefined,
    };
  }
  if (resolve(contextDir) !== resolve(service.workspaceRoot)) {
    throw new Error(
      `nx-fleet: option "prune" of ${service.projectName} needs "context": "." (a pruned context is repo-shaped); got "${options.context}".`,
    );
  }
  const input = await prunedInput(ports, options, service, reading);
  const contents = await prunedContents(ports, input);
  const { listed, files } = await hashContents(contents, dockerfile, excluded);

  let written: Promise<string> | undefined;
  let ignored: Promise<GitIgnored | undefined> | undefined;
  const gitIgnored = () => (ignored ??= gitIgnoredEntries(ports, service.workspaceRoot, listed));
  return {
    listed,
    excluded,
    dockerfileText,
    files,
    strays: () =>
      nestedOutside(service.graph, service.projectName, {
        projects: contextProjects(service.graph, service.projectName, input.workspaceManifests),
        listed,
        include: input.include,
      }),
    // Taken from git's list of the workspace (and the build outputs Nx hashes): Nx hashes all but the
    // committed files .gitignore matches (hatchet's sdks/typescript/src/version.ts), which it does not list.
    unhashed: async () => {
      const entries = await gitIgnored();
      return entries ? unhashedOf(listed, entries, options.contextOutputs ?? [], '.') : NONE_UNHASHED;
    },
    leftOut: async () => {
      const entries = (await gitIgnored())?.entries;
      if (!entries) return [];
      const folders = reading.sources
        .map(({ source }) => contextPath(source))
        .filter((source) => source === '.' || listed.some((path) => path.startsWith(`${source}/`)));
      return leftOutOfPruned(
        folders,
        entries,
        ignorePatternsOf(dockerfile, resolve(service.workspaceRoot, '.dockerignore'), excluded),
        options.contextOutputs ?? [],
      );
    },
    folder: () =>
      (written ??= mkdtemp(join(tmpdir(), 'nx-fleet-context-')).then(async (dir) => {
        await writeContents(contents, dir);
        return dir;
      })),
    writeOut: (dir) => writeContents(contents, dir),
    dispose: async () => {
      if (written) await rm(await written, { recursive: true, force: true });
    },
  };
}

/** What a pruned context is made of for docker-build's options: the Dockerfile says whether it reads the root's manifests. */
async function prunedInput(
  ports: Pick<BuildPorts, 'files'>,
  options: BuildOptions,
  service: ServiceRef,
  read: DockerfileReading,
): Promise<PrunedContextInput> {
  return {
    workspaceRoot: service.workspaceRoot,
    graph: service.graph,
    service: service.projectName,
    include: options.contextInclude ?? [],
    outputs: options.contextOutputs ?? [],
    workspaceManifests: options.workspaceManifests ?? false,
    rootFiles: copiesWholeContext(read),
    rootManifests: readsRootManifests(read.written),
    // The manifests a prune tool reads, as the graph's inputs name them: the workspaces' packages.
    ...(options.workspaceManifests && copiesWholeContext(read)
      ? { packageGlobs: await packageGlobsOf(ports, service.workspaceRoot) }
      : {}),
  };
}

/** `workspacePackageGlobs` of the workspace root's package.json and pnpm-workspace.yaml. */
async function packageGlobsOf(ports: Pick<BuildPorts, 'files'>, workspaceRoot: string): Promise<string[]> {
  const [manifest, pnpmWorkspace] = await Promise.all([
    ports.files.readText(resolve(workspaceRoot, 'package.json')),
    ports.files.readText(resolve(workspaceRoot, 'pnpm-workspace.yaml')),
  ]);
  let parsed: unknown;
  try {
    parsed = manifest === undefined ? undefined : JSON.parse(manifest);
  } catch {
    parsed = undefined;
  }
  return workspacePackageGlobs(parsed, pnpmWorkspace);
}

function volatileContextWarning(
  service: ServiceRef,
  context: string,
  volatile: readonly string[],
  ignoreFile: string | undefined,
): string {
  const file = ignoreFile ? relative(service.workspaceRoot, ignoreFile) : posix.join(context, '.dockerignore');
  const them = volatile.length === 1 ? 'it' : 'them';
  const because = ignoreFile ? `${file} does not leave ${them} out` : 'it has no .dockerignore';
  return `nx-fleet: ${service.projectName}: its build context ${context} holds ${volatile.join(', ')}, which Nx, git and nx-fleet rewrite as they run, and ${because}: the engine sends ${them} and the content tag changes with ${them}, so the image is built again every time. Add ${volatile.map((f) => `\`${f}\``).join(', ')} to ${file} unless the image needs ${them}.`;
}

/**
 * Files matching .gitignore rules reach the image but not Nx's hash: a cache hit (local or remote)
 * restores the record of whatever they held when it was written, which docker-push, scan and
 * contract-verify then refuse.
 */
export function unhashedContextWarning(
  service: ServiceRef,
  options: Pick<BuildOptions, 'context' | 'dockerfile'>,
  unhashed: UnhashedFiles,
): string {
  const ignoreFile = contextIgnoreFile(
    resolve(service.workspaceRoot, options.context),
    resolve(service.workspaceRoot, options.dockerfile),
  );
  const file = ignoreFile ? relative(service.workspaceRoot, ignoreFile) : posix.join(options.context, '.dockerignore');
  return `nx-fleet: ${service.projectName}: its build context ${options.context} sends ${unhashedClause(unhashed.files)}: a cached docker-build cannot see ${unhashed.files.length === 1 ? 'it' : 'them'} change, and a record restored for other contents is refused before use. ${unhashedFix(unhashed, file)}`;
}

/**
 * What lets Nx hash them or keeps them out: a committed file (puter's config.default.json, which its
 * `config.*.json` rule matches) needs the rule changed, since the image may need it; a local one the ignore file.
 */
export function unhashedFix(
  { files, committed, context = '.', walkerOnly }: UnhashedFiles,
  ignoreFile: string,
): string {
  // Not committed: a build writes them, which a cached docker-build can wait for (temporalio/ui's embedded assets).
  if (!committed.length) {
    const them = files.length === 1 ? 'it' : 'them';
    return `Add ${them} to ${ignoreFile} unless the image needs ${them}; if it does, carry ${them} as the output of the build that writes ${them} (docker-build's "contextOutputs", and "dependsOn" on that build, whose "outputs" hold ${them}), or set docker-build's "cache": false.`;
  }
  const one = committed.length === 1;
  const them = one ? 'it' : 'them';
  // Run where nx runs, the workspace root: a path of the context's folder would match no rule anchored in it.
  const path = posix.join(context, committed[0]!);
  // git reads no `.ignore` or `.nxignore`: its check-ignore would name nothing (karakeep's root `.ignore`).
  const walker = walkerOnly?.get(committed[0]!);
  const where = walker
    ? `a ${walker} file's rule, which Nx's walker reads and git does not: look in the ${walker} files from the workspace root down to ${path}`
    : `\`git check-ignore -v --no-index ${path}\` names a .gitignore one`;
  const change = `change the rule that matches ${them} so Nx hashes ${them} (${where}${one ? '' : ' for the first'})`;
  if (committed.length === files.length)
    return `${one ? 'It is' : 'They are'} committed: ${change}, or add ${them} to ${ignoreFile} unless the image needs ${them}.`;
  return `Of them, ${unhashedFilesPhrase(committed)} ${one ? 'is' : 'are'} committed: ${change}; add the others to ${ignoreFile} unless the image needs them.`;
}

function undeclaredOutputsWarning(
  service: ServiceRef,
  undeclared: readonly string[],
  builds: readonly DependedBuild[],
  missing: readonly string[],
): string {
  const them = undeclared.length === 1 ? 'it' : 'them';
  const targets = builds.map((build) => `${build.project}:${build.target}`);
  // zigbee2mqtt's root: a project nx-fleet makes of a package.json Nx infers none from has no script targets.
  const none = missing.length
    ? `the build${missing.length === 1 ? '' : 's'} it depends on (${missing.join(', ')}) ${missing.length === 1 ? 'is no target' : 'are no targets'} of ${missing.length === 1 ? 'its project' : 'their projects'} (a package.json's scripts are targets only where Nx makes a project of it: give it an "nx" field), so Nx runs nothing before it`
    : 'it depends on no build';
  return `nx-fleet: ${service.projectName}: its build context takes ${undeclared.join(', ')} from the disk, but ${targets.length ? `no build it depends on (${targets.join(', ')}) declares ${them} as an output` : none}: Nx hashes a build's files only through its declared outputs, so a cached docker-build cannot see ${them} change, and a record restored for other contents is refused before use. Declare ${them} in the outputs of the build that writes ${them} (project.json, package.json's "nx", or nx.json's targetDefaults: "outputs": [${undeclared.map((path) => `"{workspaceRoot}/${path}"`).join(', ')}]).`;
}

/**
 * The build targets a docker-build's dependsOn names, with their outputs as Nx merged them, and those
 * it names that its projects do not have (`project:target`: Nx drops them without a word).
 */
function dependedBuilds(
  service: ServiceRef,
  dependsOn: NonNullable<TargetConfiguration['dependsOn']>,
): { builds: DependedBuild[]; missing: string[] } {
  const { graph, projectName } = service;
  const dependencies = () => (graph.dependencies[projectName] ?? []).map((dep) => dep.target);
  const missing: string[] = [];
  const builds = dependsOn.flatMap((entry) => {
    const [projects, target] =
      typeof entry === 'string'
        ? entry.startsWith('^')
          ? [dependencies(), entry.slice(1)]
          : [[projectName], entry]
        : [
            entry.dependencies
              ? dependencies()
              : entry.projects === undefined
                ? [projectName]
                : ([] as string[]).concat(entry.projects),
            entry.target,
          ];
    return projects.flatMap((project) => {
      const node = graph.nodes[project];
      const config = node?.data.targets?.[target];
      if (node && !config) missing.push(`${project}:${target}`);
      return node && config
        ? [{ project, target, root: node.data.root, outputs: config.outputs ?? [], options: defaultRunOptions(config) }]
        : [];
    });
  });
  return { builds, missing };
}

function leftOutWarning(service: ServiceRef, leftOut: readonly string[]): string {
  return `nx-fleet: ${service.projectName}: its pruned context leaves out what git ignores in the folders its Dockerfile copies, which \`docker build\` from the workspace root would send: ${listedNames(leftOut)}. If the image needs ${leftOut.length === 1 ? 'it' : 'them'} (written by a step before the build), declare ${leftOut.length === 1 ? 'it' : 'them'} in docker-build's "contextOutputs" with a "dependsOn" on the target that writes ${leftOut.length === 1 ? 'it' : 'them'} (declared in that target's "outputs", so Nx hashes ${leftOut.length === 1 ? 'it' : 'them'}), or set "context": "workspace"; if it does not, leave ${leftOut.length === 1 ? 'it' : 'them'} out in .dockerignore, and this warning stops.`;
}

function straysWarning(service: ServiceRef, strays: ReturnType<typeof nestedOutside>): string {
  const one = strays.length === 1;
  const them = one ? 'it' : 'them';
  const parents = [...new Set(strays.map((stray) => stray.inside))];
  return `nx-fleet: ${service.projectName}: its pruned context holds the files of ${listedNames(strays.map((s) => `${s.project} (${s.root})`))}, nested in ${listedNames(parents)}, ${parents.length === 1 ? 'a project' : 'projects'} it depends on, but ${service.projectName} does not depend on ${one ? 'that project' : 'those projects'} in Nx's graph: Nx hashes none of ${one ? 'its' : 'their'} files for its docker-build or docker-push, so a change there neither misses the build's cache nor makes ${service.projectName} affected. Make the project in ${strays[0]!.inside} depend on ${them} ("implicitDependencies": ["${strays[0]!.project}"${one ? '' : ', …'}]), or, if ${one ? 'it is' : 'they are'} no project${one ? '' : 's'}, rename the project.json files that make ${one ? 'it one' : 'them ones'}.`;
}

/** `3 files (coverage/ (2 files), .env)`. */
export function unhashedFilesPhrase(unhashed: readonly string[]): string {
  return `${unhashed.length} file${unhashed.length === 1 ? '' : 's'} (${pathSummary(unhashed)})`;
}

/** The files a context sends that Nx does not hash, and why, in the number they are. */
export function unhashedClause(unhashed: readonly string[]): string {
  const one = unhashed.length === 1;
  return `${unhashedFilesPhrase(unhashed)}, which match${one ? 'es' : ''} ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash ${one ? 'it' : 'them'}`;
}

async function buildFromContext(
  ports: BuildPorts,
  options: BuildOptions,
  service: ServiceRef,
  dockerfile: string,
  context: PreparedContext,
): Promise<ImageRecord> {
  const { listed, excluded, dockerfileText, files, folder } = context;
  const platforms = options.platforms ?? [];
  const named = await namedContexts(ports, options, service, dockerfileText);
  const { unlinked } = baseImageLinksOf(service, options, dockerfileText);
  if (unlinked) ports.log.warn(unlinked);
  const tag = imageContentTag(options, files, dockerfileText, named);
  const image = options.image ?? imageNameFor(service.projectName);
  const localRef = `${image}:${tag}`;
  const engine = await resolveEngine(ports, options.engine);
  const unbuildable = platformsProblem(engine.name, platforms);
  if (unbuildable) throw new Error(`nx-fleet: ${service.projectName}: ${unbuildable}`);
  const revision = await ports.git.revision(service.workspaceRoot);

  const started = ports.clock.now().getTime();
  // An image under this tag that does not carry it as its label (an older nx-fleet, a retag) is built over.
  const inEngine = isLocalImageOf(await engine.inspect(localRef), tag);
  const decision = decideBuild({
    inEngine,
    registryDigest: inEngine ? undefined : await registryDigest(ports, options, image, tag, service.workspaceRoot),
  });
  const onDisk = (path: string) => ports.files.exists(resolve(service.workspaceRoot, path));
  const submodules = submodulePaths((await ports.files.readText(resolve(service.workspaceRoot, '.gitmodules'))) ?? '');
  const problem =
    decision.kind === 'build' &&
    copySourceProblem(
      dockerfileText,
      listed,
      options,
      service,
      onDisk,
      submodules,
      // A pruned context applies the root ignore file (or the Dockerfile's own) to git's files.
      (path) =>
        filterContext([path], ignorePatternsOf(dockerfile, resolve(service.workspaceRoot, '.dockerignore'), excluded))
          .length === 0,
    );
  if (problem) throw new Error(problem);
  const contextIgnore = () =>
    ignorePatternsOf(dockerfile, resolve(service.workspaceRoot, options.context, '.dockerignore'), excluded);
  const empty =
    decision.kind === 'build'
      ? emptySubmodules(
          dockerfileText,
          options,
          submodules,
          onDisk,
          (path) => !filterContext([path], contextIgnore()).length,
        )
      : [];
  if (empty.length) ports.log.warn(emptySubmodulesWarning(service, options, empty));
  const leftOut = decision.kind === 'build' ? ((await context.leftOut?.()) ?? []) : [];
  if (leftOut.length) ports.log.warn(leftOutWarning(service, leftOut));
  const strays = decision.kind === 'build' ? (context.strays?.() ?? []) : [];
  if (strays.length) ports.log.warn(straysWarning(service, strays));
  const request =
    decision.kind === 'build'
      ? await buildRequest(ports, options, {
          dockerfile,
          dockerfileText,
          // A dry run writes no pruned context: the command names it.
          contextDir: options.dryRun && options.prune ? PRUNED_CONTEXT : await folder(),
          named: named.filter((context) => !context.base),
          bases: await baseImageSources(ports, engine, service, named),
          localRef,
          contentTag: tag,
          revision,
          workspaceRoot: service.workspaceRoot,
        })
      : undefined;
  let imageId: string | undefined;
  if (options.dryRun) {
    const [tool = engine.name, ...args] = request ? await engine.buildCommand(request) : [];
    const command = request && redactCommandLine(tool, args);
    ports.log.info(`nx-fleet: ${service.projectName}: dry run: ${dryRunOutcome(decision, localRef, engine, command)}`);
  } else {
    imageId = request ? await engine.build(request) : undefined;
    const seconds = ((ports.clock.now().getTime() - started) / 1000).toFixed(1);
    ports.log.info(`nx-fleet: ${service.projectName}: ${outcome(decision, localRef, engine, seconds)}`);
  }
  return {
    image,
    contentTag: tag,
    localRef,
    ...(imageId ? { imageId } : {}),
    engine: engine.name,
    platforms,
    built: decision.kind === 'build' && !options.dryRun,
    ...(revision ? { revision: revision.sha } : {}),
    recordedAt: ports.clock.now().toISOString(),
  };
}

/** What the content tag is computed from, in one place for a build and for a check of its record. */
export function imageContentTag(
  options: BuildOptions,
  files: readonly ContextFile[],
  dockerfileText: string,
  named: readonly NamedContext[],
): string {
  // An argument no ARG declares the build ignores (CI's `--buildArgs.VERSION=…` given to every
  // affected service): it moves no tag.
  const given = Object.entries(options.buildArgs ?? {});
  const declared = given.length ? new DockerfileReading(dockerfileText).declaredArgs : new Set<string>();
  return contentTag({
    files,
    dockerfile: dockerfileText,
    buildArgs: Object.fromEntries(given.filter(([name]) => declared.has(name))),
    target: options.target,
    platforms: options.platforms ?? [],
    namedContexts: named.map(({ name, files: folderFiles, ref }) => ({
      name,
      ...(ref ? { ref } : { files: folderFiles }),
    })),
  });
}

/** A named build context: what the engine is passed, and what the content tag follows (a folder's files, or the reference). */
export interface NamedContext {
  name: string;
  passed: string;
  files?: ContextFile[];
  ref?: string;
  /** A FROM another service's image: that service's image as its sources build it now (`ref` is its local reference). */
  base?: LinkedBase & { options: BuildOptions; imageName: string; tag: string };
}

/** What a content tag is computed from without an engine: the context's reading, and the services whose images are bases. */
type SourcesPorts = Pick<BuildPorts, 'processes' | 'files' | 'log' | 'pruning' | 'listing' | 'baseTags'>;

/** Base images' content tags by `project:target`, each computed once. */
export interface BaseTags {
  tag(key: string, compute: () => Promise<string>): Promise<string>;
}

export function baseTagMemo(): BaseTags {
  const tags = new Map<string, Promise<string>>();
  return {
    tag(key, compute) {
      let tag = tags.get(key);
      if (!tag) tags.set(key, (tag = compute()));
      return tag;
    },
  };
}

/**
 * docker-build's `buildContexts`, checked and read: a folder must be in the workspace and on the disk
 * (a build output is there once the build that writes it ran), its every file hashed, with no ignore
 * file applied, so nothing an engine may send escapes the tag. Then each FROM that `baseImages` says
 * another service builds: that service's image as its sources build it now, its content tag computed
 * from them (`chain`: the services whose tags are being computed, the first that asked first).
 */
export async function namedContexts(
  ports: SourcesPorts,
  options: BuildOptions,
  service: ServiceRef,
  dockerfileText: string,
  chain: readonly string[] = [service.projectName],
): Promise<NamedContext[]> {
  const named = Object.entries(options.buildContexts ?? {}).map(async ([name, value]): Promise<NamedContext> => {
    const source = namedContextSource(value);
    const where = `named build context "${name}" of ${service.projectName} (option "buildContexts")`;
    if (!source)
      throw new Error(
        `nx-fleet: ${where}: "${value}" is neither a workspace folder nor a docker-image:// reference; git, https, oci-layout and target: contexts are not passed, since no content tag can follow them.`,
      );
    if (source.kind === 'image') return { name, passed: source.ref, ref: source.ref };
    const folder = resolve(service.workspaceRoot, source.path);
    if (!ports.files.exists(folder))
      throw new Error(
        `nx-fleet: ${source.path} (${where}) does not exist. A build output is there once the build that writes it ran: docker-build depends on it when it is a project's dist, build or out folder.`,
      );
    const listed = (await listFolderFiles(folder)).sort();
    return { name, passed: folder, files: await hashContextFiles(folder, listed) };
  });
  const bases = options.baseImages
    ? linkedBases(
        new DockerfileReading(dockerfileText, options.buildArgs, options.target).imageBases,
        options.baseImages,
      )
    : [];
  return Promise.all([...named, ...bases.map((base) => baseContext(ports, options, service, base, chain))]);
}

/**
 * What docker-build's `baseImages` links in this build: each FROM another service's build gives
 * (`repository ← project:target`), and a warning for entries that name no image the build takes (the
 * FROM they were meant for is then built as the engine or the registry holds it).
 */
export function baseImageLinksOf(
  service: Pick<ServiceRef, 'projectName'>,
  options: BuildOptions,
  dockerfileText: string,
): { linked: string[]; unlinked?: string } {
  if (!options.baseImages) return { linked: [] };
  const bases = new DockerfileReading(dockerfileText, options.buildArgs, options.target).imageBases;
  const unlinked = unlinkedBaseImages(bases, options.baseImages);
  const linked = Object.entries(options.baseImages)
    .filter(([repository]) => !unlinked.includes(repository))
    .map(([repository, built]) => `${repository} ← ${built}`);
  if (!unlinked.length) return { linked };
  const stages = options.target ? ` (stage "${options.target}" and the stages it needs)` : '';
  return {
    linked,
    unlinked: `nx-fleet: ${service.projectName}: docker-build's "baseImages" names ${listedNames(unlinked)}, which no FROM, --from= or RUN mount of ${options.dockerfile}${stages} takes, so the image it means is not built from the sources for this build. Write each repository as the Dockerfile names it (a FROM pinned to a digest is never linked), or take the entry out.`,
  };
}

/** A build target's options as Nx runs it with no configuration named: its default configuration over its options. */
export function configuredOptions(target: TargetConfiguration | undefined): Partial<BuildOptions> {
  const chosen = target?.defaultConfiguration ? target.configurations?.[target.defaultConfiguration] : undefined;
  return { ...(target?.options ?? {}), ...(chosen ?? {}) };
}

/** A FROM another service's image, as the content tag follows it: that service's tag from its sources. */
async function baseContext(
  ports: SourcesPorts,
  options: BuildOptions,
  service: ServiceRef,
  base: LinkedBase,
  chain: readonly string[],
): Promise<NamedContext> {
  const where = `${service.projectName}: ${options.dockerfile}:${base.line} ${takenAs(base)}`;
  if (chain.includes(base.project))
    throw new Error(
      `nx-fleet: ${where}: ${[...chain, base.project].join(' → ')}: each of these images is built FROM the next, so none can be built first. Take "${base.project}" out of docker-build's "baseImages" where the FROM means the published image.`,
    );
  const node = service.graph.nodes[base.project];
  const target = node?.data.targets?.[base.target];
  const baseOptions = target?.options && (configuredOptions(target) as BuildOptions);
  if (!node || typeof baseOptions?.dockerfile !== 'string')
    throw new Error(
      `nx-fleet: ${where}: docker-build's "baseImages" names ${base.project}:${base.target} as the build of that image, and ${node ? `${base.project} has no nx-fleet docker-build target "${base.target}"` : `no project is named ${base.project}`}. Correct "baseImages" (a repository → "project:target") in ${service.projectRoot}'s project configuration.`,
    );
  const baseService = { ...service, projectName: base.project, projectRoot: node.data.root };
  // The base's own build prints its warnings: here its tag is only computed.
  const quiet = { ...ports, log: { ...ports.log, warn: () => undefined } };
  const compute = async () =>
    (await sourcesOf(quiet, baseOptions, baseService, undefined, [...chain, base.project])).tag;
  const tag = await (ports.baseTags?.tag(`${base.project}:${base.target}`, compute) ?? compute());
  const imageName = baseOptions.image ?? imageNameFor(base.project);
  const localRef = `${imageName}:${tag}`;
  return { name: base.image, passed: localRef, ref: localRef, base: { ...base, options: baseOptions, imageName, tag } };
}

/** The content tag of a service's current sources (no engine) and, when it is not `expected`, the context's files Nx does not hash. */
export async function sourcesOf(
  ports: SourcesPorts,
  options: BuildOptions,
  service: ServiceRef,
  expected?: string,
  chain?: readonly string[],
): Promise<{ tag: string; unhashed: UnhashedFiles | undefined }> {
  const context = await prepareContext(ports, options, service);
  try {
    const { dockerfileText } = context;
    const tag = imageContentTag(
      options,
      context.files,
      dockerfileText,
      await namedContexts(ports, options, service, dockerfileText, chain),
    );
    return { tag, unhashed: expected !== undefined && tag !== expected ? await context.unhashed() : undefined };
  } finally {
    await context.dispose();
  }
}

/**
 * The image each base FROM is built from: the one the base's docker-build left in the engine (its
 * content-tag label checked), else the registry's under its content tag; neither is an error before
 * the engine runs, not a pull of whatever the FROM's tag points at.
 */
async function baseImageSources(
  ports: BuildPorts,
  engine: Engine,
  service: ServiceRef,
  named: readonly NamedContext[],
): Promise<BaseImageSource[]> {
  const sources: BaseImageSource[] = [];
  for (const { base, ref } of named) {
    if (!base || !ref) continue;
    const entry = { written: base.written, image: base.image };
    if (isLocalImageOf(await engine.inspect(ref), base.tag)) {
      sources.push({ ...entry, source: ref });
      continue;
    }
    const destination = destinationFor(ports.env, base.options, base.imageName, service.workspaceRoot);
    if (destination.kind === 'registry' && (await registryAccess(ports).digest(destination, base.tag))) {
      sources.push({ ...entry, source: `${destination.repository}:${base.tag}`, tlsVerify: destination.tlsVerify });
      continue;
    }
    throw new Error(
      `nx-fleet: ${service.projectName}: its Dockerfile's ${takenAs(base)} is the image of ${base.project}, whose sources build ${ref}: neither ${engine.name} nor ${destination.kind === 'registry' ? destination.repository : 'a registry (none is configured)'} has it. docker-build runs ${base.project}:${base.target} first; where Nx restored that build's record from a cache, the image was built elsewhere: run \`nx run ${base.project}:${base.target} --skip-nx-cache\`, or push it from where it was built.`,
    );
  }
  return sources;
}

/**
 * A COPY whose source the context does not hold fails in the engine with a path inside a temporary
 * folder; here it fails first, naming the Dockerfile line and the setting that fits the Dockerfile:
 * the message, or undefined when every source is there.
 */
export function copySourceProblem(
  dockerfileText: string,
  contextFiles: readonly string[],
  options: BuildOptions,
  service: Pick<ServiceRef, 'projectName' | 'projectRoot' | 'graph' | 'workspaceRoot'>,
  onDisk: (workspacePath: string) => boolean,
  /** The folders `.gitmodules` names (workspace-relative). */
  submodules: readonly string[] = [],
  /** Whether the ignore file a pruned context applies leaves a workspace path out. */
  prunedIgnores: (workspacePath: string) => boolean = () => false,
): string | undefined {
  const reading = new DockerfileReading(dockerfileText, options.buildArgs, options.target);
  const [base] = reading.unsetBases;
  if (base)
    return unsetArgsMessage(options, base, `the build reads the base image "${base.unset.source}", which names none`);
  const { written } = reading;
  const [missing] = missingSources(expandedSources(written), contextFiles);
  if (!missing) return unsetArgsProblem(written, contextFiles, options);
  const where = `${options.dockerfile}:${missing.line}`;
  const path = posix.normalize(posix.join(options.context, missing.source)).replace(/\/+$/, '');
  const output = (options.contextOutputs ?? []).find(
    (out) => path === out || path.startsWith(`${out}/`) || out.startsWith(`${path}/`),
  );
  const producer = otherProjectsOutput(path, service);
  const sibling = output ? undefined : producer;
  const folder = !output && !producer && workspaceFolderPrefix(missing.source, service.workspaceRoot, onDisk);
  if (folder)
    return `nx-fleet: ${where} ${missing.instruction}: "${missing.source}" is not in the build context of ${service.projectName}: it starts with ${folder}/, the Nx workspace's own folder, so the Dockerfile is written for the folder above the workspace (its repository's root, say). No context inside the workspace holds it: build from there — in ${service.projectRoot}'s project configuration, on this target: "options": { "context": "..", "prune": false } and "cache": false (Nx hashes no file outside the workspace).`;
  // A submodule not checked out has an empty folder: no `.git` file of its own. The source is in one,
  // or is a folder holding nothing else (`COPY libs ./libs`, libs/protos the submodule).
  const submodule = submodules.find(
    (sub) => (insideOf(path, sub) || insideOf(sub, path)) && !onDisk(posix.join(sub, '.git')),
  );
  const fix = missingSourceFix(
    { missing, path, output, producer, sibling, submodule },
    options,
    service,
    onDisk,
    prunedIgnores,
  );
  return `nx-fleet: ${where} ${missing.instruction}: "${missing.source}" is not in the build context of ${service.projectName}. ${fix}`;
}

/** What fits a COPY source the context lacks, the first that applies: the message's second sentence. */
function missingSourceFix(
  found: {
    missing: { source: string; instruction: string };
    path: string;
    output: string | undefined;
    producer: { project: string; output: string } | undefined;
    sibling: { project: string; output: string } | undefined;
    submodule: string | undefined;
  },
  options: BuildOptions,
  service: Pick<ServiceRef, 'projectRoot'>,
  onDisk: (workspacePath: string) => boolean,
  prunedIgnores: (workspacePath: string) => boolean,
): string {
  const { missing, path, output, producer, sibling, submodule } = found;
  if (submodule)
    return `It is in ${submodule}, a git submodule (.gitmodules) that is not checked out here: run "git submodule update --init ${submodule}" (in CI, check out with submodules: actions/checkout's "submodules: true").`;
  if (sibling)
    return `It is ${sibling.project}'s build output (${sibling.output}): this target must run after the build that writes it and carry it in a pruned or workspace context — in ${service.projectRoot}'s project configuration, on this target: "dependsOn": [{ "projects": ["${sibling.project}"], "target": "build" }] and "options": { "contextOutputs": ["${sibling.output}"] }.`;
  if (output) {
    if (onDisk(output))
      return `It is a build output (${output}), on disk but left out by the .dockerignore the engine uses (${options.prune ? 'the root one' : "the context's"}): let it through (e.g. "!${output}").`;
    return producer
      ? `It is ${producer.project}'s build output (${output}) that is not on disk: docker-build depends on ${producer.project}'s build target (setting "buildTarget", default "build"); check that ${producer.project} has it and that it writes ${output} (its "outputs").`
      : `It is a build output (${output}) that is not on disk: docker-build depends on the project's build target (setting "buildTarget", default "build"); check that the target exists and writes ${output} (its "outputs").`;
  }
  const instruction = missing.instruction.split(/\s/)[0];
  if (options.prune) {
    if (!onDisk(path) && !onDisk(posix.join(service.projectRoot, missing.source)))
      return `Nothing in the workspace or in ${service.projectRoot} has that path: check it against the repository (a folder renamed or removed?).`;
    // electric's examples/todo-app: the root .dockerignore leaves out `examples` (for another image).
    if (onDisk(path) && prunedIgnores(path))
      return ignoredSourceFix(
        '',
        "the .dockerignore a pruned context applies (the Dockerfile's own, else the root one)",
        path,
        instruction,
      );
    // Hexabot's api copies packages/api/documentation, which a script writes and its .gitignore names.
    if (onDisk(path))
      return `It is on disk at that workspace path, but a pruned context takes only the files git lists (less what the root .dockerignore leaves out), and git does not list it (ignored, or never committed). If a step before the build writes it, declare it in docker-build's "contextOutputs" with a "dependsOn" on the target that writes it (declared in that target's "outputs", so Nx hashes it); if the image needs the disk as it is, set "context": "workspace".`;
    return `The pruned context holds the service's files and its workspace dependencies by their workspace path (e.g. ${service.projectRoot}/…). A Dockerfile written for its own folder needs "context": "project"; one that needs the whole repository, "context": "workspace" (in metadata.fleet, or the plugin option "services").`;
  }
  // pulumi's langserve copies README.md, which its own .dockerignore leaves out.
  if (onDisk(path))
    return ignoredSourceFix(
      ' in the context',
      'the .dockerignore the engine uses',
      posix.normalize(missing.source).replace(/\/+$/, ''),
      instruction,
    );
  if (options.context === '.') return 'It is not in the workspace, or the .dockerignore leaves it out.';
  // gram's server: `COPY ./bin/gram`, a binary its CI builds into the folder before the build.
  if (!onDisk(posix.normalize(missing.source).replace(/\/+$/, '')))
    return `Nothing in ${options.context} or at the workspace root has that path: a step before the build writes it (a build output git ignores, say), or it was renamed or removed. Run the target that writes it first — "dependsOn" on it in this target's configuration, with the path in that target's "outputs", so that Nx runs and hashes it — or take it out of the ${instruction}.`;
  return `The context is the folder ${options.context}; a Dockerfile that copies workspace paths needs "context": "pruned" or "workspace" (in metadata.fleet, or the plugin option "services").`;
}

/** A source on disk that the ignore file the context applies leaves out: let it through, or stop copying it. */
function ignoredSourceFix(where: string, ignoreFile: string, line: string, instruction: string | undefined): string {
  return `It is on disk${where}, but ${ignoreFile} leaves it out: let it through (a "!${line}" line in it), or take it out of the ${instruction}.`;
}

/**
 * The submodules not checked out (no `.git` of their own) inside a folder a COPY takes whole (alto's
 * `COPY contracts ./contracts`, its forge libraries under `contracts/lib`), each with the first COPY
 * that takes it, unless the context's ignore file leaves it out: the image gets them empty.
 */
function emptySubmodules(
  dockerfileText: string,
  options: BuildOptions,
  submodules: readonly string[],
  onDisk: (workspacePath: string) => boolean,
  /** Whether the context's ignore file leaves out a path (relative to the context folder). */
  ignored: (contextPath: string) => boolean,
): Array<{ source: CopySource; submodule: string }> {
  const empty = submodules.filter(
    (sub) => !onDisk(posix.join(sub, '.git')) && !ignored(posix.relative(options.context, sub)),
  );
  if (!empty.length) return [];
  const { sources } = new DockerfileReading(dockerfileText, options.buildArgs, options.target);
  return empty.flatMap((submodule) => {
    const source = sources.find(({ source: copied }) => {
      const path = posix.normalize(posix.join(options.context, contextPath(copied)));
      return path === '.' || holds(path, submodule);
    });
    return source ? [{ source, submodule }] : [];
  });
}

/** Whether a submodule's folder is the path or inside it. */
function holds(path: string, submodule: string): boolean {
  return submodule === path || insideOf(submodule, path);
}

function emptySubmodulesWarning(
  service: Pick<ServiceRef, 'projectName'>,
  options: BuildOptions,
  empty: ReadonlyArray<{ source: CopySource; submodule: string }>,
): string {
  const subs = empty.map((e) => e.submodule);
  const byLine = new Map<number, { instruction: string; subs: string[] }>();
  for (const { source, submodule } of empty) {
    const entry = byLine.get(source.line) ?? { instruction: source.instruction, subs: [] };
    byLine.set(source.line, { ...entry, subs: [...entry.subs, submodule] });
  }
  const copies = [...byLine].map(
    ([line, entry]) => `${options.dockerfile}:${line} ${entry.instruction} copies ${listedNames(entry.subs)}`,
  );
  return `nx-fleet: ${service.projectName}: ${copies.join('; ')}: ${subs.length === 1 ? 'a git submodule' : 'git submodules'} (.gitmodules) not checked out here, which the image gets empty. Run "git submodule update --init ${subs.join(' ')}" (in CI, check out with submodules: actions/checkout's "submodules: true").`;
}

/** The submodule folders a `.gitmodules` text names (`path = vendor/zoekt`). */
export function submodulePaths(gitmodules: string): string[] {
  return [...gitmodules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map(([, path]) =>
    posix.normalize(path!).replace(/\/+$/, ''),
  );
}

/**
 * The workspace's own folder name when a source starts with it and the rest is a workspace path
 * (unkey's `COPY web/package.json` with Nx in `web/`): a Dockerfile written for the folder above.
 */
function workspaceFolderPrefix(
  source: string,
  workspaceRoot: string,
  onDisk: (workspacePath: string) => boolean,
): string | undefined {
  const folder = basename(workspaceRoot);
  const inside = folder ? insideWorkspaceFolder(source, folder) : undefined;
  return inside !== undefined && onDisk(inside) ? folder : undefined;
}

/**
 * A source written with build arguments that have no default and that docker-build does not pass
 * (typebot's `COPY scripts/${SCOPE}-entrypoint.sh`): the engine expands them to nothing and fails
 * on that path after every step before it; here it fails first, naming the arguments.
 */
function unsetArgsProblem(
  written: readonly WrittenSource[],
  contextFiles: readonly string[],
  options: BuildOptions,
): string | undefined {
  const empty = written.find(
    ({ line, instruction, unset }) =>
      unset && missingSources([{ line, instruction, source: unset.source }], contextFiles).length,
  );
  if (!empty?.unset) return undefined;
  return unsetArgsMessage(
    options,
    { ...empty, unset: empty.unset },
    `the build reads "${empty.unset.source}", which is not in the build context`,
  );
}

/** An instruction build arguments without a value leave open: which, what the build then does, and the setting. */
function unsetArgsMessage(
  options: BuildOptions,
  { line, instruction, unset: { args } }: Pick<WrittenSource, 'line' | 'instruction'> & { unset: { args: string[] } },
  then: string,
): string {
  return `nx-fleet: ${options.dockerfile}:${line} ${instruction}: the build argument${args.length > 1 ? 's' : ''} ${args.join(', ')} ${args.length > 1 ? 'have' : 'has'} no default and docker-build passes none, so ${then}. Set ${args.map((a) => `"${a}"`).join(', ')} in docker-build's "buildArgs" (its options in the project configuration, or --buildArgs.${args[0]}=… on the command line); a Dockerfile that builds several images, one per value, is one service per value.`;
}

/** A path in another project's `dist`, `build` or `out` folder: that project's build output. */
function otherProjectsOutput(
  path: string,
  service: Pick<ServiceRef, 'projectName' | 'graph'>,
): { project: string; output: string } | undefined {
  const projects = Object.entries(service.graph.nodes).map(([name, node]) => ({ name, root: node.data.root }));
  const owner = buildOutputOwner(path, projects);
  return owner && owner.project !== service.projectName ? { project: owner.project, output: owner.output } : undefined;
}

/** What a dry run names the pruned context it does not write. */
const PRUNED_CONTEXT = '<pruned-context>';

function dryRunOutcome(decision: BuildDecision, localRef: string, engine: Engine, command: string | undefined): string {
  return command
    ? `would build ${localRef}, running: ${command}; nothing is built or recorded`
    : `${existing(decision, localRef, engine)}; nothing is recorded`;
}

function outcome(decision: BuildDecision, localRef: string, engine: Engine, seconds: string): string {
  return decision.kind === 'build'
    ? `built ${localRef} with ${engine.name} in ${seconds}s`
    : existing(decision, localRef, engine);
}

function existing(decision: BuildDecision, localRef: string, engine: Engine): string {
  const where = decision.kind === 'present-in-engine' ? `in ${engine.name}` : 'in the registry';
  return `${localRef} already exists (${where}), no build needed`;
}

/** On a machine that never built it, an image the registry already holds needs no build: push only adds tags. */
async function registryDigest(
  ports: Pick<BuildPorts, 'processes' | 'env' | 'http'>,
  options: BuildOptions,
  image: string,
  tag: string,
  workspaceRoot: string,
): Promise<string | undefined> {
  const destination = destinationFor(ports.env, options, image, workspaceRoot);
  if (destination.kind !== 'registry') return undefined; // no registry configured
  return registryAccess(ports).digest(destination, tag);
}

/** What the engine is asked to build: the context, tags, labels and build arguments. */
async function buildRequest(
  ports: Pick<BuildPorts, 'git'>,
  options: BuildOptions,
  input: {
    dockerfile: string;
    dockerfileText: string;
    contextDir: string;
    named: readonly NamedContext[];
    bases: BaseImageSource[];
    localRef: string;
    contentTag: string;
    revision?: GitRevision;
    workspaceRoot: string;
  },
): Promise<Omit<BuildRequest, 'iidFile'>> {
  const source = await ports.git.sourceUrl(input.workspaceRoot);
  const labels: Record<string, string> = {
    ...(input.revision
      ? {
          'org.opencontainers.image.revision': input.revision.sha,
          'org.opencontainers.image.created': input.revision.committedAt,
        }
      : {}),
    ...(source ? { 'org.opencontainers.image.source': source } : {}),
    ...options.labels,
    // Last, so no label option can change what the image says it was built from.
    [CONTENT_TAG_LABEL]: input.contentTag,
  };
  // FLEET_GIT_SHA lets an image report the commit it was built from; it is no part of the content
  // tag (the same sources keep the same tag), and it is only passed to Dockerfiles that declare it.
  const revisionArg: Record<string, string> =
    input.revision && /\bARG\s+FLEET_GIT_SHA\b/.test(input.dockerfileText) ? { FLEET_GIT_SHA: input.revision.sha } : {};
  return {
    dockerfile: input.dockerfile,
    context: input.contextDir,
    tags: [input.localRef],
    buildArgs: { ...(options.buildArgs ?? {}), ...revisionArg },
    buildContexts: Object.fromEntries(input.named.map(({ name, passed }) => [name, passed])),
    ...(input.bases.length ? { baseImages: input.bases } : {}),
    target: options.target,
    platforms: options.platforms ?? [],
    labels,
    secrets: options.secrets ?? [],
    cacheFrom: options.cacheFrom ?? [],
    cacheTo: options.cacheTo ?? [],
    ...(new DockerfileReading(input.dockerfileText, options.buildArgs, options.target).bindsInRun
      ? { runBindMounts: true }
      : {}),
  };
}
