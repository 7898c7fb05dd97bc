import { readFileSync } from 'node:fs';
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
 * The hosts this machine's engines treat as insecure: podman's registries.conf (CONTAINERS_REGISTRIES_CONF
 * or /etc/containers/registries.conf) and docker's /etc/docker/daemon.json `insecure-registries`.
 */
export function readInsecureLocations(env: Env): InsecureLocation[] {
  const insecure: InsecureLocation[] = [];
  const registriesConf = registriesConfPath(env);
  for (const location of insecureLocationsOf(readText(registriesConf) ?? ''))
    insecure.push({ location, file: registriesConf });
  const daemonJson = '/etc/docker/daemon.json';
  const daemon = parseJson(readText(daemonJson));
  const registries = (daemon as { 'insecure-registries'?: unknown } | undefined)?.['insecure-registries'];
  if (Array.isArray(registries))
    for (const location of registries) if (typeof location === 'string') insecure.push({ location, file: daemonJson });
  return insecure;
}

/** podman's registries.conf: CONTAINERS_REGISTRIES_CONF, else the system file. */
export function registriesConfPath(env: Env): string {
  return env['CONTAINERS_REGISTRIES_CONF'] || '/etc/containers/registries.conf';
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
