import { describe, expect, it } from 'vitest';
import { pushTags } from './executor';

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
