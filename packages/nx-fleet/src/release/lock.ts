import { createHash } from 'node:crypto';
import { basename } from 'node:path';

/**
 * One release at a time per ledger and environment: a lock file created atomically (O_EXCL) holding
 * who took it. What to do when it exists is decided here, from plain facts; release.ts does it.
 *
 * The choice: a live holder makes the second release wait up to its timeout (0 by default: fail at
 * once), then fail naming the holder; a holder on this host whose process is gone is stale and taken
 * over with a warning; a holder on another host cannot be checked and is never taken over.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601. */
  since: string;
  environment: string;
}

/** In the ledger repository's git dir: per ledger and environment, never committed, shared by worktrees. */
export function lockFileName(ledgerFile: string, environment: string): string {
  const ledger = createHash('sha256').update(ledgerFile).digest('hex').slice(0, 12);
  return `nx-fleet-release-${environment}-${basename(ledgerFile).replace(/[^\w.-]/g, '_')}-${ledger}.lock`;
}

export function serializeLockHolder(holder: LockHolder): string {
  return `${JSON.stringify(holder)}\n`;
}

/** Undefined for a file that is empty (being written) or not a holder's. */
export function parseLockHolder(text: string | undefined): LockHolder | undefined {
  if (!text) return undefined;
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    return typeof data.pid === 'number' &&
      typeof data.host === 'string' &&
      typeof data.since === 'string' &&
      typeof data.environment === 'string'
      ? (data as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
}

export type LockDecision =
  /** Remove the stale file and try to create it again; the warning is printed. */
  { kind: 'take-over'; warning: string } | { kind: 'wait'; delayMs: number } | { kind: 'fail'; message: string };

export interface LockFacts {
  file: string;
  /** Undefined: the file exists but holds no holder (being written, or damaged). */
  holder: LockHolder | undefined;
  /** Whether the holder's pid runs, asked only on this host. */
  holderAlive: boolean;
  host: string;
  waitedMs: number;
  timeoutMs: number;
}

export const LOCK_POLL_MS = 1000;

export function decideLock(facts: LockFacts): LockDecision {
  const { holder, file } = facts;
  if (holder && holder.host === facts.host && !facts.holderAlive)
    return {
      kind: 'take-over',
      warning: `nx-fleet release: taking over a stale release lock ${file} (pid ${holder.pid} on ${holder.host} since ${holder.since} is no longer running).`,
    };
  if (facts.waitedMs < facts.timeoutMs)
    return { kind: 'wait', delayMs: Math.min(LOCK_POLL_MS, facts.timeoutMs - facts.waitedMs) };
  const who = holder
    ? `another release (pid ${holder.pid} on ${holder.host}, since ${holder.since}) holds the ${holder.environment} release lock ${file}`
    : `the release lock ${file} exists but names no holder`;
  const remedy =
    holder && holder.host !== facts.host
      ? `; if that release is gone, remove ${file}`
      : holder
        ? '; wait for it to finish'
        : `; if no release is running, remove ${file}`;
  const waited = facts.timeoutMs > 0 ? ` (waited ${Math.round(facts.waitedMs / 1000)} s)` : '';
  return {
    kind: 'fail',
    message: `nx-fleet release: ${who}${waited}${remedy}, then run the release again. Nothing was built or recorded.`,
  };
}
