import { detectPackageManager } from '@nx/devkit';
import { createPackageJson, generatePrunedDeployOutput, workspaceDataDirectory } from '@nx/devkit/internal';
import type { NxPruning } from '../image/pruned-context';

/** Nx's own pruning, for the pruned build context (image/ states what it needs; only nx/ imports Nx's internals). */
export const nxPruning: NxPruning = {
  prunedManifests(graph, service, workspaceRoot) {
    // Development dependencies the service's files use stay: a multi-stage build compiles or bundles with them.
    const packageJson = createPackageJson(service, graph, { root: workspaceRoot, isProduction: false });
    const files: Record<string, string> = {};
    generatePrunedDeployOutput(packageJson, graph, graph.nodes[service]!.data.root, {
      packageManager: detectPackageManager(workspaceRoot),
      workspaceRoot,
      emit: (path, content) => (files[path] = content.toString()),
    });
    // Written after: generating the lockfile may rewrite the manifest it ships with.
    files['package.json'] = `${JSON.stringify(packageJson, null, 2)}\n`;
    return files;
  },
  workspaceDataDirectory,
};

/** For nx/ hooks: where Nx keeps workspace data (`nx reset` clears it), and its plugin-cache helpers. */
export { hashObject, PluginCache, readFileMapCache, workspaceDataDirectory } from '@nx/devkit/internal';
