import type { ProjectConfiguration, ProjectGraph, ProjectGraphProjectNode, TargetConfiguration } from '@nx/devkit';

/** A package.json's scripts, the string-valued ones (what a package manager runs); none when it has no such object. */
export function packageScripts(manifest: unknown): Record<string, string> {
  const scripts = (manifest as { scripts?: unknown } | null | undefined)?.scripts;
  return typeof scripts === 'object' && scripts !== null
    ? Object.fromEntries(
        Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    : {};
}

/**
 * A target's options as `nx run` runs it without a configuration: its `defaultConfiguration`'s merged
 * over them (an `outputPath` Nx's generators write only in `configurations.production`).
 */
export function defaultRunOptions(
  target: { options?: unknown; configurations?: unknown; defaultConfiguration?: unknown } | undefined,
): Record<string, unknown> {
  const options = isObject(target?.options) ? target.options : {};
  const name = target?.defaultConfiguration;
  const configurations = isObject(target?.configurations) ? target.configurations : {};
  const chosen = typeof name === 'string' ? configurations[name] : undefined;
  return isObject(chosen) ? { ...options, ...chosen } : options;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The executor of the inferred docker-build target: what marks a project as a service in a graph. */
export const BUILD_EXECUTOR = 'nx-fleet:docker-build';
/** The executor of the inferred docker-push target. */
export const PUSH_EXECUTOR = 'nx-fleet:docker-push';

/** The targets besides the build a service gets, by role: their executors, and the plugin option naming each. */
export const SERVICE_TARGETS = {
  push: { executor: PUSH_EXECUTOR, option: 'pushTargetName' },
  scan: { executor: 'nx-fleet:scan', option: 'scanTargetName' },
  contract: { executor: 'nx-fleet:contract-verify', option: 'contractTargetName' },
} as const;
export type ServiceTargetRole = keyof typeof SERVICE_TARGETS;

/** What a project loses when its own target takes the name of nx-fleet's target of that role. */
export function replacedTargetConsequence(role: ServiceTargetRole, name: string): string {
  const rename = `Rename or remove the project's own ${name}, or give nx-fleet's another name (plugin option ${SERVICE_TARGETS[role].option}).`;
  return role === 'push'
    ? `nx-fleet's ${name} pushes only images that passed the scan and contract checks, and records what it pushed: \`nx affected -t ${name}\` runs the project's command instead, and \`nx-fleet release\` refuses the service. ${rename}`
    : `nx-fleet's ${name} is a gate docker-push waits for: the push waits for the project's command instead. ${rename}`;
}

/** Why a service's target of that role is not nx-fleet's: the project's own configuration gives its name to another; undefined when it is nx-fleet's. */
export function foreignServiceTarget(
  project: string,
  name: string,
  role: ServiceTargetRole,
  target: Pick<TargetConfiguration, 'executor' | 'options'> | undefined,
): string | undefined {
  const { executor } = SERVICE_TARGETS[role];
  if (target?.executor === undefined || target.executor === executor) return undefined;
  return `${project}:${name} runs ${runsOf(target)}, not ${executor}: ${replacedTargetConsequence(role, name)}`;
}

/** A target's command (cut short) and executor, or its executor alone. */
function runsOf(target: Pick<TargetConfiguration, 'executor' | 'options'>): string {
  const command = (target.options as { command?: unknown } | undefined)?.command;
  return typeof command === 'string'
    ? `\`${command.length > 80 ? `${command.slice(0, 77)}...` : command}\` (${target.executor})`
    : target.executor!;
}

/** A target as a project's own file states it, Nx's `command` shorthand read as run-commands'; undefined without an executor. */
export function statedTarget(raw: unknown): { executor: string; options?: unknown } | undefined {
  const target = raw as { executor?: unknown; command?: unknown; options?: unknown } | null | undefined;
  if (typeof target?.executor === 'string') return { executor: target.executor, options: target.options };
  return typeof target?.command === 'string'
    ? { executor: 'nx:run-commands', options: { command: target.command } }
    : undefined;
}

/**
 * Why a service's scan, contract-verify and push cannot use its build target: the project's own
 * configuration gives that name to another build (`docker build` through run-commands, say), which
 * replaces nx-fleet's and writes no image record. Undefined when the target is nx-fleet's.
 */
export function foreignBuildTarget(
  project: string,
  name: string,
  target: Pick<TargetConfiguration, 'executor' | 'options'> | undefined,
): string | undefined {
  if (target?.executor === undefined || target.executor === BUILD_EXECUTOR) return undefined;
  // adopt reports an npm script and carries none over: renaming it, or nx-fleet's name, is the way.
  const fix =
    target.executor === 'nx:run-script'
      ? `Rename that package.json script (adopt reports npm scripts, it does not carry them over: set the image name, context and build args it passes in nx-fleet's settings)`
      : `Carry that build over with \`nx g nx-fleet:adopt ${project}\` (its image name, context, build args and dependsOn become nx-fleet's ${name})`;
  return `${project}:${name} runs ${runsOf(target)}, not ${BUILD_EXECUTOR}: the project's own configuration replaces nx-fleet's ${name}, which writes the image record scan, contract-verify and docker-push use. ${fix}, or give nx-fleet's build target another name (plugin option buildTargetName).`;
}

/** A project is a service when one of its targets builds an image with nx-fleet, whatever its name. */
export function isServiceProject(project: Pick<ProjectConfiguration, 'targets'> | undefined): boolean {
  return Object.values(project?.targets ?? {}).some((target) => target.executor === BUILD_EXECUTOR);
}

/**
 * Projects nx-fleet made services of whose build target the project's own configuration replaced
 * (their push is nx-fleet's, their build is not), each with why its push cannot run.
 */
export function replacedBuilds(
  nodes: readonly ProjectGraphProjectNode[],
  buildTargetName: string,
): Array<{ node: ProjectGraphProjectNode; why: string }> {
  return nodes.flatMap((node) => {
    if (isServiceProject(node.data)) return [];
    const targets = node.data.targets ?? {};
    if (!Object.values(targets).some((target) => target.executor === PUSH_EXECUTOR)) return [];
    const why = foreignBuildTarget(node.name, buildTargetName, targets[buildTargetName]);
    return why ? [{ node, why }] : [];
  });
}

/** The services of a graph, by name. */
export function serviceNodes(nodes: readonly ProjectGraphProjectNode[]): ProjectGraphProjectNode[] {
  return nodes.filter((node) => isServiceProject(node.data)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `compute` of a graph, found once per graph object: the tasks of one batch or plan share one graph,
 * and a graph Nx hands over is not changed afterwards.
 */
export function perGraph<T>(compute: (graph: ProjectGraph) => T): (graph: ProjectGraph) => T {
  const found = new WeakMap<ProjectGraph, T>();
  return (graph) => {
    if (!found.has(graph)) found.set(graph, compute(graph));
    return found.get(graph)!;
  };
}
