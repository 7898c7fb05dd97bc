import { logger, readTargetOptions, type ExecutorContext } from '@nx/devkit';
import { resolveEngine } from '../engines/detect';
import type { Engine } from '../engines/engine';
import { buildServiceImage, serviceRefOf } from '../executors/docker-build/executor';
import type { DockerBuildExecutorSchema } from '../executors/docker-build/schema';
import type { ImageRecord } from './records';

/**
 * The engine holding the image docker-build recorded. After a remote-cache hit this machine never
 * built it: it is rebuilt from the same sources, and refused if they no longer give the same tag.
 */
export async function ensureLocalImage(
  record: ImageRecord,
  buildTargetName: string,
  context: ExecutorContext,
  why: string,
): Promise<Engine> {
  const engine = await resolveEngine(record.engine);
  if (await engine.imageExists(record.localRef)) return engine;
  logger.info(`nx-fleet: ${record.localRef} is not on this machine (${why}); rebuilding it.`);
  const buildOptions = readTargetOptions<DockerBuildExecutorSchema>(
    { project: context.projectName!, target: buildTargetName },
    context,
  );
  const rebuilt = await buildServiceImage(buildOptions, serviceRefOf(context));
  if (rebuilt.contentTag !== record.contentTag) {
    throw new Error(
      `nx-fleet: the sources of ${context.projectName} changed since docker-build recorded ${record.contentTag} (now ${rebuilt.contentTag}); run docker-build again.`,
    );
  }
  return engine;
}
