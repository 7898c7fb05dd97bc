import { formatFiles, readNxJson, updateNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { addFleetPlugin } from './nx-json';
import type { InitGeneratorSchema } from './schema';

export async function initGenerator(tree: Tree, options: InitGeneratorSchema): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  updateNxJson(tree, addFleetPlugin(nxJson, { registry: options.registry }));
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;
