import { dedupeFindings, type Finding, type Severity } from './findings';

/** The schema URL GitHub code scanning and Trivy's own SARIF output use. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifOptions {
  toolName: string;
  toolVersion: string;
  /** What was scanned (an image reference or a path); every result points at it. */
  artifact: string;
}

export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: 'very-high'; 'security-severity': string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{ tool: { driver: { name: string; version: string; rules: SarifRule[] } }; results: SarifResult[] }>;
}

export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
  return severity === 'MEDIUM' ? 'warning' : 'note';
}

// GitHub ranks security alerts by this number, not by `level`; these are the values Trivy uses when
// it has no CVSS score, each inside GitHub's band for the severity (critical ≥ 9.0, high ≥ 7.0, …).
const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '2.0',
  UNKNOWN: '0.0',
};

/**
 * One rule per vulnerability id (a CVE in two packages is one advisory, two results), at the worst
 * severity any of its findings has, so the rule never under-states a result that points at it.
 */
export function toSarif(findings: Finding[], options: SarifOptions): SarifLog {
  if (!options.toolName) throw new Error('nx-fleet: toSarif needs a "toolName".');
  if (!options.artifact) throw new Error('nx-fleet: toSarif needs an "artifact" for the results to point at.');

  // Worst first, so the first finding of each id carries the worst severity for its rule.
  const sorted = dedupeFindings(findings);
  const byId = new Map<string, Finding[]>();
  for (const finding of sorted) byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
  const rules = [...byId.values()].map(ruleFor);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));

  const results = sorted.map((finding): SarifResult => ({
    ruleId: finding.id,
    ruleIndex: ruleIndex.get(finding.id)!,
    level: sarifLevel(finding.severity),
    message: { text: messageFor(finding) },
    locations: [{ physicalLocation: { artifactLocation: { uri: options.artifact } } }],
  }));

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: options.toolName, version: options.toolVersion, rules } }, results }],
  };
}

function ruleFor(group: Finding[]): SarifRule {
  const { id, severity } = group[0]!;
  // Scanners attach the title and URL per package; any copy's is the advisory's.
  const title = group.find((finding) => finding.title !== undefined)?.title;
  const url = group.find((finding) => finding.url !== undefined)?.url;
  return {
    id,
    shortDescription: { text: title ?? id },
    fullDescription: { text: title ? `${id}: ${title}` : id },
    ...(url !== undefined ? { helpUri: url } : {}),
    help: { text: `${id} (${severity})${title ? `: ${title}` : ''}${url ? `\n${url}` : ''}` },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: {
      tags: ['vulnerability', 'security', severity],
      precision: 'very-high',
      'security-severity': SECURITY_SEVERITY[severity],
    },
  };
}

function messageFor(finding: Finding): string {
  const fix = finding.fixedIn
    ? finding.fixable
      ? `Fixed in ${finding.fixedIn}.`
      : `A fix (${finding.fixedIn}) exists upstream but is not available for this package.`
    : 'No fix available.';
  const where = finding.target ? ` Found in ${finding.target}.` : '';
  return `${finding.id} (${finding.severity}) in ${finding.package} ${finding.installed}. ${fix}${where}`;
}
