import type { Ledger } from './ledger';

/**
 * A ledger with a git remote: the release commit is pushed; when the remote moved on (another clone
 * released), the commit is undone, the remote's ledger fetched, and the release re-recorded on it —
 * unless it released one of the same services meanwhile. Decided here from plain facts.
 */

export interface Upstream {
  remote: string;
  /** The remote's ref, `refs/heads/main`. */
  ref: string;
}

/** `git for-each-ref --format=%(upstream:remotename)%00%(upstream:remoteref) <HEAD's ref>`; empty: none. */
export function parseUpstream(stdout: string): Upstream | undefined {
  const [remote, ref] = stdout.trim().split('\0');
  return remote && ref ? { remote, ref } : undefined;
}

export type PushVerdict = 'pushed' | 'rejected' | 'failed';

/** Rejected: the remote has commits this clone lacks (fetch and re-record); failed: anything else. */
export function classifyPush(result: { code: number; stderr: string }): PushVerdict {
  if (result.code === 0) return 'pushed';
  return /\[rejected\]|non-fast-forward|fetch first|\(stale info\)|cannot lock ref/i.test(result.stderr)
    ? 'rejected'
    : 'failed';
}

export const MAX_PUSH_ATTEMPTS = 3;

export type RejectionDecision = { kind: 'retry' } | { kind: 'fail'; message: string };

export function decideAfterRejection(input: {
  /** Pushes tried so far (≥ 1). */
  attempt: number;
  maxAttempts: number;
  environment: string;
  /** The services this release records. */
  releasing: readonly string[];
  /** The ledger the release was planned on, and the remote's now. */
  plannedOn: Ledger;
  remote: Ledger;
  upstream: string;
}): RejectionDecision {
  const before = input.plannedOn.environments[input.environment] ?? {};
  const now = input.remote.environments[input.environment] ?? {};
  const moved = input.releasing.filter((service) => JSON.stringify(before[service]) !== JSON.stringify(now[service]));
  if (moved.length)
    return {
      kind: 'fail',
      message: `nx-fleet release: another release recorded ${moved.map((s) => `${s} (${now[s]?.gitSha.slice(0, 12) ?? 'removed'})`).join(', ')} in ${input.environment} on ${input.upstream} meanwhile; nothing was recorded here (the images are pushed). Pull and run the release again.`,
    };
  if (input.attempt >= input.maxAttempts)
    return {
      kind: 'fail',
      message: `nx-fleet release: ${input.upstream} rejected the ledger commit ${input.attempt} times (other releases kept landing); nothing was recorded here (the images are pushed). Run the release again.`,
    };
  return { kind: 'retry' };
}
