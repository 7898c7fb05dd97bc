import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractAll, FILES_PER_WORKER, shares, workersFor, type PendingFile } from './parallel-extract';
import type { ImportRef } from './sdk-imports';

describe('workersFor', () => {
  it.each<[string, number, number, unknown, number]>([
    ['a small repository: none', 3_000, 8, undefined, 0],
    ['one per FILES_PER_WORKER pending files', 3 * FILES_PER_WORKER + 1, 8, undefined, 3],
    ['never more than the other cores', 10 * FILES_PER_WORKER, 4, undefined, 3],
    ['one core: none', 10 * FILES_PER_WORKER, 1, undefined, 0],
    ['the option wins over the work', 100, 8, 2, 2],
    ['the option 0 turns them off', 10 * FILES_PER_WORKER, 8, 0, 0],
    ['the option is still capped by the cores', 100, 2, 6, 1],
    ['a bad option is ignored', 10 * FILES_PER_WORKER, 8, 'many', 7],
    ['a single file: never a thread', 1, 8, 4, 0],
  ])('%s', (_case, pending, cores, option, expected) => {
    expect(workersFor(pending, cores, option)).toBe(expected);
  });
});

describe('shares', () => {
  it('splits in order into at most `parts` non-empty shares', () => {
    expect(shares([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(shares([1, 2], 3)).toEqual([[1], [2]]);
  });
});

describe('extractAll', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-extract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A stand-in worker speaking extract-worker's protocol (the real one runs in the e2e suite, from the package). */
  const script = (name: string, body: string) => {
    const file = join(dir, `${name}.js`);
    writeFileSync(
      file,
      `const { workerData } = require('node:worker_threads');\nconst { files, port, done } = workerData;\n${body}\nAtomics.add(done, 0, 1);\nAtomics.notify(done, 0);\n`,
    );
    return file;
  };
  const ref = (specifier: string): ImportRef => ({ specifier, kind: 'import', line: 1 });
  const pending: PendingFile[] = Array.from({ length: 7 }, (_, i) => ({ file: `f${i}.ts`, text: `m${i}` }));
  const here = (file: string, text: string) => [ref(`here:${file}:${text}`)];

  it("keeps the files' order across threads, this thread taking the first share", () => {
    const worker = script(
      'echo',
      `port.postMessage({ results: files.map((f) => [{ specifier: 'worker:' + f.file, kind: 'import', line: 1 }]), fullParses: 2 });`,
    );
    const stats = { fullParses: 0 };
    const out = extractAll(pending, 2, here, stats, worker) as ImportRef[][];
    expect(out.map((refs) => refs[0]!.specifier)).toEqual([
      'here:f0.ts:m0',
      'here:f1.ts:m1',
      'here:f2.ts:m2',
      'worker:f3.ts',
      'worker:f4.ts',
      'worker:f5.ts',
      'worker:f6.ts',
    ]);
    expect(stats.fullParses).toBe(4);
  });

  it('extracts here what a worker could not (a failed file, a failed share), and reports an extraction error', () => {
    const partial = script('partial', `port.postMessage({ results: files.map((f, i) => (i === 0 ? null : [])) });`);
    const out = extractAll(pending, 1, here, undefined, partial);
    expect(out[4]).toEqual([ref('here:f4.ts:m4')]);
    expect(out[5]).toEqual([]);
    const silent = script('silent', `port.postMessage({});`);
    const failing = (file: string, text: string) => {
      if (file === 'f6.ts') throw new Error('boom');
      return here(file, text);
    };
    const fallback = extractAll(pending, 1, failing, undefined, silent);
    expect(fallback.slice(0, 6)).toEqual(pending.slice(0, 6).map((p) => here(p.file, p.text)));
    expect(fallback[6]).toEqual(new Error('boom'));
  });

  it('without the worker script (untranspiled sources), or with no workers, extracts everything here', () => {
    expect(extractAll(pending, 3, here, undefined, join(dir, 'missing.js'))).toEqual(
      pending.map((p) => here(p.file, p.text)),
    );
    expect(extractAll(pending, 0, here)).toEqual(pending.map((p) => here(p.file, p.text)));
  });
});
