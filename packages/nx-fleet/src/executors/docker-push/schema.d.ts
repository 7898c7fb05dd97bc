export interface DockerPushExecutorSchema {
  registry?: string;
  buildTarget?: string;
  tags?: string[];
  latest?: boolean;
  tlsVerify?: boolean;
  skippedGates?: string[];
  sign?: 'none' | 'sigstore' | 'cosign';
  signingKey?: string;
  keyless?: boolean;
  attachSbom?: boolean;
  canIDeploy?: string;
}
