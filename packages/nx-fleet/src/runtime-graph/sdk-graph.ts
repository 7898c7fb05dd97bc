import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, posix } from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { isServiceProject } from '../services/projects';
import { DEFAULT_TEST_FILES } from '../config/options';
import type { CodeEdge, RuntimeImport } from './edges';
import { nodeSyncFiles, type SyncFiles } from './files';
import type { ImportCache, ResolvedImport, Unscanned } from './import-cache';
import { compiledSources } from './compiled-sources';
import { ImportResolver } from './module-resolution';
import { extractAll, workersFor, type PendingFile } from './parallel-extract';
import { ReExports } from './re-exports';
import {
  erasedImports,
  exportedNamesImported,
  importsOf,
  isSourceFile,
  isTypeOnly,
  mayReferenceOtherProjects,
  prefixFilter,
  type PrefixFilter,
  type ImportRef,
} from './sdk-imports';
import { bareSpecifierFilter, isRelativeSpecifier, type ReachableNames } from './specifier-filter';
import {
  contains,
  deepestAt,
  resolveOwnership,
  withoutSourceExtension,
  SDK_TAG_PREFIX,
  type Ownership,
  type ProjectInfo,
  type SdksOption,
} from './sdk-ownership';
import { testFileMatcher } from './test-files';
import { listed } from '../text/listed';
import { withPrefix } from '../text/sorted';
import { workerState } from './worker-state';

/** Generated bundles and fixtures this large are not hand-written SDK consumers; parsing them would stall the graph. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export interface ScanInput {
  workspaceRoot: string;
  projects: readonly ProjectInfo[];
  /** Files per project with Nx's content hash. */
  files: Readonly<Record<string, ReadonlyArray<{ file: string; hash: string }>>>;
  /** Files outside every project (the root tsconfig.base.json, package.json, …) with their hash. */
  otherFiles?: ReadonlyArray<{ file: string; hash: string }>;
  sdksOption?: SdksOption;
  /** Globs of test files, whose imports make no edge (the plugin option `runtimeGraph.testFiles`); default `DEFAULT_TEST_FILES`. */
  testFiles?: readonly string[];
  /** Threads extracting imports besides this one (the plugin option `runtimeGraph.workers`); default: by the work (see parallel-extract.ts). */
  workers?: unknown;
  cache: ImportCache;
  warn(key: string, message: string): void;
  /**
   * Filled in, when given: how much work the scan did (for verbose logs and benchmarks): files whose
   * imports were extracted, files resolved, and (when the field is there) extractions that needed
   * the full parse.
   */
  stats?: {
    parsed: number;
    resolved: number;
    fullParses?: number;
    /** When the field is there: the extra threads used. */
    workers?: number;
  };
  /** The disk, unless given. */
  fs?: SyncFiles;
  /** The import extractor (ts-morph's parse), unless given. */
  extract?: (file: string, text: string) => ImportRef[];
}

type Scan = ScanInput & Required<Pick<ScanInput, 'fs' | 'extract'>>;

interface ProjectConfigLike {
  root: string;
  tags?: string[];
  targets?: Record<string, { executor?: string }>;
  metadata?: { js?: { packageName?: string } };
}

/** Project facts ownership needs, from Nx's configurations (and package.json names where Nx has none). */
export function projectInfos(
  workspaceRoot: string,
  projects: Readonly<Record<string, ProjectConfigLike>>,
  fs: SyncFiles = nodeSyncFiles,
): ProjectInfo[] {
  return Object.entries(projects).map(([name, config]) => ({
    name,
    root: config.root,
    tags: config.tags ?? [],
    packageName: config.metadata?.js?.packageName ?? packageNameAt(fs, workspaceRoot, config.root),
    isService: isServiceProject(config),
  }));
}

function packageNameAt(fs: SyncFiles, workspaceRoot: string, root: string): string | undefined {
  const file = join(workspaceRoot, root, 'package.json');
  // Asked first: most projects have none, and a failed read costs an exception each.
  if (!fs.exists(file)) return undefined;
  try {
    const name = (JSON.parse(fs.read(file).toString('utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** What one scan of the workspace's sources finds. */
export interface RuntimeScan {
  /** Runtime imports that reach another service, its SDK or its folder: one per provider an SDK has. */
  imports: RuntimeImport[];
  /** The same for imports the compiler erases (`import type`, …): "types only" evidence, no edge. */
  typeOnly: RuntimeImport[];
  /**
   * Project → project, once per pair: every runtime import from one workspace project into another.
   * Grouped by source in the order of `projects`, targets sorted.
   */
  codeEdges: CodeEdge[];
  /** What a later edit of one file is checked against (`sameReach`); none when there is no service. */
  basis?: ScanBasis;
}

/** What `sameReach` needs of a scan: its shape, which project each source file is in, and its test-file rule. */
export interface ScanBasis {
  shape: Shape;
  sources: ReadonlyMap<string, ProjectInfo>;
  nestedRoots: ReadonlyMap<string, string[]>;
  isTest(file: string): boolean;
  /** The folders of packages whose modules `sdks` keys name (`packageModules`): an edit there may move a name. */
  keyedRoots: readonly string[];
}

/**
 * Every import, in every project's sources except test files, that reaches another workspace
 * project: the runtime imports of services (directly, or by SDK), the type-only ones, and the
 * project-level code edges the runtime graph computes its library closures from (no Nx graph).
 */
export function scanRuntimeGraph(scanInput: ScanInput): RuntimeScan {
  const stats = scanInput.stats;
  const input: Scan = {
    ...scanInput,
    fs: scanInput.fs ?? nodeSyncFiles,
    extract:
      scanInput.extract ??
      (stats?.fullParses !== undefined
        ? (file, text) => importsOf(file, text, stats as { fullParses: number })
        : (file, text) => importsOf(file, text)),
  };
  // The resolver a key's path is asked of (an alias's, riat's `@app/common/types/proto/users`) resolves the scan's imports too.
  let fresh: ImportResolver | undefined;
  const resolverNow = () => (fresh ??= new ImportResolver(input.workspaceRoot, input.projects, input.warn, input.fs));
  const ownership = resolveOwnership(input.projects, input.sdksOption, (key) => resolverNow().keyPlace(key));
  const rootOf = new Map(input.projects.map((p) => [p.name, p.root]));
  const keyedRoots = [...ownership.keyedProjects].map((project) => `${rootOf.get(project)}/`);
  // Every scan reports them: the caller prints each once (createNodes: once per workspace state).
  for (const problem of ownership.problems) input.warn(problem, `nx-fleet: ${problem}.`);
  const result: RuntimeScan = { imports: [], typeOnly: [], codeEdges: [] };
  // A runtime link joins two services: with one service or none, no source can make one.
  if (input.projects.filter((p) => p.isService).length < 2) return result;

  const isTest = testFileMatcher(input.testFiles ?? DEFAULT_TEST_FILES);
  const shape = shapeOf(input, keyedRoots, resolverNow);
  const { world, resolver } = shape;
  // A subpath the package does not export, or has no file for, is matched by no import (my-girok's
  // misspelt `nest-common/grcp`).
  let nxFiles: Set<string> | undefined;
  const lists = (path: string) => {
    nxFiles ??= new Set(
      [...Object.values(input.files).flat(), ...(input.otherFiles ?? [])].flatMap(({ file }) => {
        const bare = withoutSourceExtension(file);
        return [file, bare, ...(posix.basename(bare) === 'index' ? [posix.dirname(bare)] : [])];
      }),
    );
    return nxFiles.has(path) || [...nxFiles].some((file) => file.startsWith(`${path}/`));
  };
  for (const key of ownership.subpathKeys) {
    const offer = resolver.subpathOffer(key);
    // There on this disk, but in no commit (a module a build generates): the link would hold here and not in CI.
    const place = offer === 'offered' ? resolver.keyPlace(key) : undefined;
    if (place?.exists && !lists(place.path))
      input.warn(
        `sdks:${key}`,
        `nx-fleet: plugin option sdks names "${key}", a path Nx lists no file of (${place.path}: git ignores it, a module a build generates): its runtime link holds where it was generated and on no fresh checkout, so CI's graph lacks it. Key the package, or a module committed beside it.`,
      );
    if (offer !== 'offered')
      input.warn(
        `sdks:${key}`,
        offer === 'unexported'
          ? `nx-fleet: plugin option sdks names "${key}", a subpath its package's "exports" does not offer: no import can name it, so it makes no runtime link. Name an exported subpath (or the package).`
          : `nx-fleet: plugin option sdks names "${key}", a path ${ownership.packageOfSpecifier(key)} does not have (no file or folder at ${resolver.keyPlace(key)?.path ?? key}): no import can name it, so it makes no runtime link. Name a path that is there, as the imports spell it (or the whole project).`,
      );
  }
  const seen = new Map<string, ProjectInfo>();

  const nestedRoots = nestedProjectRoots(input.projects);
  // First each file's imports: from the cache, or read and pre-filtered now, the extractions gathered
  // so they can be spread over threads; then resolution, project by project.
  const entries: FileEntry[] = [];
  const pending: Array<PendingFile & { entry: FileEntry }> = [];
  const tooLarge: string[] = [];
  // Named on every scan, from the cache too: what was left out of the graph is part of its answer.
  const notScanned = (file: string, why: Unscanned) => {
    if (why === 'not text') input.warn(file, `nx-fleet: ${file} is not text; it is not scanned for SDK imports.`);
    else tooLarge.push(`${file} (${why.megabytes.toFixed(1)} MB)`);
  };
  for (const project of input.projects) {
    const { filter, signature } = shape.filtersFor(project.root);
    for (const { file, hash } of input.files[project.name] ?? []) {
      if (!isSourceFile(file)) continue;
      seen.set(file, project);
      // The pre-filter's verdict depends on the known names and the project root, so it is part of the key.
      const key = entryKeyOf(hash, project.root);
      // One lookup, and no second key built, for the many files a warm graph answers from the cache.
      const stored = input.cache.lookup(file);
      if (stored && isKeyFor(stored.hash, key, signature)) {
        if (stored.unscanned) notScanned(file, stored.unscanned);
        entries.push({ project, file, entryKey: stored.hash, imports: stored.imports });
        continue;
      }
      // A test file is never read; one cached from before it was one (the option changed) is skipped below.
      if (isTest(file)) continue;
      const read = readForImports(input, file, project.root, filter, nestedRoots.get(project.root) ?? []);
      if (read.kind === 'skipped') continue;
      const entry: FileEntry = { project, file, entryKey: key, imports: [] };
      entries.push(entry);
      if (read.kind === 'text') pending.push({ file, text: read.text, entry });
      else if (read.kind === 'unscanned') {
        notScanned(file, read.why);
        input.cache.set(file, entry.entryKey, [], read.why);
      } else {
        entry.entryKey = entryKeyOf(hash, project.root, signature);
        input.cache.set(file, entry.entryKey, []);
      }
    }
  }
  if (tooLarge.length)
    input.warn(
      `too-large:${tooLarge.join()}`,
      `nx-fleet: files over ${MAX_SOURCE_BYTES / 1024 / 1024} MB are not scanned for SDK imports: ${listed(tooLarge)}.`,
    );
  // Threads run the package's own extractor: one given by the caller (a benchmark's) stays on this thread.
  const workers = scanInput.extract ? 0 : workersFor(pending.length, availableParallelism(), input.workers);
  if (input.stats?.workers !== undefined) input.stats.workers = workers;
  const extracted = extractAll(pending, workers, input.extract, input.stats);
  // The texts read now, for the compiler's word on imports that would call a service (`erasedImports`).
  const texts = new Map(pending.map(({ entry, text }) => [entry, text]));
  pending.forEach(({ file, entry }, i) => {
    const imports = extracted[i]!;
    if (imports instanceof Error) {
      input.warn(file, `nx-fleet: ${file} could not be scanned for SDK imports (${imports.message}).`);
      entry.imports = [];
      entry.skip = true;
      return;
    }
    if (input.stats) input.stats.parsed++;
    entry.imports = imports;
    input.cache.set(file, entry.entryKey, imports);
  });

  const modules = ownership.subpathKeys.length ? packageModules(input, resolver, ownership) : undefined;
  let targets = new Set<string>();
  entries.forEach((entry, i) => {
    const { project, file, entryKey, imports } = entry;
    // A file the project's own tsconfigs leave out (a script run by hand) is none of its runtime code;
    // decided here, not in the cache, so that an edited include counts at once.
    if (!entry.skip && imports.length && !isTest(file) && shape.compiles(project, file)) {
      // Resolution depends only on the workspace's shape: while that is unchanged, an unchanged file keeps its answer.
      let resolved = input.cache.resolved(file, entryKey, world);
      if (!resolved) {
        if (input.stats) input.stats.resolved++;
        const nested = nestedRoots.get(project.root) ?? [];
        const { bare } = shape.filtersFor(project.root);
        let text: string | undefined;
        const textOf = () => (text ??= texts.get(entry) ?? readText(input, file));
        const hits = imports.flatMap((ref) => {
          // Only a specifier that can name another project is resolved: npm packages and the project's own files are not.
          const candidate = isRelativeSpecifier(ref.specifier)
            ? relativeReachesOut(file, ref.specifier, project.root, nested)
            : bare(ref.specifier);
          if (!candidate) return [];
          const hit = reach(ref, file, project, resolver, ownership);
          return hit ? [{ ref, hit: modules ? modules.refine(ref, hit, file, project, textOf) : hit }] : [];
        });
        // Of the imports that would call a service, those the compiler erases call no one.
        const calls = hits.filter(({ hit }) => hit.providers.length && !hit.typeOnly && !hit.clientType);
        const erased = calls.length
          ? erasedImports(
              file,
              textOf(),
              calls.map(({ ref }) => ref),
              resolver.emitOptionsFor(project.root),
              imports,
            )
          : undefined;
        resolved = hits.map(({ ref, hit }) => (erased?.has(ref) ? { ...hit, typeOnly: true as const } : hit));
        input.cache.setResolved(file, entryKey, world, resolved);
      }
      for (const r of resolved) {
        if (!r.typeOnly && !r.clientType) targets.add(r.target);
        for (const provider of r.providers) {
          (r.typeOnly ? result.typeOnly : result.imports).push({
            consumer: project.name,
            provider,
            file,
            line: r.line,
            specifier: r.specifier,
            ...(r.target !== provider ? { sdk: r.target } : {}),
          });
        }
      }
    }
    // The project's last file: its code edges, once per target, sorted.
    if (entries[i + 1]?.project !== project) {
      for (const target of [...targets].sort()) result.codeEdges.push({ source: project.name, target });
      targets = new Set();
    }
  });
  resolver.reportUnreadable();
  input.cache.retainOnly(seen);
  input.cache.saveSoon();
  result.basis = { shape, sources: seen, nestedRoots, isTest, keyedRoots };
  return result;
}

/**
 * Whether an edit of `file` (Nx's hash `before` → `after`) leaves the scan `basis` came from as it
 * was, the rest of the workspace unchanged: a file no scan reads (no project's source, a test file),
 * or a source whose references a project can be reached by are the same ones in the same order
 * (lines aside). The new extraction is kept in the cache. False whenever it cannot tell: a
 * tsconfig or package.json (the shape), a file the cache does not hold at `before`, one that cannot
 * be read or is no longer scanned (its warning is the full scan's to print).
 */
export function sameReach(
  input: Pick<ScanInput, 'workspaceRoot' | 'cache' | 'fs'>,
  basis: ScanBasis,
  file: string,
  before: string,
  after: string,
): boolean {
  // Which module declares a name of a keyed package is asked of its files' texts, not of their imports.
  if (CONFIG_FILE.test(file) || basis.keyedRoots.some((root) => file.startsWith(root))) return false;
  const project = basis.sources.get(file);
  if (!project || basis.isTest(file)) return true;
  const { signature, filter } = basis.shape.filtersFor(project.root);
  const stored = input.cache.lookup(file);
  if (!stored || !isKeyFor(stored.hash, entryKeyOf(before, project.root), signature)) return false;
  const reader = { workspaceRoot: input.workspaceRoot, fs: input.fs ?? nodeSyncFiles, warn: () => undefined };
  const read = readForImports(reader, file, project.root, filter, basis.nestedRoots.get(project.root) ?? []);
  if (read.kind === 'skipped' || read.kind === 'unscanned') return false;
  let imports: ImportRef[] = [];
  if (read.kind === 'text') {
    try {
      imports = importsOf(file, read.text);
    } catch {
      return false;
    }
  }
  const same =
    imports.length === stored.imports.length &&
    imports.every((ref, i) => ref.specifier === stored.imports[i]!.specifier && ref.kind === stored.imports[i]!.kind);
  if (same) {
    input.cache.set(file, entryKeyOf(after, project.root, read.kind === 'text' ? undefined : signature), imports);
  }
  return same;
}

/**
 * A file's import-cache key: its hash and project root (the pre-filter's verdict depends on the root),
 * and the pre-filter's signature when the filter rejected it (valid only for those names).
 */
function entryKeyOf(hash: string, root: string, rejectedBy?: string): string {
  return rejectedBy === undefined ? `${hash}:${root}` : `${hash}:${root}:${rejectedBy}`;
}

/** Whether a cache entry's key is `key`, or `key:signature` (a file the pre-filter rejected against these names). */
function isKeyFor(stored: string, key: string, signature: string): boolean {
  if (stored === key) return true;
  return (
    stored.length === key.length + 1 + signature.length &&
    stored.startsWith(key) &&
    stored[key.length] === ':' &&
    stored.endsWith(signature)
  );
}

/**
 * The project an import reaches, when it is another workspace project, and the services it calls
 * there: a subpath key of `sdks` matching the specifier, else the target's owners (an SDK's, or the
 * service itself). A service's own SDK, or an SDK reaching its own service, calls no one.
 */
function reach(
  ref: ImportRef,
  file: string,
  project: ProjectInfo,
  resolver: ImportResolver,
  ownership: Ownership,
): ResolvedImport | undefined {
  if (ref.kind === 'resolve') return resolvedPath(ref, project, ownership);
  // A JSON file is data, no code: it calls no one (walkerOS' `@walkeros/cli/openapi/spec.json`).
  if (/\.json$/i.test(ref.specifier)) return undefined;
  const resolution = resolver.resolve(ref.specifier, file, project.root);
  if (!resolution) return undefined;
  const target = 'file' in resolution ? ownership.projectOfFile(resolution.file) : resolution.project;
  if (!target || target === project.name) return undefined;
  const owners =
    ownership.ownersOfSpecifier(ref.specifier) ??
    ('file' in resolution ? ownership.ownersOfModule(resolution.file) : undefined) ??
    ownership.ownersOfProject(target);
  const own = ownership.sdkOwners.get(project.name) ?? [];
  const providers = owners.filter((p) => p !== project.name && !own.includes(p));
  return {
    target,
    providers,
    line: ref.line,
    specifier: ref.specifier,
    ...(isTypeOnly(ref.kind) ? { typeOnly: true as const } : {}),
    ...(ref.kind === 'typed-client' ? { clientType: true as const } : {}),
  };
}

/**
 * The services an import of a project's entry (or of any module no key names) calls by the modules that
 * declare the names it takes, where `sdks` keys name the project's modules (jobber's
 * `"@jobber/grpc/src/lib/types/proto/auth": "auth"`, its entry `export * from` each service's generated
 * client; riat's `@app/common`, an alias): `AuthServiceClient` from `@jobber/grpc` calls auth, not every
 * service of the package. A name no module is found for keeps the project's own owners.
 */
function packageModules(input: Scan, resolver: ImportResolver, ownership: Ownership) {
  const byName = new Map(input.projects.map((p) => [p.name, p]));
  const reExports = new ReExports(
    (file) => readText(input, file) || undefined,
    (specifier, from) => {
      const resolved = resolver.resolve(specifier, from, byName.get(ownership.projectOfFile(from) ?? '')?.root ?? '.');
      return resolved && 'file' in resolved ? resolved.file : undefined;
    },
  );
  // Where TypeScript finds no file: the entry the package names (its `types`, `main`), else `src/index`, `index`.
  const entryOf = (target: ProjectInfo) => {
    const manifest = resolver.manifestOf(target) ?? {};
    const named = [manifest['types'], manifest['main']].filter((value): value is string => typeof value === 'string');
    for (const path of [...named, 'src/index', 'index']) {
      const found = resolver.resolve(`./${posix.normalize(path)}`, `${target.root}/package.json`, target.root);
      if (found && 'file' in found) return found.file;
    }
    return undefined;
  };
  return {
    refine(
      ref: ImportRef,
      hit: ResolvedImport,
      file: string,
      project: ProjectInfo,
      text: () => string,
    ): ResolvedImport {
      const target = byName.get(hit.target);
      // A key matching the import, or the module it reaches, has said whom it calls.
      if (!target || !ownership.keyedProjects.has(target.name) || ownership.ownersOfSpecifier(ref.specifier))
        return hit;
      const resolved = resolver.resolve(ref.specifier, file, project.root);
      const reached = resolved && 'file' in resolved ? resolved.file : undefined;
      if (reached !== undefined && ownership.ownersOfModule(reached)) return hit;
      const imported = exportedNamesImported(text(), ref);
      const entry = imported && (reached ?? entryOf(target));
      if (!imported || !entry) return hit;
      const owners = imported.flatMap((exported) => {
        const module = reExports.declaring(entry, exported);
        return (module && ownership.ownersOfModule(module)) ?? hit.providers;
      });
      const own = ownership.sdkOwners.get(project.name) ?? [];
      return { ...hit, providers: [...new Set(owners)].filter((p) => p !== project.name && !own.includes(p)) };
    },
  };
}

/**
 * A `require.resolve`d path (nebulaNV's `protoPath: require.resolve('@nebula/protos/product.proto')`,
 * a gRPC client's contract) calls the services an `sdks` key naming it states, and loads none of the
 * package's code: no code edge. No key, no call: a path alone says nothing of who serves it.
 */
function resolvedPath(ref: ImportRef, project: ProjectInfo, ownership: Ownership): ResolvedImport | undefined {
  const owners = ownership.ownersOfSpecifier(ref.specifier);
  const target = ownership.packageOfSpecifier(ref.specifier);
  if (!owners || target === undefined || target === project.name) return undefined;
  const own = ownership.sdkOwners.get(project.name) ?? [];
  const providers = owners.filter((p) => p !== project.name && !own.includes(p));
  return { target, providers, line: ref.line, specifier: ref.specifier, clientType: true };
}

/** For each project root, the roots of the projects inside its folder (a nested SDK): even `./sdk` reaches them. */
function nestedProjectRoots(projects: readonly ProjectInfo[]): Map<string, string[]> {
  const roots = new Set(projects.map((p) => p.root));
  const nested = new Map<string, string[]>();
  for (const { root } of projects) {
    if (root === '.') continue;
    const segments = root.split('/');
    for (const ancestor of ['.', ...segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'))]) {
      if (!roots.has(ancestor)) continue;
      const inside = nested.get(ancestor);
      if (inside) inside.push(root);
      else nested.set(ancestor, [root]);
    }
  }
  return nested;
}

export interface Shape {
  world: string;
  resolver: ImportResolver;
  /** What can name another project from a file of the project at this root. */
  filtersFor(projectRoot: string): Filters;
  /** Whether the project's own tsconfigs compile a file of it, or that cannot be decided (`compiledSources`). */
  compiles(project: ProjectInfo, file: string): boolean;
}

export interface Filters {
  filter: PrefixFilter | undefined;
  /** Of the pre-filter's prefixes: a file the filter rejected is rejected again while they are unchanged. */
  signature: string;
  /** Whether a bare specifier can name another project (whole specifiers). */
  bare: (specifier: string) => boolean;
}

/**
 * The workspace shape, reused from the last scan of this worker while it is unchanged: an edit in
 * the daemon keeps the resolver's warm caches and the pre-filter instead of reading every tsconfig again.
 */
function shapeOf(input: Scan, keyedRoots: readonly string[], resolver: () => ImportResolver): Shape {
  const world = worldSignature(input, keyedRoots);
  const key = `${input.workspaceRoot}\0${world}`;
  if (workerState.lastShape?.key === key) return workerState.lastShape.shape;
  const { internal, ...names } = candidateNames(input);
  const byAliases = new Map<string, Filters>();
  const byRoot = new Map<string, Filters>();
  // Most projects have no aliases of their own: they share one, found without joining every alias.
  let everyAlias: Filters | undefined;
  const filtersFor = (projectRoot: string): Filters => {
    // A project's own aliases into its own folder (`@/*` → `./src/*`) name nothing outside it.
    const own = internal.get(projectRoot);
    if (!own) return (everyAlias ??= filtersOf(names));
    const aliases = names.aliases.filter((alias) => !own.has(alias));
    const key = aliases.join('\n');
    let filters = byAliases.get(key);
    if (!filters) {
      filters = filtersOf({ ...names, aliases });
      byAliases.set(key, filters);
    }
    return filters;
  };
  // Per project, asked only of one with a file that imports another project: the world holds its files and tsconfigs.
  const compiled = new Map<string, ReadonlySet<string> | undefined>();
  const shape: Shape = {
    world,
    resolver: resolver(),
    filtersFor(projectRoot) {
      let filters = byRoot.get(projectRoot);
      if (!filters) byRoot.set(projectRoot, (filters = filtersFor(projectRoot)));
      return filters;
    },
    compiles(project, file) {
      if (!compiled.has(project.name)) {
        const files = (input.files[project.name] ?? []).map((f) => f.file);
        compiled.set(
          project.name,
          compiledSources(input.workspaceRoot, project.root, files, (config) => shape.resolver.selection(config)),
        );
      }
      return compiled.get(project.name)?.has(file) ?? true;
    },
  };
  workerState.lastShape = { key, shape };
  return shape;
}

function filtersOf(names: ReachableNames): Filters {
  const prefixes = [
    ...new Set([
      ...names.packageNames,
      // `@sdk/*` → `@sdk/`; `@acme/ui-*` keeps its `*`: its names go on inside the segment.
      ...names.aliases
        .map((a) =>
          !a.includes('*')
            ? a
            : a[a.indexOf('*') - 1] === '/'
              ? a.slice(0, a.indexOf('*'))
              : a.slice(0, a.indexOf('*') + 1),
        )
        .filter((p) => p && p !== '*'),
      ...names.topFolders.map((folder) => `${folder}/`),
    ]),
  ].sort();
  return {
    filter: prefixFilter(prefixes),
    signature: createHash('sha256').update(prefixes.join('\n')).digest('hex').slice(0, 16),
    bare: bareSpecifierFilter(names),
  };
}

/**
 * Everything resolution and the pre-filter depend on besides a file's own text: the projects and
 * their SDK ownership, the option, every tsconfig and package.json, and which source files exist (a
 * new file can make an import resolve).
 */
function worldSignature(input: ScanInput, keyedRoots: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(input.sdksOption ?? {}));
  // Of the tags, only SDK ownership resolves anything: Nx's graph adds others (npm:private, keywords)
  // that createNodes does not see, and the CLI's scan must find the same world as createNodes' to share the cache.
  for (const p of [...input.projects].sort((a, b) => a.name.localeCompare(b.name)))
    hash.update(JSON.stringify([p.name, p.root, p.packageName, p.isService, p.tags.filter(isSdkTag)]));
  // The files of a project whose modules `sdks` keys name: its entry's re-exports decide whose a name is.
  const contentCounts = (file: string) =>
    CONFIG_FILE.test(file) || (keyedRoots.length > 0 && keyedRoots.some((root) => file.startsWith(root)));
  // Sorted: the daemon's file map lists a changed file in another place than a fresh one does.
  const entries: string[] = [];
  for (const files of [...Object.values(input.files), input.otherFiles ?? []]) {
    for (const { file, hash: fileHash } of files) entries.push(contentCounts(file) ? `${file}\0${fileHash}` : file);
  }
  return hash.update(entries.sort().join('\n')).digest('hex').slice(0, 16);
}

const CONFIG_FILE = /(^|\/)(tsconfig[^/]*\.json|package\.json)$/;

const isSdkTag = (tag: string) => tag.startsWith(SDK_TAG_PREFIX);

/**
 * What can name another workspace project: every project's package name (a library's too: code
 * edges make the closures), every tsconfig's path aliases (the root's, a project's own, and what
 * they extend), and the top folders of project roots (for `baseUrl` imports such as
 * `services/orders/sdk/src`).
 */
function candidateNames(input: Scan): ReachableNames & { internal: Map<string, Set<string>> } {
  const packageNames = input.projects.flatMap((p) => (p.packageName ? [p.packageName] : []));
  const tsconfigs = [...Object.values(input.files).flat(), ...(input.otherFiles ?? [])]
    .map((f) => f.file)
    .filter((file) => /(^|\/)tsconfig[^/]*\.json$/.test(file));
  const roots = new Map(input.projects.map((p) => [p.root, p.root]));
  const nested = nestedProjectRoots(input.projects);
  const everywhere = new Set<string>();
  const internal = new Map<string, Set<string>>();
  // Only a file of a project can be reached: an alias into folders no project holds (notesnook's
  // `@notesnook/theme` → packages/theme, a package Nx has no project for) names none. A target through
  // node_modules may be a link into one; an unreadable target may be anything.
  // By lookups, not a scan of every root per alias: 1,000 aliases over 2,000 roots cost 0.5 s that way.
  const rootSet = new Set(input.projects.map((p) => p.root));
  const sortedRoots = [...rootSet].sort();
  const mayReachProject = (target: string) => {
    // A target is cut at its `*`: `libs/ui-` names every root it starts.
    const path = posix.normalize(target).replace(/\/+$/, '');
    if (['', '.', '..'].includes(path) || path.startsWith('../') || path.split('/').includes('node_modules'))
      return true;
    // A project holding it (the root project holds everything), or one below it or its cut name.
    for (let dir = path; ; dir = posix.dirname(dir)) {
      if (rootSet.has(dir)) return true;
      if (dir === '.' || !dir.includes('/')) break;
    }
    return rootSet.has('.') || withPrefix(sortedRoots, path, (root) => root).length > 0;
  };
  for (const config of tsconfigs) {
    const owner = deepestAt(roots, config);
    // Its own folder, when the aliases' targets stay in it: a project holding another has none.
    const own = owner !== undefined && owner !== '.' && !nested.has(owner) ? owner : undefined;
    for (const { alias, targets } of pathAliases(input.fs, input.workspaceRoot, config)) {
      if (targets.length && !targets.some(mayReachProject)) continue;
      if (own !== undefined && targets.length && targets.every((target) => contains(own, target))) {
        const set = internal.get(own) ?? new Set<string>();
        internal.set(own, set.add(alias));
      } else everywhere.add(alias);
    }
  }
  // A package.json's subpath imports (`"#orders": "@acme/orders-sdk"`) name other projects as aliases do.
  const namesPackage = bareSpecifierFilter({ packageNames, aliases: [], topFolders: [] });
  const reachesOut = (root: string, target: string) =>
    isRelativeSpecifier(target)
      ? !contains(root, posix.join(root, target)) && mayReachProject(posix.join(root, target))
      : namesPackage(target);
  for (const project of input.projects)
    for (const { key, targets } of subpathImports(input.fs, input.workspaceRoot, project))
      if (targets.some((target) => reachesOut(project.root, target))) everywhere.add(key);
  for (const set of internal.values()) for (const alias of everywhere) set.delete(alias);
  const aliases = [...new Set([...everywhere, ...[...internal.values()].flatMap((set) => [...set])])];
  const topFolders = input.projects.flatMap((p) => (p.root === '.' ? [] : [p.root.split('/')[0]!]));
  return { packageNames, aliases, topFolders: [...new Set(topFolders)], internal };
}

/** A project's package.json `imports` keys, each with every target its conditions name (up to a `*`). */
function subpathImports(
  fs: SyncFiles,
  workspaceRoot: string,
  project: ProjectInfo,
): Array<{ key: string; targets: string[] }> {
  if (project.packageName === undefined) return [];
  let manifest: { imports?: unknown } | undefined;
  try {
    const text = fs.read(join(workspaceRoot, project.root, 'package.json')).toString('utf8');
    // Most manifests map none: no parse for those.
    if (!text.includes('"#')) return [];
    manifest = JSON.parse(text) as { imports?: unknown };
  } catch {
    return [];
  }
  const imports = manifest?.imports;
  if (!imports || typeof imports !== 'object') return [];
  const leaves = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value.split('*')[0]!]
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(leaves)
        : [];
  return Object.entries(imports).map(([key, value]) => ({ key, targets: leaves(value) }));
}

/** A tsconfig's `paths` keys, each with where its targets point (workspace paths, up to a `*`). */
function pathAliases(
  fs: SyncFiles,
  workspaceRoot: string,
  tsconfig: string,
): Array<{ alias: string; targets: string[] }> {
  try {
    const errors: ParseError[] = [];
    const config = parseJsonc(fs.read(join(workspaceRoot, tsconfig)).toString('utf8'), errors, {
      allowTrailingComma: true,
    }) as { compilerOptions?: { paths?: Record<string, unknown>; baseUrl?: unknown } } | undefined;
    if (errors.length) return [];
    const options = config?.compilerOptions;
    // Targets are relative to baseUrl, else (TypeScript 4.1+) to the tsconfig's own folder.
    const base = posix.join(posix.dirname(tsconfig), typeof options?.baseUrl === 'string' ? options.baseUrl : '.');
    return Object.entries(options?.paths ?? {})
      .filter(([alias]) => alias)
      .map(([alias, targets]) => ({
        alias,
        targets: (Array.isArray(targets) ? targets : []).map((target) =>
          typeof target === 'string' ? posix.normalize(posix.join(base, target.split('*')[0]!)) : '..',
        ),
      }));
  } catch {
    // A tsconfig that does not parse is reported by the resolver, which reads it too.
    return [];
  }
}

/** A file's text read again (its imports came from the cache); empty when it cannot be: nothing is erased then. */
function readText(input: Pick<Scan, 'workspaceRoot' | 'fs'>, file: string): string {
  try {
    return input.fs.read(join(input.workspaceRoot, file)).toString('utf8');
  } catch {
    return '';
  }
}

/** A source file of a project, with its imports (extracted now, or from the cache) and their cache key. */
interface FileEntry {
  project: ProjectInfo;
  file: string;
  entryKey: string;
  imports: ImportRef[];
  /** Could not be read or extracted (reported): no edge, not cached. */
  skip?: boolean;
}

/**
 * A file read for its imports: its text when the pre-filter lets it through ('text'); 'rejected'
 * when the filter (valid only for the names it was tested against) says it imports no other project
 * (cached); 'unscanned' when it may, but is not text or too large to scan (cached, named by every
 * scan); 'skipped' after a read error (reported, not cached: the next graph tries again).
 */
type ReadForImports =
  { kind: 'text'; text: string } | { kind: 'rejected' } | { kind: 'unscanned'; why: Unscanned } | { kind: 'skipped' };

function readForImports(
  input: Pick<Scan, 'workspaceRoot' | 'fs' | 'warn'>,
  file: string,
  projectRoot: string,
  filter: PrefixFilter | undefined,
  nested: readonly string[],
): ReadForImports {
  let bytes: Buffer;
  try {
    // One read: the size and the NUL test come from the same bytes the scan uses.
    bytes = input.fs.read(join(input.workspaceRoot, file));
  } catch (error) {
    input.warn(
      file,
      `nx-fleet: ${file} could not be scanned for SDK imports (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
    return { kind: 'skipped' };
  }
  const reaches = (specifier: string) => relativeReachesOut(file, specifier, projectRoot, nested);
  // Reported by the caller, all such files in one warning, and only those that may name another
  // project: a migration naming none (ever-gauzy's four TypeORM ones) is no SDK consumer to miss.
  if (bytes.length > MAX_SOURCE_BYTES)
    return mayReferenceOtherProjects(bytes.toString('utf8'), filter, reaches)
      ? { kind: 'unscanned', why: { megabytes: bytes.length / 1024 / 1024 } }
      : { kind: 'rejected' };
  if (looksBinary(bytes.subarray(0, 8000))) return { kind: 'unscanned', why: 'not text' };
  const text = bytes.toString('utf8');
  return mayReferenceOtherProjects(text, filter, reaches) ? { kind: 'text', text } : { kind: 'rejected' };
}

/**
 * Git's test (a NUL in the first 8,000 bytes) refined: a source may hold a NUL in a string (dokploy's
 * vault keys are `${provider}\0${ref}`), so binary means NULs that are many, or bytes that are no
 * UTF-8 text (an MPEG transport stream named `.ts`).
 */
function looksBinary(head: Buffer): boolean {
  if (!head.includes(0)) return false;
  const nuls = head.filter((byte) => byte === 0).length;
  if (nuls > 16 && nuls > head.length / 100) return true;
  try {
    // `stream`: a character cut at the end of the head is no error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** Whether a relative specifier leaves the importing file's project, or enters a project nested in it. */
function relativeReachesOut(file: string, specifier: string, projectRoot: string, nested: readonly string[]): boolean {
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  return !contains(projectRoot, target) || nested.some((root) => contains(root, target));
}
