import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { answerInFile, type TransportRef } from '../engines/engine';
import { setting } from '../config/settings';
import type { Env, ProcessRunner } from '../io/ports';
import { markedInsecure, readInsecureLocations } from './insecure-hosts';

/** Where pushed images go: a registry repository, or the embedded OCI image-layout directory. */
export type Destination =
  | { kind: 'registry'; repository: string; tlsVerify: boolean }
  | { kind: 'oci-layout'; repository: string; dir: string };

/** Where images go when no registry is configured (relative to the workspace root). */
export const OCI_LAYOUT_ROOT = 'dist/fleet-registry';

export function resolveDestination(input: {
  registry: string | undefined;
  imageName: string;
  workspaceRoot: string;
  tlsVerify?: boolean;
  /** Hosts the engines' files mark insecure (see readInsecureLocations). */
  insecure?: ReadonlyArray<{ location: string }>;
}): Destination {
  const registry = input.registry && registryPrefix(input.registry);
  if (!registry) {
    return {
      kind: 'oci-layout',
      repository: input.imageName,
      dir: join(input.workspaceRoot, OCI_LAYOUT_ROOT, input.imageName),
    };
  }
  const repository = `${registry}/${input.imageName}`;
  // A host marked insecure gets --tls-verify=false, as podman decides with no flag: an explicit
  // --tls-verify=true would override registries.conf and refuse the plain-HTTP registry.
  const insecure = isLoopbackRegistry(registry) || markedInsecure(registry.split('/')[0]!, input.insecure ?? []);
  return { kind: 'registry', repository, tlsVerify: input.tlsVerify ?? !insecure };
}

/** A registry setting as the prefix of its repositories: no scheme, no trailing slash. */
export function registryPrefix(registry: string): string {
  return registry.replace(/^(docker|https?):\/\//, '').replace(/\/+$/, '');
}

/**
 * A service's destination: the registry setting (FLEET_REGISTRY over the option), else the OCI layout;
 * TLS verified unless the option says otherwise or the host is loopback or marked insecure on this machine.
 */
export function destinationFor(
  env: Env,
  options: { registry?: string; tlsVerify?: boolean },
  imageName: string,
  workspaceRoot: string,
): Destination {
  return resolveDestination({
    registry: setting(env, 'registry', options.registry),
    imageName,
    workspaceRoot,
    tlsVerify: options.tlsVerify,
    insecure: readInsecureLocations(env),
  });
}

/** Like the Docker daemon, treat loopback registries (127.0.0.0/8, localhost, ::1) as plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry
    .split('/')[0]!
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function destinationRef(destination: Destination, tag: string): TransportRef {
  return destination.kind === 'registry'
    ? `docker://${destination.repository}:${tag}`
    : `oci:${destination.dir}:${tag}`;
}

export function tlsVerifyOf(destination: Destination): boolean {
  return destination.kind === 'registry' ? destination.tlsVerify : true;
}

const NOT_FOUND =
  /manifest unknown|name unknown|not found|no such file or directory|no descriptor found|does not exist/i;

export function manifestDigestOf(rawManifest: Buffer): string {
  return `sha256:${createHash('sha256').update(rawManifest).digest('hex')}`;
}

/**
 * The digest the destination holds for a reference, or undefined when it holds none.
 * An unreachable registry is an error, never "not found": that would trigger a pointless rebuild.
 */
export async function manifestDigest(
  processes: ProcessRunner,
  ref: TransportRef,
  tlsVerify: boolean,
): Promise<string | undefined> {
  const result = await processes.run('skopeo', ['inspect', '--raw', `--tls-verify=${tlsVerify}`, ref]);
  // Hash the exact bytes: decoding them as text could change the digest.
  if (result.code === 0) return manifestDigestOf(result.stdoutBytes);
  const stderr = result.stderr;
  if (NOT_FOUND.test(stderr) && !/connection refused|no such host|timeout/i.test(stderr)) return undefined;
  throw new Error(
    `nx-fleet: could not read ${ref} (${stderr.trim().split('\n').pop()}). Is the registry up and the "registry" option / FLEET_REGISTRY right?`,
  );
}

/** Copies a manifest (and any blobs the destination lacks); within one repository that is a tag operation. */
export function copyImage(
  processes: ProcessRunner,
  source: string,
  destination: TransportRef,
  tls: { srcTlsVerify: boolean; destTlsVerify: boolean },
): Promise<string> {
  return answerInFile('nx-fleet-copy-', 'digest', (digestFile) =>
    processes.runOk('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      `--src-tls-verify=${tls.srcTlsVerify}`,
      `--dest-tls-verify=${tls.destTlsVerify}`,
      '--digestfile',
      digestFile,
      source,
      destination,
    ]),
  );
}
