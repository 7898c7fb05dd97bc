import type { ProjectGraphProjectNode } from '@nx/devkit';
import { BUILD_EXECUTOR, perGraph, PUSH_EXECUTOR, serviceNodes } from '../services/projects';
import { imageNameFor } from './records';

/** A repository two or more services would push to. */
export interface RepositoryCollision {
  repository: string;
  projects: string[];
}

/** A service's repository as its targets name it: the push target's registry (if set) and the build target's image. */
export function serviceRepository(node: ProjectGraphProjectNode): string {
  const targets = Object.values(node.data.targets ?? {});
  const options = (executor: string) =>
    (targets.find((target) => target.executor === executor)?.options ?? {}) as { image?: string; registry?: string };
  const image = options(BUILD_EXECUTOR).image ?? imageNameFor(node.name);
  const registry = options(PUSH_EXECUTOR).registry;
  return registry ? `${registry.replace(/\/+$/, '')}/${image}` : image;
}

/**
 * Services whose names derive the same repository (`my service`, `my-service`) would overwrite each
 * other's commit and `latest` tags: every such group, found from the graph alone.
 */
export function repositoryCollisions(nodes: readonly ProjectGraphProjectNode[]): RepositoryCollision[] {
  const byRepository = new Map<string, string[]>();
  for (const node of serviceNodes(nodes)) {
    let repository: string;
    try {
      repository = serviceRepository(node);
    } catch {
      continue; // no image name derivable: docker-build says so for that project
    }
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), node.name]);
  }
  return [...byRepository]
    .filter(([, projects]) => projects.length > 1)
    .map(([repository, projects]) => ({ repository, projects: projects.sort() }));
}

/** repositoryCollisions of a graph's projects, found once per graph: a batch of pushes shares one graph. */
export const graphCollisions = perGraph((graph) => repositoryCollisions(Object.values(graph.nodes)));

export function describeCollision(collision: RepositoryCollision): string {
  const names = collision.projects.map((p) => `"${p}"`);
  return `the services ${names.slice(0, -1).join(', ')} and ${names.at(-1)} share the image repository "${collision.repository}"; set a distinct "image" option on one of them`;
}
