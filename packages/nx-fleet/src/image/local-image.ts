import { resolveEngine } from '../engines/detect';
import type { Engine } from '../engines/engine';
import { isLocalImageOf } from './content-label';
import { buildServiceImage, type BuildOptions, type BuildPorts } from './build';
import type { ImageRecord } from './records';
import type { ServiceRef } from './service-ref';
import { gatherRecordFacts, refusedRecord, verifyRecord, type RecordFacts, type RecordVerdict } from './verify-record';

export interface RecordedImage {
  record: ImageRecord;
  service: ServiceRef;
  /** The build target's options, read only when a rebuild needs them. */
  buildOptions: () => BuildOptions;
  /** Why the image must be on this machine, for the log. */
  why: string;
}

/**
 * The engine holding the image docker-build recorded, once the record is verified against the
 * sources and the local image (verifyRecord); rebuilt first when the local image is missing or
 * not provably built from the recorded sources. Scan and contract-verify read images through here.
 */
export async function engineHolding(ports: BuildPorts, image: RecordedImage): Promise<Engine> {
  const verdict = await verifiedRecord(ports, image);
  const engine = await resolveEngine(ports, image.record.engine);
  if (verdict.kind === 'rebuild') await rebuildRecordedImage(ports, image, verdict.why);
  return engine;
}

/** verifyRecord over the facts of this machine; a refused record throws, naming the file and what differed. */
export async function verifiedRecord(
  ports: BuildPorts,
  image: Pick<RecordedImage, 'record' | 'service' | 'buildOptions'>,
): Promise<AcceptedVerdict> {
  return judgedRecord(ports, image.service, await gatherRecordFacts(ports, image));
}

export type AcceptedVerdict = Exclude<RecordVerdict, { kind: 'refuse' }>;

/** verifyRecord's verdict on gathered facts: a refusal throws, a note is said. */
export function judgedRecord(ports: Pick<BuildPorts, 'log'>, service: ServiceRef, facts: RecordFacts): AcceptedVerdict {
  const verdict = verifyRecord(facts);
  if (verdict.kind === 'refuse') throw refusedRecord(service, verdict.why);
  if (verdict.kind === 'trusted' && verdict.note) ports.log.info(`nx-fleet: ${service.projectName}: ${verdict.note}`);
  return verdict;
}

/**
 * After a remote-cache hit this machine never built the recorded image (or holds one it cannot
 * trust): it is rebuilt from the same sources, refused if they no longer give the same tag, and
 * checked again, so only an image labelled with the recorded content tag is ever used.
 */
export async function rebuildRecordedImage(
  ports: BuildPorts,
  { record, service, buildOptions, why }: RecordedImage,
  reason = `${record.localRef} is not on this machine`,
): Promise<void> {
  ports.log.info(`nx-fleet: ${reason}; rebuilding it (${why}).`);
  const rebuilt = await buildServiceImage(ports, buildOptions(), service);
  if (rebuilt.contentTag !== record.contentTag) {
    throw new Error(
      `nx-fleet: the sources of ${service.projectName} changed since docker-build recorded ${record.contentTag} (now ${rebuilt.contentTag}); run docker-build again.`,
    );
  }
  // The rebuilt image has an id of its own: its label is what must name the recorded sources.
  const engine = await resolveEngine(ports, record.engine);
  if (!isLocalImageOf(await engine.inspect(record.localRef), record.contentTag))
    throw refusedRecord(service, `after a rebuild, ${record.localRef} still does not carry ${record.contentTag}`);
}
