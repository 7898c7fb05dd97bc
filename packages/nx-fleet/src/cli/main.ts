#!/usr/bin/env node
import { brokerFingerprintCommand } from './broker-fingerprint';
import { contextCommand } from './context';
import { graphCommand } from './graph';
import { pactsCommand } from './pacts';
import { releaseCommand } from './release';
import { reportCommand } from './report';
import { statusCommand } from './status';
import { verifyCommand } from './verify';
import { parseCommandArgs, type Command } from './command';

const commands: Record<string, Command> = {
  status: statusCommand,
  context: contextCommand,
  graph: graphCommand,
  verify: verifyCommand,
  pacts: pactsCommand,
  release: releaseCommand,
  report: reportCommand,
  broker: brokerFingerprintCommand,
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
  const parsed = parseCommandArgs(name, command, rest);
  if ('exitCode' in parsed) return parsed.exitCode;
  return command.run(parsed.values, { cwd: process.cwd(), positionals: parsed.positionals });
}

if (require.main === module) {
  // A reader that stops early (`nx-fleet context api | head`) has all it wanted: no stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
