import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../io/ports';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Docker Hub's names: `docker login` files its credentials under the legacy `https://index.docker.io/v1/`. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The credentials `podman login` / `skopeo login` / `docker login` stored for a registry host, from the first
 * auth file, in podman's search order then docker's, that holds any. Credential helpers (`credsStore`,
 * `credHelpers`) are not consulted: their entries carry no secret, so they yield undefined.
 */
export function registryCredentials(host: string, env: Env): RegistryCredentials | undefined {
  for (const file of authFiles(env)) {
    const credentials = credentialsFromAuthFile(readAuthFile(file), host);
    if (credentials) return credentials;
  }
  return undefined;
}

function authFiles(env: Env): string[] {
  const home = env['HOME'] || homedir();
  return [
    env['REGISTRY_AUTH_FILE'],
    env['XDG_RUNTIME_DIR'] && join(env['XDG_RUNTIME_DIR'], 'containers/auth.json'),
    join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'containers/auth.json'),
    join(env['DOCKER_CONFIG'] || join(home, '.docker'), 'config.json'),
  ].filter((file): file is string => Boolean(file));
}

function readAuthFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it choked on, and this text holds secrets: name the file only.
    throw new Error(
      `nx-fleet: the registry auth file ${file} is not valid JSON. Fix or remove it, then log in again (podman login / docker login).`,
    );
  }
}

/** The credentials an auth file's `auths` map (podman's auth.json or docker's config.json) holds for `host`. */
export function credentialsFromAuthFile(authFile: unknown, host: string): RegistryCredentials | undefined {
  const auths = (authFile as { auths?: unknown } | undefined)?.auths;
  if (typeof auths !== 'object' || auths === null) return undefined;
  const entries = auths as Record<string, unknown>;
  // An exact key wins over a legacy spelling of the same host.
  const key =
    host in entries ? host : Object.keys(entries).find((candidate) => authKeyHost(candidate) === authKeyHost(host));
  return key === undefined ? undefined : credentialsOf(entries[key]);
}

/** `https://index.docker.io/v1/` → `docker.io`; a key without a scheme is kept whole (podman's per-repository keys). */
function authKeyHost(key: string): string {
  const withoutScheme = key.replace(/^https?:\/\//, '');
  const host = withoutScheme === key ? key : withoutScheme.split('/')[0]!;
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

function credentialsOf(entry: unknown): RegistryCredentials | undefined {
  const { auth, username, password } = (entry ?? {}) as Record<string, unknown>;
  if (typeof auth === 'string' && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Passwords may contain colons; user names may not.
    return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
  }
  return typeof username === 'string' && username !== '' && typeof password === 'string'
    ? { username, password }
    : undefined;
}
