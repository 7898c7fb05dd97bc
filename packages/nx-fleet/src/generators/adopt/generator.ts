import { posix } from 'node:path';
import {
  formatFiles,
  readProjectConfiguration,
  updateProjectConfiguration,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { ADOPT_DOCKERIGNORE } from '../init/nx-json';
import type { FleetServiceConfig } from '../../config/service-settings';
import type { AdoptGeneratorSchema } from './schema';

export async function adoptGenerator(tree: Tree, options: AdoptGeneratorSchema): Promise<GeneratorCallback> {
  const project = readProjectConfiguration(tree, options.project);
  const metadata = (project.metadata ?? {}) as Record<string, unknown>;
  const existing = (metadata['fleet'] ?? {}) as FleetServiceConfig;
  const own = ['Dockerfile', 'Containerfile']
    .map((name) => posix.join(project.root, name))
    .find((file) => tree.exists(file));
  // An explicit --dockerfile wins, then one already configured, then the project's own.
  const dockerfile = options.dockerfile ?? existing.dockerfile ?? own;
  if (!dockerfile || !tree.exists(dockerfile)) {
    throw new Error(
      `nx-fleet: ${options.dockerfile ? `${options.dockerfile} (--dockerfile) does not exist` : `${options.project} has no Dockerfile or Containerfile in ${project.root}`}; pass --dockerfile <path>.`,
    );
  }
  const context = options.context ?? 'project';
  const fleet: FleetServiceConfig = { ...existing, context, ...(options.image ? { image: options.image } : {}) };
  // The project's own Dockerfile needs no setting; any other is recorded.
  if (dockerfile === own) delete fleet.dockerfile;
  else fleet.dockerfile = dockerfile;
  updateProjectConfiguration(tree, options.project, { ...project, metadata: { ...metadata, fleet } } as typeof project);
  // With its own folder as context, the engine reads the project's .dockerignore.
  const ignore = context === 'project' ? posix.join(project.root, '.dockerignore') : '.dockerignore';
  // Prebuilt output (dist) stays in: existing Dockerfiles often copy it.
  if (!tree.exists(ignore)) tree.write(ignore, ADOPT_DOCKERIGNORE);
  const init = await initGenerator(tree, { skipFormat: true });
  if (!options.skipFormat) await formatFiles(tree);
  return init;
}

export default adoptGenerator;
