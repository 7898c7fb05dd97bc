import { describe, expect, it } from 'vitest';
import { typescript } from './typescript';

describe('typescript', () => {
  it("is the TypeScript ts-morph bundles, loaded once: the same functions as ts-morph's export", () => {
    const ts = typescript();
    const { ts: fromTsMorph } = require('ts-morph') as typeof import('ts-morph');
    expect(ts.version).toBe(fromTsMorph.version);
    expect(ts.createScanner).toBe(fromTsMorph.createScanner);
    expect(ts.resolveModuleName).toBe(fromTsMorph.resolveModuleName);
  });
});
