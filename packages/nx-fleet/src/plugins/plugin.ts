import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createNodesFromFiles, logger, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { CONTAINERFILE_GLOB, detectService, preferredContainerfile, type ProjectFiles } from '../service-detection';
import { buildServiceTargets } from '../targets';
import { normalizeOptions, type FleetPluginOptions, type NormalizedFleetOptions } from './options';

const warned = new Set<string>();

export const createNodes: CreateNodes<FleetPluginOptions> = [
  CONTAINERFILE_GLOB,
  async (dockerfiles, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    const chosen = new Set(preferredContainerfile(dockerfiles));
    return createNodesFromFiles(
      (dockerfile) => (chosen.has(dockerfile) ? nodesForDockerfile(dockerfile, options, context.workspaceRoot) : {}),
      dockerfiles,
      options,
      context,
    );
  },
];

/** @deprecated Nx 23 reads `createNodes`; kept for tools that still look for the v2 name. */
export const createNodesV2 = createNodes;

function nodesForDockerfile(dockerfile: string, options: NormalizedFleetOptions, workspaceRoot: string): CreateNodesResult {
  const root = posix.dirname(dockerfile);
  const detection = detectService(dockerfile, readProjectFiles(workspaceRoot, root), options.exclude);
  if (detection.kind === 'orphan') {
    warnOnce(
      dockerfile,
      `nx-fleet: ${dockerfile} has no project.json or named package.json beside it, so it is not a service. ` +
        `Add a project.json to ${root === '.' ? 'the workspace root' : root}, or exclude it with the plugin option "exclude".`,
    );
  }
  if (detection.kind !== 'service') return {};
  return {
    projects: {
      [root]: {
        ...(detection.name ? { name: detection.name } : {}),
        targets: buildServiceTargets({ projectRoot: root, dockerfile, options }),
        metadata: { technologies: ['docker'] },
      },
    },
  };
}

function readProjectFiles(workspaceRoot: string, root: string): ProjectFiles {
  return {
    projectJson: readJsonIfPresent(workspaceRoot, join(root, 'project.json')),
    packageJson: readJsonIfPresent(workspaceRoot, join(root, 'package.json')),
  };
}

/** A broken JSON file must not break the graph: Nx reports it itself when it reads the project. */
function readJsonIfPresent(workspaceRoot: string, file: string): { name?: unknown } | undefined {
  const path = join(workspaceRoot, file);
  if (!existsSync(path)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }) : {};
  } catch {
    warnOnce(file, `nx-fleet: ${file} is not valid JSON; its project is treated as unnamed.`);
    return {};
  }
}

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(message);
}
