import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OCI_LAYOUT_ROOT,
  destinationFor,
  destinationRef,
  isLoopbackRegistry,
  manifestDigestOf,
  resolveDestination,
  tlsVerifyOf,
} from './destinations';

const ws = '/work/ws';

describe('resolveDestination', () => {
  it('falls back to an OCI layout under <ws>/dist/fleet-registry/<image> without a registry', () => {
    const expected = {
      kind: 'oci-layout',
      repository: 'acme/orders',
      dir: join(ws, 'dist/fleet-registry/acme/orders'),
    };
    expect(OCI_LAYOUT_ROOT).toBe('dist/fleet-registry');
    expect(resolveDestination({ registry: undefined, imageName: 'acme/orders', workspaceRoot: ws })).toEqual(expected);
    expect(resolveDestination({ registry: '', imageName: 'acme/orders', workspaceRoot: ws })).toEqual(expected);
  });

  it.each([
    ['ghcr.io/acme', 'ghcr.io/acme/orders'],
    ['ghcr.io/acme/', 'ghcr.io/acme/orders'],
    ['ghcr.io/acme///', 'ghcr.io/acme/orders'],
    ['docker://ghcr.io/acme', 'ghcr.io/acme/orders'],
    ['https://ghcr.io/acme/', 'ghcr.io/acme/orders'],
    ['http://registry.internal:5000', 'registry.internal:5000/orders'],
  ])('normalises the registry %s', (registry, repository) => {
    expect(resolveDestination({ registry, imageName: 'orders', workspaceRoot: ws })).toEqual({
      kind: 'registry',
      repository,
      tlsVerify: true,
    });
  });

  it.each(['127.0.0.1:5000', 'localhost:5000', '[::1]:5000', 'docker://localhost:5000/', 'http://127.0.0.1:5000/team'])(
    'turns TLS verification off for the loopback registry %s',
    (registry) => {
      const destination = resolveDestination({ registry, imageName: 'orders', workspaceRoot: ws });
      expect(destination).toMatchObject({ kind: 'registry', tlsVerify: false });
      expect(tlsVerifyOf(destination)).toBe(false);
    },
  );

  it.each([
    ['host:port', [{ location: 'registry.test:5000' }], 'registry.test:5000/team', false],
    ['a path prefix', [{ location: 'registry.test:5000/team' }], 'registry.test:5000', false],
    ['a wildcard', [{ location: '*.corp.example' }], 'reg.corp.example/acme', false],
    ['another port', [{ location: 'registry.test:5000' }], 'registry.test:5001', true],
    ['nothing', [], 'registry.test:5000', true],
  ])('turns TLS verification off for a host marked insecure (%s)', (_case, insecure, registry, tlsVerify) => {
    // podman's explicit --tls-verify=true overrides registries.conf and refuses a plain-HTTP registry.
    expect(resolveDestination({ registry, imageName: 'orders', workspaceRoot: ws, insecure })).toMatchObject({
      kind: 'registry',
      tlsVerify,
    });
  });

  it('lets an explicit tlsVerify win either way', () => {
    expect(
      resolveDestination({ registry: 'localhost:5000', imageName: 'o', workspaceRoot: ws, tlsVerify: true }),
    ).toMatchObject({ tlsVerify: true });
    expect(
      resolveDestination({ registry: 'ghcr.io/acme', imageName: 'o', workspaceRoot: ws, tlsVerify: false }),
    ).toMatchObject({ tlsVerify: false });
    expect(
      resolveDestination({
        registry: 'registry.test:5000',
        imageName: 'o',
        workspaceRoot: ws,
        tlsVerify: true,
        insecure: [{ location: 'registry.test:5000' }],
      }),
    ).toMatchObject({ tlsVerify: true });
  });
});

describe('destinationFor', () => {
  it.each([
    ['FLEET_REGISTRY over the option', { FLEET_REGISTRY: 'ghcr.io/ci' }, 'ghcr.io/acme', 'ghcr.io/ci/orders'],
    ['the option when FLEET_REGISTRY is unset', {}, 'ghcr.io/acme', 'ghcr.io/acme/orders'],
    [
      'the option when FLEET_REGISTRY is empty (an unset CI secret)',
      { FLEET_REGISTRY: '' },
      'ghcr.io/acme',
      'ghcr.io/acme/orders',
    ],
    ['FLEET_REGISTRY without an option', { FLEET_REGISTRY: 'ghcr.io/ci' }, undefined, 'ghcr.io/ci/orders'],
  ])('takes %s', (_case, env, registry, repository) => {
    expect(destinationFor(env, { registry }, 'orders', ws)).toEqual({ kind: 'registry', repository, tlsVerify: true });
  });

  it('reads the hosts CONTAINERS_REGISTRIES_CONF marks insecure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nx-fleet-destinations-'));
    try {
      const conf = join(dir, 'registries.conf');
      await writeFile(conf, '[[registry]]\nlocation = "fleet-registry.test:5000"\ninsecure = true\n');
      const env = { CONTAINERS_REGISTRIES_CONF: conf, FLEET_REGISTRY: 'fleet-registry.test:5000' };
      expect(destinationFor(env, {}, 'orders', ws)).toEqual({
        kind: 'registry',
        repository: 'fleet-registry.test:5000/orders',
        tlsVerify: false,
      });
      expect(destinationFor({ ...env, FLEET_REGISTRY: 'fleet-registry.test:5001' }, {}, 'orders', ws)).toMatchObject({
        tlsVerify: true,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the OCI layout with neither, and passes tlsVerify on', () => {
    expect(destinationFor({}, {}, 'orders', ws)).toMatchObject({ kind: 'oci-layout' });
    expect(destinationFor({}, { registry: 'localhost:5000', tlsVerify: true }, 'orders', ws)).toMatchObject({
      tlsVerify: true,
    });
  });
});

describe('isLoopbackRegistry', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['localhost:5000', true],
    ['localhost', true],
    ['localhost:5000/team/ns', true],
    ['[::1]:5000', true],
    ['ghcr.io', false],
    ['ghcr.io/acme', false],
    ['registry.localhost.example.com:5000', false],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io:5000', false],
    ['10.0.0.1:5000', false],
  ])('%s → %s', (registry, expected) => {
    expect(isLoopbackRegistry(registry)).toBe(expected);
  });
});

describe('destinationRef', () => {
  it('spells a registry destination as docker://host/repo:tag', () => {
    const destination = resolveDestination({ registry: 'localhost:5000', imageName: 'acme/orders', workspaceRoot: ws });
    expect(destinationRef(destination, 'ct-abc')).toBe('docker://localhost:5000/acme/orders:ct-abc');
  });

  it('spells an OCI layout as oci:/dir:tag', () => {
    const destination = resolveDestination({ registry: undefined, imageName: 'acme/orders', workspaceRoot: ws });
    expect(destinationRef(destination, 'latest')).toBe(`oci:${join(ws, 'dist/fleet-registry/acme/orders')}:latest`);
    expect(tlsVerifyOf(destination)).toBe(true);
  });
});

describe('manifestDigestOf', () => {
  it('is sha256 of the exact bytes', () => {
    expect(manifestDigestOf(Buffer.from('{}'))).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    const bytes = Buffer.from('{"schemaVersion":2}\n');
    expect(manifestDigestOf(bytes)).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it('differs for bytes that differ only in whitespace', () => {
    expect(manifestDigestOf(Buffer.from('{"a":1}'))).not.toBe(manifestDigestOf(Buffer.from('{"a": 1}')));
  });
});
