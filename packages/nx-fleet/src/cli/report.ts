import { workspaceRoot } from '@nx/devkit';
import { DEFAULT_LEDGER } from '../config/defaults';
import { nodePorts } from '../io/ports';
import { ledgerHistoryReader, type LedgerHistoryReader } from '../release/ledger-history';
import { doraReport, formatReport, leadTimeWarning } from '../release/report';
import type { Command } from './command';

export interface ReportContext {
  workspaceRoot: string;
  now: Date;
  history: LedgerHistoryReader;
}

export async function runReport(
  values: Record<string, string | boolean | string[] | undefined>,
  context: ReportContext,
): Promise<number> {
  const request = {
    workspaceRoot: context.workspaceRoot,
    now: context.now,
    days: values['days'] as string | undefined,
    ledger: values['ledger'] as string | undefined,
    environment: values['env'] as string | undefined,
  };
  const report = await doraReport(request, context.history, (message) => console.warn(message));
  if ('error' in report) {
    console.error(`nx-fleet report: ${report.error}`);
    return 2;
  }
  console.log(values['json'] ? JSON.stringify(report.rows, null, 2) : formatReport(report, context.now));
  const warning = leadTimeWarning(report);
  if (warning) console.warn(warning);
  return 0;
}

export const reportCommand: Command = {
  summary:
    "DORA figures per environment and service (deployment frequency, lead time) from the release ledger's git history",
  help: [
    'Usage: nx-fleet report [--env <name>] [--ledger <file>] [--days 30] [--json]',
    '',
    "Reads every committed version of the release ledger (in the ledger's own repository, which may be",
    "a separate GitOps checkout). A deployment is a version in which a service's digest or release hash",
    'changed. Per environment and service, and for all services of an environment: deployments in the',
    'window, per day and per week, lead time for changes (median and p90 hours from the commit time of the',
    "released gitSha, looked up in this workspace's repository, to releasedAt), and the last deployment.",
    'Exits 2 when the ledger does not exist or has no git history.',
    '',
    'Options:',
    '  --env <name>     Only this environment',
    `  --ledger <file>  The release ledger (default: ${DEFAULT_LEDGER})`,
    '  --days <n>       The window: the last n days (default: 30)',
    '  --json           Print the rows as JSON',
  ].join('\n'),
  options: { env: { type: 'string' }, ledger: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' } },
  run(values) {
    const ports = nodePorts();
    const history = ledgerHistoryReader(workspaceRoot, ports.processes);
    return runReport(values, { workspaceRoot, now: ports.clock.now(), history });
  },
};
