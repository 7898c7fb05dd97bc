import { join } from 'node:path';
import { scanRecordDir, type PushRecord } from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { Ports } from '../io/ports';
import type { RegistryPorts } from '../registry/access';
import type { Destination } from '../registry/destinations';
import { registryClientFor, type OciRegistryClient } from '../registry/oci-client';
import { listReferrers } from '../registry/oci-referrers';
import { attachSbom, findSbom } from '../supply-chain/sbom';
import { ensureSigned, signatureStatus } from '../supply-chain/signatures';
import { cosignSignArgs } from '../supply-chain/signing/cosign';
import type { Signing } from '../supply-chain/signing/settings';
import { subjectOf, type Subject } from '../supply-chain/subject';
import type { AttachmentKind } from './decide';

export type AttestPorts = Pick<Ports, 'env' | 'http' | 'log' | 'processes'> & Pick<RegistryPorts, 'registryHosts'>;

/** An attachment wanted, whether the digest asked about has it, and (an SBOM there) its digest. */
export interface AttachmentFact {
  kind: AttachmentKind;
  present?: boolean;
  digest?: string;
}

/** The SBOM and the signature a push attaches to the pushed digest as OCI referrers. */
export interface Attachments {
  /**
   * The attachments this push wants, each with whether `digest` already carries it; `digest`
   * undefined (not pushed yet): nothing is asked. A cosign signature is never `present`: nx-fleet
   * cannot read cosign's signatures, so cosign signs again.
   */
  facts(digest: string | undefined): Promise<AttachmentFact[]>;
  /** Attaches one to `digest`; what push.json says about it. */
  attach(kind: AttachmentKind, digest: string): Promise<Pick<PushRecord, 'sbom' | 'signature'>>;
}

export function pushAttachments(
  ports: AttestPorts,
  input: { destination: Destination; signing: Signing; attachSbom?: boolean; service: ServiceRef },
): Attachments {
  const { destination, signing, service } = input;
  if (destination.kind !== 'registry') {
    if (signing.method !== 'none')
      ports.log.warn(
        `nx-fleet: ${service.projectName}: not signed: signatures and SBOMs are attached in a registry, and no registry is configured.`,
      );
    return { facts: async () => [], attach: async () => ({}) };
  }
  const sbom =
    input.attachSbom === false ? undefined : findSbom(join(service.workspaceRoot, scanRecordDir(service.projectRoot)));
  if (input.attachSbom !== false && !sbom)
    ports.log.warn(
      `nx-fleet: ${service.projectName}: no SBOM to attach (the scan target writes it next to image.json; is the scan gate off?).`,
    );
  const wanted: AttachmentKind[] = [
    ...(sbom ? ['sbom' as const] : []),
    ...(signing.method !== 'none' ? ['signature' as const] : []),
  ];
  // Made only when something is attached or asked: a push with nothing to attach makes no registry request for it.
  let client: OciRegistryClient | undefined;
  const registry = () =>
    (client ??= registryClientFor(destination.repository, ports.env, ports.http, ports.processes, {
      tlsVerify: destination.tlsVerify,
      log: ports.log,
      hosts: ports.registryHosts,
    }));
  const subjects = new Map<string, Subject>();
  const subject = async (digest: string) => {
    let found = subjects.get(digest);
    if (!found) subjects.set(digest, (found = await subjectOf(registry(), digest)));
    return found;
  };
  return {
    async facts(digest) {
      if (digest === undefined) return wanted.map((kind) => ({ kind }));
      const facts: AttachmentFact[] = [];
      for (const kind of wanted) {
        if (kind === 'sbom') {
          const [attached] = await listReferrers(registry(), digest, sbom!.mediaType);
          facts.push(attached ? { kind, present: true, digest: attached.digest } : { kind, present: false });
        } else if (signing.method === 'sigstore') {
          const status = await signatureStatus(registry(), digest, {
            repository: destination.repository,
            publicKeyPem: signing.key.publicKeyPem,
          });
          facts.push({ kind, present: status.status === 'valid' });
        } else facts.push({ kind });
      }
      return facts;
    },
    async attach(kind, digest) {
      if (kind === 'sbom') return { sbom: await attachSbom(registry(), await subject(digest), sbom!) };
      const reference = `${destination.repository}@${digest}`;
      if (signing.method === 'sigstore') {
        const outcome = await ensureSigned(registry(), await subject(digest), {
          repository: destination.repository,
          ...signing.key,
        });
        ports.log.info(
          `nx-fleet: ${service.projectName}: ${outcome === 'signed' ? 'signed' : 'already signed by this key:'} ${reference} (Sigstore bundle attached as a referrer)`,
        );
        return { signature: 'sigstore' };
      }
      if (signing.method === 'cosign') {
        await ports.processes.runOk(
          'cosign',
          cosignSignArgs({ reference, ...(signing.key ? { key: signing.key } : {}), tlsVerify: destination.tlsVerify }),
          // An `env://` key reaches cosign through its environment, never its command line.
          { echo: true, ...(signing.env ? { addEnv: signing.env } : {}) },
        );
        return { signature: 'cosign' };
      }
      return {};
    },
  };
}

/** What push.json says about attachments the digest already had (no step ran for them). */
export function recordedAttachments(
  facts: readonly AttachmentFact[],
  signing: Signing,
): Pick<PushRecord, 'sbom' | 'signature'> {
  const recorded: Pick<PushRecord, 'sbom' | 'signature'> = {};
  for (const fact of facts) {
    if (!fact.present) continue;
    if (fact.kind === 'sbom' && fact.digest) recorded.sbom = fact.digest;
    if (fact.kind === 'signature' && signing.method !== 'none') recorded.signature = signing.method;
  }
  return recorded;
}
