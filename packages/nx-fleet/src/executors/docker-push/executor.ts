import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { readGitRevision, shortSha } from '../../io/git';
import { brokerConfigFromEnv, canIDeploy } from '../../contracts/pact-broker';
import { attachSbom, findSbom } from '../../supply-chain/sbom';
import { ensureSigned } from '../../supply-chain/signatures';
import { loadSigningKey } from '../../supply-chain/signing/keys';
import { subjectOf } from '../../supply-chain/subject';
import { readImageRecord, writeRecord, type ImageRecord, type PushRecord } from '../../image/records';
import { registryClientFor } from '../../registry/oci-client';
import { run, runOk, ToolNotFoundError } from '../../io/process';
import { cosignSignArgs } from '../../supply-chain/signing/cosign';
import {
  copyImage,
  destinationRef,
  manifestDigest,
  resolveDestination,
  tlsVerifyOf,
  type Destination,
} from '../../registry/destinations';
import { imageRecordPath, pushRecordPath, scanRecordDir } from '../../image/records';
import { serviceRefOf } from '../docker-build/executor';
import { ensureLocalImage } from '../../image/local-image';
import { reportingFailures } from '../run-executor';
import type { DockerPushExecutorSchema } from './schema';

export default async function dockerPushExecutor(
  options: DockerPushExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(async () => {
    await pushService(options, context);
    return true;
  });
}

export function pushTags(
  contentTag: string,
  sha: string | undefined,
  options: Pick<DockerPushExecutorSchema, 'tags' | 'latest'>,
): string[] {
  const tags = [
    contentTag,
    ...(sha ? [shortSha(sha)] : []),
    ...(options.tags ?? []),
    ...(options.latest ? ['latest'] : []),
  ];
  return [...new Set(tags)];
}

async function pushService(options: DockerPushExecutorSchema, context: ExecutorContext): Promise<void> {
  const service = serviceRefOf(context);
  for (const gate of options.skippedGates ?? []) {
    logger.warn(
      `nx-fleet: ${service.projectName}: the ${gate} gate is turned off (gates.${gate} = false), so this image is pushed without one.`,
    );
  }
  const signing = await prepareSigning(options, context.root);
  const sha = (await readGitRevision(context.root))?.sha;
  if (options.canIDeploy) await checkCanIDeploy(service.projectName, options.canIDeploy, sha);
  const recordFile = join(context.root, imageRecordPath(service.projectRoot));
  const record = await readImageRecord(recordFile);
  if (!record)
    throw new Error(
      `nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the docker-build target of ${service.projectName} first.`,
    );

  const destination = resolveDestination({
    registry: process.env['FLEET_REGISTRY'] || options.registry,
    imageName: record.image,
    workspaceRoot: context.root,
    tlsVerify: options.tlsVerify,
  });
  const tls = tlsVerifyOf(destination);
  const contentRef = destinationRef(destination, record.contentTag);
  const started = Date.now();
  if (destination.kind === 'oci-layout') await mkdir(destination.dir, { recursive: true });

  // The registry is the source of truth: a record restored from a cache proves nothing about it.
  let digest = await manifestDigest(contentRef, tls);
  const uploaded = !digest;
  if (!digest) digest = await upload(record, contentRef, tls, options.buildTarget ?? 'docker-build', context);

  const tags = pushTags(record.contentTag, sha, options);
  // After a fresh upload no other tag can point at the new digest yet: copy without asking first.
  // Sequential: an OCI layout's index.json is not safe for concurrent writers.
  for (const tag of tags.slice(1)) {
    const ref = destinationRef(destination, tag);
    if (uploaded || (await manifestDigest(ref, tls)) !== digest)
      await copyImage(contentRef, ref, { srcTlsVerify: tls, destTlsVerify: tls });
  }

  // Before the record: a push whose SBOM or signature failed is not recorded as pushed.
  const attached = await attachToDigest(destination, digest, signing, options, context, service);

  await writeRecord(join(context.root, pushRecordPath(service.projectRoot)), {
    repository: destination.repository,
    digest,
    reference: `${destination.repository}@${digest}`,
    tags,
    uploaded,
    destination: destination.kind,
    ...attached,
    pushedAt: new Date().toISOString(),
  });
  logger.info(
    `nx-fleet: ${service.projectName}: ${uploaded ? 'pushed' : 'already present, no upload:'} ${describe(destination)}@${digest} ` +
      `[${tags.join(', ')}] in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

/** The Pact Broker's verdict for this commit of the service, before anything reaches the registry. */
async function checkCanIDeploy(pacticipant: string, environment: string, version: string | undefined): Promise<void> {
  const broker = brokerConfigFromEnv();
  if (!broker)
    throw new Error(
      `nx-fleet: ${pacticipant}: canIDeploy is set but no Pact Broker is configured: set PACT_BROKER_BASE_URL (and PACT_BROKER_TOKEN).`,
    );
  if (!version) throw new Error(`nx-fleet: ${pacticipant}: can-i-deploy asks about a git commit; there is none.`);
  const verdict = await canIDeploy(broker, { pacticipant, version, environment });
  if (!verdict.deployable) {
    throw new Error(
      `nx-fleet: ${pacticipant} ${version.slice(0, 12)} cannot be deployed to ${environment} (Pact Broker: ${verdict.reason})${verdict.failures.length ? `:\n${verdict.failures.map((f) => `  ${f}`).join('\n')}` : ''}`,
    );
  }
  logger.info(`nx-fleet: ${pacticipant}: can-i-deploy to ${environment}: yes (${verdict.reason})`);
}

type Signing =
  | { method: 'none' }
  | { method: 'sigstore'; key: { privateKeyPem: string; publicKeyPem: string } }
  | { method: 'cosign'; key?: string };

/** Everything signing needs, checked before anything is pushed: bad settings leave the registry untouched. */
async function prepareSigning(options: DockerPushExecutorSchema, workspaceRoot: string): Promise<Signing> {
  const method = process.env['FLEET_SIGN'] || options.sign || 'none';
  if (method === 'none') return { method };
  if (method === 'sigstore')
    return {
      method,
      key: loadSigningKey(
        readSigningKey(options, workspaceRoot),
        process.env['FLEET_SIGNING_KEY_PASSWORD'] || undefined,
      ),
    };
  if (method !== 'cosign') throw new Error(`nx-fleet: FLEET_SIGN is "${method}"; use none, sigstore or cosign.`);
  const key = process.env['FLEET_SIGNING_KEY'] || options.signingKey;
  if (!key && !options.keyless)
    throw new Error(
      'nx-fleet: sign is "cosign" but no key is configured: set signing.key in the nx-fleet plugin options (the signingKey option) or FLEET_SIGNING_KEY, or keyless: true.',
    );
  await run('cosign', ['version']).catch((error: unknown) => {
    throw error instanceof ToolNotFoundError
      ? new ToolNotFoundError(
          'cosign',
          'Install cosign (https://docs.sigstore.dev/cosign/system_config/installation/), or use the built-in signer: signing.method "sigstore".',
        )
      : error;
  });
  return { method, ...(key ? { key } : {}) };
}

/** The SBOM and the signature, attached to the pushed digest as OCI referrers. */
async function attachToDigest(
  destination: Destination,
  digest: string,
  signing: Signing,
  options: DockerPushExecutorSchema,
  context: ExecutorContext,
  service: ReturnType<typeof serviceRefOf>,
): Promise<Pick<PushRecord, 'sbom' | 'signature'>> {
  if (destination.kind !== 'registry') {
    if (signing.method !== 'none')
      logger.warn(
        `nx-fleet: ${service.projectName}: not signed: signatures and SBOMs are attached in a registry, and no registry is configured.`,
      );
    return {};
  }
  const client = registryClientFor(destination.repository);
  const subject = await subjectOf(client, digest);
  const result: Pick<PushRecord, 'sbom' | 'signature'> = {};
  if (options.attachSbom !== false) {
    const sbom = findSbom(join(context.root, scanRecordDir(service.projectRoot)));
    if (sbom) result.sbom = await attachSbom(client, subject, sbom);
    else
      logger.warn(
        `nx-fleet: ${service.projectName}: no SBOM to attach (the scan target writes it next to image.json; is the scan gate off?).`,
      );
  }
  const reference = `${destination.repository}@${digest}`;
  if (signing.method === 'sigstore') {
    const outcome = await ensureSigned(client, subject, { repository: destination.repository, ...signing.key });
    logger.info(
      `nx-fleet: ${service.projectName}: ${outcome === 'signed' ? 'signed' : 'already signed by this key:'} ${reference} (Sigstore bundle attached as a referrer)`,
    );
    result.signature = 'sigstore';
  } else if (signing.method === 'cosign') {
    await runOk(
      'cosign',
      cosignSignArgs({ reference, ...(signing.key ? { key: signing.key } : {}), tlsVerify: destination.tlsVerify }),
      { echo: true },
    );
    result.signature = 'cosign';
  }
  return result;
}

/** FLEET_SIGNING_KEY (the PEM itself, for CI secrets, or a path), else the signingKey option's file. */
function readSigningKey(options: DockerPushExecutorSchema, workspaceRoot: string): string {
  const value = process.env['FLEET_SIGNING_KEY'] || options.signingKey;
  if (!value)
    throw new Error(
      'nx-fleet: sign is "sigstore" but no key is configured: set FLEET_SIGNING_KEY (a PEM private key or its path) or signing.key in the nx-fleet plugin options.',
    );
  if (value.includes('-----BEGIN')) return value;
  const file = resolve(workspaceRoot, value);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `nx-fleet: the signing key file ${file} could not be read (${(error as NodeJS.ErrnoException).code}). Check FLEET_SIGNING_KEY or signing.key.`,
    );
  }
}

/** Uploads the image, rebuilding it first when this machine never built it (a remote-cache hit). */
async function upload(
  record: ImageRecord,
  contentRef: string,
  tls: boolean,
  buildTargetName: string,
  context: ExecutorContext,
): Promise<string> {
  const engine = await ensureLocalImage(record, buildTargetName, context, 'and the registry does not have it');
  return engine.push(record.localRef, contentRef, tls);
}

function describe(destination: Destination): string {
  return destination.kind === 'registry' ? destination.repository : `${destination.dir} (OCI layout)`;
}
