import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PactSummary } from './pacts';
import {
  failuresOf,
  formatContractReport,
  loadVerifier,
  PACT_PACKAGE,
  verifyPact,
  type PactResult,
  type VerifierFactory,
} from './verification';

/** The message of the error @pact-foundation/pact 16 rejects with, captured from a real failing verification. */
const PACT_16_REJECTION = JSON.stringify({
  errors: [
    {
      interaction: 'Verifying a pact between web and orders Given order 1 exists - a request for order 1',
      mismatch: {
        interactionId: '',
        mismatches: [
          {
            actual: '["amount","id"]',
            expected: '["id","total"]',
            mismatch: 'Actual map is missing the following keys: total',
            path: '$',
            type: 'BodyMismatch',
          },
        ],
        type: 'mismatches',
      },
    },
  ],
  interactionResults: [
    { description: 'a request for order 1', duration: '73ms', result: 'Error' },
    { description: 'a health check', duration: '21ms', result: 'OK' },
  ],
  notices: [],
  output: [],
  pendingErrors: [],
  result: false,
});

const PACT: PactSummary = {
  file: '/ws/services/orders/pacts/web-orders.json',
  consumer: 'web',
  provider: 'orders',
  interactions: [
    { description: 'a request for order 1', providerStates: ['order 1 exists'] },
    { description: 'a health check', providerStates: [] },
  ],
};

describe('failuresOf', () => {
  it("reads Pact 16's JSON rejection: the failing interaction and each mismatch with its path", () => {
    expect(failuresOf(new Error(PACT_16_REJECTION))).toEqual([
      {
        interaction: 'Verifying a pact between web and orders Given order 1 exists - a request for order 1',
        mismatches: ['$: Actual map is missing the following keys: total'],
      },
    ]);
  });

  it('keeps every failing interaction and every mismatch, in order, and a mismatch without a path as it is', () => {
    const message = JSON.stringify({
      errors: [
        {
          interaction: 'Verifying a pact between web and orders - list orders',
          mismatch: {
            mismatches: [
              { mismatch: 'expected status of 200 but was 500', type: 'StatusMismatch' },
              {
                mismatch: "Expected header 'content-type' to have value 'application/json'",
                path: 'content-type',
                type: 'HeaderMismatch',
              },
            ],
            type: 'mismatches',
          },
        },
        {
          interaction: 'Verifying a pact between web and orders - create order',
          mismatch: { mismatches: [{ path: '$.id', mismatch: 'Expected 1 but received 2' }], type: 'mismatches' },
        },
      ],
      result: false,
    });
    expect(failuresOf(new Error(message))).toEqual([
      {
        interaction: 'Verifying a pact between web and orders - list orders',
        mismatches: [
          'expected status of 200 but was 500',
          "content-type: Expected header 'content-type' to have value 'application/json'",
        ],
      },
      {
        interaction: 'Verifying a pact between web and orders - create order',
        mismatches: ['$.id: Expected 1 but received 2'],
      },
    ]);
  });

  it('uses the message of an error that is not a list of mismatches (the request itself failed)', () => {
    const message = JSON.stringify({
      errors: [
        {
          interaction: 'Verifying a pact between web and orders - list orders',
          mismatch: { type: 'error', message: 'error sending request for url (http://127.0.0.1:1/orders)' },
        },
      ],
      result: false,
    });
    expect(failuresOf(new Error(message))).toEqual([
      {
        interaction: 'Verifying a pact between web and orders - list orders',
        mismatches: ['error sending request for url (http://127.0.0.1:1/orders)'],
      },
    ]);
    expect(failuresOf(new Error(JSON.stringify({ errors: [{}] })))).toEqual([
      { interaction: '(unnamed interaction)', mismatches: ['failed'] },
    ]);
  });

  it('reports an error that is not JSON as the verification not having run, with its message', () => {
    expect(failuresOf(new Error('Failed to load pact - No such file or directory (os error 2)'))).toEqual([
      {
        interaction: '(verification did not run)',
        mismatches: ['Failed to load pact - No such file or directory (os error 2)'],
      },
    ]);
  });

  it('accepts a rejection that is not an Error', () => {
    expect(failuresOf('connection refused')).toEqual([
      { interaction: '(verification did not run)', mismatches: ['connection refused'] },
    ]);
    expect(failuresOf(PACT_16_REJECTION)).toEqual(failuresOf(new Error(PACT_16_REJECTION)));
  });
});

describe('verifyPact', () => {
  const handlers = { 'order 1 exists': () => undefined };
  const input = { pact: PACT, provider: 'orders', baseUrl: 'http://127.0.0.1:41234', stateHandlers: handlers };

  function fakeVerifier(outcome: () => Promise<unknown>) {
    const calls: Array<Parameters<VerifierFactory>[0]> = [];
    const verifyProvider = vi.fn(outcome);
    const factory: VerifierFactory = (options) => {
      calls.push(options);
      return { verifyProvider };
    };
    return { factory, calls, verifyProvider };
  }

  it("hides PACT_BROKER_* from Pact while it verifies a repository pact (Pact would read them and verify the broker's pacts instead), and restores them", async () => {
    process.env['PACT_BROKER_BASE_URL'] = 'http://broker.example';
    process.env['PACT_BROKER_TOKEN'] = 'secret';
    try {
      let seen: Array<string | undefined> = [];
      const { factory } = fakeVerifier(async () => {
        seen = [process.env['PACT_BROKER_BASE_URL'], process.env['PACT_BROKER_TOKEN']];
        throw new Error('{"errors":[]}');
      });
      await verifyPact(factory, input);
      expect(seen).toEqual([undefined, undefined]);
      expect([process.env['PACT_BROKER_BASE_URL'], process.env['PACT_BROKER_TOKEN']]).toEqual([
        'http://broker.example',
        'secret',
      ]);
    } finally {
      delete process.env['PACT_BROKER_BASE_URL'];
      delete process.env['PACT_BROKER_TOKEN'];
    }
  });

  it('passes the pact file alone, the provider, its base URL and the state handlers to the verifier', async () => {
    const { factory, calls, verifyProvider } = fakeVerifier(() => Promise.resolve('finished: 0'));
    await verifyPact(factory, input);
    expect(calls).toEqual([
      {
        providerBaseUrl: 'http://127.0.0.1:41234',
        provider: 'orders',
        pactUrls: ['/ws/services/orders/pacts/web-orders.json'],
        stateHandlers: handlers,
        logLevel: 'warn',
      },
    ]);
    expect(calls[0]!.stateHandlers).toBe(handlers);
    expect(verifyProvider).toHaveBeenCalledTimes(1);
  });

  it('a verifier that resolves: passed, every interaction counted, no failures', async () => {
    const { factory } = fakeVerifier(() => Promise.resolve());
    expect(await verifyPact(factory, input)).toEqual({
      file: PACT.file,
      consumer: 'web',
      passed: true,
      verified: 2,
      failures: [],
    });
  });

  it('a verifier that rejects: not passed, with the failures read from the rejection', async () => {
    const { factory } = fakeVerifier(() => Promise.reject(new Error(PACT_16_REJECTION)));
    expect(await verifyPact(factory, input)).toEqual({
      file: PACT.file,
      consumer: 'web',
      passed: false,
      verified: 2,
      failures: [
        {
          interaction: 'Verifying a pact between web and orders Given order 1 exists - a request for order 1',
          mismatches: ['$: Actual map is missing the following keys: total'],
        },
      ],
    });
  });

  it('a verifier that throws before verifying: not passed, with its message', async () => {
    const { factory } = fakeVerifier(() => Promise.reject(new Error('providerBaseUrl is invalid')));
    expect((await verifyPact(factory, input)).failures).toEqual([
      { interaction: '(verification did not run)', mismatches: ['providerBaseUrl is invalid'] },
    ]);
  });
});

describe('formatContractReport', () => {
  const passed: PactResult = {
    file: 'services/orders/pacts/mobile-orders.json',
    consumer: 'mobile',
    passed: true,
    verified: 3,
    failures: [],
  };
  const failed: PactResult = {
    file: 'services/orders/pacts/web-orders.json',
    consumer: 'web',
    passed: false,
    verified: 2,
    failures: [
      {
        interaction: 'Verifying a pact between web and orders Given order 1 exists - a request for order 1',
        mismatches: ['$: Actual map is missing the following keys: total', '$.id: Expected 1 but received 2'],
      },
      {
        interaction: 'Verifying a pact between web and orders - list orders',
        mismatches: ['expected status of 200 but was 500'],
      },
    ],
  };

  it('lists each consumer under a header: a count for a pass, each failing interaction and its mismatches for a failure', () => {
    expect(formatContractReport('orders', [passed, failed])).toBe(
      [
        'nx-fleet: orders: contracts of 2 consumer(s):',
        '  mobile: 3 interaction(s) verified (services/orders/pacts/mobile-orders.json)',
        '  web: FAILED (services/orders/pacts/web-orders.json)',
        '    - Verifying a pact between web and orders Given order 1 exists - a request for order 1',
        '        $: Actual map is missing the following keys: total',
        '        $.id: Expected 1 but received 2',
        '    - Verifying a pact between web and orders - list orders',
        '        expected status of 200 but was 500',
      ].join('\n'),
    );
  });

  it('is the header alone for no results', () => {
    expect(formatContractReport('orders', [])).toBe('nx-fleet: orders: contracts of 0 consumer(s):');
  });
});

describe('loadVerifier', () => {
  const dirs: string[] = [];
  const tempWorkspace = () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-verifier-spec-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('names the package and how to install it when the workspace does not have it', () => {
    expect(PACT_PACKAGE).toBe('@pact-foundation/pact');
    expect(() => loadVerifier(tempWorkspace())).toThrow(
      'nx-fleet: contract-verify needs @pact-foundation/pact: `npm install --save-dev @pact-foundation/pact@16` (16.x runs on Node 20).',
    );
  });

  it("constructs the workspace's own Verifier with the options given", () => {
    const root = tempWorkspace();
    const dir = join(root, 'node_modules', '@pact-foundation', 'pact');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: '@pact-foundation/pact', version: '16.0.0', main: 'index.js' }),
    );
    writeFileSync(
      join(dir, 'index.js'),
      'class Verifier { constructor(options) { this.options = options; } verifyProvider() { return Promise.resolve("verified " + this.options.provider); } }\nmodule.exports = { Verifier };\n',
    );
    const options = {
      providerBaseUrl: 'http://127.0.0.1:1',
      provider: 'orders',
      pactUrls: ['/p.json'],
      stateHandlers: {},
      logLevel: 'warn' as const,
    };
    const verifier = loadVerifier(root)(options) as unknown as { options: unknown; verifyProvider(): Promise<unknown> };
    expect(verifier.options).toBe(options);
    return expect(verifier.verifyProvider()).resolves.toBe('verified orders');
  });
});

describe("failuresOf: rejections that are not Pact's results", () => {
  it('keeps the message when the JSON is null or has no errors, instead of losing it', () => {
    expect(failuresOf(new Error('null'))).toEqual([
      { interaction: '(verification did not run)', mismatches: ['null'] },
    ]);
    expect(failuresOf(new Error('{"result":false}'))).toEqual([
      { interaction: '(verification did not run)', mismatches: ['{"result":false}'] },
    ]);
  });
});
