import { join } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import { shortSha } from '../io/git';
import type { Ports } from '../io/ports';
import type { ServiceRuntime } from '../runtime-graph/edges';
import { serviceNodes } from '../services/projects';
import { contractWarnings } from './consistency';
import { brokerConfigFromEnv, publishPact } from './pact-broker';
import { PACTS_FOLDER } from '../config/defaults';
import { pactFilesByRoot, parsePact, type PactSummary } from './pacts';

/** What `nx-fleet pacts` reports: pacts that cannot be read are problems, and so are uncommitted ones. */
export interface PactsReview {
  pacts: PactSummary[];
  /** The pact files that could not be read, then where contracts and SDK imports disagree. */
  warnings: string[];
  uncommitted: string[];
  /** False when a pact could not be read or differs from the commit: the command fails and publishes nothing. */
  clean: boolean;
}

/** The services' pacts, checked against the runtime graph and (check) against the commit. */
export async function reviewPacts(
  ports: Pick<Ports, 'files' | 'processes'>,
  input: {
    workspaceRoot: string;
    graph: ProjectGraph;
    runtime: readonly ServiceRuntime[];
    /** The workspace's pact files, relative to its root. */
    files: readonly string[];
    check: boolean;
  },
): Promise<PactsReview> {
  const { workspaceRoot, graph } = input;
  const services = new Set(serviceNodes(Object.values(graph.nodes)).map((node) => node.data.root));
  const pacts: PactSummary[] = [];
  const problems: string[] = [];
  for (const [root, rootFiles] of pactFilesByRoot(input.files)) {
    if (!services.has(root)) continue;
    for (const file of rootFiles) {
      try {
        pacts.push(parsePact(file, (await ports.files.readText(join(workspaceRoot, file))) ?? ''));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  const rootOf = (service: string) => graph.nodes[service]?.data.root;
  const uncommitted = input.check
    ? uncommittedPacts(
        (
          await ports.processes.run(
            'git',
            ['status', '--porcelain', '--untracked-files=all', '--', `:(glob)**/${PACTS_FOLDER}/*.json`],
            { cwd: workspaceRoot },
          )
        ).stdout,
      )
    : [];
  return {
    pacts,
    warnings: [...problems, ...contractWarnings(input.runtime, pacts, rootOf)],
    uncommitted,
    clean: !uncommitted.length && !problems.length,
  };
}

/** Pact files that differ from the commit: what a consumer's tests wrote and nobody committed. */
export function uncommittedPacts(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3).replace(/^"|"$/g, ''))
    .filter((file) => file.endsWith('.json'))
    .sort();
}

/** Consumers' pacts to the broker, versioned like their images: by commit, on the branch being built. */
export async function publishPacts(
  ports: Pick<Ports, 'env' | 'git' | 'http' | 'files'>,
  input: { workspaceRoot: string; pacts: readonly PactSummary[]; brokerUrl: string | undefined },
  published: (line: string) => void,
): Promise<void> {
  const broker = brokerConfigFromEnv(ports.env, input.brokerUrl);
  if (!broker)
    throw new Error('nx-fleet pacts --publish: no Pact Broker: set PACT_BROKER_BASE_URL or pass --broker-url.');
  const revision = await ports.git.revision(input.workspaceRoot);
  if (!revision)
    throw new Error(
      'nx-fleet pacts --publish: pacts are versioned by the git commit; run it in a git checkout with a commit.',
    );
  const branch = await ports.git.branch(input.workspaceRoot);
  for (const pact of input.pacts) {
    await publishPact(ports.http, broker, {
      pact: JSON.parse((await ports.files.readText(join(input.workspaceRoot, pact.file))) ?? ''),
      consumerVersion: revision.sha,
      ...(branch ? { branch } : {}),
    });
    published(
      `published ${pact.consumer} → ${pact.provider} (${shortSha(revision.sha)}${branch ? ` on ${branch}` : ''})`,
    );
  }
}
