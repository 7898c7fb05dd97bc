/**
 * The vulnerability gate of the `scan` target: scanner reports in, a pass/fail verdict out.
 * Pure on purpose: the executor does the I/O, so every rule here is testable with plain data.
 */

/** Worst first; the index is the rank, so "at or above a threshold" is `rank <= rank(threshold)`. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** As the scanner reports it: `CVE-…` from Trivy, often `GHSA-…` from Grype for language packages. */
  id: string;
  severity: Severity;
  package: string;
  installed: string;
  /** One or more versions (`"4.19.2, 5.0.0-beta.3"`) when the advisory names a fix. */
  fixedIn?: string;
  /** False when the vendor has no fix or will not ship one; `ignoreUnfixed` drops these. */
  fixable: boolean;
  title?: string;
  url?: string;
  /** Where in the artifact: a Trivy result target, or the first path Grype located the package at. */
  target?: string;
}

export interface AllowlistEntry {
  id: string;
  reason: string;
  /** `YYYY-MM-DD`; the entry still holds on that day (UTC) and lapses when it ends. */
  expires: string;
  /** Project names; absent means every service. */
  services?: string[];
}

export interface GateOptions {
  findings: Finding[];
  threshold?: Severity;
  ignoreUnfixed?: boolean;
  allowlist?: AllowlistEntry[];
  service: string;
  /** Passed in rather than read, so expiry is deterministic in tests and consistent within one run. */
  now: Date;
}

export interface GateResult {
  passed: boolean;
  failing: Finding[];
  allowed: Array<{ finding: Finding; entry: AllowlistEntry }>;
  ignoredUnfixed: Finding[];
  belowThreshold: Finding[];
  /** Lapsed entries that apply to this service, whether or not they matched anything. */
  expired: AllowlistEntry[];
}

// ---------------------------------------------------------------------------------------------
// Trivy

const TRIVY_EXPECTED = 'a Trivy JSON report (`trivy image --format json`, SchemaVersion 2)';

export function parseTrivyReport(json: unknown): Finding[] {
  const fail = (problem: string): Error => new Error(`nx-fleet: expected ${TRIVY_EXPECTED}, but ${problem}.`);
  if (!isRecord(json)) throw fail(`got ${describe(json)}`);
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
  if (!Array.isArray(results)) throw fail(`"Results" is ${describe(results)}, not an array`);

  const findings: Finding[] = [];
  results.forEach((result: unknown, r) => {
    if (!isRecord(result)) throw fail(`Results[${r}] is ${describe(result)}`);
    const target = optionalString(result['Target']);
    // Absent for clean or non-vulnerability results (secrets, misconfigurations); older Trivy wrote null.
    const vulnerabilities = result['Vulnerabilities'] ?? [];
    if (!Array.isArray(vulnerabilities))
      throw fail(`Results[${r}].Vulnerabilities is ${describe(vulnerabilities)}, not an array`);
    vulnerabilities.forEach((vulnerability: unknown, v) => {
      const at = `Results[${r}].Vulnerabilities[${v}]`;
      if (!isRecord(vulnerability)) throw fail(`${at} is ${describe(vulnerability)}`);
      const id = requiredString(vulnerability, 'VulnerabilityID', at, fail);
      const pkg = requiredString(vulnerability, 'PkgName', at, fail);
      const installed =
        typeof vulnerability['InstalledVersion'] === 'string' ? vulnerability['InstalledVersion'] : undefined;
      if (installed === undefined)
        throw fail(`${at}.InstalledVersion is ${describe(vulnerability['InstalledVersion'])}`);
      const rawSeverity = vulnerability['Severity'] ?? 'UNKNOWN';
      const severity = typeof rawSeverity === 'string' ? TRIVY_SEVERITY[rawSeverity.toUpperCase()] : undefined;
      if (!severity)
        throw fail(`${at}.Severity is ${JSON.stringify(rawSeverity)}, not one of ${SEVERITIES.join(', ')}`);
      const fixedIn = optionalString(vulnerability['FixedVersion']);
      const status = optionalString(vulnerability['Status']);
      findings.push(
        compact({
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

// ---------------------------------------------------------------------------------------------
// Grype

const GRYPE_EXPECTED = 'a Grype JSON report (`grype -o json`)';

export function parseGrypeReport(json: unknown): Finding[] {
  const fail = (problem: string): Error => new Error(`nx-fleet: expected ${GRYPE_EXPECTED}, but ${problem}.`);
  if (!isRecord(json)) throw fail(`got ${describe(json)}`);
  if ('SchemaVersion' in json || 'Results' in json)
    throw fail('this looks like a Trivy report (it has "SchemaVersion"/"Results"); set the "scanner" option to trivy');
  const descriptor = json['descriptor'];
  if (isRecord(descriptor) && typeof descriptor['name'] === 'string' && descriptor['name'] !== 'grype') {
    throw fail(`it was written by ${JSON.stringify(descriptor['name'])} ("descriptor.name")`);
  }
  const matches = json['matches'];
  if (!Array.isArray(matches))
    throw fail(matches === undefined ? 'it has no "matches" array' : `"matches" is ${describe(matches)}, not an array`);

  return matches.map((match: unknown, m): Finding => {
    const at = `matches[${m}]`;
    if (!isRecord(match)) throw fail(`${at} is ${describe(match)}`);
    const vulnerability = match['vulnerability'];
    const artifact = match['artifact'];
    if (!isRecord(vulnerability)) throw fail(`${at}.vulnerability is ${describe(vulnerability)}`);
    if (!isRecord(artifact)) throw fail(`${at}.artifact is ${describe(artifact)}`);
    const id = requiredString(vulnerability, 'id', `${at}.vulnerability`, fail);
    const rawSeverity = vulnerability['severity'] ?? 'Unknown';
    const severity = typeof rawSeverity === 'string' ? GRYPE_SEVERITY[rawSeverity.toLowerCase()] : undefined;
    if (!severity)
      throw fail(
        `${at}.vulnerability.severity is ${JSON.stringify(rawSeverity)}, not one of Critical, High, Medium, Low, Negligible, Unknown`,
      );
    const pkg = requiredString(artifact, 'name', `${at}.artifact`, fail);
    const installed = typeof artifact['version'] === 'string' ? artifact['version'] : undefined;
    if (installed === undefined) throw fail(`${at}.artifact.version is ${describe(artifact['version'])}`);

    const fix = isRecord(vulnerability['fix']) ? vulnerability['fix'] : {};
    const versions = Array.isArray(fix['versions'])
      ? fix['versions'].filter((version): version is string => typeof version === 'string' && version !== '')
      : [];
    const urls = Array.isArray(vulnerability['urls'])
      ? vulnerability['urls'].filter((url): url is string => typeof url === 'string' && url !== '')
      : [];
    const locations = Array.isArray(artifact['locations']) ? artifact['locations'] : [];
    const firstLocation: unknown = locations[0];
    return compact({
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

// ---------------------------------------------------------------------------------------------
// Allowlist

const ALLOWLIST_EXAMPLE =
  '[{ "id": "CVE-2024-1234", "reason": "not reachable: we never parse untrusted XML", "expires": "2026-12-31", "services": ["orders"] }]';
const ALLOWLIST_KEYS = ['id', 'reason', 'expires', 'services'];

export function parseAllowlist(text: string, file: string): AllowlistEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `nx-fleet: ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). An allowlist is a JSON array like ${ALLOWLIST_EXAMPLE}.`,
    );
  }
  if (!Array.isArray(data))
    throw new Error(
      `nx-fleet: ${file} must be a JSON array of allowlist entries like ${ALLOWLIST_EXAMPLE}, but it is ${describe(data)}.`,
    );
  return data.map((raw: unknown, index) => parseAllowlistEntry(raw, index, file));
}

function parseAllowlistEntry(raw: unknown, index: number, file: string): AllowlistEntry {
  const named =
    isRecord(raw) && typeof raw['id'] === 'string' && raw['id'].trim() ? ` (${JSON.stringify(raw['id'].trim())})` : '';
  const fail = (problem: string): Error => new Error(`nx-fleet: ${file}: allowlist entry ${index}${named} ${problem}.`);
  if (!isRecord(raw))
    throw fail(`is ${describe(raw)}; each entry must be an object like ${ALLOWLIST_EXAMPLE.slice(1, -1)}`);

  // An unknown key is usually a typo ("service", "expiry"); ignoring it could widen an entry to every service.
  const unknown = Object.keys(raw).filter((key) => !ALLOWLIST_KEYS.includes(key));
  if (unknown.length > 0)
    throw fail(
      `has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((key) => JSON.stringify(key)).join(', ')}; the keys are ${ALLOWLIST_KEYS.join(', ')}`,
    );

  const id = typeof raw['id'] === 'string' ? raw['id'].trim() : '';
  if (!id)
    throw fail(
      'needs a non-empty "id": the vulnerability ID as the scanner reports it, e.g. "CVE-2024-1234" or "GHSA-9wv6-86v2-598j"',
    );
  const reason = typeof raw['reason'] === 'string' ? raw['reason'].trim() : '';
  if (!reason)
    throw fail(
      'needs a non-empty "reason" saying why the risk is accepted, so the next reviewer can judge whether it still holds',
    );
  const expires = raw['expires'];
  if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
    throw fail(
      `needs "expires" as a date YYYY-MM-DD (e.g. "2026-12-31"), but it is ${expires === undefined ? 'missing' : JSON.stringify(expires)}`,
    );
  }
  if (endOfDay(expires) === undefined)
    throw fail(`has "expires": ${JSON.stringify(expires)}, which is not a calendar date; use a real YYYY-MM-DD date`);

  const entry: AllowlistEntry = { id, reason, expires };
  if (raw['services'] !== undefined) {
    const services = raw['services'];
    if (
      !Array.isArray(services) ||
      services.length === 0 ||
      !services.every((service) => typeof service === 'string' && service.trim() !== '')
    ) {
      throw fail(
        'has "services" that is not a non-empty array of project names; list the services it covers, or omit "services" to cover every service',
      );
    }
    entry.services = services.map((service: string) => service.trim());
  }
  return entry;
}

/** Milliseconds at which a `YYYY-MM-DD` day ends in UTC, or undefined for a non-date like 2026-02-30. */
function endOfDay(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches that.
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day)
    return undefined;
  return Date.UTC(year, month - 1, day + 1);
}

// ---------------------------------------------------------------------------------------------
// Gate

/**
 * A finding at or above the threshold fails unless a live allowlist entry for this service covers it.
 * An expired entry never covers anything, so the finding it used to cover fails again; it is also
 * listed in `expired` so the message can say why. Findings below the threshold, or dropped by
 * `ignoreUnfixed`, cannot fail the gate, so a lapsed entry that only matches those does not either.
 */
export function evaluateGate(options: GateOptions): GateResult {
  const { findings, threshold = 'HIGH', ignoreUnfixed = false, allowlist = [], service, now } = options;
  const limit = rankOf(threshold, 'threshold');
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new Error('nx-fleet: evaluateGate needs a valid "now" date.');

  // Entries scoped to other services are not this gate's business, not even to report as expired.
  const applicable = allowlist.filter((entry) => entry.services === undefined || entry.services.includes(service));
  const isExpired = (entry: AllowlistEntry): boolean => {
    const end = endOfDay(entry.expires);
    if (end === undefined)
      throw new Error(
        `nx-fleet: allowlist entry ${JSON.stringify(entry.id)} has "expires": ${JSON.stringify(entry.expires)}, which is not a YYYY-MM-DD date.`,
      );
    return nowMs >= end;
  };
  const expired = applicable.filter(isExpired);

  const result: GateResult = {
    passed: true,
    failing: [],
    allowed: [],
    ignoredUnfixed: [],
    belowThreshold: [],
    expired,
  };
  for (const finding of dedupeFindings(findings)) {
    if (rankOf(finding.severity, `severity of ${finding.id}`) > limit) {
      result.belowThreshold.push(finding);
    } else if (ignoreUnfixed && !finding.fixable) {
      result.ignoredUnfixed.push(finding);
    } else {
      const id = finding.id.toUpperCase();
      const entry = applicable.find((candidate) => candidate.id.toUpperCase() === id && !isExpired(candidate));
      if (entry) result.allowed.push({ finding, entry });
      else result.failing.push(finding);
    }
  }
  result.passed = result.failing.length === 0;
  return result;
}

/**
 * One finding per (id, package, installed): a package copied into several paths or layers is still
 * one thing to fix. Keeps the worst severity and any known fix among the copies, so merging never
 * makes a finding look less urgent or less actionable than one of its copies. Sorted by severity, then id.
 */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.id, finding.package, finding.installed]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...finding });
      continue;
    }
    if (SEVERITIES.indexOf(finding.severity) < SEVERITIES.indexOf(seen.severity)) seen.severity = finding.severity;
    if (!seen.fixable && finding.fixable) {
      seen.fixable = true;
      if (finding.fixedIn !== undefined) seen.fixedIn = finding.fixedIn;
    }
    for (const field of ['fixedIn', 'title', 'url', 'target'] as const) {
      if (seen[field] === undefined && finding[field] !== undefined) seen[field] = finding[field];
    }
  }
  return [...byKey.values()].sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.id, b.id) ||
    compareText(a.package, b.package) ||
    compareText(a.installed, b.installed)
  );
}

// ---------------------------------------------------------------------------------------------
// Table

const TABLE_HEADER = ['ID', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED IN'];

export function formatFindingsTable(findings: Finding[]): string {
  const rows = [...findings]
    .sort(compareFindings)
    .map((finding) => [finding.id, finding.severity, finding.package, finding.installed, finding.fixedIn ?? '-']);
  const lines = [TABLE_HEADER, ...rows];
  const widths = TABLE_HEADER.map((_, column) => Math.max(...lines.map((cells) => cells[column]!.length)));
  return lines
    .map((cells) =>
      cells
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function rankOf(severity: string, what: string): number {
  const rank = SEVERITIES.indexOf(severity as Severity);
  if (rank < 0)
    throw new Error(`nx-fleet: ${what} is ${JSON.stringify(severity)}; use one of ${SEVERITIES.join(', ')}.`);
  return rank;
}

// Locale-independent, so the table and SARIF come out the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function requiredString(
  record: Record<string, unknown>,
  key: string,
  at: string,
  fail: (problem: string) => Error,
): string {
  const value = optionalString(record[key]);
  if (value === undefined)
    throw fail(`${at}.${key} is ${typeof record[key] === 'string' ? 'empty' : describe(record[key])}`);
  return value;
}

/** Drops undefined optional fields so findings serialise (scan.json) and compare without noise. */
function compact(finding: Finding): Finding {
  return Object.fromEntries(Object.entries(finding).filter(([, value]) => value !== undefined)) as unknown as Finding;
}
