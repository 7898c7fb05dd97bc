import { workspaceRoot } from '@nx/devkit';
import { PACTS_FOLDER } from '../config/defaults';
import type { PactSummary } from '../contracts/pacts';
import { publishPacts, reviewPacts } from '../contracts/workspace-pacts';
import { listWorkspaceFiles } from '../image/pruned-context';
import { nodePorts } from '../io/ports';
import type { Command } from './command';
import { workspaceRuntime } from '../nx/workspace-runtime';

export function formatPacts(pacts: readonly PactSummary[]): string {
  if (!pacts.length) return `No pacts (consumers' Pact tests write them to <provider root>/${PACTS_FOLDER}/).`;
  return pacts
    .map((p) => `${p.provider} ← ${p.consumer}: ${p.interactions.length} interaction(s)  ${p.file}`)
    .join('\n');
}

export const pactsCommand: Command = {
  summary: 'List the pacts, warn where contracts and SDK imports disagree, and (--check) fail on uncommitted pacts',
  help: [
    'Usage: nx-fleet pacts [--check] [--publish [--broker-url <url>]] [--json]',
    '',
    `Lists every pact in the services' ${PACTS_FOLDER}/ folders (provider ← consumer), and warns when a`,
    "service imports another's SDK without a pact with it, or a pact names a pair no SDK import explains.",
    '',
    'Options:',
    '  --check  Exit 1 when a pact file differs from the commit (modified or untracked): pacts are',
    "           committed like snapshots, so run this in CI after the consumers' Pact tests.",
    '  --publish  Publish every pact to the Pact Broker (PACT_BROKER_BASE_URL or --broker-url;',
    '           PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD), versioned by the git SHA, on the branch.',
    '  --json   Print JSON: { pacts, warnings, uncommitted }',
  ].join('\n'),
  options: {
    check: { type: 'boolean' },
    publish: { type: 'boolean' },
    'broker-url': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const ports = nodePorts();
    const { graph, runtime } = await workspaceRuntime();
    const files = await listWorkspaceFiles(ports, workspaceRoot, [`**/${PACTS_FOLDER}/*.json`]);
    const { pacts, warnings, uncommitted, clean } = await reviewPacts(ports, {
      workspaceRoot,
      graph,
      runtime,
      files,
      check: !!values['check'],
    });
    if (values['json']) console.log(JSON.stringify({ pacts, warnings, uncommitted }, null, 2));
    else {
      console.log(formatPacts(pacts));
      for (const warning of warnings) console.warn(warning);
      if (uncommitted.length)
        console.error(
          `nx-fleet pacts --check: these pacts differ from the commit; the consumers' expectations changed — review and commit them:\n${uncommitted.map((f) => `  ${f}`).join('\n')}`,
        );
    }
    if (values['publish'] && clean) {
      const brokerUrl = values['broker-url'] as string | undefined;
      await publishPacts(ports, { workspaceRoot, pacts, brokerUrl }, (line) => console.log(line));
    }
    return clean ? 0 : 1;
  },
};
