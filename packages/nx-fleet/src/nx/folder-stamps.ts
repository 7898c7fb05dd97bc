import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DirEntry } from '../release/change-rules';

/**
 * A folder's modification time changes whenever an entry is made, removed or renamed in it: the
 * daemon's worker asks it (one `stat`) instead of listing the folder or probing the files it left
 * out again, after every edit. A time less than `RACY_MS` before the look is no stamp: a change in
 * the same tick of the file system's clock would leave it as it was (git's racy-clean rule).
 */
const RACY_MS = 1000;

function modified(workspaceRoot: string, folder: string): number | undefined {
  const stat = statSync(join(workspaceRoot, folder), { throwIfNoEntry: false });
  return stat?.isDirectory() ? stat.mtimeMs : undefined;
}

/** The folder's time as a stamp; undefined when the folder is gone or its time too recent to tell a later change by. */
function stampOf(workspaceRoot: string, folder: string): number | undefined {
  const now = Date.now();
  const mtime = modified(workspaceRoot, folder);
  return mtime !== undefined && mtime < now - RACY_MS ? mtime : undefined;
}

/** Whether every stamped folder is as it was. */
function unchanged(workspaceRoot: string, stamps: ReadonlyMap<string, number>): boolean {
  for (const [folder, stamp] of stamps) if (modified(workspaceRoot, folder) !== stamp) return false;
  return true;
}

/** A path found missing, and the nearest folder above it that was there, by its stamp. */
export interface Absence {
  folder: string;
  stamp: number;
}

/** The nearest folder above `path` that is there, stamped, for a path just found missing; undefined when it cannot be trusted. */
export function absenceOf(workspaceRoot: string, path: string): Absence | undefined {
  let folder = dirname(path);
  // A file made since the path was found missing leaves its folder's time too recent to be a stamp.
  for (;;) {
    const stamp = stampOf(workspaceRoot, folder);
    if (stamp !== undefined) return { folder, stamp };
    if (modified(workspaceRoot, folder) !== undefined || folder === '.') return undefined;
    folder = dirname(folder);
  }
}

/** Whether nothing was made in the folder that stood for a missing path since it was stamped. */
export function stillAbsent(workspaceRoot: string, absence: Absence, seen: Map<string, boolean>): boolean {
  let same = seen.get(absence.folder);
  if (same === undefined) seen.set(absence.folder, (same = modified(workspaceRoot, absence.folder) === absence.stamp));
  return same;
}

/**
 * A value computed from folders' entries (the rule-(b) paths from the workspace's top folders), given
 * again while its key is the same and no folder it listed has changed: a worker that outlives one
 * graph lists them once.
 */
export class FolderListings {
  private readonly last = new Map<string, { key: string; stamps: ReadonlyMap<string, number>; value: unknown }>();

  value<T>(
    workspaceRoot: string,
    slot: string,
    key: string,
    compute: (entriesOf: (folder: string) => DirEntry[]) => T,
  ): T {
    const last = this.last.get(slot);
    if (last?.key === key && unchanged(workspaceRoot, last.stamps)) return last.value as T;
    const stamps = new Map<string, number>();
    let trusted = true;
    const value = compute((folder) => {
      const stamp = stampOf(workspaceRoot, folder);
      if (stamp === undefined) trusted = false;
      else stamps.set(folder, stamp);
      return entriesOf(workspaceRoot, folder);
    });
    if (trusted) this.last.set(slot, { key, stamps, value });
    else this.last.delete(slot);
    return value;
  }
}

/** A folder's entries; an unreadable one (a race with a delete) has none rather than breaking the graph. */
export function entriesOf(workspaceRoot: string, folder: string): DirEntry[] {
  try {
    return readdirSync(join(workspaceRoot, folder), { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isDirectory: entry.isDirectory(),
    }));
  } catch {
    return [];
  }
}
