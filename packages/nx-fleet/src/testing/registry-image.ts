import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { OciRegistryClient, type Descriptor } from '../registry/oci-client';
import { attachArtifact } from '../registry/oci-referrers';
import type { Subject } from '../supply-chain/subject';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from './fake-oci-registry';

// Live bindings, replaced before each test of the file that calls useRegistryImage.
export let registry: FakeRegistry;
export let client: OciRegistryClient;
/** `host:port/acme/orders`, as a signature names it. */
export let repository: string;
export let image: Descriptor;

/** A fake registry holding one pushed image, fresh for every test of the calling file. */
export function useRegistryImage(tag?: string): void {
  beforeEach(async () => {
    registry = await startFakeRegistry();
    client = new OciRegistryClient(registry.host, 'acme/orders', { fetch });
    repository = `${registry.host}/acme/orders`;
    image = await pushTestImage(client, 'amd64', tag);
  });
  afterEach(async () => {
    await registry.close();
  });
}

/** An ECDSA P-256 key pair as PEM: what nx-fleet signs with. */
export function signingKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Attaches raw bytes as an artifact of the given type, valid or not, bypassing nx-fleet's checks. */
export async function attachRaw(
  client: OciRegistryClient,
  subject: Subject,
  mediaType: string,
  text: string,
): Promise<string> {
  return (await attachArtifact(client, { subject, artifactType: mediaType, content: Buffer.from(text) })).digest;
}
