import { describe, expect, it } from 'vitest';
import { syftSbomArgs } from './syft';

// syft is not installable on these machines: these tests check the arguments nx-fleet gives it.
describe('syftSbomArgs (argument construction only: syft is not installed here)', () => {
  it('reads the exported image archive and writes CycloneDX JSON or SPDX JSON to the file', () => {
    expect(syftSbomArgs('/tmp/x/image.tar', 'cyclonedx', '/ws/dist/fleet/a/sbom.cdx.json')).toEqual([
      'docker-archive:/tmp/x/image.tar',
      '--output',
      'cyclonedx-json=/ws/dist/fleet/a/sbom.cdx.json',
      '--quiet',
    ]);
    expect(syftSbomArgs('/tmp/x/image.tar', 'spdx-json', '/ws/o.json')).toEqual([
      'docker-archive:/tmp/x/image.tar',
      '--output',
      'spdx-json=/ws/o.json',
      '--quiet',
    ]);
  });
});
