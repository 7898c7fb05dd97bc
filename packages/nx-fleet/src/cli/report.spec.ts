import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { DoraRow } from '../release/dora';
import { nodeProcesses } from '../io/ports';
import { ledgerHistoryReader } from '../release/ledger-history';
import { reportCommand, runReport } from './report';
import { ledgerEntry, ledgerText } from '../testing/ledger';

// The reader under test runs git with process.env: the developer's own git config must not steer it.
const gitEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(cwd: string, args: string[], date = '2025-03-01T00:00:00Z'): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...gitEnv, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  }).trim();
}

function init(dir: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  return dir;
}

function commitFile(repo: string, file: string, text: string, date: string): string {
  mkdirSync(join(repo, file, '..'), { recursive: true });
  writeFileSync(join(repo, file), text);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', `change ${file}`], date);
  return git(repo, ['rev-parse', 'HEAD']);
}

const UNKNOWN_SHA = 'f'.repeat(40);
const now = new Date('2025-03-31T00:00:00Z');

let root: string;
let workspace: string;
let gitops: string;
let source: { first: string; second: string };
let brokenCommit: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-fleet-report-'));
  workspace = init(join(root, 'workspace'));
  source = {
    first: commitFile(workspace, 'src/a.ts', 'a', '2025-03-10T00:00:00Z'),
    second: commitFile(workspace, 'src/b.ts', 'b', '2025-03-12T00:00:00Z'),
  };
  // The GitOps checkout is its own repository; the ledger starts at its top level and moves to deploy/.
  gitops = init(join(root, 'gitops'));
  const first = { prod: { orders: ledgerEntry('a1', source.first, '2025-03-10T06:00:00Z') } };
  commitFile(gitops, 'fleet.json', ledgerText(first), '2025-03-10T06:00:00Z');
  brokenCommit = commitFile(gitops, 'fleet.json', '{ "version": 1,', '2025-03-11T00:00:00Z');
  commitFile(gitops, 'fleet.json', ledgerText(first), '2025-03-11T01:00:00Z');
  mkdirSync(join(gitops, 'deploy'));
  git(gitops, ['mv', 'fleet.json', 'deploy/fleet.json']);
  git(gitops, ['commit', '-q', '-m', 'move the ledger'], '2025-03-11T02:00:00Z');
  commitFile(
    gitops,
    'deploy/fleet.json',
    ledgerText({
      prod: {
        orders: ledgerEntry('a2', source.second, '2025-03-12T12:00:00Z'),
        billing: ledgerEntry('b1', UNKNOWN_SHA, '2025-03-12T12:00:00Z'),
      },
      staging: { orders: ledgerEntry('a2', source.second, '2025-03-12T02:00:00Z') },
    }),
    '2025-03-12T12:00:00Z',
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

let log: MockInstance;
let warn: MockInstance;
let error: MockInstance;

beforeEach(() => {
  for (const [name, value] of Object.entries(gitEnv)) vi.stubEnv(name, value);
  // A temporary directory outside any repository must not find one above it.
  vi.stubEnv('GIT_CEILING_DIRECTORIES', root);
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const gitReader = (workspaceRoot: string) => ledgerHistoryReader(workspaceRoot, nodeProcesses);
const report = (values: Record<string, string | boolean>, workspaceRoot = workspace) =>
  runReport(values, { workspaceRoot, now, history: gitReader(workspaceRoot) });
const printed = (spy: MockInstance) => spy.mock.calls.map((call) => String(call[0])).join('\n');

describe('ledgerHistoryReader', () => {
  it('lists the ledger commits oldest first, across the rename, with the path in each commit', async () => {
    const history = await gitReader(workspace).log(join(gitops, 'deploy', 'fleet.json'));
    expect(history?.commits.map((c) => c.path)).toEqual([
      'fleet.json',
      'fleet.json',
      'fleet.json',
      'deploy/fleet.json',
      'deploy/fleet.json',
    ]);
    expect(history?.commits[1]).toEqual({
      commit: brokenCommit,
      committedAt: '2025-03-11T00:00:00+00:00',
      path: 'fleet.json',
    });
    expect(await gitReader(workspace).show(history!.repository, brokenCommit, 'fleet.json')).toBe('{ "version": 1,');
  });

  it('gives the commit time of a workspace SHA, and nothing for an unknown or malformed one', async () => {
    const reader = gitReader(workspace);
    expect(await reader.commitTime(source.first)).toBe('2025-03-10T00:00:00+00:00');
    expect(await reader.commitTime(UNKNOWN_SHA)).toBeUndefined();
    expect(await reader.commitTime('--output=/tmp/x')).toBeUndefined();
  });
});

describe('runReport', () => {
  it('reports the deployments of every environment from the ledger history in another repository', async () => {
    expect(await report({ ledger: '../gitops/deploy/fleet.json', json: true })).toBe(0);
    const rows = JSON.parse(printed(log)) as DoraRow[];
    expect(
      rows.map((r) => [r.environment, r.service, r.deployments, r.leadTimeMedianHours, r.leadTimeUnknown]),
    ).toEqual([
      ['prod', 'billing', 1, null, 1],
      ['prod', 'orders', 2, 9, 0], // 6h and 12h
      ['prod', null, 3, 9, 1],
      ['staging', 'orders', 1, 2, 0],
      ['staging', null, 1, 2, 0],
    ]);
    expect(rows[1]).toMatchObject({ perDay: 2 / 30, lastDeployedAt: '2025-03-12T12:00:00Z' });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(printed(warn)).toContain(
      `skipped the ledger of commit ${brokenCommit}: nx-fleet: the release ledger fleet.json at ${brokenCommit.slice(0, 12)} is not valid JSON`,
    );
    expect(printed(warn)).toContain(
      `lead time leaves out 1 deployment(s) released from 1 commit(s) this repository does not have (${UNKNOWN_SHA.slice(0, 12)})`,
    );
  });

  it('prints a table of one environment over the days asked for', async () => {
    expect(await report({ ledger: join(gitops, 'deploy/fleet.json'), env: 'staging', days: '7' })).toBe(0);
    const lines = printed(log).split('\n');
    expect(lines[0]).toBe(
      `Deployments in the 7 days to 2025-03-31T00:00:00.000Z, from the history of ${join(gitops, 'deploy/fleet.json')}:`,
    );
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/).slice(0, 4))).toEqual([
      ['ENVIRONMENT', 'SERVICE', 'DEPLOYS', 'PER DAY'],
      ['staging', 'orders', '0', '0.00'],
      ['staging', '(all)', '0', '0.00'],
    ]);
  });

  it('reads deploy/fleet.json of the workspace by default', async () => {
    expect(await report({ json: true }, gitops)).toBe(0);
    expect(
      (JSON.parse(printed(log)) as DoraRow[])
        .filter((r) => r.service === null)
        .map((r) => [r.environment, r.deployments, r.leadTimeUnknown]),
    ).toEqual([
      ['prod', 3, 3],
      ['staging', 1, 1],
    ]);
  });

  it.each([
    [{ days: '0' }, '--days "0" is not a whole number of days of at least 1.'],
    [{ days: '1.5' }, '--days "1.5" is not a whole number of days of at least 1.'],
    [{ env: 'qa' }, 'no environment "qa" in the history of'],
    [{ ledger: 'deploy/missing.json' }, 'does not exist: release first, or pass --ledger <file>.'],
  ])('exits 2 for %j', async (values, message) => {
    expect(await report({ ledger: join(gitops, 'deploy/fleet.json'), ...values })).toBe(2);
    expect(printed(error)).toContain(message);
    expect(log).not.toHaveBeenCalled();
  });

  it('exits 2 for a ledger that was never committed', async () => {
    writeFileSync(join(gitops, 'deploy', 'untracked.json'), ledgerText({}));
    const fresh = init(join(root, 'fresh'));
    writeFileSync(join(fresh, 'fleet.json'), ledgerText({}));
    expect(await report({ ledger: join(gitops, 'deploy', 'untracked.json') })).toBe(2);
    expect(await report({ ledger: join(fresh, 'fleet.json') })).toBe(2);
    expect(error.mock.calls.map((call) => String(call[0]))).toEqual([
      `nx-fleet report: ${join(gitops, 'deploy', 'untracked.json')} has no git history: the report is read from the ledger's commits, so commit it first.`,
      `nx-fleet report: ${join(fresh, 'fleet.json')} has no git history: the report is read from the ledger's commits, so commit it first.`,
    ]);
  });

  it('exits 2 for a ledger outside any git repository', async () => {
    mkdirSync(join(root, 'plain'));
    writeFileSync(join(root, 'plain', 'fleet.json'), ledgerText({}));
    expect(await report({ ledger: join(root, 'plain', 'fleet.json') })).toBe(2);
    expect(printed(error)).toContain('is in no git repository');
  });
});

describe('reportCommand', () => {
  it('takes the documented options', () => {
    expect(Object.keys(reportCommand.options).sort()).toEqual(['days', 'env', 'json', 'ledger']);
    expect(reportCommand.help).toContain(
      'Usage: nx-fleet report [--env <name>] [--ledger <file>] [--days 30] [--json]',
    );
  });
});
