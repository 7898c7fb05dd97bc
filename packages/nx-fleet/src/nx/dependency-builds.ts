import { posix } from 'node:path';
import { dependencyFirstBuilds, type ContextFacts } from '../image/context-inference';

/** What finding the builds that run dependencies first reads of the workspace. */
export interface DependencyReads {
  /** A committed JSON file (`nx.json`, `turbo.json`, a `package.json`) as an object; empty when missing or unreadable. */
  json(path: string): Record<string, unknown>;
  /** The build target a project's own manifests declare (project.json, package.json's `nx`). */
  declaredBuild(root: string): { dependsOn?: unknown } | undefined;
}

type Projects = NonNullable<ContextFacts['projects']>;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * For the projects a RUN of the Dockerfile builds with their dependencies first
 * (`dependencyFirstBuilds`), by root: the workspace projects they depend on through their
 * package.json files, transitively. Nx's `^build` and turbo's follow those dependencies (the ones
 * Nx also finds in imports are not counted: a library only imported is not built first by turbo).
 */
export function dependencyBuilds(
  dockerfileText: string,
  projects: Projects,
  reads: DependencyReads,
  /** The build arguments and stage docker-build passes: the RUNs of that build, expanded. */
  build: Parameters<typeof dependencyFirstBuilds>[2] = {},
): Record<string, string[]> {
  const rootOf = rootsByName(projects);
  const nxDefault = onceValue(() => buildsDependencies(targetDefaultsBuild(reads.json('nx.json'))?.dependsOn));
  const names = dependencyFirstBuilds(
    dockerfileText,
    {
      nx(name) {
        const root = rootOf.get(name);
        const own = root === undefined ? undefined : reads.declaredBuild(root)?.dependsOn;
        return own === undefined ? nxDefault() : buildsDependencies(own);
      },
      turbo: onceValue(() => buildsDependencies(turboBuild(reads.json('turbo.json'))?.dependsOn)),
    },
    build,
  );
  const closures = names.flatMap((name) => {
    // A path selector (`turbo run build --filter={./apps/api}...`) names the project at that root.
    const builder = name.startsWith('./')
      ? projects.find((project) => project.root === name.slice(2))?.root
      : rootOf.get(name);
    if (builder === undefined) return [];
    const reached = dependencyClosure(builder, rootOf, reads.json);
    return reached.length ? [[builder, reached] as const] : [];
  });
  return Object.fromEntries(closures);
}

/** The roots of the workspace projects a project depends on through its package.json files, transitively. */
export function packageDependencyRoots(root: string, projects: Projects, json: DependencyReads['json']): string[] {
  return dependencyClosure(root, rootsByName(projects), json);
}

function rootsByName(projects: Projects): Map<string, string> {
  const rootOf = new Map<string, string>();
  for (const { name, root, packageName } of projects) {
    rootOf.set(name, root);
    if (packageName) rootOf.set(packageName, root);
  }
  return rootOf;
}

function dependencyClosure(from: string, rootOf: ReadonlyMap<string, string>, json: DependencyReads['json']): string[] {
  const reached = new Set<string>();
  for (const queue = [from]; queue.length;) {
    const manifest = json(posix.join(queue.shift()!, 'package.json'));
    for (const field of DEPENDENCY_FIELDS) {
      const deps = manifest[field];
      if (typeof deps !== 'object' || deps === null) continue;
      for (const dep of Object.keys(deps)) {
        const root = rootOf.get(dep);
        if (root === undefined || root === from || reached.has(root)) continue;
        reached.add(root);
        queue.push(root);
      }
    }
  }
  return [...reached].sort();
}

/** A `dependsOn` that runs the dependencies' build first: `^build`, or `{ "dependencies": true, "target": "build" }`. */
function buildsDependencies(dependsOn: unknown): boolean {
  return (
    Array.isArray(dependsOn) &&
    dependsOn.some(
      (entry) =>
        entry === '^build' ||
        (typeof entry === 'object' &&
          entry !== null &&
          (entry as { target?: unknown }).target === 'build' &&
          (entry as { dependencies?: unknown }).dependencies === true),
    )
  );
}

function targetDefaultsBuild(nxJson: Record<string, unknown>): { dependsOn?: unknown } | undefined {
  const defaults = nxJson['targetDefaults'];
  return typeof defaults === 'object' && defaults !== null
    ? ((defaults as Record<string, { dependsOn?: unknown }>)['build'] ?? undefined)
    : undefined;
}

/** turbo.json's build task: `tasks` from turbo 2, `pipeline` before. */
function turboBuild(turboJson: Record<string, unknown>): { dependsOn?: unknown } | undefined {
  for (const key of ['tasks', 'pipeline']) {
    const tasks = turboJson[key];
    if (typeof tasks === 'object' && tasks !== null && 'build' in tasks)
      return (tasks as Record<string, { dependsOn?: unknown }>)['build'];
  }
  return undefined;
}

function onceValue<T>(compute: () => T): () => T {
  let value: { of: T } | undefined;
  return () => (value ??= { of: compute() }).of;
}
