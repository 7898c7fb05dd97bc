import {
  formatFiles,
  readJson,
  readNxJson,
  updateNxJson,
  writeJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { addFleetDefaults, addFleetPlugin, addNxGitignore, DOCKERIGNORE } from './nx-json';
import type { InitGeneratorSchema } from './schema';

/** `nx add nx-fleet`: idempotent, and `--dry-run` shows what would change. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema): Promise<GeneratorCallback> {
  const nxJson = addFleetDefaults(
    addFleetPlugin(readNxJson(tree) ?? {}, { registry: options.registry }),
    tree.exists('package.json') ? rootManifest(tree) : undefined,
  );
  // updateNxJson only updates an nx.json that exists.
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', nxJson);
  if (!tree.exists('.dockerignore')) tree.write('.dockerignore', DOCKERIGNORE);
  // As Nx's own init: its cache and workspace data never belong in git.
  const gitignore = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : undefined;
  const updated = addNxGitignore(gitignore);
  if (updated !== gitignore) tree.write('.gitignore', updated);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;

/** The root package.json, parsed; null when it is no JSON (Nx names that file itself). */
function rootManifest(tree: Tree): unknown {
  try {
    return readJson(tree, 'package.json');
  } catch {
    return null;
  }
}
