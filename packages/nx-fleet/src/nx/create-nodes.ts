import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { normalizeOptions, type FleetPluginOptions, type NormalizedFleetOptions } from '../config/options';
import { PACT_FILE, pactFilesByRoot } from '../contracts/pacts';
import { parentServiceRoots, sharedPatterns, type DirEntry } from '../release/change-rules';
import { groupByFolder, PLUGIN_GLOB, preferredContainerfile, type Detection } from '../services/detection';
import { workspaceDataDirectory } from './devkit-internal';
import { FolderCache } from './folder-cache';
import {
  analyseFolder,
  MANIFEST_NAMES,
  orphanWarning,
  type FolderAnalysis,
  type ManifestTexts,
} from './service-folders';
import { buildServiceTargets, serviceProjectMetadata } from './targets';
import { workerState, type OnceWarnings } from './worker-state';

type Service = Extract<Detection, { kind: 'service' }>;

/** One folder's analysis, or what went wrong with it alone. */
type Outcome = { analysis: FolderAnalysis } | { file: string; error: unknown };

/** What becomes one entry of the result: a service's project, or a folder's failure, under its file. */
type Unit = { file: string } & ({ service: Service; projectName: string } | { error: unknown });

export interface CreateNodesDeps {
  /** Nx's workspace-data directory: where the per-options cache file lives. */
  cacheDirectory: string;
  warnings: OnceWarnings;
}

/**
 * The batch-wide facts (which folders are services, the paths outside every project, parent
 * services, which Dockerfiles a project names) are computed once over every matched file; then each
 * service becomes its project through `createNodesFromFiles`, so one folder that fails fails alone.
 */
export function fleetCreateNodes(deps: CreateNodesDeps): CreateNodes<FleetPluginOptions> {
  return [
    PLUGIN_GLOB,
    (files, rawOptions, context) => {
      const options = normalizeOptions(rawOptions);
      const folders = groupByFolder(files.filter((file) => !PACT_FILE.test(file)));
      const cache = FolderCache.load(deps.cacheDirectory, rawOptions);
      const outcomes = [...folders].map(([root, folderFiles]) =>
        analyse(root, folderFiles, options, context.workspaceRoot, cache),
      );
      cache.save();
      const detections = outcomes.flatMap((o) => ('analysis' in o ? [o.analysis.detection] : []));
      for (const { key, message } of [
        ...outcomes.flatMap((o) => ('analysis' in o ? o.analysis.warnings : [])),
        ...orphanWarnings(detections),
      ])
        deps.warnings.warn(key, message);

      const affectedBy = affectedByOf(detections, [...folders.keys()], options, context.workspaceRoot);
      const pacts = pactFilesByRoot(files);
      const matched = new Set(files);
      const units = outcomes.flatMap((outcome) => unitOf(outcome, matched));
      return createNodesFromFiles(
        (_file, _options, _context, index) => {
          const unit = units[index]!;
          if ('error' in unit) throw unit.error;
          const { service, projectName } = unit;
          return serviceNode(service, projectName, pacts.get(service.root) ?? [], affectedBy(service.root), options);
        },
        units.map((unit) => unit.file),
        rawOptions,
        context,
      );
    },
  ];
}

export const createNodes = fleetCreateNodes({
  cacheDirectory: workspaceDataDirectory,
  warnings: workerState.nodeWarnings,
});

/** @deprecated Nx 23 reads `createNodes`; kept for tools that still look for the v2 name. */
export const createNodesV2 = createNodes;

function analyse(
  root: string,
  folderFiles: readonly string[],
  options: NormalizedFleetOptions,
  workspaceRoot: string,
  cache: FolderCache,
): Outcome {
  try {
    const texts = readManifests(workspaceRoot, root, folderFiles);
    return {
      analysis: cache.analysis(root, folderFiles, texts, () => analyseFolder(root, folderFiles, texts, options)),
    };
  } catch (error) {
    return { file: preferredContainerfile(folderFiles) ?? folderFiles[0]!, error };
  }
}

function unitOf(outcome: Outcome, matched: ReadonlySet<string>): Unit[] {
  if ('error' in outcome) return [outcome];
  const { detection, projectName } = outcome.analysis;
  return detection.kind === 'service'
    ? [{ file: sourceFileOf(detection, matched), service: detection, projectName }]
    : [];
}

/**
 * What affects a service besides its own files: paths outside every project (rule b, when there are
 * services at all) and the folders of services it is nested in (rule c).
 */
function affectedByOf(
  detections: readonly Detection[],
  projectRoots: readonly string[],
  options: NormalizedFleetOptions,
  workspaceRoot: string,
): (root: string) => string[] {
  const serviceRoots = detections.flatMap((d) => (d.kind === 'service' ? [d.root] : []));
  const shared = serviceRoots.length
    ? sharedPatterns({ projectRoots, entriesOf: (dir) => entriesOf(workspaceRoot, dir), ignore: options.releaseIgnore })
    : [];
  return (root) => [
    ...shared,
    ...parentServiceRoots(root, serviceRoots).map((parent) => (parent === '.' ? '**' : `${parent}/**`)),
  ];
}

/** A Dockerfile no project is (or names) a service of deserves a word; an excluded one does not. */
function orphanWarnings(detections: readonly Detection[]) {
  const referenced = new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
  return detections.flatMap((d) =>
    d.kind === 'orphan' && !referenced.has(d.dockerfile) ? [orphanWarning(d.dockerfile)] : [],
  );
}

function serviceNode(
  service: Service,
  projectName: string,
  pacts: readonly string[],
  affectedBy: readonly string[],
  options: NormalizedFleetOptions,
): CreateNodesResult {
  return {
    projects: {
      [service.root]: {
        ...(service.name ? { name: service.name } : {}),
        targets: buildServiceTargets({
          projectRoot: service.root,
          projectName,
          dockerfile: service.dockerfile,
          pacts,
          affectedBy,
          config: service.config,
          options,
        }),
        metadata: serviceProjectMetadata(options),
      },
    },
  };
}

/** Nx records this file as where the targets came from; a Dockerfile elsewhere may serve several projects. */
function sourceFileOf(service: Service, matched: ReadonlySet<string>): string {
  if (posix.dirname(service.dockerfile) === service.root && matched.has(service.dockerfile)) return service.dockerfile;
  const projectJson = posix.join(service.root, 'project.json');
  return matched.has(projectJson) ? projectJson : posix.join(service.root, 'package.json');
}

/** The folder's manifests among the matched files, as text; one that cannot be read is undefined. */
function readManifests(workspaceRoot: string, root: string, folderFiles: readonly string[]): ManifestTexts {
  const texts: ManifestTexts = {};
  for (const name of MANIFEST_NAMES) {
    const file = posix.join(root, name);
    if (!folderFiles.includes(file)) continue;
    try {
      texts[name] = readFileSync(join(workspaceRoot, file), 'utf8');
    } catch {
      texts[name] = undefined;
    }
  }
  return texts;
}

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
