import { describe, expect, it } from 'vitest';
import { LIBC6_ICONV, reportFixture } from '../../testing/findings';
import { parseTrivyReport } from './trivy';

describe('parseTrivyReport', () => {
  it('reads every vulnerability of every result (real Trivy report format)', () => {
    const findings = parseTrivyReport(reportFixture('trivy-report.json'));

    // 10 OS + 5 Node.js; the Python (null) and grpc_health_probe (no key) results add none.
    expect(findings).toHaveLength(15);
    expect(findings[0]).toEqual({
      ...LIBC6_ICONV,
      title: 'glibc: Out of bounds write in iconv may lead to remote code execution',
      url: 'https://avd.aquasec.com/nvd/cve-2024-2961',
      target: 'ghcr.io/acme/orders:3f9c2e1a (debian 12.5)',
    });
    expect(findings.find((f) => f.package === 'path-to-regexp')).toMatchObject({
      fixedIn: '1.9.0, 0.1.10, 8.0.0, 3.3.0, 6.3.0',
      fixable: true,
      target: 'Node.js',
    });
  });

  it('marks affected and fix_deferred vulnerabilities as unfixable (real Trivy report format)', () => {
    const findings = parseTrivyReport(reportFixture('trivy-report.json'));
    const zlib = findings.find((f) => f.package === 'zlib1g');
    expect(zlib).toMatchObject({ id: 'CVE-2023-45853', severity: 'CRITICAL', fixable: false });
    expect(zlib).not.toHaveProperty('fixedIn');
    expect(findings.find((f) => f.package === 'apt')).toMatchObject({ severity: 'LOW', fixable: false });
    expect(findings.find((f) => f.package === 'libgssapi-krb5-2')).toMatchObject({
      severity: 'MEDIUM',
      fixable: false,
    });
    expect(findings.find((f) => f.package === 'libexpat1')).toMatchObject({ severity: 'UNKNOWN', fixable: true });
    expect(
      findings
        .filter((f) => !f.fixable)
        .map((f) => f.package)
        .sort(),
    ).toEqual(['apt', 'bash', 'bsdutils', 'libgssapi-krb5-2', 'zlib1g']);
  });

  it('lets Status overrule FixedVersion, and trusts FixedVersion in reports from before Trivy wrote Status', () => {
    const report = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 't',
          Vulnerabilities: [
            { VulnerabilityID: 'CVE-1', PkgName: 'a', InstalledVersion: '1', FixedVersion: '2', Severity: 'HIGH' },
            { VulnerabilityID: 'CVE-2', PkgName: 'b', InstalledVersion: '1', Severity: 'HIGH' },
            {
              VulnerabilityID: 'CVE-3',
              PkgName: 'c',
              InstalledVersion: '1',
              FixedVersion: '2',
              Status: 'will_not_fix',
              Severity: 'HIGH',
            },
          ],
        },
      ],
    };
    const findings = parseTrivyReport(report);
    expect(findings.map((f) => f.fixable)).toEqual([true, false, false]);
    expect(findings[2]!.fixedIn).toBe('2');
  });

  it('accepts a clean report, which has no Results at all', () => {
    expect(
      parseTrivyReport({ SchemaVersion: 2, ArtifactName: 'x', ArtifactType: 'container_image', Metadata: {} }),
    ).toEqual([]);
  });

  it.each([
    ['null', null, /expected a Trivy JSON report \(`trivy image --format json`, SchemaVersion 2\), but got null/],
    ['an array', [], /Trivy JSON report.*got an array/],
    ['a Grype report', { matches: [], descriptor: { name: 'grype' } }, /looks like a Grype report.*scanner/],
    ['SchemaVersion 1', { SchemaVersion: 1, Results: [] }, /"SchemaVersion" is 1/],
    ['no SchemaVersion', { Results: [] }, /has no "SchemaVersion"/],
    ['Results not an array', { SchemaVersion: 2, Results: {} }, /"Results" is an object, not an array/],
    [
      'Vulnerabilities not an array',
      { SchemaVersion: 2, Results: [{ Target: 't', Vulnerabilities: 'none' }] },
      /Results\[0\]\.Vulnerabilities is a string/,
    ],
    [
      'a vulnerability without an id',
      { SchemaVersion: 2, Results: [{ Vulnerabilities: [{ PkgName: 'a', InstalledVersion: '1', Severity: 'LOW' }] }] },
      /Results\[0\]\.Vulnerabilities\[0\]\.VulnerabilityID is missing/,
    ],
    [
      'an unknown severity',
      {
        SchemaVersion: 2,
        Results: [
          { Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'a', InstalledVersion: '1', Severity: 'SEVERE' }] },
        ],
      },
      /Severity is "SEVERE", not one of CRITICAL, HIGH/,
    ],
  ])('rejects %s, naming the expected format', (_, input, message) => {
    expect(() => parseTrivyReport(input)).toThrow(message);
  });
});
