import type { ProjectGraph, ProjectGraphProjectNode } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { describeCollision, graphCollisions, repositoryCollisions } from './collisions';

const service = (
  name: string,
  build: Record<string, unknown> = {},
  push: Record<string, unknown> = {},
): ProjectGraphProjectNode => ({
  name,
  type: 'app',
  data: {
    root: `services/${name}`,
    targets: {
      'docker-build': { executor: 'nx-fleet:docker-build', options: build },
      'docker-push': { executor: 'nx-fleet:docker-push', options: push },
    },
  },
});
const library = (name: string): ProjectGraphProjectNode => ({ name, type: 'lib', data: { root: `libs/${name}` } });

describe('repositoryCollisions', () => {
  const table: [string, ProjectGraphProjectNode[], ReturnType<typeof repositoryCollisions>][] = [
    ['distinct names', [service('orders'), service('payments')], []],
    [
      'a space and a dash derive the same repository',
      [service('my service'), service('my-service'), service('orders')],
      [{ repository: 'my-service', projects: ['my service', 'my-service'] }],
    ],
    [
      'case and an npm scope',
      [service('@acme/Orders'), service('acme/orders')],
      [{ repository: 'acme/orders', projects: ['@acme/Orders', 'acme/orders'] }],
    ],
    [
      'an image option naming another service’s repository',
      [service('orders'), service('orders-v2', { image: 'orders' })],
      [{ repository: 'orders', projects: ['orders', 'orders-v2'] }],
    ],
    ['an image option that separates them', [service('my service'), service('my-service', { image: 'mine' })], []],
    [
      'the same image in different registries does not collide',
      [service('orders', {}, { registry: 'a.example' }), service('orders2', { image: 'orders' })],
      [],
    ],
    ['projects that are not services are ignored', [service('orders'), library('orders')], []],
  ];
  it.each(table)('%s', (_name, nodes, expected) => {
    expect(repositoryCollisions(nodes)).toEqual(expected);
  });

  it('names both projects', () => {
    expect(describeCollision({ repository: 'my-service', projects: ['my service', 'my-service'] })).toBe(
      'the services "my service" and "my-service" share the image repository "my-service"; set a distinct "image" option on one of them',
    );
  });
});

describe('graphCollisions', () => {
  const graphOf = (nodes: ProjectGraphProjectNode[]): ProjectGraph => ({
    nodes: Object.fromEntries(nodes.map((n) => [n.name, n])),
    dependencies: {},
  });

  it("is repositoryCollisions of the graph's projects, the same answer for the same graph", () => {
    const graph = graphOf([service('my service'), service('my-service'), service('orders')]);
    const first = graphCollisions(graph);
    expect(first).toEqual(repositoryCollisions(Object.values(graph.nodes)));
    expect(graphCollisions(graph)).toBe(first);
    expect(graphCollisions(graphOf([service('orders')]))).toEqual([]);
  });
});
