import { posix } from 'node:path';
import picomatch from 'picomatch';

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
 * not: a folder's files by name, a subfolder holding none whole, one holding only ignored files left
 * out. Nx 23's affected takes a `{workspaceRoot}` input for every file it matches, negations left out,
 * so a folder's glob made a vendored repository's `docs/*.md` affect every service (Huly's
 * `foundations/net/docs`). Every service's push repeats these inputs, so the refinement goes shallow
 * folders first and stops growing the list past `budget` more patterns (a folder left whole selects
 * too much, never too little). `files` is Nx's list of the workspace's files (what a change can name).
 */
export function withoutIgnoredInside(
  patterns: readonly string[],
  files: readonly string[],
  ignore: readonly string[],
  budget = 40,
): string[] {
  const folders = new Set(patterns.filter((p) => p.endsWith('/**')).map((p) => p.slice(0, -3)));
  if (!folders.size) return [...patterns];
  const inside = new Map<string, string[]>();
  for (const file of files) {
    for (let slash = file.indexOf('/'); slash !== -1; slash = file.indexOf('/', slash + 1)) {
      const folder = file.slice(0, slash);
      if (!folders.has(folder)) continue;
      listUnder(inside, folder, file);
      break;
    }
  }
  const ignored = ignoreMatcher(ignore);
  // What each folder becomes, refined or not; a refined folder's subfolders wait their turn, shallow first.
  const result = new Map<string, string[]>(patterns.map((p) => [p, [p]]));
  let queue = [...inside].map(([folder, held]) => ({ origin: `${folder}/**`, folder, held }));
  let count = patterns.length;
  while (queue.length) {
    const next: typeof queue = [];
    for (const { origin, folder, held } of queue) {
      if (!held.some((file) => ignored(file))) continue;
      const paths: string[] = [];
      const children = new Map<string, string[]>();
      for (const file of held) {
        const slash = file.indexOf('/', folder.length + 1);
        if (slash === -1) {
          if (!ignored(file)) paths.push(file);
        } else {
          const child = file.slice(0, slash);
          listUnder(children, child, file);
        }
      }
      const refinable: typeof queue = [];
      for (const [child, childFiles] of children) {
        if (childFiles.every((file) => ignored(file))) continue;
        paths.push(`${child}/**`);
        refinable.push({ origin, folder: child, held: childFiles });
      }
      const grows = paths.length - 1;
      if (grows > 0 && count + grows > patterns.length + budget) continue;
      count += grows;
      const list = result.get(origin)!;
      list.splice(list.indexOf(`${folder}/**`), 1, ...paths.sort());
      next.push(...refinable);
    }
    queue = next;
  }
  return [...result.values()].flat();
}

function listUnder(lists: Map<string, string[]>, key: string, item: string): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

/** Rule (b) for one committed file: outside every project, not ignored, not a file Nx handles itself. */
export function sharedFileTest(projectRoots: readonly string[], ignore: readonly string[]): (file: string) => boolean {
  const roots = projectRoots.filter((root) => root !== '.' && root !== '');
  const ignored = ignoreMatcher(ignore);
  return (file) =>
    !NOT_SHARED.has(file.split('/')[0]!) && !roots.some((root) => file.startsWith(`${root}/`)) && !ignored(file);
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
