import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logger, type ExecutorContext, type ProjectGraph } from '@nx/devkit';
import { hashContextFiles, listContextFiles } from '../../image/build-context';
import { assemblePrunedContext } from '../../image/pruned-context';
import { destinationRef, manifestDigest, resolveDestination, tlsVerifyOf } from '../../registry/destinations';
import { contentTag } from '../../image/content-tag';
import { resolveEngine } from '../../engines/detect';
import type { Engine } from '../../engines/engine';
import { readGitRevision, readSourceUrl, type GitRevision } from '../../io/git';
import { imageNameFor, writeRecord, type ImageRecord } from '../../image/records';
import { imageRecordPath } from '../../image/records';
import { reportingFailures } from '../run-executor';
import { nodePorts } from '../../io/ports';
import { nxPruning } from '../../nx/devkit-internal';
import type { DockerBuildExecutorSchema } from './schema';

export interface ServiceRef {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
  graph: ProjectGraph;
}

export default async function dockerBuildExecutor(
  options: DockerBuildExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(async () => {
    const record = await buildServiceImage(options, serviceRefOf(context));
    await writeRecord(join(context.root, imageRecordPath(projectRootOf(context))), record);
    return true;
  });
}

export function serviceRefOf(context: ExecutorContext): ServiceRef {
  return {
    workspaceRoot: context.root,
    projectName: context.projectName!,
    projectRoot: projectRootOf(context),
    graph: context.projectGraph,
  };
}

function projectRootOf(context: ExecutorContext): string {
  return context.projectsConfigurations.projects[context.projectName!]!.root;
}

/**
 * Computes the content tag from the context actually sent, and builds only when no image with that
 * tag exists, neither in the engine nor in the registry.
 */
export async function buildServiceImage(options: DockerBuildExecutorSchema, service: ServiceRef): Promise<ImageRecord> {
  const dockerfile = resolve(service.workspaceRoot, options.dockerfile);
  if (!existsSync(dockerfile))
    throw new Error(`nx-fleet: ${options.dockerfile} (option "dockerfile" of ${service.projectName}) does not exist.`);
  const context = await prepareContext(options, service);
  try {
    return await buildFromContext(options, service, dockerfile, context.dir);
  } finally {
    await context.dispose();
  }
}

export async function prepareContext(
  options: DockerBuildExecutorSchema,
  service: ServiceRef,
): Promise<{ dir: string; dispose(): Promise<void> }> {
  const contextDir = resolve(service.workspaceRoot, options.context);
  if (!existsSync(contextDir))
    throw new Error(`nx-fleet: ${options.context} (option "context" of ${service.projectName}) does not exist.`);
  if (!options.prune) return { dir: contextDir, dispose: async () => undefined };
  if (resolve(contextDir) !== resolve(service.workspaceRoot)) {
    throw new Error(
      `nx-fleet: option "prune" of ${service.projectName} needs "context": "." (a pruned context is repo-shaped); got "${options.context}".`,
    );
  }
  return assemblePrunedContext(
    { ...nodePorts(), pruning: nxPruning },
    {
      workspaceRoot: service.workspaceRoot,
      graph: service.graph,
      service: service.projectName,
      include: options.contextInclude ?? [],
    },
  );
}

async function buildFromContext(
  options: DockerBuildExecutorSchema,
  service: ServiceRef,
  dockerfile: string,
  contextDir: string,
): Promise<ImageRecord> {
  const buildArgs = options.buildArgs ?? {};
  const platforms = options.platforms ?? [];
  const files = await hashContextFiles(contextDir, await listContextFiles(contextDir, dockerfile));
  const tag = contentTag({
    files,
    dockerfile: readFileSync(dockerfile, 'utf8'),
    buildArgs,
    target: options.target,
    platforms,
  });
  const image = options.image ?? imageNameFor(service.projectName);
  const localRef = `${image}:${tag}`;
  const engine = await resolveEngine(options.engine);
  const revision = await readGitRevision(service.workspaceRoot);

  const started = Date.now();
  const found = (await engine.imageExists(localRef))
    ? 'engine'
    : await registryHolds(options, image, tag, service.workspaceRoot);
  const imageId = found
    ? undefined
    : await runBuild(engine, options, {
        dockerfile,
        contextDir,
        localRef,
        buildArgs,
        platforms,
        revision,
        workspaceRoot: service.workspaceRoot,
      });
  logger.info(
    found
      ? `nx-fleet: ${service.projectName}: ${localRef} already exists (${found === 'engine' ? `in ${engine.name}` : 'in the registry'}), no build needed`
      : `nx-fleet: ${service.projectName}: built ${localRef} with ${engine.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return {
    image,
    contentTag: tag,
    localRef,
    ...(imageId ? { imageId } : {}),
    engine: engine.name,
    platforms,
    built: !found,
    ...(revision ? { revision: revision.sha } : {}),
    recordedAt: new Date().toISOString(),
  };
}

/** On a machine that never built it, an image the registry already holds needs no build: push only adds tags. */
async function registryHolds(
  options: DockerBuildExecutorSchema,
  image: string,
  tag: string,
  workspaceRoot: string,
): Promise<'registry' | undefined> {
  const registry = process.env['FLEET_REGISTRY'] || options.registry;
  if (!registry) return undefined;
  const destination = resolveDestination({ registry, imageName: image, workspaceRoot, tlsVerify: options.tlsVerify });
  return (await manifestDigest(destinationRef(destination, tag), tlsVerifyOf(destination))) ? 'registry' : undefined;
}

async function runBuild(
  engine: Engine,
  options: DockerBuildExecutorSchema,
  input: {
    dockerfile: string;
    contextDir: string;
    localRef: string;
    buildArgs: Record<string, string>;
    platforms: string[];
    revision?: GitRevision;
    workspaceRoot: string;
  },
): Promise<string> {
  const source = await readSourceUrl(input.workspaceRoot);
  const labels: Record<string, string> = {
    ...(input.revision
      ? {
          'org.opencontainers.image.revision': input.revision.sha,
          'org.opencontainers.image.created': input.revision.committedAt,
        }
      : {}),
    ...(source ? { 'org.opencontainers.image.source': source } : {}),
    ...options.labels,
  };
  // FLEET_GIT_SHA lets an image report the commit it was built from; it is no part of the content
  // tag (the same sources keep the same tag), and it is only passed to Dockerfiles that declare it.
  const revisionArg: Record<string, string> =
    input.revision && /\bARG\s+FLEET_GIT_SHA\b/.test(readFileSync(input.dockerfile, 'utf8'))
      ? { FLEET_GIT_SHA: input.revision.sha }
      : {};
  const dir = await mkdtemp(join(tmpdir(), 'nx-fleet-build-'));
  try {
    const iidFile = join(dir, 'iid');
    await engine.build({
      dockerfile: input.dockerfile,
      context: input.contextDir,
      tags: [input.localRef],
      buildArgs: { ...input.buildArgs, ...revisionArg },
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
