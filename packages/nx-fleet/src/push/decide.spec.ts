import { describe, expect, it } from 'vitest';
import { decidePush, pushTags, type PushDecision, type PushFacts } from './decide';

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
const extraTags = ['0123456789ab', 'latest'];
const present = (tagDigests: Record<string, string | undefined>): PushFacts => ({
  extraTags,
  contentDigest: DIGEST,
  tagDigests: new Map(Object.entries(tagDigests)),
});

describe('decidePush', () => {
  it.each<[string, PushFacts, PushDecision]>([
    [
      'the registry has the content tag and every tag names its digest: nothing to do',
      present({ '0123456789ab': DIGEST, latest: DIGEST }),
      { kind: 'present', digest: DIGEST, copy: [] },
    ],
    [
      'the registry has the content tag; a missing tag and one naming another digest are copied',
      present({ '0123456789ab': undefined, latest: OTHER }),
      { kind: 'present', digest: DIGEST, copy: ['0123456789ab', 'latest'] },
    ],
    [
      'the registry has the content tag; only the tag that moved is copied',
      present({ '0123456789ab': DIGEST, latest: OTHER }),
      { kind: 'present', digest: DIGEST, copy: ['latest'] },
    ],
    [
      'the registry lacks the content tag and the engine has the image: upload, copy every tag',
      { extraTags, contentDigest: undefined, inEngine: true },
      { kind: 'upload', rebuild: false, copy: extraTags },
    ],
    [
      'the registry lacks it and so does the engine (a remote-cache hit): rebuild, upload, copy every tag',
      { extraTags, contentDigest: undefined, inEngine: false },
      { kind: 'upload', rebuild: true, copy: extraTags },
    ],
    [
      'only the content tag: nothing to copy either way',
      { extraTags: [], contentDigest: undefined, inEngine: true },
      { kind: 'upload', rebuild: false, copy: [] },
    ],
  ])('%s', (_case, facts, decision) => {
    expect(decidePush(facts)).toEqual(decision);
  });
});
