import { createHash } from 'node:crypto';
import type { ContextFile } from './build-context';

/** Everything that decides what an image contains, and nothing else (no git SHA, no time). */
export interface ContentInputs {
  files: readonly ContextFile[];
  dockerfile: string;
  buildArgs: Readonly<Record<string, string>>;
  target?: string;
  platforms: readonly string[];
}

export const CONTENT_TAG_PREFIX = 'ct-';

export function contentTag(inputs: ContentInputs): string {
  const canonical = JSON.stringify({
    v: 1,
    files: inputs.files.map((file) => [file.path, file.sha256]),
    dockerfile: inputs.dockerfile,
    buildArgs: Object.entries(inputs.buildArgs).sort(([a], [b]) => a.localeCompare(b)),
    target: inputs.target ?? null,
    platforms: [...inputs.platforms].sort(),
  });
  return CONTENT_TAG_PREFIX + createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
