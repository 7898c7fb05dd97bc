import { ToolFailedError, type RunOptions, type RunResult, type StartedProcess } from '../io/process';
import type { Clock, FilePort, GitPort, Log, Ports, ProcessRunner } from '../io/ports';
import type { GitRevision } from '../io/git';

/**
 * Small fakes of the ports in io/ports.ts for unit tests of use cases: they record what was asked
 * and answer from data the test gives. Test-only: tsconfig.lib.json excludes every `testing` folder.
 */

export function runResult(stdout = '', stderr = '', code = 0): RunResult {
  return { code, stdout, stdoutBytes: Buffer.from(stdout), stderr };
}

export interface ProcessCall {
  method: 'run' | 'runOk' | 'runAttached' | 'start';
  command: string;
  args: readonly string[];
  /** As given: runAttached's and start's options are a subset of these. */
  options?: RunOptions & { stdout?: 'inherit' | 'stderr' };
}

/** A tool's answer: its result, or an error it throws (a tool that cannot be started). */
export type ProcessAnswer = RunResult | Error;

export interface FakeProcesses extends ProcessRunner {
  /** Every call of run, runOk, runAttached and start, in order. */
  readonly calls: ProcessCall[];
}

/**
 * A ProcessRunner that starts nothing: `script` answers each call (undefined: exit 0, no output);
 * runOk throws ToolFailedError for a non-zero exit, like the real one. A started process has
 * already exited, with no output.
 */
export function fakeProcesses(
  script: (call: ProcessCall) => ProcessAnswer | undefined | Promise<ProcessAnswer | undefined> = () => undefined,
): FakeProcesses {
  const calls: ProcessCall[] = [];
  const record = (
    method: ProcessCall['method'],
    command: string,
    args: readonly string[],
    options?: ProcessCall['options'],
  ) => {
    const call = { method, command, args, ...(options ? { options } : {}) };
    calls.push(call);
    return call;
  };
  const answer = async (call: ProcessCall): Promise<RunResult> => {
    const result = (await script(call)) ?? runResult();
    if (result instanceof Error) throw result;
    return result;
  };
  return {
    calls,
    run: (command, args, options) => answer(record('run', command, args, options)),
    async runOk(command, args, options) {
      const result = await answer(record('runOk', command, args, options));
      if (result.code !== 0) throw new ToolFailedError(command, args, result, options?.echo ?? false);
      return result;
    },
    async runAttached(command, args, options) {
      return (await answer(record('runAttached', command, args, options))).code;
    },
    start(command, args, options): StartedProcess {
      record('start', command, args, options);
      return { running: () => false, output: () => '', stop: async () => undefined };
    },
  };
}

export interface MemoryFiles extends FilePort {
  /** The files by path: seed it, and read what was written. */
  readonly files: Map<string, string>;
  /** Folders made with makeDir, and the temporary folders handed out and removed, in order. */
  readonly folders: { made: string[]; temp: string[]; removed: string[] };
}

export function memoryFiles(initial: Record<string, string> = {}): MemoryFiles {
  const files = new Map(Object.entries(initial));
  const folders = { made: [] as string[], temp: [] as string[], removed: [] as string[] };
  return {
    files,
    folders,
    exists: (file) => files.has(file),
    readText: async (file) => files.get(file),
    writeText: async (file, text) => {
      files.set(file, text);
    },
    list: async (folder) => [
      ...new Set(
        [...files.keys()]
          .filter((file) => file.startsWith(`${folder}/`))
          .map((file) => file.slice(folder.length + 1).split('/')[0]!),
      ),
    ],
    makeDir: async (folder) => void folders.made.push(folder),
    async withTempDir(prefix, use) {
      const folder = `/tmp/${prefix}${folders.temp.length + 1}`;
      folders.temp.push(folder);
      try {
        return await use(folder);
      } finally {
        folders.removed.push(folder);
      }
    },
  };
}

export function fixedClock(iso = '2025-01-01T00:00:00.000Z'): Clock {
  return { now: () => new Date(iso) };
}

export interface CollectingLog extends Log {
  readonly messages: Array<{ level: 'info' | 'warn' | 'error'; message: string }>;
  /** The messages of one level, in order. */
  of(level: 'info' | 'warn' | 'error'): string[];
}

export function collectingLog(): CollectingLog {
  const messages: CollectingLog['messages'] = [];
  const at = (level: 'info' | 'warn' | 'error') => (message: string) => void messages.push({ level, message });
  return {
    messages,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    of: (level) => messages.filter((m) => m.level === level).map((m) => m.message),
  };
}

/** A checkout with the given facts (none: outside git). */
export function fakeGit(facts: { revision?: GitRevision; branch?: string; sourceUrl?: string } = {}): GitPort {
  return {
    revision: async () => facts.revision,
    branch: async () => facts.branch,
    sourceUrl: async () => facts.sourceUrl,
  };
}

/** Every port faked: nothing starts, nothing is fetched, files live in memory. */
export function fakePorts(overrides: Partial<Ports> = {}): Ports {
  return {
    processes: fakeProcesses(),
    git: fakeGit(),
    http: () => Promise.reject(new Error('no HTTP request may be made in unit tests')),
    files: memoryFiles(),
    env: {},
    log: collectingLog(),
    clock: fixedClock(),
    ...overrides,
  };
}
