import { describe, expect, it } from 'vitest';
import { decidePush, pushTags, stepName, type PushDecision, type PushFacts, type PushStep } from './decide';

const sha = '0123456789abcdef0123456789abcdef01234567';

describe('pushTags', () => {
  it('puts the content tag first, then the short sha', () => {
    expect(pushTags('ct-abc', sha, {})).toEqual(['ct-abc', '0123456789ab']);
  });

  it('adds extra tags after them and latest last, only when asked', () => {
    expect(pushTags('ct-abc', sha, { tags: ['v1.2.3', 'stable'], latest: true })).toEqual([
      'ct-abc',
      '0123456789ab',
      'v1.2.3',
      'stable',
      'latest',
    ]);
    expect(pushTags('ct-abc', sha, { tags: ['v1.2.3'], latest: false })).toEqual(['ct-abc', '0123456789ab', 'v1.2.3']);
    expect(pushTags('ct-abc', sha, { tags: ['v1.2.3'] })).not.toContain('latest');
  });

  it('has no sha tag outside git', () => {
    expect(pushTags('ct-abc', undefined, { latest: true })).toEqual(['ct-abc', 'latest']);
  });

  it('drops duplicates, keeping the first position', () => {
    expect(pushTags('ct-abc', sha, { tags: ['latest', 'ct-abc', '0123456789ab', 'v1', 'v1'], latest: true })).toEqual([
      'ct-abc',
      '0123456789ab',
      'latest',
      'v1',
    ]);
  });
});

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'0'.repeat(64)}`;
const COMMIT = '0123456789ab';
const extraTags = [COMMIT, 'latest'];
const facts = (over: Partial<PushFacts>): PushFacts => ({
  extraTags,
  contentDigest: DIGEST,
  tagDigests: new Map(),
  inEngine: true,
  attachments: [],
  ...over,
});
const tags = (digests: Record<string, string | undefined>) => new Map(Object.entries(digests));
const record = { step: 'record' } as const;

describe('decidePush: exactly the missing steps, then the record', () => {
  it.each<[string, PushFacts, PushDecision]>([
    [
      'fresh: nothing there, the engine holds the image: upload, every tag, every attachment, record',
      facts({ contentDigest: undefined, attachments: [{ kind: 'sbom' }, { kind: 'signature' }] }),
      {
        steps: [
          { step: 'upload', rebuild: false },
          { step: 'tag', tag: COMMIT },
          { step: 'tag', tag: 'latest' },
          { step: 'sbom' },
          { step: 'signature' },
          record,
        ],
      },
    ],
    [
      'fresh after a remote-cache hit (the engine lacks the image): rebuild first',
      facts({ contentDigest: undefined, inEngine: false, extraTags: [] }),
      { steps: [{ step: 'upload', rebuild: true }, record] },
    ],
    [
      'half-done: the content tag is there, the commit tag missing: only the tag copy',
      facts({ tagDigests: tags({ [COMMIT]: undefined, latest: DIGEST }) }),
      { digest: DIGEST, steps: [{ step: 'tag', tag: COMMIT }, record] },
    ],
    [
      'everything present and right: record only',
      facts({
        tagDigests: tags({ [COMMIT]: DIGEST, latest: DIGEST }),
        attachments: [
          { kind: 'sbom', present: true },
          { kind: 'signature', present: true },
        ],
      }),
      { digest: DIGEST, steps: [record] },
    ],
    [
      'a tag pointing at another digest: moved, saying from where',
      facts({ tagDigests: tags({ [COMMIT]: DIGEST, latest: OTHER }) }),
      { digest: DIGEST, steps: [{ step: 'tag', tag: 'latest', moved: OTHER }, record] },
    ],
    [
      'fresh, with latest naming the previous image: uploaded, then latest moved from it',
      facts({ contentDigest: undefined, tagDigests: tags({ latest: OTHER }) }),
      {
        steps: [
          { step: 'upload', rebuild: false },
          { step: 'tag', tag: COMMIT },
          { step: 'tag', tag: 'latest', moved: OTHER },
          record,
        ],
      },
    ],
    [
      'half-done: tags right, the SBOM attached, the signature missing: only the signature',
      facts({
        tagDigests: tags({ [COMMIT]: DIGEST, latest: DIGEST }),
        attachments: [
          { kind: 'sbom', present: true },
          { kind: 'signature', present: false },
        ],
      }),
      { digest: DIGEST, steps: [{ step: 'signature' }, record] },
    ],
    [
      'a signature nx-fleet cannot read (cosign): signed again',
      facts({ tagDigests: tags({ [COMMIT]: DIGEST, latest: DIGEST }), attachments: [{ kind: 'signature' }] }),
      { digest: DIGEST, steps: [{ step: 'signature' }, record] },
    ],
    [
      'only the content tag, nothing wanted: record only',
      facts({ extraTags: [] }),
      { digest: DIGEST, steps: [record] },
    ],
  ])('%s', (_case, given, decision) => {
    expect(decidePush(given)).toEqual(decision);
  });

  it('names the steps as errors and the log do', () => {
    expect(
      [{ step: 'upload', rebuild: false }, { step: 'tag', tag: COMMIT, moved: OTHER }, { step: 'sbom' }, record].map(
        (step) => stepName(step as PushStep),
      ),
    ).toEqual(['upload', `tag ${COMMIT}`, 'sbom', 'record']);
  });
});
