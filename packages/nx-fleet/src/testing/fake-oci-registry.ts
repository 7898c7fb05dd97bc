import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OCI_MANIFEST_MEDIA_TYPE, type Descriptor, type OciRegistryClient } from '../registry/oci-client';
import { manifestDigestOf as sha256 } from '../registry/destinations';

export interface FakeRegistryOptions {
  auth: 'none' | 'basic' | 'bearer';
  /** The one account the registry knows. */
  user: { username: string; password: string };
  /** Bearer: whether the token service hands out tokens without credentials (as Docker Hub does for pulls). */
  anonymousTokens: boolean;
  /** Bearer: the field the token service answers with (`token`, or the OAuth2 `access_token`). */
  tokenField: 'token' | 'access_token';
  /** Off, the referrers route is unknown and answers 404, as in distribution 2.8. On, it pages one referrer at a time. */
  referrersApi: boolean;
  /** Whether upload Locations are absolute URLs rather than paths. */
  absoluteUploadLocation: boolean;
}

export interface FakeRegistry {
  /** `127.0.0.1:<port>`: loopback, so clients speak plain HTTP. */
  host: string;
  /** Mutable: tests switch modes between requests. */
  options: FakeRegistryOptions;
  blobs: Map<string, Buffer>;
  manifests: Map<string, { body: Buffer; mediaType: string }>;
  tags: Map<string, string>;
  /** Issued Bearer tokens; clearing it is how a token expires. */
  tokens: Map<string, { repository: string; actions: string[] }>;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

const SERVICE = 'fake-registry';

/**
 * An in-memory registry on 127.0.0.1 implementing the part of the distribution API nx-fleet's OCI client
 * uses, with distribution's checks (digests, referenced blobs, manifest media type) and its auth schemes.
 * Test-only: tsconfig.lib.json excludes every `testing` folder.
 */
export async function startFakeRegistry(options: Partial<FakeRegistryOptions> = {}): Promise<FakeRegistry> {
  const uploads = new Set<string>();
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => handle(request, response, body),
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const registry: FakeRegistry = {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    options: {
      auth: 'none',
      user: { username: 'fleet', password: 's3cret:pa55' },
      anonymousTokens: false,
      tokenField: 'token',
      referrersApi: false,
      absoluteUploadLocation: false,
      ...options,
    },
    blobs: new Map(),
    manifests: new Map(),
    tags: new Map(),
    tokens: new Map(),
    requests: [],
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  function handle(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const method = request.method!;
    const url = new URL(request.url!, `http://${registry.host}`);
    registry.requests.push(`${method} ${url.pathname}`);
    if (url.pathname === '/token') return issueToken(request, response, url);
    const route = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\/(.+)$/.exec(url.pathname);
    if (!route || (route[2] === 'referrers' && !registry.options.referrersApi)) return fail(response, 404, 'NOT_FOUND');
    const [, repository, kind, reference] = route as unknown as [string, string, string, string];
    const action = method === 'GET' || method === 'HEAD' ? 'pull' : 'push';
    if (!authorized(request.headers.authorization, repository, action)) return challenge(response, repository);
    if (kind === 'manifests')
      return method === 'PUT'
        ? putManifest(response, repository, reference, request.headers['content-type'], body)
        : getManifest(response, reference);
    if (kind === 'referrers')
      return listReferrers(response, url.pathname, reference, Number(url.searchParams.get('page') ?? 0));
    if (reference === 'uploads/' && method === 'POST') return startUpload(response, repository);
    if (reference.startsWith('uploads/') && method === 'PUT')
      return finishUpload(response, reference.slice('uploads/'.length), url.searchParams.get('digest'), body);
    const blob = registry.blobs.get(reference);
    if (!blob) return fail(response, 404, 'BLOB_UNKNOWN');
    send(response, 200, { 'content-type': 'application/octet-stream', 'docker-content-digest': reference }, blob);
  }

  function authorized(header: string | undefined, repository: string, action: string): boolean {
    const { auth, user } = registry.options;
    if (auth === 'none') return true;
    if (auth === 'basic') return header === basic(user);
    const grant = registry.tokens.get(header?.replace(/^Bearer /, '') ?? '');
    return grant !== undefined && grant.repository === repository && grant.actions.includes(action);
  }

  function challenge(response: ServerResponse, repository: string): void {
    const header =
      registry.options.auth === 'basic'
        ? 'Basic realm="fake-registry"'
        : `Bearer realm="http://${registry.host}/token",service="${SERVICE}",scope="repository:${repository}:pull"`;
    fail(response, 401, 'UNAUTHORIZED', { 'www-authenticate': header });
  }

  function issueToken(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const scope = /^repository:([^:]+):([a-z,]+)$/.exec(url.searchParams.get('scope') ?? '');
    if (url.searchParams.get('service') !== SERVICE || !scope) return fail(response, 400, 'UNSUPPORTED');
    const header = request.headers.authorization;
    const allowed = header === undefined ? registry.options.anonymousTokens : header === basic(registry.options.user);
    if (!allowed) return fail(response, 401, 'UNAUTHORIZED');
    const token = randomUUID();
    registry.tokens.set(token, { repository: scope[1]!, actions: scope[2]!.split(',') });
    send(
      response,
      200,
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ [registry.options.tokenField]: token })),
    );
  }

  function getManifest(response: ServerResponse, reference: string): void {
    const digest = registry.tags.get(reference) ?? reference;
    const manifest = registry.manifests.get(digest);
    if (!manifest) return fail(response, 404, 'MANIFEST_UNKNOWN');
    send(response, 200, { 'content-type': manifest.mediaType, 'docker-content-digest': digest }, manifest.body);
  }

  function putManifest(
    response: ServerResponse,
    repository: string,
    reference: string,
    mediaType: string | undefined,
    body: Buffer,
  ): void {
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) return fail(response, 400, 'DIGEST_INVALID');
    const document = JSON.parse(body.toString('utf8')) as {
      mediaType?: string;
      config?: { digest: string };
      layers?: Array<{ digest: string }>;
      manifests?: Array<{ digest: string }>;
      subject?: { digest: string };
    };
    if (!mediaType || document.mediaType !== mediaType) return fail(response, 400, 'MANIFEST_INVALID');
    const blobs = [document.config, ...(document.layers ?? [])].filter((descriptor) => descriptor !== undefined);
    if (!blobs.every((descriptor) => registry.blobs.has(descriptor.digest)))
      return fail(response, 400, 'MANIFEST_BLOB_UNKNOWN');
    if (!(document.manifests ?? []).every((descriptor) => registry.manifests.has(descriptor.digest)))
      return fail(response, 400, 'MANIFEST_UNKNOWN');
    registry.manifests.set(digest, { body, mediaType });
    if (reference !== digest) registry.tags.set(reference, digest);
    const subject: Record<string, string> =
      registry.options.referrersApi && document.subject ? { 'oci-subject': document.subject.digest } : {};
    send(response, 201, {
      location: `/v2/${repository}/manifests/${digest}`,
      'docker-content-digest': digest,
      ...subject,
    });
  }

  function listReferrers(response: ServerResponse, path: string, subject: string, page: number): void {
    const referrers = [...registry.manifests].flatMap(([digest, { body, mediaType }]) => {
      const manifest = JSON.parse(body.toString('utf8')) as {
        artifactType?: string;
        config?: { mediaType: string };
        subject?: { digest: string };
        annotations?: Record<string, string>;
      };
      if (manifest.subject?.digest !== subject) return [];
      return [
        {
          mediaType,
          digest,
          size: body.length,
          artifactType: manifest.artifactType ?? manifest.config?.mediaType,
          annotations: manifest.annotations,
        },
      ];
    });
    const next: Record<string, string> =
      page + 1 < referrers.length ? { link: `<${path}?page=${page + 1}>; rel="next"` } : {};
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: referrers.slice(page, page + 1),
    };
    send(response, 200, { 'content-type': index.mediaType, ...next }, Buffer.from(JSON.stringify(index)));
  }

  function startUpload(response: ServerResponse, repository: string): void {
    const id = randomUUID();
    uploads.add(id);
    const path = `/v2/${repository}/blobs/uploads/${id}?_state=opaque%3D`;
    send(response, 202, {
      location: registry.options.absoluteUploadLocation ? `http://${registry.host}${path}` : path,
    });
  }

  function finishUpload(response: ServerResponse, id: string, digest: string | null, body: Buffer): void {
    if (!uploads.delete(id)) return fail(response, 404, 'BLOB_UPLOAD_UNKNOWN');
    if (digest !== sha256(body)) return fail(response, 400, 'DIGEST_INVALID');
    registry.blobs.set(digest, body);
    send(response, 201, { 'docker-content-digest': digest });
  }

  return registry;
}

/** A one-layer image, standing in for what skopeo pushes; `architecture` varies the digest. */
export async function pushTestImage(
  client: OciRegistryClient,
  architecture = 'amd64',
  tag = 'v1',
): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ architecture, os: 'linux' }));
  const layer = Buffer.from('not really a tarball');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await client.putBlob(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: await client.putBlob(layer),
          size: layer.length,
        },
      ],
    }),
  );
  return {
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    digest: await client.putManifest(tag, manifest, OCI_MANIFEST_MEDIA_TYPE),
    size: manifest.length,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Node sends no body to HEAD requests, so HEAD and GET share this. */
function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer = Buffer.alloc(0),
): void {
  response.writeHead(status, { 'content-length': String(body.length), ...headers });
  response.end(body);
}

function fail(response: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  send(
    response,
    status,
    { 'content-type': 'application/json', ...headers },
    Buffer.from(JSON.stringify({ errors: [{ code, message: `${code.toLowerCase()} (secret-free)` }] })),
  );
}

function basic({ username, password }: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
