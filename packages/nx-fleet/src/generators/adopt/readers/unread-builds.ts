import { posix } from 'node:path';
import { literal } from '../../../text/reg-exp';
import { shellCommands } from '../../../text/shell-words';
import { parseYaml, yamlEntriesAt } from '../../../text/yaml';

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
 * that folder's own (a compose `context: ./apps/api`, read from the workspace root and from the file's
 * folder as compose and Skaffold read it; a CI step entering the folder before its `docker build`; a Tiltfile's
 * `docker_build` context), or, a platform's config or a compose file (`build: .`) in the project folder (anyterm's
 * `apps/web/fly.toml`), build that folder's image; a compose `build:` whose `dockerfile:`, read from its
 * `context:` as compose reads it, is the Dockerfile (`context: ./backend`, `dockerfile: api/Dockerfile`);
 * an azure.yaml service whose `project:` is the folder. A GitHub workflow's `${{ matrix.<key> }}` is read as
 * each of its job's matrix values (`matrixRuns`), a shell loop's variable as each word of its literal list
 * (`loopRuns`), a reusable workflow's `${{ inputs.<key> }}` as each value its callers pass
 * (`workflowCalls`). A path in a trigger's filter
 * (athlonix's `paths-ignore: apps/admin/**`) is none.
 */
export function unreadBuildsOf(
  files: readonly BuildFile[],
  dockerfile: string,
  projectRoot: string,
  /** The stage the service is built from: a platform's config building another stage builds another image. */
  target?: string,
): string[] {
  const path = (p: string) => `(?:(?<![\\w./-])|(?<=${CHECKOUT.source}))(?:\\./)?${literal(p)}`;
  const named = new RegExp(`${path(dockerfile)}(?![\\w./-])`);
  const own = posix.dirname(dockerfile) === projectRoot && projectRoot !== '.';
  // YAML's `context: ./apps/api`, Bake's HCL `context = "apps/api"` and JSON `"context": "apps/api",`: from
  // the root as CI reads it, and from the file's folder as compose and Skaffold do (`context: ../apps/web`
  // in deploy/skaffold.yaml). A Tiltfile's are read with its `dockerfile=` (`tiltBuilds`).
  // Kaniko's `--context "${CI_PROJECT_DIR}/apps/api"` too.
  const namesContext = (file: string, text: string) =>
    !TILTFILE.test(file) &&
    [
      ...text.matchAll(/(?:\bcontext|"context")\s*[:=]\s*['"]?([^\s'",}#]+?)\/?['"]?(?:\s*[,}]|\s*$)/gm),
      ...text.matchAll(/(?<![\w-])--context[\s=]+['"]?([^\s'"]+?)\/?['"]?(?=\s|$)/gm),
    ].some(([, value]) => {
      const path = value!.replace(new RegExp(`^${CHECKOUT.source}`), '');
      return ['.', posix.dirname(file)].some((from) => fromFolder(from, path) === projectRoot);
    });
  // A step that enters the folder and builds there (director-run's `cd apps/docker` then `docker build -t … .`).
  const entered = new RegExp(
    `(?:\\bcd\\s+|working-directory:\\s*['"]?)${path(projectRoot)}/?['"]?(?![\\w./-])(?:(?!\\bcd\\s)[\\s\\S]){0,300}?\\bdocker\\s+(?:buildx\\s+)?build\\b`,
  );
  // An engine's build given the folder as its context and no Dockerfile (`docker build -t acme/api apps/api`).
  const given = new RegExp(
    `(?:${ENGINE_BUILD.source})(?:(?!\\s(?:-f|--file)[\\s=])[^\\n;&|])*?\\s${path(projectRoot)}/?(?=[ \\t]*(?:$|[;&|\\\\]))`,
    'm',
  );
  const azureProject = new RegExp(`\\bproject:\\s*['"]?${path(projectRoot)}/?['"]?\\s*$`, 'm');
  return files
    .filter(({ file, whole, text, runs }) => {
      if (PLATFORM_CONFIG.test(file)) return platformBuilds(file, whole, { dockerfile, projectRoot, target });
      if (!runs.length) return false;
      if (
        runs.some(
          (run) => named.test(run) || (own && (namesContext(file, run) || entered.test(run) || given.test(run))),
        )
      )
        return true;
      if (builtDockerfiles(file, text).includes(dockerfile)) return true;
      if (/(?:^|\/)azure\.ya?ml$/.test(file) && azureProject.test(text)) return true;
      // In the project folder, a compose file building that folder (`build: .`).
      return posix.dirname(file) === projectRoot && own && /(?:\bbuild|\bcontext):\s*['"]?\.\/?['"]?\s*$/m.test(text);
    })
    .map(({ file }) => file);
}

/** A file that may build a Dockerfile, as `unreadBuildsOf` reads it for each service. */
export interface BuildFile {
  file: string;
  whole: string;
  /** A script's or Makefile's commands, not its comments or messages; the whole text of any other file. */
  text: string;
  /**
   * The text, then once per matrix combination, per value of a loop's variable and per call of a reusable
   * workflow; none for a script running no engine's build.
   */
  runs: readonly string[];
}

/** Reads the build files once, for however many services adopt asks about. */
export function readBuildFiles(files: ReadonlyArray<{ file: string; text: string }>): BuildFile[] {
  const calls = workflowCalls(files);
  return files.map(({ file, text: whole }) => {
    // One that runs an engine's build and names the Dockerfile (in a variable too: gatrix's
    // `docker build -f "$df"`, personal-kanban's function).
    const script = BUILD_SCRIPT.test(file);
    const text = script ? commandsOf(whole) : whole;
    if (script && !ENGINE_BUILD.test(text)) return { file, whole, text, runs: [] };
    const read = fromStartingFolder(file, text);
    const called = (calls.get(file) ?? []).map((inputs) =>
      read.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (expression, key: string) => inputs[key] ?? expression),
    );
    return {
      file,
      whole,
      text,
      runs: [read, ...called].flatMap((run) => [run, ...matrixRuns(file, run), ...loopRuns(file, run)]),
    };
  });
}

/** The checkout's root as CI files write it before a workspace path: `${CI_PROJECT_DIR}/`, `${{ github.workspace }}/`. */
const CHECKOUT =
  /(?:\$\{?(?:CI_PROJECT_DIR|GITHUB_WORKSPACE|BITBUCKET_CLONE_DIR)\}?|\$\{\{\s*github\.workspace\s*\}\})\//;

/**
 * The values each reusable workflow is called with by the repository's workflows (typie's cd.yml:
 * `uses: ./.github/workflows/build.yml` with `app: api`), by called file: one set per calling job, or per
 * combination of its matrix where it passes `${{ matrix.<key> }}`.
 */
function workflowCalls(files: ReadonlyArray<{ file: string; text: string }>): Map<string, Combination[]> {
  const calls = new Map<string, Combination[]>();
  for (const { file, text } of files) {
    if (!/^\.github\/workflows\//.test(file) || !/\buses:\s*['"]?\.\/\.github\/workflows\//.test(text)) continue;
    for (const { value } of yamlEntriesAt(text, ['jobs'])) {
      const job = value as { uses?: unknown; with?: unknown; strategy?: { matrix?: unknown } } | null;
      const called =
        typeof job?.uses === 'string' ? /^\.\/(\.github\/workflows\/[^@\s]+)$/.exec(job.uses)?.[1] : undefined;
      if (called === undefined || typeof job?.with !== 'object' || job.with === null) continue;
      const combinations = job.strategy?.matrix === undefined ? [{}] : matrixCombinations(job.strategy.matrix);
      const passed = Object.entries(job.with).flatMap(([key, v]): Array<[string, string]> =>
        plain(v) ? [[key, String(v)]] : [],
      );
      calls.set(called, [
        ...(calls.get(called) ?? []),
        ...combinations.map((combination) =>
          Object.fromEntries(
            passed.map(([key, v]) => [
              key,
              v.replace(MATRIX_VALUE, (whole, name: string) => combination[name] ?? whole),
            ]),
          ),
        ),
      ]);
    }
  }
  return calls;
}

/**
 * A shell script's variable holding the directory it starts in (mixwave's `dir=$(pwd)`, set before any
 * `cd`), read as `.`: the script's relative paths are read from the workspace root, as it is run from there.
 */
function fromStartingFolder(file: string, text: string): string {
  if (!/\.(?:sh|bash)$/.test(file)) return text;
  return [
    ...text.matchAll(
      /^[ \t]*(?:(?:export|readonly|local)[ \t]+)?(\w+)=(?:"?\$\(pwd\)"?|"?\$\{?PWD\}?"?|`pwd`)[ \t]*$/gm,
    ),
  ]
    .filter((assigned) => !/(?<![\w-])(?:cd|pushd)(?![\w-])/.test(text.slice(0, assigned.index)))
    .reduce((read, [, name]) => read.replace(new RegExp(`\\$(?:\\{${name}\\}|${name}(?!\\w))`, 'g'), '.'), text);
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
 * file's or Bake file's read from their contexts, a Cloud Build config's, an Earthfile's and a Tiltfile's
 * (`cloudBuilds`, `earthlyBuilds`, `tiltBuilds`).
 */
function builtDockerfiles(file: string, text: string): string[] {
  if (TILTFILE.test(file)) return tiltBuilds(file, text);
  if (/(?:^|\/)Earthfile$/.test(file)) return earthlyBuilds(file, text);
  if (/(?:^|\/)(?:cloudbuild[\w.-]*|\.?cloudbuild\/[\w.-]+)\.ya?ml$/.test(file)) return cloudBuilds(file, text);
  if (/^\.github\/workflows\//.test(file)) return actionBuilds(text);
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
    found.push(fromFolder(posix.dirname(file), context, dockerfile));
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
    return built ? [fromFolder(posix.dirname(file), built)] : [];
  });
}

/**
 * The Dockerfiles a workflow's `docker/build-push-action` steps build naming none: their context's
 * `Dockerfile` (publiz's `context: .` for its root Dockerfile). One named by `file:` is read by its path.
 */
function actionBuilds(text: string): string[] {
  if (!/docker\/build-push-action/.test(text)) return [];
  return yamlEntriesAt(text, ['jobs']).flatMap(({ value }) => {
    const steps = (value as { steps?: unknown } | null)?.steps;
    return (Array.isArray(steps) ? steps : []).flatMap((step: { uses?: unknown; with?: Record<string, unknown> }) => {
      if (typeof step?.uses !== 'string' || !step.uses.startsWith('docker/build-push-action')) return [];
      const context = step.with?.['context'] ?? '.';
      return step.with?.['file'] === undefined && typeof context === 'string' && !context.includes('${{')
        ? [fromFolder('.', context, 'Dockerfile')]
        : [];
    });
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

/** A path a file names, read from `folder` as a workspace path (no trailing `/`). */
function fromFolder(folder: string, ...path: string[]): string {
  return posix.join(folder, ...path).replace(/(.)\/+$/, '$1');
}

const TILTFILE = /(?:^|\/)Tiltfile$/;

/**
 * The Dockerfiles a Tiltfile's `docker_build` calls build, as workspace paths: the `dockerfile` named,
 * else the context's `Dockerfile` (Tilt's default), both read from the Tiltfile's folder as Tilt reads them
 * (`docker_build('acme/api', 'apps/api')`, the form of Tilt's docs, or `context=`). None for a context or
 * Dockerfile in a variable, or the Dockerfile's text given inline (`dockerfile_contents`).
 */
function tiltBuilds(file: string, text: string): string[] {
  const code = text.replace(/^((?:[^'"#\n]|'[^'\n]*'|"[^"\n]*")*)#.*$/gm, '$1');
  return [...code.matchAll(/\bdocker_build(_with_restart)?\(/g)].flatMap((call) => {
    const args = callArguments(code, call.index + call[0].length);
    const keyword = (name: string) =>
      args.find((arg) => new RegExp(`^\\s*${name}\\s*=(?!=)`).test(arg))?.replace(/^[^=]*=/, '');
    const positional = args.filter((arg) => !/^\s*\w+\s*=(?!=)/.test(arg));
    const string = (arg: string | undefined) =>
      arg === undefined ? undefined : /^\s*(['"])([^'"]*)\1\s*$/.exec(arg)?.[2];
    if (keyword('dockerfile_contents') !== undefined) return [];
    const context = string(keyword('context') ?? positional[1]);
    // docker_build's fourth parameter is the Dockerfile; docker_build_with_restart's is not.
    const dockerfileArg = keyword('dockerfile') ?? (call[1] === undefined ? positional[3] : undefined);
    const dockerfile = string(dockerfileArg);
    if (context === undefined || (dockerfileArg !== undefined && dockerfile === undefined)) return [];
    return [fromFolder(posix.dirname(file), dockerfile ?? posix.join(context, 'Dockerfile'))];
  });
}

/** A call's arguments as written, from after its `(` to its `)`: split at its own commas, not its lists' or strings'. */
function callArguments(code: string, from: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = '';
  let start = from;
  for (let i = from; i < code.length; i++) {
    const c = code[i]!;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && depth > 0) depth--;
    else if (c === ',' || c === ')') {
      if (depth > 0) continue;
      args.push(code.slice(start, i));
      if (c === ')') return args.filter((arg) => arg.trim() !== '');
      start = i + 1;
    }
  }
  return [];
}

/**
 * A GitHub workflow's jobs, each job's text once per combination of its own matrix with every
 * `${{ matrix.<key> }}` read as that combination's value (pullsar's `matrix: service: [worker, api, web]`
 * then `podman build -f ./apps/${{ matrix.service }}/Containerfile`), as GitHub runs them: the product of the
 * lists of plain values, less the `exclude:` entries, with each `include:` entry added to the combinations
 * whose own values it keeps, else one of its own. A matrix from an expression (`fromJSON(…)`) is not read.
 */
function matrixRuns(file: string, text: string): string[] {
  if (/^\.github\/workflows\//.test(file) && /\$\{\{\s*matrix\./.test(text))
    return yamlEntriesAt(text, ['jobs']).flatMap(({ value, text: job }) => {
      const matrix = (value as { strategy?: { matrix?: unknown } } | null)?.strategy?.matrix;
      return matrixCombinations(matrix).map((combination) =>
        job.replace(MATRIX_VALUE, (whole, key: string) => combination[key] ?? whole),
      );
    });
  // GitLab's `parallel: matrix:` (a list of variable sets, each the product of its lists), read where the
  // job's script uses them as `$SERVICE` or `${SERVICE}`.
  if (/(?:^|\/)\.gitlab-ci\.ya?ml$/.test(file) && /^\s+parallel:/m.test(text))
    return yamlEntriesAt(text, []).flatMap(({ value, text: job }) => {
      const matrix = (value as { parallel?: { matrix?: unknown } } | null)?.parallel?.matrix;
      const sets = Array.isArray(matrix) ? matrix : [];
      return sets.flatMap((set: unknown) =>
        productOf(plainLists(set)).map((combination) =>
          job.replace(
            /\$(?:\{(\w+)\}|(\w+))/g,
            (whole, braced?: string, bare?: string) => combination[(braced ?? bare)!] ?? whole,
          ),
        ),
      );
    });
  return [];
}

const MATRIX_VALUE = /\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g;

type Combination = Readonly<Record<string, string>>;

const MAKEFILE = /(?:^|\/)(?:(?:GNU)?[Mm]akefile|[\w.-]+\.mk)$/;

/**
 * A shell `for` loop's text once per word of its list, the loop's variable in its body read as that word
 * (`$app`, `${app}`; a Makefile recipe's `$$app`), as matrixRuns reads a matrix: mixwave's
 * `for package in "${arr[@]}"` then `cd $dir/packages/$package` and `docker build .`. The list is read where
 * its words are literal: written in the loop, or a bash array or variable assigned them before it, or a
 * Makefile variable (`SERVICES := api web`, then `for s in $(SERVICES)`). One known only when it runs
 * (`$(ls apps)`, `apps/*`, a variable appended to) is not read.
 */
function loopRuns(file: string, text: string): string[] {
  const make = MAKEFILE.test(file);
  return [...text.matchAll(/(?<![\w-])for[ \t]+(\w+)[ \t]+in[ \t]+([^;\n]*?)[ \t]*[;\n]\s*do(?![\w-])/g)].flatMap(
    (loop) => {
      const [head, name, list] = loop as unknown as [string, string, string];
      const start = loop.index + head.length;
      const end = loopEnd(text, start);
      const values = end !== undefined && loopWords(list, text, loop.index, make);
      if (!values) return [];
      const variable = new RegExp(`${make ? '\\$\\$' : '\\$'}(?:\\{${name}\\}|${name}(?!\\w))`, 'g');
      const body = text.slice(start, end);
      return values.map((value) => text.slice(0, start) + body.replace(variable, value) + text.slice(end));
    },
  );
}

/** Where the loop whose body starts at `from` ends: its own `done`, past those of the loops within it. */
function loopEnd(text: string, from: number): number | undefined {
  let depth = 1;
  for (const keyword of text.slice(from).matchAll(/(?<![\w-])(done|do)(?![\w-])/g)) {
    depth += keyword[1] === 'do' ? 1 : -1;
    if (depth === 0) return from + keyword.index;
  }
  return undefined;
}

/** A loop's list as literal words (`loopRuns`), undefined where any is known only when it runs. */
function loopWords(list: string, text: string, at: number, make: boolean): string[] | undefined {
  const last = (pattern: RegExp, within: string) => [...within.matchAll(pattern)].at(-1);
  const makeVariable = make ? /^\$[({](\w+)[)}]$/.exec(list)?.[1] : undefined;
  const array = /^"?\$\{(\w+)\[[@*]\]\}"?$/.exec(list)?.[1];
  const variable = /^\$(?:\{(\w+)\}|(\w+))$/.exec(list);
  let words = list;
  if (makeVariable !== undefined) {
    // Make's last assignment is the value a recipe sees, wherever it is; an appended or computed one is not read.
    const assigned = last(
      new RegExp(`^[ \\t]*(?:(?:override|export)[ \\t]+)?${makeVariable}[ \\t]*([:+?!]*)=(.*)$`, 'gm'),
      text,
    );
    if (assigned === undefined || !/^:{0,3}$|^\?$/.test(assigned[1]!)) return undefined;
    words = assigned[2]!;
  } else if (array !== undefined) {
    const assigned = last(new RegExp(`(?<![\\w$-])${array}(\\+?)=\\(([^)]*)\\)`, 'g'), text.slice(0, at));
    if (assigned === undefined || assigned[1] === '+') return undefined;
    words = assigned[2]!;
  } else if (variable && !make) {
    const assigned = last(
      new RegExp(`(?<![\\w$-])${variable[1] ?? variable[2]}(\\+?)=("[^"]*"|'[^']*'|[^\\s;]*)`, 'g'),
      text.slice(0, at),
    );
    if (assigned === undefined || assigned[1] === '+') return undefined;
    words = assigned[2]!.replace(/^(["'])(.*)\1$/s, '$2');
  }
  const commands = shellCommands(words);
  const [command, ...more] = commands;
  if (!command || more.length || command.redirects.length) return undefined;
  if (command.words.some((word) => word.dynamic || word.variables.length) || command.words.length > 256)
    return undefined;
  return command.words.map((word) => word.text);
}

const plain = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);

/** A matrix's keys with lists of plain values (GitLab's single values too: a list of one), but `include` and `exclude`. */
function plainLists(matrix: unknown): Array<[string, unknown[]]> {
  if (typeof matrix !== 'object' || matrix === null || Array.isArray(matrix)) return [];
  return Object.entries(matrix).flatMap(([key, value]): Array<[string, unknown[]]> => {
    const values = plain(value) ? [value] : value;
    return key !== 'include' && key !== 'exclude' && Array.isArray(values) && values.every(plain)
      ? [[key, values]]
      : [];
  });
}

/** Every combination of one value per key; none past the 256 jobs GitHub and GitLab run at most, or of no key. */
function productOf(lists: ReadonlyArray<[string, unknown[]]>): Combination[] {
  if (!lists.length || lists.reduce((size, [, values]) => size * values.length, 1) > 256) return [];
  return lists.reduce<Combination[]>(
    (product, [key, values]) => product.flatMap((c) => values.map((v) => ({ ...c, [key]: String(v) }))),
    [{}],
  );
}

function matrixCombinations(matrix: unknown): Combination[] {
  if (typeof matrix !== 'object' || matrix === null || Array.isArray(matrix)) return [];
  const entries = (list: unknown): Combination[] =>
    (Array.isArray(list) ? list : []).map((entry: unknown) =>
      typeof entry === 'object' && entry !== null
        ? Object.fromEntries(Object.entries(entry).flatMap(([k, v]) => (plain(v) ? [[k, String(v)]] : [])))
        : {},
    );
  const lists = plainLists(matrix).filter(([key]) => Array.isArray((matrix as Record<string, unknown>)[key]));
  const { include, exclude } = matrix as { include?: unknown; exclude?: unknown };
  const excluded = entries(exclude).filter((entry) => Object.keys(entry).length > 0);
  // A matrix of `include:` entries alone has no product: each entry is a combination.
  const combinations = productOf(lists).filter(
    (c) => !excluded.some((entry) => Object.entries(entry).every(([k, v]) => c[k] === v)),
  );
  const added: Combination[] = [];
  let merged = combinations;
  for (const entry of entries(include)) {
    const keeps = (original: Combination) =>
      Object.entries(entry).every(([k, v]) => original[k] === undefined || original[k] === v);
    if (!combinations.some(keeps)) added.push(entry);
    merged = merged.map((c, i) => (keeps(combinations[i]!) ? { ...c, ...entry } : c));
  }
  return [...merged, ...added];
}
