import { dirname } from 'node:path';
import type { ts as TS } from 'ts-morph';
import { codeCacheDirectory, requireWithCodeCache } from '../io/code-cache';
import { workerState } from './worker-state';

/**
 * The TypeScript that ts-morph bundles, without ts-morph itself: the scanner and module resolution
 * need only TypeScript, and ts-morph's own code adds ~0.1 s to every cold graph. Resolved from
 * ts-morph's folder, so it is the same module (one load) that ts-morph uses when a file needs the
 * full parse; any other layout falls back to ts-morph's export.
 */
export function typescript(): typeof TS {
  // Kept: resolving with `paths` is not cached by Node, and resolution asks for TypeScript per import.
  return (workerState.typescript ??= load());
}

function load(): typeof TS {
  try {
    const common = require.resolve('@ts-morph/common/dist/typescript.js', {
      paths: [dirname(require.resolve('ts-morph'))],
    });
    // Its compiled code is kept (node_modules/.cache/nx-fleet): a cold graph loads it in ~0.06 s, not ~0.2 s.
    return requireWithCodeCache<typeof TS>(common, codeCacheDirectory(common)).exports;
  } catch {
    return (require('ts-morph') as typeof import('ts-morph')).ts;
  }
}
