import { describe, expect, it } from 'vitest';
import { familiarName, referenceParts } from './image-reference';

describe('referenceParts', () => {
  it.each([
    ['node', { repository: 'docker.io/library/node' }],
    ['node:20', { repository: 'docker.io/library/node', tag: '20' }],
    ['acme/base:latest', { repository: 'docker.io/acme/base', tag: 'latest' }],
    ['Ghcr.io/Acme/Base', { repository: 'ghcr.io/acme/base' }],
    ['index.docker.io/acme/base', { repository: 'docker.io/acme/base' }],
    ['index.docker.io/node', { repository: 'docker.io/library/node' }],
    ['docker.io/node:20', { repository: 'docker.io/library/node', tag: '20' }],
    ['localhost:5000/base:1', { repository: 'localhost:5000/base', tag: '1' }],
    ['localhost/base', { repository: 'localhost/base' }],
    [`r.example/a/b@sha256:${'a'.repeat(64)}`, { repository: 'r.example/a/b', digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s', (ref, parts) => {
    expect(referenceParts(ref)).toEqual(parts);
  });
});

describe('familiarName', () => {
  it.each([
    ['docker.io/library/node:latest', 'node'],
    ['node:20', 'node:20'],
    ['docker.io/acme/base', 'acme/base'],
    ['ghcr.io/acme/base:latest', 'ghcr.io/acme/base'],
    ['localhost:5000/base:ct-1', 'localhost:5000/base:ct-1'],
  ])('%s → %s', (ref, name) => {
    expect(familiarName(ref)).toBe(name);
  });
});
