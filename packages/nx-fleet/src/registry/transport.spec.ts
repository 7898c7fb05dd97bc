import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insecureLocationsOf, readTransportSettings, transportFor, type TransportSettings } from './transport';

const none: TransportSettings = { insecure: [], hostCas: {}, extraCas: [] };
const insecureFirst = [{ scheme: 'https', tls: { verify: false } }, { scheme: 'http' }];

describe('transportFor', () => {
  it.each<[string, string, Partial<TransportSettings>, unknown, string]>([
    [
      'a named host',
      'registry.example',
      {},
      [{ scheme: 'https', tls: { verify: true } }],
      'TLS verified with the system roots',
    ],
    [
      'tlsVerify: false on a named host',
      'registry.internal:5000',
      { tlsVerify: false },
      insecureFirst,
      'tlsVerify: false',
    ],
    ['a loopback host with no setting', '127.0.0.1:5000', {}, insecureFirst, 'a loopback host'],
    ['localhost with no setting', 'localhost:5000', {}, insecureFirst, 'a loopback host'],
    [
      'a loopback host with tlsVerify: true',
      '127.0.0.1:5000',
      { tlsVerify: true },
      [{ scheme: 'https', tls: { verify: true } }],
      'TLS verified with the system roots',
    ],
    [
      'a host registries.conf marks insecure, even with tlsVerify: true',
      'registry.internal:5000',
      { tlsVerify: true, insecure: [{ location: 'registry.internal:5000', file: '/etc/containers/registries.conf' }] },
      insecureFirst,
      'marked insecure in /etc/containers/registries.conf',
    ],
    [
      'a host a wildcard location marks insecure',
      'a.corp.example:443',
      { insecure: [{ location: '*.corp.example', file: 'r.conf' }] },
      insecureFirst,
      'marked insecure in r.conf',
    ],
    [
      'a location with a path prefix marks its host',
      'registry.internal',
      { insecure: [{ location: 'registry.internal/team', file: '/etc/docker/daemon.json' }] },
      insecureFirst,
      'marked insecure in /etc/docker/daemon.json',
    ],
    [
      'another port of an insecure host stays verified',
      'registry.internal:5001',
      { insecure: [{ location: 'registry.internal:5000', file: 'r.conf' }] },
      [{ scheme: 'https', tls: { verify: true } }],
      'TLS verified with the system roots',
    ],
    [
      "the host's CA from the engines' cert dirs and NODE_EXTRA_CA_CERTS",
      'registry.internal:5000',
      { hostCas: { 'registry.internal:5000': ['HOST-CA'], other: ['OTHER-CA'] }, extraCas: ['EXTRA-CA'] },
      [{ scheme: 'https', tls: { verify: true, ca: ['HOST-CA', 'EXTRA-CA'] } }],
      'TLS verified with the system roots and extra CAs',
    ],
  ])('%s', (_, host, settings, attempts, reason) => {
    expect(transportFor(host, { ...none, ...settings })).toEqual({ attempts, reason });
  });
});

describe('insecureLocationsOf', () => {
  it('reads v2 [[registry]] tables marked insecure, and v1 [registries.insecure]', () => {
    const conf = [
      'unqualified-search-registries = ["docker.io"]',
      '',
      '[[registry]]',
      'location = "registry.internal:5000" # the team registry',
      'insecure = true',
      '',
      '[[registry]]',
      "location = 'secure.example'",
      'insecure = false',
      '',
      '[[registry]]',
      'insecure = true',
      'location = "plain.example"',
      '[[registry.mirror]]',
      'location = "mirror.example"',
      'insecure = true',
      '',
      '[registries.insecure]',
      'registries = [\'old.example:5000\', "older.example"]',
    ].join('\n');
    expect(insecureLocationsOf(conf)).toEqual([
      'registry.internal:5000',
      'plain.example',
      'old.example:5000',
      'older.example',
    ]);
  });
});

describe('readTransportSettings', () => {
  it('reads CONTAINERS_REGISTRIES_CONF and NODE_EXTRA_CA_CERTS, and takes missing files as saying nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nx-fleet-transport-'));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'registries.conf'),
        '[[registry]]\nlocation = "plain.internal:5000"\ninsecure = true\n',
      );
      await writeFile(join(dir, 'extra.pem'), 'EXTRA-PEM');
      const settings = readTransportSettings(
        { CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'), NODE_EXTRA_CA_CERTS: join(dir, 'extra.pem') },
        false,
      );
      expect(settings.tlsVerify).toBe(false);
      expect(settings.insecure).toContainEqual({ location: 'plain.internal:5000', file: join(dir, 'registries.conf') });
      expect(settings.extraCas).toEqual(['EXTRA-PEM']);
      expect(readTransportSettings({ CONTAINERS_REGISTRIES_CONF: join(dir, 'absent.conf') }).extraCas).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
