import type { NxJsonConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { PLUGIN_NAME } from '../../config/workspace-options';
import { addFleetPlugin } from './nx-json';

describe('addFleetPlugin', () => {
  it('adds the bare string entry to an nx.json without plugins', () => {
    expect(PLUGIN_NAME).toBe('nx-fleet');
    expect(addFleetPlugin({}, {})).toEqual({ plugins: ['nx-fleet'] });
  });

  it('appends after other plugins and keeps the rest of nx.json', () => {
    const nxJson: NxJsonConfiguration = {
      defaultBase: 'main',
      plugins: ['@nx/js/typescript', { plugin: '@nx/jest/plugin', options: { targetName: 'test' } }],
      targetDefaults: { build: { cache: true } },
    };
    expect(addFleetPlugin(nxJson, {})).toEqual({ ...nxJson, plugins: [...nxJson.plugins!, 'nx-fleet'] });
  });

  it('does not mutate its input', () => {
    const nxJson: NxJsonConfiguration = { plugins: ['@nx/js/typescript'] };
    addFleetPlugin(nxJson, { registry: 'ghcr.io/acme' });
    expect(nxJson).toEqual({ plugins: ['@nx/js/typescript'] });
  });

  it('is idempotent', () => {
    const once = addFleetPlugin({ plugins: ['@nx/js/typescript'] }, {});
    const twice = addFleetPlugin(once, {});
    expect(twice).toEqual({ plugins: ['@nx/js/typescript', 'nx-fleet'] });
    expect(addFleetPlugin(addFleetPlugin({}, { registry: 'r.io' }), { registry: 'r.io' })).toEqual({
      plugins: [{ plugin: 'nx-fleet', options: { registry: 'r.io' } }],
    });
  });

  it('uses the object form when a registry is given', () => {
    expect(addFleetPlugin({ plugins: ['@nx/js/typescript'] }, { registry: 'ghcr.io/acme' })).toEqual({
      plugins: ['@nx/js/typescript', { plugin: 'nx-fleet', options: { registry: 'ghcr.io/acme' } }],
    });
  });

  it('turns an existing string entry into the object form, in place, for a registry', () => {
    expect(addFleetPlugin({ plugins: ['nx-fleet', '@nx/js/typescript'] }, { registry: 'localhost:5000' })).toEqual({
      plugins: [{ plugin: 'nx-fleet', options: { registry: 'localhost:5000' } }, '@nx/js/typescript'],
    });
  });

  it('keeps an existing object entry, with include/exclude and options, when no registry is given', () => {
    const entry = {
      plugin: 'nx-fleet',
      include: ['services/**/*'],
      exclude: ['services/legacy/**'],
      options: { buildTargetName: 'image', registry: 'old.io' },
    };
    expect(addFleetPlugin({ plugins: ['@nx/js/typescript', entry] }, {})).toEqual({
      plugins: ['@nx/js/typescript', entry],
    });
  });

  it('merges a registry into an existing object entry, keeping the rest', () => {
    const entry = {
      plugin: 'nx-fleet',
      include: ['services/**/*'],
      exclude: ['services/legacy/**'],
      options: { buildTargetName: 'image', registry: 'old.io', exclude: ['legacy/**'] },
    };
    expect(addFleetPlugin({ plugins: [entry] }, { registry: 'new.io/acme' })).toEqual({
      plugins: [
        {
          plugin: 'nx-fleet',
          include: ['services/**/*'],
          exclude: ['services/legacy/**'],
          options: { buildTargetName: 'image', registry: 'new.io/acme', exclude: ['legacy/**'] },
        },
      ],
    });
  });

  it('adds options to an existing object entry that had none', () => {
    expect(addFleetPlugin({ plugins: [{ plugin: 'nx-fleet', include: ['a/**'] }] }, { registry: 'r.io' })).toEqual({
      plugins: [{ plugin: 'nx-fleet', include: ['a/**'], options: { registry: 'r.io' } }],
    });
  });

  it('does not mistake a plugin with a similar name for nx-fleet', () => {
    expect(addFleetPlugin({ plugins: ['nx-fleet-extra', { plugin: '@acme/nx-fleet' }] }, {})).toEqual({
      plugins: ['nx-fleet-extra', { plugin: '@acme/nx-fleet' }, 'nx-fleet'],
    });
  });
});
