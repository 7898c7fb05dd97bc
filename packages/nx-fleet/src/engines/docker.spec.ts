import { beforeEach, describe, expect, it, vi } from 'vitest';
import { run, runOk } from '../io/process';
import { dockerBuildArgs, dockerEngine, parseDockerPushDigest } from './docker';
import { containerRunArgs } from './engine';
import { buildRequest } from '../testing/build-request';

const withCache = buildRequest({
  buildArgs: { NODE_ENV: 'production' },
  cacheFrom: ['type=registry,ref=ghcr.io/acme/a:cache'],
  cacheTo: ['type=registry,ref=ghcr.io/acme/a:cache,mode=max'],
});

describe('dockerBuildArgs', () => {
  it('uses `buildx build --load` with buildx, keeping --cache-to', () => {
    expect(dockerBuildArgs(withCache, true)).toEqual([
      'buildx',
      'build',
      '--load',
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'acme/a:ct-0123',
      '--build-arg',
      'NODE_ENV=production',
      '--cache-from',
      'type=registry,ref=ghcr.io/acme/a:cache',
      '--cache-to',
      'type=registry,ref=ghcr.io/acme/a:cache,mode=max',
      '/ws/services/a',
    ]);
  });

  it('uses plain `build` with the classic builder and drops --cache-to (it has none)', () => {
    const args = dockerBuildArgs(withCache, false);
    expect(args).toEqual([
      'build',
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'acme/a:ct-0123',
      '--build-arg',
      'NODE_ENV=production',
      '--cache-from',
      'type=registry,ref=ghcr.io/acme/a:cache',
      '/ws/services/a',
    ]);
    expect(args).not.toContain('--cache-to');
    expect(args).not.toContain('--load');
  });

  it('joins platforms with a comma and passes target and secrets', () => {
    const args = dockerBuildArgs(
      buildRequest({
        platforms: ['linux/amd64', 'linux/arm64'],
        target: 'prod',
        secrets: [{ id: 'npmrc', env: 'NPMRC' }],
      }),
      true,
    );
    expect(args).toContain('--platform');
    expect(args[args.indexOf('--platform') + 1]).toBe('linux/amd64,linux/arm64');
    expect(args[args.indexOf('--target') + 1]).toBe('prod');
    expect(args[args.indexOf('--secret') + 1]).toBe('id=npmrc,env=NPMRC');
  });

  it('keeps a build arg value with shell metacharacters as one argv element', () => {
    for (const buildx of [true, false]) {
      const args = dockerBuildArgs(buildRequest({ buildArgs: { CMD: '$(rm -rf /); echo' } }), buildx);
      expect(args.filter((arg) => arg.includes('rm -rf'))).toEqual(['CMD=$(rm -rf /); echo']);
      expect(args.at(-1)).toBe('/ws/services/a');
    }
  });
});

describe('parseDockerPushDigest', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

  it('reads the digest from real `docker push` output', () => {
    const output = [
      'The push refers to repository [localhost:5000/acme/a]',
      '5f70bf18a086: Layer already exists',
      'a1b2c3d4e5f6: Pushed',
      `1: digest: ${digest} size: 527`,
      '',
    ].join('\n');
    expect(parseDockerPushDigest(output)).toBe(digest);
  });

  it('reads it from a named tag line too', () => {
    expect(parseDockerPushDigest(`ct-0123: digest: ${digest} size: 1570\n`)).toBe(digest);
  });

  it('returns undefined without a full digest', () => {
    expect(parseDockerPushDigest('The push refers to repository [x]\nPushed\n')).toBeUndefined();
    expect(parseDockerPushDigest('latest: digest: sha256:abc size: 527')).toBeUndefined();
    expect(parseDockerPushDigest('')).toBeUndefined();
  });
});

// No process is started: the engine methods below are checked by the argv they hand to runOk.
vi.mock('../io/process', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../io/process')>()),
  run: vi.fn(() => Promise.reject(new Error('no process may be spawned in unit tests'))),
  runOk: vi.fn(() => Promise.resolve({ code: 0, stdout: '', stdoutBytes: Buffer.alloc(0), stderr: '' })),
}));

describe('dockerEngine', () => {
  beforeEach(() => {
    vi.mocked(runOk).mockClear();
    vi.mocked(run).mockClear();
  });

  it('is named docker and starts no process until used', () => {
    expect(dockerEngine().name).toBe('docker');
    expect(run).not.toHaveBeenCalled();
    expect(runOk).not.toHaveBeenCalled();
  });

  it('saves with `docker save -o FILE REF`', async () => {
    await dockerEngine().save('acme/a:ct-0123', '/tmp/nx-fleet-scan-x/image.tar');
    expect(runOk).toHaveBeenCalledTimes(1);
    expect(vi.mocked(runOk).mock.calls[0]!.slice(0, 2)).toEqual([
      'docker',
      ['save', '-o', '/tmp/nx-fleet-scan-x/image.tar', 'acme/a:ct-0123'],
    ]);
    expect(run).not.toHaveBeenCalled();
  });

  it('passes a failure of save on', async () => {
    vi.mocked(runOk).mockRejectedValueOnce(new Error('nx-fleet: `docker save` exited with code 1'));
    await expect(dockerEngine().save('acme/a:ct-0123', '/tmp/i.tar')).rejects.toThrow('exited with code 1');
  });

  it('runs a container with `docker run --detach …` (the shared run arguments) and keeps the id it prints', async () => {
    const request = {
      image: 'acme/a:ct-0123',
      hostPort: 41234,
      containerPort: 8080,
      env: { PORT: '8080', LOG_LEVEL: 'debug' },
    };
    vi.mocked(runOk).mockResolvedValueOnce({
      code: 0,
      stdout: 'deadbeef\n',
      stdoutBytes: Buffer.from('deadbeef\n'),
      stderr: '',
    });
    const container = await dockerEngine().run(request);
    expect(container.id).toBe('deadbeef');
    expect(vi.mocked(runOk).mock.calls).toEqual([['docker', containerRunArgs(request)]]);
    expect(run).not.toHaveBeenCalled();
  });
});
