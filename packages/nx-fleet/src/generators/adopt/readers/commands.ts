import type { TargetConfiguration } from '@nx/devkit';
import { statedTarget } from '../../../services/projects';
import { readDockerBuild, isDockerBuild, workspacePath } from './docker-cli';
import { emptySetup, imageFromReferences, type ImageBuildSetup } from './setup';
import { shellCommands, type ShellCommand } from '../../../text/shell-words';
import { parseImageRef } from './image-ref';

export interface CommandSource {
  source: string;
  oldTarget?: string;
  /** Command lines, run in order (run-commands' `commands`, or one script). */
  scripts: readonly string[];
  /** Workspace-relative directory the commands run in. */
  cwd: string;
  dependsOn?: TargetConfiguration['dependsOn'];
  /** Orders the references the build tags: the first usable one names the image. */
  rankTags?: (references: string[]) => string[];
}

/**
 * The one `docker build` among a target's or a script's commands, read as a setup. No build: no
 * setup. Several builds in one chain are reported: which one is the service's image is a guess.
 */
export function setupFromCommands(input: CommandSource): ImageBuildSetup | undefined {
  const commands = input.scripts.flatMap((script) => shellCommands(script));
  const builds = commands.filter(isDockerBuild);
  if (!builds.length) return bakeSetup(input, commands);
  const setup = emptySetup(input.source, input.oldTarget);
  if (input.dependsOn?.length) setup.dependsOn = [...input.dependsOn];
  if (builds.length > 1) {
    setup.problems.push(
      `${builds.length} image builds in one command chain: which one is the service's is not guessed`,
    );
    return setup;
  }
  const build = builds[0]!;
  // `cd ../.. && docker build …` (starter-monorepo's app scripts): the build runs where the cds lead.
  const moves = commands.slice(0, commands.indexOf(build)).filter((command) => command.words[0]?.text === 'cd');
  let cwd: string | undefined = input.cwd;
  for (const move of moves) {
    const [, dir, ...rest] = move.words.map((word) => word.text);
    cwd = cwd !== undefined && dir && !rest.length && !/[$`~]/.test(dir) ? workspacePath(cwd, dir) : undefined;
  }
  if (cwd === undefined) {
    setup.problems.push(
      `${moves.map(quoteCommand).join(', ')} before the build leads to no folder of the workspace it can name`,
    );
    return setup;
  }
  const others = commands.filter((command) => command !== build && !moves.includes(command));
  if (others.length)
    setup.notes.push(
      `also runs ${others.map(quoteCommand).join(', ')}: not part of docker-build (a dependsOn can run it)`,
    );
  if (build.after === '|') setup.problems.push('the build reads its input from a pipe');
  const call = readDockerBuild(build, cwd);
  setup.problems.push(...call.problems);
  if (call.context !== undefined) setup.context = call.context;
  if (call.dockerfile !== undefined && call.context !== undefined) setup.dockerfile = call.dockerfile;
  if (Object.keys(call.buildArgs).length) setup.buildArgs = call.buildArgs;
  if (call.buildContexts) setup.buildContexts = call.buildContexts;
  if (call.target) setup.target = call.target;
  if (call.platforms?.length) setup.platforms = call.platforms;
  if (call.secrets?.length) setup.secrets = call.secrets;
  const references = call.tags.map((tag) => tag.text);
  imageFromReferences(input.rankTags ? input.rankTags(references) : references, setup, !input.rankTags);
  return setup;
}

/**
 * A `docker buildx bake` run (asafarim's `docker buildx bake -f ../../docker-bake.hcl web`): what it
 * builds is in the bake file, which adopt does not read, so it is named rather than passed over.
 */
function bakeSetup(input: CommandSource, commands: readonly ShellCommand[]): ImageBuildSetup | undefined {
  const bake = commands.find(({ words: [tool, first, second] }) =>
    /^(?:docker|podman)$/.test(tool?.text ?? '')
      ? first?.text === 'bake' || (first?.text === 'buildx' && second?.text === 'bake')
      : false,
  );
  if (!bake) return undefined;
  const setup = emptySetup(input.source, input.oldTarget);
  setup.problems.push(
    `runs ${quoteCommand(bake)}: bake files are not read; set "target", "image", "buildArgs" and "buildContexts" as its bake target says`,
  );
  return setup;
}

function quoteCommand(command: ShellCommand): string {
  const text = command.words.map((word) => word.text).join(' ');
  return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
}

/** run-commands' own options (its `propKeys` in Nx 23.2.1): any other option is passed on to the command. */
const RUN_COMMANDS_OPTIONS = new Set([
  'command',
  'commands',
  'color',
  'no-color',
  'parallel',
  'no-parallel',
  'readyWhen',
  'cwd',
  'args',
  'envFile',
  '__unparsed__',
  'env',
  'usePty',
  'streamOutput',
  'verbose',
  'forwardAllArgs',
  'tty',
]);

/**
 * The command lines of a run-commands target (its `command` shorthand, `command` or `commands`, with
 * `args`, and the options it does not know, which it passes on as `--name=value`: pagopa/dx's
 * `"platform": "linux/amd64"` on @nx/docker's target).
 */
export function runCommandsScripts(config: TargetConfiguration): string[] | undefined {
  if (statedTarget(config)?.executor !== 'nx:run-commands') return undefined;
  const options = (config.options ?? {}) as Record<string, unknown>;
  const raw = config.command ?? options['command'] ?? options['commands'];
  const list = (Array.isArray(raw) ? raw : [raw])
    .map((entry) => (typeof entry === 'object' && entry !== null ? (entry as { command?: unknown }).command : entry))
    .filter((entry): entry is string => typeof entry === 'string');
  const args = options['args'];
  const passedOn =
    options['forwardAllArgs'] === false
      ? []
      : Object.entries(options).flatMap(([name, value]) =>
          RUN_COMMANDS_OPTIONS.has(name) || typeof value === 'object' || value === undefined
            ? []
            : [`--${name}=${value}`],
        );
  const extra = [
    ...passedOn,
    ...(Array.isArray(args) ? args.filter((a) => typeof a === 'string') : typeof args === 'string' ? [args] : []),
  ].join(' ');
  // run-commands appends args to each command that does not place them with {args}; one naming
  // `{args.<name>}` takes those values and nothing else.
  return list.map((command) =>
    extra && !command.includes('{args.')
      ? command.includes('{args}')
        ? command.replaceAll('{args}', extra)
        : `${command} ${extra}`
      : command,
  );
}

/** run-commands runs in the workspace root unless `cwd` (workspace-relative) says otherwise. */
export function runCommandsCwd(config: TargetConfiguration): string {
  const cwd = (config.options as { cwd?: unknown } | undefined)?.cwd;
  return typeof cwd === 'string' && cwd ? cwd.replace(/^\.\//, '').replace(/\/+$/, '') || '.' : '.';
}

/**
 * What a project's own push target runs, and the image reference it pushes when that is all it does:
 * one `docker push <ref>` (or podman's, or `docker image push`), a variable at most in the tag
 * (Azkaban_V4's `docker push toxictoast/azkaban:{args.VERSION}`).
 */
export function ownPush(config: TargetConfiguration): { command: string; reference?: string } | undefined {
  const scripts = runCommandsScripts(config);
  if (!scripts?.length) return undefined;
  const command = scripts.join(' && ');
  const commands = scripts.flatMap((script) => shellCommands(script));
  const [tool, ...args] = commands.length === 1 ? commands[0]!.words : [];
  const [push, reference, ...rest] = args[0]?.text === 'image' ? args.slice(1) : args;
  const pushes = !!tool && /^(?:docker|podman)$/.test(tool.text) && push?.text === 'push' && !rest.length;
  return pushes && reference && !reference.dynamic && !parseImageRef(reference.text).repository.includes('$')
    ? { command, reference: reference.text }
    : { command };
}
