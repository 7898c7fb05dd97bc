import { join, posix } from 'node:path';
import {
  addProjectConfiguration,
  generateFiles,
  getProjects,
  names,
  offsetFromRoot,
  type GeneratorCallback,
  type ProjectConfiguration,
  type Tree,
} from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { writeSdk } from '../sdk/generator';
import { PACTS_FOLDER } from '../../config/defaults';
import { exposedPort } from '../../contracts/provider';
import {
  assertServiceName,
  checkTargets,
  DEFAULT_SERVICE_PORT,
  finishProjects,
  PACT_DEV_DEPENDENCY,
  sdkImportPath,
  TSCONFIG_BASE,
} from '../workspace-setup';
import type { ServiceGeneratorSchema } from './schema';

export interface NormalizedService {
  name: string;
  root: string;
  port: number;
  consumes: string[];
}

export function normalizeServiceOptions(options: ServiceGeneratorSchema): NormalizedService {
  assertServiceName(options.name);
  const consumes = (options.consumes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const c of consumes) assertServiceName(c, '--consumes entry');
  if (consumes.includes(options.name)) throw new Error(`nx-fleet: ${options.name} cannot consume itself (--consumes).`);
  const port = options.port ?? DEFAULT_SERVICE_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`nx-fleet: --port ${options.port} is not a TCP port (1-65535).`);
  const directory = (options.directory ?? 'services').replace(/^\.?\/+|\/+$/g, '');
  return {
    name: options.name,
    root: directory ? `${directory}/${options.name}` : options.name,
    port,
    consumes: [...new Set(consumes)],
  };
}

/** A provider the new service consumes, as its templates and Pact test need it: it must have an SDK. */
function consumedService(tree: Tree, projects: Map<string, ProjectConfiguration>, name: string) {
  const root = projects.get(name)?.root;
  const sdkPath = `${root}/sdk/src/index.ts`;
  if (root === undefined || !tree.exists(sdkPath)) {
    throw new Error(
      `nx-fleet: --consumes ${name}: no service "${name}" with an SDK (${root !== undefined ? `missing ${sdkPath}; run \`nx g nx-fleet:sdk ${name}\`` : 'no such project'}).`,
    );
  }
  // The provider's port as its own Dockerfile exposes it, for the default upstream URL.
  const exposed = exposedPort(tree.read(`${root}/Dockerfile`, 'utf-8') ?? '');
  return { ...names(name), name, root, importPath: sdkImportPath(tree, name), port: exposed ?? DEFAULT_SERVICE_PORT };
}

export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const service = normalizeServiceOptions(options);
  const projects = getProjects(tree);
  if (!options.force && (projects.has(service.name) || tree.exists(service.root))) {
    throw new Error(
      `nx-fleet: ${projects.has(service.name) ? `project "${service.name}"` : service.root} already exists; pass --force to overwrite it.`,
    );
  }
  const consumed = service.consumes.map((name) => consumedService(tree, projects, name));
  if (options.force) {
    // The old service may live in another folder (a different --directory): it goes too.
    const previous = projects.get(service.name)?.root;
    if (previous) tree.delete(previous);
    tree.delete(service.root);
  }

  const init = await initGenerator(tree, { skipFormat: true });
  addProjectConfiguration(tree, service.name, {
    root: service.root,
    sourceRoot: `${service.root}/src`,
    projectType: 'application',
    tags: ['type:service'],
    // tsconfig.base.json holds the SDK path aliases the bundle resolves.
    metadata: { fleet: { contextInclude: [TSCONFIG_BASE] } },
    targets: checkTargets(),
  } as Parameters<typeof addProjectConfiguration>[2]);
  generateFiles(tree, join(__dirname, 'files'), service.root, {
    ...names(service.name),
    name: service.name,
    root: service.root,
    port: service.port,
    consumes: consumed,
    offset: offsetFromRoot(service.root),
    tmpl: '',
  });
  // One Pact consumer test per provider: it writes the pact into the provider's pacts/ folder.
  for (const provider of consumed) {
    generateFiles(tree, join(__dirname, 'pact', 'files'), service.root, {
      name: service.name,
      provider,
      providerName: provider.name,
      pactsDir: posix.relative(`${service.root}/src`, `${provider.root}/${PACTS_FOLDER}`),
      tmpl: '',
    });
  }
  writeSdk(tree, service.name, service.port);
  return finishProjects(tree, init, { ...options, devDependencies: consumed.length ? PACT_DEV_DEPENDENCY : {} });
}

export default serviceGenerator;
