import { describe, expect, it } from 'vitest';
import { containerRunArgs, runContainer } from '../engines/engine';
import { ToolFailedError } from '../io/process';
import { prepareSigning } from '../supply-chain/signing/settings';
import { cosignSignArgs } from '../supply-chain/signing/cosign';
import {
  collectingLog,
  fakeGit,
  fakePorts,
  fakeProcesses,
  memoryFiles,
  runResult,
  type FakeProcesses,
} from '../testing/fake-ports';
import type { VerifierFactory } from './verification';
import { verifyContracts, type ContractVerifyPorts } from './verify';

/**
 * Issue 15, deliverable 5: a canary secret put on every channel a user may hand nx-fleet one (the
 * provider's env, the broker URL's credentials, the broker password/token, a cosign PEM, registry
 * credentials) must never reach an argument vector, a log line, a thrown message or a written record.
 */
const CANARY = 'canary-9f3e1c7d-s3cr3t';
const ROOT = '/ws';
const SERVICE = {
  workspaceRoot: ROOT,
  projectName: 'orders',
  projectRoot: 'services/orders',
  graph: { nodes: {}, dependencies: {} },
};
const REVISION = { sha: '0123456789abcdef0123456789abcdef01234567', committedAt: '2025-01-01T00:00:00Z' };
const IMAGE = {
  image: 'registry.example/orders',
  contentTag: 'c0ffee',
  localRef: 'orders:c0ffee',
  engine: 'podman',
  platforms: ['linux/amd64'],
  built: true,
  recordedAt: '2025-01-01T00:00:00.000Z',
};
const pact = JSON.stringify({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [{ description: 'web reads order 1' }],
});

/** Everything a channel can carry, as one text: argv of every call, every log line, every file written. */
function channels(processes: FakeProcesses, log: ReturnType<typeof collectingLog>, files?: Map<string, string>) {
  return [
    ...processes.calls.map((call) => [call.command, ...call.args].join(' ')),
    ...log.messages.map((m) => m.message),
    ...[...(files?.entries() ?? [])].map(([file, text]) => `${file}\n${text}`),
  ].join('\n');
}

function contractVerifyPorts(verify: (options: Parameters<VerifierFactory>[0]) => Promise<unknown>) {
  const processes = fakeProcesses();
  const log = collectingLog();
  const files = memoryFiles({
    [`${ROOT}/services/orders/pacts/web-orders.json`]: pact,
    [`${ROOT}/dist/fleet/services/orders/image.json`]: JSON.stringify(IMAGE),
  });
  const verifierRuns: Array<Parameters<VerifierFactory>[0]> = [];
  const ports: ContractVerifyPorts = {
    ...fakePorts({
      processes,
      files,
      log,
      env: {
        PACT_BROKER_BASE_URL: `http://fleet:${CANARY}@broker.local:9292`,
        PACT_BROKER_TOKEN: `${CANARY}-token`,
      },
      git: fakeGit({ revision: REVISION, branch: 'main' }),
      http: async () => new Response('', { status: 200 }),
    }),
    pruning: {
      prunedManifests: () => {
        throw new Error('not used');
      },
      workspaceDataDirectory: '/ws/.nx/workspace-data',
    },
    pact: {
      verifier: () => (options) => ({
        verifyProvider: () => {
          verifierRuns.push(options);
          return verify(options);
        },
      }),
      module: () => ({}),
    },
    buildOptions: () => ({ dockerfile: 'services/orders/Dockerfile', context: '.' }),
  };
  return { ports, processes, log, files, verifierRuns };
}

describe('canary secret: contract-verify', () => {
  const options = { startCommand: ['node', 'dist/main.js'], env: { API_TOKEN: CANARY, LOG_LEVEL: 'debug' } };

  it('passing: nothing printed, recorded or on a command line carries it; the Pact verifier gets a clean URL', async () => {
    const { ports, processes, log, files, verifierRuns } = contractVerifyPorts(async () => undefined);
    expect(await verifyContracts(ports, { service: SERVICE, options })).toBe(true);
    expect(channels(processes, log, files.files)).not.toContain(CANARY);
    expect(verifierRuns.map((run) => run.pactBrokerUrl ?? '')).toEqual(['', 'http://broker.local:9292']);
    // The value reaches the provider through its environment, not its arguments.
    expect(processes.calls[0]!.options?.env?.['API_TOKEN']).toBe(CANARY);
  });

  it('failing: a Pact error quoting the broker URL, the token and the env value is redacted in the log and the record', async () => {
    const { ports, processes, log, files } = contractVerifyPorts(async (o) => {
      throw new Error(
        `request to http://fleet:${CANARY}@broker.local:9292/pacts failed; token ${CANARY}-token; API_TOKEN=${CANARY} (${o.provider})`,
      );
    });
    expect(await verifyContracts(ports, { service: SERVICE, options })).toBe(false);
    const seen = channels(processes, log, files.files);
    expect(seen).toContain('FAILED (http://broker.local:9292)');
    expect(seen).not.toContain(CANARY);
  });

  it('a thrown error (provider never healthy, its output quoting the secret) is redacted', async () => {
    const { ports } = contractVerifyPorts(async () => undefined);
    ports.http = async () => new Response('', { status: 503 });
    ports.processes = {
      ...ports.processes,
      start: () => ({ running: () => false, output: () => `booting with API_TOKEN=${CANARY}`, stop: async () => {} }),
    };
    const error = (await verifyContracts(ports, { service: SERVICE, options }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('did not become healthy');
    expect(error.message).not.toContain(CANARY);
  });

  it('container provider: podman/docker get the variable by name, the value only in their environment', async () => {
    const processes = fakeProcesses(() => runResult('c0ffee\n'));
    const request = { image: 'orders:c0ffee', hostPort: 41234, containerPort: 3000, env: { API_TOKEN: CANARY } };
    await runContainer(processes, 'podman', request);
    expect(processes.calls.map((c) => c.args.join(' ')).join('\n')).not.toContain(CANARY);
    expect(processes.calls[0]!.args).toEqual(containerRunArgs(request));
    expect(processes.calls[0]!.options?.addEnv).toEqual({ API_TOKEN: CANARY });
  });

  it('container provider: a failed `podman run` message does not carry it', async () => {
    const processes = fakeProcesses(() => runResult('', `Error: bad env API_TOKEN=${CANARY}`, 125));
    const request = { image: 'orders:c0ffee', hostPort: 41234, containerPort: 3000, env: { API_TOKEN: CANARY } };
    const error = (await runContainer(processes, 'podman', request).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error.message).not.toContain(CANARY);
  });
});

describe('canary secret: cosign signing', () => {
  const pem = `-----BEGIN PRIVATE KEY-----\n${CANARY}\n-----END PRIVATE KEY-----\n`;
  const reference = `registry.local:5000/acme/orders@sha256:${'ab'.repeat(32)}`;

  it('a PEM in FLEET_SIGNING_KEY is signed with by reference: cosign argv holds env://, the PEM only its env', async () => {
    const processes = fakeProcesses();
    const log = collectingLog();
    const signing = await prepareSigning(
      { env: { FLEET_SIGN: 'cosign', FLEET_SIGNING_KEY: pem }, files: memoryFiles(), processes },
      {},
      ROOT,
    );
    if (signing.method !== 'cosign') throw new Error('expected cosign');
    const args = cosignSignArgs({ reference, ...(signing.key ? { key: signing.key } : {}), tlsVerify: true });
    expect(args).toContain('env://FLEET_SIGNING_KEY');
    expect(signing.env).toEqual({ FLEET_SIGNING_KEY: pem });
    await processes.runOk('cosign', args, { addEnv: signing.env! });
    expect(channels(processes, log)).not.toContain(CANARY);
  });

  it("cosign's failure message (what the log prints) carries neither the PEM nor its echo", async () => {
    const processes = fakeProcesses(() => runResult('', `error: reading key ${pem}`, 1));
    const error = (await processes
      .runOk('cosign', ['sign', '--yes', '--key', pem, reference])
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('cosign sign --yes --key ***');
    expect(error.message).not.toContain(CANARY);
  });
});

describe('canary secret: push and pull failure messages', () => {
  it.each<[string, string, string[]]>([
    [
      'skopeo copy with --dest-creds',
      'skopeo',
      ['copy', '--dest-creds', `fleet:${CANARY}`, 'oci:/x', 'docker://r/a:1'],
    ],
    ['skopeo inspect with --creds=', 'skopeo', ['inspect', `--creds=fleet:${CANARY}`, 'docker://r/a:1']],
    ['podman push to a URL with credentials', 'podman', ['push', 'a:1', `docker://fleet:${CANARY}@r.local/a:1`]],
    ['podman login --password', 'podman', ['login', '--username', 'fleet', '--password', CANARY, 'r.local']],
    ['podman pull with --creds', 'podman', ['pull', '--creds', `fleet:${CANARY}`, 'r.local/a:1']],
  ])('%s', async (_name, tool, args) => {
    const processes = fakeProcesses(() =>
      runResult('', `Error: unauthorized: authentication required for http://fleet:${CANARY}@r.local/v2/`, 1),
    );
    const error = (await processes.runOk(tool, args).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/exited with code 1/);
    expect(error.message).not.toContain(CANARY);
  });
});
