import type { Node as NodeType, SourceFile } from 'ts-morph';
import { scanImports } from './scan-imports';
import { workerState } from './worker-state';

/**
 * ts-morph (with its TypeScript) takes a quarter of a second to load: it is loaded on the first
 * parse, so a graph where every file is answered from the cache never pays for it.
 */
function tsMorph(): typeof import('ts-morph') {
  return require('ts-morph') as typeof import('ts-morph');
}

export type ImportKind =
  'import' | 'type-import' | 'export' | 'type-export' | 'dynamic-import' | 'require' | 'import-equals' | 'import-type';

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
  return SOURCE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts');
}

/**
 * Loads ts-morph ahead of the first parse, and sets up what checking an edit uses: the scanner. For
 * the daemon, whose worker outlives the graph: done while it waits, none of it lands on the first
 * edit after the daemon starts.
 */
export function prepareForEdits(): void {
  tsMorph();
  scanImports('prepare.ts', "import 'prepare';\n");
}

/** One parser for every file: an in-memory project that never reads the disk or resolves anything. */
function parse(fileName: string, text: string): SourceFile {
  const { Project, ts } = tsMorph();
  workerState.parser ??= new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true, noLib: true, noResolve: true, jsx: ts.JsxEmit.Preserve },
  });
  return workerState.parser.createSourceFile(`/${fileName}`, text, { overwrite: true });
}

/**
 * Static imports and re-exports (type-only ones marked so), `import()`, `require()`, `import x = require()`
 * and `import('x')` types: from the scanner's tokens where they decide it (nearly every file), else
 * from a full parse. `stats.parsed` counts the full parses.
 */
export function importsOf(fileName: string, text: string, stats?: { fullParses: number }): ImportRef[] {
  const scanned = scanImports(fileName, text);
  if (scanned) return scanned;
  if (stats) stats.fullParses++;
  return parsedImportsOf(fileName, text);
}

/** The same from ts-morph's full parse: the reference the scanner is tested against, and its fallback. */
export function parsedImportsOf(fileName: string, text: string): ImportRef[] {
  const { Node, SyntaxKind } = tsMorph();
  const source = parse(fileName, text);
  try {
    const refs: ImportRef[] = [];
    const add = (node: NodeType, specifier: string | undefined, kind: ImportKind) => {
      if (specifier !== undefined) refs.push({ specifier, line: node.getStartLineNumber(), kind });
    };
    for (const decl of source.getImportDeclarations()) {
      const named = decl.getNamedImports();
      const typesOnly =
        decl.isTypeOnly() ||
        (!decl.getDefaultImport() &&
          !decl.getNamespaceImport() &&
          named.length > 0 &&
          named.every((n) => n.isTypeOnly()));
      add(decl, decl.getModuleSpecifierValue(), typesOnly ? 'type-import' : 'import');
    }
    for (const decl of source.getExportDeclarations()) {
      const named = decl.getNamedExports();
      const typesOnly = decl.isTypeOnly() || (named.length > 0 && named.every((n) => n.isTypeOnly()));
      add(decl, decl.getModuleSpecifierValue(), typesOnly ? 'type-export' : 'export');
    }
    source.forEachDescendant((node) => {
      if (Node.isCallExpression(node)) {
        const callee = node.getExpression();
        const kind =
          callee.getKind() === SyntaxKind.ImportKeyword
            ? 'dynamic-import'
            : Node.isIdentifier(callee) && callee.getText() === 'require'
              ? 'require'
              : undefined;
        if (kind) add(node, literalText(node.getArguments()[0]), kind);
      } else if (Node.isImportEqualsDeclaration(node)) {
        const reference = node.getModuleReference();
        if (Node.isExternalModuleReference(reference))
          add(node, literalText(reference.getExpression()), node.isTypeOnly() ? 'type-import' : 'import-equals');
      } else if (Node.isImportTypeNode(node)) {
        const argument = node.getArgument();
        if (Node.isLiteralTypeNode(argument)) add(node, literalText(argument.getLiteral()), 'import-type');
      }
    });
    return refs.sort((a, b) => a.line - b.line);
  } finally {
    workerState.parser?.removeSourceFile(source);
  }
}

/** Only a literal names a module statically: `require(name)` or a template with `${}` does not. */
function literalText(node: NodeType | undefined): string | undefined {
  const { Node } = tsMorph();
  return node && (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))
    ? node.getLiteralValue()
    : undefined;
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
 * such as `@sdk/*`) may go on with anything. Looked up in sets at each `/` of each quoted run rather
 * than by one regular expression of alternatives: with 1,000 services' names, such an expression cost
 * more than reading the files.
 */
export function prefixFilter(prefixes: readonly string[]): PrefixFilter | undefined {
  if (!prefixes.length) return undefined;
  const names = new Set(prefixes.filter((p) => !p.endsWith('/')));
  const wildcards = new Set(prefixes.filter((p) => p.endsWith('/')));
  // `closed`: the run ends at a quote (not at the line's or the text's end), so a whole name may end there.
  const startsWithOne = (run: string, closed: boolean) => {
    if (closed && names.has(run)) return true;
    for (let slash = run.indexOf('/'); slash !== -1; slash = run.indexOf('/', slash + 1))
      if (names.has(run.slice(0, slash)) || wildcards.has(run.slice(0, slash + 1))) return true;
    return false;
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
