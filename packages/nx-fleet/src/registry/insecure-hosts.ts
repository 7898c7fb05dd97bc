import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../io/ports';

/** A host an engine's file marks insecure (HTTPS unverified, then plain HTTP), and the file that says so. */
export interface InsecureLocation {
  location: string;
  file: string;
}

/** The entry of `locations` that marks `host` (host[:port]) insecure, if any. */
export function markedInsecure<T extends { location: string }>(host: string, locations: readonly T[]): T | undefined {
  return locations.find(({ location }) => insecureMatches(location, host));
}

/** A registries.conf location is a host, host:port, or a host with a path prefix; `*.example.com` matches subdomains. */
function insecureMatches(location: string, host: string): boolean {
  const bare = location.replace(/^(https?|docker):\/\//, '').replace(/\/.*$/, '');
  if (bare.startsWith('*.')) return host.replace(/:\d+$/, '').endsWith(bare.slice(1));
  return bare === host;
}

/** The insecure locations a registries.conf (v2 `[[registry]]` tables, v1 `[registries.insecure]`) marks. */
export function insecureLocationsOf(toml: string): string[] {
  const found: string[] = [];
  let table = '';
  let location: string | undefined;
  let insecure = false;
  const flush = () => {
    if (table === '[[registry]]' && location && insecure) found.push(location);
    location = undefined;
    insecure = false;
  };
  for (const raw of toml.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (line.startsWith('[')) {
      flush();
      table = line.replace(/\s+/g, '');
      continue;
    }
    const [, key, value] = /^([A-Za-z_-]+)\s*=\s*(.*)$/.exec(line) ?? [];
    if (table === '[[registry]]' && key === 'location') location = unquote(value!);
    if (table === '[[registry]]' && key === 'insecure') insecure = value === 'true';
    if (table === '[registries.insecure]' && key === 'registries')
      found.push(...[...value!.matchAll(/["']([^"']+)["']/g)].map((match) => match[1]!));
  }
  flush();
  return found;
}

function unquote(value: string): string {
  return value.replace(/^["']|["']$/g, '');
}

/**
 * The hosts this machine's engines treat as insecure: podman's registries.conf files (see registriesConfFiles)
 * and docker's /etc/docker/daemon.json `insecure-registries`.
 */
export function readInsecureLocations(env: Env, systemDir = '/etc/containers'): InsecureLocation[] {
  const insecure: InsecureLocation[] = [];
  for (const { file, text } of registriesConfFiles(env, systemDir))
    for (const location of insecureLocationsOf(text)) insecure.push({ location, file });
  const daemonJson = '/etc/docker/daemon.json';
  const daemon = parseJson(readText(daemonJson));
  const registries = (daemon as { 'insecure-registries'?: unknown } | undefined)?.['insecure-registries'];
  if (Array.isArray(registries))
    for (const location of registries) if (typeof location === 'string') insecure.push({ location, file: daemonJson });
  return insecure;
}

/**
 * podman's registries.conf files in the order containers/image reads them: the main file
 * (CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf when it exists, else the system
 * file), then the `*.conf` drop-ins of the system and the user registries.conf.d, each sorted by name.
 */
export function registriesConfFiles(env: Env, systemDir = '/etc/containers'): Array<{ file: string; text: string }> {
  const userDir = join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'containers');
  const userFile = join(userDir, 'registries.conf');
  const candidates = [
    env['CONTAINERS_REGISTRIES_CONF'] ||
      (readText(userFile) !== undefined ? userFile : join(systemDir, 'registries.conf')),
    ...dropIns(join(systemDir, 'registries.conf.d')),
    ...dropIns(join(userDir, 'registries.conf.d')),
  ];
  return candidates.flatMap((file) => {
    const text = readText(file);
    return text === undefined ? [] : [{ file, text }];
  });
}

function dropIns(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((name) => name.endsWith('.conf'))
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

/** A file's text; undefined when it cannot be read (a missing engine file says nothing). */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
