import { join } from 'node:path';
import type { PostTasksExecution } from '@nx/devkit';
import { logger } from './devkit-internal';
import type { FleetPluginOptions } from '../config/options';
import { RUN_SUMMARY_FILE } from '../image/records';
import { formatRunSummary, summarizeRun } from '../image/run-summary';
import { nodeFiles } from '../io/ports';

/**
 * After every run that built or pushed images: `dist/fleet/last-run.json` and a short summary.
 *
 * Registering a hook of the task phases also keeps nx-fleet's plugin worker alive between graph
 * computations in the daemon (Nx shuts a worker down after its last registered phase), so TypeScript
 * stays loaded and an edit costs the SDK graph one scan instead of a worker start.
 */
export const postTasksExecution: PostTasksExecution<FleetPluginOptions> = async (_options, context) => {
  const entries = await summarizeRun(context.workspaceRoot, Object.values(context.taskResults), nodeFiles);
  if (!entries.length) return;
  await nodeFiles.writeText(
    join(context.workspaceRoot, RUN_SUMMARY_FILE),
    `${JSON.stringify({ startTime: context.startTime, endTime: context.endTime, tasks: entries }, null, 2)}\n`,
  );
  logger.info(formatRunSummary(entries));
};
