import { describe, expect, it } from 'vitest';
import { decideLock, lockFileName, parseLockHolder, serializeLockHolder, type LockFacts } from './lock';

const FILE = '/repo/.git/nx-fleet-release-production-fleet.json-0123.lock';
const holder = { pid: 4242, host: 'ci-1', since: '2025-03-02T00:00:00.000Z', environment: 'production' };
const facts = (overrides: Partial<LockFacts> = {}): LockFacts => ({
  file: FILE,
  holder,
  holderAlive: true,
  host: 'ci-1',
  waitedMs: 0,
  timeoutMs: 0,
  ...overrides,
});

describe('decideLock', () => {
  it.each<[string, Partial<LockFacts>, ReturnType<typeof decideLock>]>([
    [
      'a dead holder on this host: taken over, warned',
      { holderAlive: false },
      {
        kind: 'take-over',
        warning:
          'nx-fleet release: taking over a stale release lock /repo/.git/nx-fleet-release-production-fleet.json-0123.lock (pid 4242 on ci-1 since 2025-03-02T00:00:00.000Z is no longer running).',
      },
    ],
    [
      'a live holder, no wait: fails naming it',
      {},
      {
        kind: 'fail',
        message: `nx-fleet release: another release (pid 4242 on ci-1, since 2025-03-02T00:00:00.000Z) holds the production release lock ${FILE}; wait for it to finish, then run the release again. Nothing was built or recorded.`,
      },
    ],
    ['a live holder within the wait: polls', { timeoutMs: 60_000, waitedMs: 10_000 }, { kind: 'wait', delayMs: 1000 }],
    [
      'the last poll is shortened to the deadline',
      { timeoutMs: 60_000, waitedMs: 59_700 },
      { kind: 'wait', delayMs: 300 },
    ],
    [
      'a live holder after the wait: fails saying how long',
      { timeoutMs: 60_000, waitedMs: 60_000 },
      {
        kind: 'fail',
        message: `nx-fleet release: another release (pid 4242 on ci-1, since 2025-03-02T00:00:00.000Z) holds the production release lock ${FILE} (waited 60 s); wait for it to finish, then run the release again. Nothing was built or recorded.`,
      },
    ],
    [
      'a holder on another host (its pid cannot be checked): never taken over',
      { host: 'laptop', holderAlive: false },
      {
        kind: 'fail',
        message: `nx-fleet release: another release (pid 4242 on ci-1, since 2025-03-02T00:00:00.000Z) holds the production release lock ${FILE}; if that release is gone, remove ${FILE}, then run the release again. Nothing was built or recorded.`,
      },
    ],
    [
      'an empty file (being written) within the wait: polls',
      { holder: undefined, timeoutMs: 5000 },
      { kind: 'wait', delayMs: 1000 },
    ],
    [
      'an empty or damaged file after the wait: fails, saying to remove it if nothing runs',
      { holder: undefined, holderAlive: false },
      {
        kind: 'fail',
        message: `nx-fleet release: the release lock ${FILE} exists but names no holder; if no release is running, remove ${FILE}, then run the release again. Nothing was built or recorded.`,
      },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(decideLock(facts(overrides))).toEqual(expected);
  });
});

describe('lock file contents and name', () => {
  it('round-trips a holder, and reads an empty or foreign file as no holder', () => {
    expect(parseLockHolder(serializeLockHolder(holder))).toEqual(holder);
    for (const text of [undefined, '', '{', '{"pid":"1"}', 'null']) expect(parseLockHolder(text)).toBeUndefined();
  });

  it('is one name per ledger and environment', () => {
    const a = lockFileName('/ws/deploy/fleet.json', 'production');
    expect(a).toMatch(/^nx-fleet-release-production-fleet\.json-[0-9a-f]{12}\.lock$/);
    expect(lockFileName('/ws/deploy/fleet.json', 'production')).toBe(a);
    expect(lockFileName('/ws/deploy/fleet.json', 'staging')).not.toBe(a);
    expect(lockFileName('/other/deploy/fleet.json', 'production')).not.toBe(a);
  });
});
