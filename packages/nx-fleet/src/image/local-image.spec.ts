import { describe, expect, it } from 'vitest';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { buildServiceImage } from './build';
import { engineHolding } from './local-image';
import type { ImageRecord } from './records';

const service = ordersService();
const buildOptions = ordersBuildOptions;
const setup = () => imageWorkspace();

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
