import type { LocalImageFacts } from '../engines/engine';

/**
 * The label docker-build puts in every image it builds: the image itself says which sources it was
 * built from, so a record restored from a cache cannot pass another image off under its tag. It is no
 * part of the content tag (labels are not among its inputs).
 */
export const CONTENT_TAG_LABEL = 'dev.nx-fleet.content-tag';

/** docker-build's test of an image the engine already holds: only one built from this content tag counts. */
export function isLocalImageOf(local: LocalImageFacts | undefined, tag: string): boolean {
  return local?.labels[CONTENT_TAG_LABEL] === tag;
}
