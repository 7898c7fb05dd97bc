import { dirname, join, posix, relative, sep } from 'node:path';
import { exports as resolvePackageExports, imports as resolvePackageImports } from 'resolve.exports';
import type { ts as TS } from 'ts-morph';
import { isComponentFile } from './component-scripts';
import { typescript } from './typescript';
import { nodeSyncFiles, type SyncFiles } from './files';
import { SOURCE_EXTENSIONS, type EmitOptions } from './sdk-imports';
import { deepestAt, withoutSourceExtension, type ProjectInfo } from './sdk-ownership';
import { isRelativeSpecifier } from './specifier-filter';
import { listed } from '../text/listed';

export type Resolution = { file: string } | { project: string };

/** What a tsconfig selects to compile (`ImportResolver.selection`). */
export interface ConfigSelection {
  /** The `include` wildcards (with `exclude`), as TypeScript asks its host to match them: absolute. */
  wildcards: Array<{
    basePath: string;
    includes: readonly string[];
    excludes: readonly string[] | undefined;
    depth: number | undefined;
  }>;
  /** The configs its `references` name, workspace-relative. */
  references: string[];
}

interface ParsedConfig {
  options: TS.CompilerOptions;
  /** What is reported of a config that could not be read, or read in full. */
  problem?: { error: TS.Diagnostic; partly: boolean };
  selection?: ConfigSelection;
}

/** Errors about one option's value (unknown option, a value this TypeScript rejects): nothing of what is compiled. */
const OPTION_VALUE_ERRORS = new Set([5023, 5025, 6046]);

/**
 * Resolves import specifiers the way TypeScript does for the importing project (its tsconfig's
 * `paths`/`baseUrl`, relative paths, node_modules links into the workspace), then falls back to
 * workspace package names with their package.json `exports` subpaths. TypeScript reads what it
 * resolves through its own `ts.sys`; nx-fleet's own reads go through `files`.
 */
export class ImportResolver {
  private readonly optionsByConfig = new Map<string, TS.CompilerOptions>();
  private readonly parsedConfigs = new Map<string, ParsedConfig>();
  /** The bases tsconfigs extend, read once for all of them (TypeScript's own cache). */
  private extendedConfigs: Map<string, TS.ExtendedConfigCacheEntry> | undefined;
  private readonly configByDir = new Map<string, string | undefined>();
  private cache: TS.ModuleResolutionCache | undefined;
  private host: TS.ModuleResolutionHost | undefined;
  private readonly byProject = new Map<string, Resolution | undefined>();
  /** Each `sdks` key's place, asked by ownership, the key check and its warning alike. */
  private readonly places = new Map<string, { path: string; exists: boolean } | undefined>();
  /** How many specifiers TypeScript resolved (the rest were answered per project). */
  typeScriptResolutions = 0;
  private readonly nodeModulesByDir = new Map<string, boolean>();
  private readonly byPackage: Array<[string, ProjectInfo]>;
  private readonly byRoot: Map<string, ProjectInfo>;
  /** tsconfig files that could not be read since the last report, by the reason. */
  /** The tsconfigs TypeScript could not read or took only in part, by reason, and whether any options were kept. */
  private readonly unreadable = new Map<string, { reason: string; configs: string[]; partly: boolean }>();

  constructor(
    private readonly workspaceRoot: string,
    projects: readonly ProjectInfo[],
    private readonly warn: (file: string, message: string) => void,
    private readonly files: SyncFiles = nodeSyncFiles,
  ) {
    // Longest first, so `@acme/orders-sdk` wins over `@acme/orders`.
    this.byPackage = projects
      .flatMap((p) => (p.packageName ? [[p.packageName, p] as [string, ProjectInfo]] : []))
      .sort((a, b) => b[0].length - a[0].length);
    this.byRoot = new Map(projects.map((p) => [p.root, p]));
  }

  /** `file` and the returned file are workspace-relative; undefined means an npm package or nothing. */
  resolve(specifier: string, file: string, projectRoot: string): Resolution | undefined {
    // A package name or alias resolves alike from every folder of a project (its tsconfig, the same
    // node_modules above it), unless a folder inside it has node_modules of its own: asked once per project.
    const shared = !isRelativeSpecifier(specifier) && !this.nodeModulesBelow(posix.dirname(file), projectRoot);
    const key = `${projectRoot}\0${specifier}`;
    if (shared && this.byProject.has(key)) return this.byProject.get(key);
    const viaTs = this.resolveWithTypeScript(specifier, file, projectRoot) ?? this.componentFile(specifier, file);
    const mapped = viaTs || !specifier.startsWith('#') ? undefined : this.subpathImport(specifier, file, projectRoot);
    const resolution = viaTs
      ? { file: viaTs }
      : mapped !== undefined
        ? this.resolve(mapped, file, projectRoot)
        : (this.resolveWorkspacePackage(specifier) ?? this.aliasedProject(specifier, projectRoot));
    if (shared) this.byProject.set(key, resolution);
    return resolution;
  }

  /**
   * A `#` specifier as the project's package.json `imports` maps it (`"#orders": "@acme/orders-sdk"`),
   * where TypeScript's resolution did not (its `moduleResolution` reads no `imports`, or the package is
   * not installed): a package name, or a path relative to the importing file.
   */
  private subpathImport(specifier: string, file: string, projectRoot: string): string | undefined {
    const project = this.byRoot.get(projectRoot);
    const manifest = project && this.manifestOf(project);
    let target: string | undefined;
    try {
      target = manifest
        ? resolvePackageImports(manifest, specifier, { conditions: ['types', 'node'] })?.[0]
        : undefined;
    } catch {
      return undefined; // not mapped
    }
    if (target === undefined || target.startsWith('#')) return undefined;
    if (!isRelativeSpecifier(target)) return target;
    const path = posix.relative(posix.dirname(file), posix.join(projectRoot, target));
    return path.startsWith('.') ? path : `./${path}`;
  }

  /**
   * The project whose folder the importing project's tsconfig `paths` maps a specifier into, where
   * TypeScript found no file there: a file a build generates and git ignores (supplyside's web app
   * aliases `@supplyside/api` to `../api/client.ts`, which `npm run gen:client` writes). The alias
   * names that project on a fresh checkout as after the generator ran. Not the importing project
   * itself, nor the workspace root's.
   */
  private aliasedProject(specifier: string, projectRoot: string): Resolution | undefined {
    const options = this.compilerOptionsFor(projectRoot);
    const base = options.baseUrl ?? (options as { pathsBasePath?: unknown }).pathsBasePath;
    if (!options.paths || typeof base !== 'string') return undefined;
    const owners = new Set(
      aliasTargets(options.paths, specifier).map((target) => {
        const path = relative(this.workspaceRoot, join(base, target)).split(sep).join(posix.sep);
        return path.startsWith('..') || path.split('/').includes('node_modules')
          ? undefined
          : deepestAt(this.byRoot, path);
      }),
    );
    const [owner] = owners;
    return owners.size === 1 && owner && owner.root !== '.' && owner.root !== projectRoot
      ? { project: owner.name }
      : undefined;
  }

  /** Whether a folder between `dir` and the project root (the root excluded) holds node_modules. */
  private nodeModulesBelow(dir: string, projectRoot: string): boolean {
    if (
      dir === projectRoot ||
      dir === '.' ||
      dir === '' ||
      !dir.startsWith(projectRoot === '.' ? '' : `${projectRoot}/`)
    )
      return false;
    let below = this.nodeModulesByDir.get(dir);
    if (below === undefined) {
      below =
        this.files.exists(join(this.workspaceRoot, dir, 'node_modules')) ||
        this.nodeModulesBelow(posix.dirname(dir), projectRoot);
      this.nodeModulesByDir.set(dir, below);
    }
    return below;
  }

  private resolveWithTypeScript(specifier: string, file: string, projectRoot: string): string | undefined {
    const ts = typescript();
    const options = this.compilerOptionsFor(projectRoot);
    this.cache ??= ts.createModuleResolutionCache(this.workspaceRoot, (name) => name);
    this.host ??= rememberingHost(ts.sys);
    let resolved: string | undefined;
    this.typeScriptResolutions++;
    try {
      resolved = ts.resolveModuleName(specifier, join(this.workspaceRoot, file), options, this.host, this.cache)
        .resolvedModule?.resolvedFileName;
    } catch {
      return undefined;
    }
    if (!resolved) return undefined;
    const rel = relative(this.workspaceRoot, resolved).split(sep).join(posix.sep);
    if (rel.startsWith('..') || rel.split('/').includes('node_modules')) return undefined;
    return rel;
  }

  /** `../ui/Button.vue`: TypeScript resolves no component file, a bundler takes the path as written. */
  private componentFile(specifier: string, file: string): string | undefined {
    if (!isRelativeSpecifier(specifier) || !isComponentFile(specifier)) return undefined;
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    return !target.startsWith('..') && this.files.exists(join(this.workspaceRoot, target)) ? target : undefined;
  }

  /**
   * The workspace path an `sdks` key names, as an import written so reaches it: through the root
   * tsconfig's `paths` (riat's `@app/common/types/proto/users`, `@app/common/*` → `libs/common/src/*`,
   * a library with no package.json; TypeScript takes `paths` before packages), else a workspace
   * package's `exports` target or folder. A file without its extension (an `index` file: its folder),
   * or a folder; where nothing is there, the first place it would be (`exists: false`); undefined when
   * neither an alias nor a package names it.
   */
  keyPlace(key: string): { path: string; exists: boolean } | undefined {
    if (!this.places.has(key)) this.places.set(key, this.placeOf(key));
    return this.places.get(key);
  }

  private placeOf(key: string): { path: string; exists: boolean } | undefined {
    const options = this.compilerOptionsFor('.');
    const base = options.baseUrl ?? (options as { pathsBasePath?: unknown }).pathsBasePath;
    const [paths, from] = options.paths && typeof base === 'string' ? [options.paths, base] : [{}, this.workspaceRoot];
    const matched = aliasTargets(paths, key);
    // An alias with no `/*` form names the paths below its folder too, as a key reads it (bitsacco's
    // `"@bitsacco/common": ["libs/common/src"]`, keyed `@bitsacco/common/types/proto/auth`; its apps import the entry).
    const below = matched.length
      ? []
      : Object.entries(paths).flatMap(([alias, targets]) =>
          alias.includes('*') || !key.startsWith(`${alias}/`)
            ? []
            : targets.map((target) => {
                const folder = /\.[cm]?[jt]sx?$/.test(target) ? posix.dirname(target) : target;
                return `${folder}${key.slice(alias.length)}`;
              }),
        );
    const aliased = [...matched, ...below].map((target) =>
      relative(this.workspaceRoot, join(from, target)).split(sep).join(posix.sep),
    );
    const match = this.packageOf(key);
    const candidates = [...aliased, ...(match ? [this.packagedPath(match, key)] : [])].flatMap((path) =>
      path === undefined || path.startsWith('..') ? [] : [path],
    );
    for (const path of candidates) {
      const found = this.existingPath(path);
      if (found !== undefined) return { path: found, exists: true };
    }
    return candidates.length ? { path: posix.normalize(candidates[0]!), exists: false } : undefined;
  }

  /** A package subpath's path in the workspace: the `exports` target when there is a map, else the path below the package's folder. */
  private packagedPath([name, project]: [string, ProjectInfo], key: string): string | undefined {
    const subpath = `.${key.slice(name.length)}`;
    const manifest = this.manifestOf(project);
    if (manifest?.['exports'] === undefined) return posix.join(project.root, subpath);
    try {
      const target = resolvePackageExports(manifest, subpath, { conditions: ['types', 'node'] })?.[0];
      return target === undefined ? undefined : posix.join(project.root, target);
    } catch {
      return undefined;
    }
  }

  /** The path as a key's place: a file with or without a source extension (an `index` file: its folder), or a folder. */
  private existingPath(path: string): string | undefined {
    const normalized = posix.normalize(path).replace(/\/+$/, '');
    const bare = withoutSourceExtension(normalized);
    const file = [normalized, ...SOURCE_EXTENSIONS.map((extension) => `${bare}${extension}`)].find((candidate) =>
      this.files.exists(join(this.workspaceRoot, candidate)),
    );
    if (file === undefined) return undefined;
    if (file === normalized && bare === normalized) return normalized;
    return posix.basename(bare) === 'index' ? posix.dirname(bare) : bare;
  }

  /**
   * Whether a workspace package offers a subpath: the root tsconfig's `paths` map it to a file or
   * folder, or its package.json's `exports` map offers it, or, with no map, a file or folder of the
   * package is there (with a source extension or without: nebulaNV's `@nebula/protos/product.proto`).
   * `unexported` and `absent`: no import can name it.
   */
  subpathOffer(specifier: string): 'offered' | 'unexported' | 'absent' {
    const match = this.packageOf(specifier);
    // A path there (`users_pb.js` names `users_pb.ts` too, as TypeScript maps it), or one a `paths` alias maps it to.
    const place = this.keyPlace(specifier);
    if (place?.exists) return 'offered';
    if (!match) return place ? 'absent' : 'offered';
    const manifest = this.manifestOf(match[1]);
    const exports = manifest?.['exports'];
    const subpath = `.${specifier.slice(match[0].length)}`;
    if (exports === undefined) return 'absent';
    // A key names the paths below it too (`@acme/core/v3` for `./v3/*`).
    if (
      typeof exports === 'object' &&
      exports !== null &&
      Object.keys(exports).some((key) => key.startsWith(`${subpath}/`))
    )
      return 'offered';
    try {
      return resolvePackageExports(manifest!, subpath, { conditions: ['types', 'node'] })?.length
        ? 'offered'
        : 'unexported';
    } catch {
      return 'unexported';
    }
  }

  private resolveWorkspacePackage(specifier: string): Resolution | undefined {
    const match = this.packageOf(specifier);
    if (!match) return undefined;
    const [name, project] = match;
    const manifest = this.manifestOf(project);
    try {
      const target =
        manifest &&
        resolvePackageExports(manifest, specifier === name ? '.' : `.${specifier.slice(name.length)}`, {
          conditions: ['types', 'node'],
        })?.[0];
      if (target) return { file: posix.normalize(posix.join(project.root, target)) };
    } catch {
      // no exports map, or the subpath is not exported: the package itself still names its project
    }
    return { project: project.name };
  }

  /** The workspace package a specifier names, by the longest package name it is or starts with. */
  private packageOf(specifier: string): [string, ProjectInfo] | undefined {
    return this.byPackage.find(([name]) => specifier === name || specifier.startsWith(`${name}/`));
  }

  /** A project's package.json, parsed; undefined when unreadable. */
  manifestOf(project: ProjectInfo): Record<string, unknown> | undefined {
    try {
      return JSON.parse(
        this.files.read(join(this.workspaceRoot, project.root, 'package.json')).toString('utf8'),
      ) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  /** What of the project's compiler options decides which imports its emit keeps (`erasedImports`). */
  emitOptionsFor(projectRoot: string): EmitOptions {
    const { verbatimModuleSyntax, preserveValueImports, experimentalDecorators, emitDecoratorMetadata } =
      this.compilerOptionsFor(projectRoot);
    return { verbatimModuleSyntax, preserveValueImports, experimentalDecorators, emitDecoratorMetadata };
  }

  /** The nearest tsconfig.json (or the workspace's tsconfig.base.json) from the project up. */
  private compilerOptionsFor(projectRoot: string): TS.CompilerOptions {
    const config = this.configFor(projectRoot);
    if (!config) return {};
    let options = this.optionsByConfig.get(config);
    if (!options) {
      options = this.readCompilerOptions(config);
      this.optionsByConfig.set(config, options);
    }
    return options;
  }

  private configFor(dir: string): string | undefined {
    if (this.configByDir.has(dir)) return this.configByDir.get(dir);
    const here = ['tsconfig.json', 'tsconfig.base.json']
      .map((name) => posix.join(dir, name))
      .find((path) => this.files.exists(join(this.workspaceRoot, path)));
    const found = here ?? (dir === '.' || dir === '' ? undefined : this.configFor(posix.dirname(dir)));
    this.configByDir.set(dir, found);
    return found;
  }

  private readCompilerOptions(config: string): TS.CompilerOptions {
    const { options, problem } = this.parsedConfig(config);
    if (problem) this.unreadableConfig(config, problem.error, problem.partly);
    return options;
  }

  /**
   * What a tsconfig selects to compile, as TypeScript reads it (through what it extends): its `include`
   * wildcards and the configs it references, workspace-relative. Undefined when TypeScript's answer is
   * not the whole answer: the config or a base it extends cannot be read (its include may be there), a
   * `files` list (TypeScript compiles what those files import too), or any error but an option's.
   */
  selection(config: string): ConfigSelection | undefined {
    return this.parsedConfig(config).selection;
  }

  /** Each tsconfig parsed once, for its options and its selection alike. */
  private parsedConfig(config: string): ParsedConfig {
    let parsed = this.parsedConfigs.get(config);
    if (!parsed) {
      parsed = this.parseConfig(config);
      this.parsedConfigs.set(config, parsed);
    }
    return parsed;
  }

  private parseConfig(config: string): ParsedConfig {
    const ts = typescript();
    const path = join(this.workspaceRoot, config);
    const read = ts.readConfigFile(path, ts.sys.readFile);
    if (read.error) return { options: {}, problem: { error: read.error, partly: false } };
    // Never enumerate the files a tsconfig includes: the wildcards TypeScript would match are kept,
    // and matched against the files Nx lists only where a project's coverage is asked.
    const wildcards: ConfigSelection['wildcards'] = [];
    const host: TS.ParseConfigHost = {
      ...ts.sys,
      readDirectory: (basePath, _extensions, excludes, includes, depth) => {
        wildcards.push({ basePath, includes: includes ?? [], excludes, depth });
        return [];
      },
    };
    this.extendedConfigs ??= new Map();
    const parsed = ts.parseJsonConfigFileContent(
      read.config,
      host,
      dirname(path),
      undefined,
      path,
      undefined,
      undefined,
      this.extendedConfigs,
    );
    const errors = parsed.errors.filter(
      (d) =>
        d.category === ts.DiagnosticCategory.Error &&
        // No inputs (18003: nothing is enumerated here) and an empty `files` list (18002, a solution file's
        // `"files": []`) say which files to compile, nothing of the options.
        d.code !== 18003 &&
        d.code !== 18002,
    );
    // A base it extends that is not there, or an option value this TypeScript rejects (tamanu's
    // `"module": "es2025"`), leaves the options it could read: its paths still resolve, as in the editor.
    const problem = errors.length ? { error: errors[0]!, partly: true } : undefined;
    const decided = errors.every((d) => OPTION_VALUE_ERRORS.has(d.code)) && parsed.fileNames.length === 0;
    const relativePath = (file: string) => relative(this.workspaceRoot, file).split(sep).join(posix.sep);
    const selection = decided
      ? {
          wildcards,
          references: (parsed.projectReferences ?? []).map((ref) => relativePath(ts.resolveProjectReferencePath(ref))),
        }
      : undefined;
    return { options: parsed.options, ...(problem ? { problem } : {}), ...(selection ? { selection } : {}) };
  }

  private unreadableConfig(config: string, error: TS.Diagnostic, partly: boolean): void {
    const path = join(this.workspaceRoot, config);
    // A relative `extends` into each folder's own node_modules (Huly's 454 tsconfigs, before an
    // install) fails alike everywhere: its path relative to the tsconfig makes it one reason.
    const reason = typescript()
      .flattenDiagnosticMessageText(error.messageText, '\n')
      .split(`${dirname(path)}/`)
      .join('./');
    const key = `${partly}\0${reason}`;
    const entry = this.unreadable.get(key) ?? { reason, configs: [], partly };
    entry.configs.push(config);
    this.unreadable.set(key, entry);
  }

  /**
   * Warns about the tsconfig files that could not be read, one warning per reason: a shared base
   * config that is not there (before an install, `extends` through a workspace package) fails
   * every project's tsconfig alike.
   */
  reportUnreadable(): void {
    for (const { reason, configs, partly } of this.unreadable.values()) {
      const one = configs.length === 1;
      this.warn(
        configs.join('\n'),
        `nx-fleet: ${listed(configs)} could not be read${partly ? ' in full' : ''} (${reason}${reason.includes("'./") ? `; ./ is ${one ? 'its' : "each one's"} folder` : ''}); imports in the folders ${one ? 'it governs' : 'they govern'} resolve with ${partly ? `the rest of ${one ? 'its' : 'their'} options` : 'default options'}.`,
      );
    }
    this.unreadable.clear();
  }
}

/**
 * TypeScript's file system with its existence checks remembered for the resolver's life (one state
 * of the workspace's files: a new file or package.json makes a new resolver). Resolving a package
 * name from every folder asks the same ancestors' node_modules again: on a 4,600-file repository,
 * 190 ms of stat calls before, a few after.
 */
export function rememberingHost(sys: TS.System): TS.ModuleResolutionHost {
  const remembered = <T>(ask: (path: string) => T) => {
    const answers = new Map<string, T>();
    return (path: string): T => {
      if (answers.has(path)) return answers.get(path)!;
      const answer = ask(path);
      answers.set(path, answer);
      return answer;
    };
  };
  const realpath = sys.realpath?.bind(sys);
  return {
    fileExists: remembered((path) => sys.fileExists(path)),
    directoryExists: remembered((path) => sys.directoryExists(path)),
    ...(realpath ? { realpath: remembered(realpath) } : {}),
    readFile: (path) => sys.readFile(path),
    getCurrentDirectory: () => sys.getCurrentDirectory(),
    getDirectories: (path) => sys.getDirectories(path),
    useCaseSensitiveFileNames: sys.useCaseSensitiveFileNames,
  };
}

/**
 * The paths a tsconfig `paths` map gives a specifier, as TypeScript matches it: an exact key, else
 * the pattern with the longest prefix before its `*`, whose match replaces the `*` of each target.
 */
export function aliasTargets(paths: Readonly<Record<string, readonly string[]>>, specifier: string): string[] {
  if (paths[specifier]) return [...paths[specifier]];
  let best: { prefix: string; captured: string; targets: readonly string[] } | undefined;
  for (const [key, targets] of Object.entries(paths)) {
    const star = key.indexOf('*');
    if (star < 0 || key.indexOf('*', star + 1) >= 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    const fits =
      specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix);
    if (fits && (!best || prefix.length > best.prefix.length))
      best = { prefix, captured: specifier.slice(prefix.length, specifier.length - suffix.length), targets };
  }
  return best ? best.targets.map((target) => target.replace('*', best.captured)) : [];
}
