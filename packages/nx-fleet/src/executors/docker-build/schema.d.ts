export type { BuildOptions as DockerBuildExecutorSchema } from '../../image/build';
