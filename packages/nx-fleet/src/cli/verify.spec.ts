import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachSbom } from '../supply-chain/sbom';
import { ensureSigned } from '../supply-chain/signatures';
import { OciRegistryClient } from '../registry/oci-client';
import { attachArtifact, type Descriptor } from '../registry/oci-referrers';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';
import { formatVerifyTable, parsePinnedReference, verifyTarget, type VerifyResult } from './verify';

const digest = `sha256:${'a1'.repeat(32)}`;

describe('parsePinnedReference', () => {
  it('splits host:port/name@sha256:…', () => {
    expect(parsePinnedReference(`127.0.0.1:5000/acme/orders@${digest}`)).toEqual({
      repository: '127.0.0.1:5000/acme/orders',
      digest,
    });
  });

  it('keeps the repository without the tag of name:tag@sha256:…', () => {
    expect(parsePinnedReference(`registry.example.com/acme/orders:v1.2-rc_1@${digest}`)).toEqual({
      repository: 'registry.example.com/acme/orders',
      digest,
    });
    expect(parsePinnedReference(`localhost:5000/orders:latest@${digest}`)).toEqual({
      repository: 'localhost:5000/orders',
      digest,
    });
  });

  it.each([
    ['a tag only', 'registry.example.com/acme/orders:v1'],
    ['a repository only', 'registry.example.com/acme/orders'],
    ['no registry', `orders@${digest}`],
    ['no registry, with a tag', `orders:v1@${digest}`],
    ['a short digest', `registry.example.com/acme/orders@sha256:${'a1'.repeat(16)}`],
    ['an upper-case digest', `registry.example.com/acme/orders@sha256:${'A1'.repeat(32)}`],
    ['another algorithm', `registry.example.com/acme/orders@sha512:${'a1'.repeat(64)}`],
    ['whitespace', `registry.example.com/acme/ orders@${digest}`],
  ])('rejects %s, naming --image and the reference', (_case, reference) => {
    expect(() => parsePinnedReference(reference)).toThrow(
      `nx-fleet verify: --image ${JSON.stringify(reference)} is not a digest-pinned reference (registry/name@sha256:<64 hex>).`,
    );
  });
});

describe('formatVerifyTable', () => {
  const reference = `registry.example.com/acme/orders@${digest}`;
  const result = (overrides: Partial<VerifyResult>): VerifyResult => ({
    name: 'orders',
    reference,
    digest,
    ok: true,
    signature: { status: 'valid', problems: [] },
    sbom: { status: 'present', format: 'CycloneDX' },
    problems: [],
    ...overrides,
  });

  it('prints an aligned row per image and no details when all is well', () => {
    const table = formatVerifyTable([result({}), result({ name: 'billing-service', reference: 'r/b@x' })]);
    expect(table.split('\n')).toEqual([
      'IMAGE            RESULT  SIGNATURE  SBOM     REFERENCE',
      `orders           ok      valid      present  ${reference}`,
      'billing-service  ok      valid      present  r/b@x',
    ]);
  });

  it("says 'not checked' when the SBOM was not checked", () => {
    const [, row] = formatVerifyTable([result({ sbom: undefined })]).split('\n');
    expect(row).toBe(`orders  ok      valid      not checked  ${reference}`);
  });

  it('marks a missing signature FAILED and names the digest below the table', () => {
    const lines = formatVerifyTable([result({ ok: false, signature: { status: 'missing', problems: [] } })]).split(
      '\n',
    );
    expect(lines[1]).toMatch(/^orders  FAILED  missing    present  /);
    expect(lines.slice(2)).toEqual(['', `orders: no Sigstore signature is attached to ${digest}`]);
  });

  it('lists the problem of each rejected signature bundle', () => {
    const problems = ['sha256:b1: the bundle was signed by another key', 'sha256:c2: the bundle signs another image'];
    const lines = formatVerifyTable([result({ ok: false, signature: { status: 'invalid', problems } })]).split('\n');
    expect(lines[1]).toMatch(/^orders  FAILED  invalid /);
    expect(lines.slice(2)).toEqual([
      '',
      'orders: signature sha256:b1: the bundle was signed by another key',
      'orders: signature sha256:c2: the bundle signs another image',
    ]);
  });

  it('reports a missing SBOM, and an invalid one with its detail', () => {
    const lines = formatVerifyTable([
      result({ ok: false, sbom: { status: 'missing' } }),
      result({
        name: 'billing',
        ok: false,
        sbom: { status: 'invalid', format: 'SPDX', detail: 'not a SPDX document' },
      }),
    ]).split('\n');
    expect(lines[1]).toMatch(/^orders   FAILED  valid      missing  /);
    expect(lines[2]).toMatch(/^billing  FAILED  valid      invalid  /);
    expect(lines.slice(3)).toEqual(['', 'orders: SBOM missing', 'billing: SBOM invalid (not a SPDX document)']);
  });

  it('lists problems outside the attachments first, such as a moved tag', () => {
    const moved = `registry.example.com/acme/orders:ct-1 now names sha256:b2, not the pushed ${digest}`;
    const lines = formatVerifyTable([
      result({ ok: false, problems: [moved], signature: { status: 'missing', problems: [] } }),
    ]).split('\n');
    expect(lines[1]).toMatch(/^orders  FAILED  missing    present  /);
    expect(lines.slice(2)).toEqual(['', `orders: ${moved}`, `orders: no Sigstore signature is attached to ${digest}`]);
  });
});

describe('verifyTarget', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keys = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const CONTENT_TAG = 'ct-0123456789ab';

  let registry: FakeRegistry;
  let client: OciRegistryClient;
  let repository: string;
  let image: Descriptor;
  let home: string;
  /** No auth file of the machine running the tests may be read. */
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    registry = await startFakeRegistry();
    client = new OciRegistryClient(registry.host, 'acme/orders');
    repository = `${registry.host}/acme/orders`;
    image = await pushTestImage(client, 'amd64', CONTENT_TAG);
    home = mkdtempSync(join(tmpdir(), 'nx-fleet-verify-'));
    env = { HOME: home };
  });
  afterEach(async () => {
    rmSync(home, { recursive: true, force: true });
    await registry.close();
  });

  async function signAndAttachSbom(subject: Descriptor): Promise<void> {
    await ensureSigned(client, subject, { repository, ...keys });
    const path = join(home, 'sbom.cdx.json');
    writeFileSync(path, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }));
    await attachSbom(client, subject, { path, mediaType: 'application/vnd.cyclonedx+json' });
  }

  const target = () => ({ name: 'orders', repository, digest: image.digest, contentTag: CONTENT_TAG });

  it('passes a signed image with an SBOM whose content tag still names it', async () => {
    await signAndAttachSbom(image);
    expect(await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env })).toEqual({
      name: 'orders',
      reference: `${repository}@${image.digest}`,
      digest: image.digest,
      ok: true,
      signature: { status: 'valid', problems: [] },
      sbom: { status: 'present', format: 'CycloneDX' },
      problems: [],
    });
  });

  it('fails when the content tag now names another digest, naming both', async () => {
    await signAndAttachSbom(image);
    const moved = await pushTestImage(client, 'arm64', CONTENT_TAG);
    expect(moved.digest).not.toBe(image.digest);

    const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env });
    expect(result.ok).toBe(false);
    expect(result.signature.status).toBe('valid');
    expect(result.problems).toEqual([
      `${repository}:${CONTENT_TAG} now names ${moved.digest}, not the pushed ${image.digest}`,
    ]);
  });

  it('fails when the registry no longer has the content tag', async () => {
    await signAndAttachSbom(image);
    registry.tags.delete(CONTENT_TAG);

    const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([`the registry no longer has ${repository}:${CONTENT_TAG}`]);
  });

  it('checks no tag when the target has none (an --image reference)', async () => {
    await signAndAttachSbom(image);
    registry.tags.delete(CONTENT_TAG);
    const result = await verifyTarget(
      { name: `${repository}@${image.digest}`, repository, digest: image.digest },
      keys.publicKeyPem,
      { sbom: true, env },
    );
    expect(result).toMatchObject({ ok: true, problems: [] });
  });

  it('fails an unsigned image, and one without an SBOM', async () => {
    const unsigned = await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env });
    expect(unsigned).toMatchObject({
      ok: false,
      signature: { status: 'missing' },
      sbom: { status: 'missing' },
      problems: [],
    });

    await ensureSigned(client, image, { repository, ...keys });
    const noSbom = await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env });
    expect(noSbom).toMatchObject({ ok: false, signature: { status: 'valid' }, sbom: { status: 'missing' } });
  });

  it('fails a signature made by another key', async () => {
    await signAndAttachSbom(image);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const result = await verifyTarget(target(), other, { sbom: true, env });
    expect(result.ok).toBe(false);
    expect(result.signature.status).toBe('invalid');
  });

  it('skips the SBOM with sbom: false, passing a signed image without one', async () => {
    await ensureSigned(client, image, { repository, ...keys });
    const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: false, env });
    expect(result.ok).toBe(true);
    expect(result).not.toHaveProperty('sbom');
    expect(formatVerifyTable([result])).toContain('not checked');
  });

  it('fails on an invalid SBOM even when signed', async () => {
    await ensureSigned(client, image, { repository, ...keys });
    await attachArtifact(client, {
      subject: image,
      artifactType: 'application/vnd.cyclonedx+json',
      content: Buffer.from('{"hello":"world"}'),
    });
    const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true, env });
    expect(result).toMatchObject({ ok: false, sbom: { status: 'invalid', detail: 'not a CycloneDX document' } });
  });
});
