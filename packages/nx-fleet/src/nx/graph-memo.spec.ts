import { describe, expect, it } from 'vitest';
import { filesDelta, GraphMemo } from './graph-memo';
import { WorkspaceTexts } from './workspace-texts';

describe('GraphMemo', () => {
  it('numbers a set of paths: another order is the same set, a path added or removed is a new one', () => {
    const memo = new GraphMemo();
    const first = memo.filesVersion(['a', 'b', 'c']);
    expect(memo.filesVersion(['a', 'b', 'c'])).toBe(first);
    expect(memo.filesVersion(['c', 'a', 'b'])).toBe(first);
    const added = memo.filesVersion(['c', 'a', 'b', 'd']);
    expect(added).not.toBe(first);
    const renamed = memo.filesVersion(['c', 'a', 'b', 'e']);
    expect(renamed).not.toBe(added);
    // Back to the first set: a new number too (only the last set is remembered), never a wrong equal.
    expect(memo.filesVersion(['a', 'b', 'c'])).not.toBe(renamed);
  });

  it('answers a decision again while its key is the same, per slot', () => {
    const memo = new GraphMemo();
    let computed = 0;
    const decide = (slot: string, key: string) => memo.decision(slot, key, () => `${slot}:${key}:${++computed}`);
    expect(decide('s1', 'k')).toBe('s1:k:1');
    expect(decide('s1', 'k')).toBe('s1:k:1');
    expect(decide('s2', 'k')).toBe('s2:k:2');
    expect(decide('s1', 'k2')).toBe('s1:k2:3');
    expect(decide('s1', 'k')).toBe('s1:k:4');
  });

  it('knows its first graph', () => {
    const memo = new GraphMemo();
    expect([memo.firstAnswer(), memo.firstAnswer(), memo.firstAnswer()]).toEqual([true, false, false]);
  });

  it('tells content edits from a changed set of paths, in any order', () => {
    // 'a:1 b:2' is a file list: path a with hash 1, path b with hash 2.
    const list = (text: string) => text.split(' ').map((entry) => ({ file: entry[0]!, hash: entry[2]! }));
    const edit = { kind: 'edits', edits: [{ file: 'b', before: '2', after: '3' }] };
    const cases: Array<[string, unknown]> = [
      ['a:1 b:2', { kind: 'edits', edits: [] }],
      ['b:2 a:1', { kind: 'edits', edits: [] }],
      ['a:1 b:3', edit],
      ['b:3 a:1', edit],
      ['a:1', { kind: 'paths' }],
      ['a:1 c:2', { kind: 'paths' }],
      ['c:2 a:1', { kind: 'paths' }],
      ['a:1 b:2 c:3', { kind: 'paths' }],
    ];
    for (const [after, delta] of cases) expect(filesDelta(list('a:1 b:2'), list(after))).toEqual(delta);
  });

  describe('answerAgain', () => {
    const files = [
      { file: 'svc/Dockerfile', hash: 'd1' },
      { file: 'svc/src/main.ts', hash: 's1' },
      { file: 'README.md', hash: 'r1' },
    ];
    const texts = new WorkspaceTexts('/nowhere', files, new Map());
    const answer = { probes: {}, result: [['svc/Dockerfile', { projects: { svc: {} } }]] as never };
    const memo = (shared: boolean, unchanged: (file: string) => boolean = () => true) => {
      const graph = new GraphMemo(shared);
      graph.answered(
        { frame: 'f', files, reads: new Set(['svc/Dockerfile']), unchangedBy: ({ file }) => unchanged(file) },
        answer,
      );
      return graph;
    };
    const edit = (file: string, hash: string) => files.map((f) => (f.file === file ? { file, hash } : f));

    it('gives the last answer again while nothing it was made from changed', () => {
      expect(memo(false).answerAgain('f', { files }, texts)?.result).toBe(answer.result);
      expect(memo(false).answerAgain('f', { files: edit('README.md', 'r2') }, texts)?.result).toBe(answer.result);
      // In Nx's own process the answer is Nx's to change: a copy.
      const copy = memo(true).answerAgain('f', { files }, texts)?.result;
      expect(copy).toEqual(answer.result);
      expect(copy).not.toBe(answer.result);
    });

    it('does not when the frame, the paths, a file it read or the runtime graph changed', () => {
      expect(memo(false).answerAgain('g', { files }, texts)).toBeUndefined();
      expect(memo(false).answerAgain('f', { files: files.slice(1) }, texts)).toBeUndefined();
      expect(memo(false).answerAgain('f', { files: edit('svc/Dockerfile', 'd2') }, texts)).toBeUndefined();
      const runtime = memo(false, (file) => file !== 'svc/src/main.ts');
      expect(runtime.answerAgain('f', { files: edit('svc/src/main.ts', 's2') }, texts)).toBeUndefined();
    });

    it('compares the next edit with the state it answered last', () => {
      const graph = memo(false, (file) => file === 'README.md');
      expect(graph.answerAgain('f', { files: edit('README.md', 'r2') }, texts)).toBeDefined();
      // Back to r1 is an edit of the README again; only README edits are harmless here.
      expect(graph.answerAgain('f', { files }, texts)).toBeDefined();
    });

    it('names the file list its last answer was made from by Nx’s hash of it, as answered or answered again', () => {
      const graph = new GraphMemo(false);
      graph.answered({ frame: 'f', files, state: 's1', reads: new Set(), unchangedBy: () => true }, answer);
      expect(graph.filesAt('s1')).toBe(files);
      expect(graph.filesAt('s2')).toBeUndefined();
      const edited = edit('README.md', 'r2');
      expect(graph.answerAgain('f', { files: edited, state: 's2' }, texts)).toBeDefined();
      expect(graph.filesAt('s2')).toBe(edited);
      expect(graph.filesAt('s1')).toBeUndefined();
      // Answered again from a list asked without its hash: no state names it.
      graph.answerAgain('f', { files }, texts);
      expect(graph.filesAt('s2')).toBeUndefined();
    });

    it("checks the disk's probes again", () => {
      const graph = new GraphMemo(false);
      graph.answered(
        { frame: 'f', files, reads: new Set(), unchangedBy: () => true },
        { probes: { 'svc/.dockerignore': '' }, result: [] },
      );
      expect(graph.answerAgain('f', { files }, texts)).toBeUndefined();
    });
  });
});
