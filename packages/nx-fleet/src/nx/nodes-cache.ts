import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesResultArray } from '@nx/devkit';
import type { FleetPluginOptions } from '../config/options';
import type { WorkspaceFileData } from './devkit-internal';
import type { Probes, WorkspaceTexts } from './workspace-texts';

/** A new nx-fleet may answer the same inputs differently: its version is part of the key. */
const VERSION = (require('../../package.json') as { version: string }).version;

/** Everything createNodes' answer is made from, besides what `Probes` records as it reads. */
export interface NodesInputs {
  options: FleetPluginOptions | undefined;
  /** The files Nx matched for the plugin. */
  matched: readonly string[];
  /** Every workspace file with Nx's content hash: manifests, Dockerfiles, listed ignore files, sources, tsconfigs, the set of paths. */
  files: readonly WorkspaceFileData[];
  /** The paths outside every project (rule b), from the folders' entries: read from the disk, not Nx's list. */
  shared: readonly string[];
  /** Whether a Pact Broker is configured (the environment). */
  broker: boolean;
  /** The registry the environment sets (FLEET_REGISTRY): which FROMs name a service's image. */
  registry?: string;
}

/** Every input but Nx's file list, as one string: an edit in the daemon compares it whole. */
export function frameOf(inputs: Omit<NodesInputs, 'files'>): string {
  return JSON.stringify([
    VERSION,
    inputs.options ?? {},
    [...inputs.matched].sort(),
    inputs.shared,
    inputs.broker,
    ...(inputs.registry ? [inputs.registry] : []),
  ]);
}

/**
 * One digest of the inputs: the frame and Nx's file list. TypeScript's resolution through
 * node_modules is not in it, as it is not in the import cache's: a link into the workspace changes
 * with the workspace's package.json files.
 */
export function nodesKey(frame: string, files: readonly WorkspaceFileData[]): string {
  const hash = createHash('sha256').update(frame);
  const sorted = isSortedByPath(files) ? files : [...files].sort(byPath);
  for (const { file, hash: fileHash } of sorted) hash.update(`\0${file}\0${fileHash}`);
  return hash.digest('hex');
}

/** An answer createNodes gave, and what the disk said of the files it read outside Nx's list. */
export interface KeptAnswer {
  probes: Probes;
  result: CreateNodesResultArray;
}

/**
 * createNodes' whole answer for the last state of its inputs, one file per options hash in Nx's
 * workspace-data directory (`nx reset` clears it): a graph over an unchanged workspace (every command
 * without the daemon, a CI run restoring `.nx/workspace-data`) reads it instead of analysing folders,
 * reading Dockerfiles and scanning imports again. The files it read outside Nx's list (git-ignored
 * ignore files, missing ones) are checked again before the answer is used.
 */
export class NodesCache {
  constructor(private readonly file: string) {}

  static for(directory: string, options: FleetPluginOptions | undefined): NodesCache {
    return new NodesCache(join(directory, 'nx-fleet', `nodes-${optionsDigest(options)}.json`));
  }

  /** Whether any answer is kept in the directory, whatever the options (none after `nx reset`). */
  static anyKept(directory: string): boolean {
    try {
      return readdirSync(join(directory, 'nx-fleet')).some((name) => /^nodes-.*\.json$/.test(name));
    } catch {
      return false;
    }
  }

  /** Whether an answer is kept at all, for whatever state. */
  kept(): boolean {
    return existsSync(this.file);
  }

  /**
   * The answer kept for `key`, when its probes still hold; a missing or unreadable file is a miss.
   * The key is the file's first line: another state's answer (every edit, in the daemon) is not parsed.
   */
  lookup(key: string, texts: WorkspaceTexts): KeptAnswer | undefined {
    let entry: Partial<KeptAnswer>;
    try {
      if (firstLine(this.file, key.length) !== key) return undefined;
      entry = JSON.parse(readFileSync(this.file, 'utf8').slice(key.length + 1)) as Partial<KeptAnswer>;
    } catch {
      return undefined;
    }
    const { probes, result } = entry;
    if (!Array.isArray(result) || typeof probes !== 'object' || !probes) return undefined;
    return texts.stillHolds(probes) ? { probes, result } : undefined;
  }

  /** Kept for the next graph; a cache that cannot be written is no error of this one. */
  save(key: string, probes: Probes, result: CreateNodesResultArray): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${key}\n${JSON.stringify({ probes, result } satisfies KeptAnswer)}`);
      renameSync(temp, this.file);
    } catch {
      // The next graph computes its answer again.
    }
  }
}

const byPath = (a: WorkspaceFileData, b: WorkspaceFileData) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

function isSortedByPath(files: readonly WorkspaceFileData[]): boolean {
  for (let i = 1; i < files.length; i++) if (files[i - 1]!.file > files[i]!.file) return false;
  return true;
}

/** The first `length` characters of the file (ASCII), read alone. */
function firstLine(file: string, length: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0)).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/**
 * The plugin options as a cache file's name: one digest of their JSON (Nx's hashObject is a native
 * call, and its WASM fallback has none). Keys in another order name another file: computed once again.
 */
export function optionsDigest(options: FleetPluginOptions | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(options ?? {}))
    .digest('hex');
}
