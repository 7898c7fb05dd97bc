import { posix } from 'node:path';

/** What ownership needs to know of a project; read from Nx's project configurations by the caller. */
export interface ProjectInfo {
  name: string;
  root: string;
  tags: readonly string[];
  /** The npm package name, when the project has a package.json. */
  packageName?: string;
  isService: boolean;
}

export const SDK_TAG_PREFIX = 'fleet:sdk-of:';

export interface Ownership {
  /** SDK project → the service that owns it. */
  sdkOwner: ReadonlyMap<string, string>;
  /** The service owning a workspace file: through an SDK project, or because the file lies in its folder. */
  ownerOfFile(file: string): string | undefined;
  /** The project a workspace file belongs to (deepest root). */
  projectOfFile(file: string): string | undefined;
  problems: string[];
}

/**
 * The four ownership conventions, most explicit first: the plugin option `sdks` (by project or
 * package name), a `fleet:sdk-of:<service>` tag, and a project nested in a service's folder.
 * (The fourth, an import resolving into a service's folder, is `ownerOfFile`.)
 */
export function resolveOwnership(
  projects: readonly ProjectInfo[],
  sdksOption: Readonly<Record<string, string>> = {},
): Ownership {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const byPackage = new Map(projects.flatMap((p) => (p.packageName ? [[p.packageName, p] as const] : [])));
  const services = projects.filter((p) => p.isService);
  const problems: string[] = [];
  const sdkOwner = new Map<string, string>();

  const claim = (sdk: ProjectInfo, service: string, source: string) => {
    if (sdk.isService || sdkOwner.has(sdk.name)) return;
    if (!byName.get(service)?.isService) {
      problems.push(`${source} names "${service}" as the owner of ${sdk.name}, but "${service}" is not a service`);
      return;
    }
    if (service !== sdk.name) sdkOwner.set(sdk.name, service);
  };

  for (const [key, service] of Object.entries(sdksOption)) {
    const sdk = byName.get(key) ?? byPackage.get(key);
    if (sdk) claim(sdk, service, `plugin option sdks["${key}"]`);
    else problems.push(`plugin option sdks names "${key}", which is no workspace project or package`);
  }
  for (const project of projects) {
    const tag = project.tags.find((t) => t.startsWith(SDK_TAG_PREFIX));
    if (tag) claim(project, tag.slice(SDK_TAG_PREFIX.length), `tag "${tag}" of ${project.name}`);
  }
  // A root '.' service never claims everything in the workspace.
  const serviceByRoot = new Map(services.filter((s) => s.root !== '.').map((s) => [s.root, s]));
  for (const project of projects) {
    const service = enclosing(serviceByRoot, parentOf(project.root));
    if (service && !project.isService) claim(project, service.name, `the folder of ${service.name}`);
  }

  const projectByRoot = new Map(projects.map((p) => [p.root, p]));
  const projectOfFile = (file: string) =>
    enclosing(projectByRoot, parentOf(posix.normalize(file)))?.name ?? projectByRoot.get('.')?.name;
  return {
    sdkOwner,
    projectOfFile,
    ownerOfFile(file) {
      const project = projectOfFile(file);
      if (!project) return undefined;
      if (sdkOwner.has(project)) return sdkOwner.get(project);
      return byName.get(project)?.isService ? project : undefined;
    },
    problems,
  };
}

/** The deepest entry of `byRoot` at `dir` or above it (walking up folders, never past the workspace root). */
function enclosing<T>(byRoot: ReadonlyMap<string, T>, dir: string | undefined): T | undefined {
  for (let d = dir; d !== undefined; d = parentOf(d)) {
    const hit = byRoot.get(d);
    if (hit) return hit;
  }
  return undefined;
}

function parentOf(path: string): string | undefined {
  if (path === '.' || path === '') return undefined;
  const i = path.lastIndexOf('/');
  return i < 0 ? undefined : path.slice(0, i);
}

export function contains(root: string, path: string): boolean {
  if (root === '.' || root === '') return true;
  const normalized = posix.normalize(path);
  return normalized === root || normalized.startsWith(`${root}/`);
}
