import type { Clock, Env, HttpFetch } from '../io/ports';
import { redactUrl } from '../text/redact';
import { brokerConfigFromEnv, CONSUMER_VERSION_SELECTORS, pactsForVerification, type BrokerPact } from './pact-broker';

/** What the broker said about a provider's pacts, as the fingerprint states it. */
export type BrokerListing =
  | { broker: 'none' }
  | { broker: string; pacts: readonly BrokerPact[] }
  /** `at`: when it failed, so that no two failures print the same fingerprint. */
  | { broker: string; unavailable: string };

/**
 * The text Nx hashes as contract-verify's runtime input: the broker (without credentials), the
 * selectors and the URL of every pact it would hand the verifier (a pact's URL names its content
 * version). A broker that did not answer gives a text that changes every time: the verification then
 * runs and reports the real error, never a cached result of pacts nobody could list.
 */
export function fingerprintText(listing: BrokerListing): string {
  if (!('pacts' in listing) && !('unavailable' in listing)) return 'no broker';
  const broker = `broker ${redactUrl(listing.broker)}`;
  if ('unavailable' in listing) return `${broker} unavailable at ${listing.unavailable}`;
  const pacts = [...new Set(listing.pacts.map((pact) => redactUrl(pact.href)))].sort();
  return [
    broker,
    `selectors ${JSON.stringify(CONSUMER_VERSION_SELECTORS)}`,
    ...(pacts.length ? pacts : ['no pacts']),
  ].join('\n');
}

export interface BrokerFingerprintPorts {
  http: HttpFetch;
  env: Env;
  clock: Clock;
}

/** Nx waits for runtime inputs before it runs anything: a broker that hangs must not hold every command. */
export const FINGERPRINT_TIMEOUT_MS = 10_000;

/** Lists the broker's pacts for the provider (credentials from the environment only) and never throws. */
export async function listBrokerPacts(
  ports: BrokerFingerprintPorts,
  provider: string,
  timeoutMs = FINGERPRINT_TIMEOUT_MS,
): Promise<BrokerListing> {
  const config = brokerConfigFromEnv(ports.env);
  if (!config) return { broker: 'none' };
  const http = withTimeout(ports.http, timeoutMs);
  try {
    return { broker: config.url, pacts: await pactsForVerification(http, config, provider) };
  } catch {
    return { broker: config.url, unavailable: ports.clock.now().toISOString() };
  }
}

/** Every request given up after `timeoutMs`. */
export function withTimeout(http: HttpFetch, timeoutMs: number): HttpFetch {
  return (input, init) => http(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

export async function brokerFingerprint(ports: BrokerFingerprintPorts, provider: string): Promise<string> {
  return fingerprintText(await listBrokerPacts(ports, provider));
}
