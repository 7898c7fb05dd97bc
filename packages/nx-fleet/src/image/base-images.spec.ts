import { describe, expect, it } from 'vitest';
import { baseImageLinks, followedRepository, linkedBases, takenAs, unlinkedBaseImages } from './base-images';

const base = (written: string, image: string | undefined = written) => ({
  line: 1,
  written,
  image,
  via: 'FROM' as const,
});

/** A FROM whose build argument has no value: the word as written only. */
const unexpanded = (written: string) => ({ line: 1, written, image: undefined, via: 'FROM' as const });

describe('followedRepository', () => {
  it.each([
    ['ghcr.io/acme/base', 'ghcr.io/acme/base', 'ghcr.io/acme/base'],
    ['ghcr.io/acme/base:latest', 'ghcr.io/acme/base:latest', 'ghcr.io/acme/base'],
    // A tag a build argument gives follows the sources, whatever the argument holds.
    ['ghcr.io/acme/base:$VERSION', 'ghcr.io/acme/base:7.1', 'ghcr.io/acme/base'],
    ['acme/base', 'acme/base', 'docker.io/acme/base'],
  ])('%s (%s) follows %s', (written, image, repository) => {
    expect(followedRepository(base(written, image))).toBe(repository);
  });

  it.each([
    ['a literal tag', 'ghcr.io/acme/base:1.4'],
    ['a digest', `ghcr.io/acme/base@sha256:${'a'.repeat(64)}`],
  ])('%s pins the published image', (_, ref) => {
    expect(followedRepository(base(ref))).toBeUndefined();
  });

  it('is none for a FROM only the engine can expand', () => {
    expect(followedRepository({ line: 1, written: '${BASE}', image: undefined, via: 'FROM' })).toBeUndefined();
    expect(followedRepository(unexpanded('${REGISTRY}/base:${TAG}'))).toBeUndefined();
  });

  it("follows the repository written when only the tag's argument has no value yet (given per build)", () => {
    expect(followedRepository(unexpanded('nangohq/nango:${BASE_IMAGE_HASH}'))).toBe('docker.io/nangohq/nango');
    expect(followedRepository(unexpanded(`acme/base:\${TAG}@sha256:${'a'.repeat(64)}`))).toBeUndefined();
    // A digest given per build, too (konto's `…/openapi-clients@${OPENAPI_CLIENTS_DIGEST}`).
    expect(followedRepository(unexpanded('harbor.example/acme/clients@${CLIENTS_DIGEST}'))).toBe(
      'harbor.example/acme/clients',
    );
  });
});

describe('takenAs', () => {
  it.each([
    ['FROM', 'FROM acme/base'],
    ['--from', '--from=acme/base'],
    ['mount', '--mount=from=acme/base'],
  ] as const)('names a %s as the Dockerfile writes it', (via, text) => {
    expect(takenAs({ via, written: 'acme/base' })).toBe(text);
  });
});

describe('linkedBases', () => {
  it("matches the FROMs to baseImages' repositories in Docker's full form", () => {
    const bases = [base('acme/base:$V', 'acme/base:2'), base('node:20'), base('docker.io/acme/tools')];
    expect(linkedBases(bases, { 'docker.io/acme/base': 'base:docker-build', 'acme/tools': 'tools:image' })).toEqual([
      { ...bases[0], project: 'base', target: 'docker-build' },
      { ...bases[2], project: 'tools', target: 'image' },
    ]);
    expect(linkedBases(bases, undefined)).toEqual([]);
  });

  it('links a FROM pinned to a literal tag where the entry was stated for it: no FROM that follows the sources takes it', () => {
    const pinned = [base('node:20'), base('terramatch-base:nx-base')];
    expect(linkedBases(pinned, { 'terramatch-base': 'root:docker-build' })).toEqual([
      { ...pinned[1], project: 'root', target: 'docker-build' },
    ]);
    expect(unlinkedBaseImages(pinned, { 'terramatch-base': 'root:docker-build' })).toEqual([]);
  });

  it('keeps a pinned FROM pinned where another FROM of that repository follows the sources, and a digest always', () => {
    const both = [base('acme/base'), base('acme/base:1.4')];
    expect(linkedBases(both, { 'acme/base': 'base:docker-build' })).toEqual([
      { ...both[0], project: 'base', target: 'docker-build' },
    ]);
    const digest = [base(`acme/base@sha256:${'a'.repeat(64)}`)];
    expect(linkedBases(digest, { 'acme/base': 'base:docker-build' })).toEqual([]);
    expect(unlinkedBaseImages(digest, { 'acme/base': 'base:docker-build' })).toEqual(['acme/base']);
  });

  it('names the entries no image of the build takes', () => {
    const bases = [base('acme/base'), base('node:20')];
    expect(unlinkedBaseImages(bases, { 'acme/base': 'base:docker-build', 'acme/tols': 'tools:docker-build' })).toEqual([
      'acme/tols',
    ]);
    expect(unlinkedBaseImages(bases, undefined)).toEqual([]);
  });
});

describe('baseImageLinks', () => {
  const service = (project: string, ...froms: string[]) => ({
    project,
    repositories: [project, `ghcr.io/acme/${project}`],
    bases: froms.map((from) => base(from)),
  });

  it('links each service to the services whose repositories its FROMs name, never itself, and no cycle', () => {
    const { links, cycles } = baseImageLinks(
      [
        service('base', 'ubuntu:24.04'),
        service('chrome', 'ghcr.io/acme/base:latest', 'ghcr.io/acme/chrome'),
        service('sdk', 'ghcr.io/acme/chrome', 'ghcr.io/acme/base'),
        service('x', 'ghcr.io/acme/y'),
        service('y', 'ghcr.io/acme/x'),
        // By the name it is built under, as a local base image is named.
        { project: 'local', repositories: ['local'], bases: [base('base:latest')] },
      ],
      'docker-build',
    );
    expect(Object.fromEntries(links)).toEqual({
      chrome: { 'ghcr.io/acme/base': 'base:docker-build' },
      sdk: { 'ghcr.io/acme/chrome': 'chrome:docker-build', 'ghcr.io/acme/base': 'base:docker-build' },
      local: { base: 'base:docker-build' },
    });
    expect(cycles).toEqual([['x', 'y']]);
  });

  it('keeps the links out of a cycle of the services on it', () => {
    const { links, cycles } = baseImageLinks(
      [service('a', 'ghcr.io/acme/b'), service('b', 'ghcr.io/acme/a', 'ghcr.io/acme/c'), service('c')],
      'docker-build',
    );
    expect(cycles).toEqual([['a', 'b']]);
    expect(Object.fromEntries(links)).toEqual({ b: { 'ghcr.io/acme/c': 'c:docker-build' } });
  });

  it("takes the links a project's own options state as written, for services only, and through the cycle check", () => {
    const { links, cycles } = baseImageLinks(
      [
        service('base'),
        // A FROM pinned to the tag its CI builds the base under: stated by hand, under the project's own target.
        { ...service('web', 'ghcr.io/acme/base:ci'), stated: { 'ghcr.io/acme/base': 'base:image' } },
        { ...service('api'), stated: { 'acme/gone': 'gone:docker-build', 'ghcr.io/acme/api': 'api:docker-build' } },
        service('p', 'ghcr.io/acme/q'),
        { ...service('q'), stated: { 'ghcr.io/acme/p': 'p:docker-build' } },
      ],
      'docker-build',
    );
    expect(Object.fromEntries(links)).toEqual({ web: { 'ghcr.io/acme/base': 'base:image' } });
    expect(cycles).toEqual([['p', 'q']]);
  });

  it("names the FROMs that pin a literal tag of another service's image, which nothing links", () => {
    const { links, pinned } = baseImageLinks(
      [
        service('base'),
        { project: 'nginx', repositories: ['nginx'], bases: [base('nginx:1.27-alpine')] },
        service('web', 'ghcr.io/acme/base:ci', 'ghcr.io/acme/base@sha256:' + 'a'.repeat(64)),
        // Docker Hub's official image by a version tag, beside a service of that name: not the service's.
        { project: 'site', repositories: ['site'], bases: [base('nginx:1.27'), base('nginx:edge')] },
        // Stated by hand: linked, so no hint.
        { ...service('api', 'ghcr.io/acme/base:ci'), stated: { 'ghcr.io/acme/base': 'base:docker-build' } },
        // Its own image, as a cache: no hint.
        service('self', 'ghcr.io/acme/self:cache'),
      ],
      'docker-build',
    );
    expect(Object.fromEntries(pinned)).toEqual({
      web: [{ taken: 'FROM ghcr.io/acme/base:ci', repository: 'ghcr.io/acme/base', project: 'base' }],
      site: [{ taken: 'FROM nginx:edge', repository: 'nginx', project: 'nginx' }],
    });
    expect(Object.fromEntries(links)).toEqual({ api: { 'ghcr.io/acme/base': 'base:docker-build' } });
  });
});
