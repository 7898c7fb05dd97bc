import { describe, expect, it } from 'vitest';
import { fakeContainerTools } from '../testing/fake-container-tools';
import { collectingLog, fakeGit, fixedClock, memoryFiles } from '../testing/fake-ports';
import { buildServiceImage, type BuildOptions } from './build';
import { engineHolding } from './local-image';
import type { ImageRecord } from './records';
import type { ServiceRef } from './service-ref';

const service: ServiceRef = {
  workspaceRoot: '/ws',
  projectName: 'orders',
  projectRoot: 'services/orders',
  graph: { nodes: {}, dependencies: {} },
};
const buildOptions: BuildOptions = {
  dockerfile: 'services/orders/Dockerfile',
  context: 'services/orders',
  engine: 'podman',
};

function setup() {
  const tools = fakeContainerTools();
  const log = collectingLog();
  const ports = {
    processes: tools.processes,
    files: memoryFiles({ '/ws/services/orders/Dockerfile': 'FROM scratch\n', '/ws/services/orders': '' }),
    git: fakeGit(),
    env: {},
    log,
    clock: fixedClock(),
    pruning: { prunedManifests: () => ({}), workspaceDataDirectory: '/nonexistent' },
  };
  return { ports, tools, log };
}

/** The record docker-build wrote on another machine (a remote-cache hit): this engine never built it. */
async function recordedElsewhere(): Promise<ImageRecord> {
  return buildServiceImage(setup().ports, buildOptions, service);
}

describe('engineHolding', () => {
  it('answers the recorded engine, without building, when it holds the image', async () => {
    const record = await recordedElsewhere();
    const { ports, tools, log } = setup();
    tools.images.add(record.localRef);
    const engine = await engineHolding(ports, { record, service, buildOptions: () => buildOptions, why: 'scan' });
    expect(engine.name).toBe('podman');
    expect(tools.processes.calls.map((call) => call.args.slice(0, 2).join(' '))).toEqual(['image exists']);
    expect(log.messages).toEqual([]);
  });

  it('rebuilds an image this machine lacks from the same sources', async () => {
    const record = await recordedElsewhere();
    const { ports, tools, log } = setup();
    await engineHolding(ports, { record, service, buildOptions: () => buildOptions, why: 'the scan reads it' });
    expect(tools.images.has(record.localRef)).toBe(true);
    expect(log.of('info')[0]).toBe(
      `nx-fleet: ${record.localRef} is not on this machine (the scan reads it); rebuilding it.`,
    );
  });

  it('refuses a rebuild whose sources no longer give the recorded content tag', async () => {
    const record = { ...(await recordedElsewhere()), contentTag: 'ct-recorded' };
    const { ports } = setup();
    await expect(
      engineHolding(ports, { record, service, buildOptions: () => buildOptions, why: 'scan' }),
    ).rejects.toThrow(
      /^nx-fleet: the sources of orders changed since docker-build recorded ct-recorded \(now ct-[0-9a-f]{32}\); run docker-build again\.$/,
    );
  });
});
