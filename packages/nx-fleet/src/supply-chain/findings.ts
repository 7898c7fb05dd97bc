import { formatTable } from '../text/table';

/** What every scanner report becomes, so the gate, the table and SARIF never see a scanner's format. */

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

export function formatFindingsTable(findings: readonly Finding[]): string {
  const rows = [...findings]
    .sort(compareFindings)
    .map((finding) => [finding.id, finding.severity, finding.package, finding.installed, finding.fixedIn ?? '-']);
  return formatTable(['ID', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED IN'], rows);
}

// Locale-independent, so the table and SARIF come out the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
