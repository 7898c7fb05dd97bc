import { describe, expect, it } from 'vitest';
import { OCI_MANIFEST_MEDIA_TYPE } from '../registry/oci-referrers';
import { client, image, useRegistryImage } from '../testing/registry-image';
import { subjectOf } from './subject';

useRegistryImage();

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
