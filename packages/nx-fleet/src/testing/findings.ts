import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AllowlistEntry } from '../supply-chain/allowlist';
import type { Finding } from '../supply-chain/findings';

/** A real scanner report kept next to this file, parsed. */
export const reportFixture = (name: 'trivy-report.json' | 'grype-report.json'): unknown =>
  JSON.parse(readFileSync(join(__dirname, name), 'utf8'));

/** CVE-2024-2961 in libc6 as both fixture reports describe it; each scanner adds its own url and target. */
export const LIBC6_ICONV: Finding = {
  id: 'CVE-2024-2961',
  severity: 'HIGH',
  package: 'libc6',
  installed: '2.36-9+deb12u4',
  fixedIn: '2.36-9+deb12u7',
  fixable: true,
};

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
