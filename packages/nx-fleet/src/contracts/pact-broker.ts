/**
 * A client of the Pact Broker HTTP API (pact_broker and PactFlow speak the same one) for nx-fleet's optional
 * broker integration: publish pacts and ask can-i-deploy. Plain HTTP (the HttpFetch port), no Pact CLI needed.
 */

import type { Env, HttpFetch } from '../io/ports';

export interface BrokerConfig {
  url: string;
  token?: string;
  username?: string;
  password?: string;
}

export interface PublishPactInput {
  /** The parsed pact file; the broker takes it as is. */
  pact: unknown;
  /** The consumer's git SHA: the broker's docs ask for a version that changes with every commit. */
  consumerVersion: string;
  branch?: string;
  tags?: string[];
}

export interface DeploymentInput {
  pacticipant: string;
  version: string;
  environment: string;
}

export interface CanIDeployResult {
  deployable: boolean;
  reason: string;
  /** One line per integration without a successful verification: `<consumer> <version> → <provider> <version>: <why>`. */
  failures: string[];
}

/** Every failure talking to the broker. Messages name the broker and what to check, never a secret. */
export class PactBrokerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PactBrokerError';
  }
}

/**
 * The variables the Pact CLI reads, so a pipeline already set up for it needs nothing more. Credentials
 * in the URL (`http://user:pw@host`) move to username/password (the variables win): the config's `url`
 * is what messages, records and the Pact verifier see, so it never carries them.
 */
export function brokerConfigFromEnv(env: Env, url?: string): BrokerConfig | undefined {
  const base = url || env['PACT_BROKER_BASE_URL'];
  if (!base) return undefined;
  const split = splitCredentials(base);
  const username = env['PACT_BROKER_USERNAME'] || split.username || undefined;
  const password = env['PACT_BROKER_PASSWORD'] || (env['PACT_BROKER_USERNAME'] ? undefined : split.password);
  return {
    url: split.url,
    token: env['PACT_BROKER_TOKEN'] || undefined,
    username,
    password: password || undefined,
  };
}

function splitCredentials(base: string): { url: string; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    // connect() reports an invalid URL without printing it.
    return { url: base };
  }
  if (!parsed.username && !parsed.password) return { url: base };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href.replace(/\/+$/, ''), username, password };
}

export async function publishPact(http: HttpFetch, config: BrokerConfig, input: PublishPactInput): Promise<void> {
  const broker = connect(http, config);
  const { consumer, provider } = pacticipantsOf(input.pact);
  const version = `/pacticipants/${segment(consumer)}/versions/${segment(input.consumerVersion)}`;
  const named = `${consumer} ${input.consumerVersion}`;
  // Branch and tags go first, as the Pact CLI does: publishing the pact fires the broker's webhooks, which read them.
  if (input.branch) {
    const path = `/pacticipants/${segment(consumer)}/branches/${segment(input.branch)}/versions/${segment(input.consumerVersion)}`;
    await send(broker, { method: 'PUT', path, body: {}, operation: `record ${named} on branch ${input.branch}` });
  }
  for (const tag of input.tags ?? []) {
    await send(broker, {
      method: 'PUT',
      path: `${version}/tags/${segment(tag)}`,
      body: {},
      operation: `tag ${named} "${tag}"`,
    });
  }
  const path = `/pacts/provider/${segment(provider)}/consumer/${segment(consumer)}/version/${segment(input.consumerVersion)}`;
  await send(broker, {
    method: 'PUT',
    path,
    body: input.pact,
    operation: `publish the pact ${consumer} → ${provider} for ${named}`,
  });
}

export async function canIDeploy(
  http: HttpFetch,
  config: BrokerConfig,
  input: DeploymentInput,
): Promise<CanIDeployResult> {
  const broker = connect(http, config);
  const query = new URLSearchParams({
    pacticipant: input.pacticipant,
    version: input.version,
    environment: input.environment,
  });
  const operation = `can-i-deploy ${input.pacticipant} ${input.version} to ${input.environment}`;
  const answer = (await receive(broker, {
    method: 'GET',
    path: `/can-i-deploy?${query}`,
    operation,
    notFound: unknownVersion(input),
  })) as CanIDeployAnswer | null;
  if (typeof answer?.summary !== 'object' || answer.summary === null) throw notABroker(broker, operation);
  return {
    // The broker answers null when it cannot tell (a pact nobody verified yet): that is not a yes.
    deployable: answer.summary.deployable === true,
    reason: answer.summary.reason ?? '',
    failures: (answer.matrix ?? []).filter((row) => row.verificationResult?.success !== true).map(failureOf),
  };
}

/**
 * The consumer versions whose pacts contract-verify verifies: each consumer's latest pact, its main
 * branch's, and what is deployed or released. The verifier and the cache fingerprint ask the same.
 */
export const CONSUMER_VERSION_SELECTORS: ReadonlyArray<Record<string, unknown>> = [
  { mainBranch: true },
  { deployedOrReleased: true },
  { latest: true },
];

/** One pact the broker holds for a provider: its URL names the pact's content version (`pact-version/<sha>`). */
export interface BrokerPact {
  href: string;
  name: string;
}

/**
 * The pacts the broker would hand the verifier for this provider (`pacts for verification`, the same
 * selectors); an older broker without that resource answers with the latest pact of each consumer. A
 * provider the broker does not know has none.
 */
export async function pactsForVerification(
  http: HttpFetch,
  config: BrokerConfig,
  provider: string,
): Promise<BrokerPact[]> {
  const broker = connect(http, config);
  const base = `/pacts/provider/${segment(provider)}`;
  try {
    const answer = (await receive(broker, {
      method: 'POST',
      path: `${base}/for-verification`,
      body: { consumerVersionSelectors: CONSUMER_VERSION_SELECTORS, includePendingStatus: false },
      operation: `list the pacts for verification of ${provider}`,
    })) as { _embedded?: { pacts?: Array<{ _links?: { self?: Link } }> } } | null;
    const pacts = answer?._embedded?.pacts;
    // Every answer of a broker lists them, even none: anything else is not a broker's, never "no pacts".
    if (!Array.isArray(pacts)) throw notABroker(broker, `list the pacts for verification of ${provider}`);
    return linksOf(pacts.map((pact) => pact._links?.self));
  } catch (error) {
    if (!(error instanceof PactBrokerError) || (error.status !== 404 && error.status !== 405)) throw error;
  }
  try {
    const latest = (await receive(broker, {
      method: 'GET',
      path: `${base}/latest`,
      operation: `list the latest pacts of ${provider}`,
    })) as { _links?: { 'pb:pacts'?: Link[] } } | null;
    const pacts = latest?._links?.['pb:pacts'];
    if (!Array.isArray(pacts)) throw notABroker(broker, `list the latest pacts of ${provider}`);
    return linksOf(pacts);
  } catch (error) {
    if (error instanceof PactBrokerError && error.status === 404) return [];
    throw error;
  }
}

interface Link {
  href?: string;
  name?: string;
  title?: string;
}

function linksOf(links: ReadonlyArray<Link | undefined>): BrokerPact[] {
  return links
    .filter((link): link is Link & { href: string } => typeof link?.href === 'string')
    .map((link) => ({ href: link.href, name: link.name ?? link.title ?? '' }));
}

interface Broker {
  http: HttpFetch;
  /** The base URL without credentials: the one messages show. */
  url: string;
  authorization: string | undefined;
  secrets: string[];
}

interface BrokerRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: unknown;
  /** What was being done, for messages: "publish the pact …". */
  operation: string;
  /** What a 404 means for this request. */
  notFound?: string;
}

interface CanIDeployAnswer {
  summary?: { deployable?: boolean | null; reason?: string } | null;
  matrix?: MatrixRow[];
}

interface MatrixRow {
  consumer: { name: string; version?: { number?: string } | null };
  provider: { name: string; version?: { number?: string } | null };
  verificationResult?: { success?: boolean } | null;
}

function connect(http: HttpFetch, config: BrokerConfig): Broker {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new PactBrokerError('nx-fleet: the Pact Broker URL (PACT_BROKER_BASE_URL) is not a valid URL.');
  }
  // fetch refuses URLs with credentials in them: they become Basic auth, and messages never show them.
  const username = config.username ?? decodeURIComponent(url.username);
  const password = config.password ?? decodeURIComponent(url.password);
  const basic = username || password ? Buffer.from(`${username}:${password}`).toString('base64') : undefined;
  return {
    http,
    url: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
    authorization: config.token ? `Bearer ${config.token}` : basic && `Basic ${basic}`,
    secrets: [config.token, password, basic].filter((secret): secret is string => !!secret),
  };
}

function pacticipantsOf(pact: unknown): { consumer: string; provider: string } {
  const names = pact as { consumer?: { name?: unknown }; provider?: { name?: unknown } } | null;
  const consumer = names?.consumer?.name;
  const provider = names?.provider?.name;
  if (typeof consumer !== 'string' || !consumer || typeof provider !== 'string' || !provider) {
    throw new Error(
      "nx-fleet: the pact to publish has no consumer.name or provider.name; regenerate it by running the consumer's Pact tests.",
    );
  }
  return { consumer, provider };
}

/** Names go in one path segment each: `@acme/orders` must not become two. */
const segment = encodeURIComponent;

async function send(broker: Broker, request: BrokerRequest): Promise<string> {
  let response: Response;
  let text: string;
  try {
    response = await broker.http(broker.url + request.path, {
      method: request.method,
      headers: headersFor(broker, request),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw failure(
      broker,
      `nx-fleet: ${request.operation} failed: could not reach the Pact Broker at ${broker.url} (${cause}). Check PACT_BROKER_BASE_URL.`,
    );
  }
  if (!response.ok) throw failure(broker, statusMessage(broker, request, response.status, text), response.status);
  return text;
}

async function receive(broker: Broker, request: BrokerRequest): Promise<unknown> {
  const text = await send(broker, request);
  try {
    return JSON.parse(text);
  } catch {
    throw notABroker(broker, request.operation);
  }
}

function headersFor(broker: Broker, request: BrokerRequest): Record<string, string> {
  return {
    Accept: 'application/hal+json',
    ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...(broker.authorization ? { Authorization: broker.authorization } : {}),
  };
}

function statusMessage(broker: Broker, request: BrokerRequest, status: number, text: string): string {
  const detail = brokerDetail(text);
  const hint = hintFor(broker, request, status);
  return `nx-fleet: ${request.operation} failed: the Pact Broker at ${broker.url} answered HTTP ${status}${detail ? ` (${detail})` : ''}.${hint ? ` ${hint}` : ''}`;
}

function hintFor(broker: Broker, request: BrokerRequest, status: number): string | undefined {
  const variables = 'PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD';
  if (status === 401)
    return broker.authorization
      ? `The broker refused the credentials: check ${variables}.`
      : `The broker needs credentials: set ${variables}.`;
  if (status === 403) return `The credentials lack the permission for this: check ${variables}.`;
  if (status === 404) return request.notFound ?? 'Check that PACT_BROKER_BASE_URL is the base URL of the broker.';
  return undefined;
}

/** The broker's own words: `{"errors": {"field": ["…"]}}` for validation, `{"error": …}` otherwise. */
function brokerDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: unknown; error?: unknown };
    return stringsIn(body.errors ?? body.error)
      .join('; ')
      .slice(0, 500);
  } catch {
    return '';
  }
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A broker, or a proxy in front of it, may echo the request's credentials in an error body. */
function failure(broker: Broker, message: string, status?: number): PactBrokerError {
  return new PactBrokerError(
    broker.secrets.reduce((text, secret) => text.split(secret).join('***'), message),
    status,
  );
}

function notABroker(broker: Broker, operation: string): PactBrokerError {
  return failure(
    broker,
    `nx-fleet: ${operation} failed: ${broker.url} did not answer like a Pact Broker. Check PACT_BROKER_BASE_URL.`,
  );
}

function unknownVersion(input: DeploymentInput): string {
  return `The broker does not know ${input.pacticipant} ${input.version}: publish its pacts (or verification results) first.`;
}

function failureOf(row: MatrixRow): string {
  const side = (pacticipant: MatrixRow['consumer']) =>
    [pacticipant.name, pacticipant.version?.number].filter(Boolean).join(' ');
  return `${side(row.consumer)} → ${side(row.provider)}: ${row.verificationResult ? 'verification failed' : 'no verification'}`;
}
