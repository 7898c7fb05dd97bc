import { describe, expect, it } from 'vitest';
import { edgeKey, layeredLayout } from './layout';
import type { RuntimeDrawing } from './model';

/** `drawing('a b', 'a>b')`: the services in order and the consumer>provider edges. */
const drawing = (services: string, edges: string): RuntimeDrawing => ({
  services: services.split(' ').filter(Boolean),
  edges: edges
    .split(' ')
    .filter(Boolean)
    .map((pair) => {
      const [consumer, provider] = pair.split('>') as [string, string];
      return { consumer, provider, imports: [] };
    }),
});
const waypoint = (consumer: string, provider: string, column: number) => `${edgeKey(consumer, provider)}\0${column}`;

describe('layeredLayout', () => {
  it('puts providers to the right of their consumers, at the end of their longest chain', () => {
    const { columns, back, routes } = layeredLayout(
      drawing('api orders payments web', 'web>api api>orders orders>payments web>payments'),
    );
    const [first, second] = [waypoint('web', 'payments', 1), waypoint('web', 'payments', 2)];
    expect(columns).toEqual([['web'], ['api', first], ['orders', second], ['payments']]);
    expect(back.size).toBe(0);
    // web → payments crosses two columns: a waypoint in each, so its line passes no service box.
    expect(routes.get(edgeKey('web', 'payments'))).toEqual([first, second]);
    expect(routes.get(edgeKey('web', 'api'))).toEqual([]);
  });

  it('breaks a mutual pair with one back edge, found in the services order', () => {
    const { columns, back, routes } = layeredLayout(drawing('orders payments', 'orders>payments payments>orders'));
    expect(columns).toEqual([['orders'], ['payments']]);
    expect([...back]).toEqual([edgeKey('payments', 'orders')]);
    expect(routes.get(edgeKey('payments', 'orders'))).toEqual([]);
  });

  it('breaks a longer cycle at the edge that closes it, routed back from consumer to provider', () => {
    const { columns, back, routes } = layeredLayout(drawing('a b c d', 'a>b b>c c>d d>a'));
    const [w1, w2] = [waypoint('d', 'a', 1), waypoint('d', 'a', 2)];
    expect(columns).toEqual([['a'], ['b', w1], ['c', w2], ['d']]);
    expect([...back]).toEqual([edgeKey('d', 'a')]);
    expect(routes.get(edgeKey('d', 'a'))).toEqual([w2, w1]);
  });

  it('orders a column by where its consumers sit, and puts services with no links last in column 0', () => {
    const { columns, slots } = layeredLayout(drawing('alone y x z-consumer a-consumer', 'z-consumer>x a-consumer>y'));
    expect(columns).toEqual([
      ['z-consumer', 'a-consumer', 'alone'],
      ['x', 'y'],
    ]);
    expect(slots.get('y')).toEqual({ column: 1, row: 1 });
  });

  it('is the same layout for the same graph, and empty for no services', () => {
    const graph = drawing('a b c d', 'a>c b>c c>d a>d d>b');
    expect(layeredLayout(graph)).toEqual(layeredLayout(graph));
    expect(layeredLayout(drawing('', ''))).toEqual({
      slots: new Map(),
      columns: [],
      back: new Set(),
      routes: new Map(),
    });
  });
});
