import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Descriptor, OciRegistryClient } from '../registry/oci-client';
import { attachArtifact, listReferrers, readArtifact } from '../registry/oci-referrers';
import type { Subject } from './subject';

/** The SBOM the scan writes next to image.json, and the copy that travels with the pushed digest. */

export const SBOM_FILES = [
  { file: 'sbom.cdx.json', mediaType: 'application/vnd.cyclonedx+json', format: 'CycloneDX' },
  { file: 'sbom.spdx.json', mediaType: 'application/spdx+json', format: 'SPDX' },
] as const;

/** The SBOM the scan wrote next to image.json, if any. */
export function findSbom(recordDir: string): { path: string; mediaType: string } | undefined {
  for (const sbom of SBOM_FILES) {
    const path = join(recordDir, sbom.file);
    if (existsSync(path)) return { path, mediaType: sbom.mediaType };
  }
  return undefined;
}

/**
 * One SBOM per format and digest: a later scan of the same image (its cached pass expired) describes
 * the same layers, and attaching it again would only pile up near-identical documents.
 */
export async function attachSbom(
  client: OciRegistryClient,
  subject: Subject,
  sbom: { path: string; mediaType: string },
): Promise<string> {
  const [attached] = await listReferrers(client, subject.digest, sbom.mediaType);
  if (attached) return attached.digest;
  const { digest } = await attachArtifact(client, {
    subject,
    artifactType: sbom.mediaType,
    content: readFileSync(sbom.path),
  });
  return digest;
}

export interface SbomStatus {
  status: 'present' | 'missing' | 'invalid';
  format?: string;
  detail?: string;
}

/** Present when an attached SBOM parses as the format its media type names. */
export async function sbomStatus(client: OciRegistryClient, digest: string): Promise<SbomStatus> {
  let found: { descriptor: Descriptor; format: string } | undefined;
  for (const sbom of SBOM_FILES) {
    const [descriptor] = await listReferrers(client, digest, sbom.mediaType);
    if (descriptor) found = { descriptor, format: sbom.format };
    if (found) break;
  }
  if (!found) return { status: 'missing' };
  const { descriptor, format } = found;
  try {
    const document = JSON.parse((await readArtifact(client, descriptor)).content.toString('utf8')) as Record<
      string,
      unknown
    >;
    const valid =
      format === 'CycloneDX' ? document['bomFormat'] === 'CycloneDX' : typeof document['spdxVersion'] === 'string';
    return valid ? { status: 'present', format } : { status: 'invalid', format, detail: `not a ${format} document` };
  } catch (error) {
    return { status: 'invalid', format, detail: (error as Error).message };
  }
}
