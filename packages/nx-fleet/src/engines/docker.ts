import type { Env, ProcessRunner } from '../io/ports';
import {
  answerInFile,
  BUILD_ID_FILE,
  commonBuildFlags,
  secretBuildArgs,
  parseImageInspect,
  runContainer,
  type BuildRequest,
  type Engine,
} from './engine';
import { copyImage } from '../registry/destinations';
import { familiarName } from '../text/image-reference';

export function dockerBuildArgs(request: BuildRequest, buildx: boolean): string[] {
  const cache = [
    ...request.cacheFrom.flatMap((ref) => ['--cache-from', ref]),
    // The classic builder has no --cache-to; it would fail the whole build.
    ...(buildx ? request.cacheTo.flatMap((ref) => ['--cache-to', ref]) : []),
  ];
  return [
    ...(buildx ? ['buildx', 'build', '--load'] : ['build']),
    // BuildKit looks a FROM's named context up by Docker's short name; the classic builder has none,
    // and reads the FROM from the images the daemon has (tagged so, below).
    ...commonBuildFlags(buildx ? request : { ...request, baseImages: [] }, (base) => [familiarName(base.image)]),
    ...cache,
    request.context,
  ];
}

/** `docker push` prints `<tag>: digest: sha256:… size: N` for the manifest it stored. */
export function parseDockerPushDigest(output: string): string | undefined {
  return /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
}

/** `env`: the environment docker's builds run in. */
export function dockerEngine(processes: ProcessRunner, env: Env): Engine {
  let buildxProbe: Promise<boolean> | undefined;
  const withBuildx = () =>
    (buildxProbe ??= processes.run('docker', ['buildx', 'version']).then(
      (r) => r.code === 0,
      () => false,
    ));
  const imageExists = async (ref: string) =>
    (await processes.run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).code === 0;
  return {
    name: 'docker',
    async build(request) {
      // Secret mounts need BuildKit; the classic builder only has it behind this switch.
      const buildEnv = { ...env, DOCKER_BUILDKIT: env['DOCKER_BUILDKIT'] ?? '1' };
      const buildx = await withBuildx();
      if (!buildx && Object.keys(request.buildContexts ?? {}).length)
        throw new Error(
          `nx-fleet: named build contexts (option "buildContexts": ${Object.keys(request.buildContexts ?? {}).join(', ')}) need BuildKit's docker buildx, and "docker buildx version" fails here: install the buildx plugin (Debian: docker-buildx), or build with podman (FLEET_ENGINE=podman).`,
        );
      for (const base of buildx ? [] : (request.baseImages ?? [])) {
        if (!(await imageExists(base.source))) await processes.runOk('docker', ['pull', base.source], { echo: true });
        await processes.runOk('docker', ['tag', base.source, base.image]);
      }
      return answerInFile('nx-fleet-build-', 'iid', (iidFile) =>
        processes.runOk('docker', dockerBuildArgs({ ...request, iidFile }, buildx), {
          echo: true,
          env: buildEnv,
          addEnv: secretBuildArgs(request.buildArgs),
        }),
      );
    },
    buildCommand: async (request) => [
      'docker',
      ...dockerBuildArgs({ ...request, iidFile: BUILD_ID_FILE }, await withBuildx()),
    ],
    imageExists,
    async inspect(ref) {
      const result = await processes.run('docker', ['image', 'inspect', ref]);
      return result.code === 0 ? parseImageInspect(result.stdout) : undefined;
    },
    async save(localRef, archive) {
      await processes.runOk('docker', ['save', '-o', archive, localRef]);
    },
    run: (request) => runContainer(processes, 'docker', request),
    async push(localRef, destination, tlsVerify) {
      if (!destination.startsWith('docker://')) {
        // The daemon cannot write an OCI layout; skopeo reads the image out of the daemon.
        return copyImage(processes, `docker-daemon:${localRef}`, destination, {
          srcTlsVerify: true,
          destTlsVerify: tlsVerify,
        });
      }
      const remote = destination.slice('docker://'.length);
      await processes.runOk('docker', ['tag', localRef, remote]);
      const result = await processes.runOk('docker', ['push', remote], { echo: true });
      const digest = parseDockerPushDigest(result.stdout);
      if (!digest)
        throw new Error(`nx-fleet: docker push of ${remote} printed no digest; cannot record what was pushed.`);
      return digest;
    },
  };
}
