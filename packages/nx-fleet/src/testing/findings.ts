import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AllowlistEntry } from '../supply-chain/allowlist';
import type { Finding } from '../supply-chain/findings';

/** A real scanner report kept next to this file, parsed. */
export const reportFixture = (name: 'trivy-report.json' | 'grype-report.json'): unknown =>
  JSON.parse(readFileSync(join(__dirname, name), 'utf8'));

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'CVE-2024-0001',
    severity: 'HIGH',
    package: 'libfoo',
    installed: '1.0.0',
    fixedIn: '1.0.1',
    fixable: true,
    ...overrides,
  };
}

export function allowlistEntry(overrides: Partial<AllowlistEntry> = {}): AllowlistEntry {
  return {
    id: 'CVE-2024-0001',
    reason: 'only reachable through a disabled code path',
    expires: '2026-12-31',
    ...overrides,
  };
}

export const ids = (findings: readonly Finding[]): string[] => findings.map((f) => f.id);
