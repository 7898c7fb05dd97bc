import { join } from 'node:path';
import {
  imageRecordPath,
  pushRecordPath,
  readImageRecord,
  readPushRecord,
  type ImageRecord,
  type PushRecord,
} from '../image/records';

/** What docker-build and docker-push last recorded for a service, by its project root. */
export interface ServiceRecords {
  image(projectRoot: string): Promise<ImageRecord | undefined>;
  push(projectRoot: string): Promise<PushRecord | undefined>;
}

export function workspaceRecords(workspaceRoot: string): ServiceRecords {
  return {
    image: (root) => readImageRecord(join(workspaceRoot, imageRecordPath(root))),
    push: (root) => readPushRecord(join(workspaceRoot, pushRecordPath(root))),
  };
}
