import type { Descriptor, OciRegistryClient } from '../registry/oci-client';

/** What an SBOM or a signature is attached to: the pushed image manifest, as an OCI referrer's subject. */
export type Subject = Pick<Descriptor, 'digest' | 'mediaType' | 'size'>;

/** The image manifest's descriptor, from the registry itself: a referrer must point at what is there. */
export async function subjectOf(client: OciRegistryClient, digest: string): Promise<Subject> {
  const manifest = await client.getManifest(digest);
  if (!manifest) throw new Error(`nx-fleet: the registry has no manifest ${digest}; push the image first.`);
  return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.body.length };
}
