/**
 * The items of a list sorted by `key` (plain string order) whose key starts with `prefix`, found by
 * bisection: a run over many folders of one large file list costs a search per folder, not a scan.
 */
export function withPrefix<T>(sorted: readonly T[], prefix: string, key: (item: T) => string): readonly T[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (key(sorted[middle]!) < prefix) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < sorted.length && key(sorted[end]!).startsWith(prefix)) end++;
  return sorted.slice(low, end);
}
