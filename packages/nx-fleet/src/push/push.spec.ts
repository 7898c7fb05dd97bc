import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServiceImage } from '../image/build';
import { CONTENT_TAG_LABEL } from '../image/content-label';
import { imageRecordPath, pushRecordPath, scanRecordDir, type ImageRecord, type PushRecord } from '../image/records';
import type { Env, HttpFetch, ProcessRunner } from '../io/ports';
import { manifestDigestOf } from '../registry/destinations';
import type { FakeContainerTools } from '../testing/fake-container-tools';
import { ToolFailedError } from '../io/process';
import { fakeGit, runResult } from '../testing/fake-ports';
import { imageWorkspace, ordersBuildOptions, ordersService } from '../testing/image-workspace';
import { signingKeyPair } from '../testing/registry-image';
import { pushImage, type PushOptions } from './push';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const buildOptions = ordersBuildOptions;
const service = ordersService();
const REGISTRY = { FLEET_REGISTRY: 'localhost:5000', HOME: '/nonexistent' };
const ref = (tag: string) => `docker://localhost:5000/orders:${tag}`;
const get = (tag: string) => `GET localhost:5000/orders:${tag}`;
const put = (tag: string) => `PUT localhost:5000/orders:${tag}`;
const digestOf = (manifest: string) => manifestDigestOf(Buffer.from(manifest));
/** The engine holds the recorded image, labelled as docker-build labels it. */
const hold = (tools: FakeContainerTools, record: Pick<ImageRecord, 'localRef' | 'contentTag'>) => {
  tools.images.add(record.localRef);
  tools.labels.set(record.localRef, { [CONTENT_TAG_LABEL]: record.contentTag });
};

/** docker-build ran on another machine: its record is here, its image is not (tests put it in the engine). */
async function setup(env: Env = REGISTRY, workspaceRoot = '/ws') {
  const git = fakeGit({ revision: { sha: SHA, committedAt: '2025-01-01T00:00:00Z' } });
  const { tools, log, ports: buildPorts } = imageWorkspace({ env, workspaceRoot, git });
  const ports = buildPorts;
  const record = await buildServiceImage(
    imageWorkspace({ env, workspaceRoot, git }).ports,
    buildOptions,
    ordersService(workspaceRoot),
  );
  await ports.files.writeText(join(workspaceRoot, imageRecordPath('services/orders')), JSON.stringify(record));
  const push = (options: PushOptions = { attachSbom: false }) =>
    pushImage(ports, { service: ordersService(workspaceRoot), options, buildOptions: () => buildOptions });
  const pushRecord = async (): Promise<PushRecord | undefined> => {
    const text = await ports.files.readText(join(workspaceRoot, pushRecordPath('services/orders')));
    return text === undefined ? undefined : JSON.parse(text);
  };
  const calls = () =>
    tools.processes.calls.map((call) => [call.command, ...call.args.filter((a) => !a.startsWith('/'))]);
  return { ports, tools, log, record, push, pushRecord, calls };
}

describe('pushImage', () => {
  it('uploads nothing when the registry has the content tag, and copies only the tags that do not name its digest', async () => {
    const { tools, record, push, pushRecord, calls, log } = await setup();
    tools.manifests.set(ref(record.contentTag), 'pushed before');
    tools.manifests.set(ref('0123456789ab'), 'pushed before');
    tools.manifests.set(ref('latest'), 'nothing yet');
    const digest = digestOf('pushed before');

    await push({ attachSbom: false, latest: true });

    // The registry holds the content tag: the engine is not asked about the local image at all.
    expect(calls()).toEqual([]);
    // One request per question: the copy puts the content tag's manifest, as read once, under the new tag.
    expect(tools.httpCalls).toEqual([get(record.contentTag), get('0123456789ab'), get('latest'), put('latest')]);
    expect(await pushRecord()).toEqual({
      repository: 'localhost:5000/orders',
      digest,
      reference: `localhost:5000/orders@${digest}`,
      tags: [record.contentTag, '0123456789ab', 'latest'],
      uploaded: false,
      destination: 'registry',
      pushedAt: '2025-06-01T00:00:00.000Z',
    });
    expect(log.of('info')).toEqual([
      `nx-fleet: orders: tag latest moved from ${digestOf('nothing yet')} to ${digest} (${record.contentTag}).`,
      `nx-fleet: orders: already present, no upload: localhost:5000/orders@${digest} [${record.contentTag}, 0123456789ab, latest] in 0.0s (completed: tag latest)`,
    ]);
  });

  it("uploads the engine's image when the registry lacks it, then copies every other tag", async () => {
    const { tools, record, push, pushRecord, calls } = await setup();
    hold(tools, record);

    await push();

    expect(calls()).toEqual([
      ['podman', 'image', 'inspect', record.localRef],
      ['podman', 'push', '--tls-verify=false', '--digestfile', record.localRef, ref(record.contentTag)],
    ]);
    const uploaded = digestOf(`manifest of ${record.localRef}`);
    // Nothing to attach: no request about attachments.
    expect(tools.httpCalls).toEqual([
      get(record.contentTag),
      get('0123456789ab'),
      get(record.contentTag),
      put('0123456789ab'),
    ]);
    expect(await pushRecord()).toMatchObject({ uploaded: true, digest: uploaded });
  });

  it('rebuilds the image first after a remote-cache hit (the engine never built it)', async () => {
    const { tools, record, push, pushRecord, log } = await setup();

    await push();

    expect(tools.toolCalls().map((call) => `${call.command} ${call.args[0]}`)).toEqual([
      'podman image',
      // the rebuild: docker-build's own questions, then the build
      'podman image',
      'podman build',
      'podman image', // the rebuilt image carries the content tag
      'podman push',
    ]);
    expect(log.of('info')[0]).toBe(
      `nx-fleet: ${record.localRef} is not on this machine; rebuilding it (the registry does not have it).`,
    );
    expect(await pushRecord()).toMatchObject({ uploaded: true });
  });

  it('refuses a poisoned record naming an older content tag the registry still holds: nothing pushed, tagged or recorded', async () => {
    const { ports, tools, record, push, pushRecord, calls } = await setup();
    const older = { ...record, contentTag: 'ct-recorded', localRef: 'orders:ct-recorded' };
    await ports.files.writeText(join('/ws', imageRecordPath('services/orders')), JSON.stringify(older));
    tools.manifests.set(ref('ct-recorded'), 'the old image');
    hold(tools, older);

    await expect(push()).rejects.toThrow(
      /^nx-fleet: orders: dist\/fleet\/services\/orders\/image\.json is not trusted: it records content tag ct-recorded, but the current sources give ct-[0-9a-f]{32}\. /,
    );
    expect(tools.httpCalls).toEqual([]);
    expect(calls().filter(([, verb]) => verb === 'push' || verb === 'build')).toEqual([]);
    expect(await pushRecord()).toBeUndefined();
  });

  it("refuses a tampered localRef naming another service's image, before the registry is asked", async () => {
    const { ports, tools, record, push, pushRecord, calls } = await setup();
    const tampered = { ...record, localRef: `payments:${record.contentTag}` };
    await ports.files.writeText(join('/ws', imageRecordPath('services/orders')), JSON.stringify(tampered));
    hold(tools, tampered);

    await expect(push()).rejects.toThrow(
      `is not trusted: its localRef "payments:${record.contentTag}" is not "orders:${record.contentTag}".`,
    );
    expect(calls()).toEqual([]);
    expect(tools.httpCalls).toEqual([]);
    expect(await pushRecord()).toBeUndefined();
  });

  it('rebuilds a local image without the content-tag label before uploading it', async () => {
    const { tools, record, push, log } = await setup();
    tools.images.add(record.localRef);

    await push();

    expect(tools.processes.calls.filter((call) => call.args[0] === 'build')).toHaveLength(1);
    expect(tools.labels.get(record.localRef)?.[CONTENT_TAG_LABEL]).toBe(record.contentTag);
    expect(log.of('info')[0]).toMatch(
      /has no dev\.nx-fleet\.content-tag label .*; rebuilding it \(the registry does not have it\)\.$/,
    );
  });

  it('rebuilds nothing when the registry has the verified content tag, whatever the local image', async () => {
    const { tools, record, push, pushRecord } = await setup();
    tools.manifests.set(ref(record.contentTag), 'pushed before');
    await push();
    expect(tools.processes.calls.filter((call) => call.args[0] === 'build' || call.args[0] === 'push')).toEqual([]);
    expect(await pushRecord()).toMatchObject({ uploaded: false, digest: digestOf('pushed before') });
  });

  it('writes no push.json when attaching to the digest fails', async () => {
    const { ports, tools, record, pushRecord } = await setup();
    hold(tools, record);
    const failing = { ...ports, http: () => Promise.reject(new Error('registry went away')) };

    await expect(pushImage(failing, { service, options: {}, buildOptions: () => buildOptions })).rejects.toThrow();
    expect(await pushRecord()).toBeUndefined();
  });

  it('warns about every gate turned off', async () => {
    const { tools, record, push, log } = await setup();
    hold(tools, record);
    await push({ attachSbom: false, skippedGates: ['scan', 'contract'] });
    expect(log.of('warn')).toEqual([
      'nx-fleet: orders: the scan gate is turned off (gates.scan = false), so this image is pushed without one.',
      'nx-fleet: orders: the contract gate is turned off (gates.contract = false), so this image is pushed without one.',
    ]);
  });

  it('refuses a service whose repository another service also derives, naming both, before anything else', async () => {
    const { ports, calls, pushRecord } = await setup();
    const node = (name: string) => ({
      name,
      type: 'app' as const,
      data: { root: `services/${name}`, targets: { b: { executor: 'nx-fleet:docker-build' } } },
    });
    const graph = { nodes: { orders: node('orders'), Orders: node('Orders') }, dependencies: {} };
    await expect(
      pushImage(ports, { service: { ...service, graph }, options: {}, buildOptions: () => buildOptions }),
    ).rejects.toThrow(
      'nx-fleet: orders: not pushed: the services "Orders" and "orders" share the image repository "orders"; set a distinct "image" option on one of them.',
    );
    expect(calls()).toEqual([]);
    expect(await pushRecord()).toBeUndefined();
  });

  it('names the missing image record, asking nothing of the registry', async () => {
    const { ports, push, calls } = await setup();
    ports.files.files.delete(join('/ws', imageRecordPath('services/orders')));
    await expect(push()).rejects.toThrow(
      'nx-fleet: dist/fleet/services/orders/image.json is missing; run the docker-build target of orders first.',
    );
    expect(calls()).toEqual([]);
  });

  it("refuses a build target the project's own configuration replaced, even over a record left by an earlier build", async () => {
    const { ports, calls, pushRecord } = await setup();
    const graph = {
      nodes: {
        orders: {
          name: 'orders',
          type: 'app' as const,
          data: {
            root: 'services/orders',
            targets: { 'docker-build': { executor: 'nx:run-commands', options: { command: 'docker build .' } } },
          },
        },
      },
      dependencies: {},
    };
    await expect(
      pushImage(ports, { service: { ...service, graph }, options: {}, buildOptions: () => buildOptions }),
    ).rejects.toThrow(
      /^nx-fleet: orders:docker-build runs `docker build \.` \(nx:run-commands\), not nx-fleet:docker-build/,
    );
    expect(calls()).toEqual([]);
    expect(await pushRecord()).toBeUndefined();
  });

  it('asks the Pact Broker before anything reaches the registry, and stops without one', async () => {
    const { push, calls } = await setup();
    await expect(push({ canIDeploy: 'production' })).rejects.toThrow(
      'nx-fleet: orders: canIDeploy is set but no Pact Broker is configured: set PACT_BROKER_BASE_URL (and PACT_BROKER_TOKEN).',
    );
    expect(calls()).toEqual([]);
  });

  describe('a push stopped half-way', () => {
    /** The registry refuses to write one tag; every other request is served. */
    const refusingTag =
      (tools: FakeContainerTools, tag: string): HttpFetch =>
      async (input, init) =>
        init?.method === 'PUT' && String(input).endsWith(`/manifests/${tag}`)
          ? new Response('{"errors":[{"code":"DENIED","message":"tag is immutable"}]}', { status: 403 })
          : tools.http(input, init);

    it('fails naming the tag step, records nothing; the re-run copies only that tag, uploading nothing', async () => {
      const { ports, tools, record, pushRecord, log } = await setup();
      hold(tools, record);
      const service = ordersService();
      const run = (http: HttpFetch) =>
        pushImage({ ...ports, http }, { service, options: { attachSbom: false }, buildOptions: () => buildOptions });

      await expect(run(refusingTag(tools, '0123456789ab'))).rejects.toThrow(
        /^nx-fleet: orders: push step "tag 0123456789ab" failed: .*\nNothing was recorded \(no push\.json\); run docker-push again: it does only what is still missing\.$/s,
      );
      expect(tools.manifests.has(ref(record.contentTag))).toBe(true);
      expect(tools.manifests.has(ref('0123456789ab'))).toBe(false);
      expect(await pushRecord()).toBeUndefined();

      tools.processes.calls.length = 0;
      tools.httpCalls.length = 0;
      await run(tools.http);
      expect(tools.processes.calls.filter((call) => call.args[0] === 'push' || call.args[0] === 'build')).toEqual([]);
      expect(tools.httpCalls.filter((call) => call.startsWith('PUT'))).toEqual([put('0123456789ab')]);
      const uploaded = digestOf(`manifest of ${record.localRef}`);
      expect(await pushRecord()).toMatchObject({ digest: uploaded, uploaded: false });
      expect(log.of('info').at(-1)).toMatch(/already present, no upload: .* \(completed: tag 0123456789ab\)$/);
    });

    it('fails naming the upload when the engine cannot push: no tag written, nothing recorded', async () => {
      const { ports, tools, record, pushRecord } = await setup();
      hold(tools, record);
      const refusing: ProcessRunner = {
        ...tools.processes,
        run: (command, args, options) =>
          args[0] === 'push'
            ? Promise.resolve(runResult('', 'Error: writing blob: 500 Internal Server Error', 125))
            : tools.processes.run(command, args, options),
        runOk: (command, args, options) =>
          args[0] === 'push'
            ? Promise.reject(new Error('podman push: writing blob: 500 Internal Server Error'))
            : tools.processes.runOk(command, args, options),
      };
      await expect(
        pushImage(
          { ...ports, processes: refusing },
          { service: ordersService(), options: { attachSbom: false }, buildOptions: () => buildOptions },
        ),
      ).rejects.toThrow(/^nx-fleet: orders: push step "upload" failed: .*500 Internal Server Error/);
      expect(tools.httpCalls.filter((call) => call.startsWith('PUT'))).toEqual([]);
      expect(await pushRecord()).toBeUndefined();
    });

    it('fails naming the signature when signing fails, after the image and tags are there', async () => {
      const { ports, tools, record, pushRecord } = await setup();
      hold(tools, record);
      // cosign is there (its version answers) and fails to sign.
      const cosign = (args: readonly string[]) =>
        args[0] === 'version' ? runResult('v2.4.1') : runResult('', 'Error: signing: no identity token', 1);
      const processes: ProcessRunner = {
        ...tools.processes,
        run: (command, args, options) =>
          command === 'cosign' ? Promise.resolve(cosign(args)) : tools.processes.run(command, args, options),
        runOk: async (command, args, options) => {
          if (command !== 'cosign') return tools.processes.runOk(command, args, options);
          const result = cosign(args);
          if (result.code !== 0) throw new ToolFailedError(command, args, result, true);
          return result;
        },
      };
      await expect(
        pushImage(
          { ...ports, processes },
          {
            service: ordersService(),
            options: { attachSbom: false, sign: 'cosign', keyless: true },
            buildOptions: () => buildOptions,
          },
        ),
      ).rejects.toThrow(/^nx-fleet: orders: push step "signature" failed: `cosign sign .*` exited with code 1\n/);
      expect(tools.manifests.has(ref('0123456789ab'))).toBe(true);
      expect(await pushRecord()).toBeUndefined();
    });

    it('fails naming the SBOM when the registry refuses the attachment', async () => {
      root = mkdtempSync(join(tmpdir(), 'nx-fleet-push-spec-'));
      const { tools, record, push, pushRecord } = await setup(REGISTRY, root);
      hold(tools, record);
      mkdirSync(join(root, scanRecordDir('services/orders')), { recursive: true });
      writeFileSync(join(root, scanRecordDir('services/orders'), 'sbom.cdx.json'), '{"bomFormat":"CycloneDX"}');
      await expect(push({})).rejects.toThrow(/^nx-fleet: orders: push step "sbom" failed: /);
      expect(tools.manifests.has(ref('0123456789ab'))).toBe(true);
      expect(await pushRecord()).toBeUndefined();
    });

    let root: string | undefined;
    afterEach(() => {
      if (root) rmSync(root, { recursive: true, force: true });
      root = undefined;
    });
  });

  describe('without a registry', () => {
    let root: string | undefined;
    afterEach(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('pushes to the OCI layout, warning that nothing is signed there', async () => {
      root = mkdtempSync(join(tmpdir(), 'nx-fleet-push-spec-'));
      const { tools, record, push, pushRecord, log } = await setup(
        { FLEET_SIGN: 'sigstore', FLEET_SIGNING_KEY: signingKeyPair().privateKeyPem },
        root,
      );
      hold(tools, record);
      tools.processes.calls.length = 0;

      await push();

      const layout = `oci:${join(root, 'dist/fleet-registry/orders')}`;
      expect(tools.manifests.has(`${layout}:${record.contentTag}`)).toBe(true);
      expect(tools.manifests.has(`${layout}:0123456789ab`)).toBe(true);
      expect(await pushRecord()).toMatchObject({ destination: 'oci-layout', repository: 'orders', uploaded: true });
      expect(log.of('warn')).toEqual([
        'nx-fleet: orders: not signed: signatures and SBOMs are attached in a registry, and no registry is configured.',
      ]);
    });
  });
});
