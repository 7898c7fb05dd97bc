import type { RuntimeDrawing } from './model';

/** Where a service or a waypoint sits: its column (consumers left, providers right) and its row in that column. */
export interface Slot {
  column: number;
  row: number;
}

export interface Layers {
  /** Every service's and every waypoint's slot. */
  slots: Map<string, Slot>;
  /** The services and waypoints of each column, top to bottom. */
  columns: string[][];
  /** Edges (`edgeKey`) that close a cycle: drawn right to left. */
  back: Set<string>;
  /**
   * The waypoints an edge passes, from its consumer to its provider, one per column it crosses, so
   * that a line never runs through a service box; none for an edge between neighbouring columns.
   */
  routes: Map<string, string[]>;
}

export const edgeKey = (consumer: string, provider: string) => `${consumer}\0${provider}`;

/**
 * A deterministic layered layout (Sugiyama-style, one ordering sweep): cycles are broken by a
 * depth-first search in the services' order (the edge reaching a service still on the stack is a
 * back edge); each service's column is the longest chain of consumers before it; an edge that
 * crosses columns gets a waypoint in each; each column is ordered by the mean row of what links to
 * it from the column to its left (ties: the services' order). Services with no links go last in column 0.
 */
export function layeredLayout(drawing: RuntimeDrawing): Layers {
  const index = new Map(drawing.services.map((s, i) => [s, i]));
  const providers = new Map<string, string[]>(drawing.services.map((s) => [s, []]));
  for (const e of drawing.edges) providers.get(e.consumer)?.push(e.provider);

  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const postorder: string[] = [];
  for (const root of drawing.services) {
    if (state.has(root)) continue;
    state.set(root, 'open');
    const stack: Array<{ service: string; next: number }> = [{ service: root, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const provider = providers.get(top.service)![top.next++];
      if (provider === undefined) {
        state.set(top.service, 'done');
        postorder.push(top.service);
        stack.pop();
      } else if (state.get(provider) === 'open') back.add(edgeKey(top.service, provider));
      else if (!state.has(provider)) {
        state.set(provider, 'open');
        stack.push({ service: provider, next: 0 });
      }
    }
  }

  const column = new Map(drawing.services.map((s) => [s, 0]));
  for (const service of postorder.reverse())
    for (const provider of providers.get(service)!)
      if (!back.has(edgeKey(service, provider)))
        column.set(provider, Math.max(column.get(provider)!, column.get(service)! + 1));

  // Each edge as a chain from its left end to its right end, with a waypoint in every column between.
  const columns: string[][] = [];
  const place = (member: string, c: number) => (columns[c] ??= []).push(member);
  for (const s of drawing.services) place(s, column.get(s)!);
  const leftOf = new Map<string, string[]>();
  const routes = new Map<string, string[]>();
  for (const e of drawing.edges) {
    const key = edgeKey(e.consumer, e.provider);
    const [left, right] = back.has(key) ? [e.provider, e.consumer] : [e.consumer, e.provider];
    const waypoints: string[] = [];
    for (let c = column.get(left)! + 1; c < column.get(right)!; c++) {
      const waypoint = `${key}\0${c}`;
      waypoints.push(waypoint);
      place(waypoint, c);
    }
    const chain = [left, ...waypoints, right];
    chain.slice(1).forEach((member, i) => leftOf.set(member, [...(leftOf.get(member) ?? []), chain[i]!]));
    routes.set(key, back.has(key) ? waypoints.reverse() : waypoints);
  }

  const linked = new Set(drawing.edges.flatMap((e) => [e.consumer, e.provider]));
  const slots = new Map<string, Slot>();
  columns.forEach((members, c) => {
    const weight = (m: string) => {
      const rows = (leftOf.get(m) ?? []).map((l) => slots.get(l)!.row);
      const mean = rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
      const isolated = index.has(m) && !linked.has(m) ? 1 : 0;
      return [isolated, mean, index.get(m) ?? drawing.services.length];
    };
    const weights = new Map(members.map((m) => [m, weight(m)]));
    members.sort((a, b) => {
      const [wa, wb] = [weights.get(a)!, weights.get(b)!];
      return wa[0]! - wb[0]! || wa[1]! - wb[1]! || wa[2]! - wb[2]! || (a < b ? -1 : 1);
    });
    members.forEach((m, row) => slots.set(m, { column: c, row }));
  });
  return { slots, columns, back, routes };
}
