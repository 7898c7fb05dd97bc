import type { SbomFormat } from './trivy';

/** syft's output names for the SBOM formats nx-fleet writes. */
const SYFT_FORMATS: Record<SbomFormat, string> = { cyclonedx: 'cyclonedx-json', 'spdx-json': 'spdx-json' };

export function syftSbomArgs(archive: string, format: SbomFormat, output: string): string[] {
  return [`docker-archive:${archive}`, '--output', `${SYFT_FORMATS[format]}=${output}`, '--quiet'];
}
