import { ToolFailedError } from '../io/process';
import { retrying, type RetryPolicy } from '../io/retry';

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

export const DEFAULT_PUSH_RETRY: RetryPolicy = { tries: 3, delayMs: 1000 };

/**
 * Runs an engine push, again after a transient failure (bounded, backoff doubling, each retry logged);
 * any other failure, or the last try's, is thrown as it was.
 */
export function pushWithRetries(
  push: () => Promise<string>,
  what: string,
  warn: (message: string) => void,
  policy: RetryPolicy = DEFAULT_PUSH_RETRY,
): Promise<string> {
  return retrying(
    push,
    policy,
    (outcome) =>
      'error' in outcome && outcome.error instanceof ToolFailedError
        ? transientPushFailure(`${outcome.error.result.stderr}\n${outcome.error.result.stdout}`)
        : undefined,
    ({ reason, delayMs, nextTry }) =>
      warn(`nx-fleet: pushing ${what}: ${reason}; retrying in ${delayMs} ms (try ${nextTry} of ${policy.tries}).`),
  );
}
