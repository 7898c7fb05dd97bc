import { describe, expect, it } from 'vitest';
import { SARIF_SCHEMA, sarifLevel, toSarif } from './sarif';
import { finding, reportFixture } from '../testing/findings';
import { parseGrypeReport } from './reports/grype';
import { parseTrivyReport } from './reports/trivy';

const OPTIONS = { toolName: 'trivy', toolVersion: '0.55.0', artifact: 'ghcr.io/acme/orders:3f9c2e1a' };

describe('toSarif', () => {
  it('builds a SARIF 2.1.0 log with one rule per vulnerability id', () => {
    const log = toSarif(
      [
        finding({
          id: 'CVE-2024-0727',
          severity: 'MEDIUM',
          package: 'openssl',
          installed: '3.0.11',
          fixedIn: '3.0.13',
          title: 'openssl: denial of service via null dereference',
          url: 'https://avd.aquasec.com/nvd/cve-2024-0727',
        }),
        finding({
          id: 'CVE-2024-0727',
          severity: 'MEDIUM',
          package: 'libssl3',
          installed: '3.0.11',
          fixedIn: '3.0.13',
          target: 'img (debian 12.5)',
        }),
        finding({
          id: 'CVE-2023-45853',
          severity: 'CRITICAL',
          package: 'zlib1g',
          installed: '1:1.2.13',
          fixedIn: undefined,
          fixable: false,
        }),
      ],
      OPTIONS,
    );

    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const [run] = log.runs;
    expect(run!.tool.driver).toMatchObject({ name: 'trivy', version: '0.55.0' });
    expect(run!.tool.driver.rules.map((rule) => rule.id)).toEqual(['CVE-2023-45853', 'CVE-2024-0727']);
    expect(run!.tool.driver.rules[1]).toEqual({
      id: 'CVE-2024-0727',
      shortDescription: { text: 'openssl: denial of service via null dereference' },
      fullDescription: { text: 'CVE-2024-0727: openssl: denial of service via null dereference' },
      helpUri: 'https://avd.aquasec.com/nvd/cve-2024-0727',
      help: {
        text: 'CVE-2024-0727 (MEDIUM): openssl: denial of service via null dereference\nhttps://avd.aquasec.com/nvd/cve-2024-0727',
      },
      defaultConfiguration: { level: 'warning' },
      properties: { tags: ['vulnerability', 'security', 'MEDIUM'], precision: 'very-high', 'security-severity': '5.5' },
    });

    expect(run!.results).toEqual([
      {
        ruleId: 'CVE-2023-45853',
        ruleIndex: 0,
        level: 'error',
        message: { text: 'CVE-2023-45853 (CRITICAL) in zlib1g 1:1.2.13. No fix available.' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'ghcr.io/acme/orders:3f9c2e1a' } } }],
      },
      {
        ruleId: 'CVE-2024-0727',
        ruleIndex: 1,
        level: 'warning',
        message: { text: 'CVE-2024-0727 (MEDIUM) in libssl3 3.0.11. Fixed in 3.0.13. Found in img (debian 12.5).' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'ghcr.io/acme/orders:3f9c2e1a' } } }],
      },
      {
        ruleId: 'CVE-2024-0727',
        ruleIndex: 1,
        level: 'warning',
        message: { text: 'CVE-2024-0727 (MEDIUM) in openssl 3.0.11. Fixed in 3.0.13.' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'ghcr.io/acme/orders:3f9c2e1a' } } }],
      },
    ]);
  });

  it('maps CRITICAL/HIGH to error, MEDIUM to warning, LOW/UNKNOWN to note', () => {
    expect((['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const).map(sarifLevel)).toEqual([
      'error',
      'error',
      'warning',
      'note',
      'note',
    ]);
    const levels = toSarif(
      [finding({ id: 'A', severity: 'LOW' }), finding({ id: 'B', severity: 'UNKNOWN' })],
      OPTIONS,
    ).runs[0]!.results.map((r) => r.level);
    expect(levels).toEqual(['note', 'note']);
  });

  it('gives a rule the worst severity among its findings', () => {
    const log = toSarif(
      [
        finding({ id: 'CVE-1', severity: 'LOW', package: 'a' }),
        finding({ id: 'CVE-1', severity: 'HIGH', package: 'b' }),
      ],
      OPTIONS,
    );
    expect(log.runs[0]!.tool.driver.rules).toHaveLength(1);
    expect(log.runs[0]!.tool.driver.rules[0]!.defaultConfiguration.level).toBe('error');
    expect(log.runs[0]!.results.map((r) => r.level)).toEqual(['error', 'note']);
  });

  it('has no rules and no results for no findings, but is still a valid log', () => {
    expect(toSarif([], OPTIONS)).toEqual({
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'trivy', version: '0.55.0', rules: [] } }, results: [] }],
    });
  });

  it('refuses to build results that point nowhere', () => {
    expect(() => toSarif([finding()], { ...OPTIONS, artifact: '' })).toThrow('nx-fleet: toSarif needs an "artifact"');
  });

  it.each([
    ['trivy-report.json' as const, parseTrivyReport, 14, 13],
    ['grype-report.json' as const, parseGrypeReport, 9, 9],
  ])('references only declared rules for %s (real Trivy/Grype report format)', (file, parse, results, rules) => {
    const log = toSarif(parse(reportFixture(file)), OPTIONS);
    const { rules: declared } = log.runs[0]!.tool.driver;
    expect(log.runs[0]!.results).toHaveLength(results);
    expect(declared).toHaveLength(rules);
    expect(new Set(declared.map((rule) => rule.id)).size).toBe(declared.length);
    for (const result of log.runs[0]!.results) expect(declared[result.ruleIndex]!.id).toBe(result.ruleId);
  });
});
