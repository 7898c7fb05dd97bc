import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, requireTool, spawnServer } from './tools';

export interface RunningRegistry {
  /** "127.0.0.1:PORT", or "<hostname>:PORT" when started with a host name */
  host: string;
  /** https when started with TLS. */
  scheme: 'http' | 'https';
  dataDir: string;
  stop(): Promise<void>;
  manifestDigest(repo: string, reference: string): Promise<string | undefined>;
  tags(repo: string): Promise<string[]>;
  deleteRepo(repo: string): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;
const LOG_TAIL_CHARS = 4_000;
const PORT_ATTEMPTS = 3;

// Without these the registry answers HEAD for an OCI image/index with 404.
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

class RegistryExitedEarly extends Error {}

export interface RegistryOptions {
  dataDir?: string;
  /** The name clients use (an alias of 127.0.0.1, see addHostAlias); the registry still listens on 127.0.0.1. */
  hostname?: string;
  /** Serve HTTPS with this certificate (see issueCertificate). */
  tls?: { certFile: string; keyFile: string };
  /** Require these htpasswd users (see writeHtpasswd); the harness's own reads log in as `username`. */
  htpasswd?: { file: string; username: string; password: string };
  /** Listen on this port (a registry restarted over the same data keeps its name); default: a free one. */
  port?: number;
}

/** Starts Debian's `docker-registry` (distribution 2.8) on a free loopback port. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const bin = requireTool('docker-registry');
  const workDir = mkdtempSync(join(tmpdir(), 'nx-fleet-registry-'));
  const dataDir = opts.dataDir ?? join(workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  try {
    // freePort() can race with other processes grabbing the port; a couple of retries absorb that.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(bin, workDir, dataDir, opts.port ?? (await freePort()), opts);
      } catch (e) {
        if (!(e instanceof RegistryExitedEarly) || opts.port || attempt >= PORT_ATTEMPTS) throw e;
      }
    }
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(
  bin: string,
  workDir: string,
  dataDir: string,
  port: number,
  opts: RegistryOptions,
): Promise<RunningRegistry> {
  const listen = `127.0.0.1:${port}`;
  const host = `${opts.hostname ?? '127.0.0.1'}:${port}`;
  const scheme = opts.tls ? 'https' : 'http';
  const config = join(workDir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(dataDir)}`,
      '  delete:',
      '    enabled: true',
      ...(opts.htpasswd
        ? ['auth:', '  htpasswd:', '    realm: nx-fleet-e2e', `    path: ${JSON.stringify(opts.htpasswd.file)}`]
        : []),
      'http:',
      `  addr: ${listen}`,
      ...(opts.tls
        ? [
            '  tls:',
            `    certificate: ${JSON.stringify(opts.tls.certFile)}`,
            `    key: ${JSON.stringify(opts.tls.keyFile)}`,
          ]
        : []),
      '',
    ].join('\n'),
  );

  // The harness's own reads: to the listening address, as the client-facing host, past TLS checks and logged in.
  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    send({
      scheme,
      listen,
      host,
      servername: opts.hostname,
      method,
      path,
      headers: opts.htpasswd
        ? {
            ...headers,
            Authorization: `Basic ${Buffer.from(`${opts.htpasswd.username}:${opts.htpasswd.password}`).toString('base64')}`,
          }
        : headers,
    });

  const server = spawnServer(bin, ['serve', config], {
    logTailChars: LOG_TAIL_CHARS,
    // A registry must never outlive the test process, even when afterAll is skipped.
    onExit: () => rmSync(workDir, { recursive: true, force: true }),
  });
  const { child } = server;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.done()) {
      server.dispose();
      throw new RegistryExitedEarly(`docker-registry exited before becoming ready on ${host}:\n${server.log()}`);
    }
    if (await answers(call, '/v2/')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await server.exited;
      server.dispose();
      throw new Error(`docker-registry did not answer on ${host} within ${READY_TIMEOUT_MS} ms:\n${server.log()}`);
    }
    await sleep(100);
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!server.done()) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await server.exited;
        clearTimeout(force);
      }
      server.dispose();
      // workDir holds the config and, unless the caller supplied dataDir, the data; a caller's dataDir is kept.
      rmSync(workDir, { recursive: true, force: true });
    })());

  const repoDir = (repo: string) => {
    if (repo.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`invalid repository name: ${repo}`);
    }
    return join(dataDir, 'docker', 'registry', 'v2', 'repositories', repo);
  };

  return {
    host,
    scheme,
    dataDir,
    stop,
    async manifestDigest(repo, reference) {
      const res = await call('HEAD', `/v2/${repo}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`HEAD ${repo}:${reference} on ${host} answered ${res.status}`);
      const digest = res.headers['docker-content-digest'];
      return typeof digest === 'string' ? digest : undefined;
    },
    async tags(repo) {
      const res = await call('GET', `/v2/${repo}/tags/list`);
      if (res.status === 404) return [];
      if (res.status !== 200) throw new Error(`GET tags of ${repo} on ${host} answered ${res.status}`);
      // "tags" is null once every tag of a repository was deleted.
      const body = JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null };
      return body.tags ?? [];
    },
    async deleteRepo(repo) {
      rmSync(repoDir(repo), { recursive: true, force: true });
    },
  };
}

async function answers(call: (method: string, path: string) => Promise<Answer>, path: string): Promise<boolean> {
  try {
    return (await call('GET', path)).status === 200;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http(s): global fetch cannot skip certificate checks for a test CA's registry. */
function send(input: {
  scheme: 'http' | 'https';
  listen: string;
  host: string;
  servername?: string;
  method: string;
  path: string;
  headers: Record<string, string>;
}): Promise<Answer> {
  const [address, port] = input.listen.split(':');
  const options = {
    host: address,
    port: Number(port),
    method: input.method,
    path: input.path,
    headers: { ...input.headers, Host: input.host },
    timeout: 5_000,
  };
  return new Promise((resolve, reject) => {
    const req =
      input.scheme === 'https'
        ? httpsRequest({ ...options, rejectUnauthorized: false, servername: input.servername }, respond)
        : httpRequest(options, respond);
    function respond(res: import('node:http').IncomingMessage) {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }
    req.on('timeout', () => req.destroy(new Error(`${input.method} ${input.path} on ${input.host} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
