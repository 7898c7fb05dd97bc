import { loadVerifier, type VerifierFactory } from './verification';

/**
 * What contract-verify takes from Node beyond the shared ports: the workspace's own Pact and the
 * provider-state module. Unit tests pass fakes.
 */
export interface PactLoader {
  verifier(workspaceRoot: string): VerifierFactory;
  module(file: string): unknown;
}

export const nodePactLoader: PactLoader = {
  verifier: loadVerifier,
  module: (file) => require(file),
};
