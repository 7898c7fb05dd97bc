import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { logger, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { PACT_FILE, pactFilesByRoot } from '../contracts/pacts';
import { parentServiceRoots, sharedPatterns, type DirEntry } from '../release/change-rules';
import {
  fleetBlockOf,
  parseServiceConfig,
  type FleetServiceConfig,
  type ProjectManifest,
} from '../config/service-settings';
import { CONTAINERFILE_NAMES, detectService, groupByFolder, PLUGIN_GLOB, type Detection } from '../services/detection';
import { buildServiceTargets } from './targets';
import { normalizeOptions, type FleetPluginOptions, type NormalizedFleetOptions } from '../config/options';

const warned = new Set<string>();

export const createNodes: CreateNodes<FleetPluginOptions> = [
  PLUGIN_GLOB,
  (files, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    const pacts = pactFilesByRoot(files);
    const manifests = files.filter((file) => !PACT_FILE.test(file));
    const folders = groupByFolder(manifests);
    const detections = [...folders].map(([root, folderFiles]) =>
      detectFolder(root, folderFiles, options, context.workspaceRoot),
    );
    const serviceRoots = detections.flatMap((d) => (d.kind === 'service' ? [d.root] : []));
    const shared = serviceRoots.length
      ? sharedPatterns({
          projectRoots: [...folders.keys()],
          entriesOf: (dir) => entriesOf(context.workspaceRoot, dir),
          ignore: options.releaseIgnore,
        })
      : [];
    const affectedBy = (root: string) => [
      ...shared,
      ...parentServiceRoots(root, serviceRoots).map((parent) => (parent === '.' ? '**' : `${parent}/**`)),
    ];
    const referenced = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
    for (const detection of detections) {
      if (detection.kind === 'orphan' && !referenced.has(detection.dockerfile)) warnOrphan(detection.dockerfile);
    }
    return detections.flatMap((detection) =>
      detection.kind === 'service'
        ? [
            [
              sourceFileOf(detection, files),
              serviceNode(detection, pacts.get(detection.root) ?? [], affectedBy(detection.root), options),
            ] as const,
          ]
        : [],
    );
  },
];

/** A folder's entries; an unreadable one (a race with a delete) has none rather than breaking the graph. */
function entriesOf(workspaceRoot: string, dir: string): DirEntry[] {
  try {
    return readdirSync(join(workspaceRoot, dir), { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isDirectory: entry.isDirectory(),
    }));
  } catch {
    return [];
  }
}

/** @deprecated Nx 23 reads `createNodes`; kept for tools that still look for the v2 name. */
export const createNodesV2 = createNodes;

function detectFolder(
  root: string,
  folderFiles: readonly string[],
  options: NormalizedFleetOptions,
  workspaceRoot: string,
): Detection {
  const names = new Set(folderFiles.map((file) => posix.basename(file)));
  const containerfiles = folderFiles.filter((file) =>
    (CONTAINERFILE_NAMES as readonly string[]).includes(posix.basename(file)),
  );
  const read = (name: string) =>
    names.has(name) ? readManifest(workspaceRoot, posix.join(root, name), containerfiles.length > 0) : undefined;
  const projectJson = read('project.json');
  const packageJson = read('package.json');
  if (!containerfiles.length && !hasFleetBlock(projectJson, packageJson)) return { kind: 'none' };
  const config = serviceConfig(root, projectJson, packageJson, options);
  return detectService({ root, containerfiles, projectJson, packageJson, config }, options.exclude);
}

function hasFleetBlock(projectJson: ProjectManifest | undefined, packageJson: ProjectManifest | undefined): boolean {
  return (
    fleetBlockOf(projectJson, 'project.json') !== undefined || fleetBlockOf(packageJson, 'package.json') !== undefined
  );
}

function serviceConfig(
  root: string,
  projectJson: ProjectManifest | undefined,
  packageJson: ProjectManifest | undefined,
  options: NormalizedFleetOptions,
): FleetServiceConfig {
  const kind = projectJson ? 'project.json' : 'package.json';
  const file = posix.join(root, kind);
  const own = parseServiceConfig(fleetBlockOf(projectJson ?? packageJson, kind));
  for (const problem of own.problems)
    warnOnce(
      `${file}:${problem.field}`,
      `nx-fleet: ${file}: fleet setting "${problem.field}" ${problem.message}; it is ignored.`,
    );
  const name = (projectJson ?? packageJson)?.name;
  const fromPlugin = { ...options.services[root], ...(typeof name === 'string' ? options.services[name] : undefined) };
  return { context: options.context, contextInclude: options.contextInclude, ...fromPlugin, ...own.config };
}

function serviceNode(
  detection: Extract<Detection, { kind: 'service' }>,
  pacts: readonly string[],
  affectedBy: readonly string[],
  options: NormalizedFleetOptions,
): CreateNodesResult {
  return {
    projects: {
      [detection.root]: {
        ...(detection.name ? { name: detection.name } : {}),
        targets: buildServiceTargets({
          projectRoot: detection.root,
          dockerfile: detection.dockerfile,
          pacts,
          affectedBy,
          config: detection.config,
          options,
        }),
        metadata: { technologies: ['docker'] },
      },
    },
  };
}

/** Nx records this file as where the targets came from; a Dockerfile elsewhere may serve several projects. */
function sourceFileOf(detection: Extract<Detection, { kind: 'service' }>, files: readonly string[]): string {
  if (posix.dirname(detection.dockerfile) === detection.root && files.includes(detection.dockerfile))
    return detection.dockerfile;
  const projectJson = posix.join(detection.root, 'project.json');
  return files.includes(projectJson) ? projectJson : posix.join(detection.root, 'package.json');
}

/**
 * A broken JSON file must not break the graph: Nx reports it itself when it reads the project.
 * nx-fleet only mentions it where it matters, beside a Dockerfile.
 */
function readManifest(workspaceRoot: string, file: string, besideDockerfile: boolean): ProjectManifest {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as ProjectManifest) : {};
  } catch {
    if (besideDockerfile) warnOnce(file, `nx-fleet: ${file} is not valid JSON; its project is treated as unnamed.`);
    return {};
  }
}

function warnOrphan(dockerfile: string): void {
  const root = posix.dirname(dockerfile);
  warnOnce(
    dockerfile,
    `nx-fleet: ${dockerfile} has no project.json or named package.json beside it, so it is not a service. ` +
      `Add a project.json to ${root === '.' ? 'the workspace root' : root}, point a project at it with "metadata": { "fleet": { "dockerfile": "${dockerfile}" } }, or exclude it with the plugin option "exclude".`,
  );
}

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(message);
}
