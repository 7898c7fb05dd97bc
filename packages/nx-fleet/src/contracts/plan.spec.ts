import { describe, expect, it } from 'vitest';
import type { BrokerConfig } from './pact-broker';
import type { PactSummary } from './pacts';
import { planProvider, planVerification, portFromDockerfile, type ContractVerifyOptions } from './plan';

const PACT: PactSummary = {
  file: '/ws/services/orders/pacts/web-orders.json',
  consumer: 'web',
  provider: 'orders',
  interactions: [],
};
const BROKER: BrokerConfig = { url: 'http://broker.example', token: 't0k' };

describe('planVerification', () => {
  it.each<[string, PactSummary[], BrokerConfig | undefined, number | undefined, ReturnType<typeof planVerification>]>([
    ['no pacts and no broker: nothing to verify', [], undefined, undefined, { verify: 'nothing' }],
    ["the repository's pacts", [PACT], undefined, undefined, { verify: 'pacts', pacts: [PACT], broker: undefined }],
    ["the broker's pacts only", [], BROKER, 2, { verify: 'pacts', pacts: [], broker: BROKER }],
    ['both', [PACT], BROKER, 1, { verify: 'pacts', pacts: [PACT], broker: BROKER }],
    [
      'a broker that could not list them: the verifier asks and reports',
      [],
      BROKER,
      undefined,
      { verify: 'pacts', pacts: [], broker: BROKER },
    ],
    [
      'a broker with none for this provider and no repository pacts: nothing to verify',
      [],
      BROKER,
      0,
      { verify: 'nothing' },
    ],
    [
      "a broker with none: the repository's pacts alone",
      [PACT],
      BROKER,
      0,
      { verify: 'pacts', pacts: [PACT], broker: undefined },
    ],
  ])('%s', (_case, pacts, broker, brokerPacts, plan) => {
    expect(planVerification(pacts, broker, brokerPacts)).toEqual(plan);
  });
});

describe('planProvider', () => {
  it.each<[string, ContractVerifyOptions, ReturnType<typeof planProvider>]>([
    [
      'the recorded image of docker-build, polled at /health for 60 s, by default',
      {},
      {
        provider: { from: 'image', port: undefined, env: {} },
        buildTarget: 'docker-build',
        healthPath: '/health',
        startTimeoutMs: 60_000,
      },
    ],
    [
      "the image of another build target, on the port option, with the options' env",
      { buildTarget: 'image', port: 8080, env: { MODE: 'pact' }, healthPath: '/ready', startTimeoutSeconds: 5 },
      {
        provider: { from: 'image', port: 8080, env: { MODE: 'pact' } },
        buildTarget: 'image',
        healthPath: '/ready',
        startTimeoutMs: 5000,
      },
    ],
    [
      'the start command when there is one, whatever the port option says',
      { startCommand: ['node', 'dist/main.js'], port: 8080, env: { MODE: 'pact' } },
      {
        provider: { from: 'command', command: ['node', 'dist/main.js'], env: { MODE: 'pact' } },
        buildTarget: 'docker-build',
        healthPath: '/health',
        startTimeoutMs: 60_000,
      },
    ],
  ])('%s', (_case, options, settings) => {
    expect(planProvider(options)).toEqual(settings);
  });
});

describe('portFromDockerfile', () => {
  it.each<[string, string | undefined, number]>([
    ["the Dockerfile's first EXPOSE", 'FROM node:20\nEXPOSE 8080\nEXPOSE 9090\n', 8080],
    ['3000 without an EXPOSE', 'FROM node:20\nCMD ["node", "main.js"]\n', 3000],
    ['3000 for an empty Dockerfile', '', 3000],
    ['3000 without a Dockerfile', undefined, 3000],
  ])('%s', (_case, dockerfile, port) => {
    expect(portFromDockerfile(dockerfile)).toBe(port);
  });
});
