import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scannerFingerprint } from './fingerprint';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nx-fleet-fingerprint-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: join(dir, 'home'), PATH: join(dir, 'bin'), ...extra };
}
function write(path: string, content: string): string {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  return file;
}
// trivy's real metadata.json (written by trivy next to trivy.db in its cache).
const trivyMetadata = (updatedAt: string) =>
  JSON.stringify({
    Version: 2,
    NextUpdate: '2026-11-23T00:00:00Z',
    UpdatedAt: updatedAt,
    DownloadedAt: '2026-11-22T01:00:00Z',
  });

describe('scannerFingerprint', () => {
  it('stays the same within a bucket when nothing changed, and changes with the next bucket', () => {
    const now = 100 * 24 * HOUR + 5 * HOUR;
    expect(scannerFingerprint(24 * HOUR, env(), now)).toBe(scannerFingerprint(24 * HOUR, env(), now + HOUR));
    expect(scannerFingerprint(24 * HOUR, env(), now)).not.toBe(scannerFingerprint(24 * HOUR, env(), now + 24 * HOUR));
  });

  it('changes when the trivy database is refreshed (its UpdatedAt), read from TRIVY_CACHE_DIR or ~/.cache/trivy', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    write('home/.cache/trivy/db/metadata.json', trivyMetadata('2026-11-22T00:00:00Z'));
    const first = scannerFingerprint(24 * HOUR, env(), now);
    expect(first).toContain('trivy-db=2026-11-22T00:00:00Z');
    write('home/.cache/trivy/db/metadata.json', trivyMetadata('2026-11-22T06:00:00Z'));
    expect(scannerFingerprint(24 * HOUR, env(), now)).not.toBe(first);
    write('custom/db/metadata.json', trivyMetadata('2026-01-01T00:00:00Z'));
    expect(scannerFingerprint(24 * HOUR, env({ TRIVY_CACHE_DIR: join(dir, 'custom') }), now)).toContain(
      'trivy-db=2026-01-01T00:00:00Z',
    );
  });

  it('changes when another trivy binary would run (FLEET_TRIVY, or trivy on PATH replaced)', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    expect(scannerFingerprint(HOUR, env(), now)).toContain('trivy=none');
    const binary = write('bin/trivy', 'v1');
    const first = scannerFingerprint(HOUR, env(), now);
    expect(first).toContain(`trivy=${binary}:2:`);
    write('bin/trivy', 'v2.0');
    utimesSync(binary, new Date(now), new Date(now));
    expect(scannerFingerprint(HOUR, env(), now)).not.toBe(first);
    const pinned = write('elsewhere/trivy-cdxgen', 'x');
    expect(scannerFingerprint(HOUR, env({ FLEET_TRIVY: pinned }), now)).toContain(`trivy=${pinned}:1:`);
  });

  it('changes when the grype database file is replaced, for either schema version', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const before = scannerFingerprint(HOUR, env(), now);
    write('home/.cache/grype/db/6/vulnerability.db', 'db');
    const v6 = scannerFingerprint(HOUR, env(), now);
    expect(v6).not.toBe(before);
    expect(v6).toContain('grype-db-v5=none');
  });

  it('never throws on unreadable metadata: it says so instead', () => {
    write('home/.cache/trivy/db/metadata.json', '{not json');
    expect(scannerFingerprint(HOUR, env(), 0)).toContain('trivy-db=none');
    write('home/.cache/trivy/db/metadata.json', '{"UpdatedAt": 5}');
    expect(scannerFingerprint(HOUR, env(), 0)).toContain('trivy-db=unknown');
  });
});
