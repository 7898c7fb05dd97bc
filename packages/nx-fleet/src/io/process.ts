import { fork, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactArgs, redactText } from '../text/redact';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Variables added to the child's environment (on top of `env`, else this process's): how a secret
   * reaches a tool by name (`--env KEY`, `env://KEY`) instead of on its command line, where `ps` shows it.
   */
  addEnv?: Readonly<Record<string, string>>;
  /** Stream the tool's output to the user (builds, pushes) instead of only capturing it. */
  echo?: boolean;
  timeoutMs?: number;
  /** Written to the tool's stdin, then closed: how a secret or a question reaches a tool off its command line. */
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  /** The exact bytes, for output that is hashed (raw manifests). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Stopped because it ran past `timeoutMs`: its code says nothing of what it would have found. */
  timedOut?: boolean;
}

/** A tool that could not be started at all, as opposed to one that ran and failed. */
export class ToolNotFoundError extends Error {
  constructor(
    readonly tool: string,
    hint = 'Install it (see the nx-fleet README, "Support matrix") or choose another engine with the "engine" option or FLEET_ENGINE.',
  ) {
    super(`nx-fleet: "${tool}" was not found on PATH. ${hint}`);
  }
}

/** Always an argument array, never a shell string: names, options and paths cannot inject. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.addEnv ? { ...(options.env ?? process.env), ...options.addEnv } : (options.env ?? process.env),
      // Typed as piped for spawn's overloads; stdin is only touched when there is input.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill();
          }, options.timeoutMs);
    if (options.input !== undefined) {
      // A tool that exits without reading its stdin makes the write fail with EPIPE: its exit code tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new ToolNotFoundError(command) : error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(stdout);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr,
        ...(timedOut && { timedOut }),
      });
    });
  });
}

/**
 * A tool that ran and failed. The message (what logs and Nx's terminal output keep) shows the command
 * line and the output's tail redacted: secret flags' values, `KEY=VALUE` values, PEMs, URL credentials.
 */
export class ToolFailedError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly result: RunResult,
    echoed: boolean,
  ) {
    // Output the user already saw streamed is not repeated.
    const detail = echoed ? '' : redactText(tail(result.stderr || result.stdout));
    super(`nx-fleet: \`${[command, ...redactArgs(args)].join(' ')}\` exited with code ${result.code}${detail}`);
    // Kept for callers that read them, hidden from console.error/util.inspect of the error, which would
    // otherwise print the raw argument vector and output next to the redacted message.
    for (const key of ['args', 'result'] as const) Object.defineProperty(this, key, { enumerable: false });
  }
}

export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new ToolFailedError(command, args, result, options.echo ?? false);
  return result;
}

function tail(text: string): string {
  const lines = text.trim().split('\n').slice(-15).join('\n');
  return lines ? `:\n${lines}` : '';
}

/**
 * A tool whose output belongs to the user (a whole `nx run-many` phase): its stdout goes to this
 * process's stdout, or to stderr when stdout carries JSON. Resolves with the exit code.
 */
export function runAttached(
  command: string,
  args: readonly string[],
  options: { cwd?: string; stdout?: 'inherit' | 'stderr' } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', options.stdout === 'stderr' ? process.stderr : 'inherit', 'inherit'],
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new ToolNotFoundError(command) : error),
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** A long-running process (a provider under test), stopped by its owner. */
export interface StartedProcess {
  pid?: number;
  running(): boolean;
  /** The last 8,000 characters it wrote, stdout and stderr together. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    // 'close', not 'exit': by then the output it wrote has all arrived.
    child.on('close', () => {
      exited = true;
      resolve();
    });
    child.on('error', (error) => {
      collect(Buffer.from(`could not start ${command}: ${error.message}\n`));
      exited = true;
      resolve();
    });
  });
  return {
    pid: child.pid,
    running: () => !exited,
    output: () => output,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000, undefined, { ref: false })]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/**
 * Runs a Node script of this package in a process of its own, sends it `question` and resolves with
 * its first answer (both structured-cloned); rejects when it cannot start or exits without one. Its
 * stdout is dropped (what it has to say is the answer); a crash's trace goes to stderr. `addEnv` is
 * added to this process's environment for it.
 */
export function askScript<A>(
  script: string,
  question: unknown,
  addEnv: Readonly<Record<string, string>> = {},
): Promise<A> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // None of this process's Node flags: `-e`/`-p` would run its code again instead of the script
      // (a process that asks a script runs that code again, and so on), `--inspect` would take its port.
      execArgv: [],
      env: { ...process.env, ...addEnv },
    });
    child.once('message', (answer: A) => resolve(answer));
    child.once('error', reject);
    // After the answer this settles nothing.
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it answered`)));
    child.send(question as object);
  });
}
