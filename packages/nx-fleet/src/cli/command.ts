import { parseArgs } from 'node:util';

export type CommandValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  /** Names of the positional arguments, for help and validation; none when absent. */
  positionals?: string[];
  run(values: CommandValues, env: { cwd: string; positionals: string[] }): Promise<number>;
}

/** A command's refusal: the message on stderr, and the exit code (1: bad input or state, 2: bad usage). */
export function fail(message: string, exitCode = 1): number {
  console.error(message);
  return exitCode;
}

/**
 * A command's arguments, strictly: an unknown option or a wrong number of positionals prints the
 * error with the command's help and gives exit code 2; --help prints the help and gives 0.
 */
export function parseCommandArgs(
  name: string,
  command: Command,
  args: string[],
): { values: CommandValues; positionals: string[] } | { exitCode: number } {
  let values: CommandValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: !!command.positionals,
    }));
  } catch (error) {
    console.error(`nx-fleet ${name}: ${(error as Error).message}\n\n${command.help}`);
    return { exitCode: 2 };
  }
  if (values['help']) {
    console.log(command.help);
    return { exitCode: 0 };
  }
  const expected = command.positionals ?? [];
  if (positionals.length !== expected.length) {
    console.error(
      `nx-fleet ${name}: expected ${expected.map((p) => `<${p}>`).join(' ') || 'no arguments'}.\n\n${command.help}`,
    );
    return { exitCode: 2 };
  }
  return { values, positionals };
}
