import { describe, expect, it } from 'vitest';
import { formatTable } from './table';

describe('formatTable', () => {
  it('pads every column to its widest cell and trims line ends', () => {
    expect(
      formatTable(
        ['NAME', 'TAG'],
        [
          ['orders', 'ct-1'],
          ['a', 'longer-tag'],
        ],
      ),
    ).toBe(['NAME    TAG', 'orders  ct-1', 'a       longer-tag'].join('\n'));
  });

  it('prints the header alone when there are no rows', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
  });
});
