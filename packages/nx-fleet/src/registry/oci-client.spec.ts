import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isIdempotent,
  isTransient,
  OCI_INDEX_MEDIA_TYPE,
  OciRegistryClient,
  OciRegistryError,
  parseChallenge,
  registryClientFor,
  type RegistryHosts,
} from './oci-client';
import type { Transport } from './transport';
import type { HttpFetch } from '../io/ports';
import { collectingLog } from '../testing/fake-ports';
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
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(
      /^nx-fleet: .*127\.0\.0\.1:\d+\/acme\/orders failed: credentials refused by 127\.0\.0\.1:\d+ \(HTTP 401/,
    );
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

  it('reports a registry that wants credentials nx-fleet does not have, naming where it looked', async () => {
    registry.options.auth = 'basic';
    const error = await rejection(
      new OciRegistryClient(registry.host, REPOSITORY, {
        fetch,
        credentials: async () => ({ lookedIn: ['/home/ci/.docker/config.json', 'docker-credential-pass'] }),
      }).getManifest('v1'),
    );
    expect(error.status).toBe(401);
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain(
      `failed: no credentials found for ${registry.host} (looked in: /home/ci/.docker/config.json, docker-credential-pass); the registry answered HTTP 401`,
    );
  });

  it.each(['basic', 'bearer'] as const)('looks credentials up once, when the %s registry first asks', async (auth) => {
    registry.options.auth = auth;
    let lookups = 0;
    const lazy = new OciRegistryClient(registry.host, REPOSITORY, {
      fetch,
      credentials: async () => {
        lookups++;
        return { credentials: user, lookedIn: ['docker-credential-fleet'] };
      },
    });
    const digest = await lazy.putBlob(content);
    expect(await lazy.getBlob(digest)).toEqual(content);
    expect(lookups).toBe(1);
  });

  it('exchanges an identity token at the token service with the OAuth2 refresh form', async () => {
    const seen: Array<{ url: string; method: string; body: string }> = [];
    const fetchStub: typeof fetch = async (input, init) => {
      const url = String(input);
      seen.push({ url, method: init?.method ?? 'GET', body: String(init?.body ?? '') });
      if (url.startsWith('https://auth.example/token')) return Response.json({ access_token: 'tok' });
      if ((init?.headers as Record<string, string>).authorization === 'Bearer tok')
        return new Response('', { status: 404 });
      return new Response('', {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg"' },
      });
    };
    const tokenClient = new OciRegistryClient('reg.example', REPOSITORY, {
      fetch: fetchStub,
      credentials: { username: '', password: '', identityToken: 'refresh-me' },
    });
    expect(await tokenClient.getManifest('v1')).toBeUndefined();
    const exchange = seen.find(({ url }) => url.startsWith('https://auth.example'))!;
    expect(exchange.method).toBe('POST');
    expect(new URLSearchParams(exchange.body).get('grant_type')).toBe('refresh_token');
    expect(new URLSearchParams(exchange.body).get('refresh_token')).toBe('refresh-me');
    expect(new URLSearchParams(exchange.body).get('scope')).toBe(`repository:${REPOSITORY}:pull,push`);
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

describe('OciRegistryClient retries', () => {
  const noWait = { tries: 3, delayMs: 200, sleep: async (ms: number) => void waits.push(ms) };
  let waits: number[];
  beforeEach(() => {
    waits = [];
  });
  /** Real fetch, except that the first `failures` requests matching `method path` get `fault`. */
  const faulty = (method: string, fault: number | 'reset', failures = 1): typeof fetch => {
    let left = failures;
    return async (input, init) => {
      if ((init?.method ?? 'GET') === method && left > 0 && String(input).includes('/manifests/')) {
        left--;
        if (fault === 'reset') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
        return new Response('{"errors":[{"code":"UNAVAILABLE"}]}', { status: fault });
      }
      return fetch(input, init);
    };
  };
  const retrying = (fetchImpl: typeof fetch, log = collectingLog()) =>
    new OciRegistryClient(registry.host, REPOSITORY, { fetch: fetchImpl, log, retry: noWait });

  it.each([503, 500, 429, 'reset'] as const)('retries a manifest read after %s, logging it', async (fault) => {
    const body = indexOf();
    await client().putManifest('v1', body, OCI_INDEX_MEDIA_TYPE);
    const log = collectingLog();
    expect((await retrying(faulty('GET', fault), log).getManifest('v1'))?.digest).toBe(manifestDigestOf(body));
    expect(waits).toEqual([200]);
    expect(log.of('warn')).toEqual([
      `nx-fleet: read manifest v1 on ${registry.host}/${REPOSITORY}: ${fault === 'reset' ? 'ECONNRESET' : `HTTP ${fault}`}; retrying in 200 ms (try 2 of 3).`,
    ]);
  });

  it('retries a manifest PUT by tag, backing off 200 then 400 ms', async () => {
    const body = indexOf();
    expect(await retrying(faulty('PUT', 500, 2)).putManifest('v1', body, OCI_INDEX_MEDIA_TYPE)).toBe(
      manifestDigestOf(body),
    );
    expect(waits).toEqual([200, 400]);
  });

  it('gives up after three tries, saying the registry kept failing', async () => {
    const error = await rejection(retrying(faulty('GET', 500, 99)).getManifest('v1'));
    expect(error.status).toBe(500);
    expect(error.kind).toBe('registry');
    expect(error.message).toContain('failed: HTTP 500 (UNAVAILABLE). The registry kept failing');
    expect(waits).toEqual([200, 400]);
  });

  it('does not retry a blob upload (POST/PUT of an upload session)', async () => {
    let posts = 0;
    const failing: typeof fetch = async (input, init) => {
      if (init?.method === 'POST') {
        posts++;
        return new Response('', { status: 503 });
      }
      return fetch(input, init);
    };
    expect((await rejection(retrying(failing).putBlob(content))).status).toBe(503);
    expect(posts).toBe(1);
  });

  it.each([
    ['GET', '/v2/a/manifests/v1', true],
    ['HEAD', '/v2/a/blobs/sha256:00', true],
    ['PUT', '/v2/a/manifests/v1', true],
    ['PUT', '/v2/a/blobs/uploads/123', false],
    ['POST', '/v2/a/blobs/uploads/', false],
  ])('%s %s idempotent: %s', (method, path, expected) => {
    expect(isIdempotent(method, new URL(path, 'https://r.example'))).toBe(expected);
  });

  it.each([
    [{ status: 500 }, true],
    [{ status: 503 }, true],
    [{ status: 429 }, true],
    [{ status: 501 }, false],
    [{ status: 404 }, false],
    [{ code: 'ECONNRESET' }, true],
    [{ code: 'UND_ERR_SOCKET' }, true],
    [{ code: 'ECONNREFUSED' }, false],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, false],
  ])('%j transient: %s', (outcome, expected) => {
    expect(isTransient(outcome)).toBe(expected);
  });
});

describe('OciRegistryClient transport', () => {
  const insecure: Transport = {
    attempts: [{ scheme: 'https', tls: { verify: false } }, { scheme: 'http' }],
    reason: 'tlsVerify: false',
  };

  it('falls back to plain HTTP for an insecure host when HTTPS does not connect, and keeps HTTP', async () => {
    const seen: string[] = [];
    const recording: HttpFetch = async (input, init) => {
      seen.push(`${String(input).split('/v2')[0]} tls=${JSON.stringify(init?.tls)}`);
      return fetch(input, init);
    };
    const body = indexOf();
    const fallback = new OciRegistryClient(registry.host, REPOSITORY, { fetch: recording, transport: insecure });
    await fallback.putManifest('v1', body, OCI_INDEX_MEDIA_TYPE);
    expect((await fallback.getManifest('v1'))?.digest).toBe(manifestDigestOf(body));
    expect(seen).toEqual([
      `https://${registry.host} tls={"verify":false}`,
      `http://${registry.host} tls=undefined`,
      `http://${registry.host} tls=undefined`,
    ]);
  });

  it('clients sharing the hosts of a run try a loopback host over HTTPS once, and read its settings once', async () => {
    const seen: string[] = [];
    const recording: HttpFetch = async (input, init) => {
      seen.push(String(input).split('/v2')[0]!);
      return fetch(input, init);
    };
    const hosts: RegistryHosts = new Map();
    const ofRun = (repository: string) =>
      registryClientFor(`${registry.host}/${repository}`, {}, recording, undefined, { hosts });
    expect(await ofRun('acme/orders').getManifest('v1')).toBeUndefined();
    expect(await ofRun('acme/payments').getManifest('v1')).toBeUndefined();
    expect(seen).toEqual([`https://${registry.host}`, `http://${registry.host}`, `http://${registry.host}`]);
    expect([...hosts.keys()]).toEqual([`${registry.host} undefined`]);
    // Without shared hosts each client finds its way again.
    seen.length = 0;
    await registryClientFor(`${registry.host}/acme/orders`, {}, recording).getManifest('v1');
    expect(seen).toEqual([`https://${registry.host}`, `http://${registry.host}`]);
  });

  it('sends credentials after falling back to HTTP on the same host', async () => {
    registry.options.auth = 'basic';
    const fallback = new OciRegistryClient(registry.host, REPOSITORY, {
      fetch,
      transport: insecure,
      credentials: registry.options.user,
    });
    expect(await fallback.getManifest('absent')).toBeUndefined();
  });

  it('says which attempts failed when neither scheme connects', async () => {
    const stopped = await startFakeRegistry();
    await stopped.close();
    const error = await rejection(
      new OciRegistryClient(stopped.host, REPOSITORY, { fetch, transport: insecure }).getManifest('v1'),
    );
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(
      /^nx-fleet: could not reach 127\.0\.0\.1:\d+ \(tlsVerify: false\) to read manifest v1 on .*\(https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\)/,
    );
  });

  it.each(['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER'])(
    'names a TLS failure (%s) as such, with the fixes',
    async (code) => {
      const failing: HttpFetch = async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code } });
      };
      const error = await rejection(
        new OciRegistryClient('registry.internal:5000', REPOSITORY, { fetch: failing }).getManifest('v1'),
      );
      expect(error.kind).toBe('tls');
      expect(error.message).toContain(`nx-fleet: TLS to https://registry.internal:5000 failed to read manifest v1`);
      expect(error.message).toContain(`(${code})`);
      expect(error.message).toContain('/etc/containers/certs.d/registry.internal:5000/ca.crt');
      expect(error.message).toContain('"tlsVerify": false');
    },
  );

  it('is not found, as a kind, for a 404 read that must exist', async () => {
    expect((await rejection(client().getBlob(manifestDigestOf(Buffer.from('x'))))).kind).toBe('not-found');
  });
});
