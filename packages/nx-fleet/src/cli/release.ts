import { resolve } from 'node:path';
import { workspaceRoot } from '@nx/devkit';
import { normalizeOptions } from '../config/options';
import { fleetPluginOptions } from '../config/workspace-options';
import { nodeLockFiles } from '../io/git';
import { nodePorts } from '../io/ports';
import { formatPlan, formatRelease } from '../release/plan';
import { release } from '../release/release';
import { fail, type Command } from './command';
import { nxPruning } from '../nx/devkit-internal';
import { workspaceRuntime, workspaceSourceFiles } from '../nx/workspace-runtime';

export const releaseCommand: Command = {
  summary:
    'Release what changed since the ledger: build, scan and verify all, push all, then record them — all or nothing',
  help: [
    'Usage: nx-fleet release --env <name> [--plan] [--force] [--commit] [--ledger <file>] [--kustomize <file>]... [--helm-values <file>]... [--wait <s>] [--json]',
    '',
    'The release set is every service whose release hash (its content tag, the content tags of the',
    'providers it reaches through SDK imports, of the service folders around it, and the files outside',
    'every project) differs from what the ledger (default deploy/fleet.json) records for the',
    'environment: no ledger entry is a first deploy, --force takes all. No base SHA is needed, and a',
    'failed release changes nothing, so the next one retries it. Services already deployed are skipped.',
    'Planning is a read: content tags are computed from the sources as docker-build computes them; no',
    'image is built and no engine asked (only build outputs a Dockerfile copies are made first, quietly).',
    '',
    'Then, as one transaction: docker-build, scan and contract-verify the services in the set; only if',
    'all pass, docker-push them all; only if every push succeeds, write the ledger (and bump the',
    'Kustomize images / Helm values files), and with --commit commit them together. One at a time (a lock).',
    '',
    'Options:',
    '  --env <name>          Environment (required)',
    '  --plan                Print the release set with the reasons and deploy waves; change nothing',
    '  --force               Release every service',
    "  --commit              Commit the ledger and GitOps files (in the ledger's repository)",
    '  --ledger <file>       Ledger file; default release.ledger in the plugin options, else deploy/fleet.json',
    '  --kustomize <file>    kustomization.yaml whose images: get the promoted digests (repeatable)',
    '  --helm-values <file>  Helm values file whose <service>.image gets repository, tag and digest (repeatable)',
    '  --wait <seconds>      Wait this long for a release holding the lock; default 0: fail at once',
    '  --json                Print JSON: { environment, services, waves, release, skipped, promoted }',
  ].join('\n'),
  options: {
    env: { type: 'string' },
    plan: { type: 'boolean' },
    force: { type: 'boolean' },
    commit: { type: 'boolean' },
    ledger: { type: 'string' },
    kustomize: { type: 'string', multiple: true },
    'helm-values': { type: 'string', multiple: true },
    json: { type: 'boolean' },
    wait: { type: 'string' },
  },
  async run(values) {
    const environment = values['env'];
    if (typeof environment !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(environment)) {
      return fail('nx-fleet release: --env <name> is required (letters, digits, ".", "_", "-"), e.g. --env prod.', 2);
    }
    const options = normalizeOptions(fleetPluginOptions(workspaceRoot));
    const flag = (name: string) => values[name] === true;
    const list = (name: string) => (values[name] as string[] | undefined) ?? [];
    const ledgerFile = resolve(workspaceRoot, (values['ledger'] as string | undefined) ?? options.ledger);
    const flags = { plan: flag('plan'), force: flag('force'), commit: flag('commit'), json: flag('json') };
    const gitops = { kustomize: list('kustomize'), helmValues: list('helm-values') };
    const lockWaitMs = Math.max(0, Number(values['wait'] ?? 0) * 1000) || 0;
    const request = { workspaceRoot, environment, options, ledgerFile, flags, gitops, lockWaitMs };
    const ports = {
      ...nodePorts(),
      pruning: nxPruning(),
      lock: nodeLockFiles,
      workspace: workspaceRuntime,
      sourceFiles: workspaceSourceFiles,
    };
    try {
      // In text, the plan is printed before the phases' output, and again with the outcome.
      const outcome = await release(request, ports, (plan) => {
        if (!flags.json) console.log(formatPlan(environment, plan));
      });
      console.log(formatRelease(environment, outcome, flags.json));
      if (!flags.json && !outcome.plan.release.length) console.log('Nothing to release.');
      return 0;
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('nx-fleet'))) throw error;
      return fail(error.message);
    }
  },
};
