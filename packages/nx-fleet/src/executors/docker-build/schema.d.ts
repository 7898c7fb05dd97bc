import type { BuildSecret } from '../../engines/engine';

export interface DockerBuildExecutorSchema {
  dockerfile: string;
  context: string;
  prune?: boolean;
  contextInclude?: string[];
  registry?: string;
  tlsVerify?: boolean;
  image?: string;
  engine?: 'docker' | 'podman' | 'buildah';
  buildArgs?: Record<string, string>;
  target?: string;
  platforms?: string[];
  secrets?: BuildSecret[];
  cacheFrom?: string[];
  cacheTo?: string[];
  labels?: Record<string, string>;
}
