import { createHash } from 'node:crypto';
import type { ProjectGraph } from '@nx/devkit';
import picomatch from 'picomatch';
import type { FilePort } from '../io/ports';
import { withPrefix } from '../text/sorted';
import type { BuildOptions } from './build';
import { contextProjects } from './pruned-context';

/** A workspace file and its content hash, as Nx's workspace context lists them (git-ignored files are not). */
export interface HashedFile {
  file: string;
  hash: string;
}

/**
 * Files outside every context root that a context or its pruning still reads: the root's manifests,
 * lockfiles, `.dockerignore` and package-manager settings, the patch and Yarn folders, and patch files
 * anywhere (pnpm's `patchedDependencies` may name one in any folder: more than a context reads, never less).
 */
const WORKSPACE_INPUTS = ['*', 'patches/**', '.yarn/**', '**/*.patch'];

/**
 * Keys for everything a pruned context's content tag is computed from, by Nx's file hashes: every
 * file the context may hold, the workspace's root files, the Dockerfile, the build options, and the
 * projects and npm packages the service's closure uses. Equal keys give equal tags, so a plan reuses
 * the tag computed for the same key instead of pruning, assembling and hashing the context again.
 * Undefined where the inputs are not all in Nx's file list: a folder context is read from the disk
 * (git-ignored files included), build outputs are git-ignored. Those tags are computed; they are
 * also the cheap ones (no pruning, nothing copied).
 */
export function contentInputsKeys(
  files: readonly HashedFile[],
  salt: string,
): (options: BuildOptions, graph: ProjectGraph, service: string) => string | undefined {
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const matched = new Map<string, HashedFile[]>();
  const matching = (pattern: string) => {
    let found = matched.get(pattern);
    if (!found) {
      const test = picomatch(pattern, { dot: true });
      matched.set(pattern, (found = sorted.filter((f) => test(f.file))));
    }
    return found;
  };
  return (options, graph, service) => {
    // Named contexts are folders of their own (build outputs too), and a base image's tag is another
    // service's sources': the tag is computed from them.
    if (
      !options.prune ||
      options.contextOutputs?.length ||
      Object.keys(options.buildContexts ?? {}).length ||
      Object.keys(options.baseImages ?? {}).length
    )
      return undefined;
    const projects = contextProjects(graph, service, options.workspaceManifests);
    const roots = projects.map((p) => graph.nodes[p]!.data.root);
    const hash = createHash('sha256').update(salt);
    hash.update(
      JSON.stringify([
        options.dockerfile,
        options.contextInclude ?? [],
        options.workspaceManifests ?? false,
        options.buildArgs ?? {},
        options.target ?? null,
        options.platforms ?? [],
        roots,
        projects.map((p) => [p, (graph.dependencies[p] ?? []).map((d) => d.target).sort()]),
      ]),
    );
    const patterns = [
      ...WORKSPACE_INPUTS,
      options.dockerfile,
      ...(options.contextInclude ?? []),
      ...(options.workspaceManifests ? ['**/package.json'] : []),
    ];
    const inputs = [...roots.flatMap((root) => under(sorted, root)), ...patterns.flatMap(matching)];
    for (const { file, hash: fileHash } of new Set(inputs)) hash.update(`${file}\0${fileHash}\n`);
    return hash.digest('hex');
  };
}

/** The files under a folder of the workspace ('.' or '': all). */
function under(sorted: readonly HashedFile[], root: string): readonly HashedFile[] {
  const folder = root.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return folder ? withPrefix(sorted, `${folder}/`, (f) => f.file) : sorted;
}

/**
 * Content tags remembered by their inputs' key, one small file per service (docker-build's tasks and
 * a plan may write at once). A stale or forged entry cannot ship: pushes recompute the tag from the
 * sources and promotion refuses a push that is not the planned tag.
 */
export function contentTagMemo(files: Pick<FilePort, 'readText' | 'writeText'>, dir: string) {
  const path = (service: string) => `${dir}/${encodeURIComponent(service)}.json`;
  return {
    async remembered(service: string, key: string | undefined, compute: () => Promise<string>): Promise<string> {
      if (key) {
        const stored = parse(await files.readText(path(service)));
        if (stored?.key === key) return stored.contentTag;
      }
      const contentTag = await compute();
      if (key) await files.writeText(path(service), `${JSON.stringify({ key, contentTag })}\n`);
      return contentTag;
    },
  };
}

function parse(text: string | undefined): { key: string; contentTag: string } | undefined {
  try {
    const value = JSON.parse(text ?? 'null') as { key?: unknown; contentTag?: unknown } | null;
    return typeof value?.key === 'string' && typeof value.contentTag === 'string'
      ? { key: value.key, contentTag: value.contentTag }
      : undefined;
  } catch {
    return undefined;
  }
}
