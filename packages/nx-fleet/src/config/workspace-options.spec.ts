import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetOptionsOf, fleetPluginOptions, isFleetPlugin, nxAnalysesSources, PLUGIN_NAME } from './workspace-options';

describe('isFleetPlugin', () => {
  it.each([
    ['nx-fleet', true],
    [{ plugin: 'nx-fleet' }, true],
    [{ plugin: 'nx-fleet', options: { registry: 'ghcr.io/acme' } }, true],
    ['@nx/js/typescript', false],
    [{ plugin: '@nx/vite/plugin' }, false],
    [null, false],
    [42, false],
  ])('%j → %s', (entry, expected) => {
    expect(isFleetPlugin(entry)).toBe(expected);
  });

  it('names the plugin nx-fleet', () => {
    expect(PLUGIN_NAME).toBe('nx-fleet');
  });
});

describe('fleetOptionsOf', () => {
  it.each([
    ['no nx.json', undefined, undefined],
    ['no plugins', {}, undefined],
    ['other plugins only', { plugins: ['@nx/js/typescript', { plugin: '@nx/vite/plugin' }] }, undefined],
    ['the bare name', { plugins: ['@nx/js/typescript', 'nx-fleet'] }, {}],
    ['an entry without options', { plugins: [{ plugin: 'nx-fleet' }] }, {}],
    [
      'an entry with options',
      { plugins: [{ plugin: 'nx-fleet', options: { buildTargetName: 'image' } }] },
      { buildTargetName: 'image' },
    ],
    [
      'the first of two entries',
      {
        plugins: [
          { plugin: 'nx-fleet', options: { registry: 'a' } },
          { plugin: 'nx-fleet', options: { registry: 'b' } },
        ],
      },
      { registry: 'a' },
    ],
  ])('%s', (_name, nxJson, expected) => {
    expect(fleetOptionsOf(nxJson)).toEqual(expected);
  });
});

describe('fleetPluginOptions', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it("reads the workspace's nx.json", () => {
    root = mkdtempSync(join(tmpdir(), 'nx-fleet-options-'));
    writeFileSync(
      join(root, 'nx.json'),
      JSON.stringify({ plugins: [{ plugin: 'nx-fleet', options: { sdks: { a: 'b' } } }] }),
    );
    expect(fleetPluginOptions(root)).toEqual({ sdks: { a: 'b' } });
  });

  it('reads a missing or broken nx.json as no registration', () => {
    root = mkdtempSync(join(tmpdir(), 'nx-fleet-options-'));
    expect(fleetPluginOptions(root)).toBeUndefined();
    writeFileSync(join(root, 'nx.json'), '{ "plugins": [');
    expect(fleetPluginOptions(root)).toBeUndefined();
  });
});

describe('nxAnalysesSources', () => {
  it.each([
    ['nx.json turns it off', { pluginsConfig: { '@nx/js': { analyzeSourceFiles: false } } }, {}, false],
    ['an @nx/js entry defaults it on', { pluginsConfig: { '@nx/js': {} } }, {}, true],
    ["no entry: Nx's JS plugins in the root package.json", {}, { devDependencies: { '@nx/js': '23.2.1' } }, true],
    ['no entry, no Nx JS plugin (zen)', {}, { devDependencies: { nx: '23.2.1' } }, false],
  ])('%s', (_, nxJson, rootManifest, expected) => {
    expect(nxAnalysesSources(nxJson, rootManifest)).toBe(expected);
  });
});
