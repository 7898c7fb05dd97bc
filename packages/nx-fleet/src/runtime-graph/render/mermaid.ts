import type { ServiceRuntime } from '../edges';
import { edgeLabelLines, runtimeDrawing } from './model';

/**
 * Text inside a quoted Mermaid label: the characters Mermaid or its HTML labels would read
 * (quotes, `#`, `&`, `<`, `>`, `|`, backticks, backslashes) become entity codes (`#34;`), line
 * breaks become spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/["#&<>|`\\]/g, (c) => `#${c.charCodeAt(0)};`);
}

/**
 * A Mermaid `flowchart LR`: one node per service (ids `s0`, `s1`, … so no name can break the
 * syntax), one edge per consumer → provider labelled with the importing file:line and "via <library>".
 */
export function renderMermaid(runtime: readonly ServiceRuntime[]): string {
  const { services, edges } = runtimeDrawing(runtime);
  const id = new Map(services.map((s, i) => [s, `s${i}`]));
  return [
    'flowchart LR',
    ...services.map((s) => `  ${id.get(s)}["${mermaidText(s)}"]`),
    ...edges.map(
      (e) => `  ${id.get(e.consumer)} -->|"${edgeLabelLines(e).map(mermaidText).join('<br/>')}"| ${id.get(e.provider)}`,
    ),
  ].join('\n');
}
