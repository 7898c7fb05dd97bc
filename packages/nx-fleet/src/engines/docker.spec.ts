import { describe, expect, it } from 'vitest';
import { dockerBuildArgs, dockerEngine, parseDockerPushDigest } from './docker';
import { containerRunArgs } from './engine';
import { buildRequest } from '../testing/build-request';
import { fakeProcesses, runResult, type ProcessAnswer } from '../testing/fake-ports';

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

  it('passes each named build context as --build-context name=value', () => {
    const args = dockerBuildArgs(
      buildRequest({ buildContexts: { dist: '/ws/apps/web/dist', base: 'docker-image://localhost/base:1' } }),
      true,
    );
    expect(args.slice(args.indexOf('--build-context'), args.indexOf('--build-context') + 4)).toEqual([
      '--build-context',
      'dist=/ws/apps/web/dist',
      '--build-context',
      'base=docker-image://localhost/base:1',
    ]);
    expect(dockerBuildArgs(buildRequest(), true)).not.toContain('--build-context');
  });

  it("names a FROM's base image by Docker's short name with buildx (BuildKit's lookup), and not at all without it", () => {
    const baseImages = [
      { written: 'ghcr.io/acme/base:$V', image: 'ghcr.io/acme/base:latest', source: 'base:ct-1' },
      { written: 'docker.io/library/node:20', image: 'docker.io/library/node:20', source: 'node-base:ct-2' },
    ];
    const args = dockerBuildArgs(buildRequest({ baseImages }), true);
    expect(args.flatMap((arg, i) => (args[i - 1] === '--build-context' ? [arg] : []))).toEqual([
      'ghcr.io/acme/base=docker-image://base:ct-1',
      'node:20=docker-image://node-base:ct-2',
    ]);
    expect(dockerBuildArgs(buildRequest({ baseImages }), false)).not.toContain('--build-context');
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

// No process is started: the engine methods below are checked by the argv they hand to runOk,
// which answers exit 0 unless a test says otherwise.
function engineWith(...answers: ProcessAnswer[]) {
  const processes = fakeProcesses(() => answers.shift());
  return { engine: dockerEngine(processes, {}), calls: processes.calls };
}

describe('dockerEngine', () => {
  it('is named docker and starts no process until used', () => {
    const { engine, calls } = engineWith();
    expect(engine.name).toBe('docker');
    expect(calls).toEqual([]);
  });

  it('refuses named build contexts without buildx, before any build, naming what to install', async () => {
    const { engine, calls } = engineWith(runResult('', 'unknown command: docker buildx', 1));
    await expect(engine.build(buildRequest({ buildContexts: { dist: '/ws/dist' } }))).rejects.toThrow(
      /"buildContexts": dist\) need BuildKit's docker buildx.*docker-buildx/,
    );
    expect(calls.map((call) => call.args.join(' '))).toEqual(['buildx version']);
  });

  it("without buildx, tags the base's image as its FROM names it before the build (pulled first when the daemon has none)", async () => {
    const { engine, calls } = engineWith(
      runResult('', 'unknown command: docker buildx', 1),
      runResult('', 'No such image', 1),
    );
    const baseImages = [{ written: 'ghcr.io/acme/base', image: 'ghcr.io/acme/base', source: 'ghcr.io/acme/base:ct-1' }];
    await engine.build(buildRequest({ baseImages })).catch(() => undefined);
    expect(calls.slice(0, 4).map((call) => call.args.join(' '))).toEqual([
      'buildx version',
      'image inspect --format {{.Id}} ghcr.io/acme/base:ct-1',
      'pull ghcr.io/acme/base:ct-1',
      'tag ghcr.io/acme/base:ct-1 ghcr.io/acme/base',
    ]);
    expect(calls[4]!.args[0]).toBe('build');
  });

  it('passes a build argument whose name says it is a secret by name, its value in the environment', async () => {
    const { engine, calls } = engineWith(runResult(''));
    await engine.build(buildRequest({ buildArgs: { GITHUB_TOKEN: 'ghp_s3cr3t' } })).catch(() => undefined);
    const build = calls.find((call) => call.args[0] === 'build' || call.args[1] === 'build')!;
    expect(build.args.join(' ')).not.toContain('ghp_s3cr3t');
    expect(build.args).toContain('GITHUB_TOKEN');
    expect(build.options?.addEnv).toEqual({ GITHUB_TOKEN: 'ghp_s3cr3t' });
  });

  it('saves with `docker save -o FILE REF`', async () => {
    const { engine, calls } = engineWith();
    await engine.save('acme/a:ct-0123', '/tmp/nx-fleet-scan-x/image.tar');
    expect(calls).toEqual([
      { method: 'runOk', command: 'docker', args: ['save', '-o', '/tmp/nx-fleet-scan-x/image.tar', 'acme/a:ct-0123'] },
    ]);
  });

  it('passes a failure of save on', async () => {
    const { engine } = engineWith(new Error('nx-fleet: `docker save` exited with code 1'));
    await expect(engine.save('acme/a:ct-0123', '/tmp/i.tar')).rejects.toThrow('exited with code 1');
  });

  it('runs a container with `docker run --detach …` (the shared run arguments) and keeps the id it prints', async () => {
    const request = {
      image: 'acme/a:ct-0123',
      hostPort: 41234,
      containerPort: 8080,
      env: { PORT: '8080', LOG_LEVEL: 'debug' },
    };
    const { engine, calls } = engineWith(runResult('deadbeef\n'));
    const container = await engine.run(request);
    expect(container.id).toBe('deadbeef');
    expect(calls).toEqual([
      { method: 'runOk', command: 'docker', args: containerRunArgs(request), options: { addEnv: request.env } },
    ]);
  });
});
