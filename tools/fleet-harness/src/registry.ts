import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, requireTool, spawnServer } from './tools';

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  host: string;
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

/** Starts Debian's `docker-registry` (distribution 2.8) on a free loopback port. */
export async function startRegistry(opts: { dataDir?: string } = {}): Promise<RunningRegistry> {
  const bin = requireTool('docker-registry');
  const workDir = mkdtempSync(join(tmpdir(), 'nx-fleet-registry-'));
  const dataDir = opts.dataDir ?? join(workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  try {
    // freePort() can race with other processes grabbing the port; a couple of retries absorb that.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(bin, workDir, dataDir, await freePort());
      } catch (e) {
        if (!(e instanceof RegistryExitedEarly) || attempt >= PORT_ATTEMPTS) throw e;
      }
    }
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(bin: string, workDir: string, dataDir: string, port: number): Promise<RunningRegistry> {
  const host = `127.0.0.1:${port}`;
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
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );

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
    if (await answers200(`http://${host}/v2/`)) break;
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
    dataDir,
    stop,
    async manifestDigest(repo, reference) {
      const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
        method: 'HEAD',
        headers: { Accept: MANIFEST_ACCEPT },
      });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HEAD ${repo}:${reference} on ${host} answered ${res.status}`);
      return res.headers.get('docker-content-digest') ?? undefined;
    },
    async tags(repo) {
      const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`GET tags of ${repo} on ${host} answered ${res.status}`);
      // "tags" is null once every tag of a repository was deleted.
      const body = (await res.json()) as { tags?: string[] | null };
      return body.tags ?? [];
    },
    async deleteRepo(repo) {
      rmSync(repoDir(repo), { recursive: true, force: true });
    },
  };
}

async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}
