import { posix } from 'node:path';
import picomatch from 'picomatch';
import { withPrefix } from '../text/sorted';
import { filterContext } from './build-context';

/**
 * What a context's ignore file leaves out, as globs (relative to the context folder) that the image's
 * inputs can negate: a change there reaches neither the image nor, so, its cache key or Nx 24's
 * affected tasks. Each glob is an ignore pattern as written, kept only when it matches a listed file
 * and no file the engine sends (the engine's rule decides, through the same library the content tag
 * uses), nor a file that is always an input (the Dockerfile, its ignore files). An exception (`!`)
 * sends again, by the line order a set of negations cannot say, what the lines before it left out: a
 * line an exception after it may reach is not negated, the others are (`.env*` then `!.env.example`
 * keeps `.env*` an input and `docs/` not, as Databuddy's and bigcapital's ignore files have them).
 * Character classes, braces and escapes read differently in Nx's globs: those lines are skipped.
 * Too few negations only cost a cache miss; too many would hide a change, so each one is checked.
 */
export function ignoredGlobs(
  listed: readonly string[],
  patterns: readonly string[],
  alwaysInputs: readonly string[],
): string[] {
  if (!patterns.length) return [];
  const { sent, sorted } = sentOf(listed, patterns);
  if (sent.size === sorted.length) return [];
  const globs = new Set<string>();
  for (const [line, pattern] of patterns.entries()) {
    const glob = pattern.startsWith('!') ? undefined : asGlob(pattern);
    if (glob === undefined) continue;
    const matcher = picomatch(glob, { dot: true });
    // One argument: picomatch's second one asks for a result object, which `some` would pass as an index.
    const matches = (file: string) => matcher(file);
    // Docker's rule: a pattern that matches a folder leaves out everything in it.
    const under = (file: string) => ancestors(file).some(matches);
    if (patterns.slice(line + 1).some((later) => later.startsWith('!') && mayReinclude(glob, later.slice(1), matches)))
      continue;
    const base = picomatch.scan(glob).base;
    const self = { some: false, sent: false };
    const inside = { some: false, sent: false };
    for (const file of base ? withPrefix(sorted, base, (f) => f) : sorted) {
      for (const [count, hit] of [
        [self, matches(file)],
        [inside, under(file)],
      ] as const)
        if (hit) {
          count.some = true;
          count.sent ||= sent.has(file);
        }
    }
    if (self.some && !self.sent && !alwaysInputs.some(matches)) globs.add(glob);
    // Nx's `folder/**` may match a file named like the folder too: only when no such file is sent.
    if (!glob.endsWith('/**') && inside.some && !inside.sent && !self.sent)
      if (!alwaysInputs.some((file) => matches(file) || under(file))) globs.add(`${glob}/**`);
  }
  return [...globs];
}

/** A first line that leaves out the whole context: what the exceptions after it name is all the engine sends. */
const EVERYTHING = new Set(['*', '**', '/*', '/**', '**/*', '.']);

/**
 * An allow-list ignore file (`*`, then `!apps/api`, `!package.json`…) as the globs (relative to the
 * context folder) of what its exceptions send — a name as the file or the folder it is, as Nx's globs
 * read it — so the image's inputs name those instead of the whole folder (on Nx 23, whose affected
 * reads no negation, a workspace context is then affected only by what the engine may send).
 * Undefined for any other ignore file, for an exception Nx's globs read otherwise or that names no
 * file Nx lists (a build's git-ignored `dist`, which the engine sends from the disk), and where a file
 * the engine sends matches no glob (checked by the engine's rule): too wide costs a cache miss, too
 * narrow would hide a change.
 */
export function allowedGlobs(
  listed: readonly string[],
  patterns: readonly string[],
  alwaysInputs: readonly string[],
): string[] | undefined {
  if (!EVERYTHING.has(patterns[0] ?? '')) return undefined;
  const { sent, sorted } = sentOf(listed, patterns);
  const globs: string[] = [];
  for (const pattern of patterns.slice(1).filter((line) => line.startsWith('!'))) {
    const glob = asGlob(pattern.slice(1));
    if (glob === undefined) return undefined;
    const matches = picomatch(glob, { dot: true });
    const base = picomatch.scan(glob).base;
    const files = base ? withPrefix(sorted, base, (f) => f) : sorted;
    const own = files.some((file) => matches(file));
    const inside = files.some((file) => ancestors(file).some((folder) => matches(folder)));
    // What Nx lists nothing of (a build's `dist`, git-ignored) no input can follow: the whole folder then.
    if (!own && !inside) return undefined;
    if (own) globs.push(glob);
    if (inside) globs.push(`${glob}/**`);
  }
  const unique = [...new Set(globs)];
  const allowed = unique.length ? picomatch(unique, { dot: true }) : () => false;
  for (const file of sent) if (!allowed(file) && !alwaysInputs.includes(file)) return undefined;
  return unique;
}

/**
 * Whether an exception may send again a path the glob leaves out: a path it names that the glob
 * matches, in or above it, or below it; for an exception that is a pattern, any glob whose folder
 * is not apart from the exception's (each with a literal folder, neither inside the other).
 */
function mayReinclude(glob: string, exception: string, matches: (path: string) => boolean): boolean {
  const path = posix.normalize(exception.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (!picomatch.scan(path).isGlob)
    return matches(path) || ancestors(path).some(matches) || globReaches(glob, `${path}/**`);
  const [a, b] = [picomatch.scan(glob).base, picomatch.scan(path).base];
  return !a || !b || a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Whether a negated glob (workspace-relative) may leave out a path that must stay an input: a file,
 * or a folder written `folder/**` (`.` and `**` being everything). A glob without a literal folder
 * (`**\/*.md`) may reach any folder; one without `**` only what lies in the paths its segments
 * match (the root `.dockerignore`'s `*.md`: no file in a folder).
 */
export function globReaches(glob: string, path: string): boolean {
  const folder = path === '**' ? '.' : /^(.*)\/\*\*$/.exec(path)?.[1];
  if (folder === undefined) return picomatch(glob, { dot: true })(path);
  if (folder === '.') return true;
  const segments = glob.split('/');
  if (!segments.includes('**')) {
    // A line matching a folder leaves out all it holds, as Docker reads it.
    return folder
      .split('/')
      .slice(0, segments.length)
      .every((name, i) => picomatch(segments[i]!, { dot: true })(name));
  }
  const base = picomatch.scan(glob).base;
  return !base || base === folder || base.startsWith(`${folder}/`) || folder.startsWith(`${base}/`);
}

/** The folders a path lies in, nearest last. */
function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** An ignore line as a glob both Docker and Nx read alike, or undefined. */
function asGlob(pattern: string): string | undefined {
  if (/[[\]{}()\\!]/.test(pattern)) return undefined;
  const clean = posix.normalize(pattern.replace(/^\/+/, '')).replace(/\/+$/, '');
  return clean && clean !== '.' && !clean.startsWith('..') ? clean : undefined;
}

/** The files sent, per file list and ignore file: services sharing the root `.dockerignore` filter once. */
const sentMemo = new WeakMap<readonly string[], Map<string, { sent: Set<string>; sorted: string[] }>>();

function sentOf(listed: readonly string[], patterns: readonly string[]) {
  let byPatterns = sentMemo.get(listed);
  if (!byPatterns) sentMemo.set(listed, (byPatterns = new Map()));
  const key = patterns.join('\n');
  let found = byPatterns.get(key);
  if (!found) {
    const sorted = [...listed].sort();
    byPatterns.set(key, (found = { sent: new Set(filterContext(sorted, patterns)), sorted }));
  }
  return found;
}
