import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env, ProcessRunner } from '../io/ports';
import { registriesConfFiles } from './insecure-hosts';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** A credential helper's identity token (`Username: "<token>"`): exchanged at the token service, never sent as Basic. */
  identityToken?: string;
}

/** Where credentials for a host come from, as the auth files say: decided before any helper runs. */
export type CredentialSource =
  | { kind: 'auth-file'; file: string; credentials: RegistryCredentials }
  | { kind: 'helper'; file: string; helper: string; serverUrl: string };

/** What a lookup found, and every place it looked (for "no credentials found for <host> (looked in: …)"). */
export interface CredentialLookup {
  credentials?: RegistryCredentials;
  lookedIn: string[];
}

/** Docker Hub's names: `docker login` files its credentials under the legacy `https://index.docker.io/v1/`. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The credentials `podman login` / `skopeo login` / `docker login` stored for a registry host in an auth file,
 * in podman's search order then docker's. Credential helpers are not run here: see `lookUpCredentials`.
 */
export function registryCredentials(host: string, env: Env): RegistryCredentials | undefined {
  for (const file of authFiles(env)) {
    const credentials = credentialsFromAuthFile(readAuthFile(file), host);
    if (credentials) return credentials;
  }
  return undefined;
}

/**
 * Where the credentials for `host` are, from the first auth file that names the host: its `credHelpers`
 * entry, else its `auths` entry holding a secret, else its `credsStore` (docker's config.json holds empty
 * `auths` placeholders next to a store). The files that name nothing are listed in `lookedIn`.
 */
export function credentialSourceFor(
  host: string,
  files: ReadonlyArray<{ file: string; content: unknown }>,
): { source?: CredentialSource; lookedIn: string[] } {
  const lookedIn: string[] = [];
  for (const { file, content } of files) {
    if (content === undefined) continue;
    const helper = helperFor(content, host);
    if (helper) return { source: { kind: 'helper', file, helper, serverUrl: helperServerUrl(host) }, lookedIn };
    const credentials = credentialsFromAuthFile(content, host);
    if (credentials) return { source: { kind: 'auth-file', file, credentials }, lookedIn };
    const store = (content as { credsStore?: unknown }).credsStore;
    if (typeof store === 'string' && store !== '')
      return { source: { kind: 'helper', file, helper: store, serverUrl: helperServerUrl(host) }, lookedIn };
    lookedIn.push(file);
  }
  return { lookedIn };
}

function helperFor(content: unknown, host: string): string | undefined {
  const helpers = (content as { credHelpers?: unknown }).credHelpers;
  if (typeof helpers !== 'object' || helpers === null) return undefined;
  const entries = helpers as Record<string, unknown>;
  const key =
    host in entries ? host : Object.keys(entries).find((candidate) => authKeyHost(candidate) === authKeyHost(host));
  const name = key === undefined ? undefined : entries[key];
  return typeof name === 'string' && /^[A-Za-z0-9._-]+$/.test(name) ? name : undefined;
}

/** The server URL helpers file Docker Hub under is its legacy v1 address; every other host under its name. */
function helperServerUrl(host: string): string {
  return authKeyHost(host) === 'docker.io' ? 'https://index.docker.io/v1/' : host;
}

/** `docker-credential-<name> get`'s answer → credentials; undefined for an answer without a secret. */
export function parseHelperAnswer(stdout: string): RegistryCredentials | undefined {
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { Username, Secret } = answer ?? {};
  if (typeof Secret !== 'string' || Secret === '') return undefined;
  if (Username === '<token>') return { username: '', password: '', identityToken: Secret };
  return typeof Username === 'string' ? { username: Username, password: Secret } : undefined;
}

/** Helpers say "not found" in their own words (docker-credential-osxkeychain, -pass, -ecr-login, gcloud…). */
const HELPER_NOT_FOUND = /not found|no credentials/i;

/** podman's name, in registries.conf `credential-helpers`, for "the auth files" (credHelpers included). */
export const AUTH_FILES_HELPER = 'containers-auth.json';

/**
 * The top-level `credential-helpers` array of a registries.conf: podman asks these in order for every
 * registry, `containers-auth.json` meaning the auth files. Undefined when the file sets none.
 */
export function credentialHelpersOf(toml: string): string[] | undefined {
  // Top-level keys come before the first table header.
  const top = toml
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n')
    .split(/^\s*\[/m)[0]!;
  const match = /^\s*credential-helpers\s*=\s*\[([^\]]*)\]/m.exec(top);
  if (!match) return undefined;
  return [...match[1]!.matchAll(/["']([^"']+)["']/g)].map((name) => name[1]!);
}

/** Where to look, in order: registries.conf `credential-helpers` as podman reads it, else the auth files alone. */
export function credentialStores(
  configured: { helpers: readonly string[]; file: string } | undefined,
): Array<{ kind: 'auth-files' } | { kind: 'helper'; helper: string; file: string }> {
  // An empty list is podman's default too: the auth files.
  if (!configured?.helpers.length) return [{ kind: 'auth-files' }];
  return configured.helpers
    .filter((name) => name === AUTH_FILES_HELPER || /^[A-Za-z0-9._-]+$/.test(name))
    .map((name) =>
      name === AUTH_FILES_HELPER
        ? { kind: 'auth-files' as const }
        : { kind: 'helper' as const, helper: name, file: configured.file },
    );
}

/**
 * The credentials for `host`, where podman looks: the auth files (an entry, or the credential helper they
 * name for the host) and the helpers registries.conf's `credential-helpers` lists, in its order. A helper
 * runs as `docker-credential-<name> get` with the server URL on stdin, never on the command line.
 */
export async function lookUpCredentials(host: string, env: Env, processes: ProcessRunner): Promise<CredentialLookup> {
  const lookedIn: string[] = [];
  for (const store of credentialStores(configuredHelpers(env))) {
    const found =
      store.kind === 'auth-files'
        ? await fromAuthFiles(host, env, processes)
        : await fromHelper(host, { helper: store.helper, namedIn: `credential-helpers in ${store.file}` }, processes);
    lookedIn.push(...found.lookedIn);
    if (found.credentials) return { credentials: found.credentials, lookedIn };
  }
  return { lookedIn };
}

/** registries.conf's `credential-helpers`: a drop-in that sets it overrides the files before it. */
function configuredHelpers(env: Env): { helpers: string[]; file: string } | undefined {
  let configured: { helpers: string[]; file: string } | undefined;
  for (const { file, text } of registriesConfFiles(env)) {
    const helpers = credentialHelpersOf(text);
    if (helpers) configured = { helpers, file };
  }
  return configured;
}

async function fromAuthFiles(host: string, env: Env, processes: ProcessRunner): Promise<CredentialLookup> {
  const files = authFiles(env).map((file) => ({ file, content: readAuthFile(file) }));
  const { source, lookedIn } = credentialSourceFor(host, files);
  const searched = lookedIn.length ? lookedIn : files.map(({ file }) => file);
  if (!source) return { lookedIn: searched };
  if (source.kind === 'auth-file') return { credentials: source.credentials, lookedIn: [...lookedIn, source.file] };
  const found = await fromHelper(
    host,
    { helper: source.helper, namedIn: source.file, serverUrl: source.serverUrl },
    processes,
  );
  return { ...found, lookedIn: [...lookedIn, ...found.lookedIn] };
}

async function fromHelper(
  host: string,
  source: { helper: string; namedIn: string; serverUrl?: string },
  processes: ProcessRunner,
): Promise<CredentialLookup> {
  const helper = `docker-credential-${source.helper}`;
  const where = [`${helper} (named in ${source.namedIn})`];
  let result;
  try {
    result = await processes.run(helper, ['get'], {
      input: source.serverUrl ?? helperServerUrl(host),
      timeoutMs: 60_000,
    });
  } catch (error) {
    throw new Error(
      `nx-fleet: ${source.namedIn} names the credential helper ${helper} for ${host}, and it could not run: ${(error as Error).message}`,
    );
  }
  if (result.code !== 0) {
    const said = `${result.stdout} ${result.stderr}`.trim();
    if (HELPER_NOT_FOUND.test(said)) return { lookedIn: where };
    // A helper's own words name its problem (keychain locked, expired login); they never carry the secret it failed to give.
    throw new Error(
      `nx-fleet: the credential helper ${helper} failed for ${host} (exit ${result.code}: ${said.split('\n').pop()?.slice(0, 300)}).`,
    );
  }
  const credentials = parseHelperAnswer(result.stdout);
  return credentials ? { credentials, lookedIn: where } : { lookedIn: where };
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
