import { OciRegistryError, type OciRegistryClient } from '../registry/oci-client';
import { attachArtifact, listReferrers, readArtifact } from '../registry/oci-referrers';
import {
  signImageDigest,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  SignatureVerificationError,
  verifyImageSignature,
} from './signing/sigstore';
import type { Subject } from './subject';

/** Sigstore bundles attached to a pushed digest as OCI referrers: made at push, checked by `nx-fleet verify`. */

/**
 * Signs the digest unless a signature by the same key is already attached: pushing an unchanged
 * image again must not pile up signatures.
 */
export async function ensureSigned(
  client: OciRegistryClient,
  subject: Subject,
  input: { repository: string; privateKeyPem: string; publicKeyPem: string },
): Promise<'signed' | 'already signed'> {
  const existing = await signatureStatus(client, subject.digest, {
    repository: input.repository,
    publicKeyPem: input.publicKeyPem,
  });
  if (existing.status === 'valid') return 'already signed';
  const bundle = await signImageDigest({
    repository: input.repository,
    digest: subject.digest,
    privateKeyPem: input.privateKeyPem,
  });
  await attachArtifact(client, {
    subject,
    artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    content: Buffer.from(JSON.stringify(bundle)),
  });
  return 'signed';
}

export interface SignatureStatus {
  status: 'valid' | 'invalid' | 'missing';
  /** Why each attached bundle was rejected, when none is valid. */
  problems: string[];
}

/** Valid when at least one attached Sigstore bundle signs this digest with this key. */
export async function signatureStatus(
  client: OciRegistryClient,
  digest: string,
  input: { repository: string; publicKeyPem: string },
): Promise<SignatureStatus> {
  const bundles = await listReferrers(client, digest, SIGSTORE_BUNDLE_MEDIA_TYPE);
  const problems: string[] = [];
  for (const descriptor of bundles) {
    try {
      const { content } = await readArtifact(client, descriptor);
      verifyImageSignature({
        bundle: JSON.parse(content.toString('utf8')),
        digest,
        publicKeyPem: input.publicKeyPem,
        repository: input.repository,
      });
      return { status: 'valid', problems: [] };
    } catch (error) {
      // A bundle that fails its digest check in the registry is as untrustworthy as a bad signature.
      if (
        !(error instanceof SignatureVerificationError) &&
        !(error instanceof SyntaxError) &&
        !(error instanceof OciRegistryError)
      )
        throw error;
      problems.push(`${descriptor.digest}: ${error.message.replace(/^nx-fleet: /, '')}`);
    }
  }
  return { status: bundles.length ? 'invalid' : 'missing', problems };
}
