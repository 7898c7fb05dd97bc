export interface ScanExecutorSchema {
  scanner?: 'trivy' | 'grype';
  threshold?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  ignoreUnfixed?: boolean;
  allowlist?: string;
  sbom?: 'cyclonedx' | 'spdx' | 'none';
  sbomGenerator?: 'trivy' | 'syft';
  report?: string;
  buildTarget?: string;
}
