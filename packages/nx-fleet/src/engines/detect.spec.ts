import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../io/ports';
import { fakeProcesses } from '../testing/fake-ports';
import { engineByName, parseEngineName, resolveEngine } from './detect';

// Proves these tests start no process: detection would have to run one.
const processes = fakeProcesses(() => new Error('no process may be spawned in unit tests'));
const ports = (env: Env) => ({ processes, env });

afterEach(() => {
  expect(processes.calls).toEqual([]);
});

describe('parseEngineName', () => {
  it.each(['docker', 'podman', 'buildah'] as const)('accepts %s', (name) => {
    expect(parseEngineName(name, 'FLEET_ENGINE')).toBe(name);
  });

  it('names the source and the accepted values for anything else', () => {
    expect(() => parseEngineName('nerdctl', 'FLEET_ENGINE')).toThrow(
      'nx-fleet: FLEET_ENGINE is "nerdctl"; use one of docker, podman, buildah.',
    );
    expect(() => parseEngineName('Docker', 'the "engine" option')).toThrow(
      'nx-fleet: the "engine" option is "Docker"; use one of docker, podman, buildah.',
    );
  });
});

describe('engineByName', () => {
  it.each(['docker', 'podman', 'buildah'] as const)('builds the %s engine', (name) => {
    expect(engineByName(name, ports({})).name).toBe(name);
  });
});

describe('resolveEngine', () => {
  it('lets FLEET_ENGINE win over the option', async () => {
    expect((await resolveEngine(ports({ FLEET_ENGINE: 'podman' }), 'docker')).name).toBe('podman');
    expect((await resolveEngine(ports({ FLEET_ENGINE: 'buildah' }), 'podman')).name).toBe('buildah');
  });

  it('uses the option when FLEET_ENGINE is unset or empty', async () => {
    expect((await resolveEngine(ports({}), 'buildah')).name).toBe('buildah');
    expect((await resolveEngine(ports({ FLEET_ENGINE: '' }), 'docker')).name).toBe('docker');
  });

  it('rejects an unknown FLEET_ENGINE, naming it, even when the option is valid', async () => {
    await expect(resolveEngine(ports({ FLEET_ENGINE: 'rkt' }), 'docker')).rejects.toThrow(
      'nx-fleet: FLEET_ENGINE is "rkt"; use one of docker, podman, buildah.',
    );
  });

  it('rejects an unknown option, naming it', async () => {
    await expect(resolveEngine(ports({}), 'containerd')).rejects.toThrow(
      'nx-fleet: the "engine" option is "containerd"; use one of docker, podman, buildah.',
    );
  });
});
