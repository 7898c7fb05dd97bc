import { posix } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseYaml } from '../text/yaml';

/** `.devcontainer/devcontainer.json`, `.devcontainer/<name>/devcontainer.json` and `.devcontainer.json`, at any depth. */
const DEV_CONTAINER_CONFIG = /(?:^|\/)(?:\.devcontainer\/(?:[^/]+\/)?devcontainer\.json|\.devcontainer\.json)$/;

interface DevContainerConfig {
  build?: { dockerfile?: unknown; context?: unknown };
  dockerFile?: unknown;
  dockerComposeFile?: unknown;
  service?: unknown;
}

/**
 * The Dockerfiles a dev container configuration builds, workspace-relative: its `build.dockerfile`
 * (beside the devcontainer.json), or the `build` of the compose service it names as the container
 * (Requarks/wiki's `dev/containers/Dockerfile`, built through `dev/containers/docker-compose.yml`).
 * Development environments, not images to ship; the compose file's other services are left alone.
 */
export function devContainerDockerfiles(
  files: readonly string[],
  text: (path: string) => string | undefined,
): Set<string> {
  const built = new Set<string>();
  const add = (path: string) => {
    const normalized = posix.normalize(path);
    if (!normalized.startsWith('../')) built.add(normalized);
  };
  for (const file of files) {
    if (!DEV_CONTAINER_CONFIG.test(file)) continue;
    const config = parseJsonc(text(file) ?? '') as DevContainerConfig | undefined;
    if (typeof config !== 'object' || config === null) continue;
    const folder = posix.dirname(file);
    const dockerfile = config.build?.dockerfile ?? config.dockerFile;
    if (typeof dockerfile === 'string') add(posix.join(folder, dockerfile));
    const composeFiles = [config.dockerComposeFile].flat().filter((f): f is string => typeof f === 'string');
    if (typeof config.service !== 'string') continue;
    for (const composeFile of composeFiles) {
      const path = posix.join(folder, composeFile);
      const build = composeServiceBuild(text(path), config.service);
      if (build) add(posix.join(posix.dirname(path), build.context, build.dockerfile));
    }
  }
  return built;
}

/** A compose service's `build`: its context and the Dockerfile in it (`Dockerfile` when unnamed). */
function composeServiceBuild(
  compose: string | undefined,
  service: string,
): { context: string; dockerfile: string } | undefined {
  if (compose === undefined) return undefined;
  let build: unknown;
  try {
    build = (parseYaml(compose) as { services?: Record<string, { build?: unknown }> } | null)?.services?.[service]
      ?.build;
  } catch {
    return undefined;
  }
  if (typeof build === 'string') return { context: build, dockerfile: 'Dockerfile' };
  if (typeof build !== 'object' || build === null) return undefined;
  const { context = '.', dockerfile = 'Dockerfile' } = build as { context?: unknown; dockerfile?: unknown };
  return typeof context === 'string' && typeof dockerfile === 'string' ? { context, dockerfile } : undefined;
}
