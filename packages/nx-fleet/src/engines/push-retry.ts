import { setTimeout as sleepFor } from 'node:timers/promises';
import { ToolFailedError } from '../io/process';

/**
 * What an engine's failed push printed that another try can cure: the registry's 5xx or 429, a reset
 * or cut connection, a timeout. Podman 4.3 and docker give up on the first such answer; a retry
 * re-sends only the blobs the registry still lacks (each is checked first). Undefined: not transient.
 */
export function transientPushFailure(output: string): string | undefined {
  for (const [pattern, reason] of TRANSIENT) {
    const match = pattern.exec(output);
    if (match) return reason(match);
  }
  return undefined;
}

const TRANSIENT: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  [/unexpected HTTP status: (5\d\d|429)\b[^\n]*/i, (m) => `HTTP ${m[1]}`],
  [
    /\b(5\d\d|429) (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout|Too Many Requests)\b/,
    (m) => `HTTP ${m[1]}`,
  ],
  [/connection reset by peer/i, () => 'connection reset'],
  [/broken pipe/i, () => 'broken pipe'],
  [/\bunexpected EOF\b|:\s*EOF\s*$/im, () => 'connection closed early'],
  [/i\/o timeout|TLS handshake timeout|net\/http: request canceled/i, () => 'timeout'],
];

export interface PushRetryPolicy {
  tries: number;
  delayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_PUSH_RETRY: PushRetryPolicy = { tries: 3, delayMs: 1000 };

/**
 * Runs an engine push, again after a transient failure (bounded, backoff doubling, each retry logged);
 * any other failure, or the last try's, is thrown as it was.
 */
export async function pushWithRetries(
  push: () => Promise<string>,
  what: string,
  warn: (message: string) => void,
  policy: PushRetryPolicy = DEFAULT_PUSH_RETRY,
): Promise<string> {
  const sleep = policy.sleep ?? ((ms: number) => sleepFor(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await push();
    } catch (error) {
      const reason =
        error instanceof ToolFailedError
          ? transientPushFailure(`${error.result.stderr}\n${error.result.stdout}`)
          : undefined;
      if (!reason || attempt >= policy.tries) throw error;
      const delay = policy.delayMs * 2 ** (attempt - 1);
      warn(`nx-fleet: pushing ${what}: ${reason}; retrying in ${delay} ms (try ${attempt + 1} of ${policy.tries}).`);
      await sleep(delay);
    }
  }
}
