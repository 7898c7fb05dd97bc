import type { BuildSecret } from '../../engines/engine';

export interface DockerBuildExecutorSchema {
  dockerfile: string;
  context: string;
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
