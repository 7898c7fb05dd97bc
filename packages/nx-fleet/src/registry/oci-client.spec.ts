import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OCI_INDEX_MEDIA_TYPE, OciRegistryClient, OciRegistryError, parseChallenge } from './oci-client';
import { manifestDigestOf } from './destinations';
import { startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';

const REPOSITORY = 'acme/orders';
const content = Buffer.from('{"spdxVersion":"SPDX-2.3"}');

let registry: FakeRegistry;
beforeEach(async () => {
  registry = await startFakeRegistry();
});
afterEach(() => registry.close());

const client = (credentials?: { username: string; password: string }) =>
  new OciRegistryClient(registry.host, REPOSITORY, { credentials, fetch });
const indexOf = (manifests: unknown[] = []) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests }));

async function rejection(promise: Promise<unknown>): Promise<OciRegistryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OciRegistryError);
  return error as OciRegistryError;
}

describe('OciRegistryClient blobs', () => {
  it.each([false, true])(
    'uploads a blob (absolute upload Location: %s) and reads it back',
    async (absoluteUploadLocation) => {
      registry.options.absoluteUploadLocation = absoluteUploadLocation;
      const digest = await client().putBlob(content);
      expect(digest).toBe(manifestDigestOf(content));
      expect(registry.blobs.get(digest)).toEqual(content);
      expect(await client().getBlob(digest)).toEqual(content);
    },
  );

  it('skips the upload when the registry already has the blob', async () => {
    await client().putBlob(content);
    registry.requests.length = 0;
    await client().putBlob(content);
    expect(registry.requests).toEqual([`HEAD /v2/${REPOSITORY}/blobs/${manifestDigestOf(content)}`]);
  });

  it('refuses a blob whose bytes do not hash to its digest', async () => {
    const digest = await client().putBlob(content);
    registry.blobs.set(digest, Buffer.from('{"spdxVersion":"tampered"}'));
    const error = await rejection(client().getBlob(digest));
    expect(error.message).toMatch(
      /^nx-fleet: read blob sha256:\w+ on 127\.0\.0\.1:\d+\/acme\/orders: the registry sent bytes whose digest is sha256:\w+; refusing them/,
    );
  });

  it('names the operation, the repository, the status and the registry error code for a missing blob', async () => {
    const error = await rejection(client().getBlob(manifestDigestOf(Buffer.from('absent'))));
    expect(error.status).toBe(404);
    expect(error.message).toMatch(
      /^nx-fleet: read blob sha256:\w+ on 127\.0\.0\.1:\d+\/acme\/orders failed: HTTP 404 \(BLOB_UNKNOWN\)\. Check that the registry is up/,
    );
  });
});

describe('OciRegistryClient manifests', () => {
  it('pushes a manifest by tag and by digest and reads it back with its media type and digest', async () => {
    const body = indexOf();
    const digest = await client().putManifest('v1', body, OCI_INDEX_MEDIA_TYPE);
    expect(digest).toBe(manifestDigestOf(body));
    await client().putManifest(digest, body, OCI_INDEX_MEDIA_TYPE);
    for (const reference of ['v1', digest]) {
      expect(await client().getManifest(reference)).toEqual({ body, mediaType: OCI_INDEX_MEDIA_TYPE, digest });
    }
  });

  it('answers undefined for a manifest the registry does not have', async () => {
    expect(await client().getManifest('absent')).toBeUndefined();
  });

  it('refuses a manifest fetched by digest whose bytes hash to something else', async () => {
    const digest = await client().putManifest('v1', indexOf(), OCI_INDEX_MEDIA_TYPE);
    registry.manifests.set(digest, {
      body: indexOf([{ mediaType: 'x', digest: 'sha256:0', size: 1 }]),
      mediaType: OCI_INDEX_MEDIA_TYPE,
    });
    expect((await rejection(client().getManifest(digest))).message).toContain('refusing them');
  });

  it('refuses references that are neither tags nor sha256 digests before sending anything', async () => {
    await rejection(client().getManifest('../../other/manifests/latest'));
    expect(registry.requests).toEqual([]);
  });
});

describe('OciRegistryClient referrers API', () => {
  it('answers undefined when the registry lacks the API (404, as distribution 2.8)', async () => {
    expect(await client().referrersApi(manifestDigestOf(content))).toBeUndefined();
  });

  it('collects every page when the registry has it', async () => {
    registry.options.referrersApi = true;
    const subject = {
      mediaType: OCI_INDEX_MEDIA_TYPE,
      digest: await client().putManifest('v1', indexOf(), OCI_INDEX_MEDIA_TYPE),
      size: indexOf().length,
    };
    const config = {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: await client().putBlob(Buffer.from('{}')),
      size: 2,
    };
    for (const artifactType of ['application/spdx+json', 'application/vnd.dev.sigstore.bundle.v0.3+json']) {
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactType,
          config,
          layers: [],
          subject,
        }),
      );
      await client().putManifest(manifestDigestOf(manifest), manifest, 'application/vnd.oci.image.manifest.v1+json');
    }
    const referrers = await client().referrersApi(subject.digest);
    expect(referrers?.map((descriptor) => descriptor.artifactType)).toEqual([
      'application/spdx+json',
      'application/vnd.dev.sigstore.bundle.v0.3+json',
    ]);
    expect(registry.requests.filter((request) => request.includes('/referrers/'))).toHaveLength(2);
  });
});

describe('OciRegistryClient auth', () => {
  const user = { username: 'fleet', password: 's3cret:pa55' };

  it('answers a Basic challenge with the credentials', async () => {
    registry.options.auth = 'basic';
    const digest = await client(user).putBlob(content);
    expect(await client(user).getBlob(digest)).toEqual(content);
  });

  it.each(['token', 'access_token'] as const)(
    'gets a push-scoped Bearer token (%s) with the credentials and reuses it',
    async (tokenField) => {
      Object.assign(registry.options, { auth: 'bearer', tokenField });
      const authenticated = client(user);
      const digest = await authenticated.putBlob(content);
      await authenticated.putManifest('v1', indexOf(), OCI_INDEX_MEDIA_TYPE);
      expect(await authenticated.getBlob(digest)).toEqual(content);
      expect(registry.requests.filter((request) => request === 'GET /token')).toHaveLength(1);
    },
  );

  it('gets an anonymous Bearer token without credentials', async () => {
    Object.assign(registry.options, { auth: 'bearer', anonymousTokens: true });
    expect(await client().putBlob(content)).toBe(manifestDigestOf(content));
  });

  it('gets a fresh token when the registry stops accepting the cached one', async () => {
    registry.options.auth = 'bearer';
    const authenticated = client(user);
    const digest = await authenticated.putBlob(content);
    registry.tokens.clear();
    expect(await authenticated.getBlob(digest)).toEqual(content);
    expect(registry.requests.filter((request) => request === 'GET /token')).toHaveLength(2);
  });

  it.each(['basic', 'bearer'] as const)('reports refused %s credentials without the password', async (auth) => {
    registry.options.auth = auth;
    const error = await rejection(client({ username: 'fleet', password: 'wrong-password' }).putBlob(content));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^nx-fleet: .*127\.0\.0\.1:\d+\/acme\/orders failed: HTTP 401/);
    expect(error.message).toContain(`podman login ${registry.host} or docker login ${registry.host}`);
    expect(error.message).not.toContain('wrong-password');
    expect(error.message).not.toContain(Buffer.from('fleet:wrong-password').toString('base64'));
  });

  it('does not send credentials to a plain-HTTP token service off this machine', async () => {
    const requested: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      requested.push(String(input));
      return new Response('', {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="http://auth.example/token",service="x"' },
      });
    };
    const error = await rejection(
      new OciRegistryClient(registry.host, REPOSITORY, { credentials: user, fetch: fetchStub }).getManifest('v1'),
    );
    expect(error.message).toContain(
      'the token service http://auth.example is plain HTTP; nx-fleet does not send credentials there',
    );
    expect(requested).toEqual([`http://${registry.host}/v2/${REPOSITORY}/manifests/v1`]);
  });

  it('reports a registry that wants credentials nx-fleet does not have', async () => {
    registry.options.auth = 'basic';
    expect((await rejection(client().getManifest('v1'))).status).toBe(401);
  });

  it('reports an unreachable registry', async () => {
    const stopped = await startFakeRegistry();
    await stopped.close();
    const error = await rejection(new OciRegistryClient(stopped.host, REPOSITORY, { fetch }).getManifest('v1'));
    expect(error.message).toMatch(
      /^nx-fleet: could not reach http:\/\/127\.0\.0\.1:\d+ to read manifest v1 on 127\.0\.0\.1:\d+\/acme\/orders \(ECONNREFUSED\)/,
    );
  });
});

describe('parseChallenge', () => {
  it('reads quoted parameters holding commas and colons, and bare ones', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", error=insufficient_scope',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
        error: 'insufficient_scope',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});
