import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../io/ports';
import { writeRecord, type ImageRecord, type PushRecord } from './records';
import { formatRunSummary, recordOutput, summarizeRun, type FinishedTask } from './run-summary';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-fleet-run-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const image: ImageRecord = {
  image: 'orders',
  contentTag: 'c0ffee',
  localRef: 'orders:c0ffee',
  engine: 'podman',
  platforms: [],
  built: true,
  recordedAt: 'now',
};
const push: PushRecord = {
  repository: '127.0.0.1:5000/orders',
  digest: 'sha256:ab',
  reference: '127.0.0.1:5000/orders@sha256:ab',
  tags: ['c0ffee'],
  uploaded: true,
  destination: 'registry',
  pushedAt: 'now',
};
const task = (project: string, target: string, outputs: string[], status = 'success'): FinishedTask => ({
  task: { id: `${project}:${target}`, target: { project, target }, outputs },
  status,
});

describe('recordOutput', () => {
  it('finds image.json and push.json among the outputs, whatever the target is called', () => {
    expect(recordOutput(['dist/fleet/services/orders/image.json'])).toEqual({
      kind: 'image',
      file: 'dist/fleet/services/orders/image.json',
    });
    expect(recordOutput(['{workspaceRoot}/dist/fleet/apps/a/push.json'])).toEqual({
      kind: 'push',
      file: '{workspaceRoot}/dist/fleet/apps/a/push.json',
    });
    // A service at the workspace root: its records in the folder itself.
    expect(recordOutput(['{workspaceRoot}/dist/fleet/image.json'])).toEqual({
      kind: 'image',
      file: '{workspaceRoot}/dist/fleet/image.json',
    });
    expect(recordOutput(['dist/apps/a', 'dist/fleet/a/scan/report.json', 'dist/fleet/last-run.json'])).toBeUndefined();
    expect(recordOutput(['dist/fleetwood/image.json'])).toBeUndefined();
  });
});

describe('summarizeRun', () => {
  it('reports what the records of the run say and ignores tasks that are not fleet tasks', async () => {
    await writeRecord(join(root, 'dist/fleet/services/orders/image.json'), image, nodeFiles);
    await writeRecord(join(root, 'dist/fleet/services/orders/push.json'), push, nodeFiles);
    const entries = await summarizeRun(
      root,
      [
        task('orders', 'docker-push', ['dist/fleet/services/orders/push.json']),
        task('orders', 'build', ['dist/services/orders']),
        task('orders', 'docker-build', ['dist/fleet/services/orders/image.json'], 'local-cache'),
      ],
      nodeFiles,
    );
    expect(entries).toEqual([
      { task: 'orders:docker-build', project: 'orders', status: 'local-cache', image: 'orders:c0ffee', built: true },
      { task: 'orders:docker-push', project: 'orders', status: 'success', pushed: push.reference, uploaded: true },
    ]);
  });

  it('never reports a failed task with the record an earlier run left behind', async () => {
    await writeRecord(join(root, 'dist/fleet/services/orders/push.json'), push, nodeFiles);
    const [entry] = await summarizeRun(
      root,
      [task('orders', 'docker-push', ['dist/fleet/services/orders/push.json'], 'failure')],
      nodeFiles,
    );
    expect(entry).toEqual({ task: 'orders:docker-push', project: 'orders', status: 'failure' });
  });

  it('reports a task whose record is missing or unreadable without a reference', async () => {
    const [entry] = await summarizeRun(root, [task('a', 'docker-build', ['dist/fleet/a/image.json'])], nodeFiles);
    expect(entry).toEqual({ task: 'a:docker-build', project: 'a', status: 'success' });
  });
});

describe('formatRunSummary', () => {
  it('counts builds, uploads and reused digests and lists the pinned references', () => {
    const text = formatRunSummary([
      { task: 'a:docker-build', project: 'a', status: 'success', image: 'a:1', built: true },
      { task: 'a:docker-push', project: 'a', status: 'success', pushed: 'r/a@sha256:1', uploaded: true },
      { task: 'b:docker-push', project: 'b', status: 'local-cache', pushed: 'r/b@sha256:2', uploaded: false },
      { task: 'c:docker-push', project: 'c', status: 'failure' },
    ]);
    expect(text).toBe(
      [
        'nx-fleet: 1 image(s) built, 1 uploaded, 1 already in the registry, 1 task(s) failed.',
        '  a: r/a@sha256:1',
        '  b: r/b@sha256:2',
      ].join('\n'),
    );
  });
});
