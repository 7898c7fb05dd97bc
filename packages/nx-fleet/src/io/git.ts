import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './process';

export interface GitRevision {
  sha: string;
  /** Commit time, ISO 8601: a label from it stays the same when the same commit is rebuilt. */
  committedAt: string;
}

/** Undefined outside a git repository or before the first commit: images are still buildable. */
export async function readGitRevision(cwd: string): Promise<GitRevision | undefined> {
  try {
    const result = await run('git', ['log', '-1', '--format=%H %cI'], { cwd });
    if (result.code !== 0) return undefined;
    const [sha, committedAt] = result.stdout.trim().split(' ');
    return sha && committedAt ? { sha, committedAt } : undefined;
  } catch {
    return undefined;
  }
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

/** For the OCI `source` label: the origin URL without credentials a CI checkout may embed in it. */
export async function readSourceUrl(cwd: string): Promise<string | undefined> {
  try {
    const result = await run('git', ['remote', 'get-url', 'origin'], { cwd });
    return result.code === 0 ? stripCredentials(result.stdout.trim()) || undefined : undefined;
  } catch {
    return undefined;
  }
}

export function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** The branch being built: CI's variable when the checkout is detached, else git's current branch. */
export async function readGitBranch(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromCi = env['GITHUB_HEAD_REF'] || env['GITHUB_REF_NAME'] || env['CI_COMMIT_REF_NAME'];
  if (fromCi) return fromCi;
  try {
    const result = await run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd });
    const branch = result.stdout.trim();
    return result.code === 0 && branch && branch !== 'HEAD' ? branch : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lock files in a git dir (or next to a ledger outside git), like git's own `index.lock`: created
 * atomically (O_EXCL), so of two processes exactly one gets it.
 */
export interface LockFiles {
  /** False when the file already exists. */
  create(file: string, text: string): Promise<boolean>;
  /** Undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
  remove(file: string): Promise<void>;
  /** Whether a process with this pid runs on this host. */
  alive(pid: number): boolean;
  readonly host: string;
  readonly pid: number;
  sleep(ms: number): Promise<void>;
}

export const nodeLockFiles: LockFiles = {
  async create(file, text) {
    await mkdir(dirname(file), { recursive: true });
    let handle;
    try {
      handle = await open(file, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return true;
  },
  async read(file) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async remove(file) {
    await rm(file, { force: true });
  },
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it runs, as another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  host: hostname(),
  pid: process.pid,
  sleep: (ms) => sleep(ms),
};
