import { describe, expect, it } from 'vitest';
import type { ServiceRuntime } from '../runtime-graph/edges';
import { contractWarnings } from './consistency';

const roots: Record<string, string> = { orders: 'services/orders', web: 'apps/web', mobile: 'apps/mobile' };
const rootOf = (service: string) => roots[service];
const calls = (service: string, ...providers: string[]): ServiceRuntime => ({
  service,
  providers: providers.map((p) => ({
    service: p,
    imports: [{ file: `${roots[service]}/src/${p}.ts`, line: 3, specifier: `@acme/${p}-sdk`, via: service }],
  })),
  consumers: [],
});
const pact = (consumer: string, provider: string) => ({
  consumer,
  provider,
  file: `${roots[provider]}/pacts/${consumer}-${provider}.json`,
});

describe('contractWarnings', () => {
  it('says nothing in a workspace without pacts, however many SDK imports it has', () => {
    expect(contractWarnings([calls('web', 'orders'), calls('mobile', 'orders')], [], rootOf)).toEqual([]);
  });

  it('says nothing when every SDK call has its pact and every pact its call', () => {
    expect(
      contractWarnings(
        [calls('web', 'orders'), calls('mobile', 'orders'), calls('orders')],
        [pact('web', 'orders'), pact('mobile', 'orders')],
        rootOf,
      ),
    ).toEqual([]);
  });

  it("warns about a service that imports a provider's SDK without a pact with it, naming the import and where the pact belongs", () => {
    expect(
      contractWarnings([calls('web', 'orders'), calls('mobile', 'orders')], [pact('web', 'orders')], rootOf),
    ).toEqual([
      "nx-fleet: mobile imports orders's SDK (apps/mobile/src/orders.ts:3) but has no pact with it (expected services/orders/pacts/mobile-orders.json); add a Pact consumer test.",
    ]);
  });

  it('warns about a pact that no SDK import explains', () => {
    expect(
      contractWarnings(
        [calls('web', 'orders'), calls('mobile')],
        [pact('web', 'orders'), pact('mobile', 'orders')],
        rootOf,
      ),
    ).toEqual([
      'nx-fleet: services/orders/pacts/mobile-orders.json is a pact of mobile with orders, but no SDK import of mobile explains it (see nx-fleet graph); is the consumer name a project name?',
    ]);
  });
});
