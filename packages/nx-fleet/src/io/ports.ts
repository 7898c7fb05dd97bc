import { logger } from 'nx/src/utils/logger';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Agent, RequestInit as UndiciRequestInit } from 'undici';
import { dirname, join } from 'node:path';
import { readGitBranch, readGitRevision, readSourceUrl, type GitRevision } from './git';
import { run, runAttached, runOk, startProcess, type RunOptions, type RunResult, type StartedProcess } from './process';

/**
 * The effects nx-fleet's use cases have, each a small interface: use cases take the ports they need
 * as arguments, executors and CLI commands pass `nodePorts()`, unit tests pass fakes.
 */

/** Spawns tools with argument arrays (never a shell string). */
export interface ProcessRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Like run, but a non-zero exit throws ToolFailedError. */
  runOk(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Output streamed to the user; resolves with the exit code. */
  runAttached(
    command: string,
    args: readonly string[],
    options?: { cwd?: string; stdout?: 'inherit' | 'stderr' },
  ): Promise<number>;
  /** A long-running process its caller stops. */
  start(command: string, args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): StartedProcess;
}

export interface GitPort {
  revision(cwd: string): Promise<GitRevision | undefined>;
  branch(cwd: string): Promise<string | undefined>;
  sourceUrl(cwd: string): Promise<string | undefined>;
}

/** The environment as read once: settings resolve from it (see config/settings.ts), never from process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * TLS for one request, which Node's global fetch cannot vary per request: `verify: false` accepts any
 * certificate (self-signed registries the user marked so); `ca` adds certificates to the system roots.
 */
export interface HttpTls {
  verify: boolean;
  ca?: readonly string[];
}

export type HttpInit = RequestInit & { tls?: HttpTls };

export type HttpFetch = (input: string | URL, init?: HttpInit) => Promise<Response>;

export interface FilePort {
  exists(file: string): boolean;
  /** Undefined when the file does not exist. */
  readText(file: string): Promise<string | undefined>;
  /** Creates the folder; replaces the file atomically, so a reader never sees half a record. */
  writeText(file: string, text: string): Promise<void>;
  /** The names in a folder; [] when it does not exist. */
  list(folder: string): Promise<string[]>;
  /** Creates the folder and its parents when missing. */
  makeDir(folder: string): Promise<void>;
  /** A fresh empty folder for `use`, removed afterwards whatever happens: tools write their outputs there. */
  withTempDir<T>(prefix: string, use: (folder: string) => Promise<T>): Promise<T>;
}

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Clock {
  now(): Date;
}

export interface Ports {
  processes: ProcessRunner;
  git: GitPort;
  http: HttpFetch;
  files: FilePort;
  env: Env;
  log: Log;
  clock: Clock;
}

export const nodeProcesses: ProcessRunner = { run, runOk, runAttached, start: startProcess };

export function nodeGit(env: Env): GitPort {
  return { revision: readGitRevision, branch: (cwd) => readGitBranch(cwd, env), sourceUrl: readSourceUrl };
}

export const nodeFiles: FilePort = {
  exists: existsSync,
  async readText(file) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async writeText(file, text) {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
  },
  async list(folder) {
    try {
      return await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  async makeDir(folder) {
    await mkdir(folder, { recursive: true });
  },
  async withTempDir(prefix, use) {
    const folder = await mkdtemp(join(tmpdir(), prefix));
    try {
      return await use(folder);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};

const tlsAgents = new Map<string, Agent>();

/**
 * One connection pool per TLS setting, so keep-alive connections are shared by requests with the same
 * rules. undici loads only here: every Nx command loads this module in the plugin worker, and undici
 * costs it ~300 ms that only a registry request with its own TLS rules needs.
 */
function tlsAgent(tls: HttpTls, { Agent }: typeof import('undici')): Agent {
  const key = JSON.stringify(tls);
  let agent = tlsAgents.get(key);
  if (!agent) {
    // `ca` replaces Node's roots, so the system roots go in with the extra certificates.
    const ca = tls.ca?.length ? { ca: [...rootCertificates, ...tls.ca] } : {};
    agent = new Agent({ connect: { rejectUnauthorized: tls.verify, ...ca } });
    tlsAgents.set(key, agent);
  }
  return agent;
}

export const nodeHttp: HttpFetch = async (input, init) => {
  if (!init?.tls) return fetch(input, init);
  const { tls, ...rest } = init;
  const undici = await import('undici');
  return (await undici.fetch(input, {
    ...(rest as UndiciRequestInit),
    dispatcher: tlsAgent(tls, undici),
  })) as unknown as Response;
};

/** The real machine: what executors and CLI commands hand to use cases. */
export function nodePorts(env: Env = process.env): Ports {
  return {
    processes: nodeProcesses,
    git: nodeGit(env),
    http: nodeHttp,
    files: nodeFiles,
    env,
    log: logger,
    clock: { now: () => new Date() },
  };
}

/** A log kept as text: one task's output in a batch of tasks, which Nx shows under that task. */
export function bufferedLog(): Log & { text(): string } {
  const lines: string[] = [];
  const add = (message: string) => void lines.push(message);
  return { info: add, warn: add, error: add, text: () => (lines.length ? `${lines.join('\n')}\n` : '') };
}

/** Git asked once per folder for its revision: a batch of tasks in one commit does not ask per task. */
export function rememberingRevision(git: GitPort): GitPort {
  const revisions = new Map<string, Promise<GitRevision | undefined>>();
  return {
    ...git,
    revision(cwd) {
      let revision = revisions.get(cwd);
      if (!revision) revisions.set(cwd, (revision = git.revision(cwd)));
      return revision;
    },
  };
}
