import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../io/process';
import { engineByName, parseEngineName, resolveEngine } from './detect';

// Proves these tests start no process: detection would have to call `run`.
vi.mock('../io/process', () => ({
  run: vi.fn(() => Promise.reject(new Error('no process may be spawned in unit tests'))),
  runOk: vi.fn(() => Promise.reject(new Error('no process may be spawned in unit tests'))),
}));

afterEach(() => {
  expect(run).not.toHaveBeenCalled();
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
    expect(engineByName(name).name).toBe(name);
  });
});

describe('resolveEngine', () => {
  it('lets FLEET_ENGINE win over the option', async () => {
    expect((await resolveEngine('docker', { FLEET_ENGINE: 'podman' })).name).toBe('podman');
    expect((await resolveEngine('podman', { FLEET_ENGINE: 'buildah' })).name).toBe('buildah');
  });

  it('uses the option when FLEET_ENGINE is unset or empty', async () => {
    expect((await resolveEngine('buildah', {})).name).toBe('buildah');
    expect((await resolveEngine('docker', { FLEET_ENGINE: '' })).name).toBe('docker');
  });

  it('rejects an unknown FLEET_ENGINE, naming it, even when the option is valid', async () => {
    await expect(resolveEngine('docker', { FLEET_ENGINE: 'rkt' })).rejects.toThrow(
      'nx-fleet: FLEET_ENGINE is "rkt"; use one of docker, podman, buildah.',
    );
  });

  it('rejects an unknown option, naming it', async () => {
    await expect(resolveEngine('containerd', {})).rejects.toThrow(
      'nx-fleet: the "engine" option is "containerd"; use one of docker, podman, buildah.',
    );
  });
});
