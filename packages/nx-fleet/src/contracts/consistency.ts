import { posix } from 'node:path';
import type { ServiceRuntime } from '../runtime-graph/edges';
import { PACTS_FOLDER } from '../config/defaults';

export interface PactLink {
  file: string;
  consumer: string;
  provider: string;
}

/**
 * Contracts should follow the runtime graph: a service that calls another through its SDK should
 * have a pact with it, and a pact should be explained by such a call. Only for workspaces that use
 * pacts at all: without any, every SDK import would warn.
 */
export function contractWarnings(
  runtime: readonly ServiceRuntime[],
  pacts: readonly PactLink[],
  rootOf: (service: string) => string | undefined,
): string[] {
  if (!pacts.length) return [];
  const key = (consumer: string, provider: string) => `${consumer}\0${provider}`;
  const pacted = new Set(pacts.map((p) => key(p.consumer, p.provider)));
  const calls = new Set(runtime.flatMap((s) => s.providers.map((p) => key(s.service, p.service))));
  const warnings: string[] = [];
  for (const service of runtime) {
    for (const provider of service.providers) {
      if (pacted.has(key(service.service, provider.service))) continue;
      const first = provider.imports[0];
      const where = posix.join(
        rootOf(provider.service) ?? provider.service,
        PACTS_FOLDER,
        `${service.service}-${provider.service}.json`,
      );
      warnings.push(
        `nx-fleet: ${service.service} imports ${provider.service}'s SDK${first ? ` (${first.file}:${first.line})` : ''} but has no pact with it (expected ${where}); add a Pact consumer test.`,
      );
    }
  }
  for (const pact of pacts) {
    if (!calls.has(key(pact.consumer, pact.provider))) {
      warnings.push(
        `nx-fleet: ${pact.file} is a pact of ${pact.consumer} with ${pact.provider}, but no SDK import of ${pact.consumer} explains it (see nx-fleet graph); is the consumer name a project name?`,
      );
    }
  }
  return warnings;
}
