import { describe, expect, it } from 'vitest';
import { listed } from './listed';

describe('listed', () => {
  it('names every item up to the limit, then counts the rest', () => {
    expect(listed(['a'])).toBe('a');
    expect(listed(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(listed(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });
});
