import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../io/ports';
import {
  contractRecordPath,
  imageNameFor,
  imageRecordPath,
  pushRecordPath,
  readImageRecord,
  RUN_SUMMARY_FILE,
  scanRecordDir,
  writeRecord,
  type ImageRecord,
  type PushRecord,
} from './records';

/** OCI distribution spec, repository name grammar. */
const OCI_REPOSITORY = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

describe('record paths', () => {
  it('puts records under dist/fleet/<projectRoot>', () => {
    expect(imageRecordPath('services/orders')).toBe('dist/fleet/services/orders/image.json');
    expect(pushRecordPath('services/orders')).toBe('dist/fleet/services/orders/push.json');
    expect(scanRecordDir('services/orders')).toBe('dist/fleet/services/orders');
    expect(contractRecordPath('services/orders')).toBe('dist/fleet/services/orders/contract-verify.json');
  });

  it("keeps a root service's records in dist/fleet itself, spelt as Nx spells its outputs", () => {
    expect(imageRecordPath('.')).toBe('dist/fleet/image.json');
    expect(pushRecordPath('.')).toBe('dist/fleet/push.json');
    expect(scanRecordDir('.')).toBe('dist/fleet');
    expect(contractRecordPath('.')).toBe('dist/fleet/contract-verify.json');
  });

  it('writes the run summary to dist/fleet/last-run.json', () => {
    expect(RUN_SUMMARY_FILE).toBe('dist/fleet/last-run.json');
  });
});

describe('imageNameFor', () => {
  it.each([
    ['@acme/Orders', 'acme/orders'],
    ['orders', 'orders'],
    ['Orders-API', 'orders-api'],
    ['orders_api.v2', 'orders_api.v2'],
    ['My Service!', 'my-service'],
    ['billing:worker', 'billing-worker'],
    ['a  +  b', 'a-b'],
    ['--orders--', 'orders'],
    // A scaffold's placeholder name: separators the OCI grammar does not allow in a row.
    ['@hasna/microservice-__name__', 'hasna/microservice-name'],
    ['a._b', 'a-b'],
    ['a___b', 'a-b'],
    ['a__b', 'a__b'],
    ['a--b', 'a--b'],
  ])('%s → %s', (project, image) => {
    expect(imageNameFor(project)).toBe(image);
    expect(image).toMatch(OCI_REPOSITORY);
  });

  it('throws for a name with no valid character, naming the project', () => {
    expect(() => imageNameFor('@@@')).toThrow(
      'nx-fleet: cannot derive an image name from project "@@@"; set the "image" option.',
    );
    expect(() => imageNameFor('💥')).toThrow(/project "💥"/);
    expect(() => imageNameFor('')).toThrow(/cannot derive an image name/);
  });

  // Registries reject a path component that starts with a separator.
  it('gives a valid repository name when a scoped name part starts with a separator', () => {
    expect(imageNameFor('@acme/_internal')).toMatch(OCI_REPOSITORY);
  });
});

describe('image records', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-fleet-record-spec-'));
  });

  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  const record: ImageRecord = {
    image: 'acme/orders',
    contentTag: 'ct-0123456789abcdef0123456789abcdef',
    localRef: 'acme/orders:ct-0123456789abcdef0123456789abcdef',
    imageId: 'sha256:abc',
    engine: 'podman',
    platforms: ['linux/amd64'],
    built: true,
    revision: 'a'.repeat(40),
    recordedAt: '2025-01-01T00:00:00.000Z',
  };

  it('writes a record (creating folders) and reads it back', async () => {
    const file = join(tmp, 'dist/fleet/services/orders/image.json');
    await writeRecord(file, record, nodeFiles);
    expect(await readImageRecord(file, nodeFiles)).toEqual(record);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "image": "acme/orders",');
  });

  it('writes a push record as JSON', async () => {
    const push: PushRecord = {
      repository: 'localhost:5000/acme/orders',
      digest: `sha256:${'f'.repeat(64)}`,
      reference: `localhost:5000/acme/orders@sha256:${'f'.repeat(64)}`,
      tags: ['ct-1', 'latest'],
      uploaded: false,
      destination: 'registry',
      pushedAt: '2025-01-01T00:00:00.000Z',
    };
    const file = join(tmp, 'push.json');
    await writeRecord(file, push, nodeFiles);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(push);
  });

  it('overwrites an existing record', async () => {
    const file = join(tmp, 'image.json');
    await writeRecord(file, record, nodeFiles);
    await writeRecord(file, { ...record, built: false }, nodeFiles);
    expect((await readImageRecord(file, nodeFiles))?.built).toBe(false);
  });

  it('reads undefined for a missing file', async () => {
    expect(await readImageRecord(join(tmp, 'nope/image.json'), nodeFiles)).toBeUndefined();
  });

  it('reads undefined for invalid or truncated JSON', async () => {
    const file = join(tmp, 'image.json');
    writeFileSync(file, '{ "image": "acme/or');
    expect(await readImageRecord(file, nodeFiles)).toBeUndefined();
    writeFileSync(file, '');
    expect(await readImageRecord(file, nodeFiles)).toBeUndefined();
  });

  it('reads undefined for JSON that is not a record object', async () => {
    const file = join(tmp, 'image.json');
    for (const text of ['null', '42', '[]', '"acme/orders"']) {
      writeFileSync(file, text);
      expect(await readImageRecord(file, nodeFiles)).toBeUndefined();
    }
  });
});
