import type { ProjectGraphProjectNode } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import type { ImageRecord, PushRecord } from '../image/records';
import { fleetServices, formatStatusTable, statusCommand, type ServiceStatus } from './status';

function node(name: string, executors: string[]): ProjectGraphProjectNode {
  return {
    name,
    type: 'app',
    data: {
      root: `services/${name}`,
      targets: Object.fromEntries(executors.map((executor, i) => [`t${i}`, { executor }])),
    },
  };
}

describe('fleetServices', () => {
  it('keeps projects with an nx-fleet:docker-build target, sorted by name', () => {
    const nodes: ProjectGraphProjectNode[] = [
      node('orders', ['nx-fleet:docker-build', 'nx-fleet:docker-push']),
      node('web', ['@nx/vite:build']),
      node('billing', ['nx:run-commands', 'nx-fleet:docker-build']),
      node('push-only', ['nx-fleet:docker-push']),
      node('lookalike', ['@acme/nx-fleet:docker-build']),
      { name: 'no-targets', type: 'lib', data: { root: 'libs/x' } },
    ];
    expect(fleetServices(nodes).map((n) => n.name)).toEqual(['billing', 'orders']);
  });

  it('does not reorder its input', () => {
    const nodes = [node('b', ['nx-fleet:docker-build']), node('a', ['nx-fleet:docker-build'])];
    fleetServices(nodes);
    expect(nodes.map((n) => n.name)).toEqual(['b', 'a']);
  });
});

describe('formatStatusTable', () => {
  const image = (built: boolean): ImageRecord => ({
    image: 'acme/orders',
    contentTag: 'ct-1234',
    localRef: 'acme/orders:ct-1234',
    engine: 'podman',
    platforms: [],
    built,
    recordedAt: '2025-01-01T00:00:00.000Z',
  });
  const push = (uploaded: boolean): PushRecord => ({
    repository: 'localhost:5000/acme/orders',
    digest: 'sha256:abcd',
    reference: 'localhost:5000/acme/orders@sha256:abcd',
    tags: ['ct-1234'],
    uploaded,
    destination: 'registry',
    pushedAt: '2025-01-01T00:00:00.000Z',
  });

  it('prints only the header for no services', () => {
    expect(formatStatusTable([])).toBe('SERVICE  IMAGE  BUILD  PUSH  PINNED REFERENCE');
  });

  it('aligns columns and spells every state', () => {
    const statuses: ServiceStatus[] = [
      { project: 'orders', root: 'services/orders', image: image(true), push: push(true) },
      { project: 'billing', root: 'services/billing', image: image(false), push: push(false) },
      { project: 'web', root: 'apps/web' },
    ];
    expect(formatStatusTable(statuses).split('\n')).toEqual([
      'SERVICE  IMAGE                BUILD      PUSH        PINNED REFERENCE',
      'orders   acme/orders:ct-1234  built      uploaded    localhost:5000/acme/orders@sha256:abcd',
      'billing  acme/orders:ct-1234  reused     present     localhost:5000/acme/orders@sha256:abcd',
      'web      -                    not built  not pushed  -',
    ]);
  });

  it('leaves no trailing spaces', () => {
    const table = formatStatusTable([{ project: 'a-very-long-service-name', root: 'x' }]);
    for (const line of table.split('\n')) expect(line).toBe(line.trimEnd());
  });
});

describe('statusCommand', () => {
  it('declares --json and documents it', () => {
    expect(statusCommand.options).toEqual({ json: { type: 'boolean' } });
    expect(statusCommand.help).toContain('Usage: nx-fleet status [--json]');
    expect(statusCommand.summary).not.toBe('');
  });
});
