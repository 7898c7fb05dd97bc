import { SEVERITIES, type Finding, type Severity } from '../findings';
import { compact, describeValue, isRecord, optionalString, requiredString } from '../json-shape';

const TRIVY_EXPECTED = 'a Trivy JSON report (`trivy image --format json`, SchemaVersion 2)';

export function parseTrivyReport(json: unknown): Finding[] {
  const fail = (problem: string): Error => new Error(`nx-fleet: expected ${TRIVY_EXPECTED}, but ${problem}.`);
  if (!isRecord(json)) throw fail(`got ${describeValue(json)}`);
  if (Array.isArray(json['matches']))
    throw fail('this looks like a Grype report (it has "matches"); set the "scanner" option to grype');
  if (json['SchemaVersion'] !== 2) {
    throw fail(
      json['SchemaVersion'] === undefined
        ? 'it has no "SchemaVersion"'
        : `"SchemaVersion" is ${JSON.stringify(json['SchemaVersion'])}`,
    );
  }
  // Trivy omits Results (omitempty) when it detected nothing to scan in the artifact.
  const results = json['Results'] ?? [];
  if (!Array.isArray(results)) throw fail(`"Results" is ${describeValue(results)}, not an array`);

  const findings: Finding[] = [];
  results.forEach((result: unknown, r) => {
    if (!isRecord(result)) throw fail(`Results[${r}] is ${describeValue(result)}`);
    const target = optionalString(result['Target']);
    // Absent for clean or non-vulnerability results (secrets, misconfigurations); older Trivy wrote null.
    const vulnerabilities = result['Vulnerabilities'] ?? [];
    if (!Array.isArray(vulnerabilities))
      throw fail(`Results[${r}].Vulnerabilities is ${describeValue(vulnerabilities)}, not an array`);
    vulnerabilities.forEach((vulnerability: unknown, v) => {
      const at = `Results[${r}].Vulnerabilities[${v}]`;
      if (!isRecord(vulnerability)) throw fail(`${at} is ${describeValue(vulnerability)}`);
      const id = requiredString(vulnerability, 'VulnerabilityID', at, fail);
      const pkg = requiredString(vulnerability, 'PkgName', at, fail);
      const installed =
        typeof vulnerability['InstalledVersion'] === 'string' ? vulnerability['InstalledVersion'] : undefined;
      if (installed === undefined)
        throw fail(`${at}.InstalledVersion is ${describeValue(vulnerability['InstalledVersion'])}`);
      const rawSeverity = vulnerability['Severity'] ?? 'UNKNOWN';
      const severity = typeof rawSeverity === 'string' ? TRIVY_SEVERITY[rawSeverity.toUpperCase()] : undefined;
      if (!severity)
        throw fail(`${at}.Severity is ${JSON.stringify(rawSeverity)}, not one of ${SEVERITIES.join(', ')}`);
      const fixedIn = optionalString(vulnerability['FixedVersion']);
      const status = optionalString(vulnerability['Status']);
      findings.push(
        compact<Finding>({
          id,
          severity,
          package: pkg,
          installed,
          fixedIn,
          // Status is the vendor's verdict and wins when present; reports from before Trivy wrote it only have FixedVersion.
          fixable: fixedIn !== undefined && (status === undefined || status === 'fixed'),
          title: optionalString(vulnerability['Title']),
          url: optionalString(vulnerability['PrimaryURL']),
          target,
        }),
      );
    });
  });
  return findings;
}

const TRIVY_SEVERITY: Record<string, Severity | undefined> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
  UNKNOWN: 'UNKNOWN',
};
