import { posix } from 'node:path';
import { shellCommands } from '../text/shell-words';
import { containerfileVariant } from '../services/detection';
import { literal } from '../text/reg-exp';
import {
  buildOutputOwner,
  buildsEveryPackage,
  buildsFolder,
  buildsPackage,
  insideOf,
  NEST_FLAGS,
  PACKAGE_SELECTORS,
  scriptCalls,
  selectsPackage,
} from './context-inference';
import { contextPath, DockerfileReading, type Step } from './dockerfile-copies';

export interface PrunedFor {
  /** The project's name. */
  project: string;
  /** The RUN that prunes the workspace to it, or builds it by name, as written; or the CMD that runs it. */
  step: Step;
  /** The step runs the project's sources in its folder, unbuilt (bun's `ENTRYPOINT ["bun", "src/index.ts"]`). */
  runs?: true;
}

type NamedProject = {
  name: string;
  root: string;
  packageName?: string;
  /** Other names a tool builds it by (its angular.json key). */
  aliases?: readonly string[];
};

/**
 * The one workspace project a Dockerfile no project builds is that project's image: it builds one
 * image (a single final stage) and every prune tool in it cuts the workspace down to that project
 * (`turbo prune --scope=@documenso/remix`, `pnpm --filter=./apps/api deploy`, `yarn workspaces focus
 * api`), named by package name, project name or folder. Several images (stages), several projects or
 * none: undefined, for the warning that names the file to decide.
 */
export function prunedFor(
  dockerfileText: string,
  projects: ReadonlyArray<{ name: string; root: string; packageName?: string }>,
  /** The workspace root's package.json scripts: a RUN may run the prune tool through one (streamr's `npm run prune-pkg -- @streamr/node`). */
  rootScripts: Readonly<Record<string, unknown>> = {},
  /** The workspace projects a project depends on (by root): their folders are the pruned project's to copy. */
  dependencyRoots: (root: string) => readonly string[] = () => [],
): PrunedFor | undefined {
  const reading = new DockerfileReading(dockerfileText);
  if (reading.finalStages.length !== 1) return undefined;
  const found = new Map<string, Step>();
  for (const { step, selector } of prunedBy(reading, rootScripts)) {
    const project = projectOf(selector, projects);
    if (project === undefined) return undefined;
    if (!found.has(project)) found.set(project, step);
  }
  if (found.size !== 1) return undefined;
  const [[project, step]] = [...found];
  const root = projects.find((p) => p.name === project)!.root;
  if (copiesOtherProject(reading, projects, new Set([root, ...dependencyRoots(root)]))) return undefined;
  return { project: project!, step: step! };
}

/**
 * Whether the file copies code of a project outside `own` (the project and what it depends on): then
 * the image is that project's, which prunes to a library in a stage of its own (auxx's
 * `apps/lambda/Dockerfile.server`, whose first stage installs and builds `--filter @auxx/sdk...`). A
 * project's manifest alone is an install's, as a filtered install copies every one.
 */
function copiesOtherProject(
  reading: DockerfileReading,
  projects: ReadonlyArray<{ root: string }>,
  own: ReadonlySet<string>,
): boolean {
  return reading.sources.some(({ source }) => {
    const path = contextPath(source);
    if (posix.basename(path) === 'package.json') return false;
    const holder = projects
      .filter((p) => p.root !== '.' && insideOf(path, p.root))
      .sort((a, b) => b.root.length - a.root.length)[0];
    return holder !== undefined && !own.has(holder.root);
  });
}

/**
 * The one workspace project a Dockerfile no project builds is named after and builds by name: the
 * file or its folder bears the project's name (OpenLiveSlide's `docker/realtime.Dockerfile`, clawix's
 * `infra/docker/web/Dockerfile`; the project's name, its package name without scope, or its folder's
 * name), and the RUNs of the stages built build that project, and no other, by name (`pnpm --filter
 * @acme/realtime build`, `nx build web`, also through a root script: life-stats' `npm run api:build`,
 * `cd packages/api && npm run build`), besides the projects it depends on (sill's web images build
 * their libraries first, each in its folder); or build every package where the file copies the
 * project's folder and no other project's (Durmah's `infra/docker/admin.Dockerfile`, `npm run build`
 * of the root's `--workspaces`); or its command runs the project by name (ParkingSystem's `CMD ["nx",
 * "serve", "api"]`). A name alone, or a build alone, is no claim: a Dockerfile after a library may build
 * it, one that builds a library may be the app's.
 */
export function namedBuildFor(
  dockerfile: string,
  dockerfileText: string,
  projects: readonly NamedProject[],
  /** The workspace projects a project depends on (by root): those the file builds first are its own (sill's web). */
  dependencyRoots: (root: string) => readonly string[] = () => [],
  /** The workspace root's package.json scripts, which a RUN may build through. */
  rootScripts: Readonly<Record<string, unknown>> = {},
): PrunedFor | undefined {
  const named = fileName(dockerfile);
  const exact = namedAfter(dockerfile, projects);
  // Else by its folder's name as words of the file's (school-v2's `docker/feature-login.Dockerfile`,
  // of `apps/features/login`, named `features-login`; NavyOnlineMvp's `docker-entity-service.dockerfile`
  // of `apps/entity-service`): of those, the one it builds by name below.
  const inWords = (folder: string) =>
    folder !== named && new RegExp(`(?:^|[-_.])${literal(folder)}(?:[-_.]|$)`).test(named);
  const worded = exact.length
    ? exact
    : projects.filter((project) => inWords(posix.basename(project.root).toLowerCase()));
  // Named after several (world-wide-webb's `@control-center/api` and `@dont-text-your-ex/api`): as by
  // words, the one it builds or runs.
  if (!worded.length) return undefined;
  return buildsOneOf(dockerfileText, worded, projects, dependencyRoots, rootScripts);
}

/**
 * Of the candidates, the one project the file builds by name (or starts by name, `runs`), and no other
 * project but those it depends on: `namedBuildFor` after the name, and the workspace root's own
 * Dockerfile where the root is no Nx project (ci-cd's `RUN npx nx run api:build:production`, its
 * `dist/apps/api` shipped), whose candidates are every project.
 */
export function buildsOneOf(
  dockerfileText: string,
  worded: readonly NamedProject[],
  projects: readonly NamedProject[],
  dependencyRoots: (root: string) => readonly string[] = () => [],
  rootScripts: Readonly<Record<string, unknown>> = {},
): PrunedFor | undefined {
  const reading = new DockerfileReading(dockerfileText);
  if (reading.finalStages.length !== 1) return undefined;
  // A RUN's own commands and the root scripts it runs where it runs beside the root package.json it copied.
  const commands = ({ text, line }: Step) => [
    text,
    ...(reading.rootManifestRuns.has(line) ? rootScriptsRun(text, rootScripts) : []),
  ];
  const names = (project: NamedProject) =>
    [project.name, project.packageName, ...(project.aliases ?? [])].filter((name) => name !== undefined);
  // By its name, by its folder (`pnpm -C apps/api build`), or run there (`cd apps/api && npm run build`).
  const builtThere = (project: NamedProject) =>
    reading.localBuilds.find(({ source }) => contextPath(source) === project.root)?.line;
  const builds = (project: NamedProject) =>
    reading.runs.find(
      (step) =>
        commands(step).some(
          (command) =>
            names(project).some((name) => buildsPackage(command, name)) ||
            buildsFolder(command, project.root) ||
            buildsEntered(command, project.root),
        ) || step.line === builtThere(project),
    );
  const buildsAll = reading.runs.find((step) => commands(step).some(buildsEveryPackage));
  const copiesAlone = (project: NamedProject) =>
    reading.sources.some(({ source }) => insideOf(contextPath(source), project.root)) &&
    !copiesOtherProject(reading, projects, new Set([project.root, ...dependencyRoots(project.root)]));
  // Or started in its folder, where nothing builds it (bun runs TypeScript as it is), or by name.
  const start = reading.startFolders.at(-1);
  const command = reading.command;
  // Or its sources run by their path (`CMD ["bun", "run", "apps/api/src/index.ts"]`): the deepest project
  // holding the script, not a workspace folder above it that is a project too; a build's output
  // (`apps/api/dist/main.js`) is no source run unbuilt.
  const scripts = reading.startScripts.filter(({ line }) => line === command?.line);
  const holds = (project: NamedProject, path: string) =>
    insideOf(path, project.root) &&
    !projects.some(
      (other) => other.root !== project.root && insideOf(other.root, project.root) && insideOf(path, other.root),
    );
  const runsScript = (project: NamedProject) =>
    scripts.some(
      ({ source }) => holds(project, contextPath(source)) && !buildOutputOwner(contextPath(source), projects),
    );
  // The command, and the root scripts it runs beside the root package.json (NavyOnlineMvp's `CMD npm run
  // start:entity-service:prod`, the root's `nest start entity-service`).
  const commandTexts = ({ text, line }: Step) => {
    const run = commandText(text);
    return [run, ...(reading.rootManifestCommands.has(line) ? rootScriptsRun(`RUN ${run}`, rootScripts) : [])];
  };
  const starts = (project: NamedProject): Step | undefined =>
    start && contextPath(start.source) === project.root
      ? { line: start.line, text: start.instruction }
      : command &&
          (runsScript(project) ||
            names(project).some((name) => commandTexts(command).some((text) => runsByName(text, name))))
        ? command
        : undefined;
  const bearing = worded.length === 1 ? worded : worded.filter((project) => builds(project) ?? starts(project));
  if (bearing.length !== 1) return undefined;
  const project = bearing[0]!;
  const built = builds(project) ?? (copiesAlone(project) ? buildsAll : undefined);
  const started = built ? undefined : starts(project);
  if (!built && !started) return undefined;
  const own = new Set(dependencyRoots(project.root));
  if (projects.some((other) => other !== project && !own.has(other.root) && builds(other))) return undefined;
  return built ? { project: project.name, step: built } : { project: project.name, step: started!, runs: true };
}

/**
 * The one project the workspace root's own Dockerfile builds by name (not one it only starts), of the
 * projects below the root: a root that is no Nx project ships that project's image (ci-cd's
 * `npx nx run api:build:production`, then `dist/apps/api`).
 */
export function rootBuildFor(
  dockerfileText: string,
  projects: readonly NamedProject[],
  dependencyRoots: (root: string) => readonly string[] = () => [],
  rootScripts: Readonly<Record<string, unknown>> = {},
): PrunedFor | undefined {
  const below = projects.filter((project) => project.root !== '.');
  const found = buildsOneOf(dockerfileText, below, below, dependencyRoots, rootScripts);
  return found?.runs ? undefined : found;
}

/**
 * Whose image the workspace root's own plain Dockerfile is, where the root states no settings: another
 * project it prunes the workspace to (HazelHook's root, a copy of its backend's `turbo prune backend`;
 * cobalt's `pnpm deploy --filter=@imput/cobalt-api`), whatever that project's own image; or, where the
 * root is no Nx project, the one it builds by name (`rootBuildFor`) where that project has no image of
 * its own. Undefined: the root's. `pruned`: by a prune tool. create-nodes (`withoutPrunedRoot`) and
 * adopt alike, so that both give the file to the same project.
 */
export function rootDockerfileFor(
  dockerfileText: string,
  /** The Nx projects, the root among them where it is one. */
  projects: readonly NamedProject[],
  root: { name: string; nxProject: boolean },
  /** Whether a project has an image of its own (a Dockerfile in its folder, or one its settings name). */
  hasImage: (project: string) => boolean,
  dependencyRoots: (root: string) => readonly string[] = () => [],
  rootScripts: Readonly<Record<string, unknown>> = {},
): (PrunedFor & { pruned: boolean }) | undefined {
  const pruned = prunedFor(dockerfileText, projects, rootScripts, dependencyRoots);
  const found =
    pruned ?? (root.nxProject ? undefined : rootBuildFor(dockerfileText, projects, dependencyRoots, rootScripts));
  if (!found || found.project === root.name) return undefined;
  // A build by name of a project with an image of its own leaves the root's as it was (an image of its own too).
  if (!pruned && hasImage(found.project)) return undefined;
  return { ...found, pruned: !!pruned };
}

/**
 * The texts of the root scripts a RUN runs before any `cd` (after one, `npm run build` is that folder's
 * own: atlas' `cd apps/docs && bun run build`).
 */
function rootScriptsRun(run: string, rootScripts: Readonly<Record<string, unknown>>): string[] {
  const texts: string[] = [];
  for (const { words } of shellCommands(run.replace(/^RUN\s+(?:--\S+\s+)*/i, ''))) {
    const command = words.map((word) => word.text);
    if (command[0] === 'cd') break;
    // The words passed on follow the script's own (`npm run build api`, the root's `nest build`: `nest build api`).
    for (const { name, args } of scriptCalls(`RUN ${command.join(' ')}`)) {
      const script = rootScripts[name];
      if (typeof script === 'string') texts.push([script, ...args].join(' '));
    }
  }
  return texts;
}

/** Whether a command enters the project's folder, then builds there (a root script's `cd packages/api && npm run build`). */
function buildsEntered(command: string, root: string): boolean {
  let folder = '.';
  return shellCommands(command).some(({ words }) => {
    const [tool, target] = words.map((word) => word.text);
    if (tool === 'cd' && target) {
      folder = posix.normalize(posix.join(folder, target)).replace(/\/$/, '');
      return false;
    }
    return folder === root && /\bbuild\b|\btsc\b/.test(words.map((word) => word.text).join(' '));
  });
}

/** A CMD's or ENTRYPOINT's command as shell words (its exec form's array joined). */
function commandText(instruction: string): string {
  const body = instruction.replace(/^\S+\s+/, '').trim();
  if (!body.startsWith('[')) return body;
  try {
    return (JSON.parse(body) as unknown[]).join(' ');
  } catch {
    return body;
  }
}

/**
 * Whether a command runs the project by name with the workspace's tool (`nx serve api`, `nx run
 * api:start`, the Nest CLI's `nest start api`) or its package manager's (web-minigames' `yarn workspace
 * @wmg/backend start`, `npm start -w api`, `pnpm --filter api start`).
 */
function runsByName(text: string, name: string): boolean {
  const n = literal(name);
  return (
    new RegExp(
      `\\b(?:nx|ng)\\s+(?:run\\s+${n}:[\\w-]+|[\\w-]+\\s+${n})(?:\\s|$)|(?:\\bnest|@nestjs/cli)\\s+start${NEST_FLAGS}\\s+${n}(?:\\s|$)|\\byarn\\s+workspace\\s+${n}\\s`,
    ).test(text) || selectsPackage(text, name)
  );
}

/** What a Dockerfile is named: its variant (`docker/api.Dockerfile`), else its folder (`deploy/api/Dockerfile`), in lower case. */
function fileName(dockerfile: string): string {
  return (containerfileVariant(dockerfile) || posix.basename(posix.dirname(dockerfile))).toLowerCase();
}

/** The projects a Dockerfile's file or folder name is one of the names of. */
function namedAfter<P extends NamedProject>(dockerfile: string, projects: readonly P[]): P[] {
  const named = fileName(dockerfile);
  return projects.filter((project) => namesOf(project).includes(named));
}

/** The one project a Dockerfile is named after, for advice: whether it builds that project is not asked. */
export function namedProject<P extends NamedProject>(dockerfile: string, projects: readonly P[]): P | undefined {
  const exact = namedAfter(dockerfile, projects);
  return exact.length === 1 ? exact[0] : undefined;
}

/**
 * The folder a Dockerfile no project builds copies and is named after, where no project is (web-app's
 * `docker/backend.Dockerfile`, `COPY apps/backend/ .`, a Python service): a project there with a name is
 * what makes it an image — not one in the Dockerfile's own folder. Sources read from the workspace root,
 * as such files are built.
 */
export function namedFolder(
  dockerfile: string,
  reading: DockerfileReading,
  isFolder: (path: string) => boolean,
): string | undefined {
  const named = fileName(dockerfile);
  const folders = new Set(
    reading.sources.flatMap(({ source }) => {
      const path = contextPath(source);
      return path && path !== '.' && posix.basename(path).toLowerCase() === named && isFolder(path) ? [path] : [];
    }),
  );
  return folders.size === 1 ? [...folders][0] : undefined;
}

/** The names a Dockerfile's file, folder or stage may call a project by, in lower case. */
export function namesOf({ name, root, packageName, aliases = [] }: NamedProject): string[] {
  return [name, packageName?.replace(/^@[^/]+\//, ''), posix.basename(root), ...aliases].flatMap((n) =>
    n ? [n.toLowerCase()] : [],
  );
}

/**
 * The steps (of the stages built) that pick the project to prune, build or copy by a build argument
 * the build leaves without a value, with those arguments: torus-ts' one `docker/Dockerfile` for every
 * app, `turbo prune ${APP_NAME}`; the Nest CLI's monorepo Dockerfiles, `npm run build ${APP}` (the
 * root's `nest build`) or `nest build $APP`; bins' `cd packages/$APP_NAME && yarn build`; myhealthBC's
 * `COPY ./apps/$BUILD_CONTEXT apps/$BUILD_CONTEXT`. Each build of the file names its project; without
 * one, the tool picks its default project, or none, and a COPY takes the whole folder.
 */
export function selectorArguments(reading: DockerfileReading): Array<{ step: Step; args: string[] }> {
  const declared = reading.declaredArgs;
  // A build script's argument may be a flag (`npm run build $FLAGS`): it selects where the file also
  // names a path by it (`dist/apps/${APP}/main`).
  const inPaths = new Set(
    reading.steps.flatMap(({ text }) => [...text.matchAll(/\/\$\{?(\w+)\}?/g)].map((match) => match[1]!)),
  );
  const found = reading.runs.map((step) => {
    const run = step.text.replace(/^RUN\s+/i, '');
    const pruned = pruneSelectors(run);
    // Once a project is named as written, a variable word is a flag's value (`turbo prune api $FLAGS`).
    const prune = pruned.some((selector) => !selector.includes('$')) ? [] : pruned;
    const selectors = [
      ...prune,
      ...[...run.matchAll(BUILD_SELECTOR)].map((match) => match[1]!),
      ...[...run.matchAll(SCRIPT_ARGUMENT)].map((match) => match[1]!).filter((word) => inPaths.has(nameOf(word))),
    ];
    return { step, args: selectors.flatMap((selector) => [...selector.matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1]!)) };
  });
  const copies = reading.written.flatMap(({ line, instruction, unset }) =>
    unset ? [{ step: { line, text: instruction }, args: unset.args }] : [],
  );
  return [...found, ...reading.variableBuildFolders, ...copies]
    .map(({ step, args }) => ({ step, args: [...new Set(args)].filter((name) => declared.has(name)) }))
    .filter(({ args }) => args.length)
    .sort((a, b) => a.step.line - b.step.line);
}

/**
 * A build that names its project in a word holding a variable: `nest build $APP`, `ng build $APP`,
 * `nx build $APP`, `nx run $APP:build`, `nx run-many -p $APP`, a package selector (`pnpm --filter
 * @acme/${APP} build`, `turbo run build --filter={./apps/$APP}...`, `npm run build -w $APP`, `lerna run
 * build --scope @acme/$APP`, `rush build --to $APP`), `yarn workspace $APP`, or a script named by it
 * (`npm run build:$APP`, coti's `npm run build-${APPLICATION_NAME}`).
 */
const BUILD_SELECTOR = new RegExp(
  String.raw`(?:${[
    String.raw`\b(?:nest|ng|nx)\s+build`,
    String.raw`\bnx\s+run`,
    String.raw`\bnx\s+run-many\b[^&|;\n]*\s(?:-p|--projects)[\s=]`,
    ...PACKAGE_SELECTORS.map(({ tool, flags }) => String.raw`${tool.source}[^&|;\n]*\s(?:${flags})[\s=]`),
    String.raw`\byarn\s+workspace`,
    String.raw`\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?build[:-]`,
  ].join('|')})\s*['"]?([^\s'"]*\$[^\s'"]*)`,
  'g',
);
/** A build script's first argument, a variable: `npm run build ${APP}`, `yarn build -- $APP`. */
const SCRIPT_ARGUMENT = /\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?build[\w:-]*(?:\s+--)?\s+['"]?(\$\{?\w+\}?)/g;

/**
 * The paths and packages a Dockerfile names by a build argument, up to the segment it is in:
 * `apps/${APP_NAME}` of `COPY apps/${APP_NAME}/package.json …`, `@acme/${APP}` of `pnpm --filter
 * @acme/${APP} build` (not one holding another variable before it).
 */
export function argumentTemplates(reading: DockerfileReading, arg: string): Array<{ before: string; after: string }> {
  const variable = new RegExp(`\\$\\{?${arg}\\}?`);
  return reading.steps.flatMap(({ text }) =>
    [...text.matchAll(new RegExp(`[\\w@./{}$-]*\\$\\{?${arg}\\}?[\\w@./{}$-]*`, 'g'))].flatMap(([word]) => {
      const end = word.indexOf('/', word.search(variable));
      const written = word.slice(0, end < 0 ? undefined : end).replace(/^[\w-]*=|^\.\//, '');
      const [before, after] = written.split(variable);
      return before === undefined || after === undefined || /\$/.test(before + after) ? [] : [{ before, after }];
    }),
  );
}

/**
 * The value a build argument takes for a project, where the Dockerfile names a path or package by it
 * that is the project's: `COPY apps/${APP_NAME} …` is `auth` for `apps/auth` (not the project's name,
 * `@email-platform/auth`), `pnpm --filter @acme/${APP} build` is `auth` for `@acme/auth`.
 */
export function argumentValue(
  reading: DockerfileReading,
  arg: string,
  project: { root: string; name: string; packageName?: string },
): string | undefined {
  for (const { before, after } of argumentTemplates(reading, arg)) {
    // The argument alone (`nest build $APP`, `nx build $APP`) names the project as a tool knows it: only
    // where its folder bears the same name is that name sure.
    if (!before && !after) {
      if (posix.basename(project.root) === project.name) return project.name;
      continue;
    }
    for (const candidate of [project.root, project.packageName, project.name])
      if (
        candidate?.startsWith(before) &&
        candidate.endsWith(after) &&
        candidate.length > before.length + after.length
      ) {
        const value = candidate.slice(before.length, candidate.length - after.length);
        if (!value.includes('/') && value !== '.' && value !== '..') return value;
      }
  }
  return undefined;
}

function nameOf(variable: string): string {
  return variable.replace(/^\$\{?|\}$/g, '');
}

/** The workspace projects the prune tools of a Dockerfile are asked to keep, by name (those a selector names). */
export function prunedProjects(
  reading: DockerfileReading,
  projects: readonly NamedProject[],
  rootScripts: Readonly<Record<string, unknown>> = {},
): string[] {
  return [...new Set(prunedBy(reading, rootScripts).flatMap(({ selector }) => projectOf(selector, projects) ?? []))];
}

/** Every prune tool's selector in the Dockerfile's RUN steps, with its step. */
export function prunedBy(
  reading: DockerfileReading,
  rootScripts: Readonly<Record<string, unknown>> = {},
): Array<{ step: Step; selector: string }> {
  return reading.steps.flatMap((step) =>
    /^RUN\s/i.test(step.text)
      ? pruneSelectors(step.text.replace(/^RUN\s+/i, ''), rootScripts).map((selector) => ({ step, selector }))
      : [],
  );
}

/**
 * What each prune tool a RUN runs is asked to keep, as written: `turbo prune`, `pnpm deploy`, a pnpm
 * install filtered to packages, `yarn workspaces focus`, `npm prune --workspace`, also through a root
 * script (`npm run <script> -- <args>`).
 */
export function pruneSelectors(run: string, rootScripts: Readonly<Record<string, unknown>> = {}): string[] {
  const selectors: string[] = [];
  for (const { words } of shellCommands(run.replace(/^(?:--\S+\s+)+/, ''))) {
    // After `npx`, `corepack` or variables set for the command (`CI=true pnpm deploy …`).
    const texts = words.map((word) => word.text);
    const turbo = texts.findIndex((word, i) => /^turbo(?:@\S+)?$/.test(word) && texts[i + 1] === 'prune');
    const pnpm = texts.indexOf('pnpm');
    const yarn = texts.indexOf('yarn');
    const npm = texts.indexOf('npm');
    const rush = texts.findIndex((word) => word === 'rush' || word.endsWith('/install-run-rush.js'));
    const bun = texts.indexOf('bun');
    const script = npm >= 0 && texts[npm + 1] === 'run' ? rootScripts[texts[npm + 2] ?? ''] : undefined;
    if (turbo >= 0) selectors.push(...flagged(texts.slice(turbo + 2), ['--scope'], true));
    else if (pnpm >= 0 && texts.includes('deploy', pnpm))
      selectors.push(...flagged(texts.slice(pnpm + 1), ['--filter', '-F'], false));
    // An install filtered to a package (langwatch's `pnpm install --frozen-lockfile --filter "@langwatch/web..."`).
    else if (pnpm >= 0 && texts.slice(pnpm + 1).some((word) => word === 'install' || word === 'i'))
      selectors.push(...flagged(texts.slice(pnpm + 1), ['--filter', '-F'], false));
    // bun's too (`bun install --frozen-lockfile --filter server`).
    else if (bun >= 0 && texts.slice(bun + 1).some((word) => word === 'install' || word === 'i'))
      selectors.push(...flagged(texts.slice(bun + 1), ['--filter', '-F'], false));
    else if (yarn >= 0 && texts[yarn + 1] === 'workspaces' && texts[yarn + 2] === 'focus')
      selectors.push(...texts.slice(yarn + 3).filter((word) => !word.startsWith('-')));
    else if (npm >= 0 && texts[npm + 1] === 'prune')
      selectors.push(...flagged(texts.slice(npm + 2), ['--workspace', '-w'], false));
    // Rush, itself or through the repository's `common/scripts/install-run-rush.js`.
    else if (rush >= 0 && texts[rush + 1] === 'deploy')
      selectors.push(...flagged(texts.slice(rush + 2), ['--project', '-p'], false));
    // The arguments after `--` follow the script's own words (a trailing `--workspace` takes the name).
    else if (typeof script === 'string') {
      const dashes = texts.indexOf('--', npm);
      const args = dashes < 0 ? [] : texts.slice(dashes + 1);
      selectors.push(...pruneSelectors([script, ...args].join(' ')));
    }
  }
  return selectors;
}

/** The values of the flags (`--scope=a`, `--scope a`), and the bare words too where the tool reads them so. */
function flagged(words: readonly string[], flags: readonly string[], positional: boolean): string[] {
  const values: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = flags.find((f) => word === f || word.startsWith(`${f}=`));
    if (flag) values.push(word === flag ? (words[++i] ?? '') : word.slice(flag.length + 1));
    else if (positional && !word.startsWith('-')) values.push(word);
  }
  return values.filter(Boolean);
}

/** A pnpm or turbo selector (`api...`, `{./apps/api}`, `./apps/api`) as the project it names. */
function projectOf(selector: string, projects: readonly NamedProject[]): string | undefined {
  const plain = selector.replace(/^\^?(?:\.\.\.)?\{?|\}?(?:\.\.\.)?$/g, '');
  const root = posix.normalize(plain).replace(/\/+$/, '');
  return (
    projects.find((project) => project.root === root) ??
    projects.find((project) => project.packageName === plain || project.name === plain)
  )?.name;
}

/**
 * Whether a Dockerfile kept in a container folder of a project is not that project's image: it copies
 * a file from that folder itself (a source found there, and neither in the project folder nor at the
 * workspace root), or, at the workspace root, it prunes the workspace to an app (unsend's
 * `turbo prune web` in `docker/Dockerfile`), whose image it is. `exists`: a workspace path is a file
 * or a folder; `reading`: the Dockerfile read (undefined when it cannot be).
 */
export function notTheProjects(
  exists: (path: string) => boolean,
  reading: (dockerfile: string) => DockerfileReading | undefined,
): (dockerfile: string) => boolean {
  // A glob is looked up by the folders before its first wildcard (pulumi's `COPY ./app/* /usr/src/app/`).
  const literal = (source: string) =>
    /[*?[{]/.test(source) ? source.split(/[*?[{]/)[0]!.replace(/[^/]*$/, '') || source : source;
  const at = (base: string, source: string) => exists(withoutSlash(posix.normalize(posix.join(base, literal(source)))));
  return (dockerfile) => {
    const read = reading(dockerfile);
    if (read === undefined) return false;
    const folder = posix.dirname(dockerfile);
    const project = posix.dirname(folder);
    if (project === '.' && prunedBy(read).length) return true;
    return read.sources.some(({ source }) =>
      // A whole copy decides nothing, but at the root it is a monorepo's, most often one app's image
      // (a root docker/Dockerfile with `COPY . .`): that stays unclaimed, for the project it builds.
      withoutSlash(posix.normalize(source)) === '.'
        ? project === '.'
        : at(folder, source) && !at(project, source) && !at('.', source),
    );
  };
}

function withoutSlash(path: string): string {
  return path.replace(/\/+$/, '');
}
