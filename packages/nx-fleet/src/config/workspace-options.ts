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
