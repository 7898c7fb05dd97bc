import { resolveEngine } from '../engines/detect';
import type { LocalImageFacts } from '../engines/engine';
import { sourcesOf, unhashedClause, unhashedFix, type BuildOptions, type BuildPorts } from './build';
import type { UnhashedFiles } from './build-context';
import { CONTENT_TAG_LABEL } from './content-label';
import { imageNameFor, imageRecordPath, type ImageRecord } from './records';
import type { ServiceRef } from './service-ref';

/** What this machine knows about a restored image.json without believing it. */
export interface RecordFacts {
  record: ImageRecord;
  /** This service's image name, from its build options (not from the record). */
  image: string;
  /** The content tag the current sources give, computed like docker-build computes it. */
  sourcesTag: string;
  /** The engine's image under `record.localRef`; undefined when it holds none. */
  local: LocalImageFacts | undefined;
  /** The context's files Nx does not hash (they match .gitignore rules): what a cache hit could not see change. */
  unhashed?: UnhashedFiles;
}

/**
 * `trusted`: the record names these sources and the local image is theirs. `rebuild`: the record is
 * right but the local image is missing or not provably theirs (building again makes it so).
 * `refuse`: the record itself names other sources or another image; nothing may use it.
 */
export type RecordVerdict =
  { kind: 'trusted'; note?: string } | { kind: 'rebuild'; why: string } | { kind: 'refuse'; why: string };

/**
 * An image.json may come from a local or remote Nx cache that someone else wrote: it is trusted
 * only as far as the sources and the local image confirm it.
 */
export function verifyRecord({ record, image, sourcesTag, local, unhashed }: RecordFacts): RecordVerdict {
  if (record.image !== image)
    return { kind: 'refuse', why: `it names the image "${record.image}"; this service's image is "${image}"` };
  const expectedRef = `${image}:${record.contentTag}`;
  if (record.localRef !== expectedRef)
    return { kind: 'refuse', why: `its localRef "${record.localRef}" is not "${expectedRef}"` };
  if (record.contentTag !== sourcesTag)
    return {
      kind: 'refuse',
      why:
        `it records content tag ${record.contentTag}, but the current sources give ${sourcesTag}` +
        (unhashed?.files.length
          ? ` (the build context sends ${unhashedClause(unhashed.files)} and a cache hit cannot see ${unhashed.files.length === 1 ? 'it' : 'them'} change. ${unhashedFix(unhashed, "the context's .dockerignore")})`
          : ''),
    };
  if (!local) return { kind: 'rebuild', why: `${record.localRef} is not on this machine` };
  const label = local.labels[CONTENT_TAG_LABEL];
  if (label === undefined)
    return {
      kind: 'rebuild',
      why: `the local image ${record.localRef} has no ${CONTENT_TAG_LABEL} label (not built by this nx-fleet), so it is not trusted`,
    };
  if (label !== record.contentTag)
    return { kind: 'rebuild', why: `the local image ${record.localRef} was built from content tag ${label}` };
  // Image ids are not reproducible across machines: a record restored from another machine's cache
  // names that machine's id. The label, checked above, is what ties the local image to the sources.
  if (record.imageId && local.id !== record.imageId)
    return {
      kind: 'trusted',
      note: `${record.localRef} is ${local.id}, another build of the same sources than the recorded ${record.imageId}`,
    };
  return { kind: 'trusted' };
}

/** The content tag of the service's current sources: docker-build's context and hashing, no engine. */
export async function sourcesContentTag(
  ports: Pick<BuildPorts, 'processes' | 'files' | 'log' | 'pruning' | 'listing' | 'baseTags'>,
  options: BuildOptions,
  service: ServiceRef,
): Promise<string> {
  return (await sourcesOf(ports, options, service)).tag;
}

export interface RecordToVerify {
  record: ImageRecord;
  service: ServiceRef;
  /** The build target's options: they name the image and the context the sources are read from. */
  buildOptions: () => BuildOptions;
}

/** Gathers the facts verifyRecord needs: the sources' tag and the engine's image. */
export async function gatherRecordFacts(ports: BuildPorts, image: RecordToVerify): Promise<RecordFacts> {
  return withLocalImage(ports, await gatherSourceFacts(ports, image));
}

/**
 * The facts that need no engine: the image name and the sources' tag. verifyRecord over them alone
 * refuses a record the sources do not confirm; a push whose registry already holds the content tag
 * needs nothing more, since no local image is used.
 */
export async function gatherSourceFacts(
  ports: BuildPorts,
  { record, service, buildOptions }: RecordToVerify,
): Promise<RecordFacts> {
  const options = buildOptions();
  const sources = await sourcesOf(ports, options, service, record.contentTag);
  return {
    record,
    image: options.image ?? imageNameFor(service.projectName),
    sourcesTag: sources.tag,
    local: undefined,
    ...(sources.unhashed?.files.length ? { unhashed: sources.unhashed } : {}),
  };
}

/** The facts with the engine's image under the record's localRef. */
export async function withLocalImage(ports: BuildPorts, facts: RecordFacts): Promise<RecordFacts> {
  const engine = await resolveEngine(ports, facts.record.engine);
  return { ...facts, local: await engine.inspect(facts.record.localRef) };
}

/** The error for a refused record: which file, what differed, what to run. */
export function refusedRecord(service: Pick<ServiceRef, 'projectName' | 'projectRoot'>, why: string): Error {
  return new Error(
    `nx-fleet: ${service.projectName}: ${imageRecordPath(service.projectRoot)} is not trusted: ${why}. ` +
      `It was restored from a cache or edited; nothing was pushed or recorded. Run its docker-build target again ` +
      `without the cache (--skip-nx-cache).`,
  );
}
