/**
 * Which pacts a service's push waits for. Repository pacts (`<service>/pacts/`) are known when Nx builds
 * the graph; the Pact Broker's are not (they change without a commit), so a configured broker alone makes
 * the push wait for contract-verify, and its pacts' fingerprint goes into contract-verify's cache key.
 */
export interface ContractGateInput {
  /** Pact files in the service's pacts folder. */
  repositoryPacts: number;
  /** A Pact Broker is configured (`PACT_BROKER_BASE_URL`) where Nx computes the graph. */
  broker: boolean;
  /** `gates.contract`, the service's setting over the plugin's. */
  enabled: boolean;
}

export type PactSource = 'repository' | 'broker';

export interface ContractGate {
  /** Where contract-verify takes pacts from; empty: it verifies nothing. */
  sources: PactSource[];
  /** docker-push depends on contract-verify. */
  pushWaits: boolean;
  /** There are pacts but the gate is off: docker-push names the skipped gate. */
  skipped: boolean;
  /** contract-verify's cache key holds the broker's pacts for this provider (a runtime input). */
  brokerFingerprint: boolean;
}

export function decideContractGate(input: ContractGateInput): ContractGate {
  const sources: PactSource[] = [
    ...(input.repositoryPacts > 0 ? (['repository'] as const) : []),
    ...(input.broker ? (['broker'] as const) : []),
  ];
  const gated = sources.length > 0;
  return {
    sources,
    pushWaits: gated && input.enabled,
    skipped: gated && !input.enabled,
    // Even with the gate off: a cached verification must never outlive a change of the broker's pacts.
    brokerFingerprint: input.broker,
  };
}
