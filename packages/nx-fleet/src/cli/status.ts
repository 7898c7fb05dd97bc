import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { normalizeOptions } from '../config/options';
import { fleetPluginOptions } from '../config/workspace-options';
import { nodePorts } from '../io/ports';
import { serviceRecords } from '../release/records';
import { formatStatusTable, serviceStatuses } from '../release/status';
import type { Command } from './command';

export const statusCommand: Command = {
  summary: 'List the services and what their last docker-build and docker-push recorded',
  help: [
    'Usage: nx-fleet status [--json]',
    '',
    'Lists every project nx-fleet treats as a service, with the image and content tag from',
    'dist/fleet/<root>/image.json and the pushed digest from dist/fleet/<root>/push.json.',
    'Says when the last push is of an older content tag than the current image record, and',
    'exits 1 when two services would push to the same image repository (naming both), or when',
    "a project's own configuration replaced a service's docker-build (naming it).",
    '',
    'Options:',
    '  --json  Print JSON instead of a table',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(values) {
    const graph = await createProjectGraphAsync({ exitOnError: false });
    const statuses = await serviceStatuses(
      Object.values(graph.nodes),
      serviceRecords(workspaceRoot, nodePorts().files),
      normalizeOptions(fleetPluginOptions(workspaceRoot)).buildTargetName,
    );
    console.log(values['json'] ? JSON.stringify(statuses, null, 2) : formatStatusTable(statuses));
    // Services sharing a repository, or whose build was replaced, are errors (docker-push refuses them): CI can fail on status alone.
    return statuses.some((s) => s.sharesRepositoryWith || s.replacedBuild) ? 1 : 0;
  },
};
