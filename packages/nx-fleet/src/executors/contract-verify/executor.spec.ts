import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPacts } from './executor';

const pact = (
  consumer: string,
  provider: string,
  interactions: unknown[] = [{ description: `${consumer} reads an order`, providerState: 'order 1 exists' }],
) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions,
    metadata: { pactSpecification: { version: '2.0.0' } },
  });

describe('readPacts', () => {
  const dirs: string[] = [];

  function workspace(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'nx-fleet-contract-verify-spec-'));
    dirs.push(root);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    return root;
  }

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads every pact in the provider's pacts folder, sorted by file name, with absolute file paths", () => {
    const root = workspace({
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/orders/pacts/billing-orders.json': pact('billing', 'orders', [
        {
          description: 'an invoice for order 1',
          providerStates: [{ name: 'order 1 exists' }, { name: 'order 1 is paid' }],
        },
      ]),
      'services/orders/pacts/mobile-orders.json': pact('mobile', 'orders', []),
      'services/orders/Dockerfile': 'FROM scratch\n',
    });
    expect(readPacts(root, 'services/orders', 'orders')).toEqual([
      {
        file: join(root, 'services/orders/pacts/billing-orders.json'),
        consumer: 'billing',
        provider: 'orders',
        interactions: [
          { description: 'an invoice for order 1', providerStates: ['order 1 exists', 'order 1 is paid'] },
        ],
      },
      {
        file: join(root, 'services/orders/pacts/mobile-orders.json'),
        consumer: 'mobile',
        provider: 'orders',
        interactions: [],
      },
      {
        file: join(root, 'services/orders/pacts/web-orders.json'),
        consumer: 'web',
        provider: 'orders',
        interactions: [{ description: 'web reads an order', providerStates: ['order 1 exists'] }],
      },
    ]);
  });

  it('skips what is not a JSON file in the pacts folder (the state handlers, notes), and nested folders', () => {
    const root = workspace({
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/orders/pacts/states.js': 'module.exports = {};\n',
      'services/orders/pacts/README.md': '# pacts\n',
      'services/orders/pacts/archive/old-orders.json': pact('old', 'orders'),
    });
    expect(readPacts(root, 'services/orders', 'orders').map((p) => p.file)).toEqual([
      join(root, 'services/orders/pacts/web-orders.json'),
    ]);
  });

  it('reads the pacts folder of a provider at the workspace root', () => {
    const root = workspace({ 'pacts/web-api.json': pact('web', 'api') });
    expect(readPacts(root, '.', 'api').map((p) => [p.consumer, p.file])).toEqual([
      ['web', join(root, 'pacts/web-api.json')],
    ]);
  });

  it('refuses a pact that names another provider, saying where to move it', () => {
    const root = workspace({
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/orders/pacts/web-payments.json': pact('web', 'payments'),
    });
    expect(() => readPacts(root, 'services/orders', 'orders')).toThrow(
      'nx-fleet: services/orders/pacts/web-payments.json is a pact with provider "payments", but it is in the pacts folder of orders; move it to payments\'s pacts/ folder.',
    );
  });

  it('passes on the error for a file that is not a pact, naming it relative to the workspace', () => {
    const root = workspace({ 'services/orders/pacts/web-orders.json': '{ "consumer": ' });
    expect(() => readPacts(root, 'services/orders', 'orders')).toThrow(
      /^nx-fleet: services\/orders\/pacts\/web-orders\.json is not valid JSON/,
    );
  });

  it('finds no pacts when the provider has no pacts folder, or an empty one (the executor then has nothing to verify)', () => {
    expect(
      readPacts(workspace({ 'services/orders/Dockerfile': 'FROM scratch\n' }), 'services/orders', 'orders'),
    ).toEqual([]);
    const root = workspace({ 'services/orders/pacts/states.js': 'module.exports = {};\n' });
    expect(readPacts(root, 'services/orders', 'orders')).toEqual([]);
  });
});
