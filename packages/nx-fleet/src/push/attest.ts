import { join } from 'node:path';
import { scanRecordDir, type PushRecord } from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { Ports } from '../io/ports';
import type { Destination } from '../registry/destinations';
import { registryClientFor } from '../registry/oci-client';
import { attachSbom, findSbom } from '../supply-chain/sbom';
import { ensureSigned } from '../supply-chain/signatures';
import { cosignSignArgs } from '../supply-chain/signing/cosign';
import type { Signing } from '../supply-chain/signing/settings';
import { subjectOf } from '../supply-chain/subject';

export type AttestPorts = Pick<Ports, 'env' | 'http' | 'log' | 'processes'>;

/** The SBOM and the signature, attached to the pushed digest as OCI referrers. */
export async function attachToDigest(
  ports: AttestPorts,
  input: { destination: Destination; digest: string; signing: Signing; attachSbom?: boolean; service: ServiceRef },
): Promise<Pick<PushRecord, 'sbom' | 'signature'>> {
  const { destination, digest, signing, service } = input;
  if (destination.kind !== 'registry') {
    if (signing.method !== 'none')
      ports.log.warn(
        `nx-fleet: ${service.projectName}: not signed: signatures and SBOMs are attached in a registry, and no registry is configured.`,
      );
    return {};
  }
  const client = registryClientFor(destination.repository, ports.env, ports.http, ports.processes, {
    tlsVerify: destination.tlsVerify,
    log: ports.log,
  });
  const subject = await subjectOf(client, digest);
  const result: Pick<PushRecord, 'sbom' | 'signature'> = {};
  if (input.attachSbom !== false) {
    const sbom = findSbom(join(service.workspaceRoot, scanRecordDir(service.projectRoot)));
    if (sbom) result.sbom = await attachSbom(client, subject, sbom);
    else
      ports.log.warn(
        `nx-fleet: ${service.projectName}: no SBOM to attach (the scan target writes it next to image.json; is the scan gate off?).`,
      );
  }
  const reference = `${destination.repository}@${digest}`;
  if (signing.method === 'sigstore') {
    const outcome = await ensureSigned(client, subject, { repository: destination.repository, ...signing.key });
    ports.log.info(
      `nx-fleet: ${service.projectName}: ${outcome === 'signed' ? 'signed' : 'already signed by this key:'} ${reference} (Sigstore bundle attached as a referrer)`,
    );
    result.signature = 'sigstore';
  } else if (signing.method === 'cosign') {
    await ports.processes.runOk(
      'cosign',
      cosignSignArgs({ reference, ...(signing.key ? { key: signing.key } : {}), tlsVerify: destination.tlsVerify }),
      // An `env://` key reaches cosign through its environment, never its command line.
      { echo: true, ...(signing.env ? { addEnv: signing.env } : {}) },
    );
    result.signature = 'cosign';
  }
  return result;
}
