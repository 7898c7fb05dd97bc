import { describe, expect, it } from 'vitest';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { buildServiceImage } from './build';
import { CONTENT_TAG_LABEL } from './content-label';
import { engineHolding } from './local-image';
import type { ImageRecord } from './records';

const service = ordersService();
const buildOptions = ordersBuildOptions;
const setup = () => imageWorkspace();
const holding = (ports: ReturnType<typeof setup>['ports'], record: ImageRecord, why = 'scan') =>
  engineHolding(ports, { record, service, buildOptions: () => buildOptions, why });

/** The record docker-build wrote on another machine (a remote-cache hit): this engine never built it. */
async function recordedElsewhere(): Promise<ImageRecord> {
  return buildServiceImage(setup().ports, buildOptions, service);
}

describe('engineHolding', () => {
  it('answers the recorded engine, without building, when it holds the image labelled with the content tag', async () => {
    const record = await recordedElsewhere();
    const { ports, tools, log } = setup();
    tools.images.add(record.localRef);
    tools.labels.set(record.localRef, { [CONTENT_TAG_LABEL]: record.contentTag });
    const engine = await holding(ports, record);
    expect(engine.name).toBe('podman');
    expect(tools.processes.calls.map((call) => call.args.slice(0, 2).join(' '))).toEqual(['image inspect']);
    expect(log.messages).toEqual([]);
  });

  it('rebuilds an image this machine lacks from the same sources', async () => {
    const record = await recordedElsewhere();
    const { ports, tools, log } = setup();
    await holding(ports, record, 'the scan reads it');
    expect(tools.images.has(record.localRef)).toBe(true);
    expect(log.of('info')[0]).toBe(
      `nx-fleet: ${record.localRef} is not on this machine; rebuilding it (the scan reads it).`,
    );
  });

  it('rebuilds, never trusts, a local image without the content-tag label (an older nx-fleet built it)', async () => {
    const record = await recordedElsewhere();
    const { ports, tools, log } = setup();
    tools.images.add(record.localRef);
    await holding(ports, record);
    expect(tools.processes.calls.filter((call) => call.args[0] === 'build')).toHaveLength(1);
    expect(tools.labels.get(record.localRef)?.[CONTENT_TAG_LABEL]).toBe(record.contentTag);
    expect(log.of('info')[0]).toMatch(/has no dev\.nx-fleet\.content-tag label .*; rebuilding it \(scan\)\.$/);
  });

  it('refuses a record whose content tag the current sources do not give, before anything is built', async () => {
    const recorded = await recordedElsewhere();
    const record = { ...recorded, contentTag: 'ct-recorded', localRef: 'orders:ct-recorded' };
    const { ports, tools } = setup();
    await expect(holding(ports, record)).rejects.toThrow(
      /^nx-fleet: orders: dist\/fleet\/services\/orders\/image\.json is not trusted: it records content tag ct-recorded, but the current sources give ct-[0-9a-f]{32}\. /,
    );
    expect(tools.processes.calls.filter((call) => call.args[0] === 'build')).toEqual([]);
  });

  it("refuses a localRef naming another service's image", async () => {
    const record = await recordedElsewhere();
    const { ports, tools } = setup();
    tools.images.add(`payments:${record.contentTag}`);
    await expect(holding(ports, { ...record, localRef: `payments:${record.contentTag}` })).rejects.toThrow(
      `is not trusted: its localRef "payments:${record.contentTag}" is not "orders:${record.contentTag}".`,
    );
  });
});
