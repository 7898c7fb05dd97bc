import { describe, expect, it } from 'vitest';
import { redactArgs, redactCommandLine, redactText, redactUrl } from './redact';

const CANARY = 'canary-s3cr3t-7f2a';

describe('redactUrl', () => {
  it.each([
    ['http://user:pw@broker.local:9292', 'http://***@broker.local:9292'],
    ['https://token@broker.local/path?x=1', 'https://***@broker.local/path?x=1'],
    ['https://broker.local/path', 'https://broker.local/path'],
    [`FAILED (http://fleet:${CANARY}@broker.local)`, 'FAILED (http://***@broker.local)'],
    ['two: http://a:b@h1/x and https://c@h2', 'two: http://***@h1/x and https://***@h2'],
    ['git@github.com:acme/repo.git', 'git@github.com:acme/repo.git'],
    ['mail me at ops@example.com', 'mail me at ops@example.com'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactText', () => {
  it('removes PEM blocks, known secret values and URL credentials', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\nMIGH${CANARY}\n-----END PRIVATE KEY-----`;
    const text = `key ${pem} token ${CANARY} at http://u:${CANARY}@h`;
    const out = redactText(text, [CANARY]);
    expect(out).not.toContain(CANARY);
    expect(out).toBe('key *** token *** at http://***@h');
  });

  it('ignores empty and very short secrets (they would erase ordinary text)', () => {
    expect(redactText('a b c', ['', undefined, 'b'])).toBe('a b c');
  });
});

describe('redactArgs', () => {
  it.each<[string, string[], string[]]>([
    ['container env', ['run', '--env', `TOKEN=${CANARY}`, 'img'], ['run', '--env', 'TOKEN=***', 'img']],
    ['-e and --env=', ['-e', `a=${CANARY}`, `--env=B=${CANARY}`], ['-e', 'a=***', '--env=B=***']],
    ['env by name is kept', ['--env', 'TOKEN'], ['--env', 'TOKEN']],
    ['skopeo creds', ['copy', '--dest-creds', `u:${CANARY}`, 'a', 'b'], ['copy', '--dest-creds', '***', 'a', 'b']],
    ['--password=', [`--password=${CANARY}`], ['--password=***']],
    ['build args', ['--build-arg', `npm_token=${CANARY}`], ['--build-arg', 'npm_token=***']],
    ['bare env pairs', [`NPM_TOKEN=${CANARY}`, 'org.label=x'], ['NPM_TOKEN=***', 'org.label=x']],
    ['URL credentials', ['push', `docker://u:${CANARY}@reg.local/a:1`], ['push', 'docker://***@reg.local/a:1']],
    [
      'a PEM as a value',
      ['sign', '--key', `-----BEGIN EC PRIVATE KEY-----\n${CANARY}\n-----END EC PRIVATE KEY-----`],
      ['sign', '--key', '***'],
    ],
    [
      'ordinary arguments',
      ['build', '-t', 'reg/a:1', '-f', 'Dockerfile'],
      ['build', '-t', 'reg/a:1', '-f', 'Dockerfile'],
    ],
  ])('%s', (_name, args, expected) => {
    expect(redactArgs(args)).toEqual(expected);
  });

  it('redactCommandLine joins the redacted words', () => {
    expect(redactCommandLine('podman', ['run', '-e', `K=${CANARY}`])).toBe('podman run -e K=***');
  });
});
