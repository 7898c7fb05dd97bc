import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { workspaceRoot } from '@nx/devkit';
import { shortSha } from '../io/git';
import { run, runOk, ToolFailedError } from '../io/process';
import { deploymentsFromHistory, doraFigures, formatDoraTable, inWindow, type LedgerVersion } from '../release/dora';
import { DEFAULT_LEDGER } from '../config/defaults';
import { parseLedger } from '../release/ledger';
import type { Command } from './command';

export interface LedgerHistory {
  /** Top level of the repository holding the ledger: a GitOps checkout need not be the workspace. */
  repository: string;
  /** Oldest first; `path` is the ledger's path in that commit, from the top level: a rename is followed. */
  commits: Array<{ commit: string; committedAt: string; path: string }>;
}

export interface GitReader {
  /** Undefined when no git repository holds the file. */
  log(file: string): Promise<LedgerHistory | undefined>;
  show(repository: string, commit: string, path: string): Promise<string>;
  /** Commit time in the workspace repository; undefined for a SHA it does not have. */
  commitTime(sha: string): Promise<string | undefined>;
}

export function gitReader(workspace: string): GitReader {
  return {
    async log(file) {
      const cwd = dirname(file);
      const topLevel = await run('git', ['rev-parse', '--show-toplevel'], { cwd });
      if (topLevel.code !== 0) return undefined;
      // --first-parent: the deploy branch's own line, so a merged release branch counts once, when it landed.
      // --diff-filter=d: a commit that deleted the ledger has no version to read.
      // --no-show-signature: log.showSignature would print into the output parsed below.
      const args = [
        'log',
        '--no-show-signature',
        '--first-parent',
        '--diff-merges=first-parent',
        '--follow',
        '--diff-filter=d',
        '--name-only',
        '-z',
        '--format=%H %cI',
        '--',
        basename(file),
      ];
      const log = await run('git', args, { cwd });
      if (log.code !== 0) {
        // A repository without a first commit has no history for anything.
        if ((await run('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd })).code !== 0)
          return { repository: topLevel.stdout.trim(), commits: [] };
        throw new ToolFailedError('git', args, log, false);
      }
      return { repository: topLevel.stdout.trim(), commits: parseLog(log.stdout) };
    },
    async show(repository, commit, path) {
      return (await runOk('git', ['show', `${commit}:${path}`], { cwd: repository })).stdout;
    },
    async commitTime(sha) {
      // The SHA comes from a file anyone can edit: only hex reaches git's arguments.
      if (!/^[0-9a-f]{7,64}$/i.test(sha)) return undefined;
      const result = await run('git', ['show', '-s', '--no-show-signature', '--format=%cI', `${sha}^{commit}`], {
        cwd: workspace,
      });
      return result.code === 0 ? result.stdout.trim() || undefined : undefined;
    },
  };
}

/** `-z` output, newest first: `<sha> <time>\0\n<path>\0` per commit; paths are not quoted. */
function parseLog(stdout: string): LedgerHistory['commits'] {
  const fields = stdout.split('\0');
  const commits: LedgerHistory['commits'] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [commit = '', committedAt = ''] = fields[i]!.split(' ');
    commits.push({ commit, committedAt, path: fields[i + 1]!.replace(/^\n/, '') });
  }
  return commits.reverse();
}

export interface ReportContext {
  workspaceRoot: string;
  now: Date;
  git: GitReader;
}

export async function runReport(
  values: Record<string, string | boolean | string[] | undefined>,
  context: ReportContext,
): Promise<number> {
  const daysOption = (values['days'] as string | undefined) ?? '30';
  const days = /^\d+$/.test(daysOption) ? Number(daysOption) : 0;
  if (days < 1) return usageError(`--days ${JSON.stringify(daysOption)} is not a whole number of days of at least 1.`);
  const file = resolve(context.workspaceRoot, (values['ledger'] as string | undefined) ?? DEFAULT_LEDGER);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile())
    return usageError(`the release ledger ${file} does not exist: release first, or pass --ledger <file>.`);
  const history = await context.git.log(file);
  if (!history) return usageError(`${file} is in no git repository: the report is read from the ledger's commits.`);
  if (!history.commits.length)
    return usageError(`${file} has no git history: the report is read from the ledger's commits, so commit it first.`);

  const versions: LedgerVersion[] = [];
  for (const { commit, committedAt, path } of history.commits) {
    try {
      versions.push({
        commit,
        committedAt,
        ledger: parseLedger(await context.git.show(history.repository, commit, path), `${path} at ${shortSha(commit)}`),
      });
    } catch (error) {
      console.warn(`nx-fleet report: skipped the ledger of commit ${commit}: ${(error as Error).message}`);
    }
  }
  const all = deploymentsFromHistory(versions);
  const environment = values['env'] as string | undefined;
  const deployments = environment === undefined ? all : all.filter((d) => d.environment === environment);
  if (environment !== undefined && !deployments.length) {
    const known = [...new Set(all.map((d) => d.environment))].sort();
    return usageError(
      `no environment "${environment}" in the history of ${file} (${known.length ? `it has ${known.join(', ')}` : 'it records no deployment'}).`,
    );
  }

  const window = { now: context.now, windowDays: days };
  const commitTimes = new Map<string, string | undefined>();
  for (const deployment of deployments) {
    if (inWindow(deployment.releasedAt, window) && !commitTimes.has(deployment.gitSha))
      commitTimes.set(deployment.gitSha, await context.git.commitTime(deployment.gitSha));
  }
  const rows = doraFigures(deployments, { ...window, commitTimeOf: (sha) => commitTimes.get(sha) });

  if (values['json']) console.log(JSON.stringify(rows, null, 2));
  else
    console.log(
      `Deployments in the ${days} days to ${context.now.toISOString()}, from the history of ${file}:\n\n${formatDoraTable(rows)}`,
    );
  const unknownShas = [...commitTimes].filter(([, time]) => time === undefined).map(([sha]) => shortSha(sha));
  if (unknownShas.length) {
    const unknown = rows.filter((r) => r.service === null).reduce((sum, r) => sum + r.leadTimeUnknown, 0);
    const examples = unknownShas.slice(0, 3).join(', ') + (unknownShas.length > 3 ? ', …' : '');
    console.warn(
      `nx-fleet report: lead time leaves out ${unknown} deployment(s) released from ${unknownShas.length} commit(s) this repository does not have (${examples}); ` +
        'a shallow clone lacks them: fetch the full history (fetch-depth: 0).',
    );
  }
  return 0;
}

function usageError(message: string): number {
  console.error(`nx-fleet report: ${message}`);
  return 2;
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
  run: (values) => runReport(values, { workspaceRoot, now: new Date(), git: gitReader(workspaceRoot) }),
};
