import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * The smallest npm registry `nx add <package>` can install from: it serves the given tarballs
 * itself (packument + tarball, the way the npm registry does) and answers every other request with
 * a redirect to the real registry, so the package's dependencies come from there and from npm's
 * cache. No install, no process, no storage: `npm_config_registry=<url>` is all a client needs.
 */
export interface RunningNpmRegistry {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** What a child npm (or `nx add`, which runs npm) needs in its environment to use this registry. */
  env: Record<string, string>;
  /** Package names served here, and how many times each packument and tarball was fetched. */
  served: Record<string, { packuments: number; tarballs: number }>;
  /** Requests sent on to the real registry. */
  redirected(): number;
  stop(): Promise<void>;
}

interface Published {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  tarball: Buffer;
  file: string;
}

const DEFAULT_UPSTREAM = 'https://registry.npmjs.org/';

/** Serves `tarballs` (npm pack output) on a loopback port the kernel picks; the rest goes `upstream`. */
export async function startNpmRegistry(
  tarballs: string[],
  opts: { upstream?: string } = {},
): Promise<RunningNpmRegistry> {
  const upstream = (opts.upstream ?? DEFAULT_UPSTREAM).replace(/\/?$/, '/');
  const packages = new Map<string, Published>();
  for (const path of tarballs) {
    const tarball = readFileSync(path);
    const manifest = JSON.parse(tarEntry(gunzipSync(tarball), 'package/package.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    const name = String(manifest['name']);
    const version = String(manifest['version']);
    packages.set(name, { name, version, manifest, tarball, file: `${name.split('/').pop()}-${version}.tgz` });
  }
  const served = Object.fromEntries([...packages.keys()].map((name) => [name, { packuments: 0, tarballs: 0 }]));
  let redirects = 0;
  let url = '';

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) answer(res, 500, (e as Error).message);
      else res.destroy();
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const [, name, tarballFile] = /^\/((?:@[^/]+\/)?[^/@][^/]*)(?:\/-\/([^/]+))?$/.exec(path) ?? [];
    const pkg = name ? packages.get(name) : undefined;
    if (!pkg || (req.method !== 'GET' && req.method !== 'HEAD')) {
      redirects++;
      res.writeHead(302, { Location: `${upstream}${(req.url ?? '/').replace(/^\//, '')}` });
      res.end();
      return;
    }
    if (tarballFile === undefined) {
      served[pkg.name]!.packuments++;
      return json(res, packument(pkg, url));
    }
    if (tarballFile !== pkg.file) return answer(res, 404, `no ${tarballFile} for ${pkg.name}`);
    served[pkg.name]!.tarballs++;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': pkg.tarball.length });
    res.end(req.method === 'HEAD' ? undefined : pkg.tarball);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    env: {
      npm_config_registry: url,
      // Tarball URLs of upstream packuments stay upstream, so npm's cache (keyed by URL) still hits.
      npm_config_replace_registry_host: 'never',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    },
    served,
    redirected: () => redirects,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function packument(pkg: Published, registryUrl: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: {
      [pkg.version]: {
        ...pkg.manifest,
        _id: `${pkg.name}@${pkg.version}`,
        dist: {
          tarball: `${registryUrl}${pkg.name}/-/${pkg.file}`,
          integrity: `sha512-${createHash('sha512').update(pkg.tarball).digest('base64')}`,
          shasum: createHash('sha1').update(pkg.tarball).digest('hex'),
        },
      },
    },
    time: { created: now, modified: now, [pkg.version]: now },
  };
}

/** One file of an uncompressed tar archive (ustar; what npm pack writes). */
export function tarEntry(tar: Buffer, wanted: string): Buffer {
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const body = offset + 512;
    if (name === wanted) return tar.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the archive`);
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(`${message}\n`);
}
