import { describe, expect, it } from 'vitest';
import { DEFAULT_LEDGER } from '../config/defaults';
import { emptyLedger, parseLedger, serializeLedger, withReleased, type Ledger, type LedgerEntry } from './ledger';

function entry(name: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    image: `ghcr.io/acme/${name}`,
    digest: `sha256:${name}`,
    contentTag: `ct-${name}`,
    releaseHash: `rh-${name}`,
    gitSha: `sha-${name}`,
    releasedAt: '2025-03-01T12:00:00.000Z',
    ...overrides,
  };
}

const FILE = 'deploy/fleet.json';

describe('emptyLedger', () => {
  it('is version 1 without environments, and a fresh object each time', () => {
    expect(emptyLedger()).toEqual({ version: 1, environments: {} });
    const a = emptyLedger();
    a.environments['prod'] = {};
    expect(emptyLedger().environments).toEqual({});
    expect(DEFAULT_LEDGER).toBe('deploy/fleet.json');
  });
});

describe('parseLedger', () => {
  it('reads a valid ledger', () => {
    const ledger: Ledger = { version: 1, environments: { prod: { orders: entry('orders') }, staging: {} } };
    expect(parseLedger(JSON.stringify(ledger), FILE)).toEqual(ledger);
  });

  it('reads an empty ledger and tolerates a null environment', () => {
    expect(parseLedger('{"version":1,"environments":{}}', FILE)).toEqual(emptyLedger());
    expect(() => parseLedger('{"version":1,"environments":{"prod":null}}', FILE)).not.toThrow();
  });

  it('rejects invalid JSON, naming the file and the parse error', () => {
    expect(() => parseLedger('{ "version": 1, ', FILE)).toThrow(
      /^nx-fleet: the release ledger deploy\/fleet\.json is not valid JSON \(.+\); fix it or restore it from git\.$/,
    );
    expect(() => parseLedger('', FILE)).toThrow(/is not valid JSON/);
  });

  it('rejects a wrong version or shape', () => {
    const message =
      'nx-fleet: deploy/fleet.json is not an nx-fleet release ledger (expected { "version": 1, "environments": { … } }).';
    for (const text of [
      '{"version":2,"environments":{}}',
      '{"version":"1","environments":{}}',
      '{"environments":{}}',
      '{"version":1}',
      '{"version":1,"environments":null}',
      '{"version":1,"environments":"prod"}',
      'null',
      '[]',
      '1',
    ]) {
      expect(() => parseLedger(text, FILE), text).toThrow(message);
    }
  });

  it('rejects an entry missing fields, naming env.service and every missing field', () => {
    const { gitSha: _gitSha, releasedAt: _releasedAt, ...partial } = entry('orders');
    const text = JSON.stringify({ version: 1, environments: { prod: { billing: entry('billing'), orders: partial } } });
    expect(() => parseLedger(text, FILE)).toThrow(
      'nx-fleet: deploy/fleet.json: prod.orders lacks gitSha, releasedAt; fix the entry or remove it (the service is then released as a first deploy).',
    );
  });

  it('treats a field of the wrong type, or a null entry, as missing', () => {
    expect(() =>
      parseLedger(
        JSON.stringify({ version: 1, environments: { staging: { web: { ...entry('web'), digest: 42 } } } }),
        FILE,
      ),
    ).toThrow(/staging\.web lacks digest;/);
    expect(() => parseLedger(JSON.stringify({ version: 1, environments: { staging: { web: null } } }), FILE)).toThrow(
      /staging\.web lacks image, digest, contentTag, releaseHash, gitSha, releasedAt;/,
    );
  });
});

describe('serializeLedger', () => {
  const ledger: Ledger = {
    version: 1,
    environments: {
      staging: { web: entry('web'), billing: entry('billing') },
      prod: { orders: entry('orders') },
    },
  };

  it('sorts environments and services, writes fields in a fixed order and ends with a newline', () => {
    const text = serializeLedger(ledger);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    const data = JSON.parse(text) as Ledger;
    expect(Object.keys(data)).toEqual(['version', 'environments']);
    expect(Object.keys(data.environments)).toEqual(['prod', 'staging']);
    expect(Object.keys(data.environments['staging']!)).toEqual(['billing', 'web']);
    expect(Object.keys(data.environments['prod']!['orders']!)).toEqual([
      'image',
      'digest',
      'contentTag',
      'releaseHash',
      'gitSha',
      'releasedAt',
    ]);
  });

  it('writes the fixed field order whatever order the entry came in, dropping unknown fields', () => {
    const shuffled = {
      releasedAt: 'T',
      gitSha: 'g',
      releaseHash: 'r',
      contentTag: 'c',
      digest: 'd',
      image: 'i',
      extra: 'x',
    } as LedgerEntry;
    expect(serializeLedger({ version: 1, environments: { prod: { a: shuffled } } })).toBe(
      [
        '{',
        '  "version": 1,',
        '  "environments": {',
        '    "prod": {',
        '      "a": {',
        '        "image": "i",',
        '        "digest": "d",',
        '        "contentTag": "c",',
        '        "releaseHash": "r",',
        '        "gitSha": "g",',
        '        "releasedAt": "T"',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through parseLedger, and serializing is stable', () => {
    const text = serializeLedger(ledger);
    expect(parseLedger(text, FILE)).toEqual(ledger);
    expect(serializeLedger(parseLedger(text, FILE))).toBe(text);
  });

  it('serializes the empty ledger', () => {
    expect(serializeLedger(emptyLedger())).toBe('{\n  "version": 1,\n  "environments": {}\n}\n');
  });
});

describe('withReleased', () => {
  const ledger: Ledger = {
    version: 1,
    environments: { prod: { orders: entry('orders'), web: entry('web') }, staging: { web: entry('web-staging') } },
  };

  it('adds and overrides entries of one environment, leaving its other services and the other environments', () => {
    const newer = entry('orders', { digest: 'sha256:new', releasedAt: '2025-04-01T00:00:00.000Z' });
    const next = withReleased(ledger, 'prod', { orders: newer, billing: entry('billing') });
    expect(next).toEqual({
      version: 1,
      environments: {
        prod: { orders: newer, web: entry('web'), billing: entry('billing') },
        staging: { web: entry('web-staging') },
      },
    });
  });

  it('creates an environment the ledger does not have yet', () => {
    const next = withReleased(emptyLedger(), 'dev', { web: entry('web') });
    expect(next).toEqual({ version: 1, environments: { dev: { web: entry('web') } } });
  });

  it('does not mutate the ledger it is given', () => {
    const before = JSON.stringify(ledger);
    withReleased(ledger, 'prod', { orders: entry('orders', { digest: 'sha256:new' }) });
    withReleased(ledger, 'qa', { web: entry('web') });
    expect(JSON.stringify(ledger)).toBe(before);
  });
});
