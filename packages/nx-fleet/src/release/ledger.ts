/**
 * The release ledger (`deploy/fleet.json` by default): per environment and service, what is
 * deployed. It is the only state releases need: no base SHA, and a failed release, which never
 * writes it, is simply retried by the next one.
 */

export interface LedgerEntry {
  /** Registry repository, e.g. `ghcr.io/acme/orders`. */
  image: string;
  digest: string;
  contentTag: string;
  /** The service's release hash when it was released: its content tag, its providers', the shared files'. */
  releaseHash: string;
  /** The commit the release was made from. */
  gitSha: string;
  releasedAt: string;
}

export interface Ledger {
  version: 1;
  environments: Record<string, Record<string, LedgerEntry>>;
}

export function emptyLedger(): Ledger {
  return { version: 1, environments: {} };
}

const ENTRY_FIELDS = ['image', 'digest', 'contentTag', 'releaseHash', 'gitSha', 'releasedAt'] as const;

/** A ledger someone edited by hand is checked field by field: a wrong one must not steer a release. */
export function parseLedger(text: string, file: string): Ledger {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `nx-fleet: the release ledger ${file} is not valid JSON (${(error as Error).message}); fix it or restore it from git.`,
    );
  }
  const ledger = data as Partial<Ledger> | null;
  if (!ledger || ledger.version !== 1 || typeof ledger.environments !== 'object' || ledger.environments === null) {
    throw new Error(
      `nx-fleet: ${file} is not an nx-fleet release ledger (expected { "version": 1, "environments": { … } }).`,
    );
  }
  for (const [environment, services] of Object.entries(ledger.environments)) {
    for (const [service, entry] of Object.entries(services ?? {})) {
      const missing = ENTRY_FIELDS.filter(
        (field) => typeof (entry as unknown as Record<string, unknown>)?.[field] !== 'string',
      );
      if (missing.length)
        throw new Error(
          `nx-fleet: ${file}: ${environment}.${service} lacks ${missing.join(', ')}; fix the entry or remove it (the service is then released as a first deploy).`,
        );
    }
  }
  return ledger as Ledger;
}

/** Sorted keys and a final newline: a release changes exactly the lines of the services it promoted. */
export function serializeLedger(ledger: Ledger): string {
  const sorted = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  const environments = Object.fromEntries(
    Object.entries(sorted(ledger.environments)).map(([env, services]) => [
      env,
      Object.fromEntries(
        Object.entries(sorted(services)).map(([name, entry]) => [
          name,
          Object.fromEntries(ENTRY_FIELDS.map((f) => [f, entry[f]])),
        ]),
      ),
    ]),
  );
  return `${JSON.stringify({ version: 1, environments }, null, 2)}\n`;
}

export function withReleased(
  ledger: Ledger,
  environment: string,
  entries: Readonly<Record<string, LedgerEntry>>,
): Ledger {
  return {
    version: 1,
    environments: { ...ledger.environments, [environment]: { ...ledger.environments[environment], ...entries } },
  };
}
