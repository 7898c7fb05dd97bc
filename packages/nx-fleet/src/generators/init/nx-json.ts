import type { NxJsonConfiguration, PluginConfiguration } from '@nx/devkit';
import type { FleetPluginOptions } from '../../config/options';
import { isFleetPlugin, nxAnalysesSources, PLUGIN_NAME } from '../../config/workspace-options';

/** Idempotent: an existing registration keeps its options; only an explicitly given registry updates it. */
export function addFleetPlugin(
  nxJson: NxJsonConfiguration,
  options: Pick<FleetPluginOptions, 'registry'>,
): NxJsonConfiguration {
  const plugins = [...(nxJson.plugins ?? [])];
  const index = plugins.findIndex(isFleetPlugin);
  const existing = index >= 0 ? plugins[index]! : undefined;
  const existingOptions =
    existing && typeof existing !== 'string' ? (existing.options as FleetPluginOptions | undefined) : undefined;
  const merged: FleetPluginOptions = {
    ...existingOptions,
    ...(options.registry ? { registry: options.registry } : {}),
  };
  const base = existing && typeof existing !== 'string' ? existing : { plugin: PLUGIN_NAME };
  // The bare string form keeps a default registration as short as `nx add` writes it for Nx's own plugins.
  const entry: PluginConfiguration = Object.keys(merged).length
    ? { ...base, options: merged }
    : (existing ?? PLUGIN_NAME);
  if (index >= 0) plugins[index] = entry;
  else plugins.push(entry);
  return { ...nxJson, plugins };
}

/** Production files are the project's files without tests, as Nx's own plugins define them. */
export const PRODUCTION_INPUT = [
  'default',
  '!{projectRoot}/**/?(*.)+(spec|test).[jt]s?(x)?(.snap)',
  '!{projectRoot}/tsconfig.spec.json',
  '!{projectRoot}/vitest.config.*',
];

/**
 * What Nx analyses without an `@nx/js` entry in nx.json (its `jsPluginConfig`), where that differs from
 * what it analyses once there is one: an entry makes every analysis default to on, so a workspace
 * without Nx's JS plugins (whackakey's `@nrwl/*` ones) would gain import edges it never had.
 */
function analysesBefore(rootManifest: unknown): Record<string, boolean> {
  if (rootManifest === undefined)
    return { analyzePackageJson: false, analyzeSourceFiles: false, analyzeLockfile: false };
  return nxAnalysesSources(undefined, rootManifest) ? {} : { analyzeSourceFiles: false };
}

/**
 * Named inputs and target defaults the fleet's targets and generated services rely on; existing ones
 * are kept. `rootManifest` is the root package.json, parsed (undefined when there is none).
 */
export function addFleetDefaults(nxJson: NxJsonConfiguration, rootManifest: unknown): NxJsonConfiguration {
  const namedInputs: NonNullable<NxJsonConfiguration['namedInputs']> = {
    default: ['{projectRoot}/**/*', 'sharedGlobals'],
    sharedGlobals: [],
    ...nxJson.namedInputs,
  };
  namedInputs['production'] ??= PRODUCTION_INPUT;
  const targetDefaults = { ...nxJson.targetDefaults };
  for (const target of ['test', 'typecheck'])
    targetDefaults[target] ??= { cache: true, inputs: ['default', '^production'] };
  // Rule (d): a lockfile change affects only the projects whose resolved dependencies changed, not all.
  const existing = nxJson.pluginsConfig?.['@nx/js'] as Record<string, unknown> | undefined;
  const js = { ...(existing ? {} : analysesBefore(rootManifest)), ...existing };
  js['projectsAffectedByDependencyUpdates'] ??= 'auto';
  return { ...nxJson, namedInputs, targetDefaults, pluginsConfig: { ...nxJson.pluginsConfig, '@nx/js': js } };
}

/** What a build context never needs; pruned contexts copy the workspace's root .dockerignore. */
export const DOCKERIGNORE = [
  '.git',
  'node_modules',
  'dist',
  'tmp',
  'coverage',
  '.nx',
  '**/*.spec.ts',
  '**/*.test.ts',
  '',
].join('\n');

/** For adopted apps, whose Dockerfiles may copy prebuilt output (but never nx-fleet's records). */
export const ADOPT_DOCKERIGNORE = ['.git', 'node_modules', 'tmp', 'coverage', '.nx', 'dist/fleet', ''].join('\n');

/** What Nx's own init adds to `.gitignore`: its local cache and its workspace-data directory. */
export const NX_GITIGNORE = ['.nx/cache', '.nx/workspace-data'] as const;

/**
 * `.gitignore` with the `.nx` folders, each appended once: a line already naming it (with or without
 * a leading or trailing `/`), or `.nx` itself, counts. Unchanged text comes back as it was.
 */
export function addNxGitignore(text: string | undefined): string {
  const lines = (text ?? '').split(/\r?\n/).map((line) => line.trim().replace(/^\//, '').replace(/\/$/, ''));
  const covered = (path: string) => lines.includes(path) || lines.includes('.nx') || lines.includes('.nx/**');
  const missing = NX_GITIGNORE.filter((path) => !covered(path));
  if (!missing.length) return text ?? '';
  const before = text ?? '';
  const separator = before === '' ? '' : before.endsWith('\n') ? '' : '\n';
  return `${before}${separator}${missing.join('\n')}\n`;
}
