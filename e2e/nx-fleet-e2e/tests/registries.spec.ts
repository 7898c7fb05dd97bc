import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import {
  addHostAlias,
  type EngineCa,
  type FaultProxy,
  type FaultRule,
  type HostAlias,
  hostAliasPresent,
  type HtpasswdUser,
  issueCertificate,
  registryToolVersions,
  startFaultProxy,
  type TestCertificate,
  trustForHost,
  writeCredentialHelper,
  writeHtpasswd,
} from '../../../tools/fleet-harness/src/registry-setups';
import { detectEngine } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * docker-push against the registry setups teams really have (issue 15, deliverables 2 and 3): credentials
 * only in a credential helper, self-signed TLS on a named host (unverified, then verified with its CA in the
 * engines' cert dir), plain HTTP on a named host marked insecure, and a registry behind a proxy that fails.
 * One service, built once; every case pushes it to a fresh destination and checks what the registry holds.
 */

interface ImageJson {
  image: string;
  contentTag: string;
}
interface PushJson {
  digest: string;
  tags: string[];
  uploaded: boolean;
}

const SERVICE = 'ledger';
const ALIAS = 'fleet-registry.test';
const PUSH_JSON = `dist/fleet/services/${SERVICE}/push.json`;
const IMAGE_JSON = `dist/fleet/services/${SERVICE}/image.json`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('docker-push to real registry setups (podman, distribution, nx CLI)', () => {
  const engine = detectEngine();
  let ws: TestWorkspace;
  let scratch: string;
  let alias: HostAlias | undefined;
  let user: HtpasswdUser;
  let cert: TestCertificate;
  let commitTag: string;
  let image: ImageJson;
  const registries: RunningRegistry[] = [];
  const proxies: FaultProxy[] = [];
  const trusted: EngineCa[] = [];
  const matrix: Array<{ setup: string; outcome: string; seconds: number }> = [];

  const registry = async (opts: Parameters<typeof startRegistry>[0] = {}) => {
    const started = await startRegistry(opts);
    registries.push(started);
    return started;
  };
  const faultyRegistry = async (rules: FaultRule[]) => {
    const upstream = await registry();
    const proxy = await startFaultProxy(upstream.host, rules);
    proxies.push(proxy);
    return { upstream, proxy };
  };

  /** `nx run ledger:docker-push` with push.json removed first, timed into the support matrix. */
  const push = async (setup: string, env: NodeJS.ProcessEnv, args: string[] = []) => {
    ws.remove(PUSH_JSON);
    const started = Date.now();
    const result = await ws.nx(['run', `${SERVICE}:docker-push`, '--output-style=static', ...args], {
      env: { FLEET_ENGINE: engine, ...env },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    matrix.push({ setup, outcome: result.code === 0 ? 'pushed' : 'refused', seconds: (Date.now() - started) / 1000 });
    return { code: result.code, output };
  };

  /** push.json holds the digest the registry really has for the content tag, and the commit tag names it too. */
  const expectRecorded = async (where: RunningRegistry, repository: string) => {
    const pushed = ws.readJson<PushJson>(PUSH_JSON);
    expect(pushed.tags.slice(0, 2)).toEqual([image.contentTag, commitTag]);
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await where.manifestDigest(repository, image.contentTag)).toBe(pushed.digest);
    expect(await where.manifestDigest(repository, commitTag)).toBe(pushed.digest);
    return pushed;
  };

  const authFile = (name: string, content: unknown) => {
    const file = join(scratch, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  /** An empty docker config dir, so root's own ~/.docker/config.json is never consulted. */
  const emptyDockerConfig = () => {
    const dir = join(scratch, 'docker-config');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    return dir;
  };
  const basicAuth = (u: HtpasswdUser) => Buffer.from(`${u.username}:${u.password}`).toString('base64');

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('registries.spec adds a host alias to /etc/hosts: run it as root.');
    scratch = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-registries-'));
    ws = TestWorkspace.create('registries');
    ws.addService(SERVICE);
    commitTag = (await ws.commit('one service')).slice(0, 12);
    alias = addHostAlias(ALIAS);
    [user, cert] = await Promise.all([
      writeHtpasswd(join(scratch, 'auth'), 'fleet', `pw-${ws.id}`),
      issueCertificate(join(scratch, 'tls'), ALIAS),
    ]);
    // Built once, with no registry: every case below restores it from Nx's cache and only pushes.
    await ws.nxOk(['run', `${SERVICE}:docker-build`, '--output-style=static'], { env: { FLEET_ENGINE: engine } });
    image = ws.readJson<ImageJson>(IMAGE_JSON);
  });

  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    for (const started of registries) await started.stop();
    for (const ca of trusted) ca.remove();
    alias?.remove();
    const report = process.env['FLEET_E2E_REGISTRIES_REPORT'];
    if (report) {
      const versions = await registryToolVersions();
      writeFileSync(
        report,
        [
          `Versions: ${Object.entries(versions)
            .map(([tool, version]) => `${tool}: ${version}`)
            .join('; ')}`,
          '',
          '| setup | outcome | wall time (s) |',
          '| ----- | ------- | ------------- |',
          ...matrix.map((row) => `| ${row.setup} | ${row.outcome} | ${row.seconds.toFixed(1)} |`),
          '',
        ].join('\n'),
      );
    }
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('(1) credentials only in a docker-credential-* helper', () => {
    let reg: RunningRegistry;
    let helper: ReturnType<typeof writeCredentialHelper>;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      reg = await registry({ htpasswd: user });
      helper = writeCredentialHelper(join(scratch, 'helper'), 'fleet-e2e', {
        [reg.host]: { username: user.username, secret: user.password },
      });
      const helpers = { credHelpers: { [reg.host]: helper.name } };
      const dockerConfig = emptyDockerConfig();
      writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify(helpers));
      env = {
        FLEET_REGISTRY: reg.host,
        REGISTRY_AUTH_FILE: authFile('helper-auth.json', helpers),
        DOCKER_CONFIG: dockerConfig,
        PATH: `${helper.binDir}:${process.env['PATH']}`,
      };
    });

    it('(a) pushes through the helper: push.json and the commit tag hold the digest the registry has', async () => {
      const { code, output } = await push('htpasswd, credentials only in a credHelpers helper', env);
      expect({ code, output }).toMatchObject({ code: 0 });
      await expectRecorded(reg, SERVICE);
      expect(helper.calls()).toContain(reg.host);
      expect(readFileSync(env['REGISTRY_AUTH_FILE']!, 'utf8')).not.toContain('auths');
    });

    it('(b) a wrong password in the helper: non-zero, "credentials refused" naming the host, nothing recorded', async () => {
      const tagsBefore = (await reg.tags(SERVICE)).sort();
      helper.set({ [reg.host]: { username: user.username, secret: 'not-the-password' } });
      try {
        const { code, output } = await push('credHelpers helper with a wrong password', env);
        expect(code).not.toBe(0);
        expect(output).toMatch(new RegExp(`credentials refused by ${escape(reg.host)}`));
        expect(output).not.toContain('not-the-password');
        expect(ws.exists(PUSH_JSON)).toBe(false);
        expect((await reg.tags(SERVICE)).sort()).toEqual(tagsBefore);
      } finally {
        helper.set({ [reg.host]: { username: user.username, secret: user.password } });
      }
    });

    it('(c) no helper and no entry for the host: non-zero, "no credentials found", nothing recorded', async () => {
      const { code, output } = await push('htpasswd, no helper and no auth entry', {
        ...env,
        REGISTRY_AUTH_FILE: authFile('empty-auth.json', { auths: {}, credHelpers: {} }),
        DOCKER_CONFIG: emptyDockerConfig(),
      });
      expect(code).not.toBe(0);
      expect(output).toMatch(new RegExp(`no credentials found for ${escape(reg.host)}`));
      expect(ws.exists(PUSH_JSON)).toBe(false);
    });

    it("(d) the helper named only in registries.conf's credential-helpers (podman's way to a desktop or cloud helper)", async () => {
      const conf = join(scratch, 'credential-helpers.conf');
      writeFileSync(conf, `credential-helpers = ["containers-auth.json", "${helper.name}"]\n`);
      const callsBefore = helper.calls().length;
      const { code, output } = await push('htpasswd, helper named only in registries.conf credential-helpers', {
        ...env,
        FLEET_REGISTRY: `${reg.host}/conf`,
        REGISTRY_AUTH_FILE: authFile('no-helper-auth.json', {}),
        DOCKER_CONFIG: emptyDockerConfig(),
        CONTAINERS_REGISTRIES_CONF: conf,
      });
      expect({ code, output }).toMatchObject({ code: 0 });
      await expectRecorded(reg, `conf/${SERVICE}`);
      expect(helper.calls().slice(callsBefore)).toContain(reg.host);
    });
  });

  describe('(2) self-signed TLS with htpasswd on a named host', () => {
    let reg: RunningRegistry;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      reg = await registry({ hostname: ALIAS, tls: cert, htpasswd: user });
      expect(reg.host).toMatch(new RegExp(`^${escape(ALIAS)}:\\d+$`));
      env = {
        REGISTRY_AUTH_FILE: authFile('tls-auth.json', { auths: { [reg.host]: { auth: basicAuth(user) } } }),
        DOCKER_CONFIG: emptyDockerConfig(),
      };
    });

    it('(a) tlsVerify: false accepts the certificate nobody trusts', async () => {
      const { code, output } = await push(
        'self-signed TLS + htpasswd on a host alias, tlsVerify: false',
        { ...env, FLEET_REGISTRY: `${reg.host}/unverified` },
        ['--tlsVerify=false'],
      );
      expect({ code, output }).toMatchObject({ code: 0 });
      await expectRecorded(reg, `unverified/${SERVICE}`);
    });

    it('(b) verified TLS: refused as a TLS error without the CA, pushed with it in /etc/containers/certs.d', async () => {
      const refused = await push('self-signed TLS, verified, CA not trusted', {
        ...env,
        FLEET_REGISTRY: `${reg.host}/verified`,
      });
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(new RegExp(`TLS to https://${escape(reg.host)} failed`));
      expect(ws.exists(PUSH_JSON)).toBe(false);

      trusted.push(trustForHost(reg.host, cert.caPem));
      const { code, output } = await push('self-signed TLS + htpasswd on a host alias, CA in certs.d, verified', {
        ...env,
        FLEET_REGISTRY: `${reg.host}/verified`,
      });
      expect({ code, output }).toMatchObject({ code: 0 });
      await expectRecorded(reg, `verified/${SERVICE}`);
    });
  });

  it('(3) plain HTTP on a named host marked insecure in registries.conf: podman and the client both use HTTP', async () => {
    const reg = await registry({ hostname: ALIAS });
    const conf = join(scratch, 'registries.conf');
    writeFileSync(conf, `[[registry]]\nlocation = "${reg.host}"\ninsecure = true\n`);
    const { code, output } = await push('plain HTTP on a host alias, insecure in registries.conf', {
      FLEET_REGISTRY: reg.host,
      CONTAINERS_REGISTRIES_CONF: conf,
    });
    expect({ code, output }).toMatchObject({ code: 0 });
    await expectRecorded(reg, SERVICE);
  });

  describe('(4) a registry behind a proxy that fails', () => {
    const manifestOf = (reference: string) => new RegExp(`/v2/${SERVICE}/manifests/${escape(reference)}$`);
    const isUpload = (r: { method: string; path: string }) =>
      /\/blobs\/uploads\//.test(r.path) && ['POST', 'PATCH', 'PUT'].includes(r.method);

    it('(a) 503 once and a reset on a manifest read, 500 once on the commit-tag PUT: retried, logged, pushed', async () => {
      const { upstream, proxy } = await faultyRegistry([
        {
          label: '503 on read',
          method: ['GET', 'HEAD'],
          path: manifestOf(image.contentTag),
          fault: { status: 503 },
          times: 1,
        },
        {
          label: 'reset on read',
          method: ['GET', 'HEAD'],
          path: manifestOf(image.contentTag),
          fault: 'reset',
          times: 1,
        },
        { label: '500 on tag PUT', method: 'PUT', path: manifestOf(commitTag), fault: { status: 500 }, times: 1 },
      ]);
      const { code, output } = await push('fault proxy: 503 once, reset once, 500 once on the tag PUT', {
        FLEET_REGISTRY: proxy.host,
      });
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(proxy.unusedRules()).toEqual([]);
      const target = `${proxy.host}/${SERVICE}`;
      expect(output).toMatch(
        new RegExp(`read manifest ${escape(image.contentTag)} on ${escape(target)}: HTTP 503; retrying in \\d+ ms`),
      );
      expect(output).toMatch(
        new RegExp(
          `read manifest ${escape(image.contentTag)} on ${escape(target)}: (ECONNRESET|UND_ERR_SOCKET|EPIPE); retrying`,
        ),
      );
      expect(output).toMatch(
        new RegExp(`push manifest ${escape(commitTag)} on ${escape(target)}: HTTP 500; retrying in \\d+ ms`),
      );
      await expectRecorded(upstream, SERVICE);
    });

    it('(b) 500 always on the commit-tag PUT: non-zero naming the tag, no push.json; the re-run uploads no blob', async () => {
      const { upstream, proxy } = await faultyRegistry([
        {
          label: '500 always on tag PUT',
          method: 'PUT',
          path: manifestOf(commitTag),
          fault: { status: 500 },
          times: Infinity,
        },
      ]);
      const failed = await push('fault proxy: 500 always on the commit-tag PUT', { FLEET_REGISTRY: proxy.host });
      expect(failed.code).not.toBe(0);
      expect(failed.output).toContain(commitTag);
      expect(failed.output).toMatch(/HTTP 500/);
      expect(ws.exists(PUSH_JSON)).toBe(false);
      // Half done: the engine uploaded the content tag, the commit tag never landed.
      const contentDigest = await upstream.manifestDigest(SERVICE, image.contentTag);
      expect(contentDigest).toMatch(/^sha256:/);
      expect(await upstream.manifestDigest(SERVICE, commitTag)).toBeUndefined();
      expect(proxy.requests().filter((r) => r.method === 'PUT' && manifestOf(commitTag).test(r.path))).toHaveLength(3);

      proxy.setRules([]);
      proxy.clearLog();
      const rerun = await push('fault proxy: re-run after the 500s stop', { FLEET_REGISTRY: proxy.host });
      expect({ code: rerun.code, output: rerun.output }).toMatchObject({ code: 0 });
      expect(proxy.requests().filter(isUpload)).toEqual([]);
      const pushed = await expectRecorded(upstream, SERVICE);
      expect(pushed.digest).toBe(contentDigest);
      expect(pushed.uploaded).toBe(false);
    });

    it('(c) 500 once on a blob upload: the engine push is tried again (logged) and the push completes', async () => {
      const { upstream, proxy } = await faultyRegistry([
        { label: '500 on blob PUT', method: 'PUT', path: /\/blobs\/uploads\//, fault: { status: 500 }, times: 1 },
      ]);
      const first = await push('fault proxy: 500 once on a blob upload', { FLEET_REGISTRY: proxy.host });
      expect(proxy.unusedRules()).toEqual([]);
      // podman 4.3 does not retry a failed layer upload itself; nx-fleet runs its push again.
      expect({ code: first.code, output: first.output }).toMatchObject({ code: 0 });
      expect(first.output).toMatch(/pushing \S+: HTTP 500; retrying in \d+ ms \(try 2 of 3\)/);
      await expectRecorded(upstream, SERVICE);
    });
  });

  it('leaves /etc/hosts as it found it once the alias is removed', () => {
    expect(hostAliasPresent(ALIAS)).toBe(true);
    alias?.remove();
    expect(hostAliasPresent(ALIAS)).toBe(false);
  });
});
