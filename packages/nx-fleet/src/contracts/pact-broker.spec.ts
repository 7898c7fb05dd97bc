import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokerConfigFromEnv, canIDeploy, PactBrokerError, publishPact, type BrokerConfig } from './pact-broker';
import { nodePorts } from '../io/ports';

const { http } = nodePorts();

interface RecordedRequest {
  method: string;
  /** As sent, still percent-encoded, with the query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A verification the broker holds, as the matrix reports it. */
interface Verification {
  consumer: string;
  consumerVersion: string;
  provider: string;
  /** Absent: the pact was never verified by the provider version in the environment. */
  providerVersion?: string;
  success?: boolean;
}

interface FakeBroker {
  url: string;
  /** The Authorization header the broker accepts; undefined: it is open, as a default pact_broker is. */
  authorization: string | undefined;
  requests: RecordedRequest[];
  /** `provider|consumer|version` → the published pact. */
  pacts: Map<string, unknown>;
  /** `pacticipant|version` → its branches and tags; the broker creates pacticipants and versions on first mention. */
  versions: Map<string, { branches: string[]; tags: string[] }>;
  /** The names of the broker's environments. */
  environments: string[];
  verifications: Verification[];
  /** A reply to send instead of the broker's: what a proxy in front of it, or another broker release, says. */
  override: ((request: RecordedRequest) => { status: number; body: string } | undefined) | undefined;
  close(): Promise<void>;
}

const HAL = 'application/hal+json;charset=utf-8';

/**
 * The endpoints of the Pact Broker HTTP API the client uses, answering in the broker's formats: HAL documents,
 * `{"errors": {"field": ["…"]}}` for validation errors, 415 for a body that is not `application/json`.
 */
async function startFakeBroker(): Promise<FakeBroker> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const broker: FakeBroker = {
    url: base,
    authorization: undefined,
    requests: [],
    pacts: new Map(),
    versions: new Map(),
    environments: ['production', 'staging'],
    verifications: [],
    override: undefined,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
    const recorded = { method: request.method!, url: request.url!, headers: request.headers, body };
    broker.requests.push(recorded);
    const override = broker.override?.(recorded);
    if (override) return reply(response, override.status, override.body);
    if (broker.authorization && request.headers.authorization !== broker.authorization) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="Restricted Area"' }).end();
      return;
    }
    const url = new URL(request.url!, base);
    const path = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const is = (method: string, pattern: string[]) =>
      request.method === method &&
      pattern.length === path.length &&
      pattern.every((part, i) => part === ':' || part === path[i]);
    if (request.method !== 'GET' && !request.headers['content-type']?.startsWith('application/json'))
      return reply(response, 415, '');
    if (is('PUT', ['pacts', 'provider', ':', 'consumer', ':', 'version', ':']))
      return putPact(response, path[2]!, path[4]!, path[6]!, body);
    if (is('PUT', ['pacticipants', ':', 'branches', ':', 'versions', ':']))
      return putBranchVersion(response, path[1]!, path[3]!, path[5]!);
    if (is('PUT', ['pacticipants', ':', 'versions', ':', 'tags', ':']))
      return putTag(response, path[1]!, path[3]!, path[5]!);
    if (is('GET', ['can-i-deploy'])) return getCanIDeploy(response, url.searchParams);
    notFound(response);
  }

  function putPact(response: ServerResponse, provider: string, consumer: string, version: string, body: string): void {
    const pact = JSON.parse(body) as { consumer: { name: string }; provider: { name: string } };
    if (pact.consumer.name !== consumer) {
      return reply(response, 400, {
        errors: {
          consumer: {
            name: [`in pact ('${pact.consumer.name}') does not match consumer name in path ('${consumer}').`],
          },
        },
      });
    }
    const key = `${provider}|${consumer}|${version}`;
    const replaced = broker.pacts.has(key);
    broker.pacts.set(key, pact);
    versionOf(consumer, version);
    const href = `${base}/pacts/provider/${encodeURIComponent(provider)}/consumer/${encodeURIComponent(consumer)}/version/${encodeURIComponent(version)}`;
    reply(response, replaced ? 200 : 201, {
      ...pact,
      createdAt: new Date().toISOString(),
      _links: {
        self: { title: 'Pact', name: `Pact between ${consumer} (${version}) and ${provider}`, href },
        'pb:consumer': {
          title: 'Consumer',
          name: consumer,
          href: `${base}/pacticipants/${encodeURIComponent(consumer)}`,
        },
        'pb:provider': {
          title: 'Provider',
          name: provider,
          href: `${base}/pacticipants/${encodeURIComponent(provider)}`,
        },
      },
    });
  }

  function putBranchVersion(response: ServerResponse, pacticipant: string, branch: string, version: string): void {
    versionOf(pacticipant, version).branches.push(branch);
    const href = `${base}/pacticipants/${encodeURIComponent(pacticipant)}/branches/${encodeURIComponent(branch)}/versions/${encodeURIComponent(version)}`;
    reply(response, 201, {
      _links: {
        self: { title: 'Branch version', href },
        'pb:version': { title: 'Version', name: version, href: versionHref(pacticipant, version) },
      },
    });
  }

  function putTag(response: ServerResponse, pacticipant: string, version: string, tag: string): void {
    versionOf(pacticipant, version).tags.push(tag);
    const href = `${versionHref(pacticipant, version)}/tags/${encodeURIComponent(tag)}`;
    reply(response, 201, {
      name: tag,
      createdAt: new Date().toISOString(),
      _links: {
        self: { title: 'Tag', name: tag, href },
        version: { title: 'Version', name: version, href: versionHref(pacticipant, version) },
      },
    });
  }

  function getCanIDeploy(response: ServerResponse, query: URLSearchParams): void {
    const pacticipant = query.get('pacticipant') ?? '';
    const version = query.get('version') ?? '';
    const environment = query.get('environment') ?? '';
    if (![...broker.versions.keys()].some((key) => key.startsWith(`${pacticipant}|`))) {
      return reply(response, 400, { errors: { pacticipant: [`No pacticipant with name '${pacticipant}' found`] } });
    }
    if (!broker.environments.includes(environment)) {
      return reply(response, 400, { errors: { environment: [`No environment with name '${environment}' found`] } });
    }
    if (!broker.versions.has(`${pacticipant}|${version}`)) {
      const summary = {
        deployable: false,
        reason: `No pacts or verifications have been published for version ${version} of ${pacticipant}`,
        success: 0,
        failed: 0,
        unknown: 0,
      };
      return reply(response, 200, { summary, matrix: [] });
    }
    const rows = broker.verifications.filter(
      (row) =>
        (row.consumer === pacticipant && row.consumerVersion === version) ||
        (row.provider === pacticipant && row.providerVersion === version),
    );
    reply(response, 200, { summary: summaryOf(rows, environment), matrix: rows.map(matrixRow) });
  }

  function summaryOf(rows: Verification[], environment: string) {
    const failed = rows.filter((row) => row.success === false);
    const unknown = rows.filter((row) => row.success === undefined);
    const between = (row: Verification) =>
      `version ${row.consumerVersion} of ${row.consumer} and the version of ${row.provider} currently in ${environment}${row.providerVersion ? ` (${row.providerVersion})` : ''}`;
    const reasons = [
      ...failed.map((row) => `The verification for the pact between ${between(row)} failed`),
      ...unknown.map((row) => `There is no verified pact between ${between(row)}`),
    ];
    return {
      deployable: failed.length > 0 ? false : unknown.length > 0 ? null : true,
      reason:
        reasons.length > 0
          ? reasons.join('\n')
          : rows.length > 0
            ? 'All required verification results are published and successful'
            : 'There are no missing dependencies',
      success: rows.length - failed.length - unknown.length,
      failed: failed.length,
      unknown: unknown.length,
    };
  }

  function matrixRow(row: Verification) {
    const pacticipant = (name: string) => ({ self: { href: `${base}/pacticipants/${encodeURIComponent(name)}` } });
    const versionOfRow = (name: string, number: string) => ({
      number,
      branch: 'main',
      _links: { self: { href: versionHref(name, number) } },
      tags: [],
    });
    return {
      consumer: {
        name: row.consumer,
        version: versionOfRow(row.consumer, row.consumerVersion),
        _links: pacticipant(row.consumer),
      },
      provider: {
        name: row.provider,
        version: row.providerVersion ? versionOfRow(row.provider, row.providerVersion) : null,
        _links: pacticipant(row.provider),
      },
      pact: {
        createdAt: '2024-05-01T10:00:00+00:00',
        _links: {
          self: {
            href: `${base}/pacts/provider/${row.provider}/consumer/${row.consumer}/version/${row.consumerVersion}`,
          },
        },
      },
      verificationResult:
        row.success === undefined
          ? null
          : {
              success: row.success,
              verifiedAt: '2024-05-01T10:05:00+00:00',
              _links: {
                self: {
                  href: `${base}/pacts/provider/${row.provider}/consumer/${row.consumer}/pact-version/0a1b/verification-results/1`,
                },
              },
            },
    };
  }

  function versionOf(pacticipant: string, version: string) {
    const key = `${pacticipant}|${version}`;
    const known = broker.versions.get(key) ?? { branches: [], tags: [] };
    broker.versions.set(key, known);
    return known;
  }

  function versionHref(pacticipant: string, version: string): string {
    return `${base}/pacticipants/${encodeURIComponent(pacticipant)}/versions/${encodeURIComponent(version)}`;
  }

  function notFound(response: ServerResponse): void {
    reply(response, 404, { error: 'The requested document was not found on this server.' });
  }

  function reply(response: ServerResponse, status: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, text ? { 'content-type': HAL } : {}).end(text);
  }

  return broker;
}

const SHA = '1e70030c6579915e5ff56b107a0fd25cf5df7464';
const TOKEN = 'pactflow-Zx9_secret-token';
const pactOf = (consumer: string, provider: string) => ({
  consumer: { name: consumer },
  provider: { name: provider },
  interactions: [
    {
      description: 'a request for an order',
      providerStates: [{ name: 'an order exists' }],
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200 },
    },
  ],
  metadata: { pactSpecification: { version: '3.0.0' } },
});

let broker: FakeBroker;
let config: BrokerConfig;
beforeEach(async () => {
  broker = await startFakeBroker();
  config = { url: broker.url };
});
afterEach(() => broker.close());

async function rejection(promise: Promise<unknown>): Promise<PactBrokerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PactBrokerError);
  return error as PactBrokerError;
}

describe('publishPact against a fake broker speaking the Pact Broker HTTP API', () => {
  it('PUTs the pact as JSON to its consumer version, with the token as a Bearer', async () => {
    broker.authorization = `Bearer ${TOKEN}`;
    const pact = pactOf('orders', 'payments');
    await publishPact(http, { ...config, token: TOKEN }, { pact, consumerVersion: SHA });

    expect(broker.requests).toHaveLength(1);
    const [request] = broker.requests;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe(`/pacts/provider/payments/consumer/orders/version/${SHA}`);
    expect(JSON.parse(request!.body)).toEqual(pact);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/hal+json',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(broker.pacts.get(`payments|orders|${SHA}`)).toEqual(pact);
  });

  it('records the branch and the tags before the pact, so the webhooks the publication fires see them', async () => {
    await publishPact(http, config, {
      pact: pactOf('orders', 'payments'),
      consumerVersion: SHA,
      branch: 'feat/checkout',
      tags: ['main', 'v1.2'],
    });

    expect(broker.requests.map((request) => `${request.method} ${request.url} ${request.body}`)).toEqual([
      `PUT /pacticipants/orders/branches/feat%2Fcheckout/versions/${SHA} {}`,
      `PUT /pacticipants/orders/versions/${SHA}/tags/main {}`,
      `PUT /pacticipants/orders/versions/${SHA}/tags/v1.2 {}`,
      `PUT /pacts/provider/payments/consumer/orders/version/${SHA} ${JSON.stringify(pactOf('orders', 'payments'))}`,
    ]);
    expect(broker.requests.every((request) => request.headers['content-type'] === 'application/json')).toBe(true);
    expect(broker.versions.get(`orders|${SHA}`)).toEqual({ branches: ['feat/checkout'], tags: ['main', 'v1.2'] });
  });

  it('URL-encodes scoped package names, each into one path segment', async () => {
    await publishPact(http, config, {
      pact: pactOf('@acme/orders', '@acme/payments'),
      consumerVersion: SHA,
      tags: ['main'],
    });

    expect(broker.requests.map((request) => request.url)).toEqual([
      `/pacticipants/%40acme%2Forders/versions/${SHA}/tags/main`,
      `/pacts/provider/%40acme%2Fpayments/consumer/%40acme%2Forders/version/${SHA}`,
    ]);
    expect(broker.pacts.has(`@acme/payments|@acme/orders|${SHA}`)).toBe(true);
  });

  it('sends Basic auth from a username and password', async () => {
    broker.authorization = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
    await publishPact(
      http,
      { ...config, username: 'ci', password: 's3cret' },
      { pact: pactOf('orders', 'payments'), consumerVersion: SHA },
    );
    expect(broker.pacts.size).toBe(1);
  });

  it('turns credentials in the URL into Basic auth and keeps them out of messages', async () => {
    broker.authorization = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
    const withCredentials = broker.url.replace('http://', 'http://ci:s3cret@');
    await publishPact(
      http,
      { url: `${withCredentials}/` },
      { pact: pactOf('orders', 'payments'), consumerVersion: SHA },
    );
    expect(broker.requests[0]!.url).toBe(`/pacts/provider/payments/consumer/orders/version/${SHA}`);

    broker.authorization = 'Basic other';
    const error = await rejection(
      publishPact(http, { url: withCredentials }, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );
    expect(error.message).toContain(`the Pact Broker at ${broker.url} answered HTTP 401`);
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses a 401 with a PactBrokerError naming the broker, the operation and the status, never the token', async () => {
    broker.authorization = 'Bearer the-right-token';
    const error = await rejection(
      publishPact(http, { ...config, token: TOKEN }, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );

    expect(error.status).toBe(401);
    expect(error.message).toBe(
      `nx-fleet: publish the pact orders → payments for orders ${SHA} failed: the Pact Broker at ${broker.url} answered HTTP 401. ` +
        'The broker refused the credentials: check PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD.',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('asks for credentials when the broker wants some and none are configured', async () => {
    broker.authorization = `Bearer ${TOKEN}`;
    const error = await rejection(
      publishPact(http, config, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );
    expect(error.message).toMatch(
      /answered HTTP 401\. The broker needs credentials: set PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD\.$/,
    );
    expect(broker.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('hides the token even when a proxy echoes the request headers in its error page', async () => {
    broker.override = (request) => ({
      status: 403,
      body: JSON.stringify({ error: `forbidden for ${request.headers.authorization}` }),
    });
    const error = await rejection(
      publishPact(http, { ...config, token: TOKEN }, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );
    expect(error.message).toContain(
      'answered HTTP 403 (forbidden for Bearer ***). The credentials lack the permission',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it("reports the broker's validation errors", async () => {
    broker.override = (request) =>
      request.url.startsWith('/pacts/')
        ? {
            status: 409,
            body: JSON.stringify({
              error: 'Cannot change the content of the pact for orders version 1 and provider payments',
            }),
          }
        : undefined;
    const error = await rejection(
      publishPact(http, config, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );
    expect(error.status).toBe(409);
    expect(error.message).toMatch(
      /answered HTTP 409 \(Cannot change the content of the pact for orders version 1 and provider payments\)\.$/,
    );
  });

  it('says so when the broker cannot be reached', async () => {
    await broker.close();
    const error = await rejection(
      publishPact(http, config, { pact: pactOf('orders', 'payments'), consumerVersion: SHA }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^nx-fleet: publish the pact .* failed: could not reach the Pact Broker at ${broker.url} \\(connect ECONNREFUSED .*\\)\\. Check PACT_BROKER_BASE_URL\\.$`,
      ),
    );
  });

  it('refuses a pact without consumer and provider names before calling the broker', async () => {
    await expect(publishPact(http, config, { pact: { interactions: [] }, consumerVersion: SHA })).rejects.toThrow(
      /^nx-fleet: the pact to publish has no consumer\.name or provider\.name/,
    );
    expect(broker.requests).toEqual([]);
  });
});

describe('canIDeploy against a fake broker speaking the Pact Broker HTTP API', () => {
  beforeEach(async () => {
    await publishPact(http, config, { pact: pactOf('orders', 'payments'), consumerVersion: SHA });
    await publishPact(http, config, { pact: pactOf('orders', 'inventory'), consumerVersion: SHA });
    await publishPact(http, config, { pact: pactOf('orders', 'shipping'), consumerVersion: SHA });
    broker.requests.length = 0;
  });

  it('asks with the pacticipant, the version and the environment, and says yes when every verification passed', async () => {
    broker.verifications = [
      { consumer: 'orders', consumerVersion: SHA, provider: 'payments', providerVersion: '4.5.6', success: true },
    ];
    const result = await canIDeploy(
      http,
      { ...config, token: TOKEN },
      { pacticipant: 'orders', version: SHA, environment: 'production' },
    );

    expect(result).toEqual({
      deployable: true,
      reason: 'All required verification results are published and successful',
      failures: [],
    });
    const [request] = broker.requests;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe(`/can-i-deploy?pacticipant=orders&version=${SHA}&environment=production`);
    expect(request!.headers).toMatchObject({ accept: 'application/hal+json', authorization: `Bearer ${TOKEN}` });
    expect(request!.headers['content-type']).toBeUndefined();
  });

  it('says no and lists the failed and the missing verifications', async () => {
    broker.verifications = [
      { consumer: 'orders', consumerVersion: SHA, provider: 'payments', providerVersion: '4.5.6', success: true },
      { consumer: 'orders', consumerVersion: SHA, provider: 'inventory', providerVersion: '2.0.1', success: false },
      { consumer: 'orders', consumerVersion: SHA, provider: 'shipping' },
    ];
    const result = await canIDeploy(http, config, { pacticipant: 'orders', version: SHA, environment: 'production' });

    expect(result.deployable).toBe(false);
    expect(result.reason).toBe(
      [
        `The verification for the pact between version ${SHA} of orders and the version of inventory currently in production (2.0.1) failed`,
        `There is no verified pact between version ${SHA} of orders and the version of shipping currently in production`,
      ].join('\n'),
    );
    expect(result.failures).toEqual([
      `orders ${SHA} → inventory 2.0.1: verification failed`,
      `orders ${SHA} → shipping: no verification`,
    ]);
  });

  it('treats an undecided broker (deployable null) as a no', async () => {
    broker.verifications = [{ consumer: 'orders', consumerVersion: SHA, provider: 'shipping' }];
    const result = await canIDeploy(http, config, { pacticipant: 'orders', version: SHA, environment: 'production' });
    expect(result).toMatchObject({ deployable: false, failures: [`orders ${SHA} → shipping: no verification`] });
  });

  it('passes on the reason for a version the broker has never seen', async () => {
    const result = await canIDeploy(http, config, {
      pacticipant: 'orders',
      version: 'f00d',
      environment: 'production',
    });
    expect(result).toEqual({
      deployable: false,
      reason: 'No pacts or verifications have been published for version f00d of orders',
      failures: [],
    });
  });

  it("reports the broker's validation error for an unknown pacticipant", async () => {
    const error = await rejection(
      canIDeploy(http, config, { pacticipant: '@acme/billing', version: SHA, environment: 'production' }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      `nx-fleet: can-i-deploy @acme/billing ${SHA} to production failed: the Pact Broker at ${broker.url} answered HTTP 400 (No pacticipant with name '@acme/billing' found).`,
    );
    expect(broker.requests[0]!.url).toBe(
      `/can-i-deploy?pacticipant=%40acme%2Fbilling&version=${SHA}&environment=production`,
    );
  });

  it('explains a 404: publish first', async () => {
    broker.override = () => ({ status: 404, body: '' });
    const error = await rejection(
      canIDeploy(http, config, { pacticipant: 'orders', version: SHA, environment: 'production' }),
    );
    expect(error.message).toMatch(
      /answered HTTP 404\. The broker does not know orders \w+: publish its pacts \(or verification results\) first\.$/,
    );
  });

  it('refuses an answer that is not the Pact Broker JSON', async () => {
    broker.override = () => ({ status: 200, body: '<html>Sign in</html>' });
    const error = await rejection(
      canIDeploy(http, config, { pacticipant: 'orders', version: SHA, environment: 'production' }),
    );
    expect(error.message).toBe(
      `nx-fleet: can-i-deploy orders ${SHA} to production failed: ${broker.url} did not answer like a Pact Broker. Check PACT_BROKER_BASE_URL.`,
    );
  });
});

describe('brokerConfigFromEnv', () => {
  it('reads the variables the Pact CLI uses', () => {
    expect(
      brokerConfigFromEnv({
        PACT_BROKER_BASE_URL: 'https://acme.pactflow.io',
        PACT_BROKER_TOKEN: 't0k',
        PACT_BROKER_USERNAME: 'ci',
        PACT_BROKER_PASSWORD: 'pw',
      }),
    ).toEqual({ url: 'https://acme.pactflow.io', token: 't0k', username: 'ci', password: 'pw' });
  });

  it('prefers the given URL, and leaves empty variables out', () => {
    const config = brokerConfigFromEnv(
      { PACT_BROKER_BASE_URL: 'https://old.example', PACT_BROKER_TOKEN: '' },
      'https://broker.example',
    );
    expect(config).toEqual({ url: 'https://broker.example' });
    expect(config?.token).toBeUndefined();
  });

  it.each<[string, Record<string, string>, object]>([
    [
      'user and password',
      { PACT_BROKER_BASE_URL: 'http://fleet:s3cr%40t@broker.local:9292/' },
      { url: 'http://broker.local:9292', username: 'fleet', password: 's3cr@t' },
    ],
    [
      'a token-like user',
      { PACT_BROKER_BASE_URL: 'https://tok3n@broker.local/base' },
      { url: 'https://broker.local/base', username: 'tok3n' },
    ],
    [
      'the variables winning over the URL',
      { PACT_BROKER_BASE_URL: 'http://a:b@broker.local', PACT_BROKER_USERNAME: 'ci', PACT_BROKER_PASSWORD: 'pw' },
      { url: 'http://broker.local', username: 'ci', password: 'pw' },
    ],
  ])('moves credentials in the URL (%s) out of it', (_name, env, expected) => {
    const config = brokerConfigFromEnv(env);
    expect(JSON.parse(JSON.stringify(config))).toEqual(expected);
    expect(config!.url).not.toContain('@');
  });

  it('is undefined without a broker URL: the integration is off', () => {
    expect(brokerConfigFromEnv({ PACT_BROKER_TOKEN: 't0k' })).toBeUndefined();
    expect(brokerConfigFromEnv({ PACT_BROKER_BASE_URL: '' }, '')).toBeUndefined();
  });
});
