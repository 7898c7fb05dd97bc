import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_TAG_LABEL } from '../image/content-label';
import { contentTag } from '../image/content-tag';
import type { ImageRecord } from '../image/records';
import type { GitRevision } from '../io/git';
import { collectingLog, fakeGit, fakePorts, fakeProcesses, memoryFiles, runResult } from '../testing/fake-ports';
import type { VerifierFactory } from './verification';
import { verifyContracts, type ContractVerifyPorts } from './verify';
import type { ContractVerifyOptions } from './plan';

// A real (empty) folder: before running the image, the record's content tag is recomputed from the sources on disk.
const ROOT = mkdtempSync(join(tmpdir(), 'nx-fleet-contracts-ws-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const SERVICE = { workspaceRoot: ROOT, projectName: 'orders', projectRoot: 'services/orders' };
const CONTAINER = '0123456789abcdef0123';
const PACTS = `${ROOT}/services/orders/pacts`;
const RECORD_FILE = `${ROOT}/dist/fleet/services/orders/contract-verify.json`;
const NOW = '2025-01-01T00:00:00.000Z';
const REVISION: GitRevision = { sha: '0123456789abcdef0123456789abcdef01234567', committedAt: '2025-01-01T00:00:00Z' };
const IMAGE: ImageRecord = {
  image: 'orders',
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
  /** The image record docker-build wrote. */
  record?: ImageRecord;
  env?: Record<string, string>;
  revision?: GitRevision;
  branch?: string;
  /** What Pact's verifyProvider does for each run. */
  verify?: (options: VerifierOptions) => Promise<unknown>;
  healthStatus?: number;
  /** The Pact package is not installed. */
  noPact?: boolean;
  /** The pact URLs the broker lists for verification; undefined: it answers like no broker (an empty 200). */
  brokerPacts?: string[];
}

/** Every port faked (docker answers like a daemon holding the image); `events` is the order things happened in. */
function setup(given: Setup = {}) {
  const events: string[] = [];
  const runs: VerifierOptions[] = [];
  // The record docker-build would have written for these sources: the tag of an empty context and this Dockerfile.
  const tag = contentTag({
    files: [],
    dockerfile: given.files?.['services/orders/Dockerfile'] ?? '',
    buildArgs: {},
    platforms: [],
  });
  const imageRecord = given.record && { ...given.record, contentTag: tag, localRef: `${given.record.image}:${tag}` };
  const files = memoryFiles(
    Object.fromEntries([
      [ROOT, ''],
      ...Object.entries(given.files ?? {}).map(([file, text]) => [`${ROOT}/${file}`, text]),
      ...(imageRecord ? [[`${ROOT}/dist/fleet/services/orders/image.json`, JSON.stringify(imageRecord)]] : []),
    ]),
  );
  const processes = fakeProcesses(({ command, args }) => {
    events.push(`${command} ${args[0]}`);
    if (args[0] === 'run') return runResult(`${CONTAINER}\n`);
    // The image docker-build built for these sources, labelled with their content tag.
    if (args[0] === 'image' && args[1] === 'inspect')
      return runResult(
        JSON.stringify([{ Id: `sha256:${'a'.repeat(64)}`, Config: { Labels: { [CONTENT_TAG_LABEL]: tag } } }]),
      );
    if (args[0] === 'inspect') return runResult('false\n');
    if (args[0] === 'logs') return runResult('container output');
    return undefined;
  });
  const log = collectingLog();
  const ports: ContractVerifyPorts = {
    ...fakePorts({
      processes,
      files,
      log,
      env: given.env ?? {},
      git: fakeGit({ revision: given.revision, branch: given.branch }),
      http: async (url, init) => {
        events.push(`${init?.method ?? 'GET'} ${String(url)}`);
        if (given.brokerPacts && String(url).endsWith('/for-verification'))
          return new Response(
            JSON.stringify({ _embedded: { pacts: given.brokerPacts.map((href) => ({ _links: { self: { href } } })) } }),
          );
        return new Response('', { status: given.healthStatus ?? 200 });
      },
    }),
    pruning: {
      prunedManifests: () => {
        throw new Error('the image is on this machine: nothing is rebuilt');
      },
      workspaceDataDirectory: '/ws/.nx/workspace-data',
    },
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
    },
    buildOptions: (buildTarget) => {
      events.push(`options of ${buildTarget}`);
      return { dockerfile: 'services/orders/Dockerfile', context: '.' };
    },
  };
  const service = { ...SERVICE, graph: { nodes: {}, dependencies: {} } };
  const verify = (options: ContractVerifyOptions = {}) => verifyContracts(ports, { service, options });
  const record = () => JSON.parse(files.files.get(RECORD_FILE) ?? 'null') as Record<string, unknown> | null;
  /** The arguments of `docker run`, and the base URL its published port gives. */
  const container = () => {
    const args = processes.calls.find((call) => call.args[0] === 'run')!.args;
    const hostPort = /^127\.0\.0\.1:(\d+):/.exec(args[3]!)![1];
    return { args, baseUrl: `http://127.0.0.1:${hostPort}` };
  };
  return { events, runs, processes, log, verify, record, container };
}

describe('verifyContracts', () => {
  const WITH_PACT = { 'services/orders/pacts/web-orders.json': pactText('web') };

  it('records a pass without starting anything when there are no pacts and no broker', async () => {
    const { verify, events, processes, log, record } = setup({
      files: { 'services/orders/pacts/states.js': '' },
      record: IMAGE,
    });
    expect(await verify()).toBe(true);
    expect(log.of('info')).toEqual([
      'nx-fleet: orders: no consumer has a pact with it yet (services/orders/pacts/): nothing to verify.',
    ]);
    expect(record()).toEqual({ provider: 'orders', passed: true, pacts: [], verifiedAt: NOW });
    expect(events).toEqual([]);
    expect(processes.calls).toEqual([]);
  });

  it('refuses a missing image record, naming it and the build target to run, before loading Pact', async () => {
    const { verify, events, record } = setup({ files: WITH_PACT });
    await expect(verify({ buildTarget: 'image' })).rejects.toThrow(
      'nx-fleet: dist/fleet/services/orders/image.json is missing; run the image target of orders first.',
    );
    expect(events).toEqual([]);
    expect(record()).toBeNull();
  });

  it('refuses a pact in the wrong folder before anything else', async () => {
    const { verify, events } = setup({
      files: { 'services/orders/pacts/web-payments.json': pactText('web', 'payments') },
      record: IMAGE,
    });
    await expect(verify()).rejects.toThrow(
      /is a pact with provider "payments", but it is in the pacts folder of orders/,
    );
    expect(events).toEqual([]);
  });

  it('loads Pact before the provider starts: without it, no container starts', async () => {
    const { verify, events } = setup({ files: WITH_PACT, record: IMAGE, noPact: true });
    await expect(verify()).rejects.toThrow('nx-fleet: contract-verify needs @pact-foundation/pact');
    expect(events).toEqual([]);
  });

  it('checks the broker settings (a git commit to version results by) before the provider starts', async () => {
    const { verify, events } = setup({
      files: WITH_PACT,
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://broker.example' },
    });
    await expect(verify()).rejects.toThrow(
      'nx-fleet: publishing verification results to the Pact Broker needs a git commit to version them by.',
    );
    expect(events).toEqual(['POST http://broker.example/pacts/provider/orders/for-verification', 'load Pact']);
  });

  it("runs the recorded image on its Dockerfile's port, verifies each consumer in turn, stops it, and records the pass", async () => {
    const { verify, events, runs, container, log, record } = setup({
      files: {
        ...WITH_PACT,
        'services/orders/pacts/billing-orders.json': pactText('billing'),
        'services/orders/Dockerfile': 'FROM node:20\nEXPOSE 8080\n',
      },
      record: IMAGE,
      revision: REVISION,
    });
    expect(await verify({ env: { MODE: 'pact' } })).toBe(true);
    const { args, baseUrl } = container();
    expect(events).toEqual([
      'load Pact',
      // The record is checked against the sources (the build options name them) and the local image first.
      'options of docker-build',
      'docker image',
      'options of docker-build',
      'docker run',
      `GET ${baseUrl}/health`,
      `verify ${PACTS}/billing-orders.json`,
      `verify ${PACTS}/web-orders.json`,
      'docker rm',
    ]);
    expect(args).toEqual([
      'run',
      '--detach',
      '--publish',
      expect.stringMatching(/^127\.0\.0\.1:\d+:8080$/),
      '--env',
      'PORT',
      '--env',
      'MODE',
      expect.stringMatching(/^orders:ct-[0-9a-f]{32}$/),
    ]);
    expect(runs.map((options) => options.providerBaseUrl)).toEqual([baseUrl, baseUrl]);
    expect(runs[0]).toMatchObject({ provider: 'orders', stateHandlers: {}, logLevel: 'warn' });
    expect(log.of('info')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^nx-fleet: orders: provider orders:ct-[0-9a-f]{32} \\(container 0123456789ab\\) healthy at ${baseUrl}; verifying 2 pact\\(s\\)$`,
        ),
      ),
      [
        'nx-fleet: orders: contracts of 2 consumer(s):',
        `  billing: 1 interaction(s) verified (${PACTS}/billing-orders.json)`,
        `  web: 1 interaction(s) verified (${PACTS}/web-orders.json)`,
      ].join('\n'),
    ]);
    expect(record()).toEqual({
      provider: 'orders',
      image: expect.stringMatching(/^orders:ct-[0-9a-f]{32}$/),
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
    const { verify, container } = setup({ files: { ...WITH_PACT, ...files }, record: IMAGE });
    await verify(options);
    expect(container().args.slice(3, 6)).toEqual([
      expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+:${port}$`)),
      '--env',
      // By name: the value reaches podman/docker through its environment, never its command line.
      'PORT',
    ]);
  });

  it('runs the start command instead of the image, from the workspace root with PORT and the env', async () => {
    const { verify, events, processes } = setup({ files: WITH_PACT, record: IMAGE, env: { HOME: '/home/ci' } });
    expect(await verify({ startCommand: ['node', 'dist/main.js'], env: { MODE: 'pact' } })).toBe(true);
    expect(processes.calls).toEqual([
      {
        method: 'start',
        command: 'node',
        args: ['dist/main.js'],
        options: { cwd: ROOT, env: { HOME: '/home/ci', MODE: 'pact', PORT: expect.stringMatching(/^\d+$/) } },
      },
    ]);
    expect(events).toEqual([
      'load Pact',
      expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/health$/),
      `verify ${PACTS}/web-orders.json`,
    ]);
  });

  it("stops the provider and records the failure when a consumer's pact fails, reporting it as an error", async () => {
    const { verify, events, log, record } = setup({
      files: WITH_PACT,
      record: IMAGE,
      verify: () => Promise.reject(new Error('boom')),
    });
    expect(await verify()).toBe(false);
    expect(events.at(-1)).toBe('docker rm');
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
    const { verify, events, record } = setup({ files: WITH_PACT, record: IMAGE, healthStatus: 503 });
    await expect(verify({ healthPath: '/ready' })).rejects.toThrow(
      /^nx-fleet: the provider orders:ct-[0-9a-f]+ \(container 0123456789ab\) did not become healthy at http:\/\/127\.0\.0\.1:\d+\/ready \(it exited\)\.[\s\S]*\nIts last output:\ncontainer output$/,
    );
    expect(events.at(-1)).toBe('docker rm');
    expect(events.some((event) => event.startsWith('verify'))).toBe(false);
    expect(record()).toBeNull();
  });

  it("with a broker, verifies the broker's pacts after the repository's, publishing under the commit and branch", async () => {
    const { verify, events, runs, record } = setup({
      files: WITH_PACT,
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://env-broker.example', PACT_BROKER_TOKEN: 't0k' },
      revision: REVISION,
      branch: 'main',
    });
    expect(await verify({ pactBrokerUrl: 'http://broker.example' })).toBe(true);
    expect(events.filter((event) => event.startsWith('verify') || event === 'docker rm')).toEqual([
      `verify ${PACTS}/web-orders.json`,
      'verify http://broker.example',
      'docker rm',
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

  it('a broker holding no pact for the provider and no repository pacts: records a pass without starting anything', async () => {
    const { verify, events, log, record } = setup({
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://fleet:pw@broker.example' },
      revision: REVISION,
      brokerPacts: [],
    });
    expect(await verify()).toBe(true);
    expect(events).toEqual(['POST http://broker.example/pacts/provider/orders/for-verification']);
    expect(log.of('info')).toEqual([
      'nx-fleet: orders: no consumer has a pact with it yet (services/orders/pacts/ or in the Pact Broker at http://broker.example): nothing to verify.',
    ]);
    expect(record()).toMatchObject({ passed: true, pacts: [] });
  });

  it("a broker holding no pact for the provider: the repository's pacts alone, nothing published", async () => {
    const { verify, runs } = setup({
      files: WITH_PACT,
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://broker.example' },
      revision: REVISION,
      brokerPacts: [],
    });
    expect(await verify()).toBe(true);
    expect(runs.map((options) => options.pactUrls ?? options.pactBrokerUrl)).toEqual([[`${PACTS}/web-orders.json`]]);
  });

  it("a broker listing pacts: verifies them with the listing's selectors (each consumer's latest among them)", async () => {
    const { verify, runs } = setup({
      record: IMAGE,
      env: { PACT_BROKER_BASE_URL: 'http://broker.example' },
      revision: REVISION,
      brokerPacts: ['http://broker.example/pacts/provider/orders/consumer/web/pact-version/abc'],
    });
    expect(await verify()).toBe(true);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.consumerVersionSelectors).toEqual([
      { mainBranch: true },
      { deployedOrReleased: true },
      { latest: true },
    ]);
  });

  it('warns when only the pactBrokerUrl option names the broker: the push gate and the cache key follow PACT_BROKER_BASE_URL', async () => {
    const { verify, log } = setup({ record: IMAGE, revision: REVISION });
    await verify({ pactBrokerUrl: 'http://broker.example' });
    expect(log.of('warn')).toEqual([expect.stringMatching(/pactBrokerUrl option .* PACT_BROKER_BASE_URL is not set/)]);
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
