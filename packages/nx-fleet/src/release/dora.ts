import { formatTable } from '../text/table';
import type { Ledger } from './ledger';

/** One committed version of the ledger file. */
export interface LedgerVersion {
  commit: string;
  committedAt: string;
  ledger: Ledger;
}

export interface Deployment {
  environment: string;
  service: string;
  digest: string;
  /** The commit the release was made from: lead time is measured from it. */
  gitSha: string;
  releasedAt: string;
}

export interface DoraInput {
  now: Date;
  windowDays: number;
  /** Commit time (ISO 8601) of a released SHA; undefined when the workspace repository does not have it. */
  commitTimeOf: (sha: string) => string | undefined;
}

export interface DoraRow {
  environment: string;
  /** Null on the environment's all-services row. */
  service: string | null;
  /** Deployments released in the window. */
  deployments: number;
  perDay: number;
  perWeek: number;
  /** Hours from the released commit to the release, over the window's deployments with a known commit time. */
  leadTimeMedianHours: number | null;
  leadTimeP90Hours: number | null;
  /** The window's deployments left out of lead time because their commit time is unknown. */
  leadTimeUnknown: number;
  /** The latest release ever, not only in the window: a quiet service still shows when it last moved. */
  lastDeployedAt: string | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Versions oldest first. An entry is deployed when its digest or release hash differs from the
 * previous version's, or the previous version lacks it: a removed entry is released again as a
 * first deploy, so its return is a deployment too.
 */
export function deploymentsFromHistory(versions: readonly LedgerVersion[]): Deployment[] {
  const deployments: Deployment[] = [];
  let previous: Ledger['environments'] = {};
  for (const { committedAt, ledger } of versions) {
    for (const [environment, services] of Object.entries(ledger.environments)) {
      // parseLedger lets an environment be null: it has nothing deployed.
      for (const [service, entry] of Object.entries(services ?? {})) {
        const before = previous[environment]?.[service];
        if (before && before.digest === entry.digest && before.releaseHash === entry.releaseHash) continue;
        // A hand-edited releasedAt that is not a date falls back to when the ledger recorded the release.
        const releasedAt = Number.isNaN(Date.parse(entry.releasedAt)) ? committedAt : entry.releasedAt;
        deployments.push({ environment, service, digest: entry.digest, gitSha: entry.gitSha, releasedAt });
      }
    }
    previous = ledger.environments;
  }
  return deployments;
}

/** The window is the `windowDays` days ending at `now`, that instant included. */
export function inWindow(releasedAt: string, window: { now: Date; windowDays: number }): boolean {
  const time = Date.parse(releasedAt);
  const end = window.now.getTime();
  return time > end - window.windowDays * DAY_MS && time <= end;
}

/** Rows by environment and service, each environment closed by its all-services row. */
export function doraFigures(deployments: readonly Deployment[], input: DoraInput): DoraRow[] {
  const byEnvironment = new Map<string, Map<string, Deployment[]>>();
  for (const deployment of deployments) {
    const services = byEnvironment.get(deployment.environment) ?? new Map<string, Deployment[]>();
    byEnvironment.set(deployment.environment, services);
    const list = services.get(deployment.service);
    if (list) list.push(deployment);
    else services.set(deployment.service, [deployment]);
  }
  const byName = <T>(a: [string, T], b: [string, T]) => a[0].localeCompare(b[0]);
  return [...byEnvironment]
    .sort(byName)
    .flatMap(([environment, services]) => [
      ...[...services].sort(byName).map(([service, list]) => figures(environment, service, list, input)),
      figures(environment, null, [...services.values()].flat(), input),
    ]);
}

function figures(
  environment: string,
  service: string | null,
  deployments: readonly Deployment[],
  input: DoraInput,
): DoraRow {
  const recent = deployments.filter((d) => inWindow(d.releasedAt, input));
  const leadTimes: number[] = [];
  for (const deployment of recent) {
    const committedAt = Date.parse(input.commitTimeOf(deployment.gitSha) ?? '');
    // Clock skew between the committer and CI cannot make a change ship before it was written.
    if (!Number.isNaN(committedAt))
      leadTimes.push(Math.max(0, Date.parse(deployment.releasedAt) - committedAt) / HOUR_MS);
  }
  leadTimes.sort((a, b) => a - b);
  const last = deployments.reduce<Deployment | undefined>(
    (latest, d) => (!latest || Date.parse(d.releasedAt) > Date.parse(latest.releasedAt) ? d : latest),
    undefined,
  );
  return {
    environment,
    service,
    deployments: recent.length,
    perDay: recent.length / input.windowDays,
    perWeek: (recent.length / input.windowDays) * 7,
    leadTimeMedianHours: percentile(leadTimes, 0.5),
    leadTimeP90Hours: percentile(leadTimes, 0.9),
    leadTimeUnknown: recent.length - leadTimes.length,
    lastDeployedAt: last?.releasedAt ?? null,
  };
}

/** Linear between the closest ranks, so the 50th percentile is the usual median. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = (sorted.length - 1) * p;
  const below = sorted[Math.floor(rank)]!;
  return below + (sorted[Math.ceil(rank)]! - below) * (rank - Math.floor(rank));
}

export function formatDoraTable(rows: readonly DoraRow[]): string {
  const hours = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)}h`);
  const cells = rows.map((r) => [
    r.environment,
    r.service ?? '(all)',
    String(r.deployments),
    r.perDay.toFixed(2),
    r.perWeek.toFixed(1),
    hours(r.leadTimeMedianHours),
    hours(r.leadTimeP90Hours),
    r.lastDeployedAt ?? '-',
  ]);
  const header = [
    'ENVIRONMENT',
    'SERVICE',
    'DEPLOYS',
    'PER DAY',
    'PER WEEK',
    'LEAD TIME P50',
    'LEAD TIME P90',
    'LAST DEPLOYED',
  ];
  return formatTable(header, cells);
}
