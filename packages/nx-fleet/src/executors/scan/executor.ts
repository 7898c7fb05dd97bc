import type { ExecutorContext } from '@nx/devkit';
import { DEFAULT_TARGET_NAMES } from '../../config/defaults';
import { buildTargetIn } from '../../image/records';
import { nodePorts } from '../../io/ports';
import { scanService } from '../../supply-chain/scan';
import { ensureLocalImage, reportingFailures, serviceRefOf } from '../run-executor';
import type { ScanExecutorSchema } from './schema';

export default async function scanExecutor(
  options: ScanExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() => {
    const service = serviceRefOf(context);
    const buildTarget = options.buildTarget ?? DEFAULT_TARGET_NAMES.build;
    const build = context.projectsConfigurations.projects[service.projectName]?.targets?.[buildTarget];
    const dockerfile =
      (build?.options as { dockerfile?: string } | undefined)?.dockerfile ?? `${service.projectRoot}/Dockerfile`;
    return scanService(
      { service, options, dockerfile, build: buildTargetIn(service, buildTarget) },
      {
        ...nodePorts(),
        localImage: (record) => ensureLocalImage(record, buildTarget, context, 'the scan reads the exact image built'),
      },
    );
  });
}
