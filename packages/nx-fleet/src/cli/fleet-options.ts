import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetPluginOptions } from '../config/options';

/** The nx-fleet entry's options in nx.json, so the command line honours what the graph does. */
export function fleetPluginOptions(workspaceRoot: string): FleetPluginOptions | undefined {
  let nxJson: { plugins?: unknown[] };
  try {
    nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins?: unknown[] };
  } catch {
    return undefined;
  }
  for (const entry of nxJson.plugins ?? []) {
    if (entry === 'nx-fleet') return {};
    if (typeof entry === 'object' && entry !== null && (entry as { plugin?: unknown }).plugin === 'nx-fleet')
      return (entry as { options?: FleetPluginOptions }).options ?? {};
  }
  return undefined;
}
