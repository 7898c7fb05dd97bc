import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import type { FleetPluginOptions } from '../config/options';
import type { Env } from '../io/ports';
import { askScript } from '../io/process';
import type { WorkspaceFileData } from './devkit-internal';

/**
 * Files Nx matches for nx-fleet (manifests, container files, pacts) from which a graph without the
 * daemon computes createNodes in a process of its own: ~700 services with their SDKs, ~15,000 files.
 */
export const FILES_FOR_A_PROCESS_OF_ITS_OWN = 2_000;

/** Set in that process: whatever runs there never starts another. */
export const NODES_PROCESS_ENV = 'NX_FLEET_NODES_PROCESS';

/**
 * Whether createNodes computes in a process of its own: never in the daemon's worker (it keeps what
 * it computed for the next edit) nor inside such a process, else as the option
 * `runtimeGraph.ownProcess` says, else from FILES_FOR_A_PROCESS_OF_ITS_OWN files.
 */
export function computesApart(daemon: boolean, files: number, option: unknown, env: Env): boolean {
  if (daemon || env[NODES_PROCESS_ENV] === '1') return false;
  return typeof option === 'boolean' ? option : files >= FILES_FOR_A_PROCESS_OF_ITS_OWN;
}

/** What the plugin's worker hands that process: createNodes' arguments, and the workspace's files when it listed them. */
export interface ApartQuestion {
  files: readonly string[];
  options: FleetPluginOptions | undefined;
  context: CreateNodesContext;
  workspaceFiles?: readonly WorkspaceFileData[];
  cacheDirectory: string;
}

/** One entry of createNodes' answer, or why its file failed. */
export type ApartOutcome = { file: string; result: CreateNodesResult } | { file: string; error: unknown };

/**
 * What that process hands back: each file's outcome, the warnings and verbose lines to print in the
 * worker, and its CPU time; or why createNodes failed as a whole.
 */
export type ApartAnswer =
  { outcomes: ApartOutcome[]; warnings: Array<[string, string]>; logs: string[]; cpuMs: number } | { error: string };

/** The process's script beside this module; absent when the sources run untranspiled (unit tests). */
const APART_SCRIPT = join(__dirname, 'create-nodes-process.js');

/**
 * Asks the script in a process that ends with its answer, so that Nx's plugin worker never holds
 * TypeScript, the scan's heap and the answer's making while Nx builds the graph (a process keeps the
 * heap it grew). Rejects when the process cannot start or dies without an answer.
 */
export function askApart(question: ApartQuestion, script = APART_SCRIPT): Promise<ApartAnswer> {
  if (!existsSync(script)) return Promise.reject(new Error(`${script} is not there`));
  return askScript<ApartAnswer>(script, question, { [NODES_PROCESS_ENV]: '1' });
}
