import { posix } from 'node:path';
import dockerignore from '@balena/dockerignore';
import gitignore from 'ignore';
import picomatch from 'picomatch';
import { namedContextSource, type ContextMode } from '../config/service-settings';
import { listed } from '../text/listed';
import { literal } from '../text/reg-exp';
import { shellCommands } from '../text/shell-words';
import { LOCKFILES, ROOT_MANIFESTS, SUPPORT_FILES } from './frozen-install';
import { refinedFolders } from '../text/folder-globs';
import { withPrefix } from '../text/sorted';
import { allowedGlobs, ignoredGlobs } from './ignored-inputs';
import {
  contextPath,
  DockerfileReading,
  type BuildArgs,
  type CopySource,
  type Step,
  type WrittenSource,
} from './dockerfile-copies';

/** What the choice of a service's build context is made from; read by the caller, so the choice stays pure. */
export interface ContextFacts {
  projectRoot: string;
  /** Workspace-relative. */
  dockerfile: string;
  dockerfileText: string;
  /** Workspace files (posix, relative), as Nx lists them: git-ignored files (build outputs) are absent. */
  files: readonly string[];
  /** The `.dockerignore` patterns the engine would apply with the project folder, and with the workspace root, as context. */
  ignore: { project: readonly string[]; workspace: readonly string[] };
  /** Outputs of the project's build target, workspace-relative, when its configuration states them. */
  buildOutputs?: readonly string[];
  /**
   * Outputs other targets state in their projects' configuration (any project, any target but the
   * service's own build) that the Dockerfile's sources reach: daytona's runner copies
   * `dist/libs/computer-use-amd64`, which computer-use's `build-amd64` writes.
   */
  statedOutputs?: ReadonlyArray<{ project: string; target: string; output: string }>;
  /** The build arguments docker-build passes, when the project's configuration states them; else ARG defaults decide. */
  buildArgs?: BuildArgs;
  /** The stage docker-build builds (`target`): the stages it does not need are not read. */
  target?: string;
  /**
   * No target is stated and the Dockerfile's last stage is a development one (`developmentLast`): the
   * stage the service ships instead, which `target` holds.
   */
  shippedStage?: { stage: string; instead: string };
  /** The workspace's projects: a COPY source in another one's `dist`, `build` or `out` folder is its build output. */
  projects?: ReadonlyArray<{ name: string; root: string; packageName?: string }>;
  /**
   * The workspace packages the project's package.json depends on that an install in its folder alone
   * cannot fetch (`localDependencies`): only the workspace root's install resolves them.
   */
  localDependencies?: readonly string[];
  /**
   * For project folders the Dockerfile copies whole (`COPY ./packages/server /app`): the folders inside
   * them that their TypeScript build writes (tsconfig `outDir`), workspace-relative. `docker build`
   * sends them from the disk; a pruned context, made of the files Nx lists, would leave them out.
   */
  folderOutputs?: Readonly<Record<string, readonly string[]>>;
  /** Of `folderOutputs`, those another target than the project's build writes (generated clients), by output. */
  folderOutputTargets?: Readonly<Record<string, string>>;
  /**
   * For copied project folders whose `build` script runs `tsc --build`: the other project folders
   * their tsconfig references reach, which that build compiles too (workspace-relative).
   */
  referenceBuilds?: Readonly<Record<string, readonly string[]>>;
  /**
   * The other projects a prune tool in the image is asked to keep, with what they depend on (roots):
   * their sources are the image's too (enpitsu's admin, `turbo prune --scope=@enpitsu/admin
   * --scope=@enpitsu/db-migrate`, which builds and ships the migrations).
   */
  prunedWith?: readonly string[];
  /**
   * For the projects a RUN builds together with their dependencies (`dependencyFirstBuilds`), by root:
   * the workspace projects they depend on through their package.json, transitively (workspace-relative).
   */
  dependencyBuilds?: Readonly<Record<string, readonly string[]>>;
  /** The name of the folder the Nx workspace is (`web` of a repository whose JavaScript lives in `web/`). */
  workspaceFolder?: string;
  /**
   * Paths (workspace-relative) the Dockerfile may read that are on the disk but not in Nx's file list:
   * committed files `.gitignore` matches (Cap's `pnpm-lock.yaml`, `apps/media-server/bun.lock`). The
   * engine and a pruned context (git's list) send them; Nx hashes none of them.
   */
  unlistedOnDisk?: readonly string[];
  /**
   * The workspace root's `.gitignore` patterns: a COPY source Nx lists nowhere that they match is
   * written on the host before the build (code-server's `release-packages/*.deb`), as a `dist` is.
   */
  gitignore?: readonly string[];
  /**
   * The script names of the workspace root's package.json and of the project's: a RUN that runs one
   * only the root defines (`npm run bootstrap`, `yarn build:chatgpt`) needs the root manifest as it is.
   * `tools`: the root's scripts that run a workspace or prune tool (novu's `"build:web": "nx build
   * @novu/web"`), which read the workspace, not only the root manifest.
   */
  scripts?: { root: readonly string[]; project: readonly string[]; tools?: readonly string[] };
  /**
   * The project's package.json scripts, by name: what a RUN's `npm run build` runs, with its `prebuild`
   * (npm, yarn classic and bun run it first), may build the workspace packages it copies.
   */
  projectScripts?: Readonly<Record<string, string>>;
  /** docker-build's named build contexts (`buildContexts`), when the settings or the project's target options state them. */
  buildContexts?: Readonly<Record<string, string>>;
  /**
   * The target names the project's files give it (its targets, its package.json scripts); `complete`
   * when no plugin besides nx-fleet could infer more.
   */
  projectTargets?: { names: readonly string[]; complete: boolean };
  /**
   * The context the project's own docker-build options state (`context`, `prune`): Nx merges them over
   * nx-fleet's, so the engine is sent that (adopt writes a folder there, openreplay's `backend`).
   */
  statedContext?: { context: string; prune?: boolean };
  /**
   * The `.dockerignore` patterns of the other folder a context could be (`contextFolder`, else
   * `nestedRoot`), when there is one.
   */
  folderIgnore?: readonly string[];
  /**
   * Copied project folders whose package.json builds them when they are installed (a `postinstall`
   * or `prepare` script running their build: sourcebot's libraries), workspace-relative.
   */
  installBuilds?: readonly string[];
  /**
   * The workspace root's package.json builds every package when it is installed (Joplin's
   * `"postinstall": "gulp build"`): copied with it, the project folders are built in the image.
   */
  rootInstallBuilds?: true;
  /**
   * Nx's graph maps no project's imports to npm packages (`nxAnalysesSources`): a pruned manifest of a
   * project without a package.json of its own names no dependency.
   */
  sourcesUnanalysed?: true;
  /**
   * The root package.json's scripts that build every package (`"build": "nx run-many -t build"`): a
   * RUN running one where the root package.json is (novu's embed image, FVJohnny's template) builds
   * every package it copied, in the image.
   */
  rootBuildScripts?: readonly string[];
  /**
   * The patch files pnpm's `patchedDependencies` names (`patchedDependencyFiles`): a pruned context
   * carries them, rewritten under `patches/`, wherever they are.
   */
  patchFiles?: readonly string[];
  /**
   * The nearest folder above the project, below the workspace root, that is a package manager root of
   * its own (a package.json beside a lockfile or pnpm-workspace.yaml: plasmic's `platform/`), when the
   * Dockerfile is in the project folder and no context is stated; its ignore file is `folderIgnore`.
   */
  nestedRoot?: string;
  /** The `nestedRoot`'s workspaces list the project (practica's `src/code-templates`, an npm workspace of its own). */
  nestedRootLists?: true;
  /** The `nestedRoot` is no package manager root, but the folder above the project that alone holds what the Dockerfile copies (`sourcesHolderOf`). */
  nestedRootHolds?: true;
  /**
   * The package manifests the package manager's workspaces name, as globs (`workspacePackageGlobs`):
   * what a prune tool in the build reads. Unset: every package.json.
   */
  packageGlobs?: readonly string[];
}

/**
 * A context's kind: the settings' modes, or `folder`, another folder than the project's or the root
 * (the Dockerfile's own, `api/Dockerfile` built from `api/` for a project elsewhere; or the folder a
 * project's own docker-build options name).
 */
export type ChosenMode = ContextMode | 'folder';

export interface ContextChoice {
  mode: ChosenMode;
  /** The folder a `folder` context sends (workspace-relative). */
  folder?: string;
  /** One sentence a user can check against the Dockerfile: which instruction decided, and why. */
  reason: string;
  /** Workspace paths (globs) outside the service that a pruned context must hold because the Dockerfile copies them. */
  include: string[];
  /** Build outputs the Dockerfile copies (workspace-relative): docker-build depends on the build target that makes them. */
  outputs: string[];
  /**
   * Those of them other projects build, and which: docker-build depends on those projects' build
   * targets, or on the target whose stated outputs hold them (`target`).
   */
  producers?: Array<{ output: string; project: string; target?: string }>;
  /**
   * COPY sources a project or workspace context sends from the disk that Nx's file list does not
   * hold (git-ignored, or written by a step before the build) and no build output accounts for: Nx
   * cannot hash them, so a cached build could restore the record of an older image.
   */
  unlisted?: string[];
  /**
   * The Dockerfile is written for the folder above the workspace (its sources start with the
   * workspace's own folder name, given here): no context inside the workspace holds them.
   */
  aboveWorkspace?: string;
  /**
   * A prune tool runs inside the build: the pruned context keeps the root's manifests unpruned, and
   * every package manifest where the Dockerfile copies the whole context (what the tool reads to find
   * the service's closure), and only the closure's sources.
   */
  workspaceManifests?: boolean;
  /**
   * With `workspaceManifests`: the manifests and root files the context holds, as globs — every root
   * file the ignore file keeps where the Dockerfile copies the whole context, else those of the
   * package manager the workspace has (`workspaceManifestGlobs`).
   */
  manifestGlobs?: readonly string[];
  /**
   * A pruned context's `include` as its inputs name it, where its ignore file leaves files out of an
   * included folder (unkey's portal copies `web/`, its `.dockerignore` leaves out `/web/apps/dashboard`):
   * the folder by what it sends (`refinedFolders`). Unset when the same as `include`.
   */
  includeInputs?: string[];
  /**
   * A pruned context's package manager settings and patches beside the root manifests (`SUPPORT_FILES`:
   * `.npmrc`, `patches/**`, `.yarn/releases/**`…), as globs of those the workspace has: the context
   * sends them where the Dockerfile reads the root's manifests, so they are the image's inputs.
   */
  installSettings?: string[];
  /**
   * What a project or workspace context's ignore file leaves out, as workspace-relative globs
   * (`ignoredGlobs`): the image's inputs negate them.
   */
  ignored?: string[];
  /**
   * What a project, folder or workspace context's allow-list ignore file (`*`, then `!apps/api`…)
   * sends, as workspace-relative globs (`allowedGlobs`): the image's inputs name these, not the folder.
   */
  allowed?: string[];
  /**
   * Other projects' folders inside the service's folder that the context sends: Nx counts their files
   * as theirs, so the service's `{projectRoot}` inputs leave them out.
   */
  nested?: string[];
  /**
   * The workspace folders named build contexts send: those Nx lists files of (the image's inputs), and
   * build outputs (docker-build waits for the builds that write them; other projects' are in `producers`).
   */
  named?: { sources: string[]; outputs: string[] };
}

/**
 * What a prune tool run inside the build reads besides the service's closure. Where the Dockerfile
 * copies the whole context: every package manifest and every root file. Else the root files the
 * package manager installs from: the manifests the image gets are those it copies, which the context
 * holds as its sources (overleaf's services name theirs one by one before `yarn workspaces focus`);
 * another service's manifest never reaches the image, and a change to it rebuilds nothing.
 */
export function workspaceManifestGlobs(
  rootFiles: boolean,
  /** The package manifests the workspaces name (`workspacePackageGlobs`); every one by default. */
  packageGlobs: readonly string[] = [PACKAGE_MANIFESTS],
): readonly string[] {
  return rootFiles ? ['*', ...packageGlobs] : INSTALL_ROOT;
}

const PACKAGE_MANIFESTS = '**/package.json';
const INSTALL_ROOT = [...ROOT_MANIFESTS, 'pnpm-workspace.yaml', 'bun.lock', 'bun.lockb'];

/**
 * Whether a Dockerfile's context sources (`DockerfileReading.written`) reach the workspace root's manifest,
 * lockfile or package manager settings: by name or glob (`COPY package*.json ./`), as the whole
 * context (`COPY . .`, a RUN bind mount without a source), or written so only the build can tell.
 */
export function readsRootManifests(written: readonly Pick<WrittenSource, 'source'>[]): boolean {
  return written.some(({ source }) => {
    if (source === undefined) return true;
    const path = contextPath(source);
    if (path === '.') return true;
    const matches = picomatch(path, { dot: true });
    return ROOT_MANIFESTS.map((file) => file.replace(/\/\*\*$/, '')).some(
      (file) => matches(file) || file.startsWith(`${path}/`),
    );
  });
}

/** Whether the Dockerfile copies (or bind-mounts) the whole context somewhere: `COPY . .`. */
export function copiesWholeContext(reading: DockerfileReading): boolean {
  return reading.sources.some((s) => isWholeContext(s.source));
}

/**
 * Tools that cut a whole monorepo down to one app inside the build: the context must be the whole
 * workspace. A pnpm or bun install filtered to a package and its dependencies (Dofigen's `pnpm install
 * --frozen-lockfile --filter=@openstatus/db...`) reads the workspace's manifests as they are, too.
 */
const PRUNE_TOOLS =
  /\b(turbo(?:@\S+)?\s+prune|pnpm\b[^&|;]*\sdeploy|rush(?:\.js)?\s+deploy\b|yarn\s+workspaces\s+focus|nx\b[^&|;]*\sprune|(?:pnpm|bun)\b[^&|;\n]*\s(?:install|i)\s[^&|;\n]*(?:--filter|-F)[\s=]|(?:pnpm|bun)\b[^&|;\n]*\s(?:--filter|-F)[\s=]\S+[^&|;\n]*\s(?:install|i)(?=\s|$))/;
/**
 * Monorepo tools run over the whole workspace (a task runner's build, a package manager's filter or
 * recursive run): after `COPY . .`, they need the workspace root as the context.
 */
const WORKSPACE_TOOLS =
  /\bturbo(?:@\S+)?\s+(?!prune\b)[a-z]|\bpnpm\b[^&|;\n]*\s(?:--filter|-F|--recursive|-r)(?:[\s=]|$)|\bbun\b[^&|;\n]*\s(?:--filter|-F)(?:[\s=]|$)|\byarn\s+workspaces?\s|\bnpm\b[^&|;\n]*\s(?:--workspace|-w)(?:[\s=]|$)|\bnx\s+(?:run|build|run-many|affected)\b|\blerna\s+run\b|\bnest\s+build\s+[^\s-]|\bng\s+(?:build|run)\s+[^\s-]|\brush(?:x|\.js)?\s+[a-z]/m;
/** RUN steps that install a tool, the package manager's version or system packages: they read no project's sources. */
const TOOL_SETUP =
  /^RUN\s+(?:--\S+\s+)*(?:(?:npm\s+(?:i|install)|pnpm\s+(?:add|i|install))(?:\s+(?:-g|--global)\b|\s+[^\s&|;-][^\s&|;]*(?=[^&|;]*\s(?:-g|--global)(?:\s|$)))|yarn\s+global\s+add\b|yarn\s+set\s+version\s|corepack\s|apk\s|apt-get\s)[^&|;]*$/i;
/** Folders build tools write to by convention; a missing COPY source under one is taken for a build output. */
const OUTPUT_FOLDERS = new Set(['dist', 'build', 'out', '.next', '.output']);
/** Where builds outside Nx write too (cargo's and Go builds' `target/`). */
const HOST_OUTPUT_FOLDERS = new Set([...OUTPUT_FOLDERS, 'target']);
/** What pruning writes itself (pruned to the service): never an extra include. */
const PRUNED_MANIFESTS = new Set([
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lockb',
]);

type Found = 'file' | 'output' | 'missing';

/**
 * Where a Dockerfile's COPY/ADD sources are: in the project folder (a Dockerfile written for
 * `docker build .` there), at the workspace root (repo-shaped: nx-fleet's pruned context), or
 * everywhere (`COPY . .` before a monorepo prune tool). Sources found in one place only decide;
 * build outputs (missing because git ignores them) count where their folder would be.
 */
export function inferContext(facts: ContextFacts): ContextChoice {
  const reading = new DockerfileReading(facts.dockerfileText, facts.buildArgs, facts.target);
  const chosen = chooseMode(facts, reading);
  const needs = contextNeeds(facts, chosen.mode, reading, chosen.workspaceManifests);
  if (!chosen.workspaceManifests) return { ...chosen, ...needs };
  if (facts.prunedWith?.length) {
    const also = facts.prunedWith.map((root) => `${root}/**`);
    needs.include = [...new Set([...needs.include, ...also])];
    if (needs.includeInputs) needs.includeInputs = [...new Set([...needs.includeInputs, ...also])];
  }
  if (!copiesWholeContext(reading)) {
    const index = indexOf(facts.files);
    const held = workspaceManifestGlobs(false).filter((glob) => holds(index, glob));
    return { ...chosen, ...needs, manifestGlobs: held };
  }
  // Every root file is sent but what the root's ignore file leaves out (openpanel's README.md), each
  // named: Nx 23's affected takes a `{workspaceRoot}` input for every file it matches, and no negation.
  const kept = keeps(facts.ignore.workspace);
  const packages = packageManifests(facts.files, facts.packageGlobs ?? [PACKAGE_MANIFESTS], facts.ignore.workspace);
  return { ...chosen, ...needs, manifestGlobs: [...rootFilesOf(facts.files).filter(kept), ...packages] };
}

const rootLevel = new WeakMap<readonly string[], string[]>();
const manifestsKept = new WeakMap<readonly string[], Map<string, readonly string[]>>();

/**
 * The package manifests a prune tool reads, as the engine sends them: the workspaces' globs, or, where
 * the root's ignore file leaves some out (FAIMS3's `infrastructure/`, its CDK package), the ones it
 * keeps by name — Nx 23's affected reads no negation. Once per file list, globs and ignore file.
 */
function packageManifests(
  files: readonly string[],
  packageGlobs: readonly string[],
  ignore: readonly string[],
): readonly string[] {
  if (!ignore.length) return packageGlobs;
  let known = manifestsKept.get(files);
  if (!known) manifestsKept.set(files, (known = new Map()));
  const key = JSON.stringify([packageGlobs, ignore]);
  let found = known.get(key);
  if (!found) {
    const kept = keeps(ignore);
    const isManifest = picomatch([...packageGlobs], { dot: true });
    const manifests = files.filter((file) => isManifest(file));
    found = manifests.every((file) => kept(file)) ? packageGlobs : manifests.filter((file) => kept(file));
    known.set(key, found);
  }
  return found;
}

/** The workspace root's own files: one pass over the file list, however many services ask. */
function rootFilesOf(files: readonly string[]): string[] {
  let found = rootLevel.get(files);
  if (!found) rootLevel.set(files, (found = files.filter((file) => !file.includes('/'))));
  return found;
}

/**
 * The folder besides the project's and the root that a context can be: the one the project's own
 * docker-build options state, else that of a Dockerfile kept outside the project folder (not in it,
 * not at the root's top; a parent of it, openreplay's `backend/Dockerfile` for `backend/cmd/http`, is
 * one; so is one of its folders, pulumi's `container/` whose `app/` the Dockerfile copies). Undefined
 * when there is none.
 */
export function contextFolder(
  facts: Pick<ContextFacts, 'statedContext' | 'dockerfile' | 'projectRoot'>,
): string | undefined {
  const stated = facts.statedContext?.context;
  if (stated !== undefined)
    return stated === '.' || stated === facts.projectRoot ? undefined : posix.normalize(stated).replace(/\/+$/, '');
  const folder = posix.dirname(facts.dockerfile);
  return folder === '.' || folder === facts.projectRoot ? undefined : folder;
}

/** The mode the project's own docker-build options state, when they name a context. */
export function statedMode(facts: Pick<ContextFacts, 'statedContext' | 'projectRoot'>): ChosenMode | undefined {
  const stated = facts.statedContext;
  if (!stated) return undefined;
  if (stated.context === facts.projectRoot) return 'project';
  if (stated.context === '.') return stated.prune ? 'pruned' : 'workspace';
  return 'folder';
}

/**
 * What a context of the given mode (inferred or set) must also hold for this Dockerfile: the
 * workspace paths outside the service it copies (pruned), and the build outputs it copies.
 */
export function contextNeeds(
  facts: ContextFacts,
  mode: ChosenMode,
  reading = new DockerfileReading(facts.dockerfileText, facts.buildArgs, facts.target),
  /** The context keeps every manifest as it is (a prune tool's): the root's install scripts with them. */
  workspaceManifests = false,
): Pick<
  ContextChoice,
  | 'include'
  | 'includeInputs'
  | 'outputs'
  | 'producers'
  | 'unlisted'
  | 'ignored'
  | 'allowed'
  | 'nested'
  | 'named'
  | 'folder'
  | 'installSettings'
> {
  const folder = mode === 'folder' ? (contextFolder(facts) ?? facts.nestedRoot) : undefined;
  const base = folder ?? (mode === 'project' ? facts.projectRoot : '.');
  const ignore =
    folder !== undefined
      ? (facts.folderIgnore ?? [])
      : mode === 'project'
        ? facts.ignore.project
        : facts.ignore.workspace;
  const index = indexOf(facts.files);
  const outputs: string[] = [];
  const include: string[] = [];
  const producers: NonNullable<ContextChoice['producers']> = [];
  const unlisted: string[] = [];
  // The Dockerfile's commands once, for however many folders it copies, with the scripts they run.
  let commands: string[] | undefined;
  const runCommands = () =>
    (commands ??= reading.runs.flatMap((step) =>
      [...commandsOf(step.text), ...scriptCommands(step.text, facts.projectScripts)].map((words) => words.join(' ')),
    ));
  const builtInImage = inImageBuilds(reading, facts, base, workspaceManifests, runCommands);
  const kept = keeps(ignore);
  // What a prune tool reads of the workspace (`COPY packages ./packages` before `turbo prune`) the
  // context holds as the tool's closure and every package manifest there, not whole.
  const fed = workspaceManifests && base === '.' ? prunedFrom(reading, facts)?.fed : undefined;
  const runsInImage = (project: string, target: string) => {
    const names = [project, ...(facts.projects?.find((p) => p.name === project)?.packageName ?? [])];
    return runCommands().some((command) => names.some((name) => runsPackageTarget(command, name, target)));
  };
  const carryFolderOutputs = (roots: readonly string[]) => {
    for (const root of roots) {
      // Carried as another project's output is: from the disk, after the build that writes it.
      const builder = facts.projects && namesByRoot(facts.projects).get(root);
      for (const output of facts.folderOutputs?.[root] ?? []) {
        if (index.under(output).length) continue; // committed: the context holds it already
        // A folder the image builds itself (`yarn workspace @hyperdx/common-utils run build`) needs no host build;
        // a generated output, no host run of the target writing it where the image runs that target
        // (`RUN pnpm --filter @acme/api-client generate`), whatever else it builds.
        const writer = facts.folderOutputTargets?.[output];
        if (writer === undefined ? builtInImage(root) : builder !== undefined && runsInImage(builder, writer)) continue;
        // What the .dockerignore leaves out (atproto's `**/dist`) the engine never sends: the image
        // builds it itself, and waits for no build on the host.
        if (!sendsFrom(output, ignore, kept)) continue;
        outputs.push(output);
        if (builder !== undefined && root !== facts.projectRoot && !producers.some((p) => p.output === output))
          producers.push(producer(output, { name: builder, ...(writer ? { target: writer } : {}) }));
      }
    }
  };
  for (const { source, line } of reading.sources) {
    const path = normalizeSource(base, source);
    if (path === undefined) continue;
    if (isWholeContext(source)) {
      // A pruned whole copy holds the closure's folders whole: a host output there is carried as for each folder's copy.
      if (mode === 'pruned' && prunesKeepingIgnored(reading))
        carryFolderOutputs(Object.keys(facts.folderOutputs ?? {}));
      continue;
    }
    if (fed?.has(line)) {
      include.push(`${path}/**/package.json`);
      continue;
    }
    const found = find(index, facts, base, source, ignore);
    // A pruned context is made of git's files: one git ignores fails there before the build, unless committed.
    // One Nx lists that the .dockerignore leaves out (pulumi's langserve copies its ignored README.md) is
    // no source Nx cannot hash: the build fails naming it, before the engine.
    // A pattern that matches nothing Nx lists and nothing a host build writes is optional (Next.js's
    // `COPY package.json yarn.lock* package-lock.json* ./`): the engine copies what is there, all listed.
    const optional = picomatch.scan(path).isGlob && !hostWritten(facts, path);
    if (
      found === 'missing' &&
      !optional &&
      (mode !== 'pruned' || facts.unlistedOnDisk?.includes(path)) &&
      !index.under(path.replace(/\/+$/, '')).length
    )
      unlisted.push(path);
    // The copied project folders: the path itself, or those of `folderOutputs` inside a folder that
    // holds several (subql's `COPY ./packages ./packages`).
    if (found === 'file' && mode === 'pruned')
      carryFolderOutputs(
        Object.keys(facts.folderOutputs ?? {}).filter((root) => root === path || insideOf(root, path)),
      );
    if (found === 'output') {
      outputs.push(path);
      for (const builder of base === '.' ? buildersOf(path, facts) : [])
        if (!builder.own && !producers.some((p) => p.output === path && p.project === builder.name))
          producers.push(producer(path, builder));
    } else if (
      mode === 'pruned' &&
      found === 'file' &&
      !insideOf(path, facts.projectRoot) &&
      !PRUNED_MANIFESTS.has(path)
    )
      include.push(index.has(path) || picomatch.scan(path).isGlob ? path : `${path}/**`);
  }
  // A folder context Nx lists nothing of, copied whole (whackakey's frontend, built from `dist/apps/frontend`):
  // a build writes it (the service's own, by its outputs or Nx's `dist/<project root>`, or another's),
  // else it is from the disk alone; either way Nx's hash of the folder is empty.
  if (
    folder !== undefined &&
    folder !== '.' &&
    !index.under(folder).length &&
    reading.sources.some((s) => isWholeContext(s.source))
  ) {
    const builders = buildersOf(folder, facts);
    const own =
      folder === posix.join('dist', facts.projectRoot) ||
      (facts.buildOutputs ?? []).some((output) => insideOf(folder, output) || insideOf(output, folder)) ||
      builders.some((builder) => builder.own);
    if (own || builders.length) outputs.push(folder);
    else unlisted.push(folder);
    for (const builder of own ? [] : builders) producers.push(producer(folder, builder));
  }
  // What later stages take from a stage that copied the whole context: the pruned context carries it too.
  if (mode === 'pruned')
    for (const { source } of reading.wholeCopyReads) {
      const found = index.has(source) ? source : index.under(source).length ? `${source}/**` : undefined;
      if (found && !insideOf(source, facts.projectRoot) && !PRUNED_MANIFESTS.has(source)) include.push(found);
    }
  const ignoreInputs = mode === 'pruned' ? {} : ignoreInputsIn(facts, base, ignore, index);
  // A folder context's inputs are its whole folder, nested projects' files included.
  const nested = mode === 'workspace' || folder !== undefined ? [] : nestedProjects(facts, base, kept, index);
  const named = namedFolders(facts, index);
  for (const output of named.outputs) {
    for (const builder of buildersOf(output, facts))
      if (!builder.own && !producers.some((p) => p.output === output && p.project === builder.name))
        producers.push(producer(output, builder));
  }
  unlisted.push(...named.unlisted);
  const installSettings =
    mode === 'pruned' && readsRootManifests(reading.written) ? settingsHeld(index, facts.patchFiles ?? []) : [];
  const included = unique(include);
  // Nx 23's affected reads these without negations: a folder the ignore file trims is listed by what it sends.
  // Only the included folders' files, found by bisection: every pruned service of a batch asks.
  const folderFiles = () => included.flatMap((glob) => (glob.endsWith('/**') ? index.under(glob.slice(0, -3)) : []));
  const includeInputs = ignore.length ? refinedFolders(included, folderFiles(), (file) => !kept(file), 24) : included;
  return {
    ...(folder !== undefined ? { folder } : {}),
    include: included,
    ...(includeInputs.join('\n') !== included.join('\n') ? { includeInputs } : {}),
    outputs: unique(outputs),
    ...(producers.length ? { producers } : {}),
    ...(unlisted.length ? { unlisted: unique(unlisted) } : {}),
    ...ignoreInputs,
    ...(nested.length ? { nested } : {}),
    ...(named.sources.length || named.outputs.length
      ? { named: { sources: named.sources, outputs: named.outputs } }
      : {}),
    ...(installSettings.length ? { installSettings } : {}),
  };
}

/** Beside `SUPPORT_FILES`: pnpm's workspace file, which Nx's pruning rewrites to the settings alone. */
const INSTALL_SETTINGS = [...new Set([...Object.values(SUPPORT_FILES).flat(), 'pnpm-workspace.yaml'])];

/**
 * The package manager settings and patches (`SUPPORT_FILES`, any package manager's, and
 * pnpm-workspace.yaml) the workspace has, and the patch files `patchedDependencies` names outside `patches/`.
 */
function settingsHeld(index: FileIndex, patchFiles: readonly string[]): string[] {
  const held = INSTALL_SETTINGS.filter((glob) => holds(index, glob));
  const elsewhere = patchFiles.filter(
    (file) => index.has(file) && !(held.includes('patches/**') && insideOf(file, 'patches')),
  );
  return unique([...held, ...elsewhere]);
}

/** Whether the workspace has a file a root path or a `<folder>/**` glob names. */
function holds(index: FileIndex, glob: string): boolean {
  return glob.endsWith('/**') ? index.under(glob.slice(0, -3)).length > 0 : index.has(glob);
}

/**
 * The folders named build contexts send, by what Nx knows of them: files it lists (sources), a build
 * output (`dist/apps/web`, a project's `dist`), or neither — written before the build by something
 * Nx does not know, which it cannot hash.
 */
function namedFolders(
  facts: ContextFacts,
  index: FileIndex,
): { sources: string[]; outputs: string[]; unlisted: string[] } {
  const found = { sources: [] as string[], outputs: [] as string[], unlisted: [] as string[] };
  for (const value of Object.values(facts.buildContexts ?? {})) {
    const source = namedContextSource(value);
    if (source?.kind !== 'folder') continue;
    const { path } = source;
    const kind = index.under(path).length ? 'sources' : isOutputPath(path, '.', facts) ? 'outputs' : 'unlisted';
    if (!found[kind].includes(path)) found[kind].push(path);
  }
  return found;
}

/** `ignoredGlobs` and `allowedGlobs` for a context folder, as workspace paths. */
function ignoreInputsIn(
  facts: ContextFacts,
  base: string,
  ignore: readonly string[],
  index: FileIndex,
): Pick<ContextChoice, 'ignored' | 'allowed'> {
  if (!ignore.length) return {};
  const inBase = (path: string) => (base === '.' ? path : posix.relative(base, path));
  const inWorkspace = (glob: string) => (base === '.' ? glob : `${base}/${glob}`);
  const listed = base === '.' ? index.under('.') : index.under(base).map(inBase);
  const always = [facts.dockerfile, `${facts.dockerfile}.dockerignore`].map(inBase).concat('.dockerignore');
  const ignored = ignoredGlobs(listed, ignore, always).map(inWorkspace);
  const allowed = allowedGlobs(listed, ignore, always)?.map(inWorkspace);
  return { ...(ignored.length ? { ignored } : {}), ...(allowed ? { allowed } : {}) };
}

/**
 * The roots of the projects inside the service's folder that send a file (after the ignore file): a
 * project or pruned context copies the folder whole, nested projects included.
 */
function nestedProjects(
  facts: ContextFacts,
  base: string,
  kept: (path: string) => boolean,
  index: FileIndex,
): string[] {
  const root = facts.projectRoot;
  if (root === '.' || !facts.projects) return [];
  const inBase = (path: string) => (base === '.' ? path : posix.relative(base, path));
  // A range of the sorted roots: a thousand services ask without a scan each.
  return withPrefix(sortedRoots(facts.projects), `${root}/`, (r) => r).filter((nested) =>
    index.under(nested).some((file) => kept(inBase(file))),
  );
}

const rootLists = new WeakMap<NonNullable<ContextFacts['projects']>, string[]>();

function sortedRoots(projects: NonNullable<ContextFacts['projects']>): string[] {
  let roots = rootLists.get(projects);
  if (!roots) rootLists.set(projects, (roots = projects.map((project) => project.root).sort()));
  return roots;
}

/**
 * The project roots a Dockerfile copies whole, from the workspace root (as a pruned context reads its
 * sources): by their own path, or, of `within` (the service and the workspace packages it depends on,
 * asked once, where needed), those inside a folder it copies that holds several projects (subql's
 * `COPY ./packages ./packages`; Joystream's `COPY ./storage-node`, a project holding its client, of
 * which the service uses only the client).
 */
export function copiedProjectRoots(
  sources: readonly CopySource[],
  projects: NonNullable<ContextFacts['projects']>,
  within: () => readonly string[] = () => [],
): string[] {
  const names = namesByRoot(projects);
  let closure: readonly string[] | undefined;
  return unique(
    sources.flatMap(({ source }) => {
      const path = normalizeSource('.', source);
      if (path === undefined) return [];
      // Read only where a copied folder is no project's alone: most Dockerfiles never ask.
      return path !== '.' && names.has(path) && !holdsNestedProject(path, projects)
        ? [path]
        : (closure ??= within()).filter((root) => insideOf(root, path));
    }),
  );
}

/** Whether another project lies inside a project's folder: a range of the sorted roots, as `nestedProjects` finds them. */
function holdsNestedProject(root: string, projects: NonNullable<ContextFacts['projects']>): boolean {
  return withPrefix(sortedRoots(projects), `${root}/`, (r) => r).length > 0;
}

/** An output a project's target states, as a workspace path. */
export type StatedOutput = NonNullable<ContextFacts['statedOutputs']>[number];

/**
 * Of the outputs targets state (`stated`, asked only where it can matter), those a Dockerfile's sources
 * reach that Nx lists no file of — a copied output, a path in it, or a folder holding outputs (codelab's
 * `COPY dist/libs/tools`, six libraries') — but the service's own build's (`ownBuild`): the graph's
 * `statedOutputs`, and adopt's, so that both wait for the same builds.
 */
export function statedOutputsReached(
  sources: readonly CopySource[],
  files: readonly string[],
  stated: () => readonly StatedOutput[],
  ownBuild: { project: string; target: string },
): StatedOutput[] {
  const listed = pathOf(files);
  const paths = sources.map(({ source }) => contextPath(source)).filter((path) => path !== '.' && !listed(path));
  if (!paths.length) return [];
  return stated().filter(
    ({ project, target, output }) =>
      !(project === ownBuild.project && target === ownBuild.target) &&
      paths.some((path) => insideOf(path, output) || insideOf(output, path)),
  );
}

/**
 * What a COPY source's owning projects are asked: the targets whose stated outputs hold it (or that it holds), else by Nx's
 * `dist/<project root>` convention the service's own build output, or another project's.
 */
function buildersOf(path: string, facts: ContextFacts): Array<{ name: string; own: boolean; target?: string }> {
  // The output or a path in it; else a folder holding stated outputs (codelab's `COPY dist/libs/tools`,
  // which six libraries' builds write), each of whose builds the image waits for — unless it holds the
  // service's own output too, whose build is then the one waited for, as before.
  const stated = facts.statedOutputs?.find(({ output }) => insideOf(path, output));
  if (stated) return [{ name: stated.project, own: false, target: stated.target }];
  const held = (facts.statedOutputs ?? []).filter(({ output }) => insideOf(output, path));
  if (held.length && !(facts.buildOutputs ?? []).some((output) => insideOf(output, path)))
    return held.map(({ project, target }) => ({ name: project, own: false, target }));
  const owner = facts.projects && buildOutputOwner(path, facts.projects);
  return owner ? [{ name: owner.project, own: owner.root === facts.projectRoot }] : [];
}

/** A producer of an output, as `producers` lists it. */
function producer(
  output: string,
  builder: { name: string; target?: string },
): NonNullable<ContextChoice['producers']>[number] {
  return { output, project: builder.name, ...(builder.target ? { target: builder.target } : {}) };
}

/**
 * The project whose `dist`, `build`, `out` or `.next` (Next.js's: simply-calendar-embeds' `COPY
 * apps/web/.next/standalone ./`) folder holds a workspace path (the deepest project root that contains
 * it), and that folder: that project's build writes it, git ignores it.
 */
export function buildOutputOwner(
  path: string,
  projects: NonNullable<ContextFacts['projects']>,
): { project: string; root: string; output: string } | undefined {
  const names = namesByRoot(projects);
  const segments = path.split('/');
  for (let end = segments.length - 1; end > 0; end--) {
    const root = segments.slice(0, end).join('/');
    const project = names.get(root);
    if (project === undefined) continue;
    return OUTPUT_FOLDERS.has(segments[end]!) ? { project, root, output: `${root}/${segments[end]}` } : undefined;
  }
  return undefined;
}

const projectNames = new WeakMap<object, Map<string, string>>();

/** Each project's name by its root: one map per project list, however many services ask. */
function namesByRoot(projects: NonNullable<ContextFacts['projects']>): Map<string, string> {
  let names = projectNames.get(projects);
  if (!names) {
    names = new Map(projects.map(({ name, root }) => [root, name]));
    projectNames.set(projects, names);
  }
  return names;
}

function chooseMode(
  facts: ContextFacts,
  reading: DockerfileReading,
): Pick<ContextChoice, 'mode' | 'reason' | 'workspaceManifests' | 'aboveWorkspace'> {
  const { written, sources } = reading;
  const index = indexOf(facts.files);
  const whole = sources.find((s) => isWholeContext(s.source));
  const pruned = prunedFrom(reading, facts);
  const quoted = quoting(facts.dockerfile);
  const { quote, followedBy } = quoted;

  // Pruned to the root project's dependencies, the root's manifests would lose every other
  // package's (logto, growthbook and standardnotes install and build the whole workspace there). A
  // prune tool there picks packages by name, not the root's closure (tianji's `pnpm install --filter
  // @tianji/client...`): the context the tool reads is every project's, so each one's change is the image's.
  if (facts.projectRoot === '.')
    return {
      mode: 'workspace',
      // A root with no package.json (khoj's pyproject.toml) has no manifest to cut down: the reason says only what is.
      reason: index.has('package.json')
        ? "the service is the workspace root: the repository as it is, with its own package.json and lockfile (a pruned context would cut them down to the root project's dependencies)"
        : 'the service is the workspace root: the repository as it is',
    };
  // git's own folder (churros' `COPY .git /app/.git`, read by `git rev-parse` in the image) is in no
  // listing of the workspace's files, so no pruned context holds it: the workspace folder as it is does
  // — unless the Dockerfile copies what only its project folder holds (FreeStuff's legacy bot, moved in
  // from a repository of its own: its `.git` is in no context of this one, which the build then says).
  const gitFolder = sources.find((s) => /^\.git(?:\/|$)/.test(contextPath(s.source)));
  const onlyInProject = (source: CopySource) =>
    !isWholeContext(source.source) &&
    find(index, facts, facts.projectRoot, source.source, facts.ignore.project) !== 'missing' &&
    find(index, facts, '.', source.source, facts.ignore.workspace) === 'missing';
  if (gitFolder && !sources.some(onlyInProject))
    return {
      mode: 'workspace',
      reason: `${quote(gitFolder)} copies git's own folder, which only the workspace folder as it is holds`,
    };
  // The tool reads the workspace's manifests and copies the service's closure: that is all it gets,
  // so another project's sources never change this image's content tag. But a later COPY of what Nx
  // lists nowhere and no build writes (next-turborepo-starter's root `.env`, git-ignored, written by its
  // CI before the build) comes only from the disk, as the root context sends it.
  const fromDisk =
    pruned &&
    sources.find(
      (s) =>
        !isWholeContext(s.source) &&
        !pruned.fed.has(s.line) &&
        hostWritten(facts, normalizeSource('.', s.source)) &&
        find(index, facts, '.', s.source, facts.ignore.workspace) === 'missing',
    );
  if (pruned && fromDisk)
    return {
      mode: 'workspace',
      reason: `${followedBy(pruned.copy, quote(pruned.step))}, but ${quote(fromDisk)} copies what Nx lists nowhere and no project's build writes (git-ignored, or written before the build), which a pruned context, made of git's files, cannot hold`,
    };
  if (pruned)
    return {
      mode: 'pruned',
      workspaceManifests: true,
      reason: `${followedBy(pruned.copy, quote(pruned.step))}: the context holds every workspace manifest and root file as they are, and the sources of the service and the projects it depends on`,
    };

  const inFolder = posix.dirname(facts.dockerfile) === facts.projectRoot;
  const placed = sources
    .filter((s) => !isWholeContext(s.source))
    .map((source) => ({
      source,
      project: find(index, facts, facts.projectRoot, source.source, facts.ignore.project),
      workspace: find(index, facts, '.', source.source, facts.ignore.workspace),
    }));
  const nested = nestedRootChoice(facts, placed, reading, whole, index, quote);
  if (nested) return nested;
  const kept = keptFolderChoice(facts, placed, index, quote);
  if (kept) return kept;
  // turbo prune's `--docker` layout is written at the workspace root, before the build, by nothing Nx
  // knows: whatever else the Dockerfile copies, and wherever it is kept (typie's website and api).
  const turboOut = placed.find(
    (p) => p.project === 'missing' && p.workspace === 'missing' && prunedByTurbo(normalizeSource('.', p.source.source)),
  );
  if (turboOut)
    return {
      mode: 'workspace',
      reason: `${quote(turboOut.source)} copies what \`turbo prune --docker\` writes at the workspace root before the build (out/json, out/full and the lockfile), which Nx lists nowhere and no project's build writes: a pruned context, made of git's files, cannot hold it`,
    };
  const projectOnly = placed.filter((p) => p.project !== 'missing' && p.workspace === 'missing');
  // A pattern beside a source the project folder holds, in one COPY, is optional there (hasna's
  // `COPY package.json bun.lock* ./`: the engine copies what matches, and a folder without its own
  // lockfile has none): that the root's lockfile matches it names no workspace path.
  const optionalHere = (p: (typeof placed)[number]) =>
    picomatch.scan(p.source.source).isGlob &&
    placed.some((q) => q !== p && q.source.line === p.source.line && q.project !== 'missing');
  const workspaceOnly = placed.filter((p) => p.workspace !== 'missing' && p.project === 'missing' && !optionalHere(p));
  // Asked only where it can decide: the steps are read as the shell would, which costs a parse each.
  const runsRootScript = (workspaceRooted: boolean) => rootScriptRun(facts, reading, index, quote, workspaceRooted);

  if (projectOnly.length === 0 && workspaceOnly.length === 0) {
    // Sources beside a Dockerfile kept in another folder than the project's (openreplay's `api/Dockerfile`
    // for a project elsewhere, built from `api/`): that folder is the context.
    const folder = contextFolder(facts);
    const missing = placed.filter((p) => p.project === 'missing' && p.workspace === 'missing');
    const beside =
      folder !== undefined && missing.length
        ? missing.find((p) => find(index, facts, folder, p.source.source, facts.folderIgnore ?? []) !== 'missing')
        : undefined;
    if (beside) return { mode: 'folder', reason: besideReason(quote(beside.source), folder!, facts.projectRoot) };
    // Found nowhere, from a Dockerfile kept in another folder (playwright's utils/docker/Dockerfile.noble
    // copies the tarball its build script writes beside it): as a Dockerfile in the project folder gets
    // that folder, this one gets its own, where `docker build` there would find them.
    // A project's own docker/ folder is no better a guess than the project's.
    if (
      folder !== undefined &&
      !insideOf(folder, facts.projectRoot) &&
      !whole &&
      placed.length &&
      missing.length === placed.length
    )
      return {
        mode: 'folder',
        reason: `${facts.dockerfile} is kept in ${folder} and no context holds its COPY sources (${firstAndMore(placed, quote)}): a step before the build must write them, beside it`,
      };
    // The workspace's ignore file leaves the project out whole (cosmo's `demo`, its subgraphs built from
    // `demo/docker/*.Dockerfile` with `context: ./demo`): the whole copy can only be of the project folder.
    const projectFiles = index.under(facts.projectRoot);
    const kept = keeps(facts.ignore.workspace);
    if (whole && !inFolder && projectFiles.length && !projectFiles.some((file) => kept(file)))
      return {
        mode: 'project',
        reason: `${quote(whole)} copies the whole context, and the workspace's .dockerignore leaves out ${facts.projectRoot}: the Dockerfile is written for the project folder`,
      };
    if (whole && !inFolder)
      return {
        mode: 'workspace',
        reason: `${quote(whole)} copies the whole context, and the Dockerfile is not directly in its project folder (${facts.projectRoot})`,
      };
    // Whether `COPY . .` copied the workspace root or the project folder is what is being decided.
    const rootStep = whole && wholeCopyRootStep(facts, reading, whole, index, quoted);
    if (rootStep) return { mode: 'workspace', reason: rootStep };
    if (!inFolder && (placed.length || whole || written.length))
      return { mode: 'pruned', reason: 'no COPY source decides between the project folder and the workspace root' };
    // Copying nothing, a Dockerfile kept in another folder than the project's — outside it (greenpress's
    // compose/builders/*.Dockerfile, each FROM the monorepo image) or in one of its folders (mockoon's
    // `packages/cli/docker/Dockerfile` installs its CLI from the registry, and its CI builds that folder)
    // — is built where it is kept, as \`docker build\` there sends it: the project folder's sources and
    // build outputs would reach its tag, never its image.
    if (folder !== undefined && !placed.length && !whole && !written.length)
      return {
        mode: 'folder',
        reason: `${facts.dockerfile} copies nothing from the context and is kept in ${folder}, ${insideOf(folder, facts.projectRoot) ? 'a folder of' : 'outside'} ${facts.projectRoot}: built from there, as \`docker build\` there sends it`,
      };
    const above = aboveWorkspace(placed, facts, index);
    return {
      mode: 'project',
      reason: `${facts.dockerfile}${inFolder ? ' is in the project folder and' : ':'} ${undecided(placed, written, whole, quote, above, (source) => !!facts.unlistedOnDisk?.includes(normalizeSource(facts.projectRoot, source.source)))}`,
      ...(above ? { aboveWorkspace: above } : {}),
    };
  }
  if (projectOnly.length > workspaceOnly.length || (projectOnly.length === workspaceOnly.length && inFolder)) {
    const conflict = workspaceOnly.length ? `; ${conflicts(workspaceOnly.length, 'are workspace paths')}` : '';
    return {
      mode: 'project',
      reason: `${quote(projectOnly[0]!.source)} names a path in ${facts.projectRoot}, not at the workspace root${conflict}`,
    };
  }
  if (whole)
    return {
      mode: 'workspace',
      reason: `${quote(workspaceOnly[0]!.source)} names a workspace path and ${quote(whole)} copies the whole context`,
    };
  const conflict = projectOnly.length ? `; ${conflicts(projectOnly.length, `are only in ${facts.projectRoot}`)}` : '';
  // The root's manifests kept as they are: a prune or workspace tool, the workspace laid out for its
  // install, install scripts, bun, loose sources. Asked where it decides (most Dockerfiles never get here).
  const keptRoot = (): Pick<ContextChoice, 'mode' | 'reason' | 'workspaceManifests'> | undefined => {
    // The root manifest copied and a prune tool run on it (twenty's `yarn workspaces focus`): the tool
    // reads the workspace's manifests as they are; pruned, the root's would list the service's closure only.
    // By name, or by a glob that takes it (akash's `COPY package*.json /app/`).
    const rootManifest = placed.find(
      (p) => p.workspace !== 'missing' && picomatch(normalizeSource('.', p.source.source))('package.json'),
    );
    // A workspace tool reads them as they are too (atproto's `pnpm run --recursive --filter 'bsync-service...' build`
    // finds only the root project in the service's own manifest, and fails).
    const pruneTool = rootManifest && reading.builtSteps.find(runsPruneTool);
    const tool = pruneTool ?? (rootManifest && reading.builtSteps.find(runsWorkspaceTool));
    if (rootManifest && tool) {
      const runs = pruneTool ? 'runs a prune tool on it' : 'runs a workspace tool, which reads every package manifest';
      // One RUN that mounts the manifest and runs the tool (openstatus's db) is quoted once.
      return keptWhole(
        rootManifest.source.line === tool.line
          ? `${quote(tool)} mounts the root package.json and ${runs}`
          : `${quote(rootManifest.source)} copies the root package.json and ${quote(tool)} ${runs}`,
        conflict,
      );
    }
    // The Dockerfile lays the workspace's manifests out itself for its install (agenta's web images:
    // `COPY --parents packages/*/package.json ./`; sill's, another package's by name, then an install
    // whose per-package node_modules a later stage takes): pruned, the root's would list the service's
    // closure only, and pnpm's workspace file no package.
    const projectRoots = new Set((facts.projects ?? []).map((project) => project.root));
    const manifests =
      rootManifest &&
      placed.find((p) => {
        const path = normalizeSource('.', p.source.source);
        if (p.workspace === 'missing' || !path.endsWith('/package.json')) return false;
        const folder = posix.dirname(path);
        return /[*?[{]/.test(path) || (folder !== facts.projectRoot && projectRoots.has(folder));
      });
    if (rootManifest && manifests)
      return keptWhole(
        `${quote(rootManifest.source)} copies the root package.json and ${quote(manifests.source)} the packages' manifests, laying the workspace out for its install`,
        conflict,
      );
    // The root's install scripts build every package (graphprotocol/indexer's `"prepare": "lerna run
    // prepare"`), and an install runs them after the root package.json is copied: pruned, the root's
    // would be the service's own, and the image would build nothing.
    const installs =
      rootManifest && facts.rootInstallBuilds && runAfter(reading, rootManifest.source.line, runsInstallScripts);
    if (rootManifest && installs)
      return keptWhole(
        `${quote(rootManifest.source)} copies the root package.json, whose install scripts build every package, and ${quote(installs)} runs them`,
        conflict,
      );
    // A project with no package.json of its own installs the root's dependencies; where Nx cannot tell the
    // npm packages its sources import — no lockfile (Mist3rBru's services, a project.json each), or no
    // source analysis (zen's api) — the pruned root manifest would name none, and the install would add
    // nothing. Otherwise Nx's pruning keeps the packages the project imports.
    const ownless =
      rootManifest &&
      facts.projectRoot !== '.' &&
      !index.has(posix.join(facts.projectRoot, 'package.json')) &&
      (facts.sourcesUnanalysed || !ROOT_LOCKFILES.some(committedHas(facts, index))) &&
      runAfter(reading, rootManifest.source.line, (words) => INSTALLS.test(words.join(' ')));
    if (rootManifest && ownless)
      return keptWhole(
        `${quote(rootManifest.source)} copies the root package.json, the only manifest ${facts.projectRoot} has, and ${quote(ownless)} installs what it names, which Nx cannot prune by the project's imports (${facts.sourcesUnanalysed ? 'it analyses no source file' : 'no lockfile'})`,
        conflict,
      );
    // Nx writes no lockfile for bun (its pruning ships the package.json alone): sim's migrations image
    // copies the root package.json and bun.lock, and its install needs the workspaces the root names.
    if (rootManifest && ['bun.lock', 'bun.lockb'].some(committedHas(facts, index)))
      return keptWhole(
        `${quote(rootManifest.source)} copies the root package.json of a bun workspace, whose lockfile Nx cannot prune`,
        conflict,
      );
    // browserless's base image: it copies the root package.json and sources no project holds (`COPY src
    // src`, `COPY bin bin`); Nx prunes the root manifest to the projects' dependencies, and those
    // sources' dependencies only the root manifest names.
    const loose =
      rootManifest &&
      placed.find(
        (p) => p.workspace !== 'missing' && holdsLooseSources(normalizeSource('.', p.source.source), facts, index),
      );
    // Yarn's own files (its release and plugins, Plug'n'Play's `.pnp.cjs` and cache) read the root manifest and lockfile as they are.
    const yarnOwn = loose && /^(?:\.yarn(?:\/|$)|\.pnp\.)/.test(normalizeSource('.', loose.source.source) ?? '');
    if (rootManifest && loose)
      return keptWhole(
        yarnOwn
          ? `${quote(rootManifest.source)} copies the root package.json and ${quote(loose.source)} Yarn's own files (its release, plugins or Plug'n'Play install state), which read the root package.json and lockfile as they are`
          : `${quote(rootManifest.source)} copies the root package.json and ${quote(loose.source)} sources no project holds, whose dependencies only the root package.json names`,
        conflict,
      );
    // pnpm's workspace file copied without the root package.json, then a whole install (crowd.dev's
    // workers: `COPY ./pnpm-workspace.yaml ./pnpm-lock.yaml ./`, `COPY ./services ./services`, `pnpm i
    // --frozen-lockfile`): the install finds the packages by it; pruned, it would list none, and the
    // lockfile the root alone.
    const workspaceFile =
      !rootManifest &&
      placed.find((p) => p.workspace !== 'missing' && normalizeSource('.', p.source.source) === 'pnpm-workspace.yaml');
    const install = workspaceFile && runAfter(reading, workspaceFile.source.line, installsWholePnpmWorkspace);
    if (workspaceFile && install)
      return keptWhole(
        `${quote(workspaceFile.source)} copies pnpm-workspace.yaml without the root package.json, and ${quote(install)} installs the packages it lists`,
        conflict,
      );
    return undefined;
  };
  // A pruned context's package.json is the service's own: the root's scripts are not in it, unless
  // the root's manifests are kept as they are (beabee's `yarn workspaces focus -A`, then `yarn build`).
  // Run beside the root package.json the Dockerfile copied, a root script needs only that manifest kept
  // as it is (novu's embed: `COPY package.json .`, then `RUN pnpm build`, the root's `nx run-many`;
  // sleepr's `pnpm run build auth`, the root's `nest build`): the image reads nothing it does not copy.
  // One only the root defines that runs a workspace tool (novu's web: `nx build @novu/web`, which builds
  // its libraries in the image), or one run elsewhere (no root package.json beside it), may read any
  // of the root's files, as before.
  const rootScript = runsRootScript(true);
  const keptForScript = rootScript
    ? (keptRoot() ?? (rootScript.besideRoot ? keptWhole(rootScript.why, conflict) : undefined))
    : undefined;
  if (rootScript && !keptForScript)
    return {
      mode: 'workspace',
      reason: `${quote(workspaceOnly[0]!.source)} names a workspace path and ${rootScript.why}`,
    };
  // A pruned context is made of git's files: a host build's output that Nx lists nowhere and no
  // project's build writes (SigNoz's `COPY frontend/build/`, of a folder that is no project, Go's
  // `target/`, code-server's `release-packages/` that the root .gitignore names) comes only from the
  // disk, as the root context sends it.
  const unheld = placed.find(
    (p) =>
      p.project === 'missing' && p.workspace === 'missing' && hostWritten(facts, normalizeSource('.', p.source.source)),
  );
  if (unheld)
    return {
      mode: 'workspace',
      reason: `${quote(workspaceOnly[0]!.source)} names a workspace path, and ${quote(unheld.source)} one Nx lists nowhere and no project's build writes (git-ignored, or written before the build), which a pruned context, made of git's files, cannot hold${conflict}`,
    };
  return (
    (rootScript ? keptForScript : keptRoot()) ?? {
      mode: 'pruned',
      reason: `${quote(workspaceOnly[0]!.source)} names a workspace path${conflict}`,
    }
  );
}

type Quote = (s: { line: number; instruction?: string; text?: string }) => string;

/** How reasons quote a Dockerfile's instructions, and a step after a copy of the whole context. */
function quoting(dockerfile: string): { quote: Quote; followedBy: (copy: CopySource, next: string) => string } {
  const quote: Quote = (s) => `"${truncate(s.instruction ?? s.text ?? '')}" (${dockerfile}:${s.line})`;
  // A RUN's bind mount of the whole context is read by that RUN itself.
  const followedBy = (copy: CopySource, next: string) =>
    next.startsWith(quote(copy))
      ? `${quote(copy)} mounts the whole context for itself${next.slice(quote(copy).length)}`
      : `${quote(copy)} is followed by ${next}`;
  return { quote, followedBy };
}

/** A step running a script only the workspace root's package.json defines (or, beside the root manifest, one it defines), and why. */
function rootScriptRun(
  facts: ContextFacts,
  reading: DockerfileReading,
  index: FileIndex,
  quote: Quote,
  workspaceRooted: boolean,
): { besideRoot: boolean; why: string } | undefined {
  // The folder as a workspace path, or one in the project's folder, which a project context sends.
  const isPackage = (folder: string) =>
    [posix.join(folder, 'package.json'), posix.join(facts.projectRoot, folder, 'package.json')].some((file) =>
      index.has(file),
    );
  const found = rootScriptStep(reading, facts.scripts, workspaceRooted, isPackage);
  return (
    found && {
      besideRoot: found.besideRoot,
      why: found.besideRoot
        ? `${quote(found.step)} runs "${found.script}" beside the root package.json it copied: the workspace root's script, not the project's own`
        : `${quote(found.step)} runs "${found.script}", a script only the workspace root's package.json defines`,
    }
  );
}

/**
 * Why a copy of the whole context must be of the workspace root, as a step after it says: a workspace
 * tool, the workspace's layout (its lockfile, the project's own path inside the copy), a script only
 * the root defines. Undefined where the project folder copied whole would do as well.
 */
function wholeCopyRootStep(
  facts: ContextFacts,
  reading: DockerfileReading,
  whole: CopySource,
  index: FileIndex,
  { quote, followedBy }: ReturnType<typeof quoting>,
): string | undefined {
  const tool = stepAfter(reading.builtSteps, whole, WORKSPACE_TOOLS);
  if (tool) return `${followedBy(whole, quote(tool))}, a workspace tool: it reads the whole workspace`;
  const laidOut = workspaceLayout(facts, reading, whole, index, quote);
  if (laidOut) return followedBy(whole, laidOut);
  const rootScript = rootScriptRun(facts, reading, index, quote, false);
  return rootScript && followedBy(whole, rootScript.why);
}

/**
 * Why the project folder as the context cannot build a Dockerfile whose steps need the whole
 * workspace after copying the whole context (a prune tool on it, or `wholeCopyRootStep`), as the
 * inference reads them; undefined where none does. What adopt asks of a build it would carry over
 * (yggd's web: @nx/docker's `docker build .` in the project folder, then `pnpm --filter web deploy`).
 */
export function wholeCopyNeedsWorkspace(facts: ContextFacts): string | undefined {
  const reading = new DockerfileReading(facts.dockerfileText, facts.buildArgs, facts.target);
  const whole = reading.sources.find((s) => isWholeContext(s.source));
  if (!whole) return undefined;
  const quoted = quoting(facts.dockerfile);
  const pruned = prunedFrom(reading, facts);
  if (pruned && isWholeContext(pruned.copy.source))
    return `${quoted.followedBy(pruned.copy, quoted.quote(pruned.step))}, a prune tool: it reads the whole workspace`;
  return wholeCopyRootStep(facts, reading, whole, indexOf(facts.files), quoted);
}

/** A pruned context whose root manifests a tool or the install reads as they are: why, and what it holds. */
function keptWhole(why: string, conflict: string): Pick<ContextChoice, 'mode' | 'reason' | 'workspaceManifests'> {
  return {
    mode: 'pruned',
    workspaceManifests: true,
    reason: `${why}: the context holds the package manager's root files as they are, and the sources of the service, the projects it depends on and the paths the Dockerfile copies, manifests among them${conflict}`,
  };
}

const SCRIPT_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Whether a workspace path holds JavaScript or TypeScript files of no project: in none, holding none. */
function holdsLooseSources(path: string, facts: ContextFacts, index: FileIndex): boolean {
  if (!facts.projects) return false;
  const roots = facts.projects.map((project) => project.root);
  if (roots.some((root) => insideOf(path, root) || insideOf(root, path))) return false;
  return index.under(path).some((file) => SCRIPT_FILE.test(file));
}

/** `"COPY a ./" (Dockerfile:2) and 2 more`. */
function firstAndMore(
  placed: ReadonlyArray<{ source: CopySource }>,
  quote: (s: { line: number; instruction: string }) => string,
): string {
  return `${quote(placed[0]!.source)}${placed.length > 1 ? ` and ${placed.length - 1} more` : ''}`;
}

/**
 * Sources found nowhere that all start with the workspace's own folder and are workspace paths without
 * it (unkey's `COPY web/package.json`, Nx in `web/`): the Dockerfile is written for the folder above.
 */
function aboveWorkspace(
  placed: ReadonlyArray<{ source: CopySource; project: Found; workspace: Found }>,
  facts: ContextFacts,
  index: FileIndex,
): string | undefined {
  const folder = facts.workspaceFolder;
  if (!folder || !placed.length) return undefined;
  const inside = placed.map(({ source }) => insideWorkspaceFolder(source.source, folder));
  // `COPY web/ .` names the folder itself.
  const all = placed.every(
    ({ source }, i) => inside[i] !== undefined || normalizeSource('.', source.source) === folder,
  );
  return all &&
    inside.some((path) => path !== undefined && find(index, facts, '.', path, facts.ignore.workspace) !== 'missing')
    ? folder
    : undefined;
}

/**
 * A source as a workspace path without the workspace's own folder in front (`web/package.json` →
 * `package.json`, Nx in `web/`); undefined when it does not start with that folder.
 */
export function insideWorkspaceFolder(source: string, folder: string): string | undefined {
  const path = normalizeSource('.', source);
  return path?.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : undefined;
}

/** Why no COPY source decided, for a Dockerfile in the project folder: the project folder is sent, as `docker build .` there would. */
function undecided(
  placed: ReadonlyArray<{ source: CopySource; project: Found; workspace: Found }>,
  written: readonly WrittenSource[],
  whole: CopySource | undefined,
  quote: (s: { line: number; instruction: string }) => string,
  above: string | undefined,
  /** A source the project folder holds on disk that Nx does not list (a committed file .gitignore matches). */
  unlisted: (source: CopySource) => boolean,
): string {
  if (above)
    return `its COPY sources (${firstAndMore(placed, quote)}) start with ${above}/, the Nx workspace's own folder: it is written for the folder above the workspace, which no context holds (docker-build's "context": ".." sends it, uncached)`;
  if (placed.some((p) => p.project === 'file')) {
    // One found nowhere fails the build (the engine's "not found"): said here, before it does.
    const nowhere = placed.filter(
      (p) =>
        p.project === 'missing' && p.workspace === 'missing' && !picomatch.scan(contextPath(p.source.source)).isGlob,
    );
    return nowhere.length
      ? `its COPY sources are found in the project folder (as \`docker build .\` there sends it), but ${listed(nowhere.map((p) => contextPath(p.source.source)))}, which ${quote(nowhere[0]!.source)}${nowhere.length > 1 ? ' and more' : ''} copies, is found nowhere in the workspace: the build fails there unless a step before it writes it`
      : 'its COPY sources are found in the project folder (as `docker build .` there sends it)';
  }
  if (placed.some((p) => p.project === 'output'))
    return 'its COPY sources are build outputs in the project folder (as `docker build .` there sends it)';
  if (whole && !placed.length)
    return `${quote(whole)} copies that folder whole: no step after it needs the workspace root`;
  // AgentGPT's db: `ADD setup.sql`, committed, and the root .gitignore's `*.sql` matches it.
  if (placed.length && placed.every(({ source }) => unlisted(source)))
    return `its COPY sources (${firstAndMore(placed, quote)}) are on disk in the project folder, but ignore rules Nx follows (.gitignore, .ignore, .nxignore) match them, so Nx does not list them`;
  if (placed.length)
    return `neither context holds its COPY sources (${firstAndMore(placed, quote)}): a step before the build must write them, or a .dockerignore leaves them out`;
  const unresolved = written.find((s) => s.source === undefined);
  if (unresolved) return `its COPY sources depend on values only the build knows (${quote(unresolved)})`;
  return 'it copies nothing from the context';
}

/**
 * A monorepo prune tool run on the whole context: `COPY . .`, then as the stage's next RUN the tool
 * (a tool's own install may come first). A step in between that may read every project's sources (a
 * full install running lifecycle scripts, `pnpm run -r build`), or a tool in another stage, leaves
 * the whole context needed: the stage's first real RUN decides.
 */
/** A RUN that runs a monorepo prune tool (its own install aside). */
function runsPruneTool(step: Step): boolean {
  return runs(step, PRUNE_TOOLS);
}

/** Whether a RUN of the stages built runs a monorepo prune tool (`turbo prune`, `pnpm deploy`, …). */
export function prunesInImage(reading: DockerfileReading): boolean {
  return reading.builtSteps.some(runsPruneTool);
}

/**
 * Whether a prune tool run on a whole copy keeps what git ignores there (a host build's output) where the
 * image takes it: not `turbo prune`, which copies the closure into `out/` honouring .gitignore (unless
 * `--use-gitignore=false`); `pnpm deploy` copies a package's files as its pack would, the others cut in place.
 */
export function prunesKeepingIgnored(reading: DockerfileReading): boolean {
  const prunes = reading.builtSteps.filter(runsPruneTool);
  return (
    prunes.length > 0 &&
    !prunes.some(
      (step) => /\bturbo(?:@\S+)?\s+prune\b/.test(step.text) && !/--use-gitignore[=\s]+false\b/.test(step.text),
    )
  );
}

/** Whether a RUN of the stages built runs any build (a `build` script, a compiler or bundler), wherever it runs. */
export function runsAnyBuild(reading: DockerfileReading): boolean {
  return reading.builtSteps.some((step) => runs(step, COMPILES));
}

function runsWorkspaceTool(step: Step): boolean {
  return runs(step, WORKSPACE_TOOLS);
}

/** `ContextFacts.scripts` from the root package.json's scripts and the names of the project's. */
export function scriptFacts(
  rootScripts: Readonly<Record<string, string>>,
  projectScripts: readonly string[],
): ContextFacts['scripts'] {
  const names = Object.keys(rootScripts);
  if (!names.length) return undefined;
  const tools = names.filter(
    (name) => WORKSPACE_TOOLS.test(rootScripts[name]!) || PRUNE_TOOLS.test(rootScripts[name]!),
  );
  return { root: names, project: projectScripts, ...(tools.length ? { tools } : {}) };
}

/** A RUN running `tool`, not only installing tools or system packages. */
function runs(step: Step, tool: RegExp): boolean {
  return /^RUN\s/i.test(step.text) && !TOOL_SETUP.test(step.text) && tool.test(step.text);
}

function pruneAfterWholeCopy(
  steps: readonly Step[],
  wholeCopies: readonly CopySource[],
): { copy: CopySource; step: Step } | undefined {
  for (const copy of wholeCopies) {
    for (const next of stepsAfter(steps, copy)) {
      if (/^FROM\s/i.test(next.text)) break;
      if (!/^RUN\s/i.test(next.text) || TOOL_SETUP.test(next.text)) continue;
      if (runsPruneTool(next)) return { copy, step: next };
      break;
    }
  }
  return undefined;
}

/**
 * The prune tool run on what the workspace copies of its stage hold: the whole context, or folders
 * holding workspace projects (IoT-Manager's `COPY apps ./apps`, `COPY packages ./packages`, then
 * `turbo prune`), with those copies (`fed`, by line). The tool writes the service's closure, which is
 * all a later stage takes: another project's sources there never reach the image.
 */
function prunedFrom(
  reading: DockerfileReading,
  facts: Pick<ContextFacts, 'projects'>,
): { copy: CopySource; step: Step; fed: ReadonlySet<number> } | undefined {
  // Most Dockerfiles run no prune tool: no copy is weighed against every project then.
  if (!reading.builtSteps.some(runsPruneTool)) return undefined;
  const holdsProjects = (source: string) => {
    const path = normalizeSource('.', source);
    return (facts.projects ?? []).some((project) => project.root !== path && insideOf(project.root, path));
  };
  const copies = reading.sources.filter((s) => isWholeContext(s.source) || holdsProjects(s.source));
  const found = pruneAfterWholeCopy(reading.builtSteps, copies);
  if (!found) return undefined;
  const stageStart = Math.max(
    -1,
    ...reading.builtSteps
      .filter((step) => /^FROM\s/i.test(step.text) && step.line < found.step.line)
      .map((step) => step.line),
  );
  const fed = copies.filter((copy) => copy.line > stageStart && copy.line < found.step.line).map((copy) => copy.line);
  return { ...found, fed: new Set(fed) };
}

/**
 * Whether a workspace path Nx lists nowhere is written on the host before the build: under a build
 * tool's output folder, or one the root `.gitignore` leaves out. A manifest or lockfile is no build's
 * output: one `.gitignore` matches is committed all the same (Cap's `apps/media-server/bun.lock` under
 * the root's `bun.lock` line), and git's list holds it.
 */
function hostWritten(facts: Pick<ContextFacts, 'gitignore'>, path: string | undefined): boolean {
  if (path === undefined) return false;
  return (
    path.split('/').some((segment) => HOST_OUTPUT_FOLDERS.has(segment)) ||
    (!INSTALL_FILES.has(posix.basename(path)) && gitIgnores(facts.gitignore ?? [])(path))
  );
}

/**
 * Manifests and lockfiles, by file name: committed, never a build's output. (Not the settings: a CI
 * step may write an `.npmrc` with its token before the build.)
 */
const INSTALL_FILES = new Set([
  'package.json',
  'pnpm-workspace.yaml',
  'npm-shrinkwrap.json',
  'bun.lock',
  'bun.lockb',
  ...Object.values(LOCKFILES),
]);

/**
 * Installs that fail without their lockfile (`npm ci`, `yarn install --immutable`, `pnpm install
 * --frozen-lockfile`, …), with the lockfiles each reads.
 */
const LOCKED_INSTALLS: ReadonlyArray<[RegExp, readonly string[]]> = [
  [/\bnpm\s+ci\b/, ['package-lock.json', 'npm-shrinkwrap.json']],
  [/\byarn\s+(?:install\b)?[^&|;\n]*\s--(?:immutable|frozen-lockfile)\b/, ['yarn.lock']],
  [/\bpnpm\s+(?:i|install)\b[^&|;\n]*\s--frozen-lockfile\b/, ['pnpm-lock.yaml']],
  [/\bbun\s+(?:i|install)\b[^&|;\n]*\s--frozen-lockfile\b/, ['bun.lock', 'bun.lockb']],
  // A uv workspace's lock, at its root (multitenant-saas-starter's FastAPI app, `uv sync --frozen`).
  [/\buv\s+sync\b[^&|;\n]*\s--(?:frozen|locked)\b/, ['uv.lock']],
];

/** The lockfiles the Dockerfile's locked installs read (`npm ci`: package-lock.json, npm-shrinkwrap.json). */
export function lockedInstallLockfiles(dockerfileText: string): string[] {
  return LOCKED_INSTALLS.flatMap(([install, lockfiles]) => (install.test(dockerfileText) ? lockfiles : []));
}

/**
 * Why a whole-context copy from a Dockerfile in its project folder is the workspace, when the steps
 * after it say so without a workspace tool: a WORKDIR into the project's own path inside the copy
 * (`COPY ./ /workspace`, `WORKDIR /workspace/packages/auth`) or a later stage's copy from there, or an install that needs a lockfile
 * or a package.json only the workspace root holds. Undefined when none does.
 */
function workspaceLayout(
  facts: ContextFacts,
  reading: DockerfileReading,
  whole: CopySource,
  index: FileIndex,
  quote: (s: { line: number; instruction?: string; text?: string }) => string,
): string | undefined {
  // Unless the project folder holds that path itself: then the copy of the folder alone would have it too.
  const into = reading.wholeCopyWorkdirs.find(
    (w) =>
      w.line > whole.line &&
      insideOf(w.source, facts.projectRoot) &&
      !index.under(posix.join(facts.projectRoot, w.source)).length,
  );
  if (into) return `${quote(into)}: the project's own path inside the copy, as the workspace root lays it out`;
  // A script run by its path there (a Deno service's `CMD ["deno", "run", "-A", "apps/web/main.ts"]`), the same.
  const script = reading.wholeCopyScripts.find(
    (s) =>
      s.line > whole.line &&
      insideOf(s.source, facts.projectRoot) &&
      !index.has(posix.join(facts.projectRoot, s.source)) &&
      !index.under(posix.join(facts.projectRoot, posix.dirname(s.source))).length,
  );
  if (script)
    return `${quote(script)} runs ${script.source}: the project's own path inside the copy, as the workspace root lays it out`;
  // A later stage taking the project's own path from the copy (fonoster's autopilot: `COPY
  // --from=builder /work/mods/autopilot/dist …` after `COPY . .` into /work) finds it there only when
  // the copy was of the workspace root.
  const taken = reading.wholeCopyReads.find(
    (read) =>
      read.line > whole.line &&
      insideOf(read.source, facts.projectRoot) &&
      !index.under(posix.join(facts.projectRoot, read.source)).length &&
      !index.has(posix.join(facts.projectRoot, read.source)),
  );
  if (taken)
    return `${quote(taken)}, which takes the project's own path from the copy, as the workspace root lays it out`;
  const has = committedHas(facts, index);
  for (const [install, lockfiles] of LOCKED_INSTALLS) {
    const step = stepAfter(reading.builtSteps, whole, install);
    const atRoot = step && lockfiles.find(has);
    if (atRoot && !lockfiles.some((lockfile) => has(posix.join(facts.projectRoot, lockfile))))
      return `${quote(step)}, which needs ${atRoot}: the workspace root holds it, the project folder does not`;
  }
  // Any install reads a package.json: where only the workspace root has one (ultimate-backend's Nest
  // apps: `ADD . /usr/src/app`, `yarn install`), the project folder alone has nothing to install.
  const install = stepAfter(reading.builtSteps, whole, INSTALLS);
  if (
    install &&
    index.has('package.json') &&
    !index.under(facts.projectRoot).some((file) => posix.basename(file) === 'package.json')
  )
    return `${quote(install)}, which needs a package.json: the workspace root holds one, the project folder none`;
  // One whose package.json depends on a workspace package the registry cannot give (embiem's api:
  // `"@monorepo/shared": "*"`, a private package): only the workspace root's install resolves it.
  const local = facts.localDependencies?.[0];
  if (install && local && index.has('package.json'))
    return `${quote(install)} installs ${local}, a workspace package only the workspace root's install resolves`;
  return undefined;
}

/**
 * Of a package.json's dependencies, the workspace packages an install in its own folder cannot fetch:
 * a `workspace:` specifier (pnpm, yarn 2+, bun), a `file:` or `link:` path out of the folder, or a
 * package the workspace keeps `private` (never published) by any specifier.
 */
export function localDependencies(
  manifest: Readonly<Record<string, unknown>>,
  /** The workspace package of that name, and whether the workspace keeps it private; undefined when none is. */
  workspacePackage: (name: string) => { private: boolean } | undefined,
): string[] {
  const found = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      const local = typeof spec === 'string' ? workspacePackage(name) : undefined;
      if (local && (local.private || /^workspace:|^(?:file|link):\.\.\//.test(spec as string))) found.add(name);
    }
  }
  return [...found].sort();
}

/** A local install by any package manager (`yarn` alone is one); a global one (`npm i -g`) is not. */
const INSTALLS =
  /\b(?:npm\s+(?:ci|i|install)|pnpm\s+(?:i|install)|bun\s+(?:i|install)|yarn\s+install)\b(?![^&|;\n]*\s(?:-g|--global)\b)|\byarn(?=\s*(?:$|&&|;|\|\|)|\s+--)/m;

/** Commands of the package managers that are no script of the package (`yarn install`, `pnpm dlx`). */
const PACKAGE_MANAGER_COMMANDS: Readonly<Record<string, ReadonlySet<string>>> = {
  yarn: new Set(
    'add audit autoclean bin cache check config constraints create dedupe dlx exec explain generate-lock-entry global help import info init install link list login logout node npm outdated owner pack patch patch-commit plugin policies publish rebuild remove run search set stage tag team unlink unplug up upgrade upgrade-interactive version versions why workspace workspaces'.split(
      ' ',
    ),
  ),
  pnpm: new Set(
    'add audit bin config create dedupe deploy dlx env exec fetch i import init install install-test licenses link list ls outdated pack patch patch-commit prune publish rebuild remove rm root run server setup store un uninstall unlink up update why'.split(
      ' ',
    ),
  ),
};
/** Options that run a script of another package than the one in the working folder. */
const ELSEWHERE = /^(?:--prefix|-w|--workspaces?|-ws|-C|--dir|--cwd|--filter|-F|-r|--recursive)(?:=|$)/;

/**
 * The scripts a RUN runs by name from the package.json of its working folder: `npm run x`,
 * `npm start`, `yarn x`, `yarn run x`, `pnpm x`, `bun run x`; not those run in another package
 * (`yarn workspace a x`, `npm run x -w a`, `pnpm --filter a x`).
 */
export function scriptsRun(run: string): string[] {
  return scriptCalls(run).map(({ name }) => name);
}

/** The package scripts a RUN runs, each with the words passed to it (`npm run build -- api`: `api`). */
export function scriptCalls(run: string): Array<{ name: string; args: string[] }> {
  return commandsOf(run).flatMap(commandCalls);
}

/** The package script one command runs, as `scriptCalls` reads it. */
function commandCalls(command: readonly string[]): Array<{ name: string; args: string[] }> {
  // What follows `--` is the script's arguments (akash's `npm run safe-install -- --workspace $WORKSPACE`).
  const end = command.indexOf('--');
  const words = end < 0 ? [...command] : command.slice(0, end);
  while (words.length && /^\w+=/.test(words[0]!)) words.shift();
  const [tool, ...rest] = words;
  if (!tool || rest.some((word) => word === 'workspace' || ELSEWHERE.test(word))) return [];
  const args = rest.filter((word) => !word.startsWith('-'));
  const called = (name: string | undefined) => {
    if (!name) return [];
    const after = command.slice(command.indexOf(name, 1) + 1);
    return [{ name, args: after.filter((word) => word !== '--') }];
  };
  if (tool === 'npm') {
    if (args[0] === 'run' || args[0] === 'run-script') return called(args[1]);
    return ['start', 'test', 'stop', 'restart'].includes(args[0] ?? '') ? called(args[0]) : [];
  }
  if (tool === 'bun') return args[0] === 'run' ? called(args[1]) : [];
  const commands = PACKAGE_MANAGER_COMMANDS[tool];
  if (!commands || !args[0]) return [];
  if (args[0] === 'run') return called(args[1]);
  return commands.has(args[0]) ? [] : called(args[0]);
}

/**
 * The commands of the project's scripts a RUN runs by name, and of the scripts those run in turn; each
 * after its `pre` script where the tool runs it first (npm, yarn classic, bun; not pnpm): personal-kanban's
 * `"prebuild": "npm run build -w @kanban/shared"`.
 */
function scriptCommands(run: string, scripts: Readonly<Record<string, string>> | undefined): string[][] {
  if (!scripts) return [];
  const seen = new Set<string>();
  const of = (text: string): string[][] =>
    commandsOf(text).flatMap((words) => {
      const pre = words.find((word) => !/^\w+=/.test(word)) !== 'pnpm';
      return commandCalls(words).flatMap(({ name }) =>
        [...(pre ? [`pre${name}`] : []), name].flatMap((script) => {
          const body = scripts[script];
          if (body === undefined || seen.has(script)) return [];
          seen.add(script);
          return [...commandsOf(`RUN ${body}`), ...of(`RUN ${body}`)];
        }),
      );
    });
  return of(run);
}

/** The first RUN of the stages built after a line that runs a command `does` matches. */
function runAfter(
  reading: DockerfileReading,
  line: number,
  does: (words: readonly string[]) => boolean,
): Step | undefined {
  return reading.builtSteps.find(
    (step) => /^RUN\s/i.test(step.text) && step.line > line && commandsOf(step.text).some(does),
  );
}

/** `pnpm install` (`pnpm i`) of the whole workspace: no package named, no filter. */
function installsWholePnpmWorkspace(words: readonly string[]): boolean {
  const command = words.filter((word) => !/^\w+=/.test(word));
  if (command[0] !== 'pnpm' || command.some((word) => /^(?:--filter|-F)(?:=|$)/.test(word))) return false;
  const args = command.slice(1).filter((word) => !word.startsWith('-'));
  return args.length === 1 && ['install', 'i'].includes(args[0]!);
}

/**
 * Whether a command installs the workspace's packages and runs their own install scripts
 * (`postinstall`, `prepare`): `npm ci`, `npm install`, `yarn`, `yarn workspace <name> install`,
 * `yarn workspaces focus`, `pnpm install`, `bun install` — not with `--ignore-scripts` or yarn's
 * `--mode=skip-build`, nor an install of named packages.
 */
function runsInstallScripts(words: readonly string[]): boolean {
  const command = words.filter((word) => !/^\w+=/.test(word));
  if (command.some((word) => word === '--ignore-scripts' || word === '--mode=skip-build' || word === 'skip-build'))
    return false;
  const [tool, ...rest] = command;
  const args = rest.filter((word) => !word.startsWith('-'));
  if (tool === 'npm') return args.length === 1 && ['ci', 'install', 'i'].includes(args[0]!);
  if (tool === 'pnpm' || tool === 'bun') return args.length === 1 && ['install', 'i'].includes(args[0]!);
  if (tool !== 'yarn') return false;
  if (args[0] === 'workspace') return args.length === 3 && args[2] === 'install';
  if (args[0] === 'workspaces') return args[1] === 'focus';
  return args.length === 0 || (args.length === 1 && args[0] === 'install');
}

/**
 * A RUN's simple commands as the shell splits them into words (quotes removed), its flags
 * (`--mount=…`) aside; each line on its own (a heredoc's lines are commands of their own). A wrapper's
 * command after `--` counts too (highlight's `doppler run -- yarn build:frontend`, `dotenv -- pnpm build`).
 */
function commandsOf(run: string): string[][] {
  return run
    .replace(/^RUN\s+(?:--\S+\s+)*/i, '')
    .split('\n')
    .flatMap((line) => shellCommands(line).map((command) => command.words.map((word) => word.text)))
    .flatMap((words) => {
      const end = words.indexOf('--');
      return end > 0 && end < words.length - 1 ? [words, words.slice(end + 1)] : [words];
    });
}

/**
 * The first RUN that runs a script of the workspace root's package.json, and that script: one only it
 * defines, or any where the RUN runs beside the root package.json copied (`rootManifestRuns`).
 */
function rootScriptStep(
  reading: DockerfileReading,
  scripts: ContextFacts['scripts'],
  /** Whether the context is the workspace root's, so that a package.json copied from it is the root's. */
  workspaceRooted: boolean,
  /** Whether a workspace folder holds a package.json: a RUN in the folder it was copied to runs its scripts. */
  isPackage: (folder: string) => boolean,
): { step: Step; script: string; besideRoot: boolean } | undefined {
  if (!scripts?.root.length) return undefined;
  const root = new Set(scripts.root);
  const own = new Set(scripts.project);
  // What the container starts runs at its WORKDIR too (adsp's pdf-service: `CMD npm run -d service …`).
  const runs = reading.builtSteps.flatMap((step) => {
    const folder = reading.folderRuns.get(step.line);
    if (folder !== undefined && isPackage(contextPath(folder))) return [];
    const run = /^RUN\s/i.test(step.text) ? step.text : startCommand(step.text);
    return run === undefined ? [] : [{ step, scripts: scriptsRun(run) }];
  });
  // One only the root defines decides first, wherever it runs (novu's widget: `pnpm build`, then `pnpm build:widget`).
  const besideRoot = (step: Step) => workspaceRooted && reading.rootManifestRuns.has(step.line);
  const tools = new Set(scripts.tools);
  for (const { step, scripts: run } of runs) {
    const script = run.find((name) => root.has(name) && !own.has(name));
    if (script) return { step, script, besideRoot: besideRoot(step) && !tools.has(script) };
  }
  for (const { step, scripts: run } of runs) {
    if (!besideRoot(step)) continue;
    const script = run.find((name) => root.has(name));
    if (script) return { step, script, besideRoot: true };
  }
  return undefined;
}

/** A CMD's or ENTRYPOINT's command as a RUN would write it (its exec form's words joined); undefined for other steps. */
function startCommand(text: string): string | undefined {
  const match = /^(?:CMD|ENTRYPOINT)\s+([\s\S]*)$/i.exec(text);
  if (!match) return undefined;
  const form = match[1]!.trim();
  if (!form.startsWith('[')) return `RUN ${form}`;
  try {
    const words: unknown = JSON.parse(form);
    return Array.isArray(words) && words.every((word) => typeof word === 'string')
      ? `RUN ${words.map((word) => (/[\s'"\\$`]/.test(word) ? `'${word.replace(/'/g, "'\\''")}'` : word)).join(' ')}`
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For each copied project folder (by root), whether a RUN builds it inside the image: by its name or package name
 * (`yarn workspace <name> run build`, `pnpm --filter <name> build`, `npm run build -w <name>`,
 * `nx build <name>`, `turbo run build --filter=<name>`, `lerna run build --scope <name>`), or every
 * package at once (`pnpm -r build`, `yarn workspaces foreach -A run build`, `npm run build -ws`,
 * `turbo run build`, `lerna run build`, `nx run-many -t build`); or compiled by the `tsc --build` of
 * a package built so, whose tsconfig references reach it (`referenceBuilds`).
 */
function inImageBuilds(
  reading: DockerfileReading,
  facts: ContextFacts,
  base: string,
  workspaceManifests: boolean,
  runCommands: () => readonly string[],
): (root: string) => boolean {
  const steps = reading.builtSteps;
  let local: Set<string> | undefined;
  const builds = (root: string): boolean => {
    const project = facts.projects?.find((p) => p.root === root);
    if (!project) return false;
    const names = [...new Set([project.name, ...(project.packageName ? [project.packageName] : [])])];
    return (
      runsRootBuild() ||
      runCommands().some(
        (command) =>
          buildsEveryPackage(command) ||
          names.some((name) => buildsPackage(command, name)) ||
          buildsFolder(command, root),
      )
    );
  };
  // A root script that builds every package, run where the root package.json is.
  let rootBuild: boolean | undefined;
  const runsRootBuild = () =>
    (rootBuild ??=
      !!facts.rootBuildScripts?.length &&
      reading.runs.some(
        (step) =>
          reading.rootManifestRuns.has(step.line) &&
          scriptsRun(step.text).some((script) => facts.rootBuildScripts!.includes(script)),
      ));
  // Built by name, compiled by the `tsc --build` of a package built by name (its tsconfig references
  // it), or built first as a dependency of a package a RUN builds with its dependencies.
  // Built where it was copied to (a package script, `tsc`, in its WORKDIR).
  const builtHere = (root: string) =>
    (local ??= new Set(reading.localBuilds.flatMap(({ source }) => normalizeSource(base, source) ?? []))).has(root);
  // Installed after the folder is copied, with the install scripts that build it: its own, or the
  // root manifest's, copied too and kept as it is (pruned, it is the service's own manifest).
  const copiedBefore = (path: string, step: Step) =>
    reading.sources.some(({ line, source }) => line < step.line && insideOf(path, normalizeSource(base, source)));
  const rootBuilds = !!facts.rootInstallBuilds && workspaceManifests;
  const installedHere = (root: string) =>
    (!!facts.installBuilds?.includes(root) || rootBuilds) &&
    steps.some(
      (step) =>
        /^RUN\s/i.test(step.text) &&
        commandsOf(step.text).some(runsInstallScripts) &&
        copiedBefore(root, step) &&
        (!!facts.installBuilds?.includes(root) || copiedBefore('package.json', step)),
    );
  return (root) =>
    Boolean(facts.folderOutputs?.[root]?.length) &&
    (builds(root) ||
      builtHere(root) ||
      installedHere(root) ||
      Object.entries(facts.referenceBuilds ?? {}).some(
        ([builder, reached]) => reached.includes(root) && builds(builder),
      ) ||
      Object.values(facts.dependencyBuilds ?? {}).some((dependencies) => dependencies.includes(root)));
}

/** Whether the workspace's task runners build a package's workspace dependencies first when one RUN names it alone. */
export interface DependenciesFirst {
  /** `nx build <name>`: the build target of that project depends on `^build` (nx.json's targetDefaults, or its own). */
  nx(name: string): boolean;
  /** `turbo run build --filter=<name>`: turbo.json's build task depends on `^build`. */
  turbo(): boolean;
}

/**
 * The packages (project or package names) a RUN builds together with the workspace packages they
 * depend on, those first: `pnpm --filter 'api...' build`, `turbo run build --filter=api...`, `lerna
 * run build --scope api --include-dependencies`, `yarn workspaces foreach -R --from api run build`;
 * and by name alone where the runner's build depends on `^build` (`nx run api:build`, `nx build api`,
 * `turbo run build --filter=api`: twenty's image builds its server so, with the libraries it uses).
 */
export function dependencyFirstBuilds(
  dockerfileText: string,
  first: DependenciesFirst,
  build: { buildArgs?: BuildArgs; target?: string } = {},
): string[] {
  const commands = new DockerfileReading(dockerfileText, build.buildArgs, build.target).runs.flatMap((step) =>
    commandsOf(step.text).map((words) => words.join(' ')),
  );
  return unique(commands.flatMap((command) => builtWithDependencies(command, first)));
}

function builtWithDependencies(command: string, first: DependenciesFirst): string[] {
  if (!/\bbuild/.test(command)) return [];
  const has = (pattern: RegExp) => pattern.test(command);
  const values = (flags: string) =>
    [...command.matchAll(new RegExp(`\\s(?:${flags})[\\s=]([^\\s]+)`, 'g'))].map((match) => match[1]!);
  const names: string[] = [];
  if (has(/\b(?:pnpm|turbo)\b/))
    for (const quoted of values('--filter|-F')) {
      const selector = quoted.replace(/^(['"])(.*)\1$/, '$2');
      // `api...` and `api^...` select its dependencies; an exclusion is none.
      const withDependencies = /^([^.{!][^{}]*?)\^?\.\.\.$/.exec(selector);
      // A path does too (`./apps/api...`, `{./apps/api}...`, `{apps/api}...`): named `./<path>`.
      const pathWithDependencies = /^(?:\{(?:\.\/)?([^{}]+)\}|\.\/([^{}]+?))\^?\.\.\.$/.exec(selector);
      if (withDependencies) names.push(withDependencies[1]!);
      else if (pathWithDependencies)
        names.push(`./${posix.normalize(pathWithDependencies[1] ?? pathWithDependencies[2]!).replace(/\/+$/, '')}`);
      else if (has(/\bturbo\b/) && /^[^.{!]/.test(selector) && !selector.includes('...') && first.turbo())
        names.push(selector);
    }
  if (has(/\blerna\s+run\b/) && has(/\s--include-dependencies(?:\s|$)/)) names.push(...values('--scope'));
  // Rush's `--to` selects the project with its dependencies (`--only` and `--to-except` do not).
  if (has(/\brush(?:\.js)?\s+build\b/)) names.push(...values('--to|-t'));
  // `-R` alone or among other short flags (shapeshift's `-Rpt`).
  if (has(/\byarn\s+workspaces\s+foreach\b/) && has(/\s(?:-[a-zA-Z]*R[a-zA-Z]*|--recursive)(?:\s|$)/))
    names.push(...values('--from').map((name) => name.replace(/^(['"])(.*)\1$/, '$2')));
  const nx = /\bnx\s+(?:run\s+([^\s:]+):build(?::\S+)?|build\s+([^\s-]\S*))(?:\s|$)/.exec(command);
  const single = nx?.[1] ?? nx?.[2];
  const nxNames = [...(single ? [single] : []), ...runManyBuilds(command)];
  if (!has(/\s--(?:exclude-task-dependencies|excludeTaskDependencies)\b/))
    names.push(...nxNames.filter((name) => first.nx(name)));
  return names;
}

/** The projects `nx run-many -t build -p api util` (or `--projects=api,util`) builds. */
function runManyBuilds(command: string): string[] {
  if (!/\bnx\s+run-many\b/.test(command) || !/\s(?:-t|--targets?)[\s=](?:\S*,)?build(?:[,\s]|$)/.test(command))
    return [];
  const words = command.split(/\s+/);
  const at = words.findIndex((word) => /^(?:-p|--projects)(?:=|$)/.test(word));
  if (at < 0) return [];
  const flag = words[at]!;
  const eq = flag.indexOf('=');
  const after = words.slice(at + 1);
  const end = after.findIndex((word) => word.startsWith('-'));
  const values = eq >= 0 ? [flag.slice(eq + 1)] : after.slice(0, end < 0 ? undefined : end);
  return values.flatMap((value) => value.replace(/^(['"])(.*)\1$/, '$2').split(',')).filter(Boolean);
}

/** Whether a command builds every workspace package (`pnpm -r build`, `turbo run build:prod`, `lerna run build`). */
export function buildsEveryPackage(command: string): boolean {
  return runsInEveryPackage(command, 'build[\\w:-]*');
}

/**
 * Whether a command runs `target` (a pattern of script or target names) in every workspace package at once:
 * `pnpm -r <t>`, `yarn workspaces foreach -A run <t>`, `npm run <t> -ws`, `turbo run <t>`, `lerna run <t>`,
 * `nx run-many -t <t>`; none where a selector narrows them (`--filter`, `--from`, `--scope`, `-p`).
 */
function runsInEveryPackage(command: string, target: string): boolean {
  const has = (pattern: string | RegExp) => new RegExp(pattern).test(command);
  const named = `(?:run\\s+)?${target}(?:\\s|$)`;
  const filtered = /\s(?:--filter|-F)[\s=]/;
  if (has(/\bpnpm\b[^&|;]*\s(?:-r|--recursive)(?:\s|$)/) && has(`(?:^|\\s)${named}`)) return !has(filtered);
  if (has(/\byarn\s+workspaces\s+foreach\b/) && has(`\\brun\\s+${target}(?:\\s|$)`))
    return !has(/--include|--from|--since/);
  if (has(`\\bnpm\\s+run\\s+${target}(?:\\s|$)`) && has(/\s(?:--workspaces|-ws)(?:\s|$)/)) return true;
  if (has(`\\bturbo(?:@\\S+)?\\s+${named}`)) return !has(filtered);
  if (has(`\\blerna\\s+run\\s+${target}(?:\\s|$)`)) return !has(/--scope/);
  if (has(`\\bnx\\s+run-many\\b.*\\s(?:-t|--targets?)[\\s=](?:\\S*,)?${target}(?:[,\\s]|$)`))
    return !has(/\s(?:-p|--projects)[\s=]/);
  return false;
}

/** Compilers a RUN may run in a package it selects (logchimp's `pnpm --filter=api exec tsc`: it has no build script). */
const COMPILERS = 'tsc|tsup|swc|esbuild|rollup|webpack|rspack|ncc';
// A script named for a build (`cleanbuild`, `rebuild`, `build:prod`): mzm's `npm run cleanbuild -w mzm-auth`.
const COMPILES = new RegExp(`build|\\b(?:${COMPILERS})\\b`);

/**
 * The tools that select workspace packages by name, each with its selecting flags: `pnpm --filter`,
 * `npm -w`, `lerna --scope`, Rush's `rush build --to @acme/api` (also `install-run-rush.js build -t …`),
 * and the workspaces a yarn foreach starts from (shapeshift's `yarn workspaces foreach -Rpt --from <api>
 * run build`), whose builds build them too.
 */
export const PACKAGE_SELECTORS: ReadonlyArray<{ tool: RegExp; flags: string }> = [
  { tool: /\b(?:pnpm|turbo|bun)\b/, flags: '--filter|-F' },
  { tool: /\bnpm\b/, flags: '--workspace|-w' },
  { tool: /\blerna\b/, flags: '--scope' },
  { tool: /\brush(?:\.js)?\s/, flags: '--to|-t|--only|-o' },
  { tool: /\byarn\s+workspaces\s+foreach\b/, flags: '--from' },
];

/** The Nest CLI's flags before an app's name (`nest build -b swc api`, `nest start --watch api`): those that take a value, and switches. */
export const NEST_FLAGS =
  '(?:\\s+(?:-[cpbe]|--config|--path|--builder|--webpackPath|--exec|--entryFile|--sourceRoot)(?:\\s+|=)\\S+|\\s+-[\\w-]+(?:=\\S+)?)*';

/**
 * Whether a command picks the package `name` with a tool's selector, alone or with its dependencies or
 * dependents (`pnpm --filter 'api...'`, `npm run start -w api`, `lerna run start --scope api`).
 */
export function selectsPackage(command: string, name: string): boolean {
  const n = literal(name);
  const selected = (flag: string) =>
    new RegExp(`\\s(?:${flag})[\\s=]['"]?(?:\\.\\.\\.)?${n}(?:\\.\\.\\.)?['"]?(?:\\s|$)`).test(command);
  return PACKAGE_SELECTORS.some(({ tool, flags }) => tool.test(command) && selected(flags));
}

/**
 * Whether a RUN's command runs another target than the build of the package or project `name` (`generate`):
 * by a package selector with the script's name, `yarn workspace <name> generate`, `nx run <name>:generate`,
 * or for every package (`pnpm -r generate`, `turbo run generate`, `nx run-many -t generate`).
 */
export function runsPackageTarget(command: string, name: string, target: string): boolean {
  const [n, t] = [literal(name), literal(target)];
  return (
    (selectsPackage(command, name) && new RegExp(`(?:^|\\s)(?:run\\s+)?${t}(?:\\s|$)`).test(command)) ||
    new RegExp(`\\byarn\\s+workspace\\s+${n}\\s+(?:run\\s+)?${t}(?:\\s|$)`).test(command) ||
    new RegExp(`\\bnx\\s+(?:run\\s+)?${n}:${t}(?:[:\\s]|$)|\\bnx\\s+${t}\\s+${n}(?:\\s|$)`).test(command) ||
    runsInEveryPackage(command, t)
  );
}

/** Whether a RUN's command builds the package or project `name` by name (a filter, a workspace flag, `nx build`). */
export function buildsPackage(command: string, name: string): boolean {
  const n = literal(name);
  if (!COMPILES.test(command) || /\s--noEmit\b/.test(command)) return false;
  return (
    new RegExp(`\\byarn\\s+workspace\\s+${n}\\s+(?:(?:run|exec)\\s+)?(?:[\\w:-]*build|${COMPILERS})`).test(command) ||
    selectsPackage(command, name) ||
    // The Angular CLI's too (`ng build web`, which an Nx workspace's decorated `ng` runs as `nx build web`),
    // and the Nest CLI's in its monorepo mode (`nest build auth`, flags before the app's name).
    new RegExp(`\\b(?:nx|ng)\\s+(?:run\\s+)?${n}:build|\\b(?:nx|ng)\\s+build\\s+${n}(?:\\s|$)`).test(command) ||
    new RegExp(`(?:\\bnest|@nestjs/cli)\\s+build${NEST_FLAGS}\\s+${n}(?:\\s|$)`).test(command) ||
    runManyBuilds(command).includes(name)
  );
}

/**
 * A package manager root of its own above the project (plasmic's `platform/`, which its Dockerfile
 * says to build with `docker build -f platform/wab/Dockerfile platform/`) is the context when it holds
 * every source and either one of them is neither in the project nor at the workspace root
 * (`patches/`), or the whole copy's WORKDIR is the project's path inside that folder (`WORKDIR
 * /platform/wab` after `COPY . .` into `/platform`).
 */
function nestedRootChoice(
  facts: ContextFacts,
  placed: readonly Placed[],
  reading: DockerfileReading,
  whole: CopySource | undefined,
  index: FileIndex,
  quote: (s: { line: number; instruction?: string }) => string,
): Pick<ContextChoice, 'mode' | 'reason'> | undefined {
  const folder = facts.nestedRoot;
  // Only for a Dockerfile in the project folder, with no context stated: another folder decides otherwise.
  if (folder === undefined || facts.statedContext || posix.dirname(facts.dockerfile) !== facts.projectRoot)
    return undefined;
  if ((!placed.length && !whole) || !holdsAll(folder, placed, facts, index)) return undefined;
  const there = nowhereElse(placed);
  const into = whole
    ? reading.wholeCopyWorkdirs.find((workdir) => posix.join(folder, workdir.source) === facts.projectRoot)
    : undefined;
  // Its manifest copied where its workspaces list the project: the install is that root's, not the
  // workspace root's (whose package.json is another package's: practica's generator CLI).
  const manifest = facts.nestedRootLists
    ? placed.find((p) => {
        const path = normalizeSource('.', p.source.source);
        return path === 'package.json' || Object.values(LOCKFILES).includes(path ?? '');
      })
    : undefined;
  if (!there && !into && !manifest) return undefined;
  const why = there
    ? `${quote(there.source)} names a path in ${folder}, neither in ${facts.projectRoot} nor at the workspace root`
    : into
      ? `${quote(whole!)} is followed by ${quote(into)}, the project's path inside ${folder}`
      : `${quote(manifest!.source)} copies the root manifests of ${folder}, whose workspaces list ${facts.projectRoot}`;
  return {
    mode: 'folder',
    reason: facts.nestedRootHolds
      ? `${why}: ${folder} holds every one of its COPY sources, built as \`docker build -f ${facts.dockerfile} ${folder}\` (a compose file's \`context: ./${folder}\`) builds it`
      : `${why}: ${folder} is ${index.has(`${folder}/${GO_WORKSPACE}`) ? `a Go workspace of its own (its ${GO_WORKSPACE})` : 'a package manager root of its own (its package.json and lockfile)'}, built as \`docker build -f ${facts.dockerfile} ${folder}\` builds it`,
  };
}

/**
 * A Dockerfile kept in another folder than the project's that holds every source there, some of them
 * nowhere else, is built from that folder, whatever else the project folder holds too (sealos's
 * `frontend/Dockerfile`, built for `frontend/desktop` with `--build-arg path=desktop` and context
 * `./frontend`: its `package.json` is in both folders, its lockfile and `packages/` beside it only).
 */
function keptFolderChoice(
  facts: ContextFacts,
  placed: readonly Placed[],
  index: FileIndex,
  quote: (s: { line: number; instruction?: string }) => string,
): Pick<ContextChoice, 'mode' | 'reason'> | undefined {
  const folder = contextFolder(facts);
  if (folder === undefined || !placed.length || !holdsAll(folder, placed, facts, index)) return undefined;
  const there = nowhereElse(placed);
  return there && { mode: 'folder', reason: besideReason(quote(there.source), folder, facts.projectRoot) };
}

/** A Dockerfile's sources, each found (or not) in the project folder and at the workspace root. */
type Placed = { source: CopySource; project: Found; workspace: Found };

/** Whether the other folder a context could be (its ignore file `folderIgnore`) holds every source. */
function holdsAll(folder: string, placed: readonly Placed[], facts: ContextFacts, index: FileIndex): boolean {
  return placed.every((p) => find(index, facts, folder, p.source.source, facts.folderIgnore ?? []) !== 'missing');
}

/** The first source neither the project folder nor the workspace root holds. */
function nowhereElse(placed: readonly Placed[]): Placed | undefined {
  return placed.find((p) => p.project === 'missing' && p.workspace === 'missing');
}

function besideReason(quoted: string, folder: string, projectRoot: string): string {
  return `${quoted} names a path in ${folder}, the Dockerfile's folder, and neither in ${projectRoot} nor at the workspace root`;
}

/**
 * Whether a RUN builds the workspace package in a folder by that folder, as the repo-shaped context
 * lays it out: npm takes a workspace's path for its name (steel-browser's `npm run build -w api`, its
 * package `@steel-browser/api`), pnpm and turbo a `./` path selector (`--filter ./apps/api`, `{./apps/api}`).
 */
export function buildsFolder(command: string, root: string): boolean {
  if (!/\bbuild|\btsc\b/.test(command)) return false;
  const folder = `${literal(root)}/?`;
  const selected = (flags: string, path: string) =>
    new RegExp(`\\s(?:${flags})[\\s=]['"]?${path}(?:\\.\\.\\.)?['"]?(?:\\s|$)`).test(command);
  return (
    (/\bnpm\b/.test(command) && selected('--workspace|-w|--prefix', `(?:\\./)?${folder}`)) ||
    (/\b(?:pnpm|turbo|bun)\b/.test(command) && selected('--filter|-F', `(?:\\./${folder}|\\{(?:\\./)?${folder}\\})`)) ||
    // Run in its folder: chainchik's `pnpm -C apps/api build`, `pnpm --dir`, `yarn --cwd`, `bun run --cwd`.
    (/\bpnpm\b/.test(command) && selected('-C|--dir', `(?:\\./)?${folder}`)) ||
    (/\b(?:yarn|bun)\b/.test(command) && selected('--cwd', `(?:\\./)?${folder}`)) ||
    // A compiler given its folder or tsconfig (gridfire's `yarn tsc --build apps/api`, `tsc -p apps/api/tsconfig.json`).
    (/\btsc\b/.test(command) &&
      !/\s--noEmit\b/.test(command) &&
      selected('--build|-b|--project|-p', `(?:\\./)?${literal(root)}(?:/(?:[\\w.-]*tsconfig[\\w.-]*\\.json)?)?`))
  );
}

/** The first RUN of the copy's stage after it that `tool` matches (a tool's own install aside). */
function stepAfter(steps: readonly Step[], copy: CopySource, tool: RegExp): Step | undefined {
  for (const next of stepsAfter(steps, copy)) {
    if (/^FROM\s/i.test(next.text)) return undefined;
    if (runs(next, tool)) return next;
  }
  return undefined;
}

/**
 * The steps that work on what a copy brought: those after a COPY; for a RUN's bind mount (ras0q's
 * `RUN --mount=type=bind,source=.,target=/app pnpm install && pnpm deploy …`), that RUN itself, the only
 * step the mount is there for.
 */
function stepsAfter(steps: readonly Step[], copy: CopySource): readonly Step[] {
  const at = steps.findIndex((s) => s.line === copy.line);
  return steps.slice(/^RUN\s/i.test(copy.instruction ?? '') ? at : at + 1);
}

function conflicts(count: number, what: string): string {
  return `${count} other source${count === 1 ? '' : 's'} ${count === 1 ? what.replace(/^are/, 'is') : what} (checked before the build)`;
}

function isWholeContext(source: string): boolean {
  return contextPath(source) === '.' || ['*', './*'].includes(source);
}

/** A source as a workspace-relative path under a context root (never above it: the build stops `..` there). */
function normalizeSource(base: string, source: string): string {
  return posix.join(base, contextPath(source));
}

/** Whether a workspace path is the folder `root` or inside it (`.`: the whole workspace). */
export function insideOf(path: string, root: string): boolean {
  return root === '.' || path === root || path.startsWith(`${root}/`);
}

/**
 * Whether the context rooted at `base` provides the source: a file, a folder with files, or a glob's
 * match, that its `.dockerignore` keeps. A source that is missing but lies where builds write (a
 * declared output of the project's build, or a `dist`/`build`/`out` folder) is a build output.
 */
function find(index: FileIndex, facts: ContextFacts, base: string, source: string, ignore: readonly string[]): Found {
  const path = normalizeSource(base, source);
  if (path === undefined) return 'missing';
  const candidates = picomatch.scan(path).isGlob ? index.matching(path) : index.under(path);
  const kept = keeps(ignore);
  // One kept file decides: the first usually is (a fleet of 1,000 services filtered every file of each).
  if (candidates.some((file) => kept(base === '.' ? file : file.slice(base.length + 1)))) return 'file';
  return isOutputPath(path, base, facts) ? 'output' : 'missing';
}

/**
 * Nx writes a project's output to `dist/<project root>` at the workspace root: such a path is an
 * output there, never inside the project folder.
 */
function isOutputPath(path: string, base: string, facts: ContextFacts): boolean {
  const stated = (p: string) =>
    (facts.buildOutputs ?? []).some((output) => insideOf(p, output) || insideOf(output, p)) ||
    (facts.statedOutputs ?? []).some(({ output }) => insideOf(p, output));
  if (stated(path)) return true;
  const relative = base === '.' ? path : path.slice(base.length + 1);
  if (prunedByTurbo(relative)) return false;
  if (base === '.' && buildersOf(path, facts).length) return true;
  const [first, ...rest] = relative.split('/');
  if (!OUTPUT_FOLDERS.has(first!)) return false;
  // A build that states its output at the workspace root writes it there (an `outputPath` of
  // `dist/services/api`): the same path in the project folder is no one's.
  if (base !== '.' && stated(relative)) return false;
  return base === '.' || !insideOf(rest.join('/'), facts.projectRoot);
}

/**
 * Whether a path is in the layout `turbo prune --docker` writes, before the build, at the root it runs
 * in (`out/json`, `out/full`, `out/<lockfile>`): under `out/`, but no build's output (typie's CI prunes,
 * then builds `apps/<app>/Dockerfile`, which copies `out/json/` and `out/full/`, from the workspace root).
 */
function prunedByTurbo(path: string): boolean {
  const [first, second, ...rest] = path.split('/');
  return (
    first === 'out' && (second === 'json' || second === 'full' || (!rest.length && ROOT_LOCKFILES.includes(second!)))
  );
}

const compiledRules = new Map<string, (path: string) => boolean>();

/** A path test compiled once per kind and pattern list: every service of a batch asks with the same lists. */
function rulesOf(
  kind: string,
  patterns: readonly string[],
  compile: (patterns: string[]) => (path: string) => boolean,
): (path: string) => boolean {
  const key = `${kind}\0${patterns.join('\n')}`;
  let test = compiledRules.get(key);
  if (!test) compiledRules.set(key, (test = compile([...patterns])));
  return test;
}

/** Whether the context's ignore patterns keep a path. */
/**
 * Whether the ignore file sends any file of a folder no file list holds (a build's output): a file in
 * it, or one an exception names there (an allow-list's `!apps/api/dist/**` sends the files, not the
 * folder's own path, which `*` leaves out).
 */
function sendsFrom(folder: string, patterns: readonly string[], kept: (path: string) => boolean): boolean {
  const named = patterns.flatMap((line) => {
    const path = line.startsWith('!') ? line.slice(1).replace(/^\/+/, '') : undefined;
    return path?.startsWith(`${folder}/`) && !/[*?[{\\]/.test(path) ? [path] : [];
  });
  return [`${folder}/index.js`, ...named].some(kept);
}

function keeps(patterns: readonly string[]): (path: string) => boolean {
  if (!patterns.length) return () => true;
  return rulesOf('docker', patterns, (list) => {
    const ignore = dockerignore({ ignorecase: false }).add(list);
    return (path) => !ignore.ignores(path);
  });
}

/** Whether git's ignore patterns match a path. */
function gitIgnores(patterns: readonly string[]): (path: string) => boolean {
  if (!patterns.length) return () => false;
  return rulesOf('git', patterns, (list) => {
    const rules = gitignore().add(list);
    // Only a path inside the workspace is git's to ignore (the library throws on any other). A COPY
    // source may be a folder, which a folder-only pattern (4ks' `PACKAGE_JSON/`) matches.
    return (path) =>
      path !== '.' &&
      !path.startsWith('../') &&
      !posix.isAbsolute(path) &&
      (rules.ignores(path) || rules.ignores(`${path}/`));
  });
}

/** Sorted workspace files with prefix lookups: one index per file list, however many services ask. */
class FileIndex {
  private readonly sorted: string[];
  private readonly set: Set<string>;

  constructor(files: readonly string[]) {
    this.sorted = [...files].sort();
    this.set = new Set(files);
  }

  has(path: string): boolean {
    return this.set.has(path);
  }

  /** The file itself, or the files below the folder. */
  under(path: string): string[] {
    if (path === '.') return this.sorted;
    if (this.set.has(path)) return [path];
    return [...withPrefix(this.sorted, `${path}/`, (file) => file)];
  }

  /** A glob's matches, and the files below matched folders (`COPY libs/* ./libs/` copies folders). */
  matching(glob: string): string[] {
    const literal = picomatch.scan(glob).base;
    const match = picomatch(glob, { dot: true });
    return this.under(literal || '.').filter(
      (file) => match(file) || file.split('/').some((_, i, parts) => match(parts.slice(0, i + 1).join('/'))),
    );
  }
}

const indexes = new WeakMap<readonly string[], FileIndex>();

/** Package manager roots besides the manifest: a lockfile, or pnpm's workspace file. */
const ROOT_MARKERS = [...Object.values(LOCKFILES), 'pnpm-workspace.yaml', 'bun.lock', 'bun.lockb'];

/** Every JavaScript package manager's lockfile: one of them lets Nx's graph hold the npm packages sources import. */
const ROOT_LOCKFILES = [...Object.values(LOCKFILES), 'npm-shrinkwrap.json', 'bun.lock', 'bun.lockb'];

/**
 * The nearest folder above `projectRoot`, below the workspace root, that is a package manager root of
 * its own: a package.json beside a lockfile or pnpm-workspace.yaml (plasmic's `platform/`), or a Go
 * workspace's `go.work` (kubernetes/dashboard's `modules/`).
 */
export function nestedRootOf(files: readonly string[], projectRoot: string): string | undefined {
  const index = indexOf(files);
  for (let folder = posix.dirname(projectRoot); folder !== '.' && folder !== '/'; folder = posix.dirname(folder))
    if (
      index.has(`${folder}/${GO_WORKSPACE}`) ||
      (index.has(`${folder}/package.json`) && ROOT_MARKERS.some((marker) => index.has(`${folder}/${marker}`)))
    )
      return folder;
  return undefined;
}

const GO_WORKSPACE = 'go.work';

/**
 * The nearest folder above `projectRoot`, below the workspace root, that holds every path a
 * Dockerfile in the project folder copies, where neither the project folder nor the workspace root
 * holds any of them: the folder a compose file builds it from (`context: ./backend` for
 * `backend/api/Dockerfile`, copying `shared` and `api`). Only paths as written (no glob, no variable).
 */
export function sourcesHolderOf(
  files: readonly string[],
  projectRoot: string,
  sources: readonly CopySource[],
): string | undefined {
  const paths = sources.map(({ source }) => contextPath(source));
  if (!paths.length || paths.some((path) => path === '.' || path.includes('$') || picomatch.scan(path).isGlob))
    return undefined;
  const index = indexOf(files);
  const holds = (folder: string, path: string) => {
    const at = posix.join(folder, path);
    return index.has(at) || index.under(at).length > 0;
  };
  if (paths.some((path) => holds(projectRoot, path) || holds('.', path))) return undefined;
  for (let folder = posix.dirname(projectRoot); folder !== '.' && folder !== '/'; folder = posix.dirname(folder))
    if (paths.every((path) => holds(folder, path))) return folder;
  return undefined;
}

/**
 * Whether a workspace path is a file or a folder of `files`, from the index the inference keeps for
 * that list: built on the first question, so a graph that asks none (most) pays nothing.
 */
export function pathOf(files: readonly string[]): (path: string) => boolean {
  let index: FileIndex | undefined;
  return (path) => (index ??= indexOf(files)).under(path).length > 0;
}

/** Whether the workspace holds a path: Nx lists it, or it is a committed file `.gitignore` matches (Cap's and comp's `bun.lock`). */
function committedHas(facts: Pick<ContextFacts, 'unlistedOnDisk'>, index: FileIndex): (path: string) => boolean {
  return (path) => index.has(path) || !!facts.unlistedOnDisk?.includes(path);
}

function indexOf(files: readonly string[]): FileIndex {
  let index = indexes.get(files);
  if (!index) {
    index = new FileIndex(files);
    indexes.set(files, index);
  }
  return index;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * One line (continuations and a heredoc's lines joined), at most 60 characters; of a RUN's flags only
 * the first source its mounts read (`--mount=source=package-lock.json …`), so that the command shows.
 */
export function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ').replace(/^RUN ((?:--\S+ )+)/i, (flags: string) => {
    const sources = flags.split(' ').flatMap((flag) => /[=,](?:source|src)=([^,\s]+)/.exec(flag)?.slice(1) ?? []);
    return sources.length ? `RUN --mount=source=${sources[0]} ${sources.length > 1 ? '… ' : ''}` : 'RUN ';
  });
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
