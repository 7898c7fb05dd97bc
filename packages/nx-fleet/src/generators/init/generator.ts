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
  registerFleet(tree, options.registry);
  if (!tree.exists('.dockerignore')) tree.write('.dockerignore', DOCKERIGNORE);
  if (!options.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;

/**
 * The plugin's nx.json entry and target defaults, and the `.nx` lines of `.gitignore`: what every
 * workspace with nx-fleet needs. (adopt writes the ignore files its services' contexts read itself.)
 */
export function registerFleet(tree: Tree, registry?: string): void {
  const nxJson = addFleetDefaults(
    addFleetPlugin(readNxJson(tree) ?? {}, { registry }),
    tree.exists('package.json') ? rootManifest(tree) : undefined,
  );
  // updateNxJson only updates an nx.json that exists.
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', nxJson);
  // As Nx's own init: its cache and workspace data never belong in git.
  const gitignore = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : undefined;
  const updated = addNxGitignore(gitignore);
  if (updated !== gitignore) tree.write('.gitignore', updated);
}

/** The root package.json, parsed; null when it is no JSON (Nx names that file itself). */
function rootManifest(tree: Tree): unknown {
  try {
    return readJson(tree, 'package.json');
  } catch {
    return null;
  }
}
