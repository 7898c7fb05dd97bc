import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@nx/devkit';
import { contractWarnings } from '../contracts/consistency';
import { brokerConfigFromEnv, publishPact } from '../contracts/pact-broker';
import { readGitBranch, readGitRevision } from '../io/git';
import { pactFilesByRoot, parsePact, PACTS_FOLDER, type PactSummary } from '../contracts/pacts';
import { listWorkspaceFiles } from '../image/pruned-context';
import { run } from '../io/process';
import type { Command } from './command';
import { workspaceRuntime } from './graph';
import { serviceNodes } from '../services/projects';

/** Pact files that differ from the commit: what a consumer's tests wrote and nobody committed. */
export function uncommittedPacts(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3).replace(/^"|"$/g, ''))
    .filter((file) => file.endsWith('.json'))
    .sort();
}

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
    const { graph, runtime } = await workspaceRuntime();
    const files = await listWorkspaceFiles(workspaceRoot, [`**/${PACTS_FOLDER}/*.json`]);
    const services = new Map(serviceNodes(Object.values(graph.nodes)).map((node) => [node.data.root, node.name]));
    const pacts: PactSummary[] = [];
    const problems: string[] = [];
    for (const [root, rootFiles] of pactFilesByRoot(files)) {
      if (!services.has(root)) continue;
      for (const file of rootFiles) {
        try {
          pacts.push(parsePact(file, readFileSync(join(workspaceRoot, file), 'utf8')));
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    }
    const rootOf = (service: string) => graph.nodes[service]?.data.root;
    const warnings = [...problems, ...contractWarnings(runtime, pacts, rootOf)];
    const uncommitted = values['check']
      ? uncommittedPacts(
          (
            await run(
              'git',
              ['status', '--porcelain', '--untracked-files=all', '--', `:(glob)**/${PACTS_FOLDER}/*.json`],
              { cwd: workspaceRoot },
            )
          ).stdout,
        )
      : [];
    if (values['json']) console.log(JSON.stringify({ pacts, warnings, uncommitted }, null, 2));
    else {
      console.log(formatPacts(pacts));
      for (const warning of warnings) console.warn(warning);
      if (uncommitted.length)
        console.error(
          `nx-fleet pacts --check: these pacts differ from the commit; the consumers' expectations changed — review and commit them:\n${uncommitted.map((f) => `  ${f}`).join('\n')}`,
        );
    }
    if (values['publish'] && !uncommitted.length && !problems.length)
      await publishAll(pacts, values['broker-url'] as string | undefined);
    return uncommitted.length || problems.length ? 1 : 0;
  },
};

/** Consumers' pacts to the broker, versioned like their images: by commit, on the branch being built. */
async function publishAll(pacts: readonly PactSummary[], url: string | undefined): Promise<void> {
  const broker = brokerConfigFromEnv(process.env, url);
  if (!broker)
    throw new Error('nx-fleet pacts --publish: no Pact Broker: set PACT_BROKER_BASE_URL or pass --broker-url.');
  const revision = await readGitRevision(workspaceRoot);
  if (!revision)
    throw new Error(
      'nx-fleet pacts --publish: pacts are versioned by the git commit; run it in a git checkout with a commit.',
    );
  const branch = await readGitBranch(workspaceRoot);
  for (const pact of pacts) {
    await publishPact(broker, {
      pact: JSON.parse(readFileSync(join(workspaceRoot, pact.file), 'utf8')),
      consumerVersion: revision.sha,
      ...(branch ? { branch } : {}),
    });
    console.log(
      `published ${pact.consumer} → ${pact.provider} (${revision.sha.slice(0, 12)}${branch ? ` on ${branch}` : ''})`,
    );
  }
}
