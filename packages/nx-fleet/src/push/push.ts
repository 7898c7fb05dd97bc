import { join } from 'node:path';
import { DEFAULT_TARGET_NAMES } from '../config/defaults';
import { brokerConfigFromEnv, canIDeploy } from '../contracts/pact-broker';
import { resolveEngine } from '../engines/detect';
import { describeCollision, repositoryCollisions } from '../image/collisions';
import type { BuildOptions, BuildPorts } from '../image/build';
import { rebuildRecordedImage, verifiedRecord, type RecordedImage } from '../image/local-image';
import {
  imageRecordPath,
  pushRecordPath,
  readImageRecord,
  writeRecord,
  type ImageRecord,
  type PushRecord,
} from '../image/records';
import type { ServiceRef } from '../image/service-ref';
import type { Ports } from '../io/ports';
import { registryAccess } from '../registry/access';
import { destinationFor, destinationRef, tlsVerifyOf, type Destination } from '../registry/destinations';
import { prepareSigning, type SigningOptions } from '../supply-chain/signing/settings';
import { attachToDigest } from './attest';
import { decidePush, pushTags, type PushDecision, type PushFacts } from './decide';

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

export type PushPorts = BuildPorts & Pick<Ports, 'http'>;

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
  const collision = repositoryCollisions(Object.values(service.graph.nodes)).find((c) =>
    c.projects.includes(service.projectName),
  );
  if (collision) throw new Error(`nx-fleet: ${service.projectName}: not pushed: ${describeCollision(collision)}.`);
  const signing = await prepareSigning(ports, options, service.workspaceRoot);
  const sha = (await ports.git.revision(service.workspaceRoot))?.sha;
  if (options.canIDeploy) await checkCanIDeploy(ports, service.projectName, options.canIDeploy, sha);
  const record = await readImageRecord(join(service.workspaceRoot, imageRecordPath(service.projectRoot)), ports.files);
  if (!record)
    throw new Error(
      `nx-fleet: ${imageRecordPath(service.projectRoot)} is missing; run the docker-build target of ${service.projectName} first.`,
    );

  const rebuildOptions = () => buildOptions(options.buildTarget ?? DEFAULT_TARGET_NAMES.build);
  // Before the registry is asked anything: a record the sources do not confirm is refused, so no
  // digest of another image is recorded and no other image is pushed (a poisoned cache entry).
  const verdict = await verifiedRecord(ports, { record, service, buildOptions: rebuildOptions });

  const destination = destinationFor(ports.env, options, record.image, service.workspaceRoot);
  const started = ports.clock.now().getTime();
  if (destination.kind === 'oci-layout') await ports.files.makeDir(destination.dir);
  const tags = pushTags(record.contentTag, sha, options);
  const decision = decidePush(await pushFacts(ports, destination, record, tags.slice(1), verdict));
  const digest = await carryOut(
    ports,
    decision,
    destination,
    record,
    { service, why: 'the registry does not have it', buildOptions: rebuildOptions },
    verdict.kind === 'rebuild' ? verdict.why : undefined,
  );

  // Before the record: a push whose SBOM or signature failed is not recorded as pushed.
  const attached = await attachToDigest(ports, {
    destination,
    digest,
    signing,
    attachSbom: options.attachSbom,
    service,
  });
  const pushed: PushRecord = {
    repository: destination.repository,
    digest,
    reference: `${destination.repository}@${digest}`,
    tags,
    uploaded: decision.kind === 'upload',
    destination: destination.kind,
    ...attached,
    pushedAt: ports.clock.now().toISOString(),
  };
  await writeRecord(join(service.workspaceRoot, pushRecordPath(service.projectRoot)), pushed, ports.files);
  const seconds = ((ports.clock.now().getTime() - started) / 1000).toFixed(1);
  ports.log.info(
    `nx-fleet: ${service.projectName}: ${pushed.uploaded ? 'pushed' : 'already present, no upload:'} ${describe(destination)}@${digest} ` +
      `[${tags.join(', ')}] in ${seconds}s`,
  );
  return pushed;
}

/**
 * What the destination holds, asked only as far as the decision needs it. The content tag's digest
 * is taken as this image's only because the record passed verifyRecord first: the tag was recomputed
 * from the current sources, and a content tag names one set of sources in any registry nx-fleet pushes to.
 */
async function pushFacts(
  ports: PushPorts,
  destination: Destination,
  record: ImageRecord,
  extraTags: string[],
  verdict: { kind: 'trusted' | 'rebuild' },
): Promise<PushFacts> {
  const registry = registryAccess(ports);
  const contentDigest = await registry.digest(destination, record.contentTag);
  // Only a local image verifyRecord trusted counts as held: any other is built again before the upload.
  if (contentDigest === undefined) return { extraTags, contentDigest, inEngine: verdict.kind === 'trusted' };
  const tagDigests = new Map<string, string | undefined>();
  for (const tag of extraTags) tagDigests.set(tag, await registry.digest(destination, tag));
  return { extraTags, contentDigest, tagDigests };
}

/** Uploads (rebuilding first) when decided, then copies the tags; returns the content tag's digest. */
async function carryOut(
  ports: PushPorts,
  decision: PushDecision,
  destination: Destination,
  record: ImageRecord,
  rebuild: Omit<RecordedImage, 'record'>,
  rebuildReason: string | undefined,
): Promise<string> {
  const tls = tlsVerifyOf(destination);
  const contentRef = destinationRef(destination, record.contentTag);
  let digest: string;
  if (decision.kind === 'present') digest = decision.digest;
  else {
    const engine = await resolveEngine(ports, record.engine);
    if (decision.rebuild) await rebuildRecordedImage(ports, { ...rebuild, record }, rebuildReason);
    digest = await engine.push(record.localRef, contentRef, tls);
  }
  // Sequential: an OCI layout's index.json is not safe for concurrent writers.
  for (const tag of decision.copy) await registryAccess(ports).copyTag(destination, record.contentTag, tag);
  return digest;
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
