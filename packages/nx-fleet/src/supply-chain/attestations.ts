import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciRegistryError, type Descriptor, type OciRegistryClient } from '../registry/oci-client';
import { attachArtifact, listReferrers, readArtifact } from '../registry/oci-referrers';
import {
  signImageDigest,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  SignatureVerificationError,
  verifyImageSignature,
} from './signing/sigstore';

/** What travels with a pushed digest: its SBOM and its signatures, as OCI referrers. */

export const SBOM_FILES = [
  { file: 'sbom.cdx.json', mediaType: 'application/vnd.cyclonedx+json', format: 'CycloneDX' },
  { file: 'sbom.spdx.json', mediaType: 'application/spdx+json', format: 'SPDX' },
] as const;

export type Subject = Pick<Descriptor, 'digest' | 'mediaType' | 'size'>;

/** The image manifest's descriptor, from the registry itself: a referrer must point at what is there. */
export async function subjectOf(client: OciRegistryClient, digest: string): Promise<Subject> {
  const manifest = await client.getManifest(digest);
  if (!manifest) throw new Error(`nx-fleet: the registry has no manifest ${digest}; push the image first.`);
  return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.body.length };
}

/** The SBOM the scan wrote next to image.json, if any. */
export function findSbom(recordDir: string): { path: string; mediaType: string } | undefined {
  for (const sbom of SBOM_FILES) {
    const path = join(recordDir, sbom.file);
    if (existsSync(path)) return { path, mediaType: sbom.mediaType };
  }
  return undefined;
}

/**
 * One SBOM per format and digest: a later scan of the same image (its cached pass expired) describes
 * the same layers, and attaching it again would only pile up near-identical documents.
 */
export async function attachSbom(
  client: OciRegistryClient,
  subject: Subject,
  sbom: { path: string; mediaType: string },
): Promise<string> {
  const [attached] = await listReferrers(client, subject.digest, sbom.mediaType);
  if (attached) return attached.digest;
  const { digest } = await attachArtifact(client, {
    subject,
    artifactType: sbom.mediaType,
    content: readFileSync(sbom.path),
  });
  return digest;
}

/** A private key from PEM text (optionally encrypted), re-exported unencrypted for the signer; kept in memory only. */
export function loadSigningKey(pem: string, passphrase?: string): { privateKeyPem: string; publicKeyPem: string } {
  let key;
  try {
    key = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  } catch (error) {
    // The key's text must never reach a log: only what kind of problem it is.
    if (!passphrase && pem.includes('ENCRYPTED'))
      throw new Error(
        'nx-fleet: the signing key could not be read (it is encrypted): set FLEET_SIGNING_KEY_PASSWORD to its passphrase.',
      );
    throw new Error(
      `nx-fleet: the signing key could not be read (${(error as NodeJS.ErrnoException).code ?? 'not a PEM private key'}). Give a PKCS#8 PEM private key (ECDSA P-256 or Ed25519) in FLEET_SIGNING_KEY or the signingKey option, and FLEET_SIGNING_KEY_PASSWORD if it is encrypted.`,
    );
  }
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

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

export interface SbomStatus {
  status: 'present' | 'missing' | 'invalid';
  format?: string;
  detail?: string;
}

/** Present when an attached SBOM parses as the format its media type names. */
export async function sbomStatus(client: OciRegistryClient, digest: string): Promise<SbomStatus> {
  let found: { descriptor: Descriptor; format: string } | undefined;
  for (const sbom of SBOM_FILES) {
    const [descriptor] = await listReferrers(client, digest, sbom.mediaType);
    if (descriptor) found = { descriptor, format: sbom.format };
    if (found) break;
  }
  if (!found) return { status: 'missing' };
  const { descriptor, format } = found;
  try {
    const document = JSON.parse((await readArtifact(client, descriptor)).content.toString('utf8')) as Record<
      string,
      unknown
    >;
    const valid =
      format === 'CycloneDX' ? document['bomFormat'] === 'CycloneDX' : typeof document['spdxVersion'] === 'string';
    return valid ? { status: 'present', format } : { status: 'invalid', format, detail: `not a ${format} document` };
  } catch (error) {
    return { status: 'invalid', format, detail: (error as Error).message };
  }
}
