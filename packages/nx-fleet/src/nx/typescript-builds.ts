import { posix } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { buildsEveryPackage, scriptsRun } from '../image/context-inference';
import { deepestAt } from '../runtime-graph/sdk-ownership';
import { shellCommands } from '../text/shell-words';
import type { WorkspaceTexts } from './workspace-texts';

/** The tsconfigs a project's TypeScript build is usually run with, in its folder. */
const BUILD_TSCONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.app.json', 'tsconfig.lib.json'];

type TsConfig = {
  compilerOptions?: { outDir?: unknown; noEmit?: unknown };
  references?: unknown;
  extends?: unknown;
};

function tsconfigAt(texts: WorkspaceTexts, path: string): TsConfig | undefined {
  const text = texts.committedText(path);
  return text === undefined ? undefined : (parseJsonc(text) as TsConfig | undefined);
}

/** The folders inside a project that its tsconfigs' `outDir` names (workspace-relative); one outside it is not the folder's. */
export function typeScriptOutDirs(texts: WorkspaceTexts, root: string): string[] {
  const outDirs = BUILD_TSCONFIGS.flatMap((name) => {
    const outDir = emittedOutDir(texts, posix.join(root, name));
    return outDir !== undefined && outDir.startsWith(`${root}/`) ? [outDir] : [];
  });
  return [...new Set(outDirs)];
}

/**
 * The folder a tsconfig's `outDir` names (workspace-relative), as tsc reads it: from the file, else
 * from the configs it `extends` by path (opencrvs' events: `outDir` in the tsconfig.base.json its
 * tsconfig.build.json extends), relative to the config that sets it. None with `noEmit` (tsc only
 * checks types), set along the chain, or where no config of it sets an `outDir`.
 */
function emittedOutDir(texts: WorkspaceTexts, path: string): string | undefined {
  const { noEmit, outDir } = compilerOptionsOf(texts, path, new Set());
  return noEmit === true ? undefined : outDir;
}

/** `noEmit` and `outDir` (resolved) as a config and the configs it extends by path set them, the nearest first. */
function compilerOptionsOf(
  texts: WorkspaceTexts,
  path: string,
  seen: Set<string>,
): { noEmit?: unknown; outDir?: string } {
  if (seen.has(path)) return {};
  seen.add(path);
  const config = tsconfigAt(texts, path);
  if (!config) return {};
  const own = config.compilerOptions ?? {};
  const found: { noEmit?: unknown; outDir?: string } = {
    ...(own.noEmit !== undefined ? { noEmit: own.noEmit } : {}),
    ...(typeof own.outDir === 'string'
      ? { outDir: posix.normalize(posix.join(posix.dirname(path), own.outDir)).replace(/\/+$/, '') }
      : {}),
  };
  // A later base wins over an earlier one; a package's (`@tsconfig/node20`) is no folder of the workspace.
  const bases = (Array.isArray(config.extends) ? config.extends : [config.extends])
    .filter((base): base is string => typeof base === 'string' && base.startsWith('.'))
    .reverse();
  for (const base of bases) {
    if (found.noEmit !== undefined && found.outDir !== undefined) break;
    const file = posix.normalize(posix.join(posix.dirname(path), base));
    const inherited = compilerOptionsOf(texts, file.endsWith('.json') ? file : `${file}.json`, seen);
    if (found.noEmit === undefined && inherited.noEmit !== undefined) found.noEmit = inherited.noEmit;
    if (found.outDir === undefined && inherited.outDir !== undefined) found.outDir = inherited.outDir;
  }
  return found;
}

const RUNNERS = new Set(['npx', 'pnpx', 'bunx', 'yarn', 'pnpm', 'npm', 'exec', 'env', 'cross-env']);

/**
 * Where a command's program is, past package runners and environment setters and their flags (`npx
 * tsc`, `pnpm exec tsc`, dittofeed's `NODE_ENV=production tsc --build`, `cross-env CI=1 tsc`): -1 for none.
 */
function programAt(texts: readonly string[]): number {
  return texts.findIndex((text) => !RUNNERS.has(text) && !text.startsWith('-') && !/^[A-Za-z_]\w*=/.test(text));
}

/** Whether a command runs the TypeScript compiler, its program at `at`. */
const isTsc = (texts: readonly string[], at: number) => at >= 0 && /(?:^|\/)tsc$/.test(texts[at]!);

/**
 * The tsconfigs a script's `tsc --build` (`-b`) starts from, relative to the package folder
 * (`tsconfig.json` when it names none); undefined when the script runs no build mode tsc.
 */
export function tscBuildConfigs(script: string): string[] | undefined {
  for (const { words } of shellCommands(script)) {
    const texts = words.map((word) => word.text);
    const tsc = programAt(texts);
    if (!isTsc(texts, tsc)) continue;
    if (!texts.slice(tsc + 1).some((text) => text === '-b' || text === '--build')) continue;
    const named = texts.slice(tsc + 1).filter((text) => !text.startsWith('-'));
    return named.length ? named : ['tsconfig.json'];
  }
  return undefined;
}

/** The package.json scripts a workspace install runs for each workspace package (npm, pnpm, yarn). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/**
 * Whether a package's install scripts build it: one runs its `build` script (sourcebot's libraries'
 * `"postinstall": "yarn build"`) or the TypeScript compiler, not only to check types.
 */
export function buildsOnInstall(scripts: Record<string, unknown>): boolean {
  return INSTALL_SCRIPTS.some((name) => {
    const script = scripts[name];
    if (typeof script !== 'string') return false;
    if (scriptsRun(script).includes('build')) return true;
    return shellCommands(script).some(({ words }) => {
      const texts = words.map((word) => word.text);
      return isTsc(texts, programAt(texts)) && !texts.includes('--noEmit');
    });
  });
}

/**
 * Whether the workspace root's install scripts build every package: they run its `build` script or
 * the compiler (`buildsOnInstall`), a workspace-wide build (`yarn workspaces foreach -A run build`,
 * `lerna run build`, `turbo run build`…), every package's `prepare` or `compile` (`lerna run prepare`), or a
 * task runner's `build` task (Joplin's `gulp build`).
 */
export function buildsWorkspaceOnInstall(scripts: Record<string, unknown>): boolean {
  if (buildsOnInstall(scripts)) return true;
  return INSTALL_SCRIPTS.some((name) => {
    const script = scripts[name];
    return (
      typeof script === 'string' &&
      shellCommands(script).some(({ words }) => {
        const command = words.map((word) => word.text).join(' ');
        return (
          buildsEveryPackage(command) ||
          /^(?:npx\s+)?(?:gulp|grunt)\s+build\b/.test(command) ||
          // Every package's own prepare, which compiles it before it is published (graphprotocol/indexer's).
          (/\blerna\s+run\s+(?:prepare|compile)\b/.test(command) && !/--scope/.test(command))
        );
      })
    );
  });
}

/**
 * For the project folders given whose `build` script runs `tsc --build`: the other project folders
 * their tsconfig `references` reach, directly or through the referenced tsconfigs (dittofeed's api
 * builds backend-lib and isomorphic-lib so). An image that runs that build compiles them itself.
 */
export function referenceBuilds(
  texts: WorkspaceTexts,
  roots: readonly string[],
  projectRoots: ReadonlySet<string>,
  buildScript: (root: string) => unknown,
): Record<string, string[]> {
  const byRoot = new Map([...projectRoots].map((root) => [root, root]));
  return Object.fromEntries(
    roots.flatMap((root) => {
      const build = buildScript(root);
      const configs = typeof build === 'string' ? tscBuildConfigs(build) : undefined;
      if (!configs) return [];
      const reached = new Set<string>();
      const queue = configs.map((config) => tsconfigPath(posix.join(root, config)));
      for (const seen = new Set<string>(); queue.length;) {
        const config = queue.shift()!;
        if (seen.has(config)) continue;
        seen.add(config);
        const owner = deepestAt(byRoot, config);
        if (owner !== undefined && owner !== root) reached.add(owner);
        for (const reference of referencePaths(tsconfigAt(texts, config)))
          queue.push(tsconfigPath(posix.join(posix.dirname(config), reference)));
      }
      return reached.size ? [[root, [...reached].sort()]] : [];
    }),
  );
}

/** A tsconfig reference or `tsc -b` argument names a file, or a folder holding its tsconfig.json. */
function tsconfigPath(path: string): string {
  const normal = posix.normalize(path).replace(/\/+$/, '');
  return normal.endsWith('.json') ? normal : posix.join(normal, 'tsconfig.json');
}

function referencePaths(config: TsConfig | undefined): string[] {
  const references = config?.references;
  return Array.isArray(references)
    ? references.flatMap((reference: unknown) => {
        const path = (reference as { path?: unknown } | null)?.path;
        return typeof path === 'string' ? [path] : [];
      })
    : [];
}
