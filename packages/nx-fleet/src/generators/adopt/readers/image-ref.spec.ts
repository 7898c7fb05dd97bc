import { describe, expect, it } from 'vitest';
import { isValidRepository, parseImageRef } from './image-ref';

describe('parseImageRef', () => {
  it.each([
    ['acme/build-manager', { repository: 'acme/build-manager' }],
    ['api:dev', { repository: 'api', tag: 'dev' }],
    ['ghcr.io/acme/api:1.2', { registry: 'ghcr.io', repository: 'acme/api', tag: '1.2' }],
    ['localhost:5000/api', { registry: 'localhost:5000', repository: 'api' }],
    ['localhost/api', { registry: 'localhost', repository: 'api' }],
    ['acme/api@sha256:abc', { repository: 'acme/api' }],
    ['acme/api:$VERSION', { repository: 'acme/api', tag: '$VERSION' }],
    // An npm package name as a tag (loopback4-microservice-catalog's `docker build -t @sourceloop/cache-example`): kept, to be refused as written.
    ['@sourceloop/cache-example', { repository: '@sourceloop/cache-example' }],
  ])('%s', (reference, expected) => {
    expect(parseImageRef(reference)).toEqual(expected);
  });

  it('accepts OCI repository names only', () => {
    expect(['acme/api', 'apps-api', 'a.b/c_d'].every(isValidRepository)).toBe(true);
    expect(['Acme/api', '@acme/api', 'api-', ''].some(isValidRepository)).toBe(false);
  });
});
