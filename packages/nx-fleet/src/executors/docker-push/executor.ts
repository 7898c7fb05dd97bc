import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { readGitRevision, shortSha } from '../../git';
import { readImageRecord, writeRecord, type ImageRecord } from '../../image-record';
import { copyImage, destinationRef, manifestDigest, resolveDestination, tlsVerifyOf, type Destination } from '../../registry';
import { imageRecordPath, pushRecordPath } from '../../targets';
import { serviceRefOf } from '../docker-build/executor';
import { ensureLocalImage } from '../../local-image';
import type { DockerPushExecutorSchema } from './schema';

export default async function dockerPushExecutor(options: DockerPushExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    await pushService(options, context);
    return { success: true };
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    return { success: false };
  }
}

export function pushTags(contentTag: string, sha: string | undefined, options: Pick<DockerPushExecutorSchema, 'tags' | 'latest'>): string[] {
  const tags = [contentTag, ...(sha ? [shortSha(sha)] : []), ...(options.tags ?? []), ...(options.latest ? ['latest'] : [])];
  return [...new Set(tags)];
}

async function pushService(options: DockerPushExecutorSchema, context: ExecutorContext): Promise<void> {
  const service = serviceRefOf(context);
  for (const gate of options.skippedGates ?? []) {
    logger.warn(`nx-fleet: ${service.projectName}: the ${gate} gate is turned off (gates.${gate} = false), so this image is pushed without one.`);
  }
  const recordFile = join(context.root, imageRecordPath(service.projectRoot));
  const record = await readImageRecord(recordFile);
  if (!record) throw new Error(`nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the docker-build target of ${service.projectName} first.`);

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

  const tags = pushTags(record.contentTag, (await readGitRevision(context.root))?.sha, options);
  // After a fresh upload no other tag can point at the new digest yet: copy without asking first.
  // Sequential: an OCI layout's index.json is not safe for concurrent writers.
  for (const tag of tags.slice(1)) {
    const ref = destinationRef(destination, tag);
    if (uploaded || (await manifestDigest(ref, tls)) !== digest) await copyImage(contentRef, ref, { srcTlsVerify: tls, destTlsVerify: tls });
  }

  await writeRecord(join(context.root, pushRecordPath(service.projectRoot)), {
    repository: destination.repository,
    digest,
    reference: `${destination.repository}@${digest}`,
    tags,
    uploaded,
    destination: destination.kind,
    pushedAt: new Date().toISOString(),
  });
  logger.info(
    `nx-fleet: ${service.projectName}: ${uploaded ? 'pushed' : 'already present, no upload:'} ${describe(destination)}@${digest} ` +
      `[${tags.join(', ')}] in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

/** Uploads the image, rebuilding it first when this machine never built it (a remote-cache hit). */
async function upload(record: ImageRecord, contentRef: string, tls: boolean, buildTargetName: string, context: ExecutorContext): Promise<string> {
  const engine = await ensureLocalImage(record, buildTargetName, context, 'and the registry does not have it');
  return engine.push(record.localRef, contentRef, tls);
}

function describe(destination: Destination): string {
  return destination.kind === 'registry' ? destination.repository : `${destination.dir} (OCI layout)`;
}
