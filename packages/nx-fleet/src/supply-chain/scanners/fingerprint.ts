import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Env } from '../../io/ports';

/**
 * What a cached scan result depends on besides the image: which scanner binaries would run, the
 * date of the vulnerability databases they would read, and a time bucket. A new scanner release, a
 * refreshed database or the end of the bucket changes the scan's hash, so a cached pass never hides
 * newly published vulnerabilities for longer than the bucket.
 *
 * Computed without running the scanners: `trivy --version` takes seconds, and Nx computes this on
 * every command whose task graph holds a scan.
 */
export function scannerFingerprint(
  maxAgeMs: number,
  // Nx runs this alone as a runtime input (`node -e`, see scanInputs): no executor hands it ports,
  // and loading io/ports (with @nx/devkit) would slow every command down.
  // eslint-disable-next-line no-restricted-properties
  env: Env = process.env,
  now = Date.now(),
): string {
  const home = env['HOME'] || homedir();
  const trivyCache = env['TRIVY_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(home, '.cache'), 'trivy');
  const grypeCache = env['GRYPE_DB_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(home, '.cache'), 'grype', 'db');
  return [
    `bucket=${Math.floor(now / Math.max(1, maxAgeMs))}`,
    `trivy=${binaryStamp(env['FLEET_TRIVY'] || onPath('trivy', env))}`,
    `trivy-db=${dbDate(join(trivyCache, 'db', 'metadata.json'), 'UpdatedAt')}`,
    `grype=${binaryStamp(onPath('grype', env))}`,
    // grype keeps one database file per schema version and replaces it on update.
    ...['5', '6'].map((schema) => `grype-db-v${schema}=${binaryStamp(join(grypeCache, schema, 'vulnerability.db'))}`),
  ].join(' ');
}

function onPath(name: string, env: Env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (binaryStamp(candidate) !== 'none') return candidate;
  }
  return undefined;
}

/** Size and modification time identify a scanner build (or a database file) well enough, without running it. */
function binaryStamp(file: string | undefined): string {
  if (!file) return 'none';
  try {
    const stat = statSync(file);
    return stat.isFile() ? `${file}:${stat.size}:${Math.floor(stat.mtimeMs)}` : 'none';
  } catch {
    return 'none';
  }
}

function dbDate(file: string, field: string): string {
  try {
    const value = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : 'unknown';
  } catch {
    return 'none';
  }
}
