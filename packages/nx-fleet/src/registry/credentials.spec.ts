import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromAuthFile, registryCredentials } from './credentials';

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
