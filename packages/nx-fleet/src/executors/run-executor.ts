import { logger, readTargetOptions, type ExecutorContext } from '@nx/devkit';
import type { Engine } from '../engines/engine';
import type { BuildOptions } from '../image/build';
import { engineHolding } from '../image/local-image';
import type { ImageRecord } from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { NxPruning } from '../image/pruned-context';
import { nodePorts, type Ports } from '../io/ports';
import { nxPruning } from '../nx/devkit-internal';

/**
 * An executor's result from its work: `success` is what the work answers; a thrown error is logged
 * (its message only: nx-fleet's errors say what to do) and fails the target instead of crashing Nx.
 */
export async function reportingFailures(work: () => Promise<boolean>): Promise<{ success: boolean }> {
  try {
    return { success: await work() };
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    return { success: false };
  }
}

/** The project the executor runs for. */
export function serviceRefOf(context: ExecutorContext): ServiceRef {
  return {
    workspaceRoot: context.root,
    projectName: context.projectName!,
    projectRoot: context.projectsConfigurations.projects[context.projectName!]!.root,
    graph: context.projectGraph,
  };
}

/** This machine (nodePorts), with Nx's pruning: what building and pushing images take. */
export function fleetPorts(): Ports & { pruning: NxPruning } {
  return { ...nodePorts(), pruning: nxPruning() };
}

/** The options of one of the project's build targets, as Nx resolves them (defaults, configuration). */
export function buildOptionsOf(context: ExecutorContext, buildTarget: string): BuildOptions {
  return readTargetOptions<BuildOptions>({ project: context.projectName!, target: buildTarget }, context);
}

/** The engine holding the image `buildTarget` recorded, rebuilt first when this machine lacks it (a remote-cache hit). */
export function ensureLocalImage(
  record: ImageRecord,
  buildTarget: string,
  context: ExecutorContext,
  why: string,
): Promise<Engine> {
  return engineHolding(fleetPorts(), {
    record,
    service: serviceRefOf(context),
    buildOptions: () => buildOptionsOf(context, buildTarget),
    why,
  });
}
