import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { buildServiceImage } from '../../image/build';
import { imageRecordPath, writeRecord } from '../../image/records';
import { fleetPorts, reportingFailures, serviceRefOf } from '../run-executor';
import type { DockerBuildExecutorSchema } from './schema';

export default async function dockerBuildExecutor(
  options: DockerBuildExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(async () => {
    const ports = fleetPorts();
    const service = serviceRefOf(context);
    const record = await buildServiceImage(ports, options, service, { nxTarget: context.target });
    if (options.dryRun) return true;
    await writeRecord(join(context.root, imageRecordPath(service.projectRoot)), record, ports.files);
    return true;
  });
}
