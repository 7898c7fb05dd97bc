import { posix } from 'node:path';
import picomatch from 'picomatch';
import { DEFAULT_EXCLUDES } from '../config/defaults';
import type { FleetServiceConfig, ProjectManifest } from '../config/service-settings';
import { namesDevelopment } from '../text/development-names';

/** The file names that make a folder's project a service. */
export const CONTAINERFILE_NAMES = ['Dockerfile', 'Containerfile'] as const;
/**
 * Container files and project manifests make services (a manifest's `fleet` block can point at a
 * Dockerfile elsewhere); `pacts/*.json` in a service folder adds its contract-verify target. Named
 * variants (`Dockerfile.web`) are found in Nx's file list beside the manifests instead
 * (`variantsByFolder`): every alternative of this glob costs each Nx command's own matching of
 * changed files (`getTouchedProjectsFromProjectGlobChanges`, ~20 ms per alternative on 4,000 files).
 */
export const PLUGIN_GLOB = '**/{Dockerfile,Containerfile,project.json,package.json,pacts/*.json}';

/** The named container-file variants of the given files (workspace paths), by folder. */
export function variantsByFolder(files: Iterable<string>): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const file of files) {
    // Most files are neither: the name test first, the parse only for candidates.
    if (!CONTAINERFILE_WORD.test(file)) continue;
    if (!containerfileVariant(file)) continue;
    const folder = posix.dirname(file);
    folders.set(folder, [...(folders.get(folder) ?? []), file]);
  }
  return folders;
}

/**
 * The variant part of a container file's name (`web` of `Dockerfile.web` or `web.Dockerfile`), `''`
 * for a plain Dockerfile or Containerfile, undefined for any other file (an ignore file among them).
 */
export function containerfileVariant(file: string): string | undefined {
  const name = posix.basename(file);
  if ((CONTAINERFILE_NAMES as readonly string[]).includes(name) || name === LOWERCASE_DOCKERFILE) return '';
  if (name.endsWith('.dockerignore') || NOT_A_CONTAINERFILE.test(name)) return undefined;
  const variant = VARIANT.exec(name)
    ?.slice(1)
    .find((part) => part !== undefined);
  // A program named after the files it reads (cmux's `dockerfile_to_bash.py`); a variant named after a
  // language alone (`Dockerfile.go`) stays one.
  return variant !== undefined && /\.[^.]+$/.test(variant) && PROGRAM.test(variant) ? undefined : variant;
}

/** The extensions of programs and their settings in other languages than the ones `NOT_A_CONTAINERFILE` names. */
const PROGRAM =
  /\.(?:py|go|rs|rb|java|kts?|scala|php|pl|lua|cs|cpp|cc|c|h|hpp|swift|dart|exs?|r|toml|xml|html|css|scss|ini|cfg|conf|lock|ps1|bat)$/i;

/**
 * `Dockerfile.web` (also `Dockerfile_alerts`, `Dockerfile-web`: openreplay's), or `web.Dockerfile`, in
 * any case (graphql-hive's `services.dockerfile`, nanithefuck's `dockerfile.prod`), or `arm-Dockerfile`
 * (Static-DICOMWeb's, built with `docker build -f arm-Dockerfile`; capitalised only, as a script named
 * `generate-dockerfile` is none). Not a source, document or template named after one (`dockerfile.ts`,
 * `Dockerfile.md`, `Dockerfile.hbs`).
 */
const VARIANT =
  /^(?:[Dd]ocker[Ff]ile|[Cc]ontainer[Ff]ile)[._-]([^/]+)$|^([^/]+)\.(?:[Dd]ocker[Ff]ile|[Cc]ontainer[Ff]ile)$|^([^/]+)-(?:Dockerfile|Containerfile)$/;
const CONTAINERFILE_WORD = /[Dd]ocker[Ff]ile|[Cc]ontainer[Ff]ile/;
const NOT_A_CONTAINERFILE =
  /\.(?:[cm]?[jt]sx?|json|md|mdx|ya?ml|txt|sh|hbs|ejs|tmpl|tpl|template|j2|jinja2?|njk|mustache|liquid|erb|orig|bak|swp)$/i;

/** One folder as the plugin sees it; read by the caller so that detection stays pure. */
export interface FolderInput {
  root: string;
  /** Container file paths in this folder, named variants too (workspace-relative). */
  containerfiles: readonly string[];
  projectJson?: ProjectManifest;
  packageJson?: ProjectManifest;
  /** The name Nx gives a package.json without one that it makes a project of all the same (its folder's). */
  nxName?: string;
  config: FleetServiceConfig;
}

export type Detection =
  | { kind: 'service'; root: string; dockerfile: string; name?: string; config: FleetServiceConfig }
  | { kind: 'excluded'; dockerfile: string; pattern: string }
  | { kind: 'orphan'; dockerfile: string }
  | { kind: 'opted-out'; root: string }
  | { kind: 'none' };

export function detectService(folder: FolderInput, exclude: readonly string[]): Detection {
  const hasProject = !!folder.projectJson || !!folder.packageJson;
  // Nx names a project.json project itself; a bare package.json outside npm workspaces would stay
  // nameless (which breaks every Nx command), so its package name is passed on, or the one Nx gives it.
  const name = folder.projectJson ? undefined : (stringOrUndefined(folder.packageJson?.name) ?? folder.nxName);
  if (!hasProject || (!folder.projectJson && !name)) {
    // Named variants outside projects (a docker/ folder of Dockerfile.pnpm, Dockerfile.bun) are no one's;
    // beside a manifest that names no project (umbrel's packages/os, whose umbrelos.Dockerfile its CI
    // pushes), the shipping ones are orphans as a plain one would be (`orphanVariants` names the others).
    const orphan =
      preferredContainerfile(folder.containerfiles) ??
      (hasProject ? folder.containerfiles.filter(shipsImage).sort()[0] : undefined);
    if (!orphan) return { kind: 'none' };
    const excludedBy = exclude.find((glob) => excludeMatcher(glob)(orphan));
    return excludedBy
      ? { kind: 'excluded', dockerfile: orphan, pattern: excludedBy }
      : { kind: 'orphan', dockerfile: orphan };
  }
  if (folder.config.enabled === false) return { kind: 'opted-out', root: folder.root };
  // A Dockerfile named in the project's own settings is deliberate: exclusions do not apply to it.
  if (folder.config.dockerfile)
    return {
      kind: 'service',
      root: folder.root,
      dockerfile: posix.normalize(folder.config.dockerfile),
      name,
      config: folder.config,
    };
  // At the workspace root a named variant is usually one of several images built from it (a
  // prod.Dockerfile with a stage per app): only a plain Dockerfile makes the root a service.
  // Of several variants, the one `exclude` leaves (serverless' examples' Dockerfile.public beside .private).
  const ownDockerfile = isWorkspaceRoot(folder.root)
    ? preferredContainerfile(folder.containerfiles)
    : projectContainerfile(folder.containerfiles, exclude);
  if (!ownDockerfile) return { kind: 'none' };
  const excludedBy = exclude.find((glob) => excludeMatcher(glob)(ownDockerfile));
  if (excludedBy) return { kind: 'excluded', dockerfile: ownDockerfile, pattern: excludedBy };
  return { kind: 'service', root: folder.root, dockerfile: ownDockerfile, name, config: folder.config };
}

/** The files no `exclude` pattern matches. */
export function unexcluded(files: readonly string[], exclude: readonly string[]): string[] {
  return files.filter((file) => !exclude.some((glob) => excludeMatcher(glob)(file)));
}

const matchers = new Map<string, (path: string) => boolean>();
const DEFAULTS = new Set(DEFAULT_EXCLUDES);

/**
 * An exclude pattern as a test of a path, compiled once per pattern: createNodes runs for every
 * Dockerfile of the workspace on every graph. The defaults name folders in any case (OneUptime's
 * `Examples/`, a `Tests/` folder); a pattern of the workspace's own matches as written.
 */
export function excludeMatcher(glob: string): (path: string) => boolean {
  let match = matchers.get(glob);
  if (!match) {
    match = picomatch(glob, { dot: true, nocase: DEFAULTS.has(glob) });
    matchers.set(glob, match);
  }
  return match;
}

/** When a folder holds both, Dockerfile wins: it is what `docker build` picks by default. */
export function preferredContainerfile(files: readonly string[]): string | undefined {
  return (
    files.find((file) => posix.basename(file) === 'Dockerfile') ??
    files.find((file) => posix.basename(file) === 'Containerfile') ??
    files.find((file) => posix.basename(file) === LOWERCASE_DOCKERFILE)
  );
}

/**
 * What the docker CLI builds when a folder has no `Dockerfile` (blinko's root `dockerfile`, built by its
 * CI with no `file:`). Found in Nx's file list (`withLowercaseDockerfiles`), not through the glob.
 */
const LOWERCASE_DOCKERFILE = 'dockerfile';

/**
 * The matched folders with the lowercase `dockerfile`s Nx lists where no plain container file is, as
 * if the glob had matched them: a project's service, or an orphan where no project is.
 */
export function withLowercaseDockerfiles(
  folders: Map<string, string[]>,
  files: readonly string[],
): Map<string, string[]> {
  for (const file of files) {
    if (file !== LOWERCASE_DOCKERFILE && !file.endsWith(`/${LOWERCASE_DOCKERFILE}`)) continue;
    const root = posix.dirname(file);
    const folderFiles = folders.get(root) ?? [];
    if (!preferredContainerfile(folderFiles)) folders.set(root, [...folderFiles, file].sort());
  }
  return folders;
}

/**
 * The container file a project folder's image is built from: the plain one, else its one named
 * variant that is not for development (`Dockerfile.web` beside `Dockerfile.dev`). Several such
 * variants are `ambiguous`: which one ships is the project's setting to say, never a guess.
 */
export function serviceContainerfile(files: readonly string[]): { file?: string; ambiguous?: string[] } {
  const plain = preferredContainerfile(files);
  if (plain) return { file: plain };
  const shipping = files.filter(shipsImage);
  if (shipping.length === 1) return { file: shipping[0] };
  return shipping.length ? { ambiguous: [...shipping].sort() } : {};
}

/**
 * The container file a project folder's service is built from: the one `serviceContainerfile` picks,
 * else, of several variants, the one `exclude` leaves (serverless' examples' Dockerfile.public beside .private).
 */
export function projectContainerfile(files: readonly string[], exclude: readonly string[]): string | undefined {
  return serviceContainerfile(files).file ?? serviceContainerfile(unexcluded(files, exclude)).file;
}

/**
 * Of the variants a project folder holds and its settings do not choose between, those no other project
 * builds (`taken`: by its settings, by name or by a prune): the ones its warning names. With one left and
 * no claim of its own elsewhere, the project builds that one (puretome's `docker/`, the base image's project).
 */
export function variantsLeft(
  ambiguous: readonly string[],
  taken: ReadonlySet<string>,
  claimsOwn: boolean,
): { left: string[]; own?: string } {
  const left = ambiguous.filter((file) => !taken.has(file));
  return { left, ...(left.length === 1 && !claimsOwn ? { own: left[0]! } : {}) };
}

/**
 * The named variants not for development in folders no project is in and no plain container file is
 * in (plane's `apps/proxy/Dockerfile.ce`, inbox-zero's `docker/Dockerfile.prod` beside an unused
 * `Dockerfile.web`, each built by its CI): orphans, as plain Dockerfiles there would be.
 */
export function projectlessVariants(
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  claimed: ReadonlyMap<string, unknown>,
  exclude: readonly string[],
): Detection[] {
  return [...(variants ?? [])].flatMap(([root, files]) =>
    claimed.has(root)
      ? []
      : files
          .filter(unbuiltShipping(new Set(), exclude))
          .map((dockerfile) => ({ kind: 'orphan' as const, dockerfile })),
  );
}

/** A `project.json` or `package.json`: what makes a folder a project. */
export function isProjectManifest(file: string): boolean {
  return /(^|\/)(project|package)\.json$/.test(file);
}

/** A plain container file or a named variant of one. */
export function isContainerfile(file: string): boolean {
  return containerfileVariant(file) !== undefined;
}

/** A named variant that is not for development (in any of its parts: saltcorn's `Dockerfile.isolated.dev`). */
export function shipsImage(file: string): boolean {
  const variant = containerfileVariant(file);
  return variant !== undefined && variant !== '' && !namesDevelopment(variant, /[._-]/);
}

/**
 * Shipping variants beside the container file a service is built from, that no service's settings
 * name: they make no image (teable's `Dockerfile.db-migrate` beside its `Dockerfile`, both built by its
 * CI; secshop's `docker/worker.dockerfile` beside the `base.dockerfile` its folder's project builds).
 * Excluded and development variants are no one's concern.
 */
export function unbuiltVariants(
  detections: readonly Detection[],
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  exclude: readonly string[],
): string[] {
  // Two services may be built from one Dockerfile: its variants are named once.
  return [...new Set(variantsBeside(detections, 'service', variants, unbuiltShipping(builtFrom(detections), exclude)))];
}

/**
 * Shipping variants beside a plain container file no project is built from: orphans as it is
 * (automatisch's `docker/Dockerfile.compose` beside its `docker/Dockerfile`; no image is built
 * from that folder at all).
 */
export function orphanVariants(
  detections: readonly Detection[],
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  exclude: readonly string[],
): Detection[] {
  const built = builtFrom(detections);
  const orphans = detections.filter((d) => d.kind === 'orphan' && !built.has(d.dockerfile));
  return [...new Set(variantsBeside(orphans, 'orphan', variants, unbuiltShipping(built, exclude)))].map(
    (dockerfile) => ({
      kind: 'orphan' as const,
      dockerfile,
    }),
  );
}

/**
 * The plain container files in services' folders that no service is built from, because the folder's
 * service is built from another file its settings name (ctrlplane's `docker/project.json` building
 * `docker/Dockerfile.gateway` beside the `docker/Dockerfile` that prunes the workspace to its web app):
 * no image is built from them, and another project may be their image.
 */
export function passedOverPlain(
  detections: readonly Detection[],
  folders: ReadonlyMap<string, readonly string[]>,
  exclude: readonly string[],
): Array<{ dockerfile: string; builtFrom: string }> {
  const built = builtFrom(detections);
  return detections.flatMap((d) => {
    if (d.kind !== 'service') return [];
    const plain = preferredContainerfile(folders.get(d.root) ?? []);
    return plain && !built.has(plain) && !exclude.some((glob) => excludeMatcher(glob)(plain))
      ? [{ dockerfile: plain, builtFrom: d.dockerfile }]
      : [];
  });
}

/**
 * The shipping variants at the workspace root, where only a plain container file makes a service, when
 * there is none and no service is built from them (saltcorn's `Dockerfile.release`, built by its
 * scripts with context `.`): they make no image.
 */
export function rootVariants(
  detections: readonly Detection[],
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  exclude: readonly string[],
): string[] {
  const rootFiles = variants?.get('.') ?? [];
  // A plain one there decides (its variants are `unbuiltVariants`'), or was excluded with its folder's.
  const rootPlain = (d: Detection) =>
    'dockerfile' in d && posix.dirname(d.dockerfile) === '.' && containerfileVariant(d.dockerfile) === '';
  if (detections.some(rootPlain)) return [];
  return rootFiles.filter(unbuiltShipping(builtFrom(detections), exclude));
}

/** The variants `unbuilt` keeps beside the container files of `kind` (a service's: in its own folder): the other ones of that folder. */
function variantsBeside(
  detections: readonly Detection[],
  kind: 'service' | 'orphan',
  variants: ReadonlyMap<string, readonly string[]> | undefined,
  unbuilt: (file: string) => boolean,
): string[] {
  // A service built from a named file elsewhere (`docker/api.Dockerfile`, in its settings) leaves that
  // folder's other files to be the orphans they are.
  const beside = (d: Detection) =>
    d.kind === 'orphan' ||
    (d.kind === 'service' && (containerfileVariant(d.dockerfile) === '' || posix.dirname(d.dockerfile) === d.root));
  return detections.flatMap((d) =>
    d.kind === kind && beside(d)
      ? (variants?.get(posix.dirname(d.dockerfile)) ?? []).filter((file) => file !== d.dockerfile && unbuilt(file))
      : [],
  );
}

/** The container files services are built from. */
function builtFrom(detections: readonly Detection[]): Set<string> {
  return new Set(detections.flatMap((d) => (d.kind === 'service' ? [d.dockerfile] : [])));
}

/** A shipping variant no service is built from and no exclude pattern matches. */
function unbuiltShipping(built: ReadonlySet<string>, exclude: readonly string[]): (file: string) => boolean {
  return (file) => shipsImage(file) && !built.has(file) && !exclude.some((glob) => excludeMatcher(glob)(file));
}

/** Folders a project keeps its image's Dockerfile in. */
const CONTAINER_FOLDERS = new Set(['docker', '.docker', 'deploy', '.deploy', 'container', 'containers']);

/**
 * A project's Dockerfile kept in a container folder of its own (hedgedoc's `backend/docker/Dockerfile`,
 * zigbee2mqtt's root `docker/Dockerfile`, each built by its CI with context `.`) joins the project
 * folder, when that holds a manifest and no container file: the project is its service, with the
 * Dockerfile where it is. Not when `notTheProjects` says the Dockerfile is another's image (saltcorn's
 * `COPY entry.bash ./` beside it: that folder is its context, no project's; at the root, unsend's
 * `turbo prune web`: the web app's), nor when the folder has a manifest of its own; at the workspace
 * root only a plain one, as there; of named variants, the one that ships. Without `notTheProjects` (no file list to decide it by) nothing moves. The folder is left with no files, so
 * every matched folder keeps its place (and its variants are no orphans).
 */
export function withContainerFolders(
  folders: Map<string, string[]>,
  notTheProjects: ((dockerfile: string) => boolean) | undefined,
  /** The named variants Nx lists, by folder: a container folder of variants alone (agenta's `web/oss/docker/Dockerfile.gh`) is one too. */
  variants?: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  if (!notTheProjects) return folders;
  const variantFolders = [...(variants ?? [])].filter(
    ([folder]) => !folders.has(folder) && CONTAINER_FOLDERS.has(posix.basename(folder)),
  );
  for (const [folder, folderFiles] of [...folders, ...variantFolders]) {
    const project = posix.dirname(folder);
    const projectFiles = folders.get(project);
    if (!CONTAINER_FOLDERS.has(posix.basename(folder)) || !projectFiles) continue;
    if (!folderFiles.length || !folderFiles.every(isContainerfile)) continue;
    if (projectFiles.some(isContainerfile) || !projectFiles.some(isProjectManifest)) continue;
    const { file } = serviceContainerfile(folderFiles);
    if (!file || (isWorkspaceRoot(project) && containerfileVariant(file) !== '') || notTheProjects(file)) continue;
    folders.set(project, [...projectFiles, ...folderFiles].sort());
    folders.set(folder, []);
  }
  return folders;
}

/** Groups the plugin's matched files by folder. */
export function groupByFolder(files: readonly string[]): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const file of files) {
    const root = posix.dirname(file);
    folders.set(root, [...(folders.get(root) ?? []), file]);
  }
  return folders;
}

function isWorkspaceRoot(root: string): boolean {
  return root === '.' || root === '';
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
