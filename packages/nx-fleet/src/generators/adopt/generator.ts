import { posix } from 'node:path';
import { formatFiles, readProjectConfiguration, updateProjectConfiguration, type GeneratorCallback, type Tree } from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { DOCKERIGNORE } from '../init/nx-json';
import type { FleetServiceConfig } from '../../service-config';
import type { AdoptGeneratorSchema } from './schema';

export async function adoptGenerator(tree: Tree, options: AdoptGeneratorSchema): Promise<GeneratorCallback> {
  const project = readProjectConfiguration(tree, options.project);
  const own = ['Dockerfile', 'Containerfile'].map((name) => posix.join(project.root, name)).find((file) => tree.exists(file));
  const dockerfile = options.dockerfile ?? own;
  if (!dockerfile || !tree.exists(dockerfile)) {
    throw new Error(
      `nx-fleet: ${options.dockerfile ? `${options.dockerfile} (--dockerfile) does not exist` : `${options.project} has no Dockerfile or Containerfile in ${project.root}`}; pass --dockerfile <path>.`,
    );
  }
  const context = options.context ?? 'project';
  const fleet: FleetServiceConfig = {
    ...(dockerfile !== own ? { dockerfile } : {}),
    context,
    ...(options.image ? { image: options.image } : {}),
  };
  const metadata = (project.metadata ?? {}) as Record<string, unknown>;
  updateProjectConfiguration(tree, options.project, { ...project, metadata: { ...metadata, fleet: { ...(metadata['fleet'] as object), ...fleet } } } as typeof project);
  // With its own folder as context, the engine reads the project's .dockerignore.
  const ignore = context === 'project' ? posix.join(project.root, '.dockerignore') : '.dockerignore';
  if (!tree.exists(ignore)) tree.write(ignore, DOCKERIGNORE);
  const init = await initGenerator(tree, { skipFormat: true });
  if (!options.skipFormat) await formatFiles(tree);
  return init;
}

export default adoptGenerator;
