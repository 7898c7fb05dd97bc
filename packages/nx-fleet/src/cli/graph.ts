import { workspaceRuntime } from '../nx/workspace-runtime';
import { formatRuntime } from '../runtime-graph/format';
import type { Command } from './command';

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
