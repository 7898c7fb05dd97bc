import { describe, expect, it } from 'vitest';
import type { ServiceRuntime } from '../runtime-graph/edges';
import type { LedgerEntry } from './ledger';
import {
  describeReason,
  formatPlan,
  formatRelease,
  planRelease,
  providerChains,
  providerMap,
  releaseHashes,
  sharedFilesHash,
  waves,
  type PlanInput,
  type ProviderMap,
  type Reason,
  type ReleasePlan,
  type ServiceFacts,
} from './plan';

/** Direct providers as `consumer: ['provider@file:line', …]`. */
function providers(edges: Record<string, string[]>): ProviderMap {
  return new Map(
    Object.entries(edges).map(([consumer, list]) => [
      consumer,
      list.map((spec) => {
        const [service, at] = spec.split('@') as [string, string | undefined];
        const [file, line] = (at ?? `${consumer}/src/index.ts:1`).split(':') as [string, string];
        return { service, file, line: Number(line) };
      }),
    ]),
  );
}

function facts(name: string, root: string, overrides: Partial<ServiceFacts> = {}): ServiceFacts {
  return { name, root, contentTag: `ct-${name}-1`, contextRoots: [root], parents: [], ...overrides };
}

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    image: 'ghcr.io/acme/svc',
    digest: 'sha256:old',
    contentTag: 'ct-old',
    releaseHash: 'rh-old',
    gitSha: 'sha-old',
    releasedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/*
 * The fleet used throughout:
 *   web → orders → billing   (SDK imports)
 *   orders-worker is nested in orders' folder (parent orders)
 *   audit is unrelated; libs/money is a library in orders' and billing's context
 */
const fleetProviders = providers({
  web: ['orders@apps/web/src/api.ts:3'],
  orders: ['billing@services/orders/src/pay.ts:7'],
  billing: [],
  'orders-worker': [],
  audit: [],
});

function fleet(tags: Partial<Record<string, string>> = {}): ServiceFacts[] {
  const tag = (name: string) => ({ contentTag: tags[name] ?? `ct-${name}-1` });
  return [
    facts('web', 'apps/web', tag('web')),
    facts('orders', 'services/orders', { ...tag('orders'), contextRoots: ['services/orders', 'libs/money'] }),
    facts('billing', 'services/billing', { ...tag('billing'), contextRoots: ['services/billing', 'libs/money'] }),
    facts('orders-worker', 'services/orders/worker', { ...tag('orders-worker'), parents: ['orders'] }),
    facts('audit', 'services/audit', tag('audit')),
  ];
}

describe('providerMap', () => {
  it('keeps the first import of each provider link as the edge', () => {
    const runtime: ServiceRuntime[] = [
      {
        service: 'web',
        providers: [
          {
            service: 'orders',
            imports: [
              { file: 'apps/web/src/a.ts', line: 4, specifier: '@acme/orders-sdk', via: 'web' },
              { file: 'apps/web/src/b.ts', line: 9, specifier: '@acme/orders-sdk', via: 'web' },
            ],
          },
          { service: 'billing', imports: [] },
        ],
        consumers: [],
      },
      { service: 'orders', providers: [], consumers: [] },
    ];
    const map = providerMap(runtime);
    expect(map.get('web')).toEqual([
      { service: 'orders', file: 'apps/web/src/a.ts', line: 4 },
      { service: 'billing', file: '', line: 0 },
    ]);
    expect(map.get('orders')).toEqual([]);
  });
});

describe('providerChains', () => {
  it('reaches providers transitively, with file:line per hop', () => {
    const chains = providerChains('web', fleetProviders);
    expect([...chains.keys()].sort()).toEqual(['billing', 'orders']);
    expect(chains.get('orders')).toEqual([
      { consumer: 'web', provider: 'orders', file: 'apps/web/src/api.ts', line: 3 },
    ]);
    expect(chains.get('billing')).toEqual([
      { consumer: 'web', provider: 'orders', file: 'apps/web/src/api.ts', line: 3 },
      { consumer: 'orders', provider: 'billing', file: 'services/orders/src/pay.ts', line: 7 },
    ]);
  });

  it('is empty for a service without providers, or one missing from the map', () => {
    expect(providerChains('billing', fleetProviders).size).toBe(0);
    expect(providerChains('nobody', fleetProviders).size).toBe(0);
  });

  it('keeps the shortest chain, even when a longer path is listed first', () => {
    const map = providers({ a: ['c@a.ts:1', 'b@a.ts:2'], c: ['e@c.ts:1'], e: ['d@e.ts:1'], b: ['d@b.ts:5'] });
    const chains = providerChains('a', map);
    expect(chains.get('d')!.map((h) => `${h.consumer}>${h.provider}@${h.file}:${h.line}`)).toEqual([
      'a>b@a.ts:2',
      'b>d@b.ts:5',
    ]);
    expect(chains.get('e')!.map((h) => h.provider)).toEqual(['c', 'e']);
  });

  it('prefers a direct edge over a transitive one', () => {
    const chains = providerChains('a', providers({ a: ['b@a.ts:1', 'c@a.ts:2'], b: ['c@b.ts:3'] }));
    expect(chains.get('c')).toEqual([{ consumer: 'a', provider: 'c', file: 'a.ts', line: 2 }]);
  });

  it('terminates on cycles, and a service is never its own provider', () => {
    const map = providers({ a: ['b@a.ts:1', 'a@a.ts:9'], b: ['c@b.ts:1', 'a@b.ts:2'], c: ['b@c.ts:1', 'a@c.ts:3'] });
    const chains = providerChains('a', map);
    expect([...chains.keys()].sort()).toEqual(['b', 'c']);
    expect(chains.has('a')).toBe(false);
    expect(providerChains('b', map).has('b')).toBe(false);
    expect([...providerChains('b', map).keys()].sort()).toEqual(['a', 'c']);
  });
});

describe('releaseHashes', () => {
  const hashes = (services = fleet(), map = fleetProviders, shared = 'shared-1') =>
    releaseHashes(services, map, shared);

  it('is stable, of the form rh-<32 hex>, and independent of the order services come in', () => {
    const first = hashes();
    expect(hashes()).toEqual(first);
    expect(hashes([...fleet()].reverse())).toEqual(first);
    for (const value of first.values()) expect(value).toMatch(/^rh-[0-9a-f]{32}$/);
    expect(new Set(first.values()).size).toBe(first.size);
  });

  it("changes when the service's own content tag changes, and only its own and its consumers'", () => {
    const before = hashes();
    const after = hashes(fleet({ billing: 'ct-billing-2' }));
    expect(after.get('billing')).not.toBe(before.get('billing'));
    // Consumers reach billing: web only transitively, through orders.
    expect(after.get('orders')).not.toBe(before.get('orders'));
    expect(after.get('web')).not.toBe(before.get('web'));
    expect(after.get('audit')).toBe(before.get('audit'));
    expect(after.get('orders-worker')).toBe(before.get('orders-worker'));
  });

  it("changes when a direct provider's content tag changes", () => {
    const before = hashes();
    const after = hashes(fleet({ orders: 'ct-orders-2' }));
    expect(after.get('web')).not.toBe(before.get('web'));
    expect(after.get('billing')).toBe(before.get('billing'));
  });

  it("changes when a parent service folder's content tag changes", () => {
    const before = hashes();
    const after = hashes(fleet({ orders: 'ct-orders-2' }));
    expect(after.get('orders-worker')).not.toBe(before.get('orders-worker'));
  });

  it('changes for every service when the shared files hash changes', () => {
    const before = hashes();
    const after = hashes(fleet(), fleetProviders, 'shared-2');
    for (const [name, value] of before) expect(after.get(name), name).not.toBe(value);
  });

  it('does not change when an unrelated service changes', () => {
    const before = hashes();
    const after = hashes(fleet({ audit: 'ct-audit-2' }));
    expect(after.get('audit')).not.toBe(before.get('audit'));
    for (const name of ['web', 'orders', 'billing', 'orders-worker'])
      expect(after.get(name), name).toBe(before.get(name));
  });

  it('does not change when a consumer changes (edges point one way)', () => {
    const before = hashes();
    const after = hashes(fleet({ web: 'ct-web-2' }));
    expect(after.get('orders')).toBe(before.get('orders'));
    expect(after.get('billing')).toBe(before.get('billing'));
  });

  it('handles a cycle a → b → a: each reaches the other, and a change to either moves both', () => {
    const map = providers({ a: ['b@a.ts:1'], b: ['a@b.ts:1'] });
    const services = (a: string, b: string) => [facts('a', 'a', { contentTag: a }), facts('b', 'b', { contentTag: b })];
    const before = releaseHashes(services('a1', 'b1'), map, 's');
    expect(before.size).toBe(2);
    const afterA = releaseHashes(services('a2', 'b1'), map, 's');
    const afterB = releaseHashes(services('a1', 'b2'), map, 's');
    expect(afterA.get('a')).not.toBe(before.get('a'));
    expect(afterA.get('b')).not.toBe(before.get('b'));
    expect(afterB.get('a')).not.toBe(before.get('a'));
    expect(afterB.get('b')).not.toBe(before.get('b'));
  });

  it('still hashes a provider or parent that has no facts (not a fleet service any more)', () => {
    const services = [facts('a', 'a', { parents: ['gone-parent'] })];
    const before = releaseHashes(services, providers({ a: ['gone@a.ts:1'] }), 's');
    expect(before.get('a')).toMatch(/^rh-[0-9a-f]{32}$/);
    expect(releaseHashes(services, providers({ a: [] }), 's').get('a')).not.toBe(before.get('a'));
  });

  it('does not confuse a provider edge with a parent: dropping an edge changes the hash', () => {
    const withEdge = hashes();
    const withoutEdge = hashes(fleet(), providers({ web: [], orders: ['billing@x.ts:1'] }));
    expect(withoutEdge.get('web')).not.toBe(withEdge.get('web'));
    expect(withoutEdge.get('orders')).toBe(withEdge.get('orders'));
  });
});

describe('planRelease', () => {
  const shared = (file: string) => !/^(apps|services|libs)\//.test(file);

  function plan(overrides: Partial<PlanInput> & { tags?: Partial<Record<string, string>> } = {}): ReleasePlan {
    const { tags, ...rest } = overrides;
    const services = rest.services ?? fleet(tags);
    return planRelease({
      services,
      providers: fleetProviders,
      hashes: releaseHashes(services, rest.providers ?? fleetProviders, 'shared-1'),
      deployed: {},
      force: false,
      changedSince: () => [],
      isShared: shared,
      ...rest,
    });
  }

  /** A ledger in which every service of `fleet()` is deployed at its current hash. */
  function deployedAll(services = fleet(), sharedHash = 'shared-1'): Record<string, LedgerEntry> {
    const hashes = releaseHashes(services, fleetProviders, sharedHash);
    return Object.fromEntries(
      services.map((s) => [
        s.name,
        entry({
          image: `ghcr.io/acme/${s.name}`,
          digest: `sha256:${s.name}`,
          contentTag: s.contentTag,
          releaseHash: hashes.get(s.name)!,
          gitSha: 'sha-released',
          releasedAt: `2025-02-01T00:00:00.000Z`,
        }),
      ]),
    );
  }

  const reasonsOf = (p: ReleasePlan) => Object.fromEntries(p.release.map((r) => [r.service, r.reasons]));

  it('releases everything as a first deploy when the ledger has no entries', () => {
    const result = plan();
    expect(result.release.map((r) => r.service)).toEqual(['web', 'orders', 'billing', 'orders-worker', 'audit']);
    for (const r of result.release) expect(r.reasons).toEqual([{ kind: 'first-deploy' }]);
    expect(result.skipped).toEqual([]);
    const hashes = releaseHashes(fleet(), fleetProviders, 'shared-1');
    expect(result.release.find((r) => r.service === 'orders')).toEqual({
      service: 'orders',
      contentTag: 'ct-orders-1',
      releaseHash: hashes.get('orders'),
      reasons: [{ kind: 'first-deploy' }],
    });
  });

  it('skips a service whose release hash equals the ledger, keeping its digest, content tag and release time', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      changedSince: () => {
        throw new Error('not asked for skipped services');
      },
    });
    expect(result.release).toEqual([]);
    expect(result.waves).toEqual([]);
    expect(result.skipped).toContainEqual({
      service: 'orders',
      digest: 'sha256:orders',
      contentTag: 'ct-orders-1',
      releasedAt: '2025-02-01T00:00:00.000Z',
    });
    expect(result.skipped.map((s) => s.service)).toEqual(['web', 'orders', 'billing', 'orders-worker', 'audit']);
  });

  it('mixes first deploys and skipped services', () => {
    const { audit: _audit, ...deployed } = deployedAll();
    const result = plan({ deployed });
    expect(result.release.map((r) => r.service)).toEqual(['audit']);
    expect(result.release[0]!.reasons).toEqual([{ kind: 'first-deploy' }]);
    expect(result.skipped).toHaveLength(4);
  });

  it('--force releases every service, deployed or not, with the reason forced', () => {
    const { audit: _audit, ...deployed } = deployedAll();
    const result = plan({ deployed, force: true });
    expect(result.release.map((r) => r.service)).toEqual(['web', 'orders', 'billing', 'orders-worker', 'audit']);
    for (const r of result.release) expect(r.reasons).toEqual([{ kind: 'forced' }]);
    expect(result.skipped).toEqual([]);
  });

  it("names a service's own changed files, including its libraries'", () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { audit: 'ct-audit-2' },
      changedSince: (sha) =>
        sha === 'sha-released'
          ? ['services/audit/src/main.ts', 'services/audit/Dockerfile', 'docs/guide.md']
          : undefined,
      isShared: () => false,
    });
    expect(reasonsOf(result)).toEqual({
      audit: [{ kind: 'changed', files: ['services/audit/src/main.ts', 'services/audit/Dockerfile'] }],
    });
  });

  it('gives a consumer the reason provider, with the changed files and the import chain', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { billing: 'ct-billing-2' },
      changedSince: () => ['services/billing/src/invoice.ts'],
    });
    expect(result.release.map((r) => r.service)).toEqual(['web', 'orders', 'billing']);
    const reasons = reasonsOf(result);
    expect(reasons['billing']).toEqual([{ kind: 'changed', files: ['services/billing/src/invoice.ts'] }]);
    expect(reasons['orders']).toEqual([
      {
        kind: 'provider',
        provider: 'billing',
        files: ['services/billing/src/invoice.ts'],
        chain: [{ consumer: 'orders', provider: 'billing', file: 'services/orders/src/pay.ts', line: 7 }],
      },
    ]);
    expect(reasons['web']).toEqual([
      {
        kind: 'provider',
        provider: 'billing',
        files: ['services/billing/src/invoice.ts'],
        chain: [
          { consumer: 'web', provider: 'orders', file: 'apps/web/src/api.ts', line: 3 },
          { consumer: 'orders', provider: 'billing', file: 'services/orders/src/pay.ts', line: 7 },
        ],
      },
    ]);
    expect(result.waves).toEqual([['billing'], ['orders'], ['web']]);
  });

  it('lists a library shared with a provider both as own change and as provider change', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { orders: 'ct-orders-2', billing: 'ct-billing-2' },
      changedSince: () => ['libs/money/src/cents.ts'],
    });
    expect(reasonsOf(result)['orders']).toEqual([
      { kind: 'changed', files: ['libs/money/src/cents.ts'] },
      {
        kind: 'provider',
        provider: 'billing',
        files: ['libs/money/src/cents.ts'],
        chain: [{ consumer: 'orders', provider: 'billing', file: 'services/orders/src/pay.ts', line: 7 }],
      },
    ]);
  });

  it('gives a nested service the reason parent for files in its parent folder, but not for its own', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { orders: 'ct-orders-2', 'orders-worker': 'ct-orders-worker-2' },
      changedSince: () => ['services/orders/src/main.ts', 'services/orders/worker/src/job.ts'],
    });
    const reasons = reasonsOf(result);
    expect(reasons['orders-worker']).toEqual([
      { kind: 'changed', files: ['services/orders/worker/src/job.ts'] },
      { kind: 'parent', parent: 'orders', files: ['services/orders/src/main.ts'] },
    ]);
    // The parent's own view: both files are under its root.
    expect(reasons['orders']).toEqual([
      { kind: 'changed', files: ['services/orders/src/main.ts', 'services/orders/worker/src/job.ts'] },
    ]);
  });

  it('gives a parent-only change the reason parent alone', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { orders: 'ct-orders-2' },
      changedSince: () => ['services/orders/Dockerfile'],
    });
    expect(reasonsOf(result)['orders-worker']).toEqual([
      { kind: 'parent', parent: 'orders', files: ['services/orders/Dockerfile'] },
    ]);
  });

  it('gives every service the reason shared when a shared file changed', () => {
    const deployed = deployedAll();
    const services = fleet();
    const result = planRelease({
      services,
      providers: fleetProviders,
      hashes: releaseHashes(services, fleetProviders, 'shared-2'),
      deployed,
      force: false,
      changedSince: () => ['docker/base.Dockerfile', 'services/README.md'],
      isShared: (f) => f === 'docker/base.Dockerfile',
    });
    expect(result.release).toHaveLength(5);
    for (const r of result.release)
      expect(r.reasons, r.service).toEqual([{ kind: 'shared', files: ['docker/base.Dockerfile'] }]);
    expect(result.skipped).toEqual([]);
  });

  it('falls back to content from → to when git cannot tell what changed (unknown commit)', () => {
    const deployed = deployedAll();
    const result = plan({ deployed, tags: { audit: 'ct-audit-2' }, changedSince: () => undefined });
    expect(reasonsOf(result)).toEqual({ audit: [{ kind: 'content', from: 'ct-audit-1', to: 'ct-audit-2' }] });
  });

  it('falls back to release hash from → to when git cannot tell and the content tag is unchanged', () => {
    const deployed = deployedAll();
    const result = plan({ deployed, tags: { billing: 'ct-billing-2' }, changedSince: () => undefined });
    const hashes = releaseHashes(fleet({ billing: 'ct-billing-2' }), fleetProviders, 'shared-1');
    expect(reasonsOf(result)['orders']).toEqual([
      { kind: 'content', from: deployed['orders']!.releaseHash, to: hashes.get('orders') },
    ]);
  });

  it('says content when no changed file explains the release but the content tag differs (build settings)', () => {
    const deployed = deployedAll();
    const result = plan({
      deployed,
      tags: { audit: 'ct-audit-2' },
      changedSince: () => ['services/elsewhere/README.md'],
    });
    expect(reasonsOf(result)).toEqual({ audit: [{ kind: 'content', from: 'ct-audit-1', to: 'ct-audit-2' }] });
  });

  it('says content from the old to the new release hash when neither files nor the content tag explain it', () => {
    const deployed = { ...deployedAll(), audit: entry({ contentTag: 'ct-audit-1', releaseHash: 'rh-stale' }) };
    const result = plan({ deployed, changedSince: () => [] });
    const hashes = releaseHashes(fleet(), fleetProviders, 'shared-1');
    expect(reasonsOf(result)).toEqual({ audit: [{ kind: 'content', from: 'rh-stale', to: hashes.get('audit') }] });
  });

  it('explains nothing by a parent or provider it has no facts for', () => {
    const services = [facts('a', 'svc/a', { parents: ['gone'], contentTag: 'ct-a-2' })];
    const map = providers({ a: ['ghost@svc/a/x.ts:1'] });
    const result = planRelease({
      services,
      providers: map,
      hashes: releaseHashes(services, map, 's'),
      deployed: { a: entry({ contentTag: 'ct-a-1' }) },
      force: false,
      changedSince: () => ['svc/gone/x.ts', 'svc/ghost/y.ts'],
      isShared: () => false,
    });
    expect(result.release[0]!.reasons).toEqual([{ kind: 'content', from: 'ct-a-1', to: 'ct-a-2' }]);
  });

  it('asks git about the commit each ledger entry was released from', () => {
    const asked: string[] = [];
    const deployed = {
      ...deployedAll(),
      audit: entry({ contentTag: 'ct-audit-1', releaseHash: 'rh-stale', gitSha: 'sha-audit' }),
    };
    plan({ deployed, changedSince: (sha) => (asked.push(sha), []) });
    expect(asked).toEqual(['sha-audit']);
  });
});

describe('waves', () => {
  it('puts providers before their consumers', () => {
    expect(waves(['web', 'orders', 'billing'], fleetProviders)).toEqual([['billing'], ['orders'], ['web']]);
  });

  it('puts independent services in one wave, sorted', () => {
    expect(waves(['web', 'audit', 'billing', 'orders-worker'], providers({}))).toEqual([
      ['audit', 'billing', 'orders-worker', 'web'],
    ]);
    expect(waves(['web', 'orders', 'billing', 'audit'], fleetProviders)).toEqual([
      ['audit', 'billing'],
      ['orders'],
      ['web'],
    ]);
  });

  it('lets a cycle share a wave', () => {
    expect(waves(['b', 'a'], providers({ a: ['b'], b: ['a'] }))).toEqual([['a', 'b']]);
    expect(waves(['a', 'b', 'x'], providers({ a: ['b', 'x'], b: ['a'] }))).toEqual([['x'], ['a', 'b']]);
  });

  it('ignores self edges', () => {
    expect(waves(['a', 'b'], providers({ a: ['a', 'b'] }))).toEqual([['b'], ['a']]);
  });

  it('counts only edges inside the release set', () => {
    // orders is not released: web has no provider in the set, billing neither.
    expect(waves(['web', 'billing'], fleetProviders)).toEqual([['billing', 'web']]);
    expect(waves([], fleetProviders)).toEqual([]);
  });

  // Only the cycle goes out together; its consumer still waits for it.
  it('puts a consumer of a cycle in a later wave than the cycle', () => {
    expect(waves(['a', 'b', 'c'], providers({ a: ['b'], b: ['a'], c: ['a'] }))).toEqual([['a', 'b'], ['c']]);
  });
});

describe('describeReason', () => {
  const cases: Array<[Reason, string]> = [
    [{ kind: 'first-deploy' }, 'first deploy (not in the ledger)'],
    [{ kind: 'forced' }, 'forced (--force)'],
    [{ kind: 'changed', files: ['a.ts', 'b.ts'] }, 'changed: a.ts, b.ts'],
    [
      { kind: 'parent', parent: 'orders', files: ['services/orders/Dockerfile'] },
      'parent service orders changed: services/orders/Dockerfile',
    ],
    [{ kind: 'shared', files: ['docker/base.Dockerfile'] }, 'shared file changed: docker/base.Dockerfile'],
    [{ kind: 'content', from: 'ct-1', to: 'ct-2' }, 'content changed: ct-1 → ct-2'],
    [
      {
        kind: 'provider',
        provider: 'billing',
        files: ['services/billing/a.ts', 'libs/money/b.ts'],
        chain: [
          { consumer: 'web', provider: 'orders', file: 'apps/web/src/api.ts', line: 3 },
          { consumer: 'orders', provider: 'billing', file: 'services/orders/src/pay.ts', line: 7 },
        ],
      },
      'provider billing changed (services/billing/a.ts, libs/money/b.ts) via web → orders (apps/web/src/api.ts:3), orders → billing (services/orders/src/pay.ts:7)',
    ],
  ];
  it.each(cases)('describes %o', (reason, text) => {
    expect(describeReason(reason)).toBe(text);
  });
});

describe('formatPlan', () => {
  it('prints the counts, the waves with each service and its reasons, then the skipped services', () => {
    const text = formatPlan('production', {
      release: [
        {
          service: 'web',
          contentTag: 'ct-web-2',
          releaseHash: 'rh-w',
          reasons: [
            { kind: 'changed', files: ['apps/web/a.ts'] },
            { kind: 'shared', files: ['tsconfig.base.json'] },
          ],
        },
        { service: 'billing', contentTag: 'ct-billing-2', releaseHash: 'rh-b', reasons: [{ kind: 'first-deploy' }] },
      ],
      skipped: [
        { service: 'audit', digest: 'sha256:aud', contentTag: 'ct-audit-1', releasedAt: '2025-02-01T00:00:00.000Z' },
      ],
      waves: [['billing'], ['web']],
    });
    expect(text).toBe(
      [
        'nx-fleet release production: 2 to release, 1 already deployed',
        'wave 1:',
        '  billing  ct-billing-2',
        '      first deploy (not in the ledger)',
        'wave 2:',
        '  web  ct-web-2',
        '      changed: apps/web/a.ts',
        '      shared file changed: tsconfig.base.json',
        'skipped audit: already deployed (ct-audit-1, sha256:aud, 2025-02-01T00:00:00.000Z)',
      ].join('\n'),
    );
  });

  it('prints only the header when nothing is planned', () => {
    expect(formatPlan('staging', { release: [], skipped: [], waves: [] })).toBe(
      'nx-fleet release staging: 0 to release, 0 already deployed',
    );
  });

  it('formats a real plan end to end', () => {
    const services = fleet();
    const text = formatPlan(
      'prod',
      planRelease({
        services,
        providers: fleetProviders,
        hashes: releaseHashes(services, fleetProviders, 's'),
        deployed: {},
        force: false,
        changedSince: () => [],
        isShared: () => false,
      }),
    );
    expect(text.split('\n').slice(0, 4)).toEqual([
      'nx-fleet release prod: 5 to release, 0 already deployed',
      'wave 1:',
      '  audit  ct-audit-1',
      '      first deploy (not in the ledger)',
    ]);
    expect(text).toContain('wave 3:\n  web  ct-web-1');
  });
});

describe('sharedFilesHash', () => {
  const isShared = (file: string) => !file.startsWith('services/') && !file.endsWith('.md');
  const listing = (...lines: string[]) => `${lines.join('\n')}\n`;
  const base = listing(
    '100644 aaa 0\tscripts/deploy.sh',
    '100644 bbb 0\tservices/orders/a.ts',
    '100644 ccc 0\tREADME.md',
  );

  it.each([
    [
      'stays when a file inside a project changes',
      listing('100644 aaa 0\tscripts/deploy.sh', '100644 bb2 0\tservices/orders/a.ts'),
      true,
    ],
    ['stays when an ignored file changes', listing('100644 aaa 0\tscripts/deploy.sh', '100644 cc2 0\tREADME.md'), true],
    ['stays when only the mode of a shared file changes', listing('100755 aaa 0\tscripts/deploy.sh'), true],
    ['changes when a shared file changes', listing('100644 aa2 0\tscripts/deploy.sh'), false],
    [
      'changes when a shared file is added',
      listing('100644 aaa 0\tscripts/deploy.sh', '100644 ddd 0\tDockerfile.base'),
      false,
    ],
    ['changes when a shared file is renamed', listing('100644 aaa 0\tscripts/release.sh'), false],
  ])('%s', (_name, other, equal) => {
    expect(sharedFilesHash(other, isShared) === sharedFilesHash(base, isShared)).toBe(equal);
  });

  it('is a sha256 in hex, also of no shared file', () => {
    expect(sharedFilesHash('', isShared)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('formatRelease', () => {
  const plan: ReleasePlan = {
    release: [{ service: 'web', contentTag: 'ct-web', releaseHash: 'rh-web', reasons: [{ kind: 'forced' }] }],
    skipped: [],
    waves: [['web']],
  };
  const promoted = [{ service: 'web', image: 'ghcr.io/acme/web', digest: 'sha256:w', contentTag: 'ct-web' }];

  it.each([
    ['the plan in text', { plan }, false, formatPlan('production', plan)],
    ['the same text once promoted', { plan, promoted }, false, formatPlan('production', plan)],
    [
      'JSON without promoted before the release',
      { plan },
      true,
      JSON.stringify(
        { environment: 'production', services: ['web'], waves: [['web']], release: plan.release, skipped: [] },
        null,
        2,
      ),
    ],
    [
      'JSON with promoted after it',
      { plan, promoted },
      true,
      JSON.stringify(
        {
          environment: 'production',
          services: ['web'],
          waves: [['web']],
          release: plan.release,
          skipped: [],
          promoted,
        },
        null,
        2,
      ),
    ],
  ])('prints %s', (_name, outcome, json, expected) => {
    expect(formatRelease('production', outcome, json)).toBe(expected);
  });
});
