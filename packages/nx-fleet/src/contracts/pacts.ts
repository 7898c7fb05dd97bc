import { join, posix } from 'node:path';
import type { FilePort } from '../io/ports';
import { PACTS_FOLDER } from '../config/defaults';

// A project whose folder is named `pacts` keeps its manifests: they are never pacts.
export const PACT_FILE = /(^|\/)pacts\/(?!(?:project|package)\.json$)[^/]+\.json$/;

/** Pact files grouped by the folder that holds their `pacts/` folder: the provider's root. */
export function pactFilesByRoot(files: readonly string[]): Map<string, string[]> {
  const byRoot = new Map<string, string[]>();
  for (const file of files) {
    if (!PACT_FILE.test(file)) continue;
    const root = posix.dirname(posix.dirname(file));
    byRoot.set(root, [...(byRoot.get(root) ?? []), file].sort());
  }
  return byRoot;
}

export interface PactInteraction {
  description: string;
  providerStates: string[];
}

export interface PactSummary {
  file: string;
  consumer: string;
  provider: string;
  interactions: PactInteraction[];
}

/** The parts of a pact (V2 to V4) nx-fleet reads; anything else is the verifier's business. */
export function parsePact(file: string, text: string): PactSummary {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `nx-fleet: ${file} is not valid JSON (${(error as Error).message}); regenerate it by running the consumer's Pact tests.`,
    );
  }
  const pact = document as { consumer?: { name?: unknown }; provider?: { name?: unknown }; interactions?: unknown };
  const consumer = pact?.consumer?.name;
  const provider = pact?.provider?.name;
  if (typeof consumer !== 'string' || typeof provider !== 'string' || !Array.isArray(pact.interactions)) {
    throw new Error(
      `nx-fleet: ${file} is not a pact (it needs consumer.name, provider.name and interactions); regenerate it by running the consumer's Pact tests.`,
    );
  }
  const interactions = (
    pact.interactions as Array<{ description?: unknown; providerState?: unknown; providerStates?: unknown }>
  ).map((i) => ({
    description: typeof i.description === 'string' ? i.description : '(no description)',
    providerStates: Array.isArray(i.providerStates)
      ? i.providerStates.flatMap((s: { name?: unknown }) => (typeof s?.name === 'string' ? [s.name] : []))
      : typeof i.providerState === 'string'
        ? [i.providerState]
        : [],
  }));
  return { file, consumer, provider, interactions };
}

/** Every pact in the provider's pacts folder; one that names another provider is a mistake worth stopping for. */
export async function readProviderPacts(
  ports: { files: Pick<FilePort, 'readText' | 'list'> },
  input: { workspaceRoot: string; projectRoot: string; provider: string },
): Promise<PactSummary[]> {
  const folder = posix.join(input.projectRoot, PACTS_FOLDER);
  const names = (await ports.files.list(join(input.workspaceRoot, folder)))
    .filter((name) => name.endsWith('.json'))
    .sort();
  const pacts: PactSummary[] = [];
  for (const name of names) {
    const file = posix.join(folder, name);
    const pact = parsePact(file, (await ports.files.readText(join(input.workspaceRoot, file))) ?? '');
    if (pact.provider !== input.provider)
      throw new Error(
        `nx-fleet: ${file} is a pact with provider "${pact.provider}", but it is in the pacts folder of ${input.provider}; move it to ${pact.provider}'s pacts/ folder.`,
      );
    pacts.push({ ...pact, file: join(input.workspaceRoot, file) });
  }
  return pacts;
}
