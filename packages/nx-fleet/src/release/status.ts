import type { ProjectGraphProjectNode } from '@nx/devkit';
import type { ImageRecord, PushRecord } from '../image/records';
import { serviceNodes } from '../services/projects';
import { formatTable } from '../text/table';
import type { ServiceRecords } from './records';

export interface ServiceStatus {
  project: string;
  root: string;
  image?: ImageRecord;
  push?: PushRecord;
}

/** Every service of the graph with what its last build and push recorded. */
export function serviceStatuses(
  nodes: readonly ProjectGraphProjectNode[],
  records: ServiceRecords,
): Promise<ServiceStatus[]> {
  return Promise.all(
    serviceNodes(nodes).map(async (node) => ({
      project: node.name,
      root: node.data.root,
      image: await records.image(node.data.root),
      push: await records.push(node.data.root),
    })),
  );
}

export function formatStatusTable(statuses: readonly ServiceStatus[]): string {
  const rows = statuses.map((s) => [
    s.project,
    s.image ? `${s.image.image}:${s.image.contentTag}` : '-',
    s.image ? (s.image.built ? 'built' : 'reused') : 'not built',
    s.push ? (s.push.uploaded ? 'uploaded' : 'present') : 'not pushed',
    s.push?.reference ?? '-',
  ]);
  return formatTable(['SERVICE', 'IMAGE', 'BUILD', 'PUSH', 'PINNED REFERENCE'], rows);
}
