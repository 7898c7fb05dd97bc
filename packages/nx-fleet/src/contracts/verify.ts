import { join, posix } from 'node:path';
import { PACTS_FOLDER } from '../config/defaults';
import type { BuildOptions, BuildPorts } from '../image/build';
import { engineHolding } from '../image/local-image';
import { buildTargetIn, builtImageRecord, contractRecordPath, type ImageRecord } from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { Ports } from '../io/ports';
import { redactText } from '../text/redact';
import { FINGERPRINT_TIMEOUT_MS, withTimeout } from './broker-fingerprint';
import { brokerConfigFromEnv, pactsForVerification, type BrokerConfig } from './pact-broker';
import type { PactLoader } from './pact-loader';
import { readProviderPacts } from './pacts';
import {
  planProvider,
  planVerification,
  portFromDockerfile,
  secretValues,
  type ContractVerifyOptions,
  type ProviderSettings,
  type VerificationPlan,
} from './plan';
import { startCommand, startContainer, waitUntilHealthy, type StartedProvider } from './provider';
import { loadStateHandlers } from './state-handlers';
import { formatContractReport, verifyBrokerPacts, verifyPact, type PactResult } from './verification';

export type ContractVerifyPorts = BuildPorts &
  Pick<Ports, 'http'> & {
    pact: PactLoader;
    /** The options of one of the project's build targets, as Nx resolves them; read only when needed. */
    buildOptions(buildTarget: string): BuildOptions;
  };

export interface ContractVerifyRequest {
  service: ServiceRef;
  options: ContractVerifyOptions;
}

/**
 * Verifies the provider against its consumers' pacts (and the Pact Broker's): starts it, waits until
 * it is healthy, verifies one consumer at a time, always stops it, and records the outcome.
 */
export async function verifyContracts(ports: ContractVerifyPorts, request: ContractVerifyRequest): Promise<boolean> {
  const { service, options } = request;
  const { workspaceRoot } = service;
  const provider = service.projectName;
  const pacts = await readProviderPacts(
    { files: ports.files },
    { workspaceRoot, projectRoot: service.projectRoot, provider },
  );
  const broker = brokerConfigFromEnv(ports.env, options.pactBrokerUrl);
  if (options.pactBrokerUrl && !ports.env['PACT_BROKER_BASE_URL'])
    ports.log.warn(
      `nx-fleet: ${provider}: the pactBrokerUrl option names the Pact Broker, but PACT_BROKER_BASE_URL is not set where Nx runs: docker-push does not wait for the broker's pacts and a cached verification does not follow them. Set PACT_BROKER_BASE_URL instead.`,
    );
  const plan = planVerification(pacts, broker, broker && (await brokerPactCount(ports, broker, provider)));
  if (plan.verify === 'nothing') {
    const where = posix.join(service.projectRoot, PACTS_FOLDER);
    ports.log.info(
      `nx-fleet: ${provider}: no consumer has a pact with it yet (${where}/${broker ? ` or in the Pact Broker at ${redactText(broker.url)}` : ''}): nothing to verify.`,
    );
    await writeContractRecord(ports, request, [], { provider, passed: true, pacts: [] });
    return true;
  }
  const settings = planProvider(options);
  const secrets = secretValues(plan.broker, settings.provider.env);
  try {
    return await verifyPlanned(ports, request, { plan, settings, secrets });
  } catch (error) {
    // A provider's last output, a Pact error: what Nx prints and caches loses the secrets first.
    if (error instanceof Error) error.message = redactText(error.message, secrets);
    throw error;
  }
}

/** How many pacts the broker holds for the provider; undefined when it cannot say (the verifier then reports why). */
async function brokerPactCount(
  ports: Pick<Ports, 'http'>,
  broker: BrokerConfig,
  provider: string,
): Promise<number | undefined> {
  try {
    return (await pactsForVerification(withTimeout(ports.http, FINGERPRINT_TIMEOUT_MS), broker, provider)).length;
  } catch {
    return undefined;
  }
}

async function verifyPlanned(
  ports: ContractVerifyPorts,
  request: ContractVerifyRequest,
  planned: {
    plan: Extract<VerificationPlan, { verify: 'pacts' }>;
    settings: ProviderSettings;
    secrets: string[];
  },
): Promise<boolean> {
  const { service } = request;
  const { workspaceRoot } = service;
  const provider = service.projectName;
  const { plan, settings, secrets } = planned;
  const record = await builtImageRecord(service, buildTargetIn(service, settings.buildTarget), ports.files);
  // Loaded before the provider starts: a missing Pact install should not cost a container start.
  const verifier = ports.pact.verifier(workspaceRoot);
  const stateHandlers = loadStateHandlers(
    { files: ports.files, loader: ports.pact },
    { workspaceRoot, projectRoot: service.projectRoot, option: request.options.stateHandlers },
  );
  const revision = await ports.git.revision(workspaceRoot);
  if (plan.broker && !revision)
    throw new Error(
      'nx-fleet: publishing verification results to the Pact Broker needs a git commit to version them by.',
    );

  const started = await startProvider(ports, service, settings, record);
  const results: PactResult[] = [];
  try {
    await waitUntilHealthy(ports.http, started, settings.healthPath, settings.startTimeoutMs);
    ports.log.info(
      `nx-fleet: ${provider}: provider ${started.describe} healthy at ${started.baseUrl}; verifying ${plan.pacts.length} pact(s)`,
    );
    const target = { provider, baseUrl: started.baseUrl, stateHandlers };
    // One consumer at a time: each failure is reported under the consumer whose expectations broke.
    for (const pact of plan.pacts) results.push(await verifyPact(verifier, { pact, ...target }));
    if (plan.broker && revision) {
      const branch = await ports.git.branch(workspaceRoot);
      results.push(
        await verifyBrokerPacts(verifier, { broker: plan.broker, ...target, version: revision.sha, branch }),
      );
    }
  } finally {
    await started.stop();
  }

  const passed = results.every((r) => r.passed);
  const report = redactText(formatContractReport(provider, results), secrets);
  if (passed) ports.log.info(report);
  else ports.log.error(report);
  await writeContractRecord(ports, request, secrets, {
    provider,
    image: `${record.image}:${record.contentTag}`,
    revision: revision?.sha,
    passed,
    pacts: results,
  });
  return passed;
}

async function startProvider(
  ports: ContractVerifyPorts,
  service: ServiceRef,
  settings: ProviderSettings,
  record: ImageRecord,
): Promise<StartedProvider> {
  const { provider, buildTarget } = settings;
  if (provider.from === 'command')
    return startCommand(ports, { command: provider.command, cwd: service.workspaceRoot, env: provider.env });
  const engine = await engineHolding(ports, {
    record,
    service,
    buildOptions: () => ports.buildOptions(buildTarget),
    why: 'contract-verify runs the exact image built',
  });
  const dockerfile = ports.buildOptions(buildTarget).dockerfile ?? join(service.projectRoot, 'Dockerfile');
  const containerPort =
    provider.port ?? portFromDockerfile(await ports.files.readText(join(service.workspaceRoot, dockerfile)));
  return startContainer(engine, { image: record.localRef, containerPort, env: provider.env });
}

async function writeContractRecord(
  ports: Pick<Ports, 'files' | 'clock'>,
  request: ContractVerifyRequest,
  secrets: readonly string[],
  record: Record<string, unknown>,
): Promise<void> {
  const file = join(request.service.workspaceRoot, contractRecordPath(request.service.projectRoot));
  const text = JSON.stringify({ ...record, verifiedAt: ports.clock.now().toISOString() }, null, 2);
  // Redacted as JSON text: a secret inside a failure message is a plain substring there too.
  await ports.files.writeText(file, `${redactText(text, secrets)}\n`);
}
