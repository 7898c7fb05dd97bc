import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  addSdkPath,
  assertServiceName,
  GENERATED_DEV_DEPENDENCIES,
  npmScope,
  sdkImportPath,
  TSCONFIG_BASE,
} from './workspace-setup';

interface TsconfigBase {
  compilerOptions: Record<string, unknown> & { paths?: Record<string, string[]>; baseUrl?: string };
  [key: string]: unknown;
}

describe('npmScope', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it("is the root package's scope when it is scoped", () => {
    tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
    expect(npmScope(tree)).toBe('acme');
    expect(sdkImportPath(tree, 'orders')).toBe('@acme/orders-sdk');
  });

  it('keeps dashes and digits of a scope', () => {
    tree.write('package.json', JSON.stringify({ name: '@acme-2/source' }));
    expect(npmScope(tree)).toBe('acme-2');
  });

  it('is the unscoped root package name itself', () => {
    tree.write('package.json', JSON.stringify({ name: 'acme-platform' }));
    expect(npmScope(tree)).toBe('acme-platform');
    expect(sdkImportPath(tree, 'order-history')).toBe('@acme-platform/order-history-sdk');
  });

  it('drops characters an npm scope cannot hold from an unscoped name', () => {
    tree.write('package.json', JSON.stringify({ name: 'acme_platform.js' }));
    expect(npmScope(tree)).toBe('acmeplatformjs');
  });

  it('lowercases an unscoped name with capitals rather than dropping letters', () => {
    tree.write('package.json', JSON.stringify({ name: 'MyPlatform' }));
    expect(npmScope(tree)).toBe('myplatform');
  });

  it('falls back to "fleet" without a package.json', () => {
    tree.delete('package.json');
    expect(tree.exists('package.json')).toBe(false);
    expect(npmScope(tree)).toBe('fleet');
    expect(sdkImportPath(tree, 'orders')).toBe('@fleet/orders-sdk');
  });

  it('falls back to "fleet" for a package.json without a usable name', () => {
    tree.write('package.json', JSON.stringify({ private: true }));
    expect(npmScope(tree)).toBe('fleet');
    tree.write('package.json', JSON.stringify({ name: '___' }));
    expect(npmScope(tree)).toBe('fleet');
  });
});

describe('assertServiceName', () => {
  it.each(['orders', 'order-history', 'a', 'v2', 'api-v2-beta', 'x1-2-3', 'a'.repeat(50)])('accepts %s', (name) => {
    expect(() => assertServiceName(name)).not.toThrow();
  });

  it.each([
    ['Orders'],
    ['1abc'],
    ['a_b'],
    ['-x'],
    ['x-'],
    ['a--b'],
    ['order.service'],
    ['orders/api'],
    [''],
    [' orders'],
    ['a'.repeat(51)],
  ])('rejects %j, naming it and the rule', (name) => {
    expect(() => assertServiceName(name)).toThrow(`nx-fleet: "${name}" is not a valid service name`);
    expect(() => assertServiceName(name)).toThrow(
      /lowercase letters, digits and single dashes, starting with a letter, at most 50 characters/,
    );
  });

  it('names the option in the message', () => {
    expect(() => assertServiceName('Payments', '--consumes entry')).toThrow(
      'nx-fleet: "Payments" is not a valid service --consumes entry',
    );
  });
});

describe('addSdkPath', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('creates tsconfig.base.json when the workspace has none', () => {
    tree.delete(TSCONFIG_BASE);
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    const base = readJson<TsconfigBase>(tree, TSCONFIG_BASE);
    expect(base.compilerOptions).toMatchObject({
      strict: true,
      baseUrl: '.',
      paths: { '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] },
    });
    expect(Object.keys(base.compilerOptions.paths!)).toEqual(['@acme/orders-sdk']);
    expect(base['exclude']).toEqual(expect.arrayContaining(['node_modules']));
  });

  it('merges into an existing tsconfig.base.json, keeping its options and paths', () => {
    tree.write(
      TSCONFIG_BASE,
      JSON.stringify({
        compileOnSave: false,
        compilerOptions: {
          target: 'es2021',
          baseUrl: './src',
          paths: { '@acme/shared': ['libs/shared/src/index.ts'] },
        },
        exclude: ['tmp'],
      }),
    );
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    expect(readJson(tree, TSCONFIG_BASE)).toEqual({
      compileOnSave: false,
      compilerOptions: {
        target: 'es2021',
        baseUrl: './src',
        paths: {
          '@acme/shared': ['libs/shared/src/index.ts'],
          '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'],
        },
      },
      exclude: ['tmp'],
    });
  });

  it('adds compilerOptions, baseUrl and paths when they are missing', () => {
    tree.write(TSCONFIG_BASE, JSON.stringify({ files: [] }));
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    expect(readJson(tree, TSCONFIG_BASE)).toEqual({
      files: [],
      compilerOptions: { baseUrl: '.', paths: { '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] } },
    });
  });

  it('re-points an existing mapping of the same import path and is idempotent', () => {
    addSdkPath(tree, '@acme/orders-sdk', 'old/src/index.ts');
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    const once = tree.read(TSCONFIG_BASE, 'utf-8');
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    expect(tree.read(TSCONFIG_BASE, 'utf-8')).toBe(once);
    expect(readJson<TsconfigBase>(tree, TSCONFIG_BASE).compilerOptions.paths).toEqual({
      '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'],
    });
  });

  it('reads a tsconfig.base.json with comments and trailing commas', () => {
    tree.write(TSCONFIG_BASE, '{\n  // shared options\n  "compilerOptions": { "strict": true, },\n}\n');
    addSdkPath(tree, '@acme/orders-sdk', 'services/orders/sdk/src/index.ts');
    expect(readJson<TsconfigBase>(tree, TSCONFIG_BASE).compilerOptions).toEqual({
      strict: true,
      baseUrl: '.',
      paths: { '@acme/orders-sdk': ['services/orders/sdk/src/index.ts'] },
    });
  });
});

describe('GENERATED_DEV_DEPENDENCIES', () => {
  it('pins exact versions of what the generated code needs', () => {
    expect(Object.keys(GENERATED_DEV_DEPENDENCIES).sort()).toEqual([
      '@types/node',
      'esbuild',
      'eslint',
      'typescript',
      'typescript-eslint',
      'vitest',
    ]);
    for (const version of Object.values(GENERATED_DEV_DEPENDENCIES)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('ensureEslintConfig and checkTargets', () => {
  it('writes a flat config once and never over an existing one', async () => {
    const { createTreeWithEmptyWorkspace } = await import('@nx/devkit/testing');
    const { ensureEslintConfig } = await import('./workspace-setup');
    const tree = createTreeWithEmptyWorkspace();
    ensureEslintConfig(tree);
    expect(tree.read('eslint.config.mjs', 'utf-8')).toContain('tseslint.configs.recommended');
    const other = createTreeWithEmptyWorkspace();
    other.write('eslint.config.js', 'module.exports = [];\n');
    ensureEslintConfig(other);
    expect(other.exists('eslint.config.mjs')).toBe(false);
  });

  it('gives lint, test and typecheck targets on the project folder', async () => {
    const { checkTargets } = await import('./workspace-setup');
    const targets = checkTargets();
    expect(Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, t.options.command]))).toEqual({
      lint: 'eslint {projectRoot}/src',
      test: 'vitest run --root {projectRoot}',
      typecheck: 'tsc -p {projectRoot}/tsconfig.json --noEmit',
    });
  });
});
