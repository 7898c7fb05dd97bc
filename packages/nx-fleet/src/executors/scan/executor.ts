import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { readImageRecord } from '../../image/records';
import { ensureLocalImage } from '../../image/local-image';
import { run, ToolNotFoundError } from '../../io/process';
import { syftSbomArgs } from '../../supply-chain/scanners/syft';
import { explainScannerFailure, findTrivy, trivySbomArgs, trivyVulnArgs } from '../../supply-chain/scanners/trivy';
import { toSarif } from '../../supply-chain/sarif';
import { parseAllowlist } from '../../supply-chain/allowlist';
import { formatFindingsTable, type Finding } from '../../supply-chain/findings';
import { evaluateGate } from '../../supply-chain/gate';
import { parseGrypeReport } from '../../supply-chain/reports/grype';
import { parseTrivyReport } from '../../supply-chain/reports/trivy';
import { imageRecordPath, scanRecordDir } from '../../image/records';
import { serviceRefOf } from '../docker-build/executor';
import { reportingFailures } from '../run-executor';
import type { ScanExecutorSchema } from './schema';

export default async function scanExecutor(
  options: ScanExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() => scan(options, context));
}

async function scan(options: ScanExecutorSchema, context: ExecutorContext): Promise<boolean> {
  const service = serviceRefOf(context);
  const record = await readImageRecord(join(context.root, imageRecordPath(service.projectRoot)));
  if (!record)
    throw new Error(
      `nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the docker-build target of ${service.projectName} first.`,
    );
  const scanner = (process.env['FLEET_SCANNER'] as ScanExecutorSchema['scanner']) || options.scanner || 'trivy';
  if (scanner !== 'trivy' && scanner !== 'grype')
    throw new Error(`nx-fleet: scanner "${scanner}" (option "scanner" or FLEET_SCANNER) is not trivy or grype.`);
  const outDir = join(context.root, scanRecordDir(service.projectRoot));
  await mkdir(outDir, { recursive: true });

  const work = await mkdtemp(join(tmpdir(), 'nx-fleet-scan-'));
  try {
    const needsImage = (options.sbom ?? 'cyclonedx') !== 'none' || !options.report;
    const archive = join(work, 'image.tar');
    if (needsImage) {
      const engine = await ensureLocalImage(
        record,
        options.buildTarget ?? 'docker-build',
        context,
        'the scan reads the exact image built',
      );
      await engine.save(record.localRef, archive);
    }
    if ((options.sbom ?? 'cyclonedx') !== 'none') {
      const format = options.sbom === 'spdx' ? 'spdx-json' : 'cyclonedx';
      const output = join(outDir, format === 'cyclonedx' ? 'sbom.cdx.json' : 'sbom.spdx.json');
      if (options.sbomGenerator === 'syft') await runScanner('syft', syftSbomArgs(archive, format, output));
      else await runScanner(await findTrivy(context.root), trivySbomArgs(archive, format, output));
      logger.info(`nx-fleet: ${service.projectName}: SBOM of ${record.localRef} written to ${output}`);
    }

    const report = options.report
      ? JSON.parse(await readFile(resolve(context.root, options.report), 'utf8'))
      : await runVulnerabilityScan(scanner, archive, work, options, context.root);
    const findings: Finding[] = scanner === 'trivy' ? parseTrivyReport(report) : parseGrypeReport(report);
    const allowlistFile = resolve(context.root, options.allowlist ?? 'fleet-allowlist.json');
    const allowlist = existsSync(allowlistFile)
      ? parseAllowlist(readFileSync(allowlistFile, 'utf8'), allowlistFile)
      : [];
    const result = evaluateGate({
      findings,
      threshold: options.threshold ?? 'HIGH',
      ignoreUnfixed: options.ignoreUnfixed ?? false,
      allowlist,
      service: service.projectName,
      now: new Date(),
    });

    await writeFile(
      join(outDir, 'scan.json'),
      `${JSON.stringify({ image: record.localRef, contentTag: record.contentTag, scanner, threshold: options.threshold ?? 'HIGH', ...result, scannedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    // SARIF locations are files: findings point at the Dockerfile the image came from.
    const dockerfile =
      (
        context.projectsConfigurations.projects[service.projectName]?.targets?.[options.buildTarget ?? 'docker-build']
          ?.options as { dockerfile?: string } | undefined
      )?.dockerfile ?? `${service.projectRoot}/Dockerfile`;
    await writeFile(
      join(outDir, 'scan.sarif'),
      `${JSON.stringify(toSarif(findings, { toolName: scanner, toolVersion: 'unknown', artifact: dockerfile }), null, 2)}\n`,
    );
    for (const entry of result.expired)
      logger.warn(`nx-fleet: allowlist entry ${entry.id} expired on ${entry.expires} (${allowlistFile}).`);
    if (result.passed) {
      logger.info(
        `nx-fleet: ${service.projectName}: scan passed (${findings.length} findings, ${result.allowed.length} allowlisted, threshold ${options.threshold ?? 'HIGH'})`,
      );
      return true;
    }
    logger.error(
      `nx-fleet: ${service.projectName}: ${result.failing.length} vulnerabilities at or above ${options.threshold ?? 'HIGH'} in ${record.localRef}:\n${formatFindingsTable(result.failing)}`,
    );
    return false;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function runVulnerabilityScan(
  scanner: 'trivy' | 'grype',
  archive: string,
  work: string,
  options: ScanExecutorSchema,
  workspaceRoot: string,
): Promise<unknown> {
  const output = join(work, 'report.json');
  if (scanner === 'trivy') {
    await runScanner(
      await findTrivy(workspaceRoot),
      trivyVulnArgs(archive, output, {
        ignoreUnfixed: options.ignoreUnfixed ?? false,
        skipDbUpdate: process.env['FLEET_TRIVY_SKIP_DB_UPDATE'] === '1',
      }),
    );
  } else {
    await runScanner('grype', [`docker-archive:${archive}`, '-o', 'json', '--file', output]);
  }
  return JSON.parse(await readFile(output, 'utf8'));
}

async function runScanner(binary: string, args: string[]): Promise<void> {
  let result;
  try {
    result = await run(binary, args);
  } catch (error) {
    if (error instanceof ToolNotFoundError && binary === 'grype')
      throw new ToolNotFoundError(
        'grype',
        'Install grype (https://github.com/anchore/grype) or use the trivy scanner.',
      );
    if (error instanceof ToolNotFoundError && binary === 'syft')
      throw new ToolNotFoundError(
        'syft',
        'Install syft (https://github.com/anchore/syft) or let trivy write the SBOM (sbomGenerator "trivy").',
      );
    throw error;
  }
  if (result.code !== 0) throw explainScannerFailure(binary, args, result);
}
