import type { ProjectGraph } from '@nx/devkit';

/** The service a use case works on, as the project graph knows it. */
export interface ServiceRef {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
  graph: ProjectGraph;
}
