import type { ProcessRunner } from '../io/ports';
import { ToolFailedError } from '../io/process';
import {
  answerInFile,
  commonBuildFlags,
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

export function podmanFamilyEngine(tool: PodmanFamily, processes: ProcessRunner): Engine {
  return {
    name: tool,
    build: (request) =>
      answerInFile('nx-fleet-build-', 'iid', async (iidFile) => {
        const args = podmanBuildArgs(tool, { ...request, iidFile });
        try {
          await processes.runOk(tool, args, { echo: true });
        } catch (error) {
          // containers/storage can lose a cached layer to a concurrent `rmi`/prune while the build
          // looks for it; the build itself is sound, so it is tried once more.
          if (!(error instanceof ToolFailedError) || !isStorageRace(error.result.stderr)) throw error;
          await processes.runOk(tool, args, { echo: true });
        }
      }),
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
