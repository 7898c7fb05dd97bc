import { shortSha } from '../io/git';

/** The tags a push gives the image: the content tag first, then the short git SHA, the extra tags and `latest`. */
export function pushTags(
  contentTag: string,
  sha: string | undefined,
  options: { tags?: string[]; latest?: boolean },
): string[] {
  const tags = [
    contentTag,
    ...(sha ? [shortSha(sha)] : []),
    ...(options.tags ?? []),
    ...(options.latest ? ['latest'] : []),
  ];
  return [...new Set(tags)];
}

/**
 * What the destination holds, asked in that order: the content tag's digest; then, when it has one,
 * the digest of every other tag, else whether the engine holds the image to upload.
 */
export type PushFacts =
  | { extraTags: readonly string[]; contentDigest: string; tagDigests: ReadonlyMap<string, string | undefined> }
  | { extraTags: readonly string[]; contentDigest: undefined; inEngine: boolean };

/**
 * `present`: the destination has the content tag, nothing is uploaded, and only the tags that do not
 * name its digest yet are copied. `upload`: the image is uploaded (rebuilt first when the engine lacks
 * it: a remote-cache hit on a machine that never built it), then every other tag is copied.
 */
export type PushDecision =
  { kind: 'present'; digest: string; copy: string[] } | { kind: 'upload'; rebuild: boolean; copy: string[] };

/** The registry is the source of truth: a record restored from a cache proves nothing about it. */
export function decidePush(facts: PushFacts): PushDecision {
  if (facts.contentDigest !== undefined) {
    const digest = facts.contentDigest;
    return { kind: 'present', digest, copy: facts.extraTags.filter((tag) => facts.tagDigests.get(tag) !== digest) };
  }
  // After a fresh upload no other tag can name the new digest yet: they are copied without asking.
  return { kind: 'upload', rebuild: !facts.inEngine, copy: [...facts.extraTags] };
}
