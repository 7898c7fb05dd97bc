import { describe, expect, it } from 'vitest';
import { CONTENT_TAG_PREFIX, contentTag, type ContentInputs } from './content-tag';

const sha = (c: string) => c.repeat(64);

function inputs(overrides: Partial<ContentInputs> = {}): ContentInputs {
  return {
    files: [
      { path: 'Dockerfile', sha256: sha('a') },
      { path: 'src/main.ts', sha256: sha('b') },
    ],
    dockerfile: 'FROM node:20\nCOPY . .\n',
    buildArgs: { NODE_ENV: 'production', VERSION: '1.2.3' },
    target: 'runtime',
    platforms: ['linux/amd64', 'linux/arm64'],
    ...overrides,
  };
}

/** `inputs()`'s tag as nx-fleet computed it before named contexts existed. */
const TAG_WITHOUT_NAMED_CONTEXTS = 'ct-8a6fa86c5ec650187bfa4c693fc5c785';

/** Docker reference grammar for a tag: `[\w][\w.-]{0,127}`. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

describe('contentTag', () => {
  it('is a valid docker tag with the ct- prefix and a 32-hex-digit hash', () => {
    const tag = contentTag(inputs());
    expect(CONTENT_TAG_PREFIX).toBe('ct-');
    expect(tag).toMatch(/^ct-[0-9a-f]{32}$/);
    expect(tag).toMatch(DOCKER_TAG);
    expect(tag.length).toBeLessThanOrEqual(128);
  });

  it('is stable for the same inputs', () => {
    expect(contentTag(inputs())).toBe(contentTag(inputs()));
  });

  it('ignores the order of build arg keys and of platforms', () => {
    const base = contentTag(inputs());
    expect(contentTag(inputs({ buildArgs: { VERSION: '1.2.3', NODE_ENV: 'production' } }))).toBe(base);
    expect(contentTag(inputs({ platforms: ['linux/arm64', 'linux/amd64'] }))).toBe(base);
  });

  it('does not mutate the platforms it sorts', () => {
    const platforms = ['linux/arm64', 'linux/amd64'];
    contentTag(inputs({ platforms }));
    expect(platforms).toEqual(['linux/arm64', 'linux/amd64']);
  });

  it.each<[string, Partial<ContentInputs>]>([
    [
      'a file hash',
      {
        files: [
          { path: 'Dockerfile', sha256: sha('a') },
          { path: 'src/main.ts', sha256: sha('c') },
        ],
      },
    ],
    [
      'a file path',
      {
        files: [
          { path: 'Dockerfile', sha256: sha('a') },
          { path: 'src/index.ts', sha256: sha('b') },
        ],
      },
    ],
    ['an added file', { files: [...inputs().files, { path: 'README.md', sha256: sha('d') }] }],
    ['a removed file', { files: [{ path: 'Dockerfile', sha256: sha('a') }] }],
    ['the Dockerfile text', { dockerfile: 'FROM node:22\nCOPY . .\n' }],
    ['a build arg value', { buildArgs: { NODE_ENV: 'production', VERSION: '1.2.4' } }],
    ['a build arg name', { buildArgs: { NODE_ENV: 'production', RELEASE: '1.2.3' } }],
    ['an added build arg', { buildArgs: { NODE_ENV: 'production', VERSION: '1.2.3', DEBUG: '1' } }],
    ['the target', { target: 'debug' }],
    ['no target', { target: undefined }],
    ['a platform', { platforms: ['linux/amd64'] }],
    ['no platform', { platforms: [] }],
    ['a named context', { namedContexts: [{ name: 'assets', files: [{ path: 'a.txt', sha256: sha('e') }] }] }],
    ['an image named context', { namedContexts: [{ name: 'base', ref: 'docker-image://node:20' }] }],
  ])('changes when %s changes', (_label, overrides) => {
    expect(contentTag(inputs(overrides))).not.toBe(contentTag(inputs()));
  });

  it('does not confuse a path/hash boundary (no concatenation ambiguity)', () => {
    const a = contentTag(inputs({ files: [{ path: 'ab', sha256: 'c' }] }));
    const b = contentTag(inputs({ files: [{ path: 'a', sha256: 'bc' }] }));
    expect(a).not.toBe(b);
  });

  it('does not confuse a build arg key/value boundary', () => {
    expect(contentTag(inputs({ buildArgs: { A: 'B=C' } }))).not.toBe(contentTag(inputs({ buildArgs: { 'A=B': 'C' } })));
  });

  it('keeps the tags of images built without named contexts', () => {
    expect(contentTag(inputs({ namedContexts: [] }))).toBe(contentTag(inputs()));
    // The tag of these inputs before named contexts existed: a change here rebuilds every image.
    expect(contentTag(inputs())).toBe(TAG_WITHOUT_NAMED_CONTEXTS);
  });

  it('follows a named context folder file by file, whatever the order of the names', () => {
    const file = (c: string) => [{ path: 'index.js', sha256: sha(c) }];
    const two = (x: string) => [
      { name: 'dist', files: file(x) },
      { name: 'assets', ref: 'docker-image://localhost/assets:1' },
    ];
    expect(contentTag(inputs({ namedContexts: two('e') }))).toBe(
      contentTag(inputs({ namedContexts: [...two('e')].reverse() })),
    );
    expect(contentTag(inputs({ namedContexts: two('e') }))).not.toBe(contentTag(inputs({ namedContexts: two('f') })));
  });
});
