import { describe, expect, it } from 'vitest';
import { isComponentFile, scriptBlocks } from './component-scripts';
import { importsOf, parsedImportsOf } from './sdk-imports';

const lines = (...text: string[]) => text.join('\n');

describe('scriptBlocks', () => {
  it('finds each inline script block with its language and first line, past comments and src blocks', () => {
    const text = lines(
      '<template>',
      '  <div>{{ a }}</div>',
      '</template>',
      '<!-- <script>commented</script> -->',
      '<script src="./external.ts"></script>',
      '<script src="./self-closing.ts" />',
      '<script lang="ts">',
      'export default {};',
      '</script>',
      "<SCRIPT setup lang='TSX'>const b = 1;</SCRIPT >",
      '<script context="module">const c = 2;</script>',
      '<style>.a { color: red }</style>',
    );
    expect(scriptBlocks(text)).toEqual([
      { code: '\nexport default {};\n', fileName: 'component.ts', line: 7 },
      { code: 'const b = 1;', fileName: 'component.tsx', line: 10 },
      { code: 'const c = 2;', fileName: 'component.js', line: 11 },
    ]);
  });

  it('takes an unclosed block to the end, and an unclosed comment hides the rest', () => {
    expect(scriptBlocks('<script>const a = 1;')).toEqual([{ code: 'const a = 1;', fileName: 'component.js', line: 1 }]);
    expect(scriptBlocks('<!-- <script>const a = 1;</script>')).toEqual([]);
  });

  it('knows Vue and Svelte components', () => {
    expect(['App.vue', 'Widget.svelte', 'a.ts', 'vue.config.js'].map(isComponentFile)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("a component's references", () => {
  const app = lines(
    '<template>',
    "  <p>Don't import x from '@acme/nope'</p>",
    '</template>',
    '<script setup lang="ts">',
    "import { a } from '@acme/a';",
    "import type { B } from '@acme/b';",
    "const c = () => import('@acme/c');",
    '</script>',
    '<script>',
    "const d = require('@acme/d');",
    '</script>',
  );

  it("are its script blocks', at the component's lines, from the scanner and the full parse alike", () => {
    const expected = [
      { specifier: '@acme/a', line: 5, kind: 'import' },
      { specifier: '@acme/b', line: 6, kind: 'type-import' },
      { specifier: '@acme/c', line: 7, kind: 'dynamic-import' },
      { specifier: '@acme/d', line: 10, kind: 'require' },
    ];
    expect(importsOf('App.vue', app)).toEqual(expected);
    expect(parsedImportsOf('App.vue', app)).toEqual(expected);
  });
});
