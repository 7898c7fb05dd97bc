import type { ProjectConfiguration, ProjectGraph, ProjectGraphProjectNode } from '@nx/devkit';

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

/**
 * `compute` of a graph, found once per graph object: the tasks of one batch or plan share one graph,
 * and a graph Nx hands over is not changed afterwards.
 */
export function perGraph<T>(compute: (graph: ProjectGraph) => T): (graph: ProjectGraph) => T {
  const found = new WeakMap<ProjectGraph, T>();
  return (graph) => {
    if (!found.has(graph)) found.set(graph, compute(graph));
    return found.get(graph)!;
  };
}
