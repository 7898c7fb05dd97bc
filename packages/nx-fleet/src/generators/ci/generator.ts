import { join } from 'node:path';
import { formatFiles, generateFiles, logger, readNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { normalizeOptions } from '../../config/options';
import { fleetOptionsOf } from '../../config/workspace-options';
import { ciTemplate, ciWarnings, type CiPipelineOptions, type CiTemplate } from './options';
import type { CiGeneratorSchema } from './schema';

/** The generator's options plus what nx.json configures: the registry, the ledger and the target names. */
export function ciPipelineOptions(tree: Tree, options: CiGeneratorSchema): CiPipelineOptions {
  const plugin = normalizeOptions(fleetOptionsOf(readNxJson(tree)));
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
    buildTargetName: plugin.buildTargetName,
    scanTargetName: plugin.scanTargetName,
    contractTargetName: plugin.contractTargetName,
  };
}

/** Shell and YAML blocks of the templates sit at their block's depth; empty lines stay empty. */
const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? `${' '.repeat(spaces)}${line}` : line))
    .join('\n');

/** Renders files/<provider>/ into the tree: the pipeline file at `template.path`, whose text it returns. */
export function writeCiPipeline(tree: Tree, template: CiTemplate): { path: string; content: string } {
  generateFiles(tree, join(__dirname, 'files', template.provider), '.', { ...template, indent, tmpl: '' });
  return { path: template.path, content: tree.read(template.path, 'utf-8') ?? '' };
}

/** `nx g nx-fleet:ci`: writes the fleet's CI pipeline; an existing one only with --force. */
export async function ciGenerator(tree: Tree, options: CiGeneratorSchema): Promise<GeneratorCallback> {
  const template = ciTemplate(ciPipelineOptions(tree, options));
  if (tree.exists(template.path) && !options.force)
    throw new Error(`nx-fleet: ${template.path} already exists; pass --force to overwrite it.`);
  for (const warning of ciWarnings(template, fleetOptionsOf(readNxJson(tree)) !== undefined)) logger.warn(warning);
  writeCiPipeline(tree, template);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default ciGenerator;
