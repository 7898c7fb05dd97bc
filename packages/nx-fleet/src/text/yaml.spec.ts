import { describe, expect, it } from 'vitest';
import { yamlEntriesAt } from './yaml';

describe('yamlEntriesAt', () => {
  it("gives a mapping's values with the text each spans, and none for text that is no YAML", () => {
    const text = 'jobs:\n  a:\n    runs-on: x\n  b:\n    steps: [1]\n';
    expect(yamlEntriesAt(text, ['jobs'])).toEqual([
      { value: { 'runs-on': 'x' }, text: 'runs-on: x\n' },
      { value: { steps: [1] }, text: 'steps: [1]\n' },
    ]);
    expect(yamlEntriesAt(text, ['on'])).toEqual([]);
    expect(yamlEntriesAt('jobs: [', ['jobs'])).toEqual([]);
  });
});
