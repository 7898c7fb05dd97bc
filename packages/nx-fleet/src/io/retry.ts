import { setTimeout as sleepFor } from 'node:timers/promises';

/** `tries` in all, waiting delayMs·2^n before try n+2. */
export interface RetryPolicy {
  tries: number;
  delayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** What one try gave: a value (which may still be a failure, e.g. an HTTP 503) or a thrown error. */
export type TryOutcome<T> = { value: T } | { error: unknown };

/**
 * Runs `action` again while `transient` names a reason another try may cure its outcome, up to
 * `policy.tries` tries; `onRetry` announces each retry (and may release what the failed try holds).
 * The last outcome, or one that is not transient, is returned or thrown as it was.
 */
export async function retrying<T>(
  action: () => Promise<T>,
  policy: RetryPolicy,
  transient: (outcome: TryOutcome<T>) => string | undefined,
  onRetry: (retry: { reason: string; delayMs: number; nextTry: number; outcome: TryOutcome<T> }) => unknown,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => sleepFor(ms));
  for (let attempt = 1; ; attempt++) {
    let outcome: TryOutcome<T>;
    try {
      outcome = { value: await action() };
    } catch (error) {
      outcome = { error };
    }
    const reason = attempt < policy.tries ? transient(outcome) : undefined;
    if (reason === undefined) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    const delayMs = policy.delayMs * 2 ** (attempt - 1);
    await onRetry({ reason, delayMs, nextTry: attempt + 1, outcome });
    await sleep(delayMs);
  }
}
