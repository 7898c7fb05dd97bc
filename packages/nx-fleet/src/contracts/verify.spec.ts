import { describe, expect, it } from 'vitest';
import type { Engine, RunRequest } from '../engines/engine';
import type { ImageRecord } from '../image/records';
import type { GitRevision } from '../io/git';
import { collectingLog, fakeGit, fakePorts, fakeProcesses, memoryFiles } from '../testing/fake-ports';
import type { VerifierFactory } from './verification';
import { verifyContracts, type ContractVerifyPorts } from './verify';
import type { ContractVerifyOptions } from './plan';

const ROOT = '/ws';
const SERVICE = { projectName: 'orders', projectRoot: 'services/orders' };
const PACTS = `${ROOT}/services/orders/pacts`;
const RECORD_FILE = `${ROOT}/dist/fleet/services/orders/contract-verify.json`;
const NOW = '2025-01-01T00:00:00.000Z';
const REVISION: GitRevision = { sha: '0123456789abcdef0123456789abcdef01234567', committedAt: '2025-01-01T00:00:00Z' };
const IMAGE: ImageRecord = {
  image: 'registry.example/orders',
  contentTag: 'c0ffee',
  localRef: 'orders:c0ffee',
  engine: 'docker',
  platforms: ['linux/amd64'],
  built: true,
  recordedAt: NOW,
};

const pactText = (consumer: string, provider = 'orders') =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [{ description: `${consumer} reads order 1`, providerState: 'order 1 exists' }],
  });

type VerifierOptions = Parameters<VerifierFactory>[0];

interface Setup {
  /** Files of the workspace, relative to its root. */
  files?: Record<string, string>;
  record?: ImageRecord;
  env?: Record<string, string>;
  revision?: GitRevision;
  branch?: string;
  /** What Pact's verifyProvider does for each run. */
  verify?: (options: VerifierOptions) => Promise<unknown>;
  healthStatus?: number;
  /** The Pact package is not installed. */
  noPact?: boolean;
}

/** Every port faked; `events` is the order things happened in. */
function setup(given: Setup = {}) {
  const events: string[] = [];
  const runs: VerifierOptions[] = [];
  const containers: RunRequest[] = [];
  const files = memoryFiles(
    Object.fromEntries(Object.entries(given.files ?? {}).map(([file, text]) => [`${ROOT}/${file}`, text])),
  );
  const processes = fakeProcesses();
  const log = collectingLog();
  const engine = {
    name: 'docker',
    async run(request: RunRequest) {
      events.push(`run ${request.image}`);
      containers.push(request);
      return {
        id: '0123456789abcdef',
        running: async () => false,
        logs: async () => 'container output',
        remove: async () => void events.push('remove'),
      };
    },
  } as unknown as Engine;
  const ports: ContractVerifyPorts = {
    ...fakePorts({
      processes,
      files,
      log,
      env: given.env ?? {},
      git: fakeGit({ revision: given.revision, branch: given.branch }),
      http: async (url) => {
        events.push(`GET ${String(url)}`);
        return new Response('', { status: given.healthStatus ?? 200 });
      },
    }),
    pact: {
      verifier: () => {
        if (given.noPact) throw new Error('nx-fleet: contract-verify needs @pact-foundation/pact');
        events.push('load Pact');
        return (options) => ({
          verifyProvider: () => {
            events.push(`verify ${options.pactUrls?.join() ?? options.pactBrokerUrl}`);
            runs.push(options);
            return (given.verify ?? (async () => undefined))(options);
          },
        });
      },
      module: () => ({}),
      listFolder: async (folder) =>
        [...files.files.keys()]
          .filter((file) => file.startsWith(`${folder}/`))
          .map((file) => file.slice(folder.length + 1)),
    },
    image: {
      record: async () => {
        events.push('read image record');
        return given.record;
      },
      ensureLocal: async (record, buildTarget, why) => {
        events.push(`ensure ${record.localRef} of ${buildTarget} (${why})`);
        return engine;
      },
      dockerfile: (buildTarget) => {
        events.push(`dockerfile of ${buildTarget}`);
        return 'services/orders/Dockerfile';
      },
    },
  };
  const verify = (options: ContractVerifyOptions = {}) =>
    verifyContracts(ports, { workspaceRoot: ROOT, service: SERVICE, options });
  const record = () => JSON.parse(files.files.get(RECORD_FILE) ?? 'null') as Record<string, unknown> | null;
  return { ports, events, runs, containers, processes, log, files, verify, record };
}

describe('verifyContracts', () => {
  it('records a pass without starting anything when there are no pacts and no broker', async () => {
    const { verify, events, processes, log, record } = setup({ files: { 'services/orders/pacts/states.js': '' } });
    expect(await verify()).toBe(true);
    expect(log.of('info')).toEqual([
      'nx-fleet: orders: no consumer has a pact with it yet (services/orders/pacts/): nothing to verify.',
    ]);
    expect(record()).toEqual({ provider: 'orders', passed: true, pacts: [], verifiedAt: NOW });
    expect(events).toEqual([]);
    expect(processes.calls).toEqual([]);
  });

  it('refuses a missing image record, naming it and the build target to run, before loading Pact', async () => {
    const { verify, events, record } = setup({ files: { 'services/orders/pacts/web-orders.json': pactText('web') } });
    await expect(verify({ buildTarget: 'image' })).rejects.toThrow(
      'nx-fleet: dist/fleet/services/orders/image.json is missing; run the image target of orders first.',
    );
    expect(events).toEqual(['read image record']);
    expect(record()).toBeNull();
  });

  it('refuses a pact in the wrong folder before anything else', async () => {
    const { verify, events } = setup({
      files: { 'services/orders/pacts/web-payments.json': pactText('web', 'payments') },
    });
    await expect(verify()).rejects.toThrow(
      /is a pact with provider "payments", but it is in the pacts folder of orders/,
    );
    expect(events).toEqual([]);
  });

  it('loads Pact before the provider starts: without it, no container starts', async () => {
    const { verify, events } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      noPact: true,
    });
    await expect(verify()).rejects.toThrow('nx-fleet: contract-verify needs @pact-foundation/pact');
    expect(events).toEqual(['read image record']);
  });

  it('checks the broker settings (a git commit to version results by) before the provider starts', async () => {
    const { verify, events } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://broker.example' },
    });
    await expect(verify()).rejects.toThrow(
      'nx-fleet: publishing verification results to the Pact Broker needs a git commit to version them by.',
    );
    expect(events).toEqual(['read image record', 'load Pact']);
  });

  it("runs the recorded image on its Dockerfile's port, verifies each consumer in turn, stops it, and records the pass", async () => {
    const { verify, events, runs, containers, log, record } = setup({
      files: {
        'services/orders/pacts/web-orders.json': pactText('web'),
        'services/orders/pacts/billing-orders.json': pactText('billing'),
        'services/orders/Dockerfile': 'FROM node:20\nEXPOSE 8080\n',
      },
      record: IMAGE,
      revision: REVISION,
    });
    expect(await verify({ env: { MODE: 'pact' } })).toBe(true);
    const baseUrl = `http://127.0.0.1:${containers[0]!.hostPort}`;
    expect(events).toEqual([
      'read image record',
      'load Pact',
      'ensure orders:c0ffee of docker-build (contract-verify runs the exact image built)',
      'dockerfile of docker-build',
      'run orders:c0ffee',
      `GET ${baseUrl}/health`,
      `verify ${PACTS}/billing-orders.json`,
      `verify ${PACTS}/web-orders.json`,
      'remove',
    ]);
    expect(containers).toEqual([
      {
        image: 'orders:c0ffee',
        hostPort: expect.any(Number),
        containerPort: 8080,
        env: { PORT: '8080', MODE: 'pact' },
      },
    ]);
    expect(runs.map((options) => options.providerBaseUrl)).toEqual([baseUrl, baseUrl]);
    expect(runs[0]).toMatchObject({ provider: 'orders', stateHandlers: {}, logLevel: 'warn' });
    expect(log.of('info')).toEqual([
      `nx-fleet: orders: provider orders:c0ffee (container 0123456789ab) healthy at ${baseUrl}; verifying 2 pact(s)`,
      [
        'nx-fleet: orders: contracts of 2 consumer(s):',
        `  billing: 1 interaction(s) verified (${PACTS}/billing-orders.json)`,
        `  web: 1 interaction(s) verified (${PACTS}/web-orders.json)`,
      ].join('\n'),
    ]);
    expect(record()).toEqual({
      provider: 'orders',
      image: 'registry.example/orders:c0ffee',
      revision: REVISION.sha,
      passed: true,
      pacts: [
        { file: `${PACTS}/billing-orders.json`, consumer: 'billing', verified: 1, passed: true, failures: [] },
        { file: `${PACTS}/web-orders.json`, consumer: 'web', verified: 1, passed: true, failures: [] },
      ],
      verifiedAt: NOW,
    });
  });

  it.each<[string, Record<string, string>, ContractVerifyOptions, number]>([
    ['the port option over the Dockerfile', { 'services/orders/Dockerfile': 'EXPOSE 8080\n' }, { port: 9000 }, 9000],
    ['3000 without a Dockerfile', {}, {}, 3000],
  ])('runs the container on %s', async (_case, files, options, port) => {
    const { verify, containers } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web'), ...files },
      record: IMAGE,
    });
    await verify(options);
    expect(containers.map((c) => [c.containerPort, c.env['PORT']])).toEqual([[port, String(port)]]);
  });

  it('runs the start command instead of the image, from the workspace root with PORT and the env', async () => {
    const { verify, events, processes } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      env: { HOME: '/home/ci' },
    });
    expect(await verify({ startCommand: ['node', 'dist/main.js'], env: { MODE: 'pact' } })).toBe(true);
    expect(processes.calls).toEqual([
      {
        method: 'start',
        command: 'node',
        args: ['dist/main.js'],
        options: { cwd: ROOT, env: { HOME: '/home/ci', MODE: 'pact', PORT: expect.stringMatching(/^\d+$/) } },
      },
    ]);
    expect(events.filter((event) => !event.startsWith('GET') && !event.startsWith('verify'))).toEqual([
      'read image record',
      'load Pact',
    ]);
  });

  it('stops the provider and records the failure when a consumer’s pact fails, reporting it as an error', async () => {
    const { verify, events, log, record } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      verify: () => Promise.reject(new Error('boom')),
    });
    expect(await verify()).toBe(false);
    expect(events.at(-1)).toBe('remove');
    expect(log.of('error')).toEqual([
      [
        'nx-fleet: orders: contracts of 1 consumer(s):',
        `  web: FAILED (${PACTS}/web-orders.json)`,
        '    - (verification did not run)',
        '        boom',
      ].join('\n'),
    ]);
    expect(record()).toMatchObject({ passed: false, pacts: [{ consumer: 'web', passed: false }] });
  });

  it('always stops the provider, even when it never becomes healthy, and records nothing', async () => {
    const { verify, events, record } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      healthStatus: 503,
    });
    await expect(verify({ healthPath: '/ready' })).rejects.toThrow(
      /^nx-fleet: the provider orders:c0ffee \(container 0123456789ab\) did not become healthy at http:\/\/127\.0\.0\.1:\d+\/ready \(it exited\)\./,
    );
    expect(events.at(-1)).toBe('remove');
    expect(events.some((event) => event.startsWith('verify'))).toBe(false);
    expect(record()).toBeNull();
  });

  it("with a broker, verifies the broker's pacts after the repository's, publishing under the commit and branch", async () => {
    const { verify, events, runs, record } = setup({
      files: { 'services/orders/pacts/web-orders.json': pactText('web') },
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://env-broker.example', PACT_BROKER_TOKEN: 't0k' },
      revision: REVISION,
      branch: 'main',
    });
    expect(await verify({ pactBrokerUrl: 'http://broker.example' })).toBe(true);
    expect(events.filter((event) => event.startsWith('verify') || event === 'remove')).toEqual([
      `verify ${PACTS}/web-orders.json`,
      'verify http://broker.example',
      'remove',
    ]);
    expect(runs[1]).toMatchObject({
      pactBrokerUrl: 'http://broker.example',
      pactBrokerToken: 't0k',
      publishVerificationResult: true,
      providerVersion: REVISION.sha,
      providerVersionBranch: 'main',
    });
    expect(record()).toMatchObject({
      passed: true,
      pacts: [{ consumer: 'web' }, { consumer: '(Pact Broker)', file: 'http://broker.example' }],
    });
  });

  it("with a broker and no pacts of its own, verifies the broker's", async () => {
    const { verify, runs } = setup({
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://broker.example' },
      revision: REVISION,
    });
    expect(await verify()).toBe(true);
    expect(runs.map((options) => options.pactBrokerUrl)).toEqual(['http://broker.example']);
  });
});
