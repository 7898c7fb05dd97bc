import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realShapedWorkspace, writeFiles, type RealShape } from './fleet';

/**
 * Writes a real-shaped workspace (issue 16) into an installed Nx workspace, for measuring `nx graph`
 * by hand: `node dist/bench/bench/src/real-shape.js <aliases|core-sdk> <workspace>`, then
 * `nx reset && NX_DAEMON=false NX_PERF_LOGGING=true NX_VERBOSE_LOGGING=true nx graph --file=tmp/g.json`
 * and compare `nx-fleet:createNodes` with `nx/js/dependencies-and-lockfile:createDependencies`.
 * Nx's own source analysis is switched on (without @nx/js installed it is off), so both read the same files.
 */
function main(): void {
  const [shape, root] = process.argv.slice(2);
  if ((shape !== 'aliases' && shape !== 'core-sdk') || !root) {
    console.error('usage: real-shape.js <aliases|core-sdk> <workspace>');
    process.exitCode = 2;
    return;
  }
  const workspace = realShapedWorkspace(shape as RealShape);
  writeFiles(root, workspace.files);
  const nxJsonPath = join(root, 'nx.json');
  let nxJson: Record<string, unknown> = {};
  try {
    nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8')) as Record<string, unknown>;
  } catch {
    // a workspace without nx.json gets one
  }
  nxJson['plugins'] = [
    {
      plugin: 'nx-fleet',
      options: { gates: { scan: false }, ...(Object.keys(workspace.sdks).length ? { sdks: workspace.sdks } : {}) },
    },
  ];
  nxJson['pluginsConfig'] = { '@nx/js': { analyzeSourceFiles: true } };
  writeFileSync(nxJsonPath, `${JSON.stringify(nxJson, null, 2)}\n`);
  const sources = Object.keys(workspace.files).filter((file) => file.endsWith('.ts')).length;
  console.log(`${shape}: ${sources} TypeScript files, ${workspace.projects.length} projects written to ${root}`);
}

main();
