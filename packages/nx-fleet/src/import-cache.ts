import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * What each file imports, keyed by Nx's hash of the file: an unchanged file is never read or
 * parsed again. Lives in Nx's workspace-data directory, so `nx reset` clears it.
 */
export class ImportCache {
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  static load(workspaceDataDirectory: string): ImportCache {
    const file = join(workspaceDataDirectory, 'nx-fleet', `imports.v${FORMAT}.json`);
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>;
      return new ImportCache(file, new Map(Object.entries(data)));
    } catch {
      return new ImportCache(file, new Map());
    }
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

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    // Written aside then renamed: a concurrent reader never sees half a file.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(temp, this.file);
    this.dirty = false;
  }
}
