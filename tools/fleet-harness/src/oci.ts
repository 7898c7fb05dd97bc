import { createHash } from 'node:crypto';

/**
 * What a pushed image has attached to it, read and written with plain distribution API calls: the
 * suite checks the plugin's referrers against the OCI specs, not against the plugin's own client.
 * distribution 2.8 has no referrers API, so referrers live in an index under the referrers tag.
 */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
}

/** A manifest or index as stored: its exact bytes, media type and digest. */
export interface StoredManifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const ACCEPT = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** The referrers tag schema's tag for a subject: `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** One repository of a loopback registry (plain HTTP, no authentication). */
export class OciRepository {
  constructor(
    readonly host: string,
    readonly repository: string,
  ) {}

  async getManifest(reference: string): Promise<StoredManifest | undefined> {
    const res = await this.request('GET', `manifests/${reference}`, { headers: { Accept: ACCEPT } });
    if (res.status === 404) return undefined;
    const body = Buffer.from(await this.ok(res, `GET manifest ${reference}`).arrayBuffer());
    return { body, mediaType: res.headers.get('content-type') ?? '', digest: sha256(body) };
  }

  async putManifest(reference: string, body: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `manifests/${reference}`, {
      headers: { 'Content-Type': mediaType },
      body,
    });
    this.ok(res, `PUT manifest ${reference}`);
    return sha256(body);
  }

  async getBlob(digest: string): Promise<Buffer> {
    const res = await this.request('GET', `blobs/${digest}`);
    return Buffer.from(await this.ok(res, `GET blob ${digest}`).arrayBuffer());
  }

  /** A monolithic upload: one POST for the session, one PUT with the bytes. */
  async putBlob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const session = this.ok(await this.request('POST', 'blobs/uploads/'), 'POST blob upload');
    const location = new URL(session.headers.get('location') ?? '', `http://${this.host}`);
    location.searchParams.set('digest', digest);
    const res = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    this.ok(res, `PUT blob ${digest}`);
    return digest;
  }

  /** The artifacts listed under the subject's referrers tag, of one artifact type when given. */
  async referrers(subjectDigest: string, artifactType?: string): Promise<Descriptor[]> {
    const index = await this.getManifest(referrersTag(subjectDigest));
    const manifests = index ? (JSON.parse(index.body.toString('utf8')) as { manifests: Descriptor[] }).manifests : [];
    return artifactType === undefined ? manifests : manifests.filter((d) => d.artifactType === artifactType);
  }

  /** An artifact's content: the first layer of its manifest. */
  async readArtifact(descriptor: Descriptor): Promise<{ content: Buffer }> {
    const manifest = await this.getManifest(descriptor.digest);
    if (!manifest) throw new Error(`${this.repository}: no artifact ${descriptor.digest}`);
    const [layer] = (JSON.parse(manifest.body.toString('utf8')) as { layers: Descriptor[] }).layers;
    if (!layer) throw new Error(`${this.repository}: artifact ${descriptor.digest} has no layer`);
    return { content: await this.getBlob(layer.digest) };
  }

  /** Pushes an OCI 1.1 artifact about `subject` and adds it to the subject's referrers tag index. */
  async attachArtifact(input: { subject: Descriptor; artifactType: string; content: Buffer }): Promise<string> {
    const config = Buffer.from('{}');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: input.artifactType,
        config: { mediaType: OCI_EMPTY, digest: await this.putBlob(config), size: config.length },
        layers: [
          { mediaType: input.artifactType, digest: await this.putBlob(input.content), size: input.content.length },
        ],
        subject: input.subject,
      }),
    );
    const digest = await this.putManifest(sha256(manifest), manifest, OCI_MANIFEST);
    const entry: Descriptor = {
      mediaType: OCI_MANIFEST,
      digest,
      size: manifest.length,
      artifactType: input.artifactType,
    };
    const manifests = [...(await this.referrers(input.subject.digest)), entry];
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    await this.putManifest(referrersTag(input.subject.digest), index, OCI_INDEX);
    return digest;
  }

  private request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`http://${this.host}/v2/${this.repository}/${path}`, { ...init, method });
  }

  private ok(res: Response, what: string): Response {
    if (!res.ok) throw new Error(`${what} in ${this.repository} on ${this.host} answered ${res.status}`);
    return res;
  }
}
