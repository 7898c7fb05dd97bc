export interface CiGeneratorSchema {
  provider?: 'github' | 'gitlab';
  /** Environment the main branch releases to (`nx-fleet release --env`); default `production`. */
  environment?: string;
  /** Registry written into the pipeline as FLEET_REGISTRY; unset, the workspace's own setting applies. */
  registry?: string;
  mainBranch?: string;
  /** GitHub: plan → one job per service (build, scan, contract-verify) → one release job. */
  matrix?: boolean;
  nodeVersion?: string;
  remoteCache?: boolean;
  force?: boolean;
  skipFormat?: boolean;
}
