import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ImportRef } from './sdk-imports';

/** An import already resolved to its provider service. */
export interface ResolvedImport {
  provider: string;
  sdk?: string;
  line: number;
  specifier: string;
}

interface Entry {
  hash: string;
  imports: ImportRef[];
  /** What `imports` resolved to, valid while the workspace's shape (`world`) is unchanged. */
  world?: string;
  resolved?: ResolvedImport[];
}

const FORMAT = 2;

/**
 * The last cache this process loaded or saved, with the file's stamp at that moment. A plugin worker
 * that outlives one graph computation (the daemon keeps it) reuses it instead of parsing the file
 * again, unless another process has written the file since.
 */
const inMemory = new Map<string, { stamp: string | undefined; cache: ImportCache }>();

function stampOf(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return undefined;
  }
}

/**
 * What each file imports, keyed by Nx's hash of the file: an unchanged file is never read or
 * parsed again. Lives in Nx's workspace-data directory, so `nx reset` clears it.
 */
export class ImportCache {
  private dirty = false;
  private pendingSave = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  static load(workspaceDataDirectory: string): ImportCache {
    const file = join(workspaceDataDirectory, 'nx-fleet', `imports.v${FORMAT}.json`);
    const stamp = stampOf(file);
    const kept = inMemory.get(file);
    if (kept && kept.stamp === stamp) return kept.cache;
    let entries = new Map<string, Entry>();
    try {
      entries = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>));
    } catch {
      // missing or unreadable: start empty
    }
    const cache = new ImportCache(file, entries);
    inMemory.set(file, { stamp, cache });
    return cache;
  }

  get(path: string, hash: string): ImportRef[] | undefined {
    const entry = this.entries.get(path);
    return entry?.hash === hash ? entry.imports : undefined;
  }

  set(path: string, hash: string, imports: ImportRef[]): void {
    this.entries.set(path, { hash, imports });
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
  retainOnly(paths: ReadonlySet<string>): void {
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
      process.off('exit', flush);
      this.pendingSave = false;
      try {
        this.save();
      } catch {
        // Unsaved, the next graph parses these files again; nothing is wrong with this one.
      }
    };
    process.once('exit', flush);
    setImmediate(flush);
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    // Written aside then renamed: a concurrent reader never sees half a file.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(temp, this.file);
    this.dirty = false;
    inMemory.set(this.file, { stamp: stampOf(this.file), cache: this });
  }
}
