import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient, OciRegistryError } from './oci-client';
import { transportFor } from './transport';
import { nodeHttp } from '../io/ports';

// A self-signed certificate for localhost and 127.0.0.1, made for these tests only (openssl req -x509, 100 years).
const cert = readFileSync(join(__dirname, 'fixtures/self-signed.crt'), 'utf8');
const key = readFileSync(join(__dirname, 'fixtures/self-signed.key'), 'utf8');

let server: Server;
let host: string;
beforeAll(async () => {
  server = createServer({ cert, key }, (_request, response) => {
    // Enough of a registry: every manifest is unknown.
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const none = { insecure: [], hostCas: {}, extraCas: [] };
const clientWith = (settings: Parameters<typeof transportFor>[1]) =>
  new OciRegistryClient(host, 'acme/orders', { fetch: nodeHttp, transport: transportFor(host, settings) });

describe('nodeHttp and the client over real TLS (a self-signed registry)', () => {
  it('accepts the self-signed certificate with tlsVerify: false', async () => {
    expect(await clientWith({ ...none, tlsVerify: false }).getManifest('v1')).toBeUndefined();
  });

  it("accepts it verified when the engines' cert dir or NODE_EXTRA_CA_CERTS holds it", async () => {
    expect(
      await clientWith({ ...none, tlsVerify: true, hostCas: { [host]: [cert] } }).getManifest('v1'),
    ).toBeUndefined();
    expect(await clientWith({ ...none, tlsVerify: true, extraCas: [cert] }).getManifest('v1')).toBeUndefined();
  });

  it('refuses it verified otherwise, as a TLS error naming the code and the fixes', async () => {
    const error = await clientWith({ ...none, tlsVerify: true })
      .getManifest('v1')
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).toBeInstanceOf(OciRegistryError);
    expect((error as OciRegistryError).kind).toBe('tls');
    expect((error as OciRegistryError).message).toContain(`TLS to https://${host} failed to read manifest v1`);
    expect((error as OciRegistryError).message).toContain('(DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('leaves requests without tls options to the global fetch, which verifies', async () => {
    await expect(nodeHttp(`https://${host}/v2/`)).rejects.toThrow();
    expect((await nodeHttp(`https://${host}/v2/`, { tls: { verify: false } })).status).toBe(404);
  });
});
