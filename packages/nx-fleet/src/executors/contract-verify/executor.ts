import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { logger, readTargetOptions, type ExecutorContext } from '@nx/devkit';
import { PACTS_FOLDER } from '../../config/defaults';
import { parsePact, type PactSummary } from '../../contracts/pacts';
import {
  exposedPort,
  startCommand,
  startContainer,
  waitUntilHealthy,
  type StartedProvider,
} from '../../contracts/provider';
import { brokerConfigFromEnv } from '../../contracts/pact-broker';
import {
  formatContractReport,
  loadVerifier,
  verifyBrokerPacts,
  verifyPact,
  type PactResult,
} from '../../contracts/verification';
import { readGitBranch, readGitRevision } from '../../io/git';
import { readImageRecord } from '../../image/records';
import { ensureLocalImage } from '../../image/local-image';
import { contractRecordPath, imageRecordPath } from '../../image/records';
import type { DockerBuildExecutorSchema } from '../docker-build/schema';
import { serviceRefOf } from '../docker-build/executor';
import { reportingFailures } from '../run-executor';
import type { ContractVerifyExecutorSchema } from './schema';

export default async function contractVerifyExecutor(
  options: ContractVerifyExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() => verifyContracts(options, context));
}

async function verifyContracts(options: ContractVerifyExecutorSchema, context: ExecutorContext): Promise<boolean> {
  const service = serviceRefOf(context);
  const pacts = readPacts(context.root, service.projectRoot, service.projectName);
  const broker = brokerConfigFromEnv(process.env, options.pactBrokerUrl);
  if (!pacts.length && !broker) {
    logger.info(
      `nx-fleet: ${service.projectName}: no consumer has a pact with it yet (${posix.join(service.projectRoot, PACTS_FOLDER)}/): nothing to verify.`,
    );
    await writeContractRecord(context.root, service.projectRoot, {
      provider: service.projectName,
      passed: true,
      pacts: [],
    });
    return true;
  }
  const buildTarget = options.buildTarget ?? 'docker-build';
  const record = await readImageRecord(join(context.root, imageRecordPath(service.projectRoot)));
  if (!record)
    throw new Error(
      `nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the ${buildTarget} target of ${service.projectName} first.`,
    );
  // Loaded before the provider starts: a missing Pact install should not cost a container start.
  const verifier = loadVerifier(context.root);
  const stateHandlers = loadStateHandlers(context.root, service.projectRoot, options.stateHandlers);
  const revision = await readGitRevision(context.root);
  if (broker && !revision)
    throw new Error(
      'nx-fleet: publishing verification results to the Pact Broker needs a git commit to version them by.',
    );

  const provider = await startProvider(options, context, record, buildTarget);
  const results: PactResult[] = [];
  try {
    await waitUntilHealthy(provider, options.healthPath ?? '/health', (options.startTimeoutSeconds ?? 60) * 1000);
    logger.info(
      `nx-fleet: ${service.projectName}: provider ${provider.describe} healthy at ${provider.baseUrl}; verifying ${pacts.length} pact(s)`,
    );
    // One consumer at a time: each failure is reported under the consumer whose expectations broke.
    for (const pact of pacts)
      results.push(
        await verifyPact(verifier, { pact, provider: service.projectName, baseUrl: provider.baseUrl, stateHandlers }),
      );
    if (broker && revision) {
      results.push(
        await verifyBrokerPacts(verifier, {
          broker,
          provider: service.projectName,
          baseUrl: provider.baseUrl,
          stateHandlers,
          version: revision.sha,
          branch: await readGitBranch(context.root),
        }),
      );
    }
  } finally {
    await provider.stop();
  }

  const passed = results.every((r) => r.passed);
  const report = formatContractReport(service.projectName, results);
  if (passed) logger.info(report);
  else logger.error(report);
  await writeContractRecord(context.root, service.projectRoot, {
    provider: service.projectName,
    image: `${record.image}:${record.contentTag}`,
    revision: revision?.sha,
    passed,
    pacts: results,
  });
  return passed;
}

async function writeContractRecord(
  workspaceRoot: string,
  projectRoot: string,
  record: Record<string, unknown>,
): Promise<void> {
  const file = join(workspaceRoot, contractRecordPath(projectRoot));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...record, verifiedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** Every pact in the provider's pacts folder; one that names another provider is a mistake worth stopping for. */
export function readPacts(workspaceRoot: string, projectRoot: string, provider: string): PactSummary[] {
  const folder = posix.join(projectRoot, PACTS_FOLDER);
  const files = existsSync(join(workspaceRoot, folder))
    ? readdirSync(join(workspaceRoot, folder))
        .filter((name) => name.endsWith('.json'))
        .sort()
    : [];
  return files.map((name) => {
    const file = posix.join(folder, name);
    const pact = parsePact(file, readFileSync(join(workspaceRoot, file), 'utf8'));
    if (pact.provider !== provider)
      throw new Error(
        `nx-fleet: ${file} is a pact with provider "${pact.provider}", but it is in the pacts folder of ${provider}; move it to ${pact.provider}'s pacts/ folder.`,
      );
    return { ...pact, file: join(workspaceRoot, file) };
  });
}

function loadStateHandlers(
  workspaceRoot: string,
  projectRoot: string,
  option: string | undefined,
): Record<string, (params?: Record<string, unknown>) => unknown> {
  const candidates = option
    ? [resolve(workspaceRoot, option)]
    : ['states.js', 'states.cjs'].map((name) => join(workspaceRoot, projectRoot, PACTS_FOLDER, name));
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) {
    if (option) throw new Error(`nx-fleet: the stateHandlers module ${option} does not exist.`);
    return {};
  }
  const loaded = require(file) as { default?: unknown } & Record<string, unknown>;
  const handlers = (loaded.default ?? loaded) as Record<string, unknown>;
  const invalid = Object.entries(handlers)
    .filter(([, handler]) => typeof handler !== 'function')
    .map(([state]) => state);
  if (invalid.length)
    throw new Error(
      `nx-fleet: ${file} must export an object of provider-state handler functions; ${invalid.map((s) => JSON.stringify(s)).join(', ')} are not functions.`,
    );
  return handlers as Record<string, (params?: Record<string, unknown>) => unknown>;
}

async function startProvider(
  options: ContractVerifyExecutorSchema,
  context: ExecutorContext,
  record: NonNullable<Awaited<ReturnType<typeof readImageRecord>>>,
  buildTarget: string,
): Promise<StartedProvider> {
  const env = options.env ?? {};
  if (options.startCommand) return startCommand({ command: options.startCommand, cwd: context.root, env });
  const engine = await ensureLocalImage(record, buildTarget, context, 'contract-verify runs the exact image built');
  const buildOptions = readTargetOptions<DockerBuildExecutorSchema>(
    { project: context.projectName!, target: buildTarget },
    context,
  );
  const dockerfile = join(
    context.root,
    buildOptions.dockerfile ?? join(serviceRefOf(context).projectRoot, 'Dockerfile'),
  );
  const containerPort =
    options.port ?? (existsSync(dockerfile) ? exposedPort(readFileSync(dockerfile, 'utf8')) : undefined) ?? 3000;
  return startContainer(engine, { image: record.localRef, containerPort, env });
}
