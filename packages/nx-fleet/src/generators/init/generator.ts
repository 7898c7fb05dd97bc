import { formatFiles, readNxJson, updateNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { addFleetDefaults, addFleetPlugin, DOCKERIGNORE } from './nx-json';
import type { InitGeneratorSchema } from './schema';

/** `nx add nx-fleet`: idempotent, and `--dry-run` shows what would change. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  updateNxJson(tree, addFleetDefaults(addFleetPlugin(nxJson, { registry: options.registry })));
  if (!tree.exists('.dockerignore')) tree.write('.dockerignore', DOCKERIGNORE);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;
