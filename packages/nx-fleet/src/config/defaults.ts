/** Defaults every layer agrees on; the executors' schema.json files state the same values for Nx Console. */

export const DEFAULT_TARGET_NAMES = {
  build: 'docker-build',
  push: 'docker-push',
  scan: 'scan',
  contract: 'contract-verify',
} as const;

/** Dev containers and scaffolding templates hold Dockerfiles that are not deployable services. */
export const DEFAULT_EXCLUDES = [
  '**/.devcontainer/**',
  '**/templates/**',
  '**/generators/**/files/**',
  '**/__fixtures__/**',
];

/** The release ledger, relative to the workspace root. */
export const DEFAULT_LEDGER = 'deploy/fleet.json';

/** Files outside every project that never make a service affected or released. */
export const DEFAULT_RELEASE_IGNORE = ['*.md', 'docs/**'];
