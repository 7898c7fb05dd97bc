/** Items for a message: all of them up to `max`, else the first `max` and how many more. */
export function listed(items: readonly string[], max = 5): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}
