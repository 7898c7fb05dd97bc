import { describe, expect, it } from 'vitest';
import { shellCommands } from './shell-words';

const texts = (script: string) => shellCommands(script).map((c) => [c.after ?? '', ...c.words.map((w) => w.text)]);

describe('shellCommands', () => {
  it.each([
    ['docker build -t acme/api .', [['', 'docker', 'build', '-t', 'acme/api', '.']]],
    [
      `docker build -t "acme/api:1" --build-arg 'A=b c' .`,
      [['', 'docker', 'build', '-t', 'acme/api:1', '--build-arg', 'A=b c', '.']],
    ],
    [
      'npm run build && docker buildx build . ; echo done',
      [
        ['', 'npm', 'run', 'build'],
        ['&&', 'docker', 'buildx', 'build', '.'],
        [';', 'echo', 'done'],
      ],
    ],
    ['docker build . # the image', [['', 'docker', 'build', '.']]],
    [
      'cat Dockerfile | docker build -',
      [
        ['', 'cat', 'Dockerfile'],
        ['|', 'docker', 'build', '-'],
      ],
    ],
  ])('%s', (script, expected) => {
    expect(texts(script)).toEqual(expected);
  });

  it('records variables without reading the environment, and keeps each word whole', () => {
    const [command] = shellCommands('docker build -t "acme/$NAME:${VERSION}" .');
    expect(command!.words[3]).toEqual({ text: 'acme/$NAME:$VERSION', variables: ['NAME', 'VERSION'], dynamic: false });
    // An expansion with an operator is written back as it was (pagopa/dx's `${DOCKER_BUILD_PLATFORMS:-linux/arm64,linux/amd64}`).
    const [defaulted] = shellCommands('docker build --platform ${PLATFORMS:-linux/arm64,linux/amd64} .');
    expect(defaulted!.words[3]).toEqual({
      text: '${PLATFORMS:-linux/arm64,linux/amd64}',
      variables: ['PLATFORMS'],
      dynamic: false,
    });
  });

  it('marks command substitutions and globs as dynamic, and records redirections', () => {
    const [sub] = shellCommands('docker build -t api $(pwd)');
    expect(sub!.words.some((w) => w.dynamic)).toBe(true);
    // One word, however many it holds (director-run's `--build-arg VERSION=$(node -p "require('./package.json').version")`).
    expect(texts(`docker build --build-arg VERSION=$(node -p "require('./package.json').version") -t x .`)).toEqual([
      ['', 'docker', 'build', '--build-arg', "VERSION=$(node -p require('./package.json').version)", '-t', 'x', '.'],
    ]);
    expect(shellCommands('echo $(dirname $(pwd)) done')[0]!.words.map((w) => [w.text, w.dynamic])).toEqual([
      ['echo', false],
      ['$(dirname $ ( pwd ))', true],
      ['done', false],
    ]);
    const [back] = shellCommands('docker build -t `cat name` .');
    expect(back!.words[3]!.dynamic).toBe(true);
    const [glob] = shellCommands('docker build -f *.Dockerfile .');
    expect(glob!.words[3]).toEqual({ text: '*.Dockerfile', variables: [], dynamic: true });
    const [stdin] = shellCommands('docker build -t api - < Dockerfile');
    expect(stdin!.redirects).toEqual(['< Dockerfile']);
  });
});
