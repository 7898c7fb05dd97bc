import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { RECORDS_ROOT } from './records';

export interface ContextFile {
  path: string;
  sha256: string;
}

/**
 * The ignore file the engine itself would use: `<Dockerfile>.dockerignore` beside the Dockerfile
 * wins over `.dockerignore` at the context root (BuildKit and buildah both follow this rule).
 */
export function readIgnorePatterns(contextDir: string, dockerfile: string): string[] {
  return ignorePatternsOf(dockerfile, join(contextDir, '.dockerignore'));
}

/** The ignore file that rule picks for a context folder, if there is one. */
export function contextIgnoreFile(contextDir: string, dockerfile: string): string | undefined {
  return ignoreFileFor(dockerfile, join(contextDir, '.dockerignore'), existsSync);
}

/** The same rule, given where the context's root `.dockerignore` is (undefined: the context has none). */
export function ignorePatternsOf(dockerfile: string, contextIgnore: string | undefined): string[] {
  const file = ignoreFileFor(dockerfile, contextIgnore, existsSync);
  return file ? parseIgnoreFile(readFileSync(file, 'utf8')) : [];
}

/** Which ignore file the engine reads, by the rule above: the paths are whatever `exists` understands. */
export function ignoreFileFor(
  dockerfile: string,
  contextIgnore: string | undefined,
  exists: (file: string) => boolean,
): string | undefined {
  return [`${dockerfile}.dockerignore`, contextIgnore].find((file) => file !== undefined && exists(file));
}

export function parseIgnoreFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** Paths (posix, relative to the context) the engine would send, sorted so hashes are stable. */
export function filterContext(paths: readonly string[], ignorePatterns: readonly string[]): string[] {
  const ignore = dockerignore({ ignorecase: false }).add([...ignorePatterns]);
  return ignore.filter([...paths]).sort();
}

/**
 * Every file and symbolic link under the folder, as the engine sends them: a link is sent as a link
 * (to a folder, or to nothing, too), never followed.
 */
export async function listContextFiles(contextDir: string, dockerfile: string): Promise<string[]> {
  // A folder that is not there holds nothing (the caller names a missing context before it lists).
  const entries = await readdir(contextDir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const paths = entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    // `parentPath` from Node 20.12; `path` before it.
    .map((entry) =>
      relative(contextDir, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    );
  return filterContext(paths, readIgnorePatterns(contextDir, dockerfile));
}

/**
 * Folders at a context's root that Nx, git and nx-fleet (its records: a workspace context whose
 * `.dockerignore` keeps `dist`) rewrite as they run: a context holding them gets a new content tag each time.
 */
const VOLATILE_FOLDERS = ['.nx/cache', '.nx/workspace-data', '.git', RECORDS_ROOT] as const;

/** Which of those folders a context's files (as `listContextFiles` lists them) hold. */
export function volatileFoldersIn(listed: readonly string[]): string[] {
  return VOLATILE_FOLDERS.filter((folder) => listed.some((path) => path.startsWith(`${folder}/`)));
}

export async function hashContextFiles(contextDir: string, paths: readonly string[]): Promise<ContextFile[]> {
  return Promise.all(paths.map(async (path) => ({ path, sha256: await hashFile(join(contextDir, path)) })));
}

/**
 * Files up to this size are hashed from one synchronous read: a context is mostly small source files,
 * and for them a read is ~6x cheaper than a stream (3,600 files of a 200-service fleet: 45 ms against
 * 250-430 ms). Larger files are streamed, so memory stays flat.
 */
const READ_WHOLE_UP_TO = 1024 * 1024;

export async function hashFile(file: string): Promise<string> {
  const stat = lstatSync(file);
  // A link is what git and the engine keep of it: where it points.
  if (stat.isSymbolicLink())
    return createHash('sha256')
      .update(`symlink\0${readlinkSync(file)}`)
      .digest('hex');
  if (stat.size <= READ_WHOLE_UP_TO) return createHash('sha256').update(readFileSync(file)).digest('hex');
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
