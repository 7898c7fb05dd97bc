import type { LedgerEntry } from '../release/ledger';

/** A ledger entry whose fields all derive from its digest, released from `gitSha` at `releasedAt`. */
export function ledgerEntry(digest: string, gitSha: string, releasedAt: string): LedgerEntry {
  return {
    image: `ghcr.io/acme/${digest}`,
    digest,
    contentTag: `ct-${digest}`,
    releaseHash: `rh-${digest}`,
    gitSha,
    releasedAt,
  };
}

/** A ledger file's text, as a release writes it. */
export function ledgerText(environments: Record<string, Record<string, LedgerEntry>>): string {
  return `${JSON.stringify({ version: 1, environments }, null, 2)}\n`;
}
