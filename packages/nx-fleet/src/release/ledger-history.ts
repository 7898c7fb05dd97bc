import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ToolFailedError } from '../io/process';
import type { ProcessRunner } from '../io/ports';

export interface LedgerHistory {
  /** Top level of the repository holding the ledger: a GitOps checkout need not be the workspace. */
  repository: string;
  /** Oldest first; `path` is the ledger's path in that commit, from the top level: a rename is followed. */
  commits: Array<{ commit: string; committedAt: string; path: string }>;
}

/** What the DORA report reads: the ledger's committed versions, and when released commits were made. */
export interface LedgerHistoryReader {
  /** A folder at the ledger's path is no ledger. */
  isFile(file: string): boolean;
  /** Undefined when no git repository holds the file. */
  log(file: string): Promise<LedgerHistory | undefined>;
  show(repository: string, commit: string, path: string): Promise<string>;
  /** Commit time in the workspace repository; undefined for a SHA it does not have. */
  commitTime(sha: string): Promise<string | undefined>;
}

export function ledgerHistoryReader(
  workspace: string,
  processes: Pick<ProcessRunner, 'run' | 'runOk'>,
): LedgerHistoryReader {
  return {
    isFile: (file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false,
    async log(file) {
      const cwd = dirname(file);
      const topLevel = await processes.run('git', ['rev-parse', '--show-toplevel'], { cwd });
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
      const log = await processes.run('git', args, { cwd });
      if (log.code !== 0) {
        // A repository without a first commit has no history for anything.
        if ((await processes.run('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd })).code !== 0)
          return { repository: topLevel.stdout.trim(), commits: [] };
        throw new ToolFailedError('git', args, log, false);
      }
      return { repository: topLevel.stdout.trim(), commits: parseLog(log.stdout) };
    },
    async show(repository, commit, path) {
      return (await processes.runOk('git', ['show', `${commit}:${path}`], { cwd: repository })).stdout;
    },
    async commitTime(sha) {
      // The SHA comes from a file anyone can edit: only hex reaches git's arguments.
      if (!/^[0-9a-f]{7,64}$/i.test(sha)) return undefined;
      const result = await processes.run(
        'git',
        ['show', '-s', '--no-show-signature', '--format=%cI', `${sha}^{commit}`],
        { cwd: workspace },
      );
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
