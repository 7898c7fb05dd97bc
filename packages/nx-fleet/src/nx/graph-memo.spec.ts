import { describe, expect, it } from 'vitest';
import { GraphMemo } from './graph-memo';

describe('GraphMemo', () => {
  it('numbers a set of paths: another order is the same set, a path added or removed is a new one', () => {
    const memo = new GraphMemo();
    const first = memo.filesVersion(['a', 'b', 'c']);
    expect(memo.filesVersion(['a', 'b', 'c'])).toBe(first);
    expect(memo.filesVersion(['c', 'a', 'b'])).toBe(first);
    const added = memo.filesVersion(['c', 'a', 'b', 'd']);
    expect(added).not.toBe(first);
    const renamed = memo.filesVersion(['c', 'a', 'b', 'e']);
    expect(renamed).not.toBe(added);
    // Back to the first set: a new number too (only the last set is remembered), never a wrong equal.
    expect(memo.filesVersion(['a', 'b', 'c'])).not.toBe(renamed);
  });

  it('answers a decision again while its key is the same, per slot', () => {
    const memo = new GraphMemo();
    let computed = 0;
    const decide = (slot: string, key: string) => memo.decision(slot, key, () => `${slot}:${key}:${++computed}`);
    expect(decide('s1', 'k')).toBe('s1:k:1');
    expect(decide('s1', 'k')).toBe('s1:k:1');
    expect(decide('s2', 'k')).toBe('s2:k:2');
    expect(decide('s1', 'k2')).toBe('s1:k2:3');
    expect(decide('s1', 'k')).toBe('s1:k:4');
  });

  it('knows its first graph', () => {
    const memo = new GraphMemo();
    expect([memo.firstAnswer(), memo.firstAnswer(), memo.firstAnswer()]).toEqual([true, false, false]);
  });
});
