import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FleetPluginOptions } from '../config/options';
import { PluginCache } from './devkit-internal';
import { optionsDigest } from './nodes-cache';
import { isContainerfile } from '../services/detection';
import type { FolderAnalysis, ManifestTexts, Warning } from './service-folders';

/** A new nx-fleet may analyse the same files differently: its version is part of every key. */
const VERSION = (require('../../package.json') as { version: string }).version;
/** Bumped when FolderAnalysis changes shape: an entry written by an older shape is recomputed. */
const SHAPE = 2;

/** A folder's manifests: their texts (read when asked), and a name for them that needs no read, when there is one. */
export interface FolderManifests {
  /** Nx's content hashes of every manifest, as one string, when Nx lists them all; never equal to texts' JSON. */
  identity: string | undefined;
  texts(): ManifestTexts;
}

interface Entry {
  hash: string;
  analysis: FolderAnalysis;
}

/** The warnings in force at the last graph: each key with the digest of the state it was printed for. */
interface Printed {
  printed: Record<string, string>;
}

/** Not a folder: a root is a relative path, never this. */
const PRINTED_KEY = '\0printed-warnings';

/** A warning and the digest of what it is about (its message and its folder's files). */
export interface StatedWarning extends Warning {
  state: string;
}

/**
 * Folders' analyses, as Nx's own plugins keep their targets: one file per options hash in Nx's
 * workspace-data directory (`nx-fleet-<optionsHash>.hash`, cleared by `nx reset`), each folder's
 * entry valid for the hash of the files it was made from. A folder is made from its manifests'
 * contents and the names of its matched files; a Dockerfile's content never changes what nx-fleet
 * infers here, so it is not part of the key.
 */
export class FolderCache {
  private changed = false;

  private constructor(private readonly entries: PluginCache<Entry | Printed>) {}

  static load(directory: string, options: FleetPluginOptions | undefined): FolderCache {
    return new FolderCache(new PluginCache<Entry | Printed>(cacheFile(directory, options)));
  }

  /**
   * The warnings not printed yet for the state they are about: a warning printed by an earlier
   * process over the same files is not printed again. What is kept is exactly the warnings in force
   * now, so one that went away and comes back is printed again.
   */
  unprinted(warnings: readonly StatedWarning[]): StatedWarning[] {
    const stored = this.entries.get(PRINTED_KEY);
    const before = stored && 'printed' in stored && isRecordOfStrings(stored.printed) ? stored.printed : {};
    const now = Object.fromEntries(warnings.map(({ key, state }) => [key, state]));
    if (JSON.stringify(now) !== JSON.stringify(before)) {
      this.entries.set(PRINTED_KEY, { printed: now });
      this.changed = true;
    }
    return warnings.filter(({ key, state }) => before[key] !== state);
  }

  /**
   * A folder's analysis, from this cache when its manifests are what they were. `manifests.identity`
   * names them without reading them (Nx's content hashes) when Nx lists them all: then a folder that
   * is still in the cache costs no read.
   */
  analysis(
    root: string,
    folderFiles: readonly string[],
    manifests: FolderManifests,
    analyse: (texts: ManifestTexts) => FolderAnalysis,
  ): FolderAnalysis {
    // Kept for folders with a container file, as Nx's Docker plugin keeps its own: the others (most
    // projects) cost one JSON parse, less than their entry. A manifest that could not be read (a
    // race with a delete) is a passing state, never kept.
    if (!folderFiles.some(isContainerfile)) return analyse(manifests.texts());
    let identity = manifests.identity;
    if (identity === undefined) {
      const texts = manifests.texts();
      if (!allRead(texts)) return analyse(texts);
      identity = JSON.stringify(texts);
    }
    // One digest of one string: Nx's hashObject costs a native call per field, ten times this per folder.
    const hash = createHash('sha256')
      .update(JSON.stringify([VERSION, SHAPE, root, folderFiles, identity]))
      .digest('hex');
    const entry = this.entries.get(root);
    if (entry && 'hash' in entry && entry.hash === hash && isFolderAnalysis(entry.analysis)) return entry.analysis;
    const texts = manifests.texts();
    const analysis = analyse(texts);
    if (!allRead(texts)) return analysis;
    this.entries.set(root, { hash, analysis });
    this.changed = true;
    return analysis;
  }

  /** Once the batch is analysed; only when something changed. A cache that cannot be written is no error of the graph. */
  save(): void {
    if (!this.changed) return;
    try {
      this.entries.writeToDisk();
      this.changed = false;
    } catch {
      // The next graph analyses these folders again.
    }
  }
}

function allRead(texts: ManifestTexts): boolean {
  return Object.values(texts).every((text) => text !== undefined);
}

/** What the batch reads of an analysis before any one folder's project is made: an entry without it is a miss. */
function isFolderAnalysis(value: unknown): value is FolderAnalysis {
  const analysis = value as Partial<FolderAnalysis> | null;
  const detection = analysis?.detection as Record<string, unknown> | undefined;
  return (
    typeof analysis?.projectName === 'string' &&
    Array.isArray(analysis.warnings) &&
    typeof detection?.['kind'] === 'string' &&
    ['root', 'dockerfile'].every((field) => !(field in detection) || typeof detection[field] === 'string')
  );
}

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

export function cacheFile(directory: string, options: FleetPluginOptions | undefined): string {
  return join(directory, `nx-fleet-${optionsDigest(options)}.hash`);
}
