import { describe, expect, it } from 'vitest';
import { copySources, missingSources } from './dockerfile-copies';

describe('copySources', () => {
  it.each([
    ['a plain COPY', 'FROM node:20\nCOPY package.json ./\n', [[2, 'package.json']]],
    [
      'several sources',
      'COPY a.json b.json ./\n',
      [
        [1, 'a.json'],
        [1, 'b.json'],
      ],
    ],
    ['flags before the sources', 'COPY --chown=node:node --chmod=644 src/ ./src/\n', [[1, 'src/']]],
    ['the exec form', 'COPY ["dist/app", "/app"]\n', [[1, 'dist/app']]],
    [
      'continuation lines',
      'COPY \\\n  a \\\n  b \\\n  /dest\n',
      [
        [1, 'a'],
        [1, 'b'],
      ],
    ],
    ['lower case', 'copy x /y\n', [[1, 'x']]],
    ['ADD of a local file', 'ADD vendor.tar.gz /opt/\n', [[1, 'vendor.tar.gz']]],
    ['from another stage', 'COPY --from=build /app/dist ./dist\n', []],
    ['from an image', 'COPY --from nginx:1 /etc/nginx /etc/nginx\n', []],
    ['an URL', 'ADD https://example.com/x.tgz /tmp/\n', []],
    ['a git source', 'ADD git@github.com:acme/x.git /x\n', []],
    ['a heredoc', 'COPY <<EOF /etc/x\nhello\nEOF\n', []],
    ['a build argument', 'COPY ${APP_DIR}/main.js ./\n', []],
    ['a comment and RUN lines', '# COPY nothing\nRUN cp a b\n', []],
  ])('%s', (_, dockerfile, expected) => {
    expect(copySources(dockerfile).map((s) => [s.line, s.source])).toEqual(expected);
  });

  it('keeps the instruction for the message', () => {
    expect(copySources('FROM x\nCOPY --chown=node src/ ./src/\n')[0]).toEqual({
      line: 2,
      instruction: 'COPY --chown=node src/ ./src/',
      source: 'src/',
    });
  });
});

describe('missingSources', () => {
  const files = ['package.json', 'services/orders/src/main.ts', 'services/orders/Dockerfile', '.dockerignore'];
  const source = (s: string) => ({ line: 1, instruction: `COPY ${s} .`, source: s });

  it.each([
    ['a file', 'package.json', false],
    ['a folder', 'services/orders', false],
    ['a folder with a slash', 'services/orders/', false],
    ['a leading ./', './package.json', false],
    ['the whole context', '.', false],
    ['a glob matching a file', 'services/*/src/*.ts', false],
    ['a glob matching a folder', 'services/ord*', false],
    ['a missing folder', 'src/', true],
    ['a missing file', 'tsconfig.json', true],
    ['a glob matching nothing', '*.lock', true],
    ['a prefix that is no folder', 'services/ord', true],
  ])('%s: %s missing %s', (_, path, missing) => {
    expect(missingSources([source(path)], files).length > 0).toBe(missing);
  });
});
