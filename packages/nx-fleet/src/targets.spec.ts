import { describe, expect, it } from 'vitest';
import { normalizeOptions } from './plugins/options';
import { buildServiceTargets, imageRecordPath, pushRecordPath } from './targets';

const input = (overrides: Parameters<typeof normalizeOptions>[0] = {}) => ({
  projectRoot: 'services/orders',
  dockerfile: 'services/orders/Dockerfile',
  options: normalizeOptions(overrides),
});

describe('record paths', () => {
  it('puts records under dist/fleet/<projectRoot>', () => {
    expect(imageRecordPath('services/orders')).toBe('dist/fleet/services/orders/image.json');
    expect(pushRecordPath('services/orders')).toBe('dist/fleet/services/orders/push.json');
  });
});

describe('buildServiceTargets', () => {
  it('creates docker-build and docker-push by default, and nothing else', () => {
    expect(Object.keys(buildServiceTargets(input()))).toEqual(['docker-build', 'docker-push']);
  });

  it('describes the build target', () => {
    const build = buildServiceTargets(input())['docker-build']!;
    expect(build.executor).toBe('nx-fleet:docker-build');
    expect(build.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: 'services/orders' });
    expect(build.inputs).toEqual(['{projectRoot}/**/*', { env: 'FLEET_ENGINE' }]);
    expect(build.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/image.json']);
    expect(build.cache).toBe(true);
    expect(build.dependsOn).toBeUndefined();
    expect(build.metadata?.technologies).toEqual(['docker']);
    expect(build.metadata?.description).toMatch(/content tag/);
  });

  it('describes the push target: depends on the build, never cached', () => {
    const push = buildServiceTargets(input())['docker-push']!;
    expect(push.executor).toBe('nx-fleet:docker-push');
    expect(push.dependsOn).toEqual(['docker-build']);
    expect(push.cache).toBe(false);
    expect(push.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/push.json']);
    expect(push.metadata?.technologies).toEqual(['docker']);
  });

  it('uses configured target names, including in dependsOn', () => {
    const targets = buildServiceTargets(input({ buildTargetName: 'image', pushTargetName: 'publish' }));
    expect(Object.keys(targets)).toEqual(['image', 'publish']);
    expect(targets['image']!.executor).toBe('nx-fleet:docker-build');
    expect(targets['publish']!.executor).toBe('nx-fleet:docker-push');
    expect(targets['publish']!.dependsOn).toEqual(['image']);
  });

  it('passes the registry to the push target only when it is set', () => {
    const without = buildServiceTargets(input());
    expect(without['docker-push']!.options).toEqual({});
    expect(without['docker-build']!.options).not.toHaveProperty('registry');

    const withRegistry = buildServiceTargets(input({ registry: 'ghcr.io/acme' }));
    expect(withRegistry['docker-push']!.options).toEqual({ registry: 'ghcr.io/acme' });
    expect(withRegistry['docker-build']!.options).not.toHaveProperty('registry');
  });

  it('keeps a Containerfile as the dockerfile option', () => {
    const targets = buildServiceTargets({ ...input(), dockerfile: 'services/orders/Containerfile' });
    expect(targets['docker-build']!.options).toEqual({ dockerfile: 'services/orders/Containerfile', context: 'services/orders' });
  });
});
