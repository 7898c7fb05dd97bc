import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, ENGINE_NAMES, normalizeOptions } from './options';

describe('normalizeOptions', () => {
  it('fills every default when no options are given', () => {
    const expected = {
      buildTargetName: 'docker-build',
      pushTargetName: 'docker-push',
      registry: undefined,
      engine: undefined,
      exclude: ['**/.devcontainer/**', '**/templates/**', '**/generators/**/files/**', '**/__fixtures__/**'],
    };
    expect(normalizeOptions(undefined)).toEqual(expected);
    expect(normalizeOptions({})).toEqual(expected);
  });

  it('keeps what is given', () => {
    expect(
      normalizeOptions({ buildTargetName: 'image', pushTargetName: 'publish', registry: 'localhost:5000', engine: 'podman', exclude: ['legacy/**'] }),
    ).toEqual({ buildTargetName: 'image', pushTargetName: 'publish', registry: 'localhost:5000', engine: 'podman', exclude: ['legacy/**'] });
  });

  it('lets an explicit empty exclude list switch the defaults off', () => {
    expect(normalizeOptions({ exclude: [] }).exclude).toEqual([]);
  });

  it('exports the default excludes and engine names', () => {
    expect(DEFAULT_EXCLUDES).toContain('**/.devcontainer/**');
    expect(ENGINE_NAMES).toEqual(['docker', 'podman', 'buildah']);
  });
});
