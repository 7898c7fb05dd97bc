import { join, resolve } from 'node:path';
import { setting } from '../config/settings';
import type { Engine } from '../engines/engine';
import { builtImageRecord, scanRecordDir, type BuildTargetRef, type ImageRecord } from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { Ports } from '../io/ports';
import { ToolNotFoundError } from '../io/process';
import { parseAllowlist } from './allowlist';
import { formatFindingsTable, type Finding, type Severity } from './findings';
import { evaluateGate } from './gate';
import { parseGrypeReport } from './reports/grype';
import { parseTrivyReport } from './reports/trivy';
import { toSarif } from './sarif';
import { syftSbomArgs } from './scanners/syft';
import { explainScannerFailure, findTrivy, trivySbomArgs, trivyVulnArgs, type SbomFormat } from './scanners/trivy';

/** The scan target's options (executors/scan/schema.json). */
export interface ScanOptions {
  scanner?: 'trivy' | 'grype';
  threshold?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  ignoreUnfixed?: boolean;
  allowlist?: string;
  sbom?: 'cyclonedx' | 'spdx' | 'none';
  sbomGenerator?: 'trivy' | 'syft';
  report?: string;
}

export type ScannerName = 'trivy' | 'grype';

/** What a scan will do, decided from the options and the environment before anything runs. */
export interface ScanPlan {
  scanner: ScannerName;
  threshold: Severity;
  ignoreUnfixed: boolean;
  /** The SBOM to write next to image.json, and the tool that writes it; absent with `sbom: none`. */
  sbom?: { generator: 'trivy' | 'syft'; format: SbomFormat; file: 'sbom.cdx.json' | 'sbom.spdx.json' };
  /** An existing report to evaluate (absolute); absent: the scanner runs on the image. */
  reportFile?: string;
  /** Trivy reads the database it has instead of downloading one (FLEET_TRIVY_SKIP_DB_UPDATE=1). */
  skipDbUpdate: boolean;
  allowlistFile: string;
  /** The image is exported only when a tool reads it: the SBOM generator or the scanner. */
  needsImage: boolean;
}

export function planScan(options: ScanOptions, env: Ports['env'], workspaceRoot: string): ScanPlan {
  const scanner = setting(env, 'scanner', options.scanner) ?? 'trivy';
  if (scanner !== 'trivy' && scanner !== 'grype')
    throw new Error(`nx-fleet: scanner "${scanner}" (option "scanner" or FLEET_SCANNER) is not trivy or grype.`);
  const generator = options.sbomGenerator ?? 'trivy';
  const sbom: ScanPlan['sbom'] =
    options.sbom === 'none'
      ? undefined
      : options.sbom === 'spdx'
        ? { generator, format: 'spdx-json', file: 'sbom.spdx.json' }
        : { generator, format: 'cyclonedx', file: 'sbom.cdx.json' };
  return {
    scanner,
    threshold: options.threshold ?? 'HIGH',
    ignoreUnfixed: options.ignoreUnfixed ?? false,
    ...(sbom ? { sbom } : {}),
    ...(options.report ? { reportFile: resolve(workspaceRoot, options.report) } : {}),
    skipDbUpdate: setting(env, 'trivySkipDbUpdate') === '1',
    allowlistFile: resolve(workspaceRoot, options.allowlist ?? 'fleet-allowlist.json'),
    needsImage: sbom !== undefined || !options.report,
  };
}

export interface ScanRequest {
  service: Pick<ServiceRef, 'workspaceRoot' | 'projectName' | 'projectRoot'>;
  options: ScanOptions;
  /** SARIF locations are files: findings point at the Dockerfile the image came from. */
  dockerfile: string;
  /** The build target whose record names the image. */
  build: BuildTargetRef;
}

/** Folders the scanners write into; the node implementation lives with the executor. */
export type ScanPorts = Pick<Ports, 'processes' | 'files' | 'env' | 'log' | 'clock'> & {
  /**
   * The engine holding the recorded image once the record is verified (the sources' content tag, the
   * local image's label), rebuilt first when this machine never built it (a remote-cache hit); a record
   * the sources do not confirm throws. Asked on every scan, even one that only reads a report.
   */
  localImage(record: ImageRecord): Promise<Pick<Engine, 'save'>>;
};

/**
 * Scans the exact image docker-build recorded: the SBOM next to image.json, the scanner's findings
 * through the gate, scan.json and scan.sarif. Resolves false when the gate fails.
 */
export async function scanService(request: ScanRequest, ports: ScanPorts): Promise<boolean> {
  const { service } = request;
  const { workspaceRoot } = service;
  const record = await builtImageRecord(service, request.build, ports.files);
  const plan = planScan(request.options, ports.env, workspaceRoot);
  // Verified in every mode, a given report included: scan.json names this record's image and content
  // tag, and a poisoned record (restored from a cache) must not get a pass recorded under its name.
  const engine = await ports.localImage(record);
  const outDir = join(workspaceRoot, scanRecordDir(service.projectRoot));
  await ports.files.makeDir(outDir);

  return ports.files.withTempDir('nx-fleet-scan-', async (work) => {
    const archive = join(work, 'image.tar');
    if (plan.needsImage) await engine.save(record.localRef, archive);
    if (plan.sbom) {
      const output = join(outDir, plan.sbom.file);
      if (plan.sbom.generator === 'syft')
        await runScanner(ports, 'syft', syftSbomArgs(archive, plan.sbom.format, output));
      else
        await runScanner(
          ports,
          await findTrivy(workspaceRoot, ports),
          trivySbomArgs(archive, plan.sbom.format, output),
        );
      ports.log.info(`nx-fleet: ${service.projectName}: SBOM of ${record.localRef} written to ${output}`);
    }

    const report = plan.reportFile
      ? JSON.parse(await readExisting(ports, plan.reportFile))
      : await runVulnerabilityScan(plan, archive, work, workspaceRoot, ports);
    const findings: Finding[] = plan.scanner === 'trivy' ? parseTrivyReport(report) : parseGrypeReport(report);
    const allowlistText = await ports.files.readText(plan.allowlistFile);
    const allowlist = allowlistText === undefined ? [] : parseAllowlist(allowlistText, plan.allowlistFile);
    const result = evaluateGate({
      findings,
      threshold: plan.threshold,
      ignoreUnfixed: plan.ignoreUnfixed,
      allowlist,
      service: service.projectName,
      now: ports.clock.now(),
    });

    const scanRecord = {
      image: record.localRef,
      contentTag: record.contentTag,
      scanner: plan.scanner,
      threshold: plan.threshold,
      ...result,
      scannedAt: ports.clock.now().toISOString(),
    };
    await ports.files.writeText(join(outDir, 'scan.json'), `${JSON.stringify(scanRecord, null, 2)}\n`);
    const sarif = toSarif(findings, { toolName: plan.scanner, toolVersion: 'unknown', artifact: request.dockerfile });
    await ports.files.writeText(join(outDir, 'scan.sarif'), `${JSON.stringify(sarif, null, 2)}\n`);
    for (const entry of result.expired)
      ports.log.warn(`nx-fleet: allowlist entry ${entry.id} expired on ${entry.expires} (${plan.allowlistFile}).`);
    if (result.passed) {
      ports.log.info(
        `nx-fleet: ${service.projectName}: scan passed (${findings.length} findings, ${result.allowed.length} allowlisted, threshold ${plan.threshold})`,
      );
      return true;
    }
    ports.log.error(
      `nx-fleet: ${service.projectName}: ${result.failing.length} vulnerabilities at or above ${plan.threshold} in ${record.localRef}:\n${formatFindingsTable(result.failing)}`,
    );
    return false;
  });
}

async function runVulnerabilityScan(
  plan: ScanPlan,
  archive: string,
  work: string,
  workspaceRoot: string,
  ports: ScanPorts,
): Promise<unknown> {
  const output = join(work, 'report.json');
  if (plan.scanner === 'trivy') {
    await runScanner(
      ports,
      await findTrivy(workspaceRoot, ports),
      trivyVulnArgs(archive, output, { ignoreUnfixed: plan.ignoreUnfixed, skipDbUpdate: plan.skipDbUpdate }),
    );
  } else {
    await runScanner(ports, 'grype', [`docker-archive:${archive}`, '-o', 'json', '--file', output]);
  }
  return JSON.parse(await readExisting(ports, output));
}

const INSTALL_HINTS: Record<string, string> = {
  grype: 'Install grype (https://github.com/anchore/grype) or use the trivy scanner.',
  syft: 'Install syft (https://github.com/anchore/syft) or let trivy write the SBOM (sbomGenerator "trivy").',
};

async function runScanner(ports: Pick<ScanPorts, 'processes'>, binary: string, args: string[]): Promise<void> {
  let result;
  try {
    result = await ports.processes.run(binary, args);
  } catch (error) {
    const hint = INSTALL_HINTS[binary];
    if (error instanceof ToolNotFoundError && hint) throw new ToolNotFoundError(binary, hint);
    throw error;
  }
  if (result.code !== 0) throw explainScannerFailure(binary, args, result);
}

/** A file that must be there: missing, it fails as reading it always did (Node's ENOENT message). */
async function readExisting(ports: Pick<ScanPorts, 'files'>, file: string): Promise<string> {
  const text = await ports.files.readText(file);
  if (text === undefined)
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
  return text;
}
