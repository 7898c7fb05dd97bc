import { describe, expect, it } from 'vitest';
import { commonBuildFlags, secretFlag } from './engine';
import { buildRequest } from './testing/build-request';

describe('secretFlag', () => {
  it('spells a file secret as id=…,src=…', () => {
    expect(secretFlag({ id: 'npmrc', src: '/home/me/.npmrc' })).toBe('id=npmrc,src=/home/me/.npmrc');
  });

  it('spells an environment secret as id=…,env=…', () => {
    expect(secretFlag({ id: 'token', env: 'NPM_TOKEN' })).toBe('id=token,env=NPM_TOKEN');
  });

  it('prefers src when both are given', () => {
    expect(secretFlag({ id: 'x', src: 'f', env: 'E' })).toBe('id=x,src=f');
  });

  it('names the secret when it has neither src nor env', () => {
    expect(() => secretFlag({ id: 'npmrc' })).toThrow(
      'nx-fleet: build secret "npmrc" needs "src" (a file) or "env" (an environment variable).',
    );
  });
});

describe('commonBuildFlags', () => {
  it('always names the Dockerfile and the iid file', () => {
    expect(commonBuildFlags(buildRequest({ tags: [] }))).toEqual(['-f', '/ws/services/a/Dockerfile', '--iidfile', '/tmp/iid']);
  });

  it('spells every flag in order', () => {
    expect(
      commonBuildFlags(
        buildRequest({
          tags: ['acme/a:ct-1', 'acme/a:latest'],
          labels: { 'org.opencontainers.image.revision': 'abc' },
          buildArgs: { NODE_ENV: 'production', EMPTY: '' },
          target: 'runtime',
          platforms: ['linux/amd64', 'linux/arm64'],
          secrets: [{ id: 'npmrc', src: '/s/.npmrc' }, { id: 'token', env: 'NPM_TOKEN' }],
        }),
      ),
    ).toEqual([
      '-f', '/ws/services/a/Dockerfile',
      '--iidfile', '/tmp/iid',
      '-t', 'acme/a:ct-1',
      '-t', 'acme/a:latest',
      '--label', 'org.opencontainers.image.revision=abc',
      '--build-arg', 'NODE_ENV=production',
      '--build-arg', 'EMPTY=',
      '--target', 'runtime',
      '--platform', 'linux/amd64,linux/arm64',
      '--secret', 'id=npmrc,src=/s/.npmrc',
      '--secret', 'id=token,env=NPM_TOKEN',
    ]);
  });

  it('omits --target and --platform when not set', () => {
    const flags = commonBuildFlags(buildRequest({ target: undefined, platforms: [] }));
    expect(flags).not.toContain('--target');
    expect(flags).not.toContain('--platform');
  });

  it('keeps a build arg value with shell metacharacters as one argv element', () => {
    const value = '$(rm -rf /); echo "pwned" `id` && | > x';
    const flags = commonBuildFlags(buildRequest({ buildArgs: { EVIL: value } }));
    const i = flags.indexOf('--build-arg');
    expect(flags[i + 1]).toBe(`EVIL=${value}`);
    expect(flags.filter((flag) => flag.includes('rm -rf'))).toHaveLength(1);
  });

  it('keeps a label value with spaces and quotes as one argv element', () => {
    const flags = commonBuildFlags(buildRequest({ labels: { description: `it's "quoted"; $HOME` } }));
    expect(flags.slice(-2)).toEqual(['--label', `description=it's "quoted"; $HOME`]);
  });

  it('throws for a secret with neither src nor env', () => {
    expect(() => commonBuildFlags(buildRequest({ secrets: [{ id: 'oops' }] }))).toThrow(/build secret "oops"/);
  });
});
