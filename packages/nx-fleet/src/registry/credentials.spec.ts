import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialSourceFor,
  credentialsFromAuthFile,
  credentialHelpersOf,
  credentialStores,
  lookUpCredentials,
  parseHelperAnswer,
  registryCredentials,
} from './credentials';
import { nodeProcesses } from '../io/ports';
import { fakeProcesses, runResult } from '../testing/fake-ports';

/** The call a helper lookup makes: `get`, the server URL on stdin. */
const helperGet = (command: string, input: string) => ({
  method: 'run',
  command,
  args: ['get'],
  options: { input, timeoutMs: 60_000 },
});

const auth = (username: string, password: string) => ({
  auth: Buffer.from(`${username}:${password}`).toString('base64'),
});

describe('credentialsFromAuthFile', () => {
  it('decodes podman auth.json entries, keeping colons in the password', () => {
    const file = { auths: { 'ghcr.io': auth('octo', 'ghp:with:colons'), 'quay.io': auth('q', 'p') } };
    expect(credentialsFromAuthFile(file, 'ghcr.io')).toEqual({ username: 'octo', password: 'ghp:with:colons' });
    expect(credentialsFromAuthFile(file, 'registry.internal:5000')).toBeUndefined();
  });

  it('reads username/password fields when there is no auth field', () => {
    expect(
      credentialsFromAuthFile(
        { auths: { 'registry.internal:5000': { username: 'u', password: 'p' } } },
        'registry.internal:5000',
      ),
    ).toEqual({ username: 'u', password: 'p' });
  });

  it('matches docker legacy keys with a scheme and a path, and Docker Hub under any of its names', () => {
    const file = {
      auths: { 'https://index.docker.io/v1/': auth('hub', 'h'), 'https://registry.internal:5000': auth('int', 'i') },
    };
    expect(credentialsFromAuthFile(file, 'docker.io')).toEqual({ username: 'hub', password: 'h' });
    expect(credentialsFromAuthFile(file, 'registry-1.docker.io')).toEqual({ username: 'hub', password: 'h' });
    expect(credentialsFromAuthFile(file, 'registry.internal:5000')).toEqual({ username: 'int', password: 'i' });
  });

  it('prefers the exact key, and does not take a per-repository podman key for the whole host', () => {
    const file = {
      auths: {
        'https://index.docker.io/v1/': auth('legacy', 'l'),
        'docker.io': auth('exact', 'e'),
        'ghcr.io/acme/orders': auth('repo', 'r'),
      },
    };
    expect(credentialsFromAuthFile(file, 'docker.io')).toEqual({ username: 'exact', password: 'e' });
    expect(credentialsFromAuthFile(file, 'ghcr.io')).toBeUndefined();
  });

  it.each([
    ['a credential helper (credsStore) entry', { auths: { 'ghcr.io': {} }, credsStore: 'desktop' }],
    ['an auth without a colon', { auths: { 'ghcr.io': { auth: Buffer.from('nocolon').toString('base64') } } }],
    ['no auths map', { credHelpers: { 'ghcr.io': 'gcloud' } }],
    ['not an object', 'text'],
  ])('yields nothing for %s', (_, file) => {
    expect(credentialsFromAuthFile(file, 'ghcr.io')).toBeUndefined();
  });
});

describe('registryCredentials', () => {
  let dir: string;
  const write = async (path: string, content: unknown) => {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nx-fleet-auth-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('searches REGISTRY_AUTH_FILE, the runtime dir, ~/.config, then docker, taking the first file holding the host', async () => {
    const env = {
      HOME: join(dir, 'home'),
      REGISTRY_AUTH_FILE: await write('explicit.json', { auths: { 'a.io': auth('explicit', '1') } }),
      XDG_RUNTIME_DIR: join(dir, 'run'),
    };
    await write('run/containers/auth.json', { auths: { 'a.io': auth('runtime', '2'), 'b.io': auth('runtime', '2') } });
    await write('home/.config/containers/auth.json', {
      auths: { 'b.io': auth('config', '3'), 'c.io': auth('config', '3') },
    });
    await write('home/.docker/config.json', {
      auths: { 'c.io': auth('docker', '4'), 'https://d.io': auth('docker', '4') },
    });
    expect(registryCredentials('a.io', env)?.username).toBe('explicit');
    expect(registryCredentials('b.io', env)?.username).toBe('runtime');
    expect(registryCredentials('c.io', env)?.username).toBe('config');
    expect(registryCredentials('d.io', env)?.username).toBe('docker');
    expect(registryCredentials('e.io', env)).toBeUndefined();
  });

  it('reads DOCKER_CONFIG instead of ~/.docker', async () => {
    await write('home/.docker/config.json', { auths: { 'd.io': auth('home', 'h') } });
    await write('elsewhere/config.json', { auths: { 'd.io': auth('elsewhere', 'e') } });
    expect(
      registryCredentials('d.io', { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'elsewhere') })?.username,
    ).toBe('elsewhere');
  });

  it('names a broken auth file without quoting its secrets', async () => {
    const file = await write('home/.docker/config.json', '{"auths": {"d.io": {"auth": "c2VjcmV0OnB3"}}');
    const read = () => registryCredentials('d.io', { HOME: join(dir, 'home') });
    expect(read).toThrow(file);
    expect(read).not.toThrow(/c2VjcmV0/);
  });
});

describe('credentialSourceFor', () => {
  const files = (...contents: unknown[]) => contents.map((content, i) => ({ file: `f${i}.json`, content }));

  it.each([
    [
      'credHelpers for the host wins over its auths entry and credsStore',
      files({ auths: { 'reg.io': auth('u', 'p') }, credHelpers: { 'reg.io': 'gcloud' }, credsStore: 'desktop' }),
      { source: { kind: 'helper', file: 'f0.json', helper: 'gcloud', serverUrl: 'reg.io' }, lookedIn: [] },
    ],
    [
      'an auths entry holding a secret wins over credsStore',
      files({ auths: { 'reg.io': auth('u', 'p') }, credsStore: 'desktop' }),
      { source: { kind: 'auth-file', file: 'f0.json', credentials: { username: 'u', password: 'p' } }, lookedIn: [] },
    ],
    [
      "credsStore when the host's auths entry is docker's empty placeholder",
      files({ auths: { 'reg.io': {} }, credsStore: 'desktop' }),
      { source: { kind: 'helper', file: 'f0.json', helper: 'desktop', serverUrl: 'reg.io' }, lookedIn: [] },
    ],
    [
      "the first file naming the host, listing those before it; Docker Hub's helper is asked for the v1 URL",
      files(
        undefined,
        { auths: { 'other.io': auth('o', 'o') } },
        { credHelpers: { 'https://index.docker.io/v1/': 'pass' } },
      ),
      {
        source: { kind: 'helper', file: 'f2.json', helper: 'pass', serverUrl: 'https://index.docker.io/v1/' },
        lookedIn: ['f1.json'],
      },
      'docker.io',
    ],
    [
      'nothing, listing every file read',
      files({ credHelpers: { 'other.io': 'x' } }, { auths: {} }),
      { lookedIn: ['f0.json', 'f1.json'] },
    ],
    [
      'nothing for a helper name that is not a plain word (it becomes a command name)',
      files({ credHelpers: { 'reg.io': '../../bin/sh' } }),
      { lookedIn: ['f0.json'] },
    ],
  ])('%s', (_, given, expected, host = 'reg.io') => {
    expect(credentialSourceFor(host, given)).toEqual(expected);
  });
});

describe('parseHelperAnswer', () => {
  it.each([
    ['{"ServerURL":"reg.io","Username":"fleet","Secret":"s3"}', { username: 'fleet', password: 's3' }],
    [
      '{"ServerURL":"reg.io","Username":"<token>","Secret":"refresh"}',
      { username: '', password: '', identityToken: 'refresh' },
    ],
    ['{"ServerURL":"reg.io","Username":"fleet","Secret":""}', undefined],
    ['credentials not found in native keychain', undefined],
  ])('%s', (stdout, expected) => {
    expect(parseHelperAnswer(stdout)).toEqual(expected);
  });
});

describe('lookUpCredentials', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nx-fleet-helper-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const dockerConfig = async (content: unknown) => {
    await mkdir(join(dir, 'docker'), { recursive: true });
    await writeFile(join(dir, 'docker/config.json'), JSON.stringify(content));
    return { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker') };
  };

  it('runs docker-credential-<name> get with the server URL on stdin, never on the command line', async () => {
    const env = await dockerConfig({ credHelpers: { 'reg.io:5000': 'fleet' } });
    const processes = fakeProcesses(() => runResult('{"ServerURL":"reg.io:5000","Username":"u","Secret":"s"}'));
    expect(await lookUpCredentials('reg.io:5000', env, processes)).toEqual({
      credentials: { username: 'u', password: 's' },
      lookedIn: [`docker-credential-fleet (named in ${join(dir, 'docker/config.json')})`],
    });
    expect(processes.calls).toEqual([helperGet('docker-credential-fleet', 'reg.io:5000')]);
  });

  it('reports where it looked when the helper has nothing for the host', async () => {
    const env = await dockerConfig({ credsStore: 'fleet' });
    const processes = fakeProcesses(() => runResult('credentials not found in native keychain', '', 1));
    const lookup = await lookUpCredentials('reg.io', env, processes);
    expect(lookup.credentials).toBeUndefined();
    expect(lookup.lookedIn.join(', ')).toContain('docker-credential-fleet');
  });

  it('fails naming the helper and its own words when it breaks, and a helper that is not installed', async () => {
    const env = await dockerConfig({ credsStore: 'fleet' });
    await expect(
      lookUpCredentials(
        'reg.io',
        env,
        fakeProcesses(() => runResult('', 'keychain locked', 1)),
      ),
    ).rejects.toThrow(/the credential helper docker-credential-fleet failed for reg\.io \(exit 1: keychain locked\)/);
    await expect(
      lookUpCredentials(
        'reg.io',
        env,
        fakeProcesses(() => new Error('"docker-credential-fleet" was not found on PATH')),
      ),
    ).rejects.toThrow(/names the credential helper docker-credential-fleet for reg\.io, and it could not run/);
  });

  it('lists the auth files it read when none names the host', async () => {
    const env = await dockerConfig({ auths: {} });
    const lookup = await lookUpCredentials('reg.io', env, fakeProcesses());
    expect(lookup).toEqual({ lookedIn: [join(dir, 'docker/config.json')] });
  });

  it('talks to a real helper script through the process runner (stdin input)', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const script = join(bin, 'docker-credential-script');
    await writeFile(
      script,
      '#!/bin/sh\nread url\nprintf \'{"ServerURL":"%s","Username":"helper-user","Secret":"pw-for-%s"}\' "$url" "$url"\n',
    );
    await chmod(script, 0o755);
    const env = await dockerConfig({ credHelpers: { 'reg.io': 'script' } });
    const processes = {
      ...nodeProcesses,
      run: (command: string, args: readonly string[], options?: Parameters<typeof nodeProcesses.run>[2]) =>
        nodeProcesses.run(join(bin, command), args, options),
    };
    expect((await lookUpCredentials('reg.io', env, processes)).credentials).toEqual({
      username: 'helper-user',
      password: 'pw-for-reg.io',
    });
  });

  const confHelpers = async (helpers: string[], authFile: unknown) => {
    const conf = join(dir, 'registries.conf');
    await writeFile(conf, `credential-helpers = ${JSON.stringify(helpers)}\n`);
    await writeFile(join(dir, 'auth.json'), JSON.stringify(authFile));
    return {
      conf,
      env: { HOME: join(dir, 'home'), REGISTRY_AUTH_FILE: join(dir, 'auth.json'), CONTAINERS_REGISTRIES_CONF: conf },
    };
  };

  it('runs a listed helper for a host no auth file names, the host on stdin', async () => {
    const { conf, env } = await confHelpers(['containers-auth.json', 'fleet'], {});
    const processes = fakeProcesses(() => runResult('{"ServerURL":"reg.io","Username":"u","Secret":"s"}'));
    const lookup = await lookUpCredentials('reg.io', env, processes);
    expect(lookup.credentials).toEqual({ username: 'u', password: 's' });
    expect(lookup.lookedIn).toContain(`docker-credential-fleet (named in credential-helpers in ${conf})`);
    expect(processes.calls).toEqual([helperGet('docker-credential-fleet', 'reg.io')]);
  });

  it('takes the auth files first when listed first, and runs no helper', async () => {
    const { env } = await confHelpers(['containers-auth.json', 'fleet'], {
      auths: { 'reg.io': { auth: Buffer.from('a:b').toString('base64') } },
    });
    const processes = fakeProcesses();
    expect((await lookUpCredentials('reg.io', env, processes)).credentials).toEqual({ username: 'a', password: 'b' });
    expect(processes.calls).toEqual([]);
  });

  it("lets a drop-in's credential-helpers override the main file's", async () => {
    const { env } = await confHelpers(['containers-auth.json'], {});
    const dropIns = join(env.HOME, '.config/containers/registries.conf.d');
    await mkdir(dropIns, { recursive: true });
    await writeFile(join(dropIns, '50-cloud.conf'), 'credential-helpers = ["cloud"]\n');
    const processes = fakeProcesses(() => runResult('{"ServerURL":"reg.io","Username":"c","Secret":"s"}'));
    expect((await lookUpCredentials('reg.io', env, processes)).credentials).toEqual({ username: 'c', password: 's' });
    expect(processes.calls.map((call) => call.command)).toEqual(['docker-credential-cloud']);
  });

  it('without containers-auth.json in the list, ignores the auth files as podman does', async () => {
    const { env } = await confHelpers(['fleet'], {
      auths: { 'reg.io': { auth: Buffer.from('a:b').toString('base64') } },
    });
    const lookup = await lookUpCredentials(
      'reg.io',
      env,
      fakeProcesses(() => runResult('credentials not found', '', 1)),
    );
    expect(lookup.credentials).toBeUndefined();
    expect(lookup.lookedIn).toEqual([
      expect.stringMatching(/^docker-credential-fleet \(named in credential-helpers in /),
    ]);
  });
});

describe('credentialHelpersOf', () => {
  it.each([
    ['unset', '[[registry]]\nlocation = "a"\n', undefined],
    ['a list', 'credential-helpers = ["containers-auth.json", "gcloud"]\n', ['containers-auth.json', 'gcloud']],
    [
      'a list over lines, with comments',
      'x = 1\ncredential-helpers = [\n  "secretservice", # the desktop\n  \'pass\',\n]\n',
      ['secretservice', 'pass'],
    ],
    [
      'a key inside a table, which is not the top-level key',
      '[[registry]]\ncredential-helpers = ["nope"]\n',
      undefined,
    ],
    ['a commented-out key', '# credential-helpers = ["nope"]\n', undefined],
  ])('%s', (_case, toml, expected) => {
    expect(credentialHelpersOf(toml)).toEqual(expected);
  });
});

describe('credentialStores', () => {
  it.each([
    ['no registries.conf setting: the auth files', undefined, [{ kind: 'auth-files' }]],
    [
      'the listed order, containers-auth.json meaning the auth files',
      { helpers: ['gcloud', 'containers-auth.json'], file: '/r.conf' },
      [{ kind: 'helper', helper: 'gcloud', file: '/r.conf' }, { kind: 'auth-files' }],
    ],
    [
      'a name that is no helper name is skipped',
      { helpers: ['../x', 'ok'], file: '/r.conf' },
      [{ kind: 'helper', helper: 'ok', file: '/r.conf' }],
    ],
    ['an empty list: the auth files, as podman defaults', { helpers: [], file: '/r.conf' }, [{ kind: 'auth-files' }]],
  ])('%s', (_case, configured, expected) => {
    expect(credentialStores(configured)).toEqual(expected);
  });
});
