import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, HttpTls } from '../io/ports';
import { isLoopbackRegistry } from './destinations';

/** How to speak to one registry host: the attempts in order, the first that connects is kept. */
export interface Transport {
  attempts: TransportAttempt[];
  /** Why, for messages ("tlsVerify: false", "insecure in /etc/containers/registries.conf"…). */
  reason: string;
}

export type TransportAttempt = { scheme: 'https'; tls: HttpTls } | { scheme: 'http' };

/** What the machine says about registry hosts: the engines' own files, read once. */
export interface TransportSettings {
  /** The destination's tlsVerify when set explicitly (option or FLEET_TLS_VERIFY). */
  tlsVerify?: boolean;
  /** Hosts marked insecure, with the file that marks them: podman's registries.conf, docker's daemon.json. */
  insecure: ReadonlyArray<{ location: string; file: string }>;
  /** Extra CA certificates (PEM) per host from the engines' cert dirs, and NODE_EXTRA_CA_CERTS for every host. */
  hostCas: Readonly<Record<string, readonly string[]>>;
  extraCas: readonly string[];
}

/**
 * The transport for a host, as podman and docker decide it: a host marked insecure, a loopback host, or
 * `tlsVerify: false` is tried over HTTPS without verification, then over plain HTTP; every other host over
 * HTTPS, verified against the system roots plus the engines' CAs for that host and NODE_EXTRA_CA_CERTS.
 */
export function transportFor(host: string, settings: TransportSettings): Transport {
  const marked = settings.insecure.find(({ location }) => insecureMatches(location, host));
  const insecure = marked
    ? `marked insecure in ${marked.file}`
    : settings.tlsVerify === false
      ? 'tlsVerify: false'
      : settings.tlsVerify === undefined && isLoopbackRegistry(host)
        ? 'a loopback host'
        : undefined;
  if (insecure)
    return { attempts: [{ scheme: 'https', tls: { verify: false } }, { scheme: 'http' }], reason: insecure };
  const ca = [...(settings.hostCas[host] ?? []), ...settings.extraCas];
  return {
    attempts: [{ scheme: 'https', tls: ca.length ? { verify: true, ca } : { verify: true } }],
    reason: ca.length ? 'TLS verified with the system roots and extra CAs' : 'TLS verified with the system roots',
  };
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

/** The engines' files about registry hosts, read from this machine. Missing files say nothing. */
export function readTransportSettings(env: Env, tlsVerify?: boolean): TransportSettings {
  const insecure: Array<{ location: string; file: string }> = [];
  const registriesConf = env['CONTAINERS_REGISTRIES_CONF'] || '/etc/containers/registries.conf';
  for (const location of insecureLocationsOf(readText(registriesConf) ?? ''))
    insecure.push({ location, file: registriesConf });
  const daemonJson = '/etc/docker/daemon.json';
  const daemon = parseJson(readText(daemonJson));
  const registries = (daemon as { 'insecure-registries'?: unknown } | undefined)?.['insecure-registries'];
  if (Array.isArray(registries))
    for (const location of registries) if (typeof location === 'string') insecure.push({ location, file: daemonJson });
  const hostCas: Record<string, string[]> = {};
  for (const root of ['/etc/containers/certs.d', '/etc/docker/certs.d']) {
    for (const host of list(root)) {
      for (const name of list(join(root, host))) {
        if (!name.endsWith('.crt')) continue;
        const pem = readText(join(root, host, name));
        if (pem) (hostCas[host] ??= []).push(pem);
      }
    }
  }
  const extra = env['NODE_EXTRA_CA_CERTS'] ? readText(env['NODE_EXTRA_CA_CERTS']) : undefined;
  return { ...(tlsVerify === undefined ? {} : { tlsVerify }), insecure, hostCas, extraCas: extra ? [extra] : [] };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function list(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
