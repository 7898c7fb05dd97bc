import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import ignore from 'ignore';
import {
  formatFiles,
  getProjects,
  logger,
  readNxJson,
  readProjectConfiguration,
  updateProjectConfiguration,
  visitNotIgnoredFiles,
  type GeneratorCallback,
  type ProjectConfiguration,
  type TargetConfiguration,
  type Tree,
} from '@nx/devkit';
import { DEFAULT_TARGET_NAMES } from '../../config/defaults';
import { parseServiceConfig, type FleetServiceConfig } from '../../config/service-settings';
import { normalizeOptions, type NormalizedFleetOptions } from '../../config/options';
import { fleetOptionsOf } from '../../config/workspace-options';
import {
  buildsPackage,
  inferContext,
  localDependencies,
  nestedRootOf,
  sourcesHolderOf,
  scriptFacts,
  type ContextFacts,
  type StatedOutput,
} from '../../image/context-inference';
import { interpolatedOutput } from '../../image/build-context';
import { listsWorkspace } from '../../image/frozen-install';
import { copySources, DockerfileReading } from '../../image/dockerfile-copies';
import { inDevelopmentFolder } from '../../text/development-names';
import { namedBuildFor, notTheProjects, prunedFor, rootDockerfileFor } from '../../image/pruned-for';
import {
  containerfileVariant,
  excludeMatcher,
  isContainerfile,
  isProjectManifest,
  projectContainerfile,
  serviceContainerfile,
  shipsImage,
  unexcluded,
  variantsLeft,
  withContainerFolders,
} from '../../services/detection';
import { packageDependencyRoots } from '../../nx/dependency-builds';
import { withNxTokens } from '../../nx/devkit-internal';
import { defaultRunOptions, packageScripts } from '../../services/projects';
import { listed } from '../../text/listed';
import { registerFleet } from '../init/generator';
import { ADOPT_DOCKERIGNORE } from '../init/nx-json';
import { planAdoption, withDistinctImages, type ProjectAdoption } from './plan';
import { readSetups, type AdoptProject, type AdoptWorkspace, type ImageBuildSetup } from './readers';
import { setupFromCommands } from './readers/commands';
import { type BuildFile, isUnreadBuildFile, readBuildFiles, unreadBuildsOf } from './readers/unread-builds';
import { adoptionReport, fleetOnlyNote, type ExcludedProject, type FleetOnlyProject } from './report';
import type { AdoptGeneratorSchema } from './schema';

/**
 * `nx g nx-fleet:adopt [--project p]`: reads what builds each project's image today (@nx/docker,
 * nx-container, run-commands targets, npm scripts), plans each service (planAdoption), prints the
 * table, then writes. With Nx's --dry-run the table is the same and the tree is never written.
 */
export async function adoptGenerator(tree: Tree, options: AdoptGeneratorSchema): Promise<GeneratorCallback> {
  const unscoped = (['dockerfile', 'context', 'image', 'target'] as const).filter(
    (flag) => options[flag] && !options.project,
  );
  if (unscoped.length)
    throw new Error(
      `nx-fleet: --${unscoped.join(', --')} ${unscoped.length === 1 ? 'applies' : 'apply'} to one project; pass --project <name> too.`,
    );
  const nxJson = readNxJson(tree) ?? {};
  const plugin = normalizeOptions(fleetOptionsOf(nxJson));
  const buildTargetName = fleetOptionsOf(nxJson)?.buildTargetName ?? DEFAULT_TARGET_NAMES.build;
  const pushTargetName = fleetOptionsOf(nxJson)?.pushTargetName ?? DEFAULT_TARGET_NAMES.push;
  const workspace: AdoptWorkspace = {
    plugins: nxJson.plugins ?? [],
    targetDefaults: (nxJson.targetDefaults ?? {}) as AdoptWorkspace['targetDefaults'],
    release: nxJson.release as AdoptWorkspace['release'],
  };
  let files: string[] | undefined;
  const workspaceFiles = () => (files ??= listFiles(tree));
  const projects = [...getProjects(tree).values()];
  let facts: ContextFacts['projects'] | undefined;
  const projectFacts = () =>
    (facts ??= projects.map(({ name, root }) => {
      const packageName = readJson(tree, posix.join(root, 'package.json'))?.['name'];
      return { name: name!, root, ...(typeof packageName === 'string' ? { packageName } : {}) };
    }));
  const rootScripts = packageScripts(readJson(tree, 'package.json'));
  let rootOwner: { found?: RootDockerfileOwner } | undefined;
  const rootDockerfile = () =>
    (rootOwner ??= { found: rootDockerfileOwner(tree, projects, projectFacts(), plugin, rootScripts) }).found;
  const fleetOnly = () =>
    fleetOnlyProjects(
      tree,
      imageFiles(workspaceFiles(), plugin.exclude),
      projects,
      new Set([...statedDockerfiles(plugin, projects), ...(rootDockerfile() ? [rootDockerfile()!.dockerfile] : [])]),
    );
  const configs = options.project
    ? [projectConfiguration(tree, options.project, fleetOnly)]
    : projects.sort((a, b) => a.name!.localeCompare(b.name!));
  const flags = options.project
    ? {
        ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
        ...(options.context ? { context: options.context } : {}),
        ...(options.image ? { image: options.image } : {}),
        ...(options.target ? { target: options.target } : {}),
      }
    : {};
  const plans: ProjectAdoption[] = [];
  const excluded: ExcludedProject[] = [];
  const excludedBy = exclusionOf(plugin.exclude);
  const gitignore = tree.read('.gitignore', 'utf-8')?.split(/\r?\n/);
  const nxignore = tree.read('.nxignore', 'utf-8');
  const nxIgnore = nxignore ? ignore().add(nxignore) : undefined;
  const nxIgnored = (file: string) => !!nxIgnore?.ignores(file);
  let claims: Claims | undefined;
  const claimsOf = () =>
    (claims ??= claimedDockerfiles(
      tree,
      imageFiles(workspaceFiles(), plugin.exclude),
      projectFacts(),
      rootScripts,
      rootDockerfile(),
      { exclude: plugin.exclude, stated: statedDockerfiles(plugin, projects) },
    ));
  let rootSetups: ReturnType<typeof rootScriptSetups> | undefined;
  let stated: StatedOutput[] | undefined;
  let unreadTexts: BuildFile[] | undefined;
  const unreadBuildFiles = () =>
    (unreadTexts ??= readBuildFiles(
      workspaceFiles()
        .filter(isUnreadBuildFile)
        .map((file) => ({ file, text: tree.read(file, 'utf-8') ?? '' })),
    ));
  for (const config of configs) {
    const project = adoptProject(tree, config);
    const existing = fleetOf(config);
    const configured = pluginEntry(plugin.services, config);
    // What inference finds, so a setting naming it is not written: the project's own, or one elsewhere
    // the graph gives it (gridfire's root `docker/Dockerfile.api`, pruned to @gridfire/api).
    // The root's own Dockerfile the graph gives another project is not the root's (cobalt's, pruned to its api).
    const own = ownContainerfile(tree, config.root, plugin.exclude);
    const ownDockerfile =
      (own !== undefined && own === rootDockerfile()?.dockerfile ? undefined : own) ??
      claimsOf().byProject.get(config.name!);
    // The root package.json's scripts building the file the project is pointed at (gridfire's
    // `docker:build:api`) are its setups too; with none, a script that builds the project, and no other,
    // before the image (zen's `nx build api --prod && docker build -f deploy/api/Dockerfile -t zen-api .`).
    const pointedAt = flags.dockerfile ?? existing.dockerfile ?? configured.dockerfile ?? ownDockerfile;
    const setups = [
      ...readSetups(project, workspace),
      ...(config.root !== '.'
        ? (rootSetups ??= rootScriptSetups(rootScripts, projectFacts())).flatMap(({ setup, builds }) =>
            (pointedAt === undefined ? builds === config.name : setup.dockerfile === pointedAt) ? [setup] : [],
          )
        : []),
    ];
    // The graph leaves out a Dockerfile the plugin option `exclude` matches, unless a setting names it.
    const ownExcludedBy = ownDockerfile && excludedBy(ownDockerfile);
    // Nx lists no file .nxignore matches (nx_actions_ecs' `Dockerfile` line): the graph finds it only by a setting.
    const ownNxIgnored = !!ownDockerfile && nxIgnored(ownDockerfile);
    // Without a setting, the file a build reads is the one taken, as planAdoption takes it, else the project's own.
    const taken =
      setups.find(({ dockerfile }) => dockerfile !== undefined && tree.isFile(dockerfile))?.dockerfile ?? ownDockerfile;
    // Where its own Dockerfile makes the project a service in the graph, what the graph builds is no excluded one.
    const takenExcludedBy = taken && (!ownDockerfile || ownExcludedBy) ? excludedBy(taken) : undefined;
    // Variants the graph does not choose between (graphql-hive's node.Dockerfile and bun.Dockerfile) are a
    // choice to name, with the command making it, not the absence of a Dockerfile; not those other
    // projects build (world-wide-webb's Dockerfile.frontend, its frontend's by name).
    const variants = ownDockerfile
      ? []
      : (claimsOf().left.get(config.root) ?? unchosenVariants(tree, config.root, plugin.exclude));
    const builds = setups.length > 0 || !!ownDockerfile || variants.length > 0;
    if (!options.project && !wanted(builds, { ...configured, ...existing }, takenExcludedBy)) {
      if (taken && takenExcludedBy && existing.enabled !== false)
        excluded.push({ name: config.name!, dockerfile: taken, pattern: takenExcludedBy });
      continue;
    }
    const candidates = [
      flags.dockerfile,
      existing.dockerfile,
      configured.dockerfile,
      ownDockerfile,
      ...setups.map((s) => s.dockerfile),
    ];
    const dockerfiles: Record<string, string> = {};
    for (const path of candidates) if (path && tree.isFile(path)) dockerfiles[path] = tree.read(path, 'utf-8') ?? '';
    const hostBuildTarget = existing.buildTarget ?? configured.buildTarget ?? plugin.buildTarget;
    const plan = planAdoption({
      project,
      setups,
      existing,
      configured,
      existingBuildTarget: config.targets?.[buildTargetName] ?? scriptTarget(project, buildTargetName, tree),
      ...(config.targets?.[pushTargetName] ? { existingPushTarget: config.targets[pushTargetName] } : {}),
      ...(ownDockerfile ? { ownDockerfile } : {}),
      ...(ownExcludedBy ? { ownExcludedBy } : {}),
      ...(ownNxIgnored ? { ownNxIgnored } : {}),
      ...(variants.length ? { unchosenVariants: variants } : {}),
      flags,
      buildTargetName,
      pushTargetName,
      hostBuildTarget,
      dockerfiles,
      workspace: {
        files: workspaceFiles(),
        ignore: {
          project: ignorePatterns(tree, posix.join(config.root, '.dockerignore')),
          workspace: ignorePatterns(tree, '.dockerignore'),
        },
        // A package manager root of its own above the project (plasmic's platform/), else the folder above
        // it that alone holds what its own Dockerfile copies, as the graph reads them.
        ...nestedRootFacts(tree, workspaceFiles(), config.root, ownDockerfile),
        ...localDependencyFacts(tree, config.root, projectFacts()),
        buildOutputs: buildOutputs(config, hostBuildTarget),
        // What the graph's inference reads of the root too (ever-teams' chatgpt runs a root-only script).
        scripts: scriptFacts(rootScripts, scriptNamesAt(tree, posix.join(config.root, 'package.json'))),
        ...(gitignore ? { gitignore } : {}),
        // Another project's dist, build or out folder is its build output, as the graph reads it (drdreo/hub's
        // webpack build, which states no outputs).
        projects: projectFacts(),
      },
      statedOutputs: (stated ??= statedOutputsOf(projects)),
      infer: inferContext,
    });
    if (options.project && plan.error) throw new Error(plan.error);
    const chosen = plan.row.dockerfile;
    const target = plan.write?.fleet.target ?? existing.target;
    const unread = tree.isFile(chosen) ? unreadBuildsOf(unreadBuildFiles(), chosen, config.root, target) : [];
    if (unread.length)
      plan.notes.push(
        `${listed(unread)} also build${unread.length === 1 ? 's' : ''} ${chosen} (adopt does not read ${unread.length === 1 ? 'it' : 'them'}): compare the image name, build context, build arguments, target stage, platforms, secrets and named contexts there with the ones above, and set what differs (--image, --target; "context", "buildArgs", "platforms", "secrets" and "buildContexts" in ${buildTargetName}'s options)`,
      );
    plans.push(plan);
  }

  const unwritable = options.project ? [] : fleetOnly().filter(({ name }) => !plans.some((p) => p.project === name));
  // Beside the adopted ones too: a graph's warning prints once, and these would be named nowhere else (atlas' deploy/api).
  const adoptedFiles = new Set(plans.map((plan) => plan.row.dockerfile));
  const projectless = options.project
    ? []
    : projectlessDockerfiles(tree, imageFiles(workspaceFiles(), plugin.exclude), [
        ...projects,
        ...unwritable.map(({ root }) => ({ root })),
      ]).filter((file) => !adoptedFiles.has(file));
  const adopted = withDistinctImages(plans);
  logger.info(adoptionReport(adopted, buildTargetName, { projectless, fleetOnly: unwritable, excluded }));
  for (const plan of adopted) {
    if (!plan.write) continue;
    const current = readProjectConfiguration(tree, plan.project);
    const metadata = (current.metadata ?? {}) as Record<string, unknown>;
    const hadFleet = metadata['fleet'] !== undefined;
    const fleet = plan.write.fleet;
    // The push it replaces goes with it.
    const { [pushTargetName]: _push, ...kept } = current.targets ?? {};
    const base = plan.write.replacedPush ? kept : current.targets;
    const { [buildTargetName]: _replaced, ...others } = base ?? {};
    // A target left with nothing to add (the old build it replaced is gone) is no entry at all.
    const targets = plan.write.buildTarget
      ? Object.keys(plan.write.buildTarget).length
        ? { ...base, [buildTargetName]: plan.write.buildTarget }
        : others
      : base;
    // A service nx-fleet builds as inferred needs no word in its project file: it is left as written
    // (iqb-berlin's coding-box frontend was rewritten with its keys reordered, nothing added).
    const unchanged =
      !plan.write.buildTarget &&
      !plan.write.replacedPush &&
      (hadFleet ? isDeepStrictEqual(metadata['fleet'], fleet) : !Object.keys(fleet).length);
    if (!unchanged)
      updateProjectConfiguration(tree, plan.project, {
        ...current,
        ...(hadFleet || Object.keys(fleet).length ? { metadata: { ...metadata, fleet } } : {}),
        ...(targets ? { targets } : {}),
      } as ProjectConfiguration);
    // Prebuilt output (dist) stays in: existing Dockerfiles often copy it.
    if (plan.write.dockerignore && !tree.exists(plan.write.dockerignore))
      tree.write(plan.write.dockerignore, ADOPT_DOCKERIGNORE);
  }
  // Nothing adopted, nothing written: the plugin is registered (init) only with a service to build.
  if (!plans.some((plan) => plan.write)) return () => undefined;
  registerFleet(tree);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default adoptGenerator;

/**
 * Without --project: projects something builds an image for, and those with a Dockerfile nx-fleet would
 * use, but not where the plugin option `exclude` hides the file taken: the graph makes no service of it
 * whatever builds it (OpenFn's integration-tests, whose npm `build` script runs docker build), and only
 * a setting, which --project writes, makes it one.
 */
function wanted(builds: boolean, existing: FleetServiceConfig, excludedBy: string | undefined): boolean {
  if (existing.enabled === false) return false;
  if (existing.dockerfile) return true;
  return builds && !excludedBy;
}

/** The plugin option `exclude`'s first pattern that matches a file, as the graph's detection reads them. */
function exclusionOf(exclude: readonly string[]): (file: string) => string | undefined {
  return (file) => exclude.find((glob) => excludeMatcher(glob)(file));
}

/**
 * The projects only nx-fleet makes: a named package.json beside a container file, in none of the
 * package manager's workspaces (planka's root, with no `workspaces`), whose name no project has. Nx's generators read and write
 * no configuration of theirs.
 */
function fleetOnlyProjects(
  tree: Tree,
  dockerfiles: readonly string[],
  projects: readonly ProjectConfiguration[],
  claimed: ReadonlySet<string>,
): FleetOnlyProject[] {
  const roots = new Set(projects.map((p) => p.root));
  // A name another project has makes no project at all (redocly-cli's root, named as packages/cli): Nx would refuse two.
  const taken = new Set(projects.map((p) => p.name));
  // At the workspace root only a plain Dockerfile is the root's own (next-turborepo-starter's root
  // admin.Dockerfile and client.Dockerfile are its apps').
  // A root Dockerfile other projects' settings build from is theirs (bciers' `--build-arg` per app), and so
  // is one the graph gives another project (cobalt's, pruned to its api: `rootDockerfileOwner`).
  // A Dockerfile kept in a project's container folder is that project's, as the graph gives it
  // (supermarket-watch's root docker/Dockerfile).
  const folderOf = projectFolderOf(tree);
  const own = dockerfiles.filter(
    (file) => folderOf(file) !== '.' || (containerfileVariant(file) === '' && !claimed.has(file)),
  );
  // In a folder named for development or tests it is a helper's image (xmtp-js' dev/uploadService, built by
  // a dev compose file), which the graph makes no service of (`withoutFixtureProjects`): a project.json would make it one.
  const named = [...new Set(own.map(folderOf))].flatMap((root) => {
    const name =
      roots.has(root) || inDevelopmentFolder(root)
        ? undefined
        : readJson(tree, posix.join(root, 'package.json'))?.['name'];
    return typeof name === 'string' && name && !taken.has(name) ? [{ root, name }] : [];
  });
  // Two folders under one name make no project either (VinheiriaAgnello's auth/ and gateway/, both
  // `auth-service`): a project.json of that name in each would clash, as Nx says.
  const once = named.filter(({ name }) => named.filter((other) => other.name === name).length === 1);
  return once.map(({ root, name }) => {
    const dockerfile = own.find((file) => folderOf(file) === root && containerfileVariant(file) === '');
    const staged = dockerfile === undefined ? [] : stagedProjects(tree.read(dockerfile, 'utf-8') ?? '', projects);
    return { name, root, ...(staged.length && { staged: { dockerfile: dockerfile!, projects: staged } }) };
  });
}

/**
 * The projects a Dockerfile's final stages are named after (cyborg-academy's root `Dockerfile`, stages
 * `api` and `ui` that its Fly configs build with `build-target`): each stage is that project's image.
 */
function stagedProjects(text: string, projects: readonly ProjectConfiguration[]): string[] {
  const finals = new DockerfileReading(text).finalStages;
  if (finals.length < 2) return [];
  return projects.flatMap((project) =>
    project.name && finals.includes(project.name.toLowerCase()) ? [project.name] : [],
  );
}

/** The Dockerfiles projects other than the root's build from by their settings: the plugin option `services`, `metadata.fleet`. */
function statedDockerfiles(
  plugin: Pick<NormalizedFleetOptions, 'services'>,
  projects: readonly ProjectConfiguration[],
): Set<string> {
  const stated = (project: ProjectConfiguration) =>
    (project.metadata as { fleet?: { dockerfile?: unknown } } | undefined)?.fleet?.dockerfile;
  return new Set(
    [
      ...Object.entries(plugin.services).flatMap(([name, config]) => (name === '.' ? [] : [config.dockerfile])),
      ...projects.flatMap((project) => (project.root === '.' ? [] : [stated(project)])),
    ].flatMap((file) => (typeof file === 'string' ? [posix.normalize(file)] : [])),
  );
}

/** A project's configuration as Nx's generators read it; for one only nx-fleet makes, what to do instead. */
function projectConfiguration(
  tree: Tree,
  name: string,
  fleetOnly: () => readonly FleetOnlyProject[],
): ProjectConfiguration {
  try {
    return readProjectConfiguration(tree, name);
  } catch {
    const project = fleetOnly().find((p) => p.name === name);
    if (project) throw new Error(fleetOnlyNote(project));
    throw new Error(
      `nx-fleet adopt: no project is named "${name}" (\`nx show projects\` lists them). To make the folder of a Dockerfile a project of that name, add a project.json with "name": "${name}" to it, then run adopt again.`,
    );
  }
}

/**
 * The project's own Dockerfile as the graph finds it: in its folder (a named variant too, or the one
 * variant `exclude` leaves), else kept alone in a container folder of its own (mockoon's
 * `packages/cli/docker/Dockerfile`); none where that file only lists images (testcontainers' modules).
 */
function ownContainerfile(tree: Tree, root: string, exclude: readonly string[] = []): string | undefined {
  const file = projectContainerfile(projectContainerfiles(tree, root), exclude);
  return file && dockerfileReading(tree, file)?.listsImagesOnly ? undefined : file;
}

/**
 * The shipping variants a project folder holds with no plain Dockerfile, of those the plugin option
 * `exclude` leaves: the graph does not guess which one ships (`ambiguousWarning`), nor does adopt.
 */
function unchosenVariants(tree: Tree, root: string, exclude: readonly string[]): readonly string[] {
  if (root === '.') return [];
  return serviceContainerfile(unexcluded(projectContainerfiles(tree, root), exclude)).ambiguous ?? [];
}

/** The container files the graph gives a project: in its folder, else in a container folder of its own. */
function projectContainerfiles(tree: Tree, root: string): string[] {
  const inFolder = (folder: string) =>
    tree
      .children(folder)
      .map((name) => posix.join(folder, name))
      .filter((file) => tree.isFile(file) && (isContainerfile(file) || isProjectManifest(file)));
  const folders = new Map([[root, inFolder(root)]]);
  for (const name of tree.children(root)) {
    const folder = posix.join(root, name);
    if (!tree.isFile(folder)) folders.set(folder, inFolder(folder));
  }
  const claimed =
    withContainerFolders(
      folders,
      notTheProjects(
        (path) => tree.exists(path),
        (file) => dockerfileReading(tree, file),
      ),
    ).get(root) ?? [];
  return claimed.filter(isContainerfile);
}

function dockerfileReading(tree: Tree, file: string): DockerfileReading | undefined {
  const text = tree.read(file, 'utf-8');
  return text === null ? undefined : new DockerfileReading(text);
}

interface Claims {
  /** The one container file the graph gives a project by its claim rules, by project name. */
  byProject: ReadonlyMap<string, string>;
  /** Where another project builds some of a project folder's unchosen variants: those left, by root. */
  left: ReadonlyMap<string, readonly string[]>;
}

/**
 * The container files outside every project folder, and the variants a project folder's settings do
 * not choose between, that the graph gives a project, as its claim rules do (`prunedFor`,
 * `namedBuildFor`), and the root's own Dockerfile it gives a project without an image of its own
 * (`rootDockerfileOwner`): by project name. One claimed by several files is none's. A folder's variants
 * left once other projects take theirs are its project's, as `variantsLeft` decides for the graph.
 */
function claimedDockerfiles(
  tree: Tree,
  files: readonly string[],
  projects: NonNullable<ContextFacts['projects']>,
  rootScripts: Readonly<Record<string, string>>,
  root: RootDockerfileOwner | undefined,
  settings: { exclude: readonly string[]; stated: ReadonlySet<string> },
): Claims {
  const roots = new Set(projects.map((project) => project.root));
  const dependencyRoots = dependencyRootsIn(tree, projects);
  // A project folder's variants no setting builds are claimed as any other (world-wide-webb's
  // `apps/dont-text-your-ex/Dockerfile.frontend`, its frontend's by name).
  const undecided = projects.flatMap(({ name, root: folder }) => {
    const ambiguous = unchosenVariants(tree, folder, settings.exclude);
    return ambiguous.length ? [{ name, root: folder, ambiguous }] : [];
  });
  const unbuilt = new Set(undecided.flatMap(({ ambiguous }) => ambiguous).filter((file) => !settings.stated.has(file)));
  const claims = new Map<string, string[]>(root && !root.ownImage ? [[root.project, [root.dockerfile]]] : []);
  for (const file of files) {
    if (file === root?.dockerfile) continue;
    const folder = posix.dirname(file);
    if (roots.has(folder) && !(folder === '.' && containerfileVariant(file) !== '') && !unbuilt.has(file)) continue;
    const text = tree.read(file, 'utf-8');
    const found =
      text === null
        ? undefined
        : (prunedFor(text, projects, rootScripts, dependencyRoots) ??
          namedBuildFor(file, text, projects, dependencyRoots, rootScripts));
    if (found) claims.set(found.project, [...(claims.get(found.project) ?? []), file]);
  }
  const left = new Map<string, string[]>();
  for (const { name, root: folder, ambiguous } of undecided) {
    const taken = new Set([
      ...settings.stated,
      ...[...claims].flatMap(([project, claimed]) => (project === name ? [] : claimed)),
    ]);
    const { left: own, own: one } = variantsLeft(ambiguous, taken, claims.has(name));
    if (own.length < ambiguous.length) left.set(folder, own);
    if (one) claims.set(name, [one]);
  }
  return {
    byProject: new Map(
      [...claims].flatMap(([project, claimed]) => (claimed.length === 1 ? [[project, claimed[0]!]] : [])),
    ),
    left,
  };
}

/** The workspace projects a project depends on, by root, as its package.json states them. */
function dependencyRootsIn(
  tree: Tree,
  projects: NonNullable<ContextFacts['projects']>,
): (root: string) => readonly string[] {
  return (root) => packageDependencyRoots(root, projects, (path) => readJson(tree, path) ?? {});
}

interface RootDockerfileOwner {
  project: string;
  dockerfile: string;
  /** The project has an image of its own, which it keeps: the root's Dockerfile is then no one's. */
  ownImage: boolean;
}

/**
 * The project other than the root's whose image the workspace root's own Dockerfile is, as the graph
 * gives it (`rootDockerfileFor`: cobalt's `pnpm deploy --filter=@imput/cobalt-api`, fedimint's `turbo
 * prune @fedimint/router`); undefined where it is the root's, or where the root is no project at all
 * (neither Nx's nor one only nx-fleet makes), whose Dockerfile is claimed as any other is.
 */
function rootDockerfileOwner(
  tree: Tree,
  configs: readonly ProjectConfiguration[],
  projects: NonNullable<ContextFacts['projects']>,
  plugin: Pick<NormalizedFleetOptions, 'services' | 'exclude'>,
  rootScripts: Readonly<Record<string, string>>,
): RootDockerfileOwner | undefined {
  const dockerfile = ownContainerfile(tree, '.');
  const text = dockerfile !== undefined && posix.dirname(dockerfile) === '.' ? tree.read(dockerfile, 'utf-8') : null;
  if (text === null) return undefined;
  const rootConfig = configs.find((config) => config.root === '.');
  const name = rootConfig?.name ?? readJson(tree, 'package.json')?.['name'];
  // A name another project has makes no project of the root (redocly-cli's), as for `fleetOnlyProjects`.
  if (typeof name !== 'string' || !name || (!rootConfig && configs.some((config) => config.name === name)))
    return undefined;
  const settingsOf = (config: ProjectConfiguration) => ({
    ...pluginEntry(plugin.services, config),
    ...fleetOf(config),
  });
  // The root's own settings keep its Dockerfile its own.
  if (Object.keys(settingsOf(rootConfig ?? { root: '.', name })).length) return undefined;
  const hasImage = (project: string) => {
    const config = configs.find((c) => c.name === project);
    return (
      !!config && (ownContainerfile(tree, config.root, plugin.exclude) !== undefined || !!settingsOf(config).dockerfile)
    );
  };
  const found = rootDockerfileFor(
    text,
    projects,
    { name, nxProject: !!rootConfig },
    hasImage,
    dependencyRootsIn(tree, projects),
    rootScripts,
  );
  return found && { project: found.project, dockerfile: dockerfile!, ownImage: hasImage(found.project) };
}

/** The root package.json's scripts that build an image, read as setups run from the workspace root. */
function rootScriptSetups(
  scripts: Readonly<Record<string, string>>,
  projects: NonNullable<ContextFacts['projects']>,
): Array<{ setup: ImageBuildSetup; builds?: string }> {
  return Object.entries(scripts).flatMap(([name, script]) => {
    const setup = setupFromCommands({ source: `the root package.json's script ${name}`, scripts: [script], cwd: '.' });
    if (setup?.dockerfile === undefined) return [];
    // The one project it builds by name before the image, where no project's folder holds the Dockerfile.
    const built = projects.filter((p) => [p.name, p.packageName].some((n) => n && buildsPackage(script, n)));
    const folder = posix.dirname(setup.dockerfile);
    const elsewhere = !projects.some((p) => p.root === folder);
    return [
      {
        setup,
        ...(built.length === 1 && elsewhere ? { builds: built[0]!.name } : {}),
      },
    ];
  });
}

/** Plain and shipping container files outside the excluded paths: what may build a service's image. */
function imageFiles(files: readonly string[], exclude: readonly string[]): string[] {
  const excluded = exclusionOf(exclude);
  return files.filter((file) => (containerfileVariant(file) === '' || shipsImage(file)) && !excluded(file));
}

/**
 * Of those, the ones in folders no project has, as the graph warns of them: not in a folder named for
 * development, nor in a project's container folder, whose variants the graph names as variants beside
 * the project's Dockerfile (supermarket-watch's docker/proxy.Dockerfile).
 */
function projectlessDockerfiles(
  tree: Tree,
  dockerfiles: readonly string[],
  projects: ReadonlyArray<Pick<ProjectConfiguration, 'root'>>,
): string[] {
  const roots = new Set(projects.map((p) => p.root));
  const folderOf = projectFolderOf(tree);
  return dockerfiles.filter((file) => !roots.has(folderOf(file)) && !inDevelopmentFolder(posix.dirname(file)));
}

/**
 * The folder whose project a container file is, as the graph groups them: the folder above a container
 * folder where `withContainerFolders` joins it to that one (hedgedoc's backend/docker/), else its own.
 * Each folder above is read once.
 */
function projectFolderOf(tree: Tree): (file: string) => string {
  const joined = new Map<string, readonly string[]>();
  return (file) => {
    const folder = posix.dirname(file);
    const above = posix.dirname(folder);
    if (above === folder) return folder;
    if (!joined.has(above)) joined.set(above, projectContainerfiles(tree, above));
    return joined.get(above)!.includes(file) ? above : folder;
  };
}

function fleetOf(config: ProjectConfiguration): FleetServiceConfig {
  const fleet = (config.metadata as { fleet?: unknown } | undefined)?.fleet;
  return typeof fleet === 'object' && fleet !== null ? (fleet as FleetServiceConfig) : {};
}

/** The plugin option `services`' entry for the project, by root then name, as create-nodes reads it (the valid settings). */
function pluginEntry(services: Readonly<Record<string, unknown>>, config: ProjectConfiguration): FleetServiceConfig {
  const byKey = (key: string | undefined) =>
    key !== undefined && Object.hasOwn(services, key) ? parseServiceConfig(services[key]).config : {};
  return { ...byKey(config.root), ...byKey(config.name) };
}

/**
 * A package.json script under nx-fleet's build target name, which Nx makes the project's target of
 * that name (unless `nx.includedScripts` leaves it out): the Tree's configuration does not list scripts.
 */
function scriptTarget(project: AdoptProject, name: string, tree: Tree): TargetConfiguration | undefined {
  if (project.scripts[name] === undefined) return undefined;
  const packageJson = readJson(tree, posix.join(project.root, 'package.json'));
  const included = (packageJson?.['nx'] as { includedScripts?: unknown } | undefined)?.includedScripts;
  if (Array.isArray(included) && !included.includes(name)) return undefined;
  return { executor: 'nx:run-script', options: { script: name } };
}

/** The script names of a package.json in the tree (none when it is missing). */
function scriptNamesAt(tree: Tree, path: string): string[] {
  return Object.keys(packageScripts(readJson(tree, path)));
}

function readJson(tree: Tree, path: string): Record<string, unknown> | undefined {
  if (!tree.isFile(path)) return undefined;
  try {
    const value = JSON.parse(tree.read(path, 'utf-8') ?? '') as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function adoptProject(tree: Tree, config: ProjectConfiguration): AdoptProject {
  const projectJson = readJson(tree, posix.join(config.root, 'project.json'));
  const packageJson = readJson(tree, posix.join(config.root, 'package.json'));
  const name = (json: Record<string, unknown> | undefined) =>
    typeof json?.['name'] === 'string' ? (json['name'] as string) : undefined;
  const manifestName = name(projectJson) ?? name(packageJson);
  return {
    name: config.name!,
    root: config.root,
    // As Nx runs them: `"cwd": "{workspaceRoot}"` is the workspace root.
    targets: Object.fromEntries(
      Object.entries(config.targets ?? {}).map(([name, target]) => [
        name,
        withNxTokens(target, { name: config.name!, root: config.root }),
      ]),
    ),
    ...(manifestName ? { manifestName } : {}),
    scripts: packageScripts(packageJson),
    ...(config.release ? { release: config.release as AdoptProject['release'] } : {}),
    hasDockerfile: tree.isFile(posix.join(config.root, 'Dockerfile')),
  };
}

/** The workspace packages the project depends on that only the workspace root's install resolves, as the graph reads them. */
function localDependencyFacts(
  tree: Tree,
  root: string,
  projects: NonNullable<ContextFacts['projects']>,
): Pick<ContextFacts, 'localDependencies'> {
  const local = localDependencies(readJson(tree, posix.join(root, 'package.json')) ?? {}, (name) => {
    const found = projects.find((project) => project.packageName === name);
    return found && { private: readJson(tree, posix.join(found.root, 'package.json'))?.['private'] === true };
  });
  return local.length ? { localDependencies: local } : {};
}

function nestedRootFacts(
  tree: Tree,
  files: readonly string[],
  root: string,
  ownDockerfile: string | undefined,
): Pick<ContextFacts, 'nestedRoot' | 'folderIgnore' | 'nestedRootLists' | 'nestedRootHolds'> {
  const nestedRoot = nestedRootOf(files, root);
  if (nestedRoot === undefined) {
    const text = ownDockerfile && posix.dirname(ownDockerfile) === root ? tree.read(ownDockerfile, 'utf-8') : null;
    const holder = text ? sourcesHolderOf(files, root, copySources(text)) : undefined;
    return holder === undefined
      ? {}
      : {
          nestedRoot: holder,
          nestedRootHolds: true,
          folderIgnore: ignorePatterns(tree, posix.join(holder, '.dockerignore')),
        };
  }
  const lists = listsWorkspace(
    readJson(tree, posix.join(nestedRoot, 'package.json')),
    tree.read(posix.join(nestedRoot, 'pnpm-workspace.yaml'), 'utf-8') ?? undefined,
    nestedRoot,
    root,
  );
  return {
    nestedRoot,
    folderIgnore: ignorePatterns(tree, posix.join(nestedRoot, '.dockerignore')),
    ...(lists ? { nestedRootLists: true as const } : {}),
  };
}

/** Files as git sees them (ignored ones, such as build outputs, absent), sorted. */
function listFiles(tree: Tree): string[] {
  const files: string[] = [];
  visitNotIgnoredFiles(tree, '', (path) => files.push(path));
  return files.sort();
}

function ignorePatterns(tree: Tree, path: string): string[] {
  if (!tree.isFile(path)) return [];
  return (tree.read(path, 'utf-8') ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The build target's `outputs` as workspace paths; ones naming other tokens are left out. */
function buildOutputs(config: ProjectConfiguration, target: string): string[] {
  return targetOutputs(config, config.targets?.[target]);
}

/** A target's `outputs` as the graph reads them (`interpolatedOutput`): workspace paths, none naming what Nx would not know. */
function targetOutputs(config: ProjectConfiguration, target: TargetConfiguration | undefined): string[] {
  const options = defaultRunOptions(target);
  return (target?.outputs ?? []).flatMap((output) => {
    const path = interpolatedOutput(output, { root: config.root, project: config.name ?? '', options });
    return path === undefined ? [] : [posix.normalize(path)];
  });
}

/** What every project's targets state they write, as the graph reads another project's output the Dockerfile copies. */
function statedOutputsOf(projects: readonly ProjectConfiguration[]): StatedOutput[] {
  return projects.flatMap((config) =>
    Object.entries(config.targets ?? {}).flatMap(([target, configuration]) =>
      targetOutputs(config, configuration).map((output) => ({ project: config.name!, target, output })),
    ),
  );
}
