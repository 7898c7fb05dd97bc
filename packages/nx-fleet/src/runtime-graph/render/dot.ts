import type { ServiceRuntime } from '../edges';
import { edgeLabelLines, evidenceDetail, runtimeDrawing } from './model';

/** A double-quoted Graphviz string: backslashes and quotes escaped, line breaks as `\n`. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * A Graphviz digraph, providers to the right: one node per service, one edge per consumer →
 * provider labelled with the importing file:line (and "via <library>"); each edge's `tooltip` holds
 * every import with its specifier, for SVG output.
 */
export function renderDot(runtime: readonly ServiceRuntime[]): string {
  const { services, edges } = runtimeDrawing(runtime);
  const lines = (list: readonly string[]) => dotString(list.join('\n'));
  return [
    'digraph runtime {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    ...services.map((s) => `  ${dotString(s)};`),
    ...edges.map((e) => {
      const tooltip = [`${e.consumer} -> ${e.provider}`, ...e.imports.map((i) => evidenceDetail(e.consumer, i))];
      return `  ${dotString(e.consumer)} -> ${dotString(e.provider)} [label=${lines(edgeLabelLines(e))}, tooltip=${lines(tooltip)}];`;
    }),
    '}',
  ].join('\n');
}
