import type { ExecutorContext } from '@nx/devkit';
import { pushImage } from '../../push/push';
import { buildOptionsOf, fleetPorts, reportingFailures, serviceRefOf } from '../run-executor';
import type { DockerPushExecutorSchema } from './schema';

export default async function dockerPushExecutor(
  options: DockerPushExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(async () => {
    await pushImage(fleetPorts(), {
      service: serviceRefOf(context),
      options,
      buildOptions: (buildTarget) => buildOptionsOf(context, buildTarget),
    });
    return true;
  });
}
