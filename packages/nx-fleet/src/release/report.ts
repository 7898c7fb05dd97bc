import { resolve } from 'node:path';
import { DEFAULT_LEDGER } from '../config/defaults';
import { shortSha } from '../io/git';
import {
  deploymentsFromHistory,
  doraFigures,
  formatDoraTable,
  inWindow,
  type DoraRow,
  type LedgerVersion,
} from './dora';
import type { LedgerHistoryReader } from './ledger-history';
import { parseLedger } from './ledger';

export interface ReportRequest {
  workspaceRoot: string;
  now: Date;
  /** As given on the command line: validated here. */
  days?: string;
  ledger?: string;
  environment?: string;
}

export type DoraReport =
  /** The report cannot be made: what the user has to change. */
  | { error: string }
  | {
      file: string;
      days: number;
      rows: DoraRow[];
      /** Released commits the workspace repository lacks (short SHAs): their lead time is unknown. */
      unknownCommits: string[];
    };

/** DORA figures from the ledger's committed versions; a version that does not parse is skipped with a warning. */
export async function doraReport(
  request: ReportRequest,
  history: LedgerHistoryReader,
  warn: (message: string) => void,
): Promise<DoraReport> {
  const daysOption = request.days ?? '30';
  const days = /^\d+$/.test(daysOption) ? Number(daysOption) : 0;
  if (days < 1) return { error: `--days ${JSON.stringify(daysOption)} is not a whole number of days of at least 1.` };
  const file = resolve(request.workspaceRoot, request.ledger ?? DEFAULT_LEDGER);
  if (!history.isFile(file))
    return { error: `the release ledger ${file} does not exist: release first, or pass --ledger <file>.` };
  const log = await history.log(file);
  if (!log) return { error: `${file} is in no git repository: the report is read from the ledger's commits.` };
  if (!log.commits.length)
    return { error: `${file} has no git history: the report is read from the ledger's commits, so commit it first.` };

  const versions: LedgerVersion[] = [];
  for (const { commit, committedAt, path } of log.commits) {
    try {
      const text = await history.show(log.repository, commit, path);
      versions.push({ commit, committedAt, ledger: parseLedger(text, `${path} at ${shortSha(commit)}`) });
    } catch (error) {
      warn(`nx-fleet report: skipped the ledger of commit ${commit}: ${(error as Error).message}`);
    }
  }
  const all = deploymentsFromHistory(versions);
  const environment = request.environment;
  const deployments = environment === undefined ? all : all.filter((d) => d.environment === environment);
  if (environment !== undefined && !deployments.length) {
    const known = [...new Set(all.map((d) => d.environment))].sort();
    return {
      error: `no environment "${environment}" in the history of ${file} (${known.length ? `it has ${known.join(', ')}` : 'it records no deployment'}).`,
    };
  }

  const window = { now: request.now, windowDays: days };
  const commitTimes = new Map<string, string | undefined>();
  for (const deployment of deployments) {
    if (inWindow(deployment.releasedAt, window) && !commitTimes.has(deployment.gitSha))
      commitTimes.set(deployment.gitSha, await history.commitTime(deployment.gitSha));
  }
  const rows = doraFigures(deployments, { ...window, commitTimeOf: (sha) => commitTimes.get(sha) });
  const unknownCommits = [...commitTimes].filter(([, time]) => time === undefined).map(([sha]) => shortSha(sha));
  return { file, days, rows, unknownCommits };
}

export function formatReport(report: { file: string; days: number; rows: readonly DoraRow[] }, now: Date): string {
  return `Deployments in the ${report.days} days to ${now.toISOString()}, from the history of ${report.file}:\n\n${formatDoraTable(report.rows)}`;
}

/** Why lead time leaves deployments out, when it does. */
export function leadTimeWarning(report: {
  rows: readonly DoraRow[];
  unknownCommits: readonly string[];
}): string | undefined {
  const shas = report.unknownCommits;
  if (!shas.length) return undefined;
  const unknown = report.rows.filter((r) => r.service === null).reduce((sum, r) => sum + r.leadTimeUnknown, 0);
  const examples = shas.slice(0, 3).join(', ') + (shas.length > 3 ? ', …' : '');
  return (
    `nx-fleet report: lead time leaves out ${unknown} deployment(s) released from ${shas.length} commit(s) this repository does not have (${examples}); ` +
    'a shallow clone lacks them: fetch the full history (fetch-depth: 0).'
  );
}
