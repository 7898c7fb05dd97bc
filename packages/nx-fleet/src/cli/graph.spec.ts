import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyNote, graphCommand, graphFormat } from './graph';
import { main } from './main';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('graphFormat', () => {
  it.each([
    [{}, 'text'],
    [{ json: true }, 'json'],
    [{ format: 'mermaid' }, 'mermaid'],
    [{ format: 'dot' }, 'dot'],
    [{ format: 'html' }, 'html'],
    [{ format: 'json', json: true }, 'json'],
  ])('%j → %s', (values, format) => {
    expect(graphFormat(values)).toBe(format);
  });

  it('names the option and the allowed values for an unknown format', () => {
    expect(graphFormat({ format: 'svg' })).toEqual({
      error: 'nx-fleet graph: --format must be one of text, json, mermaid, dot, html; got "svg".',
    });
  });

  it('refuses --json with another format', () => {
    expect(graphFormat({ format: 'dot', json: true })).toEqual({
      error: 'nx-fleet graph: --json means --format json; it cannot go with --format dot.',
    });
  });
});

describe('emptyNote', () => {
  it('tells a person reading text that the workspace has no services; json and the others stay as they are', () => {
    expect(emptyNote('text', 0)).toMatch(/^nx-fleet graph: no services: .*`npx nx-fleet status` lists the services\.$/);
    // Images built by the projects' own targets (ticketpond's run-commands docker-build): adopt is the way.
    expect(emptyNote('text', 0)).toContain('`npx nx g nx-fleet:adopt --dry-run` shows how they become services');
    expect(emptyNote('text', 1)).toBeUndefined();
    expect(emptyNote('json', 0)).toBeUndefined();
    expect(emptyNote('mermaid', 0)).toBeUndefined();
  });
});

describe('graphCommand', () => {
  it('declares --format, --out and --json and documents every format', () => {
    expect(graphCommand.options).toEqual({
      format: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    expect(graphCommand.help).toContain('Usage: nx-fleet graph [--format text|json|mermaid|dot|html] [--out <file>]');
    for (const format of ['text', 'json', 'mermaid', 'dot', 'html']) expect(graphCommand.help).toContain(`  ${format}`);
  });

  it('exits 2 on an unknown format before reading the workspace', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main(['graph', '--format', 'svg'])).toBe(2);
    expect(error).toHaveBeenCalledWith(
      'nx-fleet graph: --format must be one of text, json, mermaid, dot, html; got "svg".',
    );
    expect(log).not.toHaveBeenCalled();
  });
});
