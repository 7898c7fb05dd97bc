import { describe, expect, it } from 'vitest';
import { listReferrers } from '../registry/oci-referrers';
import { pushTestImage } from '../testing/fake-oci-registry';
import { attachRaw, signingKeyPair, client, image, repository, useRegistryImage } from '../testing/registry-image';
import { ensureSigned, signatureStatus } from './signatures';
import { SIGSTORE_BUNDLE_MEDIA_TYPE, signImageDigest } from './signing/sigstore';

const CDX = 'application/vnd.cyclonedx+json';
const cdxDocument = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] });
const keys = signingKeyPair();
const otherKeys = signingKeyPair();

useRegistryImage();

describe('ensureSigned', () => {
  it('signs once, then finds its own signature and attaches no second one', async () => {
    expect(await ensureSigned(client, image, { repository, ...keys })).toBe('signed');
    const [first] = await listReferrers(client, image.digest, SIGSTORE_BUNDLE_MEDIA_TYPE);
    expect(first).toBeDefined();

    expect(await ensureSigned(client, image, { repository, ...keys })).toBe('already signed');
    expect((await listReferrers(client, image.digest, SIGSTORE_BUNDLE_MEDIA_TYPE)).map((d) => d.digest)).toEqual([
      first!.digest,
    ]);
    expect(await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem })).toEqual({
      status: 'valid',
      problems: [],
    });
  });

  it("signs again when the only signature attached is another key's", async () => {
    await ensureSigned(client, image, { repository, ...otherKeys });
    expect(await ensureSigned(client, image, { repository, ...keys })).toBe('signed');
    expect(await listReferrers(client, image.digest, SIGSTORE_BUNDLE_MEDIA_TYPE)).toHaveLength(2);
  });
});

describe('signatureStatus', () => {
  it('is valid for a signature of the digest by the key', async () => {
    await ensureSigned(client, image, { repository, ...keys });
    expect(await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem })).toEqual({
      status: 'valid',
      problems: [],
    });
  });

  it('is missing when no bundle is attached (an SBOM is not a signature)', async () => {
    await attachRaw(client, image, CDX, cdxDocument);
    expect(await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem })).toEqual({
      status: 'missing',
      problems: [],
    });
  });

  it('is invalid for a signature by another key, naming the bundle', async () => {
    await ensureSigned(client, image, { repository, ...otherKeys });
    const [bundle] = await listReferrers(client, image.digest, SIGSTORE_BUNDLE_MEDIA_TYPE);

    const status = await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem });
    expect(status.status).toBe('invalid');
    expect(status.problems).toHaveLength(1);
    expect(status.problems[0]).toMatch(new RegExp(`^${bundle!.digest}: the bundle was signed by another key`));
    expect(status.problems[0]).not.toMatch(/nx-fleet: /);
  });

  it('is invalid for a bundle that signs another digest but is attached to this one', async () => {
    const other = await pushTestImage(client, 'arm64', 'v2');
    const bundle = await signImageDigest({ repository, digest: other.digest, privateKeyPem: keys.privateKeyPem });
    const attached = await attachRaw(client, image, SIGSTORE_BUNDLE_MEDIA_TYPE, JSON.stringify(bundle));

    const status = await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem });
    expect(status.status).toBe('invalid');
    expect(status.problems).toHaveLength(1);
    expect(status.problems[0]).toContain(`${attached}: the bundle signs another image (${other.digest})`);
  });

  it('is invalid for a signature of the digest as pushed to another repository', async () => {
    await ensureSigned(client, image, { repository: 'registry.example.com/acme/orders', ...keys });
    const status = await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem });
    expect(status.status).toBe('invalid');
    expect(status.problems[0]).toContain(`not as "${repository}"`);
  });

  it('reports an attached bundle that is not JSON as invalid rather than throwing', async () => {
    const attached = await attachRaw(client, image, SIGSTORE_BUNDLE_MEDIA_TYPE, 'not json {');
    const status = await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem });
    expect(status.status).toBe('invalid');
    expect(status.problems[0]).toMatch(new RegExp(`^${attached}: `));
  });

  it('is valid when one of several bundles holds, whatever the others are', async () => {
    await ensureSigned(client, image, { repository, ...otherKeys });
    await ensureSigned(client, image, { repository, ...keys });
    expect(await signatureStatus(client, image.digest, { repository, publicKeyPem: keys.publicKeyPem })).toEqual({
      status: 'valid',
      problems: [],
    });
  });
});
