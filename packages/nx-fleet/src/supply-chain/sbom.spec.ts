import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listReferrers, readArtifact } from '../registry/oci-referrers';
import { pushTestImage } from '../testing/fake-oci-registry';
import { attachRaw, signingKeyPair, client, image, repository, useRegistryImage } from '../testing/registry-image';
import { attachSbom, findSbom, sbomStatus } from './sbom';
import { ensureSigned } from './signatures';

const CDX = 'application/vnd.cyclonedx+json';
const SPDX = 'application/spdx+json';
const cdxDocument = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] });
const spdxDocument = JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'orders' });
const keys = signingKeyPair();

useRegistryImage();
let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'nx-fleet-sbom-'));
});
afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function writeSbom(file: string, text: string): string {
  const path = join(workDir, file);
  writeFileSync(path, text);
  return path;
}

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

  it.each([
    ['the CycloneDX attachment is not a CycloneDX document', CDX, spdxDocument, 'CycloneDX'],
    ['the SPDX attachment lacks spdxVersion', SPDX, cdxDocument, 'SPDX'],
  ])('reports invalid when %s', async (_case, mediaType, document, format) => {
    await attachRaw(client, image, mediaType, document);
    expect(await sbomStatus(client, image.digest)).toEqual({
      status: 'invalid',
      format,
      detail: `not a ${format} document`,
    });
  });

  it('reports invalid, with the parse error, when the attachment is not JSON', async () => {
    await attachRaw(client, image, CDX, 'this is not json');
    const status = await sbomStatus(client, image.digest);
    expect(status).toMatchObject({ status: 'invalid', format: 'CycloneDX' });
    expect(status.detail).toMatch(/JSON/);
  });
});
