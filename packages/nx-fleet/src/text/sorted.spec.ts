import { describe, expect, it } from 'vitest';
import { withPrefix } from './sorted';

describe('withPrefix', () => {
  const files = ['a.txt', 'libs/a/x.ts', 'libs/a/y.ts', 'libs/ab/z.ts', 'libs/b/x.ts', 'z'];
  const self = (s: string) => s;

  it('finds exactly the items under a prefix, wherever they are in the list', () => {
    expect(withPrefix(files, 'libs/a/', self)).toEqual(['libs/a/x.ts', 'libs/a/y.ts']);
    expect(withPrefix(files, 'libs/', self)).toEqual(['libs/a/x.ts', 'libs/a/y.ts', 'libs/ab/z.ts', 'libs/b/x.ts']);
    expect(withPrefix(files, 'a.txt', self)).toEqual(['a.txt']);
    expect(withPrefix(files, '', self)).toEqual(files);
    expect(withPrefix(files, 'libs/c/', self)).toEqual([]);
    expect(withPrefix([], 'x', self)).toEqual([]);
  });

  it('reads the key of objects', () => {
    expect(withPrefix([{ file: 'a/1' }, { file: 'b/1' }], 'b/', (f) => f.file)).toEqual([{ file: 'b/1' }]);
  });
});
