import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { workspaceRoot, type ProjectGraph } from '@nx/devkit';
import { readGitRevision } from '../io/git';
import { readImageRecord, readPushRecord } from '../image/records';
import { normalizeOptions, type NormalizedFleetOptions } from '../config/options';
import { contextProjects } from '../image/pruned-context';
import { run, runOk } from '../io/process';
import { parentServiceRoots, sharedFileTest } from '../release/change-rules';
import { bumpHelmValues, bumpKustomization, type Promoted } from '../release/gitops';
import {
  emptyLedger,
  parseLedger,
  serializeLedger,
  withReleased,
  type Ledger,
  type LedgerEntry,
} from '../release/ledger';
import {
  formatPlan,
  planRelease,
  providerMap,
  releaseHashes,
  type ReleasePlan,
  type ServiceFacts,
} from '../release/plan';
import { imageRecordPath, pushRecordPath } from '../image/records';
import type { Command } from './command';
import { fleetPluginOptions } from '../config/workspace-options';
import { workspaceRuntime } from './graph';
import { serviceNodes } from '../services/projects';

class ReleaseError extends Error {}

/** Runs the workspace's own nx with an argument array; its output goes to stderr when stdout carries JSON. */
function runNx(args: readonly string[], json: boolean): Promise<number> {
  const nx = join(workspaceRoot, 'node_modules', '.bin', 'nx');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nx, [...args, '--output-style=static'], {
      cwd: workspaceRoot,
      stdio: ['ignore', json ? process.stderr : 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

async function phase(name: string, args: readonly string[], json: boolean): Promise<void> {
  const code = await runNx(args, json);
  if (code !== 0)
    throw new ReleaseError(
      `nx-fleet release: ${name} failed (nx ${args.join(' ')} exited ${code}); nothing was promoted, the ledger is unchanged. Fix it and run the release again.`,
    );
}

/** The committed files outside every project (rule b), hashed from git's index: cheap, and exactly what is committed. */
async function sharedFiles(
  projectRoots: readonly string[],
  ignore: readonly string[],
): Promise<{ hash: string; isShared(file: string): boolean }> {
  const isShared = sharedFileTest(projectRoots, ignore);
  const listed = await runOk('git', ['ls-files', '-s'], { cwd: workspaceRoot });
  const hash = createHash('sha256');
  for (const line of listed.stdout.split('\n')) {
    const [meta, file] = line.split('\t');
    if (file && isShared(file)) hash.update(`${file} ${meta!.split(' ')[1]}\n`);
  }
  return { hash: hash.digest('hex'), isShared };
}

/** Files changed since each released commit, one `git diff` per distinct commit; undefined where git does not know it. */
async function changedSinceReleases(
  deployed: Readonly<Record<string, LedgerEntry>>,
): Promise<Map<string, string[] | undefined>> {
  const shas = [...new Set(Object.values(deployed).map((entry) => entry.gitSha))];
  const diffs = await Promise.all(
    shas.map((sha) => run('git', ['diff', '--name-only', sha, 'HEAD'], { cwd: workspaceRoot })),
  );
  return new Map(
    shas.map((sha, i) => [sha, diffs[i]!.code === 0 ? diffs[i]!.stdout.split('\n').filter(Boolean) : undefined]),
  );
}

async function serviceFacts(graph: ProjectGraph, options: NormalizedFleetOptions): Promise<ServiceFacts[]> {
  const services = serviceNodes(Object.values(graph.nodes));
  const roots = services.map((s) => s.data.root);
  return Promise.all(
    services.map(async (node) => {
      const record = await readImageRecord(join(workspaceRoot, imageRecordPath(node.data.root)));
      if (!record)
        throw new ReleaseError(
          `nx-fleet release: ${node.name} has no ${imageRecordPath(node.data.root)} after ${options.buildTargetName}; is the target disabled?`,
        );
      return {
        name: node.name,
        root: node.data.root,
        contentTag: record.contentTag,
        contextRoots: contextProjects(graph, node.name).map((p) => graph.nodes[p]!.data.root),
        parents: parentServiceRoots(node.data.root, roots).map(
          (root) => services.find((s) => s.data.root === root)!.name,
        ),
      };
    }),
  );
}

function readLedger(file: string): Ledger {
  return existsSync(file) ? parseLedger(readFileSync(file, 'utf8'), file) : emptyLedger();
}

/** The gate targets docker-push waits for (scan, contract-verify, unless turned off), per the inferred configuration. */
function gateTargets(graph: ProjectGraph, set: readonly string[], options: NormalizedFleetOptions): string[] {
  const gates = new Set<string>();
  for (const name of set) {
    for (const dep of graph.nodes[name]?.data.targets?.[options.pushTargetName]?.dependsOn ?? []) {
      if (typeof dep === 'string' && !dep.startsWith('^') && dep !== options.buildTargetName) gates.add(dep);
    }
  }
  return [...gates].sort();
}

export const releaseCommand: Command = {
  summary:
    'Release what changed since the ledger: build, scan and verify all, push all, then record them — all or nothing',
  help: [
    'Usage: nx-fleet release --env <name> [--plan] [--force] [--commit] [--ledger <file>] [--kustomize <file>]... [--helm-values <file>]... [--json]',
    '',
    'The release set is every service whose release hash (its content tag, the content tags of the',
    'providers it reaches through SDK imports, of the service folders around it, and the files outside',
    'every project) differs from what the ledger (default deploy/fleet.json) records for the',
    'environment: no ledger entry is a first deploy, --force takes all. No base SHA is needed, and a',
    'failed release changes nothing, so the next one retries it. Services already deployed are skipped.',
    '',
    'Then, as one transaction: docker-build, scan and contract-verify every service in the set; only if',
    'all pass, docker-push them all; only if every push succeeds, write the ledger (and bump the',
    'Kustomize images / Helm values files), and with --commit commit them together.',
    '',
    'Options:',
    '  --env <name>          Environment (required)',
    '  --plan                Print the release set with the reasons and deploy waves; change nothing',
    '  --force               Release every service',
    "  --commit              Commit the ledger and GitOps files (in the ledger's repository)",
    '  --ledger <file>       Ledger file; default release.ledger in the plugin options, else deploy/fleet.json',
    '  --kustomize <file>    kustomization.yaml whose images: get the promoted digests (repeatable)',
    '  --helm-values <file>  Helm values file whose <service>.image gets repository, tag and digest (repeatable)',
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
  },
  async run(values) {
    const json = values['json'] === true;
    const environment = values['env'];
    if (typeof environment !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(environment)) {
      console.error(
        'nx-fleet release: --env <name> is required (letters, digits, ".", "_", "-"), e.g. --env production.',
      );
      return 2;
    }
    const options = normalizeOptions(fleetPluginOptions(workspaceRoot));
    const ledgerFile = resolve(workspaceRoot, (values['ledger'] as string | undefined) ?? options.ledger);
    try {
      const ledger = readLedger(ledgerFile);
      // The current content hash of every service is what docker-build records: unchanged ones are cache hits.
      await phase(options.buildTargetName, ['run-many', '-t', options.buildTargetName], json);
      const { graph, runtime } = await workspaceRuntime();
      const facts = await serviceFacts(graph, options);
      const providers = providerMap(runtime);
      const shared = await sharedFiles(
        Object.values(graph.nodes).map((n) => n.data.root),
        options.releaseIgnore,
      );
      const deployed = ledger.environments[environment] ?? {};
      const changes = await changedSinceReleases(deployed);
      const plan = planRelease({
        services: facts,
        providers,
        hashes: releaseHashes(facts, providers, shared.hash),
        deployed,
        force: values['force'] === true,
        changedSince: (sha) => changes.get(sha),
        isShared: shared.isShared,
      });
      const report = (promoted: Promoted[] | undefined) =>
        json
          ? console.log(
              JSON.stringify(
                {
                  environment,
                  services: plan.release.map((r) => r.service),
                  waves: plan.waves,
                  release: plan.release,
                  skipped: plan.skipped,
                  ...(promoted ? { promoted } : {}),
                },
                null,
                2,
              ),
            )
          : console.log(formatPlan(environment, plan));
      if (values['plan'] || !plan.release.length) {
        report(undefined);
        if (!json && !plan.release.length) console.log('Nothing to release.');
        return 0;
      }
      if (!json) console.log(formatPlan(environment, plan));
      const set = plan.release.map((r) => r.service);
      const gates = gateTargets(graph, set, options);
      if (gates.length)
        await phase(gates.join(' and '), ['run-many', '-t', gates.join(','), '-p', set.join(',')], json);
      await phase(options.pushTargetName, ['run-many', '-t', options.pushTargetName, '-p', set.join(',')], json);
      const promoted = await promote({ plan, graph, environment, ledger, ledgerFile, values });
      report(promoted);
      return 0;
    } catch (error) {
      if (!(error instanceof ReleaseError) && !(error instanceof Error && error.message.startsWith('nx-fleet')))
        throw error;
      console.error(error.message);
      return 1;
    }
  },
};

/** Every push succeeded: the ledger and GitOps files change together, and with --commit in one commit. */
async function promote(input: {
  plan: ReleasePlan;
  graph: ProjectGraph;
  environment: string;
  ledger: Ledger;
  ledgerFile: string;
  values: Record<string, unknown>;
}): Promise<Promoted[]> {
  const sha = (await readGitRevision(workspaceRoot))?.sha;
  if (!sha) throw new ReleaseError('nx-fleet release: releases are recorded by git commit; commit your changes first.');
  const now = new Date().toISOString();
  const entries: Record<string, LedgerEntry> = {};
  const promoted: Promoted[] = [];
  for (const planned of input.plan.release) {
    const root = input.graph.nodes[planned.service]!.data.root;
    const push = await readPushRecord(join(workspaceRoot, pushRecordPath(root)));
    if (!push)
      throw new ReleaseError(
        `nx-fleet release: ${planned.service} has no ${pushRecordPath(root)} after its push; nothing was promoted.`,
      );
    entries[planned.service] = {
      image: push.repository,
      digest: push.digest,
      contentTag: planned.contentTag,
      releaseHash: planned.releaseHash,
      gitSha: sha,
      releasedAt: now,
    };
    promoted.push({
      service: planned.service,
      image: push.repository,
      digest: push.digest,
      contentTag: planned.contentTag,
    });
  }
  // Computed in full before anything is written: a GitOps file that does not parse leaves all untouched.
  const writes = new Map<string, string>([
    [input.ledgerFile, serializeLedger(withReleased(input.ledger, input.environment, entries))],
  ]);
  for (const file of (input.values['kustomize'] as string[] | undefined) ?? [])
    writes.set(
      resolve(workspaceRoot, file),
      bumpKustomization(readOptional(resolve(workspaceRoot, file)), promoted, file),
    );
  for (const file of (input.values['helm-values'] as string[] | undefined) ?? [])
    writes.set(
      resolve(workspaceRoot, file),
      bumpHelmValues(readOptional(resolve(workspaceRoot, file)), promoted, file),
    );
  for (const [file, text] of writes) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  if (input.values['commit']) await commitRelease([...writes.keys()], input.environment, promoted);
  return promoted;
}

function readOptional(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** In the ledger's own repository, which may be a separate GitOps checkout. */
async function commitRelease(
  files: readonly string[],
  environment: string,
  promoted: readonly Promoted[],
): Promise<void> {
  const repo = (await runOk('git', ['rev-parse', '--show-toplevel'], { cwd: dirname(files[0]!) })).stdout.trim();
  await runOk('git', ['add', '--', ...files.map((f) => relative(repo, f))], { cwd: repo });
  const message = [
    `release(${environment}): ${promoted.map((p) => p.service).join(', ')}`,
    '',
    ...promoted.map((p) => `${p.service}: ${p.image}@${p.digest}`),
  ].join('\n');
  const result = await run('git', ['commit', '--quiet', '-m', message], { cwd: repo });
  if (result.code !== 0)
    throw new ReleaseError(
      `nx-fleet release: the ledger was written but could not be committed (${result.stderr.trim() || result.stdout.trim()}); commit ${files.map((f) => relative(repo, f)).join(', ')} yourself.`,
    );
}
