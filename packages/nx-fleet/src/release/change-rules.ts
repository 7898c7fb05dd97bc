import { posix } from 'node:path';
import picomatch from 'picomatch';
import { refinedFolders } from '../text/folder-globs';

/**
 * Seed.run's change rules, as Nx inputs. Nx ignores a change to a file outside every project; for
 * services such a file (a root script, a shared Dockerfile fragment, tool config) can change what is
 * built or deployed, so it affects every service — except what cannot reach an image or a deployment
 * (`DEFAULT_RELEASE_IGNORE`: CI and editor configuration, changesets, documentation, licences, logs).
 */

/**
 * Never "shared" files: Nx already handles nx.json (everything) and the lockfiles (only the projects
 * whose dependencies changed, rule d), and the rest is build output, caches or VCS data.
 */
const NOT_SHARED = new Set([
  'nx.json',
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  '.git',
  'node_modules',
  'dist',
  'tmp',
  '.nx',
  'coverage',
  '.angular',
  '.cache',
]);

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * Workspace paths outside every project, as globs: each top-level entry that neither is a project
 * root nor holds one, and, inside folders that hold projects, each such entry again. Ignored paths
 * (`**\/*.md` or `*.md` match Markdown anywhere, `docs/**` a folder) are left out.
 */
export function sharedPatterns(input: {
  projectRoots: readonly string[];
  entriesOf: (dir: string) => readonly DirEntry[];
  ignore: readonly string[];
}): string[] {
  const roots = new Set(input.projectRoots.filter((root) => root !== '.' && root !== ''));
  const ancestors = (path: string) =>
    path
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  // Folders holding a project, or an ignored path (`deploy/` for the ledger): listed entry by entry, not as a whole.
  const literalPrefix = (pattern: string) =>
    pattern
      .split('/')
      .filter((_, i, parts) => parts.slice(0, i + 1).every((part) => !/[*?[{]/.test(part)))
      .join('/');
  const holders = new Set([
    ...[...roots].flatMap(ancestors),
    ...input.ignore.flatMap((pattern) => ancestors(`${literalPrefix(pattern)}/x`).filter(Boolean)),
  ]);
  const ignored = ignoreMatcher(input.ignore);
  const patterns: string[] = [];
  const visit = (dir: string) => {
    // In code-unit order: a locale comparison loads ICU (~10 ms) in every plugin worker, before any answer is kept.
    for (const entry of [...input.entriesOf(dir)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (!dir && NOT_SHARED.has(entry.name)) continue;
      if (entry.name === 'node_modules' || roots.has(path)) continue;
      if (entry.isDirectory && holders.has(path)) {
        visit(path);
        continue;
      }
      if (ignored(path, entry.isDirectory)) continue;
      patterns.push(entry.isDirectory ? `${path}/**` : path);
    }
  };
  visit('');
  return patterns;
}

/**
 * Shared folders (`<folder>/**`) that hold ignored files, refined towards the paths in them that are
 * not (`refinedFolders`): Nx 23's affected takes a `{workspaceRoot}` input for every file it matches,
 * negations left out, so a folder's glob made a vendored repository's `docs/*.md` affect every service
 * (Huly's `foundations/net/docs`). Every service's push repeats these inputs: at most `budget` more.
 */
export function withoutIgnoredInside(
  patterns: readonly string[],
  files: readonly string[],
  ignore: readonly string[],
  budget = 40,
): string[] {
  return refinedFolders(patterns, files, ignoreMatcher(ignore), budget);
}

/**
 * Rule (b) for one committed file: outside every project, not ignored, not a file Nx handles itself,
 * nor one a service owns outside its folder (its Dockerfile and ignore file at the root, graphprotocol/indexer's).
 */
export function sharedFileTest(
  projectRoots: readonly string[],
  ignore: readonly string[],
  owned: readonly string[] = [],
): (file: string) => boolean {
  const roots = projectRoots.filter((root) => root !== '.' && root !== '');
  const ignored = ignoreMatcher(ignore);
  const own = new Set(owned);
  return (file) =>
    !NOT_SHARED.has(file.split('/')[0]!) &&
    !roots.some((root) => file.startsWith(`${root}/`)) &&
    !own.has(file) &&
    !ignored(file);
}

/** `*.md`-style patterns match a file's name anywhere; patterns with a `/` match the path (a folder by its `/**`). */
function ignoreMatcher(ignore: readonly string[]): (path: string, isDirectory?: boolean) => boolean {
  const byPath = picomatch([...ignore], { dot: true });
  const names = ignore.filter((pattern) => !pattern.includes('/'));
  const byName = names.length ? picomatch(names, { dot: true, basename: true }) : () => false;
  return (path, isDirectory = false) =>
    isDirectory ? byPath(`${path}/**`) || byPath(path) : byPath(path) || byName(posix.basename(path));
}

/**
 * Rule (c): the service folders a nested service sits in (outermost first); a change there affects
 * it too. The root's ancestors are looked up, not every service compared: a fleet asks for each service.
 * A service at the workspace root is no parent: its own files, outside every other project, are rule
 * (b)'s, and its folder would make every change anywhere reach every service (homarr's root image).
 */
export function parentServiceRoots(root: string, serviceRoots: ReadonlySet<string>): string[] {
  if (root === '.') return [];
  const segments = root.split('/');
  const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
  return ancestors.filter((ancestor) => serviceRoots.has(ancestor));
}
