import { join } from 'node:path';
import type { BuildOptions, BuildPorts } from '../image/build';
import type { ServiceRef } from '../image/service-ref';
import type { Env, GitPort } from '../io/ports';
import { fakeContainerTools, type FakeContainerTools } from './fake-container-tools';
import { collectingLog, fakeGit, fixedClock, memoryFiles, type CollectingLog, type MemoryFiles } from './fake-ports';

/** The `orders` service at `services/orders` of a workspace, with no project graph to prune from. */
export function ordersService(workspaceRoot = '/ws'): ServiceRef {
  return {
    workspaceRoot,
    projectName: 'orders',
    projectRoot: 'services/orders',
    graph: { nodes: {}, dependencies: {} },
  };
}

export const ordersBuildOptions: BuildOptions = {
  dockerfile: 'services/orders/Dockerfile',
  context: 'services/orders',
  engine: 'podman',
};

export interface ImageWorkspace {
  ports: BuildPorts & { files: MemoryFiles; log: CollectingLog };
  tools: FakeContainerTools;
  log: CollectingLog;
}

/**
 * A workspace whose Dockerfile and context folder exist for the FilePort only (on disk the context
 * lists no files, so the content tag comes from the Dockerfile and the options), podman and skopeo
 * faked, the clock fixed.
 */
export function imageWorkspace(
  setup: { env?: Env; dockerfile?: string; workspaceRoot?: string; git?: GitPort } = {},
): ImageWorkspace {
  const root = setup.workspaceRoot ?? '/ws';
  const tools = fakeContainerTools();
  const log = collectingLog();
  const ports = {
    processes: tools.processes,
    files: memoryFiles({
      [join(root, 'services/orders/Dockerfile')]: setup.dockerfile ?? 'FROM scratch\n',
      [join(root, 'services/orders')]: '',
    }),
    git: setup.git ?? fakeGit(),
    http: tools.http,
    env: setup.env ?? {},
    log,
    clock: fixedClock('2025-06-01T00:00:00.000Z'),
    pruning: {
      prunedManifests: () => {
        throw new Error('no pruned context in these tests');
      },
      workspaceDataDirectory: '/nonexistent',
    },
  };
  return { ports, tools, log };
}
