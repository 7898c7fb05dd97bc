import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, HttpTls } from '../io/ports';
import { isLoopbackRegistry } from './destinations';
import { markedInsecure, readInsecureLocations, readText } from './insecure-hosts';

export { insecureLocationsOf } from './insecure-hosts';

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
  const marked = markedInsecure(host, settings.insecure);
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

/** The engines' files about registry hosts, read from this machine. Missing files say nothing. */
export function readTransportSettings(env: Env, tlsVerify?: boolean): TransportSettings {
  const insecure = readInsecureLocations(env);
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

function list(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
