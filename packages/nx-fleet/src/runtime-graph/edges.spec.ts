import { describe, expect, it } from 'vitest';
import { codeClosures, runtimeProviders, serviceRuntime, type RuntimeImport } from './edges';

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

/** Code edges from `a -> b` strings. */
const edges = (...pairs: string[]) =>
  pairs.map((pair) => {
    const [source, target] = pair.split(' -> ') as [string, string];
    return { source, target };
  });

describe('serviceRuntime', () => {
  // api uses shared and ui, orders uses shared.
  const closure = edges('api -> shared', 'api -> ui', 'orders -> shared');

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

describe('codeClosures', () => {
  const SERVICES = ['api', 'orders', 'payments'];

  it.each([
    ['no edges: each service alone', [], { api: ['api'], orders: ['orders'], payments: ['payments'] }],
    ['a library it imports', ['api -> shared'], { api: ['api', 'shared'] }],
    [
      'libraries of libraries, sorted',
      ['api -> ui', 'ui -> shared', 'shared -> format'],
      { api: ['api', 'format', 'shared', 'ui'] },
    ],
    ['never through another service', ['api -> orders', 'orders -> db'], { api: ['api'], orders: ['orders', 'db'] }],
    ['never through a library into another service', ['api -> shared', 'shared -> orders'], { api: ['api', 'shared'] }],
    ['library cycles end', ['api -> a', 'a -> b', 'b -> a'], { api: ['api', 'a', 'b'] }],
    [
      'a library that imports the service using it',
      ['orders -> shared', 'shared -> orders'],
      { orders: ['orders', 'shared'] },
    ],
    [
      'a shared library in both closures',
      ['api -> shared', 'orders -> shared'],
      { api: ['api', 'shared'], orders: ['orders', 'shared'] },
    ],
    ['edges out of unrelated projects count for no one', ['stray -> shared'], { api: ['api'] }],
  ])('%s', (_name, pairs, expected) => {
    const closures = codeClosures(SERVICES, edges(...pairs));
    expect([...closures.keys()]).toEqual(SERVICES);
    for (const [service, closure] of Object.entries(expected)) expect(closures.get(service)).toEqual(closure);
  });
});

describe('runtimeProviders', () => {
  const SERVICES = ['api', 'orders', 'payments'];
  /** service -> "provider via project" for every piece of evidence. */
  const brief = (providers: ReturnType<typeof runtimeProviders>) =>
    Object.fromEntries(
      [...providers].map(([service, links]) => [
        service,
        links.flatMap((l) => l.imports.map((i) => `${l.service} via ${i.via} ${i.file}:${i.line}`)),
      ]),
    );

  it.each<[string, RuntimeImport[], string[], Record<string, string[]>]>([
    ['nothing', [], [], { api: [], orders: [], payments: [] }],
    [
      'a direct import',
      [imp('api', 'orders', 'api/a.ts', 3)],
      [],
      { api: ['orders via api api/a.ts:3'], orders: [], payments: [] },
    ],
    [
      'through a library the service imports',
      [imp('shared', 'orders', 'shared/a.ts', 1)],
      ['api -> shared'],
      { api: ['orders via shared shared/a.ts:1'], orders: [], payments: [] },
    ],
    [
      'through a chain of libraries',
      [imp('http', 'payments', 'http/a.ts', 2)],
      ['api -> ui', 'ui -> http'],
      { api: ['payments via http http/a.ts:2'], orders: [], payments: [] },
    ],
    [
      "never through another service: orders' own call is orders', not api's",
      [imp('orders', 'payments', 'orders/a.ts', 1)],
      ['api -> orders'],
      { api: [], orders: ['payments via orders orders/a.ts:1'], payments: [] },
    ],
    [
      'a library that imports the SDK of the service using it: no self call',
      [imp('shared', 'orders', 'shared/a.ts', 1)],
      ['orders -> shared', 'api -> shared'],
      { api: ['orders via shared shared/a.ts:1'], orders: [], payments: [] },
    ],
    [
      'a library no service reaches: no one',
      [imp('stray', 'orders', 'stray/a.ts', 1)],
      [],
      { api: [], orders: [], payments: [] },
    ],
    [
      'a mutual cycle: both directions',
      [imp('orders', 'payments', 'orders/a.ts', 1), imp('payments', 'orders', 'payments/a.ts', 1)],
      [],
      { api: [], orders: ['payments via orders orders/a.ts:1'], payments: ['orders via payments payments/a.ts:1'] },
    ],
    [
      'evidence sorted by file and line, providers by name',
      [
        imp('api', 'payments', 'api/z.ts', 1),
        imp('shared', 'orders', 'shared/b.ts', 9),
        imp('api', 'orders', 'api/b.ts', 12),
        imp('api', 'orders', 'api/b.ts', 2),
      ],
      ['api -> shared'],
      {
        api: [
          'orders via api api/b.ts:2',
          'orders via api api/b.ts:12',
          'orders via shared shared/b.ts:9',
          'payments via api api/z.ts:1',
        ],
        orders: [],
        payments: [],
      },
    ],
  ])('%s', (_name, imports, pairs, expected) => {
    expect(brief(runtimeProviders(SERVICES, imports, edges(...pairs)))).toEqual(expected);
  });

  it('keeps the SDK the import reached', () => {
    const providers = runtimeProviders(['api', 'orders'], [imp('api', 'orders', 'api/a.ts', 1, 'orders-sdk')], []);
    expect(providers.get('api')).toEqual([
      {
        service: 'orders',
        imports: [{ file: 'api/a.ts', line: 1, specifier: '@acme/orders-sdk', via: 'api', sdk: 'orders-sdk' }],
      },
    ]);
  });
});
