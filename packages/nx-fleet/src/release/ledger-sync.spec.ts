import { describe, expect, it } from 'vitest';
import type { Ledger, LedgerEntry } from './ledger';
import { classifyPush, decideAfterRejection, parseUpstream } from './ledger-sync';

const entry = (gitSha: string): LedgerEntry => ({
  image: 'ghcr.io/acme/x',
  digest: `sha256:${gitSha}`,
  contentTag: 'ct',
  releaseHash: `rh-${gitSha}`,
  gitSha,
  releasedAt: '2025-03-01T00:00:00.000Z',
});
const ledger = (production: Record<string, LedgerEntry>, staging: Record<string, LedgerEntry> = {}): Ledger => ({
  version: 1,
  environments: { production, staging },
});

describe('parseUpstream', () => {
  it.each([
    ['origin\0refs/heads/main\n', { remote: 'origin', ref: 'refs/heads/main' }],
    ['\0\n', undefined],
    ['', undefined],
  ])('%j', (stdout, expected) => {
    expect(parseUpstream(stdout)).toEqual(expected);
  });
});

describe('classifyPush', () => {
  it.each<[string, number, string, ReturnType<typeof classifyPush>]>([
    ['accepted', 0, '', 'pushed'],
    ['non-fast-forward', 1, ' ! [rejected]        HEAD -> main (non-fast-forward)\n', 'rejected'],
    ['fetch first', 1, ' ! [rejected]        HEAD -> main (fetch first)\n', 'rejected'],
    ['a concurrent ref update', 1, "error: cannot lock ref 'refs/heads/main'", 'rejected'],
    ['authentication', 128, 'fatal: Authentication failed for https://git.example/acme.git', 'failed'],
    ['unreachable', 128, "fatal: unable to access 'https://git.example/': Could not resolve host", 'failed'],
  ])('%s', (_name, code, stderr, verdict) => {
    expect(classifyPush({ code, stderr })).toBe(verdict);
  });
});

describe('decideAfterRejection', () => {
  const base = {
    attempt: 1,
    maxAttempts: 3,
    environment: 'production',
    releasing: ['orders'],
    upstream: 'origin/main',
  };
  it.each<[string, Partial<Parameters<typeof decideAfterRejection>[0]>, ReturnType<typeof decideAfterRejection>]>([
    [
      'another release recorded other services: re-record on it',
      { plannedOn: ledger({ web: entry('a') }), remote: ledger({ web: entry('b'), billing: entry('b') }) },
      { kind: 'retry' },
    ],
    [
      'another environment moved: re-record',
      { plannedOn: ledger({}), remote: ledger({}, { orders: entry('b') }) },
      { kind: 'retry' },
    ],
    [
      'the same service was recorded meanwhile: fail, naming it',
      { plannedOn: ledger({ orders: entry('a') }), remote: ledger({ orders: entry('bbbbbbbbbbbbbbbb') }) },
      {
        kind: 'fail',
        message:
          'nx-fleet release: another release recorded orders (bbbbbbbbbbbb) in production on origin/main meanwhile; nothing was recorded here (the images are pushed). Pull and run the release again.',
      },
    ],
    [
      'a first deploy that someone else made meanwhile: fail',
      { plannedOn: ledger({}), remote: ledger({ orders: entry('c') }) },
      {
        kind: 'fail',
        message:
          'nx-fleet release: another release recorded orders (c) in production on origin/main meanwhile; nothing was recorded here (the images are pushed). Pull and run the release again.',
      },
    ],
    [
      'rejected as often as allowed: fail',
      { attempt: 3, plannedOn: ledger({}), remote: ledger({ web: entry('b') }) },
      {
        kind: 'fail',
        message:
          'nx-fleet release: origin/main rejected the ledger commit 3 times (other releases kept landing); nothing was recorded here (the images are pushed). Run the release again.',
      },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(
      decideAfterRejection({ ...base, plannedOn: ledger({}), remote: ledger({}), ...overrides } as Parameters<
        typeof decideAfterRejection
      >[0]),
    ).toEqual(expected);
  });
});
