export interface CiGeneratorSchema {
  provider?: 'github' | 'gitlab';
  environment?: string;
  registry?: string;
  mainBranch?: string;
  matrix?: boolean;
  nodeVersion?: string;
  remoteCache?: boolean;
  force?: boolean;
  skipFormat?: boolean;
}
