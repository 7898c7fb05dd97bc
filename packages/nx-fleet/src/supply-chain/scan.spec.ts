import { describe, expect, it } from 'vitest';
import { engineHolding } from '../image/local-image';
import type { BuildTargetRef, ImageRecord } from '../image/records';
import type { Env } from '../io/ports';
import { ToolFailedError, ToolNotFoundError } from '../io/process';
import {
  collectingLog,
  fakeProcesses,
  fixedClock,
  memoryFiles,
  runResult,
  type ProcessAnswer,
  type ProcessCall,
} from '../testing/fake-ports';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { planScan, scanService, type ScanOptions, type ScanPlan, type ScanPorts } from './scan';

const ROOT = '/ws';
const OUT = '/ws/dist/fleet/services/orders';
const WORK = '/tmp/nx-fleet-scan-1';

describe('planScan', () => {
  const base: ScanPlan = {
    scanner: 'trivy',
    threshold: 'HIGH',
    ignoreUnfixed: false,
    sbom: { generator: 'trivy', format: 'cyclonedx', file: 'sbom.cdx.json' },
    skipDbUpdate: false,
    allowlistFile: '/ws/fleet-allowlist.json',
    needsImage: true,
  };

  it.each<[string, ScanOptions, Env, Partial<ScanPlan>]>([
    ['the defaults', {}, {}, {}],
    ['the scanner option', { scanner: 'grype' }, {}, { scanner: 'grype' }],
    ['FLEET_SCANNER over the option', { scanner: 'trivy' }, { FLEET_SCANNER: 'grype' }, { scanner: 'grype' }],
    ['an empty FLEET_SCANNER as unset', { scanner: 'grype' }, { FLEET_SCANNER: '' }, { scanner: 'grype' }],
    [
      'threshold and ignoreUnfixed',
      { threshold: 'CRITICAL', ignoreUnfixed: true },
      {},
      { threshold: 'CRITICAL', ignoreUnfixed: true },
    ],
    [
      'an SPDX SBOM',
      { sbom: 'spdx' },
      {},
      { sbom: { generator: 'trivy', format: 'spdx-json', file: 'sbom.spdx.json' } },
    ],
    [
      'syft as the SBOM generator',
      { sbomGenerator: 'syft' },
      {},
      { sbom: { generator: 'syft', format: 'cyclonedx', file: 'sbom.cdx.json' } },
    ],
    ['no SBOM, the scanner still reading the image', { sbom: 'none' }, {}, { sbom: undefined }],
    ['a report and an SBOM: the image is still read', { report: 'r.json' }, {}, { reportFile: '/ws/r.json' }],
    [
      'a report and no SBOM: the image is not read',
      { report: 'out/r.json', sbom: 'none' },
      {},
      { reportFile: '/ws/out/r.json', sbom: undefined, needsImage: false },
    ],
    ['FLEET_TRIVY_SKIP_DB_UPDATE=1', {}, { FLEET_TRIVY_SKIP_DB_UPDATE: '1' }, { skipDbUpdate: true }],
    ['FLEET_TRIVY_SKIP_DB_UPDATE other than 1', {}, { FLEET_TRIVY_SKIP_DB_UPDATE: 'true' }, { skipDbUpdate: false }],
    ['another allowlist file', { allowlist: 'security/allow.json' }, {}, { allowlistFile: '/ws/security/allow.json' }],
    ['an absolute allowlist file', { allowlist: '/etc/allow.json' }, {}, { allowlistFile: '/etc/allow.json' }],
  ])('plans %s', (_case, options, env, expected) => {
    const plan = { ...base, ...expected };
    if (!plan.sbom) delete plan.sbom;
    expect(planScan(options, env, ROOT)).toEqual(plan);
  });

  it('refuses a scanner that is neither trivy nor grype, wherever it came from', () => {
    expect(() => planScan({}, { FLEET_SCANNER: 'snyk' }, ROOT)).toThrow(
      'nx-fleet: scanner "snyk" (option "scanner" or FLEET_SCANNER) is not trivy or grype.',
    );
  });
});

const record: ImageRecord = {
  image: 'orders',
  contentTag: 'ct-0123456789ab',
  localRef: 'orders:ct-0123456789ab',
  engine: 'docker',
  platforms: ['linux/amd64'],
  built: true,
  recordedAt: '2025-01-01T00:00:00.000Z',
};

const vulnerability = (id: string, severity: string) => ({
  VulnerabilityID: id,
  PkgName: 'libfoo',
  InstalledVersion: '1.0.0',
  FixedVersion: '1.0.1',
  Severity: severity,
});
const trivyReport = (...vulnerabilities: object[]) =>
  JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'orders', Vulnerabilities: vulnerabilities }] });
const grypeReport = JSON.stringify({
  matches: [
    {
      vulnerability: { id: 'GHSA-x', severity: 'Critical', fix: { versions: ['2.0.0'], state: 'fixed' } },
      artifact: { name: 'ws', version: '1.0.0' },
    },
  ],
});

/** Fakes of every port the scan uses; `tools` answers processes, and may write what a scanner would. */
function harness(
  input: {
    options?: ScanOptions;
    env?: Env;
    files?: Record<string, string>;
    /** docker-build never ran: no image.json. */
    unbuilt?: boolean;
    tools?: (call: ProcessCall, files: Map<string, string>) => ProcessAnswer | undefined;
    /** The executor's port; default: an engine holding the image, verified. */
    localImage?: ScanPorts['localImage'];
    build?: BuildTargetRef;
  } = {},
) {
  const files = memoryFiles({
    ...(input.unbuilt ? {} : { [`${OUT}/image.json`]: JSON.stringify(record) }),
    ...input.files,
  });
  const saved: Array<[string, string]> = [];
  /** The records the scan asked the engine for (where the executor verifies them). */
  const asked: ImageRecord[] = [];
  const log = collectingLog();
  const processes = fakeProcesses((call) => {
    if (call.command.endsWith('trivy') && call.args[0] === '--version') return runResult('Version: 0.55.0');
    return input.tools?.(call, files.files);
  });
  const ports: ScanPorts = {
    processes,
    files,
    env: input.env ?? {},
    log,
    clock: fixedClock('2026-06-01T12:00:00.000Z'),
    localImage: async (asking) => {
      asked.push(asking);
      if (input.localImage) return input.localImage(asking);
      return { save: async (ref, archive) => void saved.push([ref, archive]) };
    },
  };
  const scan = () =>
    scanService(
      {
        service: { workspaceRoot: ROOT, projectName: 'orders', projectRoot: 'services/orders' },
        options: input.options ?? {},
        dockerfile: 'services/orders/Dockerfile',
        build: input.build ?? { name: 'docker-build' },
      },
      ports,
    );
  return { scan, files: files.files, processes, saved, asked, dirs: files.folders, log };
}

/** A scanner run that writes `report` where it was asked to (trivy's --output, grype's --file). */
const writesReport =
  (report: string) =>
  (call: ProcessCall, files: Map<string, string>): ProcessAnswer | undefined => {
    const flag = call.args.includes('--output') ? '--output' : '--file';
    const output = call.args[call.args.indexOf(flag) + 1];
    if (output?.endsWith('report.json')) files.set(output, report);
    return undefined;
  };

describe('scanService', () => {
  it('exports the image, writes the SBOM with trivy, scans it, and records a pass', async () => {
    const { scan, files, processes, saved, dirs, log } = harness({ tools: writesReport(trivyReport()) });

    expect(await scan()).toBe(true);

    expect(saved).toEqual([['orders:ct-0123456789ab', `${WORK}/image.tar`]]);
    expect(processes.calls.map((call) => [call.command, ...call.args].join(' '))).toEqual([
      'trivy --version',
      `trivy image --input ${WORK}/image.tar --format cyclonedx --output ${OUT}/sbom.cdx.json --quiet`,
      'trivy --version',
      `trivy image --input ${WORK}/image.tar --scanners vuln --format json --output ${WORK}/report.json`,
    ]);
    expect(dirs).toEqual({ made: [OUT], temp: [WORK], removed: [WORK] });
    expect(JSON.parse(files.get(`${OUT}/scan.json`)!)).toEqual({
      image: 'orders:ct-0123456789ab',
      contentTag: 'ct-0123456789ab',
      scanner: 'trivy',
      threshold: 'HIGH',
      passed: true,
      failing: [],
      allowed: [],
      ignoredUnfixed: [],
      belowThreshold: [],
      expired: [],
      scannedAt: '2026-06-01T12:00:00.000Z',
    });
    expect(JSON.parse(files.get(`${OUT}/scan.sarif`)!).runs[0].tool.driver).toMatchObject({ name: 'trivy' });
    expect(log.of('info')).toEqual([
      `nx-fleet: orders: SBOM of orders:ct-0123456789ab written to ${OUT}/sbom.cdx.json`,
      'nx-fleet: orders: scan passed (0 findings, 0 allowlisted, threshold HIGH)',
    ]);
  });

  it('fails the gate with the findings table, and still writes both reports', async () => {
    const report = trivyReport(vulnerability('CVE-2024-0001', 'CRITICAL'), vulnerability('CVE-2024-0002', 'LOW'));
    const { scan, files, log } = harness({ tools: writesReport(report), options: { sbom: 'none' } });

    expect(await scan()).toBe(false);

    expect(log.of('error')).toEqual([
      [
        'nx-fleet: orders: 1 vulnerabilities at or above HIGH in orders:ct-0123456789ab:',
        'ID             SEVERITY  PACKAGE  INSTALLED  FIXED IN',
        'CVE-2024-0001  CRITICAL  libfoo   1.0.0      1.0.1',
      ].join('\n'),
    ]);
    expect(JSON.parse(files.get(`${OUT}/scan.json`)!)).toMatchObject({
      passed: false,
      belowThreshold: [{ id: 'CVE-2024-0002' }],
    });
    const sarif = JSON.parse(files.get(`${OUT}/scan.sarif`)!);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
      'services/orders/Dockerfile',
    );
  });

  it('evaluates a given report without exporting the image or running a scanner, the record still verified', async () => {
    const { scan, processes, saved, asked, log } = harness({
      options: { report: 'reports/trivy.json', sbom: 'none' },
      files: { '/ws/reports/trivy.json': trivyReport(vulnerability('CVE-2024-0001', 'MEDIUM')) },
    });

    expect(await scan()).toBe(true);
    expect(asked).toEqual([record]);
    expect(saved).toEqual([]);
    expect(processes.calls).toEqual([]);
    expect(log.of('info')).toEqual(['nx-fleet: orders: scan passed (1 findings, 0 allowlisted, threshold HIGH)']);
  });

  it('fails as reading a missing report always did', async () => {
    const { scan } = harness({ options: { report: 'missing.json', sbom: 'none' } });
    await expect(scan()).rejects.toThrow("ENOENT: no such file or directory, open '/ws/missing.json'");
  });

  it('runs grype for the scan and syft for an SPDX SBOM when asked, through FLEET_SCANNER', async () => {
    const { scan, processes, files } = harness({
      env: { FLEET_SCANNER: 'grype' },
      options: { scanner: 'trivy', sbom: 'spdx', sbomGenerator: 'syft' },
      tools: writesReport(grypeReport),
    });

    expect(await scan()).toBe(false);
    expect(processes.calls.map((call) => [call.command, ...call.args].join(' '))).toEqual([
      `syft docker-archive:${WORK}/image.tar --output spdx-json=${OUT}/sbom.spdx.json --quiet`,
      `grype docker-archive:${WORK}/image.tar -o json --file ${WORK}/report.json`,
    ]);
    expect(JSON.parse(files.get(`${OUT}/scan.json`)!)).toMatchObject({ scanner: 'grype', failing: [{ id: 'GHSA-x' }] });
  });

  it('passes --ignore-unfixed and --skip-db-update to trivy', async () => {
    const { scan, processes } = harness({
      env: { FLEET_TRIVY_SKIP_DB_UPDATE: '1', FLEET_TRIVY: '/opt/trivy' },
      options: { sbom: 'none', ignoreUnfixed: true },
      tools: writesReport(trivyReport()),
    });
    await scan();
    expect(processes.calls.map((call) => [call.command, ...call.args].join(' '))).toEqual([
      `/opt/trivy image --input ${WORK}/image.tar --scanners vuln --format json --output ${WORK}/report.json --ignore-unfixed --skip-db-update`,
    ]);
  });

  it('applies the allowlist and warns about its expired entries, naming the file', async () => {
    const allowlist = JSON.stringify([
      { id: 'CVE-2024-0001', reason: 'not reachable', expires: '2026-12-31' },
      { id: 'CVE-2019-0001', reason: 'old', expires: '2026-01-31' },
    ]);
    const { scan, log } = harness({
      options: { report: 'r.json', sbom: 'none', allowlist: 'security/allow.json' },
      files: {
        '/ws/r.json': trivyReport(vulnerability('CVE-2024-0001', 'HIGH')),
        '/ws/security/allow.json': allowlist,
      },
    });

    expect(await scan()).toBe(true);
    expect(log.of('warn')).toEqual([
      'nx-fleet: allowlist entry CVE-2019-0001 expired on 2026-01-31 (/ws/security/allow.json).',
    ]);
    expect(log.of('info')).toEqual(['nx-fleet: orders: scan passed (1 findings, 1 allowlisted, threshold HIGH)']);
  });

  it('asks for docker-build when there is no image record, before anything else', async () => {
    const { scan, processes, dirs } = harness({ unbuilt: true, env: { FLEET_SCANNER: 'snyk' } });
    await expect(scan()).rejects.toThrow(
      'nx-fleet: dist/fleet/services/orders/image.json is missing; run the docker-build target of orders first.',
    );
    expect(processes.calls).toEqual([]);
    expect(dirs.made).toEqual([]);
  });

  it("refuses a build target the project's own configuration replaced, though a record is there", async () => {
    const { scan, processes, dirs, asked } = harness({
      tools: writesReport(trivyReport()),
      build: { name: 'docker-build', target: { executor: 'nx:run-commands', options: { command: 'docker build .' } } },
    });
    await expect(scan()).rejects.toThrow(/^nx-fleet: orders:docker-build runs `docker build \.` \(nx:run-commands\)/);
    expect([processes.calls, dirs.made, asked]).toEqual([[], [], []]);
  });

  it('refuses an unknown scanner before creating any folder', async () => {
    const { scan, dirs } = harness({ env: { FLEET_SCANNER: 'snyk' } });
    await expect(scan()).rejects.toThrow('is not trivy or grype');
    expect(dirs.made).toEqual([]);
  });

  it('explains a scanner failure and removes its scratch folder', async () => {
    const { scan, dirs, files } = harness({
      options: { sbom: 'none' },
      tools: () => runResult('', 'FATAL unable to open archive: invalid tar header', 2),
    });
    const error = await scan().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolFailedError);
    expect((error as Error).message).toContain('invalid tar header');
    expect(dirs.removed).toEqual([WORK]);
    expect(files.has(`${OUT}/scan.json`)).toBe(false);
  });

  it.each([
    ['grype', { scanner: 'grype' as const, sbom: 'none' as const }, 'Install grype (https://github.com/anchore/grype)'],
    ['syft', { sbomGenerator: 'syft' as const }, 'Install syft (https://github.com/anchore/syft)'],
  ])('says how to get %s when it is not installed', async (tool, options, hint) => {
    const { scan } = harness({ options, tools: (call) => new ToolNotFoundError(call.command) });
    const error = await scan().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as ToolNotFoundError).tool).toBe(tool);
    expect((error as Error).message).toContain(hint);
  });

  describe('a record the sources do not confirm (a poisoned cache entry)', () => {
    /** The executor's localImage: engineHolding over a workspace whose sources give another content tag. */
    const verifying = (): ScanPorts['localImage'] => {
      const { ports } = imageWorkspace();
      return (asking) =>
        engineHolding(ports, {
          // The fake engine is podman.
          record: { ...asking, engine: 'podman' },
          service: ordersService(),
          buildOptions: () => ordersBuildOptions,
          why: 'the scan reads it',
        });
    };

    it.each<[string, ScanOptions]>([
      ['a given report and no SBOM', { report: 'reports/trivy.json', sbom: 'none' }],
      ['a given report and an SBOM', { report: 'reports/trivy.json' }],
      ['the scanner on the image', {}],
    ])('is refused with %s, before any folder, tool or record', async (_case, options) => {
      const { scan, files, processes, dirs, saved } = harness({
        options,
        files: { '/ws/reports/trivy.json': trivyReport() },
        localImage: verifying(),
      });
      await expect(scan()).rejects.toThrow(
        /^nx-fleet: orders: dist\/fleet\/services\/orders\/image\.json is not trusted: it records content tag ct-0123456789ab, but the current sources give ct-[0-9a-f]{32}\./,
      );
      expect(dirs.made).toEqual([]);
      expect(processes.calls).toEqual([]);
      expect(saved).toEqual([]);
      expect(files.has(`${OUT}/scan.json`)).toBe(false);
      expect(files.has(`${OUT}/scan.sarif`)).toBe(false);
    });
  });
});
