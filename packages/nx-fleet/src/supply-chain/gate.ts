import { appliesTo, isExpired, type AllowlistEntry } from './allowlist';
import { dedupeFindings, SEVERITIES, type Finding, type Severity } from './findings';

/**
 * The vulnerability gate of the `scan` target: findings in, a pass/fail verdict out.
 * Pure on purpose: the scan use case does the I/O, so every rule here is testable with plain data.
 */

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

  const applicable = allowlist.filter((entry) => appliesTo(entry, service));
  const expired = applicable.filter((entry) => isExpired(entry, nowMs));

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
      const entry = applicable.find((candidate) => candidate.id.toUpperCase() === id && !isExpired(candidate, nowMs));
      if (entry) result.allowed.push({ finding, entry });
      else result.failing.push(finding);
    }
  }
  result.passed = result.failing.length === 0;
  return result;
}

function rankOf(severity: string, what: string): number {
  const rank = SEVERITIES.indexOf(severity as Severity);
  if (rank < 0)
    throw new Error(`nx-fleet: ${what} is ${JSON.stringify(severity)}; use one of ${SEVERITIES.join(', ')}.`);
  return rank;
}
