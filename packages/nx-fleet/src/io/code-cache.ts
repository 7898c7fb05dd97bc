import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

export interface CodeCacheLoad<T> {
  exports: T;
  /** `cache`: V8 took the compiled code kept from an earlier load; `compiled`: it compiled the source (and kept it when it could). */
  from: 'cache' | 'compiled' | 'loaded before';
}

/**
 * Where a package's compiled code is kept: `node_modules/.cache/nx-fleet` of the node_modules the
 * file is installed in (pnpm's store included), where build tools keep theirs; `nx reset` leaves it,
 * as it leaves node_modules. Undefined outside a node_modules folder.
 */
export function codeCacheDirectory(file: string): string | undefined {
  const at = file.indexOf(`${sep}node_modules${sep}`);
  return at < 0 ? undefined : join(file.slice(0, at), 'node_modules', '.cache', 'nx-fleet');
}

/**
 * `require(file)` of a large CommonJS file, with V8's compiled code kept in `cacheDirectory`: TypeScript
 * (9 MB) takes ~0.2 s to compile and ~0.06 s to load from its code. The module is registered in
 * Node's module cache before it runs, so a later `require` of the same file (ts-morph's) gets this
 * instance. The kept code is named by the file's content, Node's version and the architecture; V8
 * checks it again and compiles the source when it refuses it. A cache that cannot be read or written
 * costs nothing but the compile.
 */
export function requireWithCodeCache<T>(file: string, cacheDirectory: string | undefined): CodeCacheLoad<T> {
  const load = createRequire(file);
  const loaded = load.cache[file];
  if (loaded) return { exports: loaded.exports as T, from: 'loaded before' };
  const bytes = readFileSync(file);
  const kept =
    cacheDirectory &&
    join(
      cacheDirectory,
      `${basename(file)}-${createHash('sha256').update(bytes).update(`${process.version} ${process.arch}`).digest('hex').slice(0, 20)}.v8`,
    );
  const cachedData = kept ? readOrUndefined(kept) : undefined;
  const script = new Script(Module.wrap(bytes.toString('utf8')), { filename: file, cachedData });
  const entry = new Module(file);
  entry.filename = file;
  entry.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  load.cache[file] = entry;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(entry.exports, entry.exports, load, entry, file, dirname(file));
  } catch (error) {
    delete load.cache[file];
    throw error;
  }
  entry.loaded = true;
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (kept && !fromCache) {
    keep(kept, script.createCachedData());
    // The code of an older version of the file is never read again: one kept file per file name.
    forgetOthers(kept);
  }
  return { exports: entry.exports as T, from: fromCache ? 'cache' : 'compiled' };
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function forgetOthers(kept: string): void {
  const name = basename(kept);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  try {
    for (const other of readdirSync(dirname(kept)))
      if (other !== name && other.startsWith(prefix) && other.endsWith('.v8'))
        rmSync(join(dirname(kept), other), { force: true });
  } catch {
    // Left for the next load that keeps its code.
  }
}

/** Written whole or not at all: a concurrent reader (another worker thread) never sees half a file. */
function keep(file: string, data: Buffer): void {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, data);
    renameSync(partial, file);
  } catch {
    // A read-only node_modules: the next load compiles again.
    try {
      rmSync(partial, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}
