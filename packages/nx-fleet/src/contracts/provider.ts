import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engines/engine';
import type { HttpFetch, Ports } from '../io/ports';

/** A provider started for verification: where it answers, and how to stop it whatever happens. */
export interface StartedProvider {
  baseUrl: string;
  describe: string;
  running(): Promise<boolean>;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The port a Dockerfile says its service listens on (the first EXPOSE), for running its image. */
export function exposedPort(dockerfile: string): number | undefined {
  const port = /^\s*EXPOSE\s+(\d+)/im.exec(dockerfile)?.[1];
  return port ? Number(port) : undefined;
}

export async function startContainer(
  engine: Engine,
  input: { image: string; containerPort: number; env: Record<string, string> },
): Promise<StartedProvider> {
  const hostPort = await freeLoopbackPort();
  const container = await engine.run({
    image: input.image,
    hostPort,
    containerPort: input.containerPort,
    env: { PORT: String(input.containerPort), ...input.env },
  });
  return {
    baseUrl: `http://127.0.0.1:${hostPort}`,
    describe: `${input.image} (container ${container.id.slice(0, 12)})`,
    running: () => container.running(),
    logs: () => container.logs(),
    stop: () => container.remove(),
  };
}

/** A start command as an argument array (never a shell string), with PORT set to a free port. */
export async function startCommand(
  ports: Pick<Ports, 'processes' | 'env'>,
  input: { command: readonly string[]; cwd: string; env: Record<string, string> },
): Promise<StartedProvider> {
  const [binary, ...args] = input.command;
  if (!binary)
    throw new Error(
      'nx-fleet: the startCommand option is empty; give the provider\'s command as an array, e.g. ["node", "dist/main.js"].',
    );
  const port = await freeLoopbackPort();
  const child = ports.processes.start(binary, args, {
    cwd: input.cwd,
    env: { ...ports.env, ...input.env, PORT: String(port) },
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    describe: `${input.command.join(' ')} (pid ${child.pid ?? '?'})`,
    running: async () => child.running(),
    logs: async () => child.output().trim(),
    stop: () => child.stop(),
  };
}

/** Polls the health endpoint until it answers 2xx; a provider that died or never answered is an error with its last output. */
export async function waitUntilHealthy(
  http: HttpFetch,
  provider: StartedProvider,
  healthPath: string,
  timeoutMs: number,
): Promise<void> {
  const url = new URL(healthPath, provider.baseUrl).href;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await http(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (!(await provider.running())) break;
    await sleep(200);
  }
  const logs = await provider.logs();
  throw new Error(
    `nx-fleet: the provider ${provider.describe} did not become healthy at ${url} (${(await provider.running()) ? `${last} after ${Math.round(timeoutMs / 1000)} s` : 'it exited'}).` +
      ` Check the port (option "port", else the Dockerfile's EXPOSE) and the health path (option "healthPath").${logs ? `\nIts last output:\n${logs}` : ''}`,
  );
}
