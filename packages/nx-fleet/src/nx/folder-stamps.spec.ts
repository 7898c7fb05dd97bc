import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { absenceOf, FolderListings, stillAbsent } from './folder-stamps';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A workspace whose folders were last changed a minute ago. */
function workspace(folders: readonly string[]): { root: string; age(folder: string): void } {
  const root = mkdtempSync(join(tmpdir(), 'nx-fleet-stamps-'));
  roots.push(root);
  const age = (folder: string) => {
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, folder), old, old);
  };
  for (const folder of folders) mkdirSync(join(root, folder), { recursive: true });
  const withParents = folders.flatMap((folder) =>
    folder.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  );
  for (const folder of ['.', ...new Set(withParents)]) age(folder);
  return { root, age };
}

describe('absenceOf / stillAbsent', () => {
  it('stamps the nearest folder there above a missing path, and tells when an entry was made in it', () => {
    const { root } = workspace(['services/api']);
    const absence = absenceOf(root, 'services/api/src/deep/.dockerignore');
    expect(absence?.folder).toBe('services/api');
    expect(stillAbsent(root, absence!, new Map())).toBe(true);
    mkdirSync(join(root, 'services/api/src'));
    expect(stillAbsent(root, absence!, new Map())).toBe(false);
    // One look per folder for a question: what it said first stands.
    const seen = new Map([['services/api', true]]);
    expect(stillAbsent(root, absence!, seen)).toBe(true);
  });

  it('gives no stamp for a folder changed within the last second', () => {
    const { root } = workspace(['svc']);
    writeFileSync(join(root, 'svc/Dockerfile'), 'FROM a\n');
    expect(absenceOf(root, 'svc/.dockerignore')).toBeUndefined();
    expect(absenceOf(root, 'svc/src/.dockerignore')).toBeUndefined();
    expect(absenceOf(root, 'other/.dockerignore')?.folder).toBe('.');
  });
});

describe('FolderListings', () => {
  const listing = (entriesOf: (folder: string) => Array<{ name: string }>) =>
    ['.', 'services'].flatMap((folder) => entriesOf(folder).map(({ name }) => `${folder}/${name}`)).sort();

  it('lists the folders once while their key and entries stay, again when either changes', () => {
    const { root, age } = workspace(['services/a', 'services/b']);
    const listings = new FolderListings();
    let computed = 0;
    const value = (key: string) =>
      listings.value(root, 'shared', key, (entriesOf) => {
        computed++;
        return listing(entriesOf);
      });
    expect(value('k')).toEqual(['./services', 'services/a', 'services/b']);
    expect(value('k')).toEqual(['./services', 'services/a', 'services/b']);
    expect(computed).toBe(1);
    expect(value('other key')).toHaveLength(3);
    expect(computed).toBe(2);
    writeFileSync(join(root, 'services/README.md'), '');
    expect(value('other key')).toContain('services/README.md');
    expect(computed).toBe(3);
    // Changed within the last second: listed again until its time is old enough to be a stamp.
    expect(value('other key')).toContain('services/README.md');
    expect(computed).toBe(4);
    age('services');
    value('other key');
    value('other key');
    expect(computed).toBe(5);
  });
});
