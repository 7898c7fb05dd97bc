import { join } from 'node:path';
import { createProjectGraphAsync, workspaceRoot, type ProjectConfiguration, type ProjectGraph } from '@nx/devkit';
import { DockerfileReading } from '../image/dockerfile-copies';
import { nodeSyncFiles } from '../runtime-graph/files';
import { BUILD_EXECUTOR } from '../services/projects';
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
  ).map((project) =>
    project.isService && runsNothing(graph.nodes[project.name]?.data) ? { ...project, isService: false } : project,
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

/** As createNodes reads it: a service whose image runs nothing (`FROM scratch`, no command) calls and serves no one. */
function runsNothing(project: ProjectConfiguration | undefined): boolean {
  const build = Object.values(project?.targets ?? {}).find((target) => target.executor === BUILD_EXECUTOR);
  const options = (build?.options ?? {}) as { dockerfile?: unknown; target?: unknown };
  if (typeof options.dockerfile !== 'string') return false;
  const file = join(workspaceRoot, options.dockerfile);
  if (!nodeSyncFiles.exists(file)) return false;
  const target = typeof options.target === 'string' ? options.target : undefined;
  return new DockerfileReading(nodeSyncFiles.read(file).toString('utf8'), {}, target).runsNothing;
}
