import { describe, expect, it } from 'vitest';
import type { ProjectGraphProjectNode } from '@nx/devkit';
import { BUILD_EXECUTOR, isServiceProject, serviceNodes } from './projects';

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
