export interface ScanExecutorSchema {
  scanner?: 'trivy' | 'grype';
  threshold?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  ignoreUnfixed?: boolean;
  allowlist?: string;
  sbom?: 'cyclonedx' | 'spdx' | 'none';
  report?: string;
  buildTarget?: string;
}
