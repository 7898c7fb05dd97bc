import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { hashContextFiles, listContextFiles } from '../../build-context';
import { contentTag } from '../../content-tag';
import { resolveEngine } from '../../engines/detect';
import type { Engine } from '../../engines/engine';
import { readGitRevision, readSourceUrl, type GitRevision } from '../../git';
import { imageNameFor, writeRecord, type ImageRecord } from '../../image-record';
import { imageRecordPath } from '../../targets';
import type { DockerBuildExecutorSchema } from './schema';

export interface ServiceRef {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
}

export default async function dockerBuildExecutor(options: DockerBuildExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const record = await buildServiceImage(options, serviceRefOf(context));
    await writeRecord(join(context.root, imageRecordPath(projectRootOf(context))), record);
    return { success: true };
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    return { success: false };
  }
}

export function serviceRefOf(context: ExecutorContext): ServiceRef {
  return { workspaceRoot: context.root, projectName: context.projectName!, projectRoot: projectRootOf(context) };
}

function projectRootOf(context: ExecutorContext): string {
  return context.projectsConfigurations.projects[context.projectName!]!.root;
}

/** Computes the content tag and builds only when no image with that tag exists locally. */
export async function buildServiceImage(options: DockerBuildExecutorSchema, service: ServiceRef): Promise<ImageRecord> {
  const dockerfile = resolve(service.workspaceRoot, options.dockerfile);
  const contextDir = resolve(service.workspaceRoot, options.context);
  if (!existsSync(dockerfile)) throw new Error(`nx-fleet: ${options.dockerfile} (option "dockerfile" of ${service.projectName}) does not exist.`);
  if (!existsSync(contextDir)) throw new Error(`nx-fleet: ${options.context} (option "context" of ${service.projectName}) does not exist.`);

  const buildArgs = options.buildArgs ?? {};
  const platforms = options.platforms ?? [];
  const files = await hashContextFiles(contextDir, await listContextFiles(contextDir, dockerfile));
  const tag = contentTag({ files, dockerfile: readFileSync(dockerfile, 'utf8'), buildArgs, target: options.target, platforms });
  const image = options.image ?? imageNameFor(service.projectName);
  const localRef = `${image}:${tag}`;
  const engine = await resolveEngine(options.engine);
  const revision = await readGitRevision(service.workspaceRoot);

  const started = Date.now();
  const exists = await engine.imageExists(localRef);
  const imageId = exists ? undefined : await runBuild(engine, options, { dockerfile, contextDir, localRef, buildArgs, platforms, revision, workspaceRoot: service.workspaceRoot });
  logger.info(
    exists
      ? `nx-fleet: ${service.projectName}: ${localRef} already exists, no build needed`
      : `nx-fleet: ${service.projectName}: built ${localRef} with ${engine.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return {
    image,
    contentTag: tag,
    localRef,
    ...(imageId ? { imageId } : {}),
    engine: engine.name,
    platforms,
    built: !exists,
    ...(revision ? { revision: revision.sha } : {}),
    recordedAt: new Date().toISOString(),
  };
}

async function runBuild(
  engine: Engine,
  options: DockerBuildExecutorSchema,
  input: { dockerfile: string; contextDir: string; localRef: string; buildArgs: Record<string, string>; platforms: string[]; revision?: GitRevision; workspaceRoot: string },
): Promise<string> {
  const source = await readSourceUrl(input.workspaceRoot);
  const labels: Record<string, string> = {
    ...(input.revision ? { 'org.opencontainers.image.revision': input.revision.sha, 'org.opencontainers.image.created': input.revision.committedAt } : {}),
    ...(source ? { 'org.opencontainers.image.source': source } : {}),
    ...options.labels,
  };
  const dir = await mkdtemp(join(tmpdir(), 'nx-fleet-build-'));
  try {
    const iidFile = join(dir, 'iid');
    await engine.build({
      dockerfile: input.dockerfile,
      context: input.contextDir,
      tags: [input.localRef],
      buildArgs: input.buildArgs,
      target: options.target,
      platforms: input.platforms,
      labels,
      secrets: options.secrets ?? [],
      cacheFrom: options.cacheFrom ?? [],
      cacheTo: options.cacheTo ?? [],
      iidFile,
    });
    return (await readFile(iidFile, 'utf8')).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
