import { posix } from 'node:path';
import picomatch from 'picomatch';

/** The file names that make a folder's project a service. */
export const CONTAINERFILE_NAMES = ['Dockerfile', 'Containerfile'] as const;
export const CONTAINERFILE_GLOB = '**/{Dockerfile,Containerfile}';

/** What lies beside a Dockerfile, read by the caller so that detection stays pure. */
export interface ProjectFiles {
  projectJson?: { name?: unknown };
  packageJson?: { name?: unknown };
}

export type Detection =
  | { kind: 'service'; root: string; dockerfile: string; name?: string }
  | { kind: 'excluded'; dockerfile: string; pattern: string }
  | { kind: 'orphan'; dockerfile: string };

export function detectService(dockerfile: string, files: ProjectFiles, exclude: readonly string[]): Detection {
  const pattern = exclude.find((glob) => picomatch(glob, { dot: true })(dockerfile));
  if (pattern) return { kind: 'excluded', dockerfile, pattern };
  if (!files.projectJson && !files.packageJson) return { kind: 'orphan', dockerfile };
  const root = posix.dirname(dockerfile);
  // Nx names a project.json project itself; a bare package.json outside npm workspaces would
  // stay nameless (which breaks every Nx command), so its package name is passed on.
  const name = files.projectJson ? undefined : stringOrUndefined(files.packageJson?.name);
  if (!files.projectJson && !name) return { kind: 'orphan', dockerfile };
  return { kind: 'service', root, dockerfile, name };
}

/** When a folder holds both, Dockerfile wins: it is what `docker build` picks by default. */
export function preferredContainerfile(dockerfiles: readonly string[]): string[] {
  const byRoot = new Map<string, string>();
  for (const file of dockerfiles) {
    const root = posix.dirname(file);
    const current = byRoot.get(root);
    if (!current || posix.basename(file) === 'Dockerfile') byRoot.set(root, file);
  }
  return [...byRoot.values()];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
