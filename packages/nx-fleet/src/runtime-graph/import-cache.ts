import { join } from 'node:path';
import { nodeSyncFiles, type SyncFiles } from './files';
import type { ImportRef } from './sdk-imports';
import { saveBeforeExit, workerState } from './worker-state';

/** An import already resolved to the other workspace project it reaches, and the services it calls there. */
export interface ResolvedImport {
  /** The project the specifier resolves into (never the importing project). */
  target: string;
  /** The services the import calls: the target's owners (several for a multi-owner SDK), or none (a plain library). */
  providers: string[];
  line: number;
  specifier: string;
  /** Erased by the compiler: evidence only, no runtime or code edge. */
  typeOnly?: true;
  /**
   * A call of the providers that loads none of the target's code, so no code edge: the server's type of
   * an RPC client the file makes (`typed-client`; ctrlplane's web takes only its router's type from
   * `@ctrlplane/trpc`, whose routes call the workspace engine: web does not), or a `require.resolve`d
   * path an `sdks` key names (a gRPC client's `.proto`).
   */
  clientType?: true;
}

/**
 * Why a file that may import another project was not scanned: not text, or over the size limit (its
 * size in MB). Kept with the entry so that every scan names it, not only the one that read it.
 */
export type Unscanned = 'not text' | { megabytes: number };

interface Entry {
  hash: string;
  imports: ImportRef[];
  unscanned?: Unscanned;
  /** What `imports` resolved to, valid while the workspace's shape (`world`) is unchanged. */
  world?: string;
  resolved?: ResolvedImport[];
}

// 4: extracted by the scanner (the same references) and resolved through the whole-specifier filter.
// 5: why a file was not scanned is kept.
// 6: a type-only import typing an RPC client the file makes is a call (`typed-client`).
// 7: such an import loads none of the target's code (`clientType`).
// 8: `require.resolve('x')` is a reference (`resolve`).
// 9: openapi-fetch's and NestJS gRPC's typed clients are calls; only the type a client takes is one.
const FORMAT = 9;

/**
 * What each file imports, keyed by Nx's hash of the file: an unchanged file is never read or
 * parsed again. Lives in Nx's workspace-data directory (`.nx/workspace-data/nx-fleet/imports.v9.json`
 * unless `NX_WORKSPACE_DATA_DIRECTORY` moves it), so `nx reset` clears it. It holds no absolute path
 * and nothing of the machine: a CI cache step that keeps `.nx/workspace-data/nx-fleet` between runs
 * makes a run with no source change read and parse no file. A plugin worker
 * that outlives one graph computation (the daemon keeps it) reuses the cache it loaded or saved
 * last instead of parsing the file again, unless another process has written the file since.
 */
export class ImportCache {
  private dirty = false;
  private pendingSave = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
    private readonly files: SyncFiles,
  ) {}

  /** `workspaceDataDirectory` is Nx's, handed over by its caller: the runtime graph never asks Nx for it. */
  /** Where the cache of a workspace-data directory lives. */
  static path(workspaceDataDirectory: string): string {
    return join(workspaceDataDirectory, 'nx-fleet', `imports.v${FORMAT}.json`);
  }

  static load(workspaceDataDirectory: string, files: SyncFiles = nodeSyncFiles): ImportCache {
    const file = ImportCache.path(workspaceDataDirectory);
    const stamp = files.stamp(file);
    const kept = workerState.importCaches.get(file);
    if (kept && kept.stamp === stamp) return kept.cache;
    let entries = new Map<string, Entry>();
    try {
      entries = new Map(Object.entries(JSON.parse(files.read(file).toString('utf8')) as Record<string, Entry>));
    } catch {
      // missing or unreadable: start empty
    }
    const cache = new ImportCache(file, entries, files);
    workerState.importCaches.set(file, { stamp, cache });
    return cache;
  }

  /** A file's entry, whatever its key: for callers that accept more than one key. */
  lookup(path: string): Readonly<{ hash: string; imports: ImportRef[]; unscanned?: Unscanned }> | undefined {
    return this.entries.get(path);
  }

  get(path: string, hash: string): ImportRef[] | undefined {
    const entry = this.entries.get(path);
    return entry?.hash === hash ? entry.imports : undefined;
  }

  set(path: string, hash: string, imports: ImportRef[], unscanned?: Unscanned): void {
    this.entries.set(path, unscanned ? { hash, imports, unscanned } : { hash, imports });
    this.dirty = true;
  }

  resolved(path: string, hash: string, world: string): ResolvedImport[] | undefined {
    const entry = this.entries.get(path);
    return entry?.hash === hash && entry.world === world ? entry.resolved : undefined;
  }

  setResolved(path: string, hash: string, world: string, resolved: ResolvedImport[]): void {
    const entry = this.entries.get(path);
    if (entry?.hash !== hash) return;
    entry.world = world;
    entry.resolved = resolved;
    this.dirty = true;
  }

  /** Drops files that no longer exist, so the cache does not grow forever. */
  retainOnly(paths: { has(path: string): boolean }): void {
    for (const path of this.entries.keys()) {
      if (!paths.has(path)) {
        this.entries.delete(path);
        this.dirty = true;
      }
    }
  }

  /**
   * Saves right after the graph has its answer instead of before: the caller is not kept waiting for
   * the write. A worker that exits first still saves on the way out.
   */
  saveSoon(): void {
    if (!this.dirty || this.pendingSave) return;
    this.pendingSave = true;
    const flush = () => {
      if (!workerState.pendingSaves.delete(flush)) return;
      this.pendingSave = false;
      try {
        this.save();
      } catch {
        // Unsaved, the next graph parses these files again; nothing is wrong with this one.
      }
    };
    saveBeforeExit(flush);
    setImmediate(flush);
  }

  save(): void {
    if (!this.dirty) return;
    this.files.replace(this.file, JSON.stringify(Object.fromEntries(this.entries)));
    this.dirty = false;
    workerState.importCaches.set(this.file, { stamp: this.files.stamp(this.file), cache: this });
  }
}
