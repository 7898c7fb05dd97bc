import type { Finding, Severity } from '../findings';
import { compact, describeValue, isRecord, optionalString, requiredString } from '../json-shape';

const GRYPE_EXPECTED = 'a Grype JSON report (`grype -o json`)';

export function parseGrypeReport(json: unknown): Finding[] {
  const fail = (problem: string): Error => new Error(`nx-fleet: expected ${GRYPE_EXPECTED}, but ${problem}.`);
  if (!isRecord(json)) throw fail(`got ${describeValue(json)}`);
  if ('SchemaVersion' in json || 'Results' in json)
    throw fail('this looks like a Trivy report (it has "SchemaVersion"/"Results"); set the "scanner" option to trivy');
  const descriptor = json['descriptor'];
  if (isRecord(descriptor) && typeof descriptor['name'] === 'string' && descriptor['name'] !== 'grype') {
    throw fail(`it was written by ${JSON.stringify(descriptor['name'])} ("descriptor.name")`);
  }
  const matches = json['matches'];
  if (!Array.isArray(matches))
    throw fail(
      matches === undefined ? 'it has no "matches" array' : `"matches" is ${describeValue(matches)}, not an array`,
    );

  return matches.map((match: unknown, m): Finding => {
    const at = `matches[${m}]`;
    if (!isRecord(match)) throw fail(`${at} is ${describeValue(match)}`);
    const vulnerability = match['vulnerability'];
    const artifact = match['artifact'];
    if (!isRecord(vulnerability)) throw fail(`${at}.vulnerability is ${describeValue(vulnerability)}`);
    if (!isRecord(artifact)) throw fail(`${at}.artifact is ${describeValue(artifact)}`);
    const id = requiredString(vulnerability, 'id', `${at}.vulnerability`, fail);
    const rawSeverity = vulnerability['severity'] ?? 'Unknown';
    const severity = typeof rawSeverity === 'string' ? GRYPE_SEVERITY[rawSeverity.toLowerCase()] : undefined;
    if (!severity)
      throw fail(
        `${at}.vulnerability.severity is ${JSON.stringify(rawSeverity)}, not one of Critical, High, Medium, Low, Negligible, Unknown`,
      );
    const pkg = requiredString(artifact, 'name', `${at}.artifact`, fail);
    const installed = typeof artifact['version'] === 'string' ? artifact['version'] : undefined;
    if (installed === undefined) throw fail(`${at}.artifact.version is ${describeValue(artifact['version'])}`);

    const fix = isRecord(vulnerability['fix']) ? vulnerability['fix'] : {};
    const versions = Array.isArray(fix['versions'])
      ? fix['versions'].filter((version): version is string => typeof version === 'string' && version !== '')
      : [];
    const urls = Array.isArray(vulnerability['urls'])
      ? vulnerability['urls'].filter((url): url is string => typeof url === 'string' && url !== '')
      : [];
    const locations = Array.isArray(artifact['locations']) ? artifact['locations'] : [];
    const firstLocation: unknown = locations[0];
    return compact<Finding>({
      id,
      severity,
      package: pkg,
      installed,
      fixedIn: versions.length > 0 ? versions.join(', ') : undefined,
      fixable: fix['state'] === 'fixed' && versions.length > 0,
      url: optionalString(vulnerability['dataSource']) ?? urls[0],
      target: isRecord(firstLocation) ? optionalString(firstLocation['path']) : undefined,
    });
  });
}

// Grype's "Negligible" is the distros' "unimportant": no real risk, so it ranks with LOW, not UNKNOWN.
const GRYPE_SEVERITY: Record<string, Severity | undefined> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unknown: 'UNKNOWN',
};
