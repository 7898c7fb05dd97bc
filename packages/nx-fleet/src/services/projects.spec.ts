import { describe, expect, it } from 'vitest';
import type { ProjectGraphProjectNode } from '@nx/devkit';
import { BUILD_EXECUTOR, foreignBuildTarget, isServiceProject, serviceNodes, packageScripts } from './projects';

const node = (name: string, executor?: string): ProjectGraphProjectNode => ({
  name,
  type: 'app',
  data: { root: name, targets: executor ? { image: { executor } } : {} },
});

describe('isServiceProject', () => {
  it.each([
    [{ targets: { 'my-build': { executor: BUILD_EXECUTOR } } }, true],
    [{ targets: { build: { executor: '@nx/js:tsc' } } }, false],
    [{ targets: {} }, false],
    [{}, false],
    [undefined, false],
  ])('%j is a service: %s', (project, expected) => {
    expect(isServiceProject(project)).toBe(expected);
  });
});

describe('serviceNodes', () => {
  it('keeps the services, sorted by name', () => {
    const nodes = [node('b', BUILD_EXECUTOR), node('lib', '@nx/js:tsc'), node('a', BUILD_EXECUTOR)];
    expect(serviceNodes(nodes).map((n) => n.name)).toEqual(['a', 'b']);
  });
});

function nodeWith(name: string, executors: string[]): ProjectGraphProjectNode {
  return {
    name,
    type: 'app',
    data: {
      root: `services/${name}`,
      targets: Object.fromEntries(executors.map((executor, i) => [`t${i}`, { executor }])),
    },
  };
}

describe('serviceNodes', () => {
  it('keeps projects with an nx-fleet:docker-build target, sorted by name', () => {
    const nodes: ProjectGraphProjectNode[] = [
      nodeWith('orders', ['nx-fleet:docker-build', 'nx-fleet:docker-push']),
      nodeWith('web', ['@nx/vite:build']),
      nodeWith('billing', ['nx:run-commands', 'nx-fleet:docker-build']),
      nodeWith('push-only', ['nx-fleet:docker-push']),
      nodeWith('lookalike', ['@acme/nx-fleet:docker-build']),
      { name: 'no-targets', type: 'lib', data: { root: 'libs/x' } },
    ];
    expect(serviceNodes(nodes).map((n) => n.name)).toEqual(['billing', 'orders']);
  });

  it('does not reorder its input', () => {
    const nodes = [nodeWith('b', ['nx-fleet:docker-build']), nodeWith('a', ['nx-fleet:docker-build'])];
    serviceNodes(nodes);
    expect(nodes.map((n) => n.name)).toEqual(['b', 'a']);
  });
});

describe('foreignBuildTarget', () => {
  it("is nothing for nx-fleet's own build target, or one the graph does not state", () => {
    expect(foreignBuildTarget('gateway', 'docker-build', { executor: BUILD_EXECUTOR })).toBeUndefined();
    expect(foreignBuildTarget('gateway', 'docker-build', undefined)).toBeUndefined();
  });

  it('names the command that replaces it, and both ways out', () => {
    const why = foreignBuildTarget('gateway', 'docker-build', {
      executor: 'nx:run-commands',
      options: { command: 'docker build -f backend/gateway/Dockerfile . -t erxes/erxes-next-gateway' },
    });
    expect(why).toBe(
      "gateway:docker-build runs `docker build -f backend/gateway/Dockerfile . -t erxes/erxes-next-gateway` (nx:run-commands), not nx-fleet:docker-build: the project's own configuration replaces nx-fleet's docker-build, which writes the image record scan, contract-verify and docker-push use. Carry that build over with `nx g nx-fleet:adopt gateway` (its image name, context, build args and dependsOn become nx-fleet's docker-build), or give nx-fleet's build target another name (plugin option buildTargetName).",
    );
    expect(foreignBuildTarget('web', 'image', { executor: '@nx-tools/nx-container:build' })).toMatch(
      /^web:image runs @nx-tools\/nx-container:build, not nx-fleet:docker-build/,
    );
  });

  it('asks to rename a package.json script, which adopt reports and does not carry over (pnpm-turbo-repo)', () => {
    const why = foreignBuildTarget('web', 'docker-build', {
      executor: 'nx:run-script',
      options: { command: 'docker build -t web .' },
    });
    expect(why).toContain('Rename that package.json script (adopt reports npm scripts, it does not carry them over');
    expect(why).not.toContain('nx g nx-fleet:adopt');
  });
});

describe('packageScripts', () => {
  it('keeps the string-valued scripts of a manifest, and none of anything else', () => {
    expect(packageScripts({ scripts: { build: 'tsc', odd: 1, postinstall: 'gulp build' } })).toEqual({
      build: 'tsc',
      postinstall: 'gulp build',
    });
    expect(packageScripts({ scripts: 'tsc' })).toEqual({});
    expect(packageScripts({ scripts: null })).toEqual({});
    expect(packageScripts(undefined)).toEqual({});
  });
});
