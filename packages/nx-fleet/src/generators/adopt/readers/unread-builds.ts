import { posix } from 'node:path';
import { literal } from '../../../text/reg-exp';
import { parseYaml } from '../../../text/yaml';

/**
 * Files that build images with tools adopt does not read: compose files, CI workflows (GitHub, GitLab,
 * Azure Pipelines, Bitbucket Pipelines, Jenkins), Tilt, Skaffold, DevSpace, Earthly,
 * Bake, the deploy platforms' configs (Fly, Railway, Render, Heroku, DigitalOcean's app specs in `.do/`,
 * Cloud Build — in a `cloudbuild/` folder too —, the Azure Developer CLI's azure.yaml), and scripts and
 * task files that run an image build (`BUILD_SCRIPT`). Their image names,
 * build contexts, build arguments and targets are not carried, so a service one of them builds gets a
 * note saying so.
 */
const UNREAD_BUILD_FILE =
  /(?:^|\/)(?:(?:docker-)?compose[\w.-]*\.ya?ml|Tiltfile|skaffold[\w.-]*\.ya?ml|devspace[\w.-]*\.ya?ml|Earthfile|(?:docker-)?[\w.-]*bake[\w.-]*\.(?:hcl|json)|fly[\w.-]*\.toml|railway[\w.-]*\.(?:json|toml)|render\.ya?ml|heroku\.ya?ml|\.do\/[\w.-]+\.ya?ml|cloudbuild[\w.-]*\.ya?ml|\.?cloudbuild\/[\w.-]+\.ya?ml|azure\.ya?ml|azure-pipelines[\w.-]*\.ya?ml|bitbucket-pipelines\.ya?ml|Jenkinsfile[\w.-]*|\.gitlab-ci\.ya?ml)$|^\.github\/workflows\/[^/]+\.ya?ml$/;

/**
 * Shell scripts, Makefiles, justfiles and Taskfiles no package.json script runs (personal-kanban's
 * `scripts/build-and-push-images.sh`, `docker buildx build -f docker/Dockerfile.api -t … --push .`):
 * one of them builds a service's image only where it runs an engine's build.
 */
const BUILD_SCRIPT = /(?:^|\/)(?:[\w.-]+\.(?:sh|bash|mk)|(?:GNU)?[Mm]akefile|[Jj]ustfile|Taskfile[\w.-]*\.ya?ml)$/;
const ENGINE_BUILD = /\b(?:docker|podman)\s+(?:buildx\s+)?(?:build|bake)\b|\bbuildah\s+(?:bud|build)\b/;

export function isUnreadBuildFile(file: string): boolean {
  return UNREAD_BUILD_FILE.test(file) || BUILD_SCRIPT.test(file);
}

/**
 * Of those files (with their texts), the ones that build the service's Dockerfile: they name its path
 * (as a path, not inside a longer one), or the project folder as a build context where the Dockerfile is
 * that folder's own (a compose `context: ./apps/api`, a CI step entering the folder before its `docker
 * build`), or, a platform's config or a compose file (`build: .`) in the project folder (anyterm's
 * `apps/web/fly.toml`), build that folder's image; a compose `build:` whose `dockerfile:`, read from its
 * `context:` as compose reads it, is the Dockerfile (`context: ./backend`, `dockerfile: api/Dockerfile`);
 * an azure.yaml service whose `project:` is the folder. A path in a trigger's filter
 * (athlonix's `paths-ignore: apps/admin/**`) is none.
 */
export function unreadBuildsOf(
  files: ReadonlyArray<{ file: string; text: string }>,
  dockerfile: string,
  projectRoot: string,
  /** The stage the service is built from: a platform's config building another stage builds another image. */
  target?: string,
): string[] {
  const path = (p: string) => `(?<![\\w./-])(?:\\./)?${literal(p)}`;
  const named = new RegExp(`${path(dockerfile)}(?![\\w./-])`);
  const own = posix.dirname(dockerfile) === projectRoot && projectRoot !== '.';
  // YAML's `context: ./apps/api`, Bake's HCL `context = "apps/api"` and JSON `"context": "apps/api",`.
  const context = new RegExp(
    `(?:\\bcontext|"context")\\s*[:=]\\s*['"]?${path(projectRoot)}/?['"]?(?:\\s*[,}]|\\s*$)`,
    'm',
  );
  // A step that enters the folder and builds there (director-run's `cd apps/docker` then `docker build -t … .`).
  const entered = new RegExp(
    `(?:\\bcd\\s+|working-directory:\\s*['"]?)${path(projectRoot)}/?['"]?(?![\\w./-])(?:(?!\\bcd\\s)[\\s\\S]){0,300}?\\bdocker\\s+(?:buildx\\s+)?build\\b`,
  );
  const azureProject = new RegExp(`\\bproject:\\s*['"]?${path(projectRoot)}/?['"]?\\s*$`, 'm');
  return files
    .filter(({ file, text: whole }) => {
      if (PLATFORM_CONFIG.test(file)) return platformBuilds(file, whole, { dockerfile, projectRoot, target });
      // A script's or Makefile's commands, not its comments or messages: one that runs an engine's build
      // and names the Dockerfile (in a variable too: gatrix's `docker build -f "$df"`, personal-kanban's function).
      const script = BUILD_SCRIPT.test(file);
      const text = script ? commandsOf(whole) : whole;
      if (script && !ENGINE_BUILD.test(text)) return false;
      if (named.test(text) || (own && (context.test(text) || entered.test(text)))) return true;
      if (builtDockerfiles(file, text).includes(dockerfile)) return true;
      if (/(?:^|\/)azure\.ya?ml$/.test(file) && azureProject.test(text)) return true;
      // In the project folder, a compose file building that folder (`build: .`).
      return posix.dirname(file) === projectRoot && own && /(?:\bbuild|\bcontext):\s*['"]?\.\/?['"]?\s*$/m.test(text);
    })
    .map(({ file }) => file);
}

const PLATFORM_CONFIG = /(?:^|\/)(?:fly[\w.-]*\.toml|railway[\w.-]*\.(?:json|toml))$/;

/**
 * Whether a Fly or Railway config builds the Dockerfile: the one it names (Fly's `dockerfile`, from its
 * folder; Railway's `dockerfilePath`), else, named nowhere, the `Dockerfile` beside it (Fly's default:
 * cyborg-academy's `fly.ui.toml` for its root Dockerfile) or the project's own where it sits in the
 * project folder (anyterm's `apps/web/fly.toml`). Not one deploying an image (`image =`), built by another
 * builder (Fly's buildpacks, Railway's Nixpacks or Railpack), or building another stage (`build-target = "ui"` for api's).
 */
function platformBuilds(
  file: string,
  text: string,
  service: { dockerfile: string; projectRoot: string; target: string | undefined },
): boolean {
  const value = (key: string) => new RegExp(`^\\s*"?${key}"?\\s*[:=]\\s*["']([^"']*)["']`, 'm').exec(text)?.[1];
  const fly = /(?:^|\/)fly[\w.-]*\.toml$/.test(file);
  // Fly's image or buildpacks (`builder = "paketobuildpacks/…"`), Railway's other builders: no Dockerfile built.
  if (
    fly
      ? value('image') !== undefined || value('builder') !== undefined || /^\s*buildpacks\s*=/m.test(text)
      : !/^(?:DOCKERFILE)?$/i.test(value('builder') ?? '')
  )
    return false;
  const stage = fly ? value('build-target') : undefined;
  if (stage !== undefined && service.target !== undefined && stage !== service.target) return false;
  const folder = posix.dirname(file);
  const stated = value(fly ? 'dockerfile' : 'dockerfilePath');
  if (stated !== undefined)
    return [posix.join(folder, stated), posix.normalize(stated.replace(/^\/+/, ''))].includes(service.dockerfile);
  return (
    (folder === posix.dirname(service.dockerfile) && posix.basename(service.dockerfile) === 'Dockerfile') ||
    folder === service.projectRoot
  );
}

/** A script's or Makefile's commands, continued lines joined; comments and the messages it prints left out. */
function commandsOf(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .map((line) =>
      line
        .split(/(&&|\|\||;|\|)/)
        .filter((part) => !/^\s*@?(?:echo|printf)\b/.test(part))
        .join(''),
    )
    .join('\n');
}

/**
 * The Dockerfiles a file builds that it does not name by their paths, as workspace paths: a compose
 * file's or Bake file's read from their contexts, a Cloud Build config's and an Earthfile's (`cloudBuilds`,
 * `earthlyBuilds`).
 */
function builtDockerfiles(file: string, text: string): string[] {
  if (/(?:^|\/)Earthfile$/.test(file)) return earthlyBuilds(file, text);
  if (/(?:^|\/)(?:cloudbuild[\w.-]*|\.?cloudbuild\/[\w.-]+)\.ya?ml$/.test(file)) return cloudBuilds(file, text);
  return contextDockerfiles(file, text);
}

/**
 * The Dockerfiles a compose file's `build:` blocks or a Bake file's targets name, as workspace paths:
 * each `dockerfile` read from the `context` beside it (within a few lines, as a block holds them),
 * itself read from the file's folder (`context = "apps/web"`, `dockerfile = "Dockerfile"`).
 */
function contextDockerfiles(file: string, text: string): string[] {
  if (!/(?:^|\/)(?:(?:docker-)?compose[\w.-]*\.ya?ml|[\w.-]*bake[\w.-]*\.(?:hcl|json))$/.test(file)) return [];
  const lines = text.split('\n');
  const value = (line: string, key: string) =>
    new RegExp(`^\\s*"?${key}"?\\s*[:=]\\s*['"]?([^'"#\\s,]+)['"]?,?\\s*(?:#.*)?$`).exec(line)?.[1];
  const found: string[] = [];
  lines.forEach((line, i) => {
    const dockerfile = value(line, 'dockerfile');
    if (dockerfile === undefined) return;
    const near = lines.slice(Math.max(0, i - 4), i + 5).map((other) => value(other, 'context'));
    const context = near.find((candidate) => candidate !== undefined);
    if (context === undefined) return;
    found.push(posix.normalize(posix.join(posix.dirname(file), context, dockerfile)));
  });
  return found;
}

/**
 * The Dockerfiles a Cloud Build config's docker steps build (`args: ['build', '-t', …, '.']`, from the
 * step's `dir`): read from the workspace root, as a trigger sends the repository; a config in a project's
 * folder (tcg-nexus' `apps/api/cloudbuild.yaml`, submitted from there) builds from that folder too.
 */
function cloudBuilds(file: string, text: string): string[] {
  let steps: unknown;
  try {
    steps = (parseYaml(text) as { steps?: unknown } | null)?.steps;
  } catch {
    return [];
  }
  if (!Array.isArray(steps)) return [];
  const folder = posix.dirname(file);
  const froms = folder === '.' || /(?:^|\/)\.?cloudbuild$/.test(folder) ? ['.'] : ['.', folder];
  return steps.flatMap((step: { name?: unknown; dir?: unknown; args?: unknown }) => {
    const args = Array.isArray(step?.args) ? step.args.filter((arg): arg is string => typeof arg === 'string') : [];
    const build = args[0] === 'buildx' ? args.slice(1) : args;
    if (typeof step.name !== 'string' || !/docker/.test(step.name) || build[0] !== 'build') return [];
    const built = engineBuilt(build.slice(1));
    const dir = typeof step.dir === 'string' ? step.dir : '.';
    return built ? froms.map((from) => posix.normalize(posix.join(from, dir, built))) : [];
  });
}

/**
 * The Dockerfiles an Earthfile's `FROM DOCKERFILE [-f <file>] <context>` lines build, as workspace paths
 * (cardano-ibc-incubator's `FROM DOCKERFILE dapps/ibc-explorer`), read from the Earthfile's folder.
 */
function earthlyBuilds(file: string, text: string): string[] {
  return [...text.matchAll(/^[ \t]*FROM[ \t]+DOCKERFILE[ \t]+(.+)$/gm)].flatMap((match) => {
    const built = engineBuilt(match[1]!.trim().split(/\s+/));
    return built ? [posix.normalize(posix.join(posix.dirname(file), built))] : [];
  });
}

/**
 * The Dockerfile an engine build's arguments (after `build`) build, from where it runs: its `-f`/`--file`,
 * else its context's (the last argument) `Dockerfile`. Undefined where the context is no path (`-`, a URL).
 */
function engineBuilt(args: readonly string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '-f' || arg === '--file');
  const named = at >= 0 ? args[at + 1] : args.find((arg) => arg.startsWith('--file='))?.slice('--file='.length);
  const context = args.at(-1);
  if (named !== undefined) return named;
  if (context === undefined || context.startsWith('-') || context.includes('://') || args.at(-2)?.startsWith('-'))
    return undefined;
  return posix.join(context, 'Dockerfile');
}
