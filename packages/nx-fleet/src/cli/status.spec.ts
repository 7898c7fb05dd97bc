import { describe, expect, it } from 'vitest';
import type { ImageRecord, PushRecord } from '../image/records';
import { formatStatusTable, statusCommand, type ServiceStatus } from './status';

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
