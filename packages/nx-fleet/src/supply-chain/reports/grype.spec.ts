import { describe, expect, it } from 'vitest';
import { LIBC6_ICONV, reportFixture } from '../../testing/findings';
import { parseGrypeReport } from './grype';

describe('parseGrypeReport', () => {
  it('reads every match (real Grype report format)', () => {
    const findings = parseGrypeReport(reportFixture('grype-report.json'));

    expect(findings).toHaveLength(10);
    expect(findings.find((f) => f.package === 'libc6')).toEqual({
      ...LIBC6_ICONV,
      url: 'https://security-tracker.debian.org/tracker/CVE-2024-2961',
      target: '/usr/share/doc/libc6/copyright',
    });
    expect(findings.find((f) => f.package === 'ws')).toMatchObject({
      id: 'GHSA-3h5v-q93c-6h6q',
      severity: 'HIGH',
      fixedIn: '8.17.1',
      target: '/usr/src/app/node_modules/ws/package.json',
    });
  });

  it('maps Negligible to LOW, Unknown to UNKNOWN, and wont-fix/not-fixed/unknown to unfixable (real Grype report format)', () => {
    const findings = parseGrypeReport(reportFixture('grype-report.json'));
    expect(findings.find((f) => f.package === 'apt')).toMatchObject({ severity: 'LOW', fixable: false });
    expect(findings.find((f) => f.package === 'libexpat1')).toMatchObject({ severity: 'UNKNOWN', fixable: false });
    const zlib = findings.find((f) => f.package === 'zlib1g');
    expect(zlib).toMatchObject({ severity: 'CRITICAL', fixable: false });
    expect(zlib).not.toHaveProperty('fixedIn');
  });

  it('joins several fix versions and falls back to the first url without a dataSource', () => {
    const [only] = parseGrypeReport({
      matches: [
        {
          vulnerability: {
            id: 'GHSA-x',
            severity: 'Medium',
            urls: ['https://example.test/a'],
            fix: { versions: ['1.2.4', '2.0.1'], state: 'fixed' },
          },
          artifact: { name: 'p', version: '1.2.3', type: 'npm' },
        },
      ],
    });
    expect(only).toEqual({
      id: 'GHSA-x',
      severity: 'MEDIUM',
      package: 'p',
      installed: '1.2.3',
      fixedIn: '1.2.4, 2.0.1',
      fixable: true,
      url: 'https://example.test/a',
    });
  });

  it.each([
    ['a string', 'report', /expected a Grype JSON report \(`grype -o json`\), but got a string/],
    ['a Trivy report', { SchemaVersion: 2, Results: [] }, /looks like a Trivy report.*scanner/],
    ['no matches', { source: {}, descriptor: { name: 'grype', version: '0.80.1' } }, /has no "matches" array/],
    ['another tool', { matches: [], descriptor: { name: 'syft' } }, /written by "syft"/],
    [
      'a match without an artifact',
      { matches: [{ vulnerability: { id: 'CVE-1', severity: 'High', fix: { versions: [], state: 'unknown' } } }] },
      /matches\[0\]\.artifact is missing/,
    ],
    [
      'an unknown severity',
      { matches: [{ vulnerability: { id: 'CVE-1', severity: 'Severe' }, artifact: { name: 'a', version: '1' } }] },
      /severity is "Severe", not one of Critical, High, Medium, Low, Negligible, Unknown/,
    ],
  ])('rejects %s, naming the expected format', (_, input, message) => {
    expect(() => parseGrypeReport(input)).toThrow(message);
  });
});
