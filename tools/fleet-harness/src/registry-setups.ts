import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { requireTool, runOk } from './tools';

/**
 * The registry setups real users have, built on this machine for the e2e suite: htpasswd users,
 * a test CA and a certificate for a host name, a host alias in /etc/hosts, the engines' CA directory,
 * a `docker-credential-*` helper script, and a proxy that injects registry faults.
 */

export interface HtpasswdUser {
  file: string;
  username: string;
  password: string;
}

/**
 * An htpasswd file distribution accepts (bcrypt only). `htpasswd -B` (apache2-utils) is not installed
 * here, so Python's crypt module makes the hash; cost 4 because distribution checks it on every request.
 */
export async function writeHtpasswd(dir: string, username: string, password: string): Promise<HtpasswdUser> {
  const python = requireTool('python3');
  const script =
    'import crypt, sys, warnings\n' +
    'warnings.simplefilter("ignore")\n' +
    'print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))\n';
  // The password goes on stdin: never on a command line.
  const { stdout } = await runOk(python, ['-W', 'ignore', '-c', script], { input: password });
  const hash = stdout.trim();
  if (!/^\$2[aby]\$/.test(hash)) throw new Error(`python3 crypt made no bcrypt hash (got "${hash.slice(0, 4)}…")`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `${username}:${hash}\n`);
  return { file, username, password };
}

export interface TestCertificate {
  /** PEM of the CA that signed the certificate: what a client trusts. */
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
}

/** A throwaway CA and a server certificate it signs for `hostname` (and 127.0.0.1), via openssl. */
export async function issueCertificate(dir: string, hostname: string): Promise<TestCertificate> {
  const openssl = requireTool('openssl');
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  await runOk(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=nx-fleet e2e test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', at('ca.key'), '-out', at('ca.crt'),
  ]); // prettier-ignore
  await runOk(openssl, [
    'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${hostname}`,
    '-keyout', at('server.key'), '-out', at('server.csr'),
  ]); // prettier-ignore
  writeFileSync(
    at('server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${hostname},IP:127.0.0.1`,
      '',
    ].join('\n'),
  );
  await runOk(openssl, [
    'x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', at('server.ext'), '-out', at('server.crt'),
  ]); // prettier-ignore
  return {
    caFile: at('ca.crt'),
    caPem: readFileSync(at('ca.crt'), 'utf8'),
    certFile: at('server.crt'),
    keyFile: at('server.key'),
  };
}

const HOSTS_FILE = '/etc/hosts';

export interface HostAlias {
  name: string;
  /** Removes exactly the line this alias added; safe to call twice. */
  remove(): void;
}

/**
 * `name` → 127.0.0.1 in /etc/hosts (the suite runs as root), so clients see a non-loopback host name.
 * The line carries a unique marker and is removed by that marker (also when the process exits), leaving
 * every other line as it was. /etc/hosts is rewritten in place: it may be a bind mount.
 */
export function addHostAlias(name: string, ip = '127.0.0.1'): HostAlias {
  const marker = `# nx-fleet-e2e host alias ${randomBytes(6).toString('hex')}`;
  const line = `${ip}\t${name}\t${marker}`;
  const before = readFileSync(HOSTS_FILE, 'utf8');
  writeFileSync(HOSTS_FILE, `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${line}\n`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    const text = readFileSync(HOSTS_FILE, 'utf8');
    const kept = text.split('\n').filter((l) => !l.includes(marker));
    writeFileSync(HOSTS_FILE, kept.join('\n'));
  };
  process.on('exit', remove);
  return { name, remove };
}

/** Whether /etc/hosts still holds a line naming `name` that this harness added. */
export function hostAliasPresent(name: string): boolean {
  return readFileSync(HOSTS_FILE, 'utf8')
    .split('\n')
    .some((l) => l.includes('# nx-fleet-e2e host alias') && l.split(/\s+/).includes(name));
}

export interface EngineCa {
  dir: string;
  remove(): void;
}

/**
 * The CA for `host` (host:port) where podman, skopeo and nx-fleet's client all look:
 * /etc/containers/certs.d/<host>/ca.crt. The directory is per host and port, so it is removed whole.
 */
export function trustForHost(host: string, caPem: string): EngineCa {
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) throw new Error(`not a host[:port]: ${host}`);
  const dir = join('/etc/containers/certs.d', host);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), caPem);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { dir, remove };
}

export interface CredentialHelper {
  /** Put first on PATH. */
  binDir: string;
  /** The `<name>` of `docker-credential-<name>`, what credHelpers/credsStore name. */
  name: string;
  /** The server URLs it was asked about, in order. */
  calls(): string[];
}

/**
 * A `docker-credential-<name>` script speaking the helper protocol: `get` reads the server URL on stdin
 * and prints `{"ServerURL","Username","Secret"}`, or says "credentials not found" and exits 1.
 * Its answers live in a JSON file next to it, so the script holds no secret and `set` can change them.
 */
export function writeCredentialHelper(
  dir: string,
  name: string,
  entries: Record<string, { username: string; secret: string }>,
): CredentialHelper & { set(entries: Record<string, { username: string; secret: string }>): void } {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const store = join(dir, `${name}-store.json`);
  const log = join(dir, `${name}-calls.log`);
  const set = (next: Record<string, { username: string; secret: string }>) =>
    writeFileSync(store, JSON.stringify(next));
  set(entries);
  writeFileSync(log, '');
  const script = join(binDir, `docker-credential-${name}`);
  writeFileSync(
    script,
    [
      `#!${process.execPath}`,
      "const fs = require('fs');",
      "const url = fs.readFileSync(0, 'utf8').trim();",
      `fs.appendFileSync(${JSON.stringify(log)}, process.argv[2] + ' ' + url + '\\n');`,
      "if (process.argv[2] !== 'get') { console.error('only get is supported'); process.exit(1); }",
      `const entry = JSON.parse(fs.readFileSync(${JSON.stringify(store)}, 'utf8'))[url];`,
      "if (!entry) { console.log('credentials not found in native keychain'); process.exit(1); }",
      'console.log(JSON.stringify({ ServerURL: url, Username: entry.username, Secret: entry.secret }));',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return {
    binDir,
    name,
    set,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^get /, '')),
  };
}

/** A fault: an HTTP status with a distribution-style error body, or a TCP reset. */
export type Fault = { status: number } | 'reset';

export interface FaultRule {
  /** For the log and for messages. */
  label: string;
  method: string | string[];
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault; Infinity for every one. */
  times: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The status sent back, or "reset". */
  outcome: number | 'reset';
  /** The rule that injected the outcome, if one did. */
  injected?: string;
}

export interface FaultProxy {
  /** "127.0.0.1:PORT": a loopback registry for the clients, forwarding to the upstream registry. */
  host: string;
  requests(): ProxiedRequest[];
  clearLog(): void;
  /** Replaces the rules (each with its own count). */
  setRules(rules: FaultRule[]): void;
  /** Rules whose faults were not all used. */
  unusedRules(): string[];
  stop(): Promise<void>;
}

/**
 * A plain-HTTP proxy in front of a loopback registry that injects faults by method and path, and logs
 * every request. The Host header is passed on, so the registry's upload Locations point back here.
 */
export async function startFaultProxy(upstream: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  let active = rules.map((rule) => ({ rule, left: rule.times }));
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const hit = active.find(
      ({ rule, left }) =>
        left > 0 &&
        (Array.isArray(rule.method) ? rule.method.includes(method) : rule.method === method) &&
        rule.path.test(path.split('?')[0]!),
    );
    if (hit) {
      hit.left--;
      if (hit.rule.fault === 'reset') {
        log.push({ method, path, outcome: 'reset', injected: hit.rule.label });
        // An RST, not a FIN: the client sees ECONNRESET as from a dropped connection.
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (socket.resetAndDestroy) socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      const { status } = hit.rule.fault;
      log.push({ method, path, outcome: status, injected: hit.rule.label });
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected by the e2e fault proxy` }] });
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const forward = httpRequest(
      { host: upstreamHost, port: Number(upstreamPort), method, path, headers: req.headers },
      (answer) => {
        log.push({ method, path, outcome: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (e) => {
      log.push({ method, path, outcome: 502 });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream ${upstream} failed: ${e.message}`);
    });
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  // No 'clientError' handler: a client that tries TLS first (HTTPS, then HTTP) must get Node's 400, a
  // protocol error it falls back on, not a reset it would retry.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    requests: () => [...log],
    clearLog: () => {
      log.length = 0;
    },
    setRules: (next) => {
      active = next.map((rule) => ({ rule, left: rule.times }));
    },
    unusedRules: () => active.filter(({ left }) => left > 0 && left !== Infinity).map(({ rule }) => rule.label),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The versions of the tools the registry cases ran with, for the support matrix. */
export async function registryToolVersions(): Promise<Record<string, string>> {
  const first = async (cmd: string, args: string[]) => {
    try {
      return (await runOk(cmd, args)).stdout.trim().split('\n')[0]!;
    } catch (e) {
      return `unavailable (${(e as Error).message.split('\n')[0]})`;
    }
  };
  return {
    podman: await first('podman', ['--version']),
    skopeo: await first('skopeo', ['--version']),
    distribution: await first('docker-registry', ['--version']),
    openssl: await first('openssl', ['version']),
    node: process.version,
  };
}
