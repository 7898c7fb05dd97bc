import { formatFiles, logger, readNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { normalizeOptions, type FleetPluginOptions } from '../../config/options';
import { PLUGIN_NAME } from '../init/nx-json';
import { ciPipeline, normalizeCiOptions, type CiPipelineOptions } from './pipeline';
import type { CiGeneratorSchema } from './schema';

/** The nx-fleet entry's options in nx.json (undefined: not registered), as the plugin reads them. */
function fleetPluginOptions(tree: Tree): FleetPluginOptions | undefined {
  for (const entry of readNxJson(tree)?.plugins ?? []) {
    if (entry === PLUGIN_NAME) return {};
    if (typeof entry !== 'string' && entry.plugin === PLUGIN_NAME)
      return (entry.options as FleetPluginOptions | undefined) ?? {};
  }
  return undefined;
}

/** The pipeline options for a workspace: the generator's options plus the registry and ledger nx.json configures. */
export function ciPipelineOptions(tree: Tree, options: CiGeneratorSchema): CiPipelineOptions {
  const plugin = normalizeOptions(fleetPluginOptions(tree));
  const { provider, environment, registry, mainBranch, matrix, nodeVersion, remoteCache } = options;
  return {
    provider,
    environment,
    registry,
    mainBranch,
    matrix,
    nodeVersion,
    remoteCache,
    configuredRegistry: plugin.registry,
    ledger: plugin.ledger,
  };
}

/** `nx g nx-fleet:ci`: writes the fleet's CI pipeline; an existing one only with --force. */
export async function ciGenerator(tree: Tree, options: CiGeneratorSchema): Promise<GeneratorCallback> {
  const pipelineOptions = ciPipelineOptions(tree, options);
  const normalized = normalizeCiOptions(pipelineOptions);
  const { path, content } = ciPipeline(pipelineOptions);
  if (tree.exists(path) && !options.force)
    throw new Error(`nx-fleet: ${path} already exists; pass --force to overwrite it.`);
  if (fleetPluginOptions(tree) === undefined)
    logger.warn(
      `nx-fleet: nx.json does not register nx-fleet yet; run \`nx g nx-fleet:init\` (or \`nx add nx-fleet\`) so the pipeline's targets exist.`,
    );
  if (normalized.matrix && normalized.provider === 'gitlab') {
    logger.warn(
      'nx-fleet: --matrix is GitHub only (a GitLab parallel:matrix needs its values before the pipeline runs); the GitLab pipeline releases in one job.',
    );
  } else if (normalized.matrix && !normalized.remoteCache) {
    logger.warn(
      "nx-fleet: --matrix without --remoteCache: the release job cannot reuse the matrix jobs' results and runs every check again.",
    );
  }
  tree.write(path, content);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default ciGenerator;
