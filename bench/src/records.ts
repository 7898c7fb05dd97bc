import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ImageRecord {
  contentTag: string;
  built: boolean;
  recordedAt: string;
}
interface PushRecord {
  digest: string;
  uploaded: boolean;
  pushedAt: string;
}

export type BuildOutcome = 'built' | 'reused image' | 'cache hit' | 'not run';
export type PushOutcome = 'uploaded' | 'already in registry' | 'not run';

export interface ServiceOutcome {
  service: string;
  build: BuildOutcome;
  push: PushOutcome;
  digest?: string;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * What one `nx … -t docker-push` run did to a service, read from the records nx-fleet writes:
 * a record older than the run was restored from the Nx cache or left from an earlier run.
 */
export function outcomeSince(root: string, service: string, projectRoot: string, since: Date): ServiceOutcome {
  const image = readJson<ImageRecord>(join(root, 'dist/fleet', projectRoot, 'image.json'));
  const push = readJson<PushRecord>(join(root, 'dist/fleet', projectRoot, 'push.json'));
  const pushedNow = !!push && new Date(push.pushedAt) >= since;
  const recordedNow = !!image && new Date(image.recordedAt) >= since;
  const build: BuildOutcome = recordedNow
    ? image!.built
      ? 'built'
      : 'reused image'
    : pushedNow
      ? 'cache hit'
      : 'not run';
  return {
    service,
    build,
    push: pushedNow ? (push!.uploaded ? 'uploaded' : 'already in registry') : 'not run',
    ...(pushedNow ? { digest: push!.digest } : {}),
  };
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map(
      (r) =>
        '  ' +
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
