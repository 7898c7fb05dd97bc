import { describe, expect, it } from 'vitest';
import { isDockerBuild, readDockerBuild, workspacePath } from './docker-cli';
import { shellCommands } from '../../../text/shell-words';

const read = (script: string, cwd = 'apps/api') => {
  const call = readDockerBuild(shellCommands(script)[0]!, cwd);
  return { ...call, tags: call.tags.map((t) => t.text) };
};

describe('readDockerBuild', () => {
  it.each([
    [
      'docker build -t acme/api:latest .',
      {
        tags: ['acme/api:latest'],
        context: 'apps/api',
        dockerfile: 'apps/api/Dockerfile',
        buildArgs: {},
        problems: [],
      },
    ],
    [
      'docker buildx build --tag=acme/api -f docker/api.Dockerfile --build-arg NODE_ENV=production --target runtime ../..',
      {
        tags: ['acme/api'],
        context: '.',
        dockerfile: 'apps/api/docker/api.Dockerfile',
        buildArgs: { NODE_ENV: 'production' },
        target: 'runtime',
        problems: [],
      },
    ],
    [
      'DOCKER_BUILDKIT=1 docker image build --platform linux/amd64,linux/arm64 --no-cache -q -t a -t b:1 .',
      {
        tags: ['a', 'b:1'],
        context: 'apps/api',
        dockerfile: 'apps/api/Dockerfile',
        buildArgs: {},
        platforms: ['linux/amd64', 'linux/arm64'],
        problems: [],
      },
    ],
    [
      'podman build --layers -t api --network=host .',
      { tags: ['api'], context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: {}, problems: [] },
    ],
  ])('%s', (script, expected) => {
    expect(read(script)).toEqual(expected);
  });

  it.each([
    ['docker build -t api - < Dockerfile', 'the context is streamed on stdin (-): no folder to adopt'],
    [
      'docker build -t api https://github.com/acme/api.git',
      'the context is a remote URL (https://github.com/acme/api.git)',
    ],
    ['docker build -t api $CONTEXT', 'the context $CONTEXT depends on the environment'],
    ['docker build -t api ../../..', 'the context ../../.. is outside the workspace'],
    ['docker build -t api', 'no build context argument'],
    ['docker build --build-arg TOKEN .', 'build arg TOKEN takes its value from the environment'],
    ['docker build --build-arg V=$VERSION .', 'build arg V=$VERSION depends on the environment'],
    [
      'docker build --build-arg APP_VERSION={args.tag} .',
      "build arg APP_VERSION={args.tag} takes nx run's argument: pass it as nx run's --buildArgs.APP_VERSION=…",
    ],
    [
      `docker build --build-arg VERSION=$(node -p "require('./package.json').version") -t ghcr.io/acme/cli .`,
      "build arg VERSION=$(node -p require('./package.json').version) depends on the environment (computed when the build runs: pass it as nx run's --buildArgs.VERSION=…)",
    ],
    ['docker build -f $FILE .', 'the Dockerfile $FILE depends on the environment'],
    ['docker build --target $STAGE .', '--target $STAGE depends on the environment'],
    ['docker build --platform $PLATFORM .', '--platform $PLATFORM depends on the environment'],
  ])('reports %s', (script, problem) => {
    expect(read(script).problems).toContain(problem);
  });

  it('reads named build contexts from the folder the command runs in, and names those docker-build does not pass', () => {
    const call = read(
      'docker buildx build --build-context dist=../web/dist --build-context=base=docker-image://node:20 --build-context src=https://github.com/acme/src.git --build-context up=../../.. --build-context x=$DIR .',
    );
    expect(call.buildContexts).toEqual({ dist: 'apps/web/dist', base: 'docker-image://node:20' });
    expect(call.problems).toEqual([
      '--build-context src=https://github.com/acme/src.git: docker-build passes workspace folders and docker-image:// references only',
      '--build-context up=../../..: docker-build passes workspace folders and docker-image:// references only',
      '--build-context x=$DIR depends on the environment',
    ]);
    expect(read('docker build .').buildContexts).toBeUndefined();
  });

  it('reads build secrets from the folder the command runs in, and names an SSH forward docker-build does not pass', () => {
    const call = read(
      'docker build --secret id=npmrc,src=../../.npmrc --secret id=token,env=GH_TOKEN --secret=id=abs,source=/run/s --secret id=bare --secret id=v,src=$HOME/.npmrc --ssh default .',
    );
    expect(call.secrets).toEqual([
      { id: 'npmrc', src: '.npmrc' },
      { id: 'token', env: 'GH_TOKEN' },
      { id: 'abs', src: '/run/s' },
    ]);
    expect(call.problems).toEqual([
      '--secret id=bare: docker-build takes a secret as an id with a file (src) or an environment variable (env)',
      '--secret id=v,src=$HOME/.npmrc depends on the environment: set docker-build\'s "secrets": [{ "id": "v", "src": "<the file\'s path>" }], or { "id": "v", "env": "<a variable holding its content>" } where the path differs between machines',
      '--ssh default: docker-build forwards no SSH agent',
    ]);
    expect(read('docker build .').secrets).toBeUndefined();
  });

  it('recognises image builds only', () => {
    const is = (script: string) => isDockerBuild(shellCommands(script)[0]!);
    expect(['docker build .', 'docker buildx build .', 'podman build .', 'X=1 docker build .'].map(is)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['docker push api', 'docker run api', 'docker compose build', 'npm run build'].map(is)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('resolves paths from the directory the command runs in', () => {
    expect(workspacePath('apps/api', '.')).toBe('apps/api');
    expect(workspacePath('apps/api', '../..')).toBe('.');
    expect(workspacePath('.', './dist/apps/api/')).toBe('dist/apps/api');
    expect(workspacePath('apps/api', '/abs')).toBeUndefined();
  });
});
