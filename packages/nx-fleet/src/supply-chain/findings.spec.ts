import { describe, expect, it } from 'vitest';
import { finding, ids } from '../testing/findings';
import { dedupeFindings, formatFindingsTable } from './findings';

describe('dedupeFindings', () => {
  it('keeps the worst severity and any fix among copies', () => {
    const merged = dedupeFindings([
      finding({ severity: 'MEDIUM', fixedIn: undefined, fixable: false, title: undefined }),
      finding({ severity: 'HIGH', fixedIn: '1.0.2', fixable: true, title: 'overflow' }),
    ]);
    expect(merged).toEqual([finding({ severity: 'HIGH', fixedIn: '1.0.2', fixable: true, title: 'overflow' })]);
  });
});

describe('formatFindingsTable', () => {
  it('aligns the columns and sorts by severity, then id', () => {
    const table = formatFindingsTable([
      finding({
        id: 'CVE-2024-45296',
        severity: 'HIGH',
        package: 'path-to-regexp',
        installed: '0.1.7',
        fixedIn: '0.1.10',
      }),
      finding({
        id: 'CVE-2023-45853',
        severity: 'CRITICAL',
        package: 'zlib1g',
        installed: '1:1.2.13.dfsg-1',
        fixedIn: undefined,
        fixable: false,
      }),
      finding({
        id: 'CVE-2024-2961',
        severity: 'HIGH',
        package: 'libc6',
        installed: '2.36-9+deb12u4',
        fixedIn: '2.36-9+deb12u7',
      }),
      finding({
        id: 'CVE-2024-0727',
        severity: 'MEDIUM',
        package: 'libssl3',
        installed: '3.0.11-1~deb12u2',
        fixedIn: '3.0.13-1~deb12u1',
      }),
    ]);
    expect(table).toBe(
      [
        'ID              SEVERITY  PACKAGE         INSTALLED         FIXED IN',
        'CVE-2023-45853  CRITICAL  zlib1g          1:1.2.13.dfsg-1   -',
        'CVE-2024-2961   HIGH      libc6           2.36-9+deb12u4    2.36-9+deb12u7',
        'CVE-2024-45296  HIGH      path-to-regexp  0.1.7             0.1.10',
        'CVE-2024-0727   MEDIUM    libssl3         3.0.11-1~deb12u2  3.0.13-1~deb12u1',
      ].join('\n'),
    );
  });

  it("does not reorder the caller's array", () => {
    const findings = [finding({ id: 'B', severity: 'LOW' }), finding({ id: 'A', severity: 'CRITICAL' })];
    formatFindingsTable(findings);
    expect(ids(findings)).toEqual(['B', 'A']);
  });

  it('is just the header when there is nothing to show', () => {
    expect(formatFindingsTable([])).toBe('ID  SEVERITY  PACKAGE  INSTALLED  FIXED IN');
  });
});
