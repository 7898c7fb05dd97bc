import { DEFAULT_LEDGER, DEFAULT_TARGET_NAMES } from '../../config/defaults';
import type { FleetPluginOptions } from '../../config/options';
import type { CiGeneratorSchema } from './schema';

export type CiProvider = NonNullable<CiGeneratorSchema['provider']>;
export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab'];

/** Where each provider reads its pipeline from: the path its template in files/<provider>/ renders to. */
export const CI_FILES: Readonly<Record<CiProvider, string>> = {
  github: '.github/workflows/fleet.yml',
  gitlab: '.gitlab-ci.yml',
};

/**
 * Under dist/, which git, Nx and the build contexts ignore: a file in the workspace root would be
 * hashed into services whose build context is the whole workspace, between the plan and the release.
 */
export const RELEASE_PLAN_FILE = 'dist/release-plan.json';

/** The generator's options that shape the pipeline, plus what generator.ts reads from nx.json. */
export interface CiPipelineOptions
  extends
    Omit<CiGeneratorSchema, 'force' | 'skipFormat'>,
    Pick<FleetPluginOptions, 'buildTargetName' | 'scanTargetName' | 'contractTargetName'> {
  /** The `registry` option of nx-fleet in nx.json: the host logged in to when `registry` is not given. */
  configuredRegistry?: string;
  /** The release ledger (the `release.ledger` plugin option); default deploy/fleet.json. */
  ledger?: string;
}

/** The nx-fleet targets the pipeline runs, by the names nx.json gives them. */
export interface CiTargets {
  build: string;
  scan: string;
  contract: string;
}

export interface NormalizedCiOptions {
  provider: CiProvider;
  environment: string;
  registry?: string;
  configuredRegistry?: string;
  mainBranch: string;
  matrix: boolean;
  nodeVersion: string;
  remoteCache: boolean;
  ledger: string;
  targets: CiTargets;
}

// Every value lands in YAML and in shell commands: only characters that need no quoting in either.
const ENVIRONMENT = /^[A-Za-z0-9][\w.-]*$/; // what `nx-fleet release --env` accepts
const BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9][\w./-]*$/;
const REGISTRY = /^[A-Za-z0-9][A-Za-z0-9.-]*(:\d{1,5})?(\/[a-z0-9][a-z0-9._-]*)*$/;
const NODE_VERSION = /^\d+(\.\d+){0,2}$/; // a setup-node version and a node image tag alike
const LEDGER = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/; // inside the workspace
const TARGET = /^[A-Za-z0-9][\w.:-]*$/; // no comma: `nx run-many -t` splits on it

function check(value: string, pattern: RegExp, option: string, rule: string): string {
  if (!pattern.test(value)) throw new Error(`nx-fleet: --${option} "${value}" is not valid: ${rule}.`);
  return value;
}

function checkLedger(ledger: string): string {
  if (LEDGER.test(ledger)) return ledger;
  throw new Error(
    `nx-fleet: the release ledger ${ledger} (release.ledger in nx.json) is not a path inside the workspace; the generated pipeline commits and pushes the ledger in this repository. Keep the ledger in the workspace, or write the release job yourself.`,
  );
}

function checkTarget(name: string, option: keyof CiPipelineOptions): string {
  if (TARGET.test(name)) return name;
  throw new Error(
    `nx-fleet: the target name "${name}" (${option} in nx.json) cannot be written into the pipeline: use letters, digits, ".", "_", ":" and "-", starting with a letter or digit.`,
  );
}

export function normalizeCiOptions(options: CiPipelineOptions): NormalizedCiOptions {
  const provider = options.provider ?? 'github';
  if (!CI_PROVIDERS.includes(provider))
    throw new Error(`nx-fleet: --provider "${provider}" is not valid: use ${CI_PROVIDERS.join(' or ')}.`);
  const registry = options.registry?.trim() || undefined;
  const configuredRegistry = options.configuredRegistry?.trim() || undefined;
  const ledger = (options.ledger ?? DEFAULT_LEDGER).replace(/^\.\//, '');
  return {
    provider,
    environment: check(
      options.environment ?? 'production',
      ENVIRONMENT,
      'environment',
      'use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ),
    ...(registry
      ? {
          registry: check(
            registry,
            REGISTRY,
            'registry',
            'use a registry host with an optional port and lowercase namespace, e.g. ghcr.io/acme',
          ),
        }
      : {}),
    // nx.json is not ours to judge: a registry the pipeline cannot quote is left to FLEET_REGISTRY.
    ...(configuredRegistry && REGISTRY.test(configuredRegistry) ? { configuredRegistry } : {}),
    mainBranch: check(
      options.mainBranch ?? 'main',
      BRANCH,
      'mainBranch',
      'use a git branch name such as main or release/v2',
    ),
    matrix: options.matrix ?? false,
    nodeVersion: check(
      String(options.nodeVersion ?? '20'),
      NODE_VERSION,
      'nodeVersion',
      'use a Node.js major, major.minor or full version such as 20 or 20.19',
    ),
    remoteCache: options.remoteCache ?? true,
    ledger: checkLedger(ledger),
    targets: {
      build: checkTarget(options.buildTargetName ?? DEFAULT_TARGET_NAMES.build, 'buildTargetName'),
      scan: checkTarget(options.scanTargetName ?? DEFAULT_TARGET_NAMES.scan, 'scanTargetName'),
      contract: checkTarget(options.contractTargetName ?? DEFAULT_TARGET_NAMES.contract, 'contractTargetName'),
    },
  };
}

/**
 * What the templates in files/<provider>/ are rendered with. Every key is always present (undefined
 * when unset): EJS reads the values as variables, and an absent one is a ReferenceError.
 */
export interface CiTemplate extends Omit<NormalizedCiOptions, 'registry' | 'configuredRegistry'> {
  /** The pipeline file the template renders to. */
  path: string;
  /** --registry: written into the pipeline, so no FLEET_REGISTRY CI variable is asked for. */
  registry: string | undefined;
  /** nx.json's registry, the fallback of an empty FLEET_REGISTRY. */
  configuredRegistry: string | undefined;
  /** FLEET_REGISTRY as the pipeline sets it, a YAML value; undefined: the pipeline does not set it. */
  fleetRegistry: string | undefined;
  /** The registry as the shell reads it: FLEET_REGISTRY, else nx.json's. */
  registryRef: string;
  /** The shell line that explains a missing registry, naming the provider's kind of CI variable. */
  noRegistry: string;
  /** `nx affected -t` of the verify job, in this order. */
  verifyTargets: string;
  /** `nx run-many -t` of a matrix job: what a service needs before its release. */
  matrixTargets: string;
  planFile: string;
}

/** The decisions the templates only print: pure, from the options alone. */
export function ciTemplate(options: CiPipelineOptions): CiTemplate {
  const { registry, configuredRegistry, ...o } = normalizeCiOptions(options);
  const gitlab = o.provider === 'gitlab';
  // A validated registry needs no escaping: quoting it keeps YAML from reading it as anything but a string.
  const given = registry ? `"${registry}"` : undefined;
  const { build, scan, contract } = o.targets;
  return {
    ...o,
    path: CI_FILES[o.provider],
    registry,
    configuredRegistry,
    // GitLab's own registry is the default of a GitLab project that names no other.
    fleetRegistry: gitlab
      ? (given ?? (configuredRegistry ? undefined : '"$CI_REGISTRY_IMAGE"'))
      : (given ?? '${{ vars.FLEET_REGISTRY }}'),
    registryRef: configuredRegistry ? `\${FLEET_REGISTRY:-${configuredRegistry}}` : '${FLEET_REGISTRY}',
    noRegistry: `echo "nx-fleet: no registry to push to: set ${gitlab ? 'the CI/CD variable' : 'the repository variable'} FLEET_REGISTRY or the registry option in nx.json, or rerun nx g nx-fleet:ci --registry <host/namespace> --force." >&2`,
    verifyTargets: ['lint', 'test', 'typecheck', build, scan, contract].join(' '),
    matrixTargets: [build, scan, contract].join(','),
    planFile: RELEASE_PLAN_FILE,
  };
}

/** What the generator warns about before it writes: nx-fleet missing from nx.json, a matrix that cannot help. */
export function ciWarnings(
  options: Pick<NormalizedCiOptions, 'provider' | 'matrix' | 'remoteCache'>,
  registered: boolean,
): string[] {
  return [
    ...(registered
      ? []
      : [
          "nx-fleet: nx.json does not register nx-fleet yet; run `nx g nx-fleet:init` (or `nx add nx-fleet`) so the pipeline's targets exist.",
        ]),
    ...(options.matrix && options.provider === 'gitlab'
      ? [
          'nx-fleet: --matrix is GitHub only (a GitLab parallel:matrix needs its values before the pipeline runs); the GitLab pipeline releases in one job.',
        ]
      : options.matrix && !options.remoteCache
        ? [
            "nx-fleet: --matrix without --remoteCache: the release job cannot reuse the matrix jobs' results and runs every check again.",
          ]
        : []),
  ];
}
