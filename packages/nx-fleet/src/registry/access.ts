import type { Ports } from '../io/ports';
import { copyImage, destinationRef, manifestDigest, type Destination } from './destinations';
import {
  OciRegistryError,
  registryClientFor,
  type OciRegistryClient,
  type RegistryDocument,
  type RegistryHosts,
} from './oci-client';

/**
 * What the tool itself asks of a destination, tag by tag (the engine uploads images): the one place
 * that decides how a registry or an OCI layout is read and written.
 */
export interface RegistryAccess {
  /** The manifest digest the destination holds for the tag; undefined when it holds none. */
  digest(destination: Destination, tag: string): Promise<string | undefined>;
  /** Points `toTag` at the manifest `fromTag` names, without uploading anything again. */
  copyTag(destination: Destination, fromTag: string, toTag: string): Promise<void>;
}

/** `log`, when given, hears about retries; `registryHosts`, when given, is what a run's accesses share per host. */
export type RegistryPorts = Pick<Ports, 'processes' | 'http' | 'env'> &
  Partial<Pick<Ports, 'log'>> & { registryHosts?: RegistryHosts };

/**
 * Registries through nx-fleet's own client (the engines' credentials, TLS and insecure-host rules, retries);
 * the OCI layout, a directory no HTTP client reads, through skopeo. One access is one push's view: what it
 * read is not read again.
 */
export function registryAccess(ports: RegistryPorts): RegistryAccess {
  // One client per repository: credentials are looked up and tokens fetched once per access.
  const clients = new Map<string, OciRegistryClient>();
  const clientFor = (destination: Extract<Destination, { kind: 'registry' }>) => {
    const key = `${destination.repository} ${destination.tlsVerify}`;
    let client = clients.get(key);
    if (!client) {
      client = registryClientFor(destination.repository, ports.env, ports.http, ports.processes, {
        tlsVerify: destination.tlsVerify,
        ...(ports.log ? { log: ports.log } : {}),
        hosts: ports.registryHosts,
      });
      clients.set(key, client);
    }
    return client;
  };
  // A manifest this access found: copying its tag afterwards needs no second read (one request per
  // question). A tag it did not find is asked again: an upload may have pushed it since.
  const found = new Map<string, RegistryDocument>();
  const manifestOf = async (destination: Extract<Destination, { kind: 'registry' }>, tag: string) => {
    const key = `${destination.repository}:${tag}`;
    const known = found.get(key);
    if (known) return known;
    const manifest = await clientFor(destination).getManifest(tag);
    if (manifest) found.set(key, manifest);
    return manifest;
  };
  return {
    async digest(destination, tag) {
      if (destination.kind === 'registry') return (await manifestOf(destination, tag))?.digest;
      return manifestDigest(ports.processes, destinationRef(destination, tag), true);
    },
    async copyTag(destination, fromTag, toTag) {
      if (destination.kind === 'registry') {
        const client = clientFor(destination);
        const manifest = await manifestOf(destination, fromTag);
        if (!manifest)
          throw new OciRegistryError(
            `nx-fleet: cannot tag ${client.describe(toTag)}: the registry no longer has ${client.describe(fromTag)}.`,
            404,
          );
        // Within one repository the blobs are already there: the same manifest bytes under the new tag.
        await client.putManifest(toTag, manifest.body, manifest.mediaType);
        return;
      }
      await copyImage(ports.processes, destinationRef(destination, fromTag), destinationRef(destination, toTag), {
        srcTlsVerify: true,
        destTlsVerify: true,
      });
    },
  };
}
