import { describe, expect, it } from 'vitest';
import { allowlistEntry } from '../testing/findings';
import { parseAllowlist } from './allowlist';

describe('parseAllowlist', () => {
  const FILE = '/repo/fleet-allowlist.json';

  it('parses entries, with and without services', () => {
    const text = JSON.stringify([
      { id: 'CVE-2024-1234', reason: 'not reachable', expires: '2026-12-31', services: ['orders'] },
      { id: ' GHSA-9wv6-86v2-598j ', reason: 'router unused', expires: '2027-01-15' },
    ]);
    expect(parseAllowlist(text, FILE)).toEqual([
      { id: 'CVE-2024-1234', reason: 'not reachable', expires: '2026-12-31', services: ['orders'] },
      { id: 'GHSA-9wv6-86v2-598j', reason: 'router unused', expires: '2027-01-15' },
    ]);
    expect(parseAllowlist('[]', FILE)).toEqual([]);
  });

  it('names the file for invalid JSON and for a non-array', () => {
    expect(() => parseAllowlist('[{ "id": ', FILE)).toThrow(
      /^nx-fleet: \/repo\/fleet-allowlist\.json is not valid JSON \(.+\)\. An allowlist is a JSON array like \[\{ "id": "CVE-2024-1234"/,
    );
    expect(() => parseAllowlist('{"CVE-2024-1234": "ok"}', FILE)).toThrow(
      'nx-fleet: /repo/fleet-allowlist.json must be a JSON array of allowlist entries',
    );
  });

  it.each([
    ['not an object', ['CVE-2024-1234'], /allowlist entry 0 is a string; each entry must be an object like/],
    ['no id', [{ reason: 'r', expires: '2026-12-31' }], /allowlist entry 0 needs a non-empty "id"/],
    [
      'an empty reason',
      [allowlistEntry(), { id: 'CVE-2024-9', reason: '  ', expires: '2026-12-31' }],
      /allowlist entry 1 \("CVE-2024-9"\) needs a non-empty "reason"/,
    ],
    [
      'no expires',
      [{ id: 'CVE-1', reason: 'r' }],
      /entry 0 \("CVE-1"\) needs "expires" as a date YYYY-MM-DD \(e\.g\. "2026-12-31"\), but it is missing/,
    ],
    [
      'a non-ISO expires',
      [{ id: 'CVE-1', reason: 'r', expires: '31/12/2026' }],
      /needs "expires" as a date YYYY-MM-DD.*but it is "31\/12\/2026"/,
    ],
    [
      'an impossible date',
      [{ id: 'CVE-1', reason: 'r', expires: '2026-02-30' }],
      /"expires": "2026-02-30", which is not a calendar date; use a real YYYY-MM-DD date/,
    ],
    [
      'empty services',
      [{ id: 'CVE-1', reason: 'r', expires: '2026-12-31', services: [] }],
      /"services" that is not a non-empty array of project names; .*omit "services" to cover every service/,
    ],
    [
      'a misspelt key',
      [{ id: 'CVE-1', reason: 'r', expires: '2026-12-31', service: 'orders' }],
      /has unknown key "service"; the keys are id, reason, expires, services/,
    ],
  ])('rejects an entry with %s, naming the file and the index', (_, data, message) => {
    expect(() => parseAllowlist(JSON.stringify(data), FILE)).toThrow(message);
    expect(() => parseAllowlist(JSON.stringify(data), FILE)).toThrow(
      /^nx-fleet: \/repo\/fleet-allowlist\.json: allowlist entry \d/,
    );
  });
});
