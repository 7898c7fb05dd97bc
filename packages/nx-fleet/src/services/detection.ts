import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { FleetServiceConfig, ProjectManifest } from '../config/service-settings';

/** The file names that make a folder's project a service. */
export const CONTAINERFILE_NAMES = ['Dockerfile', 'Containerfile'] as const;
/**
 * Container files and project manifests make services (a manifest's `fleet` block can point at a
 * Dockerfile elsewhere); `pacts/*.json` in a service folder adds its contract-verify target.
 */
export const PLUGIN_GLOB = '**/{Dockerfile,Containerfile,project.json,package.json,pacts/*.json}';

/** One folder as the plugin sees it; read by the caller so that detection stays pure. */
export interface FolderInput {
  root: string;
  /** Dockerfile/Containerfile paths in this folder (workspace-relative). */
  containerfiles: readonly string[];
  projectJson?: ProjectManifest;
  packageJson?: ProjectManifest;
  config: FleetServiceConfig;
}

export type Detection =
  | { kind: 'service'; root: string; dockerfile: string; name?: string; config: FleetServiceConfig }
  | { kind: 'excluded'; dockerfile: string; pattern: string }
  | { kind: 'orphan'; dockerfile: string }
  | { kind: 'opted-out'; root: string }
  | { kind: 'none' };

export function detectService(folder: FolderInput, exclude: readonly string[]): Detection {
  const ownDockerfile = preferredContainerfile(folder.containerfiles);
  const excludedBy = ownDockerfile ? exclude.find((glob) => matcher(glob)(ownDockerfile)) : undefined;
  const hasProject = !!folder.projectJson || !!folder.packageJson;
  // Nx names a project.json project itself; a bare package.json outside npm workspaces would stay
  // nameless (which breaks every Nx command), so its package name is passed on.
  const name = folder.projectJson ? undefined : stringOrUndefined(folder.packageJson?.name);
  if (!hasProject || (!folder.projectJson && !name)) {
    if (!ownDockerfile) return { kind: 'none' };
    return excludedBy
      ? { kind: 'excluded', dockerfile: ownDockerfile, pattern: excludedBy }
      : { kind: 'orphan', dockerfile: ownDockerfile };
  }
  if (folder.config.enabled === false) return { kind: 'opted-out', root: folder.root };
  // A Dockerfile named in the project's own settings is deliberate: exclusions do not apply to it.
  if (folder.config.dockerfile)
    return {
      kind: 'service',
      root: folder.root,
      dockerfile: posix.normalize(folder.config.dockerfile),
      name,
      config: folder.config,
    };
  if (!ownDockerfile) return { kind: 'none' };
  if (excludedBy) return { kind: 'excluded', dockerfile: ownDockerfile, pattern: excludedBy };
  return { kind: 'service', root: folder.root, dockerfile: ownDockerfile, name, config: folder.config };
}

const matchers = new Map<string, (path: string) => boolean>();

/** Compiled once per pattern: createNodes runs for every Dockerfile of the workspace on every graph. */
function matcher(glob: string): (path: string) => boolean {
  let match = matchers.get(glob);
  if (!match) {
    match = picomatch(glob, { dot: true });
    matchers.set(glob, match);
  }
  return match;
}

/** When a folder holds both, Dockerfile wins: it is what `docker build` picks by default. */
export function preferredContainerfile(files: readonly string[]): string | undefined {
  return (
    files.find((file) => posix.basename(file) === 'Dockerfile') ??
    files.find((file) => posix.basename(file) === 'Containerfile')
  );
}

/** Groups the plugin's matched files by folder. */
export function groupByFolder(files: readonly string[]): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const file of files) {
    const root = posix.dirname(file);
    folders.set(root, [...(folders.get(root) ?? []), file]);
  }
  return folders;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
