import { describe, expect, it } from 'vitest';
import { scanImports } from './scan-imports';
import { importsOf, parsedImportsOf } from './sdk-imports';

const lines = (...text: string[]) => text.join('\n');

/**
 * Snippets that trip naive import finders: each must give, from the scanner, either exactly what the
 * full parse gives or "undecided" (then the caller parses). Hand-written, shaped like real service code.
 */
const TRICKY: Record<string, string> = {
  'every declaration form': lines(
    "import def from '@acme/a';",
    "import def2, { x } from '@acme/b';",
    "import def3, * as all from '@acme/c';",
    "import * as ns from '@acme/d';",
    "import { a as b, type C, default as d } from '@acme/e';",
    "import { type A, type B as BB } from '@acme/f';",
    "import type { G } from '@acme/g';",
    "import type H from '@acme/h';",
    "import type * as I from '@acme/i';",
    "import {} from '@acme/j';",
    "import '@acme/k';",
    "import json from './data.json' with { type: 'json' };",
    "import type from '@acme/named-type';",
    "import type, { y } from '@acme/named-type-2';",
    "import { type } from '@acme/value-named-type';",
    "import { 'quoted-name' as q } from '@acme/quoted';",
  ),
  'every export form': lines(
    "export * from '@acme/a';",
    "export * as ns from '@acme/b';",
    "export type * from '@acme/c';",
    "export type * as T from '@acme/d';",
    "export { a, b as c } from '@acme/e';",
    "export { type A, type B as C } from '@acme/f';",
    "export { type A2, b2 } from '@acme/g';",
    "export type { H } from '@acme/h';",
    "export {} from '@acme/i';",
    "export { default } from '@acme/j';",
    "export { default as K } from '@acme/k';",
    'const local = 1;',
    'export { local };',
    'export const value = 2;',
    'export type Alias = { a: string };',
    'export default local;',
  ),
  'import equals and require': lines(
    "import a = require('@acme/a');",
    "import type b = require('@acme/b');",
    "export import c = require('@acme/c');",
    "import type = require('@acme/named-type');",
    'namespace N {',
    "  import d = require('@acme/d');",
    '  export const x = d;',
    '}',
    'import E = N.x;',
    "const f = require('@acme/f');",
    "const g = require('@acme/g').default;",
    "const { h } = require('@acme/h'), i = require(`@acme/i`);",
    "const j = require('@acme/' + 'j');",
    "const k = module.require('@acme/k');",
    "const l = require.resolve('@acme/l');",
    'const m = require(name);',
    "const n = new require('@acme/n');",
    "const o = require('@acme/o', extra);",
    'function require2(x: string) { return x; }',
    "export const p = [a, b, c, E, f, g, h, i, j, k, l, m, n, o, require2('@acme/q')];",
  ),
  'dynamic imports where only an expression can be': lines(
    'export async function load() {',
    "  const a = await import('@acme/a');",
    "  const b = import('@acme/b');",
    '  let c = import(`@acme/c`);',
    "  const d = import('@acme/d', { with: { type: 'json' } });",
    "  void Promise.resolve(import('@acme/e'));",
    "  if (a) return import('@acme/f');",
    "  import('@acme/g');",
    '  const h = import(name);',
    '  const i = import(`@acme/${name}`);',
    "  const j = foo.import('@acme/j');",
    '  const k = import.meta.url;',
    '  return [a, b, c, d, h, i, j, k];',
    '}',
    "export function* gen() { yield import('@acme/y'); }",
  ),
  'imports after as, passed in arrows and chained': lines(
    "const a = x as typeof import('@acme/a');",
    "const b = y as import('@acme/b').B;",
    "const c = z satisfies import('@acme/c').C;",
    "const routes = [{ loadChildren: () => import('@acme/d').then((m) => m.D) }];",
    "const Page = lazy(() => import('@acme/e'));",
    "const Other = lazy(async () => import('@acme/f'));",
    "const g = memo(x => import('@acme/g'));",
    "const h = lazy((options: { retry: number }) => import('@acme/h'));",
    "type Jose = typeof import('@acme/jose');",
    "class Loader { load() { this.jose = import('@acme/jose'); } }",
    'export { a, b, c, routes, Page, Other, g, h };',
  ),
  'an arrow whose place the tokens cannot tell': lines(
    "type T = { load: () => import('@acme/t') };",
    "const o = { load: () => import('@acme/o') };",
  ),
  'import types': lines(
    "type A = import('@acme/a').A;",
    "export type B = import('@acme/b');",
    "declare type C = import('@acme/c').C;",
    "let d: typeof import('@acme/d');",
    "let e: import('@acme/e').E;",
    "function f(x: import('@acme/f').F): Array<import('@acme/g').G> { return x as never; }",
    "const h = (): Promise<typeof import('@acme/h')> => import('@acme/h2');",
    "type I = { i: import('@acme/i').I } | (import('@acme/j').J)[];",
    "type K<T> = T extends import('@acme/k').K ? 1 : 0;",
  ),
  'comments, strings and templates': lines(
    "// import { a } from '@acme/comment';",
    '/* import { b } from "@acme/block";',
    "   require('@acme/block-require') */",
    "/** @see import('@acme/jsdoc') */",
    'const s1 = "import x from \'@acme/string\'";',
    'const s2 = \'require("@acme/string2")\';',
    "const t1 = `import('@acme/template') ${s1} require('@acme/template2')`;",
    "const t2 = `outer ${`inner ${require('@acme/nested-code')} import('@acme/nested-text')`} done`;",
    "const t3 = `${{ a: `${'}'}` }.a} import x from '@acme/after-brace'`;",
    "const t4 = tag`import('@acme/tagged')`;",
    "const u = 'it\\'s // not a comment'; import '@acme/after-escaped-quote';",
    'export { s1, s2, t1, t2, t3, t4, u };',
  ),
  'regular expressions': lines(
    "const r1 = /import x from '@acme\\/regex'/;",
    'const r2 = /[\'"`]/g.test(s) ? 1 : 0;',
    "const r3 = s.replace(/\\/\\*/g, '');",
    "const r4 = [/require\\('x'\\)/, /`/];",
    'const r5 = x => /import\\(/.test(x);',
    'const half = (a + b) / 2;',
    'const ratio = total / count / 2;',
    "const r6 = s.split(/[/]/); import '@acme/after-class-slash';",
    'export { r1, r2, r3, r4, r5, r6, half, ratio };',
  ),
  'a regex after a closing parenthesis, with a quote in it': lines("if (ok) /it's/.test(s);", "import '@acme/after';"),
  'a division after a closing parenthesis, with a comment after it': lines(
    'const avg = (a + b) / 2; // average',
    "import '@acme/after';",
  ),
  'a regex after a block': lines('function f() {}', "/'/.test(s); import '@acme/after';"),
  'properties and members named import or require': lines(
    "const o = { import: 1, require: 2, 'import': 3 };",
    'class C {',
    '  import = 1;',
    '  require?: string;',
    '  import2() { return o.import; }',
    '  import(x: string) { return this.require(x); }',
    '  require(x: string) { return x; }',
    '}',
    'interface I { import: string; require(x: string): void }',
    "export const v = new C().import('@acme/not-an-import');",
  ),
  'declare module blocks': lines(
    "declare module '@acme/augmented' {",
    "  import { X } from '@acme/inside-module';",
    "  export * from '@acme/inside-module-export';",
    "  import Y = require('@acme/inside-module-equals');",
    '}',
    "import { real } from '@acme/real';",
    'export { real };',
  ),
  'an import type in declare global': lines(
    'declare global {',
    "  interface Window { sdk: import('@acme/global-type').Sdk }",
    '}',
    'export {};',
  ),
  'shebang, BOM-free CRLF lines and unicode': lines(
    '#!/usr/bin/env node',
    "import { a } from '@acme/a';\r",
    "const café = require('@acme/café');\r",
    "const ü = '\u00fc'; import '@acme/after-unicode';",
  ),
  'decorators and generics': lines(
    "import { Injectable } from '@acme/di';",
    '@Injectable()',
    'export class S<T extends Array<Map<string, number>>> {',
    "  @Inject(require('@acme/token')) t!: T;",
    '  m<U>(x: U): U { return <U>x; }',
    '}',
    "const g = f<number>(1) > 2 ? require('@acme/g1') : require('@acme/g2');",
  ),
  'multi-line declarations': lines(
    'import {',
    '  a,',
    '  type B,',
    "} from '@acme/multi';",
    'export {',
    '  type C,',
    '  type D,',
    "} from '@acme/multi-types';",
    'const lazy = await import(',
    "  '@acme/multi-dynamic'",
    ');',
    'const r =',
    "  require('@acme/multi-require');",
  ),
  'syntax errors': lines(
    "import { ok } from '@acme/ok';",
    'const = ;',
    "import { from '@acme/broken'",
    'function ( {',
    "export * from '@acme/after-the-error';",
  ),
  'unterminated template': "import '@acme/a';\nconst t = `never ends ${1}\nimport '@acme/b';\n",
  'unterminated comment': "import '@acme/a';\n/* never ends\nimport '@acme/b';\n",
  're-exports after comments, past the last import': lines(
    "import a from '@acme/a';",
    'const x = 1; const y = 2; const z = 3; export const w = [a, x, y, z];',
    "export /* c */ * from '@acme/late';",
    'export // c',
    "{ q } from '@acme/late2';",
    'module.exports.e = 1; exports.f = 2;',
  ),
  'an empty file': '',
  'a file with no import words': 'export const a = 1;\nconst b = "x";\n',
  'require.resolve: a module path, with options, and other members': lines(
    "const proto = require.resolve('@acme/protos/orders.proto');",
    "const withPaths = require.resolve('@acme/r2', { paths: [__dirname] });",
    "const spaced = require . resolve ( '@acme/r3' );",
    "const lookups = require.resolve.paths('@acme/not-a-path');",
    "const cached = require.cache['@acme/not-cached'];",
    'const dynamic = require.resolve(name);',
    "const optional = require.resolve?.('@acme/r4');",
    "export const all = [proto, withPaths, spaced, lookups, cached, dynamic, optional, require.resolve('@acme/last')];",
  ),
  "import.meta.resolve: an ES module's module path, and other uses of import.meta": lines(
    "const users = fileURLToPath(import.meta.resolve('@acme/protos/users.proto'));",
    "const spaced = import . meta . resolve ( '@acme/r5' );",
    'const here = import.meta.url;',
    "const dirname = import.meta.dirname + '/x';",
    'const dynamic = import.meta.resolve(name);',
    "const optional = import.meta.resolve?.('@acme/r6');",
    "export const all = [users, spaced, here, dirname, dynamic, optional, import.meta.resolve('@acme/last')];",
  ),
  'require with type arguments or optional call':
    "const a = require<any>('@acme/a');\nconst b = require?.('@acme/b');\n",
  'import type puzzles': lines(
    "import { type as } from '@acme/a';",
    "import { type as as } from '@acme/b';",
    "import { type as as as } from '@acme/c';",
    "import type from from '@acme/d';",
  ),
};

const JSX: Record<string, string> = {
  'JSX text with quotes and import words': lines(
    "import { Widget } from '@acme/ui';",
    "export const App = () => <p>Don't import x from '@acme/nope' here</p>;",
    "const lazy = () => import('@acme/lazy');",
  ),
  'JSX attributes and closing tags': lines(
    "import React from 'react';",
    "export const A = () => <Widget label=\"import x from '@acme/nope'\">{require('@acme/inline')}</Widget>;",
  ),
  'JSX-free JavaScript': lines(
    "const sdk = require('@acme/orders-sdk');",
    'module.exports = { a: sdk, b: 1 < 2, c: /x/.test("y") };',
  ),
};

const FLAVOURS = ['a.ts', 'a.mts', 'a.cts', 'a.tsx', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs'];

describe('scanImports against the full parse', () => {
  describe.each(FLAVOURS)('in %s', (file) => {
    it.each(Object.entries({ ...TRICKY, ...JSX }))('%s: the same references, or undecided', (_name, text) => {
      const scanned = scanImports(file, text);
      if (scanned !== undefined) expect(scanned).toEqual(parsedImportsOf(file, text));
      expect(importsOf(file, text)).toEqual(parsedImportsOf(file, text));
    });
  });

  // Decided by the scanner (no full parse): what nearly every real file looks like.
  it.each([
    'every declaration form',
    'every export form',
    'import equals and require',
    'dynamic imports where only an expression can be',
    'imports after as, passed in arrows and chained',
    'comments, strings and templates',
    'regular expressions',
    'a division after a closing parenthesis, with a comment after it',
    'properties and members named import or require',
    'shebang, BOM-free CRLF lines and unicode',
    'multi-line declarations',
    're-exports after comments, past the last import',
    'an empty file',
    'a file with no import words',
  ])('%s is decided by the scanner in .ts', (name) => {
    expect(scanImports('a.ts', TRICKY[name]!)).toEqual(parsedImportsOf('a.ts', TRICKY[name]!));
  });

  it.each([
    ['a regex after a closing parenthesis, with a quote in it', 'a.ts'],
    ['a regex after a block', 'a.ts'],
    ['import types', 'a.ts'],
    ['syntax errors', 'a.ts'],
    ['unterminated template', 'a.ts'],
    ['unterminated comment', 'a.ts'],
    ['require with type arguments or optional call', 'a.ts'],
    ['import type puzzles', 'a.ts'],
    ['declare module blocks', 'a.ts'],
    ['an arrow whose place the tokens cannot tell', 'a.ts'],
  ])('%s is left to the full parse (%s)', (name, file) => {
    expect(scanImports(file, TRICKY[name]!)).toBeUndefined();
  });

  it('leaves JSX to the full parse, but not JavaScript without JSX', () => {
    expect(scanImports('a.tsx', JSX['JSX text with quotes and import words']!)).toBeUndefined();
    expect(scanImports('a.jsx', JSX['JSX attributes and closing tags']!)).toBeUndefined();
    expect(scanImports('a.js', JSX['JSX-free JavaScript']!)).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'require' },
    ]);
  });

  it('decides a JSX file whose JSX comes after its last import: the tokens past it are never read', () => {
    const text = lines(
      "import { Widget } from '@acme/ui';",
      "import type { Props } from '@acme/ui-types';",
      "export const App = (p: Props) => <Widget>Don't {p.label}</Widget>;",
    );
    expect(scanImports('a.tsx', text)).toEqual(parsedImportsOf('a.tsx', text));
    expect(scanImports('a.tsx', text)).toHaveLength(2);
  });

  it('decides a JSX file whose later text holds import words only inside longer names', () => {
    const text = lines(
      "import { Field } from '@acme/forms';",
      'export const Form = () => (',
      '  <Field isRequired css="color: red !important" hint="imports and exports required">',
      "    {fieldImports.map((f) => requireAuth(f))} Don't leave it empty",
      '  </Field>',
      ');',
    );
    expect(scanImports('a.tsx', text)).toEqual([{ specifier: '@acme/forms', line: 1, kind: 'import' }]);
  });

  it('decides a component file that ends by exporting its local names, and one with no reference word', () => {
    const text = lines(
      "import * as React from 'react';",
      "import { cn } from '@acme/ui';",
      'const Badge = ({ label }: { label: string }) => <span className={cn("x")}>Don\'t {label}</span>;',
      'export {',
      '  Badge,',
      '  Badge as Pill,',
      '};',
    );
    expect(scanImports('a.tsx', text)).toEqual(parsedImportsOf('a.tsx', text));
    expect(scanImports('a.tsx', text)).toHaveLength(2);
    const icon = "export const Icon = (p: Props) => <svg {...p}><title>Don't</title></svg>;\n";
    expect(scanImports('a.tsx', icon)).toEqual([]);
    // Listed names with a re-export possible after them stay a candidate.
    const later = lines("import a from '@acme/a';", "const b = <p>Don't</p>;", "export { b }\nfrom '@acme/late';");
    expect(scanImports('a.tsx', later)).toBeUndefined();
    expect(importsOf('a.tsx', later)).toContainEqual({ specifier: '@acme/late', line: 3, kind: 'export' });
  });

  it('stops at JSX or a doubtful regular expression past the last word, inside a function as well', () => {
    const icon = lines(
      "import { FireIcon } from '@acme/icons';",
      "import { cn } from '@acme/ui';",
      'function ColdStartIcon({ className }: { className?: string }) {',
      '  return <svg className={className}><path d="M12 2C12.7 2" /></svg>;',
      '}',
      'export function WarmStartIcon({ warm }: { warm: boolean }) {',
      '  if (warm) return <FireIcon className={cn("x")} />;',
      "  return <p>Don't</p>;",
      '}',
    );
    expect(scanImports('a.tsx', icon)).toEqual(parsedImportsOf('a.tsx', icon));
    expect(scanImports('a.tsx', icon)).toHaveLength(2);
    const regex = lines("import { a } from '@acme/a';", 'function f(x) {', "  if (x) /it's/.test(x);", '}');
    expect(scanImports('a.ts', regex)).toEqual([{ specifier: '@acme/a', line: 1, kind: 'import' }]);
    // Before the last word it still leaves the file to the full parse.
    const before = lines("const a = () => <p>Don't</p>;", "import { b } from '@acme/b';");
    expect(scanImports('a.tsx', before)).toBeUndefined();
  });

  it('ends early only where the tokens read the last word as its keyword (a stray */ can part them from the parser)', () => {
    const text =
      "comment */ const f = require('@acme/f'); const t = `a ${ /** @see import('@acme/jsdoc') */   type C, const = ;   export const x = d; const r6 = s.split(/[/]/); import '@acme/after-class-slash';";
    expect(scanImports('a.mjs', text)).toBeUndefined();
    expect(importsOf('a.mjs', text)).toEqual(parsedImportsOf('a.mjs', text));
    // A last word inside a string is read to the end: decided when the rest is sound.
    const sample = lines(
      "import { a } from '@acme/a';",
      "const doc = `import { b } from '@acme/b';`;",
      'export const c = <p>x</p>;',
    );
    expect(scanImports('a.tsx', sample)).toBeUndefined();
    const plain = lines(
      "import { a } from '@acme/a';",
      "const doc = `import { b } from '@acme/b';`;",
      'export const c = a;',
    );
    expect(scanImports('a.ts', plain)).toEqual([{ specifier: '@acme/a', line: 1, kind: 'import' }]);
  });

  it('decides `type T = typeof import()` (a type) and `this.x = import()` (a call)', () => {
    const text = lines(
      "type Jose = typeof import('@acme/jose');",
      "class Loader { load() { this.jose = import('@acme/jose-runtime'); } }",
    );
    expect(scanImports('a.ts', text)).toEqual(parsedImportsOf('a.ts', text));
    expect(scanImports('a.ts', text)).toEqual([
      { specifier: '@acme/jose', line: 1, kind: 'import-type' },
      { specifier: '@acme/jose-runtime', line: 2, kind: 'dynamic-import' },
    ]);
  });

  it('reads past no English "export" or "require" in JSX text: only a re-export or a called require counts', () => {
    const email = lines(
      "import { Button, Text } from '@acme/email';",
      'export const Done = ({ url }: { url: string }) => (',
      "  <Text>Your data export is ready. Don't forget: downloads require a login. <Button href={url} /></Text>",
      ');',
    );
    expect(scanImports('a.tsx', email)).toEqual([{ specifier: '@acme/email', line: 1, kind: 'import' }]);
    // Re-exports and calls after the JSX still count: the scan reads to them (and leaves the JSX to the parser).
    for (const tail of [
      "export type { T } from '@acme/late';",
      "export type * from '@acme/late';",
      "export /* c */ * from '@acme/late';",
      "const late = require /* c */ ('@acme/late');",
    ]) {
      const text = lines(email, tail);
      expect(scanImports('a.tsx', text)).toBeUndefined();
      expect(importsOf('a.tsx', text).map((ref) => ref.specifier)).toEqual(['@acme/email', '@acme/late']);
    }
  });

  it('still reads to a word that a character outside ASCII sets apart (a no-break space is a space)', () => {
    const text = lines(
      "import { Widget } from '@acme/ui';",
      "export const App = () => <Widget>Don't</Widget>;",
      "const late =\u00a0require('@acme/late');",
    );
    expect(scanImports('a.tsx', text)).toBeUndefined();
    expect(importsOf('a.tsx', text)).toContainEqual({ specifier: '@acme/late', line: 3, kind: 'require' });
  });

  // Random files stitched from the pieces above and more: no combination may make the scanner disagree.
  it('agrees with the full parse on 2,000 random files stitched from tricky pieces', () => {
    const pieces = [
      ...Object.values(TRICKY).flatMap((text) => text.split('\n')),
      "import { a } from '@acme/p1';",
      "import type { b } from '@acme/p2';",
      "export * from '@acme/p3';",
      "const c = require('@acme/p4');",
      "const d = await import('@acme/p5');",
      "// a comment with a quote: don't",
      '/* a block',
      'comment */',
      'const t = `a ${',
      '} b`;',
      '{',
      '}',
      '(',
      ')',
      'x = a / b / c;',
      'x = /re/g;',
      'if (x) /re/.test(y);',
      "const q = 'a';",
      'const q2 = "b";',
      'const q3 = `c`;',
      '<div>',
      'type T = import(',
      "'@acme/p6').T;",
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let decided = 0;
    for (let n = 0; n < 2000; n++) {
      const count = 1 + Math.floor(random() * 8);
      const text = Array.from({ length: count }, () => pieces[Math.floor(random() * pieces.length)]!).join(
        random() < 0.5 ? '\n' : ' ',
      );
      const file = FLAVOURS[Math.floor(random() * FLAVOURS.length)]!;
      const scanned = scanImports(file, text);
      if (scanned === undefined) continue;
      decided++;
      if (JSON.stringify(scanned) !== JSON.stringify(parsedImportsOf(file, text)))
        console.log(file, JSON.stringify(text), JSON.stringify(scanned), JSON.stringify(parsedImportsOf(file, text)));
      expect({ file, text, refs: scanned }).toEqual({ file, text, refs: parsedImportsOf(file, text) });
    }
    // The scanner must decide most of them, or it saves nothing.
    expect(decided).toBeGreaterThan(500);
  }, 120_000);
});
