import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { ContextMode, FleetServiceConfig } from '../../config/service-settings';
import {
  contextNeeds,
  statedOutputsReached,
  wholeCopyNeedsWorkspace,
  type ContextChoice,
  type ContextFacts,
  type StatedOutput,
} from '../../image/context-inference';
import { listed } from '../../text/listed';
import { copySources, DockerfileReading } from '../../image/dockerfile-copies';
import { argumentValue, namesOf, selectorArguments } from '../../image/pruned-for';
import { imageNameFor } from '../../image/records';
import { foreignBuildTarget, statedTarget } from '../../services/projects';
import type { AdoptProject, ImageBuildSetup } from './readers';
import { ownPush } from './readers/commands';
import { parseImageRef } from './readers/image-ref';

const MODES: Record<ContextMode, true> = { project: true, pruned: true, workspace: true };

/** Settings given on the command line: they win over everything read. */
export interface AdoptFlags {
  dockerfile?: string;
  context?: ContextMode;
  image?: string;
  target?: string;
}

/** Everything the plan of one project is decided from, read beforehand. */
export interface ProjectAdoptionInput {
  project: AdoptProject;
  /** What builds its image today, most explicit first (readSetups). */
  setups: readonly ImageBuildSetup[];
  /** Its `metadata.fleet` as it is: the user's nx-fleet settings win over what adopt reads. */
  existing: FleetServiceConfig;
  /** Its entry in the plugin option `services`, under its own settings: applied already, never written again. */
  configured?: FleetServiceConfig;
  /** The nx-fleet build target its project.json or package.json already states, if any. */
  existingBuildTarget?: TargetConfiguration;
  /** The target its project.json states under nx-fleet's push target name, if any. */
  existingPushTarget?: TargetConfiguration;
  /** The Dockerfile (or Containerfile) in its folder that nx-fleet finds without a setting. */
  ownDockerfile?: string;
  /** The plugin option `exclude`'s pattern that hides `ownDockerfile` from the graph: only a setting makes it the service's. */
  ownExcludedBy?: string;
  /** The workspace's `.nxignore` hides `ownDockerfile` from Nx's file list, and so from the graph: only a setting names it. */
  ownNxIgnored?: boolean;
  /** With no `ownDockerfile`: the shipping variants its folder holds beside no plain Dockerfile, which the graph does not choose between. */
  unchosenVariants?: readonly string[];
  flags: AdoptFlags;
  buildTargetName: string;
  pushTargetName: string;
  /** The target building the service on the host: its setting's `buildTarget`, else the plugin option's. */
  hostBuildTarget: string;
  /** Texts of the Dockerfiles that exist, by workspace path. */
  dockerfiles: Readonly<Record<string, string>>;
  /** The workspace facts context inference needs besides the Dockerfile. */
  workspace: Pick<
    ContextFacts,
    | 'files'
    | 'ignore'
    | 'buildOutputs'
    | 'scripts'
    | 'gitignore'
    | 'nestedRoot'
    | 'folderIgnore'
    | 'nestedRootLists'
    | 'projects'
  >;
  /**
   * The outputs every project's targets state, as workspace paths: those the Dockerfile copies are
   * their builds' to write, as the graph reads them (uesio's platform copies ui's and vendor's `dist`).
   */
  statedOutputs?: readonly StatedOutput[];
  infer: (facts: ContextFacts) => ContextChoice;
}

export interface AdoptRow {
  service: string;
  dockerfile: string;
  context: string;
  why: string;
  image: string;
  notAdopted: string;
}

export interface ProjectAdoption {
  project: string;
  row: AdoptRow;
  /** Lines printed under the table: old targets that can go, registries, other setups. */
  notes: string[];
  /** Undefined: nothing is written for this project. */
  write?: {
    fleet: FleetServiceConfig;
    /** The nx-fleet build target's configuration in the project's file (merged over the inferred one by Nx). */
    buildTarget?: TargetConfiguration;
    /** Where a `.dockerignore` belongs for the context it gets; written only when missing. */
    dockerignore?: string;
    /** The project's own push target goes: it pushed the image adopted, which nx-fleet's push now pushes. */
    replacedPush?: true;
  };
  /** Set when the project cannot be adopted at all and the user named it: the generator fails with it. */
  error?: string;
  /** The image name read from what builds it today, written in `write.fleet.image` (no setting or flag named it). */
  carriedImage?: string;
}

/**
 * Plans whose image names, read from what builds the images today, two services would share
 * (loopback4-microservice-catalog's examples copied `docker build -t facade .` from one another):
 * docker-push refuses such services, so the name is carried for the first only, and each other one
 * keeps its default, with the reason in its row.
 */
export function withDistinctImages(plans: readonly ProjectAdoption[]): ProjectAdoption[] {
  const imageOf = (plan: ProjectAdoption) => plan.write?.fleet.image ?? imageNameFor(plan.project);
  const first = new Map<string, string>();
  for (const plan of plans) if (!first.has(imageOf(plan))) first.set(imageOf(plan), plan.project);
  return plans.map((plan) => {
    const owner = first.get(imageOf(plan));
    if (!plan.carriedImage || !plan.write || owner === plan.project) return plan;
    const { image: _shared, ...fleet } = plan.write.fleet;
    const why = `image ${plan.carriedImage}: ${owner}'s too, and docker-push refuses two services sharing one repository (pass --image for a name of its own)`;
    return {
      ...plan,
      carriedImage: undefined,
      write: { ...plan.write, fleet },
      row: {
        ...plan.row,
        image: `${imageNameFor(plan.project)} (default)`,
        notAdopted: plan.row.notAdopted === '-' ? why : `${plan.row.notAdopted}; ${why}`,
      },
    };
  });
}

/** The variants a project folder holds, none of them chosen, as the graph's warning names them, and the command adopting each. */
function unchosenChoice(project: AdoptProject, variants: readonly string[]): string {
  const names = variants.map((file) => posix.relative(project.root, file));
  const commands = variants.map((file) => `\`nx g nx-fleet:adopt --project ${project.name} --dockerfile ${file}\``);
  return `${project.root} holds ${names.slice(0, -1).join(', ')} and ${names.at(-1)} and no plain Dockerfile, so it is no service in the graph either: which one ships is not guessed. Adopt that one: ${commands.join(' or ')}`;
}

/**
 * How one project becomes a fleet service: which setup is adopted, the context it states against the
 * one nx-fleet infers (written only when they differ), the image name, build args, target stage and
 * dependsOn, and what could not be carried over. Pure: the generator reads and writes.
 */
export function planAdoption(input: ProjectAdoptionInput): ProjectAdoption {
  const { project, setups, existing, flags } = input;
  const notes: string[] = [];
  const problems: string[] = [];
  const usable = (setup: ImageBuildSetup) => setup.dockerfile !== undefined && setup.dockerfile in input.dockerfiles;
  const chosen = setups.find(usable);
  for (const setup of setups) {
    if (setup === chosen) continue;
    if (!chosen || setups.indexOf(setup) < setups.indexOf(chosen)) {
      const why = setup.problems.length
        ? setup.problems
        : setup.dockerfile
          ? [`${setup.dockerfile} does not exist`]
          : ['no Dockerfile found'];
      problems.push(...why.map((problem) => `${setup.source}: ${problem}`));
    } else
      notes.push(
        `${setup.source} also builds an image: not adopted (one image per service)${setup.problems.length ? `; ${setup.problems.join('; ')}` : ''}`,
      );
  }
  if (chosen) problems.push(...chosen.problems);

  const configured = input.configured ?? {};
  const dockerfile =
    flags.dockerfile ?? existing.dockerfile ?? configured.dockerfile ?? chosen?.dockerfile ?? input.ownDockerfile;
  const row = (fields: Partial<AdoptRow>): AdoptRow => ({
    service: project.name,
    dockerfile: dockerfile ?? '-',
    context: '-',
    why: '-',
    image: '-',
    notAdopted: problems.length ? problems.join('; ') : '-',
    ...fields,
  });
  if (flags.dockerfile && !(flags.dockerfile in input.dockerfiles))
    return {
      project: project.name,
      row: row({}),
      notes,
      error: `nx-fleet: ${flags.dockerfile} (--dockerfile) does not exist; pass --dockerfile <path>.`,
    };
  if (!dockerfile && input.unchosenVariants?.length) {
    const choice = unchosenChoice(project, input.unchosenVariants);
    return {
      project: project.name,
      row: row({ notAdopted: [...problems, choice].join('; ') }),
      notes,
      error: `nx-fleet: ${choice}.`,
    };
  }
  if (!dockerfile || !(dockerfile in input.dockerfiles))
    return {
      project: project.name,
      row: row({ dockerfile: '-', notAdopted: problems.length ? problems.join('; ') : 'no Dockerfile found' }),
      notes,
      error: `nx-fleet: ${project.name} has no Dockerfile or Containerfile in ${project.root}; pass --dockerfile <path>.`,
    };

  const stage = stageToBuild(
    project,
    dockerfile,
    new DockerfileReading(input.dockerfiles[dockerfile]!, chosen?.buildArgs),
    {
      flag: flags.target,
      stated: chosen?.target ?? existing.target ?? configured.target,
    },
  );
  if ('error' in stage) return { project: project.name, row: row({}), notes, error: stage.error };
  if (stage.problem) problems.push(stage.problem);
  if (stage.note) notes.push(stage.note);
  // The nested root's facts hold for a Dockerfile in the project folder only, as the graph gives them.
  const { nestedRoot, folderIgnore, nestedRootLists, ...workspace } = input.workspace;
  const ownBuild = input.hostBuildTarget;
  const targetStage = stage.written ?? chosen?.target;
  // Another project's stated output the image copies is that build's to write, not the service's own.
  const statedOutputs = statedOutputsReached(
    copySources(input.dockerfiles[dockerfile]!, chosen?.buildArgs, targetStage),
    workspace.files,
    () => input.statedOutputs ?? [],
    { project: project.name, target: ownBuild },
  );
  const facts: ContextFacts = {
    projectRoot: project.root,
    dockerfile,
    dockerfileText: input.dockerfiles[dockerfile]!,
    ...workspace,
    ...(nestedRoot !== undefined && posix.dirname(dockerfile) === project.root
      ? { nestedRoot, ...(folderIgnore ? { folderIgnore } : {}), ...(nestedRootLists ? { nestedRootLists } : {}) }
      : {}),
    // The build arguments the adopted setup passes are the ones docker-build will pass.
    ...(chosen?.buildArgs ? { buildArgs: chosen.buildArgs } : {}),
    ...(chosen?.buildContexts ? { buildContexts: chosen.buildContexts } : {}),
    // The stage it builds: the reason quotes that stage's lines, as the graph will (sdp-demo's two targets).
    ...(targetStage ? { target: targetStage } : {}),
    ...(statedOutputs.length ? { statedOutputs } : {}),
  };
  const inferred = input.infer(facts);
  const fleet: FleetServiceConfig = { ...existing };
  const targetOptions: Record<string, unknown> = {};
  const setContext = existing.context ?? configured.context;
  let context: string = setContext ?? inferred.mode;
  let why = existing.context
    ? 'set in metadata.fleet'
    : configured.context
      ? 'set in the plugin option "services"'
      : inferred.reason;
  if (flags.context) {
    fleet.context = context = flags.context;
    why = `--context (inferred ${inferred.mode}: ${inferred.reason})`;
  } else if (!setContext && chosen?.context !== undefined) {
    const stated = statedMode(chosen.context, project.root);
    if (stated === undefined) {
      // A folder that is neither the project nor the workspace root (e.g. a build output): the executor's own option.
      Object.assign(targetOptions, { context: chosen.context, prune: false });
      context = chosen.context;
      why = `folder ${chosen.context} as ${chosen.source} sends it (docker-build's context option; not an nx-fleet mode)`;
    } else if (stated === 'project' ? inferred.mode !== 'project' : inferred.mode === 'project') {
      // A build that cannot work is not carried (gaia's web: @nx/docker's default `docker build .` in
      // the project folder, which its CI never runs, for a Dockerfile copying workspace paths; pagopa/dx's
      // runner: `cwd: "."` for a Dockerfile copying the entrypoint beside it). Copying the whole folder
      // names nothing missing, but a step after it may need the workspace root (yggd's web: `COPY . .`,
      // then `pnpm --filter web deploy`).
      const missing = contextNeeds(facts, stated).unlisted ?? [];
      const needsRoot = stated === 'project' && !missing.length ? wholeCopyNeedsWorkspace(facts) : undefined;
      const sent = stated === 'project' ? 'the project folder' : 'the workspace root';
      const kept = `not carried over, the ${inferred.mode} context nx-fleet infers is kept${chosen.image && !flags.image && !existing.image ? ` (its image name ${chosen.image} is: a build that cannot run may not name the image you ship; --image sets another)` : ''}`;
      if (missing.length)
        notes.push(
          `${chosen.source} sends ${sent}, which holds none of ${listed(missing)} that ${dockerfile} copies: ${kept}`,
        );
      else if (needsRoot)
        notes.push(`${chosen.source} sends ${sent}, which ${dockerfile} cannot be built from (${needsRoot}): ${kept}`);
      else {
        fleet.context = context = stated;
        why = `${chosen.source} sends ${stated === 'project' ? 'the project folder' : 'the workspace root'} (inferred ${inferred.mode}: ${inferred.reason})`;
      }
    }
  }

  // What the plugin option already says is applied as it is: not repeated in the project's own settings.
  if (
    (dockerfile === input.ownDockerfile && !input.ownExcludedBy && !input.ownNxIgnored) ||
    (!existing.dockerfile && dockerfile === configured.dockerfile)
  )
    delete fleet.dockerfile;
  else fleet.dockerfile = dockerfile;
  if (fleet.dockerfile === input.ownDockerfile && input.ownNxIgnored)
    notes.push(
      `${dockerfile} matches .nxignore, which hides it from Nx and so from the graph: metadata.fleet.dockerfile names it`,
    );
  if (fleet.dockerfile === input.ownDockerfile && input.ownExcludedBy)
    notes.push(
      `${dockerfile} matches the plugin option "exclude" (${input.ownExcludedBy}): metadata.fleet.dockerfile names it, which exclusions do not apply to`,
    );
  const image = flags.image ?? existing.image ?? configured.image ?? chosen?.image;
  if (image && image !== imageNameFor(project.name) && (existing.image || image !== configured.image))
    fleet.image = image;
  if (flags.image) fleet.image = flags.image;
  if (stage.written) fleet.target = stage.written;

  if (chosen?.buildArgs) {
    targetOptions['buildArgs'] = chosen.buildArgs;
    // iqb-berlin's coding-box passes `--build-arg project=backend` to a Dockerfile declaring `ARG PROJECT`.
    const declared = new DockerfileReading(input.dockerfiles[dockerfile]!).declaredArgs;
    const unused = Object.keys(chosen.buildArgs).filter((arg) => !declared.has(arg));
    for (const arg of unused) {
      const alike = [...declared].find((name) => name.toLowerCase() === arg.toLowerCase());
      notes.push(
        `build argument "${arg}" (from ${chosen.source}) is declared by no ARG in ${dockerfile}, so the build ignores it${alike ? `: names are case-sensitive, and the Dockerfile declares "${alike}"` : ''}`,
      );
    }
  }
  pickingArguments(
    input,
    dockerfile,
    targetOptions,
    { ...configured.buildArgs, ...existing.buildArgs },
    stage.written ?? chosen?.target,
    { notes, problems },
  );
  if (chosen?.buildContexts) targetOptions['buildContexts'] = chosen.buildContexts;
  if (chosen?.target) targetOptions['target'] = chosen.target;
  if (chosen?.platforms) targetOptions['platforms'] = chosen.platforms;
  if (chosen?.secrets) targetOptions['secrets'] = chosen.secrets;
  // The old build under nx-fleet's target name: Nx would go on running it, so adopting it replaces it.
  const replaced = chosen?.oldTarget === input.buildTargetName ? chosen : undefined;
  if (replaced && !replaced.rewritable)
    problems.push(
      `${replaced.source} has nx-fleet's build target name, so Nx runs it for ${input.buildTargetName}: rename it (and what calls it by name), or set nx-fleet's buildTargetName`,
    );
  const ownOutputs = inferred.outputs.filter((output) => !inferred.producers?.some((p) => p.output === output));
  const dependsOn = carriedDependsOn(chosen?.dependsOn, ownBuild, ownOutputs.length > 0);
  const build = planBuildTarget(input, targetOptions, dependsOn, !!replaced?.rewritable);
  if ('blocked' in build) problems.push(build.blocked);
  const buildTarget = 'blocked' in build ? undefined : build.target;
  if (chosen) {
    notes.push(...chosen.notes);
    if (replaced?.rewritable)
      notes.push(
        `${chosen.source} is replaced: nx-fleet's ${input.buildTargetName} builds the image now${chosen.dependsOn?.length ? ' (its dependsOn kept)' : ''}`,
      );
    else if (chosen.oldTarget && !replaced)
      notes.push(`${chosen.source} is kept: remove it once ${input.buildTargetName} builds the image`);
  }
  const replacedPush = !('blocked' in build) && pushNote(input, image, notes);
  // The engine reads the Dockerfile's own ignore file where there is one (cacti's
  // `cmd-api-server.Dockerfile.dockerignore`): a `.dockerignore` beside it would change nothing.
  const ownIgnore = input.workspace.files.includes(`${dockerfile}.dockerignore`);
  const dockerignore = ownIgnore
    ? undefined
    : context === 'project'
      ? posix.join(project.root, '.dockerignore')
      : context in MODES
        ? '.dockerignore'
        : undefined;
  return {
    project: project.name,
    row: row({
      context,
      why,
      image: image ?? `${imageNameFor(project.name)} (default)`,
      notAdopted: problems.length ? problems.join('; ') : '-',
    }),
    notes,
    ...(fleet.image !== undefined && fleet.image === chosen?.image && !flags.image && !existing.image
      ? { carriedImage: fleet.image }
      : {}),
    // nx-fleet's build cannot run where the project's own target has its name: nothing is adopted.
    ...('blocked' in build
      ? {}
      : {
          write: {
            fleet,
            ...(buildTarget ? { buildTarget } : {}),
            ...(dockerignore ? { dockerignore } : {}),
            ...(replacedPush ? { replacedPush: true as const } : {}),
          },
        }),
  };
}

/**
 * The project's own target under nx-fleet's push name, which Nx would run instead of nx-fleet's push
 * (Azkaban_V4's `docker push toxictoast/azkaban:{args.VERSION}`, a tag nx-fleet's build never makes):
 * replaced where all it does is push the image adopted, named in the notes otherwise. Whether it goes.
 */
function pushNote(input: ProjectAdoptionInput, image: string | undefined, notes: string[]): boolean {
  const own = input.existingPushTarget && ownPush(input.existingPushTarget);
  if (!own) return false;
  const name = input.pushTargetName;
  const adopted = parseImageRef(image ?? imageNameFor(input.project.name)).repository;
  const replaces = own.reference !== undefined && parseImageRef(own.reference).repository === adopted;
  const ran = `\`${own.command.length > 60 ? `${own.command.slice(0, 57)}...` : own.command}\``;
  notes.push(
    replaces
      ? `${name} (${ran}) is replaced: nx-fleet's ${name} pushes the image ${input.buildTargetName} builds, once the scan and contract checks pass, and records it`
      : `${name} (${ran}) is kept, and Nx runs it for ${name} instead of nx-fleet's push, which pushes only images that passed the scan and contract checks: rename or remove it`,
  );
  return replaces;
}

/** The project folder → `project`; the workspace root → `workspace` (repo-shaped); any other folder → undefined. */
function statedMode(contextDir: string, projectRoot: string): ContextMode | undefined {
  // The workspace root first: a service at the root sends the workspace, as nx-fleet infers (nx-recipes' store-api).
  if (contextDir === '.') return 'workspace';
  if (contextDir === projectRoot) return 'project';
  return undefined;
}

/**
 * The stage to build, when adopt decides it: `--target`, checked against the Dockerfile's stages; or,
 * where nothing states one and the Dockerfile builds one image per final stage (squid-sdk's root
 * Dockerfile, a stage per package), the one named after the project. `written`: to set as `target`.
 */
function stageToBuild(
  project: AdoptProject,
  dockerfile: string,
  reading: DockerfileReading,
  { flag, stated }: { flag: string | undefined; stated: string | undefined },
): { error: string } | { written?: string; note?: string; problem?: string } {
  if (flag !== undefined)
    return reading.namedStages.includes(flag.toLowerCase())
      ? { written: flag }
      : {
          error: `nx-fleet: ${dockerfile} has no stage named "${flag}" (--target)${reading.namedStages.length ? `; its stages: ${reading.namedStages.join(', ')}` : ', no named stage at all'}.`,
        };
  const last = reading.finalStages.at(-1);
  const images = [...reading.otherImageStages, ...(last && !last.startsWith('#') ? [last] : [])];
  if (stated !== undefined || images.length < 2) return {};
  const names = namesOf({ name: project.name, root: project.root, packageName: project.manifestName });
  const named = images.filter((stage) => names.includes(stage));
  if (named.length === 1)
    return {
      written: named[0]!,
      note: `${dockerfile} builds one image per final stage (${listed(images)}): the stage named after ${project.name}, ${named[0]}, is set as "target"`,
    };
  return {
    problem: `${dockerfile} builds one image per final stage (${listed(images)}), none named after ${project.name} alone: pass --target <stage> (without one, the last, ${images.at(-1)}, is built)`,
  };
}

/** `the package.json script "docker-build"` for the target Nx makes of a script. */
function scriptOf(target: TargetConfiguration): string | undefined {
  const script = (target.options as { script?: unknown } | undefined)?.script;
  return target.executor === 'nx:run-script' && typeof script === 'string'
    ? `the package.json script "${script}"`
    : undefined;
}

/**
 * The build arguments by which the Dockerfile picks its project (email-platform-services' one
 * `infra/docker/app.Dockerfile`, `COPY apps/${APP_NAME} …`) that no build of the service sets: set to
 * the value the file's paths and packages give the project (its folder's name there), else named.
 */
function pickingArguments(
  input: ProjectAdoptionInput,
  dockerfile: string,
  targetOptions: Record<string, unknown>,
  stated: Readonly<Record<string, string>>,
  target: string | undefined,
  out: { notes: string[]; problems: string[] },
): void {
  const text = input.dockerfiles[dockerfile];
  if (text === undefined || !text.includes('$')) return;
  const given = { ...stated, ...((targetOptions['buildArgs'] as Record<string, string> | undefined) ?? {}) };
  const reading = new DockerfileReading(text, given, target);
  const unset = [...new Set(selectorArguments(reading).flatMap(({ args }) => args))].filter(
    (arg) => !Object.hasOwn(given, arg),
  );
  if (!unset.length) return;
  const values = unset.map((arg) => [arg, argumentValue(reading, arg, input.project)] as const);
  const missing = values.filter(([, value]) => value === undefined).map(([arg]) => arg);
  if (missing.length) {
    out.problems.push(
      `${dockerfile} picks the project it builds by the build argument ${listed(missing)}, which nothing here sets: add it to "buildArgs" in ${input.buildTargetName}'s options`,
    );
    return;
  }
  targetOptions['buildArgs'] = { ...(targetOptions['buildArgs'] as object | undefined), ...Object.fromEntries(values) };
  out.notes.push(
    `${dockerfile} picks the project it builds by the build argument ${listed(unset)}: set to ${values.map(([arg, value]) => `"${arg}": "${value}"`).join(', ')}, as the file names ${input.project.root} by it`,
  );
}

/**
 * The old build's dependsOn as nx-fleet's build takes it: in the form Nx keeps (`projects: "self"`
 * dropped, `projects: "dependencies"` as `dependencies: true`: the go-app nx-container example's), and,
 * where the image copies the project's build outputs, with that build first when none of it is that
 * build (@nx/docker's `prune-lockfile`, which states no outputs: the content tag must see the build's).
 */
export function carriedDependsOn(
  dependsOn: TargetConfiguration['dependsOn'],
  buildTarget: string,
  copiesBuildOutputs: boolean,
): TargetConfiguration['dependsOn'] {
  if (!dependsOn?.length) return dependsOn;
  const entries = dependsOn.map((entry) => {
    if (typeof entry === 'string' || typeof entry.projects !== 'string') return entry;
    const { projects, ...rest } = entry;
    if (projects === 'self') return rest;
    return projects === 'dependencies' ? { ...rest, dependencies: true } : entry;
  });
  const builds = entries.some((entry) =>
    typeof entry === 'string'
      ? entry === buildTarget
      : entry.target === buildTarget && !entry.dependencies && !('projects' in entry),
  );
  return copiesBuildOutputs && !builds ? [buildTarget, ...entries] : entries;
}

/**
 * The nx-fleet build target's configuration with the options and dependsOn read, merged into the one
 * the project already states; no target when there is nothing to add, and blocked when the project
 * already uses that target name for something else.
 */
function planBuildTarget(
  input: ProjectAdoptionInput,
  options: Record<string, unknown>,
  dependsOn: TargetConfiguration['dependsOn'],
  replacing: boolean,
): { target?: TargetConfiguration } | { blocked: string } {
  // The old build adopted under this name is replaced whole: nothing of it is kept but what was read.
  const current = replacing ? undefined : input.existingBuildTarget;
  const foreign = current && foreignBuildTarget(input.project.name, input.buildTargetName, statedTarget(current));
  if (foreign)
    return {
      blocked: `target ${input.buildTargetName} already runs ${current.command ?? scriptOf(current) ?? current.executor}: it replaces nx-fleet's, so nothing is written for it (rename it, or set nx-fleet's buildTargetName)`,
    };
  if (!replacing && !Object.keys(options).length && !dependsOn?.length) return {};
  const next: TargetConfiguration = {
    ...(current ?? {}),
    ...(dependsOn?.length && !current?.dependsOn ? { dependsOn: [...dependsOn] } : {}),
  };
  // The project's own options win: the user set them for nx-fleet.
  const merged = { ...options, ...(current?.options ?? {}) };
  if (Object.keys(merged).length) next.options = merged;
  return { target: next };
}
