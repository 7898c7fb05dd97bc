import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { buildServiceImage } from './build';
import { CONTENT_TAG_LABEL } from './content-label';
import type { ImageRecord } from './records';
import {
  gatherSourceFacts,
  refusedRecord,
  sourcesContentTag,
  verifyRecord,
  type RecordFacts,
  type RecordVerdict,
} from './verify-record';

const TAG = 'ct-11111111111111111111111111111111';
const OLDER = 'ct-00000000000000000000000000000000';
const ID = `sha256:${'a'.repeat(64)}`;
const record: ImageRecord = {
  image: 'orders',
  contentTag: TAG,
  localRef: `orders:${TAG}`,
  imageId: ID,
  engine: 'podman',
  platforms: [],
  built: true,
  recordedAt: '2025-06-01T00:00:00.000Z',
};
const labelled = (tag: string, id = ID) => ({ id, labels: { [CONTENT_TAG_LABEL]: tag, team: 'orders' } });
const facts = (over: Partial<RecordFacts> = {}): RecordFacts => ({
  record,
  image: 'orders',
  sourcesTag: TAG,
  local: labelled(TAG),
  ...over,
});

describe('verifyRecord', () => {
  const table: [string, RecordFacts, RecordVerdict][] = [
    ['the record, the sources and the local image agree', facts(), { kind: 'trusted' }],
    [
      'a record restored from another machine: same sources, same label, another image id',
      facts({ local: labelled(TAG, `sha256:${'b'.repeat(64)}`) }),
      {
        kind: 'trusted',
        note: `orders:${TAG} is sha256:${'b'.repeat(64)}, another build of the same sources than the recorded ${ID}`,
      },
    ],
    [
      'a record without an image id (docker-build reused an image) and a labelled local image',
      facts({ record: { ...record, imageId: undefined }, local: labelled(TAG, `sha256:${'c'.repeat(64)}`) }),
      { kind: 'trusted' },
    ],
    [
      'a poisoned cache entry: an older content tag (the registry may still hold it)',
      facts({ record: { ...record, contentTag: OLDER, localRef: `orders:${OLDER}` }, local: labelled(OLDER) }),
      { kind: 'refuse', why: `it records content tag ${OLDER}, but the current sources give ${TAG}` },
    ],
    [
      'restored for other contents of files git ignores, which Nx does not hash: named, with the fix',
      facts({
        record: { ...record, contentTag: OLDER, localRef: `orders:${OLDER}` },
        unhashed: { files: ['.env', 'coverage/a.json', 'coverage/lcov.info'], committed: [] },
      }),
      {
        kind: 'refuse',
        why:
          `it records content tag ${OLDER}, but the current sources give ${TAG} (the build context sends 3 files ` +
          '(.env, coverage/ (2 files)), which match ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash them and a cache hit cannot see them change. ' +
          "Add them to the context's .dockerignore unless the image needs them; if it does, carry them as the output of the build that writes them " +
          '(docker-build\'s "contextOutputs", and "dependsOn" on that build, whose "outputs" hold them), or set docker-build\'s "cache": false.)',
      },
    ],
    [
      "restored for other contents of a committed file .gitignore matches (puter's config.default.json): the rule is named",
      facts({
        record: { ...record, contentTag: OLDER, localRef: `orders:${OLDER}` },
        unhashed: { files: ['.env', 'config.default.json'], committed: ['config.default.json'] },
      }),
      {
        kind: 'refuse',
        why:
          `it records content tag ${OLDER}, but the current sources give ${TAG} (the build context sends 2 files ` +
          '(.env, config.default.json), which match ignore rules Nx follows (.gitignore, .ignore, .nxignore), so Nx does not hash them and a cache hit cannot see them change. ' +
          'Of them, 1 file (config.default.json) is committed: change the rule that matches it so Nx hashes it (`git check-ignore -v --no-index config.default.json` names a .gitignore one); ' +
          "add the others to the context's .dockerignore unless the image needs them.)",
      },
    ],
    [
      "a localRef naming another service's image",
      facts({ record: { ...record, localRef: `payments:${TAG}` } }),
      { kind: 'refuse', why: `its localRef "payments:${TAG}" is not "orders:${TAG}"` },
    ],
    [
      'a localRef naming a base image',
      facts({ record: { ...record, localRef: 'docker.io/library/node:20' } }),
      { kind: 'refuse', why: `its localRef "docker.io/library/node:20" is not "orders:${TAG}"` },
    ],
    [
      'a localRef with another tag of this image',
      facts({ record: { ...record, localRef: `orders:${OLDER}` } }),
      { kind: 'refuse', why: `its localRef "orders:${OLDER}" is not "orders:${TAG}"` },
    ],
    [
      'a record naming another image (the option "image" says otherwise)',
      facts({ image: 'acme/orders' }),
      { kind: 'refuse', why: `it names the image "orders"; this service's image is "acme/orders"` },
    ],
    [
      'the local image is missing (a remote-cache hit)',
      facts({ local: undefined }),
      { kind: 'rebuild', why: `orders:${TAG} is not on this machine` },
    ],
    [
      'the local image has no label (an older nx-fleet built it)',
      facts({ local: { id: ID, labels: {} } }),
      {
        kind: 'rebuild',
        why: `the local image orders:${TAG} has no ${CONTENT_TAG_LABEL} label (not built by this nx-fleet), so it is not trusted`,
      },
    ],
    [
      'the local image under the tag was built from other sources (retagged)',
      facts({ local: labelled(OLDER) }),
      { kind: 'rebuild', why: `the local image orders:${TAG} was built from content tag ${OLDER}` },
    ],
    [
      'the record is checked before the local image: a wrong tag is refused even without a local image',
      facts({ sourcesTag: OLDER, local: undefined }),
      { kind: 'refuse', why: `it records content tag ${TAG}, but the current sources give ${OLDER}` },
    ],
  ];
  it.each(table)('%s', (_name, input, verdict) => {
    expect(verifyRecord(input)).toEqual(verdict);
  });
});

describe('sourcesContentTag', () => {
  it("is docker-build's content tag, computed without the engine", async () => {
    const options = { ...ordersBuildOptions, buildArgs: { NODE_ENV: 'production' }, platforms: ['linux/amd64'] };
    const built = await buildServiceImage(imageWorkspace().ports, options, ordersService());
    const { ports, tools } = imageWorkspace();
    expect(await sourcesContentTag(ports, options, ordersService())).toBe(built.contentTag);
    expect(await sourcesContentTag(ports, { ...options, target: 'runtime' }, ordersService())).not.toBe(
      built.contentTag,
    );
    expect(tools.processes.calls).toEqual([]);
  });
});

describe('gatherSourceFacts', () => {
  it('asks git what the context sends unhashed only when the sources give another tag than the record', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-fleet-unhashed-'));
    try {
      mkdirSync(join(root, 'services/orders/coverage'), { recursive: true });
      writeFileSync(join(root, 'services/orders/main.js'), '');
      writeFileSync(join(root, 'services/orders/coverage/lcov.info'), '');
      const service = ordersService(root);
      const { ports, tools } = imageWorkspace({ workspaceRoot: root });
      tools.gitIgnored.push('coverage/');
      const sourcesTag = await sourcesContentTag(ports, ordersBuildOptions, service);
      const gather = (contentTag: string) =>
        gatherSourceFacts(ports, {
          record: { ...record, contentTag },
          service,
          buildOptions: () => ordersBuildOptions,
        });
      expect(await gather(sourcesTag)).not.toHaveProperty('unhashed');
      expect(tools.processes.calls).toEqual([]);
      expect(await gather(OLDER)).toMatchObject({
        sourcesTag,
        unhashed: { files: ['coverage/lcov.info'], committed: [] },
      });
      expect(tools.processes.calls).toEqual([
        expect.objectContaining({ command: 'git', options: { cwd: join(root, 'services/orders') } }),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('refusedRecord', () => {
  it('names the record file, what differed and what to run', () => {
    expect(refusedRecord({ projectName: 'orders', projectRoot: 'services/orders' }, 'it differs').message).toBe(
      'nx-fleet: orders: dist/fleet/services/orders/image.json is not trusted: it differs. It was restored from a cache ' +
        'or edited; nothing was pushed or recorded. Run its docker-build target again without the cache (--skip-nx-cache).',
    );
  });
});
