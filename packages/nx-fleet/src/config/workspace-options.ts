import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetPluginOptions } from './options';

export const PLUGIN_NAME = 'nx-fleet';

/** An entry of nx.json `plugins` is nx-fleet's in either form Nx accepts: the bare name or `{ plugin, options }`. */
export function isFleetPlugin(entry: unknown): boolean {
  return (typeof entry === 'string' ? entry : (entry as { plugin?: unknown } | null)?.plugin) === PLUGIN_NAME;
}

/** Whether nx.json registers a plugin besides nx-fleet: one that may infer targets nx-fleet cannot see. */
export function othersInfer(nxJson: { plugins?: readonly unknown[] } | null | undefined): boolean {
  return (nxJson?.plugins ?? []).some((entry) => !isFleetPlugin(entry));
}

/** The packages whose presence in the root package.json makes Nx analyse source files when nx.json has no `@nx/js` config. */
export const SOURCE_ANALYSING_PACKAGES = [
  '@nx/workspace',
  '@nx/js',
  '@nx/node',
  '@nx/next',
  '@nx/react',
  '@nx/angular',
  '@nx/web',
];

/**
 * Whether Nx's graph maps a project's imports to npm packages (`@nx/js`' `analyzeSourceFiles`): as
 * nx.json's `@nx/js` config says (on by default there), else on where the root package.json has one of
 * Nx's JS plugins (Nx's `jsPluginConfig`). Where it is off, Nx prunes a project without a package.json
 * of its own to no dependency.
 */
export function nxAnalysesSources(
  nxJson: { pluginsConfig?: Record<string, unknown> } | null | undefined,
  rootManifest: unknown,
): boolean {
  const config = (nxJson?.pluginsConfig?.['@nx/js'] ?? nxJson?.pluginsConfig?.['@nrwl/js']) as
    { analyzeSourceFiles?: unknown } | undefined;
  if (config) return config.analyzeSourceFiles !== false;
  if (rootManifest === undefined) return false;
  const { dependencies, devDependencies } = (rootManifest ?? {}) as Record<string, unknown>;
  const deps = { ...(dependencies as object | undefined), ...(devDependencies as object | undefined) };
  return SOURCE_ANALYSING_PACKAGES.some((name) => name in deps);
}

/** The nx-fleet entry's options in a parsed nx.json; undefined when nx-fleet is not registered. */
export function fleetOptionsOf(
  nxJson: { plugins?: readonly unknown[] } | null | undefined,
): FleetPluginOptions | undefined {
  const entry = nxJson?.plugins?.find(isFleetPlugin);
  if (entry === undefined) return undefined;
  return typeof entry === 'string' ? {} : ((entry as { options?: FleetPluginOptions }).options ?? {});
}

/** The nx-fleet entry's options in the workspace's nx.json, so the command line honours what the graph does. */
export function fleetPluginOptions(workspaceRoot: string): FleetPluginOptions | undefined {
  let nxJson: { plugins?: unknown[] };
  try {
    nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins?: unknown[] };
  } catch {
    return undefined;
  }
  return fleetOptionsOf(nxJson);
}
