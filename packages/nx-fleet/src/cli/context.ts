import { resolve } from 'node:path';
import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { normalizeOptions } from '../config/options';
import { fleetPluginOptions } from '../config/workspace-options';
import { listContextFiles } from '../image/build-context';
import { baseImageLinksOf, prepareContext, unhashedContextWarning, type BuildOptions } from '../image/build';
import { listOutputFiles } from '../image/pruned-context';
import { nodePorts } from '../io/ports';
import { nxPruning } from '../nx/devkit-internal';
import { foreignBuildTarget } from '../services/projects';
import { fail, type Command } from './command';

export const contextCommand: Command = {
  summary: 'Show (or write out) the build context a service sends to the engine',
  help: [
    'Usage: nx-fleet context <project> [--out <dir>] [--target <name>]',
    '',
    'Says which build context docker-build uses for <project> and why (inferred from the',
    "Dockerfile's COPY/ADD sources, or set), then lists its files. With a pruned",
    'context, --out writes it to <dir> (repo-shaped: the service, the workspace projects it',
    'depends on, and a pruned package.json + lockfile), the way `turbo prune --docker` would.',
    '',
    'Options:',
    '  --out <dir>      Write the pruned context to <dir>',
    '  --target <name>  The docker-build target name (default: buildTargetName in nx.json, else docker-build)',
  ].join('\n'),
  positionals: ['project'],
  options: { out: { type: 'string' }, target: { type: 'string' } },
  async run(values, { positionals }) {
    const [project] = positionals as [string];
    const graph = await createProjectGraphAsync({ exitOnError: false });
    const node = graph.nodes[project];
    const targetName =
      typeof values['target'] === 'string'
        ? values['target']
        : normalizeOptions(fleetPluginOptions(workspaceRoot)).buildTargetName;
    const target = node?.data.targets?.[targetName];
    const options = target?.options as BuildOptions | undefined;
    // A project's own docker-build (`docker build …` through run-commands) sends no context nx-fleet chose.
    const foreign = foreignBuildTarget(project, targetName, target);
    if (foreign) return fail(`nx-fleet context: ${foreign}`);
    if (!node)
      return fail(
        `nx-fleet context: no project is named "${project}". \`npx nx show projects\` lists the projects, \`npx nx-fleet status\` the services.`,
      );
    if (!options) {
      return fail(
        `nx-fleet context: "${project}" has no ${targetName} target. \`npx nx-fleet status\` lists the services.`,
      );
    }
    const service = { workspaceRoot, projectName: project, projectRoot: node.data.root, graph };
    const out = typeof values['out'] === 'string' ? values['out'] : undefined;
    if (out && !options.prune) {
      return fail(
        `nx-fleet context: ${project} sends the folder "${options.context}" as it is; there is nothing to write out.`,
      );
    }
    const chosen = target?.metadata?.['context'] as { mode?: string; origin?: string; reason?: string } | undefined;
    const ports = { ...nodePorts(), pruning: nxPruning() };
    // Built first where docker-build depends on a build; else taken from the disk as they are (not cached).
    const outputsBuilt = target?.dependsOn?.length
      ? 'docker-build depends on their build target'
      : 'no target it depends on writes them: taken from the disk as they are, and docker-build is not cached';
    const bases = baseImageLinksOf(
      service,
      options,
      (await ports.files.readText(resolve(workspaceRoot, options.dockerfile))) ?? '',
    );
    // On stderr: stdout stays the file list, for scripts.
    if (chosen?.mode)
      console.error(
        `${project}: ${chosen.mode} context, ${chosen.origin === 'inferred' ? 'inferred' : 'set'}: ${chosen.reason}` +
          (options.contextOutputs?.length
            ? `\nbuild outputs it copies (${outputsBuilt}): ${options.contextOutputs.join(', ')}`
            : '') +
          (options.buildContexts && Object.keys(options.buildContexts).length
            ? `\nnamed build contexts, sent beside it: ${Object.entries(options.buildContexts)
                .map(([name, value]) => `${name}=${value}`)
                .join(', ')}`
            : '') +
          (bases.linked.length
            ? `\nbuilt FROM other services' images, as their sources build them (their docker-build runs first): ${bases.linked.join(', ')}`
            : ''),
      );
    if (bases.unlinked) console.error(bases.unlinked);
    const context = await prepareContext(ports, options, service);
    try {
      // As a build says it: only where Nx caches the record, which a change Nx cannot see would leave stale.
      const unhashed = target?.cache === true ? await context.unhashed() : undefined;
      if (unhashed?.files.length) console.error(unhashedContextWarning(service, options, unhashed));
      if (!out) {
        for (const file of context.listed) console.log(file);
        return 0;
      }
      // An output may be a glob (`dist/apps/api/package*.json`): missing when it holds no file.
      const outputs = options.contextOutputs ?? [];
      const held = await Promise.all(outputs.map((output) => listOutputFiles(workspaceRoot, [output])));
      const missing = outputs.filter((_, i) => !held[i]!.length);
      if (missing.length)
        console.error(
          `nx-fleet context: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on the disk: the context written holds none of ${missing.length === 1 ? 'it' : 'them'}, and an engine build would fail there. Run the build that writes ${missing.length === 1 ? 'it' : 'them'} first.`,
        );
      // The pruning the listing came from: pruning again would warn again and check the lockfile again.
      await context.writeOut!(out);
    } finally {
      await context.dispose();
    }
    for (const file of await listContextFiles(out, resolve(workspaceRoot, options.dockerfile))) console.log(file);
    return 0;
  },
};
