import { literal } from '../text/reg-exp';
import type { ts as TS } from 'ts-morph';
import { isComponentFile, scriptBlocks } from './component-scripts';
import { lineAt, newlines, scanImports } from './scan-imports';
import { typescript } from './typescript';

export type ImportKind =
  | 'import'
  | 'type-import'
  | 'export'
  | 'type-export'
  | 'dynamic-import'
  | 'require'
  | 'import-equals'
  | 'import-type'
  /** A type-only import that types an RPC client the file makes (`withTypedClients`): a call. */
  | 'typed-client'
  /**
   * `require.resolve('x')`: a module's path, none of its code (nebulaNV's gRPC clients, `protoPath:
   * require.resolve('@nebula/protos/product.proto')`): a call only where an `sdks` key names it.
   */
  | 'resolve';

/**
 * References the compiler erases: `import type`, `export type`, an import or re-export whose every
 * specifier is `type` (`import { type A, type B }`), `import type x = require()`, and `import('x')`
 * in a type position. They make no runtime edge. (Under `verbatimModuleSyntax`, `import { type A }
 * from 'x'` keeps a bare `import 'x'`; a module loaded only for its side effects is no SDK call.)
 */
export function isTypeOnly(kind: ImportKind): boolean {
  return kind === 'type-import' || kind === 'type-export' || kind === 'import-type';
}

/** One module reference in a source file, as the compiler sees it (comments and strings never count). */
export interface ImportRef {
  specifier: string;
  line: number;
  kind: ImportKind;
}

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

export function isSourceFile(file: string): boolean {
  return (SOURCE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts')) || isComponentFile(file);
}

/**
 * Loads TypeScript ahead of the first file, and sets up what checking an edit uses: the scanner. For
 * the daemon, whose worker outlives the graph: done while it waits, none of it lands on the first
 * edit after the daemon starts.
 */
export function prepareForEdits(): void {
  scanImports('prepare.ts', "import 'prepare';\n");
}

/**
 * Static imports and re-exports (type-only ones marked so), `import()`, `require()`, `import x = require()`,
 * `require.resolve()` and `import('x')` types: from the scanner's tokens where they decide it (nearly every file), else
 * from a full parse. `stats.parsed` counts the full parses.
 */
export function importsOf(fileName: string, text: string, stats?: { fullParses: number }): ImportRef[] {
  if (isComponentFile(fileName)) return componentImportsOf(text, (name, code) => importsOf(name, code, stats));
  const scanned = scanImports(fileName, text);
  if (scanned) return withTypedClients(text, scanned);
  // A committed bundle is no hand-written consumer, and TypeScript's parser can spend a third of a
  // second on one (erxes' 694 KB messengerWidget.bundle.js: 379 ms): said, not parsed.
  if (hasLineLongerThan(text, MINIFIED_LINE))
    throw new Error(`a line of over ${MINIFIED_LINE.toLocaleString('en')} characters: minified code is not parsed`);
  if (stats) stats.fullParses++;
  return withTypedClients(text, parsedImportsOf(fileName, text));
}

/**
 * The clients an RPC framework types with the server's own type, which they call over the network:
 * tRPC's `createTRPCClient<AppRouter>` (and its proxy, React, Next and TanStack forms), Hono's
 * `hc<AppType>`, Elysia's Eden `treaty<App>`, oRPC's `createORPCClient<…>`.
 */
const TYPED_FACTORIES = [
  'createTRPC(?:Proxy)?Client',
  'createTRPC(?:React|Next|Context|OptionsProxy)',
  // tRPC v9's React and Next forms.
  'createReactQueryHooks',
  'withTRPC',
  'hc',
  'treaty',
  'edenTreaty',
  'edenFetch',
  'createORPCClient',
];

/**
 * A file that makes such a client calls the service whose type it passes the client (dotkom's
 * monoweb: `import type { AppRouter } from '@acme/rpc'`, then `createTRPCClient<AppRouter>`); its other
 * type-only imports stay types only (a `UsersServiceClient` it only picks fields of).
 */
function withTypedClients(text: string, refs: ImportRef[]): ImportRef[] {
  if (!refs.some((ref) => ref.kind === 'type-import')) return refs;
  const typed = clientTypeArguments(text, refs);
  if (!typed.size) return refs;
  const starts = newlines(text);
  return refs.map((ref) => {
    if (ref.kind !== 'type-import') return ref;
    const names = importedNames(statementAt(text, starts, ref));
    return names === undefined || names.some((name) => typed.has(name)) ? { ...ref, kind: 'typed-client' } : ref;
  });
}

/**
 * The names the file's typed clients take as their type argument (`AppRouter` of
 * `createTRPCClient<AppRouter>`, `api` of `createClient<api.paths>`). Besides the RPC frameworks':
 * openapi-fetch's clients typed with an OpenAPI schema's `paths` — its default export under whatever
 * name the file imports it by (openapi-react-query's docs call it `createFetchClient`), and
 * `createPathBasedClient` — keyed on the import, as `createClient<…>` alone is Supabase's and Redis'
 * too; NestJS's gRPC client, `this.client.getService<UsersServiceClient>('UsersService')`, in a
 * file that imports `@nestjs/microservices`; and Temporal's workflow client (`TEMPORAL_CLIENT_METHODS`).
 */
function clientTypeArguments(text: string, refs: readonly ImportRef[]): Set<string> {
  const factories = [...TYPED_FACTORIES];
  if (refs.some((ref) => ref.specifier === 'openapi-fetch' && ref.kind === 'import')) {
    const from = /\bimport\s+([A-Za-z_$][\w$]*)?\s*,?\s*(?:\{([^}]*)\})?\s*from\s*['"]openapi-fetch['"]/.exec(text);
    const named = (from?.[2] ?? '').split(',').flatMap((item) => {
      const [imported, local] = item.trim().split(/\s+as\s+/);
      return imported === 'createPathBasedClient' || imported === 'default' ? [local ?? imported!] : [];
    });
    factories.push(...[from?.[1], ...named].flatMap((name) => (name ? [name.replace(/\$/g, '\\$')] : [])));
  }
  const methods = [
    ...(refs.some((ref) => ref.specifier === '@nestjs/microservices') ? ['getService'] : []),
    ...(refs.some((ref) => ref.specifier === '@temporalio/client') ? TEMPORAL_CLIENT_METHODS : []),
  ];
  // Most files make no client: the frameworks' pattern, compiled once, answers for them.
  const pattern =
    factories.length === TYPED_FACTORIES.length && !methods.length
      ? (rpcClientPattern ??= clientPattern(TYPED_FACTORIES, []))
      : clientPattern(factories, methods);
  return new Set([...text.matchAll(pattern)].map((match) => match[1]!));
}

let rpcClientPattern: RegExp | undefined;

/**
 * Temporal's client starting a worker's workflow by its type alone (`client.workflow.start<typeof
 * orderWorkflow>('orderWorkflow', …)`, its documented way, so that no workflow code is bundled), in a
 * file that imports `@temporalio/client`.
 */
const TEMPORAL_CLIENT_METHODS = ['start', 'execute', 'signalWithStart', 'getHandle'];

function clientPattern(factories: readonly string[], methods: readonly string[]): RegExp {
  const called = methods.length ? `|\\.(?:${methods.join('|')})` : '';
  // Not in a type: `ReturnType<typeof createTRPCClient<AppRouter>>` makes no client.
  return new RegExp(
    `(?:(?<![\\w$.])(?<!\\btypeof\\s+)(?:${factories.join('|')})${called})\\s*<\\s*(?:typeof\\s+)?([A-Za-z_$][\\w$]*)`,
    'g',
  );
}

/** An import's statement, from its line to its specifier. */
function statementAt(text: string, lineStarts: readonly number[], ref: ImportRef): string {
  const start = lineStarts[ref.line - 1] ?? 0;
  const quoted = [`'${ref.specifier}'`, `"${ref.specifier}"`].map((q) => text.indexOf(q, start)).filter((i) => i >= 0);
  return text.slice(start, quoted.length ? Math.min(...quoted) : start);
}

/**
 * The names an import takes from its module as the module exports them: `{ a, b as c }` (a and b), a
 * `require` destructured alike (`const { a, b: c } = require(…)`), and the members a namespace import
 * is only ever read by (`import * as common from …`, then `common.USERS_SERVICE_NAME`); undefined for a
 * default import, a namespace used whole, or when it cannot tell.
 */
export function exportedNamesImported(text: string, ref: ImportRef): string[] | undefined {
  const lineStarts = newlines(text);
  const statement = statementAt(text, lineStarts, ref);
  const required = /\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\s*\(\s*$/.exec(statement)?.[1];
  const clause = /\b(?:import|export)\s+(?:type\s+)?([\s\S]*?)\bfrom\s*$/.exec(statement)?.[1];
  const namespace = clause === undefined ? undefined : /^\s*\*\s*as\s+([A-Za-z_$][\w$]*)\s*$/.exec(clause)?.[1];
  if (namespace !== undefined)
    // After the quoted specifier, which may hold the namespace's name (`'@app/common'`).
    return membersRead(
      text.slice((lineStarts[ref.line - 1] ?? 0) + statement.length + ref.specifier.length + 2),
      namespace,
    );
  const braces = required ?? (clause === undefined ? undefined : /^\s*\{([^}]*)\}\s*$/.exec(clause)?.[1]);
  if (braces === undefined) return undefined;
  const names = braces.split(',').flatMap((item) => {
    const imported = item
      .trim()
      .replace(/^type\s+/, '')
      .split(required === undefined ? /\s+as\s+/ : /\s*:\s*/)[0];
    return imported ? [imported] : [];
  });
  return names.length ? names : undefined;
}

/** The members a namespace is read by, when every use of it reads one (`ns.name`); undefined where it is used whole. */
function membersRead(after: string, namespace: string): string[] | undefined {
  const uses = [
    ...after.matchAll(new RegExp(`(?<![\\w$.])${literal(namespace)}(?![\\w$])(\\s*\\.\\s*([A-Za-z_$][\\w$]*))?`, 'g')),
  ];
  if (!uses.length || uses.some((use) => use[2] === undefined)) return undefined;
  return [...new Set(uses.map((use) => use[2]!))];
}

/** The local names an import statement binds (`X`, `{ a, b as c }`, `* as ns`); undefined when it cannot tell. */
function importedNames(statement: string): string[] | undefined {
  const clause = /\bimport\s+(?:type\s+)?([\s\S]*?)(?:\bfrom\s*|=\s*require\s*\(\s*)$/.exec(statement)?.[1];
  if (clause === undefined) return undefined;
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  for (const item of braces?.[1]?.split(',') ?? []) {
    const local = item
      .trim()
      .replace(/^type\s+/, '')
      .split(/\s+as\s+/)
      .at(-1);
    if (local) names.push(local);
  }
  const rest = clause.replace(/\{[^}]*\}/, '');
  const namespace = /\*\s*as\s+([A-Za-z_$][\w$]*)/.exec(rest)?.[1];
  if (namespace) names.push(namespace);
  const single = /^\s*([A-Za-z_$][\w$]*)\s*(?:,|=|$)/.exec(rest)?.[1];
  if (single) names.push(single);
  return names.length ? names : undefined;
}

/** The compiler options that decide which imports TypeScript's emit keeps. */
export type EmitOptions = Pick<
  TS.CompilerOptions,
  'verbatimModuleSyntax' | 'preserveValueImports' | 'experimentalDecorators' | 'emitDecoratorMetadata'
>;

/**
 * Of a TypeScript file's `import` declarations (and `import x = require()`), those the compiler's emit
 * erases though the file uses their names: in types only (FoodFund's `import {
 * UserProfileSchema } from '@app/user/…'`, used in `Partial<UserProfileSchema>` alone), so they load
 * nothing at run time. A name the text plainly uses as a value (called, constructed, a member read, a
 * decorator) keeps its import without asking; the rest are asked of the compiler, one transpile of the
 * file (with decorator metadata, which keeps the types of decorated parameters, as the project sets it).
 * Under `verbatimModuleSyntax` or `preserveValueImports` nothing is erased; nor in JavaScript, which runs as written.
 */
export function erasedImports(
  fileName: string,
  text: string,
  refs: readonly ImportRef[],
  options: EmitOptions,
  /** Every import of the file: which factories it imports decides what types an RPC client. */
  fileRefs: readonly ImportRef[] = refs,
): Set<ImportRef> {
  const erased = new Set<ImportRef>();
  if (options.verbatimModuleSyntax || options.preserveValueImports || !/\.[cm]?tsx?$/.test(fileName)) return erased;
  const starts = newlines(text);
  // A name that types an RPC client the file makes is the server's call, erased or not (`import { paths }`
  // then `createClient<paths>`), as its `import type` is.
  let typed: Set<string> | undefined;
  const typesClient = (name: string) => (typed ??= clientTypeArguments(text, fileRefs)).has(name);
  const named = refs.flatMap((ref) => {
    if (ref.kind !== 'import' && ref.kind !== 'import-equals') return [];
    const statement = statementAt(text, starts, ref);
    const names = importedNames(statement);
    return names === undefined || names.some((name) => plainValueUse(text, name) || typesClient(name))
      ? []
      : [{ ref, names, statement }];
  });
  if (!named.length) return erased;
  // An import whose names are used nowhere is erased too, but is most often a leftover of a call being
  // written: it stays one, as it was. A name the text never mentions again is not parsed for.
  let rest = text;
  for (const { ref, statement } of named) {
    const start = starts[ref.line - 1] ?? 0;
    const end = start + statement.length + ref.specifier.length + 2;
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end);
  }
  const mentioned = named.filter(({ names }) => names.some((name) => wordPattern(name).test(rest)));
  if (!mentioned.length) return erased;
  const ts = typescript();
  const used = referencedNames(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false), ts);
  const asked = mentioned.filter(({ names }) => names.some((name) => used.has(name)));
  if (!asked.length) return erased;
  const { outputText } = ts.transpileModule(text, {
    fileName,
    reportDiagnostics: false,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ESNext,
      jsx: ts.JsxEmit.Preserve,
      experimentalDecorators: options.experimentalDecorators,
      emitDecoratorMetadata: options.emitDecoratorMetadata,
    },
  });
  const output = fileName.replace(/\.([cm]?)tsx?$/, '.$1js');
  const kept = new Set(
    (scanImports(output, outputText) ?? parsedImportsOf(output, outputText)).map((r) => r.specifier),
  );
  for (const { ref } of asked) if (!kept.has(ref.specifier)) erased.add(ref);
  return erased;
}

/** The identifiers a file names outside its import declarations. */
function referencedNames(source: TS.SourceFile, ts: typeof TS): Set<string> {
  const names = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node)) return;
    if (ts.isIdentifier(node)) names.add(node.text);
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  return names;
}

/** The name as a word; kept per name, as most files import the same few. */
function wordPattern(name: string): RegExp {
  return memoPattern(words, name, (n) => `(?<![\\w$])${n}(?![\\w$])`);
}

/** Whether the text uses a name as a value beyond doubt: called, constructed, a member read, a decorator, tagged. */
function plainValueUse(text: string, name: string): boolean {
  return memoPattern(
    values,
    name,
    // A member read is plain only where it is called (`Api.create()`): `Api.Claim[]` may be a namespace's type.
    (n) => `(?:\\bnew\\s+|@)${n}\\b|(?<![\\w$.])${n}\\s*(?:\\(|\\?\\.|(?:\\.[\\w$]+)+\\s*[(\`]|\`)`,
  ).test(text);
}

const words = new Map<string, RegExp>();
const values = new Map<string, RegExp>();

function memoPattern(memo: Map<string, RegExp>, name: string, source: (escaped: string) => string): RegExp {
  let pattern = memo.get(name);
  if (!pattern) {
    pattern = new RegExp(source(name.replace(/\$/g, '\\$')));
    memo.set(name, pattern);
  }
  return pattern;
}

/** Longer lines than this are minified code: the token scan reads them, the full parse does not. */
export const MINIFIED_LINE = 10_000;

function hasLineLongerThan(text: string, limit: number): boolean {
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    if ((end < 0 ? text.length : end) - start > limit) return true;
    if (end < 0) return false;
    start = end + 1;
  }
  return false;
}

/**
 * The same from the compiler's syntax tree (TypeScript's parser, the one ts-morph bundles, walked
 * without ts-morph's wrappers, which cost ten times the parse on a JSX file): the reference the
 * scanner is tested against, and its fallback. Import and export declarations are the file's own
 * statements; calls, `import x = require()` and `import()` types are found at any depth.
 */
export function parsedImportsOf(fileName: string, text: string): ImportRef[] {
  if (isComponentFile(fileName)) return componentImportsOf(text, parsedImportsOf);
  const ts = typescript();
  const K = ts.SyntaxKind;
  const source = ts.createSourceFile(`/${fileName}`, text, ts.ScriptTarget.Latest, false);
  const refs: ImportRef[] = [];
  const lineStarts = newlines(text);
  const add = (node: TS.Node, specifier: string | undefined, kind: ImportKind) => {
    if (specifier !== undefined) refs.push({ specifier, line: lineAt(lineStarts, node.getStart(source)), kind });
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
      const typesOnly =
        clause?.phaseModifier === K.TypeKeyword ||
        (!!clause &&
          !clause.name &&
          !(clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) &&
          named.length > 0 &&
          named.every((n) => n.isTypeOnly));
      add(statement, literalText(statement.moduleSpecifier), typesOnly ? 'type-import' : 'import');
    }
  }
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const named =
        statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : [];
      const typesOnly = statement.isTypeOnly || (named.length > 0 && named.every((n) => n.isTypeOnly));
      add(statement, literalText(statement.moduleSpecifier), typesOnly ? 'type-export' : 'export');
    }
  }
  const visit = (node: TS.Node): undefined => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const kind =
        callee.kind === K.ImportKeyword
          ? 'dynamic-import'
          : ts.isIdentifier(callee) && callee.getText(source) === 'require'
            ? 'require'
            : ts.isPropertyAccessExpression(callee) &&
                callee.name.getText(source) === 'resolve' &&
                ((ts.isIdentifier(callee.expression) && callee.expression.getText(source) === 'require') ||
                  (ts.isMetaProperty(callee.expression) &&
                    callee.expression.keywordToken === K.ImportKeyword &&
                    callee.expression.name.getText(source) === 'meta'))
              ? 'resolve'
              : undefined;
      if (kind) add(node, literalText(node.arguments[0]), kind);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference))
        add(node, literalText(node.moduleReference.expression), node.isTypeOnly ? 'type-import' : 'import-equals');
    } else if (ts.isImportTypeNode(node)) {
      if (ts.isLiteralTypeNode(node.argument)) add(node, literalText(node.argument.literal), 'import-type');
    }
    ts.forEachChild(node, visit);
    return undefined;
  };
  ts.forEachChild(source, visit);
  return refs.sort((a, b) => a.line - b.line);
}

/** A Vue or Svelte component's references: its script blocks', at the component's lines. */
function componentImportsOf(text: string, extract: (fileName: string, code: string) => ImportRef[]): ImportRef[] {
  return scriptBlocks(text).flatMap((block) =>
    extract(block.fileName, block.code).map((ref) => ({ ...ref, line: ref.line + block.line - 1 })),
  );
}

/** Only a literal names a module statically: `require(name)` or a template with `${}` does not. */
function literalText(node: TS.Node | undefined): string | undefined {
  const ts = typescript();
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/**
 * Cheap text test before parsing: can this file reference one of the prefixes (package names, path
 * aliases, baseUrl folders), or does a relative specifier in it reach another project? It reads the
 * text, not the syntax, so it over-approximates (comments count here); false positives only cost a parse.
 */
export function mayReferenceOtherProjects(
  text: string,
  prefixes: PrefixFilter | undefined,
  reachesOtherProject: (relativeSpecifier: string) => boolean,
): boolean {
  if (prefixes?.test(text)) return true;
  for (const match of text.matchAll(RELATIVE_SPECIFIER)) {
    if (reachesOtherProject(match[1]!)) return true;
  }
  return false;
}

const RELATIVE_SPECIFIER = /['"`](\.\.?\/[^'"`\n]*)['"`]/g;

/** Whether a text quotes one of the pre-filter's prefixes as a specifier starts. */
export interface PrefixFilter {
  test(text: string): boolean;
}

/** From every quote, what follows it up to the next quote or the line's end: where a specifier would be. */
const QUOTED_RUN = /['"`]([^'"`\n]*)/g;
const QUOTES = '\'"`';

/**
 * The prefixes, quoted as a specifier would start. A name must end there or go on with `/`
 * (`@acme/orders` must not match `@acme/orders-ui`); a prefix ending in `/` (from a `paths` wildcard
 * such as `@sdk/*`) may go on with anything, and so may one ending in `*` (`@acme/ui-*`, a wildcard
 * inside a segment). Looked up in sets at each `/` of each quoted run rather than by one regular
 * expression of alternatives: with 1,000 services' names, such an expression cost more than reading
 * the files.
 */
export function prefixFilter(prefixes: readonly string[]): PrefixFilter | undefined {
  if (!prefixes.length) return undefined;
  const names = new Set(prefixes.filter((p) => !p.endsWith('/') && !p.endsWith('*')));
  const wildcards = new Set(prefixes.filter((p) => p.endsWith('/')));
  // Rare (TypeScript's own docs use `@/*`): tried one by one.
  const partial = prefixes.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  // `closed`: the run ends at a quote (not at the line's or the text's end), so a whole name may end there.
  const startsWithOne = (run: string, closed: boolean) => {
    if (closed && names.has(run)) return true;
    for (let slash = run.indexOf('/'); slash !== -1; slash = run.indexOf('/', slash + 1))
      if (names.has(run.slice(0, slash)) || wildcards.has(run.slice(0, slash + 1))) return true;
    return partial.some((prefix) => run.startsWith(prefix));
  };
  return {
    test(text) {
      for (const match of text.matchAll(QUOTED_RUN)) {
        const run = match[1]!;
        if (startsWithOne(run, QUOTES.includes(text[match.index + 1 + run.length] ?? '\n'))) return true;
      }
      return false;
    },
  };
}
