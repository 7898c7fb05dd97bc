import { describe, expect, it } from 'vitest';
import {
  commonBuildFlags,
  containerRunArgs,
  parseImageInspect,
  platformsProblem,
  runContainer,
  secretFlag,
  type RunRequest,
} from './engine';
import { buildRequest } from '../testing/build-request';
import { fakeProcesses, runResult as result, type ProcessAnswer } from '../testing/fake-ports';

/** No process is started: runContainer is checked by the argv it hands to run and runOk, answered in turn. */
function processesAnswering(...answers: ProcessAnswer[]) {
  return fakeProcesses(() => answers.shift() ?? new Error('no process may be spawned in unit tests'));
}

const runRequest = (overrides: Partial<RunRequest> = {}): RunRequest => ({
  image: 'acme/orders:ct-0123',
  hostPort: 41234,
  containerPort: 3000,
  env: {},
  ...overrides,
});

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
    expect(commonBuildFlags(buildRequest({ tags: [] }))).toEqual([
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
    ]);
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
          secrets: [
            { id: 'npmrc', src: '/s/.npmrc' },
            { id: 'token', env: 'NPM_TOKEN' },
          ],
        }),
      ),
    ).toEqual([
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'acme/a:ct-1',
      '-t',
      'acme/a:latest',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--build-arg',
      'NODE_ENV=production',
      '--build-arg',
      'EMPTY=',
      '--target',
      'runtime',
      '--platform',
      'linux/amd64,linux/arm64',
      '--secret',
      'id=npmrc,src=/s/.npmrc',
      '--secret',
      'id=token,env=NPM_TOKEN',
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

describe("commonBuildFlags: a FROM another service's image", () => {
  it('names it as buildah matches it, as written (1.28) and expanded (later), once when they are one', () => {
    const flags = commonBuildFlags(
      buildRequest({
        baseImages: [
          { written: 'ghcr.io/acme/base:$VERSION', image: 'ghcr.io/acme/base:latest', source: 'base:ct-1' },
          { written: 'ghcr.io/acme/tools', image: 'ghcr.io/acme/tools', source: 'tools:ct-2' },
        ],
      }),
    );
    expect(flags.flatMap((flag, i) => (flags[i - 1] === '--build-context' ? [flag] : []))).toEqual([
      'ghcr.io/acme/base:$VERSION=docker-image://base:ct-1',
      'ghcr.io/acme/base:latest=docker-image://base:ct-1',
      'ghcr.io/acme/tools=docker-image://tools:ct-2',
    ]);
  });
});

describe('containerRunArgs', () => {
  it('runs detached, publishes the container port on the loopback host port only, and ends with the image', () => {
    expect(containerRunArgs(runRequest())).toEqual([
      'run',
      '--detach',
      '--publish',
      '127.0.0.1:41234:3000',
      'acme/orders:ct-0123',
    ]);
  });

  it('passes every variable by name only (--env KEY), in order, before the image: values never reach argv', () => {
    expect(
      containerRunArgs(runRequest({ env: { PORT: '3000', DATABASE_URL: 'postgres://u:pw@db/orders', EMPTY: '' } })),
    ).toEqual([
      'run',
      '--detach',
      '--publish',
      '127.0.0.1:41234:3000',
      '--env',
      'PORT',
      '--env',
      'DATABASE_URL',
      '--env',
      'EMPTY',
      'acme/orders:ct-0123',
    ]);
  });

  it('refuses a name the engine would read as a pair or a glob, naming it', () => {
    for (const name of ['A=B', 'TOKEN*', '1ST', '', '-e'])
      expect(() => containerRunArgs(runRequest({ env: { [name]: 'x' } }))).toThrow(`variable "${name}"`);
  });

  it('never publishes on every interface', () => {
    const publish = containerRunArgs(runRequest({ hostPort: 5000, containerPort: 8080 }));
    expect(publish[publish.indexOf('--publish') + 1]).toBe('127.0.0.1:5000:8080');
    expect(publish.some((arg) => arg.startsWith('0.0.0.0') || arg === '-P' || arg === '--publish-all')).toBe(false);
  });
});

describe('runContainer', () => {
  it.each(['podman', 'docker'] as const)(
    '%s: starts the container with containerRunArgs and takes the id from the last line of its output',
    async (tool) => {
      const processes = processesAnswering(result('Trying to pull acme/orders...\n4f1e2d3c4b5a69788796a5b4c3d2e1f0\n'));
      const container = await runContainer(processes, tool, runRequest({ env: { PORT: '3000' } }));
      expect(container.id).toBe('4f1e2d3c4b5a69788796a5b4c3d2e1f0');
      expect(processes.calls).toEqual([
        {
          method: 'runOk',
          command: tool,
          args: containerRunArgs(runRequest({ env: { PORT: '3000' } })),
          options: { addEnv: { PORT: '3000' } },
        },
      ]);
    },
  );

  it('asks the engine whether the container still runs, by id', async () => {
    const processes = processesAnswering(result('abc123\n'), result('true\n'), result('false\n'));
    const container = await runContainer(processes, 'podman', runRequest());
    expect(await container.running()).toBe(true);
    expect(await container.running()).toBe(false);
    expect(processes.calls[1]).toEqual({
      method: 'run',
      command: 'podman',
      args: ['inspect', '--format', '{{.State.Running}}', 'abc123'],
    });
  });

  it('counts a container the engine no longer knows as not running', async () => {
    const processes = processesAnswering(result('abc123\n'), result('', 'Error: No such object: abc123', 1));
    const container = await runContainer(processes, 'docker', runRequest());
    expect(await container.running()).toBe(false);
  });

  it('returns the last 50 lines of logs, stdout and stderr together, and removes the container by force', async () => {
    const processes = processesAnswering(
      result('abc123\n'),
      result('listening on 3000\n', 'warning: no DATABASE_URL\n'),
      result('abc123\n'),
    );
    const container = await runContainer(processes, 'docker', runRequest());
    expect(await container.logs()).toBe('listening on 3000\nwarning: no DATABASE_URL');
    expect(processes.calls[1]).toEqual({ method: 'run', command: 'docker', args: ['logs', '--tail', '50', 'abc123'] });
    await container.remove();
    expect(processes.calls[2]).toEqual({ method: 'run', command: 'docker', args: ['rm', '--force', 'abc123'] });
  });

  it('passes a failure to start on', async () => {
    const processes = processesAnswering(new Error('nx-fleet: `docker run` exited with code 125'));
    await expect(runContainer(processes, 'docker', runRequest())).rejects.toThrow('exited with code 125');
  });
});

describe('parseImageInspect', () => {
  // Trimmed from `podman image inspect` 4.3.1 here (the same shape as `docker image inspect`).
  const PODMAN = JSON.stringify([
    {
      Id: '942120feab44a3c963992891ca47ef7a53e0fb1a425c8f54c27f451b84762dc4',
      Labels: { 'io.buildah.version': '1.28.2' },
      Config: { Labels: { 'io.buildah.version': '1.28.2', 'org.opencontainers.image.revision': '33d2138a' } },
    },
  ]);
  // `buildah inspect --type image`: one object, the labels under the OCI config.
  const BUILDAH = JSON.stringify({
    FromImageID: '942120feab44a3c963992891ca47ef7a53e0fb1a425c8f54c27f451b84762dc4',
    OCIv1: { config: { Labels: { 'dev.nx-fleet.content-tag': 'ct-1' } } },
  });

  it.each([
    ['podman/docker', PODMAN, { 'io.buildah.version': '1.28.2', 'org.opencontainers.image.revision': '33d2138a' }],
    ['buildah', BUILDAH, { 'dev.nx-fleet.content-tag': 'ct-1' }],
  ])('%s: the id as a digest and the labels', (_, stdout, labels) => {
    expect(parseImageInspect(stdout)).toEqual({
      id: 'sha256:942120feab44a3c963992891ca47ef7a53e0fb1a425c8f54c27f451b84762dc4',
      labels,
    });
  });

  it('nothing it can read: undefined', () => {
    expect(parseImageInspect('')).toBeUndefined();
    expect(parseImageInspect('[]')).toBeUndefined();
    expect(parseImageInspect('[{"Id":""}]')).toBeUndefined();
  });
});

describe('platformsProblem', () => {
  it.each([
    ['podman', ['linux/amd64', 'linux/arm64'], true],
    ['buildah', ['linux/amd64', 'linux/arm64'], true],
    ['podman', ['linux/arm64'], false],
    ['podman', ['linux/amd64,linux/arm64'], true],
    ['podman', ['linux/amd64', 'linux/amd64'], false],
    ['podman', [], false],
    // Docker makes one multi-platform image where its store can, and refuses the build itself where not.
    ['docker', ['linux/amd64', 'linux/arm64'], false],
  ] as const)('%s building %j: refused %s', (engine, platforms, refused) => {
    expect(platformsProblem(engine, platforms) !== undefined).toBe(refused);
  });
});
