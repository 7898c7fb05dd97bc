import { addProjectConfiguration, readNxJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADOPT_DOCKERIGNORE } from '../init/nx-json';
import adoptGenerator, { adoptGenerator as namedAdoptGenerator } from './generator';
import type { AdoptGeneratorSchema } from './schema';

const adopt = (tree: Tree, options: AdoptGeneratorSchema) => adoptGenerator(tree, { skipFormat: true, ...options });
const fleetOf = (tree: Tree, project: string) =>
  (readProjectConfiguration(tree, project).metadata as { fleet?: unknown } | undefined)?.fleet;

describe('adopt generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
    addProjectConfiguration(tree, 'api', {
      root: 'apps/api',
      projectType: 'application',
      targets: { build: { executor: 'nx:noop' } },
    });
  });

  it('exports the same function as default and by name', () => {
    expect(adoptGenerator).toBe(namedAdoptGenerator);
  });

  it('adopts a project with its own Dockerfile, using its folder as context', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\nCOPY . .\n');
    const callback = await adopt(tree, { project: 'api' });
    expect(typeof callback).toBe('function');
    expect(fleetOf(tree, 'api')).toEqual({ context: 'project' });
    expect(tree.read('apps/api/.dockerignore', 'utf-8')).toBe(ADOPT_DOCKERIGNORE);
    expect(readProjectConfiguration(tree, 'api').targets).toEqual({ build: { executor: 'nx:noop' } });
  });

  it('finds a Containerfile too', async () => {
    tree.write('apps/api/Containerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api' });
    expect(fleetOf(tree, 'api')).toEqual({ context: 'project' });
  });

  it('records a Dockerfile elsewhere, the context and the image', async () => {
    tree.write('.deploy/api/Dockerfile', 'FROM node:20\n');
    tree.delete('.dockerignore');
    await adopt(tree, {
      project: 'api',
      dockerfile: '.deploy/api/Dockerfile',
      context: 'workspace',
      image: 'acme/api',
    });
    expect(fleetOf(tree, 'api')).toEqual({
      dockerfile: '.deploy/api/Dockerfile',
      context: 'workspace',
      image: 'acme/api',
    });
    expect(tree.read('.dockerignore', 'utf-8')).toBe(ADOPT_DOCKERIGNORE);
    expect(tree.exists('apps/api/.dockerignore')).toBe(false);
  });

  it('writes the root .dockerignore for the pruned context', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', context: 'pruned' });
    expect(fleetOf(tree, 'api')).toEqual({ context: 'pruned' });
    expect(tree.exists('.dockerignore')).toBe(true);
    expect(tree.exists('apps/api/.dockerignore')).toBe(false);
  });

  it('does not record --dockerfile when it is the project’s own', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile' });
    expect(fleetOf(tree, 'api')).toEqual({ context: 'project' });
  });

  it('never overwrites an existing .dockerignore', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    tree.write('apps/api/.dockerignore', 'secrets\n');
    tree.write('.dockerignore', 'ours\n');
    await adopt(tree, { project: 'api' });
    await adopt(tree, { project: 'api', context: 'workspace' });
    expect(tree.read('apps/api/.dockerignore', 'utf-8')).toBe('secrets\n');
    expect(tree.read('.dockerignore', 'utf-8')).toBe('ours\n');
  });

  it('errors for a project without a Dockerfile', async () => {
    await expect(adopt(tree, { project: 'api' })).rejects.toThrow(
      'nx-fleet: api has no Dockerfile or Containerfile in apps/api; pass --dockerfile <path>.',
    );
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it('errors for a --dockerfile that does not exist', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await expect(adopt(tree, { project: 'api', dockerfile: 'apps/api/Dockerfile.prod' })).rejects.toThrow(
      'nx-fleet: apps/api/Dockerfile.prod (--dockerfile) does not exist; pass --dockerfile <path>.',
    );
    expect(fleetOf(tree, 'api')).toBeUndefined();
  });

  it('errors for a project that does not exist', async () => {
    await expect(adopt(tree, { project: 'nope' })).rejects.toThrow(/nope/);
  });

  it('merges into existing metadata.fleet and other metadata', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    const project = readProjectConfiguration(tree, 'api');
    addProjectConfiguration(tree, 'web', {
      root: 'apps/web',
      metadata: {
        owner: 'team-a',
        fleet: { image: 'acme/web', contextInclude: ['tsconfig.base.json'], enabled: true },
      } as never,
    });
    tree.write('apps/web/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'web', context: 'pruned' });
    expect(readProjectConfiguration(tree, 'web').metadata).toEqual({
      owner: 'team-a',
      fleet: { image: 'acme/web', contextInclude: ['tsconfig.base.json'], enabled: true, context: 'pruned' },
    });
    await adopt(tree, { project: 'web', image: 'acme/web-v2' });
    expect(fleetOf(tree, 'web')).toEqual({
      image: 'acme/web-v2',
      contextInclude: ['tsconfig.base.json'],
      enabled: true,
      context: 'project',
    });
    expect(readProjectConfiguration(tree, 'api')).toEqual(project);
  });

  it('uses the Dockerfile metadata.fleet already points at', async () => {
    addProjectConfiguration(tree, 'worker', {
      root: 'apps/worker',
      metadata: { fleet: { dockerfile: 'docker/worker.Dockerfile' } } as never,
    });
    tree.write('docker/worker.Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'worker', image: 'acme/worker' });
    expect(fleetOf(tree, 'worker')).toEqual({
      dockerfile: 'docker/worker.Dockerfile',
      context: 'project',
      image: 'acme/worker',
    });
  });

  it('lets an explicit --dockerfile replace a configured one', async () => {
    addProjectConfiguration(tree, 'worker', {
      root: 'apps/worker',
      metadata: { fleet: { dockerfile: 'docker/worker.Dockerfile' } } as never,
    });
    tree.write('docker/worker.Dockerfile', 'FROM node:20\n');
    tree.write('apps/worker/Dockerfile', 'FROM node:22\n');
    await adopt(tree, { project: 'worker', dockerfile: 'apps/worker/Dockerfile' });
    const fleet = fleetOf(tree, 'worker') as { dockerfile?: string };
    expect(fleet.dockerfile ?? 'apps/worker/Dockerfile').toBe('apps/worker/Dockerfile');
  });

  it('registers the plugin and is idempotent', async () => {
    tree.write('apps/api/Dockerfile', 'FROM node:20\n');
    await adopt(tree, { project: 'api', image: 'acme/api' });
    expect(readNxJson(tree)?.plugins).toEqual(['nx-fleet']);
    // Compared as data: Nx may reorder the keys of project.json when it rewrites it.
    const snapshot = () =>
      tree
        .listChanges()
        .map((c) => [c.path, c.path.endsWith('.json') ? JSON.parse(c.content!.toString()) : c.content?.toString()]);
    const before = snapshot();
    await adopt(tree, { project: 'api', image: 'acme/api' });
    expect(snapshot()).toEqual(before);
  });
});
