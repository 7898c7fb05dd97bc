import { describe, expect, it } from 'vitest';
import type { HttpFetch } from '../io/ports';
import { fixedClock } from '../testing/fake-ports';
import { brokerFingerprint, fingerprintText, listBrokerPacts, type BrokerListing } from './broker-fingerprint';
import { CONSUMER_VERSION_SELECTORS } from './pact-broker';

const SELECTORS = `selectors ${JSON.stringify(CONSUMER_VERSION_SELECTORS)}`;
const WEB_V1 = 'http://broker.test/pacts/provider/orders/consumer/web/pact-version/aaa1';
const WEB_V2 = 'http://broker.test/pacts/provider/orders/consumer/web/pact-version/bbb2';
const MOBILE = 'http://broker.test/pacts/provider/orders/consumer/mobile/pact-version/ccc3';

describe('fingerprintText', () => {
  it.each<[string, BrokerListing, string]>([
    ['no broker configured', { broker: 'none' }, 'no broker'],
    [
      'the pacts, sorted and without duplicates, under the broker and the selectors',
      {
        broker: 'http://broker.test',
        pacts: [
          { href: WEB_V1, name: 'web' },
          { href: MOBILE, name: 'mobile' },
          { href: WEB_V1, name: 'web' },
        ],
      },
      ['broker http://broker.test', SELECTORS, MOBILE, WEB_V1].join('\n'),
    ],
    [
      'a broker without pacts for the provider',
      { broker: 'http://broker.test', pacts: [] },
      ['broker http://broker.test', SELECTORS, 'no pacts'].join('\n'),
    ],
    [
      'a broker that did not answer: the time, so no two failures hash alike',
      { broker: 'http://broker.test', unavailable: '2026-12-02T17:00:00.000Z' },
      'broker http://broker.test unavailable at 2026-12-02T17:00:00.000Z',
    ],
    [
      'credentials in a URL (a config built elsewhere) never printed',
      { broker: 'http://user:pw@broker.test', pacts: [{ href: 'http://user:pw@broker.test/p/1', name: 'web' }] },
      ['broker http://***@broker.test', SELECTORS, 'http://***@broker.test/p/1'].join('\n'),
    ],
  ])('%s', (_case, listing, text) => {
    expect(fingerprintText(listing)).toBe(text);
  });

  it('changes when a consumer publishes a new pact version', () => {
    const before = fingerprintText({ broker: 'http://broker.test', pacts: [{ href: WEB_V1, name: 'web' }] });
    const after = fingerprintText({ broker: 'http://broker.test', pacts: [{ href: WEB_V2, name: 'web' }] });
    expect(after).not.toBe(before);
  });
});

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: boolean;
}

/** A broker answering by `METHOD path`; anything else 404. */
function fakeBroker(routes: Record<string, [number, unknown] | Error>): { http: HttpFetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const http: HttpFetch = async (input, init) => {
    const url = new URL(String(input));
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body as string | undefined,
      signal: !!init?.signal,
    });
    const route = routes[`${init?.method ?? 'GET'} ${url.pathname}`] ?? [404, {}];
    if (route instanceof Error) throw route;
    return new Response(JSON.stringify(route[1]), { status: route[0] });
  };
  return { http, seen };
}

const ENV = { PACT_BROKER_BASE_URL: 'http://fleet:s3cret@broker.test', PACT_BROKER_TOKEN: 'tok-123' };
const forVerification = (...hrefs: string[]): [number, unknown] => [
  200,
  { _embedded: { pacts: hrefs.map((href) => ({ _links: { self: { href, name: 'Pact' } } })) } },
];

describe('listBrokerPacts / brokerFingerprint', () => {
  it('no PACT_BROKER_BASE_URL: no request, "no broker"', async () => {
    const { http, seen } = fakeBroker({});
    expect(await brokerFingerprint({ http, env: {}, clock: fixedClock() }, 'orders')).toBe('no broker');
    expect(seen).toEqual([]);
  });

  it("asks for the provider's pacts for verification with the verifier's selectors, credentials from the env, with a timeout", async () => {
    const { http, seen } = fakeBroker({
      'POST /pacts/provider/orders/for-verification': forVerification(WEB_V1, MOBILE),
    });
    const text = await brokerFingerprint({ http, env: ENV, clock: fixedClock() }, 'orders');
    expect(text).toBe(['broker http://broker.test', SELECTORS, MOBILE, WEB_V1].join('\n'));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('http://broker.test/pacts/provider/orders/for-verification');
    expect(JSON.parse(seen[0]!.body!)).toEqual({
      consumerVersionSelectors: CONSUMER_VERSION_SELECTORS,
      includePendingStatus: false,
    });
    expect(seen[0]!.headers['Authorization']).toBe('Bearer tok-123');
    expect(seen[0]!.signal).toBe(true);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('tok-123');
  });

  it('a provider name is one path segment', async () => {
    const { http, seen } = fakeBroker({});
    await listBrokerPacts({ http, env: ENV, clock: fixedClock() }, '@acme/orders');
    expect(seen[0]!.url).toBe('http://broker.test/pacts/provider/%40acme%2Forders/for-verification');
  });

  it("a broker without pacts for verification: each consumer's latest pact", async () => {
    const { http } = fakeBroker({
      'GET /pacts/provider/orders/latest': [
        200,
        { _links: { 'pb:pacts': [{ href: WEB_V1, title: 'Pact between web (1) and orders', name: 'web' }] } },
      ],
    });
    expect(await listBrokerPacts({ http, env: ENV, clock: fixedClock() }, 'orders')).toEqual({
      broker: 'http://broker.test',
      pacts: [{ href: WEB_V1, name: 'web' }],
    });
  });

  it('a provider the broker does not know: no pacts', async () => {
    const { http } = fakeBroker({});
    expect(await listBrokerPacts({ http, env: ENV, clock: fixedClock() }, 'orders')).toEqual({
      broker: 'http://broker.test',
      pacts: [],
    });
  });

  it.each<[string, [number, unknown] | Error]>([
    ['unreachable', new TypeError('fetch failed')],
    ['refusing the credentials', [401, {}]],
    ['failing', [500, { error: 'boom' }]],
    ['not a broker', [200, 'not json']],
  ])('a broker %s: "unavailable at <now>", never a throw', async (_case, answer) => {
    const { http } = fakeBroker({ 'POST /pacts/provider/orders/for-verification': answer });
    const clock = fixedClock('2026-12-02T17:00:00.000Z');
    expect(await brokerFingerprint({ http, env: ENV, clock }, 'orders')).toBe(
      'broker http://broker.test unavailable at 2026-12-02T17:00:00.000Z',
    );
  });
});
