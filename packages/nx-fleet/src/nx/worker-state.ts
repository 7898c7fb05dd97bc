import { isPluginWorker, logger } from './devkit-internal';
import type { Env } from '../io/ports';
import { GraphMemo } from './graph-memo';

/** Prints each warning once per key, however often Nx calls the plugin. */
export class OnceWarnings {
  private readonly printed = new Set<string>();

  warn(key: string, message: string): void {
    if (this.printed.has(key)) return;
    this.printed.add(key);
    logger.warn(message);
  }
}

/**
 * What nx/ keeps for as long as Nx's plugin worker lives (the daemon keeps it across graph
 * computations, so a warning about a file Nx reads on every graph is printed once, not on every
 * edit). The only module-level mutable state of nx/; tests hand the hooks their own.
 */
export const workerState = {
  nodeWarnings: new OnceWarnings(),
  /** What createNodes has read and decided before, while its inputs are unchanged. */
  graph: new GraphMemo(!isPluginWorker()),
};

/** Whether this worker is the daemon's, which outlives one graph. */
export function inDaemon(env: Env): boolean {
  return env['NX_DAEMON_PROCESS'] === 'true';
}

/** The CPU time this process used since `since`, in ms. */
export function cpuMs(since: NodeJS.CpuUsage): string {
  const used = process.cpuUsage(since);
  return ((used.user + used.system) / 1000).toFixed(1);
}
