import { logger, readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it, vi } from 'vitest';
import type { FleetPluginOptions } from '../../config/options';
import { initGenerator } from '../init/generator';
import { CI_FILES } from './options';
import { ciGenerator } from './generator';
import type { CiGeneratorSchema } from './schema';

const TARGET_NAMES: FleetPluginOptions = {
  buildTargetName: 'image',
  pushTargetName: 'publish',
  scanTargetName: 'vuln-scan',
  contractTargetName: 'pact-verify',
};

/**
 * The pipeline `nx g nx-fleet:ci` writes for a table of generator options and nx-fleet options in
 * nx.json, one file each: a change to a template shows here line by line, and every file stays as it
 * is unless the change means to change it.
 */
const CASES: Array<[name: string, options: CiGeneratorSchema, plugin?: FleetPluginOptions]> = [
  ['github', {}],
  ['github-matrix', { matrix: true }],
  ['github-no-remote-cache', { remoteCache: false }],
  ['github-matrix-no-remote-cache', { matrix: true, remoteCache: false }],
  [
    'github-options',
    { registry: 'ghcr.io/acme', environment: 'staging', mainBranch: 'release/v2', nodeVersion: '22.11' },
  ],
  ['github-configured-registry', {}, { registry: 'registry.example.com:5000/team' }],
  [
    'github-matrix-configured-registry',
    { matrix: true },
    { registry: 'ghcr.io/acme', release: { ledger: './ops/ledger.json' } },
  ],
  ['github-ledger', {}, { release: { ledger: 'ops/fleet-ledger.json' } }],
  ['github-target-names', {}, TARGET_NAMES],
  ['github-matrix-target-names', { matrix: true }, TARGET_NAMES],
  ['gitlab', { provider: 'gitlab' }],
  ['gitlab-matrix', { provider: 'gitlab', matrix: true }],
  ['gitlab-no-remote-cache', { provider: 'gitlab', remoteCache: false }],
  [
    'gitlab-options',
    { provider: 'gitlab', registry: 'ghcr.io/acme', environment: 'staging', mainBranch: 'trunk', nodeVersion: '22' },
  ],
  ['gitlab-configured-registry', { provider: 'gitlab' }, { registry: 'ghcr.io/acme' }],
  ['gitlab-ledger', { provider: 'gitlab' }, { release: { ledger: 'ops/fleet-ledger.json' } }],
  ['gitlab-target-names', { provider: 'gitlab' }, TARGET_NAMES],
];

describe('ci generator snapshots', () => {
  it.each(CASES)('%s', async (name, options, plugin) => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
    if (plugin) {
      const nxJson = readNxJson(tree)!;
      updateNxJson(tree, { ...nxJson, plugins: [{ plugin: 'nx-fleet', options: plugin }] });
    }
    await ciGenerator(tree, { ...options, skipFormat: true });
    const path = CI_FILES[options.provider ?? 'github'];
    await expect(tree.read(path, 'utf-8')).toMatchFileSnapshot(`__snapshots__/${name}.yml.snap`);
    vi.restoreAllMocks();
  });
});
