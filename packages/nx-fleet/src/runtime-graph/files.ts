import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The runtime graph's file effects, on absolute paths. Synchronous on purpose: Nx waits for the
 * scan inside its graph hooks, and a warm edit reads a handful of files, where a promise per file
 * would cost more than the read. (TypeScript's module resolution reads through its own `ts.sys`.)
 */
export interface SyncFiles {
  /** Throws as `fs` does: callers report the error's code. */
  read(path: string): Buffer;
  exists(path: string): boolean;
  /** Changes whenever the file is rewritten; undefined when there is no file. */
  stamp(path: string): string | undefined;
  /** Creates the folder, and replaces the file atomically: a concurrent reader never sees half of it. */
  replace(path: string, text: string): void;
}

export const nodeSyncFiles: SyncFiles = {
  read: (path) => readFileSync(path),
  exists: existsSync,
  stamp(path) {
    try {
      const stat = statSync(path);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return undefined;
    }
  },
  replace(path, text) {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, path);
  },
};

/** A file's text, or undefined when it cannot be read (missing, a folder, no permission). */
export function readTextOrUndefined(files: SyncFiles, path: string): string | undefined {
  try {
    return files.read(path).toString('utf8');
  } catch {
    return undefined;
  }
}
