import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES } from './plugins/options';
import { CONTAINERFILE_GLOB, CONTAINERFILE_NAMES, detectService, preferredContainerfile } from './service-detection';

describe('detectService', () => {
  it('makes a service of a Dockerfile with a project.json beside it, leaving the name to Nx', () => {
    expect(detectService('services/a/Dockerfile', { projectJson: { name: 'a' } }, DEFAULT_EXCLUDES)).toEqual({
      kind: 'service',
      root: 'services/a',
      dockerfile: 'services/a/Dockerfile',
      name: undefined,
    });
  });

  it('prefers project.json over package.json for naming (project.json names itself)', () => {
    const detection = detectService('services/a/Dockerfile', { projectJson: {}, packageJson: { name: '@acme/a' } }, DEFAULT_EXCLUDES);
    expect(detection).toEqual({ kind: 'service', root: 'services/a', dockerfile: 'services/a/Dockerfile', name: undefined });
  });

  it('makes a service of a Containerfile with a named package.json beside it and passes the package name on', () => {
    expect(detectService('services/b/Containerfile', { packageJson: { name: '@acme/b' } }, DEFAULT_EXCLUDES)).toEqual({
      kind: 'service',
      root: 'services/b',
      dockerfile: 'services/b/Containerfile',
      name: '@acme/b',
    });
  });

  it('uses "." as the root for a Dockerfile at the workspace root', () => {
    expect(detectService('Dockerfile', { projectJson: {} }, DEFAULT_EXCLUDES)).toMatchObject({ kind: 'service', root: '.' });
  });

  it('reports an orphan when nothing describes a project', () => {
    expect(detectService('orphan/Dockerfile', {}, DEFAULT_EXCLUDES)).toEqual({ kind: 'orphan', dockerfile: 'orphan/Dockerfile' });
  });

  it.each([
    ['no name', {}],
    ['an empty name', { name: '' }],
    ['a non-string name', { name: 42 }],
  ])('reports an orphan for a package.json with %s', (_label, packageJson) => {
    expect(detectService('tools/x/Dockerfile', { packageJson }, DEFAULT_EXCLUDES)).toEqual({ kind: 'orphan', dockerfile: 'tools/x/Dockerfile' });
  });

  it.each([
    ['.devcontainer/Dockerfile', '**/.devcontainer/**'],
    ['apps/web/.devcontainer/Dockerfile', '**/.devcontainer/**'],
    ['libs/x/generators/app/files/Dockerfile', '**/generators/**/files/**'],
    ['libs/x/src/generators/files/Dockerfile', '**/generators/**/files/**'],
    ['templates/node/Dockerfile', '**/templates/**'],
    ['tools/templates/go/Containerfile', '**/templates/**'],
    ['services/a/__fixtures__/Dockerfile', '**/__fixtures__/**'],
  ])('excludes %s by the default pattern %s, even with a project.json beside it', (dockerfile, pattern) => {
    expect(detectService(dockerfile, { projectJson: {} }, DEFAULT_EXCLUDES)).toEqual({ kind: 'excluded', dockerfile, pattern });
  });

  it('does not exclude look-alike folder names', () => {
    for (const dockerfile of ['services/templates-api/Dockerfile', 'services/devcontainer/Dockerfile', 'services/generators/Dockerfile']) {
      expect(detectService(dockerfile, { projectJson: {} }, DEFAULT_EXCLUDES).kind).toBe('service');
    }
  });

  it('uses the given exclude list instead of the defaults', () => {
    expect(detectService('legacy/Dockerfile', { projectJson: {} }, ['legacy/**'])).toEqual({
      kind: 'excluded',
      dockerfile: 'legacy/Dockerfile',
      pattern: 'legacy/**',
    });
    expect(detectService('.devcontainer/Dockerfile', { projectJson: {} }, []).kind).toBe('service');
  });
});

describe('preferredContainerfile', () => {
  it('picks Dockerfile over Containerfile in the same folder, whatever the order', () => {
    expect(preferredContainerfile(['x/Containerfile', 'x/Dockerfile'])).toEqual(['x/Dockerfile']);
    expect(preferredContainerfile(['x/Dockerfile', 'x/Containerfile'])).toEqual(['x/Dockerfile']);
  });

  it('keeps one file per folder and a lone Containerfile', () => {
    expect(preferredContainerfile(['a/Dockerfile', 'b/Containerfile', 'Dockerfile', 'b/c/Containerfile'])).toEqual([
      'a/Dockerfile',
      'b/Containerfile',
      'Dockerfile',
      'b/c/Containerfile',
    ]);
  });

  it('returns nothing for nothing', () => {
    expect(preferredContainerfile([])).toEqual([]);
  });
});

describe('CONTAINERFILE_GLOB', () => {
  it('names both file names', () => {
    expect(CONTAINERFILE_NAMES).toEqual(['Dockerfile', 'Containerfile']);
    expect(CONTAINERFILE_GLOB).toBe('**/{Dockerfile,Containerfile}');
  });
});
