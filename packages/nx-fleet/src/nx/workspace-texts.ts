import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileReading } from '../image/dockerfile-copies';
import type { WorkspaceFileData } from './devkit-internal';
import { absenceOf, stillAbsent, type Absence } from './folder-stamps';

/** A file's text as last read, and Nx's hash of the content it was read at. */
export interface KnownText {
  hash: string;
  text: string;
}

/**
 * What was learnt from the disk about files Nx does not list, by path: `null` missing, `''` there
 * (not read), else the digest of the text read.
 */
export type Probes = Record<string, string | null>;

/**
 * The workspace files createNodes reads (manifests, Dockerfiles, .dockerignore files), by
 * workspace-relative path. A file Nx's workspace context lists is known by Nx's content hash: its
 * text is read once per hash and kept in `memo`, which outlives one graph when the worker does (the
 * daemon keeps it), so an edit elsewhere reads none of them again. A file Nx does not list (git
 * ignores it) is asked of the disk every time, as without this, and what the disk said is recorded
 * (`probes`) so a kept answer can be checked against it.
 */
export class WorkspaceTexts {
  private known: ReadonlyMap<string, string> | undefined;
  readonly probes: Probes = {};
  /** The listed files whose content was asked for (by text or by hash): what an answer was made from. */
  readonly read = new Set<string>();

  constructor(
    private readonly workspaceRoot: string,
    private readonly files: readonly WorkspaceFileData[] | undefined,
    private readonly memo: Map<string, KnownText>,
    /** The probes found missing, by the folder that stands for their absence, for a worker that outlives one graph. */
    private readonly absences?: Map<string, Absence>,
  ) {}

  /** Built when first asked: an answer given again (`stillHolds` alone) needs none. */
  private get hashes(): ReadonlyMap<string, string> {
    return (this.known ??= new Map(this.files?.map(({ file, hash }) => [file, hash])));
  }

  /** Nx's content hash of the file, when Nx lists it. */
  hashOf(path: string): string | undefined {
    const hash = this.hashes.get(path);
    if (hash !== undefined) this.read.add(path);
    return hash;
  }

  exists(path: string): boolean {
    if (this.hashes.has(path)) return true;
    const there = existsSync(join(this.workspaceRoot, path));
    if (!(path in this.probes) || !there) this.probes[path] = there ? '' : null;
    return there;
  }

  /** The file's text; undefined when it is missing or cannot be read. */
  text(path: string): string | undefined {
    const hash = this.hashOf(path);
    const known = hash === undefined ? undefined : this.memo.get(path);
    if (known && known.hash === hash) return known.text;
    const text = this.fromDisk(path);
    if (hash !== undefined) {
      if (text !== undefined) this.memo.set(path, { hash, text });
    } else this.probes[path] = text === undefined ? null : digest(text);
    return text;
  }

  /**
   * The text of a file that is part of the workspace only when committed (manifests, tsconfigs), as
   * for Nx's own inference: one Nx does not list is absent, so the disk is not asked and nothing is
   * probed. Without Nx's list, the disk.
   */
  committedText(path: string): string | undefined {
    return this.files === undefined || this.hashes.has(path) ? this.text(path) : undefined;
  }

  /**
   * A Dockerfile read as every stage, with no build arguments, once per text for this answer: the
   * warnings, the claims and the stage a service ships share one parse.
   */
  reading(path: string): DockerfileReading | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    let reading = this.readings.get(text);
    if (!reading) this.readings.set(text, (reading = new DockerfileReading(text)));
    return reading;
  }

  private readonly readings = new Map<string, DockerfileReading>();

  /**
   * A committed JSON file (package.json, project.json) as an object, `{}` when absent or unreadable,
   * parsed once per text for this answer: the root manifest serves every service's decision, a nested
   * root's every service below it.
   */
  json(path: string): Readonly<Record<string, unknown>> {
    const text = this.committedText(path);
    if (text === undefined) return {};
    let parsed = this.parsed.get(text);
    if (!parsed) this.parsed.set(text, (parsed = objectOf(text)));
    return parsed;
  }

  private readonly parsed = new Map<string, Readonly<Record<string, unknown>>>();

  /**
   * Whether the disk still says what `probes` recorded. A missing file is most probes (a
   * Dockerfile's own ignore file, every service's): once found missing, its folder's stamp stands
   * for it while nothing is made in that folder, so a worker that outlives one graph asks one
   * folder per service after an edit, not every file.
   */
  stillHolds(probes: Probes): boolean {
    const seen = new Map<string, boolean>();
    return Object.entries(probes).every(([path, probe]) => {
      const absence = probe === null ? this.absences?.get(path) : undefined;
      if (absence && stillAbsent(this.workspaceRoot, absence, seen)) return true;
      // Asked without a failing read.
      const there = existsSync(join(this.workspaceRoot, path));
      if (probe === '') return there;
      if (!there) {
        if (probe === null) this.absent(path);
        return probe === null;
      }
      const text = this.fromDisk(path);
      return probe === null ? text === undefined : text !== undefined && digest(text) === probe;
    });
  }

  /** Stamps the folders that stand for the missing files this answer probed (`stillHolds`). */
  rememberAbsences(): void {
    for (const [path, probe] of Object.entries(this.probes)) if (probe === null) this.absent(path);
  }

  private absent(path: string): void {
    if (!this.absences) return;
    const absence = absenceOf(this.workspaceRoot, path);
    if (absence) this.absences.set(path, absence);
    else this.absences.delete(path);
  }

  private fromDisk(path: string): string | undefined {
    try {
      return readFileSync(join(this.workspaceRoot, path), 'utf8');
    } catch {
      return undefined;
    }
  }
}

function objectOf(text: string): Readonly<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
