import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { nodePorts } from '../../io/ports';
import { scanService, type ScanDirs } from '../../supply-chain/scan';
import { ensureLocalImage, reportingFailures, serviceRefOf } from '../run-executor';
import type { ScanExecutorSchema } from './schema';

export default async function scanExecutor(
  options: ScanExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() => {
    const service = serviceRefOf(context);
    const buildTarget = options.buildTarget ?? 'docker-build';
    const build = context.projectsConfigurations.projects[service.projectName]?.targets?.[buildTarget];
    const dockerfile =
      (build?.options as { dockerfile?: string } | undefined)?.dockerfile ?? `${service.projectRoot}/Dockerfile`;
    return scanService(
      { service, options, dockerfile },
      {
        ...nodePorts(),
        dirs: nodeDirs,
        localImage: (record) => ensureLocalImage(record, buildTarget, context, 'the scan reads the exact image built'),
      },
    );
  });
}

// FilePort has no folders yet; the scanners write their outputs into real ones.
const nodeDirs: ScanDirs = {
  async ensure(dir) {
    await mkdir(dir, { recursive: true });
  },
  async withTemp(use) {
    const dir = await mkdtemp(join(tmpdir(), 'nx-fleet-scan-'));
    try {
      return await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
