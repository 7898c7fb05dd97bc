import { createHash } from 'node:crypto';
import type { ContextFile } from './build-context';

/** Everything that decides what an image contains, and nothing else (no git SHA, no time). */
export interface ContentInputs {
  files: readonly ContextFile[];
  dockerfile: string;
  buildArgs: Readonly<Record<string, string>>;
  target?: string;
  platforms: readonly string[];
  /** Named build contexts by name: a folder's files, or an image reference as written. */
  namedContexts?: ReadonlyArray<{ name: string; files?: readonly ContextFile[]; ref?: string }>;
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
    // Only when there are any: the tags of every image built without them stay what they were.
    ...(inputs.namedContexts?.length
      ? {
          contexts: [...inputs.namedContexts]
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
            .map(({ name, files, ref }) => [name, ref ?? files?.map((file) => [file.path, file.sha256]) ?? []]),
        }
      : {}),
  });
  return CONTENT_TAG_PREFIX + createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
