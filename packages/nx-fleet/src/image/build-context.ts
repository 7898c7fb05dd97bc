import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import picomatch from 'picomatch';
import { isDynamicPattern } from 'tinyglobby';
import type { Ports } from '../io/ports';
import { listed } from '../text/listed';
import { RECORDS_ROOT } from './records';

export interface ContextFile {
  path: string;
  sha256: string;
}

/**
 * The ignore file the engine itself would use: `<Dockerfile>.dockerignore` beside the Dockerfile
 * wins over `.dockerignore` at the context root (BuildKit and buildah both follow this rule).
 */
export function readIgnorePatterns(contextDir: string, dockerfile: string, excluded: readonly string[] = []): string[] {
  return ignorePatternsOf(dockerfile, join(contextDir, '.dockerignore'), excluded);
}

/** The ignore file that rule picks for a context folder, if there is one. */
export function contextIgnoreFile(contextDir: string, dockerfile: string): string | undefined {
  return ignoreFileFor(dockerfile, join(contextDir, '.dockerignore'), existsSync);
}

/**
 * The same rule, given where the context's root `.dockerignore` is (undefined: the context has none),
 * then what every copy of the whole context excludes (`excludedEverywhere`): after the file's lines, as
 * no exception of theirs sends those paths to a copy that leaves them out.
 */
export function ignorePatternsOf(
  dockerfile: string,
  contextIgnore: string | undefined,
  excluded: readonly string[] = [],
): string[] {
  const file = ignoreFileFor(dockerfile, contextIgnore, existsSync);
  return [...(file ? parseIgnoreFile(readFileSync(file, 'utf8')) : []), ...excluded];
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
export async function listContextFiles(
  contextDir: string,
  dockerfile: string,
  excluded: readonly string[] = [],
): Promise<string[]> {
  return filterContext(await listFolderFiles(contextDir), readIgnorePatterns(contextDir, dockerfile, excluded));
}

/** Every file and symbolic link under the folder, no ignore file applied. */
export async function listFolderFiles(folder: string): Promise<string[]> {
  // A folder that is not there holds nothing (the caller names a missing context before it lists).
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  return (
    entries
      .filter((entry) => entry.isFile() || entry.isSymbolicLink())
      // `parentPath` from Node 20.12; `path` before it.
      .map((entry) =>
        relative(folder, join(entry.parentPath ?? entry.path, entry.name))
          .split(sep)
          .join('/'),
      )
  );
}

/**
 * Folders at a context's root that Nx, git and nx-fleet (its records: a workspace context whose
 * `.dockerignore` keeps `dist`) rewrite as they run: a context holding them gets a new content tag each time.
 */
const VOLATILE_FOLDERS = ['.nx/cache', '.nx/workspace-data', '.git', RECORDS_ROOT] as const;

/**
 * What git keeps under `.git` that only a commit, a branch switch or a settings edit changes: a context
 * left with these alone is no volatile one (etherpad's `.dockerignore` keeps HEAD and the branch refs,
 * which its image reads for its version, and leaves out the index, objects and logs).
 */
const STABLE_GIT = /^\.git\/(?:HEAD|config|description|(?:refs\/heads|refs\/tags|info|hooks)\/.*)$/;

/** Whether a path is in one of those folders: a pruned context, nx-fleet's own, never holds them. */
export function inVolatileFolder(path: string): boolean {
  return VOLATILE_FOLDERS.some((folder) => path.startsWith(`${folder}/`));
}

/** Which of those folders a context's files (as `listContextFiles` lists them) hold. */
export function volatileFoldersIn(listed: readonly string[]): string[] {
  return VOLATILE_FOLDERS.filter((folder) =>
    listed.some((path) => path.startsWith(`${folder}/`) && !(folder === '.git' && STABLE_GIT.test(path))),
  );
}

/** What matches git's ignore rules under a folder (`gitIgnoredEntries`). */
export interface GitIgnored {
  /** Files, and whole folders as `dir/`, relative to the folder. */
  entries: string[];
  /** Of those, the files git tracks (committed although a rule matches them). */
  committed: ReadonlySet<string>;
  /** Entries only a walker's ignore file matches (`.ignore`, `.nxignore`: git reads neither), by that file's name. */
  walkerOnly?: ReadonlyMap<string, string>;
}

/**
 * What matches git's ignore rules under a folder, relative to it: files, and whole folders as `dir/`
 * (git does not list inside them). Tracked files count: Nx's walker leaves them out too.
 * Undefined outside a git checkout.
 */
export async function gitIgnoredEntries(
  ports: Pick<Ports, 'processes'>,
  folder: string,
  /** The context's files: an ignore file Nx's walker reads among them is asked about too. */
  listed: readonly string[] = [],
): Promise<GitIgnored | undefined> {
  // Nx's walker also reads ripgrep's `.ignore` and `.nxignore` (inngest's `.ignore` hides 9,859 vendored
  // files), one more question each where the context, the folder or a folder above it in the checkout
  // has one (git reads a per-directory file from the checkout's root down, karakeep's root `.ignore`).
  const walkerFiles = WALKER_IGNORE_FILES.filter(
    (name) =>
      aboveInCheckout(folder).some((dir) => existsSync(join(dir, name))) ||
      listed.some((path) => path === name || path.endsWith(`/${name}`)),
  );
  try {
    const tagged = new Map<string, string[]>();
    for (const exclude of ['--exclude-standard', ...walkerFiles.map((name) => `--exclude-per-directory=${name}`)]) {
      const result = await ports.processes.run(
        'git',
        ['ls-files', '-z', '-t', '--cached', '--others', '--ignored', exclude, '--directory'],
        { cwd: folder },
      );
      if (result.code !== 0) return undefined;
      tagged.set(exclude, result.stdout.split('\0').filter(Boolean));
    }
    // `-t` tags each entry: `H ` a tracked file, `? ` an untracked one.
    const all = [...tagged.values()].flat();
    const byGit = new Set((tagged.get('--exclude-standard') ?? []).map((entry) => entry.slice(2)));
    const walkerOnly = new Map<string, string>();
    for (const name of walkerFiles)
      for (const entry of tagged.get(`--exclude-per-directory=${name}`) ?? [])
        if (!byGit.has(entry.slice(2)) && !walkerOnly.has(entry.slice(2))) walkerOnly.set(entry.slice(2), name);
    return {
      entries: [...new Set(all.map((entry) => entry.slice(2)))],
      committed: new Set(all.filter((entry) => entry.startsWith('H ')).map((entry) => entry.slice(2))),
      ...(walkerOnly.size ? { walkerOnly } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The folder and those above it up to the root of its checkout (the first holding `.git`). */
function aboveInCheckout(folder: string): string[] {
  const dirs: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return dirs;
  }
}

/** Ignore files Nx's workspace walker reads besides git's. */
const WALKER_IGNORE_FILES = ['.ignore', '.nxignore'];

/** The context's files Nx does not hash (`unhashedContextFiles`), and which of them are committed. */
export interface UnhashedFiles {
  files: string[];
  committed: string[];
  /** Of them, those only a walker's ignore file matches, by its name (git's check-ignore reads neither). */
  walkerOnly?: ReadonlyMap<string, string>;
  /** The folder they are relative to, workspace-relative: the advice's commands run at the workspace root. */
  context?: string;
}

/** `unhashedContextFiles` over what git says, with the committed ones told apart. */
export function unhashedOf(
  listed: readonly string[],
  ignored: GitIgnored,
  outputs: readonly string[],
  context: string,
): UnhashedFiles {
  const files = unhashedContextFiles(listed, ignored.entries, outputs);
  // A file entry is looked up, a folder's (`dir/`, few) matched against the files: inngest's `.ignore`
  // hides thousands of vendored files, each an entry.
  const listedFiles = new Set(files);
  const walkerOnly = new Map<string, string>();
  for (const [entry, name] of ignored.walkerOnly ?? []) {
    if (!entry.endsWith('/')) {
      if (listedFiles.has(entry)) walkerOnly.set(entry, name);
    } else for (const file of files) if (file.startsWith(entry)) walkerOnly.set(file, name);
  }
  return {
    files,
    committed: files.filter((file) => ignored.committed.has(file)),
    context,
    ...(walkerOnly.size ? { walkerOnly } : {}),
  };
}

/**
 * The context's files Nx does not hash although the engine sends them: those git's ignore rules match
 * (Nx's file list leaves them out), but for the build outputs Nx hashes as the build task's (`outputs`, relative
 * to the context) and the volatile folders, which have a warning of their own.
 */
export function unhashedContextFiles(
  listed: readonly string[],
  ignored: readonly string[],
  outputs: readonly string[],
): string[] {
  const files = new Set(ignored.filter((entry) => !entry.endsWith('/')));
  const folders = new Set(ignored.filter((entry) => entry.endsWith('/')));
  const volatile = VOLATILE_FOLDERS.map((f) => `${f}/`);
  const inOutputs = outputMatcher(outputs);
  return listed.filter(
    (path) =>
      (files.has(path) || ancestorsOf(path).some((folder) => folders.has(folder))) &&
      !inOutputs(path) &&
      !volatile.some((folder) => path.startsWith(folder)),
  );
}

/**
 * The globs of the files build outputs hold: a folder's files, a file, or a glob's matches (the
 * manifests nx-fleet infers a service copies from its build, `dist/apps/api/package*.json`).
 */
export function outputPatterns(outputs: readonly string[]): string[] {
  return outputs.flatMap((output) => {
    const path = output.replace(/^\.?\//, '').replace(/\/+$/, '');
    // The context's own folder, relative to itself (a folder context that is a build's output).
    if (path === '' || path === '.') return ['**'];
    return isDynamicPattern(path) ? [path] : [path, `${path}/**`];
  });
}

function outputMatcher(outputs: readonly string[]): (path: string) => boolean {
  return outputs.length ? picomatch(outputPatterns(outputs), { dot: true }) : () => false;
}

/**
 * Folders and files git ignores that a build does not read as sources: dependencies, tool caches,
 * build outputs (carried by their own rule), logs and local environment files (never meant for an image).
 */
const NOT_SOURCES = new Set([
  'node_modules',
  '.git',
  '.nx',
  '.turbo',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.angular',
  '.cache',
  '.yarn',
  '.pnpm-store',
  '.output',
  '.vercel',
  'coverage',
  'tmp',
  'dist',
  'build',
  'out',
  // Test runners' reports (Playwright's).
  'test-results',
  'playwright-report',
  // Frameworks' generated types and dev servers' state, which a build in the image writes again.
  '.react-router',
  '.astro',
  '.vinxi',
  '.tanstack',
  '.nitro',
  '.wrangler',
]);
/** Local files, and those a build in the image writes again (Next.js's `next-env.d.ts`), or a linter's cache. */
const NOT_SOURCE_FILES =
  /^\.env(?:\..*)?$|\.log$|\.tsbuildinfo$|^\.DS_Store$|^next-env\.d\.ts$|^\.(?:eslint|stylelint|prettier)cache$/;

/**
 * What `docker build` from the workspace root would send that a pruned context (git's files) leaves
 * out: what git ignores in the folders the Dockerfile copies whole and the ignore file keeps
 * (hatchet's `frontend/app/src/lib/generated/`, written by a script its CI runs before the build),
 * but for dependencies, tool folders, build outputs and local files. `ignored` as `gitIgnoredEntries`
 * gives it, from the workspace root.
 */
export function leftOutOfPruned(
  copiedFolders: readonly string[],
  ignored: readonly string[],
  ignorePatterns: readonly string[],
  outputs: readonly string[],
): string[] {
  const kept = dockerignore({ ignorecase: false }).add([...ignorePatterns]);
  return ignored.filter((entry) => {
    const path = entry.replace(/\/+$/, '');
    const segments = path.split('/');
    return (
      copiedFolders.some((folder) => folder === '.' || path.startsWith(`${folder}/`)) &&
      !segments.some((segment) => NOT_SOURCES.has(segment)) &&
      !NOT_SOURCE_FILES.test(segments.at(-1)!) &&
      !outputs.some((output) => path === output || path.startsWith(`${output}/`) || output.startsWith(`${path}/`)) &&
      kept.filter([path]).length > 0
    );
  });
}

/** `a/b/c.txt` → `a/`, `a/b/`. */
function ancestorsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
}

/** A build target docker-build depends on, as Nx merged it: Nx hashes the files of its declared outputs only. */
export interface DependedBuild {
  project: string;
  target: string;
  root: string;
  outputs: readonly string[];
  options: Readonly<Record<string, unknown>>;
}

/**
 * The build outputs a context takes from the disk (workspace-relative) that no build target
 * docker-build depends on declares as its output: `dependentTasksOutputFiles` hashes none of their
 * files (a package.json script without `outputs`, as turbo repositories have them). An output Nx
 * resolves from what is not known here counts as declaring everything.
 */
export function undeclaredOutputs(contextOutputs: readonly string[], builds: readonly DependedBuild[]): string[] {
  const resolved = builds.flatMap((build) =>
    build.outputs.filter((output) => !output.startsWith('!')).map((output) => outputPath(output, build)),
  );
  const declared = resolved.filter((path): path is string => path !== undefined);
  if (declared.length < resolved.length) return [];
  const within = (path: string, folder: string) => folder === '' || path === folder || path.startsWith(`${folder}/`);
  return contextOutputs.filter((output) => !declared.some((path) => within(output, path) || within(path, output)));
}

/** An output as a workspace path, up to its first glob character; undefined when it names an option not set. */
function outputPath(output: string, build: DependedBuild): string | undefined {
  const path = interpolatedOutput(output, { root: build.root, project: build.project, options: build.options });
  if (path === undefined) return undefined;
  const fixed = path.split(/[*?[]/)[0]!.replace(/\/+$/, '');
  return fixed === '' || fixed === '.' ? '' : posix.normalize(fixed).replace(/^\.\//, '');
}

/**
 * A target's output as the workspace path Nx makes of it: its tokens, and the options it names with
 * theirs (pulse-dashboards' `"outputPath": "{workspaceRoot}/dist/apps/{projectName}"`); undefined
 * when it names an option not set, or a token Nx would not know.
 */
export function interpolatedOutput(
  output: string,
  target: { root: string; project: string; options: Readonly<Record<string, unknown>> },
): string | undefined {
  let unknown = false;
  const tokens = (text: string) =>
    text
      .replace(/^\{workspaceRoot\}\/?/, '')
      .replace(/\{projectRoot\}/g, target.root)
      .replace(/\{projectName\}/g, target.project);
  const path = tokens(output).replace(/\{options\.([\w.-]+)\}/g, (_, key: string) => {
    const value = target.options[key];
    if (typeof value === 'string') return tokens(value);
    unknown = true;
    return '';
  });
  return unknown || path.includes('{') ? undefined : path;
}

/**
 * Paths shown by folder with a count (`coverage/ (12 files)`), files by name, the first few. A folder
 * holding only subfolders is split into them while the list stays that short (`packages/auth/dist/`,
 * `packages/common/dist/`, not `packages/ (2 files)`, which reads as if all of `packages/` should go),
 * and one path alone is named.
 */
export function pathSummary(paths: readonly string[], shown = 5): string {
  const groups = [...byFolder(paths, '')];
  for (let i = 0; i < groups.length;) {
    const [group, members] = groups[i]!;
    const inner = group.endsWith('/') && members.length > 1 ? [...byFolder(members, group)] : [];
    if (members.length === 1) groups[i++] = [members[0]!, members];
    else if (inner.length === 1 && inner[0]![0] !== group) groups[i] = inner[0]!;
    // Files directly in it make the folder itself the unit to name.
    else if (inner.length > 1 && inner.every(([g]) => g.endsWith('/')) && groups.length - 1 + inner.length <= shown)
      groups.splice(i, 1, ...inner);
    else i++;
  }
  const named = groups.map(([group, members]) =>
    group.endsWith('/') && members.length > 1 ? `${group} (${members.length} files)` : group,
  );
  return listed(named, shown);
}

/** Paths by their next folder below `under` (a path ending there, or a folder git lists whole, by itself). */
function byFolder(paths: readonly string[], under: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.indexOf('/', under.length);
    const group = slash < 0 || slash === path.length - 1 ? path : path.slice(0, slash + 1);
    groups.set(group, [...(groups.get(group) ?? []), path]);
  }
  return groups;
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
