import { join } from 'node:path';
import type { FilePort } from '../io/ports';
import { readImageRecord, readPushRecord, RECORDS_ROOT } from './records';

/** What Nx tells a postTasksExecution hook about one task (the fields this module reads). */
export interface FinishedTask {
  task: { id: string; target: { project: string; target: string }; outputs: readonly string[] };
  status: string;
}

export interface RunEntry {
  task: string;
  project: string;
  status: string;
  /** `name:contentTag` from image.json, for build tasks. */
  image?: string;
  built?: boolean;
  /** Digest-pinned reference from push.json, for push tasks. */
  pushed?: string;
  uploaded?: boolean;
}

// A root service's records sit in the records folder itself (`dist/fleet/image.json`).
const RECORD = new RegExp(`(^|/)${RECORDS_ROOT}/(?:.+/)?(image|push)\\.json$`);

/** The fleet record a task writes (image.json or push.json), found by its declared outputs whatever the target is named. */
export function recordOutput(outputs: readonly string[]): { kind: 'image' | 'push'; file: string } | undefined {
  for (const output of outputs) {
    const match = RECORD.exec(output);
    if (match) return { kind: match[2] as 'image' | 'push', file: output };
  }
  return undefined;
}

/**
 * One entry per docker-build and docker-push task of a run, with what its record says now: the
 * images CI just built and the digests it just pushed, without knowing the services in advance.
 */
export async function summarizeRun(
  workspaceRoot: string,
  results: readonly FinishedTask[],
  files: Pick<FilePort, 'readText'>,
): Promise<RunEntry[]> {
  const entries = await Promise.all(
    results.map(async ({ task, status }): Promise<RunEntry | undefined> => {
      const record = recordOutput(task.outputs);
      if (!record) return undefined;
      const base = { task: task.id, project: task.target.project, status };
      const file = join(workspaceRoot, record.file);
      if (record.kind === 'image') {
        const image = status === 'failure' ? undefined : await readImageRecord(file, files);
        return image ? { ...base, image: `${image.image}:${image.contentTag}`, built: image.built } : base;
      }
      const push = status === 'failure' ? undefined : await readPushRecord(file, files);
      return push ? { ...base, pushed: push.reference, uploaded: push.uploaded } : base;
    }),
  );
  return entries.filter((entry): entry is RunEntry => entry !== undefined).sort((a, b) => a.task.localeCompare(b.task));
}

export function formatRunSummary(entries: readonly RunEntry[]): string {
  const pushes = entries.filter((e) => e.pushed);
  const uploaded = pushes.filter((e) => e.uploaded).length;
  const built = entries.filter((e) => e.built).length;
  const failed = entries.filter((e) => e.status === 'failure').length;
  const lines = [
    `nx-fleet: ${built} image(s) built, ${uploaded} uploaded, ${pushes.length - uploaded} already in the registry${failed ? `, ${failed} task(s) failed` : ''}.`,
    ...pushes.map((e) => `  ${e.project}: ${e.pushed}`),
  ];
  return lines.join('\n');
}
