import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../config/options';
import type { ProcessRunner } from '../io/ports';
import { namesSecret, redactText, secretEnvValues } from '../text/redact';

export interface BuildSecret {
  id: string;
  /** A file the engine mounts at build time (`RUN --mount=type=secret,id=…`). */
  src?: string;
  /** Or an environment variable holding the secret. */
  env?: string;
}

export interface BuildRequest {
  dockerfile: string;
  context: string;
  tags: string[];
  buildArgs: Record<string, string>;
  /** Named build contexts: an absolute folder, or an image reference, by name. */
  buildContexts?: Record<string, string>;
  /** FROMs of another service's image: the engine takes `source` (this machine's image, or the registry's) for each. */
  baseImages?: BaseImageSource[];
  target?: string;
  platforms: string[];
  labels: Record<string, string>;
  secrets: BuildSecret[];
  cacheFrom: string[];
  cacheTo: string[];
  /**
   * A RUN of the stages built bind-mounts files (from the context, a stage or an image): buildah keys
   * such a RUN's layer on its text, not on the files (buildah issues 5400, 6609), so its layer cache is
   * not used for this build.
   */
  runBindMounts?: boolean;
  /** Where the engine writes the built image id. */
  iidFile: string;
}

/** Where a printed build command names the file the engine writes the image id to (a temporary file when it runs). */
export const BUILD_ID_FILE = '<image-id-file>';

/** A FROM's image as written and as the build expands it, and the image that stands for it. */
export interface BaseImageSource {
  written: string;
  image: string;
  source: string;
  /** False for a source in a registry its destination does not verify (loopback, marked insecure). */
  tlsVerify?: boolean;
}

/** An image destination in containers-transport form: `docker://host/repo:tag` or `oci:/dir:tag`. */
export type TransportRef = string;

/** A container to run in the background, reachable on a loopback port (contract verification). */
export interface RunRequest {
  image: string;
  hostPort: number;
  containerPort: number;
  env: Record<string, string>;
}

export interface RunningContainer {
  id: string;
  running(): Promise<boolean>;
  logs(): Promise<string>;
  remove(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** Builds the image and returns its id (the engine writes it to a file of its own). */
  build(request: Omit<BuildRequest, 'iidFile'>): Promise<string>;
  /** The command `build` runs for the request, the tool first (the id file as `BUILD_ID_FILE`): what a dry run prints. */
  buildCommand(request: Omit<BuildRequest, 'iidFile'>): Promise<string[]>;
  imageExists(ref: string): Promise<boolean>;
  /** The local image's id and labels, as the engine reports them; undefined when it holds no such image. */
  inspect(ref: string): Promise<LocalImageFacts | undefined>;
  /** Pushes a local image and returns the manifest digest the destination stored. */
  push(localRef: string, destination: TransportRef, tlsVerify: boolean): Promise<string>;
  /** Writes a local image to a docker-archive tarball, the input scanners read offline. */
  save(localRef: string, archive: string): Promise<void>;
  /** Starts a container in the background; buildah cannot run containers and refuses. */
  run(request: RunRequest): Promise<RunningContainer>;
}

export interface LocalImageFacts {
  /** The image id (config digest), `sha256:…`. */
  id: string;
  labels: Record<string, string>;
}

/**
 * `podman image inspect` / `docker image inspect` (an array of `{ Id, Config: { Labels } }`) and
 * `buildah inspect --type image` (`{ FromImageID, OCIv1: { config: { Labels } } }`), read alike.
 */
export function parseImageInspect(stdout: string): LocalImageFacts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  type Inspected = {
    Id?: unknown;
    FromImageID?: unknown;
    Labels?: unknown;
    Config?: { Labels?: unknown };
    OCIv1?: { config?: { Labels?: unknown } };
  };
  const entry = (Array.isArray(parsed) ? parsed[0] : parsed) as Inspected | undefined;
  const id = entry?.Id ?? entry?.FromImageID;
  if (typeof id !== 'string' || !id) return undefined;
  const labels = entry?.Config?.Labels ?? entry?.OCIv1?.config?.Labels ?? entry?.Labels;
  return {
    id: id.startsWith('sha256:') ? id : `sha256:${id}`,
    labels:
      labels && typeof labels === 'object'
        ? Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : {},
  };
}

// What podman and docker take as a name-only `--env NAME` (no `=`, no podman glob `*`).
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * `run` for podman and docker, which spell it the same: detached, published on loopback only. The
 * environment goes by name only (`--env KEY`): the engine reads each value from its own environment
 * (runContainer puts them there), so no value is on a command line `ps` shows.
 */
export function containerRunArgs(request: RunRequest): string[] {
  return [
    'run',
    '--detach',
    '--publish',
    `127.0.0.1:${request.hostPort}:${request.containerPort}`,
    ...Object.keys(request.env).flatMap((key) => {
      if (!ENV_NAME.test(key))
        throw new Error(
          `nx-fleet: the container environment variable "${key}" is not a valid name (letters, digits, "_", ".", "-"; not starting with a digit).`,
        );
      return ['--env', key];
    }),
    request.image,
  ];
}

/** The same container handle for podman and docker. */
export async function runContainer(
  processes: ProcessRunner,
  tool: 'podman' | 'docker',
  request: RunRequest,
): Promise<RunningContainer> {
  const started = await processes.runOk(tool, containerRunArgs(request), { addEnv: request.env }).catch((error) => {
    // The engine may quote a variable it could not use; the failure log must not.
    if (error instanceof Error) error.message = redactText(error.message, secretEnvValues(request.env));
    throw error;
  });
  const id = started.stdout.trim().split('\n').pop()!;
  return {
    id,
    running: async () =>
      (await processes.run(tool, ['inspect', '--format', '{{.State.Running}}', id])).stdout.trim() === 'true',
    logs: async () => {
      const result = await processes.run(tool, ['logs', '--tail', '50', id]);
      return `${result.stdout}${result.stderr}`.trim();
    },
    remove: async () => {
      await processes.run(tool, ['rm', '--force', id]);
    },
  };
}

/**
 * Runs a tool that writes its answer (an image id, a digest) to the file it is given, in a folder of
 * its own, and returns that answer: the tools' machine-readable output, unlike their logs.
 */
export async function answerInFile(
  folderPrefix: string,
  fileName: string,
  tool: (file: string) => Promise<unknown>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), folderPrefix));
  try {
    const file = join(dir, fileName);
    await tool(file);
    return (await readFile(file, 'utf8')).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function secretFlag(secret: BuildSecret): string {
  if (secret.src) return `id=${secret.id},src=${secret.src}`;
  if (secret.env) return `id=${secret.id},env=${secret.env}`;
  throw new Error(`nx-fleet: build secret "${secret.id}" needs "src" (a file) or "env" (an environment variable).`);
}

/**
 * The names a FROM's named context goes by for buildah (podman's builds): the FROM as written (buildah
 * 1.28 matches the word before expanding it) and as expanded (later versions).
 */
export function buildahBaseNames(base: BaseImageSource): string[] {
  return [...new Set([base.written, base.image])];
}

/**
 * Why the engine cannot build these platforms as the one image a content tag names, or undefined.
 * Podman (and buildah) build each platform and tag only the last with `-t` (a manifest list needs
 * `--manifest` and `podman manifest push`, which nx-fleet does not drive): the registry would hold one
 * architecture under a tag that names several. Docker makes one multi-platform image where its image
 * store can hold one, and refuses the build itself where it cannot.
 */
export function platformsProblem(engine: EngineName, given: readonly string[]): string | undefined {
  // One entry may list several, as the engine's flag does (`"linux/amd64,linux/arm64"`).
  const platforms = [
    ...new Set(
      given
        .flatMap((entry) => entry.split(','))
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
  if (engine === 'docker' || platforms.length < 2) return undefined;
  return `docker-build's "platforms" names ${platforms.length} platforms (${platforms.join(', ')}), and ${engine} builds them as separate images and tags only the last: the registry would hold one architecture under a content tag that names ${platforms.length}. nx-fleet makes no multi-platform manifest list with ${engine}: set one platform per image ("platforms": ["${platforms[0]}"]).`;
}

/**
 * The build arguments whose names say they hold secrets (`NPM_TOKEN`): the engine gets them by name
 * (`--build-arg NPM_TOKEN`, which docker, podman and buildah read from their environment), with the
 * values in its environment — never on its command line, where `ps` and a failure's log show it.
 */
export function secretBuildArgs(buildArgs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(buildArgs).filter(([key]) => namesSecret(key)));
}

/** Flags every engine spells the same way; a FROM's named context by the names the engine looks it up by. */
export function commonBuildFlags(
  request: BuildRequest,
  baseNames: (base: BaseImageSource) => string[] = buildahBaseNames,
): string[] {
  const bases = (request.baseImages ?? []).flatMap((base) =>
    baseNames(base).flatMap((name) => ['--build-context', `${name}=docker-image://${base.source}`]),
  );
  return [
    '-f',
    request.dockerfile,
    '--iidfile',
    request.iidFile,
    ...request.tags.flatMap((tag) => ['-t', tag]),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => [
      '--build-arg',
      namesSecret(key) ? key : `${key}=${value}`,
    ]),
    ...Object.entries(request.buildContexts ?? {}).flatMap(([name, value]) => ['--build-context', `${name}=${value}`]),
    ...bases,
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platforms.length ? ['--platform', request.platforms.join(',')] : []),
    ...request.secrets.flatMap((secret) => ['--secret', secretFlag(secret)]),
  ];
}
