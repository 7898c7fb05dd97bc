import { createProjectGraphAsync, workspaceRoot, type ProjectGraph } from '@nx/devkit';
import { readFileMapCache, workspaceDataDirectory } from '../nx/devkit-internal';
import { ImportCache } from '../runtime-graph/import-cache';
import { contextProjects } from '../image/pruned-context';
import { serviceRuntime, type ServiceRuntime } from '../runtime-graph/edges';
import { projectInfos, scanRuntimeImports } from '../runtime-graph/sdk-graph';
import type { Command } from './command';
import { fleetPluginOptions } from '../config/workspace-options';

export function formatRuntime(runtime: readonly ServiceRuntime[]): string {
  const link = (l: ServiceRuntime['providers'][number]) =>
    `    ${l.service}\n${l.imports.map((i) => `      ${i.file}:${i.line}  ${JSON.stringify(i.specifier)}`).join('\n')}`;
  return runtime
    .map((s) =>
      [
        s.service,
        `  providers:${s.providers.length ? `\n${s.providers.map(link).join('\n')}` : ' none'}`,
        `  consumers:${s.consumers.length ? `\n${s.consumers.map(link).join('\n')}` : ' none'}`,
      ].join('\n'),
    )
    .join('\n');
}

/** The project graph and the service-level runtime graph, as the plugin computes them. */
export async function workspaceRuntime(): Promise<{ graph: ProjectGraph; runtime: ServiceRuntime[] }> {
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const projects = projectInfos(
    workspaceRoot,
    Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, node.data])),
  );
  const fileMap = readFileMapCache()?.fileMap;
  const imports = scanRuntimeImports({
    workspaceRoot,
    projects,
    files: fileMap?.projectFileMap ?? {},
    otherFiles: fileMap?.nonProjectFiles ?? [],
    sdksOption: fleetPluginOptions(workspaceRoot)?.sdks,
    cache: ImportCache.load(workspaceDataDirectory),
    warn: (_key, message) => console.error(message),
  });
  const services = projects.filter((p) => p.isService).map((p) => p.name);
  return { graph, runtime: serviceRuntime(services, imports, (service) => contextProjects(graph, service)) };
}

export const graphCommand: Command = {
  summary: "Print the runtime service graph: each service's providers and consumers, with the importing file:line",
  help: [
    'Usage: nx-fleet graph [--json]',
    '',
    'For every service, the services it calls (providers) and the services that call it',
    '(consumers), found from imports of SDKs, with the importing file:line. A service consumes',
    "a provider when it, or a workspace library it depends on, imports the provider's SDK.",
    '',
    'Options:',
    '  --json  Print JSON: [{ service, providers: [{ service, imports: [{ file, line, specifier, via, sdk }] }], consumers: [...] }]',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(values) {
    const { runtime } = await workspaceRuntime();
    console.log(values['json'] ? JSON.stringify(runtime, null, 2) : formatRuntime(runtime));
    return 0;
  },
};
