import { describe, expect, it } from 'vitest';
import {
  deploymentsFromHistory,
  doraFigures,
  formatDoraTable,
  inWindow,
  type Deployment,
  type DoraRow,
  type LedgerVersion,
} from './dora';
import type { Ledger, LedgerEntry } from './ledger';

function entry(digest: string, releasedAt: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    image: 'ghcr.io/acme/svc',
    digest,
    contentTag: `ct-${digest}`,
    releaseHash: `rh-${digest}`,
    gitSha: `sha-${digest}`,
    releasedAt,
    ...overrides,
  };
}

function version(
  commit: string,
  environments: Ledger['environments'],
  committedAt = '2025-01-01T00:00:00Z',
): LedgerVersion {
  return { commit, committedAt, ledger: { version: 1, environments } };
}

const brief = (deployments: Deployment[]) => deployments.map((d) => `${d.environment}/${d.service}@${d.digest}`);

describe('deploymentsFromHistory', () => {
  it('counts a first appearance, skips unchanged entries and counts a redeploy of a new digest', () => {
    const a1 = entry('a1', '2025-01-01T10:00:00Z');
    const b1 = entry('b1', '2025-01-01T10:00:00Z');
    const deployments = deploymentsFromHistory([
      version('c1', { prod: { orders: a1 } }),
      version('c2', { prod: { orders: a1, billing: b1 } }),
      version('c3', { prod: { orders: entry('a2', '2025-01-03T10:00:00Z'), billing: b1 } }),
    ]);
    expect(brief(deployments)).toEqual(['prod/orders@a1', 'prod/billing@b1', 'prod/orders@a2']);
    expect(deployments[2]).toEqual({
      environment: 'prod',
      service: 'orders',
      digest: 'a2',
      gitSha: 'sha-a2',
      releasedAt: '2025-01-03T10:00:00Z',
    });
  });

  it('counts a new release hash on the same digest: its providers or shared files changed', () => {
    const before = entry('a1', '2025-01-01T10:00:00Z');
    const after = { ...before, releaseHash: 'rh-other', releasedAt: '2025-01-02T10:00:00Z' };
    expect(
      brief(
        deploymentsFromHistory([
          version('c1', { prod: { orders: before } }),
          version('c2', { prod: { orders: after } }),
        ]),
      ),
    ).toEqual(['prod/orders@a1', 'prod/orders@a1']);
  });

  it('keeps environments independent: a promotion is a deployment of the target environment only', () => {
    const a1 = entry('a1', '2025-01-01T10:00:00Z');
    const deployments = deploymentsFromHistory([
      version('c1', { staging: { orders: a1 } }),
      version('c2', { staging: { orders: a1 }, prod: { orders: { ...a1, releasedAt: '2025-01-02T10:00:00Z' } } }),
      version('c3', {
        staging: { orders: entry('a2', '2025-01-03T10:00:00Z') },
        prod: { orders: { ...a1, releasedAt: '2025-01-02T10:00:00Z' } },
      }),
    ]);
    expect(brief(deployments)).toEqual(['staging/orders@a1', 'prod/orders@a1', 'staging/orders@a2']);
  });

  it('counts an entry that returns after a version without it', () => {
    const a1 = entry('a1', '2025-01-01T10:00:00Z');
    expect(
      brief(
        deploymentsFromHistory([
          version('c1', { prod: { orders: a1 } }),
          version('c2', { prod: {} }),
          version('c3', { prod: { orders: a1 } }),
        ]),
      ),
    ).toEqual(['prod/orders@a1', 'prod/orders@a1']);
  });

  it('takes the commit time when releasedAt is not a date, and tolerates a null environment', () => {
    const ledger = { staging: null, prod: { orders: entry('a1', 'yesterday') } } as unknown as Ledger['environments'];
    expect(deploymentsFromHistory([version('c1', ledger, '2025-02-01T08:00:00+01:00')])).toEqual([
      {
        environment: 'prod',
        service: 'orders',
        digest: 'a1',
        gitSha: 'sha-a1',
        releasedAt: '2025-02-01T08:00:00+01:00',
      },
    ]);
  });

  it('is empty for no versions', () => {
    expect(deploymentsFromHistory([])).toEqual([]);
  });
});

describe('inWindow', () => {
  const window = { now: new Date('2025-03-31T00:00:00Z'), windowDays: 30 };

  it('includes now and excludes the instant the window starts', () => {
    expect(inWindow('2025-03-31T00:00:00Z', window)).toBe(true);
    expect(inWindow('2025-03-01T00:00:01Z', window)).toBe(true);
    expect(inWindow('2025-03-01T00:00:00Z', window)).toBe(false);
    expect(inWindow('2025-03-31T00:00:01Z', window)).toBe(false);
  });
});

describe('doraFigures', () => {
  const now = new Date('2025-03-31T00:00:00Z');
  const deploy = (environment: string, service: string, gitSha: string, releasedAt: string): Deployment => ({
    environment,
    service,
    digest: `d-${gitSha}`,
    gitSha,
    releasedAt,
  });
  // Commits at midnight; lead time is then the release hour of day.
  const commitTimes: Record<string, string> = {
    s1: '2025-03-10T00:00:00Z',
    s2: '2025-03-11T00:00:00Z',
    s3: '2025-03-12T00:00:00Z',
    s4: '2025-03-13T00:00:00Z',
    old: '2025-01-01T00:00:00Z',
  };
  const input = { now, windowDays: 28, commitTimeOf: (sha: string) => commitTimes[sha] };

  it('gives frequency and lead-time median and p90 per service, and an all-services row per environment', () => {
    const rows = doraFigures(
      [
        deploy('prod', 'orders', 's1', '2025-03-20T02:00:00Z'), // 10 days + 2h = 242h
        deploy('prod', 'orders', 's2', '2025-03-11T04:00:00Z'), // 4h
        deploy('prod', 'orders', 's3', '2025-03-12T06:00:00Z'), // 6h
        deploy('prod', 'orders', 's4', '2025-03-13T10:00:00Z'), // 10h
        deploy('prod', 'billing', 's1', '2025-03-20T00:00:00Z'), // 240h
        deploy('prod', 'billing', 'old', '2025-01-02T00:00:00Z'), // before the window
      ],
      input,
    );
    expect(rows.map((r) => [r.environment, r.service])).toEqual([
      ['prod', 'billing'],
      ['prod', 'orders'],
      ['prod', null],
    ]);
    const [billing, orders, all] = rows as [DoraRow, DoraRow, DoraRow];
    expect(orders).toEqual({
      environment: 'prod',
      service: 'orders',
      deployments: 4,
      perDay: 4 / 28,
      perWeek: 1,
      leadTimeMedianHours: 8, // between 6 and 10
      leadTimeP90Hours: expect.closeTo(172.4, 9), // rank 2.7 of [4, 6, 10, 242]: 10 + 0.7 × 232
      leadTimeUnknown: 0,
      lastDeployedAt: '2025-03-20T02:00:00Z',
    });
    expect(billing).toMatchObject({
      deployments: 1,
      perWeek: 0.25,
      leadTimeMedianHours: 240,
      leadTimeP90Hours: 240,
      lastDeployedAt: '2025-03-20T00:00:00Z',
    });
    expect(all).toMatchObject({
      service: null,
      deployments: 5,
      perWeek: 1.25,
      leadTimeMedianHours: 10,
      lastDeployedAt: '2025-03-20T02:00:00Z',
    });
    expect(all.leadTimeP90Hours).toBeCloseTo(241.2); // rank 3.6 of [4, 6, 10, 240, 242]
  });

  it('leaves deployments outside the window out of the counts but not out of the last deployment', () => {
    const [row] = doraFigures(
      [deploy('prod', 'orders', 'old', '2025-01-02T00:00:00Z'), deploy('prod', 'orders', 's1', '2025-04-02T00:00:00Z')],
      input,
    );
    expect(row).toMatchObject({
      deployments: 0,
      perDay: 0,
      perWeek: 0,
      leadTimeMedianHours: null,
      leadTimeP90Hours: null,
      lastDeployedAt: '2025-04-02T00:00:00Z',
    });
  });

  it('leaves deployments with an unknown commit time out of lead time and counts them', () => {
    const [row] = doraFigures(
      [
        deploy('prod', 'orders', 's2', '2025-03-11T04:00:00Z'),
        deploy('prod', 'orders', 'gone', '2025-03-15T00:00:00Z'),
      ],
      input,
    );
    expect(row).toMatchObject({ deployments: 2, leadTimeMedianHours: 4, leadTimeP90Hours: 4, leadTimeUnknown: 1 });
  });

  it('does not let a commit dated after its release give a negative lead time', () => {
    const [row] = doraFigures([deploy('prod', 'orders', 's2', '2025-03-10T23:00:00Z')], input);
    expect(row!.leadTimeMedianHours).toBe(0);
  });

  it('keeps environments apart, sorted by name', () => {
    const rows = doraFigures(
      [
        deploy('staging', 'orders', 's1', '2025-03-10T01:00:00Z'),
        deploy('prod', 'orders', 's1', '2025-03-10T03:00:00Z'),
      ],
      input,
    );
    expect(rows.map((r) => [r.environment, r.service, r.leadTimeMedianHours])).toEqual([
      ['prod', 'orders', 3],
      ['prod', null, 3],
      ['staging', 'orders', 1],
      ['staging', null, 1],
    ]);
  });

  it('is empty without deployments', () => {
    expect(doraFigures([], input)).toEqual([]);
  });
});

describe('formatDoraTable', () => {
  const row = (service: string | null, overrides: Partial<DoraRow> = {}): DoraRow => ({
    environment: 'prod',
    service,
    deployments: 3,
    perDay: 0.1,
    perWeek: 0.7,
    leadTimeMedianHours: 5.25,
    leadTimeP90Hours: 30,
    leadTimeUnknown: 0,
    lastDeployedAt: '2025-03-20T02:00:00Z',
    ...overrides,
  });

  it('prints only the header for no rows', () => {
    expect(formatDoraTable([])).toBe(
      'ENVIRONMENT  SERVICE  DEPLOYS  PER DAY  PER WEEK  LEAD TIME P50  LEAD TIME P90  LAST DEPLOYED',
    );
  });

  it('aligns the columns, names the all-services row and dashes what is unknown', () => {
    expect(
      formatDoraTable([
        row('orders'),
        row(null, {
          deployments: 0,
          perDay: 0,
          perWeek: 0,
          leadTimeMedianHours: null,
          leadTimeP90Hours: null,
          lastDeployedAt: null,
        }),
      ]).split('\n'),
    ).toEqual([
      'ENVIRONMENT  SERVICE  DEPLOYS  PER DAY  PER WEEK  LEAD TIME P50  LEAD TIME P90  LAST DEPLOYED',
      'prod         orders   3        0.10     0.7       5.3h           30.0h          2025-03-20T02:00:00Z',
      'prod         (all)    0        0.00     0.0       -              -              -',
    ]);
  });
});
