import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registryAccess } from './access';
import type { Destination } from './destinations';
import { OciRegistryClient } from './oci-client';
import { nodeHttp } from '../io/ports';
import { collectingLog, fakeProcesses, runResult } from '../testing/fake-ports';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';

let registry: FakeRegistry;
let destination: Destination;
beforeEach(async () => {
  registry = await startFakeRegistry();
  destination = { kind: 'registry', repository: `${registry.host}/acme/orders`, tlsVerify: false };
});
afterEach(() => registry.close());

const ports = (processes = fakeProcesses()) => ({
  processes,
  http: nodeHttp,
  env: { HOME: '/nonexistent', CONTAINERS_REGISTRIES_CONF: '/nonexistent' },
  log: collectingLog(),
});

describe('registryAccess on a registry', () => {
  it('reads a tag’s digest and copies a tag by PUTting the same manifest bytes, running no tool', async () => {
    const image = await pushTestImage(new OciRegistryClient(registry.host, 'acme/orders', { fetch }), 'amd64', 'ct-1');
    const given = ports();
    const access = registryAccess(given);
    expect(await access.digest(destination, 'ct-1')).toBe(image.digest);
    expect(await access.digest(destination, 'sha-abc')).toBeUndefined();
    registry.requests.length = 0;
    await access.copyTag(destination, 'ct-1', 'sha-abc');
    expect(await access.digest(destination, 'sha-abc')).toBe(image.digest);
    expect(registry.requests.filter((request) => !request.startsWith('GET'))).toEqual([
      'PUT /v2/acme/orders/manifests/sha-abc',
    ]);
    expect(given.processes.calls).toEqual([]);
  });

  it('refuses to copy from a tag the registry no longer has, naming it', async () => {
    await expect(registryAccess(ports()).copyTag(destination, 'ct-gone', 'sha-abc')).rejects.toThrow(
      `nx-fleet: cannot tag ${registry.host}/acme/orders:sha-abc: the registry no longer has ${registry.host}/acme/orders:ct-gone.`,
    );
  });

  it('says the registry is unreachable instead of answering "not found"', async () => {
    await registry.close();
    await expect(registryAccess(ports()).digest(destination, 'ct-1')).rejects.toThrow(
      /could not reach 127\.0\.0\.1:\d+ \(tlsVerify: false\).*Is the registry up/,
    );
  });
});

describe('registryAccess on the OCI layout', () => {
  it('asks skopeo, which reads the layout directory', async () => {
    const processes = fakeProcesses(() => runResult('{"schemaVersion":2}'));
    const layout: Destination = { kind: 'oci-layout', repository: 'orders', dir: '/w/dist/fleet-registry/orders' };
    expect(await registryAccess(ports(processes)).digest(layout, 'ct-1')).toMatch(/^sha256:/);
    expect(processes.calls.map(({ command, args }) => [command, ...args].join(' '))).toEqual([
      'skopeo inspect --raw --tls-verify=true oci:/w/dist/fleet-registry/orders:ct-1',
    ]);
  });
});
