import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attachSbom,
  ensureSigned,
  findSbom,
  loadSigningKey,
  sbomStatus,
  signatureStatus,
  subjectOf,
  type Subject,
} from './attestations';
import { OciRegistryClient } from '../registry/oci-client';
import {
  OCI_MANIFEST_MEDIA_TYPE,
  attachArtifact,
  listReferrers,
  readArtifact,
  type Descriptor,
} from '../registry/oci-referrers';
import { SIGSTORE_BUNDLE_MEDIA_TYPE, signImageDigest } from './signing/sigstore';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';

const CDX = 'application/vnd.cyclonedx+json';
const SPDX = 'application/spdx+json';
const cdxDocument = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] });
const spdxDocument = JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'orders' });

function keyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const keys = keyPair();
const otherKeys = keyPair();

let registry: FakeRegistry;
let client: OciRegistryClient;
let repository: string;
let image: Descriptor;
let workDir: string;

beforeEach(async () => {
  registry = await startFakeRegistry();
  client = new OciRegistryClient(registry.host, 'acme/orders');
  repository = `${registry.host}/acme/orders`;
  image = await pushTestImage(client);
  workDir = mkdtempSync(join(tmpdir(), 'nx-fleet-attestations-'));
});
afterEach(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await registry.close();
});

function writeSbom(file: string, text: string): string {
  const path = join(workDir, file);
  writeFileSync(path, text);
  return path;
}

/** Attaches raw bytes as an SBOM of the given media type, bypassing findSbom. */
async function attachRaw(subject: Subject, mediaType: string, text: string): Promise<string> {
  return (await attachArtifact(client, { subject, artifactType: mediaType, content: Buffer.from(text) })).digest;
}

describe('subjectOf', () => {
  it("returns the image manifest's descriptor as the registry serves it", async () => {
    expect(await subjectOf(client, image.digest)).toEqual({
      digest: image.digest,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      size: image.size,
    });
  });

  it('names the digest when the registry has no such manifest', async () => {
    const absent = `sha256:${'0'.repeat(64)}`;
    await expect(subjectOf(client, absent)).rejects.toThrow(
      `the registry has no manifest ${absent}; push the image first`,
    );
  });
});

describe('findSbom', () => {
  it('prefers the CycloneDX SBOM when both formats are there', () => {
    writeSbom('sbom.spdx.json', spdxDocument);
    const cdx = writeSbom('sbom.cdx.json', cdxDocument);
    expect(findSbom(workDir)).toEqual({ path: cdx, mediaType: CDX });
  });

  it('falls back to the SPDX SBOM', () => {
    const spdx = writeSbom('sbom.spdx.json', spdxDocument);
    expect(findSbom(workDir)).toEqual({ path: spdx, mediaType: SPDX });
  });

  it('finds nothing in a directory without an SBOM, or one that does not exist', () => {
    writeSbom('image.json', '{}');
    expect(findSbom(workDir)).toBeUndefined();
    expect(findSbom(join(workDir, 'absent'))).toBeUndefined();
  });
});

describe('attachSbom and sbomStatus', () => {
  it('attaches a CycloneDX SBOM as a referrer of the digest, which sbomStatus finds present', async () => {
    const digest = await attachSbom(client, image, { path: writeSbom('sbom.cdx.json', cdxDocument), mediaType: CDX });

    const [descriptor] = await listReferrers(client, image.digest, CDX);
    expect(descriptor?.digest).toBe(digest);
    expect((await readArtifact(client, descriptor!)).content.toString('utf8')).toBe(cdxDocument);
    expect(await sbomStatus(client, image.digest)).toEqual({ status: 'present', format: 'CycloneDX' });
  });

  it('reports an SPDX SBOM as present in the SPDX format', async () => {
    await attachSbom(client, image, { path: writeSbom('sbom.spdx.json', spdxDocument), mediaType: SPDX });
    expect(await sbomStatus(client, image.digest)).toEqual({ status: 'present', format: 'SPDX' });
  });

  it('reports missing when nothing, or only a signature, is attached', async () => {
    expect(await sbomStatus(client, image.digest)).toEqual({ status: 'missing' });
    await ensureSigned(client, image, { repository, ...keys });
    expect(await sbomStatus(client, image.digest)).toEqual({ status: 'missing' });
  });

  it("does not count another image's SBOM", async () => {
    const other = await pushTestImage(client, 'arm64', 'v2');
    await attachSbom(client, other, { path: writeSbom('sbom.cdx.json', cdxDocument), mediaType: CDX });
    expect(await sbomStatus(client, image.digest)).toEqual({ status: 'missing' });
    expect(await sbomStatus(client, other.digest)).toEqual({ status: 'present', format: 'CycloneDX' });
  });

  it('reports invalid when the CycloneDX attachment is not a CycloneDX document', async () => {
    await attachRaw(image, CDX, spdxDocument);
    expect(await sbomStatus(client, image.digest)).toEqual({
      status: 'invalid',
      format: 'CycloneDX',
      detail: 'not a CycloneDX document',
    });
  });

  it('reports invalid when the SPDX attachment lacks spdxVersion', async () => {
    await attachRaw(image, SPDX, cdxDocument);
    expect(await sbomStatus(client, image.digest)).toEqual({
      status: 'invalid',
      format: 'SPDX',
      detail: 'not a SPDX document',
    });
  });

  it('reports invalid, with the parse error, when the attachment is not JSON', async () => {
    await attachRaw(image, CDX, 'this is not json');
    const status = await sbomStatus(client, image.digest);
    expect(status).toMatchObject({ status: 'invalid', format: 'CycloneDX' });
    expect(status.detail).toMatch(/JSON/);
  });
});

describe('loadSigningKey', () => {
  it('reads a PKCS#8 PEM key and derives its public key', () => {
    const loaded = loadSigningKey(keys.privateKeyPem);
    expect(loaded.privateKeyPem).toBe(keys.privateKeyPem);
    expect(loaded.publicKeyPem).toBe(keys.publicKeyPem);
  });

  it('decrypts an encrypted PEM key with its passphrase and re-exports it unencrypted', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const encrypted = privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
      .toString();
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');

    const loaded = loadSigningKey(encrypted, 'correct horse');
    expect(loaded.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(loaded.privateKeyPem).toBe(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(loaded.publicKeyPem).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });

  const encryptedKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
    .toString();
  const garbage =
    '-----BEGIN PRIVATE KEY-----\nTUlJQ0lBZ0VBTUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n-----END PRIVATE KEY-----\n';

  it.each([
    ['an encrypted key with the wrong passphrase', encryptedKey, 'battery staple'],
    ['an encrypted key without its passphrase', encryptedKey, undefined],
    ['a PEM block that is not a key', garbage, undefined],
    ['text that is not PEM at all', 'my-signing-key-is-secret', undefined],
  ])('refuses %s without echoing the key, pointing at FLEET_SIGNING_KEY', (_case, pem, passphrase) => {
    let error: unknown;
    try {
      loadSigningKey(pem, passphrase);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^nx-fleet: the signing key could not be read \(/);
    expect(message).toContain('FLEET_SIGNING_KEY');
    // Neither the key text nor any line of its body may leak into a log.
    expect(message).not.toContain(pem);
    for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
      expect(message).not.toContain(line);
    if (passphrase) expect(message).not.toContain(passphrase);
  });
});

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
    await attachRaw(image, CDX, cdxDocument);
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
    const attached = await attachRaw(image, SIGSTORE_BUNDLE_MEDIA_TYPE, JSON.stringify(bundle));

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
    const attached = await attachRaw(image, SIGSTORE_BUNDLE_MEDIA_TYPE, 'not json {');
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
