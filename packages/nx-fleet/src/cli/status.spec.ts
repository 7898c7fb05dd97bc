import { describe, expect, it } from 'vitest';
import { statusCommand } from './status';

describe('statusCommand', () => {
  it('declares --json and documents it', () => {
    expect(statusCommand.options).toEqual({ json: { type: 'boolean' } });
    expect(statusCommand.help).toContain('Usage: nx-fleet status [--json]');
    expect(statusCommand.summary).not.toBe('');
  });
});
