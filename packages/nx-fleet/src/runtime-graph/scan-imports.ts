import type { ts as TS } from 'ts-morph';
import { typescript } from './typescript';
import type { ImportKind, ImportRef } from './sdk-imports';
import { workerState } from './worker-state';

/**
 * A file's module references from TypeScript's scanner alone: a token walk, no syntax tree, so a file
 * costs about what reading it does. It answers only when the tokens decide the answer the full parse
 * would give (`importsOf` in sdk-imports.ts, the reference); anything it cannot decide — JSX, an
 * `import()` that may sit in a type position, a slash that may start a regular expression and hide a
 * quote, unbalanced brackets, a scanner error, unusual syntax — returns undefined, and the caller
 * parses that file in full.
 */
export function scanImports(fileName: string, text: string): ImportRef[] | undefined {
  // Past the last `import`, `require` or re-export in the text no reference can start; a file
  // without one has none to find.
  const lastWord = Math.max(lastWholeWord(text, 'import'), lastWholeWord(text, 'require', CALLED), lastReexport(text));
  if (lastWord < 0) return [];
  const tokens = tokenize(fileName, text, lastWord);
  return tokens && walk(tokens, text);
}

/** The tokens the walk needs, as parallel arrays: kind, start, end, brace depth, and string values. */
interface Tokens {
  kind: number[];
  start: number[];
  end: number[];
  depth: number[];
  /** Open parentheses and brackets before each token: a declaration needs none. */
  nesting: number[];
  /** Whether each token sits directly in a class body, where `require(…)` would name a method. */
  member: boolean[];
  value: Map<number, string>;
}

let kinds: ReturnType<typeof syntaxKinds> | undefined;

/** Enough for the longest tail the walk reads after a keyword at the top level: `} from 'x'`, `'x')`. */
const TOKENS_AFTER_LAST_WORD = 8;

function syntaxKinds() {
  const ts = typescript();
  const K = ts.SyntaxKind;
  const regexKeywords = [
    K.ReturnKeyword,
    K.TypeOfKeyword,
    K.InstanceOfKeyword,
    K.InKeyword,
    K.OfKeyword,
    K.NewKeyword,
    K.DeleteKeyword,
    K.VoidKeyword,
    K.ThrowKeyword,
    K.CaseKeyword,
    K.DoKeyword,
    K.ElseKeyword,
    K.YieldKeyword,
    K.AwaitKeyword,
  ];
  // After a member or property named `import`.
  const propertyFollowers = [
    K.ColonToken,
    K.EqualsToken,
    K.QuestionToken,
    K.ExclamationToken,
    K.CommaToken,
    K.CloseBraceToken,
    K.SemicolonToken,
  ];
  return {
    ts,
    K,
    regexKeywords: new Set<number>(regexKeywords),
    propertyFollowers: new Set<number>(propertyFollowers),
  };
}

function tokenize(fileName: string, text: string, lastWord: number): Tokens | undefined {
  kinds ??= syntaxKinds();
  const { ts, K, regexKeywords } = kinds;
  // As the parser reads the file: .js, .jsx, .tsx, .mjs and .cjs allow JSX; .ts, .mts and .cts do not.
  const jsx = !/\.[mc]?ts$/.test(fileName);
  let failed = false;
  // One scanner for every file: a new one per file costs its closures, and V8 optimises one set sooner.
  const scanner = (workerState.scanner ??= ts.createScanner(ts.ScriptTarget.Latest, true));
  scanner.setLanguageVariant(jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  scanner.setOnError(() => {
    failed = true;
  });
  scanner.setText(text);
  const tokens: Tokens = { kind: [], start: [], end: [], depth: [], nesting: [], member: [], value: new Map() };
  // Brace depths of the class bodies open around the current token, and whether a class header runs.
  const classBodies: number[] = [];
  let classHeader = false;
  // Brace depth at which each open template substitution started.
  const templates: number[] = [];
  let braces = 0;
  let parens = 0;
  let brackets = 0;
  let previous = -1;
  // Once the tokens are past the last word, at the top level with nothing open, a few more finish the
  // last reference (`from 'x'`).
  let pastLastWord = 0;
  // Whether the tokens read the last word as the keyword it looks like. Only then may the scan end
  // before the text does: read inside a string or a regular expression, the tokens may have parted
  // from the parser's reading (a stray `*/` makes both read `/ … /` as a regular expression, and
  // the parser recovers elsewhere), and the rest of the file must still prove them right.
  let keywordAtLastWord = false;
  for (;;) {
    let kind: number = scanner.scan();
    if (kind === K.EndOfFileToken) break;
    if (
      scanner.getTokenStart() === lastWord &&
      (kind === K.ImportKeyword || kind === K.ExportKeyword || kind === K.RequireKeyword || kind === K.Identifier)
    )
      keywordAtLastWord = true;
    // What the tokens cannot decide past the last word (JSX, a regular expression that may hide a
    // quote) ends the scan instead of the answer: no reference starts there, and none of the last
    // one's tokens (`from 'x'`, `('x')`) can be either.
    const past = keywordAtLastWord && scanner.getTokenStart() > lastWord;
    if (past && !braces && !parens && !brackets && !templates.length) {
      if (++pastLastWord > TOKENS_AFTER_LAST_WORD) return tokens;
    }
    if (kind === K.SlashToken || kind === K.SlashEqualsToken) {
      const slash = scanner.getTokenStart();
      if (
        previous === K.CloseParenToken ||
        previous === K.CloseBraceToken ||
        previous === K.PlusPlusToken ||
        previous === K.MinusMinusToken
      ) {
        // `(a) / b` or `if (a) /re/`: taken as a division unless reading a regular expression as code could go wrong.
        if (riskyDivision(text, slash)) return past ? tokens : undefined;
      } else if (regexAllowedAfter(previous, K, regexKeywords)) {
        kind = scanner.reScanSlashToken();
      }
    } else if (kind === K.LessThanToken && jsx && regexAllowedAfter(previous, K, regexKeywords)) {
      return past ? tokens : undefined;
    } else if (kind === K.OpenBraceToken) {
      braces++;
      if (classHeader) classBodies.push(braces);
      classHeader = false;
    } else if (kind === K.CloseBraceToken) {
      if (templates.length && templates[templates.length - 1] === braces) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === K.TemplateTail) templates.pop();
      } else {
        if (classBodies[classBodies.length - 1] === braces) classBodies.pop();
        braces--;
      }
    } else if (kind === K.ClassKeyword && previous !== K.DotToken) {
      classHeader = true;
    } else if (kind === K.SemicolonToken) {
      classHeader = false;
    } else if (kind === K.TemplateHead) {
      templates.push(braces);
    } else if (kind === K.OpenParenToken) parens++;
    else if (kind === K.CloseParenToken) parens--;
    else if (kind === K.OpenBracketToken) brackets++;
    else if (kind === K.CloseBracketToken) brackets--;
    else if (kind === K.ConflictMarkerTrivia || kind === K.Unknown) return undefined;
    if (failed || braces < 0 || parens < 0 || brackets < 0) return undefined;
    const index = tokens.kind.length;
    tokens.kind.push(kind);
    tokens.start.push(scanner.getTokenStart());
    tokens.end.push(scanner.getTokenEnd());
    tokens.depth.push(braces);
    tokens.nesting.push(parens + brackets);
    tokens.member.push(classBodies[classBodies.length - 1] === braces);
    if (kind === K.StringLiteral || kind === K.NoSubstitutionTemplateLiteral)
      tokens.value.set(index, scanner.getTokenValue());
    previous = kind;
  }
  if (failed || braces || parens || brackets || templates.length) return undefined;
  return tokens;
}

/**
 * Whether taking the slash at `slash` for a division could misread the file if it opened a regular
 * expression: that expression's body holds a quote or backtick, or its closing slash would be read as
 * one opening another expression, or as a comment with an import word after it.
 */
function riskyDivision(text: string, slash: number): boolean {
  let i = slash + 1;
  let inClass = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') return false; // no regular expression ends on this line: a division
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
  }
  if (i >= text.length) return false;
  const body = text.slice(slash + 1, i);
  if (/['"`]/.test(body)) return true;
  const after = text[i + 1];
  if (after === '/' || after === '*') {
    const end = text.indexOf('\n', i);
    return /import|require/.test(text.slice(i, end < 0 ? text.length : end));
  }
  return !/[\w$)\]]\s*$/.test(body);
}

/** Whether an expression can start after this token: then `/` opens a regular expression and `<` a JSX element. */
function regexAllowedAfter(previous: number, K: typeof TS.SyntaxKind, keywords: ReadonlySet<number>): boolean {
  if (previous < 0) return true;
  if (previous === K.TemplateHead || previous === K.TemplateMiddle) return true;
  if (previous >= K.FirstPunctuation && previous <= K.LastPunctuation)
    return previous !== K.CloseParenToken && previous !== K.CloseBracketToken && previous !== K.CloseBraceToken;
  return keywords.has(previous);
}

class Undecided extends Error {}

function walk(tokens: Tokens, text: string): ImportRef[] | undefined {
  const { K, propertyFollowers } = kinds!;
  const { kind, start, depth, nesting, member, value } = tokens;
  const count = kind.length;
  // In the order the full parse lists them before its (stable) sort by line: import declarations,
  // export declarations, then the rest in the text's order.
  const groups: [ImportRef[], ImportRef[], ImportRef[]] = [[], [], []];
  let lineStarts: number[] | undefined;
  const lineOf = (token: number) => {
    lineStarts ??= newlines(text);
    return lineAt(lineStarts, start[token]!);
  };
  const add = (group: 0 | 1 | 2, token: number, specifier: string | undefined, refKind: ImportKind) => {
    if (specifier !== undefined) groups[group].push({ specifier, line: lineOf(token), kind: refKind });
  };
  const at = (i: number) => (i >= 0 && i < count ? kind[i]! : -1);
  const isString = (i: number) => at(i) === K.StringLiteral || at(i) === K.NoSubstitutionTemplateLiteral;
  const isName = (i: number) => at(i) === K.Identifier || (at(i) >= K.FirstKeyword && at(i) <= K.LastKeyword);
  const textOf = (i: number) => text.slice(start[i]!, tokens.end[i]!);
  /** `(` literal then `)` or `,`: the literal is the call's first argument as written. */
  const literalArgument = (open: number) =>
    at(open) === K.OpenParenToken &&
    isString(open + 1) &&
    (at(open + 2) === K.CloseParenToken || at(open + 2) === K.CommaToken)
      ? value.get(open + 1)
      : undefined;
  /** After `from`: the specifier. */
  const fromClause = (i: number) => {
    if (at(i) !== K.FromKeyword || !isString(i + 1)) throw new Undecided();
    return value.get(i + 1);
  };
  /** `{ a, type b as c }` from its `{`: whether every element is type-only (and there is one), and the index after `}`. */
  const namedList = (open: number): { typesOnly: boolean; next: number } => {
    let i = open + 1;
    let elements = 0;
    let typed = 0;
    while (at(i) !== K.CloseBraceToken) {
      const first = i;
      while (at(i) !== K.CommaToken && at(i) !== K.CloseBraceToken) {
        if (i >= count || at(i) === K.OpenBraceToken) throw new Undecided();
        i++;
      }
      const length = i - first;
      if (length) {
        elements++;
        if (at(first) === K.TypeKeyword && length > 1) {
          // `type X` or `type X as Y`; `type as …` is a puzzle the parser settles, not the walk.
          if (at(first + 1) === K.AsKeyword || (length !== 2 && !(length === 4 && at(first + 2) === K.AsKeyword)))
            throw new Undecided();
          typed++;
        } else if (length !== 1 && !(length === 3 && at(first + 1) === K.AsKeyword)) throw new Undecided();
      }
      if (at(i) === K.CommaToken) i++;
    }
    return { typesOnly: elements > 0 && typed === elements, next: i + 1 };
  };
  /** `= require('x')` from the `=`: the specifier, or undefined for `import A = B.C`. */
  const requireClause = (equals: number) => {
    if (!(at(equals + 1) === K.RequireKeyword && textOf(equals + 1) === 'require')) return undefined;
    // Not a require() call of its own.
    consumedRequire = equals + 1;
    return literalArgument(equals + 2) ?? undecided();
  };
  let consumedRequire = -1;
  const undecided = (): never => {
    throw new Undecided();
  };

  try {
    // A decorator since the last statement boundary would start the declaration that follows (a syntax error).
    let decorated = false;
    for (let i = 0; i < count; i++) {
      const k = kind[i]!;
      const prev = at(i - 1);
      if (k === K.AtToken) decorated = true;
      else if (k === K.SemicolonToken || k === K.OpenBraceToken || k === K.CloseBraceToken) decorated = false;
      if (k === K.ImportKeyword) {
        if (prev === K.DotToken || prev === K.QuestionDotToken) continue;
        const next = at(i + 1);
        if (next === K.DotToken) {
          // `import.meta.resolve('x')`, an ES module's `require.resolve`; any other use of import.meta names nothing.
          if (textOf(i + 2) !== 'meta' || at(i + 3) !== K.DotToken || textOf(i + 4) !== 'resolve') continue;
          const after = at(i + 5);
          if (after === K.LessThanToken || after === K.QuestionDotToken) undecided();
          const specifier = after === K.OpenParenToken ? literalArgument(i + 5) : undefined;
          if (specifier !== undefined) add(2, i, specifier, 'resolve');
          continue;
        }
        if (next === K.OpenParenToken) {
          // A first argument longer than a literal (`'a' + b`, `'x' as T`) names no module.
          const specifier = literalArgument(i + 1);
          if (specifier === undefined) continue;
          memberCheck(i);
          add(2, i, specifier, importCallKind(i));
          continue;
        }
        // `export import A = require('x')` starts at `export`.
        if (depth[i]! > 0 && propertyFollowers.has(next)) continue; // { import: 1 }, class { import = 1 }
        if (decorated) undecided();
        importDeclaration(i, prev === K.ExportKeyword ? i - 1 : i);
        continue;
      }
      // In a class body an export is a syntax error the parser may recover from at the top level: it decides.
      if (k === K.ExportKeyword && member[i]) undecided();
      if (k === K.ExportKeyword && depth[i] === 0) {
        exportDeclaration(i, decorated);
        continue;
      }
      if ((k === K.RequireKeyword || k === K.Identifier) && textOf(i) === 'require') {
        if (i === consumedRequire || prev === K.DotToken || prev === K.QuestionDotToken || prev === K.NewKeyword)
          continue;
        const next = at(i + 1);
        if (next === K.DotToken) {
          // `require.resolve('x')`: the module's path (another member, `require.cache`, names nothing).
          if (at(i + 2) !== K.Identifier || textOf(i + 2) !== 'resolve') continue;
          const after = at(i + 3);
          if (after === K.LessThanToken || after === K.QuestionDotToken) undecided();
          const specifier = after === K.OpenParenToken ? literalArgument(i + 3) : undefined;
          if (specifier !== undefined) memberCheck(i);
          add(2, i, specifier, 'resolve');
          continue;
        }
        if (next === K.LessThanToken || next === K.QuestionDotToken) undecided();
        if (next !== K.OpenParenToken) continue;
        const specifier = literalArgument(i + 1);
        if (specifier !== undefined) memberCheck(i);
        add(2, i, specifier, 'require');
      }
    }
  } catch (error) {
    if (error instanceof Undecided) return undefined;
    throw error;
  }
  return groups.flat().sort((a, b) => a.line - b.line);

  /** In a class body, after a member's start, `require('x')` may be read as a method: the parser says. */
  function memberCheck(i: number): void {
    if (!member[i]) return;
    const prev = at(i - 1);
    if (prev === K.OpenBraceToken || prev === K.SemicolonToken || prev === K.CloseBraceToken) undecided();
    if (prev === K.AsteriskToken || (prev >= K.FirstKeyword && prev <= K.LastKeyword)) undecided();
  }

  /** `import(…)` with a literal: a dynamic import where only an expression can be, a type where only a type can be. */
  function importCallKind(i: number): ImportKind {
    const prev = at(i - 1);
    if (prev === K.AwaitKeyword || prev === K.ReturnKeyword || prev === K.YieldKeyword || prev < 0)
      return 'dynamic-import';
    if (prev === K.SemicolonToken || prev === K.OpenBraceToken || prev === K.CloseBraceToken) return 'dynamic-import';
    if (prev === K.OpenParenToken && at(i - 2) === K.Identifier) return 'dynamic-import';
    if (prev === K.EqualsToken && isName(i - 2)) {
      const before = at(i - 3);
      if (before === K.ConstKeyword || before === K.LetKeyword || before === K.VarKeyword) return 'dynamic-import';
      // `this.loaded = import('x')`: an assignment to a member, where no type can be.
      if (before === K.DotToken) return 'dynamic-import';
    }
    // `type T = import('x')` or `type T = typeof import('x')`, at a statement's start.
    const equals = prev === K.TypeOfKeyword ? i - 2 : i - 1;
    if (at(equals) === K.EqualsToken && isName(equals - 1)) {
      const before = at(equals - 2);
      const head = at(equals - 3);
      if (
        before === K.TypeKeyword &&
        (head < 0 ||
          head === K.SemicolonToken ||
          head === K.OpenBraceToken ||
          head === K.CloseBraceToken ||
          head === K.ExportKeyword ||
          head === K.DeclareKeyword)
      )
        return 'import-type';
    }
    // After `as` or `satisfies` (`x as typeof import('y')`, `x as import('y').T`) only a type can be.
    const operator = prev === K.TypeOfKeyword ? i - 2 : i - 1;
    if ((at(operator) === K.AsKeyword || at(operator) === K.SatisfiesKeyword) && endsExpressionOnLine(operator - 1))
      return 'import-type';
    // `import('x').then(…)`: no type is called.
    if (at(i + 3) === K.CloseParenToken && at(i + 4) === K.DotToken && isName(i + 5) && at(i + 6) === K.OpenParenToken)
      return 'dynamic-import';
    // `lazy(() => import('x'))`: an arrow passed to a call, where no type can be.
    if (prev === K.EqualsGreaterThanToken) {
      let head = at(i - 2) === K.CloseParenToken ? openingParen(i - 2) : at(i - 2) === K.Identifier ? i - 2 : -1;
      if (at(head - 1) === K.AsyncKeyword) head--;
      if (head > 0 && at(head - 1) === K.OpenParenToken && at(head - 2) === K.Identifier) return 'dynamic-import';
    }
    return undecided();
  }

  /** Whether token `i` ends an expression and an operator after it, on its line, would continue that expression. */
  function endsExpressionOnLine(i: number): boolean {
    const k = at(i);
    const ends =
      k === K.Identifier ||
      k === K.CloseParenToken ||
      k === K.CloseBracketToken ||
      k === K.StringLiteral ||
      k === K.NumericLiteral ||
      k === K.NoSubstitutionTemplateLiteral ||
      k === K.ThisKeyword;
    return ends && !/[\n\r\u2028\u2029]/.test(text.slice(tokens.end[i]!, start[i + 1]!));
  }

  /** The `(` that the `)` at `close` closes, or -1. (A token's nesting counts itself when it opens, not when it closes.) */
  function openingParen(close: number): number {
    for (let j = close - 1; j >= 0; j--) if (at(j) === K.OpenParenToken && nesting[j] === nesting[close]! + 1) return j;
    return -1;
  }

  /**
   * Whether a declaration can start at token `i` as the parser would start it: after a statement's end,
   * or on a new line after a token that can end one, outside parentheses and brackets.
   */
  function statementStart(i: number): void {
    if (nesting[i]) undecided();
    const prev = at(i - 1);
    if (prev < 0 || prev === K.SemicolonToken || prev === K.OpenBraceToken || prev === K.CloseBraceToken) return;
    const punctuation = prev >= K.FirstPunctuation && prev <= K.LastPunctuation;
    if (punctuation && prev !== K.CloseParenToken && prev !== K.CloseBracketToken) undecided();
    // A keyword before it (`export`, `declare`, `async`, …) could be its modifier, unless it ends an expression.
    const keyword = prev >= K.FirstKeyword && prev <= K.LastKeyword;
    const endsExpression =
      prev === K.ThisKeyword ||
      prev === K.TrueKeyword ||
      prev === K.FalseKeyword ||
      prev === K.NullKeyword ||
      prev === K.SuperKeyword;
    if (keyword && !endsExpression) undecided();
    if (!/[\n\r\u2028\u2029]/.test(text.slice(tokens.end[i - 1]!, start[i]!))) undecided();
  }

  /** `line`: the token the declaration starts at (`export` for `export import A = require()`). */
  function importDeclaration(i: number, line: number): void {
    statementStart(line);
    // Inside braces only `import A = require()` (in a namespace) is plain; any other import there is an
    // error or an ambient module's, and in a class body even that one: the parser decides where it belongs.
    if (member[i]) undecided();
    const topLevel = depth[i] === 0;
    let j = i + 1;
    if (!topLevel && !(isName(j + 1) && at(j + 2) === K.EqualsToken) && !(isName(j) && at(j + 1) === K.EqualsToken))
      undecided();
    if (isString(j)) {
      add(0, line, value.get(j), 'import');
      return;
    }
    let typeOnly = false;
    if (at(j) === K.TypeKeyword) {
      const after = at(j + 1);
      if (after === K.FromKeyword || after === K.CommaToken || after === K.EqualsToken) {
        // `import type from 'x'`, `import type, {…}`, `import type = require()`: a binding named `type`,
        // unless it is `import type from from 'x'`.
        if (after === K.FromKeyword && !isString(j + 2)) undecided();
      } else {
        typeOnly = true;
        j++;
      }
    }
    let named: { typesOnly: boolean } | undefined;
    let hasDefault = false;
    if (isName(j) && at(j) !== K.FromKeyword) {
      if (at(j + 1) === K.EqualsToken) {
        const specifier = requireClause(j + 1);
        add(2, line, specifier, typeOnly ? 'type-import' : 'import-equals');
        return;
      }
      hasDefault = true;
      j++;
      if (at(j) === K.CommaToken) j++;
      else if (at(j) !== K.FromKeyword) undecided();
    } else if (at(j) === K.FromKeyword && !isString(j + 1)) {
      // `import from from 'x'`
      undecided();
    }
    if (at(j) === K.OpenBraceToken) {
      const list = namedList(j);
      named = list;
      j = list.next;
    } else if (at(j) === K.AsteriskToken) {
      if (at(j + 1) !== K.AsKeyword || !isName(j + 2)) undecided();
      hasDefault = true; // a namespace binding: a value, as a default is
      j += 3;
    } else if (at(j) !== K.FromKeyword || !hasDefault) undecided();
    const specifier = fromClause(j);
    const typesOnly = typeOnly || (!hasDefault && named !== undefined && named.typesOnly);
    add(0, line, specifier, typesOnly ? 'type-import' : 'import');
  }

  function exportDeclaration(i: number, decorated: boolean): void {
    let j = i + 1;
    let typeOnly = false;
    if (at(j) === K.TypeKeyword) {
      if (at(j + 1) !== K.OpenBraceToken && at(j + 1) !== K.AsteriskToken) return; // export type Alias = …
      typeOnly = true;
      j++;
    }
    const reexport = () => {
      if (decorated) undecided();
      statementStart(i);
    };
    if (at(j) === K.AsteriskToken) {
      reexport();
      j++;
      if (at(j) === K.AsKeyword) {
        if (!isName(j + 1) && !isString(j + 1)) undecided();
        j += 2;
      }
      add(1, i, fromClause(j), typeOnly ? 'type-export' : 'export');
      return;
    }
    if (at(j) !== K.OpenBraceToken) return; // export const, default, function, =, import A = … (seen at `import`)
    const list = namedList(j);
    if (at(list.next) !== K.FromKeyword) return; // export { a, b } names local bindings
    reexport();
    add(1, i, fromClause(list.next), typeOnly || list.typesOnly ? 'type-export' : 'export');
  }
}

/** Offsets where lines start. */
export function newlines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset. Only line feeds count (a `\r` or U+2028 starts no line), in both extractions. */
export function lineAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/**
 * Where the last `word` stands as a whole word, or -1: not inside a longer ASCII name (`important`,
 * `isRequired`, `exports`), which front-end files hold far past their last import; a letter outside
 * ASCII beside it keeps it a candidate (it may be a space to the parser). With `followedBy`, only
 * where that comes next (a `require` is a reference only when called).
 */
function lastWholeWord(text: string, word: string, followedBy?: RegExp): number {
  for (let at = text.lastIndexOf(word); at >= 0; at = at ? text.lastIndexOf(word, at - 1) : -1) {
    if (isAsciiNameChar(text.charCodeAt(at + word.length)) || isAsciiNameChar(text.charCodeAt(at - 1))) continue;
    if (followedBy) followedBy.lastIndex = at + word.length;
    if (!followedBy || followedBy.test(text)) return at;
  }
  return -1;
}

/** What may follow a `require` that is called: `(`, type arguments, `?.(`, `.resolve`, or a comment before them. */
const CALLED = /\s*(?:[(<?/]|\.\s*resolve\b)/y;

function isAsciiNameChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36
  );
}

/**
 * Where the last `export` keyword that may re-export is, or -1: one followed by what a re-export
 * starts with (`*`, `{`, `type *`, `type {`, or a comment), unless it lists local names and ends
 * (`export { a, b as c };`, components' last line). Not a declaration (`export const`), nor the
 * word in a longer name (`exports`) or in JSX text ("Your data export is ready").
 */
function lastReexport(text: string): number {
  for (let at = text.lastIndexOf('export'); at >= 0; at = at ? text.lastIndexOf('export', at - 1) : -1) {
    if (/[\w$]/.test(text[at + 6] ?? '') || (at > 0 && /[\w$.]/.test(text[at - 1]!))) continue;
    REEXPORT_START.lastIndex = at + 6;
    if (!REEXPORT_START.test(text)) continue;
    LOCAL_NAMES.lastIndex = at + 6;
    if (!LOCAL_NAMES.test(text)) return at;
  }
  return -1;
}

const REEXPORT_START = /\s*(?:[*{/]|type[\s/]*[*{/])/y;
/** Names, commas and spaces in braces, then `;` or the text's end: nothing can follow with `from`. */
const LOCAL_NAMES = /\s*\{[\w$\s,]*\}\s*(;|$)/y;
