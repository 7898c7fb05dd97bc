#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { contextCommand } from './context';
import { graphCommand } from './graph';
import { pactsCommand } from './pacts';
import { releaseCommand } from './release';
import { reportCommand } from './report';
import { statusCommand } from './status';
import { verifyCommand } from './verify';
import type { Command } from './command';

const commands: Record<string, Command> = {
  status: statusCommand,
  context: contextCommand,
  graph: graphCommand,
  verify: verifyCommand,
  pacts: pactsCommand,
  release: releaseCommand,
  report: reportCommand,
};

const version = (require('../../package.json') as { version: string }).version;

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'Usage: nx-fleet <command> [options]',
    '',
    'Run it from the root of an Nx workspace that has nx-fleet in nx.json (nx add nx-fleet).',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: nx-fleet <command> --help)',
    '  -v, --version  Show the nx-fleet version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '-v' || name === '--version') {
    console.log(version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`nx-fleet: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: !!command.positionals,
    }));
  } catch (error) {
    console.error(`nx-fleet ${name}: ${(error as Error).message}\n\n${command.help}`);
    return 2;
  }
  if (values['help']) {
    console.log(command.help);
    return 0;
  }
  const expected = command.positionals ?? [];
  if (positionals.length !== expected.length) {
    console.error(
      `nx-fleet ${name}: expected ${expected.map((p) => `<${p}>`).join(' ') || 'no arguments'}.\n\n${command.help}`,
    );
    return 2;
  }
  return command.run(values, { cwd: process.cwd(), positionals });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
