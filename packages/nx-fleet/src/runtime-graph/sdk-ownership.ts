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

/**
 * The plugin option `sdks`: each key a project name, a package name, or a path of a project as an
 * import names it: a workspace package's subpath (`@acme/core/v3/workers`) or a tsconfig `paths`
 * alias's (`@app/common/types/proto/users`); each value one owning service or several.
 */
export type SdksOption = Readonly<Record<string, string | readonly string[]>>;

export interface Ownership {
  /** SDK project → the services that own it (one, unless `sdks` names several). */
  sdkOwners: ReadonlyMap<string, readonly string[]>;
  /** The services a specifier names through a subpath key of `sdks`, the longest matching key winning. */
  ownersOfSpecifier(specifier: string): readonly string[] | undefined;
  /** The project whose path a key of `sdks` matching the specifier names. */
  packageOfSpecifier(specifier: string): string | undefined;
  /**
   * The services a workspace file serves through the subpath key whose path holds it, the deepest
   * path winning: a key matches however an import spells its path (the alias, the package's own path).
   */
  ownersOfModule(file: string): readonly string[] | undefined;
  /** The subpath keys of `sdks` (a package's name or a `paths` alias, and a path below it). */
  subpathKeys: readonly string[];
  /** The projects subpath keys name paths of: which of their modules an import takes decides whom it calls. */
  keyedProjects: ReadonlySet<string>;
  /** The services owning a project: an SDK's owners, or the service itself. */
  ownersOfProject(project: string): readonly string[];
  /** The services owning a workspace file: through an SDK project, or because the file lies in its folder. */
  ownersOfFile(file: string): readonly string[];
  /** The project a workspace file belongs to (deepest root). */
  projectOfFile(file: string): string | undefined;
  problems: string[];
}

/**
 * The four ownership conventions, most explicit first: the plugin option `sdks` (by project or
 * package name, or by a package subpath, matched on the specifier), `fleet:sdk-of:<service>` tags,
 * and a project nested in a service's folder. (The fourth, an import resolving into a service's
 * folder, is `ownersOfFile`.) A convention that claims an SDK leaves it to no later one.
 */
export function resolveOwnership(
  projects: readonly ProjectInfo[],
  sdksOption: SdksOption = {},
  /** The workspace path a key names as an import would reach it, and whether anything is there (`ImportResolver.keyPlace`). */
  pathOf: (key: string) => { path: string; exists: boolean } | undefined = () => undefined,
): Ownership {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const projectByRoot = new Map(projects.map((p) => [p.root, p]));
  const byPackage = new Map(projects.flatMap((p) => (p.packageName ? [[p.packageName, p] as const] : [])));
  const services = projects.filter((p) => p.isService);
  const problems: string[] = [];
  const sdkOwners = new Map<string, string[]>();
  // An empty list: a plain library, whoever's folder it is (openstatus's @openstatus/db, a service
  // whose image runs migrations, which the apps use in-process): importing it calls no service.
  const libraries = new Set<string>();

  /** The named owners that are services, each problem reported. */
  const validOwners = (named: readonly string[], what: string, source: string) =>
    [...new Set(named)].filter((service) => {
      if (byName.get(service)?.isService) return true;
      problems.push(`${source} names "${service}" as the owner of ${what}, but "${service}" is not a service`);
      return false;
    });
  const claim = (sdk: ProjectInfo, named: readonly string[], source: string) => {
    if (sdk.isService || sdkOwners.has(sdk.name) || libraries.has(sdk.name)) return;
    const owners = validOwners(named, sdk.name, source).filter((service) => service !== sdk.name);
    if (owners.length) sdkOwners.set(sdk.name, owners);
  };

  // A subpath key, its owners, the project it names a path of, and that path where one is there.
  const subpaths: Array<{ key: string; owners: string[]; project: string; path: string | undefined }> = [];
  for (const [key, value] of Object.entries(sdksOption)) {
    const named = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : [];
    const source = `plugin option sdks["${key}"]`;
    const library = Array.isArray(value) && !value.length;
    if ((!named.length && !library) || named.some((n) => typeof n !== 'string')) {
      problems.push(`${source} must name a service, a list of services, or none ([]: a plain library)`);
      continue;
    }
    const sdk = byName.get(key) ?? byPackage.get(key);
    if (sdk && library) libraries.add(sdk.name);
    else if (sdk) claim(sdk, named, source);
    else {
      const place = pathOf(key);
      const [, packaged] = [...byPackage]
        .filter(([name]) => key.startsWith(`${name}/`))
        .sort(([a], [b]) => b.length - a.length)[0] ?? [undefined, undefined];
      // A library with no package.json is named through an alias only: where the alias maps the key.
      const aliased = place === undefined ? undefined : deepestAt(projectByRoot, place.path);
      const project = packaged ?? (aliased?.root === '.' ? undefined : aliased);
      if (!project) {
        // Where an alias maps it into a folder no project holds (a Nest CLI library before its project.json), say so.
        const where =
          place === undefined
            ? ''
            : `: a tsconfig "paths" alias maps it to ${place.path}, which no project holds (a project.json with a "name" in the library's folder makes one)`;
        problems.push(
          `plugin option sdks names "${key}", which is no workspace project or package, nor a path of one (a package's subpath, or one a tsconfig "paths" alias maps into a project)${where}`,
        );
        continue;
      }
      const path = place?.exists ? place.path : undefined;
      const owners = validOwners(named, key, source);
      if (owners.length || library) subpaths.push({ key, owners, project: project.name, path });
    }
  }
  for (const project of projects) {
    const tags = project.tags.filter((t) => t.startsWith(SDK_TAG_PREFIX));
    if (tags.length)
      claim(
        project,
        tags.map((t) => t.slice(SDK_TAG_PREFIX.length)),
        `tag${tags.length > 1 ? 's' : ''} ${tags.map((t) => `"${t}"`).join(', ')} of ${project.name}`,
      );
  }
  // A root '.' service never claims everything in the workspace.
  const serviceByRoot = new Map(services.filter((s) => s.root !== '.').map((s) => [s.root, s]));
  for (const project of projects) {
    const service = enclosing(serviceByRoot, parentOf(project.root));
    if (service && !project.isService) claim(project, [service.name], `the folder of ${service.name}`);
  }

  // Longest first: `@acme/core/v3/workers` wins over `@acme/core/v3` for `@acme/core/v3/workers/x`.
  subpaths.sort((a, b) => b.key.length - a.key.length);
  // An ESM import names a TypeScript file by its JavaScript twin (protobuf-es' `…/users_pb.js` for
  // `users_pb.ts`): a key matches with or without that extension.
  const subpathOf = (specifier: string) =>
    subpaths.find(
      ({ key }) =>
        specifier === key ||
        specifier.startsWith(`${key}/`) ||
        withoutScriptExtension(specifier) === withoutScriptExtension(key),
    );
  const byPath = subpaths
    .filter((subpath) => subpath.path !== undefined)
    .sort((a, b) => b.path!.length - a.path!.length);
  const projectOfFile = (file: string) => deepestAt(projectByRoot, file)?.name;
  // A root '.' service owns every loose file (iqb-berlin's DTO folders): by its folder, it provides nothing.
  const ownersOfProject = (project: string) =>
    libraries.has(project)
      ? []
      : (sdkOwners.get(project) ??
        (byName.get(project)?.isService && byName.get(project)?.root !== '.' ? [project] : []));
  return {
    sdkOwners,
    ownersOfSpecifier: (specifier) => subpathOf(specifier)?.owners,
    packageOfSpecifier: (specifier) => subpathOf(specifier)?.project,
    ownersOfModule(file) {
      const bare = withoutSourceExtension(file);
      return byPath.find(({ path }) => bare === path || file.startsWith(`${path}/`))?.owners;
    },
    subpathKeys: subpaths.map(({ key }) => key),
    keyedProjects: new Set(subpaths.map(({ project }) => project)),
    projectOfFile,
    ownersOfProject,
    ownersOfFile(file) {
      const project = projectOfFile(file);
      return project ? ownersOfProject(project) : [];
    },
    problems,
  };
}

/** A specifier without the JavaScript extension an ESM import writes (`.js`, `.mjs`, `.cjs`, `.jsx`). */
/** A source file's path without its extension (`.d.ts`, `.ts`, `.mjs`…): the module a key's path names. */
export function withoutSourceExtension(file: string): string {
  return file.replace(/(?:\.d)?\.[cm]?[jt]sx?$/, '');
}

export function withoutScriptExtension(specifier: string): string {
  return specifier.replace(/\.(?:[cm]?js|jsx)$/, '');
}

/** What the deepest root holding a workspace file maps to, as Nx assigns files to projects; a root of `.` holds every file. */
export function deepestAt<T>(byRoot: ReadonlyMap<string, T>, file: string): T | undefined {
  return enclosing(byRoot, parentOf(posix.normalize(file))) ?? byRoot.get('.');
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
