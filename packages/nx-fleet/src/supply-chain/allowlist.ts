import { describeValue, isRecord } from './json-shape';

/** Accepted vulnerabilities (fleet-allowlist.json): each with a reason, an expiry date and optionally its services. */

export interface AllowlistEntry {
  id: string;
  reason: string;
  /** `YYYY-MM-DD`; the entry still holds on that day (UTC) and lapses when it ends. */
  expires: string;
  /** Project names; absent means every service. */
  services?: string[];
}

const ALLOWLIST_EXAMPLE =
  '[{ "id": "CVE-2024-1234", "reason": "not reachable: we never parse untrusted XML", "expires": "2026-12-31", "services": ["orders"] }]';
const ALLOWLIST_KEYS = ['id', 'reason', 'expires', 'services'];

export function parseAllowlist(text: string, file: string): AllowlistEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `nx-fleet: ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). An allowlist is a JSON array like ${ALLOWLIST_EXAMPLE}.`,
    );
  }
  if (!Array.isArray(data))
    throw new Error(
      `nx-fleet: ${file} must be a JSON array of allowlist entries like ${ALLOWLIST_EXAMPLE}, but it is ${describeValue(data)}.`,
    );
  return data.map((raw: unknown, index) => parseAllowlistEntry(raw, index, file));
}

function parseAllowlistEntry(raw: unknown, index: number, file: string): AllowlistEntry {
  const named =
    isRecord(raw) && typeof raw['id'] === 'string' && raw['id'].trim() ? ` (${JSON.stringify(raw['id'].trim())})` : '';
  const fail = (problem: string): Error => new Error(`nx-fleet: ${file}: allowlist entry ${index}${named} ${problem}.`);
  if (!isRecord(raw))
    throw fail(`is ${describeValue(raw)}; each entry must be an object like ${ALLOWLIST_EXAMPLE.slice(1, -1)}`);

  // An unknown key is usually a typo ("service", "expiry"); ignoring it could widen an entry to every service.
  const unknown = Object.keys(raw).filter((key) => !ALLOWLIST_KEYS.includes(key));
  if (unknown.length > 0)
    throw fail(
      `has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((key) => JSON.stringify(key)).join(', ')}; the keys are ${ALLOWLIST_KEYS.join(', ')}`,
    );

  const id = typeof raw['id'] === 'string' ? raw['id'].trim() : '';
  if (!id)
    throw fail(
      'needs a non-empty "id": the vulnerability ID as the scanner reports it, e.g. "CVE-2024-1234" or "GHSA-9wv6-86v2-598j"',
    );
  const reason = typeof raw['reason'] === 'string' ? raw['reason'].trim() : '';
  if (!reason)
    throw fail(
      'needs a non-empty "reason" saying why the risk is accepted, so the next reviewer can judge whether it still holds',
    );
  const expires = raw['expires'];
  if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
    throw fail(
      `needs "expires" as a date YYYY-MM-DD (e.g. "2026-12-31"), but it is ${expires === undefined ? 'missing' : JSON.stringify(expires)}`,
    );
  }
  if (endOfDay(expires) === undefined)
    throw fail(`has "expires": ${JSON.stringify(expires)}, which is not a calendar date; use a real YYYY-MM-DD date`);

  const entry: AllowlistEntry = { id, reason, expires };
  if (raw['services'] !== undefined) {
    const services = raw['services'];
    if (
      !Array.isArray(services) ||
      services.length === 0 ||
      !services.every((service) => typeof service === 'string' && service.trim() !== '')
    ) {
      throw fail(
        'has "services" that is not a non-empty array of project names; list the services it covers, or omit "services" to cover every service',
      );
    }
    entry.services = services.map((service: string) => service.trim());
  }
  return entry;
}

/** Entries scoped to other services are not this service's business, not even to report as expired. */
export function appliesTo(entry: AllowlistEntry, service: string): boolean {
  return entry.services === undefined || entry.services.includes(service);
}

/** Whether the entry's last day (UTC) has ended at `nowMs`. */
export function isExpired(entry: AllowlistEntry, nowMs: number): boolean {
  const end = endOfDay(entry.expires);
  if (end === undefined)
    throw new Error(
      `nx-fleet: allowlist entry ${JSON.stringify(entry.id)} has "expires": ${JSON.stringify(entry.expires)}, which is not a YYYY-MM-DD date.`,
    );
  return nowMs >= end;
}

/** Milliseconds at which a `YYYY-MM-DD` day ends in UTC, or undefined for a non-date like 2026-02-30. */
function endOfDay(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches that.
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day)
    return undefined;
  return Date.UTC(year, month - 1, day + 1);
}
