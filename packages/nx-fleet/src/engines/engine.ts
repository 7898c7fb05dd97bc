import type { EngineName } from '../plugins/options';

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

export interface Engine {
  readonly name: EngineName;
  build(request: BuildRequest): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** Pushes a local image and returns the manifest digest the destination stored. */
  push(localRef: string, destination: TransportRef, tlsVerify: boolean): Promise<string>;
  /** Writes a local image to a docker-archive tarball, the input scanners read offline. */
  save(localRef: string, archive: string): Promise<void>;
}

export function secretFlag(secret: BuildSecret): string {
  if (secret.src) return `id=${secret.id},src=${secret.src}`;
  if (secret.env) return `id=${secret.id},env=${secret.env}`;
  throw new Error(`nx-fleet: build secret "${secret.id}" needs "src" (a file) or "env" (an environment variable).`);
}

/** Flags every engine spells the same way. */
export function commonBuildFlags(request: BuildRequest): string[] {
  return [
    '-f', request.dockerfile,
    '--iidfile', request.iidFile,
    ...request.tags.flatMap((tag) => ['-t', tag]),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platforms.length ? ['--platform', request.platforms.join(',')] : []),
    ...request.secrets.flatMap((secret) => ['--secret', secretFlag(secret)]),
  ];
}
