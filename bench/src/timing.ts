import { run, type RunResult } from '../../tools/fleet-harness/src/tools';

export interface Timed extends RunResult {
  seconds: number;
}

export async function timed(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Timed> {
  const started = process.hrtime.bigint();
  const result = await run(cmd, args, { cwd: options.cwd, env: options.env, timeoutMs: 3_600_000 });
  return { ...result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
