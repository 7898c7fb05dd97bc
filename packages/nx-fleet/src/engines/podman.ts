import type { ProcessRunner } from '../io/ports';
import { retrying, type RetryPolicy } from '../io/retry';
import { ToolFailedError } from '../io/process';
import {
  answerInFile,
  BUILD_ID_FILE,
  commonBuildFlags,
  secretBuildArgs,
  parseImageInspect,
  runContainer,
  type BuildRequest,
  type Engine,
  type TransportRef,
} from './engine';

/** podman and buildah share containers/image and containers/storage, and nearly all flags. */
export type PodmanFamily = 'podman' | 'buildah';

export function podmanBuildArgs(tool: PodmanFamily, request: BuildRequest): string[] {
  const cache = [
    ...request.cacheFrom.flatMap((repo) => ['--cache-from', repo]),
    ...request.cacheTo.flatMap((repo) => ['--cache-to', repo]),
  ];
  return [
    tool === 'podman' ? 'build' : 'bud',
    // Layer caching is what makes an unchanged step free; buildah disables it by default.
    '--layers',
    // buildah reuses a RUN's layer whatever the files it bind-mounts hold now: an old image under a new content tag.
    ...(request.runBindMounts ? ['--no-cache'] : []),
    // A base image pulled from a registry nx-fleet pushes to without TLS verification (loopback, or
    // marked insecure): the build pulls it the same way.
    ...((request.baseImages ?? []).some((base) => base.tlsVerify === false) ? ['--tls-verify=false'] : []),
    ...commonBuildFlags(request),
    ...cache,
    request.context,
  ];
}

export function isStorageRace(stderr: string): boolean {
  return /(layer|image) not known/.test(stderr);
}

export function podmanPushArgs(
  localRef: string,
  destination: TransportRef,
  tlsVerify: boolean,
  digestFile: string,
): string[] {
  return ['push', `--tls-verify=${tlsVerify}`, '--digestfile', digestFile, localRef, destination];
}

/**
 * containers/storage can lose a cached layer to a concurrent `rmi`/prune while a build looks for it;
 * the build itself is sound, so it is tried again once the removal has had time to finish.
 */
export const STORAGE_RACE_RETRY: RetryPolicy = { tries: 3, delayMs: 1000 };

export function podmanFamilyEngine(
  tool: PodmanFamily,
  processes: ProcessRunner,
  storageRaceRetry: RetryPolicy = STORAGE_RACE_RETRY,
): Engine {
  return {
    name: tool,
    build: (request) =>
      answerInFile('nx-fleet-build-', 'iid', async (iidFile) => {
        const args = podmanBuildArgs(tool, { ...request, iidFile });
        await retrying(
          () => processes.runOk(tool, args, { echo: true, addEnv: secretBuildArgs(request.buildArgs) }),
          storageRaceRetry,
          (outcome) =>
            'error' in outcome && outcome.error instanceof ToolFailedError && isStorageRace(outcome.error.result.stderr)
              ? 'storage race'
              : undefined,
          // podman's own error is already echoed; the next try's output follows it.
          () => undefined,
        );
      }),
    buildCommand: async (request) => [tool, ...podmanBuildArgs(tool, { ...request, iidFile: BUILD_ID_FILE })],
    async imageExists(ref) {
      const args = tool === 'podman' ? ['image', 'exists', ref] : ['inspect', '--type', 'image', ref];
      return (await processes.run(tool, args)).code === 0;
    },
    async inspect(ref) {
      const args = tool === 'podman' ? ['image', 'inspect', ref] : ['inspect', '--type', 'image', ref];
      const result = await processes.run(tool, args);
      return result.code === 0 ? parseImageInspect(result.stdout) : undefined;
    },
    async save(localRef, archive) {
      // buildah has no `save`: pushing to the docker-archive transport writes the same tarball.
      const args =
        tool === 'podman'
          ? ['save', '--format', 'docker-archive', '-o', archive, localRef]
          : ['push', localRef, `docker-archive:${archive}`];
      await processes.runOk(tool, args);
    },
    async run(request) {
      if (tool === 'buildah')
        throw new Error(
          'nx-fleet: buildah builds images but cannot run them; contract-verify runs the provider with podman or docker (FLEET_ENGINE=podman), or give it a startCommand.',
        );
      return runContainer(processes, tool, request);
    },
    push: (localRef, destination, tlsVerify) =>
      answerInFile('nx-fleet-push-', 'digest', (digestFile) =>
        processes.runOk(tool, podmanPushArgs(localRef, destination, tlsVerify, digestFile), { echo: true }),
      ),
  };
}
