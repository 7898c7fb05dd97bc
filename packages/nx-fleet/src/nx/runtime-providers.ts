import type { FleetPluginOptions } from '../config/options';
import { runtimeProviders } from '../runtime-graph/edges';
import { ImportCache } from '../runtime-graph/import-cache';
import { scanRuntimeGraph } from '../runtime-graph/sdk-graph';
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
  stats?: { parsed: number; resolved: number; imports: number; fullParses?: number; workers?: number };
}

/**
 * For each service, the roots of the providers it calls through their SDKs, itself or through a
 * library of its code closure, computed from the sources (createNodes runs before any project graph
 * exists, so the closure comes from the scan's own code edges).
 */
export function runtimeProviderRoots(input: RuntimeProvidersInput): Map<string, string[]> {
  const services = input.projects.filter((p) => p.isService).map((p) => p.name);
  if (!services.length) return new Map();
  const { projectFiles, otherFiles } = filesByProject(input.files, input.projects);
  const scan = scanRuntimeGraph({
    workspaceRoot: input.workspaceRoot,
    projects: input.projects,
    files: projectFiles,
    otherFiles,
    sdksOption: input.options?.sdks,
    testFiles: input.options?.runtimeGraph?.testFiles,
    workers: input.options?.runtimeGraph?.workers,
    cache: ImportCache.load(input.cacheDirectory),
    warn: input.warn,
    ...(input.stats ? { stats: input.stats } : {}),
  });
  if (input.stats) input.stats.imports = scan.imports.length;
  const rootOf = new Map(input.projects.map((p) => [p.name, p.root]));
  const providers = runtimeProviders(services, scan.imports, scan.codeEdges);
  return new Map(
    [...providers].map(([service, links]) => [service, links.map((link) => rootOf.get(link.service)!).sort()]),
  );
}
