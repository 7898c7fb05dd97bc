import { flushPendingSaves } from '../runtime-graph/worker-state';
import { runtimeProviderRoots, type ApartAnswer, type ApartInput } from './runtime-providers';

/**
 * The process of `runtimeProviderRootsApart` (runtime-providers.ts): the scan, its cache saved before
 * the answer leaves, and the warnings handed back for the plugin's process to print.
 */
process.once('message', (input: ApartInput) => {
  const warnings: Array<[string, string]> = [];
  let answer: ApartAnswer;
  try {
    const { roots } = runtimeProviderRoots({ ...input, warn: (key, message) => warnings.push([key, message]) });
    flushPendingSaves();
    const cpu = process.cpuUsage();
    answer = {
      roots: [...roots],
      warnings,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...(input.stats ? { stats: input.stats } : {}),
    };
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  // Killed alone mid-scan, the plugin's process hears nothing more: this one ends quietly either way.
  if (!process.connected) process.exit(0);
  process.send?.(answer, () => process.exit(0));
});
