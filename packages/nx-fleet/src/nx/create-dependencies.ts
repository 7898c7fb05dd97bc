import { performance } from 'node:perf_hooks';
import { logger, validateDependency, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { workspaceDataDirectory } from '@nx/devkit/internal';
import { ImportCache } from '../runtime-graph/import-cache';
import { runtimeEdges } from '../runtime-graph/edges';
import { projectInfos, scanRuntimeImports } from '../runtime-graph/sdk-graph';
import { preloadParser } from '../runtime-graph/sdk-imports';
import type { FleetPluginOptions } from '../config/options';

const warned = new Set<string>();

/**
 * Runtime edges: a project that imports another service's SDK depends on that service, so
 * `nx affected` reaches consumers when a provider changes and `nx graph` shows the real architecture.
 */
export const createDependencies: CreateDependencies<FleetPluginOptions> = (options, ctx) => {
  const started = performance.now();
  const cache = ImportCache.load(workspaceDataDirectory);
  const stats = { parsed: 0, resolved: 0 };
  const imports = scanRuntimeImports({
    workspaceRoot: ctx.workspaceRoot,
    projects: projectInfos(ctx.workspaceRoot, ctx.projects),
    files: ctx.fileMap.projectFileMap,
    otherFiles: ctx.fileMap.nonProjectFiles,
    sdksOption: options?.sdks,
    cache,
    stats,
    warn: (key, message) => {
      if (warned.has(key)) return;
      warned.add(key);
      logger.warn(message);
    },
  });
  // One invalid edge fails the whole graph: keep only what Nx accepts.
  const edges = runtimeEdges(imports).filter((edge) => isValid(edge, ctx));
  logger.verbose(
    `nx-fleet: createDependencies: ${edges.length} runtime edges from ${imports.length} SDK imports in ${(performance.now() - started).toFixed(1)} ms (files parsed: ${stats.parsed}, re-resolved: ${stats.resolved})`,
  );
  // Nx sets this in the daemon, whose workers inherit it; a one-off CLI worker exits before it would help.
  if (process.env['NX_DAEMON_PROCESS'] === 'true') setTimeout(preloadParser, 100).unref();
  return edges;
};

function isValid(edge: RawProjectGraphDependency, ctx: Parameters<typeof validateDependency>[1]): boolean {
  try {
    validateDependency(edge, ctx);
    return true;
  } catch {
    return false;
  }
}
