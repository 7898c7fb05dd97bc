import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerRunArgs } from './engine';
import { podmanBuildArgs, podmanFamilyEngine, podmanPushArgs } from './podman';
import { buildRequest } from '../testing/build-request';
import { fakeProcesses, runResult, type ProcessAnswer } from '../testing/fake-ports';

describe('podmanBuildArgs', () => {
  it('uses `podman build --layers` and ends with the context', () => {
    expect(podmanBuildArgs('podman', buildRequest())).toEqual([
      'build',
      '--layers',
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'acme/a:ct-0123',
      '/ws/services/a',
    ]);
  });

  it('pulls a base image from a registry its destination does not verify without TLS verification, and only then', () => {
    const base = { written: 'r:5000/base', image: 'r:5000/base', source: 'r:5000/base:ct-1' };
    expect(podmanBuildArgs('podman', buildRequest({ baseImages: [{ ...base, tlsVerify: false }] }))).toContain(
      '--tls-verify=false',
    );
    for (const baseImages of [[base], [{ ...base, tlsVerify: true }], []])
      expect(podmanBuildArgs('podman', buildRequest({ baseImages }))).not.toContain('--tls-verify=false');
  });

  it('uses no cached layer for a Dockerfile whose RUN bind-mounts files: buildah would reuse it whatever they hold', () => {
    for (const tool of ['podman', 'buildah'] as const) {
      expect(podmanBuildArgs(tool, buildRequest({ runBindMounts: true })).slice(1, 3)).toEqual([
        '--layers',
        '--no-cache',
      ]);
      expect(podmanBuildArgs(tool, buildRequest())).not.toContain('--no-cache');
    }
  });

  it('uses `buildah bud --layers` (layer caching is off by default in buildah)', () => {
    const args = podmanBuildArgs('buildah', buildRequest());
    expect(args.slice(0, 2)).toEqual(['bud', '--layers']);
    expect(args.at(-1)).toBe('/ws/services/a');
  });

  it('passes every build option, cache flags after the common ones, context last', () => {
    expect(
      podmanBuildArgs(
        'buildah',
        buildRequest({
          labels: { team: 'orders' },
          buildArgs: { NODE_ENV: 'production' },
          target: 'runtime',
          platforms: ['linux/amd64', 'linux/arm64'],
          secrets: [
            { id: 'npmrc', src: '/s/.npmrc' },
            { id: 'tok', env: 'NPM_TOKEN' },
          ],
          cacheFrom: ['registry.local/cache/a'],
          cacheTo: ['registry.local/cache/a'],
        }),
      ),
    ).toEqual([
      'bud',
      '--layers',
      '-f',
      '/ws/services/a/Dockerfile',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'acme/a:ct-0123',
      '--label',
      'team=orders',
      '--build-arg',
      'NODE_ENV=production',
      '--target',
      'runtime',
      '--platform',
      'linux/amd64,linux/arm64',
      '--secret',
      'id=npmrc,src=/s/.npmrc',
      '--secret',
      'id=tok,env=NPM_TOKEN',
      '--cache-from',
      'registry.local/cache/a',
      '--cache-to',
      'registry.local/cache/a',
      '/ws/services/a',
    ]);
  });

  it('keeps a build arg value with shell metacharacters as one argv element', () => {
    const args = podmanBuildArgs('podman', buildRequest({ buildArgs: { X: '$(rm -rf /); echo' } }));
    expect(args).toContain('X=$(rm -rf /); echo');
    expect(args[args.indexOf('X=$(rm -rf /); echo') - 1]).toBe('--build-arg');
    expect(args.some((arg) => arg === '$(rm' || arg === 'echo')).toBe(false);
  });

  it('rejects a secret with neither src nor env', () => {
    expect(() => podmanBuildArgs('podman', buildRequest({ secrets: [{ id: 'npmrc' }] }))).toThrow(
      'nx-fleet: build secret "npmrc" needs "src" (a file) or "env" (an environment variable).',
    );
  });
});

describe('podmanPushArgs', () => {
  it('spells tls verification and the digest file', () => {
    expect(podmanPushArgs('acme/a:ct-1', 'docker://localhost:5000/acme/a:ct-1', false, '/tmp/d/digest')).toEqual([
      'push',
      '--tls-verify=false',
      '--digestfile',
      '/tmp/d/digest',
      'acme/a:ct-1',
      'docker://localhost:5000/acme/a:ct-1',
    ]);
    expect(podmanPushArgs('acme/a:ct-1', 'oci:/ws/dist/fleet-registry/acme/a:ct-1', true, '/d')).toEqual([
      'push',
      '--tls-verify=true',
      '--digestfile',
      '/d',
      'acme/a:ct-1',
      'oci:/ws/dist/fleet-registry/acme/a:ct-1',
    ]);
  });
});

// No process is started: the engine methods below are checked by the argv they hand to runOk,
// which answers exit 0 unless a test says otherwise.
function engineWith(tool: 'podman' | 'buildah', ...answers: ProcessAnswer[]) {
  const processes = fakeProcesses(() => answers.shift());
  return { engine: podmanFamilyEngine(tool, processes), calls: processes.calls };
}

describe('podmanFamilyEngine', () => {
  it('carries the tool name', () => {
    expect(engineWith('podman').engine.name).toBe('podman');
    expect(engineWith('buildah').engine.name).toBe('buildah');
  });
});

describe('build', () => {
  const RACE = 'Error: checking if cached image exists from a previous build: getting top layer info: layer not known';
  const failed = (stderr: string) => runResult('', stderr, 125);

  /** A podman whose builds answer `outcomes` in turn; a success writes the image id where --iidfile says. */
  function builds(...outcomes: Array<ReturnType<typeof runResult>>) {
    const sleeps: number[] = [];
    const processes = fakeProcesses((call) => {
      const outcome = outcomes.shift()!;
      if (outcome.code === 0) writeFileSync(call.args[call.args.indexOf('--iidfile') + 1]!, 'sha256:b\n');
      return outcome;
    });
    const engine = podmanFamilyEngine('podman', processes, {
      tries: 3,
      delayMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
    });
    return {
      build: (overrides: Parameters<typeof buildRequest>[0] = {}) => engine.build(buildRequest(overrides)),
      processes,
      sleeps,
    };
  }

  it('passes a build argument whose name says it is a secret by name, its value in the environment, never on the command line', async () => {
    const b = builds(runResult(''));
    await b.build({ buildArgs: { NPM_TOKEN: 'npm_s3cr3t', NODE_ENV: 'production' } });
    const [call] = b.processes.calls;
    expect(call!.args.join(' ')).not.toContain('npm_s3cr3t');
    expect(call!.args.join(' ')).toContain('--build-arg NPM_TOKEN --build-arg NODE_ENV=production');
    expect(call!.options?.addEnv).toEqual({ NPM_TOKEN: 'npm_s3cr3t' });
  });

  it('builds again after a layer removed under it, waiting longer each time, and answers the image id', async () => {
    const b = builds(failed(RACE), failed(RACE), runResult(''));
    expect(await b.build()).toBe('sha256:b');
    expect(b.processes.calls.map((c) => c.args[0])).toEqual(['build', 'build', 'build']);
    expect(b.sleeps).toEqual([100, 200]);
  });

  it('gives up after the last try, and never retries a failing Dockerfile', async () => {
    const race = builds(failed(RACE), failed(RACE), failed(RACE));
    await expect(race.build()).rejects.toThrow('exited with code 125');
    expect(race.processes.calls).toHaveLength(3);
    const broken = builds(failed('Error: building at STEP "RUN npm ci": exit status 1'));
    await expect(broken.build()).rejects.toThrow('exited with code 125');
    expect(broken.processes.calls).toHaveLength(1);
  });
});

describe('save', () => {
  it('podman: `podman save --format docker-archive -o FILE REF`', async () => {
    const { engine, calls } = engineWith('podman');
    await engine.save('acme/a:ct-0123', '/tmp/nx-fleet-scan-x/image.tar');
    expect(calls).toEqual([
      {
        method: 'runOk',
        command: 'podman',
        args: ['save', '--format', 'docker-archive', '-o', '/tmp/nx-fleet-scan-x/image.tar', 'acme/a:ct-0123'],
      },
    ]);
  });

  it('buildah (no save command): `buildah push REF docker-archive:FILE`', async () => {
    const { engine, calls } = engineWith('buildah');
    await engine.save('acme/a:ct-0123', '/tmp/nx-fleet-scan-x/image.tar');
    expect(calls).toEqual([
      {
        method: 'runOk',
        command: 'buildah',
        args: ['push', 'acme/a:ct-0123', 'docker-archive:/tmp/nx-fleet-scan-x/image.tar'],
      },
    ]);
  });

  it('keeps a path with spaces as one argv element', async () => {
    const { engine, calls } = engineWith('podman');
    await engine.save('acme/a:ct-0123', '/tmp/my dir/image.tar');
    expect(calls[0]!.args).toContain('/tmp/my dir/image.tar');
  });

  it('passes a failure of the tool on', async () => {
    const { engine } = engineWith('podman', new Error('nx-fleet: `podman save` exited with code 125'));
    await expect(engine.save('acme/a:ct-0123', '/tmp/i.tar')).rejects.toThrow('exited with code 125');
  });
});

describe('run', () => {
  const request = { image: 'acme/a:ct-0123', hostPort: 41234, containerPort: 3000, env: { PORT: '3000' } };

  it('podman: `podman run --detach …` with the shared run arguments, and the id it prints', async () => {
    const { engine, calls } = engineWith('podman', runResult('c0ffee\n'));
    const container = await engine.run(request);
    expect(container.id).toBe('c0ffee');
    expect(calls).toEqual([
      { method: 'runOk', command: 'podman', args: containerRunArgs(request), options: { addEnv: request.env } },
    ]);
  });

  it('buildah: refuses, pointing at podman, docker or a startCommand, and starts nothing', async () => {
    const { engine, calls } = engineWith('buildah');
    await expect(engine.run(request)).rejects.toThrow(
      'nx-fleet: buildah builds images but cannot run them; contract-verify runs the provider with podman or docker (FLEET_ENGINE=podman), or give it a startCommand.',
    );
    expect(calls).toEqual([]);
  });
});

describe('isStorageRace', () => {
  it('recognises the containers/storage errors of a layer removed during a build, and nothing else', async () => {
    const { isStorageRace } = await import('./podman');
    expect(
      isStorageRace(
        'Error: checking if cached image exists from a previous build: getting top layer info: layer not known',
      ),
    ).toBe(true);
    expect(isStorageRace('Error: image not known')).toBe(true);
    expect(isStorageRace('Error: error building at STEP "RUN npm ci": exit status 1')).toBe(false);
  });
});
