import { join, posix, sep } from 'node:path';
import type { ConfigSelection } from './module-resolution';
import { isSourceFile } from './sdk-imports';
import { contains } from './sdk-ownership';
import { typescript } from './typescript';

/** TypeScript's own matcher of `include`/`exclude` wildcards, internal to it: without it nothing is decided. */
type MatchFiles = (
  path: string,
  extensions: readonly string[] | undefined,
  excludes: readonly string[] | undefined,
  includes: readonly string[],
  useCaseSensitiveFileNames: boolean,
  currentDirectory: string,
  depth: number | undefined,
  getFileSystemEntries: (path: string) => { files: readonly string[]; directories: readonly string[] },
  realpath: (path: string) => string,
) => string[];

/**
 * The sources of a project that its own TypeScript configs compile: what the `include` of its
 * tsconfig.json, and of the configs in its folder that it references (Nx's tsconfig.lib.json and
 * tsconfig.spec.json), select less their `exclude`. A file outside it (sorry-cypress's
 * packages/mongo/scripts/seed.ts, a script run by hand beside `"include": ["./src/**\/*"]`) is no
 * runtime code of the project. Undefined, every source counting, where that cannot be decided: no
 * tsconfig.json of its own among the project's `files` (Nx's list), a config TypeScript cannot read in full or that lists
 * `files` (`selection`), or configs that select none of the sources (they describe something else).
 * Extensions are not TypeScript's to decide here (a JavaScript file counts without `allowJs`).
 */
export function compiledSources(
  workspaceRoot: string,
  projectRoot: string,
  files: readonly string[],
  selection: (config: string) => ConfigSelection | undefined,
): ReadonlySet<string> | undefined {
  const own = posix.join(projectRoot, 'tsconfig.json');
  if (!files.includes(own)) return undefined;
  const ts = typescript();
  const matchFiles = (ts as unknown as { matchFiles?: MatchFiles }).matchFiles;
  if (typeof matchFiles !== 'function') return undefined;
  const caseSensitive = ts.sys.useCaseSensitiveFileNames;
  const key = (path: string) => (caseSensitive ? path : path.toLowerCase());
  const base = join(workspaceRoot).split(sep).join('/').replace(/\/+$/, '');
  // The folders TypeScript walks, of the project's sources alone: nothing else can be covered.
  const folders = new Map<string, { files: string[]; directories: Set<string> }>();
  const folder = (path: string) => {
    let entries = folders.get(key(path));
    if (!entries) folders.set(key(path), (entries = { files: [], directories: new Set() }));
    return entries;
  };
  const byPath = new Map<string, string>();
  for (const file of files) {
    if (!isSourceFile(file)) continue;
    const absolute = `${base}/${file}`;
    byPath.set(key(absolute), file);
    folder(posix.dirname(absolute)).files.push(posix.basename(absolute));
    for (let dir = posix.dirname(absolute); dir.length > base.length; dir = posix.dirname(dir))
      folder(posix.dirname(dir)).directories.add(posix.basename(dir));
  }
  const entries = (path: string) => {
    const found = folders.get(key(path.replace(/\/+$/, '')));
    return found ? { files: found.files, directories: [...found.directories] } : { files: [], directories: [] };
  };
  const compiled = new Set<string>();
  const configs = [own];
  for (let i = 0; i < configs.length; i++) {
    const chosen = selection(configs[i]!);
    if (!chosen) return undefined;
    for (const { basePath, includes, excludes, depth } of chosen.wildcards)
      for (const path of matchFiles(
        basePath,
        undefined,
        excludes,
        includes,
        caseSensitive,
        base,
        depth,
        entries,
        (p) => p,
      )) {
        const file = byPath.get(key(path));
        if (file !== undefined) compiled.add(file);
      }
    // Only the project's own configs: a reference to another project's compiles that project's files.
    for (const reference of chosen.references)
      if (contains(projectRoot, reference) && !configs.includes(reference)) configs.push(reference);
  }
  return compiled.size ? compiled : undefined;
}
