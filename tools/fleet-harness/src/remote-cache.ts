import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Nx's self-hosted remote cache protocol as Nx 23.2.1 speaks it (native HttpRemoteCache):
 * `GET {server}/v1/cache/{hash}` → 200 tar.gz | 404, `PUT` with a tar.gz body (content-length set)
 * → 200 stored | 409 already present | 403 read-only. Every request carries
 * `Authorization: Bearer $NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` and Content-Type
 * application/octet-stream; Nx appends `/v1/cache/` to the server URL itself, so the URL has no
 * trailing slash. Any other status makes Nx report an error for that task.
 */
export interface RunningRemoteCache {
  /** http://127.0.0.1:PORT */
  url: string;
  token: string;
  /** NX_SELF_HOSTED_REMOTE_CACHE_SERVER and NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN, for nx runs. */
  env: Record<string, string>;
  /** Authorized requests only: every GET, the GETs answered 200, every PUT (stored or 409). */
  stats: { gets: number; hits: number; puts: number };
  /** Stored hashes, in insertion order. */
  entries(): string[];
  clear(): void;
  stop(): Promise<void>;
}

// Nx hashes are decimal strings; anything path-like is refused rather than interpreted.
const ENTRY_PATH = /^\/v1\/cache\/([A-Za-z0-9._-]{1,200})$/;

/** An in-memory Nx remote cache on a loopback port the kernel picks (no free-port race). */
export async function startRemoteCache(opts: { token?: string } = {}): Promise<RunningRemoteCache> {
  const token = opts.token ?? randomBytes(16).toString('hex');
  const store = new Map<string, Buffer>();
  const stats = { gets: 0, hits: 0, puts: 0 };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) answer(res, 500, e.message);
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) {
      req.resume(); // drain, so keep-alive connections stay usable
      return answer(res, 401, 'missing or wrong bearer token');
    }
    const hash = ENTRY_PATH.exec((req.url ?? '').split('?')[0])?.[1];
    if (!hash) {
      req.resume();
      return answer(res, 404, 'not a /v1/cache/{hash} URL');
    }
    if (req.method === 'GET') {
      stats.gets++;
      const body = store.get(hash);
      if (!body) return answer(res, 404, 'no such entry');
      stats.hits++;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    if (req.method === 'PUT') {
      stats.puts++;
      const body = await readBody(req);
      // First writer wins, as Nx expects: an existing entry is never replaced.
      if (store.has(hash)) return answer(res, 409, 'entry already exists');
      store.set(hash, body);
      return answer(res, 200, 'stored');
    }
    req.resume();
    res.setHeader('Allow', 'GET, PUT');
    answer(res, 405, `method ${req.method} not allowed`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let stopping: Promise<void> | undefined;
  return {
    url,
    token,
    env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token },
    stats,
    entries: () => [...store.keys()],
    clear: () => store.clear(),
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        // close() alone waits for idle keep-alive connections from Nx's HTTP client.
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
