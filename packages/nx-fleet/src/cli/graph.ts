import { resolve } from 'node:path';
import { nodePorts } from '../io/ports';
import { workspaceRuntime } from '../nx/workspace-runtime';
import { isRuntimeFormat, renderRuntime, RUNTIME_FORMATS, type RuntimeFormat } from '../runtime-graph/render';
import type { Command, CommandValues } from './command';

/** What a person reading the text graph of a workspace without services is told, beside the empty output. */
export function emptyNote(format: RuntimeFormat, services: number): string | undefined {
  return format === 'text' && services === 0
    ? "nx-fleet graph: no services: no project has a Dockerfile or Containerfile nx-fleet builds. Where projects build their images with targets of their own (a docker-build target replaces nx-fleet's), `npx nx g nx-fleet:adopt --dry-run` shows how they become services. `npx nx-fleet status` lists the services."
    : undefined;
}

/** The format the options ask for (`--json` is `--format json`), or the error to print. */
export function graphFormat(values: CommandValues): RuntimeFormat | { error: string } {
  const format = values['format'];
  const allowed = RUNTIME_FORMATS.join(', ');
  if (format === undefined) return values['json'] ? 'json' : 'text';
  if (typeof format !== 'string' || !isRuntimeFormat(format))
    return { error: `nx-fleet graph: --format must be one of ${allowed}; got ${JSON.stringify(format)}.` };
  if (values['json'] && format !== 'json')
    return { error: `nx-fleet graph: --json means --format json; it cannot go with --format ${format}.` };
  return format;
}

export const graphCommand: Command = {
  summary: 'Show the runtime service graph (text, JSON, Mermaid, DOT or an HTML page) with the importing file:line',
  help: [
    'Usage: nx-fleet graph [--format text|json|mermaid|dot|html] [--out <file>] [--json]',
    '',
    'For every service, the services it calls (providers) and the services that call it',
    '(consumers), found from imports of SDKs, with the importing file:line. A service consumes',
    "a provider when it, or a workspace library it depends on, imports the provider's SDK; the",
    'import is then shown "via <library>". These runtime links are not in `nx graph`.',
    '',
    'Options:',
    '  --format <name>  text (default): each service, its providers and consumers, file:line "specifier" [via <library>]',
    '                   json: [{ service, providers: [{ service, imports: [{ file, line, specifier, via, sdk }] }], consumers: [...] }]',
    '                   mermaid: a flowchart (paste it into Markdown), edges labelled file:line [via <library>]',
    '                   dot: a Graphviz digraph (dot -Tsvg), the same labels, every import in the edge tooltip',
    '                   html: one self-contained page (no network) with the graph, the evidence on hover and in a table',
    '  --out <file>     Write to <file> instead of printing',
    '  --json           The same as --format json',
    '',
    'Labels list the first 3 imports of an edge and "+N more"; json, tooltips and the html table list all.',
  ].join('\n'),
  options: { format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, { cwd }) {
    const format = graphFormat(values);
    if (typeof format !== 'string') {
      console.error(format.error);
      return 2;
    }
    const { runtime } = await workspaceRuntime();
    const text = renderRuntime(format, runtime);
    const out = values['out'];
    if (typeof out !== 'string') {
      console.log(text);
      const note = emptyNote(format, runtime.length);
      if (note) console.error(note);
      return 0;
    }
    const file = resolve(cwd, out);
    await nodePorts().files.writeText(file, `${text}\n`);
    console.error(`nx-fleet graph: wrote ${format} to ${file}`);
    return 0;
  },
};
