import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Absence } from './folder-stamps';
import { WorkspaceTexts, type KnownText } from './workspace-texts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-fleet-texts-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  return root;
}

describe('WorkspaceTexts', () => {
  it('reads a file Nx lists once per hash: the same hash is answered from the memo, a new one is read', () => {
    const root = workspace({ Dockerfile: 'FROM a\n' });
    const memo = new Map<string, KnownText>();
    expect(new WorkspaceTexts(root, [{ file: 'Dockerfile', hash: 'h1' }], memo).text('Dockerfile')).toBe('FROM a\n');
    // The disk changes under the same hash: what Nx does not know changed is not read again.
    writeFileSync(join(root, 'Dockerfile'), 'FROM b\n');
    expect(new WorkspaceTexts(root, [{ file: 'Dockerfile', hash: 'h1' }], memo).text('Dockerfile')).toBe('FROM a\n');
    expect(new WorkspaceTexts(root, [{ file: 'Dockerfile', hash: 'h2' }], memo).text('Dockerfile')).toBe('FROM b\n');
    expect(memo.get('Dockerfile')).toEqual({ hash: 'h2', text: 'FROM b\n' });
  });

  it('asks the disk for a file Nx does not list (git ignores it), every time, and keeps nothing of it', () => {
    const root = workspace({ '.dockerignore': 'dist\n' });
    const memo = new Map<string, KnownText>();
    const texts = new WorkspaceTexts(root, [], memo);
    expect(texts.exists('.dockerignore')).toBe(true);
    expect(texts.text('.dockerignore')).toBe('dist\n');
    writeFileSync(join(root, '.dockerignore'), 'tmp\n');
    expect(texts.text('.dockerignore')).toBe('tmp\n');
    expect(texts.hashOf('.dockerignore')).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('answers a missing file with undefined, and existence from Nx’s list first', () => {
    const root = workspace({});
    const texts = new WorkspaceTexts(root, [{ file: 'listed', hash: 'h' }], new Map());
    expect(texts.text('missing')).toBeUndefined();
    expect(texts.exists('missing')).toBe(false);
    expect(texts.exists('listed')).toBe(true);
    expect(texts.hashOf('listed')).toBe('h');
    // Listed but gone from the disk (a race with a delete): unreadable, not an error.
    expect(texts.text('listed')).toBeUndefined();
  });

  it('without Nx’s list, reads the disk', () => {
    const root = workspace({ 'project.json': '{}' });
    const texts = new WorkspaceTexts(root, undefined, new Map());
    expect(texts.text('project.json')).toBe('{}');
    expect(texts.exists('project.json')).toBe(true);
  });

  it('reads a committed-only file (a manifest, a tsconfig) when Nx lists it, else neither asks the disk nor probes', () => {
    const root = workspace({ 'project.json': '{"a":1}', 'tsconfig.json': '{}' });
    const texts = new WorkspaceTexts(root, [{ file: 'project.json', hash: 'h' }], new Map());
    expect(texts.committedText('project.json')).toBe('{"a":1}');
    expect(texts.committedText('tsconfig.json')).toBeUndefined();
    expect(texts.committedText('package.json')).toBeUndefined();
    expect(texts.probes).toEqual({});
    expect(new WorkspaceTexts(root, undefined, new Map()).committedText('tsconfig.json')).toBe('{}');
  });

  it('parses a committed JSON file once per text for an answer; an absent, unreadable or non-object one is {}', () => {
    const root = workspace({ 'package.json': '{"name":"a"}', 'broken.json': '{', 'list.json': '"text"' });
    const listed = ['package.json', 'broken.json', 'list.json'].map((file) => ({ file, hash: file }));
    const texts = new WorkspaceTexts(root, listed, new Map());
    const first = texts.json('package.json');
    expect(first).toEqual({ name: 'a' });
    expect(texts.json('package.json')).toBe(first);
    expect(texts.json('broken.json')).toEqual({});
    expect(texts.json('list.json')).toEqual({});
    expect(texts.json('missing.json')).toEqual({});
    // Another answer parses again: what it is given is not another answer's object.
    expect(new WorkspaceTexts(root, listed, new Map()).json('package.json')).not.toBe(first);
  });

  it('records what the disk said of unlisted files, and tells when it says otherwise', () => {
    const root = workspace({ '.dockerignore': 'dist\n', 'svc.dockerignore': 'x\n' });
    const texts = new WorkspaceTexts(root, [], new Map());
    texts.text('.dockerignore');
    texts.exists('svc.dockerignore');
    texts.exists('Dockerfile.dockerignore');
    const probes = { ...texts.probes };
    expect(Object.values(probes).map((p) => (p === null ? null : p === '' ? '' : 'digest'))).toEqual([
      'digest',
      '',
      null,
    ]);
    expect(texts.stillHolds(probes)).toBe(true);
    writeFileSync(join(root, 'Dockerfile.dockerignore'), '');
    expect(texts.stillHolds(probes)).toBe(false);
    unlinkSync(join(root, 'Dockerfile.dockerignore'));
    writeFileSync(join(root, '.dockerignore'), 'tmp\n');
    expect(texts.stillHolds(probes)).toBe(false);
    unlinkSync(join(root, '.dockerignore'));
    expect(texts.stillHolds(probes)).toBe(false);
    writeFileSync(join(root, '.dockerignore'), 'dist\n');
    unlinkSync(join(root, 'svc.dockerignore'));
    expect(texts.stillHolds(probes)).toBe(false);
    writeFileSync(join(root, 'svc.dockerignore'), 'other\n');
    expect(texts.stillHolds(probes)).toBe(true);
  });

  it('in a worker that outlives one graph, lets a folder untouched since stand for the files it lacked', () => {
    const root = workspace({});
    mkdirSync(join(root, 'svc'));
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'svc'), old, old);
    const absences = new Map<string, Absence>();
    const texts = new WorkspaceTexts(root, [], new Map(), absences);
    texts.exists('svc/.dockerignore');
    texts.exists('svc/deep/er/.dockerignore');
    const probes = { ...texts.probes };
    texts.rememberAbsences();
    expect([...absences.values()].map(({ folder }) => folder)).toEqual(['svc', 'svc']);
    expect(texts.stillHolds(probes)).toBe(true);
    writeFileSync(join(root, 'svc/.dockerignore'), 'dist\n');
    expect(texts.stillHolds(probes)).toBe(false);
    // The folder's time put back: the stamp is what is asked, not the file (a worker without them asks the file).
    utimesSync(join(root, 'svc'), old, old);
    expect(new WorkspaceTexts(root, [], new Map()).stillHolds(probes)).toBe(false);
    unlinkSync(join(root, 'svc/.dockerignore'));
    utimesSync(join(root, 'svc'), old, old);
    expect(texts.stillHolds(probes)).toBe(true);
    writeFileSync(join(root, 'svc/.dockerignore'), 'dist\n');
    utimesSync(join(root, 'svc'), old, old);
    expect(texts.stillHolds(probes)).toBe(true);
  });

  it('takes no stamp from a folder changed within the last second: a change in the same clock tick would not move it', () => {
    const root = workspace({});
    mkdirSync(join(root, 'svc'));
    const absences = new Map<string, Absence>();
    const texts = new WorkspaceTexts(root, [], new Map(), absences);
    texts.exists('svc/.dockerignore');
    expect(texts.stillHolds({ ...texts.probes })).toBe(true);
    expect(absences.size).toBe(0);
  });
});
