import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dedupeFindings,
  evaluateGate,
  formatFindingsTable,
  parseAllowlist,
  parseGrypeReport,
  parseTrivyReport,
  type AllowlistEntry,
  type Finding,
} from './severity-gate';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', 'testing', name), 'utf8'));

function finding(overrides: Partial<Finding> = {}): Finding {
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

function entry(overrides: Partial<AllowlistEntry> = {}): AllowlistEntry {
  return {
    id: 'CVE-2024-0001',
    reason: 'only reachable through a disabled code path',
    expires: '2026-12-31',
    ...overrides,
  };
}

const NOW = new Date('2026-06-01T12:00:00Z');
const gate = (options: Partial<Parameters<typeof evaluateGate>[0]> & { findings: Finding[] }) =>
  evaluateGate({ service: 'orders', now: NOW, ...options });
const ids = (findings: Finding[]): string[] => findings.map((f) => f.id);

describe('parseTrivyReport', () => {
  it('reads every vulnerability of every result (real Trivy report format)', () => {
    const findings = parseTrivyReport(fixture('trivy-report.json'));

    // 10 OS + 5 Node.js; the Python (null) and grpc_health_probe (no key) results add none.
    expect(findings).toHaveLength(15);
    expect(findings[0]).toEqual({
      id: 'CVE-2024-2961',
      severity: 'HIGH',
      package: 'libc6',
      installed: '2.36-9+deb12u4',
      fixedIn: '2.36-9+deb12u7',
      fixable: true,
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
    const findings = parseTrivyReport(fixture('trivy-report.json'));
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

describe('parseGrypeReport', () => {
  it('reads every match (real Grype report format)', () => {
    const findings = parseGrypeReport(fixture('grype-report.json'));

    expect(findings).toHaveLength(10);
    expect(findings.find((f) => f.package === 'libc6')).toEqual({
      id: 'CVE-2024-2961',
      severity: 'HIGH',
      package: 'libc6',
      installed: '2.36-9+deb12u4',
      fixedIn: '2.36-9+deb12u7',
      fixable: true,
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
    const findings = parseGrypeReport(fixture('grype-report.json'));
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
      [entry(), { id: 'CVE-2024-9', reason: '  ', expires: '2026-12-31' }],
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

describe('evaluateGate', () => {
  const critical = finding({ id: 'CVE-2024-0100', severity: 'CRITICAL' });
  const high = finding({ id: 'CVE-2024-0200', severity: 'HIGH' });
  const medium = finding({ id: 'CVE-2024-0300', severity: 'MEDIUM' });
  const low = finding({ id: 'CVE-2024-0400', severity: 'LOW' });
  const unknown = finding({ id: 'CVE-2024-0500', severity: 'UNKNOWN' });
  const all = [low, high, unknown, medium, critical];

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
    const allow = entry({ id: 'CVE-2024-0200' });
    const result = gate({ findings: [high, medium], allowlist: [allow] });
    expect(result.passed).toBe(true);
    expect(result.failing).toEqual([]);
    expect(result.allowed).toEqual([{ finding: high, entry: allow }]);
    expect(result.expired).toEqual([]);
  });

  it('matches allowlist ids case-insensitively and only by id', () => {
    expect(gate({ findings: [high], allowlist: [entry({ id: 'cve-2024-0200' })] }).passed).toBe(true);
    expect(gate({ findings: [high], allowlist: [entry({ id: 'CVE-2024-0201' })] }).passed).toBe(false);
  });

  it('ignores an allowlist entry scoped to another service', () => {
    const elsewhere = entry({ id: 'CVE-2024-0200', services: ['billing'] });
    const result = gate({ findings: [high], allowlist: [elsewhere] });
    expect(result.passed).toBe(false);
    expect(result.allowed).toEqual([]);
    expect(
      gate({ findings: [high], allowlist: [entry({ id: 'CVE-2024-0200', services: ['billing', 'orders'] })] }).passed,
    ).toBe(true);
  });

  it('fails on a finding whose allowlist entry has expired, and reports the entry', () => {
    const lapsed = entry({ id: 'CVE-2024-0200', expires: '2026-05-31' });
    const result = gate({ findings: [high], allowlist: [lapsed] });
    expect(result.passed).toBe(false);
    expect(result.failing).toEqual([high]);
    expect(result.allowed).toEqual([]);
    expect(result.expired).toEqual([lapsed]);
  });

  it('holds an entry through its expiry day (UTC) and lapses it at midnight', () => {
    const allow = [entry({ id: 'CVE-2024-0200', expires: '2026-06-01' })];
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
    const lapsed = entry({ id: 'CVE-2024-0200', expires: '2025-01-01' });
    const renewed = entry({ id: 'CVE-2024-0200', expires: '2027-01-01' });
    const result = gate({ findings: [high], allowlist: [lapsed, renewed] });
    expect(result.passed).toBe(true);
    expect(result.allowed).toEqual([{ finding: high, entry: renewed }]);
    expect(result.expired).toEqual([lapsed]);
  });

  it('reports an expired entry that matches nothing without failing', () => {
    const stale = entry({ id: 'CVE-2019-9999', expires: '2025-01-01' });
    const result = gate({ findings: [medium], allowlist: [stale] });
    expect(result.passed).toBe(true);
    expect(result.expired).toEqual([stale]);
  });

  it('does not fail on an expired entry whose finding is below the threshold', () => {
    const result = gate({ findings: [medium], allowlist: [entry({ id: medium.id, expires: '2025-01-01' })] });
    expect(result.passed).toBe(true);
    expect(result.belowThreshold).toEqual([medium]);
    expect(result.expired).toHaveLength(1);
  });

  it('leaves out expired entries that belong to other services', () => {
    expect(
      gate({ findings: [], allowlist: [entry({ expires: '2025-01-01', services: ['billing'] })] }).expired,
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
    const findings = parseTrivyReport(fixture('trivy-report.json'));
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
    const result = gate({ findings: parseGrypeReport(fixture('grype-report.json')) });
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
