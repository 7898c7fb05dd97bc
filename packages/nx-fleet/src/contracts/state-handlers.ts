import { join, resolve } from 'node:path';
import type { FilePort } from '../io/ports';
import type { PactLoader } from './pact-loader';
import { PACTS_FOLDER } from '../config/defaults';
import type { StateHandler } from './verification';

/** The provider-state handlers: the stateHandlers option's module, else `pacts/states.js` (or `.cjs`) if present. */
export function loadStateHandlers(
  ports: { files: Pick<FilePort, 'exists'>; loader: Pick<PactLoader, 'module'> },
  input: { workspaceRoot: string; projectRoot: string; option: string | undefined },
): Record<string, StateHandler> {
  const { workspaceRoot, option } = input;
  const candidates = option
    ? [resolve(workspaceRoot, option)]
    : ['states.js', 'states.cjs'].map((name) => join(workspaceRoot, input.projectRoot, PACTS_FOLDER, name));
  const file = candidates.find((candidate) => ports.files.exists(candidate));
  if (!file) {
    if (option) throw new Error(`nx-fleet: the stateHandlers module ${option} does not exist.`);
    return {};
  }
  const loaded = ports.loader.module(file) as { default?: unknown } & Record<string, unknown>;
  const handlers = (loaded.default ?? loaded) as Record<string, unknown>;
  const invalid = Object.entries(handlers)
    .filter(([, handler]) => typeof handler !== 'function')
    .map(([state]) => state);
  if (invalid.length)
    throw new Error(
      `nx-fleet: ${file} must export an object of provider-state handler functions; ${invalid.map((s) => JSON.stringify(s)).join(', ')} are not functions.`,
    );
  return handlers as Record<string, StateHandler>;
}
