import { DEFAULT_TARGET_NAMES } from '../config/defaults';
import { secretEnvValues } from '../text/redact';
import type { BrokerConfig } from './pact-broker';
import type { PactSummary } from './pacts';
import { exposedPort } from './provider';

/** The contract-verify options (schema.json states the same defaults for Nx Console). */
export interface ContractVerifyOptions {
  buildTarget?: string;
  port?: number;
  healthPath?: string;
  startTimeoutSeconds?: number;
  env?: Record<string, string>;
  startCommand?: string[];
  stateHandlers?: string;
  pactBrokerUrl?: string;
}

/** What there is to verify: the repository's pacts and the broker's, or nothing at all (no provider starts). */
export type VerificationPlan =
  { verify: 'nothing' } | { verify: 'pacts'; pacts: readonly PactSummary[]; broker: BrokerConfig | undefined };

/**
 * `brokerPacts`: how many pacts the broker listed for this provider; undefined when it could not say
 * (the verifier then asks it again and reports the real error). A broker with none for this provider
 * is not verified: Pact fails a verification that finds no pacts, and no provider starts for nothing.
 */
export function planVerification(
  pacts: readonly PactSummary[],
  broker: BrokerConfig | undefined,
  brokerPacts?: number,
): VerificationPlan {
  const fromBroker = brokerPacts === 0 ? undefined : broker;
  return pacts.length || fromBroker ? { verify: 'pacts', pacts, broker: fromBroker } : { verify: 'nothing' };
}

/** Where the provider comes from: its start command, else the image its build target recorded. */
export type ProviderPlan =
  | { from: 'command'; command: readonly string[]; env: Record<string, string> }
  /** port undefined: the Dockerfile's, read once the image is on this machine. */
  | { from: 'image'; port: number | undefined; env: Record<string, string> };

export interface ProviderSettings {
  provider: ProviderPlan;
  buildTarget: string;
  healthPath: string;
  startTimeoutMs: number;
}

export function planProvider(options: ContractVerifyOptions): ProviderSettings {
  const env = options.env ?? {};
  return {
    provider: options.startCommand
      ? { from: 'command', command: options.startCommand, env }
      : { from: 'image', port: options.port, env },
    buildTarget: options.buildTarget ?? DEFAULT_TARGET_NAMES.build,
    healthPath: options.healthPath ?? '/health',
    startTimeoutMs: (options.startTimeoutSeconds ?? 60) * 1000,
  };
}

/** The port a provider's image listens on when the port option does not say: its Dockerfile's first EXPOSE, else 3000. */
export function portFromDockerfile(dockerfile: string | undefined): number {
  return (dockerfile === undefined ? undefined : exposedPort(dockerfile)) ?? 3000;
}

/**
 * The values contract-verify must never print or record: the broker's credentials and the provider
 * variables whose names say they are secrets (URL credentials anywhere are redacted regardless).
 */
export function secretValues(broker: BrokerConfig | undefined, env: Readonly<Record<string, string>>): string[] {
  return [broker?.password, broker?.token, ...secretEnvValues(env)].filter((value): value is string => !!value);
}
