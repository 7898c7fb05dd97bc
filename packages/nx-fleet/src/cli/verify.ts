import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { sbomStatus, type SbomStatus } from '../supply-chain/sbom';
import { signatureStatus, type SignatureStatus } from '../supply-chain/signatures';
import { readPushRecord } from '../image/records';
import { registryClientFor } from '../registry/oci-client';
import { pushRecordPath } from '../image/records';
import type { Command } from './command';
import { fleetPluginOptions } from '../config/workspace-options';
import { serviceNodes } from '../services/projects';

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

const PINNED = /^(?<repository>[^@\s]+?)(?::[\w][\w.-]*)?@(?<digest>sha256:[a-f0-9]{64})$/;

/** `host[:port]/path@sha256:…` (a tag before the digest is allowed and ignored: the digest is what is checked). */
export function parsePinnedReference(reference: string): { repository: string; digest: string } {
  const match = PINNED.exec(reference);
  // Docker's rule: the first component names a registry only with a dot, a port, or as localhost.
  const host = match?.groups?.['repository']!.split('/')[0] ?? '';
  if (!match?.groups || !match.groups['repository']!.includes('/') || !(/[.:]/.test(host) || host === 'localhost')) {
    throw new Error(
      `nx-fleet verify: --image ${JSON.stringify(reference)} is not a digest-pinned reference (registry/name@sha256:<64 hex>).`,
    );
  }
  return { repository: match.groups['repository']!, digest: match.groups['digest']! };
}

export function formatVerifyTable(results: readonly VerifyResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.ok ? 'ok' : 'FAILED',
    r.signature.status,
    r.sbom?.status ?? 'not checked',
    r.reference,
  ]);
  const header = ['IMAGE', 'RESULT', 'SIGNATURE', 'SBOM', 'REFERENCE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const table = [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
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
  return [...table, ...(details.length ? ['', ...details] : [])].join('\n');
}

/** One image: the tag still names the digest, a signature by the key signs exactly it, an SBOM travels with it. */
export async function verifyTarget(
  target: VerifyTarget,
  publicKeyPem: string,
  options: { sbom: boolean; env?: NodeJS.ProcessEnv },
): Promise<VerifyResult> {
  const client = registryClientFor(target.repository, options.env);
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

/** --key, else FLEET_VERIFY_KEY (the PEM itself or a path), else signing.publicKey in nx.json. */
function readPublicKey(values: Record<string, unknown>, root: string): string {
  const value =
    (values['key'] as string | undefined) ||
    process.env['FLEET_VERIFY_KEY'] ||
    fleetPluginOptions(root)?.signing?.publicKey;
  if (!value)
    throw new UsageError(
      'no public key: pass --key <file>, set FLEET_VERIFY_KEY, or signing.publicKey in the nx-fleet plugin options.',
    );
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(resolve(root, value), 'utf8');
  } catch (error) {
    throw new UsageError(
      `the public key ${resolve(root, value)} could not be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
}

class UsageError extends Error {}

async function targetsOf(values: Record<string, unknown>, root: string): Promise<VerifyTarget[]> {
  const images = (values['image'] as string[] | undefined) ?? [];
  const projects = (values['project'] as string[] | undefined) ?? [];
  const targets: VerifyTarget[] = images.map((image) => ({ name: image, ...parsePinnedReference(image) }));
  if (images.length && !projects.length) return targets;
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const services = serviceNodes(Object.values(graph.nodes));
  for (const name of projects)
    if (!services.some((s) => s.name === name))
      throw new UsageError(`"${name}" is not an nx-fleet service (see nx-fleet status).`);
  for (const node of services.filter((s) => !projects.length || projects.includes(s.name))) {
    const push = await readPushRecord(join(root, pushRecordPath(node.data.root)));
    if (!push) {
      if (projects.length)
        throw new UsageError(
          `${node.name} has no ${pushRecordPath(node.data.root)}: run its docker-push target first, or verify a reference with --image.`,
        );
      continue;
    }
    if (push.destination !== 'registry')
      throw new UsageError(
        `${node.name} was pushed to an OCI layout; signatures and SBOMs are attached in a registry only.`,
      );
    targets.push({ name: node.name, repository: push.repository, digest: push.digest, contentTag: push.tags[0] });
  }
  if (!targets.length)
    throw new UsageError('nothing to verify: no service has been pushed (no push.json), and no --image was given.');
  return targets;
}

export const verifyCommand: Command = {
  summary: 'Check pushed images in the registry: a signature of the exact digest by your key, and an attached SBOM',
  help: [
    'Usage: nx-fleet verify [--project <name>]... [--image <registry/name@sha256:…>]... [--key <public key>] [--no-sbom] [--json]',
    '',
    'For every pushed service (dist/fleet/<root>/push.json), or the projects and images named,',
    'asks the registry: the content tag still names the pushed digest; a Sigstore bundle attached',
    'to the digest (an OCI referrer) is signed by the key and signs exactly that digest; an SBOM',
    '(CycloneDX or SPDX) is attached. Exits 1 when any check fails, 2 on bad input.',
    '',
    'Options:',
    '  --project <name>  A service to verify (repeatable); default: every pushed service',
    '  --image <ref>     A digest-pinned reference to verify (repeatable)',
    '  --key <file>      PEM public key; else FLEET_VERIFY_KEY (PEM or path), else signing.publicKey in nx.json',
    '  --no-sbom         Do not require an SBOM',
    '  --json            Print JSON',
  ].join('\n'),
  options: {
    project: { type: 'string', multiple: true },
    image: { type: 'string', multiple: true },
    key: { type: 'string' },
    'no-sbom': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values) {
    let targets: VerifyTarget[];
    let publicKeyPem: string;
    try {
      publicKeyPem = readPublicKey(values, workspaceRoot);
      targets = await targetsOf(values, workspaceRoot);
    } catch (error) {
      if (!(error instanceof UsageError) && !(error instanceof Error && error.message.startsWith('nx-fleet verify:')))
        throw error;
      console.error(error.message.startsWith('nx-fleet') ? error.message : `nx-fleet verify: ${error.message}`);
      return 2;
    }
    const results: VerifyResult[] = [];
    for (const target of targets) results.push(await verifyTarget(target, publicKeyPem, { sbom: !values['no-sbom'] }));
    console.log(values['json'] ? JSON.stringify(results, null, 2) : formatVerifyTable(results));
    return results.every((r) => r.ok) ? 0 : 1;
  },
};
