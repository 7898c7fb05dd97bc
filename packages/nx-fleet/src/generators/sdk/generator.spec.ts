import { posix } from 'node:path';
import { addProjectConfiguration, getProjects, readJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import sdkGenerator, { sdkGenerator as namedSdkGenerator, writeSdk } from './generator';

describe('sdk generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
    addProjectConfiguration(tree, 'billing', {
      root: 'apps/billing',
      projectType: 'application',
      tags: ['team:payments'],
    });
    tree.write('apps/billing/Dockerfile', 'FROM node:20\n');
  });

  it('exports the same function as default and by name', () => {
    expect(sdkGenerator).toBe(namedSdkGenerator);
  });

  it('adds an SDK project inside the existing project', async () => {
    await sdkGenerator(tree, { service: 'billing', skipFormat: true });
    expect(readProjectConfiguration(tree, 'billing-sdk')).toMatchObject({
      name: 'billing-sdk',
      root: 'apps/billing/sdk',
      sourceRoot: 'apps/billing/sdk/src',
      projectType: 'library',
      tags: ['fleet:sdk-of:billing', 'type:sdk'],
    });
    const targets = readProjectConfiguration(tree, 'billing-sdk').targets ?? {};
    expect(Object.keys(targets).sort()).toEqual(['lint', 'test', 'typecheck']);
    expect(readProjectConfiguration(tree, 'billing')).toMatchObject({ root: 'apps/billing', tags: ['team:payments'] });
  });

  it('writes the client, its test and its configuration', async () => {
    await sdkGenerator(tree, { service: 'billing', skipFormat: true });
    const files = tree
      .listChanges()
      .map((c) => c.path)
      .filter((p) => p.startsWith('apps/billing/sdk/'))
      .sort();
    expect(files).toEqual([
      'apps/billing/sdk/project.json',
      'apps/billing/sdk/src/index.spec.ts',
      'apps/billing/sdk/src/index.ts',
      'apps/billing/sdk/tsconfig.json',
      'apps/billing/sdk/vitest.config.mts',
    ]);
    const index = tree.read('apps/billing/sdk/src/index.ts', 'utf-8')!;
    expect(index).toContain(
      'export function createBillingClient(baseUrl: string, fetchImpl: typeof fetch = fetch): BillingClient',
    );
    expect(index).toContain('billing: GET /health answered');
    const tsconfig = readJson<{ extends: string }>(tree, 'apps/billing/sdk/tsconfig.json');
    expect(posix.join('apps/billing/sdk', tsconfig.extends)).toBe('tsconfig.base.json');
    for (const file of files) expect(tree.read(file, 'utf-8'), file).not.toMatch(/<%|%>/);
  });

  it('maps the SDK import path in tsconfig.base.json', async () => {
    await sdkGenerator(tree, { service: 'billing', skipFormat: true });
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toEqual({
      '@acme/billing-sdk': ['apps/billing/sdk/src/index.ts'],
    });
  });

  it('names the client after a dashed service', async () => {
    addProjectConfiguration(tree, 'order-history', { root: 'services/order-history' });
    const sdk = writeSdk(tree, 'order-history', 8080);
    expect(sdk).toEqual({
      project: 'order-history-sdk',
      root: 'services/order-history/sdk',
      importPath: '@acme/order-history-sdk',
    });
    expect(tree.read('services/order-history/sdk/src/index.ts', 'utf-8')).toContain(
      'export function createOrderHistoryClient(',
    );
    expect(tree.read('services/order-history/sdk/src/index.spec.ts', 'utf-8')).toContain(
      "'http://order-history:8080/health'",
    );
  });

  it('errors when the project already has an SDK, changing nothing', async () => {
    await sdkGenerator(tree, { service: 'billing', skipFormat: true });
    tree.write('apps/billing/sdk/src/index.ts', '// edited\n');
    const before = tree.listChanges().map((c) => [c.path, c.content?.toString()]);
    await expect(sdkGenerator(tree, { service: 'billing', skipFormat: true })).rejects.toThrow(
      'nx-fleet: billing already has an SDK at apps/billing/sdk.',
    );
    expect(tree.listChanges().map((c) => [c.path, c.content?.toString()])).toEqual(before);
  });

  it('errors for a project that does not exist', async () => {
    await expect(sdkGenerator(tree, { service: 'nope', skipFormat: true })).rejects.toThrow(/nope/);
    expect(getProjects(tree).has('nope-sdk')).toBe(false);
  });
});
