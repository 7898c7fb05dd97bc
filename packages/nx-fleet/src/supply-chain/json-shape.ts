/** Reading JSON written by others (scanner reports, the allowlist): each problem named by where it is. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function requiredString(
  record: Record<string, unknown>,
  key: string,
  at: string,
  fail: (problem: string) => Error,
): string {
  const value = optionalString(record[key]);
  if (value === undefined)
    throw fail(`${at}.${key} is ${typeof record[key] === 'string' ? 'empty' : describeValue(record[key])}`);
  return value;
}

/** Drops undefined optional fields so parsed values serialise (scan.json) and compare without noise. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
