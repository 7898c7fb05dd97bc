import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { nodePorts } from '../io/ports';
import { exposedPort, freeLoopbackPort, startCommand, waitUntilHealthy, type StartedProvider } from './provider';

describe('exposedPort', () => {
  it('reads the first EXPOSE of a Dockerfile', () => {
    expect(exposedPort('FROM node:20-alpine\nWORKDIR /app\nEXPOSE 8080\nEXPOSE 9090\nCMD ["node", "main.js"]\n')).toBe(
      8080,
    );
  });

  it('reads EXPOSE whatever its case and indentation, with a protocol or several ports', () => {
    expect(exposedPort('FROM scratch\nexpose 3000/tcp\n')).toBe(3000);
    expect(exposedPort('FROM scratch\n  Expose 4000 4001\n')).toBe(4000);
  });

  it('is undefined without an EXPOSE, or when EXPOSE is only mentioned in a comment or another instruction', () => {
    expect(exposedPort('FROM node:20\nCMD ["node", "main.js"]\n')).toBeUndefined();
    expect(exposedPort('')).toBeUndefined();
    expect(
      exposedPort('FROM scratch\n# EXPOSE 8080 once the port is fixed\nLABEL note="EXPOSE 7000"\n'),
    ).toBeUndefined();
  });
});

describe('freeLoopbackPort', () => {
  it('gives a port that can be listened on at 127.0.0.1', async () => {
    const port = await freeLoopbackPort();
    expect(Number.isInteger(port)).toBe(true);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.on('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

/** A provider: an HTTP server on 127.0.0.1:$PORT; /health answers HEALTH_STATUS (default 200) when FLEET_SPEC_TOKEN is set. */
const SERVER = `
const http = require('node:http');
const port = Number(process.env.PORT);
http
  .createServer((req, res) => {
    const status = req.url === '/health' ? Number(process.env.HEALTH_STATUS || 200) : req.url === '/token' ? 200 : 404;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(req.url === '/token' ? String(process.env.FLEET_SPEC_TOKEN) : String(status));
  })
  .listen(port, '127.0.0.1', () => console.log('listening on ' + port));
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pidOf = (provider: StartedProvider) => Number(/\(pid (\d+)\)$/.exec(provider.describe)![1]);

describe('startCommand and waitUntilHealthy', () => {
  const ports = nodePorts();
  const started: StartedProvider[] = [];
  const start = async (command: readonly string[], env: Record<string, string> = {}) => {
    const provider = await startCommand(ports, { command, cwd: tmpdir(), env });
    started.push(provider);
    return provider;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((provider) => provider.stop()));
  });

  it('starts the command on a free loopback port (PORT), with the env given, and waits until /health answers 200', async () => {
    const provider = await start([process.execPath, '-e', SERVER], { FLEET_SPEC_TOKEN: 'from-env' });
    expect(provider.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(provider.describe).toMatch(
      new RegExp(`^${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -e [\\s\\S]+ \\(pid \\d+\\)$`),
    );

    await waitUntilHealthy(ports.http, provider, '/health', 10_000);
    expect(await provider.running()).toBe(true);
    const response = await fetch(`${provider.baseUrl}/token`);
    expect(await response.text()).toBe('from-env');
    expect(await provider.logs()).toBe(`listening on ${new URL(provider.baseUrl).port}`);
  });

  it('stop() ends the child, and the provider no longer runs or answers', async () => {
    const provider = await start([process.execPath, '-e', SERVER]);
    await waitUntilHealthy(ports.http, provider, '/health', 10_000);
    const pid = pidOf(provider);
    expect(isAlive(pid)).toBe(true);

    await provider.stop();
    expect(await provider.running()).toBe(false);
    expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${provider.baseUrl}/health`)).rejects.toThrow();
    // A second stop is harmless.
    await provider.stop();
  });

  it('resolves a health path given without a leading slash against the base URL', async () => {
    const provider = await start([process.execPath, '-e', SERVER]);
    await expect(waitUntilHealthy(ports.http, provider, 'health', 10_000)).resolves.toBeUndefined();
  });

  it('fails fast when the command exits before it is healthy, saying it exited and showing its output', async () => {
    const provider = await start([
      process.execPath,
      '-e',
      'console.log("starting orders"); console.error("boom: DATABASE_URL is not set"); process.exit(3)',
    ]);
    const began = Date.now();
    const error = await waitUntilHealthy(ports.http, provider, '/health', 30_000).then(
      () => undefined,
      (e: Error) => e,
    );
    // Long before the 30 s timeout.
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(
      `nx-fleet: the provider ${provider.describe} did not become healthy at ${provider.baseUrl}/health (it exited).`,
    );
    expect(error!.message).toContain(
      'Check the port (option "port", else the Dockerfile\'s EXPOSE) and the health path (option "healthPath").',
    );
    expect(error!.message).toContain('\nIts last output:\n');
    expect(error!.message).toContain('starting orders');
    expect(error!.message).toContain('boom: DATABASE_URL is not set');
    expect(await provider.running()).toBe(false);
  });

  it('reports a command that cannot be started as exited, naming the binary', async () => {
    const provider = await start(['nx-fleet-spec-no-such-binary', '--port']);
    await expect(waitUntilHealthy(ports.http, provider, '/health', 10_000)).rejects.toThrow(
      /\(it exited\)\.[\s\S]*could not start nx-fleet-spec-no-such-binary: .*ENOENT/,
    );
  });

  it('refuses an empty command before starting anything', async () => {
    await expect(startCommand(ports, { command: [], cwd: tmpdir(), env: {} })).rejects.toThrow(
      'nx-fleet: the startCommand option is empty; give the provider\'s command as an array, e.g. ["node", "dist/main.js"].',
    );
  });

  it('times out when the provider runs but its health path never answers 2xx, naming the last answer and the healthPath option', async () => {
    const provider = await start([process.execPath, '-e', SERVER], { HEALTH_STATUS: '503' });
    const began = Date.now();
    const error = await waitUntilHealthy(ports.http, provider, '/health', 1000).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(Date.now() - began).toBeLessThan(5000);
    expect(error?.message).toContain(
      `nx-fleet: the provider ${provider.describe} did not become healthy at ${provider.baseUrl}/health (HTTP 503 after 1 s).`,
    );
    expect(error?.message).toContain('option "healthPath"');
    expect(await provider.running()).toBe(true);
  });

  it('times out on a path the provider does not serve', async () => {
    const provider = await start([process.execPath, '-e', SERVER]);
    await expect(waitUntilHealthy(ports.http, provider, '/ready', 1000)).rejects.toThrow(
      /did not become healthy at http:\/\/127\.0\.0\.1:\d+\/ready \(HTTP 404 after 1 s\)\. .*option "healthPath"/,
    );
  });
});
