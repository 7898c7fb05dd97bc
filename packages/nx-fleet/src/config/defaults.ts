/** Defaults every layer agrees on; the executors' schema.json files state the same values for Nx Console. */

export const DEFAULT_TARGET_NAMES = {
  build: 'docker-build',
  push: 'docker-push',
  scan: 'scan',
  contract: 'contract-verify',
} as const;

/**
 * Dev containers (CodeSandbox's `.codesandbox/Dockerfile` too), coding agents' environments
 * (`.cursor/Dockerfile`), scaffolding templates and examples (a framework's sample apps, copied by
 * its users) hold Dockerfiles that are not deployable services.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '**/.devcontainer/**',
  '**/.codesandbox/**',
  '**/.cursor/**',
  // CI systems' own images (redash's `.ci/Dockerfile.cypress`, a Buildkite or CircleCI test runner,
  // iqb-berlin's GitLab job image `.gitlab-ci/CICD.Dockerfile`).
  '**/.ci/**',
  '**/.circleci/**',
  '**/.buildkite/**',
  '**/.gitlab/**',
  '**/.gitlab-ci/**',
  // GitHub's Docker container actions (`runs: using: docker`): the runner builds them for a job, nothing pushes them.
  '**/.github/actions/**',
  // Vendored third-party code (Go's and Composer's vendor/: inngest's go-toml Dockerfile).
  '**/vendor/**',
  // Scaffolding a generator copies (practica's src/code-templates), not images anyone ships.
  '**/templates/**',
  '**/*-templates/**',
  // A scaffold copied to start a package (hasna's microservices/_template, its names placeholders).
  '**/_template/**',
  '**/_templates/**',
  '**/examples/**',
  '**/generators/**/files/**',
  '**/__fixtures__/**',
  // Test fixtures (webstudio's fixtures/react-router-docker, a generated copy of its CLI's template),
  // and Go's folder for test inputs, which its tools skip (dagger's core/integration/testdata).
  '**/fixtures/**',
  '**/testdata/**',
  // Images tests build and run (etherpad's src/tests/ratelimit, keystone's tests/): none ships.
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  // End-to-end and other test suites' runner images (Nx's `apps/web-e2e`, cosmo's `client-tests/apollo-js`).
  '**/e2e/**',
  '**/*-e2e/**',
  '**/*-tests/**',
];

/** The release ledger, relative to the workspace root. */
export const DEFAULT_LEDGER = 'deploy/fleet.json';

/**
 * Files outside every project that never make a service affected or released: what cannot reach an
 * image or a deployment (CI and editor configuration, changesets, git hooks, dev containers, agent
 * settings, documentation, licences, bot configuration, logs). A pattern without a `/` matches a
 * file's name at any depth. The plugin option `release.ignore` replaces this list.
 */
export const DEFAULT_RELEASE_IGNORE: readonly string[] = [
  '.github/**',
  '.gitlab/**',
  '.gitlab-ci.yml',
  '.gitlab-ci/**',
  '.ci/**',
  '.circleci/**',
  '.buildkite/**',
  '.vscode/**',
  '.idea/**',
  // JetBrains' shared run configurations (ticketpond's `.run/All Tests.run.xml`).
  '.run/**',
  '.changeset/**',
  '.husky/**',
  '.devcontainer/**',
  '.codesandbox/**',
  '.claude/**',
  '.cursor/**',
  // Coding agents' plans, skills and rules (documenso's `.agents/`, `.opencode/`).
  '.agents/**',
  '.opencode/**',
  '.cursorrules',
  '.windsurfrules',
  // An editor's settings (andeo-lunch's and tissai's `.editorconfig`, which their images' ignore files leave out).
  '.editorconfig',
  'docs/**',
  '**/*.md',
  'LICENSE*',
  'CITATION.cff',
  'renovate.json',
  '.renovaterc*',
  '.github/dependabot.yml',
  '**/*.log',
];

/**
 * Where pacts live: in the provider's folder, `<provider root>/pacts/<consumer>-<provider>.json`.
 * There a consumer's changed expectations touch the provider's project, so `nx affected` re-runs
 * the provider's verification, while its build inputs (and image) leave the folder out.
 */
export const PACTS_FOLDER = 'pacts';
