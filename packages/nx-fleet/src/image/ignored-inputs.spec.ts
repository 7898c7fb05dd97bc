import { describe, expect, it } from 'vitest';
import { allowedGlobs, globReaches, ignoredGlobs } from './ignored-inputs';

const FILES = [
  '.dockerignore',
  '.github/workflows/ci.yml',
  'Dockerfile',
  'README.md',
  'apps/api/README.md',
  'apps/api/main.test.ts',
  'apps/api/main.ts',
  'docs/guide.md',
  'docs/img/a.png',
  'package.json',
];
const ALWAYS = ['Dockerfile', 'Dockerfile.dockerignore', '.dockerignore'];

describe('ignoredGlobs', () => {
  it.each([
    ['a folder: the folder whole', ['docs'], ['docs/**']],
    ['a folder written with slashes around it', ['/docs/'], ['docs/**']],
    ['a file name at the root only, as Docker reads it', ['*.md'], ['*.md']],
    ['a name at any depth', ['**/*.md'], ['**/*.md']],
    ['a folder of a folder', ['.github/workflows'], ['.github/workflows/**']],
    ['several lines, each on its own', ['.github', '**/*.test.ts'], ['.github/**', '**/*.test.ts']],
  ])('%s', (_, patterns, expected) => {
    expect(ignoredGlobs(FILES, patterns, ALWAYS)).toEqual(expected);
  });

  it.each([
    ['no ignore file', []],
    ['a line an exception after it sends again from (the lines are read in order)', ['docs', '!docs/guide.md']],
    ['a line that matches no listed file (build outputs, node_modules)', ['node_modules', 'dist']],
    ['a line that also matches the Dockerfile or the ignore file, which are always inputs', ['Dockerfile*', '.*']],
    ['character classes, braces and escapes (Nx reads them otherwise)', ['[d]ocs', '{docs,.github}', 'docs\\/x']],
    ['a line out of the context', ['../docs']],
  ])('negates nothing for %s', (_, patterns) => {
    expect(ignoredGlobs(FILES, patterns, ALWAYS)).toEqual([]);
  });

  it("negates the lines no exception after them reaches (Databuddy's and bigcapital's .env* then !.env.example)", () => {
    const files = [...FILES, '.env.example', '.env.local'];
    expect(ignoredGlobs(files, ['docs', '.github', '.env*', '!.env.example'], ALWAYS)).toEqual([
      'docs/**',
      '.github/**',
    ]);
    // An exception before a line is overridden by it: the line is negated.
    expect(ignoredGlobs(files, ['!.env.example', '.env*', 'docs'], ALWAYS)).toEqual(['.env*', 'docs/**']);
    // A pattern as the exception reaches every line whose folder is not apart from its own.
    expect(ignoredGlobs(files, ['docs', '.github', '!docs/*.md'], ALWAYS)).toEqual(['.github/**']);
    expect(ignoredGlobs(files, ['docs', '*.md', '!**/README.md'], ALWAYS)).toEqual([]);
  });

  it('negates nothing that matches a file the engine sends', () => {
    // `docs` alone leaves docs/ out; `docs/img` is negated only because the engine leaves it out too.
    expect(ignoredGlobs(FILES, ['docs/img', 'docs'], ALWAYS)).toEqual(['docs/img/**', 'docs/**']);
    // A whole-context line leaves only what is always an input: no negation may say so.
    expect(ignoredGlobs(FILES, ['*'], ALWAYS)).toEqual([]);
  });
});

describe('allowedGlobs', () => {
  const files = [...FILES, 'apps/api/src/index.ts', 'apps/web/main.ts', 'libs/ui/index.ts', 'libs/ui/package.json'];

  it.each([
    ['a folder and a file', ['*', '!apps/api', '!package.json'], ['apps/api/**', 'package.json']],
    ['written with slashes, after `**`', ['**', '!/apps/api/', '!libs/ui/'], ['apps/api/**', 'libs/ui/**']],
    ['a pattern naming files at any depth', ['*', '!**/package.json'], ['**/package.json']],
    ['a pattern naming folders', ['*', '!libs/*'], ['libs/*/**']],
    ['a later line leaving out again (negated by ignoredGlobs)', ['*', '!apps', 'apps/**/*.md'], ['apps/**']],
  ])('%s', (_, patterns, expected) => {
    expect(allowedGlobs(files, patterns, ALWAYS)).toEqual(expected);
  });

  it.each([
    ['an ignore file that is no allow-list', ['docs', '!docs/guide.md']],
    ['an exception Nx reads otherwise (a character class)', ['*', '![a]pps']],
    // The engine sends a build's git-ignored output from the disk: no listed file can stand for it.
    ['an exception naming what Nx lists nothing of (a build output)', ['*', '!package.json', '!dist']],
    ['no ignore file', []],
  ])('says nothing for %s', (_, patterns) => {
    expect(allowedGlobs(files, patterns, ALWAYS)).toBeUndefined();
  });

  it('covers every file the engine sends, or says nothing', () => {
    const sent = (patterns: string[]) => allowedGlobs(files, patterns, ALWAYS);
    // Docker sends a folder's files when the folder is named again: `apps/api/**` holds them.
    expect(sent(['*', '!apps/api', 'apps/api/src', '!apps/api/src/index.ts'])).toEqual([
      'apps/api/**',
      'apps/api/src/index.ts',
    ]);
    // `.` leaves nothing out as the engine reads it: the files it sends match no exception.
    expect(sent(['.', '!apps/api'])).toBeUndefined();
  });
});

describe('globReaches', () => {
  it.each([
    ['docs/**', 'docs/guide.md', true],
    ['docs/**', 'scripts/release.sh', false],
    ['*.md', 'README.md', true],
    ['*.md', 'apps/api/README.md', false],
    ['docs/**', 'docs/**', true],
    ['docs/img/**', 'docs/**', true],
    ['docs/**', 'docs/img/**', true],
    ['docs/**', 'documents/**', false],
    ['**/*.md', 'services/b/**', true],
    ['docs/**', '**', true],
    // Without `**`, a glob reaches files as deep as it is only (better-next-docker-template's root `*.md`).
    ['*.md', 'apps/server/**', false],
    ['*.md', '**', true],
    ['apps/*/README.md', 'apps/server/**', true],
    ['apps/*/README.md', 'apps/server/src/**', false],
    ['apps/*', 'apps/server/**', true],
    ['apps/server', 'apps/server/src/**', true],
    ['*', 'apps/server/**', true],
    ['apps/web/*.md', 'apps/server/**', false],
    ['*/server/*.md', 'apps/server/**', true],
    ['docs/*.md', 'docs/**', true],
  ])('%s reaches %s: %s', (glob, path, expected) => {
    expect(globReaches(glob, path)).toBe(expected);
  });
});
