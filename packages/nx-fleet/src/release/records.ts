import { join } from 'node:path';
import type { FilePort } from '../io/ports';
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

export function serviceRecords(workspaceRoot: string, files: Pick<FilePort, 'readText'>): ServiceRecords {
  return {
    image: (root) => readImageRecord(join(workspaceRoot, imageRecordPath(root)), files),
    push: (root) => readPushRecord(join(workspaceRoot, pushRecordPath(root)), files),
  };
}
