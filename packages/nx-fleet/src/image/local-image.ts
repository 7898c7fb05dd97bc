import { resolveEngine } from '../engines/detect';
import type { Engine } from '../engines/engine';
import { buildServiceImage, type BuildOptions, type BuildPorts } from './build';
import type { ImageRecord } from './records';
import type { ServiceRef } from './service-ref';

export interface RecordedImage {
  record: ImageRecord;
  service: ServiceRef;
  /** The build target's options, read only when a rebuild needs them. */
  buildOptions: () => BuildOptions;
  /** Why the image must be on this machine, for the log. */
  why: string;
}

/** The engine holding the image docker-build recorded, rebuilt first when this machine lacks it. */
export async function engineHolding(ports: BuildPorts, image: RecordedImage): Promise<Engine> {
  const engine = await resolveEngine(ports, image.record.engine);
  if (!(await engine.imageExists(image.record.localRef))) await rebuildRecordedImage(ports, image);
  return engine;
}

/**
 * After a remote-cache hit this machine never built the recorded image: it is rebuilt from the same
 * sources, and refused if they no longer give the same tag.
 */
export async function rebuildRecordedImage(
  ports: BuildPorts,
  { record, service, buildOptions, why }: RecordedImage,
): Promise<void> {
  ports.log.info(`nx-fleet: ${record.localRef} is not on this machine (${why}); rebuilding it.`);
  const rebuilt = await buildServiceImage(ports, buildOptions(), service);
  if (rebuilt.contentTag !== record.contentTag) {
    throw new Error(
      `nx-fleet: the sources of ${service.projectName} changed since docker-build recorded ${record.contentTag} (now ${rebuilt.contentTag}); run docker-build again.`,
    );
  }
}
