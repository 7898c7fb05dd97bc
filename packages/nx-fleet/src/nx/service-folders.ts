import { posix } from 'node:path';
import { listed } from '../text/listed';
import type { NormalizedFleetOptions } from '../config/options';
import {
  fleetBlockOf,
  parseServiceConfig,
  type FleetServiceConfig,
  type ProjectManifest,
} from '../config/service-settings';
import {
  containerfileVariant,
  detectService,
  isContainerfile,
  serviceContainerfile,
  unexcluded,
  type Detection,
} from '../services/detection';
import {
  foreignBuildTarget,
  foreignServiceTarget,
  replacedTargetConsequence,
  SERVICE_TARGETS,
  statedTarget,
  type ServiceTargetRole,
} from '../services/projects';

export const MANIFEST_NAMES = ['project.json', 'package.json'] as const;
export type ManifestName = (typeof MANIFEST_NAMES)[number];

/** The texts of a folder's manifests among the matched files; undefined for one that could not be read. */
export type ManifestTexts = Partial<Record<ManifestName, string | undefined>>;

export interface Warning {
  /** Printed once per key and state of its folder (kept in the plugin's cache file across Nx commands). */
  key: string;
  message: string;
}

/** What one folder of matched files makes, and what the user should hear about it. */
export interface FolderAnalysis {
  detection: Detection;
  /** The name Nx gives the folder's project: its targets' help commands name it. */
  projectName: string;
  /** What the runtime graph knows of the folder's project; absent when the folder names no project. */
  project?: { tags: string[]; packageName?: string };
  warnings: Warning[];
  /** A service whose own configuration gives nx-fleet's build target name to another build (`replacedBuildWarning`). */
  replacedBuild?: ReplacedBuild;
  /** Its own targets under the names of nx-fleet's push, scan or contract-verify (`replacedTargetWarnings`). */
  replacedTargets?: Array<ReplacedBuild & { role: ServiceTargetRole; name: string }>;
}

/** Where a project's own file states a target under nx-fleet's build target name, and why that stops nx-fleet's (`foreignBuildTarget`). */
export interface ReplacedBuild {
  file: string;
  why: string;
  /** Of a replaced build: the names of nx-fleet's other targets the project's own replace too, said in its warning. */
  alsoReplaced?: string[];
  /** A package.json script: adopt reports it, carries nothing over. */
  script?: true;
}

/** Pure: the manifests' texts are read by the caller, so the analysis can be cached by them. */
export function analyseFolder(
  root: string,
  folderFiles: readonly string[],
  texts: ManifestTexts,
  options: NormalizedFleetOptions,
  /** Nx makes a project of the folder's package.json though it has no name (`FolderInput.nxName`). */
  nxNamed = false,
): FolderAnalysis {
  const warnings: Warning[] = [];
  const containerfiles = folderFiles.filter(isContainerfile);
  const manifest = (name: ManifestName) =>
    name in texts ? parseManifest(posix.join(root, name), texts[name], containerfiles.length > 0, warnings) : undefined;
  const projectJson = manifest('project.json');
  const packageJson = manifest('package.json');
  const projectName = nameOf(root, projectJson, packageJson);
  const project = projectFacts(projectJson, packageJson);
  const facts = { projectName, ...(project ? { project } : {}), warnings };
  const fromPlugin = pluginSettings(root, projectName, projectJson, packageJson, options, warnings);
  // A project that names its Dockerfile (its own fleet block, or the plugin option `services`) is a
  // service even when its folder holds none.
  if (!containerfiles.length && !hasFleetBlock(projectJson, packageJson) && !fromPlugin.dockerfile)
    return { detection: { kind: 'none' }, ...facts };
  const config = serviceConfig(root, projectJson, packageJson, fromPlugin, warnings);
  const detection = detectService(
    { root, containerfiles, projectJson, packageJson, config, ...(nxNamed && { nxName: projectName }) },
    options.exclude,
  );
  // Variants `exclude` hides are no choice to ask for (nor to warn about in an excluded folder).
  const { ambiguous } = serviceContainerfile(unexcluded(containerfiles, options.exclude));
  if (detection.kind === 'none' && project && ambiguous && root !== '.')
    warnings.push(ambiguousWarning(root, ambiguous));
  if (detection.kind !== 'service') return { detection, ...facts };
  const manifests = { projectJson, packageJson };
  const replacedBuild = ownTarget(root, manifests, options.buildTargetName, (target) =>
    foreignBuildTarget(projectName, options.buildTargetName, target),
  );
  const replacedTargets = (Object.keys(SERVICE_TARGETS) as ServiceTargetRole[]).flatMap((role) => {
    const name = options[SERVICE_TARGETS[role].option];
    const replaced = ownTarget(root, manifests, name, (target) =>
      foreignServiceTarget(projectName, name, role, target),
    );
    return replaced ? [{ ...replaced, role, name }] : [];
  });
  // One warning per file: with the build replaced too, the others are said in its warning.
  if (replacedBuild)
    return {
      detection,
      ...facts,
      replacedBuild: replacedTargets.length
        ? { ...replacedBuild, alsoReplaced: replacedTargets.map((r) => r.name) }
        : replacedBuild,
    };
  return { detection, ...facts, ...(replacedTargets.length ? { replacedTargets } : {}) };
}

/**
 * The project's own file gives the name of one of nx-fleet's targets to another (a run-commands
 * `docker build` under the build's, an npm script, a `docker push` under the push's): Nx takes the
 * project's target. `foreign` says why that stops nx-fleet's; undefined when it does not.
 */
function ownTarget(
  root: string,
  { projectJson, packageJson }: { projectJson?: ProjectManifest; packageJson?: ProjectManifest },
  name: string,
  foreign: (target: ReturnType<typeof statedTarget>) => string | undefined,
): ReplacedBuild | undefined {
  const own = (targets: unknown) => statedTarget((targets as Record<string, unknown> | null | undefined)?.[name]);
  const included = packageJson?.nx?.includedScripts;
  const script = (packageJson?.scripts as Record<string, unknown> | undefined)?.[name];
  const scriptTarget =
    typeof script === 'string' && (!Array.isArray(included) || included.includes(name))
      ? { executor: 'nx:run-script', options: { command: script } }
      : undefined;
  // As Nx merges them: project.json over package.json's nx.targets over its scripts.
  const [file, target] =
    (
      [
        ['project.json', own(projectJson?.targets)],
        ['package.json', own(packageJson?.nx?.targets) ?? scriptTarget],
      ] as const
    ).find(([, found]) => found !== undefined) ?? [];
  const why = target && foreign(target);
  return file && why
    ? { file: posix.join(root, file), why, ...(target.executor === 'nx:run-script' && { script: true as const }) }
    : undefined;
}

/** One warning for every service whose own configuration replaces nx-fleet's build target (a repository's fourteen, say). */
export function replacedBuildWarning(builds: readonly ReplacedBuild[], name: string): Warning {
  const [only] = builds;
  const others = (names: readonly string[]) => `${names.join(' and ')} ${names.length === 1 ? 'replaces' : 'replace'}`;
  if (only && builds.length === 1)
    return {
      key: `${only.file}:${name}`,
      message:
        `nx-fleet: ${only.file}: ${only.why}` +
        (only.alsoReplaced?.length
          ? ` Its own ${others(only.alsoReplaced)} nx-fleet's too: the project's commands run instead, with no scan or contract check before its push.`
          : ''),
    };
  const also = builds.filter((b) => b.alsoReplaced?.length);
  const scripts = builds.filter((b) => b.script);
  return {
    key: `replaced:${name}:${builds.map((b) => b.file).join(',')}`,
    message:
      `nx-fleet: ${builds.length} projects give their own build nx-fleet's build target name, ${name}, which replaces nx-fleet's: ${listed(builds.map((b) => b.file))}. ` +
      `nx-fleet's scan, contract-verify and docker-push use the image record nx-fleet's ${name} writes, so they refuse to run there. ` +
      (also.length
        ? `Of them, ${listed(also.map((b) => b.file))} give their own targets nx-fleet's other names too (${[...new Set(also.flatMap((b) => b.alsoReplaced!))].join(', ')}): the projects' commands run instead, with no scan or contract check before their push. `
        : '') +
      (scripts.length < builds.length
        ? `Carry ${scripts.length ? 'the others' : 'those builds'} over with \`nx g nx-fleet:adopt\` (their image names, contexts, build args and dependsOn become nx-fleet's ${name}), `
        : '') +
      (scripts.length
        ? `${scripts.length < builds.length ? 'rename' : 'Rename'} the package.json scripts of ${listed(scripts.map((b) => b.file))} (adopt reports a script, it carries none over), `
        : '') +
      `or give nx-fleet's build target another name (plugin option buildTargetName).`,
  };
}

/**
 * One warning for the services whose own configuration replaces the same of nx-fleet's push, scan and
 * contract-verify (getlarge/ticketing's six `docker push` targets): each file in one warning only.
 */
export function replacedTargetWarning(
  replaced: readonly ReplacedBuild[],
  targets: ReadonlyArray<{ role: ServiceTargetRole; name: string }>,
): Warning {
  const [only] = replaced;
  const names = targets.map((target) => target.name);
  if (only && replaced.length === 1 && targets.length === 1)
    return { key: `${only.file}:${names[0]}`, message: `nx-fleet: ${only.file}: ${only.why}` };
  const files = replaced.map((r) => r.file);
  return {
    key: `replaced:${names.join(',')}:${files.join(',')}`,
    message: `nx-fleet: ${replaced.length === 1 ? 'a project gives' : `${replaced.length} projects give`} ${
      names.length === 1
        ? `a target of ${replaced.length === 1 ? 'its' : 'their'} own nx-fleet's ${names[0]} name, which replaces`
        : `targets of ${replaced.length === 1 ? 'its' : 'their'} own the names of nx-fleet's ${names.join(' and ')}, which replace`
    } nx-fleet's: ${listed(files)}. ${targets.map(({ role, name }) => replacedTargetConsequence(role, name)).join(' ')}`,
  };
}

/** One warning for the shipping variants no image is built from (`unbuiltVariants`). */
export function unbuiltVariantsWarning(variants: readonly string[]): Warning {
  const [first] = variants;
  const them = variants.length === 1 ? 'it' : 'them';
  return {
    key: `unbuilt:${variants.join(',')}`,
    message:
      (variants.length === 1
        ? `nx-fleet: ${first} is a Dockerfile variant beside the Dockerfile a project is built from: no image is built from the variant. `
        : `nx-fleet: ${variants.length} Dockerfile variants are beside the Dockerfile a project is built from: no image is built from them: ${variants.join(', ')}. `) +
      `To build one as well, point a project of its own at it (a project builds one image) with "metadata": { "fleet": { "dockerfile": "${first}" } } (or the plugin option "services"); to silence this, exclude ${them} with the plugin option "exclude".`,
  };
}

/** One warning for the shipping variants at the workspace root no image is built from (`rootVariants`). */
export function rootVariantsWarning(variants: readonly string[]): Warning {
  const [first] = variants;
  const them = variants.length === 1 ? 'it' : 'them';
  return {
    key: `root-variants:${variants.join(',')}`,
    message:
      `nx-fleet: ${variants.join(', ')} ${variants.length === 1 ? 'is a Dockerfile variant' : 'are Dockerfile variants'} at the workspace root, where only a plain Dockerfile makes a service (a root variant often builds one image per stage): no image is built from ${them}. ` +
      `To build one, point a project at it with "metadata": { "fleet": { "dockerfile": "${first}" } } (or the plugin option "services", "." naming the root; each image needs a project of its own); to silence this, exclude ${them} with the plugin option "exclude".`,
  };
}

/** The key of a project folder's warning that its variants are not chosen between. */
export function variantsWarningKey(root: string): string {
  return `${root}:variants`;
}

export function ambiguousWarning(root: string, variants: readonly string[]): Warning {
  const names = variants.map((file) => posix.basename(file));
  return {
    key: variantsWarningKey(root),
    message:
      `nx-fleet: ${root} holds ${names.slice(0, -1).join(', ')} and ${names.at(-1)} and no plain Dockerfile, so it is not a service: which one ships is not guessed. ` +
      `Name it in the project's configuration with "metadata": { "fleet": { "dockerfile": "${variants[0]}" } } (or the plugin option "services"), or exclude the others with the plugin option "exclude".`,
  };
}

/**
 * A folder is a project for the runtime graph when Nx would name it: a project.json, or a package.json
 * with a name. Its tags (SDK ownership by `fleet:sdk-of:<service>`) and npm name (imports by package).
 */
function projectFacts(
  projectJson: ProjectManifest | undefined,
  packageJson: ProjectManifest | undefined,
): FolderAnalysis['project'] {
  const packageName = typeof packageJson?.name === 'string' && packageJson.name ? packageJson.name : undefined;
  if (!projectJson && !packageName) return undefined;
  const tags = [projectJson?.tags, packageJson?.nx?.tags].flatMap((list) =>
    Array.isArray(list) ? list.filter((tag): tag is string => typeof tag === 'string') : [],
  );
  return { tags: [...new Set(tags)], ...(packageName ? { packageName } : {}) };
}

/**
 * A broken JSON file must not break the graph: Nx reports it itself when it reads the project.
 * nx-fleet only mentions it where it matters, beside a Dockerfile.
 */
function parseManifest(
  file: string,
  text: string | undefined,
  besideDockerfile: boolean,
  warnings: Warning[],
): ProjectManifest {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    return typeof parsed === 'object' && parsed !== null ? (parsed as ProjectManifest) : {};
  } catch {
    if (besideDockerfile)
      warnings.push({ key: file, message: `nx-fleet: ${file} is not valid JSON; its project is treated as unnamed.` });
    return {};
  }
}

function hasFleetBlock(projectJson: ProjectManifest | undefined, packageJson: ProjectManifest | undefined): boolean {
  return (
    fleetBlockOf(projectJson, 'project.json') !== undefined || fleetBlockOf(packageJson, 'package.json') !== undefined
  );
}

function serviceConfig(
  root: string,
  projectJson: ProjectManifest | undefined,
  packageJson: ProjectManifest | undefined,
  fromPlugin: FleetServiceConfig,
  warnings: Warning[],
): FleetServiceConfig {
  const kind = projectJson ? 'project.json' : 'package.json';
  const file = posix.join(root, kind);
  const own = parseServiceConfig(fleetBlockOf(projectJson ?? packageJson, kind));
  for (const problem of own.problems)
    warnings.push({
      key: `${file}:${problem.field}`,
      message: `nx-fleet: ${file}: fleet setting "${problem.field}" ${problem.message}; it is ignored.`,
    });
  // The plugin-wide context and includes apply in nx/targets, where they are told apart from inference.
  return { ...fromPlugin, ...own.config };
}

/**
 * The plugin option `services` for this folder's project: by root, then by name (the manifest's, and
 * the name Nx gives the project), a name winning over the root.
 */
function pluginSettings(
  root: string,
  projectName: string,
  projectJson: ProjectManifest | undefined,
  packageJson: ProjectManifest | undefined,
  options: NormalizedFleetOptions,
  warnings: Warning[],
): FleetServiceConfig {
  const name = (projectJson ?? packageJson)?.name;
  const names = [...new Set([typeof name === 'string' ? name : undefined, projectName])];
  // Checked as a project's own block is: a typo (`imag`) or a setting nx-fleet has not (`target`) is named, never dropped silently.
  const byKey = (key: string | undefined) => {
    if (key === undefined || !Object.hasOwn(options.services, key)) return undefined;
    const { config, problems } = parseServiceConfig(options.services[key]);
    for (const problem of problems)
      warnings.push({
        key: `services:${key}:${problem.field}`,
        message: `nx-fleet: the plugin option "services", entry "${key}": setting "${problem.field}" ${problem.message}; it is ignored.`,
      });
    return config;
  };
  return Object.assign({}, byKey(root), ...names.map(byKey)) as FleetServiceConfig;
}

/** As Nx names it: project.json's name, else the package's (`nx.name` first), else the folder's. */
function nameOf(root: string, projectJson?: ProjectManifest, packageJson?: ProjectManifest): string {
  const named = [projectJson?.name, packageJson?.nx?.name, packageJson?.name].find(
    (name): name is string => typeof name === 'string' && name.length > 0,
  );
  return named ?? posix.basename(root).toLowerCase();
}

/** Where the orphan warning asks for projects: each folder, or the one all are in, with what the root needs too. */
function orphanFolders(dockerfiles: readonly string[], atRoot: string): string {
  const folders = new Set(dockerfiles.map((file) => posix.dirname(file)));
  const rootNote = folders.has('.') ? atRoot : undefined;
  if (folders.size > 1) return `each folder${rootNote ? ` (${rootNote})` : ''}`;
  const [folder] = folders;
  const one = 'one project can build one of them: the others need projects of their own';
  return folder === '.'
    ? `the workspace root (${one}; with a "name" in the root package.json too, if there is one)`
    : `${folder} (${one})`;
}

/** One warning for a plain Dockerfile in the folder of a service built from another file (`passedOverPlain`). */
export function passedOverWarning(dockerfile: string, builtFrom: string): Warning {
  return {
    key: `passed-over:${dockerfile}`,
    message:
      `nx-fleet: ${dockerfile} is in the folder of a service whose settings build ${builtFrom}, so no image is built from ${dockerfile}. ` +
      `To build it as well, point a project in another folder at it with "metadata": { "fleet": { "dockerfile": "${dockerfile}" } } (or the plugin option "services"): a project in its folder builds one image, the one its settings name; to silence this, exclude it with the plugin option "exclude".`,
  };
}

/** One warning for the workspace root's Dockerfile that prunes the workspace to a project built from its own (`withoutPrunedRoot`). */
export function prunedRootWarning(
  dockerfile: string,
  pruned: { project: string; step: { line: number; text: string } },
  builtFrom: string,
): Warning {
  return {
    key: `pruned-root:${dockerfile}`,
    message:
      `nx-fleet: ${dockerfile} at the workspace root prunes the workspace to ${pruned.project} ("${pruned.step.text}", line ${pruned.step.line}), whose image ${builtFrom} builds: it is no image of the root project, and nothing is built from it. ` +
      `To build it as the root's image all the same, give the root project settings of its own ("metadata": { "fleet": { "dockerfile": "${dockerfile}" } }); to silence this, exclude it with the plugin option "exclude".`,
  };
}

export function orphanWarning(dockerfiles: readonly string[], pickedByArgument = false): Warning {
  const [dockerfile] = dockerfiles;
  if (pickedByArgument)
    return {
      key: dockerfile!,
      message: `nx-fleet: ${dockerfile} has no project.json or named package.json beside it, so it is not a service (exclude it with the plugin option "exclude" if no image is built from it).`,
    };
  // Every one by name, however many (the variants' warnings too): each needs a project or an exclude
  // (onyx's sixth, cut off as "and 1 more", was an image its CI ships).
  // Nx refuses a root project whose root package.json has no name (prism's has none); a root
  // project.json alone is one.
  const atRoot = 'at the workspace root, with a "name" in the root package.json too, if there is one';
  if (dockerfiles.length > 1)
    return {
      key: `orphans:${dockerfiles.join(',')}`,
      message:
        `nx-fleet: ${dockerfiles.length} Dockerfiles have no project.json or named package.json beside them, so they are not services: ${dockerfiles.join(', ')}. ` +
        `Add a project.json with a "name" to ${orphanFolders(dockerfiles, atRoot)}, point a project at one with "metadata": { "fleet": { "dockerfile": "${dockerfile}" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude".`,
    };
  const root = posix.dirname(dockerfile!);
  // At the root only a plain Dockerfile is the project's own: a variant is built where a project names it (focalboard's Dockerfile.build).
  const rootAdvice =
    containerfileVariant(dockerfile!) === ''
      ? 'Add a project.json with a "name" to the workspace root (and a "name" to the root package.json, if there is one: Nx refuses a root project without one)'
      : `Add a project.json with a "name" and "metadata": { "fleet": { "dockerfile": "${dockerfile}" } } to the workspace root (there, only a plain Dockerfile is the root project's own)`;
  return {
    key: dockerfile!,
    message:
      `nx-fleet: ${dockerfile} has no project.json or named package.json beside it, so it is not a service. ` +
      `${root === '.' ? rootAdvice : `Add a project.json with a "name" to ${root}`}, point a project at it with "metadata": { "fleet": { "dockerfile": "${dockerfile}" } } (or, for a project you cannot edit, the plugin option "services"), or exclude it with the plugin option "exclude".`,
  };
}
