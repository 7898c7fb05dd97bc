import { redactUrl } from '../text/redact';
import { CONSUMER_VERSION_SELECTORS, type BrokerConfig } from './pact-broker';
import type { PactSummary } from './pacts';

/** The Pact package nx-fleet drives; installed by the workspace (16.x is the line that runs on Node 20). */
export const PACT_PACKAGE = '@pact-foundation/pact';

export interface InteractionFailure {
  interaction: string;
  mismatches: string[];
}

export interface PactResult {
  file: string;
  consumer: string;
  passed: boolean;
  verified: number;
  failures: InteractionFailure[];
}

export type StateHandler = (params?: Record<string, unknown>) => unknown;

interface VerifierLike {
  verifyProvider(): Promise<unknown>;
}

interface VerifierOptions {
  providerBaseUrl: string;
  provider: string;
  pactUrls?: string[];
  stateHandlers: Record<string, StateHandler>;
  logLevel: 'warn';
  pactBrokerUrl?: string;
  pactBrokerToken?: string;
  pactBrokerUsername?: string;
  pactBrokerPassword?: string;
  consumerVersionSelectors?: Array<Record<string, unknown>>;
  publishVerificationResult?: boolean;
  providerVersion?: string;
  providerVersionBranch?: string;
}

export type VerifierFactory = (options: VerifierOptions) => VerifierLike;

/** `new Verifier(…)` from the workspace's own @pact-foundation/pact, with an install hint when it is missing. */
export function loadVerifier(workspaceRoot: string): VerifierFactory {
  let pact: { Verifier: new (options: VerifierOptions) => VerifierLike };
  try {
    pact = require(require.resolve(PACT_PACKAGE, { paths: [workspaceRoot] })) as typeof pact;
  } catch {
    throw new Error(
      `nx-fleet: contract-verify needs ${PACT_PACKAGE}: \`npm install --save-dev ${PACT_PACKAGE}@16\` (16.x runs on Node 20).`,
    );
  }
  return (options) => new pact.Verifier(options);
}

/**
 * Verifies one consumer's pact against the running provider. Pact rejects with its results as JSON
 * (`errors`, `interactionResults`): they name the failing interactions and their mismatches.
 */
export async function verifyPact(
  verifier: VerifierFactory,
  input: { pact: PactSummary; provider: string; baseUrl: string; stateHandlers: Record<string, StateHandler> },
): Promise<PactResult> {
  const base = { file: input.pact.file, consumer: input.pact.consumer, verified: input.pact.interactions.length };
  try {
    await withoutBrokerEnv(() =>
      verifier({
        providerBaseUrl: input.baseUrl,
        provider: input.provider,
        pactUrls: [input.pact.file],
        stateHandlers: input.stateHandlers,
        logLevel: 'warn',
      }).verifyProvider(),
    );
    return { ...base, passed: true, failures: [] };
  } catch (error) {
    return { ...base, passed: false, failures: failuresOf(error) };
  }
}

/**
 * Pact reads PACT_BROKER_* from the environment on its own, and would then verify the broker's pacts
 * instead of the file: a repository pact is verified with them out of sight. Pact reads the real
 * process.env, not the Env port, so this is the one place nx-fleet changes it, restored at once.
 */
async function withoutBrokerEnv<T>(work: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line no-restricted-properties
  const env = process.env;
  const saved = Object.entries(env).filter(([key]) => key.startsWith('PACT_BROKER_'));
  for (const [key] of saved) delete env[key];
  try {
    return await work();
  } finally {
    for (const [key, value] of saved) env[key] = value;
  }
}

export function failuresOf(error: unknown): InteractionFailure[] {
  const message = error instanceof Error ? error.message : String(error);
  let parsed: {
    errors?: Array<{
      interaction?: string;
      mismatch?: { mismatches?: Array<{ mismatch?: string; path?: string }>; message?: string };
    }>;
  } | null;
  try {
    parsed = JSON.parse(message) as typeof parsed;
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed?.errors) || !parsed.errors.length)
    return [{ interaction: '(verification did not run)', mismatches: [message] }];
  return parsed.errors.map((e) => ({
    interaction: e.interaction ?? '(unnamed interaction)',
    mismatches: e.mismatch?.mismatches?.map((m) =>
      m.path ? `${m.path}: ${m.mismatch}` : (m.mismatch ?? 'mismatch'),
    ) ?? [e.mismatch?.message ?? 'failed'],
  }));
}

export function formatContractReport(provider: string, results: readonly PactResult[]): string {
  return results
    .map((r) =>
      r.passed
        ? `  ${r.consumer}: ${r.verified ? `${r.verified} interaction(s) ` : ''}verified (${r.file})`
        : [
            `  ${r.consumer}: FAILED (${r.file})`,
            ...r.failures.flatMap((f) => [`    - ${f.interaction}`, ...f.mismatches.map((m) => `        ${m}`)]),
          ].join('\n'),
    )
    .reduce((text, line) => `${text}\n${line}`, `nx-fleet: ${provider}: contracts of ${results.length} consumer(s):`);
}

/**
 * With a Pact Broker: also verify the pacts it holds for this provider (each consumer's latest, its
 * main branch's and what is deployed), and publish the results under the git SHA and branch, which is
 * what can-i-deploy reads.
 */
export async function verifyBrokerPacts(
  verifier: VerifierFactory,
  input: {
    broker: BrokerConfig;
    provider: string;
    baseUrl: string;
    stateHandlers: Record<string, StateHandler>;
    version: string;
    branch?: string;
  },
): Promise<PactResult> {
  // brokerConfigFromEnv already moved URL credentials out; a config built elsewhere may still hold them.
  const base = { file: redactUrl(input.broker.url), consumer: '(Pact Broker)', verified: 0 };
  try {
    await verifier({
      providerBaseUrl: input.baseUrl,
      provider: input.provider,
      stateHandlers: input.stateHandlers,
      logLevel: 'warn',
      pactBrokerUrl: input.broker.url,
      ...(input.broker.token ? { pactBrokerToken: input.broker.token } : {}),
      ...(input.broker.username
        ? { pactBrokerUsername: input.broker.username, pactBrokerPassword: input.broker.password ?? '' }
        : {}),
      consumerVersionSelectors: CONSUMER_VERSION_SELECTORS.map((selector) => ({ ...selector })),
      publishVerificationResult: true,
      providerVersion: input.version,
      ...(input.branch ? { providerVersionBranch: input.branch } : {}),
    }).verifyProvider();
    return { ...base, passed: true, failures: [] };
  } catch (error) {
    return { ...base, passed: false, failures: failuresOf(error) };
  }
}
