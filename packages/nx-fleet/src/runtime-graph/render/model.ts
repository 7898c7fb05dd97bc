import type { ServiceLink, ServiceRuntime } from '../edges';

/** One import behind a runtime edge: the importing file:line, the specifier, the project it sits in. */
export type Evidence = ServiceLink['imports'][number];

/** consumer → provider: the consumer (or a library it uses) imports the provider's SDK. */
export interface RuntimeEdge {
  consumer: string;
  provider: string;
  imports: readonly Evidence[];
}

/** What every drawing shows: the services, in the graph's order, and one edge per consumer → provider pair. */
export interface RuntimeDrawing {
  services: string[];
  edges: RuntimeEdge[];
}

/**
 * The services and edges of `nx-fleet graph`'s data. Edges come from each service's providers;
 * a consumer link whose mirror is missing (a partial list) still gives its edge, and a service
 * named only by a link still gets a node.
 */
export function runtimeDrawing(runtime: readonly ServiceRuntime[]): RuntimeDrawing {
  const edges = new Map<string, RuntimeEdge>();
  const add = (consumer: string, provider: string, imports: readonly Evidence[]) => {
    const key = `${consumer}\0${provider}`;
    if (!edges.has(key) && consumer !== provider) edges.set(key, { consumer, provider, imports });
  };
  for (const s of runtime) for (const p of s.providers) add(s.service, p.service, p.imports);
  for (const s of runtime) for (const c of s.consumers) add(c.service, s.service, c.imports);
  const services = [...new Set(runtime.map((s) => s.service))];
  for (const e of edges.values())
    for (const name of [e.consumer, e.provider]) if (!services.includes(name)) services.push(name);
  return { services, edges: [...edges.values()] };
}

/** The services `service` calls and the services that call it, in the drawing's edge order. */
export function neighbours(drawing: RuntimeDrawing, service: string): { providers: string[]; consumers: string[] } {
  return {
    providers: drawing.edges.filter((e) => e.consumer === service).map((e) => e.provider),
    consumers: drawing.edges.filter((e) => e.provider === service).map((e) => e.consumer),
  };
}

/** The library the import sits in, when it is not the consumer service itself. */
export function viaLibrary(consumer: string, evidence: Evidence): string | undefined {
  return evidence.via && evidence.via !== consumer ? evidence.via : undefined;
}

/** `file:line`, then ` via <library>` when a library makes the link. */
export function evidenceLabel(consumer: string, evidence: Evidence): string {
  const via = viaLibrary(consumer, evidence);
  return `${evidence.file}:${evidence.line}${via ? ` via ${via}` : ''}`;
}

/** `file:line  "specifier"`, ` via <library>`, ` (sdk <project>)`: the whole evidence on one line. */
export function evidenceDetail(consumer: string, evidence: Evidence): string {
  const sdk = evidence.sdk ? `  (sdk ${evidence.sdk})` : '';
  const via = viaLibrary(consumer, evidence);
  return `${evidence.file}:${evidence.line}  ${JSON.stringify(evidence.specifier)}${via ? `  via ${via}` : ''}${sdk}`;
}

/** How many imports an edge label lists before "+N more" (tooltips, JSON and the HTML table list all). */
export const LABEL_IMPORTS = 3;

/** An edge's label lines: up to LABEL_IMPORTS `file:line [via lib]`, then `+N more`. */
export function edgeLabelLines(edge: RuntimeEdge): string[] {
  const lines = edge.imports.map((i) => evidenceLabel(edge.consumer, i));
  return lines.length > LABEL_IMPORTS + 1
    ? [...lines.slice(0, LABEL_IMPORTS), `+${lines.length - LABEL_IMPORTS} more`]
    : lines;
}
