import { describe, expect, it } from 'vitest';
import { serviceRuntime, type RuntimeImport } from './edges';
import { formatRuntime } from './format';

describe('formatRuntime', () => {
  it('prints nothing for no services', () => {
    expect(formatRuntime([])).toBe('');
  });

  it('prints each service with its providers and consumers, file:line and the quoted specifier', () => {
    const imports: RuntimeImport[] = [
      {
        consumer: 'api',
        provider: 'orders',
        file: 'services/api/src/main.ts',
        line: 3,
        specifier: '@acme/orders-sdk',
        sdk: 'orders-sdk',
      },
      {
        consumer: 'shared',
        provider: 'orders',
        file: 'libs/shared/src/index.ts',
        line: 1,
        specifier: '../../../services/orders/sdk/src',
      },
      {
        consumer: 'orders',
        provider: 'payments',
        file: 'services/orders/src/pay.ts',
        line: 12,
        specifier: '@sdk/payments',
      },
    ];
    const closure = (service: string) => (service === 'api' ? ['api', 'shared'] : [service]);
    const text = formatRuntime(serviceRuntime(['orders', 'payments', 'api', 'idle'], imports, closure));
    expect(text).toBe(
      [
        'api',
        '  providers:',
        '    orders',
        '      services/api/src/main.ts:3  "@acme/orders-sdk"',
        '      libs/shared/src/index.ts:1  "../../../services/orders/sdk/src"',
        '  consumers: none',
        'idle',
        '  providers: none',
        '  consumers: none',
        'orders',
        '  providers:',
        '    payments',
        '      services/orders/src/pay.ts:12  "@sdk/payments"',
        '  consumers:',
        '    api',
        '      services/api/src/main.ts:3  "@acme/orders-sdk"',
        '      libs/shared/src/index.ts:1  "../../../services/orders/sdk/src"',
        'payments',
        '  providers: none',
        '  consumers:',
        '    orders',
        '      services/orders/src/pay.ts:12  "@sdk/payments"',
      ].join('\n'),
    );
  });

  it('escapes specifiers the way JSON does', () => {
    const text = formatRuntime([
      {
        service: 'a',
        providers: [{ service: 'b', imports: [{ file: 'x.ts', line: 1, specifier: 'we"ird\\name', via: 'a' }] }],
        consumers: [],
      },
    ]);
    expect(text).toContain('x.ts:1  "we\\"ird\\\\name"');
  });
});
