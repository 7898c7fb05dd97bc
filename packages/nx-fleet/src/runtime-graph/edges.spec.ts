import { DependencyType } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { runtimeEdges, serviceRuntime, type RuntimeImport } from './edges';

const imp = (
  consumer: string,
  provider: string,
  file = `${consumer}/src/main.ts`,
  line = 1,
  sdk?: string,
): RuntimeImport => ({
  consumer,
  provider,
  file,
  line,
  specifier: `@acme/${provider}-sdk`,
  ...(sdk ? { sdk } : {}),
});

describe('runtimeEdges', () => {
  it('is empty for no imports', () => {
    expect(runtimeEdges([])).toEqual([]);
  });

  it('makes one implicit edge per consumer/provider pair, sorted, and none to self', () => {
    const edges = runtimeEdges([
      imp('web', 'orders', 'web/a.ts', 3),
      imp('api', 'payments'),
      imp('api', 'orders', 'api/a.ts', 1),
      imp('api', 'orders', 'api/b.ts', 9),
      imp('orders', 'orders'),
      imp('orders', 'api'),
    ]);
    expect(edges).toEqual([
      { source: 'api', target: 'orders', type: DependencyType.implicit },
      { source: 'api', target: 'payments', type: DependencyType.implicit },
      { source: 'orders', target: 'api', type: DependencyType.implicit },
      { source: 'web', target: 'orders', type: DependencyType.implicit },
    ]);
  });

  it('keeps both directions of a cycle', () => {
    expect(runtimeEdges([imp('a', 'b'), imp('b', 'a')]).map((e) => `${e.source}->${e.target}`)).toEqual([
      'a->b',
      'b->a',
    ]);
  });

  it('does not confuse names that only differ in how they split', () => {
    expect(runtimeEdges([imp('a-b', 'c'), imp('a', 'b-c')]).map((e) => [e.source, e.target])).toEqual([
      ['a', 'b-c'],
      ['a-b', 'c'],
    ]);
  });
});

describe('serviceRuntime', () => {
  const closures: Record<string, string[]> = {
    api: ['api', 'shared', 'ui'],
    orders: ['orders', 'shared'],
    payments: ['payments'],
    idle: ['idle'],
  };
  const closure = (service: string) => closures[service] ?? [service];

  it('lists providers and consumers per service, sorted, with every importing file:line', () => {
    const runtime = serviceRuntime(
      ['payments', 'orders', 'api', 'idle'],
      [
        imp('api', 'payments', 'services/api/src/pay.ts', 4, 'payments-sdk'),
        imp('api', 'orders', 'services/api/src/a.ts', 2),
        imp('api', 'orders', 'services/api/src/b.ts', 7, 'orders-sdk'),
      ],
      closure,
    );
    expect(runtime.map((s) => s.service)).toEqual(['api', 'idle', 'orders', 'payments']);
    const api = runtime[0]!;
    expect(api.consumers).toEqual([]);
    expect(api.providers).toEqual([
      {
        service: 'orders',
        imports: [
          { file: 'services/api/src/a.ts', line: 2, specifier: '@acme/orders-sdk', via: 'api' },
          { file: 'services/api/src/b.ts', line: 7, specifier: '@acme/orders-sdk', via: 'api', sdk: 'orders-sdk' },
        ],
      },
      {
        service: 'payments',
        imports: [
          {
            file: 'services/api/src/pay.ts',
            line: 4,
            specifier: '@acme/payments-sdk',
            via: 'api',
            sdk: 'payments-sdk',
          },
        ],
      },
    ]);
    expect(runtime[1]).toEqual({ service: 'idle', providers: [], consumers: [] });
    expect(runtime[2]!.consumers).toEqual([{ service: 'api', imports: api.providers[0]!.imports }]);
    expect(runtime[3]!.consumers).toEqual([{ service: 'api', imports: api.providers[1]!.imports }]);
  });

  it('lets a service consume through the libraries in its closure, naming the library as via', () => {
    const runtime = serviceRuntime(
      ['api', 'orders', 'payments'],
      [
        imp('shared', 'payments', 'libs/shared/src/index.ts', 1, 'payments-sdk'),
        imp('ui', 'orders', 'libs/ui/x.ts', 5),
      ],
      closure,
    );
    const byName = Object.fromEntries(runtime.map((s) => [s.service, s]));
    expect(byName['api']!.providers.map((p) => [p.service, p.imports.map((i) => i.via)])).toEqual([
      ['orders', ['ui']],
      ['payments', ['shared']],
    ]);
    // orders' closure holds shared too.
    expect(byName['orders']!.providers.map((p) => p.service)).toEqual(['payments']);
    expect(byName['payments']!.consumers.map((c) => c.service)).toEqual(['api', 'orders']);
    expect(byName['orders']!.consumers.map((c) => c.service)).toEqual(['api']);
  });

  it('never lists a service as its own provider, even through a library', () => {
    const runtime = serviceRuntime(['orders'], [imp('shared', 'orders'), imp('orders', 'orders')], closure);
    expect(runtime).toEqual([{ service: 'orders', providers: [], consumers: [] }]);
  });

  it('ignores imports of projects outside every closure', () => {
    expect(serviceRuntime(['api'], [imp('stray', 'orders')], closure)).toEqual([
      { service: 'api', providers: [], consumers: [] },
    ]);
  });

  it('shows both directions of a cycle', () => {
    const runtime = serviceRuntime(
      ['orders', 'payments'],
      [imp('orders', 'payments'), imp('payments', 'orders')],
      closure,
    );
    expect(
      runtime.map((s) => [s.service, s.providers.map((p) => p.service), s.consumers.map((c) => c.service)]),
    ).toEqual([
      ['orders', ['payments'], ['payments']],
      ['payments', ['orders'], ['orders']],
    ]);
  });
});
