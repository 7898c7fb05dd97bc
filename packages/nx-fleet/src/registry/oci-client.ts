import { isLoopbackRegistry, manifestDigestOf } from './destinations';
import { registryCredentials, type RegistryCredentials } from './credentials';
import type { Env, HttpFetch } from '../io/ports';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType: typeof OCI_MANIFEST_MEDIA_TYPE;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType: typeof OCI_INDEX_MEDIA_TYPE;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A manifest or index as the registry holds it: the exact bytes (what the digest covers) and their media type. */
export interface RegistryDocument {
  body: Buffer;
  mediaType: string;
  digest: string;
}

export interface OciRegistryClientOptions {
  credentials?: RegistryCredentials;
  fetch: HttpFetch;
}

/** Every failure talking to a registry. Messages name the registry and what to check, never a secret. */
export class OciRegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OciRegistryError';
  }
}

const MANIFEST_ACCEPT = [
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
].join(', ');
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A client of the OCI distribution API for one repository, over the HttpFetch port. Loopback registries are
 * spoken to over plain HTTP, like the Docker daemon does; every other over HTTPS.
 */
export class OciRegistryClient {
  private readonly baseUrl: URL;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly fetchImpl: HttpFetch;
  /** The Authorization header the registry last asked for; a Bearer token is reused until it is refused. */
  private authorization: string | undefined;

  constructor(
    readonly registryHost: string,
    readonly repository: string,
    options: OciRegistryClientOptions,
  ) {
    if (!REPOSITORY.test(repository))
      throw new OciRegistryError(
        `nx-fleet: "${repository}" is not a valid repository name (lower-case path components).`,
      );
    this.baseUrl = new URL(`${isLoopbackRegistry(registryHost) ? 'http' : 'https'}://${registryHost}`);
    this.credentials = options.credentials;
    this.fetchImpl = options.fetch;
  }

  /** The manifest or index a tag or digest names, or undefined when the registry has none. */
  async getManifest(reference: string): Promise<RegistryDocument | undefined> {
    const operation = `read manifest ${reference}`;
    const response = await this.send(operation, 'GET', this.path('manifests', checkReference(reference)), {
      accept: MANIFEST_ACCEPT,
    });
    const body = await this.readFound(operation, response);
    if (body === undefined) return undefined;
    if (SHA256_DIGEST.test(reference)) this.verify(operation, reference, body);
    return { body, mediaType: mediaTypeOf(response), digest: manifestDigestOf(body) };
  }

  /** Pushes a manifest or index under a tag or its digest; returns its digest. */
  async putManifest(reference: string, body: Buffer, mediaType: string): Promise<string> {
    const operation = `push manifest ${reference}`;
    await this.read(
      operation,
      await this.send(operation, 'PUT', this.path('manifests', checkReference(reference)), {
        body,
        contentType: mediaType,
      }),
    );
    return manifestDigestOf(body);
  }

  async getBlob(digest: string): Promise<Buffer> {
    const operation = `read blob ${digest}`;
    const body = await this.read(operation, await this.send(operation, 'GET', this.path('blobs', checkDigest(digest))));
    this.verify(operation, digest, body);
    return body;
  }

  /** Uploads a blob unless the repository already has it; returns its digest. */
  async putBlob(bytes: Buffer): Promise<string> {
    const digest = manifestDigestOf(bytes);
    const operation = `push blob ${digest}`;
    if ((await this.readFound(operation, await this.send(operation, 'HEAD', this.path('blobs', digest)))) !== undefined)
      return digest;
    const started = await this.send(operation, 'POST', this.path('blobs', 'uploads/'));
    await this.read(operation, started);
    const location = started.headers.get('location');
    if (!location)
      throw new OciRegistryError(
        `nx-fleet: ${operation} on ${this.target}: the registry started an upload without a Location header. Is "${this.registryHost}" an OCI registry?`,
      );
    // Location may be relative or absolute and may carry the registry's own upload state in its query.
    const upload = new URL(location, this.baseUrl);
    upload.search = `${upload.search ? `${upload.search}&` : '?'}digest=${encodeURIComponent(digest)}`;
    await this.read(
      operation,
      await this.send(operation, 'PUT', upload, { body: bytes, contentType: 'application/octet-stream' }),
    );
    return digest;
  }

  /**
   * The referrers of a digest through the referrers API, or undefined when the registry lacks the API.
   * The spec forbids a registry that has the API to answer 404, and registries without it
   * (distribution 2.8 among them) answer 404 for the unknown route: so 404 means "no API".
   */
  async referrersApi(digest: string): Promise<Descriptor[] | undefined> {
    const operation = `list the referrers of ${digest}`;
    const descriptors: Descriptor[] = [];
    let page: URL | undefined = new URL(this.path('referrers', checkDigest(digest)), this.baseUrl);
    while (page) {
      const response = await this.send(operation, 'GET', page, { accept: OCI_INDEX_MEDIA_TYPE });
      const body = await this.readFound(operation, response);
      if (body === undefined) return undefined;
      descriptors.push(
        ...parseIndex({ body, mediaType: mediaTypeOf(response) }, `the referrers list of ${digest} in ${this.target}`)
          .manifests,
      );
      page = nextPage(response, page);
    }
    return descriptors;
  }

  /** `host/repository:tag` or `host/repository@digest`, for messages. */
  describe(reference: string): string {
    return `${this.target}${SHA256_DIGEST.test(reference) ? '@' : ':'}${reference}`;
  }

  private get target(): string {
    return `${this.registryHost}/${this.repository}`;
  }

  private path(kind: 'manifests' | 'blobs' | 'referrers', reference: string): string {
    return `/v2/${this.repository}/${kind}/${reference}`;
  }

  /** One request, answering the registry's 401 challenge once. */
  private async send(
    operation: string,
    method: string,
    target: string | URL,
    request: { body?: Buffer; contentType?: string; accept?: string } = {},
  ): Promise<Response> {
    const url = new URL(target, this.baseUrl);
    const attempt = () => {
      const headers: Record<string, string> = {};
      if (request.accept) headers.accept = request.accept;
      if (request.contentType) headers['content-type'] = request.contentType;
      // Never hand the registry's credentials to another origin an absolute Location points at.
      if (this.authorization && url.origin === this.baseUrl.origin) headers.authorization = this.authorization;
      return this.fetchFrom(operation, url, { method, headers, body: request.body });
    };
    const response = await attempt();
    const authorization =
      response.status === 401 ? await this.answer(operation, response.headers.get('www-authenticate')) : undefined;
    if (authorization === undefined) return response;
    await response.arrayBuffer();
    this.authorization = authorization;
    return attempt();
  }

  /** The Authorization header a WWW-Authenticate challenge asks for, or undefined when nx-fleet has nothing to offer. */
  private async answer(operation: string, header: string | null): Promise<string | undefined> {
    const challenge = parseChallenge(header);
    if (challenge?.scheme === 'basic') return this.credentials && basicAuthorization(this.credentials);
    if (challenge?.scheme === 'bearer' && challenge.params.realm)
      return `Bearer ${await this.token(operation, challenge.params)}`;
    return undefined;
  }

  /** A token from the registry's token service, asked for push too so that one token serves every operation. */
  private async token(operation: string, challenge: Record<string, string>): Promise<string> {
    const tokenOperation = `get a token to ${operation}`;
    let realm: URL;
    try {
      realm = new URL(challenge.realm!);
    } catch {
      throw new OciRegistryError(
        `nx-fleet: ${tokenOperation} on ${this.target}: the registry named an invalid token service "${challenge.realm}".`,
      );
    }
    if (this.credentials && realm.protocol !== 'https:' && !isLoopbackRegistry(realm.host)) {
      throw new OciRegistryError(
        `nx-fleet: ${tokenOperation} on ${this.target}: the token service ${realm.origin} is plain HTTP; nx-fleet does not send credentials there.`,
      );
    }
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const headers: Record<string, string> = this.credentials
      ? { authorization: basicAuthorization(this.credentials) }
      : {};
    const body = await this.read(tokenOperation, await this.fetchFrom(tokenOperation, realm, { headers }));
    const { token, access_token } = (parseJson(body, `the token service's answer for ${this.target}`) ?? {}) as Record<
      string,
      unknown
    >;
    const value = token ?? access_token;
    if (typeof value !== 'string' || value === '')
      throw new OciRegistryError(
        `nx-fleet: ${tokenOperation} on ${this.target}: the token service answered without a token.`,
      );
    return value;
  }

  private async fetchFrom(operation: string, url: URL, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, init);
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new OciRegistryError(
        `nx-fleet: could not reach ${url.origin} to ${operation} on ${this.target} (${reason}). Is the registry up and the "registry" option / FLEET_REGISTRY right?`,
      );
    }
  }

  /** The body of a successful response; an OciRegistryError for any other. */
  private async read(operation: string, response: Response): Promise<Buffer> {
    if (!response.ok) throw await this.failure(operation, response);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Like read, but undefined on 404. */
  private async readFound(operation: string, response: Response): Promise<Buffer | undefined> {
    if (response.status !== 404) return this.read(operation, response);
    await response.arrayBuffer();
    return undefined;
  }

  private async failure(operation: string, response: Response): Promise<OciRegistryError> {
    const codes = errorCodes(await response.text());
    const hint =
      response.status === 401 || response.status === 403
        ? `Check the credentials for ${this.registryHost} (podman login ${this.registryHost} or docker login ${this.registryHost}) and that they may pull and push ${this.repository}.`
        : `Check that the registry is up and that the "registry" option / FLEET_REGISTRY names it.`;
    return new OciRegistryError(
      `nx-fleet: ${operation} on ${this.target} failed: HTTP ${response.status}${codes && ` (${codes})`}. ${hint}`,
      response.status,
    );
  }

  /** Content is addressed by its digest: bytes that hash to anything else are refused, whoever sent them. */
  private verify(operation: string, digest: string, bytes: Buffer): void {
    const actual = manifestDigestOf(bytes);
    if (actual !== digest) {
      throw new OciRegistryError(
        `nx-fleet: ${operation} on ${this.target}: the registry sent bytes whose digest is ${actual}; refusing them. Something altered the content in the registry or on the way.`,
      );
    }
  }
}

/** `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"` → its scheme and parameters. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header ?? '');
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[key!.toLowerCase()] = quoted === undefined ? bare! : quoted.replace(/\\(.)/g, '$1');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** An index from its bytes and media type: the referrers API answer or a referrers tag. */
export function parseIndex(document: Pick<RegistryDocument, 'body' | 'mediaType'>, what: string): OciIndex {
  return parseDocument(
    document,
    OCI_INDEX_MEDIA_TYPE,
    'an OCI image index',
    what,
    (value) => Array.isArray(value.manifests) && value.manifests.every(isDescriptor),
  );
}

export function parseManifest(document: Pick<RegistryDocument, 'body' | 'mediaType'>, what: string): OciManifest {
  return parseDocument(
    document,
    OCI_MANIFEST_MEDIA_TYPE,
    'an OCI image manifest',
    what,
    (value) => isDescriptor(value.config) && Array.isArray(value.layers) && value.layers.every(isDescriptor),
  );
}

function parseDocument<T extends OciIndex | OciManifest>(
  document: Pick<RegistryDocument, 'body' | 'mediaType'>,
  mediaType: T['mediaType'],
  kind: string,
  what: string,
  isValid: (value: Record<string, unknown>) => boolean,
): T {
  if (document.mediaType !== mediaType)
    throw new OciRegistryError(`nx-fleet: ${what} is ${document.mediaType || 'of no media type'}, not ${kind}.`);
  const value = parseJson(document.body, what) as Record<string, unknown> | null;
  if (value?.schemaVersion !== 2 || !isValid(value))
    throw new OciRegistryError(`nx-fleet: ${what} is not a valid ${kind.replace(/^an? /, '')}.`);
  return { ...value, mediaType } as T;
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new OciRegistryError(`nx-fleet: ${what} is not JSON.`);
  }
}

function isDescriptor(value: unknown): value is Descriptor {
  const descriptor = value as Partial<Descriptor> | null;
  return (
    typeof descriptor?.mediaType === 'string' &&
    typeof descriptor.digest === 'string' &&
    typeof descriptor.size === 'number'
  );
}

function checkReference(reference: string): string {
  if (!TAG.test(reference) && !SHA256_DIGEST.test(reference))
    throw new OciRegistryError(`nx-fleet: "${reference}" is neither a tag nor a sha256 digest.`);
  return reference;
}

function checkDigest(digest: string): string {
  if (!SHA256_DIGEST.test(digest)) throw new OciRegistryError(`nx-fleet: "${digest}" is not a sha256 digest.`);
  return digest;
}

function mediaTypeOf(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
}

/** The `rel="next"` page of a paginated answer (RFC 5988 Link header), relative to the current page. */
function nextPage(response: Response, current: URL): URL | undefined {
  const link = /<([^>]*)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '');
  return link ? new URL(link[1]!, current) : undefined;
}

/** The registry's error codes (`MANIFEST_UNKNOWN`, `DENIED`…): their messages are free text, so they stay out. */
function errorCodes(body: string): string {
  try {
    const { errors } = JSON.parse(body) as { errors?: Array<{ code?: unknown }> };
    return (errors ?? [])
      .map((error) => error.code)
      .filter((code): code is string => typeof code === 'string' && /^[A-Z_]+$/.test(code))
      .join(', ');
  } catch {
    return '';
  }
}

function basicAuthorization({ username, password }: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The client for a full repository reference (`host[:port]/path`), with the credentials `podman login`/`docker login` stored for its host. */
export function registryClientFor(repository: string, env: Env, http: HttpFetch): OciRegistryClient {
  const [host, ...path] = repository.split('/');
  return new OciRegistryClient(host!, path.join('/'), { credentials: registryCredentials(host!, env), fetch: http });
}
