import type { FleetPluginOptions } from '../config/options';
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
  // A provider is another service: with one service or none, no edit of a source changes that.
  if (services.length < 2) return { roots: new Map(services.map((s) => [s, []])), unchangedBy: () => true };
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
