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

/**
 * Where pacts live: in the provider's folder, `<provider root>/pacts/<consumer>-<provider>.json`.
 * There a consumer's changed expectations touch the provider's project, so `nx affected` re-runs
 * the provider's verification, while its build inputs (and image) leave the folder out.
 */
export const PACTS_FOLDER = 'pacts';
