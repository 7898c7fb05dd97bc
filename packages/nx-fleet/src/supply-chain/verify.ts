import { setting } from '../config/settings';
import { join } from 'node:path';
import type { ProjectGraphProjectNode } from '@nx/devkit';
import { pushRecordPath, readPushRecord } from '../image/records';
import type { Ports } from '../io/ports';
import { registryClientFor } from '../registry/oci-client';
import { serviceNodes } from '../services/projects';
import { formatTable } from '../text/table';
import { sbomStatus, type SbomStatus } from './sbom';
import { signatureStatus, type SignatureStatus } from './signatures';
import { keyText } from './signing/keys';

/** `nx-fleet verify`: pushed images checked in the registry against a public key. */

export interface VerifyTarget {
  /** The service, or the reference given with --image. */
  name: string;
  repository: string;
  digest: string;
  /** The content tag push.json recorded: it must still name the digest. */
  contentTag?: string;
}

export interface VerifyResult {
  name: string;
  reference: string;
  digest: string;
  ok: boolean;
  signature: SignatureStatus;
  sbom?: SbomStatus;
  /** Problems outside the attachments: a moved tag, a missing record. */
  problems: string[];
}

/** Bad input (exit code 2), as opposed to an image that fails verification (exit code 1). */
export class VerifyUsageError extends Error {}

const PINNED = /^(?<repository>[^@\s]+?)(?::[\w][\w.-]*)?@(?<digest>sha256:[a-f0-9]{64})$/;

/** `host[:port]/path@sha256:…` (a tag before the digest is allowed and ignored: the digest is what is checked). */
export function parsePinnedReference(reference: string): { repository: string; digest: string } {
  const match = PINNED.exec(reference);
  // Docker's rule: the first component names a registry only with a dot, a port, or as localhost.
  const host = match?.groups?.['repository']!.split('/')[0] ?? '';
  if (!match?.groups || !match.groups['repository']!.includes('/') || !(/[.:]/.test(host) || host === 'localhost')) {
    throw new VerifyUsageError(
      `nx-fleet verify: --image ${JSON.stringify(reference)} is not a digest-pinned reference (registry/name@sha256:<64 hex>).`,
    );
  }
  return { repository: match.groups['repository']!, digest: match.groups['digest']! };
}

export function formatVerifyTable(results: readonly VerifyResult[]): string {
  const table = formatTable(
    ['IMAGE', 'RESULT', 'SIGNATURE', 'SBOM', 'REFERENCE'],
    results.map((r) => [
      r.name,
      r.ok ? 'ok' : 'FAILED',
      r.signature.status,
      r.sbom?.status ?? 'not checked',
      r.reference,
    ]),
  );
  const details = results.flatMap((r) => [
    ...r.problems.map((p) => `${r.name}: ${p}`),
    ...(r.signature.status === 'valid'
      ? []
      : r.signature.status === 'missing'
        ? [`${r.name}: no Sigstore signature is attached to ${r.digest}`]
        : r.signature.problems.map((p) => `${r.name}: signature ${p}`)),
    ...(r.sbom && r.sbom.status !== 'present'
      ? [`${r.name}: SBOM ${r.sbom.status}${r.sbom.detail ? ` (${r.sbom.detail})` : ''}`]
      : []),
  ]);
  return [table, ...(details.length ? ['', ...details] : [])].join('\n');
}

/** One image: the tag still names the digest, a signature by the key signs exactly it, an SBOM travels with it. */
export async function verifyTarget(
  target: VerifyTarget,
  publicKeyPem: string,
  options: { sbom: boolean },
  ports: Pick<Ports, 'env' | 'http'>,
): Promise<VerifyResult> {
  const client = registryClientFor(target.repository, ports.env, ports.http);
  const problems: string[] = [];
  if (target.contentTag) {
    const tagged = await client.getManifest(target.contentTag);
    if (!tagged) problems.push(`the registry no longer has ${target.repository}:${target.contentTag}`);
    else if (tagged.digest !== target.digest)
      problems.push(
        `${target.repository}:${target.contentTag} now names ${tagged.digest}, not the pushed ${target.digest}`,
      );
  }
  const signature = await signatureStatus(client, target.digest, { repository: target.repository, publicKeyPem });
  const sbom = options.sbom ? await sbomStatus(client, target.digest) : undefined;
  const ok = !problems.length && signature.status === 'valid' && (!sbom || sbom.status === 'present');
  return {
    name: target.name,
    reference: `${target.repository}@${target.digest}`,
    digest: target.digest,
    ok,
    signature,
    ...(sbom ? { sbom } : {}),
    problems,
  };
}

export interface VerifyRequest {
  workspaceRoot: string;
  /** --image: digest-pinned references. */
  images: readonly string[];
  /** --project: services; none means every pushed service (unless images are given). */
  projects: readonly string[];
  /** --key. */
  key?: string;
  /** signing.publicKey in the nx-fleet plugin options. */
  configuredKey?: string;
  sbom: boolean;
}

export type VerifyPorts = Pick<Ports, 'env' | 'files' | 'http'> & {
  /** The project graph's nodes, asked for only when services are verified. */
  projects(): Promise<ProjectGraphProjectNode[]>;
};

/** Every image asked for, verified in order; bad input throws VerifyUsageError before any registry is asked. */
export async function verifyImages(request: VerifyRequest, ports: VerifyPorts): Promise<VerifyResult[]> {
  const publicKeyPem = await readPublicKey(request, ports);
  const targets = await targetsOf(request, ports);
  const results: VerifyResult[] = [];
  for (const target of targets) results.push(await verifyTarget(target, publicKeyPem, request, ports));
  return results;
}

/** --key, else FLEET_VERIFY_KEY (the PEM itself or a path), else signing.publicKey in nx.json. */
function readPublicKey(request: VerifyRequest, ports: Pick<Ports, 'env' | 'files'>): Promise<string> {
  const value = request.key || setting(ports.env, 'verifyKey', request.configuredKey);
  if (!value)
    throw new VerifyUsageError(
      'no public key: pass --key <file>, set FLEET_VERIFY_KEY, or signing.publicKey in the nx-fleet plugin options.',
    );
  return keyText(
    value,
    request.workspaceRoot,
    ports.files,
    (file, code) => new VerifyUsageError(`the public key ${file} could not be read (${code}).`),
  );
}

async function targetsOf(request: VerifyRequest, ports: VerifyPorts): Promise<VerifyTarget[]> {
  const { images, projects } = request;
  const targets: VerifyTarget[] = images.map((image) => ({ name: image, ...parsePinnedReference(image) }));
  if (images.length && !projects.length) return targets;
  const services = serviceNodes(await ports.projects());
  for (const name of projects)
    if (!services.some((s) => s.name === name))
      throw new VerifyUsageError(`"${name}" is not an nx-fleet service (see nx-fleet status).`);
  for (const node of services.filter((s) => !projects.length || projects.includes(s.name))) {
    const push = await readPushRecord(join(request.workspaceRoot, pushRecordPath(node.data.root)), ports.files);
    if (!push) {
      if (projects.length)
        throw new VerifyUsageError(
          `${node.name} has no ${pushRecordPath(node.data.root)}: run its docker-push target first, or verify a reference with --image.`,
        );
      continue;
    }
    if (push.destination !== 'registry')
      throw new VerifyUsageError(
        `${node.name} was pushed to an OCI layout; signatures and SBOMs are attached in a registry only.`,
      );
    targets.push({ name: node.name, repository: push.repository, digest: push.digest, contentTag: push.tags[0] });
  }
  if (!targets.length)
    throw new VerifyUsageError(
      'nothing to verify: no service has been pushed (no push.json), and no --image was given.',
    );
  return targets;
}
