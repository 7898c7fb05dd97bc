import type { Ports } from '../io/ports';
import { copyImage, destinationRef, manifestDigest, tlsVerifyOf, type Destination } from './destinations';

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

export type RegistryPorts = Pick<Ports, 'processes' | 'http' | 'env'>;

export function registryAccess(ports: RegistryPorts): RegistryAccess {
  return {
    digest: (destination, tag) =>
      manifestDigest(ports.processes, destinationRef(destination, tag), tlsVerifyOf(destination)),
    async copyTag(destination, fromTag, toTag) {
      const tls = tlsVerifyOf(destination);
      await copyImage(ports.processes, destinationRef(destination, fromTag), destinationRef(destination, toTag), {
        srcTlsVerify: tls,
        destTlsVerify: tls,
      });
    },
  };
}
