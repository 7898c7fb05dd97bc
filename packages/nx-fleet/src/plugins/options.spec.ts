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
      context: 'pruned',
      contextInclude: [],
      services: {},
    };
    expect(normalizeOptions(undefined)).toEqual(expected);
    expect(normalizeOptions({})).toEqual(expected);
  });

  it('keeps what is given', () => {
    const given = {
      buildTargetName: 'image',
      pushTargetName: 'publish',
      registry: 'localhost:5000',
      engine: 'podman' as const,
      exclude: ['legacy/**'],
      context: 'workspace' as const,
      contextInclude: ['tsconfig.base.json'],
      services: { 'services/a': { context: 'project' as const }, b: { enabled: false } },
    };
    expect(normalizeOptions(given)).toEqual(given);
  });

  it('fills the new defaults independently of the others', () => {
    const normalized = normalizeOptions({ registry: 'ghcr.io/acme', context: 'project' });
    expect(normalized.context).toBe('project');
    expect(normalized.contextInclude).toEqual([]);
    expect(normalized.services).toEqual({});
    expect(normalizeOptions({ contextInclude: ['a/**'] }).context).toBe('pruned');
  });

  it('lets an explicit empty exclude list switch the defaults off', () => {
    expect(normalizeOptions({ exclude: [] }).exclude).toEqual([]);
  });

  it('exports the default excludes and engine names', () => {
    expect(DEFAULT_EXCLUDES).toContain('**/.devcontainer/**');
    expect(ENGINE_NAMES).toEqual(['docker', 'podman', 'buildah']);
  });
});
