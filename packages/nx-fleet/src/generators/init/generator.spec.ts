import { readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import initGenerator, { initGenerator as namedInitGenerator } from './generator';

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

  it('keeps the rest of nx.json', async () => {
    const before = readNxJson(tree)!;
    await initGenerator(tree, { skipFormat: true });
    const after = readNxJson(tree)!;
    expect({ ...after, plugins: undefined }).toEqual({ ...before, plugins: undefined });
    expect(after.plugins?.slice(0, -1)).toEqual(before.plugins ?? []);
  });
});
