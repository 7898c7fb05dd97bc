import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameOf, NodesCache, nodesKey as keyOfFrame, optionsDigest, type NodesInputs } from './nodes-cache';
import { WorkspaceTexts } from './workspace-texts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-nodes-cache-'));
  dirs.push(dir);
  return dir;
}

const nodesKey = (inputs: NodesInputs) => keyOfFrame(frameOf(inputs), inputs.files);

const INPUTS: NodesInputs = {
  options: { registry: 'ghcr.io/acme' },
  matched: ['services/a/Dockerfile', 'services/a/project.json'],
  files: [
    { file: 'services/a/Dockerfile', hash: '1' },
    { file: 'services/a/project.json', hash: '2' },
    { file: 'services/a/src/main.ts', hash: '3' },
  ],
  shared: ['scripts/**'],
  broker: false,
};

describe('nodesKey', () => {
  it('follows every input, and not the order Nx lists files or matches them in', () => {
    const key = nodesKey(INPUTS);
    expect(nodesKey({ ...INPUTS, files: [...INPUTS.files].reverse(), matched: [...INPUTS.matched].reverse() })).toBe(
      key,
    );
    const changed: Array<Partial<NodesInputs>> = [
      { options: { registry: 'ghcr.io/other' } },
      { options: undefined },
      { matched: ['services/a/Dockerfile'] },
      { files: INPUTS.files.map((f) => (f.file.endsWith('main.ts') ? { ...f, hash: '4' } : f)) },
      { files: [...INPUTS.files, { file: 'services/a/src/new.ts', hash: '5' }] },
      { files: INPUTS.files.map((f) => (f.file.endsWith('main.ts') ? { ...f, file: 'services/a/src/index.ts' } : f)) },
      { shared: [] },
      { broker: true },
    ];
    const keys = changed.map((change) => nodesKey({ ...INPUTS, ...change }));
    expect(keys.every((k) => k !== key)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('NodesCache', () => {
  const result = [['services/a/Dockerfile', { projects: { 'services/a': { targets: {} } } }]] as never;

  it('answers the key it kept while the disk says what it said; otherwise, or unreadable, it misses', () => {
    const workspace = tempDir();
    const cache = NodesCache.for(tempDir(), INPUTS.options);
    const texts = () => new WorkspaceTexts(workspace, INPUTS.files, new Map());
    expect(cache.lookup('k', texts())).toBeUndefined();

    const reading = texts();
    expect(reading.exists('services/a/Dockerfile.dockerignore')).toBe(false);
    cache.save('k', reading.probes, result);
    expect(cache.lookup('k', texts())?.result).toEqual(result);
    expect(cache.lookup('other', texts())).toBeUndefined();

    writeFileSync(join(workspace, 'Dockerfile.dockerignore'), 'x\n');
    const read = texts();
    expect(read.text('Dockerfile.dockerignore')).toBe('x\n');
    cache.save('k', read.probes, result);
    expect(cache.lookup('k', texts())?.result).toEqual(result);
    writeFileSync(join(workspace, 'Dockerfile.dockerignore'), 'y\n');
    expect(cache.lookup('k', texts())).toBeUndefined();
  });

  it('takes an unreadable or foreign file for a miss', () => {
    const directory = tempDir();
    const cache = NodesCache.for(directory, undefined);
    const texts = new WorkspaceTexts(tempDir(), [], new Map());
    cache.save('k', {}, result);
    const file = join(directory, 'nx-fleet', readdirSync(join(directory, 'nx-fleet'))[0]!);
    writeFileSync(file, '{ not json');
    expect(cache.lookup('k', texts)).toBeUndefined();
    writeFileSync(file, `k\n${JSON.stringify({ result: 'not an array', probes: {} })}`);
    expect(cache.lookup('k', texts)).toBeUndefined();
  });

  it('tells whether any answer is kept, whatever the options (none after `nx reset`: the plugin loads its analysis ahead)', () => {
    const directory = tempDir();
    expect(NodesCache.anyKept(directory)).toBe(false);
    NodesCache.for(directory, { sdks: { a: 'b' } }).save('k', {}, result);
    expect(NodesCache.anyKept(directory)).toBe(true);
  });
});

describe('optionsDigest', () => {
  it('names each set of options apart, the same set alike, without Nx (its WASM binding has no hashArray)', () => {
    expect(optionsDigest(undefined)).toBe(optionsDigest({}));
    expect(optionsDigest({ registry: 'a' })).toBe(optionsDigest({ registry: 'a' }));
    expect(optionsDigest({ registry: 'a' })).not.toBe(optionsDigest({ registry: 'b' }));
    expect(optionsDigest({ registry: 'a' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
