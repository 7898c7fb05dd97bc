import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectGraphProjectNode } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushRecord } from '../image/records';
import { BUILD_EXECUTOR } from '../services/projects';
import type { Env } from '../io/ports';
import { attachArtifact, type Descriptor } from '../registry/oci-referrers';
import { pushTestImage } from '../testing/fake-oci-registry';
import { memoryFiles } from '../testing/fake-ports';
import { client, image, registry, repository, signingKeyPair, useRegistryImage } from '../testing/registry-image';
import { attachSbom } from './sbom';
import { ensureSigned } from './signatures';
import {
  formatVerifyTable,
  parsePinnedReference,
  verifyImages,
  verifyTarget,
  VerifyUsageError,
  type VerifyRequest,
  type VerifyResult,
} from './verify';

const digest = `sha256:${'a1'.repeat(32)}`;

describe('parsePinnedReference', () => {
  it('splits host:port/name@sha256:…', () => {
    expect(parsePinnedReference(`127.0.0.1:5000/acme/orders@${digest}`)).toEqual({
      repository: '127.0.0.1:5000/acme/orders',
      digest,
    });
  });

  it('keeps the repository without the tag of name:tag@sha256:…', () => {
    expect(parsePinnedReference(`registry.example.com/acme/orders:v1.2-rc_1@${digest}`)).toEqual({
      repository: 'registry.example.com/acme/orders',
      digest,
    });
    expect(parsePinnedReference(`localhost:5000/orders:latest@${digest}`)).toEqual({
      repository: 'localhost:5000/orders',
      digest,
    });
  });

  it.each([
    ['a tag only', 'registry.example.com/acme/orders:v1'],
    ['a repository only', 'registry.example.com/acme/orders'],
    ['no registry', `orders@${digest}`],
    ['no registry, with a tag', `orders:v1@${digest}`],
    ['a short digest', `registry.example.com/acme/orders@sha256:${'a1'.repeat(16)}`],
    ['an upper-case digest', `registry.example.com/acme/orders@sha256:${'A1'.repeat(32)}`],
    ['another algorithm', `registry.example.com/acme/orders@sha512:${'a1'.repeat(64)}`],
    ['whitespace', `registry.example.com/acme/ orders@${digest}`],
  ])('rejects %s, naming --image and the reference', (_case, reference) => {
    expect(() => parsePinnedReference(reference)).toThrow(
      `nx-fleet verify: --image ${JSON.stringify(reference)} is not a digest-pinned reference (registry/name@sha256:<64 hex>).`,
    );
  });
});

describe('formatVerifyTable', () => {
  const reference = `registry.example.com/acme/orders@${digest}`;
  const result = (overrides: Partial<VerifyResult>): VerifyResult => ({
    name: 'orders',
    reference,
    digest,
    ok: true,
    signature: { status: 'valid', problems: [] },
    sbom: { status: 'present', format: 'CycloneDX' },
    problems: [],
    ...overrides,
  });

  it('prints an aligned row per image and no details when all is well', () => {
    const table = formatVerifyTable([result({}), result({ name: 'billing-service', reference: 'r/b@x' })]);
    expect(table.split('\n')).toEqual([
      'IMAGE            RESULT  SIGNATURE  SBOM     REFERENCE',
      `orders           ok      valid      present  ${reference}`,
      'billing-service  ok      valid      present  r/b@x',
    ]);
  });

  it("says 'not checked' when the SBOM was not checked", () => {
    const [, row] = formatVerifyTable([result({ sbom: undefined })]).split('\n');
    expect(row).toBe(`orders  ok      valid      not checked  ${reference}`);
  });

  it('marks a missing signature FAILED and names the digest below the table', () => {
    const lines = formatVerifyTable([result({ ok: false, signature: { status: 'missing', problems: [] } })]).split(
      '\n',
    );
    expect(lines[1]).toMatch(/^orders  FAILED  missing    present  /);
    expect(lines.slice(2)).toEqual(['', `orders: no Sigstore signature is attached to ${digest}`]);
  });

  it('lists the problem of each rejected signature bundle', () => {
    const problems = ['sha256:b1: the bundle was signed by another key', 'sha256:c2: the bundle signs another image'];
    const lines = formatVerifyTable([result({ ok: false, signature: { status: 'invalid', problems } })]).split('\n');
    expect(lines[1]).toMatch(/^orders  FAILED  invalid /);
    expect(lines.slice(2)).toEqual([
      '',
      'orders: signature sha256:b1: the bundle was signed by another key',
      'orders: signature sha256:c2: the bundle signs another image',
    ]);
  });

  it('reports a missing SBOM, and an invalid one with its detail', () => {
    const lines = formatVerifyTable([
      result({ ok: false, sbom: { status: 'missing' } }),
      result({
        name: 'billing',
        ok: false,
        sbom: { status: 'invalid', format: 'SPDX', detail: 'not a SPDX document' },
      }),
    ]).split('\n');
    expect(lines[1]).toMatch(/^orders   FAILED  valid      missing  /);
    expect(lines[2]).toMatch(/^billing  FAILED  valid      invalid  /);
    expect(lines.slice(3)).toEqual(['', 'orders: SBOM missing', 'billing: SBOM invalid (not a SPDX document)']);
  });

  it('lists problems outside the attachments first, such as a moved tag', () => {
    const moved = `registry.example.com/acme/orders:ct-1 now names sha256:b2, not the pushed ${digest}`;
    const lines = formatVerifyTable([
      result({ ok: false, problems: [moved], signature: { status: 'missing', problems: [] } }),
    ]).split('\n');
    expect(lines[1]).toMatch(/^orders  FAILED  missing    present  /);
    expect(lines.slice(2)).toEqual(['', `orders: ${moved}`, `orders: no Sigstore signature is attached to ${digest}`]);
  });
});

describe('against a registry', () => {
  const keys = signingKeyPair();
  const CONTENT_TAG = 'ct-0123456789ab';
  useRegistryImage(CONTENT_TAG);

  let home: string;
  /** No auth file of the machine running the tests may be read. */
  let env: Env;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'nx-fleet-verify-'));
    env = { HOME: home };
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  async function signAndAttachSbom(subject: Descriptor): Promise<void> {
    await ensureSigned(client, subject, { repository, ...keys });
    const path = join(home, 'sbom.cdx.json');
    writeFileSync(path, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }));
    await attachSbom(client, subject, { path, mediaType: 'application/vnd.cyclonedx+json' });
  }

  const target = () => ({ name: 'orders', repository, digest: image.digest, contentTag: CONTENT_TAG });
  /** What verifying the signed image with its SBOM answers. */
  const passed = (): VerifyResult => ({
    name: 'orders',
    reference: `${repository}@${image.digest}`,
    digest: image.digest,
    ok: true,
    signature: { status: 'valid', problems: [] },
    sbom: { status: 'present', format: 'CycloneDX' },
    problems: [],
  });

  describe('verifyTarget', () => {
    it('passes a signed image with an SBOM whose content tag still names it', async () => {
      await signAndAttachSbom(image);
      expect(await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch })).toEqual(passed());
    });

    it('fails when the content tag now names another digest, naming both', async () => {
      await signAndAttachSbom(image);
      const moved = await pushTestImage(client, 'arm64', CONTENT_TAG);
      expect(moved.digest).not.toBe(image.digest);

      const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch });
      expect(result.ok).toBe(false);
      expect(result.signature.status).toBe('valid');
      expect(result.problems).toEqual([
        `${repository}:${CONTENT_TAG} now names ${moved.digest}, not the pushed ${image.digest}`,
      ]);
    });

    it('fails when the registry no longer has the content tag', async () => {
      await signAndAttachSbom(image);
      registry.tags.delete(CONTENT_TAG);

      const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch });
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([`the registry no longer has ${repository}:${CONTENT_TAG}`]);
    });

    it('checks no tag when the target has none (an --image reference)', async () => {
      await signAndAttachSbom(image);
      registry.tags.delete(CONTENT_TAG);
      const result = await verifyTarget(
        { name: `${repository}@${image.digest}`, repository, digest: image.digest },
        keys.publicKeyPem,
        { sbom: true },
        { env, http: fetch },
      );
      expect(result).toMatchObject({ ok: true, problems: [] });
    });

    it('fails an unsigned image, and one without an SBOM', async () => {
      const unsigned = await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch });
      expect(unsigned).toMatchObject({
        ok: false,
        signature: { status: 'missing' },
        sbom: { status: 'missing' },
        problems: [],
      });

      await ensureSigned(client, image, { repository, ...keys });
      const noSbom = await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch });
      expect(noSbom).toMatchObject({ ok: false, signature: { status: 'valid' }, sbom: { status: 'missing' } });
    });

    it('fails a signature made by another key', async () => {
      await signAndAttachSbom(image);
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString();
      const result = await verifyTarget(target(), other, { sbom: true }, { env, http: fetch });
      expect(result.ok).toBe(false);
      expect(result.signature.status).toBe('invalid');
    });

    it('skips the SBOM with sbom: false, passing a signed image without one', async () => {
      await ensureSigned(client, image, { repository, ...keys });
      const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: false }, { env, http: fetch });
      expect(result.ok).toBe(true);
      expect(result).not.toHaveProperty('sbom');
      expect(formatVerifyTable([result])).toContain('not checked');
    });

    it('fails on an invalid SBOM even when signed', async () => {
      await ensureSigned(client, image, { repository, ...keys });
      await attachArtifact(client, {
        subject: image,
        artifactType: 'application/vnd.cyclonedx+json',
        content: Buffer.from('{"hello":"world"}'),
      });
      const result = await verifyTarget(target(), keys.publicKeyPem, { sbom: true }, { env, http: fetch });
      expect(result).toMatchObject({ ok: false, sbom: { status: 'invalid', detail: 'not a CycloneDX document' } });
    });
  });

  describe('verifyImages', () => {
    const PUBLIC_KEY_FILE = '/ws/keys/fleet.pub';
    const serviceNode = (name: string, executor = BUILD_EXECUTOR): ProjectGraphProjectNode => ({
      name,
      type: 'app',
      data: { root: `services/${name}`, targets: { 'docker-build': { executor } } },
    });
    const pushed = (overrides: Partial<PushRecord> = {}): PushRecord => ({
      repository,
      digest: image.digest,
      reference: `${repository}@${image.digest}`,
      tags: [CONTENT_TAG],
      uploaded: true,
      destination: 'registry',
      pushedAt: '2025-01-01T00:00:00.000Z',
      ...overrides,
    });

    const PUSH_RECORD = '/ws/dist/fleet/services/orders/push.json';

    /** Fakes of the graph, the files (the key, orders' push.json) and the environment; records what was read. */
    function harness(
      input: {
        request?: Partial<VerifyRequest>;
        env?: Env;
        files?: Record<string, string>;
        nodes?: ProjectGraphProjectNode[];
        /** What orders' push.json holds (null: never pushed). */
        pushedAs?: Partial<PushRecord> | null;
      } = {},
    ) {
      const asked = { graph: 0, read: [] as string[] };
      const request: VerifyRequest = { workspaceRoot: '/ws', images: [], projects: [], sbom: true, ...input.request };
      const files = memoryFiles({
        ...(input.files ?? { [PUBLIC_KEY_FILE]: keys.publicKeyPem }),
        ...(input.pushedAs === null ? {} : { [PUSH_RECORD]: JSON.stringify(pushed(input.pushedAs)) }),
      });
      const verify = () =>
        verifyImages(request, {
          env: { ...env, ...input.env },
          files: {
            ...files,
            readText: (file) => {
              asked.read.push(file);
              return files.readText(file);
            },
          },
          http: (url, init) => fetch(url, init),
          projects: async () => {
            asked.graph++;
            return input.nodes ?? [serviceNode('orders'), serviceNode('lib', '@nx/js:tsc')];
          },
        });
      return { verify, asked };
    }
    const withKey = { key: 'keys/fleet.pub' };

    it('verifies every pushed service when nothing is named, with the key read from its file', async () => {
      await signAndAttachSbom(image);
      const { verify, asked } = harness({ request: withKey });
      expect(await verify()).toEqual([passed()]);
      expect(asked).toEqual({ graph: 1, read: [PUBLIC_KEY_FILE, PUSH_RECORD] });
    });

    it('verifies only the --image references without asking the graph', async () => {
      await ensureSigned(client, image, { repository, ...keys });
      const reference = `${repository}@${image.digest}`;
      const { verify, asked } = harness({ request: { ...withKey, images: [reference], sbom: false } });
      expect(await verify()).toMatchObject([{ name: reference, ok: true, problems: [] }]);
      expect(asked).toEqual({ graph: 0, read: [PUBLIC_KEY_FILE] });
    });

    it('checks the content tag a push recorded, and reports a failing image without throwing', async () => {
      registry.tags.delete(CONTENT_TAG);
      const { verify } = harness({ request: withKey });
      expect(await verify()).toMatchObject([
        {
          ok: false,
          signature: { status: 'missing' },
          problems: [`the registry no longer has ${repository}:${CONTENT_TAG}`],
        },
      ]);
    });

    // Only keys/fleet.pub exists: reading keys/other.pub would fail with ENOENT.
    it.each<[string, Partial<VerifyRequest>, Env]>([
      ['--key over FLEET_VERIFY_KEY and nx.json', withKey, { FLEET_VERIFY_KEY: 'keys/other.pub' }],
      ['FLEET_VERIFY_KEY over nx.json', { configuredKey: 'keys/other.pub' }, { FLEET_VERIFY_KEY: 'keys/fleet.pub' }],
      ['nx.json signing.publicKey last', { configuredKey: 'keys/fleet.pub' }, {}],
      ['an empty FLEET_VERIFY_KEY as unset', { configuredKey: 'keys/fleet.pub' }, { FLEET_VERIFY_KEY: '' }],
    ])('takes %s', async (_case, request, extraEnv) => {
      await signAndAttachSbom(image);
      const { verify } = harness({ request, env: extraEnv });
      expect(await verify()).toMatchObject([{ ok: true }]);
    });

    it('takes FLEET_VERIFY_KEY as the PEM itself', async () => {
      await signAndAttachSbom(image);
      const { verify } = harness({ env: { FLEET_VERIFY_KEY: keys.publicKeyPem }, files: {} });
      expect(await verify()).toMatchObject([{ ok: true }]);
    });

    it.each<[string, Parameters<typeof harness>[0], string]>([
      [
        'no key anywhere',
        {},
        'no public key: pass --key <file>, set FLEET_VERIFY_KEY, or signing.publicKey in the nx-fleet plugin options.',
      ],
      [
        'a key file that is not there',
        { request: { key: 'keys/none.pub' } },
        'the public key /ws/keys/none.pub could not be read (ENOENT).',
      ],
      [
        'an --image that is not digest-pinned',
        { request: { ...withKey, images: ['registry.example.com/acme/orders:v1'] } },
        'nx-fleet verify: --image "registry.example.com/acme/orders:v1" is not a digest-pinned reference (registry/name@sha256:<64 hex>).',
      ],
      [
        'a project that is not a service',
        { request: { ...withKey, projects: ['lib'] } },
        '"lib" is not an nx-fleet service (see nx-fleet status).',
      ],
      [
        'a named service that was never pushed',
        { request: { ...withKey, projects: ['orders'] }, pushedAs: null },
        'orders has no dist/fleet/services/orders/push.json: run its docker-push target first, or verify a reference with --image.',
      ],
      [
        'a service pushed to an OCI layout',
        { request: withKey, pushedAs: { destination: 'oci-layout' } },
        'orders was pushed to an OCI layout; signatures and SBOMs are attached in a registry only.',
      ],
      [
        'nothing pushed and no --image',
        { request: withKey, pushedAs: null },
        'nothing to verify: no service has been pushed (no push.json), and no --image was given.',
      ],
    ])('refuses %s as bad input', async (_case, input, message) => {
      const error = await harness(input)
        .verify()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VerifyUsageError);
      expect((error as Error).message).toBe(message);
    });

    it('reads the key before it asks the graph', async () => {
      const { verify, asked } = harness({ request: { projects: ['lib'] } });
      await expect(verify()).rejects.toThrow('no public key');
      expect(asked.graph).toBe(0);
    });
  });
});
