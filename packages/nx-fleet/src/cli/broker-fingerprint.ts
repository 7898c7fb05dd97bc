import { brokerFingerprint } from '../contracts/broker-fingerprint';
import type { Env, HttpFetch } from '../io/ports';
import type { Command } from './command';

/**
 * Prints the fingerprint of the Pact Broker's pacts for a provider: what Nx hashes as contract-verify's
 * runtime input. Nx runs it through a shell before every command whose tasks hold a contract-verify, so it
 * loads the broker client alone: not io/ports (and with it @nx/devkit), whose load costs a second here.
 */
export async function printBrokerFingerprint(provider: string): Promise<void> {
  const ports = {
    // eslint-disable-next-line no-restricted-globals -- the one request this runtime input makes, see above
    http: ((input, init) => fetch(input, init)) as HttpFetch,
    // eslint-disable-next-line no-restricted-properties -- credentials come from the environment, never argv
    env: process.env as Env,
    clock: { now: () => new Date() },
  };
  process.stdout.write(`${await brokerFingerprint(ports, provider)}\n`);
}

/** `broker fingerprint <provider>`: a verb and a name, so the command list stays narrow. */
export const brokerFingerprintCommand: Command = {
  summary: "Print a fingerprint of the Pact Broker's pacts for a provider (contract-verify's cache input)",
  help: [
    'Usage: nx-fleet broker fingerprint <provider>',
    '',
    'Asks the Pact Broker (PACT_BROKER_BASE_URL; PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD, from the',
    'environment only) for the pacts contract-verify would verify for <provider> and prints their URLs (each',
    "names the pact's content version). contract-verify's inputs run this: a consumer's new pact makes its",
    'cached verification run again. Prints "no broker" without PACT_BROKER_BASE_URL, and a line that changes',
    'every time when the broker does not answer (within 10 s). Never prints credentials; exits 0 whatever the broker says.',
  ].join('\n'),
  positionals: ['action', 'provider'],
  options: {},
  async run(_values, { positionals }) {
    const [action, provider] = positionals as [string, string];
    if (action !== 'fingerprint') {
      console.error(`nx-fleet broker: unknown action "${action}" (expected: fingerprint).\n\n${this.help}`);
      return 2;
    }
    await printBrokerFingerprint(provider);
    return 0;
  },
};
