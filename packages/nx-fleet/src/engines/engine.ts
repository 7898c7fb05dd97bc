import type { EngineName } from '../config/options';
import { run, runOk } from '../io/process';

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
  target?: string;
  platforms: string[];
  labels: Record<string, string>;
  secrets: BuildSecret[];
  cacheFrom: string[];
  cacheTo: string[];
  /** Where the engine writes the built image id. */
  iidFile: string;
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
  build(request: BuildRequest): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** Pushes a local image and returns the manifest digest the destination stored. */
  push(localRef: string, destination: TransportRef, tlsVerify: boolean): Promise<string>;
  /** Writes a local image to a docker-archive tarball, the input scanners read offline. */
  save(localRef: string, archive: string): Promise<void>;
  /** Starts a container in the background; buildah cannot run containers and refuses. */
  run(request: RunRequest): Promise<RunningContainer>;
}

/** `run` for podman and docker, which spell it the same: detached, published on loopback only. */
export function containerRunArgs(request: RunRequest): string[] {
  return [
    'run',
    '--detach',
    '--publish',
    `127.0.0.1:${request.hostPort}:${request.containerPort}`,
    ...Object.entries(request.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    request.image,
  ];
}

/** The same container handle for podman and docker. */
export async function runContainer(tool: 'podman' | 'docker', request: RunRequest): Promise<RunningContainer> {
  const id = (await runOk(tool, containerRunArgs(request))).stdout.trim().split('\n').pop()!;
  return {
    id,
    running: async () => (await run(tool, ['inspect', '--format', '{{.State.Running}}', id])).stdout.trim() === 'true',
    logs: async () => {
      const result = await run(tool, ['logs', '--tail', '50', id]);
      return `${result.stdout}${result.stderr}`.trim();
    },
    remove: async () => {
      await run(tool, ['rm', '--force', id]);
    },
  };
}

export function secretFlag(secret: BuildSecret): string {
  if (secret.src) return `id=${secret.id},src=${secret.src}`;
  if (secret.env) return `id=${secret.id},env=${secret.env}`;
  throw new Error(`nx-fleet: build secret "${secret.id}" needs "src" (a file) or "env" (an environment variable).`);
}

/** Flags every engine spells the same way. */
export function commonBuildFlags(request: BuildRequest): string[] {
  return [
    '-f',
    request.dockerfile,
    '--iidfile',
    request.iidFile,
    ...request.tags.flatMap((tag) => ['-t', tag]),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platforms.length ? ['--platform', request.platforms.join(',')] : []),
    ...request.secrets.flatMap((secret) => ['--secret', secretFlag(secret)]),
  ];
}
