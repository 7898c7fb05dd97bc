import type { ServiceRuntime } from '../edges';
import { edgeKey, layeredLayout } from './layout';
import { evidenceDetail, neighbours, runtimeDrawing, viaLibrary, type RuntimeDrawing } from './model';

/** Text or attribute value in HTML (and inline SVG): `&`, `<`, `>`, both quotes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NODE_HEIGHT = 36;
const ROW_GAP = 24;
const COLUMN_GAP = 140;
const MARGIN = 24;
/** Width of a character of the 13px monospace labels, to size the boxes without measuring text. */
const CHAR_WIDTH = 8;

/** The inline SVG: services as boxes in layers (providers to the right), edges with their evidence as `<title>`. */
export function runtimeSvg(drawing: RuntimeDrawing): string {
  const { slots, columns, back, routes } = layeredLayout(drawing);
  const nodeWidth = Math.max(120, ...drawing.services.map((s) => s.length * CHAR_WIDTH + 24));
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP;
  const width = MARGIN * 2 + columns.length * nodeWidth + Math.max(0, columns.length - 1) * COLUMN_GAP;
  const box = (member: string) => {
    const { column, row } = slots.get(member)!;
    const offset = ((rows - columns[column]!.length) * (NODE_HEIGHT + ROW_GAP)) / 2;
    return { x: MARGIN + column * (nodeWidth + COLUMN_GAP), y: MARGIN + offset + row * (NODE_HEIGHT + ROW_GAP) };
  };
  const id = new Map(drawing.services.map((s, i) => [s, i]));
  const edges = drawing.edges.map((e, i) => {
    const key = edgeKey(e.consumer, e.provider);
    const leftward = back.has(key);
    // Through the waypoints' slots; an edge that closes a cycle runs right to left, lower down, dashed.
    const boxes = [e.consumer, ...routes.get(key)!, e.provider].map(box);
    const lane = leftward ? NODE_HEIGHT * 0.75 : NODE_HEIGHT / 2;
    const [exit, entry] = leftward ? [0, nodeWidth] : [nodeWidth, 0];
    const path = boxes
      .map((b, j) => {
        const y = b.y + lane;
        if (j === 0) return `M${b.x + exit},${y}`;
        const from = boxes[j - 1]!;
        const [x1, y1, x2] = [from.x + exit, from.y + lane, b.x + entry];
        const mid = (x1 + x2) / 2;
        const through = j < boxes.length - 1 ? ` L${b.x + exit},${y}` : '';
        return ` C${mid},${y1} ${mid},${y} ${x2},${y}${through}`;
      })
      .join('');
    const title = [`${e.consumer} → ${e.provider}`, ...e.imports.map((imp) => evidenceDetail(e.consumer, imp))];
    return [
      `<g class="edge${leftward ? ' back' : ''}" data-edge="${i}" data-from="${id.get(e.consumer)}" data-to="${id.get(e.provider)}">`,
      `<title>${escapeHtml(title.join('\n'))}</title>`,
      `<path class="hit" d="${path}"/><path class="line" d="${path}" marker-end="url(#arrow)"/>`,
      '</g>',
    ].join('');
  });
  const nodes = drawing.services.map((s) => {
    const { x, y } = box(s);
    const { providers, consumers } = neighbours(drawing, s);
    const title = [s, `providers: ${providers.join(', ') || 'none'}`, `consumers: ${consumers.join(', ') || 'none'}`];
    return [
      `<g class="node" data-node="${id.get(s)}">`,
      `<title>${escapeHtml(title.join('\n'))}</title>`,
      `<rect x="${x}" y="${y}" width="${nodeWidth}" height="${NODE_HEIGHT}" rx="6"/>`,
      `<text x="${x + nodeWidth / 2}" y="${y + NODE_HEIGHT / 2}">${escapeHtml(s)}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Runtime service graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}p{margin:0 0 16px;color:#57606a}
.graph{overflow:auto;border:1px solid #d0d7de;border-radius:6px;padding:8px}
.node rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}.node text{font:13px ui-monospace,monospace;text-anchor:middle;dominant-baseline:central}
.edge .line{fill:none;stroke:#8c959f;stroke-width:1.5}.edge.back .line{stroke-dasharray:5 3}
.edge .hit{fill:none;stroke:transparent;stroke-width:12}#arrow path{fill:#8c959f}
.edge:hover .line,.edge.on .line{stroke:#0969da;stroke-width:2.5}.node:hover rect,.node.on rect{fill:#ddf4ff;stroke:#0969da}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td code{font:12px ui-monospace,monospace}tr.on td{background:#ddf4ff}`;

/** Hovering a service lights its edges; hovering an edge or a table row lights that edge and its rows. */
const SCRIPT = `for(const el of document.querySelectorAll('[data-edge],[data-node]')){
const pick=el.dataset.node!==undefined?'[data-from="'+el.dataset.node+'"],[data-to="'+el.dataset.node+'"]':'[data-edge="'+el.dataset.edge+'"]';
const set=on=>{el.classList.toggle('on',on);for(const t of document.querySelectorAll(pick))t.classList.toggle('on',on)};
el.addEventListener('mouseenter',()=>set(true));el.addEventListener('mouseleave',()=>set(false))}`;

/**
 * One self-contained page (no network: inline CSS and script, a Content-Security-Policy that
 * forbids loading anything): the graph as inline SVG, the evidence of each edge on hover, and
 * tables of the edges' imports and of the services below.
 */
export function renderHtml(runtime: readonly ServiceRuntime[]): string {
  const drawing = runtimeDrawing(runtime);
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const evidenceRows = drawing.edges.flatMap((e, i) =>
    e.imports.map((imp) => {
      const cells = [
        escapeHtml(e.consumer),
        escapeHtml(e.provider),
        code(`${imp.file}:${imp.line}`),
        code(JSON.stringify(imp.specifier)),
        escapeHtml(viaLibrary(e.consumer, imp) ?? ''),
        escapeHtml(imp.sdk ?? ''),
      ];
      const ends = `data-from="${drawing.services.indexOf(e.consumer)}" data-to="${drawing.services.indexOf(e.provider)}"`;
      return `<tr data-edge="${i}" ${ends}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    }),
  );
  const serviceRows = drawing.services.map((s) => {
    const list = (names: string[]) => escapeHtml(names.join(', ') || 'none');
    const { providers, consumers } = neighbours(drawing, s);
    return `<tr><td>${escapeHtml(s)}</td><td>${list(providers)}</td><td>${list(consumers)}</td></tr>`;
  });
  const table = (header: string[], rows: string[]) =>
    `<table>\n<thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>nx-fleet runtime graph</title>',
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<h1>Runtime service graph</h1>',
    `<p>${count(drawing.services.length, 'service')}, ${count(drawing.edges.length, 'runtime edge')}: an arrow goes from a consumer to the provider whose SDK it (or a library it uses) imports. Hover a service or an arrow for the evidence; dashed arrows close a cycle.</p>`,
    drawing.services.length ? `<div class="graph">\n${runtimeSvg(drawing)}\n</div>` : '<p>No services.</p>',
    '<h2>Imports behind each edge</h2>',
    evidenceRows.length
      ? table(['consumer', 'provider', 'file:line', 'specifier', 'via library', 'SDK project'], evidenceRows)
      : '<p>No runtime edges.</p>',
    ...(serviceRows.length ? ['<h2>Services</h2>', table(['service', 'providers', 'consumers'], serviceRows)] : []),
    `<script>\n${SCRIPT}\n</script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
