import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, appendFileSync, constants as fsConstants, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { constants as osConstants } from 'node:os';
import { basename, delimiter, join } from 'node:path';

/** A TCP port that was free on 127.0.0.1 a moment ago (the caller may still lose a race for it). */
export async function freePort(): Promise<number> {
  const probe = createServer().unref().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((closed) => probe.close(closed));
  return port;
}

/** Debian package that provides each tool, so a missing-tool error says what to install. */
const DEBIAN_PACKAGE: Record<string, string> = {
  podman: 'podman',
  buildah: 'buildah',
  runc: 'runc',
  skopeo: 'skopeo',
  'docker-registry': 'docker-registry',
  busybox: 'busybox-static',
  newuidmap: 'uidmap',
  newgidmap: 'uidmap',
  tar: 'tar',
  ldd: 'libc-bin',
};

/** Absolute path of `name` on PATH; throws an actionable error when it is missing. */
export function requireTool(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  const pkg = DEBIAN_PACKAGE[name] ?? name;
  throw new Error(
    `Required tool "${name}" was not found on PATH (Debian package "${pkg}"). ` +
      `Run \`bash scripts/setup-tools.sh\` to install the e2e tooling.`,
  );
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * With FLEET_E2E_TIMINGS=<file>, every command's wall time is appended there (ms, cwd, command): where the
 * suite's minutes go, e.g. `sort -n <file> | tail`.
 */
function noteTiming(cmd: string, args: string[], cwd: string | undefined, ms: number): void {
  const file = process.env['FLEET_E2E_TIMINGS'];
  if (!file) return;
  appendFileSync(file, `${ms}\t${cwd ?? ''}\t${[basename(cmd), ...args].join(' ').slice(0, 200)}\n`);
}

/**
 * Runs a command without a shell. Resolves for any exit status: a signal becomes 128+N
 * and a timeout becomes 124 (like coreutils `timeout`), noted in stderr.
 * Rejects only when the process cannot be spawned at all.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      // An inherited-but-unused stdin can make tools wait for input forever.
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));

    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);

    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`Cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      let status = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
      if (timedOut) {
        status = 124;
        stderr += `\n[run] ${cmd} timed out after ${opts.timeoutMs} ms and was killed`;
      }
      noteTiming(cmd, args, opts.cwd, Date.now() - started);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, code: status });
    });

    if (child.stdin) {
      // The child may exit before reading its input; that is its business, not a crash.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

export interface SpawnServerOptions {
  /** Start the server in its own process group. */
  detached?: boolean;
  /** How much of the server's combined stdout and stderr `log()` keeps (default 4,000 characters). */
  logTailChars?: number;
  /** Synchronous cleanup for the `process.on('exit')` killer, run after the server was sent SIGKILL. */
  onExit?: () => void;
}

export interface SpawnedServer {
  child: ChildProcess;
  /** The tail of the server's stdout and stderr, plus a spawn error if there was one. */
  log(): string;
  /** Resolves once the server has exited, or could not be spawned. */
  exited: Promise<void>;
  /** Whether `exited` has resolved. */
  done(): boolean;
  /** Unregisters the `process.on('exit')` killer; the server itself is left alone. */
  dispose(): void;
}

/**
 * Spawns a long-running server without a shell, keeps a tail of its output for error messages, and
 * registers a `process.on('exit')` handler that SIGKILLs it (then runs `onExit`) until `dispose()`.
 */
export function spawnServer(bin: string, args: string[], opts: SpawnServerOptions = {}): SpawnedServer {
  const logTailChars = opts.logTailChars ?? 4_000;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let log = '';
  const collect = (d: Buffer) => {
    log = (log + d.toString('utf8')).slice(-logTailChars);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    const finish = () => {
      done = true;
      resolve();
    };
    child.once('exit', finish);
    // A failed spawn emits 'error' and possibly no 'exit'.
    child.once('error', (e) => {
      collect(Buffer.from(`spawn error: ${e.message}\n`));
      finish();
    });
  });
  const killOnExit = () => {
    child.kill('SIGKILL');
    opts.onExit?.();
  };
  process.on('exit', killOnExit);
  return {
    child,
    log: () => log,
    exited,
    done: () => done,
    dispose: () => {
      process.off('exit', killOnExit);
    },
  };
}

/** Like `run`, but rejects on a non-zero exit with the command line, code and stderr tail. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) {
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-20).join('\n');
    throw new Error(`Command failed (exit ${result.code}): ${[cmd, ...args].join(' ')}\n${tail}`);
  }
  return result;
}

export type Engine = 'podman' | 'buildah';

/** Container engine for the e2e suite: $FLEET_ENGINE if set, else podman, else buildah. */
export function detectEngine(): Engine {
  const forced = process.env['FLEET_ENGINE'];
  if (forced) {
    if (forced !== 'podman' && forced !== 'buildah') {
      throw new Error(`FLEET_ENGINE must be "podman" or "buildah", got "${forced}"`);
    }
    requireTool(forced);
    return forced;
  }
  for (const engine of ['podman', 'buildah'] as const) {
    try {
      requireTool(engine);
      return engine;
    } catch {
      // try the next engine
    }
  }
  try {
    requireTool('podman');
  } catch (e) {
    throw new Error(`No container engine found (podman preferred, buildah accepted). ${(e as Error).message}`);
  }
  return 'podman'; // podman appeared between the two checks
}

/**
 * Takes `ref`'s name off its local image, so the engine no longer holds `ref`, and keeps the layers:
 * removing them (`rmi`) races the builds other jest workers run on the same storage ("layer not known").
 */
export async function forgetImage(engine: Engine, ref: string): Promise<void> {
  await run(engine, engine === 'podman' ? ['untag', ref] : ['rmi', '-f', ref]);
}
