import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../testing/fake-ports';
import type { BuildOptions } from './build';
import { contentInputsKeys, contentTagMemo, type HashedFile } from './content-inputs';

const node = (name: string, root: string) => ({ name, type: 'lib' as const, data: { root } });
const graph = (extra: Array<{ source: string; target: string }> = []): ProjectGraph => ({
  nodes: {
    orders: node('orders', 'services/orders'),
    money: node('money', 'libs/money'),
    other: node('other', 'libs/other'),
  },
  dependencies: {
    orders: [
      { source: 'orders', target: 'money', type: 'static' },
      { source: 'orders', target: 'npm:express', type: 'static' },
    ],
    money: [],
    other: [],
    ...Object.fromEntries(extra.map((d) => [d.source, [{ ...d, type: 'static' }]])),
  },
});
const PRUNED: BuildOptions = { dockerfile: 'services/orders/Dockerfile', context: '.', prune: true };
const FILES: HashedFile[] = [
  { file: 'package.json', hash: 'p1' },
  { file: 'package-lock.json', hash: 'l1' },
  { file: 'services/orders/Dockerfile', hash: 'd1' },
  { file: 'services/orders/main.ts', hash: 'm1' },
  { file: 'libs/money/index.ts', hash: 'i1' },
  { file: 'libs/other/index.ts', hash: 'o1' },
  { file: 'config/shared.json', hash: 's1' },
  { file: 'scripts/tool.sh', hash: 't1' },
];
const keyOf = (files = FILES, options = PRUNED, g = graph(), salt = 'v1') =>
  contentInputsKeys(files, salt)(options, g, 'orders');
const changed = (file: string) => FILES.map((f) => (f.file === file ? { ...f, hash: `${f.hash}'` } : f));

describe('contentInputsKeys', () => {
  it('changes with every input of a pruned context and with nothing else', () => {
    const key = keyOf();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf([...FILES].reverse())).toBe(key);
    // Outside the closure, not at the root, not included: the tag cannot depend on it.
    expect(keyOf(changed('libs/other/index.ts'))).toBe(key);
    expect(keyOf(changed('scripts/tool.sh'))).toBe(key);
    for (const file of [
      'services/orders/main.ts',
      'libs/money/index.ts',
      'package-lock.json',
      'services/orders/Dockerfile',
    ])
      expect(keyOf(changed(file)), file).not.toBe(key);
    expect(keyOf([...FILES, { file: 'libs/money/new.ts', hash: 'n1' }])).not.toBe(key);
    expect(keyOf(FILES, { ...PRUNED, buildArgs: { MODE: 'x' } })).not.toBe(key);
    expect(keyOf(FILES, { ...PRUNED, target: 'runtime' })).not.toBe(key);
    expect(keyOf(FILES, PRUNED, graph([{ source: 'money', target: 'npm:zod' }]))).not.toBe(key);
    expect(keyOf(FILES, PRUNED, graph(), 'v2')).not.toBe(key);
  });

  it("follows a patch file anywhere, which pnpm's patchedDependencies may name (rocicorp's packages/zero/patches)", () => {
    const files = [...FILES, { file: 'libs/other/patches/pg.patch', hash: 'x1' }];
    expect(keyOf(files.map((f) => (f.file.endsWith('.patch') ? { ...f, hash: 'x2' } : f)))).not.toBe(keyOf(files));
  });

  it('follows the files an include names', () => {
    const including = { ...PRUNED, contextInclude: ['config/**'] };
    expect(keyOf(changed('config/shared.json'), including)).not.toBe(keyOf(FILES, including));
  });

  it('has no key where the inputs are not all in Nx’s file list: folder contexts, build outputs, named contexts, base images', () => {
    expect(keyOf(FILES, { dockerfile: 'services/orders/Dockerfile', context: 'services/orders' })).toBeUndefined();
    expect(keyOf(FILES, { ...PRUNED, contextOutputs: ['dist/services/orders'] })).toBeUndefined();
    expect(keyOf(FILES, { ...PRUNED, buildContexts: { assets: 'libs/assets' } })).toBeUndefined();
    expect(keyOf(FILES, { ...PRUNED, buildContexts: {} })).toBeDefined();
    // A base image's tag is its own service's sources', which this key does not follow.
    expect(keyOf(FILES, { ...PRUNED, baseImages: { 'r.example/base': 'base:docker-build' } })).toBeUndefined();
  });
});

describe('contentTagMemo', () => {
  it('computes once per key, again for another key, and never keeps a tag without a key', async () => {
    const files = memoryFiles({ '/data/content-tags/broken.json': '{not json' });
    const memo = contentTagMemo(files, '/data/content-tags');
    let computed = 0;
    const compute = (tag: string) => async () => (computed++, tag);

    expect(await memo.remembered('orders', 'k1', compute('ct-1'))).toBe('ct-1');
    expect(await memo.remembered('orders', 'k1', compute('ct-other'))).toBe('ct-1');
    expect(computed).toBe(1);
    expect(await memo.remembered('orders', 'k2', compute('ct-2'))).toBe('ct-2');
    expect(await memo.remembered('web', undefined, compute('ct-3'))).toBe('ct-3');
    expect(await memo.remembered('broken', 'k1', compute('ct-4'))).toBe('ct-4');
    expect(computed).toBe(4);
    expect([...files.files.keys()].sort()).toEqual([
      '/data/content-tags/broken.json',
      '/data/content-tags/orders.json',
    ]);
  });
});
