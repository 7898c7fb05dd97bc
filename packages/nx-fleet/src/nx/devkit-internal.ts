import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectFileMap, ProjectGraph, TargetConfiguration } from '@nx/devkit';
import { readFileMapCache } from 'nx/src/project-graph/nx-deps-cache';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { logger } from 'nx/src/utils/logger';
import { output } from 'nx/src/utils/output';
import { detectPackageManager } from 'nx/src/utils/package-manager';
import {
  getAllFileDataInContext as nxAllFileData,
  hashWithWorkspaceContext,
  setupWorkspaceContext,
} from 'nx/src/utils/workspace-context';
import type { NxPruning } from '../image/pruned-context';

/*
 * Nx 23.2.1+ and 24.x: every module path and name below exists with the same signature in nx 23.2.1
 * and 24.0.6 (nx's `./src/*` export; `@nx/devkit` and `@nx/devkit/internal` re-export them).
 * devkit-internal.spec.ts pins the shapes; the e2e suite runs them on Nx 24.
 *
 * Graph time (the plugin entry and what it imports) takes Nx's functions from the modules that define
 * them, which Nx's plugin worker has loaded before it loads a plugin: `@nx/devkit`'s index loads all of
 * Nx's public API (generators, task runners) and cost each plugin worker ~150 ms. Task-time internals
 * (the pruning) are loaded when first used.
 */

/**
 * Nx's own pruning, for the pruned build contexts of one run (image/ states what it needs; only nx/
 * imports Nx's internals). Nx's project file map is read once per run, not once per service (Nx reads
 * it from disk on every call it is not given; 200 services paid ~0.6 s for it).
 */
export function nxPruning(): NxPruning {
  let fileMap: ProjectFileMap | undefined;
  return {
    prunedManifests(graph, service, workspaceRoot) {
      fileMap ??= readFileMapCache()?.fileMap?.projectFileMap ?? {};
      return prunedManifests(graph, service, workspaceRoot, fileMap);
    },
    workspaceDataDirectory,
  };
}

function prunedManifests(
  graph: ProjectGraph,
  service: string,
  workspaceRoot: string,
  fileMap: ProjectFileMap,
): Record<string, string> {
  const { createPackageJson, generatePrunedDeployOutput, getLockFileName } =
    require('@nx/devkit/internal') as typeof import('@nx/devkit/internal');
  // Development dependencies the service's files use stay: a multi-stage build compiles or bundles with them.
  const packageJson = createPackageJson(service, graph, { root: workspaceRoot, isProduction: false }, fileMap);
  const files: Record<string, string> = {};
  // When it cannot prune, Nx prints its own error or warning (an issue template, advice to install
  // without a frozen lockfile in a deploy output) and keeps the workspace's lockfile: false advice
  // here, where nx-fleet checks that lockfile frozen itself, so nx-fleet says it, once.
  const nxError = output.error;
  const nxWarn = output.warn;
  const reported: string[] = [];
  output.error = ({ bodyLines }) => {
    const original = bodyLines?.find((line) => line.includes('Original error:'));
    reported.push(original ? original.replace(/^\s*Original error:\s*/, '').trim() : 'no reason given');
  };
  output.warn = (message) => {
    if (!/falls back to the root lockfile/.test(message.title)) return nxWarn.call(output, message);
    const failed = message.bodyLines?.find((line) => line.includes('pruning failed:'));
    reported.push(failed ? failed.replace(/^.*pruning failed:\s*/, '').trim() : 'no reason given');
  };
  const packageManager = detectPackageManager(workspaceRoot);
  const lockfile = getLockFileName(packageManager);
  // Nx rewrites the manifest while it prunes; its own fallback ships the manifest as it was before.
  const asCreated = structuredClone(packageJson);
  let manifest = packageJson;
  try {
    // No root lockfile (anything-llm: each folder installs with its own): nothing to prune, and Nx
    // would fail reading the lockfile it assumes; the context ships the pruned package.json alone.
    if (existsSync(join(workspaceRoot, lockfile)))
      generatePrunedDeployOutput(packageJson, graph, graph.nodes[service]!.data.root, {
        packageManager,
        workspaceRoot,
        emit: (path, content) => (files[path] = content.toString()),
      });
  } catch (error) {
    // Nx also gives up by throwing (pnpm's injected workspace packages: one that needs a workspace
    // package the service does not list), past its own fallback: the same fallback, taken here. Its
    // advice after the first sentence is for its deploy output (enable autoInstallPeers, change a
    // manifest), not for a context whose lockfile nx-fleet checks.
    reported.push(String(error instanceof Error ? error.message : error).split(/(?<=\.)\s+(?=[A-Z])/)[0]!);
    // What Nx emitted before it threw belongs to the pruning it gave up.
    for (const path of Object.keys(files)) delete files[path];
    files[lockfile] = readFileSync(join(workspaceRoot, lockfile), 'utf8');
    manifest = asCreated;
  } finally {
    output.error = nxError;
    output.warn = nxWarn;
  }
  if (reported.length)
    logger.warn(
      `nx-fleet: ${service}: Nx could not prune ${lockfile} to its dependencies, so its context carries the workspace's whole ${lockfile}, checked like a pruned one before the build. Nx's reason: ${reported[0]}`,
    );
  // Written after: generating the lockfile may rewrite the manifest it ships with.
  files['package.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  return files;
}

/** One workspace file as Nx's workspace context knows it: workspace-relative path and Nx's content hash. */
export interface WorkspaceFileData {
  file: string;
  hash: string;
}

/**
 * Every file of the workspace (gitignore and .nxignore applied) with the hash Nx uses for task
 * inputs. Without the daemon (and in the daemon itself) Nx reads its native workspace context for
 * `workspaceRoot`; from a process that talks to a running daemon, the daemon answers for the
 * workspace it serves, which is the current workspace. On Nx 24 a plugin worker loads the context
 * its host wrote instead of walking the files again.
 */
export function getAllFileDataInContext(workspaceRoot: string): Promise<WorkspaceFileData[]> {
  return nxAllFileData(workspaceRoot);
}

/**
 * Starts Nx 23's walk of the workspace files in this process, where createNodes will ask for them of a
 * context of its own (no daemon to ask): the walk runs on Nx's native threads while the plugin's modules
 * load, instead of after (~60 ms of createNodes at 1,000 services). Nx 24's plugin worker loads the
 * files its host walked, and the daemon's answers from its own: neither walks, so neither starts one.
 */
export function startWorkspaceWalk(): void {
  try {
    const major = Number((require('nx/package.json') as { version: string }).version.split('.')[0]);
    if (major !== 23) return;
    // Nx's own test for a context of this process (workspace-context's), on modules it has loaded.
    const { isOnDaemon } = require('nx/src/daemon/is-on-daemon') as typeof import('nx/src/daemon/is-on-daemon');
    const { daemonClient } = require('nx/src/daemon/client/client') as typeof import('nx/src/daemon/client/client');
    const { workspaceRoot } = require('nx/src/utils/workspace-root') as typeof import('nx/src/utils/workspace-root');
    if (isOnDaemon() || !daemonClient.enabled()) setupWorkspaceContext(workspaceRoot);
  } catch {
    // Only a head start: createNodes walks when it asks, as without this.
  }
}

/**
 * One hash of every workspace path and its content, as Nx's workspace context knows them (the daemon's
 * worker asks the daemon): a short answer that tells whether `getAllFileDataInContext` would list
 * anything else than last time.
 */
export function workspaceFilesHash(workspaceRoot: string): Promise<string> {
  return hashWithWorkspaceContext(workspaceRoot, ['**/*']);
}

/**
 * Whether Nx makes a project of a folder's package.json (workspace-relative path): Nx's own rule, that
 * it is in the package manager's workspaces (package.json, pnpm-workspace.yaml), so that the runtime
 * graph's projects are Nx's (an Electron app's `src/package.json` is no project of its own). Every
 * package.json counts when `NX_INFER_ALL_PACKAGE_JSONS=true` and there is no root package.json, as in
 * Nx; and when the workspaces cannot be read.
 */
export function packageJsonProjects(
  workspaceRoot: string,
  inferAll: boolean,
  hasRootPackageJson: boolean,
): (packageJsonPath: string) => boolean {
  if (inferAll && !hasRootPackageJson) return () => true;
  try {
    // Loaded when first used: only a graph that computes its answer needs it.
    const { buildPackageJsonPatterns, buildPackageJsonWorkspacesMatcher } =
      require('nx/src/plugins/package-json/create-nodes') as typeof import('nx/src/plugins/package-json/create-nodes');
    return buildPackageJsonWorkspacesMatcher(
      buildPackageJsonPatterns(workspaceRoot, (file: string) =>
        JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8')),
      ),
    );
  } catch {
    return () => true;
  }
}

/**
 * A target as Nx runs it: the `{workspaceRoot}`, `{projectRoot}` and `{projectName}` tokens in its
 * options and configurations resolved by Nx's own rule (a project file read as written keeps them:
 * JimmyPaolini's `"cwd": "{workspaceRoot}"`). A token Nx refuses leaves the target as written.
 */
export function withNxTokens(
  target: TargetConfiguration,
  project: { name: string; root: string },
): TargetConfiguration {
  const { resolveNxTokensInOptions } =
    require('nx/src/project-graph/utils/project-configuration/target-merging') as typeof import('nx/src/project-graph/utils/project-configuration/target-merging');
  try {
    return {
      ...target,
      ...(target.options ? { options: resolveNxTokensInOptions(target.options, project, 'options') } : {}),
      ...(target.configurations
        ? { configurations: resolveNxTokensInOptions(target.configurations, project, 'configurations') }
        : {}),
    };
  } catch {
    return target;
  }
}

/**
 * One target merged over another as Nx merges a project's own target over an inferred one: an
 * incompatible one (another executor or command) replaces it whole (gaia's own `docker:build` over
 * @nx/docker's), a compatible one merges option by option; the `command` shorthand read as Nx reads it.
 */
export function mergedAsNx(base: TargetConfiguration, over: TargetConfiguration): TargetConfiguration {
  const { mergeTargetConfigurations, resolveCommandSyntacticSugar } =
    require('nx/src/project-graph/utils/project-configuration/target-merging') as typeof import('nx/src/project-graph/utils/project-configuration/target-merging');
  return mergeTargetConfigurations(
    resolveCommandSyntacticSugar(over, 'adopt'),
    resolveCommandSyntacticSugar(base, 'adopt'),
  );
}

/**
 * Whether this command's project graph comes from the Nx daemon (so what its plugin workers print goes
 * to the daemon's log). Loaded when asked: the daemon client is no graph-time module.
 */
export function isDaemonEnabled(): boolean {
  return (require('nx/src/daemon/client/client') as typeof import('nx/src/daemon/client/client')).isDaemonEnabled();
}

/**
 * Whether this process is one of Nx's isolated plugin workers (the default, Nx 23 and 24): what a
 * hook returns leaves it serialized, so Nx never changes the objects a plugin keeps.
 */
export function isPluginWorker(): boolean {
  return (globalThis as { NX_PLUGIN_WORKER?: boolean }).NX_PLUGIN_WORKER === true;
}

/** For nx/ hooks: where Nx keeps workspace data (`nx reset` clears it), its plugin-cache helpers, its logger. */
export { AggregateCreateNodesError } from 'nx/src/project-graph/error-types';
export { createNodesFromFiles } from 'nx/src/project-graph/plugins/utils';
export { PluginCache } from 'nx/src/utils/plugin-cache-utils';
export { logger, readFileMapCache, workspaceDataDirectory };
