import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { PACTS_FOLDER } from '../config/defaults';
import type { FleetSigning, NormalizedFleetOptions } from '../config/options';
import type { FleetServiceConfig } from '../config/service-settings';
import { contractRecordPath, imageRecordPath, pushRecordPath, scanRecordDir } from '../image/records';
import { workspaceManifestGlobs } from '../image/context-inference';
import { decideContractGate } from '../contracts/gate';
import { contains } from '../runtime-graph/sdk-ownership';
import { globReaches } from '../image/ignored-inputs';
import type { ServiceContext } from './service-context';
import { listed } from '../text/listed';
import { builtBy, type BaseImages, type PinnedBase } from '../image/base-images';

export interface ServiceTargetsInput {
  projectRoot: string;
  /** The name Nx gives the project: the targets' help commands name it. */
  projectName: string;
  dockerfile: string;
  /** Pact files in the service's `pacts/` folder: consumers' expectations it must verify. */
  pacts?: readonly string[];
  /** Paths outside every project (rule b) and parent service folders (rule c) that affect this service. */
  affectedBy?: readonly string[];
  /** Roots of the services this one calls through their SDKs, itself or through a library it uses. */
  providerRoots?: readonly string[];
  config: FleetServiceConfig;
  /**
   * A Pact Broker is configured (`PACT_BROKER_BASE_URL` where Nx computes the graph; Nx's daemon
   * recomputes it when the variable changes).
   */
  broker?: boolean;
  /** The build context chosen for the Dockerfile (`resolveServiceContext`). */
  context: ServiceContext;
  /** Repositories its FROMs name that other services build (`baseImageLinks`). */
  baseImages?: BaseImages;
  /** Its FROMs that pin a literal tag of another service's image: said in the description, not linked. */
  pinnedBases?: readonly PinnedBase[];
  options: NormalizedFleetOptions;
}

type ContextShape = Pick<
  ServiceContext,
  | 'mode'
  | 'folder'
  | 'include'
  | 'includeInputs'
  | 'outputs'
  | 'workspaceManifests'
  | 'manifestGlobs'
  | 'installSettings'
  | 'ignored'
  | 'allowed'
  | 'nested'
  | 'named'
>;

/** Executor options that select a context: the directory sent, whether it is pruned, what else it holds. */
export function contextOptions(context: ContextShape, projectRoot: string): Record<string, unknown> {
  const { mode, include, outputs } = context;
  const withOutputs = outputs.length ? { contextOutputs: [...outputs] } : {};
  if (mode === 'project') return { context: projectRoot, ...withOutputs };
  if (mode === 'workspace') return { context: '.', prune: false, ...withOutputs };
  if (mode === 'folder') return { context: context.folder, prune: false, ...withOutputs };
  return {
    context: '.',
    prune: true,
    ...(include.length ? { contextInclude: [...include] } : {}),
    ...(context.workspaceManifests ? { workspaceManifests: true } : {}),
    ...withOutputs,
  };
}

type BuildInput = string | { env: string } | { dependentTasksOutputFiles: string; transitive: boolean };

/**
 * Exactly what can reach the context: a cache hit must never restore a record of an image whose
 * inputs changed. A pruned context holds the service, the workspace projects it depends on (their
 * npm dependency versions are hashed by Nx with them), the extra included files and, for a prune
 * tool run in the build, the root files it reads (`manifestGlobs`); build outputs the Dockerfile copies are
 * git-ignored, so they are hashed as the build task's outputs.
 */
export function buildInputs(
  context: ContextShape,
  placement?: { dockerfile: string; projectRoot: string },
  /** Built FROM another service's image: that build's record is an input. */
  baseImage = false,
): BuildInput[] {
  const engine = { env: 'FLEET_ENGINE' };
  const named = context.named ?? { sources: [], outputs: [] };
  const outputs =
    context.outputs.length || named.outputs.length
      ? [{ dependentTasksOutputFiles: '**/*', transitive: false }]
      : baseImage
        ? [{ dependentTasksOutputFiles: '**/image.json', transitive: false }]
        : [];
  // What the ignore file leaves out is no input: a change there (docs, CI files) keeps the cached build.
  // A named context is sent whole, whatever the main context's ignore file says.
  const ignored = (context.ignored ?? []).filter(
    (glob) => !named.sources.some((folder) => globReaches(glob, folder === '.' ? '**' : `${folder}/**`)),
  );
  const negated = ignored.map((glob) => `!{workspaceRoot}/${glob}`);
  const namedSources = named.sources.map((folder) =>
    folder === '.' ? '{workspaceRoot}/**/*' : `{workspaceRoot}/${folder}/**/*`,
  );
  // Nx gives a nested project's files to that project: the service's folder alone would leave out what the context sends.
  const nested = (context.nested ?? []).map((root) => `{workspaceRoot}/${root}/**/*`);
  // A Dockerfile kept outside the context's folder (.deploy/api/Dockerfile, set in the settings) is the
  // image's input too, with the ignore file the engine reads beside it: editing it rebuilds, and pushes.
  const dockerfileInputs = placement
    ? [`{workspaceRoot}/${placement.dockerfile}`, `{workspaceRoot}/${placement.dockerfile}.dockerignore`]
    : [];
  const outsideOf = (folder: string) => (placement && !contains(folder, placement.dockerfile) ? dockerfileInputs : []);
  const outside = placement ? outsideOf(placement.projectRoot) : [];
  // An allow-list ignore file names what the engine sends: those, the Dockerfile and the ignore files
  // (read whatever the list says), not the whole folder.
  const folderInputs = (folder: string, whole: string) =>
    context.allowed
      ? [
          ...context.allowed.map((glob) => `{workspaceRoot}/${glob}`),
          ...dockerfileInputs,
          `{workspaceRoot}/${folder === '.' ? '' : `${folder}/`}.dockerignore`,
        ]
      : [whole];
  if (context.mode === 'workspace')
    return [...withPaths(folderInputs('.', '{workspaceRoot}/**/*'), namedSources), ...negated, ...outputs, engine];
  if (context.mode === 'folder') {
    const folder = context.folder ?? '.';
    // Nx lists the folder's files whoever's they are: one workspace path, less what its ignore file leaves out.
    return [
      ...withPaths(folderInputs(folder, `{workspaceRoot}/${folder}/**/*`), [...outsideOf(folder), ...namedSources]),
      ...negated,
      ...outputs,
      engine,
    ];
  }
  if (context.mode === 'project') {
    const workspaceFiles = [...nested, ...namedSources, ...outside];
    const own = placement
      ? folderInputs(placement.projectRoot, '{projectRoot}/**/*').map((input) =>
          ofProject(input, placement.projectRoot),
        )
      : ['{projectRoot}/**/*'];
    return [
      ...new Set([...own, ...workspaceFiles]),
      ...projectNegations(ignored, placement?.projectRoot, workspaceFiles.length > 0),
      ...outputs,
      engine,
    ];
  }
  // The pacts folder holds consumers' expectations, never part of the image: a new pact re-verifies, it does not rebuild.
  const paths = [
    'default',
    `!{projectRoot}/${PACTS_FOLDER}/**/*`,
    '^default',
    // The root's ignore file decides what of the projects the pruned context holds.
    '{workspaceRoot}/.dockerignore',
    ...nested,
    ...(context.includeInputs ?? context.include).map((glob) => `{workspaceRoot}/${glob}`),
    ...(context.workspaceManifests
      ? (context.manifestGlobs ?? workspaceManifestGlobs(true)).map((glob) => `{workspaceRoot}/${glob}`)
      : []),
    ...(context.installSettings ?? []).map((glob) => `{workspaceRoot}/${glob}`),
    ...namedSources,
    ...outside,
  ];
  // A root file the Dockerfile copies by name is one of the manifests too (`.npmrc`): once.
  return [...new Set(paths), ...outputs, engine];
}

/** A workspace input inside the project's folder as Nx names the project's own files. */
function ofProject(input: string, projectRoot: string): string {
  const prefix = projectRoot === '.' ? '{workspaceRoot}/' : `{workspaceRoot}/${projectRoot}/`;
  return input.startsWith(prefix) ? `{projectRoot}/${input.slice(prefix.length)}` : input;
}

/**
 * A project context's ignored globs (workspace-relative) as negations. Nx hashes a project's own files
 * (`{projectRoot}` inputs) apart from the workspace's (`{workspaceRoot}` ones), a negation only among
 * its kind, and takes a workspace kind with negations alone as every workspace file but those: so a
 * glob is negated among the project's files, and among the workspace's only where there are some.
 */
function projectNegations(ignored: readonly string[], projectRoot: string | undefined, workspaceFiles: boolean) {
  const own = ignored.flatMap((glob) => {
    if (projectRoot === undefined) return [];
    if (projectRoot === '.') return [`!{projectRoot}/${glob}`];
    return glob.startsWith(`${projectRoot}/`) ? [`!{projectRoot}/${glob.slice(projectRoot.length + 1)}`] : [];
  });
  return [...own, ...(workspaceFiles ? ignored.map((glob) => `!{workspaceRoot}/${glob}`) : [])];
}

/**
 * The image (its content tag, through docker-build's record), the scanner choice, the allowlist, and
 * the scanners' fingerprint: their binaries, their databases' dates and a time bucket, so a cached
 * pass never outlives newly published vulnerabilities by more than `maxAgeHours`.
 */
export function scanInputs(maxAgeHours: number): NonNullable<TargetConfiguration['inputs']> {
  const maxAgeMs = Math.max(1, Math.round(maxAgeHours * 3_600_000));
  return [
    { dependentTasksOutputFiles: '**/image.json', transitive: false },
    '{workspaceRoot}/fleet-allowlist.json',
    { env: 'FLEET_SCANNER' },
    { env: 'FLEET_TRIVY' },
    { env: 'TRIVY_CACHE_DIR' },
    { env: 'GRYPE_DB_CACHE_DIR' },
    // A fixed command (the only variable part is a number): Nx runs runtime inputs in a shell.
    {
      runtime: `node -e "process.stdout.write(require('nx-fleet/src/supply-chain/scanners/fingerprint').scannerFingerprint(${maxAgeMs}))"`,
    },
  ];
}

/**
 * What makes a push affected, and nothing else, as both of Nx's affected modes read it: Nx 24 matches
 * changed files against each task's inputs (so the image's own inputs come first: a service whose
 * image may have changed is always pushed); Nx 23 touches the projects whose targets name a
 * `{workspaceRoot}` path. Runtime knowledge lives here, on the deploy side, never in the project
 * graph: a provider's files affect its consumers' pushes, never their builds or their build order.
 */
export function pushInputs(
  imageInputs: ReturnType<typeof buildInputs>,
  affectedBy: readonly string[],
  providerRoots: readonly string[],
): NonNullable<TargetConfiguration['inputs']> {
  const providers = providerRoots.map((root) => (root === '.' ? '**' : `${root}/**`));
  // Nx leaves out a negated path whatever names it: what the rules name stays an input.
  const kept = imageInputs.filter(
    (input) =>
      typeof input !== 'string' ||
      !input.startsWith('!{workspaceRoot}/') ||
      ![...affectedBy, ...providers].some((path) => globReaches(input.slice('!{workspaceRoot}/'.length), path)),
  );
  return withPaths(
    kept,
    [...affectedBy, ...providers].map((path) => `{workspaceRoot}/${path}`),
  );
}

type Inputs = NonNullable<TargetConfiguration['inputs']>;

/** Inputs with more workspace paths, each once; a workspace context's image already follows every file. */
export function withPaths<I extends Inputs[number]>(inputs: I[], paths: readonly string[]): (I | string)[] {
  if (inputs.includes('{workspaceRoot}/**/*' as I)) return inputs;
  return [...inputs, ...paths.filter((input, i) => !inputs.includes(input as I) && paths.indexOf(input) === i)];
}

/**
 * A base image's docker-build inputs as the workspace paths they name (`default` is the project's
 * folder), no negation: a negated path of the base's would leave the same path out of the
 * consumer's own inputs. Its dependencies' files (`^default`) are not paths: Nx affects the base by
 * them, and through the base's build record, the image built FROM it.
 */
export function baseImagePaths(baseInputs: Inputs, baseRoot: string): string[] {
  const root = baseRoot === '.' ? '' : `${baseRoot}/`;
  return baseInputs.flatMap((input) => {
    if (typeof input !== 'string') return [];
    if (input === 'default') return [`{workspaceRoot}/${root}**/*`];
    if (input.startsWith('{projectRoot}/')) return [`{workspaceRoot}/${root}${input.slice('{projectRoot}/'.length)}`];
    return input.startsWith('{workspaceRoot}/') ? [input] : [];
  });
}

/** docker-push options for the plugin's `signing` setting. */
export function signingOptions(signing: FleetSigning): Record<string, unknown> {
  return {
    sign: signing.method,
    ...(signing.key ? { signingKey: signing.key } : {}),
    ...(signing.keyless ? { keyless: true } : {}),
  };
}

/**
 * The provider's image (through docker-build's record), its pacts folder (the pacts and the
 * provider-state handlers) and, with a Pact Broker, the broker's pacts for it: a consumer's new
 * expectations, in the repository or in the broker, re-run the verification, nothing else does.
 */
export function contractInputs(brokerFingerprint?: string): NonNullable<TargetConfiguration['inputs']> {
  return [
    { dependentTasksOutputFiles: '**/image.json', transitive: false },
    `{projectRoot}/${PACTS_FOLDER}/**/*`,
    ...(brokerFingerprint ? [{ runtime: brokerFingerprint }] : []),
  ];
}

/**
 * The runtime input that fingerprints the broker's pacts for a provider (`nx-fleet broker fingerprint`,
 * loaded alone to stay fast). Nx runs it through a shell with the task's environment, where the broker's
 * URL and credentials are read: none is on the command line, and none needs an env input (the printed
 * fingerprint names the broker). Undefined for a name that would need quoting.
 */
export function brokerFingerprintCommand(projectName: string): string | undefined {
  if (!PLAIN_NAME.test(projectName)) return undefined;
  return `node -e "require('nx-fleet/src/cli/broker-fingerprint').printBrokerFingerprint('${projectName}')"`;
}

/** Nx Console shows a service's four targets together, under this group. */
export const TARGET_GROUP = 'Fleet';

/** The project metadata of every service: its technology, and its targets as one group. */
export function serviceProjectMetadata(options: NormalizedFleetOptions): NonNullable<ProjectConfiguration['metadata']> {
  return {
    technologies: ['docker'],
    targetGroups: {
      [TARGET_GROUP]: [
        options.buildTargetName,
        options.scanTargetName,
        options.contractTargetName,
        options.pushTargetName,
      ],
    },
  };
}

/** Names that need no quoting in any shell: the help command is run through one. */
const PLAIN_NAME = /^[\w@./-]+$/;

/**
 * What Nx Console's help button runs and shows: `nx run … --help` prints the executor's options
 * from its schema, with an example. A project whose name would need shell quoting gets none.
 */
export function targetHelp(
  projectName: string,
  targetName: string,
  example: Record<string, unknown>,
): { help?: NonNullable<TargetConfiguration['metadata']>['help'] } {
  if (!PLAIN_NAME.test(projectName) || !PLAIN_NAME.test(targetName)) return {};
  return { help: { command: `npx nx run ${projectName}:${targetName} --help`, example: { options: example } } };
}

/**
 * FROMs pinning a tag of another service's image: built from whatever that tag holds, so a change to
 * that service never rebuilds this one; said where `nx show project` and Nx Console show it, with the
 * link that makes the base build first.
 */
function pinnedDescription(pinned: readonly PinnedBase[], buildTarget: string): string {
  return pinned
    .map(
      ({ taken, repository, project }) =>
        `; ${taken} pins a tag of ${project}'s image: built from what that tag holds, not from ${project}'s sources, and a change to ${project} does not rebuild it ("baseImages": { "${repository}": "${project}:${buildTarget}" } in its ${buildTarget} options links them)`,
    )
    .join('');
}

export function buildServiceTargets({
  projectRoot,
  projectName,
  dockerfile,
  pacts = [],
  affectedBy = [],
  providerRoots = [],
  config,
  broker = false,
  context,
  baseImages,
  pinnedBases = [],
  options,
}: ServiceTargetsInput): Record<string, TargetConfiguration> {
  const { mode } = context;
  // Outputs of the project's own build (its own buildTarget setting), and of other projects' builds (a
  // sibling app's dist it serves), under the workspace's build target name (the plugin option); those
  // named contexts send too.
  const outputs = [...context.outputs, ...(context.named?.outputs ?? [])];
  const producers = context.producers ?? [];
  const bases = [...new Set(Object.values(baseImages ?? {}))].map(builtBy);
  const dependsOn = [
    ...(!context.buildTargetMissing &&
    outputs.some(
      (output) =>
        !producers.some((p) => p.output === output) && !context.missingProducers?.some((p) => p.output === output),
    )
      ? [context.buildTarget]
      : []),
    ...[
      ...new Map(
        producers.map(({ project, target = options.buildTarget }) => [`${project}\0${target}`, { project, target }]),
      ).values(),
    ].map(({ project, target }) => ({ projects: [project], target })),
    // A base image is built first: its record (the content tag) is the FROM's input.
    ...bases.map(({ project, target }) => ({ projects: [project], target })),
  ];
  const scanGate = config.gates?.scan ?? options.gates.scan;
  const gate = decideContractGate({
    repositoryPacts: pacts.length,
    broker,
    enabled: config.gates?.contract ?? options.gates.contract,
  });
  const skippedGates = [...(scanGate ? [] : ['scan']), ...(gate.skipped ? ['contract'] : [])];
  const fingerprint = gate.brokerFingerprint ? brokerFingerprintCommand(projectName) : undefined;
  // A name no command can carry: never cached rather than cached across the broker's changes.
  const contractCache = !gate.brokerFingerprint || fingerprint !== undefined;
  const imageInputs = buildInputs(context, { dockerfile, projectRoot }, baseImages !== undefined);
  return {
    [options.buildTargetName]: {
      executor: 'nx-fleet:docker-build',
      // The Dockerfile copies what the builds write: they run first (or their caches restore the outputs).
      ...(dependsOn.length ? { dependsOn } : {}),
      options: {
        dockerfile,
        ...contextOptions(context, projectRoot),
        ...(config.image ? { image: config.image } : {}),
        ...(config.target
          ? { target: config.target }
          : context.shippedStage
            ? { target: context.shippedStage.stage }
            : {}),
        ...(config.buildArgs ? { buildArgs: config.buildArgs } : {}),
        ...(config.buildContexts ? { buildContexts: config.buildContexts } : {}),
        ...(baseImages ? { baseImages } : {}),
        ...(options.registry ? { registry: options.registry } : {}),
      },
      inputs: imageInputs,
      outputs: [`{workspaceRoot}/${imageRecordPath(projectRoot)}`],
      // What Nx cannot hash cannot key its cache: each run computes the content tag from the disk instead.
      cache: !context.unlisted,
      metadata: {
        technologies: ['docker'],
        description: `Build the service image from a ${mode} context (${context.origin === 'inferred' ? 'inferred: ' : ''}${context.reason}); no engine build when an image with the same content tag exists${context.aboveWorkspace ? `; not cached by Nx: its sources are in the folder above the workspace, where Nx hashes nothing` : context.unlisted ? `; not cached by Nx: it copies ${listed(context.unlisted)}, which Nx does not list (git-ignored, a symbolic link to nothing on this machine, written before the build, or not there at all) and ${unwritten(context)}` : ''}${context.shippedStage ? `; builds the stage ${context.shippedStage.stage}, not the last one, ${context.shippedStage.instead}, a development stage ("target" chooses another)` : ''}${bases.length ? `; built FROM the image${bases.length === 1 ? '' : 's'} of ${listed(bases.map((base) => base.project))}, as their sources build ${bases.length === 1 ? 'it' : 'them'} now` : ''}${pinnedDescription(pinnedBases, options.buildTargetName)}`,
        context: { mode, origin: context.origin, reason: context.reason },
        ...targetHelp(projectName, options.buildTargetName, { platforms: ['linux/arm64'] }),
      },
    },
    [options.scanTargetName]: {
      executor: 'nx-fleet:scan',
      dependsOn: [options.buildTargetName],
      options: { buildTarget: options.buildTargetName },
      inputs: scanInputs(options.scanMaxAgeHours),
      outputs: [
        `{workspaceRoot}/${scanRecordDir(projectRoot)}/scan.json`,
        `{workspaceRoot}/${scanRecordDir(projectRoot)}/scan.sarif`,
        `{workspaceRoot}/${scanRecordDir(projectRoot)}/sbom.*.json`,
      ],
      cache: true,
      metadata: {
        technologies: ['docker'],
        description: `Scan the exact image built: SBOM, vulnerability report (JSON, SARIF) and a severity gate; a cached pass is reused for at most ${options.scanMaxAgeHours} h`,
        ...targetHelp(projectName, options.scanTargetName, { threshold: 'CRITICAL', ignoreUnfixed: true }),
      },
    },
    // On every service, so `nx show project` lists it from the start; without pacts or a broker it verifies nothing and the push does not wait for it.
    [options.contractTargetName]: {
      executor: 'nx-fleet:contract-verify',
      dependsOn: [options.buildTargetName],
      options: { buildTarget: options.buildTargetName },
      inputs: contractInputs(fingerprint),
      outputs: [`{workspaceRoot}/${contractRecordPath(projectRoot)}`],
      cache: contractCache,
      metadata: {
        technologies: ['docker', 'pact'],
        description: contractDescription(pacts.length, broker),
        ...targetHelp(projectName, options.contractTargetName, { port: 8080, healthPath: '/healthz' }),
      },
    },
    [options.pushTargetName]: {
      executor: 'nx-fleet:docker-push',
      // Nothing reaches the registry before the image passed its scan and its consumers' contracts, unless a gate is turned off.
      dependsOn: [
        options.buildTargetName,
        ...(scanGate ? [options.scanTargetName] : []),
        ...(gate.pushWaits ? [options.contractTargetName] : []),
      ],
      options: {
        buildTarget: options.buildTargetName,
        ...(options.registry ? { registry: options.registry } : {}),
        ...(skippedGates.length ? { skippedGates } : {}),
        ...(options.signing ? signingOptions(options.signing) : {}),
      },
      // Never cached: whether the registry still holds the image is only known by asking it. Its
      // inputs only tell `nx affected` what affects the push, without touching the build's cache key.
      cache: false,
      inputs: pushInputs(imageInputs, affectedBy, providerRoots),
      outputs: [`{workspaceRoot}/${pushRecordPath(projectRoot)}`],
      metadata: {
        technologies: ['docker'],
        description: 'Push the image by content tag and git SHA; uploads nothing when the registry already has it',
        ...targetHelp(projectName, options.pushTargetName, { tags: ['stable'] }),
      },
    },
  };
}

function contractDescription(repositoryPacts: number, broker: boolean): string {
  const brokerToo = broker ? " and the Pact Broker's for it (PACT_BROKER_BASE_URL)" : '';
  if (repositoryPacts)
    return `Run the image built and verify the ${repositoryPacts} pact(s) consumers have with this service (${PACTS_FOLDER}/)${brokerToo}; re-runs when the image or a pact changes`;
  if (broker)
    return `Run the image built and verify the pacts the Pact Broker (PACT_BROKER_BASE_URL) holds for this service; re-runs when the image or the broker's pacts change`;
  return `Verify consumers' pacts with this service; none yet (consumers' Pact tests write them to ${PACTS_FOLDER}/)`;
}

/** Why the outputs a context copies are sources Nx cannot hash: the targets that would write them are missing, or none declares them. */
function unwritten(context: ServiceContext): string {
  const missing = [
    ...(context.buildTargetMissing ? [`the project has no "${context.buildTarget}" target`] : []),
    ...(context.missingProducers ?? []).map(({ project, target }) => `${project} has no "${target}" target`),
  ];
  return missing.length ? `${[...new Set(missing)].join(', ')} to write` : 'no build target declares as its output';
}
