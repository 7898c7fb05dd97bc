import { join } from 'node:path';
import { DEFAULT_TARGET_NAMES } from '../config/defaults';
import { brokerConfigFromEnv, canIDeploy } from '../contracts/pact-broker';
import { resolveEngine } from '../engines/detect';
import { pushWithRetries } from '../engines/push-retry';
import { describeCollision, graphCollisions } from '../image/collisions';
import type { BuildOptions, BuildPorts } from '../image/build';
import { judgedRecord, rebuildRecordedImage, type AcceptedVerdict, type RecordedImage } from '../image/local-image';
import {
  buildTargetIn,
  builtImageRecord,
  pushRecordPath,
  writeRecord,
  type ImageRecord,
  type PushRecord,
} from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import { gatherSourceFacts, withLocalImage } from '../image/verify-record';
import type { Ports } from '../io/ports';
import { registryAccess, type RegistryAccess, type RegistryPorts } from '../registry/access';
import { destinationFor, destinationRef, tlsVerifyOf, type Destination } from '../registry/destinations';
import { prepareSigning, type SigningOptions } from '../supply-chain/signing/settings';
import { pushAttachments, recordedAttachments, type AttachmentFact, type Attachments } from './attest';
import { decidePush, pushTags, stepName, type PushDecision, type PushFacts, type PushStep } from './decide';

/** docker-push's options (its schema.json states them for Nx Console). */
export interface PushOptions extends SigningOptions {
  registry?: string;
  buildTarget?: string;
  tags?: string[];
  latest?: boolean;
  tlsVerify?: boolean;
  skippedGates?: string[];
  attachSbom?: boolean;
  canIDeploy?: string;
}

export type PushPorts = BuildPorts &
  Pick<Ports, 'http'> &
  Pick<RegistryPorts, 'registryHosts'> & {
    /** Runs the engine's work of an upload (a rebuild, the push) when a batch has room for it. */
    engineSlot?: <T>(work: () => Promise<T>) => Promise<T>;
  };

export interface PushRequest {
  service: ServiceRef;
  options: PushOptions;
  /** A build target's options, read only when the image must be rebuilt. */
  buildOptions: (buildTarget: string) => BuildOptions;
}

/**
 * Pushes the image docker-build recorded by its content tag and git SHA: asks the destination what it
 * holds, decides (decidePush), then uploads and tags, attaches the SBOM and signature, and records it.
 */
export async function pushImage(
  ports: PushPorts,
  { service, options, buildOptions }: PushRequest,
): Promise<PushRecord> {
  for (const gate of options.skippedGates ?? []) {
    ports.log.warn(
      `nx-fleet: ${service.projectName}: the ${gate} gate is turned off (gates.${gate} = false), so this image is pushed without one.`,
    );
  }
  // Two services sharing a repository would move each other's commit and latest tags: refused first.
  const collision = graphCollisions(service.graph).find((c) => c.projects.includes(service.projectName));
  if (collision) throw new Error(`nx-fleet: ${service.projectName}: not pushed: ${describeCollision(collision)}.`);
  const signing = await prepareSigning(ports, options, service.workspaceRoot);
  const sha = (await ports.git.revision(service.workspaceRoot))?.sha;
  if (options.canIDeploy) await checkCanIDeploy(ports, service.projectName, options.canIDeploy, sha);
  const buildTarget = options.buildTarget ?? DEFAULT_TARGET_NAMES.build;
  const record = await builtImageRecord(service, buildTargetIn(service, buildTarget), ports.files);

  const rebuildOptions = () => buildOptions(buildTarget);
  // Before the registry is asked anything: a record the sources do not confirm is refused, so no
  // digest of another image is recorded and no other image is pushed (a poisoned cache entry).
  const sourced = await gatherSourceFacts(ports, { record, service, buildOptions: rebuildOptions });
  judgedRecord(ports, service, sourced);

  const destination = destinationFor(ports.env, options, record.image, service.workspaceRoot);
  const started = ports.clock.now().getTime();
  if (destination.kind === 'oci-layout') await ports.files.makeDir(destination.dir);
  const tags = pushTags(record.contentTag, sha, options);
  const attachments = pushAttachments(ports, { destination, signing, attachSbom: options.attachSbom, service });
  const registry = registryAccess(ports);
  const { verdict, ...facts } = await pushFacts({
    registry,
    destination,
    record,
    extraTags: tags.slice(1),
    attachments,
    // The local image matters only to an upload: the engine is asked only when the registry lacks the content tag.
    localVerdict: async () => judgedRecord(ports, service, await withLocalImage(ports, sourced)),
  });
  const decision = decidePush(facts);
  const done = await carryOut(ports, {
    registry,
    decision,
    destination,
    record,
    attachments,
    rebuild: { service, why: 'the registry does not have it', buildOptions: rebuildOptions },
    rebuildReason: verdict?.kind === 'rebuild' ? verdict.why : undefined,
  });

  // Said as signing says it, when the digest already carried this key's signature (no step ran for it).
  if (signing.method === 'sigstore' && facts.attachments.some((a) => a.kind === 'signature' && a.present))
    ports.log.info(
      `nx-fleet: ${service.projectName}: already signed by this key: ${destination.repository}@${done.digest} (Sigstore bundle attached as a referrer)`,
    );
  const uploaded = decision.steps.some((step) => step.step === 'upload');
  const pushed: PushRecord = {
    repository: destination.repository,
    digest: done.digest,
    reference: `${destination.repository}@${done.digest}`,
    tags,
    uploaded,
    destination: destination.kind,
    ...recordedAttachments(facts.attachments, signing),
    ...done.attached,
    pushedAt: ports.clock.now().toISOString(),
  };
  // Last: push.json says the content tag, every tag and every attachment are there.
  await step(service, { step: 'record' }, () =>
    writeRecord(join(service.workspaceRoot, pushRecordPath(service.projectRoot)), pushed, ports.files),
  );
  const seconds = ((ports.clock.now().getTime() - started) / 1000).toFixed(1);
  const completed = uploaded ? [] : decision.steps.filter((s) => s.step !== 'record').map(stepName);
  ports.log.info(
    `nx-fleet: ${service.projectName}: ${uploaded ? 'pushed' : 'already present, no upload:'} ${describe(destination)}@${done.digest} ` +
      `[${tags.join(', ')}] in ${seconds}s${completed.length ? ` (completed: ${completed.join(', ')})` : ''}`,
  );
  return pushed;
}

/**
 * What the destination holds: the content tag's digest, every other tag's, and the attachments the
 * content digest has. The content tag's digest is taken as this image's only because the record passed
 * verifyRecord against the sources first: the tag was recomputed from the current sources, and a
 * content tag names one set of sources in any registry nx-fleet pushes to. Without it, the local
 * image's verdict says whether the engine holds what to upload.
 */
async function pushFacts(input: {
  registry: RegistryAccess;
  destination: Destination;
  record: ImageRecord;
  extraTags: string[];
  localVerdict: () => Promise<AcceptedVerdict>;
  attachments: Attachments;
}): Promise<PushFacts & { attachments: AttachmentFact[]; verdict?: AcceptedVerdict }> {
  const registry = input.registry;
  const contentDigest = await registry.digest(input.destination, input.record.contentTag);
  const tagDigests = new Map<string, string | undefined>();
  for (const tag of input.extraTags) tagDigests.set(tag, await registry.digest(input.destination, tag));
  const verdict = contentDigest === undefined ? await input.localVerdict() : undefined;
  return {
    extraTags: input.extraTags,
    contentDigest,
    tagDigests,
    // Only a local image verifyRecord trusted counts as held: any other is built again before the upload.
    inEngine: verdict?.kind === 'trusted',
    attachments: await input.attachments.facts(contentDigest),
    ...(verdict ? { verdict } : {}),
  };
}

/**
 * Runs the decided steps but the record, in order (sequential: an OCI layout's index.json is not safe
 * for concurrent writers); the first failure stops the push, naming its step.
 */
async function carryOut(
  ports: PushPorts,
  input: {
    registry: RegistryAccess;
    decision: PushDecision;
    destination: Destination;
    record: ImageRecord;
    attachments: Attachments;
    rebuild: Omit<RecordedImage, 'record'>;
    rebuildReason: string | undefined;
  },
): Promise<{ digest: string; attached: Pick<PushRecord, 'sbom' | 'signature'> }> {
  const { decision, destination, record } = input;
  const service = input.rebuild.service;
  let digest = decision.digest;
  let attached: Pick<PushRecord, 'sbom' | 'signature'> = {};
  for (const current of decision.steps) {
    if (current.step === 'record') continue;
    await step(service, current, async () => {
      if (current.step === 'upload') {
        const engine = await resolveEngine(ports, record.engine);
        const ref = destinationRef(destination, record.contentTag);
        digest = await (ports.engineSlot ?? ((work) => work()))(async () => {
          if (current.rebuild) await rebuildRecordedImage(ports, { ...input.rebuild, record }, input.rebuildReason);
          return pushWithRetries(
            () => engine.push(record.localRef, ref, tlsVerifyOf(destination)),
            ref,
            (message) => ports.log.warn(message),
          );
        });
      } else if (current.step === 'tag') {
        await input.registry.copyTag(destination, record.contentTag, current.tag);
        if (current.moved)
          ports.log.info(
            `nx-fleet: ${service.projectName}: tag ${current.tag} moved from ${current.moved} to ${digest} (${record.contentTag}).`,
          );
      } else attached = { ...attached, ...(await input.attachments.attach(current.step, digest!)) };
    });
  }
  return { digest: digest!, attached };
}

/** One step of a push; a failure says which, and that nothing was recorded. */
async function step<T>(
  service: Pick<ServiceRef, 'projectName'>,
  current: PushStep,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).replace(/^nx-fleet: /, '');
    throw new Error(
      `nx-fleet: ${service.projectName}: push step "${stepName(current)}" failed: ${why}\n` +
        `Nothing was recorded (no push.json); run docker-push again: it does only what is still missing.`,
      { cause: error },
    );
  }
}

/** The Pact Broker's verdict for this commit of the service, before anything reaches the registry. */
async function checkCanIDeploy(
  ports: Pick<Ports, 'env' | 'http' | 'log'>,
  pacticipant: string,
  environment: string,
  version: string | undefined,
): Promise<void> {
  const broker = brokerConfigFromEnv(ports.env);
  if (!broker)
    throw new Error(
      `nx-fleet: ${pacticipant}: canIDeploy is set but no Pact Broker is configured: set PACT_BROKER_BASE_URL (and PACT_BROKER_TOKEN).`,
    );
  if (!version) throw new Error(`nx-fleet: ${pacticipant}: can-i-deploy asks about a git commit; there is none.`);
  const verdict = await canIDeploy(ports.http, broker, { pacticipant, version, environment });
  if (!verdict.deployable) {
    throw new Error(
      `nx-fleet: ${pacticipant} ${version.slice(0, 12)} cannot be deployed to ${environment} (Pact Broker: ${verdict.reason})${verdict.failures.length ? `:\n${verdict.failures.map((f) => `  ${f}`).join('\n')}` : ''}`,
    );
  }
  ports.log.info(`nx-fleet: ${pacticipant}: can-i-deploy to ${environment}: yes (${verdict.reason})`);
}

function describe(destination: Destination): string {
  return destination.kind === 'registry' ? destination.repository : `${destination.dir} (OCI layout)`;
}
