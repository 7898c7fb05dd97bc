import { afterEach, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../registry/oci-client';
import { fakePorts, fakeProcesses } from '../testing/fake-ports';
import { pushTestImage, startFakeRegistry, type FakeRegistry } from '../testing/fake-oci-registry';
import { signingKeyPair } from '../testing/registry-image';
import { pushAttachments } from './attest';

const PEM = '-----BEGIN PRIVATE KEY-----\nCANARY-KEY-TEXT\n-----END PRIVATE KEY-----\n';

describe('pushAttachments with cosign', () => {
  let registry: FakeRegistry | undefined;
  afterEach(async () => registry?.close());

  it('hands an env:// key to cosign through its environment, never its command line', async () => {
    registry = await startFakeRegistry();
    const client = new OciRegistryClient(registry.host, 'orders', { fetch });
    const { digest } = await pushTestImage(client);
    const processes = fakeProcesses();
    const ports = { ...fakePorts({ processes }), http: fetch };
    const attachments = pushAttachments(ports, {
      destination: { kind: 'registry', repository: `${registry.host}/orders`, tlsVerify: false },
      signing: { method: 'cosign', key: 'env://FLEET_SIGNING_KEY', env: { FLEET_SIGNING_KEY: PEM } },
      attachSbom: false,
      service: {
        workspaceRoot: '/ws',
        projectName: 'orders',
        projectRoot: 'services/orders',
        graph: { nodes: {}, dependencies: {} },
      },
    });
    // nx-fleet cannot read cosign's signatures: cosign signs on every push that wants it.
    expect(await attachments.facts(digest)).toEqual([{ kind: 'signature' }]);
    expect(await attachments.attach('signature', digest)).toEqual({ signature: 'cosign' });
    const [cosign] = processes.calls.filter((call) => call.command === 'cosign');
    expect(cosign!.args).toContain('env://FLEET_SIGNING_KEY');
    expect(cosign!.args.join(' ')).not.toContain('CANARY-KEY-TEXT');
    expect(cosign!.options?.addEnv).toEqual({ FLEET_SIGNING_KEY: PEM });
  });
});

describe('pushAttachments with Sigstore', () => {
  let registry: FakeRegistry | undefined;
  afterEach(async () => registry?.close());

  it('reports the signature missing, signs, then reports it present: a re-push signs nothing', async () => {
    registry = await startFakeRegistry();
    const client = new OciRegistryClient(registry.host, 'orders', { fetch });
    const { digest } = await pushTestImage(client);
    const ports = { ...fakePorts({ processes: fakeProcesses() }), http: fetch };
    const attachments = pushAttachments(ports, {
      destination: { kind: 'registry', repository: `${registry.host}/orders`, tlsVerify: false },
      signing: { method: 'sigstore', key: signingKeyPair() },
      attachSbom: false,
      service: {
        workspaceRoot: '/ws',
        projectName: 'orders',
        projectRoot: 'services/orders',
        graph: { nodes: {}, dependencies: {} },
      },
    });
    expect(await attachments.facts(undefined)).toEqual([{ kind: 'signature' }]);
    expect(await attachments.facts(digest)).toEqual([{ kind: 'signature', present: false }]);
    expect(await attachments.attach('signature', digest)).toEqual({ signature: 'sigstore' });
    expect(await attachments.facts(digest)).toEqual([{ kind: 'signature', present: true }]);
  });
});
