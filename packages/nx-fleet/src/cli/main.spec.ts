import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { contextCommand } from './context';
import { main, usage } from './main';
import { statusCommand } from './status';

let log: MockInstance;
let error: MockInstance;

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const printed = (spy: MockInstance) => spy.mock.calls.map((call) => call.join(' ')).join('\n');

describe('usage', () => {
  it('lists the status and context commands with their summaries, aligned', () => {
    const text = usage();
    expect(text.startsWith('Usage: nx-fleet <command> [options]')).toBe(true);
    expect(text).toContain(`\n  status   ${statusCommand.summary}\n`);
    expect(text).toContain(`\n  context  ${contextCommand.summary}\n`);
    expect(text).toContain('-h, --help');
    expect(text).toContain('-v, --version');
  });
});

describe('main', () => {
  it.each([[['--help']], [['-h']], [['help']], [[]]])('prints usage and returns 0 for %j', async (argv) => {
    expect(await main(argv)).toBe(0);
    expect(printed(log)).toBe(usage());
    expect(printed(log)).toMatch(/^ {2}status {3}\S/m);
    expect(printed(log)).toMatch(/^ {2}context {2}\S/m);
    expect(error).not.toHaveBeenCalled();
  });

  it('prints the package version', async () => {
    expect(await main(['--version'])).toBe(0);
    expect(printed(log)).toBe('0.1.0');
  });

  it('returns 2 for an unknown command, writing the error and usage to stderr', async () => {
    expect(await main(['deploy'])).toBe(2);
    expect(printed(error)).toBe(`nx-fleet: unknown command "deploy".\n\n${usage()}`);
    expect(log).not.toHaveBeenCalled();
  });

  it('returns 2 for an unknown option of a command, naming it, before running anything', async () => {
    const run = vi.spyOn(statusCommand, 'run');
    expect(await main(['status', '--bogus'])).toBe(2);
    expect(printed(error)).toMatch(/^nx-fleet status: .*--bogus/);
    expect(printed(error)).toContain(statusCommand.help);
    expect(run).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('returns 2 for a stray positional argument', async () => {
    const run = vi.spyOn(statusCommand, 'run');
    expect(await main(['status', 'extra'])).toBe(2);
    expect(printed(error)).toMatch(/^nx-fleet status: /);
    expect(printed(error)).toContain(statusCommand.help);
    expect(run).not.toHaveBeenCalled();
  });

  it('prints the command help for `status --help` without running it', async () => {
    const run = vi.spyOn(statusCommand, 'run');
    expect(await main(['status', '--help'])).toBe(0);
    expect(printed(log)).toBe(statusCommand.help);
    expect(run).not.toHaveBeenCalled();
  });

  it('passes parsed options to the command and returns its exit code', async () => {
    const run = vi.spyOn(statusCommand, 'run').mockResolvedValue(7);
    expect(await main(['status', '--json'])).toBe(7);
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ json: true }), { cwd: process.cwd(), positionals: [] });
  });
});

describe('main context', () => {
  it('declares one positional, <project>', () => {
    expect(contextCommand.positionals).toEqual(['project']);
    expect(contextCommand.help.startsWith('Usage: nx-fleet context <project>')).toBe(true);
  });

  it('returns 2 without the project argument, naming it and printing the help, without running anything', async () => {
    const run = vi.spyOn(contextCommand, 'run');
    expect(await main(['context'])).toBe(2);
    expect(printed(error)).toBe(`nx-fleet context: expected <project>.\n\n${contextCommand.help}`);
    expect(run).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('returns 2 for two positional arguments and for an unknown option', async () => {
    const run = vi.spyOn(contextCommand, 'run');
    expect(await main(['context', 'api', 'web'])).toBe(2);
    expect(printed(error)).toBe(`nx-fleet context: expected <project>.\n\n${contextCommand.help}`);
    error.mockClear();
    expect(await main(['context', 'api', '--bogus'])).toBe(2);
    expect(printed(error)).toMatch(/^nx-fleet context: .*--bogus/);
    expect(run).not.toHaveBeenCalled();
  });

  it('prints the command help for `context --help` and returns 0 without running it', async () => {
    const run = vi.spyOn(contextCommand, 'run');
    expect(await main(['context', '--help'])).toBe(0);
    expect(printed(log)).toBe(contextCommand.help);
    expect(printed(log)).toContain('Usage: nx-fleet context <project> [--out <dir>] [--target <name>]');
    expect(run).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('hands the positional and the options to the command', async () => {
    const run = vi.spyOn(contextCommand, 'run').mockResolvedValue(0);
    expect(await main(['context', 'api', '--out', 'tmp/ctx'])).toBe(0);
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ out: 'tmp/ctx' }), {
      cwd: process.cwd(),
      positionals: ['api'],
    });
  });
});
