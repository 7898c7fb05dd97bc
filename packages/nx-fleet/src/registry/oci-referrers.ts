import {
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  OciRegistryError,
  parseIndex,
  parseManifest,
  type Descriptor,
  type OciIndex,
  type OciManifest,
  type OciRegistryClient,
} from './oci-client';
import { manifestDigestOf } from './destinations';

export {
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  type Descriptor,
  type OciIndex,
  type OciManifest,
} from './oci-client';

export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';

/** The config of an artifact that has none: the two bytes `{}`, as the image spec prescribes. */
export const OCI_EMPTY_DESCRIPTOR: Descriptor = {
  mediaType: OCI_EMPTY_MEDIA_TYPE,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};
const EMPTY_JSON = Buffer.from('{}');

export interface ArtifactInput {
  /** The manifest the artifact is about, e.g. a pushed image. */
  subject: Descriptor;
  artifactType: string;
  content: Buffer;
  annotations?: Record<string, string>;
}

/**
 * Pushes `content` as an OCI 1.1 artifact whose subject is an image, and makes it discoverable: registries
 * with the referrers API index it themselves; for the others the referrers tag schema's index is updated.
 * That update is read-modify-write (registries offer no compare-and-swap), so two concurrent attachments
 * to one subject may lose one entry; attaching again restores it.
 */
export async function attachArtifact(client: OciRegistryClient, input: ArtifactInput): Promise<{ digest: string }> {
  const annotations = input.annotations ? { annotations: input.annotations } : {};
  await client.putBlob(EMPTY_JSON);
  const layer: Descriptor = {
    mediaType: input.artifactType,
    digest: await client.putBlob(input.content),
    size: input.content.length,
  };
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    artifactType: input.artifactType,
    config: OCI_EMPTY_DESCRIPTOR,
    layers: [layer],
    subject: input.subject,
    ...annotations,
  };
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = await client.putManifest(manifestDigestOf(body), body, OCI_MANIFEST_MEDIA_TYPE);
  if ((await client.referrersApi(input.subject.digest)) === undefined) {
    const index = await readReferrersTag(client, input.subject.digest);
    const updated = withReferrer(index, {
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      digest,
      size: body.length,
      artifactType: input.artifactType,
      ...annotations,
    });
    if (updated !== index)
      await client.putManifest(
        referrersTag(input.subject.digest),
        Buffer.from(JSON.stringify(updated)),
        OCI_INDEX_MEDIA_TYPE,
      );
  }
  return { digest };
}

/** The referrers index with `descriptor` added; the very same index when it already lists that digest. */
export function withReferrer(index: OciIndex | undefined, descriptor: Descriptor): OciIndex {
  const current: OciIndex = index ?? { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
  if (current.manifests.some((manifest) => manifest.digest === descriptor.digest)) return current;
  return { ...current, manifests: [...current.manifests, descriptor] };
}

/** The artifacts that refer to a subject, of one artifact type when given. */
export async function listReferrers(
  client: OciRegistryClient,
  subjectDigest: string,
  artifactType?: string,
): Promise<Descriptor[]> {
  const referrers =
    (await client.referrersApi(subjectDigest)) ?? (await readReferrersTag(client, subjectDigest))?.manifests ?? [];
  if (artifactType === undefined) return referrers;
  const types = await Promise.all(referrers.map((descriptor) => artifactTypeOf(client, descriptor)));
  return referrers.filter((_, i) => types[i] === artifactType);
}

/** An artifact's manifest and its content (its first layer), both checked against their digests. */
export async function readArtifact(
  client: OciRegistryClient,
  descriptor: Descriptor,
): Promise<{ manifest: OciManifest; content: Buffer }> {
  const manifest = await readManifest(client, descriptor);
  const layer = manifest.layers[0];
  if (!layer)
    throw new OciRegistryError(
      `nx-fleet: the artifact ${client.describe(descriptor.digest)} has no layer, so no content.`,
    );
  return { manifest, content: await client.getBlob(layer.digest) };
}

/** The tag the referrers tag schema keeps a subject's referrers under: `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

async function readReferrersTag(client: OciRegistryClient, subjectDigest: string): Promise<OciIndex | undefined> {
  const tag = referrersTag(subjectDigest);
  const document = await client.getManifest(tag);
  return (
    document &&
    parseIndex(
      document,
      `${client.describe(tag)} (the referrers tag of ${subjectDigest}; remove or rename it if it is something else)`,
    )
  );
}

/** A descriptor's artifact type; lacking one, its manifest's, which defaults to the config's media type (image spec). */
async function artifactTypeOf(client: OciRegistryClient, descriptor: Descriptor): Promise<string> {
  if (descriptor.artifactType !== undefined) return descriptor.artifactType;
  const manifest = await readManifest(client, descriptor);
  return manifest.artifactType ?? manifest.config.mediaType;
}

/** getManifest by digest refuses bytes that do not hash to it, so the manifest is the one the descriptor names. */
async function readManifest(client: OciRegistryClient, descriptor: Descriptor): Promise<OciManifest> {
  const document = await client.getManifest(descriptor.digest);
  if (!document)
    throw new OciRegistryError(
      `nx-fleet: ${client.describe(descriptor.digest)} is listed as a referrer but the registry does not have it.`,
    );
  return parseManifest(document, client.describe(descriptor.digest));
}
