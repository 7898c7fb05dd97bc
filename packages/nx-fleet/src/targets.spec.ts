import { describe, expect, it } from 'vitest';
import { normalizeOptions } from './plugins/options';
import type { FleetServiceConfig } from './service-config';
import { buildInputs, buildServiceTargets, contextOptions, imageRecordPath, pushRecordPath } from './targets';

const ENGINE = { env: 'FLEET_ENGINE' };

const input = (overrides: Parameters<typeof normalizeOptions>[0] = {}, config: FleetServiceConfig = {}) => ({
  projectRoot: 'services/orders',
  dockerfile: 'services/orders/Dockerfile',
  config,
  options: normalizeOptions(overrides),
});

describe('record paths', () => {
  it('puts records under dist/fleet/<projectRoot>', () => {
    expect(imageRecordPath('services/orders')).toBe('dist/fleet/services/orders/image.json');
    expect(pushRecordPath('services/orders')).toBe('dist/fleet/services/orders/push.json');
  });
});

describe('contextOptions', () => {
  it('pruned: the workspace root, pruned, with the extra files only when there are some', () => {
    expect(contextOptions('pruned', 'services/orders', [])).toEqual({ context: '.', prune: true });
    expect(contextOptions('pruned', 'services/orders', ['tsconfig.base.json'])).toEqual({ context: '.', prune: true, contextInclude: ['tsconfig.base.json'] });
  });

  it('workspace: the whole workspace root, not pruned, ignoring extra files', () => {
    expect(contextOptions('workspace', 'services/orders', ['tsconfig.base.json'])).toEqual({ context: '.', prune: false });
  });

  it('project: the project folder alone, ignoring extra files', () => {
    expect(contextOptions('project', 'services/orders', ['tsconfig.base.json'])).toEqual({ context: 'services/orders' });
    expect(contextOptions('project', '.', [])).toEqual({ context: '.' });
  });
});

describe('buildInputs', () => {
  it('pruned: the project and its workspace dependencies, the extra files, and the engine', () => {
    expect(buildInputs('pruned', [])).toEqual(['default', '^default', ENGINE]);
    expect(buildInputs('pruned', ['tsconfig.base.json', 'tools/scripts/**'])).toEqual([
      'default',
      '^default',
      '{workspaceRoot}/tsconfig.base.json',
      '{workspaceRoot}/tools/scripts/**',
      ENGINE,
    ]);
  });

  it('workspace: every file of the workspace and the engine', () => {
    expect(buildInputs('workspace', ['tsconfig.base.json'])).toEqual(['{workspaceRoot}/**/*', ENGINE]);
  });

  it('project: every file of the project and the engine', () => {
    expect(buildInputs('project', ['tsconfig.base.json'])).toEqual(['{projectRoot}/**/*', ENGINE]);
  });
});

describe('buildServiceTargets', () => {
  it('creates docker-build and docker-push by default, and nothing else', () => {
    expect(Object.keys(buildServiceTargets(input()))).toEqual(['docker-build', 'docker-push']);
  });

  it('describes the build target, with a pruned context by default', () => {
    const build = buildServiceTargets(input())['docker-build']!;
    expect(build.executor).toBe('nx-fleet:docker-build');
    expect(build.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true });
    expect(build.inputs).toEqual(['default', '^default', ENGINE]);
    expect(build.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/image.json']);
    expect(build.cache).toBe(true);
    expect(build.dependsOn).toBeUndefined();
    expect(build.metadata?.technologies).toEqual(['docker']);
    expect(build.metadata?.description).toBe(
      'Build the service image from a pruned context; no engine build when an image with the same content tag exists',
    );
  });

  it('describes the push target: depends on the build, names it in its options, never cached', () => {
    const push = buildServiceTargets(input())['docker-push']!;
    expect(push.executor).toBe('nx-fleet:docker-push');
    expect(push.dependsOn).toEqual(['docker-build']);
    expect(push.options).toEqual({ buildTarget: 'docker-build' });
    expect(push.cache).toBe(false);
    expect(push.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/push.json']);
    expect(push.metadata?.technologies).toEqual(['docker']);
  });

  it('uses configured target names, including in dependsOn and the push buildTarget', () => {
    const targets = buildServiceTargets(input({ buildTargetName: 'image', pushTargetName: 'publish' }));
    expect(Object.keys(targets)).toEqual(['image', 'publish']);
    expect(targets['image']!.executor).toBe('nx-fleet:docker-build');
    expect(targets['publish']!.executor).toBe('nx-fleet:docker-push');
    expect(targets['publish']!.dependsOn).toEqual(['image']);
    expect(targets['publish']!.options).toEqual({ buildTarget: 'image' });
  });

  it('passes the registry to both targets only when it is set', () => {
    const without = buildServiceTargets(input());
    expect(without['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
    expect(without['docker-build']!.options).not.toHaveProperty('registry');

    const withRegistry = buildServiceTargets(input({ registry: 'ghcr.io/acme' }));
    expect(withRegistry['docker-push']!.options).toEqual({ buildTarget: 'docker-build', registry: 'ghcr.io/acme' });
    expect(withRegistry['docker-build']!.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true, registry: 'ghcr.io/acme' });
  });

  it('passes the image from the service config to the build only', () => {
    const targets = buildServiceTargets(input({}, { image: 'acme/orders' }));
    expect(targets['docker-build']!.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true, image: 'acme/orders' });
    expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
    expect(buildServiceTargets(input())['docker-build']!.options).not.toHaveProperty('image');
  });

  it('keeps a Containerfile (or any path) as the dockerfile option', () => {
    const targets = buildServiceTargets({ ...input(), dockerfile: 'services/orders/Containerfile' });
    expect(targets['docker-build']!.options).toEqual({ dockerfile: 'services/orders/Containerfile', context: '.', prune: true });
    const elsewhere = buildServiceTargets({ ...input(), dockerfile: '.deploy/orders/Dockerfile' });
    expect(elsewhere['docker-build']!.options).toMatchObject({ dockerfile: '.deploy/orders/Dockerfile' });
  });

  it('takes the context mode and extra files from the plugin options when the service config has none', () => {
    const build = buildServiceTargets(input({ context: 'pruned', contextInclude: ['tsconfig.base.json'] }))['docker-build']!;
    expect(build.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true, contextInclude: ['tsconfig.base.json'] });
    expect(build.inputs).toEqual(['default', '^default', '{workspaceRoot}/tsconfig.base.json', ENGINE]);

    const workspace = buildServiceTargets(input({ context: 'workspace' }))['docker-build']!;
    expect(workspace.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: false });
    expect(workspace.inputs).toEqual(['{workspaceRoot}/**/*', ENGINE]);
    expect(workspace.metadata?.description).toMatch(/^Build the service image from a workspace context;/);
  });

  it('lets the service config win over the plugin options', () => {
    const project = buildServiceTargets(input({ context: 'workspace', contextInclude: ['a/**'] }, { context: 'project' }))['docker-build']!;
    expect(project.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: 'services/orders' });
    expect(project.inputs).toEqual(['{projectRoot}/**/*', ENGINE]);
    expect(project.metadata?.description).toMatch(/^Build the service image from a project context;/);

    const include = buildServiceTargets(input({ contextInclude: ['a/**'] }, { contextInclude: ['b/**'] }))['docker-build']!;
    expect(include.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true, contextInclude: ['b/**'] });
    expect(include.inputs).toEqual(['default', '^default', '{workspaceRoot}/b/**', ENGINE]);

    const none = buildServiceTargets(input({ contextInclude: ['a/**'] }, { contextInclude: [] }))['docker-build']!;
    expect(none.options).not.toHaveProperty('contextInclude');
    expect(none.inputs).toEqual(['default', '^default', ENGINE]);
  });
});
