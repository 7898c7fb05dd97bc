import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
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
  it('lists the status command with its summary', () => {
    const text = usage();
    expect(text.startsWith('Usage: nx-fleet <command> [options]')).toBe(true);
    expect(text).toContain(`  status  ${statusCommand.summary}`);
    expect(text).toContain('-h, --help');
    expect(text).toContain('-v, --version');
  });
});

describe('main', () => {
  it.each([[['--help']], [['-h']], [['help']], [[]]])('prints usage and returns 0 for %j', async (argv) => {
    expect(await main(argv)).toBe(0);
    expect(printed(log)).toBe(usage());
    expect(printed(log)).toMatch(/^ {2}status {2}/m);
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
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ json: true }), { cwd: process.cwd() });
  });
});
