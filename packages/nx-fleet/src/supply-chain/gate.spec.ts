import { describe, expect, it } from 'vitest';
import { allowlistEntry, finding, ids, reportFixture } from '../testing/findings';
import { parseAllowlist } from './allowlist';
import type { Finding } from './findings';
import { evaluateGate } from './gate';
import { parseGrypeReport } from './reports/grype';
import { parseTrivyReport } from './reports/trivy';

const NOW = new Date('2026-06-01T12:00:00Z');
const gate = (options: Partial<Parameters<typeof evaluateGate>[0]> & { findings: Finding[] }) =>
  evaluateGate({ service: 'orders', now: NOW, ...options });

describe('evaluateGate', () => {
  const critical = finding({ id: 'CVE-2024-0100', severity: 'CRITICAL' });
  const high = finding({ id: 'CVE-2024-0200', severity: 'HIGH' });
  const medium = finding({ id: 'CVE-2024-0300', severity: 'MEDIUM' });
  const low = finding({ id: 'CVE-2024-0400', severity: 'LOW' });
  const unknown = finding({ id: 'CVE-2024-0500', severity: 'UNKNOWN' });
  const all = [low, high, unknown, medium, critical];

  type Bucket = 'failing' | 'allowed' | 'ignoredUnfixed' | 'belowThreshold';
  const bucketOf = (result: ReturnType<typeof evaluateGate>): Bucket[] =>
    (['failing', 'allowed', 'ignoredUnfixed', 'belowThreshold'] as const).filter((bucket) => result[bucket].length > 0);

  it.each<[string, Bucket, Partial<Finding>, Partial<Parameters<typeof evaluateGate>[0]>]>([
    ['at the threshold', 'failing', { severity: 'HIGH' }, {}],
    ['above the threshold', 'failing', { severity: 'CRITICAL' }, {}],
    ['below the threshold', 'belowThreshold', { severity: 'MEDIUM' }, {}],
    ['at a lowered threshold', 'failing', { severity: 'LOW' }, { threshold: 'LOW' }],
    ['below a raised threshold', 'belowThreshold', { severity: 'HIGH' }, { threshold: 'CRITICAL' }],
    ['without a fix', 'failing', { fixable: false, fixedIn: undefined }, {}],
    [
      'without a fix, with ignoreUnfixed',
      'ignoredUnfixed',
      { fixable: false, fixedIn: undefined },
      { ignoreUnfixed: true },
    ],
    [
      'below the threshold without a fix, with ignoreUnfixed',
      'belowThreshold',
      { severity: 'LOW', fixable: false },
      { ignoreUnfixed: true },
    ],
    ['with a fix, with ignoreUnfixed', 'failing', {}, { ignoreUnfixed: true }],
    [
      'without a fix and allowlisted, with ignoreUnfixed',
      'ignoredUnfixed',
      { fixable: false },
      { ignoreUnfixed: true, allowlist: [allowlistEntry()] },
    ],
    ['allowlisted', 'allowed', {}, { allowlist: [allowlistEntry()] }],
    ['allowlisted in lower case', 'allowed', {}, { allowlist: [allowlistEntry({ id: 'cve-2024-0001' })] }],
    ['allowlisted for this service', 'allowed', {}, { allowlist: [allowlistEntry({ services: ['orders'] })] }],
    ['allowlisted for another service', 'failing', {}, { allowlist: [allowlistEntry({ services: ['billing'] })] }],
    ['allowlisted until today', 'allowed', {}, { allowlist: [allowlistEntry({ expires: '2026-06-01' })] }],
    ['allowlisted until yesterday', 'failing', {}, { allowlist: [allowlistEntry({ expires: '2026-05-31' })] }],
  ])('puts one finding %s in %s', (_case, bucket, overrides, options) => {
    const result = gate({ findings: [finding(overrides)], ...options });
    expect(bucketOf(result)).toEqual([bucket]);
    expect(result.passed).toBe(bucket !== 'failing');
  });

  it('passes when every finding is below the threshold', () => {
    const result = gate({ findings: [medium, low, unknown] });
    expect(result).toEqual({
      passed: true,
      failing: [],
      allowed: [],
      ignoredUnfixed: [],
      belowThreshold: [medium, low, unknown],
      expired: [],
    });
  });

  it('fails on findings at or above the default HIGH threshold, worst first', () => {
    const result = gate({ findings: all });
    expect(result.passed).toBe(false);
    expect(ids(result.failing)).toEqual(['CVE-2024-0100', 'CVE-2024-0200']);
    expect(ids(result.belowThreshold)).toEqual(['CVE-2024-0300', 'CVE-2024-0400', 'CVE-2024-0500']);
  });

  it('with threshold CRITICAL fails only on CRITICAL', () => {
    expect(gate({ findings: [high, medium], threshold: 'CRITICAL' }).passed).toBe(true);
    const result = gate({ findings: all, threshold: 'CRITICAL' });
    expect(result.passed).toBe(false);
    expect(ids(result.failing)).toEqual(['CVE-2024-0100']);
  });

  it('with threshold MEDIUM fails on MEDIUM too', () => {
    const result = gate({ findings: all, threshold: 'MEDIUM' });
    expect(ids(result.failing)).toEqual(['CVE-2024-0100', 'CVE-2024-0200', 'CVE-2024-0300']);
    expect(gate({ findings: [medium], threshold: 'MEDIUM' }).passed).toBe(false);
    expect(gate({ findings: [low, unknown], threshold: 'MEDIUM' }).passed).toBe(true);
  });

  it('with threshold UNKNOWN fails on everything', () => {
    expect(gate({ findings: all, threshold: 'UNKNOWN' }).failing).toHaveLength(5);
  });

  it('rejects a threshold that is not a severity', () => {
    expect(() => gate({ findings: all, threshold: 'high' as never })).toThrow(
      'nx-fleet: threshold is "high"; use one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN.',
    );
  });

  it('with ignoreUnfixed sets aside findings that have no fix, and only those', () => {
    const unfixed = finding({ id: 'CVE-2024-0600', severity: 'CRITICAL', fixedIn: undefined, fixable: false });
    expect(gate({ findings: [unfixed] }).passed).toBe(false);

    const result = gate({
      findings: [unfixed, high, finding({ id: 'CVE-2024-0700', severity: 'LOW', fixable: false })],
      ignoreUnfixed: true,
    });
    expect(result.passed).toBe(false);
    expect(ids(result.failing)).toEqual(['CVE-2024-0200']);
    expect(ids(result.ignoredUnfixed)).toEqual(['CVE-2024-0600']);
    expect(ids(result.belowThreshold)).toEqual(['CVE-2024-0700']);
    expect(gate({ findings: [unfixed], ignoreUnfixed: true }).passed).toBe(true);
  });

  it('passes when a live allowlist entry covers the finding, and says which entry', () => {
    const allow = allowlistEntry({ id: 'CVE-2024-0200' });
    const result = gate({ findings: [high, medium], allowlist: [allow] });
    expect(result.passed).toBe(true);
    expect(result.failing).toEqual([]);
    expect(result.allowed).toEqual([{ finding: high, entry: allow }]);
    expect(result.expired).toEqual([]);
  });

  it('matches allowlist ids case-insensitively and only by id', () => {
    expect(gate({ findings: [high], allowlist: [allowlistEntry({ id: 'cve-2024-0200' })] }).passed).toBe(true);
    expect(gate({ findings: [high], allowlist: [allowlistEntry({ id: 'CVE-2024-0201' })] }).passed).toBe(false);
  });

  it('ignores an allowlist entry scoped to another service', () => {
    const elsewhere = allowlistEntry({ id: 'CVE-2024-0200', services: ['billing'] });
    const result = gate({ findings: [high], allowlist: [elsewhere] });
    expect(result.passed).toBe(false);
    expect(result.allowed).toEqual([]);
    expect(
      gate({ findings: [high], allowlist: [allowlistEntry({ id: 'CVE-2024-0200', services: ['billing', 'orders'] })] })
        .passed,
    ).toBe(true);
  });

  it('fails on a finding whose allowlist entry has expired, and reports the entry', () => {
    const lapsed = allowlistEntry({ id: 'CVE-2024-0200', expires: '2026-05-31' });
    const result = gate({ findings: [high], allowlist: [lapsed] });
    expect(result.passed).toBe(false);
    expect(result.failing).toEqual([high]);
    expect(result.allowed).toEqual([]);
    expect(result.expired).toEqual([lapsed]);
  });

  it('holds an entry through its expiry day (UTC) and lapses it at midnight', () => {
    const allow = [allowlistEntry({ id: 'CVE-2024-0200', expires: '2026-06-01' })];
    expect(
      evaluateGate({ findings: [high], allowlist: allow, service: 'orders', now: new Date('2026-06-01T23:59:59.999Z') })
        .passed,
    ).toBe(true);
    expect(
      evaluateGate({ findings: [high], allowlist: allow, service: 'orders', now: new Date('2026-06-02T00:00:00Z') })
        .passed,
    ).toBe(false);
  });

  it('prefers a live entry over an expired one for the same id', () => {
    const lapsed = allowlistEntry({ id: 'CVE-2024-0200', expires: '2025-01-01' });
    const renewed = allowlistEntry({ id: 'CVE-2024-0200', expires: '2027-01-01' });
    const result = gate({ findings: [high], allowlist: [lapsed, renewed] });
    expect(result.passed).toBe(true);
    expect(result.allowed).toEqual([{ finding: high, entry: renewed }]);
    expect(result.expired).toEqual([lapsed]);
  });

  it('reports an expired entry that matches nothing without failing', () => {
    const stale = allowlistEntry({ id: 'CVE-2019-9999', expires: '2025-01-01' });
    const result = gate({ findings: [medium], allowlist: [stale] });
    expect(result.passed).toBe(true);
    expect(result.expired).toEqual([stale]);
  });

  it('does not fail on an expired entry whose finding is below the threshold', () => {
    const result = gate({ findings: [medium], allowlist: [allowlistEntry({ id: medium.id, expires: '2025-01-01' })] });
    expect(result.passed).toBe(true);
    expect(result.belowThreshold).toEqual([medium]);
    expect(result.expired).toHaveLength(1);
  });

  it('leaves out expired entries that belong to other services', () => {
    expect(
      gate({ findings: [], allowlist: [allowlistEntry({ expires: '2025-01-01', services: ['billing'] })] }).expired,
    ).toEqual([]);
  });

  it('counts the same id, package and version once across results', () => {
    const osCopy = finding({ id: 'CVE-2024-0200', target: 'img (debian 12.5)' });
    const layerCopy = finding({ id: 'CVE-2024-0200', target: 'Node.js' });
    const otherVersion = finding({ id: 'CVE-2024-0200', installed: '2.0.0' });
    const result = gate({ findings: [osCopy, layerCopy, otherVersion] });
    expect(result.failing).toEqual([osCopy, otherVersion]);
  });

  it('gates the real Trivy report (real Trivy report format)', () => {
    const findings = parseTrivyReport(reportFixture('trivy-report.json'));
    const result = gate({ findings });
    expect(result.passed).toBe(false);
    expect(result.failing.map((f) => `${f.severity} ${f.id} ${f.package}`)).toEqual([
      'CRITICAL CVE-2023-45853 zlib1g',
      'HIGH CVE-2024-2961 libc6',
      'HIGH CVE-2024-33599 libc-bin',
      'HIGH CVE-2024-37890 ws',
      'HIGH CVE-2024-45296 path-to-regexp',
    ]);
    // 15 findings, one semver copy merged away, 5 at or above HIGH.
    expect(result.belowThreshold).toHaveLength(9);

    const accepted = gate({
      findings,
      ignoreUnfixed: true,
      allowlist: parseAllowlist(
        JSON.stringify([
          { id: 'CVE-2024-2961', reason: 'no ISO-2022-CN-EXT input', expires: '2026-12-31' },
          { id: 'CVE-2024-33599', reason: 'nscd is not running', expires: '2026-12-31', services: ['orders'] },
          { id: 'CVE-2024-37890', reason: 'ws server behind a header-limiting proxy', expires: '2026-12-31' },
          { id: 'CVE-2024-45296', reason: 'no user-controlled routes', expires: '2026-12-31' },
        ]),
        'fleet-allowlist.json',
      ),
    });
    expect(accepted.passed).toBe(true);
    expect(ids(accepted.ignoredUnfixed)).toEqual(['CVE-2023-45853']);
    expect(accepted.allowed).toHaveLength(4);
  });

  it('gates the real Grype report (real Grype report format)', () => {
    const result = gate({ findings: parseGrypeReport(reportFixture('grype-report.json')) });
    expect(result.passed).toBe(false);
    expect(result.failing.map((f) => `${f.severity} ${f.id}`)).toEqual([
      'CRITICAL CVE-2023-45853',
      'HIGH CVE-2024-2961',
      'HIGH GHSA-3h5v-q93c-6h6q',
      'HIGH GHSA-9wv6-86v2-598j',
    ]);
    expect(result.belowThreshold.filter((f) => f.package === 'semver')).toHaveLength(1);
  });
});
