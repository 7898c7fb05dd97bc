import { describe, expect, it } from 'vitest';
import type { DoraRow } from './dora';
import type { LedgerHistory, LedgerHistoryReader } from './ledger-history';
import { doraReport, formatReport, leadTimeWarning } from './report';
import { ledgerEntry, ledgerText } from '../testing/ledger';

const now = new Date('2025-03-31T00:00:00Z');
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

/** A ledger history in memory: versions by commit, commit times by SHA. */
function fakeHistory(input: {
  isFile?: boolean;
  history?: LedgerHistory;
  versions?: Record<string, string>;
  commitTimes?: Record<string, string>;
}) {
  const asked: string[] = [];
  const reader: LedgerHistoryReader = {
    isFile: () => input.isFile ?? true,
    log: async () => input.history,
    show: async (_repository, commit) => {
      const text = input.versions?.[commit];
      if (text === undefined) throw new Error(`no ${commit}`);
      return text;
    },
    commitTime: async (sha) => {
      asked.push(sha);
      return input.commitTimes?.[sha];
    },
  };
  return { reader, asked };
}

const commits = (...names: string[]): LedgerHistory => ({
  repository: '/gitops',
  commits: names.map((commit, i) => ({ commit, committedAt: `2025-03-1${i}T00:00:00Z`, path: 'deploy/fleet.json' })),
});

const run = (reader: LedgerHistoryReader, request: { days?: string; environment?: string } = {}) => {
  const warnings: string[] = [];
  const report = doraReport({ workspaceRoot: '/ws', now, ...request }, reader, (m) => warnings.push(m));
  return report.then((result) => ({ result, warnings }));
};

describe('doraReport', () => {
  it.each([
    [{ days: '0' }, {}, '--days "0" is not a whole number of days of at least 1.'],
    [{ days: 'x' }, {}, '--days "x" is not a whole number of days of at least 1.'],
    [
      {},
      { isFile: false },
      'the release ledger /ws/deploy/fleet.json does not exist: release first, or pass --ledger <file>.',
    ],
    [{}, {}, "/ws/deploy/fleet.json is in no git repository: the report is read from the ledger's commits."],
    [
      {},
      { history: commits() },
      "/ws/deploy/fleet.json has no git history: the report is read from the ledger's commits, so commit it first.",
    ],
    [
      { environment: 'qa' },
      { history: commits('c1'), versions: { c1: ledgerText({}) } },
      'no environment "qa" in the history of /ws/deploy/fleet.json (it records no deployment).',
    ],
  ])('%j with %j is an error', async (request, history, error) => {
    expect((await run(fakeHistory(history).reader, request)).result).toEqual({ error });
  });

  it('skips a version that cannot be read or parsed, with a warning, and reads the rest', async () => {
    const { reader } = fakeHistory({
      history: commits('c1', 'c2', 'c3'),
      versions: { c1: '{', c3: ledgerText({ prod: { orders: ledgerEntry('d1', SHA_A, '2025-03-20T00:00:00Z') } }) },
    });
    const { result, warnings } = await run(reader);
    expect(warnings).toEqual([
      expect.stringMatching(/^nx-fleet report: skipped the ledger of commit c1: nx-fleet: the release ledger/),
      'nx-fleet report: skipped the ledger of commit c2: no c2',
    ]);
    expect('rows' in result && result.rows.map((r) => [r.service, r.deployments])).toEqual([
      ['orders', 1],
      [null, 1],
    ]);
  });

  it('asks the commit time of each released SHA in the window once, and names the unknown ones', async () => {
    const { reader, asked } = fakeHistory({
      history: commits('c1'),
      versions: {
        c1: ledgerText({
          prod: {
            orders: ledgerEntry('d1', SHA_A, '2025-03-20T00:00:00Z'),
            billing: ledgerEntry('d2', SHA_A, '2025-03-21T00:00:00Z'),
            old: ledgerEntry('d3', 'c'.repeat(40), '2024-01-01T00:00:00Z'),
          },
          staging: { orders: ledgerEntry('d1', SHA_B, '2025-03-20T00:00:00Z') },
        }),
      },
      commitTimes: { [SHA_A]: '2025-03-19T00:00:00Z' },
    });
    const { result } = await run(reader, { environment: 'prod', days: '30' });
    expect(asked).toEqual([SHA_A]);
    expect(result).toMatchObject({ file: '/ws/deploy/fleet.json', days: 30, unknownCommits: [] });
    const all = await run(reader);
    expect(all.result).toMatchObject({ unknownCommits: [SHA_B.slice(0, 12)] });
  });
});

describe('leadTimeWarning', () => {
  const row = (service: string | null, leadTimeUnknown: number) => ({ service, leadTimeUnknown }) as DoraRow;

  it.each([
    [[], undefined],
    [
      ['aaaaaaaaaaaa'],
      'nx-fleet report: lead time leaves out 3 deployment(s) released from 1 commit(s) this repository does not have (aaaaaaaaaaaa); a shallow clone lacks them: fetch the full history (fetch-depth: 0).',
    ],
    [
      ['a1', 'a2', 'a3', 'a4'],
      'nx-fleet report: lead time leaves out 3 deployment(s) released from 4 commit(s) this repository does not have (a1, a2, a3, …); a shallow clone lacks them: fetch the full history (fetch-depth: 0).',
    ],
  ])('%j → %s', (unknownCommits, expected) => {
    // Only the all-services rows count: a service's unknowns are in its environment's row too.
    const rows = [row('orders', 1), row(null, 1), row('orders', 2), row(null, 2)];
    expect(leadTimeWarning({ rows, unknownCommits })).toBe(expected);
  });
});

describe('formatReport', () => {
  it('heads the table with the window and the ledger', () => {
    expect(formatReport({ file: '/ws/deploy/fleet.json', days: 7, rows: [] }, now).split('\n').slice(0, 3)).toEqual([
      'Deployments in the 7 days to 2025-03-31T00:00:00.000Z, from the history of /ws/deploy/fleet.json:',
      '',
      expect.stringMatching(/^ENVIRONMENT {2}SERVICE/),
    ]);
  });
});
