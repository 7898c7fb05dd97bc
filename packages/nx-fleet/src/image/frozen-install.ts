/**
 * Which package manager a context installs with, the frozen install that proves its lockfile, and
 * what the package manager's refusal says: pure, so the whole decision is table-tested
 * (frozen-install.spec.ts); pruned-context.ts carries it out.
 */

import { posix } from 'node:path';
import picomatch from 'picomatch';
import { parseYaml } from '../text/yaml';

export type PackageManager = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry';

export const LOCKFILES: Record<PackageManager, string> = {
  npm: 'package-lock.json',
  pnpm: 'pnpm-lock.yaml',
  'yarn-classic': 'yarn.lock',
  'yarn-berry': 'yarn.lock',
};

/** The tool a user types, for messages. */
export const TOOL_NAMES: Record<PackageManager, string> = {
  npm: 'npm',
  pnpm: 'pnpm',
  'yarn-classic': 'yarn',
  'yarn-berry': 'yarn',
};

/**
 * Beside the lockfile, what a package manager reads to install a workspace: its settings, the yarn
 * release a `yarnPath` names, plugins, patches, pnpm's hooks. Patterns, workspace-relative.
 */
export const SUPPORT_FILES: Record<PackageManager, readonly string[]> = {
  npm: ['.npmrc'],
  pnpm: ['.npmrc', '.pnpmfile.cjs', 'patches/**'],
  'yarn-classic': ['.npmrc', '.yarnrc'],
  'yarn-berry': ['.yarnrc.yml', '.yarn/releases/**', '.yarn/plugins/**', '.yarn/patches/**'],
};

/**
 * yarn 2+'s committed cache (zero-installs), which its install reads instead of the network
 * (`enableNetwork: false` fails without it). Nx never lists it (its file walk always leaves
 * `.yarn/cache` out): yarn.lock, whose checksums name every archive, is what Nx hashes of it.
 */
export const YARN_CACHE = '.yarn/cache/**';

/** The root files a package manager installs from: the manifest, the lockfiles and their settings. */
export const ROOT_MANIFESTS: readonly string[] = [
  'package.json',
  ...new Set([...Object.values(LOCKFILES), ...Object.values(SUPPORT_FILES).flat()]),
];

/** What is known about a folder before deciding: the files at hand and the few texts that decide. */
export interface InstallFacts {
  /** Folder-relative paths that exist (the lockfiles and settings are what matter). */
  files: readonly string[];
  /** `packageManager` of the folder's package.json, e.g. `pnpm@10.34.9`. */
  packageManagerField?: string;
  /** yarn.lock's text: yarn berry's has a `__metadata` block, classic's does not. */
  yarnLock?: string;
  /** .yarnrc.yml's text: a `yarnPath` names the release the workspace runs. */
  yarnrcYml?: string;
}

export interface Invocation {
  command: string;
  args: string[];
}

export interface FrozenInstallPlan {
  packageManager: PackageManager;
  lockfile: string;
  /** Tried in order; the first whose binary starts is the one that decides. */
  candidates: Invocation[];
  /** Said once when none of the candidates starts. */
  missingToolHint: string;
}

/** `pnpm@10.34.9+sha512.…` → { name: 'pnpm', version: '10.34.9' }. */
export function parsePackageManagerField(field: string | undefined): { name: string; version: string } | undefined {
  const match = /^(npm|pnpm|yarn)@(\d+\.\d+\.\d+[^+\s]*)/.exec(field?.trim() ?? '');
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

/** From the lockfile first (it is what gets installed), then the `packageManager` field. */
export function detectPackageManager(facts: InstallFacts): PackageManager | undefined {
  const has = (file: string) => facts.files.includes(file);
  const field = parsePackageManagerField(facts.packageManagerField);
  if (has('pnpm-lock.yaml')) return 'pnpm';
  if (has('yarn.lock')) {
    if (facts.yarnLock !== undefined) return /^__metadata:/m.test(facts.yarnLock) ? 'yarn-berry' : 'yarn-classic';
    if (field?.name === 'yarn') return Number(field.version.split('.')[0]) >= 2 ? 'yarn-berry' : 'yarn-classic';
    return has('.yarnrc.yml') ? 'yarn-berry' : 'yarn-classic';
  }
  if (has('package-lock.json') || has('npm-shrinkwrap.json')) return 'npm';
  return undefined;
}

/** `yarnPath: .yarn/releases/yarn-4.18.1.cjs` from .yarnrc.yml (quoted or not). */
export function yarnPathOf(yarnrcYml: string | undefined): string | undefined {
  const match = /^yarnPath:\s*['"]?([^'"\n#]+?)['"]?\s*(?:#.*)?$/m.exec(yarnrcYml ?? '');
  return match?.[1];
}

const FROZEN_ARGS: Record<PackageManager, string[]> = {
  // --dry-run: npm checks the lockfile against the manifests and writes nothing.
  npm: ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
  // --lockfile-only: pnpm checks the specifiers and resolves nothing it does not need to.
  pnpm: ['install', '--frozen-lockfile', '--lockfile-only', '--ignore-scripts', '--reporter=append-only'],
  'yarn-classic': ['install', '--frozen-lockfile', '--ignore-scripts', '--non-interactive', '--no-progress'],
  // skip-build: resolution and fetch prove the lockfile; no package's build runs (update-lockfile
  // cannot be combined with --immutable).
  'yarn-berry': ['install', '--immutable', '--mode=skip-build'],
};

const INSTALL_HINTS: Record<PackageManager, string> = {
  npm: 'npm ships with Node.js',
  pnpm: 'install it with `npm install -g pnpm` or `corepack enable pnpm`',
  'yarn-classic': 'install it with `npm install -g yarn` or `corepack enable yarn`',
  'yarn-berry': 'install it with `corepack enable yarn`, or commit the release .yarnrc.yml names in yarnPath',
};

/**
 * The frozen install for a folder, or undefined when there is no lockfile to prove. The binary is
 * the workspace's: the yarn release `yarnPath` names, else the tool on PATH, else the exact
 * version of the `packageManager` field through corepack.
 */
export function planFrozenInstall(facts: InstallFacts): FrozenInstallPlan | undefined {
  const packageManager = detectPackageManager(facts);
  if (!packageManager) return undefined;
  const args = FROZEN_ARGS[packageManager];
  const tool = TOOL_NAMES[packageManager];
  const candidates: Invocation[] = [];
  const yarnPath = packageManager === 'yarn-berry' ? yarnPathOf(facts.yarnrcYml) : undefined;
  if (yarnPath && facts.files.includes(yarnPath.replace(/^\.\//, '')))
    candidates.push({ command: 'node', args: [yarnPath, ...args] });
  candidates.push({ command: tool, args });
  const field = parsePackageManagerField(facts.packageManagerField);
  if (field && field.name === tool && tool !== 'npm')
    candidates.push({ command: 'corepack', args: [`${field.name}@${field.version}`, ...args] });
  return {
    packageManager,
    lockfile: facts.files.includes('npm-shrinkwrap.json') ? 'npm-shrinkwrap.json' : LOCKFILES[packageManager],
    candidates,
    missingToolHint: `${tool} (${packageManager}) is not installed: ${INSTALL_HINTS[packageManager]}`,
  };
}

/** The command line a plan ran, for messages. */
export function describeInvocation(invocation: Invocation): string {
  return [invocation.command, ...invocation.args].join(' ');
}

// ---------------------------------------------------------------------------------------------
// What each package manager says is wrong: the lines naming packages, never usage text or advice.

const ANSI = /\u001b\[[0-9;]*m/g;

const clean = (output: string): string[] =>
  output
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trimEnd());

/**
 * npm: `Missing: x@1 from lock file`, `Invalid: lock file's x@1 does not satisfy x@2`, `No matching
 * version found for x@1.`; else its error message before the usage text.
 */
export function npmInstallProblems(output: string): string[] {
  const lines = clean(output).map((line) => line.replace(/^npm (?:error|ERR!)\s?/, ''));
  const named = lines.filter((line) => /^(Missing|Invalid): /.test(line));
  if (named.length) return named;
  // ETARGET: the version npm looked for in the registry; not its "In most cases you or one of your
  // dependencies…" guess, which is wrong when the name belongs to a workspace library.
  const targets = lines.flatMap((line) => /^notarget (No matching version found for \S+)/.exec(line)?.[1] ?? []);
  if (targets.length) return targets;
  const usage = lines.findIndex((line) => line === 'Clean install a project' || line.startsWith('Usage:'));
  const message = (usage < 0 ? lines : lines.slice(0, usage)).filter(
    (line) => line && !/^code E/.test(line) && !line.startsWith('A complete log of this run'),
  );
  return message.length ? message.slice(-8) : ['(npm printed no reason)'];
}

type PnpmDependencies = Record<string, string | { version?: string }>;
interface PnpmLock {
  lockfileVersion?: unknown;
  importers?: Record<string, Partial<Record<'dependencies' | 'devDependencies', PnpmDependencies>>>;
  snapshots?: Record<string, { dependencies?: PnpmDependencies } | null>;
}

/**
 * What a real install of a pnpm 9 lockfile says of each reference to a package it holds no snapshot of
 * (a pruning that dropped one): `--lockfile-only` never reads the snapshots, so the frozen check passes
 * it and the image's install stops at the first, in pnpm's words. Optional dependencies are left to
 * pnpm (one for another platform may be left out); nothing for other lockfile versions or a text that
 * does not parse.
 */
export function pnpmMissingSnapshots(lock: string): string[] {
  let parsed: PnpmLock | null;
  try {
    parsed = parseYaml(lock) as PnpmLock | null;
  } catch {
    return [];
  }
  if (!/^9\./.test(String(parsed?.lockfileVersion ?? '')) || !parsed?.snapshots) return [];
  const snapshots = parsed.snapshots;
  // `name: version`, `name: alias@version`, `name: link:../folder` (a workspace link, no snapshot).
  const keyOf = (name: string, version: string) =>
    version.startsWith('link:') ? undefined : /^(?:@[^/@]+\/)?[^@/:(]+@/.test(version) ? version : `${name}@${version}`;
  const referenced = [
    ...Object.values(parsed.importers ?? {}).flatMap((importer) => [importer?.dependencies, importer?.devDependencies]),
    ...Object.values(snapshots).map((snapshot) => snapshot?.dependencies),
  ].flatMap((dependencies) =>
    Object.entries(dependencies ?? {}).flatMap(([name, entry]) => {
      const version = typeof entry === 'string' ? entry : entry?.version;
      const key = typeof version === 'string' ? keyOf(name, version) : undefined;
      return key === undefined || Object.hasOwn(snapshots, key) ? [] : [key];
    }),
  );
  return [...new Set(referenced)].map(
    // Spaced with thin spaces, as pnpm prints its error code.
    (key) =>
      `\u2009ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY\u2009 Broken lockfile: no entry for '${key}' in pnpm-lock.yaml`,
  );
}

/**
 * pnpm: the `ERR_PNPM_…` line (without the folder it names) and the failure reason's package lines
 * (`- x (lockfile: a, manifest: b)`, `dependencies were added: x@1`); never its
 * `--no-frozen-lockfile` advice, which would defeat the point of a lockfile.
 */
export function pnpmInstallProblems(output: string): string[] {
  const lines = clean(output);
  const result: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const error = /^(ERR_PNPM_[A-Z_]+)\s+(.*)$/.exec(line);
    if (error) {
      result.push(`${error[1]}: ${error[2]!.replace(/<ROOT>\//g, '')}`);
      continue;
    }
    if (/^[-*]\s/.test(line) && /\S@|\(lockfile:|: /.test(line)) result.push(line.replace(/^[-*]\s+/, ''));
    else if (/^\d+ dependenc(y|ies) (was|were) (added|removed)/.test(line)) result.push(line);
  }
  return result.length ? result : lastWords(lines, 'pnpm');
}

/** yarn 1: its `error …` lines; never `info Visit … for documentation`. */
export function yarnClassicInstallProblems(output: string): string[] {
  const lines = clean(output);
  const errors = lines.filter((line) => line.startsWith('error ')).map((line) => line.slice('error '.length));
  return errors.length ? errors : lastWords(lines, 'yarn');
}

/**
 * yarn's codes that report progress or warnings, never why an install failed: its progress, missing
 * and incompatible peers, builds, fetches, node-gyp, and its unsafe-http and unused-setting notes.
 */
const YARN_INFO_CODES = new Set([
  'YN0000',
  'YN0002',
  'YN0007',
  'YN0008',
  'YN0013',
  'YN0019',
  'YN0032',
  'YN0060',
  'YN0061',
  'YN0068',
  'YN0069',
  'YN0086',
]);

/**
 * yarn 2+: the YN-coded errors (not its progress and warnings: `YARN_INFO_CODES`), with the lockfile diff's added or removed
 * lines when it says the lockfile would change; no stack traces, no usage text.
 */
export function yarnBerryInstallProblems(output: string): string[] {
  const lines = clean(output);
  const result: string[] = [];
  for (const line of lines) {
    const coded = /^➤ (YN\d{4}): [│└┌·]?\s*(.*)$/.exec(line);
    if (coded && !YARN_INFO_CODES.has(coded[1]!) && coded[2])
      result.push(`${coded[1]}: ${coded[2].replace(/\s+/g, ' ').trim()}`);
  }
  if (result.length) return result;
  const usage = lines.find((line) => /^Usage Error: /.test(line));
  if (usage) return [usage];
  return lastWords(lines, 'yarn');
}

/** What each package manager says when the lockfile itself does not match: a verdict on the lockfile. */
const LOCKFILE_MISMATCH: Record<PackageManager, RegExp> = {
  npm: /^npm (?:error|ERR!) (?:Missing|Invalid): |No matching version found/m,
  pnpm: /ERR_PNPM_(?:OUTDATED_LOCKFILE|LOCKFILE_|FROZEN_LOCKFILE|NO_MATCHING_VERSION)/,
  'yarn-classic': /lockfile needs to be updated|Couldn't find any versions/,
  // Would be modified, no candidates found, checksum mismatch.
  'yarn-berry': /YN0028|YN0082|YN0018/,
};

/** A registry the install could not reach or read: the check could not run, whatever the lockfile holds. */
const FETCH_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|ENOTCACHED|ERR_STREAM_PREMATURE_CLOSE|socket hang up|getaddrinfo|Unsafe http requests/;

/** A file the install could not find, by the path node's error names (`ENOENT: …, open '<path>'`). */
const MISSING_FILE = /\bENOENT\b[^'"\n]*['"]([^'"\n]+)['"]/;

/**
 * The files a lockfile and its manifests are made of: one of them missing is the pruning's to answer
 * for (a workspace library the pruned lockfile names that the context lacks).
 */
const INSTALL_FILE_NAMES = new Set([
  'package.json',
  'pnpm-workspace.yaml',
  'npm-shrinkwrap.json',
  ...Object.values(LOCKFILES),
]);

/**
 * An error a yarn plugin threw: the first frame of a YN0001's stack that is not Node's own is in the
 * plugin (`yarn plugin import` puts them in `.yarn/plugins/`); an error yarn itself threw from a
 * plugin's call (a workspace the lockfile names, not found) starts in yarn's release.
 */
function pluginError(lines: readonly string[]): string | undefined {
  for (const [index, line] of lines.entries()) {
    if (!/^➤ YN0001: /.test(line)) continue;
    let frame = index + 1;
    while (/^\s+at (?:.*\()?node:/.test(lines[frame] ?? '')) frame++;
    if (/^\s+at .*\.yarn[/\\]plugins[/\\]/.test(lines[frame] ?? '')) return line;
  }
  return undefined;
}

/**
 * What a failed frozen install says of the lockfile: a mismatch it names; else nothing where the
 * check could not run, whatever the lockfile holds: a fetch that failed (unifed's yarn 3 release,
 * whose fetcher fails on Node 20), a file missing that is no lockfile or manifest (Backstage's yarn
 * plugin reads `backstage.json`), an error a yarn plugin threw. The line that says so, for the warning.
 */
export function installVerdict(
  packageManager: PackageManager,
  output: string,
): { kind: 'lockfile' } | { kind: 'unreachable' | 'outside'; line: string } {
  const text = output.replace(ANSI, '');
  if (LOCKFILE_MISMATCH[packageManager].test(text)) return { kind: 'lockfile' };
  const lines = text.split('\n');
  const unreachable = lines.find((candidate) => FETCH_FAILURE.test(candidate));
  if (unreachable !== undefined) return { kind: 'unreachable', line: unreachable.trim() };
  const missing = lines.find((candidate) => {
    const path = MISSING_FILE.exec(candidate)?.[1];
    return path !== undefined && !INSTALL_FILE_NAMES.has(posix.basename(path.replace(/\\/g, '/')));
  });
  const outside = missing ?? (packageManager === 'yarn-berry' ? pluginError(lines) : undefined);
  return outside === undefined ? { kind: 'lockfile' } : { kind: 'outside', line: outside.trim() };
}

/**
 * A tool's reasons as a warning quotes them: indented, each line once, no more than `max` (unifed's
 * yarn repeated one fetch error 2,262 times, and a lockfile diff runs to hundreds of lines).
 */
export function quotedLines(lines: readonly string[], max: number): string {
  const unique = [...new Set(lines)];
  const more = unique.length - max;
  return [...unique.slice(0, max), ...(more > 0 ? [`… and ${more} more`] : [])].map((line) => `  ${line}`).join('\n');
}

export const INSTALL_PROBLEMS: Record<PackageManager, (output: string) => string[]> = {
  npm: npmInstallProblems,
  pnpm: pnpmInstallProblems,
  'yarn-classic': yarnClassicInstallProblems,
  'yarn-berry': yarnBerryInstallProblems,
};

function lastWords(lines: string[], tool: string): string[] {
  const said = lines.filter((line) => line.trim() && !/^\s+at /.test(line));
  return said.length ? said.slice(-5) : [`(${tool} printed no reason)`];
}

let parsedWorkspace: { text: string; settings: PnpmWorkspace | undefined } | undefined;

interface PnpmWorkspace {
  packages?: unknown;
  patchedDependencies?: unknown;
}

/**
 * pnpm-workspace.yaml's settings, parsed once per text: a graph asks for its packages and its patches.
 * Unreadable settings are none (pnpm itself says what is wrong with them).
 */
function pnpmWorkspaceOf(text: string | undefined): PnpmWorkspace | undefined {
  if (text === undefined) return undefined;
  if (parsedWorkspace?.text !== text) {
    let settings: PnpmWorkspace | undefined;
    try {
      const parsed: unknown = parseYaml(text);
      settings = typeof parsed === 'object' && parsed !== null ? (parsed as PnpmWorkspace) : undefined;
    } catch {
      settings = undefined;
    }
    parsedWorkspace = { text, settings };
  }
  return parsedWorkspace.settings;
}

/**
 * The patch files pnpm's `patchedDependencies` names (pnpm-workspace.yaml's, or the root package.json's
 * `pnpm` field), workspace-relative: anywhere in the workspace (rocicorp's `packages/zero/patches/`),
 * where Nx's pruning finds them to carry under `patches/`. Unreadable or absent settings name none.
 */
export function patchedDependencyFiles(rootManifest: unknown, pnpmWorkspace: string | undefined): string[] {
  const paths = (value: unknown) =>
    typeof value === 'object' && value !== null
      ? Object.values(value).filter((path): path is string => typeof path === 'string')
      : [];
  const fromWorkspace = paths(pnpmWorkspaceOf(pnpmWorkspace)?.patchedDependencies);
  const fromManifest = paths(
    (rootManifest as { pnpm?: { patchedDependencies?: unknown } } | null | undefined)?.pnpm?.patchedDependencies,
  );
  return [...new Set([...fromWorkspace, ...fromManifest].map((path) => posix.normalize(path)))].filter(
    (path) => !path.startsWith('../') && !posix.isAbsolute(path),
  );
}

/**
 * The package manifests a prune tool reads: those the package manager's workspaces name
 * (pnpm-workspace.yaml's `packages`, else the root package.json's `workspaces`), as globs of their
 * package.json; every package.json when neither declares any (a manifest outside the workspaces is
 * no package of theirs). Negations are left out: more manifests than the tool reads, never fewer.
 */
export function workspacePackageGlobs(rootManifest: unknown, pnpmWorkspace: string | undefined): string[] {
  let patterns = pnpmWorkspaceOf(pnpmWorkspace)?.packages;
  if (!Array.isArray(patterns)) {
    const workspaces = (rootManifest as { workspaces?: unknown } | null | undefined)?.workspaces;
    patterns = Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages;
  }
  const globs = (Array.isArray(patterns) ? patterns : [])
    .filter((pattern): pattern is string => typeof pattern === 'string' && !pattern.startsWith('!'))
    .map((pattern) => posix.normalize(pattern).replace(/\/+$/, ''))
    .filter((folder) => folder !== '.' && !folder.startsWith('../'))
    .map((folder) => `${folder}/package.json`);
  return globs.length ? [...new Set(globs)] : ['**/package.json'];
}

/**
 * Whether a package manager root's own workspaces (its package.json's, or its pnpm-workspace.yaml's)
 * list a project folder: practica's `src/code-templates`, an npm workspace of its own below a CLI's root.
 */
export function listsWorkspace(
  manifest: unknown,
  pnpmWorkspace: string | undefined,
  root: string,
  project: string,
): boolean {
  const declared =
    pnpmWorkspace !== undefined || (manifest as { workspaces?: unknown } | null | undefined)?.workspaces !== undefined;
  return (
    declared &&
    picomatch(workspacePackageGlobs(manifest, pnpmWorkspace))(`${posix.relative(root, project)}/package.json`)
  );
}
