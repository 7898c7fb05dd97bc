import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CreateNodesContext, CreateNodesResult, CreateNodesResultArray } from '@nx/devkit';
import { type FleetPluginOptions, type NormalizedFleetOptions } from '../config/options';
import type { FleetServiceConfig } from '../config/service-settings';
import { nxAnalysesSources, othersInfer } from '../config/workspace-options';
import { pactFilesByRoot } from '../contracts/pacts';
import { parentServiceRoots, withoutIgnoredInside } from '../release/change-rules';
import {
  containerfileVariant,
  isProjectManifest,
  serviceContainerfile,
  variantsLeft,
  unexcluded,
  orphanVariants,
  projectlessVariants,
  rootVariants,
  unbuiltVariants,
  passedOverPlain,
  withContainerFolders,
  variantsByFolder,
  withLowercaseDockerfiles,
  type Detection,
} from '../services/detection';
import { devContainerDockerfiles } from '../services/dev-containers';
import { defaultRunOptions, packageScripts } from '../services/projects';
import { ignoreFileFor, interpolatedOutput, parseIgnoreFile } from '../image/build-context';
import {
  buildsEveryPackage,
  contextFolder,
  copiedProjectRoots,
  insideOf,
  lockedInstallLockfiles,
  prunesInImage,
  prunesKeepingIgnored,
  runsAnyBuild,
  copiesWholeContext,
  nestedRootOf,
  localDependencies,
  sourcesHolderOf,
  pathOf,
  scriptFacts,
  statedOutputsReached,
  truncate,
  type ContextFacts,
  type StatedOutput,
} from '../image/context-inference';
import {
  contextPath,
  copySources,
  excludedEverywhere,
  DockerfileReading,
  type CopySource,
  type ImageBase,
} from '../image/dockerfile-copies';
import { baseImageLinks, builtBy, unlinkedBaseImages, type BaseImages, type PinnedBase } from '../image/base-images';
import { listsWorkspace, patchedDependencyFiles, workspacePackageGlobs } from '../image/frozen-install';
import { imageNameFor } from '../image/records';
import { setting } from '../config/settings';
import { registryPrefix } from '../registry/destinations';
import { inDevelopmentFolder, namesDevelopment, testToolNamed } from '../text/development-names';
import { refinedFolders } from '../text/folder-globs';
import { fullRepository, referenceParts } from '../text/image-reference';
import {
  argumentTemplates,
  argumentValue,
  namedBuildFor,
  namedFolder,
  namedProject,
  notTheProjects,
  prunedBy,
  prunedFor,
  prunedProjects,
  rootBuildFor,
  rootDockerfileFor,
  selectorArguments,
} from '../image/pruned-for';
import type { Env } from '../io/ports';
import { importsOf, isSourceFile, prepareForEdits } from '../runtime-graph/sdk-imports';
import { listed } from '../text/listed';
import { withoutSourceExtension, type ProjectInfo } from '../runtime-graph/sdk-ownership';
import { createNodesFromFiles, packageJsonProjects, type WorkspaceFileData } from './devkit-internal';
import { FolderCache, type FolderManifests } from './folder-cache';
import { NodesCache } from './nodes-cache';
import {
  ambiguousWarning,
  analyseFolder,
  MANIFEST_NAMES,
  orphanWarning,
  replacedBuildWarning,
  replacedTargetWarning,
  rootVariantsWarning,
  unbuiltVariantsWarning,
  variantsWarningKey,
  passedOverWarning,
  prunedRootWarning,
  type FolderAnalysis,
  type ReplacedBuild,
  type Warning,
} from './service-folders';
import { runtimeProviderRoots, type RuntimeProviders, type ScanStats } from './runtime-providers';
import { resolveServiceContext, withoutMissingProducers, type ServiceContext } from './service-context';
import { baseImagePaths, buildServiceTargets, serviceProjectMetadata, withPaths } from './targets';
import { cpuMs, inDaemon } from './worker-state';
import { GraphMemo } from './graph-memo';
import {
  buildsOnInstall,
  buildsWorkspaceOnInstall,
  referenceBuilds,
  tscBuildConfigs,
  typeScriptOutDirs,
} from './typescript-builds';
import { dependencyBuilds, packageDependencyRoots } from './dependency-builds';
import { WorkspaceTexts } from './workspace-texts';
import type { CreateNodesDeps } from './create-nodes';

type Service = Extract<Detection, { kind: 'service' }>;

/** One folder's analysis, or what went wrong with it alone. */
type Outcome = { analysis: FolderAnalysis } | { file: string; error: unknown };

/** What becomes one entry of the result: a service's project, or a folder's failure, under its file. */
type Unit = { file: string } & ({ service: Service; projectName: string; replacedBuild: boolean } | { error: unknown });

/** What createNodes knows when no kept answer fits: the analysis starts from it. */
export interface Miss {
  files: readonly string[];
  rawOptions: FleetPluginOptions | undefined;
  context: CreateNodesContext;
  deps: CreateNodesDeps;
  how: 'graph' | 'here' | 'warm-up';
  options: NormalizedFleetOptions;
  daemon: boolean;
  sourceWarnings: Warning[];
  collect(key: string, message: string): void;
  state: string | undefined;
  workspaceFiles: readonly WorkspaceFileData[] | undefined;
  texts: WorkspaceTexts;
  matchedFolders: Map<string, string[]>;
  claimed: ReadonlySet<string>;
  roots: readonly string[];
  sharedRoots: readonly string[];
  sharedOf(projectRoots: readonly string[], ignored?: readonly string[]): string[];
  shared: readonly string[];
  broker: boolean;
  frame: string;
  answers: NodesCache | undefined;
  keyOf(): string;
}

/**
 * The services' projects computed from the workspace (createNodes on a miss): each folder analysed,
 * the batch-wide facts, the runtime providers, the targets; the answer kept for the next graph.
 */
export async function computeNodes({
  files,
  rawOptions,
  context,
  deps,
  how,
  options,
  daemon,
  sourceWarnings,
  collect,
  state,
  workspaceFiles,
  texts,
  matchedFolders,
  claimed,
  roots,
  sharedRoots,
  sharedOf,
  shared,
  broker,
  frame,
  answers,
  keyOf,
}: Miss): Promise<CreateNodesResultArray> {
  const filePaths = workspaceFiles?.map((file) => file.file) ?? [];
  const variants = workspaceFiles && imageVariants(variantsByFolder(filePaths), texts);
  const folders = withContainerFolders(
    withVariants(withLowercaseDockerfiles(matchedFolders, filePaths), variants),
    workspaceFiles && notTheProjects(pathOf(filePaths), (dockerfile) => texts.reading(dockerfile)),
    variants,
  );
  const cache = FolderCache.load(deps.cacheDirectory, rawOptions);
  const optionsKey = JSON.stringify(options);
  const isNxProject = nxProjectRoots(context.workspaceRoot, files, deps.env);
  const analysed = withoutNameClashes(
    withoutFixtureProjects(
      withoutClaimedRoot(
        withoutImageLists(
          withNxNamedPackages(
            [...folders].map(([root, folderFiles]) =>
              analyse(root, folderFiles, { options, optionsKey }, texts, cache, deps.memo),
            ),
            { folders, options, texts, isNxProject },
          ),
          texts,
          options.buildTargetName,
        ),
      ),
      roots,
      isNxProject,
    ),
    roots,
    isNxProject,
  );
  const outcomes = workspaceFiles
    ? withPrunedImages(analysed, roots, { folders, variants, options, texts, isNxProject, verbose: deps.verbose })
    : analysed;
  const detections = outcomes.flatMap((o) => ('analysis' in o ? [o.analysis.detection] : []));
  const projects = workspaceFiles && nxProjectsOf(outcomes, roots, isNxProject, texts);
  const providers = await providersOf(projects, rawOptions, context.workspaceRoot, workspaceFiles, {
    ...deps,
    warn: collect,
  });
  const unbuilt = unbuiltDockerfiles(texts);
  const angular = angularProjects(texts);
  const alike = alikeBuildWarnings(detections, texts, options.buildTargetName, unbuilt);
  const matched = new Set(files);
  const units = outcomes.flatMap((outcome) => unitOf(outcome, matched, isNxProject));
  const bases = baseLinksOf(units, setting(deps.env, 'registry', options.registry), options.buildTargetName, texts);
  // A variant beside the Dockerfile a root service is built from is named once, as such (not as a root variant too).
  const beside = unbuiltVariants(detections, variants, options.exclude);
  const warnings = [
    ...outcomes.flatMap((o, i) =>
      'analysis' in o ? o.analysis.warnings.map((w) => ({ ...w, roots: [roots[i]!] })) : [],
    ),
    ...orphanWarnings(
      shippable(withOrphanVariants(detections, variants, folders, options.exclude), filePaths, texts),
      unbuilt,
      angular,
      { projects: projects || [], texts, files: filePaths },
      // The root's variants have a warning of their own, whose advice fits them.
      new Set(rootVariants(detections, folders.has('.') ? variants : undefined, options.exclude)),
    ),
    ...unbuiltVariantWarnings(beside, unbuilt),
    ...passedOverWarnings(detections, folders, options.exclude, unbuilt),
    ...rootVariantWarnings(detections, folders.has('.') ? variants : undefined, options, unbuilt, beside),
    ...replacedBuildWarnings(outcomes, options.buildTargetName, isNxProject),
    ...replacedTargetWarnings(outcomes, isNxProject),
    ...alike,
    ...placeholderWarnings(detections, texts, options.buildTargetName, projects || [], linkedNames(units, bases.links)),
    ...unmatchedServiceWarnings(options.services, folders, outcomes, angular),
    ...finalStageWarnings(
      detections,
      texts,
      options.buildTargetName,
      new Set(alike.flatMap((w) => w.roots)),
      projectNames(units),
    ),
    // A project's own build under that name is what Nx runs: its build arguments are its own (adopt carries them).
    ...selectorWarnings(
      units.flatMap((unit) => ('service' in unit && !unit.replacedBuild ? [unit.service] : [])),
      texts,
      options.buildTargetName,
      projectNames(units),
    ),
    ...bases.warnings,
    ...stageContextWarnings(units, texts, options.buildTargetName, bases.links),
    ...testToolImageWarnings(detections, folders, texts, options.exclude),
    ...secretWarnings(detections, texts, options.buildTargetName, projectNames(units)),
  ]
    .map(({ roots: about, ...warning }) => ({
      ...warning,
      state: warningState(
        warning.message,
        about.flatMap((root) => folders.get(root) ?? []),
        context.workspaceRoot,
      ),
    }))
    .concat(sourceWarnings.map((warning) => ({ ...warning, state: messageState(warning.message) })));
  // Once per workspace state: a warning an earlier Nx command printed over the same files is not printed again.
  for (const { key, message, state } of cache.unprinted(warnings)) deps.warnings.warn(`${key}\0${state}`, message);
  cache.save();

  // Rule (b) only where there are services. A Dockerfile a project builds from elsewhere (its settings,
  // or inferred from what it prunes to) is that service's input: its folder is no one's shared file.
  const elsewhere = detections.flatMap((d) =>
    d.kind === 'service' && d.root !== '.' && !d.dockerfile.startsWith(`${d.root}/`) ? [d.dockerfile] : [],
  );
  // Of the folders with a manifest, a project's: one Nx makes (a project.json, a package.json in the
  // workspaces), or a service nx-fleet makes one of. Another package.json (SigNoz's frontend/, in no
  // workspaces; one without a name; one whose name another project has, dapr's three `node_server`
  // samples) leaves its folder's files shared. Nx's rule is read here only, where an answer is
  // computed: the kept answer's key needs none of it.
  const serviceRoots = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.root] : [])));
  const projectFolders = sharedRoots.filter((root) => claimed.has(root) || isNxProject(root) || serviceRoots.has(root));
  // One at the root (dokploy's Dockerfile.server) leaves the other root files shared.
  const claimedFiles = elsewhere.flatMap((file) => [file, `${file}.dockerignore`]);
  // Another service's root Dockerfile is no one else's file (graphprotocol/indexer's two root variants).
  const sharedNow = (
    elsewhere.some((file) => !claimed.has(posix.dirname(file))) || projectFolders.length < sharedRoots.length
      ? sharedOf([...projectFolders, ...elsewhere.map((file) => posix.dirname(file))], claimedFiles)
      : shared
  ).filter((pattern) => !claimedFiles.includes(pattern));
  const affectedBy = affectedByOf(
    detections,
    detections.some((d) => d.kind === 'service')
      ? withoutIgnoredInside(sharedNow, filePaths, [...options.releaseIgnore, ...claimedFiles])
      : [],
    filePaths,
    projectFolders,
  );
  const filesVersion = deps.memo.filesVersion(filePaths);
  const pacts = pactFilesByRoot(files);
  const projectRoots = projects?.map(({ name, root, packageName }) => ({
    name,
    root,
    ...(packageName ? { packageName } : {}),
  }));
  // What context decisions read of the projects, as one short key (a build output's producer).
  const projectsVersion = createHash('sha256')
    .update(JSON.stringify(projectRoots ?? []))
    .digest('hex')
    .slice(0, 16);
  // What every service's context decision reads of the workspace root, read once.
  const rootManifest = texts.json('package.json');
  const pnpmWorkspace = texts.committedText('pnpm-workspace.yaml');
  const rootScripts = packageScripts(rootManifest);
  const root = {
    scripts: rootScripts,
    // Read with the shell's words, as a RUN is: `nx run-many --target=build --all`.
    buildScripts: Object.keys(rootScripts).filter((name) => buildsEveryPackage(rootScripts[name]!)),
    installBuilds: buildsWorkspaceOnInstall(packageScripts(rootManifest)),
    gitignore: texts.committedText('.gitignore')?.split(/\r?\n/),
    patchFiles: patchedDependencyFiles(rootManifest, pnpmWorkspace),
    packageGlobs: workspacePackageGlobs(rootManifest, pnpmWorkspace),
    sourcesAnalysed: nxAnalysesSources(context.nxJsonConfiguration, rootManifest),
  };
  const gitignoreVersion = texts.hashOf('.gitignore');
  const inferringPlugins = othersInfer(context.nxJsonConfiguration);
  // Whether a producer's project has a target, as its files state it: asked for producers only, once each.
  const targetNamesOf = new Map<string, readonly string[] | undefined>();
  const hasTarget = (project: string, target: string): boolean | undefined => {
    if (inferringPlugins) return undefined;
    if (!targetNamesOf.has(project)) {
      const root = projectRoots?.find((p) => p.name === project)?.root;
      targetNamesOf.set(project, root === undefined ? undefined : statedTargetNamesAt(texts, root, isNxProject(root)));
    }
    return targetNamesOf.get(project)?.includes(target);
  };
  const result = await createNodesFromFiles(
    (_file, _options, _context, index) => {
      const unit = units[index]!;
      if ('error' in unit) throw unit.error;
      const { service, projectName, replacedBuild } = unit;
      const facts =
        workspaceFiles &&
        contextFacts(
          service,
          projectName,
          filePaths,
          texts,
          projectRoots ?? [],
          root,
          { build: service.config.buildTarget ?? options.buildTarget, dockerBuild: options.buildTargetName },
          context.workspaceRoot,
          { plugins: inferringPlugins, scripts: isNxProject(service.root) },
        );
      // A pure decision over these inputs: an edit that leaves them alone (most, in the daemon) reuses it.
      const contextKey = JSON.stringify([
        filesVersion,
        projectsVersion,
        optionsKey,
        service.config,
        { ...facts, files: undefined, projects: undefined, gitignore: undefined },
        gitignoreVersion,
      ]);
      const decided = deps.memo.decision(`context\0${service.root}`, contextKey, () =>
        resolveServiceContext(service.config, options, facts, service.root),
      );
      const serviceContext = decided.producers
        ? withoutMissingProducers(decided, options.buildTarget, hasTarget)
        : decided;
      return serviceNode(service, projectName, options, {
        broker,
        context: serviceContext,
        pacts: pacts.get(service.root) ?? [],
        affectedBy: [...affectedBy(service.root), ...producerFolders(serviceContext, projectRoots ?? [], service.root)],
        providerRoots: providers.roots.get(projectName) ?? [],
        baseImages: bases.links.get(projectName),
        pinnedBases: bases.pinned.get(projectName),
        replacedBuild,
      });
    },
    units.map((unit) => unit.file),
    rawOptions,
    context,
  );
  if (bases.links.size) withBaseImagePaths(result, bases.links, units, options);
  if (!answers || !workspaceFiles) return result;
  // The matched files count as read: a warning's state is made of their contents.
  const reads = new Set([...texts.read, ...files]);
  deps.memo.answered(
    { frame, files: workspaceFiles, state, reads, unchangedBy: providers.unchangedBy },
    { probes: texts.probes, result },
  );
  const save = () => answers.save(keyOf(), texts.probes, result);
  // The daemon's worker outlives this graph: the answer is written after it is returned.
  if (daemon) {
    // While idle, the missing files' folders are stamped, so the first edit does not look for each file.
    deps.memo.saveWhenIdle(() => {
      if (how !== 'warm-up') save();
      texts.rememberAbsences();
    });
  } else save();
  return result;
}

function analyse(
  root: string,
  folderFiles: readonly string[],
  { options, optionsKey }: { options: NormalizedFleetOptions; optionsKey: string },
  texts: WorkspaceTexts,
  cache: FolderCache,
  memo: GraphMemo,
): Outcome {
  try {
    const manifests = manifestsOf(root, folderFiles, texts);
    const analysed = () =>
      cache.analysis(root, folderFiles, manifests, (read) => analyseFolder(root, folderFiles, read, options));
    // A worker that outlives a graph (the daemon's) does not analyse again a folder whose manifests Nx reports unchanged.
    return {
      analysis:
        manifests.identity === undefined
          ? analysed()
          : memo.decision(`folder\0${root}`, JSON.stringify([manifests.identity, folderFiles, optionsKey]), analysed),
    };
  } catch (error) {
    return { file: serviceContainerfile(folderFiles).file ?? folderFiles[0]!, error };
  }
}

/**
 * A Dockerfile found in a project's folder that only lists images (`listsImagesOnly`: testcontainers'
 * modules, for Dependabot), or whose image is an empty `FROM scratch` (`buildsEmptyImage`), builds
 * none of its own: the project is no service. One the project's settings name, or whose stage they
 * pick, is built all the same.
 */
function withoutImageLists(outcomes: readonly Outcome[], texts: WorkspaceTexts, dockerBuild: string): Outcome[] {
  return outcomes.map((outcome) => {
    if (!('analysis' in outcome)) return outcome;
    const { detection } = outcome.analysis;
    if (detection.kind !== 'service') return outcome;
    const text = texts.text(detection.dockerfile);
    const imageless =
      listsImages(texts, detection.dockerfile) ||
      (text !== undefined &&
        buildsEmptyImage(text) &&
        statedBuildOf(texts, detection, dockerBuild).target === undefined);
    return imageless && !detection.config.dockerfile
      ? { analysis: { ...outcome.analysis, detection: { kind: 'none' } } }
      : outcome;
  });
}

/**
 * Whether a Dockerfile's last stage, the image a build without a target makes, is `FROM scratch` and
 * nothing else, after stages that do build something (pia-system's libraries: a CI toolbox stage its
 * lint and test jobs build by target, then an empty `final` that its deployment group never ships).
 */
function buildsEmptyImage(text: string): boolean {
  // Every graph asks it of every service: most name no scratch image at all.
  if (!/scratch/i.test(text)) return false;
  const instructions = text.split('\n').filter((line) => /^\s*[^\s#]/.test(line));
  return (
    /^\s*FROM\s+(?:--\S+\s+)*scratch(?:\s+AS\s+\S+)?\s*$/i.test(instructions.at(-1) ?? '') &&
    instructions.slice(0, -1).some((line) => /^\s*FROM\s/i.test(line))
  );
}

/** `listsImagesOnly`, parsed only where no line starts another instruction: every graph asks it of every service. */
function listsImages(texts: WorkspaceTexts, file: string): boolean {
  const text = texts.text(file);
  return text !== undefined && !OTHER_INSTRUCTION.test(text) && texts.reading(file)?.listsImagesOnly === true;
}

/** A line that starts an instruction other than FROM or ARG. */
const OTHER_INSTRUCTION = /^[ \t]*(?!(?:FROM|ARG)\b)[A-Za-z]/im;

function unitOf(outcome: Outcome, matched: ReadonlySet<string>, isNxProject: (root: string) => boolean): Unit[] {
  if ('error' in outcome) return [outcome];
  const { detection, projectName } = outcome.analysis;
  return detection.kind === 'service'
    ? [
        {
          file: sourceFileOf(detection, matched),
          service: detection,
          projectName,
          replacedBuild: replacedBuildOf(outcome, isNxProject) !== undefined,
        },
      ]
    : [];
}

/**
 * What affects a service besides its own files: paths outside every project (rule b, when there are
 * services at all) and the files of the services it is nested in (rule c): a parent's folder without
 * the projects nested in it, which are theirs (gaia's `apps/bots`, whose bots each copy their own
 * folder: one bot's change is no sibling's).
 */
function affectedByOf(
  detections: readonly Detection[],
  shared: readonly string[],
  files: readonly string[],
  projectRoots: readonly string[],
): (root: string) => string[] {
  const serviceRoots = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.root] : [])));
  const own = new Map<string, string[]>();
  const parentFiles = (parent: string) => {
    let patterns = own.get(parent);
    if (!patterns) {
      const nested = projectRoots.filter((root) => root.startsWith(`${parent}/`)).map((root) => `${root}/`);
      patterns = nested.length
        ? refinedFolders([`${parent}/**`], files, (file) => nested.some((root) => file.startsWith(root)), 40)
        : [`${parent}/**`];
      own.set(parent, patterns);
    }
    return patterns;
  };
  return (root) => [...shared, ...parentServiceRoots(root, serviceRoots).flatMap(parentFiles)];
}

/**
 * The folders of the other projects whose build output the image carries (a sibling app's `dist` an
 * nginx image serves): a change there changes the image, and Nx 23 selects affected projects by the
 * project graph, where the service need not depend on them, or by the `{workspaceRoot}` paths its
 * targets name. A root project's folder would be every file: rule (b) covers those outside projects.
 */
function producerFolders(
  context: ServiceContext,
  projects: ReadonlyArray<{ name: string; root: string }>,
  serviceRoot: string,
): string[] {
  const roots = (context.producers ?? []).flatMap(({ project }) => {
    const root = projects.find((p) => p.name === project)?.root;
    return root === undefined || root === '.' || root === serviceRoot || root.startsWith(`${serviceRoot}/`)
      ? []
      : [root];
  });
  return [...new Set(roots)].map((root) => `${root}/**`);
}

/**
 * The detections an orphan warning may name: not the Dockerfiles a dev container configuration builds
 * (Requarks/wiki's `dev/containers`, built through a compose file), nor those in a folder named for
 * development (kubernetes/dashboard's `hack/develop`, as a variant's name says it), which no one ships.
 */
function shippable(detections: readonly Detection[], files: readonly string[], texts: WorkspaceTexts): Detection[] {
  if (!detections.some((d) => d.kind === 'orphan')) return [...detections];
  const dev = devContainerDockerfiles(files, (path) => texts.committedText(path));
  return detections.filter(
    (d) => d.kind !== 'orphan' || (!dev.has(d.dockerfile) && !inDevelopmentFolder(posix.dirname(d.dockerfile))),
  );
}

/**
 * Services whose project only nx-fleet names (a package.json in none of the package manager's
 * workspaces) inside a folder named for development or tests are none, as an orphan Dockerfile there
 * is: a test's fixture image (aws-cdk-cli's `@aws-cdk-testing/…/DockerImageFunctionConstruct`), no
 * project of the workspace's.
 */
/**
 * A package.json without a name that Nx makes a project of all the same (in the package manager's
 * workspaces, named after its folder: MonSSteRFF/micro's `backend/proto`) is that project; its
 * Dockerfile is the project's service, as beside a named one.
 */
function withNxNamedPackages(
  outcomes: readonly Outcome[],
  facts: {
    folders: ReadonlyMap<string, readonly string[]>;
    options: NormalizedFleetOptions;
    texts: WorkspaceTexts;
    isNxProject: (root: string) => boolean;
  },
): Outcome[] {
  const roots = [...facts.folders.keys()];
  return outcomes.map((outcome, i) => {
    const root = roots[i]!;
    const folderFiles = facts.folders.get(root) ?? [];
    if (!('analysis' in outcome) || outcome.analysis.detection.kind !== 'orphan' || root === '.') return outcome;
    const manifests = manifestsOf(root, folderFiles, facts.texts).texts();
    if (!('package.json' in manifests) || 'project.json' in manifests || !facts.isNxProject(root)) return outcome;
    const analysis = analyseFolder(root, folderFiles, manifests, facts.options, true);
    return analysis.detection.kind === 'service' ? { analysis } : outcome;
  });
}

function withoutFixtureProjects(
  outcomes: readonly Outcome[],
  roots: readonly string[],
  isNxProject: (root: string) => boolean,
): Outcome[] {
  return outcomes.map((outcome, i) =>
    'analysis' in outcome &&
    outcome.analysis.detection.kind === 'service' &&
    outcome.analysis.detection.name !== undefined &&
    !isNxProject(roots[i]!) &&
    inDevelopmentFolder(roots[i]!)
      ? { analysis: { ...outcome.analysis, detection: { kind: 'none' } } }
      : outcome,
  );
}

/**
 * A Dockerfile no project is (or names, in its fleet block or through the plugin option `services`) a
 * service of deserves a word; an excluded one does not.
 */
function orphanWarnings(
  detections: readonly Detection[],
  unbuilt: UnbuiltDockerfiles,
  angular: ReadonlyMap<string, string>,
  named: { projects: readonly ProjectInfo[]; texts: WorkspaceTexts; files: readonly string[] },
  namedElsewhere: ReadonlySet<string>,
) {
  const referenced = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
  const orphans = detections.flatMap((d) =>
    d.kind === 'orphan' &&
    !referenced.has(d.dockerfile) &&
    !namedElsewhere.has(d.dockerfile) &&
    unbuilt.buildsImage(d.dockerfile)
      ? [d.dockerfile]
      : [],
  );
  if (!orphans.length) return [];
  // Several (a monorepo's Go services beside its Node ones) are named in one warning. One that picks
  // its project by a build argument is no project's own: its note alone says what to do (nx-mf-react's
  // infrastructure/docker/Dockerfile, `ARG APP_NAME`).
  const picked = orphans.length === 1 && unbuilt.pickingArguments(orphans[0]!).length > 0;
  const warning = unbuilt.withImageNotes(orphanWarning(orphans, picked), orphans);
  const roots = orphans.map((file) => posix.dirname(file));
  const declared = [...new Set(roots)].flatMap((root) =>
    angular.has(root) ? [[root, angular.get(root)!] as const] : [],
  );
  return [
    {
      ...warning,
      message: warning.message + angularNote(declared) + namedNote(orphans, named) + folderNote(orphans, named),
      roots,
    },
  ];
}

/**
 * A Dockerfile named after a folder it copies that holds no project (web-app's `docker/backend.Dockerfile`
 * for the Python service in `apps/backend`): a project there makes it that project's image, where one
 * in the Dockerfile's own folder would build a project whose folder holds none of its sources.
 */
function folderNote(
  orphans: readonly string[],
  { projects, texts, files }: { projects: readonly ProjectInfo[]; texts: WorkspaceTexts; files: readonly string[] },
): string {
  const roots = new Set(projects.map((project) => project.root));
  const isFolder = (path: string) => !roots.has(path) && files.some((file) => file.startsWith(`${path}/`));
  const named = orphans.flatMap((dockerfile) => {
    const reading = texts.reading(dockerfile);
    const folder =
      reading && !namedProject(dockerfile, projects) ? namedFolder(dockerfile, reading, isFolder) : undefined;
    return folder === undefined ? [] : [`${dockerfile} copies ${folder}, the folder it is named after`];
  });
  if (!named.length) return '';
  const one = named.length === 1;
  return ` ${listed(named)}: a project.json with a "name" in ${one ? 'that folder' : 'each such folder'} makes ${one ? 'it that project' : 'each that project'}'s image.`;
}

/**
 * A Dockerfile named after a project that no build step claims for it (life-stats' `docker/api.Dockerfile`,
 * which builds through `npm run api:build`): the declaration that makes it that project's image, ready to paste.
 */
function namedNote(
  orphans: readonly string[],
  { projects, texts }: { projects: readonly ProjectInfo[]; texts: WorkspaceTexts },
): string {
  // One with an image per final stage needs a "target" too, which its own note names (detections' worker).
  const named = orphans.flatMap((dockerfile) => {
    const project = namedProject(dockerfile, projects);
    const images = texts.reading(dockerfile)?.finalStages.length ?? 1;
    return project && !project.isService && images === 1 ? [{ dockerfile, project }] : [];
  });
  const byProject = new Map<string, string[]>();
  for (const { dockerfile, project } of named)
    byProject.set(project.name, [...(byProject.get(project.name) ?? []), dockerfile]);
  // Several named after one project (Weave12's `Dockerfile.api` and `api.Dockerfile`): one key each, or
  // the pasted JSON would keep the last file silently.
  const single = [...byProject].flatMap(([project, files]) =>
    files.length === 1 ? [{ project, dockerfile: files[0]! }] : [],
  );
  const several = [...byProject].filter(([, files]) => files.length > 1);
  const singleNote = single.length
    ? ` ${listed(single.map(({ dockerfile, project }) => `${dockerfile} is named after ${project}`))}: ` +
      `the plugin option "services": { ${single.map(({ dockerfile, project }) => `"${project}": { "dockerfile": "${dockerfile}" }`).join(', ')} } makes ${single.length === 1 ? "it that project's image" : "each that project's image"}.`
    : '';
  const severalNotes = several.map(
    ([project, files]) =>
      ` ${listed(files)} are each named after ${project}: "${project}": { "dockerfile": <the one it ships> } in the plugin option "services" makes that one its image.`,
  );
  return singleNote + severalNotes.join('');
}

/** The folders' detections, with the shipping variants no project builds from as orphans of their own. */
function withOrphanVariants(
  detections: readonly Detection[],
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  folders: ReadonlyMap<string, unknown>,
  exclude: readonly string[],
): Detection[] {
  return [
    ...detections,
    ...projectlessVariants(variants, folders, exclude),
    ...orphanVariants(detections, variants, exclude),
  ];
}

/**
 * A Dockerfile no project builds, which prunes the workspace to one project that builds no image
 * (documenso's `docker/Dockerfile`: `turbo prune --scope=@documenso/remix`; dokploy's root
 * `Dockerfile.server`: `pnpm --filter=./apps/api deploy`), or which is named after one and builds it
 * alone by name (`docker/realtime.Dockerfile`: `pnpm --filter @acme/realtime build`), is that
 * project's image: the project is analysed again as if the plugin option `services` pointed it
 * there. Not cached per folder: the claim follows another folder's file.
 */
function withPrunedImages(
  analysed: readonly Outcome[],
  roots: readonly string[],
  facts: {
    folders: ReadonlyMap<string, readonly string[]>;
    variants: ReadonlyMap<string, readonly string[]> | undefined;
    options: NormalizedFleetOptions;
    texts: WorkspaceTexts;
    isNxProject: (root: string) => boolean;
    verbose: (message: string) => void;
  },
): readonly Outcome[] {
  const { folders, variants, options, texts } = facts;
  const { outcomes, unclaimed } = withoutPrunedRoot(analysed, roots, facts);
  const detections = outcomes.flatMap((o) => ('analysis' in o ? [o.analysis.detection] : []));
  const built = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
  // A project folder whose variants its settings do not choose between: those another project builds
  // by name or prunes to are that project's, as where the folder is no project (diagnova's `docker/`
  // once a project.json is added there for its proxy image: api.Dockerfile stays @diagnova/api's).
  const undecided = new Map<number, { name: string; ambiguous: string[] }>();
  outcomes.forEach((outcome, i) => {
    if (!('analysis' in outcome) || outcome.analysis.detection.kind !== 'none') return;
    const { ambiguous } = serviceContainerfile(unexcluded(folders.get(roots[i]!) ?? [], options.exclude));
    if (ambiguous) undecided.set(i, { name: outcome.analysis.projectName, ambiguous });
  });
  const unbuilt = new Set([
    ...(unclaimed ? [unclaimed] : []),
    ...withOrphanVariants(detections, variants, folders, options.exclude).flatMap((d) =>
      d.kind === 'orphan' && !built.has(d.dockerfile) ? [d.dockerfile] : [],
    ),
    ...rootVariants(detections, folders.has('.') ? variants : undefined, options.exclude),
    ...passedOverPlain(detections, folders, options.exclude).map(({ dockerfile }) => dockerfile),
    // Beside the file a service is built from (secshop's `docker/auth.dockerfile`, beside the base
    // image's, once `docker/` is a project): another project's, as where the folder is none.
    ...unbuiltVariants(detections, variants, options.exclude),
    ...[...undecided.values()].flatMap(({ ambiguous }) => ambiguous).filter((file) => !built.has(file)),
  ]);
  if (!unbuilt.size) return outcomes;
  const claims = new Map<string, Array<{ dockerfile: string; why: string }>>();
  const projects = nxProjectsOf(outcomes, roots, facts.isNxProject);
  const rootScripts = packageScripts(texts.json('package.json'));
  // The Angular CLI builds a project by its angular.json name (ngx-starter-kit's `ng build api`, Nx's `@ngx-starter-kit/api`).
  const angular = angularProjects(texts);
  const known = projects.map((project) => {
    const alias = angular.get(project.root);
    return alias !== undefined && alias !== project.name ? { ...project, aliases: [alias] } : project;
  });
  const dependencyRoots = dependencyRootsOf(projects, texts);
  for (const dockerfile of unbuilt) {
    const text = texts.text(dockerfile);
    if (text === undefined) continue;
    const pruned = prunedFor(text, projects, rootScripts, dependencyRoots);
    const named = pruned ? undefined : namedBuildFor(dockerfile, text, known, dependencyRoots, rootScripts);
    // The root's own Dockerfile where the root is no Nx project: the one project it builds by name.
    const rootBuilt =
      pruned || named || dockerfile !== unclaimed ? undefined : rootBuildFor(text, known, dependencyRoots, rootScripts);
    const found = pruned ?? named ?? rootBuilt;
    if (!found) continue;
    const why = pruned
      ? `"${found.step.text}" prunes the workspace to it`
      : rootBuilt
        ? `the workspace root is no Nx project, and "${found.step.text}" builds it, no other`
        : `it is named after it, and "${found.step.text}" ${found.runs ? 'runs it in its folder' : 'builds it'}`;
    claims.set(found.project, [...(claims.get(found.project) ?? []), { dockerfile, why }]);
  }
  // A project folder holding several variants, all but one of them other services' images (puretome's
  // `docker/` once it is the base image's project): the one left is its own; with several left, its
  // warning names those.
  const left = new Map<number, string[]>();
  undecided.forEach(({ name, ambiguous }, i) => {
    const taken = new Set([
      ...built,
      ...[...claims].flatMap(([project, claimed]) => (project === name ? [] : claimed.map((c) => c.dockerfile))),
    ]);
    const { left: own, own: one } = variantsLeft(ambiguous, taken, claims.has(name));
    if (own.length < ambiguous.length) left.set(i, own);
    if (one) claims.set(name, [{ dockerfile: one, why: "the other variants there are other services' images" }]);
  });
  if (!claims.size && !left.size) return outcomes;
  return outcomes.map((outcome, i) => {
    const root = roots[i]!;
    const folderFiles = folders.get(root) ?? [];
    if (!('analysis' in outcome) || outcome.analysis.detection.kind !== 'none') return outcome;
    const name = outcome.analysis.projectName;
    const own = left.get(i);
    const warnings = outcome.analysis.warnings.filter((warning) => warning.key !== variantsWarningKey(root));
    const unchosen =
      own && own.length !== 1
        ? {
            analysis: {
              ...outcome.analysis,
              warnings: own.length ? [...warnings, ambiguousWarning(root, own)] : warnings,
            },
          }
        : outcome;
    const claim = claims.get(name);
    // Two Dockerfiles for one project are not guessed between. One whose own variants build nothing
    // (documenso's leftover Dockerfile.bun and Dockerfile.pnpm, not guessed between) is claimed all the same.
    if (claim?.length !== 1 || !projects.some((p) => p.root === root)) return unchosen;
    const { dockerfile, why } = claim[0]!;
    const services = { ...options.services, [name]: { ...options.services[name], dockerfile } };
    const manifests = manifestsOf(root, folderFiles, texts).texts();
    const analysis = analyseFolder(root, folderFiles, manifests, { ...options, services });
    if (analysis.detection.kind !== 'service') return unchosen;
    facts.verbose(`nx-fleet: ${name} is a service built from ${dockerfile}: ${why}`);
    return { analysis };
  });
}

/** The workspace projects a project depends on, by root, as its package.json states them. */
function dependencyRootsOf(
  projects: Parameters<typeof packageDependencyRoots>[1],
  texts: WorkspaceTexts,
): (root: string) => readonly string[] {
  return (root) => packageDependencyRoots(root, projects, (path) => texts.json(path));
}

/**
 * The workspace root's own Dockerfile, with no settings of the root's, that prunes the workspace to
 * another project is that project's image, not the root's (HazelHook's root Dockerfile, a copy of its
 * backend's `turbo prune backend`): the root is no service of it, its image built by the project's
 * own Dockerfile, named in a warning, or claimed by the project with none (`withPrunedImages`).
 */
function withoutPrunedRoot(
  outcomes: readonly Outcome[],
  roots: readonly string[],
  facts: { texts: WorkspaceTexts; isNxProject: (root: string) => boolean },
): { outcomes: readonly Outcome[]; unclaimed?: string } {
  const at = roots.indexOf('.');
  const outcome = outcomes[at];
  if (!outcome || !('analysis' in outcome)) return { outcomes };
  const { detection, projectName } = outcome.analysis;
  if (detection.kind !== 'service' || posix.dirname(detection.dockerfile) !== '.') return { outcomes };
  if (Object.keys(detection.config ?? {}).length) return { outcomes };
  // Most root Dockerfiles run no prune tool: the projects are not listed for them, unless the root is no
  // Nx project (a package.json only nx-fleet makes one of), whose Dockerfile may build one of them by name.
  const text = facts.texts.text(detection.dockerfile);
  const reading = facts.texts.reading(detection.dockerfile);
  const fleetOnly = !facts.isNxProject('.');
  if (text === undefined || !reading || (!prunedBy(reading).length && !fleetOnly)) return { outcomes };
  const projects = nxProjectsOf(outcomes, roots, facts.isNxProject);
  const rootScripts = packageScripts(facts.texts.json('package.json'));
  const dependencyRoots = dependencyRootsOf(projects, facts.texts);
  const builtFromOf = (project: string) =>
    outcomes.flatMap((o) =>
      'analysis' in o && o.analysis.projectName === project && o.analysis.detection.kind === 'service'
        ? [o.analysis.detection.dockerfile]
        : [],
    )[0];
  const found = rootDockerfileFor(
    text,
    projects,
    { name: projectName, nxProject: !fleetOnly },
    (project) => builtFromOf(project) !== undefined,
    dependencyRoots,
    rootScripts,
  );
  if (!found) return { outcomes };
  const builtFrom = builtFromOf(found.project);
  const warnings = builtFrom ? [prunedRootWarning(detection.dockerfile, found, builtFrom)] : [];
  const analysis: FolderAnalysis = {
    ...outcome.analysis,
    detection: { kind: 'none' },
    warnings: [...outcome.analysis.warnings, ...warnings],
  };
  return {
    outcomes: outcomes.map((o, i) => (i === at ? { analysis } : o)),
    ...(builtFrom ? {} : { unclaimed: detection.dockerfile }),
  };
}

/**
 * Services that build one Dockerfile with the same stage and build arguments push one image under
 * several names: most often a Dockerfile with a stage per image (karakeep's, jitsu's) pointed at
 * without "target". Each stage and argument is as the service's settings, then its own docker-build
 * options, state it.
 */
function alikeBuildWarnings(
  detections: readonly Detection[],
  texts: WorkspaceTexts,
  dockerBuild: string,
  dockerfiles: UnbuiltDockerfiles,
) {
  const services = detections.flatMap((d) => (d.kind === 'service' ? [d] : []));
  const byDockerfile = new Map<string, typeof services>();
  for (const service of services)
    byDockerfile.set(service.dockerfile, [...(byDockerfile.get(service.dockerfile) ?? []), service]);
  return [...byDockerfile].flatMap(([dockerfile, sharing]) => {
    if (sharing.length < 2) return [];
    const buildOf = (service: (typeof services)[number]) => JSON.stringify(statedBuildOf(texts, service, dockerBuild));
    const alike = new Map<string, string[]>();
    for (const service of sharing) {
      const build = buildOf(service);
      alike.set(build, [...(alike.get(build) ?? []), service.root]);
    }
    return [...alike.values()]
      .filter((roots) => roots.length > 1)
      .map((roots) => ({
        ...dockerfiles.withImageNotes(
          {
            key: `alike:${dockerfile}:${roots.join(',')}`,
            message: `nx-fleet: ${listed(roots.map((root) => (root === '.' ? 'the workspace root' : root)))} build ${dockerfile} alike (no "target", "buildArgs" or "buildContexts" of theirs tells them apart): they push one image under ${roots.length} names.`,
          },
          [dockerfile],
        ),
        roots,
      }));
  });
}

/**
 * What tells one build of a Dockerfile from another: the stage and the build arguments and named
 * contexts, as the service's settings, then its own docker-build options, state them.
 */
function statedBuild(
  service: { config: FleetServiceConfig },
  declared: DeclaredTarget,
): { target: unknown; buildArgs: Record<string, string>; buildContexts: Record<string, string> } {
  return {
    target: (declared?.options as { target?: unknown } | undefined)?.target ?? service.config.target,
    buildArgs: { ...service.config.buildArgs, ...declaredStrings(declared, 'buildArgs') },
    buildContexts: { ...service.config.buildContexts, ...declaredStrings(declared, 'buildContexts') },
  };
}

/** The context a project's own docker-build options name (`context`, and `prune` when stated), as a workspace folder. */
function statedContextOf(declared: DeclaredTarget): ContextFacts['statedContext'] {
  const options = declared?.options as { context?: unknown; prune?: unknown } | undefined;
  if (typeof options?.context !== 'string' || !options.context) return undefined;
  const context = posix.normalize(options.context).replace(/\/+$/, '') || '.';
  // Above the workspace (`..`, the folder Nx hashes nothing of) no input can follow it: the inference's word stands.
  if (context === '..' || context.startsWith('../') || posix.isAbsolute(context)) return undefined;
  return { context, ...(typeof options.prune === 'boolean' ? { prune: options.prune } : {}) };
}

/** `statedBuild` of a service, its docker-build target read from its manifests. */
function statedBuildOf(
  texts: WorkspaceTexts,
  service: { root: string; config: FleetServiceConfig },
  dockerBuild: string,
) {
  return statedBuild(service, declaredBuild(texts, service.root, dockerBuild));
}

/** A project's target of that name as its own files (project.json, package.json `nx.targets`) state it. */
function declaredBuild(texts: WorkspaceTexts, root: string, name: string): DeclaredTarget {
  return declaredTargets(texts, root, texts.json(posix.join(root, 'package.json')))[name];
}

/**
 * A service whose Dockerfile picks the project it builds or copies by a build argument its
 * docker-build does not set (the Nest CLI's one Dockerfile for every app, `npm run build ${APP}`;
 * bins' `cd packages/$APP_NAME`): the tool then builds its default project, or none, a COPY takes the
 * whole folder, and the image is no one's in particular.
 */
function selectorWarnings(
  detections: readonly Detection[],
  texts: WorkspaceTexts,
  dockerBuild: string,
  names: ReadonlyMap<string, string>,
) {
  return detections.flatMap((d) => {
    // Most Dockerfiles declare no build argument they expand: no parse for those.
    const text = d.kind === 'service' ? texts.text(d.dockerfile) : undefined;
    if (d.kind !== 'service' || !text?.includes('$') || !/^\s*ARG\s/im.test(text)) return [];
    const stated = statedBuildOf(texts, d, dockerBuild);
    const target = typeof stated.target === 'string' ? stated.target : undefined;
    // The stages its build runs, with the arguments it gives (the shared reading where it gives none).
    const reading =
      target === undefined && !Object.keys(stated.buildArgs).length
        ? texts.reading(d.dockerfile)!
        : new DockerfileReading(text, stated.buildArgs, target);
    const [open] = selectorArguments(reading).flatMap(({ step, args }) => {
      const unset = args.filter((arg) => !Object.hasOwn(stated.buildArgs, arg));
      return unset.length ? [{ step, unset }] : [];
    });
    if (!open) return [];
    const project = d.root === '.' ? 'the workspace root' : (names.get(d.root) ?? d.root);
    const args = listed(open.unset);
    // The values the file's paths and packages give it for this project (`COPY apps/${APP_NAME}`: its folder's name).
    const name = names.get(d.root) ?? d.root;
    const values = open.unset.map((arg) => [arg, argumentValue(reading, arg, { root: d.root, name })] as const);
    const known =
      d.root !== '.' && values.every(([, value]) => value !== undefined)
        ? ` (${values.map(([arg, value]) => `"${arg}": "${value}"`).join(', ')})`
        : '';
    return [
      {
        key: `selector-args:${d.dockerfile}:${d.root}`,
        message: `nx-fleet: ${d.dockerfile}:${open.step.line} "${truncate(open.step.text)}" takes the build argument ${args}, which the docker-build of ${project} does not set: the step runs with ${open.unset.length === 1 ? 'it' : 'them'} empty (no project picked, or a whole folder copied). Set ${args} in the "buildArgs" of ${project}'s docker-build${known} (its entry of the plugin option "services", or the target's options); where the file builds every app, each app is a service of its own: a project (a project.json with a "name" in its folder, where it has none) pointed at it with "dockerfile" and "buildArgs" in its entry of the plugin option "services".`,
        roots: [d.root],
      },
    ];
  });
}

/**
 * A service's Dockerfile that copies from an empty `FROM scratch` stage (graphql-hive's router image,
 * built by `docker buildx bake`) expects a named build context there: unless `buildContexts` names
 * it, its image gets nothing there.
 */
function placeholderWarnings(
  detections: readonly Detection[],
  texts: WorkspaceTexts,
  dockerBuild: string,
  projects: ReadonlyArray<{ root: string; packageName?: string }>,
  /** The image names a service's Dockerfile takes from another service (`baseImages`), by its root. */
  linked: (root: string) => ReadonlySet<string>,
) {
  // A project named like a bare `--from=` (electric's packages/electric-telemetry) is the folder its CI sends as one.
  const folderNamed = (name: string) =>
    projects.find(
      (project) => posix.basename(project.root) === name || project.packageName?.replace(/^@[^/]+\//, '') === name,
    )?.root;
  return detections.flatMap((d) => {
    if (d.kind !== 'service') return [];
    const text = texts.text(d.dockerfile);
    // Most Dockerfiles copy from no other stage or image: no parse for them.
    if (!text || !/from=/i.test(text)) return [];
    // Stage names are lower case to the builder, whatever the Dockerfile writes.
    const named = new Set(Object.keys(statedBuildOf(texts, d, dockerBuild).buildContexts).map((n) => n.toLowerCase()));
    const reading = texts.reading(d.dockerfile)!;
    const stages = reading.placeholderStages.filter((stage) => !named.has(stage));
    // A name another service's image goes by is that image (`COPY --from=api`, a service named api).
    const images = linked(d.root);
    const folders = reading.foreignNames.flatMap((name) => {
      const folder = named.has(name) || images.has(name) ? undefined : folderNamed(name);
      return folder === undefined ? [] : [{ name, folder }];
    });
    return [
      ...(stages.length
        ? [
            {
              key: `placeholders:${d.dockerfile}`,
              message: `nx-fleet: ${d.dockerfile} copies from ${listed(stages)}, empty "FROM scratch" stage${stages.length > 1 ? 's' : ''}: placeholders a named build context fills ("contexts" of docker buildx bake, --build-context). Name ${stages.length > 1 ? 'them' : 'it'} in docker-build's "buildContexts" (the service's settings or the target's options: { "${stages[0]}": "<workspace folder>" }), or its image gets nothing there.`,
              roots: [d.root],
            },
          ]
        : []),
      ...(folders.length
        ? [
            {
              key: `foreign-names:${d.dockerfile}`,
              message: `nx-fleet: ${d.dockerfile} copies from ${listed(folders.map((f) => f.name))}, which ${folders.length > 1 ? 'are no stages' : 'is no stage'} of it: the engine takes ${folders.length > 1 ? 'them' : 'it'} as an image from a registry. If ${folders.length > 1 ? 'they are the folders' : 'it is the folder'} ${listed(folders.map((f) => f.folder))} (a named build context, --build-context ${folders[0]!.name}=…), name ${folders.length > 1 ? 'them' : 'it'} in docker-build's "buildContexts" (the service's settings or the target's options: { "${folders[0]!.name}": "${folders[0]!.folder}" }).`,
              roots: [d.root],
            },
          ]
        : []),
    ];
  });
}

/**
 * Entries of the plugin option `services` that name no project, by root or by name (a folder without a
 * manifest is none: opentelemetry-demo's Go services): they would be ignored without a word.
 */
function unmatchedServiceWarnings(
  services: NormalizedFleetOptions['services'],
  folders: ReadonlyMap<string, readonly string[]>,
  outcomes: readonly Outcome[],
  angular: ReadonlyMap<string, string>,
) {
  const known = new Set([
    ...[...folders].flatMap(([root, files]) =>
      files.some((file) => (MANIFEST_NAMES as readonly string[]).includes(posix.basename(file))) ? [root] : [],
    ),
    ...outcomes.flatMap((o) =>
      'analysis' in o && o.analysis.project ? [o.analysis.projectName, ...(o.analysis.project.packageName ?? [])] : [],
    ),
  ]);
  return Object.keys(services)
    .filter((key) => !known.has(key))
    .map((key) => ({
      key: `services:${key}`,
      message:
        `nx-fleet: the plugin option "services", entry "${key}": no project has that name or root, so it is ignored. A folder is a project when it holds a project.json (with a "name") or a package.json Nx reads; add one there, or name an existing project.` +
        angularNote([...angular].filter(([root, name]) => key === root || key === name)),
      roots: [] as string[],
    }));
}

/**
 * The projects the workspace's angular.json declares (an Nx workspace from before project.json, read
 * by Nx through @nx/angular), by root: nx-fleet reads project.json and package.json only.
 */
function angularProjects(texts: WorkspaceTexts): Map<string, string> {
  const projects = texts.json('angular.json')['projects'];
  if (typeof projects !== 'object' || projects === null) return new Map();
  return new Map(
    Object.entries(projects).flatMap(([name, project]) => {
      // A version 2 file may give a project as its root alone (`"api": "apps/api"`).
      const root = typeof project === 'string' ? project : (project as { root?: unknown } | null)?.root;
      return typeof root === 'string' ? [[posix.normalize(root || '.').replace(/\/+$/, ''), name] as const] : [];
    }),
  );
}

/** What to say where angular.json declares the projects a warning is about (Ridy's admin-panel and APIs). */
function angularNote(declared: ReadonlyArray<readonly [string, string]>): string {
  if (!declared.length) return '';
  const named = declared.map(([root, name]) => `${root} as "${name}"`).join(', ');
  return ` angular.json declares ${named}, and nx-fleet reads project.json and package.json only: a project.json there with that "name" makes ${declared.length === 1 ? 'it a service' : 'each a service'} (Nx merges it with angular.json's).`;
}

/** A command that runs tests, not a server: the test tools' runners, a test script, a test framework. */
const RUNS_TESTS =
  /\b(?:playwright\s+test|cypress\s+(?:run|open)|jest|vitest|mocha)\b|\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|e2e)[\w:-]*/;

/** Build argument names that hold secrets by convention; a client bundle's public settings (`NEXT_PUBLIC_*`, `VITE_*`) do not. */
const SECRET_ARG = /TOKEN|SECRET|PASSW(?:OR)?D|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL|NPM_AUTH/i;
const PUBLIC_ARG = /^(?:NEXT_PUBLIC|NUXT_PUBLIC|EXPO_PUBLIC|PUBLIC|VITE|REACT_APP|VUE_APP|GATSBY|STORYBOOK)_/i;

/**
 * Services whose Dockerfile declares a build argument named as a secret (`ARG NPM_TOKEN`, for a
 * private registry's `.npmrc`) before a RUN of the stages the image is built FROM: the engine writes the values of the
 * build arguments in scope into the image's history with each RUN, so whoever can pull the image reads
 * it. One warning per Dockerfile, with the build secret to use instead; and the credentials files it
 * copies (`copiedSettings`).
 */
function secretWarnings(
  detections: readonly Detection[],
  texts: WorkspaceTexts,
  dockerBuild: string,
  names: ReadonlyMap<string, string>,
): Array<{ key: string; message: string; roots: string[] }> {
  const byDockerfile = new Map<string, string[]>();
  for (const d of detections)
    if (d.kind === 'service') byDockerfile.set(d.dockerfile, [...(byDockerfile.get(d.dockerfile) ?? []), d.root]);
  return [...byDockerfile].flatMap(([dockerfile, roots]) => {
    // Most Dockerfiles name no such argument: no parse for those.
    const text = texts.text(dockerfile);
    const copied =
      text && /\.(?:npmrc|yarnrc|netrc|pypirc|env)\b/.test(text) ? copiedSettings(dockerfile, roots, texts) : [];
    if (!text || !/^\s*ARG\s/im.test(text) || !SECRET_ARG.test(text)) return copied;
    const leaked: Array<{ name: string; line: number }> = [];
    let inScope: Array<{ name: string; line: number }> = [];
    for (const step of texts.reading(dockerfile)?.shippedSteps ?? []) {
      const arg = /^ARG\s+([\s\S]*)$/i.exec(step.text);
      if (/^FROM\s/i.test(step.text)) inScope = [];
      else if (arg)
        for (const word of arg[1]!.trim().split(/\s+/)) {
          const name = word.split('=')[0]!;
          if (SECRET_ARG.test(name) && !PUBLIC_ARG.test(name)) inScope.push({ name, line: step.line });
        }
      else if (/^RUN\s/i.test(step.text))
        leaked.push(...inScope.filter(({ name }) => !leaked.some((seen) => seen.name === name)));
    }
    if (!leaked.length) return copied;
    const [first] = leaked;
    const id = first!.name.toLowerCase();
    const projects = listed(roots.map((root) => names.get(root) ?? root));
    return [
      {
        key: `secret-arg:${dockerfile}:${leaked.map(({ name }) => name).join(',')}`,
        message: `nx-fleet: ${listed(leaked.map(({ name, line }) => `${dockerfile}:${line} ARG ${name}`))}: the engine writes a build argument's value into the image's history with every RUN after it (\`docker history\` shows it), so whoever can pull the image of ${projects} can read ${leaked.length === 1 ? 'it' : 'them'}. Pass a secret as a build secret instead: "secrets": [{ "id": "${id}", "env": "${first!.name}" }] in the options of ${projects}'s ${dockerBuild}, and, in place of the ARG, RUN --mount=type=secret,id=${id} ${first!.name}="$(cat /run/secrets/${id})" <the command that needs it>.`,
        roots,
      },
      ...copied,
    ];
  });
}

/** Files that hold registry or service credentials where they are written before a build (CI's token `.npmrc`). */
const CREDENTIAL_FILE =
  /^(?:\.npmrc|\.yarnrc(?:\.yml)?|\.netrc|\.pypirc|\.env(?:\.(?!example$|sample$|template$|defaults?$)[\w.-]+)?)$/;

/**
 * A COPY of such a file that is no committed one (git ignores it: CI writes it with the token before
 * the build) into a stage the image is built FROM puts it into a layer, which a later RUN's removal
 * leaves readable (a stage the image only copies from keeps it out).
 */
function copiedSettings(
  dockerfile: string,
  roots: readonly string[],
  texts: WorkspaceTexts,
): Array<{ key: string; message: string; roots: string[] }> {
  const reading = texts.reading(dockerfile);
  const shipped = new Set(reading?.shippedSteps.map(({ line }) => line));
  const committed = (source: string) =>
    [source, posix.join(posix.dirname(dockerfile), source), ...roots.map((root) => posix.join(root, source))].some(
      (path) => texts.hashOf(path) !== undefined,
    );
  const copies = (reading?.sources ?? []).filter(({ source, line }) => {
    const path = contextPath(source);
    if (!shipped.has(line)) return false;
    return CREDENTIAL_FILE.test(posix.basename(path)) && !committed(path);
  });
  if (!copies.length) return [];
  const [{ source }] = copies as [CopySource];
  const id = posix.basename(contextPath(source)).replace(/^\./, '').replace(/\W+/g, '_');
  return [
    {
      key: `copied-settings:${dockerfile}:${copies.map(({ line }) => line).join(',')}`,
      message: `nx-fleet: ${listed(copies.map(({ line, instruction }) => `${dockerfile}:${line} ${instruction}`))}: ${copies.length === 1 ? 'a file' : 'files'} no commit holds (written before the build, as CI writes a token's .npmrc) copied into an image layer, which keeps ${copies.length === 1 ? 'it' : 'them'} readable to whoever can pull the image, a later RUN's rm notwithstanding. Where ${copies.length === 1 ? 'it holds' : 'they hold'} a secret, mount it for the RUN that needs it instead: "secrets": [{ "id": "${id}", "src": "<its path>" }] in docker-build's options, and RUN --mount=type=secret,id=${id},target=/root/${posix.basename(contextPath(source))} <the install>.`,
      roots: [...roots],
    },
  ];
}

/**
 * Dockerfile variants named for a test tool (`Dockerfile.playwright`, `Dockerfile.cypress`) are taken
 * for test images, but one whose image starts anything other than tests is an image built on the
 * tool's browsers (AnyCrawl's scraper worker, `CMD ["node", "dist/Worker.js"]`, which its CI pushes):
 * no service builds it, so it is named once, with how to make it one.
 */
function testToolImageWarnings(
  detections: readonly Detection[],
  folders: ReadonlyMap<string, readonly string[]>,
  texts: WorkspaceTexts,
  exclude: readonly string[],
): Array<{ key: string; message: string; roots: string[] }> {
  const built = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
  return [...folders].flatMap(([root, files]) =>
    unexcluded(files, exclude).flatMap((file) => {
      const tool = built.has(file) ? undefined : testToolNamed(containerfileVariant(file) ?? '', /[._-]/);
      const command = tool === undefined ? undefined : texts.reading(file)?.command;
      if (!command || RUNS_TESTS.test(command.text)) return [];
      const who = files.some(isProjectManifest) ? `the project in ${root}` : 'a project';
      return [
        {
          key: `test-tool-image:${file}`,
          message: `nx-fleet: ${file} is named for a test tool (${tool}), so it is taken for a test image and no service is built from it, but its image starts ${command.text} (line ${command.line}), no test run. If it is an image to ship, point ${who} at it with "metadata": { "fleet": { "dockerfile": "${file}" } } (or the plugin option "services"); else exclude it with the plugin option "exclude".`,
          roots: [root],
        },
      ];
    }),
  );
}

/**
 * Services whose Dockerfile builds one image per final stage (latitude's root Dockerfile, six), and
 * no "target" says which is theirs: the engine builds the last one, and the others are not built; and
 * those whose last stage is a development one with no stage to ship instead. Services named as
 * building it alike (`alikeBuildWarnings`) were told already.
 */
function finalStageWarnings(
  detections: readonly Detection[],
  texts: WorkspaceTexts,
  dockerBuild: string,
  told: ReadonlySet<string>,
  /** The services' project names, by root: the warning names what `nx run` takes (nebulaNV's `docker/`, project backend). */
  names: ReadonlyMap<string, string>,
) {
  const byDockerfile = new Map<string, string[]>();
  // The stages other services of the same Dockerfile build: those are shipped, by them.
  const targeted = new Map<string, Set<string>>();
  const oneStage = new Set<string>();
  for (const d of detections) {
    if (d.kind !== 'service' || told.has(d.root)) continue;
    const text = texts.text(d.dockerfile) ?? '';
    // Most Dockerfiles have one or two stages: no parse for one, unless it names itself for development
    // (docker-yarn-monorepo's root `FROM node AS dev`, which its compose file runs with the sources mounted).
    const stages = fromCount(text);
    if (stages < 2 && !onlyStageForDevelopment(text)) continue;
    if (stages === 1) oneStage.add(d.dockerfile);
    const target = statedBuildOf(texts, d, dockerBuild).target;
    if (target === undefined) byDockerfile.set(d.dockerfile, [...(byDockerfile.get(d.dockerfile) ?? []), d.root]);
    else if (typeof target === 'string')
      targeted.set(d.dockerfile, (targeted.get(d.dockerfile) ?? new Set()).add(target));
  }
  return [...byDockerfile].flatMap(([dockerfile, roots]) => {
    const reading = texts.reading(dockerfile)!;
    const others = reading.otherImageStages.filter((stage) => !targeted.get(dockerfile)?.has(stage));
    const development = reading.developmentLast;
    const projects = listed(roots.map((root) => (root === '.' ? 'the workspace root' : (names.get(root) ?? root))));
    // The stage shipped instead is docker-build's target (`shippedStageOf`).
    if (development?.ships !== undefined) return [];
    // Its one stage (docker-yarn-monorepo's root `FROM node AS dev`): no other stage to ship, another file may be the image.
    if (development && oneStage.has(dockerfile))
      return [
        {
          key: `development-only:${dockerfile}:${roots.join(',')}`,
          message: `nx-fleet: ${dockerfile}'s one stage, ${development.last}, is a development stage: the docker-build of ${projects} builds it. If ${projects} ships an image built from another Dockerfile, point ${roots.length === 1 ? 'it' : 'each'} at that file ("metadata": { "fleet": { "dockerfile": … } } in its configuration, or the plugin option "services" entry); else exclude ${dockerfile} with the plugin option "exclude".`,
          roots,
        },
      ];
    if (development && !others.length)
      return [
        {
          key: `development-last:${dockerfile}:${roots.join(',')}`,
          message: `nx-fleet: ${dockerfile}'s last stage, ${development.last}, is a development stage, and no stage it is built FROM runs anything of its own (CMD or ENTRYPOINT): the docker-build of ${projects} builds it, as the engine does without a "target". If ${projects} ships another stage, set "target" to it ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build's options).`,
          roots,
        },
      ];
    const unnamed = reading.unnamedImageStages;
    const unnamedNote = unnamed.length
      ? ` ${unnamed.length === 1 ? 'A final stage has' : `${unnamed.length} final stages have`} no name (${listed(unnamed.map((stage) => `${dockerfile}:${stage.line} ${stage.instruction}`))}): never built either, and "target" picks a named stage only; name ${unnamed.length === 1 ? 'it' : 'each'} (FROM … AS <name>), or remove ${unnamed.length === 1 ? 'it' : 'them'}.`
      : '';
    if (!others.length && !unnamed.length) return [];
    const final = reading.finalStages[reading.finalStages.length - 1]!;
    const unnamedLast = final.startsWith('#');
    const last = unnamedLast ? `the unnamed one (${final})` : final;
    // No "target" picks a stage with no name (overleaf's generated clsi Dockerfile): the others are what to settle.
    const advice = unnamedLast
      ? `Where ${projects} ships the last stage, make each other final stage a service of its own, with "target" set to its stage (the plugin option "services" entry), or name the last stage (FROM … AS <name>) and set "target" to it; else set "target" to the stage that is the image of ${projects}.`
      : `Set "target" to the stage that is the image of ${projects} ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build's options); each other stage is a service of its own, with "target" set to its stage.`;
    return [
      {
        key: `final-stages:${dockerfile}:${roots.join(',')}`,
        message: others.length
          ? `nx-fleet: ${dockerfile} builds one image per final stage (${listed([...others, final])}), and the docker-build of ${projects} sets no "target": the engine builds the last stage, ${last}, and never ${listed(others)}.${basesNote(reading)}${unnamedNote} ${advice}`
          : `nx-fleet: ${dockerfile} has final stages besides its last, which the docker-build of ${projects} builds, as the engine does.${unnamedNote}`,
        roots,
      },
    ];
  });
}

/**
 * Whether a container file's text starts an image of its own (an unreadable one is given the benefit
 * of the doubt): not a fragment without FROM, nor a list of images (`listsImagesOnly`).
 */
function startsImage(texts: WorkspaceTexts, file: string): boolean {
  const text = texts.text(file);
  return text?.match(/^\s*FROM\s/im) != null && !listsImages(texts, file) && !buildsEmptyImage(text);
}

/**
 * The named variants that start an image: a file named after one without a FROM is none, whatever
 * its extension (continue's TextMate grammar `Dockerfile.tmLanguage`, growthbook's fragment
 * `preview/Dockerfile.append`), so it never becomes a project's image. Variants are few: each is read.
 */
function imageVariants(variants: Map<string, string[]>, texts: WorkspaceTexts): Map<string, string[]> {
  for (const [folder, files] of variants) {
    const images = files.filter((file) => startsImage(texts, file));
    if (images.length) variants.set(folder, images);
    else variants.delete(folder);
  }
  return variants;
}

interface UnbuiltDockerfiles {
  /** Whether the file starts an image: a fragment another file is appended to (growthbook's preview/Dockerfile.append) does not. */
  buildsImage(file: string): boolean;
  /**
   * The warning, with what to set for each file that builds one image per final stage (jitsu's
   * all.Dockerfile), or prunes the workspace to the project a build argument names (torus-ts').
   */
  withImageNotes<W extends { message: string }>(warning: W, files: readonly string[]): W;
  /** The build arguments the file picks its project by, with their defaults or without (ysam020's `ARG PROJECT=api-gateway-service`). */
  pickingArguments(file: string): string[];
}

/** What a warning about Dockerfiles no service builds says of their texts. */
function unbuiltDockerfiles(texts: WorkspaceTexts): UnbuiltDockerfiles {
  // A development or test stage beside the production one is no image of its own (hyperdx's `dev`).
  const imageStages = (file: string) => {
    const reading = texts.reading(file);
    if (!reading) return [];
    const last = reading.developmentLast ? reading.developmentLast.ships : reading.finalStages.at(-1);
    const others = reading.otherImageStages;
    return last === undefined || others.includes(last) ? others : [...others, last];
  };
  // A default naming a project (ysam020's `ARG PROJECT=api-gateway-service`) is what a build without
  // the argument gets; the argument still picks it. One naming a path (pia's `ARG DIR=.`, briefer's
  // `ARG JUPYTER_REQUIREMENTS_FILE=jupyter-requirements.txt` beside the file) picks nothing.
  // Asked for an orphan's warning and its note alike: once per file.
  const selectingArguments = once((file: string) => {
    const text = texts.text(file);
    if (text === undefined || !text.includes('$')) return [];
    const isFile = (value: string) =>
      [posix.join(posix.dirname(file), value), value].some((path) => texts.hashOf(path) !== undefined);
    const reading = /^\s*ARG\s+[^\n]*=/im.test(text)
      ? new DockerfileReading(
          text.replace(
            /^(\s*ARG\s+)(.*)$/gim,
            (_, head: string, rest: string) =>
              head +
              rest.replace(/=(["']?)([\w@][\w@.-]*)\1(?=\s|$)/g, (whole, _quote, value: string) =>
                isFile(value) ? whole : '',
              ),
          ),
        )
      : texts.reading(file);
    return reading ? [...new Set(selectorArguments(reading).flatMap(({ args }) => args))] : [];
  });
  return {
    buildsImage: (file) => startsImage(texts, file),
    pickingArguments: (file) => (imageStages(file).length > 1 ? [] : selectingArguments(file)),
    withImageNotes(warning, files) {
      const notes = files.flatMap((file) => {
        const stages = imageStages(file);
        const args = stages.length > 1 ? [] : selectingArguments(file);
        return stages.length > 1
          ? [
              `${file} builds one image per final stage (${listed(stages)}):${basesNote(texts.reading(file)!)} each is a service of its own, with "target" set to its stage.`,
            ]
          : args.length
            ? [
                `${file} picks the project it prunes to, builds or copies by its build argument ${listed(args)}: each project built from it is a service of its own (a project.json with a "name" in its folder, where it has none), pointed at it with "dockerfile" and "buildArgs" (${args.map((arg) => `"${arg}": ${argumentHint(texts.reading(file)!, arg)}`).join(', ')}) in its entry of the plugin option "services".`,
              ]
            : [];
      });
      return notes.length ? { ...warning, message: `${warning.message} ${notes.join(' ')}` } : warning;
    },
  };
}

/** The value a build argument that picks the project takes, as the file reads it: `"<x>" (apps/<x> its folder)`. */
function argumentHint(reading: DockerfileReading, arg: string): string {
  const [template] = argumentTemplates(reading, arg).filter(({ before, after }) => before || after);
  return template ? `"<x>" (${template.before}<x>${template.after}, the project's)` : '"<project>"';
}

/** What a warning about a Dockerfile's images says of the stages others build on that run something (`runnableBases`). */
function basesNote(reading: DockerfileReading): string {
  const bases = reading.runnableBases;
  if (!bases.length) return '';
  const one = bases.length === 1;
  return ` ${listed(bases)}, built on by other stages, ${one ? 'runs a command of its own: it may be an image' : 'run commands of their own: they may be images'} too.`;
}

function withoutSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

/** Shipping variants at a claimed workspace root without a plain Dockerfile, which make no image, in one warning. */
function rootVariantWarnings(
  detections: readonly Detection[],
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  options: Pick<NormalizedFleetOptions, 'exclude' | 'services'>,
  dockerfiles: UnbuiltDockerfiles,
  namedElsewhere: readonly string[],
) {
  // One the plugin option "services" already names, as the warning advises, is left to the warning
  // that says why it made no service (E2B's root named as js-sdk is: a name clash).
  const named = new Set(
    Object.values(options.services).flatMap((config) =>
      config.dockerfile ? [posix.normalize(config.dockerfile)] : [],
    ),
  );
  const unbuilt = rootVariants(detections, variants, options.exclude).filter(
    (file) => !named.has(file) && !namedElsewhere.includes(file),
  );
  return unbuilt.length ? [{ ...dockerfiles.withImageNotes(rootVariantsWarning(unbuilt), unbuilt), roots: ['.'] }] : [];
}

/** Plain Dockerfiles in the folders of services built from other files, which no project claimed: one warning each. */
function passedOverWarnings(
  detections: readonly Detection[],
  folders: ReadonlyMap<string, readonly string[]>,
  exclude: readonly string[],
  dockerfiles: UnbuiltDockerfiles,
) {
  return passedOverPlain(detections, folders, exclude).flatMap(({ dockerfile, builtFrom }) =>
    dockerfiles.buildsImage(dockerfile)
      ? [
          {
            ...dockerfiles.withImageNotes(passedOverWarning(dockerfile, builtFrom), [dockerfile]),
            roots: [posix.dirname(dockerfile)],
          },
        ]
      : [],
  );
}

/** Shipping variants beside the Dockerfile a project is built from, which make no image, in one warning. */
function unbuiltVariantWarnings(unbuilt: readonly string[], dockerfiles: UnbuiltDockerfiles) {
  return unbuilt.length
    ? [
        {
          ...dockerfiles.withImageNotes(unbuiltVariantsWarning(unbuilt), unbuilt),
          roots: unbuilt.map((file) => posix.dirname(file)),
        },
      ]
    : [];
}

/**
 * Where the service's own configuration replaces nx-fleet's build target. A package.json Nx makes no
 * project of (a root one without "nx", named a service through the plugin option `services`:
 * postiz's) gives Nx none of its scripts: nothing replaces nx-fleet's target there.
 */
function replacedBuildOf(outcome: Outcome, isNxProject: (root: string) => boolean): ReplacedBuild | undefined {
  const replaced = 'analysis' in outcome ? outcome.analysis.replacedBuild : undefined;
  return replaced && statedInProject(replaced, isNxProject) ? replaced : undefined;
}

function statedInProject({ file }: ReplacedBuild, isNxProject: (root: string) => boolean): boolean {
  return posix.basename(file) !== 'package.json' || isNxProject(posix.dirname(file));
}

/**
 * The services whose own configuration replaces nx-fleet's push, scan or contract-verify: one warning
 * per set of targets replaced, so that a file is named in one warning.
 */
function replacedTargetWarnings(outcomes: readonly Outcome[], isNxProject: (root: string) => boolean) {
  type Replaced = NonNullable<FolderAnalysis['replacedTargets']>;
  const bySet = new Map<string, { targets: Replaced; files: Replaced }>();
  for (const outcome of outcomes) {
    const stated = ('analysis' in outcome ? (outcome.analysis.replacedTargets ?? []) : []).filter((r) =>
      statedInProject(r, isNxProject),
    );
    if (!stated.length) continue;
    const names = stated.map((r) => r.name).join(',');
    const group = bySet.get(names) ?? { targets: stated, files: [] };
    // Named by the file of its first: a project's own targets are in its project.json or package.json.
    group.files.push(stated[0]!);
    bySet.set(names, group);
  }
  return [...bySet.values()].map(({ targets, files }) => ({
    ...replacedTargetWarning(files, targets),
    roots: files.map((r) => posix.dirname(r.file)),
  }));
}

/** The services whose own configuration replaces nx-fleet's build target, in one warning. */
function replacedBuildWarnings(outcomes: readonly Outcome[], name: string, isNxProject: (root: string) => boolean) {
  const builds = outcomes.flatMap((o) => {
    const replaced = replacedBuildOf(o, isNxProject);
    return replaced ? [replaced] : [];
  });
  return builds.length
    ? [{ ...replacedBuildWarning(builds, name), roots: builds.map((b) => posix.dirname(b.file)) }]
    : [];
}

/** A warning about no folder (the sources' warnings name their files): its message alone. */
function messageState(message: string): string {
  return createHash('sha256').update(message).digest('hex');
}

/** What a warning is about: its message and its folder's matched files, names and contents. Read only for warned folders. */
function warningState(message: string, folderFiles: readonly string[], workspaceRoot: string): string {
  const hash = createHash('sha256').update(message);
  for (const file of folderFiles) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(join(workspaceRoot, file)));
    } catch {
      hash.update('\0unreadable');
    }
  }
  return hash.digest('hex');
}

/**
 * The workspace root's Dockerfile that other projects' settings name as theirs (bcgov's bciers: five
 * apps build the one root Dockerfile, each from its own `dist/<app>`) is theirs: the root, with no
 * settings of its own, is no service of it — its build could only fail, and every root file would
 * select it.
 */
function withoutClaimedRoot(outcomes: readonly Outcome[]): Outcome[] {
  const services = outcomes.flatMap((outcome) =>
    'analysis' in outcome && outcome.analysis.detection.kind === 'service' ? [outcome.analysis.detection] : [],
  );
  const claimed = new Set(
    // A folder whose settings are no object fails alone, where its node is made (`config` is then null).
    services.flatMap((d) => (d.root !== '.' && d.config?.dockerfile !== undefined ? [d.dockerfile] : [])),
  );
  if (!claimed.size) return [...outcomes];
  return outcomes.map((outcome) => {
    if (!('analysis' in outcome)) return outcome;
    const { detection } = outcome.analysis;
    return detection.kind === 'service' &&
      detection.root === '.' &&
      !Object.keys(detection.config ?? {}).length &&
      claimed.has(detection.dockerfile)
      ? { analysis: { ...outcome.analysis, detection: { kind: 'none' } } }
      : outcome;
  });
}

/**
 * Services whose project only nx-fleet names (a package.json in none of the package manager's
 * workspaces) under a name another project has are no services, with a warning: Nx refuses two
 * projects of one name, and the graph must not break (payload's examples/astro/payload and
 * examples/remix/payload are both "payload-app").
 */
function withoutNameClashes(
  outcomes: readonly Outcome[],
  roots: readonly string[],
  isNxProject: (root: string) => boolean,
): Outcome[] {
  const rootsByName = new Map<string, string[]>();
  outcomes.forEach((outcome, i) => {
    if (!('analysis' in outcome)) return;
    const { detection, project, projectName } = outcome.analysis;
    if (detection.kind === 'service' || (project && isNxProject(roots[i]!)))
      rootsByName.set(projectName, [...(rootsByName.get(projectName) ?? []), roots[i]!]);
  });
  const services = outcomes.flatMap((outcome) =>
    'analysis' in outcome && outcome.analysis.detection.kind === 'service' ? [outcome.analysis.detection] : [],
  );
  const clashing = (outcome: Outcome, i: number) => {
    if (!('analysis' in outcome)) return undefined;
    const { detection, projectName } = outcome.analysis;
    const root = roots[i]!;
    const others = rootsByName.get(projectName)?.filter((other) => other !== root) ?? [];
    if (detection.kind !== 'service' || detection.name === undefined || isNxProject(root) || !others.length)
      return undefined;
    // Another project building this Dockerfile (the plugin option `services`) is what the user chose: no word.
    const taken = services.some((other) => other.root !== root && other.dockerfile === detection.dockerfile);
    return { root, dockerfile: detection.dockerfile, projectName, others, taken };
  };
  const clashes = outcomes.map(clashing);
  // One warning per name, however many folders share it (pulumi's examples: three `app` folders).
  const byName = new Map<string, NonNullable<(typeof clashes)[number]>[]>();
  for (const clash of clashes)
    if (clash && !clash.taken) byName.set(clash.projectName, [...(byName.get(clash.projectName) ?? []), clash]);
  return outcomes.map((outcome, i) => {
    const clash = clashes[i];
    if (!clash || !('analysis' in outcome)) return outcome;
    const group = byName.get(clash.projectName) ?? [];
    const warnings =
      group[0] === clash ? [...outcome.analysis.warnings, nameClashWarning(group)] : outcome.analysis.warnings;
    return { analysis: { ...outcome.analysis, detection: { kind: 'none' }, warnings } };
  });
}

function nameClashWarning(
  group: ReadonlyArray<{ root: string; dockerfile: string; projectName: string; others: readonly string[] }>,
): Warning {
  const [first] = group;
  const { root, dockerfile, projectName, others } = first!;
  const where = (r: string) => (r === '.' ? 'the workspace root' : r);
  if (group.length === 1)
    return {
      key: `${root}:name-clash`,
      message:
        `nx-fleet: ${dockerfile} is not a service: Nx makes no project of ${posix.join(root, 'package.json')} (${root === '.' ? "the workspace root's manifest is one only when the package manager's workspaces list the root" : "it is in none of the package manager's workspaces"}), ` +
        `and the name nx-fleet would give it, "${projectName}", is also ${listed(others)}'s: Nx refuses two projects of one name. ` +
        `Add a project.json with a name of its own to ${where(root)}, point another project at the Dockerfile with the plugin option "services" (an entry for ${where(root)} itself names no project), or exclude it with the plugin option "exclude".`,
    };
  const roots = group.map((clash) => clash.root);
  const projects = others.filter((other) => !roots.includes(other));
  return {
    key: `name-clash:${projectName}:${roots.join(',')}`,
    message:
      `nx-fleet: ${group.length} Dockerfiles are not services: ${listed(group.map((clash) => clash.dockerfile))}. Nx makes no project of the package.json beside each (in none of the package manager's workspaces), ` +
      `and the name nx-fleet would give each, "${projectName}", is the others'${projects.length ? ` and ${listed(projects)}'s` : ''}: Nx refuses two projects of one name. ` +
      `Add a project.json with a name of its own to each folder, point other projects at the Dockerfiles with the plugin option "services" (an entry for one of these folders names no project), or exclude them with the plugin option "exclude".`,
  };
}

/** The workspace's projects as Nx makes them, from the analysed folders: what the runtime graph and build outputs name. */
function nxProjectsOf(
  outcomes: readonly Outcome[],
  roots: readonly string[],
  isNxProject: (root: string) => boolean,
  /** For the runtime graph: a service whose image runs nothing calls and serves no one. */
  texts?: WorkspaceTexts,
): ProjectInfo[] {
  return outcomes.flatMap((outcome, i) =>
    'analysis' in outcome &&
    outcome.analysis.project &&
    (outcome.analysis.detection.kind === 'service' || isNxProject(roots[i]!))
      ? [
          {
            name: outcome.analysis.projectName,
            root: roots[i]!,
            ...outcome.analysis.project,
            isService:
              outcome.analysis.detection.kind === 'service' &&
              !(texts && runsNothing(texts, outcome.analysis.detection)),
          },
        ]
      : [],
  );
}

/** An artifact image (`FROM scratch`, files and no command: konto's openapi-clients, which other builds copy from). */
function runsNothing(texts: WorkspaceTexts, detection: Extract<Detection, { kind: 'service' }>): boolean {
  // A folder whose analysis failed (no Dockerfile, no settings) fails alone, later, with its own error.
  const text = typeof detection.dockerfile === 'string' ? texts.text(detection.dockerfile) : undefined;
  if (!text || !/^\s*FROM\s+scratch\b/im.test(text)) return false;
  const target = (detection.config as Partial<typeof detection.config> | undefined)?.target;
  return (target ? new DockerfileReading(text, {}, target) : texts.reading(detection.dockerfile))?.runsNothing ?? false;
}

/**
 * Runtime knowledge for the pushes: which providers each service calls. A failure here costs the
 * pushes their runtime inputs, never the graph.
 */
async function providersOf(
  projects: readonly ProjectInfo[] | undefined,
  rawOptions: FleetPluginOptions | undefined,
  workspaceRoot: string,
  files: readonly WorkspaceFileData[] | undefined,
  deps: CreateNodesDeps & { warn(key: string, message: string): void },
): Promise<RuntimeProviders> {
  // Without the file list there is no kept answer to compare an edit with.
  if (!files || !projects) return { roots: new Map(), unchangedBy: () => false };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const stats: ScanStats = { parsed: 0, resolved: 0, imports: 0, fullParses: 0, workers: 0 };
  const daemon = inDaemon(deps.env);
  try {
    const input = {
      workspaceRoot,
      projects,
      files,
      options: rawOptions,
      cacheDirectory: deps.cacheDirectory,
      warn: deps.warn,
      stats,
    };
    const providers = runtimeProviderRoots(input);
    deps.verbose(
      `nx-fleet: runtime graph: ${[...providers.roots.values()].flat().length} service links from ${stats.imports} SDK imports in ${(performance.now() - started).toFixed(1)} ms (CPU ${cpuMs(cpu)} ms; files read: ${stats.parsed}, of them parsed in full: ${stats.fullParses}; extra threads: ${stats.workers}; re-resolved: ${stats.resolved})`,
    );
    return providers;
  } catch (error) {
    deps.warn(
      'runtime-graph',
      `nx-fleet: the runtime graph could not be computed (${error instanceof Error ? error.message : String(error)}); docker-push targets are affected by their own inputs only.`,
    );
    // The next graph tries again whatever the edit.
    return { roots: new Map(), unchangedBy: () => false };
  } finally {
    // The daemon keeps this worker: prepared now, the next edit costs one scan (and TypeScript is there for a parse).
    if (daemon) setTimeout(prepareForEdits, 100).unref();
  }
}

/**
 * Whether Nx makes a project of a folder with a manifest: a project.json, or a package.json in the
 * package manager's workspaces. A service is a project either way (nx-fleet names it). From the
 * files matched for nx-fleet, which are the manifests Nx's own plugins match.
 */
function nxProjectRoots(workspaceRoot: string, matched: readonly string[], env: Env): (root: string) => boolean {
  const projectJsonRoots = new Set<string>();
  let rootPackageJson = false;
  for (const file of matched) {
    if (file === 'package.json') rootPackageJson = true;
    else if (file === 'project.json' || file.endsWith('/project.json')) projectJsonRoots.add(posix.dirname(file));
  }
  const inWorkspaces = packageJsonProjects(
    workspaceRoot,
    env['NX_INFER_ALL_PACKAGE_JSONS'] === 'true',
    rootPackageJson,
  );
  return (root) => projectJsonRoots.has(root) || inWorkspaces(posix.join(root, 'package.json'));
}

/** The workspace files' one hash; undefined when Nx cannot tell it (the list is asked for then). */
/**
 * What context inference reads for one service: its Dockerfile, the .dockerignore files either
 * context would use, and the outputs its project.json declares for its build target.
 */
function contextFacts(
  service: Service,
  projectName: string,
  files: readonly string[],
  texts: WorkspaceTexts,
  projects: NonNullable<ContextFacts['projects']>,
  root: {
    scripts: Readonly<Record<string, string>>;
    buildScripts: readonly string[];
    installBuilds: boolean;
    gitignore?: readonly string[] | undefined;
    patchFiles: readonly string[];
    packageGlobs: readonly string[];
    sourcesAnalysed: boolean;
  },
  targetNames: { build: string; dockerBuild: string },
  workspaceRoot: string,
  /**
   * What else gives the project targets: another plugin of nx.json (targets its files do not state),
   * its package.json's scripts (where Nx makes a project of the folder: a project.json, or a package.json
   * in the workspaces; not one only nx-fleet names).
   */
  inferred: { plugins: boolean; scripts: boolean },
): ContextFacts | undefined {
  // An ignore file that is there but cannot be read leaves the context to the settings, as a Dockerfile does.
  // Both contexts ask first whether the Dockerfile has its own ignore file: the disk is asked once.
  const exists = once((path: string) => texts.exists(path));
  const ignorePatterns = (contextIgnore: string) => {
    const file = ignoreFileFor(service.dockerfile, contextIgnore, exists);
    const text = file === undefined ? '' : texts.text(file);
    return text === undefined ? undefined : parseIgnoreFile(text);
  };
  const dockerfileText = texts.text(service.dockerfile);
  const projectIgnore = ignorePatterns(posix.join(service.root, '.dockerignore'));
  const workspaceIgnore = ignorePatterns('.dockerignore');
  if (dockerfileText === undefined || !projectIgnore || !workspaceIgnore) return undefined;
  const packageJson = texts.json(posix.join(service.root, 'package.json'));
  const local = localDependencies(packageJson, (name) => {
    const found = projects.find((project) => project.packageName === name);
    return found && { private: texts.json(posix.join(found.root, 'package.json'))['private'] === true };
  });
  const targets = declaredTargets(texts, service.root, packageJson);
  // The project's own docker-build options win over its settings, as Nx merges them.
  const stated = statedBuild(service, targets[targetNames.dockerBuild]);
  const statedContext = statedContextOf(targets[targetNames.dockerBuild]);
  const buildArgs = Object.keys(stated.buildArgs).length ? stated.buildArgs : undefined;
  // One reading of the sources for what the folders it copies build and for what it reads off the list.
  const shippedStage = typeof stated.target === 'string' ? undefined : shippedStageOf(texts, service.dockerfile);
  const target = typeof stated.target === 'string' ? stated.target : shippedStage?.stage;
  const sources = copySources(dockerfileText, buildArgs, target);
  // What every copy of the whole context leaves out (`COPY --exclude=apps/web . .`) reaches the image no more than what the ignore file does.
  const excluded = excludedEverywhere(sources);
  const [project, workspace] = [projectIgnore, workspaceIgnore].map((patterns) => [...patterns, ...excluded]);
  // A package manager root of its own above the project, for a Dockerfile kept in the project folder,
  // else a folder above it that alone holds what it copies.
  const packageRoot =
    !statedContext && posix.dirname(service.dockerfile) === service.root
      ? nestedRootOf(files, service.root)
      : undefined;
  const holder =
    !statedContext && !packageRoot && posix.dirname(service.dockerfile) === service.root
      ? sourcesHolderOf(files, service.root, sources)
      : undefined;
  const nestedRoot = packageRoot ?? holder;
  const folder =
    contextFolder({ statedContext, dockerfile: service.dockerfile, projectRoot: service.root }) ?? nestedRoot;
  const folderPatterns = folder === undefined ? undefined : ignorePatterns(posix.join(folder, '.dockerignore'));
  const folderIgnore = folderPatterns && [...folderPatterns, ...excluded];
  // A library no build writes (no build target or script, no plugin to infer one) whose package
  // entries are its sources (dotkom's monoweb: `exports` at `./src/index.ts`, only `tsc --noEmit`):
  // its tsconfig's outDir is never written, and the image never needs it.
  const usedFromSources = (libraryRoot: string, outDirs: readonly string[]) => {
    if (inferred.plugins || statedTargetNamesAt(texts, libraryRoot, true).includes('build')) return false;
    const entries = packageEntries(texts.json(posix.join(libraryRoot, 'package.json'))).map((entry) =>
      posix.join(libraryRoot, entry),
    );
    return entries.length > 0 && !entries.some((entry) => outDirs.some((outDir) => insideOf(entry, outDir)));
  };
  // In a folder holding several projects it copies whole, those of the service's own closure.
  const copied = copiedProjectRoots(sources, projects, () => [
    service.root,
    ...packageDependencyRoots(service.root, projects, (path) => texts.json(path)),
  ]);
  // Another project's build states outputs in its folder too (uesio's component packs, `{projectRoot}/bundle/…/dist`),
  // and so do its other targets what its package's entry imports (an orval client's git-ignored `src/generated`,
  // needed however the package is used), each with the target writing it.
  const statedInside = (root: string): { built: string[]; generated: Array<{ output: string; target: string }> } => {
    const name = projects.find((p) => p.root === root)?.name;
    if (name === undefined) return { built: [], generated: [] };
    const inside = (target: DeclaredTarget) =>
      declaredOutputs(target, root, name).filter((output) => output.startsWith(`${root}/`) && !/[*?[{]/.test(output));
    const manifest = texts.json(posix.join(root, 'package.json'));
    // The service's own build only where its package is shipped built: its entry lies in the output, or a
    // JavaScript prune or deploy tool cuts a whole copy to it (flyXC's `pnpm -F fetcher deploy`, then `node
    // dist/index.js`). Elsewhere its host build may be another toolchain's, which the image runs again.
    if (root === service.root) {
      const own = inside(declaredBuild(texts, root, targetNames.build)).map((output) => ({ output }));
      if (!own.length) return { built: [], generated: [] };
      const reading = texts.reading(service.dockerfile);
      // Not where the image builds anything after cutting (a build in the folder `pnpm deploy` wrote).
      const deployed =
        !!reading && copiesWholeContext(reading) && prunesKeepingIgnored(reading) && !runsAnyBuild(reading);
      return {
        built: (deployed ? own : importedOutputs(texts, root, manifest, own)).map(({ output }) => output),
        generated: [],
      };
    }
    const others = Object.entries(declaredTargets(texts, root, manifest)).flatMap(([target, configuration]) =>
      target === targetNames.build ? [] : inside(configuration).map((output) => ({ output, target })),
    );
    return {
      built: inside(declaredBuild(texts, root, targetNames.build)),
      generated: importedOutputs(texts, root, manifest, others),
    };
  };
  // By generated output, the target writing it.
  const generatedBy: Record<string, string> = {};
  const folderOutputs = Object.fromEntries(
    copied.flatMap((root) => {
      const { built, generated } = statedInside(root);
      for (const { output, target } of generated) generatedBy[output] ??= target;
      const outDirs = [...new Set([...typeScriptOutDirs(texts, root), ...built])];
      const kept = [
        ...new Set([
          ...(outDirs.length && !(root !== service.root && usedFromSources(root, outDirs)) ? outDirs : []),
          ...generated.map(({ output }) => output),
        ]),
      ];
      return kept.length ? [[root, kept]] : [];
    }),
  );
  // Only where a host output could be carried: which copied folders a `tsc --build` in the image compiles
  // too, run by a project's build script or by a RUN given its folder (gridfire's `yarn tsc --build apps/api`).
  let runBuilds: ReadonlyMap<string, string> | undefined;
  const compiledWith = Object.keys(folderOutputs).length
    ? referenceBuilds(
        texts,
        // The service's own build too, however its folder is copied (mzm's auth: package.json, tsconfig.json, src/ one by one).
        [...new Set([service.root, ...copied])],
        new Set(projects.map((p) => p.root)),
        (root) =>
          packageScripts(texts.json(posix.join(root, 'package.json')))['build'] ??
          (runBuilds ??= runTscBuilds(texts.reading(service.dockerfile))).get(root),
      )
    : {};
  // Only where a host output could be carried: which projects a RUN builds with their dependencies first.
  const builtFirst = Object.keys(folderOutputs).length
    ? dependencyBuilds(
        dockerfileText,
        projects,
        {
          json: (path) => texts.json(path),
          // The target the RUN names (`nx build api`), whatever the plugin's build target option says.
          declaredBuild: (root) => declaredBuild(texts, root, 'build'),
        },
        { ...(buildArgs ? { buildArgs } : {}), ...(target ? { target } : {}) },
      )
    : {};
  // What else a prune tool in the image keeps, with its dependencies (enpitsu's admin and its migrations).
  const reading = texts.reading(service.dockerfile);
  // Of those, the ones outside the service's own closure, which its context holds already (kan's `--scope=@kan/db`).
  let own: Set<string> | undefined;
  const ownClosure = () =>
    (own ??= new Set([service.root, ...packageDependencyRoots(service.root, projects, (path) => texts.json(path))]));
  const prunedWith = [
    ...new Set(
      (reading && prunesInImage(reading) ? prunedProjects(reading, projects, root.scripts) : [])
        .filter((name) => name !== projectName)
        .flatMap((name) => {
          const other = projects.find((p) => p.name === name)!.root;
          return [other, ...packageDependencyRoots(other, projects, (path) => texts.json(path))];
        })
        .filter((other) => other !== '.' && !ownClosure().has(other)),
    ),
  ].sort();
  const installBuilds = Object.keys(folderOutputs).filter((root) =>
    buildsOnInstall(packageScripts(texts.json(posix.join(root, 'package.json')))),
  );
  const scripts = scriptFacts(root.scripts, scriptNames(packageJson));
  const ownScripts = packageScripts(packageJson);
  const unlistedOnDisk = unlistedOf(dockerfileText, sources, service.root, files, texts);
  const statedOutputs = statedOutputsOf(sources, files, projects, texts, {
    project: projectName,
    target: targetNames.build,
  });
  const { buildContexts } = stated;
  return {
    buildOutputs: declaredOutputs(targets[targetNames.build], service.root, projectName),
    ...(statedOutputs.length ? { statedOutputs } : {}),
    ...(buildArgs ? { buildArgs } : {}),
    ...(target ? { target } : {}),
    ...(shippedStage ? { shippedStage } : {}),
    ...(Object.keys(buildContexts).length ? { buildContexts } : {}),
    projectTargets: {
      names: statedTargetNames(targets, inferred.scripts ? scriptNames(packageJson) : []),
      complete: !inferred.plugins,
    },
    projects,
    ...(Object.keys(folderOutputs).length ? { folderOutputs } : {}),
    ...(Object.keys(generatedBy).length ? { folderOutputTargets: generatedBy } : {}),
    ...(Object.keys(compiledWith).length ? { referenceBuilds: compiledWith } : {}),
    ...(Object.keys(builtFirst).length ? { dependencyBuilds: builtFirst } : {}),
    ...(prunedWith.length ? { prunedWith } : {}),
    ...(installBuilds.length ? { installBuilds } : {}),
    ...(root.installBuilds && Object.keys(folderOutputs).length ? { rootInstallBuilds: true as const } : {}),
    ...(root.sourcesAnalysed ? {} : { sourcesUnanalysed: true as const }),
    ...(root.buildScripts.length && Object.keys(folderOutputs).length ? { rootBuildScripts: root.buildScripts } : {}),
    ...(statedContext ? { statedContext } : {}),
    ...(folderIgnore ? { folderIgnore } : {}),
    ...(nestedRoot ? { nestedRoot } : {}),
    ...(holder ? { nestedRootHolds: true as const } : {}),
    ...(local.length ? { localDependencies: local } : {}),
    ...(nestedRoot !== undefined &&
    listsWorkspace(
      texts.json(posix.join(nestedRoot, 'package.json')),
      texts.committedText(posix.join(nestedRoot, 'pnpm-workspace.yaml')),
      nestedRoot,
      service.root,
    )
      ? { nestedRootLists: true as const }
      : {}),
    ...(scripts ? { scripts } : {}),
    ...(Object.keys(folderOutputs).length && Object.keys(ownScripts).length ? { projectScripts: ownScripts } : {}),
    ...(unlistedOnDisk.length ? { unlistedOnDisk } : {}),
    ...(root.gitignore ? { gitignore: root.gitignore } : {}),
    ...(root.patchFiles.length ? { patchFiles: root.patchFiles } : {}),
    packageGlobs: root.packageGlobs,
    projectRoot: service.root,
    dockerfile: service.dockerfile,
    workspaceFolder: basename(workspaceRoot),
    dockerfileText,
    files,
    ignore: { project, workspace },
  };
}

/**
 * The RUNs' `tsc --build` given a project folder (or a tsconfig in it), by that folder, as its own
 * script would run it: `tsc --build` there, with the tsconfig named.
 */
function runTscBuilds(reading: DockerfileReading | undefined): Map<string, string> {
  const builds = new Map<string, string>();
  for (const step of reading?.runs ?? [])
    for (const named of tscBuildConfigs(step.text.replace(/^RUN\s+/i, '')) ?? []) {
      const path = posix.normalize(named).replace(/\/+$/, '');
      const config = path.endsWith('.json');
      const folder = config ? posix.dirname(path) : path;
      if (!builds.has(folder)) builds.set(folder, config ? `tsc --build ${posix.basename(path)}` : 'tsc --build');
    }
  return builds;
}

/** `developmentLast`'s stage to ship, when there is one; most Dockerfiles have one or two stages and are not parsed. */
function shippedStageOf(texts: WorkspaceTexts, dockerfile: string): ContextFacts['shippedStage'] {
  if (fromCount(texts.text(dockerfile) ?? '') < 2) return undefined;
  const last = texts.reading(dockerfile)?.developmentLast;
  return last?.ships === undefined ? undefined : { stage: last.ships, instead: last.last };
}

function fromCount(dockerfileText: string): number {
  return dockerfileText.match(/^\s*FROM\s/gim)?.length ?? 0;
}

/** Whether a Dockerfile's one stage is named for development (`FROM node:20 AS dev`). */
function onlyStageForDevelopment(dockerfileText: string): boolean {
  const name = /^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)/im.exec(dockerfileText)?.[1];
  return name !== undefined && namesDevelopment(name, /[-_.]/);
}

/**
 * What the Dockerfile may read that the disk holds and Nx does not list (committed files `.gitignore`
 * matches): the lockfiles its locked installs read, at the root and in the project folder, and its
 * COPY sources, from either. Asked of the disk only for paths Nx does not list.
 */
function unlistedOf(
  dockerfileText: string,
  sources: readonly CopySource[],
  root: string,
  files: readonly string[],
  texts: WorkspaceTexts,
): string[] {
  const listed = pathOf(files);
  const candidates = [
    ...lockedInstallLockfiles(dockerfileText).flatMap((lockfile) => [lockfile, posix.join(root, lockfile)]),
    ...sources.flatMap(({ source }) =>
      /[*?[{]/.test(source) ? [] : [posix.normalize(source), posix.join(root, source)].map(withoutSlash),
    ),
  ];
  return [...new Set(candidates)].filter(
    (path) => path !== '.' && !path.startsWith('../') && !listed(path) && texts.exists(path),
  );
}

/** The targets a project's files state: project.json's and package.json's `nx.targets`, and the scripts Nx makes targets of. */
function statedTargetNames(targets: Record<string, DeclaredTarget>, scripts: readonly string[]): string[] {
  return [...new Set([...Object.keys(targets), ...scripts])];
}

/** `statedTargetNames` of a project by its root, read from its files. */
function statedTargetNamesAt(texts: WorkspaceTexts, root: string, scripts: boolean): string[] {
  const packageJson = texts.json(posix.join(root, 'package.json'));
  return statedTargetNames(declaredTargets(texts, root, packageJson), scripts ? scriptNames(packageJson) : []);
}

/** The script names a package.json defines. */
function scriptNames(manifest: Record<string, unknown>): string[] {
  return Object.keys(packageScripts(manifest));
}

/** The paths a package.json's entry fields name (`main`, `module`, `types`, `typings`, every string of `exports`). */
function packageEntries(manifest: Readonly<Record<string, unknown>>): string[] {
  const strings = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : typeof value === 'object' && value !== null
        ? Object.values(value).flatMap(strings)
        : [];
  return ['main', 'module', 'types', 'typings', 'exports'].flatMap((field) => strings(manifest[field]));
}

/**
 * Of a package's generated outputs, those its entries lie in or import by a relative path (`export * from
 * './generated/api'`; a type-only import too, which its TypeScript build reads).
 */
function importedOutputs<T extends { output: string }>(
  texts: WorkspaceTexts,
  root: string,
  manifest: Readonly<Record<string, unknown>>,
  generated: readonly T[],
): T[] {
  if (!generated.length) return [];
  const entries = packageEntries(manifest).map((entry) => posix.join(root, entry));
  const reached = [
    ...entries,
    ...entries.flatMap((entry) => {
      const text = isSourceFile(entry) ? texts.committedText(entry) : undefined;
      return text === undefined
        ? []
        : importsOf(entry, text)
            .filter(({ specifier }) => /^\.\.?\//.test(specifier))
            .map(({ specifier }) => posix.join(posix.dirname(entry), specifier));
    }),
  ];
  // An output stated as a file is reached by an import without its extension (`./generated/api` for orval's `api.ts`).
  const bare = (path: string) => withoutSourceExtension(path).replace(/\/index$/, '');
  return generated.filter(({ output }) =>
    reached.some((path) => insideOf(path, output) || (isSourceFile(output) && bare(path) === bare(output))),
  );
}

/** `answer`, asked once per argument. */
function once<T>(answer: (key: string) => T): (key: string) => T {
  const answers = new Map<string, T>();
  return (key) => {
    if (!answers.has(key)) answers.set(key, answer(key));
    return answers.get(key)!;
  };
}

type DeclaredTarget =
  | {
      outputs?: unknown;
      dependsOn?: unknown;
      options?: { buildArgs?: unknown; buildContexts?: unknown; [option: string]: unknown };
      configurations?: unknown;
      defaultConfiguration?: unknown;
    }
  | undefined;

/**
 * The targets the project's manifests state: package.json's `nx.targets`, then project.json's (which
 * wins, as in Nx); targets other plugins infer are not known yet.
 */
function declaredTargets(
  texts: WorkspaceTexts,
  root: string,
  packageJson: Record<string, unknown>,
): Record<string, DeclaredTarget> {
  const targetsOf = (targets: unknown) =>
    typeof targets === 'object' && targets !== null ? (targets as Record<string, DeclaredTarget>) : {};
  const nx = packageJson['nx'];
  return {
    ...targetsOf(typeof nx === 'object' && nx !== null ? (nx as { targets?: unknown }).targets : undefined),
    ...targetsOf(texts.json(posix.join(root, 'project.json'))['targets']),
  };
}

const allStated = new WeakMap<object, StatedOutput[]>();

/**
 * The outputs other targets state that the Dockerfile's sources reach, at the workspace root (daytona's
 * runner copies `dist/libs/computer-use-amd64`, computer-use's `build-amd64` output). Only a source Nx
 * lists no file of can be one: for such a copy every project's stated targets are read, once per batch.
 */
function statedOutputsOf(
  sources: readonly CopySource[],
  files: readonly string[],
  projects: NonNullable<ContextFacts['projects']>,
  texts: WorkspaceTexts,
  ownBuild: { project: string; target: string },
): StatedOutput[] {
  return statedOutputsReached(
    sources,
    files,
    () => {
      let stated = allStated.get(projects);
      if (!stated) {
        stated = projects.flatMap(({ name, root }) =>
          Object.entries(declaredTargets(texts, root, texts.json(posix.join(root, 'package.json')))).flatMap(
            ([target, declared]) =>
              declaredOutputs(declared, root, name).map((output) => ({ project: name, target, output })),
          ),
        );
        allStated.set(projects, stated);
      }
      return stated;
    },
    ownBuild,
  );
}

/**
 * A target's stated `outputs`, as workspace paths: `{options.outputPath}` (what Nx's generators write)
 * is the target's option, as Nx reads it; an option the target does not set names no path.
 */
function declaredOutputs(target: DeclaredTarget, root: string, projectName: string): string[] {
  const outputs = target?.outputs;
  if (!Array.isArray(outputs)) return [];
  const options = defaultRunOptions(target);
  return outputs.flatMap((output) => {
    const path =
      typeof output === 'string' ? interpolatedOutput(output, { root, project: projectName, options }) : undefined;
    return path === undefined ? [] : [posix.normalize(path)];
  });
}

/**
 * docker-build's `buildArgs` (which COPY sources written with an ARG expand with), `buildContexts` or
 * `baseImages` as the project's configuration states them: their string values.
 */
function declaredStrings(
  target: DeclaredTarget,
  option: 'buildArgs' | 'buildContexts' | 'baseImages',
): Record<string, string> | undefined {
  const map = target?.options?.[option];
  if (typeof map !== 'object' || map === null) return undefined;
  const strings = Object.entries(map).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return strings.length ? Object.fromEntries(strings) : undefined;
}

/**
 * Which services are built FROM another's image: named by another's FROM by the name nx-fleet builds
 * it under (a local base image: `FROM base`) or the repository its docker-push sends it to
 * (`<registry>/<image>`). Only a Dockerfile with a FROM that can name one (a variable, or such a
 * name) is read through.
 */
function baseLinksOf(
  units: readonly Unit[],
  registry: string | undefined,
  buildTarget: string,
  texts: WorkspaceTexts,
): {
  links: Map<string, BaseImages>;
  pinned: Map<string, PinnedBase[]>;
  warnings: Array<{ key: string; message: string; roots: string[] }>;
} {
  // A folder whose analysis is unusable fails alone, where its node is made: here it is no service.
  const services = units.flatMap((unit) =>
    'service' in unit && !unit.replacedBuild && unit.service.config ? [unit] : [],
  );
  if (services.length < 2) return { links: new Map(), pinned: new Map(), warnings: [] };
  const namesOf = ({ service, projectName }: (typeof services)[number]) => {
    const image = service.config.image ?? imageNameFor(projectName);
    return registry ? [image, `${registryPrefix(registry)}/${image}`] : [image];
  };
  const repositories = new Set(services.flatMap((unit) => namesOf(unit).map(fullRepository)));
  const images = services.map((unit) => {
    const { service, projectName } = unit;
    const text = texts.text(service.dockerfile) ?? '';
    const froms = [
      ...text.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)|--from=(\S+)|--mount=(?:\S*,)?from=([^\s,]+)/gim),
    ].map((m) => (m[1] ?? m[2] ?? m[3])!);
    const named = froms.some((word) => word.includes('$') || repositories.has(referenceParts(word).repository));
    // Read through only where a FROM can name a service: most Dockerfiles are not.
    // The project's own docker-build, read once: its stated links, and the arguments and stage the build
    // passes (CodesDoWork's `FROM ${IMAGE_BASE}/workspace-base`, its registry given as a build argument).
    const declared = declaredBuild(texts, service.root, buildTarget);
    const stated = statedBaseImages(declared);
    const build = named || stated ? statedBuild(service, declared) : undefined;
    const bases = build
      ? new DockerfileReading(
          text,
          build.buildArgs,
          typeof build.target === 'string' ? build.target : shippedStageOf(texts, service.dockerfile)?.stage,
        ).imageBases
      : [];
    const taken = takenStated(stated, bases);
    return {
      project: projectName,
      root: service.root,
      repositories: namesOf(unit),
      bases,
      ...(taken ? { stated: taken } : {}),
    };
  });
  const { links, cycles, pinned } = baseImageLinks(images, buildTarget);
  const rootOf = new Map(images.map(({ project, root }) => [project, root]));
  return {
    links,
    pinned,
    warnings: cycles.map((cycle) => ({
      key: `base-cycle:${cycle.join(',')}`,
      message: `nx-fleet: ${[...cycle, cycle[0]].join(' → ')}: each of these services' Dockerfiles is built FROM (or copies from) the next one's image (by its name, or the repository its docker-push sends to), so none can be built first: those FROMs are left to the engine as written (the registry's image). Build one of them FROM another image, or pin that FROM to a tag or digest (never linked).`,
      roots: cycle.map((project) => rootOf.get(project)!),
    })),
  };
}

/**
 * A FROM naming, as one word, no stage of its Dockerfile and no image a service builds, but a stage of
 * another service's Dockerfile: a Bake target context fills it (fullstack-open-online-banking's
 * `contexts = { base = "target:base" }`), which docker-build cannot pass, so the engine would take a
 * registry image of that name and no content tag would follow the stage's sources. One warning each.
 */
function stageContextWarnings(
  units: readonly Unit[],
  texts: WorkspaceTexts,
  buildTarget: string,
  links: ReadonlyMap<string, BaseImages>,
): Array<{ key: string; message: string; roots: string[] }> {
  // A folder whose settings are no object fails alone, where its node is made.
  const services = units.flatMap((unit) => ('service' in unit && unit.service.config ? [unit] : []));
  if (services.length < 2) return [];
  const dockerfiles = [...new Set(services.map((unit) => unit.service.dockerfile))];
  const stages = new Map(dockerfiles.map((file) => [file, new Set(texts.reading(file)?.namedStages)]));
  const images = new Set(services.map(({ service, projectName }) => service.config.image ?? imageNameFor(projectName)));
  return services.flatMap(({ service, projectName }) => {
    const text = texts.text(service.dockerfile) ?? '';
    const own = stages.get(service.dockerfile)!;
    return [...text.matchAll(/^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*([a-z0-9][a-z0-9_-]*)(?=[ \t]|$)[^\n]*/gim)].flatMap(
      (match) => {
        const word = match[1]!.toLowerCase();
        // Linked (stated `baseImages`), or a named context its settings pass: the build has it.
        const passed = links.get(projectName)?.[word] ?? service.config.buildContexts?.[word];
        if (word === 'scratch' || own.has(word) || images.has(word) || passed !== undefined) return [];
        const other = dockerfiles.find((file) => file !== service.dockerfile && stages.get(file)!.has(word));
        if (!other) return [];
        const line = text.slice(0, match.index).split('\n').length;
        return [
          {
            key: `stage-context:${service.dockerfile}:${line}`,
            message: `nx-fleet: ${service.dockerfile}:${line} ${match[0].trim()}: ${word} is no stage of this Dockerfile, but one of ${other}: a Bake target context fills it there (contexts = { ${word} = "target:${word}" }), which ${buildTarget} cannot pass (no content tag follows it), so the engine would take a registry image named ${word}. Make that stage an image nx-fleet builds — a project pointed at ${other} with "target": "${word}" and "image": "${word}" (a FROM naming a service's image is linked to it) — or state the link in ${projectName}'s ${buildTarget} options: "baseImages": { "${word}": "<that project>:${buildTarget}" }.`,
            roots: [service.root],
          },
        ];
      },
    );
  });
}

/**
 * The `baseImages` a service's own docker-build options state (a FROM pinned to the tag its CI builds
 * the base under, which graph time does not follow): nx-fleet's inputs, description and push inputs
 * follow them as they follow inferred links (Nx puts the project's options over nx-fleet's, and leaves
 * nx-fleet's inputs as they are).
 */
function statedBaseImages(declared: DeclaredTarget): BaseImages | undefined {
  const stated = declaredStrings(declared, 'baseImages') ?? {};
  const entries = Object.entries(stated).filter(([, built]) => built.includes(':'));
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The stated links a FROM of the build's stages takes: one naming no image the build takes links nothing (the build says so). */
function takenStated(stated: BaseImages | undefined, bases: readonly ImageBase[]): BaseImages | undefined {
  if (!stated) return undefined;
  const unlinked = new Set(unlinkedBaseImages(bases, stated));
  const taken = Object.entries(stated).filter(([repository]) => !unlinked.has(repository));
  return taken.length ? Object.fromEntries(taken) : undefined;
}

/** Each service's project name, by its root. */
function projectNames(units: readonly Unit[]): Map<string, string> {
  return new Map(units.flatMap((unit) => ('service' in unit ? [[unit.service.root, unit.projectName] as const] : [])));
}

/** The image names each service's Dockerfile takes from other services, by the service's root. */
function linkedNames(
  units: readonly Unit[],
  links: ReadonlyMap<string, BaseImages>,
): (root: string) => ReadonlySet<string> {
  const byRoot = new Map(
    units.flatMap((unit) =>
      'service' in unit ? [[unit.service.root, new Set(Object.keys(links.get(unit.projectName) ?? {}))] as const] : [],
    ),
  );
  return (root) => byRoot.get(root) ?? new Set();
}

/**
 * What Nx 23 makes a service's push affected by: `{workspaceRoot}` inputs. A base image's own image
 * inputs, as workspace paths, join the push inputs of every service built FROM it (Nx 24 follows the
 * build's record through docker-build's dependsOn).
 */
function withBaseImagePaths(
  result: CreateNodesResultArray,
  links: ReadonlyMap<string, BaseImages>,
  units: readonly Unit[],
  options: NormalizedFleetOptions,
): void {
  const rootOf = new Map(units.flatMap((unit) => ('service' in unit ? [[unit.projectName, unit.service.root]] : [])));
  const targetsAt = new Map(
    result.flatMap(([, nodes]) => Object.entries(nodes.projects ?? {})).map(([root, p]) => [root, p.targets ?? {}]),
  );
  for (const [project, baseImages] of links) {
    const push = targetsAt.get(rootOf.get(project) ?? '')?.[options.pushTargetName];
    if (!push?.inputs) continue;
    // A base's own bases too: worker FROM api FROM base changes with base.
    const projectOf = (built: string) => builtBy(built).project;
    const bases = new Set(Object.values(baseImages).map(projectOf));
    for (const base of bases) for (const built of Object.values(links.get(base) ?? {})) bases.add(projectOf(built));
    const paths = [...bases].flatMap((base) => {
      const root = rootOf.get(base);
      const inputs = root === undefined ? undefined : targetsAt.get(root)?.[options.buildTargetName]?.inputs;
      return root === undefined || !inputs ? [] : baseImagePaths(inputs, root);
    });
    push.inputs = withPaths(push.inputs, paths);
  }
}

function serviceNode(
  service: Service,
  projectName: string,
  options: NormalizedFleetOptions,
  inputs: {
    broker: boolean;
    context: ServiceContext;
    pacts: readonly string[];
    affectedBy: readonly string[];
    providerRoots: readonly string[];
    baseImages: BaseImages | undefined;
    pinnedBases: readonly PinnedBase[] | undefined;
    /** The project's own configuration has a build under nx-fleet's build target name. */
    replacedBuild: boolean;
  },
): CreateNodesResult {
  const { replacedBuild, ...targetInputs } = inputs;
  const targets = buildServiceTargets({
    projectRoot: service.root,
    projectName,
    dockerfile: service.dockerfile,
    ...targetInputs,
    config: service.config,
    options,
  });
  // Nx would merge nx-fleet's build target into the project's own (stack-auth's `docker-build` npm
  // script), describing it as nx-fleet's: the project's own stays as it is.
  if (replacedBuild) delete targets[options.buildTargetName];
  return {
    projects: {
      [service.root]: {
        ...(service.name ? { name: service.name } : {}),
        targets,
        metadata: serviceProjectMetadata(options),
      },
    },
  };
}

/**
 * The matched folders with the named Dockerfile variants (`Dockerfile.web`) Nx lists beside a
 * manifest, where no plain one is: what a service of that folder may be built from. Folders of
 * variants alone (a docker/ folder of Dockerfile.pnpm, Dockerfile.bun) stay out: no project's.
 */
function withVariants(
  folders: Map<string, string[]>,
  variants: ReadonlyMap<string, readonly string[]> | undefined,
): Map<string, string[]> {
  if (!variants) return folders;
  for (const [root, folderFiles] of folders) {
    const found = variants.get(root);
    if (found && !folderFiles.some((file) => containerfileVariant(file) === ''))
      folders.set(root, [...folderFiles, ...found].sort());
  }
  return folders;
}

/** Nx records this file as where the targets came from; a Dockerfile elsewhere may serve several projects. */
function sourceFileOf(service: Service, matched: ReadonlySet<string>): string {
  if (posix.dirname(service.dockerfile) === service.root && matched.has(service.dockerfile)) return service.dockerfile;
  const projectJson = posix.join(service.root, 'project.json');
  return matched.has(projectJson) ? projectJson : posix.join(service.root, 'package.json');
}

/** The folder's manifests among the matched files: named by Nx's hashes when it lists them all, read when asked. */
function manifestsOf(root: string, folderFiles: readonly string[], texts: WorkspaceTexts): FolderManifests {
  const present = MANIFEST_NAMES.filter((name) => folderFiles.includes(posix.join(root, name)));
  const hashes = present.map((name) => texts.hashOf(posix.join(root, name)));
  return {
    identity: hashes.every((hash) => hash !== undefined) ? `nx:${hashes.join(',')}` : undefined,
    texts: () => Object.fromEntries(present.map((name) => [name, texts.text(posix.join(root, name))])),
  };
}
