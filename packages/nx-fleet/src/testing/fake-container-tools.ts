import { writeFileSync } from 'node:fs';
import type { HttpFetch } from '../io/ports';
import { manifestDigestOf } from '../registry/destinations';
import { OCI_MANIFEST_MEDIA_TYPE } from '../registry/oci-client';
import { fakeProcesses, runResult, type FakeProcesses, type ProcessCall } from './fake-ports';

/** The id every fake build answers. */
export const IMAGE_ID = `sha256:${'1'.repeat(64)}`;

export interface FakeContainerTools {
  processes: FakeProcesses;
  /** The references podman holds locally. */
  images: Set<string>;
  /** The labels of the local images that have any (`build --label`, or set by a test); `image inspect` reports them. */
  labels: Map<string, Record<string, string>>;
  /** What destinations hold, by transport reference (`docker://host/repo:tag`, `oci:/dir:tag`): the manifest text. */
  manifests: Map<string, string>;
  /** The registries' manifest API over `manifests` (GET/HEAD/PUT `/v2/<repo>/manifests/<tag|digest>`), as nx-fleet's client reads and tags. */
  http: HttpFetch;
  /** `METHOD host/repo:reference` of every registry request, in order. */
  httpCalls: string[];
  /** What `git ls-files --ignored` lists under a context folder (a whole folder as `dir/`). */
  gitIgnored: string[];
  /** Of those, the files git tracks (`-t` tags them `H`). */
  gitIgnoredCommitted: string[];
  /** The engine's and the registry tools' calls: git's listing left out. */
  toolCalls(): ProcessCall[];
}

/**
 * podman and skopeo as the build and push use cases call them, over in-memory state: `image exists`,
 * `image inspect`, `build` and `push` (writing their --iidfile/--digestfile like the real tools), `inspect --raw`
 * and `copy`. Anything else is refused.
 */
export function fakeContainerTools(): FakeContainerTools {
  const images = new Set<string>();
  const labels = new Map<string, Record<string, string>>();
  const manifests = new Map<string, string>();
  const answerFile = (call: ProcessCall, flag: string, text: string) =>
    writeFileSync(call.args[call.args.indexOf(flag) + 1]!, `${text}\n`);
  const gitIgnored: string[] = [];
  const gitIgnoredCommitted: string[] = [];
  const processes = fakeProcesses((call) => {
    const [verb, ...rest] = call.args;
    const last = rest.at(-1)!;
    if (call.command === 'git' && verb === 'ls-files' && call.args.includes('--ignored'))
      return runResult(
        gitIgnored.map((entry) => `${gitIgnoredCommitted.includes(entry) ? 'H' : '?'} ${entry}\0`).join(''),
      );
    if (call.command === 'podman' && verb === 'image' && rest[0] === 'exists')
      return runResult('', '', images.has(last) ? 0 : 1);
    if (call.command === 'podman' && verb === 'image' && rest[0] === 'inspect')
      return images.has(last)
        ? runResult(JSON.stringify([{ Id: IMAGE_ID, Config: { Labels: labels.get(last) ?? null } }]))
        : runResult('', `Error: ${last}: image not known`, 125);
    if (call.command === 'podman' && verb === 'build') {
      const tag = call.args[call.args.indexOf('-t') + 1]!;
      images.add(tag);
      const built = call.args.flatMap((arg, i) => (call.args[i - 1] === '--label' ? [arg.split(/=(.*)/s)] : []));
      labels.set(tag, Object.fromEntries(built.map(([key, value]) => [key!, value ?? ''])));
      answerFile(call, '--iidfile', IMAGE_ID);
      return runResult();
    }
    if (call.command === 'podman' && verb === 'push') {
      const manifest = `manifest of ${rest.at(-2)}`;
      manifests.set(last, manifest);
      answerFile(call, '--digestfile', manifestDigestOf(Buffer.from(manifest)));
      return runResult();
    }
    if (call.command === 'skopeo' && verb === 'inspect') {
      const manifest = manifests.get(last);
      return manifest === undefined ? runResult('', 'manifest unknown', 1) : runResult(manifest);
    }
    if (call.command === 'skopeo' && verb === 'copy') {
      const manifest = manifests.get(rest.at(-2)!)!;
      manifests.set(last, manifest);
      answerFile(call, '--digestfile', manifestDigestOf(Buffer.from(manifest)));
      return runResult();
    }
    return new Error(`unexpected: ${call.command} ${call.args.join(' ')}`);
  });
  const httpCalls: string[] = [];
  const http: HttpFetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    // Registries are plain HTTP here: the TLS attempt a loopback or tlsVerify: false host gets first fails, as it would.
    if (url.protocol === 'https:' && init?.tls?.verify === false)
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ERR_SSL_WRONG_VERSION_NUMBER' } });
    const [, repository, reference] = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname) ?? [];
    if (!repository || !reference) return new Response('', { status: 404 });
    const key = `docker://${url.host}/${repository}:${reference}`;
    httpCalls.push(`${method} ${url.host}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`);
    if (method === 'PUT') {
      manifests.set(key, Buffer.from(init!.body as Buffer).toString('utf8'));
      return new Response('', { status: 201 });
    }
    const manifest = reference.startsWith('sha256:')
      ? [...manifests.entries()].find(
          ([ref, text]) =>
            ref.startsWith(`docker://${url.host}/${repository}:`) && manifestDigestOf(Buffer.from(text)) === reference,
        )?.[1]
      : manifests.get(key);
    return manifest === undefined
      ? new Response('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404 })
      : new Response(manifest, { headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE } });
  };
  return {
    processes,
    images,
    labels,
    manifests,
    http,
    httpCalls,
    gitIgnored,
    gitIgnoredCommitted,
    toolCalls: () => processes.calls.filter((call) => call.command !== 'git'),
  };
}
