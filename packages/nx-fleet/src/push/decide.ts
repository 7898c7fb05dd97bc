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

export type AttachmentKind = 'sbom' | 'signature';

/**
 * What the destination holds, read before anything is written: the content tag's digest, every other
 * tag's digest, and (for the content tag's digest) which of the wanted attachments it already has.
 */
export interface PushFacts {
  /** The tags after the content tag: the commit SHA, the extra tags, `latest`. */
  extraTags: readonly string[];
  /** The content tag's digest; undefined: the destination lacks it. */
  contentDigest: string | undefined;
  /** Every extra tag's digest; a tag not in the map (or undefined) is missing. */
  tagDigests: ReadonlyMap<string, string | undefined>;
  /** Whether the engine holds the verified image to upload; read only when the content tag is missing. */
  inEngine: boolean;
  /**
   * The attachments this push wants (an SBOM the scan wrote, a signature), each with whether the content
   * digest already has it. Undefined `present` (a new upload, or a signature nx-fleet cannot read): not there.
   */
  attachments: ReadonlyArray<{ kind: AttachmentKind; present?: boolean }>;
}

/** One thing a push does; the order of PushDecision.steps is the order they run in. */
export type PushStep =
  | { step: 'upload'; rebuild: boolean }
  /** `moved`: the digest the tag named before (another image); absent: the tag is new. */
  | { step: 'tag'; tag: string; moved?: string }
  | { step: AttachmentKind }
  /** push.json: written last, only when every step before it is done. */
  | { step: 'record' };

export interface PushDecision {
  /** The content tag's digest when the destination has it; after an upload, the engine reports it. */
  digest?: string;
  /** Exactly what is missing, then the record. */
  steps: PushStep[];
}

/**
 * The registry is the source of truth: a record restored from a cache proves nothing about it, and a
 * push that stopped half-way (content tag uploaded, a tag or an attachment missing, no push.json) is
 * completed by the next run doing only what is missing. Nothing is uploaded the destination has.
 */
export function decidePush(facts: PushFacts): PushDecision {
  const digest = facts.contentDigest;
  const steps: PushStep[] = [];
  if (digest === undefined) steps.push({ step: 'upload', rebuild: !facts.inEngine });
  for (const tag of facts.extraTags) {
    const named = facts.tagDigests.get(tag);
    // After an upload the new digest is unknown until the engine reports it: every tag is written.
    if (digest !== undefined && named === digest) continue;
    steps.push(named === undefined ? { step: 'tag', tag } : { step: 'tag', tag, moved: named });
  }
  for (const attachment of facts.attachments) {
    if (digest === undefined || !attachment.present) steps.push({ step: attachment.kind });
  }
  steps.push({ step: 'record' });
  return digest === undefined ? { steps } : { digest, steps };
}

/** How an error and the log name a step: `upload`, `tag <t>`, `sbom`, `signature`, `record`. */
export function stepName(step: PushStep): string {
  return step.step === 'tag' ? `tag ${step.tag}` : step.step;
}
