import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  importsOf,
  isSourceFile,
  isTypeOnly,
  mayReferenceOtherProjects,
  MINIFIED_LINE,
  parsedImportsOf,
  prefixFilter,
} from './sdk-imports';

const lines = (...text: string[]) => text.join('\n');

describe('importsOf', () => {
  it('finds every kind of module reference, with its 1-based line', () => {
    const text = lines(
      "import { OrdersClient } from '@acme/orders-sdk';",
      "import type { Order } from '@acme/orders-types';",
      "import '@acme/side-effect';",
      "export * from '@acme/reexport-all';",
      "export { pay } from '@acme/payments-sdk';",
      "export type { Invoice } from '@acme/invoices-sdk';",
      "import legacy = require('@acme/legacy-sdk');",
      "type Client = import('@acme/type-only-sdk').Client;",
      'async function load() {',
      "  const lazy = await import('@acme/lazy-sdk');",
      "  const required = require('@acme/required-sdk');",
      '  const templated = await import(`@acme/template-sdk`);',
      '  return [lazy, required, templated, legacy];',
      '}',
      "export * as ns from '@acme/namespace-sdk';",
    );
    expect(importsOf('services/api/src/main.ts', text)).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'import' },
      { specifier: '@acme/orders-types', line: 2, kind: 'type-import' },
      { specifier: '@acme/side-effect', line: 3, kind: 'import' },
      { specifier: '@acme/reexport-all', line: 4, kind: 'export' },
      { specifier: '@acme/payments-sdk', line: 5, kind: 'export' },
      { specifier: '@acme/invoices-sdk', line: 6, kind: 'type-export' },
      { specifier: '@acme/legacy-sdk', line: 7, kind: 'import-equals' },
      { specifier: '@acme/type-only-sdk', line: 8, kind: 'import-type' },
      { specifier: '@acme/lazy-sdk', line: 10, kind: 'dynamic-import' },
      { specifier: '@acme/required-sdk', line: 11, kind: 'require' },
      { specifier: '@acme/template-sdk', line: 12, kind: 'dynamic-import' },
      { specifier: '@acme/namespace-sdk', line: 15, kind: 'export' },
    ]);
  });

  // What the compiler erases makes no runtime edge; anything that keeps a value binding, or loads the module, does.
  it.each([
    ["import type { A } from 'x';", 'type-import'],
    ["import type A from 'x';", 'type-import'],
    ["import type * as ns from 'x';", 'type-import'],
    ["import { type A } from 'x';", 'type-import'],
    ["import { type A, type B } from 'x';", 'type-import'],
    ["import { type A, B } from 'x';", 'import'],
    ["import A, { type B } from 'x';", 'import'],
    ["import * as ns from 'x';", 'import'],
    ["import {} from 'x';", 'import'],
    ["import 'x';", 'import'],
    ["export type { A } from 'x';", 'type-export'],
    ["export type * from 'x';", 'type-export'],
    ["export { type A } from 'x';", 'type-export'],
    ["export { type A, type B as C } from 'x';", 'type-export'],
    ["export { type A, B } from 'x';", 'export'],
    ["export * from 'x';", 'export'],
    ["export * as ns from 'x';", 'export'],
    ["import type x = require('x');", 'type-import'],
    ["import x = require('x');", 'import-equals'],
    ["let a: typeof import('x');", 'import-type'],
    ["type T = import('x').T;", 'import-type'],
    ["const m = import('x');", 'dynamic-import'],
    ["const m = require('x');", 'require'],
  ])('%s is a %s reference', (text, kind) => {
    expect(importsOf('src/a.ts', text)).toEqual([{ specifier: 'x', line: 1, kind }]);
  });

  it.each([
    ['type-import', true],
    ['type-export', true],
    ['import-type', true],
    ['import', false],
    ['export', false],
    ['dynamic-import', false],
    ['require', false],
    ['import-equals', false],
  ] as const)('isTypeOnly(%s) is %s', (kind, expected) => {
    expect(isTypeOnly(kind)).toBe(expected);
  });

  it('reads a type-only import as a call where the file makes an RPC client typed with it (tRPC, Hono, Eden), and only there', () => {
    const client = (factory: string) =>
      lines(
        "import type { AppRouter } from '@acme/api';",
        "import type { Order } from '@acme/orders-types';",
        `export const client = ${factory}<AppRouter>({});`,
      );
    // The type the client takes is the call; the file's other type-only imports stay types only.
    for (const factory of [
      'createTRPCClient',
      'createTRPCProxyClient',
      'createTRPCReact',
      // tRPC v9's React and Next forms.
      'createReactQueryHooks',
      'withTRPC',
      'hc',
      'treaty',
    ])
      expect(importsOf('client.ts', client(factory)).map((ref) => ref.kind)).toEqual(['typed-client', 'type-import']);
    // A client's type names no call: no client is made.
    expect(
      importsOf(
        'client.ts',
        lines(
          "import type { AppRouter } from '@acme/api';",
          "import type { createTRPCClient } from '@trpc/client';",
          'export type C = ReturnType<typeof createTRPCClient<AppRouter>>;',
        ),
      ).map((ref) => ref.kind),
    ).toEqual(['type-import', 'type-import']);
    // A generic call of another name, or a comparison, keeps the imports types only.
    expect(importsOf('client.ts', client('useState')).map((ref) => ref.kind)).toEqual(['type-import', 'type-import']);
    expect(
      importsOf('x.ts', lines("import type { A } from '@acme/api';", 'const ok = hc <= 2;')).map((r) => r.kind),
    ).toEqual(['type-import']);
    expect(isTypeOnly('typed-client')).toBe(false);
  });

  it("reads openapi-fetch's client typed with a schema's paths as a call, under its imported name, and nothing else's createClient", () => {
    const client = (from: string, name = 'createClient') =>
      lines(
        `import ${name} from '${from}';`,
        "import type { paths } from '@acme/api-client';",
        `export const api = ${name}<paths>({ baseUrl: process.env.API_URL });`,
      );
    expect(importsOf('api.ts', client('openapi-fetch')).map((ref) => ref.kind)).toEqual(['import', 'typed-client']);
    expect(importsOf('api.ts', client('openapi-fetch', 'createFetchClient')).map((ref) => ref.kind)).toEqual([
      'import',
      'typed-client',
    ]);
    // Its named createPathBasedClient too, aliased or not.
    expect(
      importsOf(
        'api.ts',
        lines(
          "import { createPathBasedClient as make } from 'openapi-fetch';",
          "import type * as api from '@acme/api-client';",
          'export const client = make<api.paths>({});',
        ),
      ).map((ref) => ref.kind),
    ).toEqual(['import', 'typed-client']);
    // Supabase's createClient<Database> types a database client: no call of the schema's owner.
    expect(importsOf('db.ts', client('@supabase/supabase-js')).map((ref) => ref.kind)).toEqual([
      'import',
      'type-import',
    ]);
  });

  it("reads NestJS's gRPC client typed with a generated interface as a call of its owner, only there (`getService<UsersServiceClient>`)", () => {
    const text = (call: string) =>
      lines(
        "import type { ClientGrpc } from '@nestjs/microservices';",
        "import type { UsersServiceClient } from '@acme/proto';",
        "import type { Order } from '@acme/orders-types';",
        `export const users = (grpc: ClientGrpc) => grpc.${call}('UsersService');`,
      );
    expect(importsOf('users.ts', text('getService<UsersServiceClient>')).map((ref) => ref.kind)).toEqual([
      'type-import',
      'typed-client',
      'type-import',
    ]);
    // The check can fail: without the client, types only.
    expect(importsOf('users.ts', text('getClientByServiceName')).map((ref) => ref.kind)).toEqual([
      'type-import',
      'type-import',
      'type-import',
    ]);
  });

  it("reads Temporal's client starting a worker's workflow by its type as a call of its owner, only there", () => {
    const text = (client: string, call: string) =>
      lines(
        `import { Client } from '${client}';`,
        "import type * as workflows from '@acme/worker/workflows';",
        "import type { Order } from '@acme/orders-types';",
        `export const go = (c: Client) => c.workflow.${call}<typeof workflows.orderWorkflow>('orderWorkflow', { taskQueue: 'q' });`,
      );
    for (const call of ['start', 'execute', 'signalWithStart'])
      expect(importsOf('api.ts', text('@temporalio/client', call)).map((ref) => ref.kind)).toEqual([
        'import',
        'typed-client',
        'type-import',
      ]);
    // The check can fail: another library's `start<…>` types nothing of a worker.
    expect(importsOf('api.ts', text('@acme/jobs', 'start')).map((ref) => ref.kind)).toEqual([
      'import',
      'type-import',
      'type-import',
    ]);
  });

  it('never counts comments, plain strings or template literals', () => {
    const text = lines(
      "// import { OrdersClient } from '@acme/orders-sdk';",
      '/* export * from "@acme/orders-sdk"; */',
      '/** @see import("@acme/orders-sdk") */',
      'const docs = "import { x } from \'@acme/orders-sdk\'";',
      'const single = \'require("@acme/orders-sdk")\';',
      "const template = `import('@acme/orders-sdk') and require('@acme/orders-sdk')`;",
      "const withSubstitution = `${docs} import x from '@acme/orders-sdk'`;",
      "const regex = /import '@acme\\/orders-sdk'/;",
      'export const all = [docs, single, template, withSubstitution, regex];',
    );
    expect(importsOf('services/api/src/decoys.ts', text)).toEqual([]);
  });

  it('ignores import() and require() whose argument is no literal', () => {
    const text = lines(
      "const name = '@acme/orders-sdk';",
      'const a = require(name);',
      'const b = import(name);',
      'const c = import(`@acme/${name}`);',
      "const d = require('@acme/' + 'orders-sdk');",
      "const e = module.require('@acme/orders-sdk');",
      'const f = require.resolve(name);',
      "const g = foo.import('@acme/orders-sdk');",
      'export { a, b, c, d, e, f, g };',
    );
    expect(importsOf('services/api/src/dynamic.ts', text)).toEqual([]);
  });

  it("reads import.meta.resolve('x') as require.resolve is read: a module's path (ESM gRPC clients' protoPath)", () => {
    const text = lines(
      "import { fileURLToPath } from 'node:url';",
      "export const users = fileURLToPath(import.meta.resolve('@acme/protos/users.proto'));",
      'export const here = import.meta.url;',
    );
    for (const read of [importsOf, parsedImportsOf])
      expect(read('services/api/src/users.ts', text)).toEqual([
        { specifier: 'node:url', line: 1, kind: 'import' },
        { specifier: '@acme/protos/users.proto', line: 2, kind: 'resolve' },
      ]);
  });

  it('still counts a require() or import() inside a template substitution, which is code', () => {
    const text = "export const banner = `client: ${require('@acme/orders-sdk').name}`;";
    expect(importsOf('services/api/src/banner.ts', text)).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'require' },
    ]);
  });

  it('parses a file with syntax errors without throwing, keeping the imports it can see', () => {
    const text = lines(
      "import { ok } from '@acme/orders-sdk';",
      'const = ;',
      "import { from '@acme/broken'",
      'function ( {',
      "export * from '@acme/after-the-error';",
    );
    let refs: ReturnType<typeof importsOf> = [];
    expect(() => (refs = importsOf('services/api/src/broken.ts', text))).not.toThrow();
    expect(refs).toContainEqual({ specifier: '@acme/orders-sdk', line: 1, kind: 'import' });
  });

  it('reads JavaScript, JSX and module/commonjs flavours by their extension', () => {
    expect(importsOf('a/b.js', "const sdk = require('@acme/orders-sdk');\nmodule.exports = sdk;")).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'require' },
    ]);
    expect(importsOf('a/b.cjs', "const sdk = require('@acme/orders-sdk');")).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'require' },
    ]);
    expect(importsOf('a/b.mjs', "import sdk from '@acme/orders-sdk';")).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'import' },
    ]);
    expect(importsOf('a/b.mts', "import type { T } from '@acme/orders-sdk';")).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'type-import' },
    ]);
    expect(importsOf('a/b.cts', "import sdk = require('@acme/orders-sdk');")).toEqual([
      { specifier: '@acme/orders-sdk', line: 1, kind: 'import-equals' },
    ]);
    const jsx = lines(
      "import { Widget } from '@acme/orders-sdk';",
      'const text = \'<p>import("@acme/nope")</p>\';',
      'export const App = () => <Widget label="import x from \'@acme/nope\'">{text}</Widget>;',
    );
    expect(importsOf('a/App.tsx', jsx)).toEqual([{ specifier: '@acme/orders-sdk', line: 1, kind: 'import' }]);
    expect(importsOf('a/App.jsx', jsx)).toEqual([{ specifier: '@acme/orders-sdk', line: 1, kind: 'import' }]);
  });

  it('gives each call its own file: parsing the same name twice never mixes the texts', () => {
    expect(importsOf('same.ts', "import 'first';")).toEqual([{ specifier: 'first', line: 1, kind: 'import' }]);
    expect(importsOf('same.ts', "\nimport 'second';")).toEqual([{ specifier: 'second', line: 2, kind: 'import' }]);
    expect(importsOf('same.ts', '')).toEqual([]);
  });

  it('keeps relative specifiers as written', () => {
    expect(importsOf('libs/x/src/a.ts', "export { b } from '../../../services/orders/sdk/src';")).toEqual([
      { specifier: '../../../services/orders/sdk/src', line: 1, kind: 'export' },
    ]);
  });
});

describe('importsOf on minified code', () => {
  // JSX the token scan leaves to the full parse, on lines as a bundler writes them.
  const jsx =
    "import { Orders } from '@acme/orders-sdk';\nexport const App = () => <div title=\"import x from 'y'\">{Orders}</div>;\n";
  const minified = (code: string) => `${code}/*${'x'.repeat(MINIFIED_LINE)}*/\n`;

  it('does not parse what the token scan leaves undecided when a line is minified, and says why', () => {
    expect(importsOf('app.tsx', jsx)).toEqual([{ specifier: '@acme/orders-sdk', line: 1, kind: 'import' }]);
    expect(() => importsOf('widget.bundle.tsx', minified(jsx))).toThrow(
      'a line of over 10,000 characters: minified code is not parsed',
    );
  });

  it('keeps what the token scan decides, long lines or not', () => {
    const dataUrl = `import { Orders } from '@acme/orders-sdk';\nexport const logo = '${'A'.repeat(MINIFIED_LINE + 1)}';\n`;
    expect(importsOf('logo.ts', dataUrl)).toEqual([{ specifier: '@acme/orders-sdk', line: 1, kind: 'import' }]);
  });
});

describe('isSourceFile', () => {
  it.each(['a.ts', 'a.tsx', 'a.mts', 'a.cts', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'dir.d/x.ts'])(
    '%s is a source file',
    (file) => {
      expect(isSourceFile(file)).toBe(true);
    },
  );

  it.each(['a.d.ts', 'a.json', 'a.md', 'a.ts.map', 'Dockerfile', 'a.tsbuildinfo', 'ts'])('%s is not', (file) => {
    expect(isSourceFile(file)).toBe(false);
  });
});

describe('prefixFilter', () => {
  it('is undefined for no prefix', () => {
    expect(prefixFilter([])).toBeUndefined();
  });

  it('matches a name as a whole quoted specifier or followed by a subpath, with any quote', () => {
    const pattern = prefixFilter(['@acme/orders'])!;
    for (const text of [
      "'@acme/orders'",
      '"@acme/orders"',
      '`@acme/orders`',
      "'@acme/orders/sdk'",
      'from "@acme/orders/a/b"',
    ])
      expect(pattern.test(text), text).toBe(true);
  });

  it('does not match a longer name that only starts the same, or an unquoted mention', () => {
    const pattern = prefixFilter(['@acme/orders'])!;
    for (const text of [
      "'@acme/orders-ui'",
      "'@acme/orders.sdk'",
      "'@acme/ordersx'",
      '@acme/orders',
      "'x/@acme/orders'",
      "'@acme/order'",
    ])
      expect(pattern.test(text), text).toBe(false);
  });

  it('lets a prefix ending in "/" (a paths wildcard) go on with anything', () => {
    const pattern = prefixFilter(['@sdk/'])!;
    expect(pattern.test("'@sdk/orders'")).toBe(true);
    expect(pattern.test("'@sdk/orders-client/x'")).toBe(true);
    expect(pattern.test("'@sdkx/orders'")).toBe(false);
    expect(pattern.test("'@sdk'")).toBe(false);
  });

  it('lets a prefix ending in "*" (a wildcard inside a segment, `@acme/ui-*`) go on with anything', () => {
    const pattern = prefixFilter(['@acme/ui-*'])!;
    expect(pattern.test("'@acme/ui-kit'")).toBe(true);
    expect(pattern.test("'@acme/ui-'")).toBe(true);
    expect(pattern.test("'@acme/ui'")).toBe(false);
    expect(pattern.test("'@acme/uikit'")).toBe(false);
  });

  it('takes names with regex characters as they are, and accepts duplicates', () => {
    const pattern = prefixFilter(['a.b', 'a.b', 'c+d', '(e)'])!;
    expect(pattern.test("'a.b'")).toBe(true);
    expect(pattern.test("'axb'")).toBe(false);
    expect(pattern.test("'c+d/x'")).toBe(true);
    expect(pattern.test("'ccd'")).toBe(false);
    expect(pattern.test("'(e)'")).toBe(true);
  });

  it('matches any of several prefixes', () => {
    const pattern = prefixFilter(['@acme/orders', '@acme/payments-sdk', '@sdk/'])!;
    expect(pattern.test("import x from '@acme/payments-sdk';")).toBe(true);
    expect(pattern.test("import x from '@sdk/billing';")).toBe(true);
    expect(pattern.test("import x from '@acme/payments';")).toBe(false);
  });
});

describe('prefixFilter against one regular expression of alternatives (what it replaced)', () => {
  /** The former filter: a quote, then one of the prefixes, then a quote or `/` unless the prefix ends in `/`. */
  const oracle = (prefixes: readonly string[]) =>
    new RegExp(
      `['"\`](?:${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + (p.endsWith('/') ? '' : '(?=[\'"`/])')).join('|')})`,
    );
  const PREFIXES = [
    ['@acme/orders', '@acme/orders-sdk', '@sdk/', 'libs/', 'shared'],
    ['@app/core/utils', '~/', 'a.b', ''],
  ];
  const TEXTS = [
    "import a from '@acme/orders';",
    "import a from '@acme/orders-ui';",
    "const s = 'x' + '@acme/orders/sub';",
    "const s = '@acme/orders\n';",
    '`${x}@acme/orders`',
    "'@sdk'",
    "'@sdk/'",
    '"@sdk/a/b"',
    "import x from 'libs/util';",
    "import x from 'libsx/util';",
    "require('shared')",
    "require('shared-ui')",
    "'@app/core/utils/x'",
    "'@app/core'",
    "'~/x'",
    "'~'",
    "'a.b/c'",
    "'axb'",
    "''",
    "'/abs'",
    'no quotes at all',
    "'unterminated @acme/orders",
    "'x'@acme/orders'",
  ];

  it.each(PREFIXES)('answers as the expression did on every text (prefixes %#)', (...prefixes) => {
    const filter = prefixFilter(prefixes)!;
    const expression = oracle(prefixes);
    for (const text of TEXTS) expect(filter.test(text), text).toBe(expression.test(text));
  });
});

describe('mayReferenceOtherProjects', () => {
  const pattern = prefixFilter(['@acme/orders-sdk']);
  // As sdk-graph asks it: does the relative specifier, from services/api/src, leave services/api?
  const leaves = (specifier: string) => !join('services/api/src', specifier).startsWith('services/api/');

  it('is true when a known prefix appears quoted', () => {
    expect(mayReferenceOtherProjects("import { a } from '@acme/orders-sdk';", pattern, leaves)).toBe(true);
  });

  it('is true when a relative specifier reaches another project, whatever its quotes', () => {
    expect(mayReferenceOtherProjects("import a from '../../x';", pattern, leaves)).toBe(true);
    expect(mayReferenceOtherProjects("import a from '../../../../x';", pattern, leaves)).toBe(true);
    expect(mayReferenceOtherProjects('const a = require(`../../x`);', undefined, leaves)).toBe(true);
  });

  it('is false for relative specifiers staying inside the project and unknown names', () => {
    expect(mayReferenceOtherProjects("import a from '../x';\nimport b from './y';", pattern, leaves)).toBe(false);
    expect(
      mayReferenceOtherProjects("import a from '@acme/orders-sdk-client';\nimport b from 'lodash';", pattern, leaves),
    ).toBe(false);
    expect(mayReferenceOtherProjects('', undefined, leaves)).toBe(false);
  });
});
