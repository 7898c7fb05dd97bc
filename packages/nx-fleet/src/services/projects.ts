import type { ProjectConfiguration, ProjectGraphProjectNode } from '@nx/devkit';

/** The executor of the inferred docker-build target: what marks a project as a service in a graph. */
export const BUILD_EXECUTOR = 'nx-fleet:docker-build';

/** A project is a service when one of its targets builds an image with nx-fleet, whatever its name. */
export function isServiceProject(project: Pick<ProjectConfiguration, 'targets'> | undefined): boolean {
  return Object.values(project?.targets ?? {}).some((target) => target.executor === BUILD_EXECUTOR);
}

/** The services of a graph, by name. */
export function serviceNodes(nodes: readonly ProjectGraphProjectNode[]): ProjectGraphProjectNode[] {
  return nodes.filter((node) => isServiceProject(node.data)).sort((a, b) => a.name.localeCompare(b.name));
}
