import type { ProjectGraphProjectNode } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { imageRecordPath, pushRecordPath, type ImageRecord, type PushRecord } from '../image/records';
import { BUILD_EXECUTOR, PUSH_EXECUTOR } from '../services/projects';
import { memoryFiles } from '../testing/fake-ports';
import { serviceRecords } from './records';
import { formatStatusTable, serviceStatuses, type ServiceStatus } from './status';

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

  it('says there are no services, and what makes one, rather than a bare header', () => {
    expect(formatStatusTable([])).toBe(
      'No services: a project becomes one with a Dockerfile or Containerfile beside its project.json or package.json, or one its "metadata": { "fleet": { "dockerfile": … } } names (`nx g nx-fleet:adopt --dry-run` lists what already builds images).',
    );
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

  it('says when the last push is of an older content tag, and names services sharing a repository', () => {
    const older = { ...push(true), tags: ['ct-0999', '0123456789ab'] };
    const statuses: ServiceStatus[] = [
      { project: 'orders', root: 'services/orders', image: image(true), push: older, pushOutdated: true },
      { project: 'my service', root: 'services/a', image: image(true), sharesRepositoryWith: ['my-service'] },
      { project: 'my-service', root: 'services/b', sharesRepositoryWith: ['my service'] },
    ];
    const lines = formatStatusTable(statuses).split('\n');
    expect(lines[1]).toBe(
      'orders      acme/orders:ct-1234  built      uploaded, older: ct-0999  localhost:5000/acme/orders@sha256:abcd',
    );
    expect(lines.slice(4)).toEqual([
      '',
      'orders: the last push is of ct-0999, an older content tag than the current image ct-1234: run docker-push.',
      'error: the services "my service" and "my-service" share one image repository ("acme/orders"): docker-push refuses them until one sets a distinct "image" option.',
    ]);
  });

  it('leaves no trailing spaces', () => {
    const table = formatStatusTable([{ project: 'a-very-long-service-name', root: 'x' }]);
    for (const line of table.split('\n')) expect(line).toBe(line.trimEnd());
  });
});

describe('serviceStatuses', () => {
  const node = (name: string, root: string, executor: string): ProjectGraphProjectNode => ({
    name,
    type: 'app',
    data: { root, targets: { image: { executor } } },
  });

  it('lists the services by name with the records found under their roots', async () => {
    const image = { image: 'acme/orders', contentTag: 'ct-1', localRef: 'acme/orders:ct-1' } as ImageRecord;
    const push = { digest: 'sha256:abcd' } as PushRecord;
    const files = memoryFiles({
      [`/ws/${imageRecordPath('services/orders')}`]: JSON.stringify(image),
      [`/ws/${pushRecordPath('services/orders')}`]: JSON.stringify(push),
    });
    const nodes = [
      node('web', 'apps/web', BUILD_EXECUTOR),
      node('lib', 'libs/lib', 'nx:run-commands'),
      node('orders', 'services/orders', BUILD_EXECUTOR),
    ];
    expect(await serviceStatuses(nodes, serviceRecords('/ws', files), 'image')).toEqual([
      { project: 'orders', root: 'services/orders', image, push },
      { project: 'web', root: 'apps/web', image: undefined, push: undefined },
    ]);
  });

  it("lists a service whose build target the project's own configuration replaced, naming it, among the others", async () => {
    const replaced: ProjectGraphProjectNode = {
      name: 'cms',
      type: 'app',
      data: {
        root: 'apps/cms',
        targets: {
          image: { executor: 'nx:run-commands', options: { command: 'docker build -t cms .' } },
          'docker-push': { executor: PUSH_EXECUTOR },
        },
      },
    };
    const nodes = [node('web', 'apps/web', BUILD_EXECUTOR), replaced, node('lib', 'libs/lib', 'nx:run-commands')];
    const statuses = await serviceStatuses(nodes, serviceRecords('/ws', memoryFiles()), 'image');
    expect(statuses).toEqual([
      {
        project: 'cms',
        root: 'apps/cms',
        replacedBuild: expect.stringMatching(
          /^cms:image runs `docker build -t cms \.` \(nx:run-commands\), not nx-fleet:docker-build/,
        ),
      },
      { project: 'web', root: 'apps/web', image: undefined, push: undefined },
    ]);
    const lines = formatStatusTable(statuses).split('\n');
    expect(lines[1]).toMatch(/^cms +- +replaced +not pushed +-$/);
    expect(lines.at(-1)).toMatch(/^error: cms:image runs .*nx g nx-fleet:adopt cms/);
    // Alone, it is named rather than "No services".
    expect(formatStatusTable(await serviceStatuses([replaced], serviceRecords('/ws', memoryFiles()), 'image'))).toMatch(
      /^SERVICE .*\ncms .*replaced/,
    );
  });

  it('marks a push of another content tag than the image record, and services sharing a repository', async () => {
    const image = { image: 'orders', contentTag: 'ct-2', localRef: 'orders:ct-2' } as ImageRecord;
    const push = { digest: 'sha256:abcd', tags: ['ct-1', '0123456789ab'] } as PushRecord;
    const files = memoryFiles({
      [`/ws/${imageRecordPath('services/orders')}`]: JSON.stringify(image),
      [`/ws/${pushRecordPath('services/orders')}`]: JSON.stringify(push),
    });
    const nodes = [
      node('orders', 'services/orders', BUILD_EXECUTOR),
      node('my service', 'services/a', BUILD_EXECUTOR),
      node('my-service', 'services/b', BUILD_EXECUTOR),
    ];
    expect(await serviceStatuses(nodes, serviceRecords('/ws', files), 'image')).toEqual([
      { project: 'my service', root: 'services/a', sharesRepositoryWith: ['my-service'] },
      { project: 'my-service', root: 'services/b', sharesRepositoryWith: ['my service'] },
      { project: 'orders', root: 'services/orders', image, push, pushOutdated: true },
    ]);
  });
});
