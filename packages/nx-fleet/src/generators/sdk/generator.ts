import { join } from 'node:path';
import {
  addProjectConfiguration,
  generateFiles,
  names,
  offsetFromRoot,
  readProjectConfiguration,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { SDK_TAG_PREFIX } from '../../runtime-graph/sdk-ownership';
import { addSdkPath, checkTargets, DEFAULT_SERVICE_PORT, finishProjects, sdkImportPath } from '../workspace-setup';
import type { SdkGeneratorSchema } from './schema';

export interface SdkFiles {
  project: string;
  root: string;
  importPath: string;
}

/** Writes the SDK of `service` inside its folder; shared by the sdk and service generators. */
export function writeSdk(tree: Tree, service: string, port: number): SdkFiles {
  const serviceRoot = readProjectConfiguration(tree, service).root;
  const root = `${serviceRoot}/sdk`;
  const project = `${service}-sdk`;
  if (tree.exists(join(root, 'project.json'))) throw new Error(`nx-fleet: ${service} already has an SDK at ${root}.`);
  addProjectConfiguration(tree, project, {
    root,
    sourceRoot: `${root}/src`,
    projectType: 'library',
    // Nested in the service's folder already makes it the service's SDK; the tag says so where it is read.
    tags: [`${SDK_TAG_PREFIX}${service}`, 'type:sdk'],
    targets: checkTargets(),
  });
  generateFiles(tree, join(__dirname, 'files'), root, {
    ...names(service),
    name: service,
    port,
    offset: offsetFromRoot(root),
    tmpl: '',
  });
  const importPath = sdkImportPath(tree, service);
  addSdkPath(tree, importPath, `${root}/src/index.ts`);
  return { project, root, importPath };
}

export async function sdkGenerator(tree: Tree, options: SdkGeneratorSchema): Promise<GeneratorCallback> {
  const init = await initGenerator(tree, { skipFormat: true });
  writeSdk(tree, options.service, DEFAULT_SERVICE_PORT);
  return finishProjects(tree, init, options);
}

export default sdkGenerator;
