import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { EngineName } from '../config/options';
import type { FilePort } from '../io/ports';
import { foreignBuildTarget } from '../services/projects';
import type { ServiceRef } from './service-ref';

/**
 * Every file nx-fleet writes for Nx to cache or for CI to read lives under this folder of the
 * workspace root, one subfolder per project root: these functions are the only spelling of it.
 */
export const RECORDS_ROOT = 'dist/fleet';

/** A service's records folder; a service at the workspace root (`.`) keeps its records in the folder itself. */
function recordsDir(projectRoot: string): string {
  return projectRoot === '.' || projectRoot === '' ? RECORDS_ROOT : `${RECORDS_ROOT}/${projectRoot}`;
}

export function imageRecordPath(projectRoot: string): string {
  return `${recordsDir(projectRoot)}/image.json`;
}

export function pushRecordPath(projectRoot: string): string {
  return `${recordsDir(projectRoot)}/push.json`;
}

/** Where scan writes its reports and the SBOM: next to image.json. */
export function scanRecordDir(projectRoot: string): string {
  return recordsDir(projectRoot);
}

/** Where contract-verify records which pacts it verified against which image. */
export function contractRecordPath(projectRoot: string): string {
  return `${recordsDir(projectRoot)}/contract-verify.json`;
}

/** Where the last run's images and digests are written, for CI steps that deploy what was just pushed. */
export const RUN_SUMMARY_FILE = `${RECORDS_ROOT}/last-run.json`;

/** `dist/fleet/<projectRoot>/image.json`: the cacheable output of docker-build. */
export interface ImageRecord {
  image: string;
  contentTag: string;
  /** The reference the engine knows the image by on the machine that built it. */
  localRef: string;
  imageId?: string;
  engine: EngineName;
  platforms: string[];
  /** False when an image with this content tag already existed and no engine build ran. */
  built: boolean;
  revision?: string;
  recordedAt: string;
}

/** `dist/fleet/<projectRoot>/push.json`: what the registry holds after docker-push. */
export interface PushRecord {
  repository: string;
  digest: string;
  /** Digest-pinned reference (`name@sha256:…`): what deployments should use. */
  reference: string;
  tags: string[];
  /** False when the destination already had the content tag and only tags were added. */
  uploaded: boolean;
  destination: 'registry' | 'oci-layout';
  /** Digest of the SBOM artifact attached to the image, when one was. */
  sbom?: string;
  /** How the digest was signed, when it was. */
  signature?: 'sigstore' | 'cosign';
  pushedAt: string;
}

export function writeRecord(
  file: string,
  record: ImageRecord | PushRecord,
  files: Pick<FilePort, 'writeText'>,
): Promise<void> {
  return files.writeText(file, `${JSON.stringify(record, null, 2)}\n`);
}

export function readImageRecord(file: string, files: Pick<FilePort, 'readText'>): Promise<ImageRecord | undefined> {
  return readRecord(files, file, isImageRecord);
}

/** A service's build target: its name, and its configuration as Nx resolved it. */
export interface BuildTargetRef {
  name: string;
  target?: Pick<TargetConfiguration, 'executor' | 'options'>;
}

/**
 * The record the service's build target wrote, for the targets that use its image. Refused first
 * when that target is not nx-fleet's (a record there would be stale); a missing one says what to run.
 */
export async function builtImageRecord(
  service: Pick<ServiceRef, 'workspaceRoot' | 'projectName' | 'projectRoot'>,
  build: BuildTargetRef,
  files: Pick<FilePort, 'readText'>,
): Promise<ImageRecord> {
  const foreign = foreignBuildTarget(service.projectName, build.name, build.target);
  if (foreign) throw new Error(`nx-fleet: ${foreign}`);
  const record = await readImageRecord(join(service.workspaceRoot, imageRecordPath(service.projectRoot)), files);
  if (!record)
    throw new Error(
      `nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the ${build.name} target of ${service.projectName} first.`,
    );
  return record;
}

/** The build target `name` of a service as its graph states it. */
export function buildTargetIn(service: Pick<ServiceRef, 'graph' | 'projectName'>, name: string): BuildTargetRef {
  const target = service.graph.nodes[service.projectName]?.data.targets?.[name];
  return target ? { name, target } : { name };
}

export function readPushRecord(file: string, files: Pick<FilePort, 'readText'>): Promise<PushRecord | undefined> {
  return readRecord(
    files,
    file,
    (value): value is PushRecord => typeof (value as Partial<PushRecord> | null)?.digest === 'string',
  );
}

/** A missing, unparseable or foreign file reads as no record: callers say what to run instead. */
async function readRecord<T>(
  files: Pick<FilePort, 'readText'>,
  file: string,
  guard: (value: unknown) => value is T,
): Promise<T | undefined> {
  try {
    const parsed: unknown = JSON.parse((await files.readText(file)) ?? '');
    return guard(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isImageRecord(value: unknown): value is ImageRecord {
  const record = value as Partial<ImageRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.image === 'string' &&
    typeof record.contentTag === 'string' &&
    typeof record.localRef === 'string'
  );
}

/** Registry repository names are lowercase paths; npm scopes (`@acme/orders`) become `acme/orders`. */
export function imageNameFor(projectName: string): string {
  // Each path component must start and end with [a-z0-9] (OCI distribution spec).
  const name = projectName
    .toLowerCase()
    .replace(/^@/, '')
    .replace(/[^a-z0-9._/-]+/g, '-')
    .split('/')
    // Between alphanumerics only `.`, `_`, `__` or dashes: another run (`-__` of a template's
    // `@hasna/microservice-__name__`) is one dash.
    .map((part) =>
      part
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
        .replace(/[._-]+/g, (run) => (/^(?:\.|_|__|-+)$/.test(run) ? run : '-')),
    )
    .filter(Boolean)
    .join('/');
  if (!name)
    throw new Error(`nx-fleet: cannot derive an image name from project "${projectName}"; set the "image" option.`);
  return name;
}
