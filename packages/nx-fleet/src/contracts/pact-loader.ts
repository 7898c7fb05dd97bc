import { readdir } from 'node:fs/promises';
import type { ListFolder } from './pacts';
import { loadVerifier, type VerifierFactory } from './verification';

/**
 * What contract-verify takes from Node beyond the shared ports: the workspace's own Pact, the
 * provider-state module, and the pacts folder's listing. Unit tests pass fakes.
 */
export interface PactLoader {
  verifier(workspaceRoot: string): VerifierFactory;
  module(file: string): unknown;
  listFolder: ListFolder;
}

export const nodePactLoader: PactLoader = {
  verifier: loadVerifier,
  module: (file) => require(file),
  async listFolder(folder) {
    try {
      return await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
};
