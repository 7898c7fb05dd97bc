import { readNxJson, writeJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import initGenerator, { initGenerator as namedInitGenerator } from './generator';
import { addNxGitignore, DOCKERIGNORE, PRODUCTION_INPUT } from './nx-json';

function fleetEntries(tree: Tree) {
  return (readNxJson(tree)?.plugins ?? []).filter((p) => (typeof p === 'string' ? p : p.plugin) === 'nx-fleet');
}

describe('init generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('exports the same function as default and by name', () => {
    expect(initGenerator).toBe(namedInitGenerator);
  });

  it('registers the plugin as a bare string', async () => {
    const callback = await initGenerator(tree, { skipFormat: true });
    expect(fleetEntries(tree)).toEqual(['nx-fleet']);
    expect(typeof callback).toBe('function');
  });

  it('registers the plugin once when run twice', async () => {
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    expect(fleetEntries(tree)).toEqual(['nx-fleet']);
  });

  it('uses the object form with --registry', async () => {
    await initGenerator(tree, { registry: 'ghcr.io/acme', skipFormat: true });
    expect(fleetEntries(tree)).toEqual([{ plugin: 'nx-fleet', options: { registry: 'ghcr.io/acme' } }]);
  });

  it('keeps a registry given earlier when run again without one', async () => {
    await initGenerator(tree, { registry: 'ghcr.io/acme', skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    expect(fleetEntries(tree)).toEqual([{ plugin: 'nx-fleet', options: { registry: 'ghcr.io/acme' } }]);
  });

  it('keeps the rest of nx.json and adds only the fleet defaults', async () => {
    const before = readNxJson(tree)!;
    await initGenerator(tree, { skipFormat: true });
    const after = readNxJson(tree)!;
    expect({
      ...after,
      plugins: undefined,
      namedInputs: undefined,
      targetDefaults: undefined,
      pluginsConfig: undefined,
    }).toEqual({
      ...before,
      plugins: undefined,
      namedInputs: undefined,
      targetDefaults: undefined,
      pluginsConfig: undefined,
    });
    // Rule (d): a lockfile change affects only the projects whose dependencies changed.
    // With no Nx JS plugin in the root package.json, Nx analysed no source file before: nor after.
    expect(after.pluginsConfig).toEqual({
      ...before.pluginsConfig,
      '@nx/js': { analyzeSourceFiles: false, projectsAffectedByDependencyUpdates: 'auto' },
    });
    expect(after.plugins?.slice(0, -1)).toEqual(before.plugins ?? []);
    expect(after.namedInputs).toEqual({
      ...before.namedInputs,
      default: ['{projectRoot}/**/*', 'sharedGlobals'],
      sharedGlobals: [],
      production: PRODUCTION_INPUT,
    });
    expect(after.targetDefaults).toEqual({
      ...(before.targetDefaults as object),
      test: { cache: true, inputs: ['default', '^production'] },
      typecheck: { cache: true, inputs: ['default', '^production'] },
    });
  });

  it('keeps existing named inputs and target defaults untouched and adds only the missing ones', async () => {
    const existing: NxJsonConfiguration = {
      $schema: './node_modules/nx/schemas/nx-schema.json',
      defaultBase: 'trunk',
      plugins: ['@nx/js/typescript', { plugin: '@nx/vite/plugin', options: { testTargetName: 'test' } }],
      namedInputs: {
        default: ['{projectRoot}/**/*'],
        production: ['default', '!{projectRoot}/**/*.md'],
        docs: ['{projectRoot}/**/*.md'],
      },
      targetDefaults: {
        test: { cache: false, dependsOn: ['^build'], inputs: ['default'] },
        build: { cache: true, dependsOn: ['^build'] },
      },
      parallel: 3,
    };
    writeJson(tree, 'nx.json', existing);
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)).toEqual({
      ...existing,
      plugins: [...existing.plugins!, 'nx-fleet'],
      namedInputs: { ...existing.namedInputs, sharedGlobals: [] },
      targetDefaults: { ...existing.targetDefaults, typecheck: { cache: true, inputs: ['default', '^production'] } },
      pluginsConfig: { '@nx/js': { analyzeSourceFiles: false, projectsAffectedByDependencyUpdates: 'auto' } },
    });
  });

  it("keeps what Nx analysed before its @nx/js entry existed: an entry turns every analysis on (whackakey's @nrwl workspace gained import edges)", async () => {
    const analyses = async (manifest: object | undefined) => {
      tree = createTreeWithEmptyWorkspace();
      if (manifest === undefined) tree.delete('package.json');
      else writeJson(tree, 'package.json', manifest);
      await initGenerator(tree, { skipFormat: true });
      return readNxJson(tree)!.pluginsConfig!['@nx/js'];
    };
    expect(await analyses({ name: 'ws', devDependencies: { '@nrwl/workspace': '14.0.0' } })).toEqual({
      analyzeSourceFiles: false,
      projectsAffectedByDependencyUpdates: 'auto',
    });
    expect(await analyses({ name: 'ws', devDependencies: { '@nx/js': '23.2.1' } })).toEqual({
      projectsAffectedByDependencyUpdates: 'auto',
    });
    expect(await analyses(undefined)).toEqual({
      analyzePackageJson: false,
      analyzeSourceFiles: false,
      analyzeLockfile: false,
      projectsAffectedByDependencyUpdates: 'auto',
    });
  });

  it("keeps a projectsAffectedByDependencyUpdates choice the workspace already made, and the rest of @nx/js's config", async () => {
    writeJson(tree, 'nx.json', {
      pluginsConfig: {
        '@nx/js': { projectsAffectedByDependencyUpdates: 'all', analyzeSourceFiles: false },
        other: { x: 1 },
      },
    });
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)!.pluginsConfig).toEqual({
      '@nx/js': { projectsAffectedByDependencyUpdates: 'all', analyzeSourceFiles: false },
      other: { x: 1 },
    });
  });

  it('writes nx.json when the workspace has none', async () => {
    tree.delete('nx.json');
    await initGenerator(tree, { skipFormat: true });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual(['nx-fleet']);
    expect(Object.keys(nxJson.namedInputs ?? {}).sort()).toEqual(['default', 'production', 'sharedGlobals']);
    expect(Object.keys(nxJson.targetDefaults ?? {}).sort()).toEqual(['test', 'typecheck']);
  });

  it('is idempotent: a second run leaves nx.json and .dockerignore byte-identical', async () => {
    await initGenerator(tree, { registry: 'ghcr.io/acme', skipFormat: true });
    const nxJson = tree.read('nx.json', 'utf-8');
    const dockerignore = tree.read('.dockerignore', 'utf-8');
    await initGenerator(tree, { registry: 'ghcr.io/acme', skipFormat: true });
    expect(tree.read('nx.json', 'utf-8')).toBe(nxJson);
    expect(tree.read('.dockerignore', 'utf-8')).toBe(dockerignore);
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('nx.json', 'utf-8')).toBe(nxJson);
    expect(tree.read('.dockerignore', 'utf-8')).toBe(dockerignore);
  });

  it('writes a root .dockerignore for build contexts', async () => {
    expect(tree.exists('.dockerignore')).toBe(false);
    await initGenerator(tree, { skipFormat: true });
    const lines = tree.read('.dockerignore', 'utf-8')!.split('\n');
    expect(tree.read('.dockerignore', 'utf-8')).toBe(DOCKERIGNORE);
    expect(lines).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '.nx']));
    expect(DOCKERIGNORE.endsWith('\n')).toBe(true);
  });

  it('never overwrites an existing .dockerignore', async () => {
    tree.write('.dockerignore', '# ours\n*.log\n');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.dockerignore', 'utf-8')).toBe('# ours\n*.log\n');
  });

  it('sets and updates the registry with --registry, keeping the defaults', async () => {
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { registry: 'ghcr.io/acme', skipFormat: true });
    expect(fleetEntries(tree)).toEqual([{ plugin: 'nx-fleet', options: { registry: 'ghcr.io/acme' } }]);
    await initGenerator(tree, { registry: 'localhost:5000', skipFormat: true });
    expect(fleetEntries(tree)).toEqual([{ plugin: 'nx-fleet', options: { registry: 'localhost:5000' } }]);
    const nxJson = readNxJson(tree)!;
    expect(nxJson.namedInputs?.['production']).toEqual(PRODUCTION_INPUT);
    expect(Object.keys(nxJson.targetDefaults ?? {})).toEqual(expect.arrayContaining(['test', 'typecheck']));
  });

  it("adds the .nx folders to a missing .gitignore, as Nx's init does", async () => {
    tree.delete('.gitignore');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe('.nx/cache\n.nx/workspace-data\n');
  });

  it('appends the .nx folders to an existing .gitignore, keeping its lines, once over two runs', async () => {
    tree.write('.gitignore', 'node_modules\ndist');
    await initGenerator(tree, { skipFormat: true });
    const once = tree.read('.gitignore', 'utf-8');
    expect(once).toBe('node_modules\ndist\n.nx/cache\n.nx/workspace-data\n');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe(once);
  });

  it('leaves a .gitignore that already ignores the .nx folders untouched', async () => {
    tree.write('.gitignore', '# Nx\n.nx/cache\n.nx/workspace-data\n');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe('# Nx\n.nx/cache\n.nx/workspace-data\n');
  });

  it('writes .gitignore through the Tree only, so --dry-run writes nothing to disk', async () => {
    tree.delete('.gitignore');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.listChanges().find((c) => c.path === '.gitignore')?.type).toBe('CREATE');
  });

  it.each<[string, string | undefined, string]>([
    ['no .gitignore', undefined, '.nx/cache\n.nx/workspace-data\n'],
    ['an empty one', '', '.nx/cache\n.nx/workspace-data\n'],
    ['one ending in a newline', 'dist\n', 'dist\n.nx/cache\n.nx/workspace-data\n'],
    ['one without a final newline', 'dist', 'dist\n.nx/cache\n.nx/workspace-data\n'],
    ['one with .nx/cache only', 'dist\n.nx/cache\n', 'dist\n.nx/cache\n.nx/workspace-data\n'],
    ['one with /.nx/workspace-data/', '/.nx/workspace-data/\n', '/.nx/workspace-data/\n.nx/cache\n'],
    ['one ignoring .nx as a whole', '.nx\n', '.nx\n'],
    ['one ignoring /.nx/', 'dist\r\n/.nx/\r\n', 'dist\r\n/.nx/\r\n'],
    ['one with both', '.nx/workspace-data\n.nx/cache\n', '.nx/workspace-data\n.nx/cache\n'],
    ['one naming it only in a comment', '# .nx/cache\n', '# .nx/cache\n.nx/cache\n.nx/workspace-data\n'],
  ])('addNxGitignore: %s', (_name, text, expected) => {
    expect(addNxGitignore(text)).toBe(expected);
    expect(addNxGitignore(expected)).toBe(expected);
  });

  it('returns a callback and writes nothing but nx.json, .dockerignore and .gitignore', async () => {
    tree.delete('.gitignore');
    const before = new Set(tree.listChanges().map((c) => c.path));
    const callback = await initGenerator(tree, { skipFormat: true });
    expect(typeof callback).toBe('function');
    expect(
      tree
        .listChanges()
        .map((c) => c.path)
        .filter((p) => !before.has(p))
        .sort(),
    ).toEqual(['.dockerignore', '.gitignore']);
  });
});
