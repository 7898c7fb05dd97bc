import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetPluginOptions } from '../config/options';
import type { Env } from '../io/ports';
import { askScript } from '../io/process';
import { runtimeProviders } from '../runtime-graph/edges';
import { ImportCache } from '../runtime-graph/import-cache';
import { sameReach, scanRuntimeGraph } from '../runtime-graph/sdk-graph';
import type { ProjectInfo } from '../runtime-graph/sdk-ownership';
import type { WorkspaceFileData } from './devkit-internal';
import { filesByProject } from './source-files';

export interface RuntimeProvidersInput {
  workspaceRoot: string;
  /** Every project the matched manifests name, services marked. */
  projects: readonly ProjectInfo[];
  /** Every workspace file with Nx's hash: the import cache is keyed by it. */
  files: readonly WorkspaceFileData[];
  options: FleetPluginOptions | undefined;
  cacheDirectory: string;
  warn(key: string, message: string): void;
  /**
   * Filled in: how much work the scan did (for the verbose log and the benchmarks). `fullParses`,
   * when the field is there: files the scanner could not decide, parsed in full.
   */
  stats?: ScanStats;
}

export interface ScanStats {
  parsed: number;
  resolved: number;
  imports: number;
  fullParses?: number;
  workers?: number;
  /** Set when the scan ran in a process of its own (`runtimeProviderRootsApart`), with that process's CPU time. */
  apart?: { cpuMs: number };
}

/** One file's content edit, by Nx's hashes. */
export interface FileEdit {
  file: string;
  before: string;
  after: string;
}

export interface RuntimeProviders {
  /** For each service, the roots of the providers it calls. */
  roots: Map<string, string[]>;
  /** Whether `roots` still hold after `edit`, the rest of the workspace unchanged. */
  unchangedBy(edit: FileEdit): boolean;
}

/**
 * For each service, the roots of the providers it calls through their SDKs, itself or through a
 * library of its code closure, computed from the sources (createNodes runs before any project graph
 * exists, so the closure comes from the scan's own code edges).
 */
export function runtimeProviderRoots(input: RuntimeProvidersInput): RuntimeProviders {
  const services = input.projects.filter((p) => p.isService).map((p) => p.name);
  // No service, no provider: no edit of a source changes that.
  if (!services.length) return { roots: new Map(), unchangedBy: () => true };
  const { projectFiles, otherFiles } = filesByProject(input.files, input.projects);
  const cache = ImportCache.load(input.cacheDirectory);
  const scan = scanRuntimeGraph({
    workspaceRoot: input.workspaceRoot,
    projects: input.projects,
    files: projectFiles,
    otherFiles,
    sdksOption: input.options?.sdks,
    testFiles: input.options?.runtimeGraph?.testFiles,
    workers: input.options?.runtimeGraph?.workers,
    cache,
    warn: input.warn,
    ...(input.stats ? { stats: input.stats } : {}),
  });
  if (input.stats) input.stats.imports = scan.imports.length;
  const rootOf = new Map(input.projects.map((p) => [p.name, p.root]));
  const providers = runtimeProviders(services, scan.imports, scan.codeEdges);
  const basis = scan.basis;
  return {
    roots: new Map(
      [...providers].map(([service, links]) => [service, links.map((link) => rootOf.get(link.service)!).sort()]),
    ),
    unchangedBy: ({ file, before, after }) =>
      basis !== undefined && sameReach({ workspaceRoot: input.workspaceRoot, cache }, basis, file, before, after),
  };
}

/** Workspace files from which a graph without the daemon scans in a process of its own. */
export const FILES_FOR_A_PROCESS_OF_ITS_OWN = 10_000;

/** Set in the scan's own process: whatever runs there never starts another. */
export const SCAN_PROCESS_ENV = 'NX_FLEET_SCAN_PROCESS';

/**
 * Whether the scan runs in a process of its own: never in the daemon's worker (it keeps the scan for
 * the next edit) nor inside such a process, else as the option `runtimeGraph.ownProcess` says, else
 * from FILES_FOR_A_PROCESS_OF_ITS_OWN files.
 */
export function scansApart(daemon: boolean, files: number, option: unknown, env: Env): boolean {
  if (daemon || env[SCAN_PROCESS_ENV] === '1') return false;
  return typeof option === 'boolean' ? option : files >= FILES_FOR_A_PROCESS_OF_ITS_OWN;
}

/** What the plugin's process hands `runtime-providers-process.js`: the input without its callback. */
export type ApartInput = Omit<RuntimeProvidersInput, 'warn'>;

/** What that process hands back: the providers, the warnings to print and its CPU time, or why the scan failed. */
export type ApartAnswer =
  | {
      roots: Array<[string, string[]]>;
      warnings: Array<[string, string]>;
      cpuMs: number;
      stats?: ScanStats;
    }
  | { error: string };

/** The process's script beside this module; absent when the sources run untranspiled (unit tests). */
const APART_SCRIPT = join(__dirname, 'runtime-providers-process.js');

/**
 * The same providers, computed in a process that ends with the scan, so that Nx's plugin worker does
 * not keep TypeScript and the scan's heap while Nx builds the graph (a process keeps the heap it
 * grew, and a thread's isolate leaves ~30 MiB behind it). A scan that fails there fails as it would
 * here; a process that cannot start or dies without an answer leaves the scan to this one. With no
 * scan kept here, no edit is known to leave the answer as it was.
 */
export async function runtimeProviderRootsApart(
  input: RuntimeProvidersInput,
  script = APART_SCRIPT,
): Promise<RuntimeProviders> {
  if (!existsSync(script)) return runtimeProviderRoots(input);
  const { warn, ...data } = input;
  let answer: ApartAnswer;
  try {
    answer = await askScript<ApartAnswer>(script, data, { [SCAN_PROCESS_ENV]: '1' });
  } catch {
    return runtimeProviderRoots(input);
  }
  if ('error' in answer) throw new Error(answer.error);
  for (const [key, message] of answer.warnings) warn(key, message);
  if (input.stats) Object.assign(input.stats, answer.stats, { apart: { cpuMs: answer.cpuMs } });
  return { roots: new Map(answer.roots), unchangedBy: () => false };
}
