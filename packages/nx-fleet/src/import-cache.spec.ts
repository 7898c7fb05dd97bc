import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportCache } from './import-cache';
import type { ImportRef } from './sdk-imports';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nx-fleet-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cacheFile = () => join(dir, 'nx-fleet', 'imports.v1.json');
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

  it('saves to <dir>/nx-fleet/imports.v1.json and loads it back', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.set('b.ts', 'h2', []);
    cache.save();
    expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toEqual({ 'a.ts': { hash: 'h1', imports: refs }, 'b.ts': { hash: 'h2', imports: [] } });
    const loaded = ImportCache.load(dir);
    expect(loaded.get('a.ts', 'h1')).toEqual(refs);
    expect(loaded.get('b.ts', 'h2')).toEqual([]);
  });

  it('leaves no temporary file behind after the rename', () => {
    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    expect(readdirSync(join(dir, 'nx-fleet'))).toEqual(['imports.v1.json']);
  });

  it('writes nothing when nothing changed', () => {
    ImportCache.load(dir).save();
    expect(existsSync(join(dir, 'nx-fleet'))).toBe(false);

    const cache = ImportCache.load(dir);
    cache.set('a.ts', 'h1', refs);
    cache.save();
    writeFileSync(cacheFile(), JSON.stringify({ 'a.ts': { hash: 'h1', imports: refs }, marker: { hash: 'm', imports: [] } }));
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
    mkdirSync(join(dir, 'nx-fleet'), { recursive: true });
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
    expect(existsSync(join(nested, 'nx-fleet', 'imports.v1.json'))).toBe(true);
  });
});
