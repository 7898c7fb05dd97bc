import { isLoopbackRegistry, manifestDigestOf } from './destinations';
import { lookUpCredentials, type CredentialLookup, type RegistryCredentials } from './credentials';
import {
  readTransportSettings,
  transportFor,
  type Transport,
  type TransportAttempt,
  type TransportSettings,
} from './transport';
import { nodeProcesses, type Env, type HttpFetch, type HttpInit, type Log, type ProcessRunner } from '../io/ports';
import { retrying, type RetryPolicy } from '../io/retry';

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
  /** The credentials, or how to look them up (auth files, credential helpers) once the registry asks. */
  credentials?: RegistryCredentials | (() => Promise<CredentialLookup>);
  fetch: HttpFetch;
  /** How to reach the host (see transportFor); without it, loopback hosts get plain HTTP and others verified HTTPS. */
  transport?: Transport;
  /** Where retries are announced. */
  log?: Pick<Log, 'warn'>;
  retry?: RetryPolicy;
  /** Where the attempt that reached the host is kept: shared by the clients of one host (see RegistryHosts). */
  reached?: ReachedBy;
}

/** The transport attempt that reached a host, once one has. */
export interface ReachedBy {
  attempt?: TransportAttempt;
}

/** Idempotent requests are retried on 5xx, 429 and connection resets. */
export const DEFAULT_RETRY: RetryPolicy = { tries: 3, delayMs: 200 };

/** What went wrong, for callers that act on it and for users who fix it. */
export type RegistryErrorKind = 'unreachable' | 'tls' | 'unauthorized' | 'not-found' | 'registry';

/** Every failure talking to a registry. Messages name the registry and what to check, never a secret. */
export class OciRegistryError extends Error {
  readonly kind: RegistryErrorKind;
  constructor(
    message: string,
    readonly status?: number,
    kind?: RegistryErrorKind,
  ) {
    super(message);
    this.name = 'OciRegistryError';
    this.kind = kind ?? (status === 401 || status === 403 ? 'unauthorized' : status === 404 ? 'not-found' : 'registry');
  }
}

/** Whether a request may be sent again: reads, and manifest PUTs (the same bytes under the same reference). */
export function isIdempotent(method: string, url: URL): boolean {
  return method === 'GET' || method === 'HEAD' || (method === 'PUT' && /\/manifests\/[^/]+$/.test(url.pathname));
}

/** Whether an answer or a connection failure is worth another try. */
export function isTransient(outcome: { status: number } | { code: string }): boolean {
  return 'status' in outcome
    ? outcome.status === 429 || (outcome.status >= 500 && outcome.status !== 501)
    : ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(outcome.code);
}

const TLS_CODES = /CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** The code of a fetch failure: undici puts the socket's error in `cause`. */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof (error as { code?: unknown }).code === 'string') return (error as { code: string }).code;
  return (error as Error).message ?? String(error);
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
  private readonly attempts: TransportAttempt[];
  /** The attempt that reached the registry, kept for every later request. */
  private readonly reached: ReachedBy;
  private readonly transportReason: string | undefined;
  private readonly credentialSource: OciRegistryClientOptions['credentials'];
  private lookup: Promise<CredentialLookup> | undefined;
  private readonly fetchImpl: HttpFetch;
  private readonly log: Pick<Log, 'warn'> | undefined;
  private readonly retry: RetryPolicy;
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
    this.attempts = options.transport?.attempts ?? [
      isLoopbackRegistry(registryHost) ? { scheme: 'http' } : { scheme: 'https', tls: { verify: true } },
    ];
    this.transportReason = options.transport?.reason;
    this.credentialSource = options.credentials;
    this.fetchImpl = options.fetch;
    this.log = options.log;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.reached = options.reached ?? {};
  }

  private get baseUrl(): URL {
    return new URL(`${(this.reached.attempt ?? this.attempts[0]!).scheme}://${this.registryHost}`);
  }

  /** The credentials, looked up once, when the registry first asks for them. */
  private credentials(): Promise<CredentialLookup> {
    const source = this.credentialSource;
    this.lookup ??=
      typeof source === 'function'
        ? source()
        : Promise.resolve(source ? { credentials: source, lookedIn: [] } : { lookedIn: [] });
    return this.lookup;
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
      // The scheme may fall back to plain HTTP for a host marked insecure: the host is what must match.
      if (this.authorization && url.host === this.registryHost) headers.authorization = this.authorization;
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
    if (challenge?.scheme === 'basic') {
      const { credentials } = await this.credentials();
      return credentials && !credentials.identityToken ? basicAuthorization(credentials) : undefined;
    }
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
    const { credentials } = await this.credentials();
    if (
      credentials &&
      realm.protocol !== 'https:' &&
      !isLoopbackRegistry(realm.host) &&
      realm.host !== this.registryHost
    ) {
      throw new OciRegistryError(
        `nx-fleet: ${tokenOperation} on ${this.target}: the token service ${realm.origin} is plain HTTP; nx-fleet does not send credentials there.`,
      );
    }
    const scope = `repository:${this.repository}:pull,push`;
    let response: Response;
    if (credentials?.identityToken) {
      // An identity token is a refresh token: the OAuth2 form POST exchanges it, as docker does.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'nx-fleet',
        scope,
        ...(challenge.service ? { service: challenge.service } : {}),
      });
      response = await this.fetchFrom(tokenOperation, realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } else {
      if (challenge.service) realm.searchParams.set('service', challenge.service);
      realm.searchParams.set('scope', scope);
      const headers: Record<string, string> = credentials ? { authorization: basicAuthorization(credentials) } : {};
      response = await this.fetchFrom(tokenOperation, realm, { headers });
    }
    const body = await this.read(tokenOperation, response);
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

  /**
   * One request to the registry's host through its transport: the attempts in order (HTTPS, then plain HTTP
   * for an insecure host) until one connects; other hosts (a token service elsewhere) with verified TLS.
   */
  private async fetchFrom(operation: string, url: URL, init: RequestInit): Promise<Response> {
    const own = url.host === this.registryHost && (url.protocol === 'https:' || url.protocol === 'http:');
    const attempts: Array<TransportAttempt | undefined> = own
      ? this.reached.attempt
        ? [this.reached.attempt]
        : this.attempts
      : [undefined];
    const failures: Array<{ origin: string; code: string }> = [];
    for (const attempt of attempts) {
      const target = new URL(url);
      if (attempt) target.protocol = `${attempt.scheme}:`;
      const request: HttpInit = attempt?.scheme === 'https' ? { ...init, tls: attempt.tls } : init;
      try {
        const response = await this.withRetries(operation, target, request);
        if (own) this.reached.attempt = attempt;
        return response;
      } catch (error) {
        failures.push({ origin: target.origin, code: failureCode(error) });
      }
    }
    throw this.unreachable(operation, failures);
  }

  /** The request, sent again after a transient failure when it is idempotent; each retry logged. */
  private withRetries(operation: string, url: URL, init: HttpInit): Promise<Response> {
    const method = init.method ?? 'GET';
    const tries = isIdempotent(method, url) ? Math.max(1, this.retry.tries) : 1;
    return retrying(
      () => this.fetchImpl(url, init),
      { ...this.retry, tries },
      (outcome) => {
        if ('value' in outcome) return isTransient(outcome.value) ? `HTTP ${outcome.value.status}` : undefined;
        const code = failureCode(outcome.error);
        return isTransient({ code }) ? code : undefined;
      },
      async ({ reason, delayMs, nextTry, outcome }) => {
        if ('value' in outcome) await outcome.value.arrayBuffer().catch(() => undefined);
        this.log?.warn(
          `nx-fleet: ${operation} on ${this.target}: ${reason}; retrying in ${delayMs} ms (try ${nextTry} of ${tries}).`,
        );
      },
    );
  }

  private unreachable(operation: string, failures: Array<{ origin: string; code: string }>): OciRegistryError {
    const tls = failures.find(({ code }) => TLS_CODES.test(code));
    const tried = failures.map(({ origin, code }) => `${origin}: ${code}`).join('; ');
    if (tls && failures.length === 1) {
      const host = this.registryHost;
      return new OciRegistryError(
        `nx-fleet: TLS to ${tls.origin} failed to ${operation} on ${this.target} (${tls.code}). For a registry with a self-signed or private CA, put the CA in /etc/containers/certs.d/${host}/ca.crt (or NODE_EXTRA_CA_CERTS) or set "tlsVerify": false for it; for a plain-HTTP registry, mark it insecure (registries.conf [[registry]] location = "${host}", insecure = true).`,
        undefined,
        'tls',
      );
    }
    const how = this.transportReason ? ` (${this.transportReason})` : '';
    const first = failures[0]?.origin ?? this.baseUrl.origin;
    return new OciRegistryError(
      failures.length > 1
        ? `nx-fleet: could not reach ${this.registryHost}${how} to ${operation} on ${this.target} (${tried}). Is the registry up and the "registry" option / FLEET_REGISTRY right?`
        : `nx-fleet: could not reach ${first} to ${operation} on ${this.target} (${failures[0]?.code ?? 'no attempt'}). Is the registry up and the "registry" option / FLEET_REGISTRY right?`,
      undefined,
      'unreachable',
    );
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
    const status = `HTTP ${response.status}${codes && ` (${codes})`}`;
    const host = this.registryHost;
    const login = `podman login ${host} or docker login ${host}`;
    if (response.status === 401 || response.status === 403) {
      const { credentials, lookedIn } = await this.credentials();
      const message = credentials
        ? `credentials refused by ${host} (${status}). Check the credentials for ${host} (${login}) and that they may pull and push ${this.repository}.`
        : `no credentials found for ${host} (looked in: ${lookedIn.join(', ') || 'nothing given'}); the registry answered ${status}. Log in (${login}) or configure a credential helper for it.`;
      return new OciRegistryError(`nx-fleet: ${operation} on ${this.target} failed: ${message}`, response.status);
    }
    const hint =
      response.status >= 500 || response.status === 429
        ? `The registry kept failing (reads and manifest writes are tried ${this.retry.tries} times).`
        : `Check that the registry is up and that the "registry" option / FLEET_REGISTRY names it.`;
    return new OciRegistryError(`nx-fleet: ${operation} on ${this.target} failed: ${status}. ${hint}`, response.status);
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

/**
 * What the clients of one run share about each registry host (key: host and tlsVerify): the engines'
 * settings for it, read once; its credentials, looked up once; and the transport that reached it, so a
 * loopback registry is tried over HTTPS once per run, not once per push of a batch.
 */
export type RegistryHosts = Map<
  string,
  { settings: TransportSettings; credentials?: Promise<CredentialLookup>; reached: ReachedBy }
>;

/**
 * The client for a full repository reference (`host[:port]/path`): credentials from the auth files and
 * credential helpers `podman login`/`docker login` use, TLS and plain-HTTP rules as the engines' files say.
 * Callers should pass their `processes` port; the default runs helpers on this machine.
 */
export function registryClientFor(
  repository: string,
  env: Env,
  http: HttpFetch,
  processes: ProcessRunner = nodeProcesses,
  more: { tlsVerify?: boolean; log?: Pick<Log, 'warn'>; hosts?: RegistryHosts | undefined } = {},
): OciRegistryClient {
  const [host, ...path] = repository.split('/');
  const key = `${host} ${more.tlsVerify}`;
  const facts = more.hosts?.get(key) ?? { settings: readTransportSettings(env, more.tlsVerify), reached: {} };
  more.hosts?.set(key, facts);
  return new OciRegistryClient(host!, path.join('/'), {
    credentials: () => (facts.credentials ??= lookUpCredentials(host!, env, processes)),
    fetch: http,
    transport: transportFor(host!, facts.settings),
    reached: facts.reached,
    ...(more.log ? { log: more.log } : {}),
  });
}
