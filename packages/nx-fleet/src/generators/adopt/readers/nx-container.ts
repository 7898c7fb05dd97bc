import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { workspacePath } from './docker-cli';
import { isRecord, type AdoptProject } from './project';
import { referenceParts } from '../../../text/image-reference';
import { emptySetup, imageFromReferences, uncarriedTags, type ImageBuildSetup } from './setup';

/** The build executors of @nx-tools (nx-container, and nx-docker before its rename): same options. */
export const NX_CONTAINER_EXECUTORS = ['@nx-tools/nx-container:build', '@nx-tools/nx-docker:build'];

/** Options that name what the image is built from; a configuration that changes one is not adopted. */
const SHAPE_OPTIONS = ['context', 'file', 'tags', 'metadata', 'build-args', 'target', 'platforms'];

const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );

/**
 * Every target of the project that runs the nx-container build executor, read as a setup. The
 * executor runs in the workspace root: `context` (default `.`) and `file` (default the project's
 * Dockerfile, as both executors fill it in before the engine sees it) are workspace-relative; the
 * image comes from `metadata.images`, else from `tags`.
 */
export function readNxContainer(project: AdoptProject): ImageBuildSetup[] {
  return Object.entries(project.targets)
    .filter(([, config]) => NX_CONTAINER_EXECUTORS.includes(config.executor ?? ''))
    .map(([name, config]) => readTarget(name, config, project.root));
}

function readTarget(name: string, config: TargetConfiguration, projectRoot: string): ImageBuildSetup {
  const setup = emptySetup(`nx-container target ${name}`, name);
  // As `nx run` builds it: the default configuration over the options (pulse-dashboards' tags live in `staging`).
  const defaultConfiguration = config.defaultConfiguration;
  const options = {
    ...((config.options ?? {}) as Record<string, unknown>),
    ...((defaultConfiguration ? config.configurations?.[defaultConfiguration] : undefined) ?? {}),
  } as Record<string, unknown>;
  if (config.dependsOn?.length) setup.dependsOn = [...config.dependsOn];

  const context = typeof options['context'] === 'string' && options['context'] ? options['context'] : '.';
  const contextDir = literal(context) ? workspacePath('.', context) : undefined;
  if (contextDir === undefined) setup.problems.push(`context ${context}: not a folder of the workspace`);
  else setup.context = contextDir;
  const file = typeof options['file'] === 'string' && options['file'] ? options['file'] : undefined;
  if (file) {
    const path = literal(file) ? workspacePath('.', file) : undefined;
    if (path === undefined) setup.problems.push(`file ${file}: not a file of the workspace`);
    else if (contextDir !== undefined) setup.dockerfile = path;
  } else if (contextDir !== undefined) setup.dockerfile = posix.join(projectRoot, 'Dockerfile');

  const buildArgs: Record<string, string> = {};
  for (const arg of strings(options['build-args'])) {
    const eq = arg.indexOf('=');
    if (eq < 0) setup.problems.push(`build-arg ${arg} takes its value from the environment`);
    else if (!literal(arg)) setup.problems.push(`build-arg ${arg} depends on the environment`);
    else buildArgs[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  if (Object.keys(buildArgs).length) setup.buildArgs = buildArgs;
  if (typeof options['target'] === 'string' && options['target']) setup.target = options['target'];
  const platforms = strings(options['platforms']);
  if (platforms.some((platform) => !literal(platform)))
    setup.problems.push(`platforms ${platforms.join(', ')}: depends on the environment`);
  else if (platforms.length) setup.platforms = platforms;

  const metadata = isRecord(options['metadata']) ? options['metadata'] : {};
  const registries = strings(options['registries']);
  // With `metadata.images` the executor tags from them alone (its `tags` are replaced); an entry may be
  // written as metadata-action's `name=<image>,enable=<bool>`, one disabled naming nothing.
  const images = strings(metadata['images']).flatMap(metadataImage);
  const tags = strings(options['tags']);
  // Where the build as `nx run` runs it names no image (pulse-dashboards' default `dev` pushes nothing), the
  // repositories the most configurations tag are the image: the others tag only a version of it.
  const named = images.length ? images : tags.length ? tags : mostTagged(config.configurations ?? {});
  imageFromReferences(named, setup);
  if (images.length && tags.length)
    setup.notes.push(
      `tags ${tags.join(', ')}: unused, as metadata.images names the images (the executor tags from those alone)`,
    );
  // docker/metadata-action's rules (`type=ref,event=branch`), which name the tags a CI run pushes.
  const rules = strings(metadata['tags']);
  if (rules.length) setup.notes.push(uncarriedTags(`tag rules ${rules.join('; ')}`));
  if (registries.length)
    setup.notes.push(`registries ${registries.join(', ')}: set nx-fleet's registry option (images are pushed there)`);
  if (options['push'] === true) setup.notes.push('push: true: nx-fleet pushes with docker-push, after the scan');
  if (typeof options['engine'] === 'string')
    setup.notes.push(`engine ${options['engine']}: nx-fleet detects its engine (FLEET_ENGINE chooses one)`);
  for (const [configuration, values] of Object.entries(config.configurations ?? {})) {
    if (configuration === defaultConfiguration) continue;
    const given = (values ?? {}) as Record<string, unknown>;
    const changed = SHAPE_OPTIONS.filter(
      (option) => option in given && JSON.stringify(given[option]) !== JSON.stringify(options[option]),
    );
    // Tags of the same repositories differ only in the tag part, which nx-fleet's content tag replaces.
    if (changed.length === 1 && changed[0] === 'tags' && sameRepositories(strings(given['tags']), named)) continue;
    if (changed.length)
      setup.problems.push(
        `configuration ${configuration} (${changed.join(', ')}): nx-fleet builds one image per service`,
      );
  }
  return setup;
}

/** The tags of the repositories the most configurations tag; none where two sets tie. */
function mostTagged(configurations: Readonly<Record<string, unknown>>): string[] {
  const bySet = new Map<string, { tags: string[]; count: number }>();
  for (const values of Object.values(configurations)) {
    const tags = isRecord(values) ? strings(values['tags']) : [];
    if (!tags.length) continue;
    const key = JSON.stringify(repositoriesOf(tags));
    const entry = bySet.get(key) ?? { tags, count: 0 };
    entry.count++;
    bySet.set(key, entry);
  }
  const [first, second] = [...bySet.values()].sort((a, b) => b.count - a.count);
  return first && first.count !== second?.count ? first.tags : [];
}

const repositoriesOf = (refs: readonly string[]) =>
  [...new Set(refs.map((ref) => referenceParts(ref).repository))].sort();

/** Whether two lists of image references name the same repositories, whatever their tags. */
function sameRepositories(a: readonly string[], b: readonly string[]): boolean {
  return a.length > 0 && JSON.stringify(repositoriesOf(a)) === JSON.stringify(repositoriesOf(b));
}

/** The image a `metadata.images` entry names: as written, or metadata-action's `name=…,enable=…` (none when disabled). */
function metadataImage(entry: string): string[] {
  if (!/^name=/.test(entry)) return [entry];
  const fields = new Map(
    entry.split(',').map((field) => {
      const eq = field.indexOf('=');
      return [field.slice(0, eq).trim(), field.slice(eq + 1).trim()] as const;
    }),
  );
  const name = fields.get('name');
  return name && fields.get('enable') !== 'false' ? [name] : [];
}

/** No variable, handlebars or environment lookup in it. */
function literal(text: string): boolean {
  return !/[$`{}]/.test(text);
}
