import { join } from 'node:path';
import { readTargetOptions, type ExecutorContext } from '@nx/devkit';
import { nodePactLoader } from '../../contracts/pact-loader';
import { verifyContracts, type RecordedImage } from '../../contracts/verify';
import { imageRecordPath, readImageRecord } from '../../image/records';
import { nodePorts } from '../../io/ports';
import type { BuildOptions as DockerBuildExecutorSchema } from '../../image/build';
import { ensureLocalImage, reportingFailures, serviceRefOf } from '../run-executor';
import type { ContractVerifyExecutorSchema } from './schema';

export default async function contractVerifyExecutor(
  options: ContractVerifyExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() => {
    const service = serviceRefOf(context);
    return verifyContracts(
      { ...nodePorts(), pact: nodePactLoader, image: recordedImage(context, service.projectRoot) },
      { workspaceRoot: context.root, service, options },
    );
  });
}

/** The build target's image as Nx and the engine know it: its record, its local copy, its Dockerfile. */
function recordedImage(context: ExecutorContext, projectRoot: string): RecordedImage {
  return {
    record: () => readImageRecord(join(context.root, imageRecordPath(projectRoot))),
    ensureLocal: (record, buildTarget, why) => ensureLocalImage(record, buildTarget, context, why),
    dockerfile: (buildTarget) =>
      readTargetOptions<DockerBuildExecutorSchema>({ project: context.projectName!, target: buildTarget }, context)
        .dockerfile ?? join(projectRoot, 'Dockerfile'),
  };
}
