import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServiceImage } from '../image/build';
import { imageRecordPath } from '../image/records';
import type { GitPort } from '../io/ports';
import { fakeGit } from '../testing/fake-ports';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { pushEach, type PushOutcome } from './batch';

const REGISTRY = { FLEET_REGISTRY: 'localhost:5000', HOME: '/nonexistent' };

describe('pushEach', () => {
  it('reports every push under its own task with its own output, a failure alone, asking git once per checkout', async () => {
    const folders: string[] = [];
    const git: GitPort = {
      ...fakeGit(),
      revision: async (cwd) => {
        folders.push(cwd);
        return { sha: '0123456789abcdef0123456789abcdef01234567', committedAt: '2025-01-01T00:00:00Z' };
      },
    };
    const { tools, ports, log } = imageWorkspace({ env: REGISTRY, git });
    const record = await buildServiceImage(
      imageWorkspace({ env: REGISTRY }).ports,
      ordersBuildOptions,
      ordersService(),
    );
    await ports.files.writeText(join('/ws', imageRecordPath('services/orders')), JSON.stringify(record));
    tools.manifests.set(`docker://localhost:5000/orders:${record.contentTag}`, 'pushed before');
    const push = (id: string, root: string) => ({
      id,
      request: { service: ordersService(root), options: { attachSbom: false }, buildOptions: () => ordersBuildOptions },
    });

    const outcomes: PushOutcome[] = [];
    for await (const outcome of pushEach(ports, [push('a', '/ws'), push('b', '/elsewhere'), push('c', '/ws')], 2))
      outcomes.push(outcome);

    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
    expect(Object.keys(byId).sort()).toEqual(['a', 'b', 'c']);
    expect(byId['a']).toMatchObject({ success: true });
    expect(byId['a']!.output).toMatch(/^nx-fleet: orders: already present, no upload: localhost:5000\/orders@sha256:/);
    expect(byId['c']).toMatchObject({ success: true });
    expect(byId['b']).toEqual(
      expect.objectContaining({
        success: false,
        output: `nx-fleet: dist/fleet/services/orders/image.json is missing; run the docker-build target of orders first.\n`,
      }),
    );
    expect([...new Set(folders)].sort()).toEqual(['/elsewhere', '/ws']);
    expect(folders).toHaveLength(2);
    // Nothing reaches the shared log: each task's lines are its own output.
    expect(log.messages).toEqual([]);
  });
});
