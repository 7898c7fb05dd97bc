import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportCache, type ResolvedImport } from './import-cache';
import { resetWorkerState } from './worker-state';
import type { ImportRef } from './sdk-imports';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nx-fleet-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The one cache file, whatever format version its name carries. */
function cacheFile(base = dir): string {
  const names = existsSync(join(base, 'nx-fleet'))
    ? readdirSync(join(base, 'nx-fleet')).filter((name) => /^imports\.v\d+\.json$/.test(name))
    : [];
  expect(names).toHaveLength(1);
  return join(base, 'nx-fleet', names[0]!);
}
const refs: ImportRef[] = [{ specifier: '@acme/orders-sdk', line: 3, kind: 'import' }];

describe('ImportCache', () => {
  it('starts empty when nothing was saved', () => {
    expect(ImportCache.load(dir).get('a.ts', 'h1')).toBeUndefined();
  });

  it('returns entries only for the same hash', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    expect(cache.get('a.ts', 'h1')).toEqual(refs);
    expect(cache.get('a.ts', 'h2')).toBeUndefined();
    expect(cache.get('b.ts', 'h1')).toBeUndefined();
    cache.set('a.ts', 'h2', []);
    expect(cache.get('a.ts', 'h2')).toEqual([]);
    expect(cache.get('a.ts', 'h1')).toBeUndefined();
  });

  it('saves to <dir>/nx-fleet/imports.v<format>.json and loads it back', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.set('b.ts', 'h2', []);
    cache.save();
    expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toEqual({
      'a.ts': { hash: 'h1', imports: refs },
      'b.ts': { hash: 'h2', imports: [] },
    });
    const loaded = ImportCache.load(dir);
    expect(loaded.get('a.ts', 'h1')).toEqual(refs);
    expect(loaded.get('b.ts', 'h2')).toEqual([]);
  });

  it('leaves no temporary file behind after the rename', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    expect(readdirSync(join(dir, 'nx-fleet'))).toEqual([cacheFile().split('/').pop()]);
  });

  it('writes nothing when nothing changed', () => {
    ImportCache.load(dir).save();
    expect(existsSync(join(dir, 'nx-fleet'))).toBe(false);

    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    writeFileSync(
      cacheFile(),
      JSON.stringify({ 'a.ts': { hash: 'h1', imports: refs }, marker: { hash: 'm', imports: [] } }),
    );
    const before = statSync(cacheFile()).mtimeMs;
    const again = ImportCache.load(dir);
    again.get('a.ts', 'h1');
    again.retainOnly(new Set(['a.ts', 'marker']));
    again.save();
    expect(statSync(cacheFile()).mtimeMs).toBe(before);
    expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toHaveProperty('marker');
  });

  it('retainOnly drops the files no longer listed, and that is saved', () => {
    const cache = ImportCache.load(dir);
    for (const file of ['a.ts', 'b.ts', 'c.ts']) cache.set(file, 'h', refs);
    cache.save();
    cache.retainOnly(new Set(['b.ts', 'not-cached.ts']));
    expect(cache.get('a.ts', 'h')).toBeUndefined();
    expect(cache.get('b.ts', 'h')).toEqual(refs);
    cache.save();
    expect(Object.keys(JSON.parse(readFileSync(cacheFile(), 'utf8')) as object)).toEqual(['b.ts']);
  });

  it('starts empty over a corrupt cache file, and overwrites it on save', () => {
    const seed = ImportCache.load(dir);
    seed.set('x.ts', 'h', []);
    seed.save();
    writeFileSync(cacheFile(), '{"a.ts": {"hash": "h1", "impo');
    const cache = ImportCache.load(dir);
    expect(cache.get('a.ts', 'h1')).toBeUndefined();
    cache.set('a.ts', 'h1', refs);
    cache.save();
    expect(ImportCache.load(dir).get('a.ts', 'h1')).toEqual(refs);
  });

  it('creates the data directory when it does not exist yet', () => {
    const nested = join(dir, 'workspace-data', 'deeper');
    const cache = ImportCache.load(nested);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    expect(existsSync(cacheFile(nested))).toBe(true);
  });

  describe('resolved imports', () => {
    const resolved: ResolvedImport[] = [
      { target: 'orders-sdk', providers: ['orders'], line: 3, specifier: '@acme/orders-sdk' },
      { target: 'shared', providers: [], line: 4, specifier: '@acme/shared' },
      { target: 'client', providers: ['api', 'realtime'], line: 5, specifier: '@acme/client', typeOnly: true },
    ];

    it('are returned only for the same hash and the same world', () => {
      const cache = ImportCache.load(dir);
      cache.set('a.ts', 'h1', refs);
      expect(cache.resolved('a.ts', 'h1', 'w1')).toBeUndefined();
      cache.setResolved('a.ts', 'h1', 'w1', resolved);
      expect(cache.resolved('a.ts', 'h1', 'w1')).toEqual(resolved);
      expect(cache.resolved('a.ts', 'h1', 'w2')).toBeUndefined();
      expect(cache.resolved('a.ts', 'h2', 'w1')).toBeUndefined();
      expect(cache.get('a.ts', 'h1')).toEqual(refs);
    });

    it('are not recorded for a file whose entry has another hash, or none', () => {
      const cache = ImportCache.load(dir);
      cache.set('a.ts', 'h1', refs);
      cache.setResolved('a.ts', 'h2', 'w1', resolved);
      cache.setResolved('b.ts', 'h1', 'w1', resolved);
      expect(cache.resolved('a.ts', 'h2', 'w1')).toBeUndefined();
      expect(cache.resolved('a.ts', 'h1', 'w1')).toBeUndefined();
      expect(cache.resolved('b.ts', 'h1', 'w1')).toBeUndefined();
      expect(cache.get('b.ts', 'h1')).toBeUndefined();
    });

    it('are forgotten when the file is parsed again', () => {
      const cache = ImportCache.load(dir);
      cache.set('a.ts', 'h1', refs);
      cache.setResolved('a.ts', 'h1', 'w1', resolved);
      cache.set('a.ts', 'h1', []);
      expect(cache.resolved('a.ts', 'h1', 'w1')).toBeUndefined();
    });

    it('are saved and loaded back', () => {
      const cache = ImportCache.load(dir);
      cache.set('a.ts', 'h1', refs);
      cache.setResolved('a.ts', 'h1', 'w1', resolved);
      cache.save();
      expect(ImportCache.load(dir).resolved('a.ts', 'h1', 'w1')).toEqual(resolved);
    });
  });
  it('reuses what this process saved while the file is unchanged, and reloads what another process wrote', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    expect(ImportCache.load(dir)).toBe(cache);
    writeFileSync(cacheFile(), JSON.stringify({ 'b.ts': { hash: 'h9', imports: [] } }));
    const reloaded = ImportCache.load(dir);
    expect(reloaded).not.toBe(cache);
    expect(reloaded.get('a.ts', 'h1')).toBeUndefined();
    expect(reloaded.get('b.ts', 'h9')).toEqual([]);
  });

  it('after a worker reset, loads the file again instead of reusing what this process kept', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    resetWorkerState();
    const loaded = ImportCache.load(dir);
    expect(loaded).not.toBe(cache);
    expect(loaded.get('a.ts', 'h1')).toEqual(refs);
  });
});
