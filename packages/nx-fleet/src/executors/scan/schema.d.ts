import type { ScanOptions } from '../../supply-chain/scan';

export interface ScanExecutorSchema extends ScanOptions {
  buildTarget?: string;
}
