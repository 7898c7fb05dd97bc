import { join, posix } from 'node:path';
import {
  addDependenciesToPackageJson,
  addProjectConfiguration,
  formatFiles,
  generateFiles,
  getProjects,
  names,
  offsetFromRoot,
  runTasksInSerial,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { writeSdk } from '../sdk/generator';
import { PACTS_FOLDER } from '../../config/defaults';
import { exposedPort } from '../../contracts/provider';
import {
  assertServiceName,
  checkTargets,
  ensureEslintConfig,
  GENERATED_DEV_DEPENDENCIES,
  PACT_DEV_DEPENDENCY,
  sdkImportPath,
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
  const port = options.port ?? 3000;
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

export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const service = normalizeServiceOptions(options);
  const projects = getProjects(tree);
  if (!options.force && (projects.has(service.name) || tree.exists(service.root))) {
    throw new Error(
      `nx-fleet: ${projects.has(service.name) ? `project "${service.name}"` : service.root} already exists; pass --force to overwrite it.`,
    );
  }
  const consumed = service.consumes.map((name) => {
    const sdkPath = `${projects.get(name)?.root}/sdk/src/index.ts`;
    if (!projects.has(name) || !tree.exists(sdkPath)) {
      throw new Error(
        `nx-fleet: --consumes ${name}: no service "${name}" with an SDK (${projects.has(name) ? `missing ${sdkPath}; run \`nx g nx-fleet:sdk ${name}\`` : 'no such project'}).`,
      );
    }
    // The provider's port as its own Dockerfile exposes it, for the default upstream URL.
    const exposed = exposedPort(tree.read(`${projects.get(name)!.root}/Dockerfile`, 'utf-8') ?? '');
    return {
      ...names(name),
      name,
      root: projects.get(name)!.root,
      importPath: sdkImportPath(tree, name),
      port: exposed ?? 3000,
    };
  });
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
    metadata: { fleet: { contextInclude: ['tsconfig.base.json'] } },
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
  ensureEslintConfig(tree);
  const install = addDependenciesToPackageJson(
    tree,
    {},
    { ...GENERATED_DEV_DEPENDENCIES, ...(consumed.length ? PACT_DEV_DEPENDENCY : {}) },
  );
  if (!options.skipFormat) await formatFiles(tree);
  return runTasksInSerial(init, install);
}

export default serviceGenerator;
