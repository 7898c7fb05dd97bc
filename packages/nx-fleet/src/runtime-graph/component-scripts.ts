/** Single-file components whose `<script>` blocks hold module code: Vue (which Nx's own import analysis reads) and Svelte. */
const COMPONENT_EXTENSIONS = ['.vue', '.svelte'] as const;

export function isComponentFile(file: string): boolean {
  return COMPONENT_EXTENSIONS.some((ext) => file.endsWith(ext));
}

/** One `<script>` block: its code, a file name whose extension tells its language, and the line it starts on. */
export interface ScriptBlock {
  code: string;
  fileName: string;
  line: number;
}

/**
 * The inline `<script>` blocks of a component, as its compiler finds them: at the top level, outside
 * HTML comments, up to the first `</script`. `lang="ts"` (or tsx, jsx) names the language; no
 * `lang` is JavaScript. A block with `src` has no code of its own (its file is read as a source of
 * its own).
 */
export function scriptBlocks(text: string): ScriptBlock[] {
  const blocks: ScriptBlock[] = [];
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number) => {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, offset);
    return line;
  };
  for (const match of text.matchAll(OPENING_OR_COMMENT)) {
    if (match.index < counted) continue;
    if (match[0].startsWith('<!--')) {
      const end = text.indexOf('-->', match.index + 4);
      if (end < 0) break;
      lineAt(end + 3);
      continue;
    }
    const attributes = match[1] ?? '';
    if (attributes.trimEnd().endsWith('/')) continue; // <script src="x" />: no body, no closing tag
    const start = match.index + match[0].length;
    const close = CLOSING.exec(text.slice(start));
    const end = close ? start + close.index : text.length;
    if (!/(^|\s)src\s*=/.test(attributes)) {
      const lang = /(?:^|\s)lang\s*=\s*["']?(tsx?|jsx?)["'\s]?/i.exec(attributes)?.[1]?.toLowerCase() ?? 'js';
      blocks.push({ code: text.slice(start, end), fileName: `component.${lang}`, line: lineAt(start) });
    }
    lineAt(end);
  }
  return blocks;
}

const OPENING_OR_COMMENT = /<!--|<script\b([^>]*)>/gi;
const CLOSING = /<\/script\s*>/i;
