import { createProjectGraphAsync, workspaceRoot, type ProjectGraph } from '@nx/devkit';
import { fleetPluginOptions } from '../config/workspace-options';
import { serviceRuntime, type ServiceRuntime } from '../runtime-graph/edges';
import { ImportCache } from '../runtime-graph/import-cache';
import { projectInfos, scanRuntimeGraph } from '../runtime-graph/sdk-graph';
import {
  getAllFileDataInContext,
  isDaemonEnabled,
  logger,
  readFileMapCache,
  workspaceDataDirectory,
  type WorkspaceFileData,
} from './devkit-internal';

/**
 * The project graph and the service-level runtime graph, as the plugin computes them, for commands
 * that run outside Nx's graph phase (nx-fleet graph, pacts, release): the same per-file cache.
 */
export async function workspaceRuntime(): Promise<{ graph: ProjectGraph; runtime: ServiceRuntime[] }> {
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const projects = projectInfos(
    workspaceRoot,
    Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, node.data])),
  );
  const fileMap = readFileMapCache()?.fileMap;
  const options = fleetPluginOptions(workspaceRoot);
  const scan = scanRuntimeGraph({
    workspaceRoot,
    projects,
    files: fileMap?.projectFileMap ?? {},
    otherFiles: fileMap?.nonProjectFiles ?? [],
    sdksOption: options?.sdks,
    testFiles: options?.runtimeGraph?.testFiles,
    workers: options?.runtimeGraph?.workers,
    cache: ImportCache.load(workspaceDataDirectory),
    // The project graph's createNodes, just computed, ran this scan and printed its warnings once per
    // workspace state, here unless the daemon's worker ran it: its output goes to the daemon's log.
    warn: isDaemonEnabled() ? (_key, message) => logger.warn(message) : () => undefined,
  });
  const services = projects.filter((p) => p.isService).map((p) => p.name);
  return { graph, runtime: serviceRuntime(services, scan.imports, scan.codeEdges, scan.typeOnly) };
}

/**
 * Nx's list of the workspace's files with their hashes (its workspace context: no walk when the graph
 * was just computed), and the versions that decide how a content tag is computed.
 */
export async function workspaceSourceFiles(): Promise<{ files: WorkspaceFileData[]; versions: string }> {
  const fleet = (require('../../package.json') as { version: string }).version;
  const nx = (require('nx/package.json') as { version: string }).version;
  return { files: await getAllFileDataInContext(workspaceRoot), versions: `nx-fleet@${fleet} nx@${nx}` };
}
