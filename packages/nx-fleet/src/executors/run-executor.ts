import { logger } from '@nx/devkit';

/**
 * An executor's result from its work: `success` is what the work answers; a thrown error is logged
 * (its message only: nx-fleet's errors say what to do) and fails the target instead of crashing Nx.
 */
export async function reportingFailures(work: () => Promise<boolean>): Promise<{ success: boolean }> {
  try {
    return { success: await work() };
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    return { success: false };
  }
}
