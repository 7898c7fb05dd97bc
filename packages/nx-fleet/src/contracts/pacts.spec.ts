import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACTS_FOLDER } from '../config/defaults';
import { nodeFiles } from '../io/ports';
import { PACT_FILE, pactFilesByRoot, parsePact, readProviderPacts } from './pacts';

const json = (value: unknown) => JSON.stringify(value);

describe('PACTS_FOLDER and PACT_FILE', () => {
  it('names the folder pacts, and matches JSON files directly in a pacts folder only', () => {
    expect(PACTS_FOLDER).toBe('pacts');
    for (const file of ['services/orders/pacts/web-orders.json', 'pacts/web-root.json', '.deploy/x/pacts/a-b.json'])
      expect(PACT_FILE.test(file), file).toBe(true);
    for (const file of [
      'services/orders/pacts/states.js',
      'services/orders/pacts/old/web-orders.json',
      'services/orders/my-pacts/web-orders.json',
      'services/orders/pactsx/web-orders.json',
      'services/orders/project.json',
      'services/orders/pacts/web-orders.json.bak',
    ]) {
      expect(PACT_FILE.test(file), file).toBe(false);
    }
  });
});

describe('pactFilesByRoot', () => {
  it('groups pact files by the folder holding their pacts folder, nested roots kept apart', () => {
    const byRoot = pactFilesByRoot([
      'services/orders/pacts/web-orders.json',
      'services/orders/pacts/mobile-orders.json',
      'services/orders/billing/pacts/orders-billing.json',
      'apps/web/pacts/e2e-web.json',
    ]);
    expect([...byRoot.keys()].sort()).toEqual(['apps/web', 'services/orders', 'services/orders/billing']);
    expect(byRoot.get('services/orders')).toEqual([
      'services/orders/pacts/mobile-orders.json',
      'services/orders/pacts/web-orders.json',
    ]);
    expect(byRoot.get('services/orders/billing')).toEqual(['services/orders/billing/pacts/orders-billing.json']);
    expect(byRoot.get('apps/web')).toEqual(['apps/web/pacts/e2e-web.json']);
  });

  it('maps a pacts folder at the workspace root to the root "."', () => {
    expect(pactFilesByRoot(['pacts/web-root.json'])).toEqual(new Map([['.', ['pacts/web-root.json']]]));
  });

  it('takes only JSON files directly in a pacts folder, ignoring manifests, container files and anything nested', () => {
    const byRoot = pactFilesByRoot([
      'services/orders/project.json',
      'services/orders/Dockerfile',
      'services/orders/package.json',
      'services/orders/pacts/states.js',
      'services/orders/pacts/archive/web-orders.json',
      'services/orders/my-pacts/web-orders.json',
      'services/orders/pacts/web-orders.json',
    ]);
    expect(byRoot).toEqual(new Map([['services/orders', ['services/orders/pacts/web-orders.json']]]));
  });

  it('sorts each root’s files whatever order they come in', () => {
    const files = ['s/pacts/c-s.json', 's/pacts/a-s.json', 's/pacts/b-s.json'];
    expect(pactFilesByRoot(files).get('s')).toEqual(['s/pacts/a-s.json', 's/pacts/b-s.json', 's/pacts/c-s.json']);
    expect(pactFilesByRoot([...files].reverse()).get('s')).toEqual([
      's/pacts/a-s.json',
      's/pacts/b-s.json',
      's/pacts/c-s.json',
    ]);
  });

  it('returns an empty map when there are no pacts, without modifying its input', () => {
    const files = Object.freeze(['services/a/project.json', 'services/a/Dockerfile']);
    expect(pactFilesByRoot(files).size).toBe(0);
    expect(pactFilesByRoot([]).size).toBe(0);
  });
});

describe('parsePact', () => {
  const FILE = 'services/orders/pacts/web-orders.json';

  it('reads a V2 pact: one providerState string per interaction', () => {
    const text = json({
      consumer: { name: 'web' },
      provider: { name: 'orders' },
      interactions: [
        {
          description: 'a request for order 1',
          providerState: 'order 1 exists',
          request: { method: 'GET', path: '/orders/1' },
          response: { status: 200 },
        },
        { description: 'a health check', request: { method: 'GET', path: '/health' }, response: { status: 200 } },
      ],
      metadata: { pactSpecification: { version: '2.0.0' } },
    });
    expect(parsePact(FILE, text)).toEqual({
      file: FILE,
      consumer: 'web',
      provider: 'orders',
      interactions: [
        { description: 'a request for order 1', providerStates: ['order 1 exists'] },
        { description: 'a health check', providerStates: [] },
      ],
    });
  });

  it('reads a V3 pact: providerStates as an array of { name, params }', () => {
    const text = json({
      consumer: { name: 'web' },
      provider: { name: 'orders' },
      interactions: [
        {
          description: 'a request for order 1 of customer 7',
          providerStates: [{ name: 'customer 7 exists', params: { id: 7 } }, { name: 'order 1 exists' }],
          request: { method: 'GET', path: '/orders/1' },
          response: { status: 200 },
        },
      ],
      metadata: { pactSpecification: { version: '3.0.0' } },
    });
    expect(parsePact(FILE, text).interactions).toEqual([
      { description: 'a request for order 1 of customer 7', providerStates: ['customer 7 exists', 'order 1 exists'] },
    ]);
  });

  it('reads a V4 pact (typed interactions), skipping provider states without a name', () => {
    const text = json({
      consumer: { name: 'web' },
      provider: { name: 'orders' },
      interactions: [
        {
          type: 'Synchronous/HTTP',
          key: 'k1',
          description: 'list orders',
          providerStates: [{ name: 'orders exist' }, { params: {} }, null],
          pending: false,
        },
        { type: 'Synchronous/HTTP', key: 'k2', description: 'no orders', providerStates: [] },
        { type: 'Synchronous/HTTP', key: 'k3' },
      ],
      metadata: { pactSpecification: { version: '4.0' } },
    });
    expect(parsePact(FILE, text)).toEqual({
      file: FILE,
      consumer: 'web',
      provider: 'orders',
      interactions: [
        { description: 'list orders', providerStates: ['orders exist'] },
        { description: 'no orders', providerStates: [] },
        { description: '(no description)', providerStates: [] },
      ],
    });
  });

  it('accepts a pact with no interactions', () => {
    expect(
      parsePact(FILE, json({ consumer: { name: 'web' }, provider: { name: 'orders' }, interactions: [] })).interactions,
    ).toEqual([]);
  });

  it('rejects invalid JSON, naming the file and how to regenerate it', () => {
    expect(() => parsePact(FILE, '{ "consumer": ')).toThrow(
      /^nx-fleet: services\/orders\/pacts\/web-orders\.json is not valid JSON \(.+\); regenerate it by running the consumer's Pact tests\.$/,
    );
  });

  it.each([
    ['no consumer', { provider: { name: 'orders' }, interactions: [] }],
    ['a consumer without a name', { consumer: {}, provider: { name: 'orders' }, interactions: [] }],
    ['a provider name that is not a string', { consumer: { name: 'web' }, provider: { name: 3 }, interactions: [] }],
    ['no interactions', { consumer: { name: 'web' }, provider: { name: 'orders' } }],
    [
      'interactions that are not an array',
      { consumer: { name: 'web' }, provider: { name: 'orders' }, interactions: {} },
    ],
    ['null', null],
    ['an array', []],
    ['a string', 'pact'],
  ])('rejects JSON that is not a pact (%s), naming the file', (_label, document) => {
    expect(() => parsePact(FILE, json(document))).toThrow(
      "nx-fleet: services/orders/pacts/web-orders.json is not a pact (it needs consumer.name, provider.name and interactions); regenerate it by running the consumer's Pact tests.",
    );
  });
});

describe('a project folder named pacts', () => {
  it('keeps its manifests: project.json and package.json are never pacts', () => {
    expect(PACT_FILE.test('services/pacts/project.json')).toBe(false);
    expect(PACT_FILE.test('services/pacts/package.json')).toBe(false);
    expect(PACT_FILE.test('services/pacts/web-pacts.json')).toBe(true);
    expect(pactFilesByRoot(['services/pacts/project.json', 'services/pacts/package.json'])).toEqual(new Map());
  });
});

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

describe('readProviderPacts', () => {
  const readPacts = (workspaceRoot: string, projectRoot: string, provider: string) =>
    readProviderPacts({ files: nodeFiles }, { workspaceRoot, projectRoot, provider });

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

  it("reads every pact in the provider's pacts folder, sorted by file name, with absolute file paths", async () => {
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
    expect(await readPacts(root, 'services/orders', 'orders')).toEqual([
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

  it('skips what is not a JSON file in the pacts folder (the state handlers, notes), and nested folders', async () => {
    const root = workspace({
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/orders/pacts/states.js': 'module.exports = {};\n',
      'services/orders/pacts/README.md': '# pacts\n',
      'services/orders/pacts/archive/old-orders.json': pact('old', 'orders'),
    });
    expect((await readPacts(root, 'services/orders', 'orders')).map((p) => p.file)).toEqual([
      join(root, 'services/orders/pacts/web-orders.json'),
    ]);
  });

  it('reads the pacts folder of a provider at the workspace root', async () => {
    const root = workspace({ 'pacts/web-api.json': pact('web', 'api') });
    expect((await readPacts(root, '.', 'api')).map((p) => [p.consumer, p.file])).toEqual([
      ['web', join(root, 'pacts/web-api.json')],
    ]);
  });

  it('refuses a pact that names another provider, saying where to move it', async () => {
    const root = workspace({
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/orders/pacts/web-payments.json': pact('web', 'payments'),
    });
    await expect(readPacts(root, 'services/orders', 'orders')).rejects.toThrow(
      'nx-fleet: services/orders/pacts/web-payments.json is a pact with provider "payments", but it is in the pacts folder of orders; move it to payments\'s pacts/ folder.',
    );
  });

  it('passes on the error for a file that is not a pact, naming it relative to the workspace', async () => {
    const root = workspace({ 'services/orders/pacts/web-orders.json': '{ "consumer": ' });
    await expect(readPacts(root, 'services/orders', 'orders')).rejects.toThrow(
      /^nx-fleet: services\/orders\/pacts\/web-orders\.json is not valid JSON/,
    );
  });

  it('finds no pacts when the provider has no pacts folder, or an empty one (the executor then has nothing to verify)', async () => {
    expect(
      await readPacts(workspace({ 'services/orders/Dockerfile': 'FROM scratch\n' }), 'services/orders', 'orders'),
    ).toEqual([]);
    const root = workspace({ 'services/orders/pacts/states.js': 'module.exports = {};\n' });
    expect(await readPacts(root, 'services/orders', 'orders')).toEqual([]);
  });
});
