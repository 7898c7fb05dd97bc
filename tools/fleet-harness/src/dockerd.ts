import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants as fsConstants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTool, run, runOk, spawnServer } from './tools';

/**
 * The docker CLI the harness drives: docker.io's 20.10 client. The Docker 28 client in
 * /usr/local/bin negotiates API 1.41 with this daemon fine, but it has no buildx plugin here, so its
 * `docker build` falls back to the legacy builder, which rejects `RUN --mount` and `--secret`.
 * The 20.10 client has BuildKit built in (DOCKER_BUILDKIT=1).
 */
export const DOCKER_CLIENT = '/usr/bin/docker';

/**
 * Flags beyond the per-instance paths. No iptables/forwarding changes to the host (shared with
 * podman's netavark and other daemons), and a private bridge instead of docker0 so concurrent
 * daemons do not share one; BuildKit's RUN steps fail with "network bridge not found" under
 * --bridge=none, so some bridge is required.
 */
export const DOCKERD_FLAGS = ['--iptables=false', '--ip-forward=false'];

export interface RunningDockerd {
  /** unix:///tmp/nxd-XXXXXX/docker.sock */
  host: string;
  /**
   * DOCKER_HOST; DOCKER_CONFIG (a private client config dir); PATH with a directory holding only
   * `docker` → DOCKER_CLIENT first, so tools that run plain `docker` get the working client.
   */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const LOG_TAIL_CHARS = 6_000;

/** The docker.io client, or an actionable error. */
export function dockerClient(): string {
  try {
    accessSync(DOCKER_CLIENT, fsConstants.X_OK);
    return DOCKER_CLIENT;
  } catch {
    throw new Error(`${DOCKER_CLIENT} (Debian package "docker.io") is missing. Run \`bash scripts/setup-tools.sh\`.`);
  }
}

function dockerdBinary(): string {
  try {
    return requireTool('dockerd');
  } catch {
    for (const candidate of ['/usr/sbin/dockerd', '/usr/bin/dockerd']) {
      try {
        accessSync(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // next
      }
    }
    throw new Error('dockerd (Debian package "docker.io") was not found. Run `bash scripts/setup-tools.sh`.');
  }
}

/** Starts a private Docker 20.10 daemon (root only) with its own data, socket, containerd and bridge. */
export async function startDockerd(): Promise<RunningDockerd> {
  if (process.getuid?.() !== 0)
    throw new Error('startDockerd needs root: dockerd mounts filesystems and creates a bridge');
  const bin = dockerdBinary();
  const client = dockerClient();
  const ipBin = requireTool('ip');

  // Fixed /tmp rather than tmpdir(): unix socket paths (ours and containerd's, nested deeper) must stay < 108 bytes.
  const dir = mkdtempSync('/tmp/nxd-');
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const id = randomBytes(4).toString('hex');
  const bridge = `nxf${id}`; // IFNAMSIZ: at most 15 characters
  // A private cgroup parent instead of the shared /docker: after a crash its processes can be found and killed, and it can be removed.
  const cgroupParent = `/nx-fleet-dockerd-${id}`;
  const binDir = join(dir, 'bin');
  const clientConfig = join(dir, 'client');
  mkdirSync(binDir);
  mkdirSync(clientConfig);
  symlinkSync(client, join(binDir, 'docker'));
  // An empty config file keeps a host /etc/docker/daemon.json out of the test daemon.
  writeFileSync(join(dir, 'daemon.json'), '{}\n');

  let bridgeCreated = false;
  const cleanupSync = () => {
    for (const pid of [...ownProcesses(dir), ...cgroupProcesses(cgroupParent)]) killQuietly(pid, 'SIGKILL');
    for (const mountPoint of mountsUnder(dir)) spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    if (bridgeCreated) spawnSync(ipBin, ['link', 'del', bridge], { stdio: 'ignore' });
    removeCgroups(cgroupParent);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a lazily unmounted tree can stay busy for a moment; /tmp is reaped eventually
    }
  };

  const created = await run(ipBin, ['link', 'add', 'name', bridge, 'type', 'bridge']);
  if (created.code !== 0) {
    cleanupSync();
    throw new Error(`cannot create bridge ${bridge}: ${created.stderr.trim()}`);
  }
  bridgeCreated = true;

  const args = [
    '--config-file',
    join(dir, 'daemon.json'),
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'dockerd.pid'),
    '-H',
    host,
    `--bridge=${bridge}`,
    `--cgroup-parent=${cgroupParent}`,
    ...DOCKERD_FLAGS,
  ];
  const server = spawnServer(bin, args, {
    // Own process group, so a Ctrl-C aimed at jest does not hit dockerd before stop() can.
    detached: true,
    logTailChars: LOG_TAIL_CHARS,
    // The daemon, its containerd and its mounts must never outlive the test process.
    onExit: cleanupSync,
  });
  const { child } = server;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!server.done()) {
        // Containers get 10 s each to honour SIGTERM on shutdown; a test daemon has nothing to save.
        for (const pid of cgroupProcesses(cgroupParent)) killQuietly(pid, 'SIGKILL');
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await server.exited;
        clearTimeout(force);
      }
      // After a clean shutdown nothing is left; after SIGKILL, containerd, shims and containers may be, and mounts are.
      const leftovers = () => [...ownProcesses(dir), ...cgroupProcesses(cgroupParent)];
      for (const pid of leftovers()) killQuietly(pid, 'SIGKILL');
      for (let i = 0; i < 50 && leftovers().length > 0; i++) await sleep(100);
      for (const mountPoint of mountsUnder(dir)) {
        if ((await run('umount', [mountPoint])).code !== 0) await run('umount', ['-l', mountPoint]);
      }
      await run(ipBin, ['link', 'del', bridge]);
      bridgeCreated = false;
      removeCgroups(cgroupParent);
      server.dispose();
      rmSync(dir, { recursive: true, force: true });
    })());

  const env = {
    DOCKER_HOST: host,
    DOCKER_CONFIG: clientConfig,
    PATH: [binDir, process.env['PATH'] ?? ''].join(delimiter),
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.done()) {
      await stop();
      throw new Error(`dockerd exited before answering on ${host}:\n${server.log()}`);
    }
    const version = await run(client, ['version', '--format', '{{.Server.Version}}'], {
      env: { ...process.env, ...env },
      timeoutMs: 5_000,
    });
    if (version.code === 0 && version.stdout.trim()) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not answer on ${host} within ${READY_TIMEOUT_MS} ms:\n${server.log()}`);
    }
    await sleep(200);
  }
  return { host, env, stop };
}

/**
 * Copies an image from podman's storage (where the harness builds node:20) into the daemon, so it
 * never has to pull, and gives it the extra `tags` there (e.g. "node:20"). Returns the image ID.
 */
export async function loadImage(dockerHost: string, ref: string, tags: string[] = []): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'nx-fleet-load-'));
  try {
    const archive = join(work, 'image.tar');
    // docker-archive keeps the repo tag; a file instead of a pipe keeps both commands shell-free.
    await runOk(requireTool('podman'), ['save', '--format', 'docker-archive', '-o', archive, ref]);
    const env = { ...process.env, DOCKER_HOST: dockerHost };
    const client = dockerClient();
    await runOk(client, ['load', '-i', archive], { env });
    for (const tag of tags) await runOk(client, ['tag', ref, tag], { env });
    return (await runOk(client, ['image', 'inspect', '--format', '{{.Id}}', ref], { env })).stdout.trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Mount points at or below `dir`, deepest first, from this process's mount table. */
function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return table
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** PIDs whose command line names our private directory: dockerd's containerd and its shims. */
function ownProcesses(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** `parent` in every mounted hierarchy (v1 controllers, hybrid "unified", or a pure v2 root), subtrees deepest first. */
function cgroupDirs(parent: string): string[] {
  const root = '/sys/fs/cgroup';
  let hierarchies: string[];
  try {
    hierarchies = [
      root,
      ...readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, d.name)),
    ];
  } catch {
    return [];
  }
  const found: string[] = [];
  const walk = (dir: string) => {
    let children;
    try {
      children = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // absent in this hierarchy
    }
    for (const child of children) if (child.isDirectory()) walk(join(dir, child.name));
    found.push(dir);
  };
  for (const h of hierarchies) walk(join(h, parent));
  return found;
}

function cgroupProcesses(parent: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(parent)) {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.add(Number(line));
    } catch {
      // removed meanwhile
    }
  }
  return [...pids];
}

function removeCgroups(parent: string): void {
  for (const dir of cgroupDirs(parent)) {
    try {
      rmdirSync(dir); // cgroup directories are removed with rmdir, and only once empty
    } catch {
      // still busy (a zombie not yet reaped) or already gone
    }
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
