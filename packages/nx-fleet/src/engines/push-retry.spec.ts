import { describe, expect, it } from 'vitest';
import { ToolFailedError } from '../io/process';
import { pushWithRetries, transientPushFailure } from './push-retry';

describe('transientPushFailure', () => {
  it.each([
    // podman 4.3.1, a registry answering 500 to a layer upload (captured against distribution behind a fault proxy)
    [
      'Error: writing blob: uploading layer to http://127.0.0.1:45012/v2/prtiny/blobs/uploads/fc14?_state=x&digest=sha256%3Ad5: received unexpected HTTP status: 500 Internal Server Error',
      'HTTP 500',
    ],
    [
      'Error: trying to reuse blob sha256:ab at destination: received unexpected HTTP status: 503 Service Unavailable',
      'HTTP 503',
    ],
    ['Error: writing manifest: received unexpected HTTP status: 429 Too Many Requests', 'HTTP 429'],
    ['error parsing HTTP 502 Bad Gateway response body', 'HTTP 502'],
    [
      'Error: writing blob: Patch "https://r.example/v2/a/blobs/uploads/1": read tcp 10.0.0.2:5->1.2.3.4:443: read: connection reset by peer',
      'connection reset',
    ],
    ['Error: writing blob: Put "https://r.example/v2/a/blobs/uploads/1": write tcp: broken pipe', 'broken pipe'],
    ['Error: copying image: Put "https://r.example/v2/a/manifests/t": unexpected EOF', 'connection closed early'],
    ['Error: Head "https://r.example/v2/a/blobs/sha256:1": EOF', 'connection closed early'],
    [
      'Error: pinging container registry r.example: Get "https://r.example/v2/": dial tcp 1.2.3.4:443: i/o timeout',
      'timeout',
    ],
    ['Error: net/http: TLS handshake timeout', 'timeout'],
  ])('%s → %s', (output, reason) => {
    expect(transientPushFailure(output)).toBe(reason);
  });

  it.each([
    'Error: writing blob: initiating layer upload: received unexpected HTTP status: 401 Unauthorized',
    'Error: received unexpected HTTP status: 404 Not Found',
    'Error: denied: requested access to the resource is denied',
    'Error: x509: certificate signed by unknown authority',
    'Error: localhost/a:1: image not known',
    'Error: http: server gave HTTP response to HTTPS client',
  ])('not transient: %s', (output) => {
    expect(transientPushFailure(output)).toBeUndefined();
  });
});

describe('pushWithRetries', () => {
  const failure = (stderr: string) =>
    new ToolFailedError(
      'podman',
      ['push', 'a:1'],
      { code: 125, stdout: '', stdoutBytes: Buffer.alloc(0), stderr },
      true,
    );
  const HTTP_500 = 'Error: writing blob: received unexpected HTTP status: 500 Internal Server Error';

  function scripted(outcomes: Array<string | Error>) {
    const calls: string[] = [];
    const warnings: string[] = [];
    const sleeps: number[] = [];
    const push = async () => {
      const next = outcomes[calls.length]!;
      calls.push('push');
      if (next instanceof Error) throw next;
      return next;
    };
    const run = () =>
      pushWithRetries(push, 'a:1', (m) => warnings.push(m), {
        tries: 3,
        delayMs: 100,
        sleep: async (ms) => void sleeps.push(ms),
      });
    return { run, calls, warnings, sleeps };
  }

  it('pushes again after a transient failure, logging each retry with its reason and doubling the wait', async () => {
    const s = scripted([failure(HTTP_500), failure('read: connection reset by peer'), 'sha256:d']);
    expect(await s.run()).toBe('sha256:d');
    expect(s.calls).toHaveLength(3);
    expect(s.sleeps).toEqual([100, 200]);
    expect(s.warnings).toEqual([
      'nx-fleet: pushing a:1: HTTP 500; retrying in 100 ms (try 2 of 3).',
      'nx-fleet: pushing a:1: connection reset; retrying in 200 ms (try 3 of 3).',
    ]);
  });

  it('gives up after the last try with the engine error as it was', async () => {
    const last = failure(HTTP_500);
    const s = scripted([failure(HTTP_500), failure(HTTP_500), last]);
    await expect(s.run()).rejects.toBe(last);
    expect(s.calls).toHaveLength(3);
  });

  it('does not retry what another try cannot cure', async () => {
    const denied = failure('Error: received unexpected HTTP status: 401 Unauthorized');
    const s = scripted([denied, 'sha256:never']);
    await expect(s.run()).rejects.toBe(denied);
    const plain = new Error('nx-fleet: docker push printed no digest');
    const t = scripted([plain]);
    await expect(t.run()).rejects.toBe(plain);
    expect([s.calls.length, t.calls.length, s.warnings.length]).toEqual([1, 1, 0]);
  });
});
