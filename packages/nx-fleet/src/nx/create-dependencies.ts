import { performance } from 'node:perf_hooks';
import { logger, validateDependency, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import type { FleetPluginOptions } from '../config/options';
import { nodePorts, type Env } from '../io/ports';
import { runtimeEdges } from '../runtime-graph/edges';
import { ImportCache } from '../runtime-graph/import-cache';
import { projectInfos, scanRuntimeImports } from '../runtime-graph/sdk-graph';
import { preloadParser } from '../runtime-graph/sdk-imports';
import { workspaceDataDirectory } from './devkit-internal';
import { workerState, type OnceWarnings } from './worker-state';

export interface CreateDependenciesDeps {
  /** Nx's workspace-data directory, where the import cache lives: handed to the runtime graph, which never asks Nx. */
  cacheDirectory: string;
  warnings: OnceWarnings;
  env: Env;
}

/**
 * Runtime edges: a project that imports another service's SDK depends on that service, so
 * `nx affected` reaches consumers when a provider changes and `nx graph` shows the real architecture.
 */
export function fleetCreateDependencies(deps: CreateDependenciesDeps): CreateDependencies<FleetPluginOptions> {
  return (options, ctx) => {
    const started = performance.now();
    const stats = { parsed: 0, resolved: 0 };
    const imports = scanRuntimeImports({
      workspaceRoot: ctx.workspaceRoot,
      projects: projectInfos(ctx.workspaceRoot, ctx.projects),
      files: ctx.fileMap.projectFileMap,
      otherFiles: ctx.fileMap.nonProjectFiles,
      sdksOption: options?.sdks,
      cache: ImportCache.load(deps.cacheDirectory),
      stats,
      warn: (key, message) => deps.warnings.warn(key, message),
    });
    // One invalid edge fails the whole graph: keep only what Nx accepts.
    const edges = runtimeEdges(imports).filter((edge) => isValid(edge, ctx));
    logger.verbose(
      `nx-fleet: createDependencies: ${edges.length} runtime edges from ${imports.length} SDK imports in ${(performance.now() - started).toFixed(1)} ms (files parsed: ${stats.parsed}, re-resolved: ${stats.resolved})`,
    );
    // Nx sets this in the daemon, whose workers inherit it; a one-off CLI worker exits before it would help.
    if (deps.env['NX_DAEMON_PROCESS'] === 'true') setTimeout(preloadParser, 100).unref();
    return edges;
  };
}

export const createDependencies = fleetCreateDependencies({
  cacheDirectory: workspaceDataDirectory,
  warnings: workerState.dependencyWarnings,
  env: nodePorts().env,
});

function isValid(edge: RawProjectGraphDependency, ctx: Parameters<typeof validateDependency>[1]): boolean {
  try {
    validateDependency(edge, ctx);
    return true;
  } catch {
    return false;
  }
}
