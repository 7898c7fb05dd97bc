import { posix } from 'node:path';
import type { BuildSecret } from '../../../engines/engine';
import { namedContextSource } from '../../../config/service-settings';
import type { ShellCommand, ShellWord } from '../../../text/shell-words';

/** What one `docker build` command line states, read without running it. */
export interface DockerBuildCall {
  /** Every `--tag`/`-t` value, as written. */
  tags: ShellWord[];
  /** Workspace-relative; the context's `Dockerfile` when no `--file` is given. */
  dockerfile?: string;
  /** Workspace-relative directory. */
  context?: string;
  buildArgs: Record<string, string>;
  /** `--build-context` values: workspace folders (workspace-relative) and `docker-image://` references, by name. */
  buildContexts?: Record<string, string>;
  target?: string;
  /** `--platform` values, each of a comma-separated list. */
  platforms?: string[];
  /** `--secret` values: files workspace-relative (or absolute), or environment variables. */
  secrets?: BuildSecret[];
  /** What cannot be carried over, one sentence each. */
  problems: string[];
}

/** Flags of `docker build`, `docker buildx build` and `podman build` that take a value (the rest are switches). */
const VALUE_FLAGS = new Set([
  '--add-host',
  '--allow',
  '--annotation',
  '--attest',
  '--build-arg',
  '--build-context',
  '--builder',
  '--cache-from',
  '--cache-to',
  '--call',
  '--cgroup-parent',
  '--cpu-period',
  '--cpu-quota',
  '--cpu-shares',
  '-c',
  '--cpuset-cpus',
  '--cpuset-mems',
  '--file',
  '-f',
  '--iidfile',
  '--isolation',
  '--label',
  '--memory',
  '-m',
  '--memory-swap',
  '--metadata-file',
  '--network',
  '--no-cache-filter',
  '--output',
  '-o',
  '--platform',
  '--progress',
  '--provenance',
  '--sbom',
  '--secret',
  '--security-opt',
  '--shm-size',
  '--ssh',
  '--tag',
  '-t',
  '--target',
  '--ulimit',
  '--format',
  '--jobs',
  '--runtime',
]);

/**
 * Where a command's `build` subcommand starts: `docker build`, `docker buildx build`, `docker image
 * build`, `podman build`, after any `VAR=value` prefixes. Undefined for any other command.
 */
function buildArgsStart(words: readonly ShellWord[]): number | undefined {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.text)) i++;
  const [tool, sub, subsub] = words.slice(i).map((w) => w.text);
  if (tool !== 'docker' && tool !== 'podman') return undefined;
  if (sub === 'build') return i + 2;
  if (tool === 'docker' && (sub === 'buildx' || sub === 'image') && subsub === 'build') return i + 3;
  return undefined;
}

export function isDockerBuild(command: ShellCommand): boolean {
  return buildArgsStart(command.words) !== undefined;
}

/**
 * Reads the image, Dockerfile, context, build args and target stage of a build command run in `cwd`
 * (workspace-relative). What depends on the environment (a variable in a path, a build arg without
 * a value) or on stdin (`-` as context) is reported, never guessed.
 */
export function readDockerBuild(command: ShellCommand, cwd: string): DockerBuildCall {
  const start = buildArgsStart(command.words);
  const call: DockerBuildCall = { tags: [], buildArgs: {}, problems: [] };
  if (start === undefined) return call;
  const words = command.words.slice(start);
  const positionals: ShellWord[] = [];
  let file: ShellWord | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.text.startsWith('-') || word.text === '-') {
      positionals.push(word);
      continue;
    }
    const eq = word.text.indexOf('=');
    const flag = word.text.startsWith('--') && eq > 0 ? word.text.slice(0, eq) : word.text;
    if (!VALUE_FLAGS.has(flag)) continue;
    const value: ShellWord | undefined = flag === word.text ? words[++i] : { ...word, text: word.text.slice(eq + 1) };
    if (!value) {
      call.problems.push(`${flag} has no value`);
      continue;
    }
    if (flag === '--tag' || flag === '-t') call.tags.push(value);
    else if (flag === '--file' || flag === '-f') file = value;
    else if (flag === '--target') {
      if (isLiteral(value)) call.target = value.text;
      else call.problems.push(`--target ${value.text} depends on the environment`);
    } else if (flag === '--platform') {
      if (isLiteral(value)) call.platforms = [...(call.platforms ?? []), ...value.text.split(',').filter(Boolean)];
      else call.problems.push(`--platform ${value.text} depends on the environment`);
    } else if (flag === '--build-arg') readBuildArg(value, call);
    else if (flag === '--build-context') readBuildContext(value, cwd, call);
    else if (flag === '--secret') readSecret(value, cwd, call);
    else if (flag === '--ssh') call.problems.push(`--ssh ${value.text}: docker-build forwards no SSH agent`);
  }
  const [context, ...extra] = positionals;
  if (extra.length) call.problems.push(`unexpected arguments after the context: ${extra.map((w) => w.text).join(' ')}`);
  if (!context) call.problems.push('no build context argument');
  else if (context.text === '-') call.problems.push('the context is streamed on stdin (-): no folder to adopt');
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context.text) || /^git@|\.git(#|$)/.test(context.text))
    call.problems.push(`the context is a remote URL (${context.text})`);
  else if (!isLiteral(context)) call.problems.push(`the context ${context.text} depends on the environment`);
  else {
    const dir = workspacePath(cwd, context.text);
    if (dir === undefined) call.problems.push(`the context ${context.text} is outside the workspace`);
    else call.context = dir;
  }
  if (file) {
    if (file.text === '-') call.problems.push('the Dockerfile is read from stdin (-f -)');
    else if (!isLiteral(file)) call.problems.push(`the Dockerfile ${file.text} depends on the environment`);
    else {
      const path = workspacePath(cwd, file.text);
      if (path === undefined) call.problems.push(`the Dockerfile ${file.text} is outside the workspace`);
      else call.dockerfile = path;
    }
  } else if (call.context !== undefined) call.dockerfile = posix.join(call.context, 'Dockerfile');
  return call;
}

function readBuildArg(value: ShellWord, call: DockerBuildCall): void {
  const eq = value.text.indexOf('=');
  const name = eq < 0 ? value.text : value.text.slice(0, eq);
  if (eq < 0) call.problems.push(`build arg ${name} takes its value from the environment`);
  // run-commands' own `{args.tag}`, filled by `nx run`'s arguments: no value to carry.
  else if (/\{args\.[^}]*\}/.test(value.text))
    call.problems.push(`build arg ${value.text} takes nx run's argument: pass it as nx run's --buildArgs.${name}=…`);
  else if (!isLiteral(value))
    call.problems.push(
      `build arg ${value.text} depends on the environment${value.text.includes('$(') ? ` (computed when the build runs: pass it as nx run's --buildArgs.${name}=…)` : ''}`,
    );
  else call.buildArgs[name] = value.text.slice(eq + 1);
}

/** `id=…,src=<file>` (from the command's folder) or `id=…,env=<VAR>`: docker-build's `secrets` entry. */
function readSecret(value: ShellWord, cwd: string, call: DockerBuildCall): void {
  const fields = new Map(
    value.text.split(',').map((field) => {
      const eq = field.indexOf('=');
      return [field.slice(0, eq), field.slice(eq + 1)] as const;
    }),
  );
  const id = fields.get('id');
  if (!isLiteral(value)) {
    // The entry to write instead (`src=$HOME/.npmrc` is a path each machine has elsewhere).
    const named = id && !id.includes('$') ? id : '<id>';
    return void call.problems.push(
      `--secret ${value.text} depends on the environment: set docker-build's "secrets": [{ "id": "${named}", "src": "<the file's path>" }], or { "id": "${named}", "env": "<a variable holding its content>" } where the path differs between machines`,
    );
  }
  const src = fields.get('src') ?? fields.get('source');
  const env = fields.get('env');
  const path = src === undefined ? undefined : posix.isAbsolute(src) ? src : workspacePath(cwd, src);
  if (!id || (src === undefined && env === undefined) || (src !== undefined && path === undefined))
    return void call.problems.push(
      `--secret ${value.text}: docker-build takes a secret as an id with a file (src) or an environment variable (env)`,
    );
  call.secrets = [...(call.secrets ?? []), { id, ...(path !== undefined ? { src: path } : { env: env! }) }];
}

/** `name=folder` (from the command's folder) or `name=docker-image://…`: what docker-build passes too. */
function readBuildContext(value: ShellWord, cwd: string, call: DockerBuildCall): void {
  const eq = value.text.indexOf('=');
  if (eq <= 0) return void call.problems.push(`--build-context ${value.text} names no context`);
  if (!isLiteral(value)) return void call.problems.push(`--build-context ${value.text} depends on the environment`);
  const [name, source] = [value.text.slice(0, eq), value.text.slice(eq + 1)];
  const named = /^[a-z][\w+.-]*:/i.test(source)
    ? namedContextSource(source)
    : namedContextSource(workspacePath(cwd, source) ?? '/');
  if (!named)
    return void call.problems.push(
      `--build-context ${value.text}: docker-build passes workspace folders and docker-image:// references only`,
    );
  call.buildContexts = { ...call.buildContexts, [name]: named.kind === 'image' ? named.ref : named.path };
}

export function isLiteral(word: ShellWord): boolean {
  return !word.variables.length && !word.dynamic;
}

/** A path as the workspace sees it, from a directory; undefined when it leaves the workspace. */
export function workspacePath(cwd: string, path: string): string | undefined {
  if (posix.isAbsolute(path)) return undefined;
  const joined = posix.normalize(posix.join(cwd, path)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '' ? '.' : joined;
}
