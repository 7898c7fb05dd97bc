import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspaceFileData } from './devkit-internal';

/** A file's text as last read, and Nx's hash of the content it was read at. */
export interface KnownText {
  hash: string;
  text: string;
}

/**
 * The workspace files createNodes reads (manifests, Dockerfiles, .dockerignore files), by
 * workspace-relative path. A file Nx's workspace context lists is known by Nx's content hash: its
 * text is read once per hash and kept in `memo`, which outlives one graph when the worker does (the
 * daemon keeps it), so an edit elsewhere reads none of them again. A file Nx does not list (git
 * ignores it) is asked of the disk every time, as without this.
 */
export class WorkspaceTexts {
  private readonly hashes: ReadonlyMap<string, string>;

  constructor(
    private readonly workspaceRoot: string,
    files: readonly WorkspaceFileData[] | undefined,
    private readonly memo: Map<string, KnownText>,
  ) {
    this.hashes = new Map(files?.map(({ file, hash }) => [file, hash]));
  }

  /** Nx's content hash of the file, when Nx lists it. */
  hashOf(path: string): string | undefined {
    return this.hashes.get(path);
  }

  exists(path: string): boolean {
    return this.hashes.has(path) || existsSync(join(this.workspaceRoot, path));
  }

  /** The file's text; undefined when it is missing or cannot be read. */
  text(path: string): string | undefined {
    const hash = this.hashes.get(path);
    const known = hash === undefined ? undefined : this.memo.get(path);
    if (known && known.hash === hash) return known.text;
    let text: string;
    try {
      text = readFileSync(join(this.workspaceRoot, path), 'utf8');
    } catch {
      return undefined;
    }
    if (hash !== undefined) this.memo.set(path, { hash, text });
    return text;
  }
}
