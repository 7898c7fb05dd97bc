import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciRegistryClient, OciRegistryError } from './oci-client';
import {
  OCI_EMPTY_DESCRIPTOR,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  attachArtifact,
  listReferrers,
  readArtifact,
  referrersTag,
  withReferrer,
  type Descriptor,
  type OciIndex,
} from './oci-referrers';
import { manifestDigestOf } from './destinations';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';

const SBOM = 'application/spdx+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3","name":"orders"}');
const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');

let registry: FakeRegistry;
let client: OciRegistryClient;
let image: Descriptor;

beforeEach(async () => {
  registry = await startFakeRegistry();
  client = new OciRegistryClient(registry.host, 'acme/orders', { fetch });
  image = await pushTestImage(client);
});
afterEach(() => registry.close());

async function referrersIndex(): Promise<OciIndex> {
  const document = await client.getManifest(referrersTag(image.digest));
  return JSON.parse(document!.body.toString('utf8')) as OciIndex;
}

describe('attachArtifact without the referrers API (distribution 2.8)', () => {
  it('pushes an artifact manifest with the empty config and lists both artifacts in the referrers tag', async () => {
    const first = await attachArtifact(client, {
      subject: image,
      artifactType: SBOM,
      content: sbom,
      annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
    });
    const second = await attachArtifact(client, { subject: image, artifactType: BUNDLE, content: bundle });

    const manifest = JSON.parse(registry.manifests.get(first.digest)!.body.toString('utf8'));
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: SBOM,
      config: OCI_EMPTY_DESCRIPTOR,
      layers: [{ mediaType: SBOM, digest: manifestDigestOf(sbom), size: sbom.length }],
      subject: image,
      annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
    });
    expect(registry.blobs.get(OCI_EMPTY_DESCRIPTOR.digest)).toEqual(Buffer.from('{}'));

    expect(referrersTag(image.digest)).toBe(`sha256-${image.digest.slice('sha256:'.length)}`);
    expect(await referrersIndex()).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX_MEDIA_TYPE,
      manifests: [
        {
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          digest: first.digest,
          size: registry.manifests.get(first.digest)!.body.length,
          artifactType: SBOM,
          annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
        },
        {
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          digest: second.digest,
          size: registry.manifests.get(second.digest)!.body.length,
          artifactType: BUNDLE,
        },
      ],
    });
  });

  it('does not list the same artifact twice nor rewrite the tag for it', async () => {
    const first = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    registry.requests.length = 0;
    expect(await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom })).toEqual(first);
    expect((await referrersIndex()).manifests.map((descriptor) => descriptor.digest)).toEqual([first.digest]);
    expect(
      registry.requests.filter((request) => request.startsWith('PUT') && request.includes('/manifests/sha256-')),
    ).toEqual([]);
  });

  it('refuses to overwrite a referrers tag that holds something other than an index', async () => {
    await client.putManifest(
      referrersTag(image.digest),
      registry.manifests.get(image.digest)!.body,
      OCI_MANIFEST_MEDIA_TYPE,
    );
    const error = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom }).catch(
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(OciRegistryError);
    expect((error as Error).message).toMatch(
      /^nx-fleet: 127\.0\.0\.1:\d+\/acme\/orders:sha256-\w+ \(the referrers tag of sha256:\w+; remove or rename it if it is something else\) is application\/vnd\.oci\.image\.manifest\.v1\+json, not an OCI image index\.$/,
    );
  });
});

describe('attachArtifact with the referrers API', () => {
  it('leaves indexing to the registry and creates no referrers tag', async () => {
    registry.options.referrersApi = true;
    const first = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    const second = await attachArtifact(client, { subject: image, artifactType: BUNDLE, content: bundle });
    expect(registry.tags.has(referrersTag(image.digest))).toBe(false);
    expect((await listReferrers(client, image.digest)).map((descriptor) => descriptor.digest)).toEqual([
      first.digest,
      second.digest,
    ]);
    expect((await listReferrers(client, image.digest, BUNDLE)).map((descriptor) => descriptor.digest)).toEqual([
      second.digest,
    ]);
  });
});

describe('listReferrers', () => {
  it('finds nothing for a subject without referrers', async () => {
    expect(await listReferrers(client, image.digest)).toEqual([]);
  });

  it('filters the referrers tag by artifact type', async () => {
    const first = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    const second = await attachArtifact(client, { subject: image, artifactType: BUNDLE, content: bundle });
    expect((await listReferrers(client, image.digest)).map((descriptor) => descriptor.digest)).toEqual([
      first.digest,
      second.digest,
    ]);
    expect((await listReferrers(client, image.digest, SBOM)).map((descriptor) => descriptor.digest)).toEqual([
      first.digest,
    ]);
    expect(await listReferrers(client, image.digest, 'application/vnd.example.other')).toEqual([]);
  });

  it('reads the artifact type from the manifest when the index entry lacks it', async () => {
    const { digest } = await attachArtifact(client, { subject: image, artifactType: BUNDLE, content: bundle });
    const bare = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest, size: registry.manifests.get(digest)!.body.length };
    const index = Buffer.from(JSON.stringify(withReferrer(undefined, bare)));
    await client.putManifest(referrersTag(image.digest), index, OCI_INDEX_MEDIA_TYPE);
    expect(await listReferrers(client, image.digest, BUNDLE)).toEqual([bare]);
    expect(await listReferrers(client, image.digest, SBOM)).toEqual([]);
  });
});

describe('readArtifact', () => {
  it('returns the manifest and the content of a listed artifact', async () => {
    await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    const [descriptor] = await listReferrers(client, image.digest, SBOM);
    const artifact = await readArtifact(client, descriptor!);
    expect(artifact.content).toEqual(sbom);
    expect(artifact.manifest).toMatchObject({ artifactType: SBOM, subject: image });
  });

  it('refuses content that does not match the digest its manifest names', async () => {
    const { digest } = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    registry.blobs.set(manifestDigestOf(sbom), Buffer.from('{"spdxVersion":"SPDX-2.3","name":"evil"}'));
    const [descriptor] = await listReferrers(client, image.digest);
    expect(descriptor?.digest).toBe(digest);
    await expect(readArtifact(client, descriptor!)).rejects.toThrow(/refusing them/);
  });

  it('refuses a manifest that does not match the listed digest', async () => {
    const { digest } = await attachArtifact(client, { subject: image, artifactType: SBOM, content: sbom });
    const other = await attachArtifact(client, { subject: image, artifactType: BUNDLE, content: bundle });
    registry.manifests.set(digest, registry.manifests.get(other.digest)!);
    await expect(readArtifact(client, { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest, size: 1 })).rejects.toThrow(
      /refusing them/,
    );
  });
});

describe('withReferrer', () => {
  const descriptor = (digest: string): Descriptor => ({
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    digest,
    size: 10,
    artifactType: SBOM,
  });

  it('starts an empty OCI index', () => {
    expect(withReferrer(undefined, descriptor('sha256:a'))).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX_MEDIA_TYPE,
      manifests: [descriptor('sha256:a')],
    });
  });

  it('appends, keeping what else the index holds', () => {
    const index: OciIndex = {
      schemaVersion: 2,
      mediaType: OCI_INDEX_MEDIA_TYPE,
      manifests: [descriptor('sha256:a')],
      annotations: { kept: 'yes' },
    };
    expect(withReferrer(index, descriptor('sha256:b'))).toEqual({
      ...index,
      manifests: [descriptor('sha256:a'), descriptor('sha256:b')],
    });
    expect(index.manifests).toHaveLength(1);
  });

  it('returns the very same index when the digest is already listed', () => {
    const index = withReferrer(undefined, descriptor('sha256:a'));
    expect(withReferrer(index, descriptor('sha256:a'))).toBe(index);
  });
});
