import { describe, expect, it } from 'vitest';
import type { ServiceRuntime } from '../edges';
import { edgeLabelLines, evidenceDetail, evidenceLabel, neighbours, runtimeDrawing, viaLibrary } from './model';

const evidence = (file: string, via: string, sdk?: string) => ({
  file,
  line: 2,
  specifier: '@acme/b-sdk',
  via,
  ...(sdk ? { sdk } : {}),
});

describe('runtimeDrawing', () => {
  it('takes one edge per consumer → provider from the providers, and the services in order', () => {
    const runtime: ServiceRuntime[] = [
      { service: 'a', providers: [{ service: 'b', imports: [evidence('a.ts', 'a')] }], consumers: [] },
      { service: 'b', providers: [], consumers: [{ service: 'a', imports: [evidence('a.ts', 'a')] }] },
      { service: 'c', providers: [], consumers: [] },
    ];
    const drawing = runtimeDrawing(runtime);
    expect(drawing).toEqual({
      services: ['a', 'b', 'c'],
      edges: [{ consumer: 'a', provider: 'b', imports: [evidence('a.ts', 'a')] }],
    });
    expect(neighbours(drawing, 'b')).toEqual({ providers: [], consumers: ['a'] });
    expect(neighbours(drawing, 'a')).toEqual({ providers: ['b'], consumers: [] });
  });

  it('keeps an edge only a consumer list names, adds the services links name, and drops self-links', () => {
    const runtime: ServiceRuntime[] = [
      {
        service: 'b',
        providers: [{ service: 'b', imports: [] }],
        consumers: [{ service: 'x', imports: [evidence('x.ts', 'lib')] }],
      },
    ];
    expect(runtimeDrawing(runtime)).toEqual({
      services: ['b', 'x'],
      edges: [{ consumer: 'x', provider: 'b', imports: [evidence('x.ts', 'lib')] }],
    });
  });
});

describe('evidence', () => {
  it('names the library only when it is not the consumer', () => {
    expect(viaLibrary('a', evidence('a.ts', 'a'))).toBeUndefined();
    expect(viaLibrary('a', evidence('l.ts', 'lib'))).toBe('lib');
    expect(evidenceLabel('a', evidence('l.ts', 'lib'))).toBe('l.ts:2 via lib');
    expect(evidenceLabel('a', evidence('a.ts', 'a'))).toBe('a.ts:2');
    expect(evidenceDetail('a', evidence('l.ts', 'lib', 'b-sdk'))).toBe('l.ts:2  "@acme/b-sdk"  via lib  (sdk b-sdk)');
  });

  it('labels at most three imports and counts the rest', () => {
    const edge = (n: number) => ({
      consumer: 'a',
      provider: 'b',
      imports: Array.from({ length: n }, (_, i) => evidence(`f${i}.ts`, 'a')),
    });
    expect(edgeLabelLines(edge(4))).toEqual(['f0.ts:2', 'f1.ts:2', 'f2.ts:2', 'f3.ts:2']);
    expect(edgeLabelLines(edge(6))).toEqual(['f0.ts:2', 'f1.ts:2', 'f2.ts:2', '+3 more']);
  });
});
