import type { TargetConfiguration } from '@nx/devkit';
import picomatch from 'picomatch';
import { posix } from 'node:path';
import { mergedAsNx } from '../../../nx/devkit-internal';
import { runCommandsCwd, runCommandsScripts, setupFromCommands } from './commands';
import { parseImageRef } from './image-ref';
import { isRecord, type AdoptProject, type AdoptWorkspace } from './project';
import type { ImageBuildSetup } from './setup';

export const NX_DOCKER = '@nx/docker';
const DEFAULT_BUILD_TARGET = 'docker:build';

interface PluginEntry {
  options: Record<string, unknown>;
  include?: string[];
  exclude?: string[];
}

function nxDockerEntry(plugins: readonly unknown[]): PluginEntry | undefined {
  for (const entry of plugins) {
    if (entry === NX_DOCKER) return { options: {} };
    if (isRecord(entry) && entry['plugin'] === NX_DOCKER) {
      const strings = (value: unknown) =>
        Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
      return {
        options: isRecord(entry['options']) ? entry['options'] : {},
        ...(strings(entry['include']) ? { include: strings(entry['include']) } : {}),
        ...(strings(entry['exclude']) ? { exclude: strings(entry['exclude']) } : {}),
      };
    }
  }
  return undefined;
}

/**
 * @nx/docker's default image reference for a project folder: the root with separators as dashes,
 * lowercased (what its plugin tags and its release re-tags).
 */
export function nxDockerImageRef(root: string): string {
  const normalized = root
    .replace(/^[\\/]/, '')
    .replace(/[\\/\s]+/g, '-')
    .toLowerCase();
  return normalized.length > 128 ? normalized.slice(-128) : normalized;
}

/**
 * The `docker:build` target @nx/docker gives a project whose folder holds a Dockerfile (plugin
 * options `buildTarget`: a name, or `{ name, args, cwd, skipDefaultTag, … }`), with nx.json's
 * targetDefaults and the project's own target for that name merged over it as Nx merges them, read
 * as a setup. The image: the release configuration's repositoryName (what `nx release` pushes),
 * else a `--tag` the user added, else @nx/docker's default reference.
 */
export function readNxDocker(project: AdoptProject, workspace: AdoptWorkspace): ImageBuildSetup | undefined {
  const entry = nxDockerEntry(workspace.plugins);
  if (!entry || !project.hasDockerfile) return undefined;
  const dockerfile = posix.join(project.root, 'Dockerfile');
  if (entry.include && !entry.include.some((glob) => picomatch(glob, { dot: true })(dockerfile))) return undefined;
  if (entry.exclude?.some((glob) => picomatch(glob, { dot: true })(dockerfile))) return undefined;

  const raw = entry.options['buildTarget'];
  const buildTarget: Record<string, unknown> =
    typeof raw === 'string' ? { name: raw } : isRecord(raw) ? { ...raw } : {};
  const name = typeof buildTarget['name'] === 'string' ? buildTarget['name'] : DEFAULT_BUILD_TARGET;
  const imageRef = nxDockerImageRef(project.root);
  const tokens: Record<string, string> = {
    projectRoot: project.root,
    projectName: project.manifestName ?? imageRef,
    imageRef,
  };
  const interpolate = (text: string) => text.replace(/\{([^{}|.]+)\}/g, (all, token: string) => tokens[token] ?? all);
  const userArgs = (Array.isArray(buildTarget['args']) ? buildTarget['args'] : [])
    .filter((arg): arg is string => typeof arg === 'string')
    .map(interpolate);
  const inferred: TargetConfiguration = {
    command: 'docker build .',
    dependsOn: ['build', '^build'],
    options: {
      // `{workspaceRoot}` as Nx resolves it for a command's folder: the workspace root.
      cwd:
        typeof buildTarget['cwd'] === 'string'
          ? interpolate(buildTarget['cwd']).replace(/^\{workspaceRoot\}(?:\/|$)/, '') || '.'
          : project.root,
      args: buildTarget['skipDefaultTag'] === true ? userArgs : [`--tag ${imageRef}`, ...userArgs],
    },
  };
  const stated = [workspace.targetDefaults[name], project.targets[name]];
  const merged = stated.reduce<TargetConfiguration>(
    (target, over) => (over ? mergedAsNx(target, over) : target),
    inferred,
  );
  // @nx/docker waits for every build by default, whatever the Dockerfile copies (pagopa/dx's runner copies
  // its own entrypoint, rainforest's apps build in the image): only a dependsOn the user wrote is carried;
  // nx-fleet's build depends on the builds whose outputs the Dockerfile copies.
  const dependsOn = stated.some((target) => target?.dependsOn) ? merged.dependsOn : undefined;
  const scripts = runCommandsScripts(merged);
  if (!scripts) return undefined;
  const repositoryName = releaseRepository(project.release) ?? releaseRepository(workspace.release);
  const setup = setupFromCommands({
    source: `${NX_DOCKER} target ${name}`,
    oldTarget: name,
    scripts,
    cwd: runCommandsCwd(merged),
    dependsOn,
    rankTags: (references) => [
      ...(repositoryName ? [repositoryName] : []),
      ...references.filter((ref) => parseImageRef(ref).repository !== imageRef),
      ...references.filter((ref) => parseImageRef(ref).repository === imageRef),
    ],
  });
  const registry = releaseRegistry(project.release) ?? releaseRegistry(workspace.release);
  if (setup && registry) setup.notes.push(`release registry ${registry}: set nx-fleet's registry option`);
  return setup;
}

function releaseRepository(release: { docker?: unknown } | undefined): string | undefined {
  const docker = release?.docker;
  return isRecord(docker) && typeof docker['repositoryName'] === 'string' && docker['repositoryName']
    ? docker['repositoryName']
    : undefined;
}

function releaseRegistry(release: { docker?: unknown } | undefined): string | undefined {
  const docker = release?.docker;
  return isRecord(docker) && typeof docker['registryUrl'] === 'string' && docker['registryUrl']
    ? docker['registryUrl']
    : undefined;
}
