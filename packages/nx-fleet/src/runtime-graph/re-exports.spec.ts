import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReExports } from './re-exports';

const FILES: Record<string, string> = {
  'lib/index.ts': [
    '/* export * from "./hidden"; */',
    "export * from './a';",
    "export { B as Bee, C } from './b';",
    "export * as ns from './c';",
    "export * from './loop';",
    'export const local = 1;',
    'const kept = 2;',
    'export { kept };',
    "import { Imported as Renamed } from './b';",
    'export { Renamed };',
  ].join('\n'),
  'lib/a.ts': 'export interface AClient {}\nexport const A_NAME = "a";\nexport * from "./deep";\n',
  'lib/deep/index.ts': 'export declare abstract class Deep {}\n',
  'lib/b.ts': 'export class B {}\nexport function C() {}\nexport const Imported = 1;\n',
  'lib/c.ts': 'export {};\n',
  'lib/hidden.ts': 'export const Hidden = 1;\n',
  'lib/loop.ts': "export * from './index';\n",
};

const resolve = (specifier: string, from: string) => {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  return [`${base}.ts`, `${base}/index.ts`].find((file) => FILES[file] !== undefined);
};

describe('ReExports', () => {
  const reExports = new ReExports((file) => FILES[file], resolve);
  it.each([
    ['AClient', 'lib/a.ts'],
    ['A_NAME', 'lib/a.ts'],
    ['Deep', 'lib/deep/index.ts'],
    ['Bee', 'lib/b.ts'],
    ['C', 'lib/b.ts'],
    ['ns', 'lib/c.ts'],
    ['local', 'lib/index.ts'],
    ['kept', 'lib/index.ts'],
    // Imported, then exported from the file's own list.
    ['Renamed', 'lib/b.ts'],
    // A commented-out re-export, a name under its original name only, and a name nowhere: not found.
    ['Hidden', undefined],
    ['B', undefined],
    ['Nothing', undefined],
  ])('%s is declared in %s', (name, module) => {
    expect(reExports.declaring('lib/index.ts', name)).toBe(module);
  });
});
