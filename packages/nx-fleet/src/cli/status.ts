import { join } from 'node:path';
import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { readImageRecord, readPushRecord, type ImageRecord, type PushRecord } from '../image/records';
import { imageRecordPath, pushRecordPath } from '../image/records';
import { serviceNodes } from '../services/projects';
import type { Command } from './command';

export interface ServiceStatus {
  project: string;
  root: string;
  image?: ImageRecord;
  push?: PushRecord;
}

export function formatStatusTable(statuses: readonly ServiceStatus[]): string {
  const rows = statuses.map((s) => [
    s.project,
    s.image ? `${s.image.image}:${s.image.contentTag}` : '-',
    s.image ? (s.image.built ? 'built' : 'reused') : 'not built',
    s.push ? (s.push.uploaded ? 'uploaded' : 'present') : 'not pushed',
    s.push?.reference ?? '-',
  ]);
  const header = ['SERVICE', 'IMAGE', 'BUILD', 'PUSH', 'PINNED REFERENCE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const statusCommand: Command = {
  summary: 'List the services and what their last docker-build and docker-push recorded',
  help: [
    'Usage: nx-fleet status [--json]',
    '',
    'Lists every project nx-fleet treats as a service, with the image and content tag from',
    'dist/fleet/<root>/image.json and the pushed digest from dist/fleet/<root>/push.json.',
    '',
    'Options:',
    '  --json  Print JSON instead of a table',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(values) {
    const graph = await createProjectGraphAsync({ exitOnError: false });
    const statuses: ServiceStatus[] = await Promise.all(
      serviceNodes(Object.values(graph.nodes)).map(async (node) => ({
        project: node.name,
        root: node.data.root,
        image: await readImageRecord(join(workspaceRoot, imageRecordPath(node.data.root))),
        push: await readPushRecord(join(workspaceRoot, pushRecordPath(node.data.root))),
      })),
    );
    console.log(values['json'] ? JSON.stringify(statuses, null, 2) : formatStatusTable(statuses));
    return 0;
  },
};
