import { describe, expect, it } from 'vitest';
import { formatRuntime } from './format';
import { serviceRuntime } from './edges';

describe('formatRuntime', () => {
  it('prints nothing for no services', () => {
    expect(formatRuntime([])).toBe('');
  });

  it('prints each service with its providers and consumers, file:line, the quoted specifier and "via <library>" on both ends', () => {
    const ev = (file: string, line: number, specifier: string, via: string) => ({ file, line, specifier, via });
    const apiOrders = [
      { ...ev('services/api/src/main.ts', 3, '@acme/orders-sdk', 'api'), sdk: 'orders-sdk' },
      ev('libs/shared/src/index.ts', 1, '../../../services/orders/sdk/src', 'shared'),
    ];
    const ordersPayments = [ev('services/orders/src/pay.ts', 12, '@sdk/payments', 'orders')];
    const text = formatRuntime([
      { service: 'api', providers: [{ service: 'orders', imports: apiOrders }], consumers: [] },
      { service: 'idle', providers: [], consumers: [] },
      {
        service: 'orders',
        providers: [{ service: 'payments', imports: ordersPayments }],
        consumers: [{ service: 'api', imports: apiOrders }],
      },
      { service: 'payments', providers: [], consumers: [{ service: 'orders', imports: ordersPayments }] },
    ]);
    expect(text).toBe(
      [
        'api',
        '  providers:',
        '    orders',
        '      services/api/src/main.ts:3  "@acme/orders-sdk"',
        '      libs/shared/src/index.ts:1  "../../../services/orders/sdk/src"  via shared',
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
        '      libs/shared/src/index.ts:1  "../../../services/orders/sdk/src"  via shared',
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

describe('formatRuntime: types only', () => {
  it('lists the services whose SDK types a service imports without calling them, apart from its providers', () => {
    const text = formatRuntime(
      serviceRuntime(
        ['orders', 'shipping'],
        [],
        [],
        [
          {
            consumer: 'shipping',
            provider: 'orders',
            file: 'services/shipping/src/main.ts',
            line: 2,
            specifier: '@acme/orders-sdk',
            sdk: 'orders-sdk',
          },
        ],
      ),
    );
    expect(text).toBe(
      [
        'orders',
        '  providers: none',
        '  consumers: none',
        'shipping',
        '  providers: none',
        '  consumers: none',
        '  types only (no call):',
        '    orders',
        '      services/shipping/src/main.ts:2  "@acme/orders-sdk"',
      ].join('\n'),
    );
  });
});
