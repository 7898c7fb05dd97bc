/** An image reference split the way registries read it. */
export interface ImageRef {
  /** Registry host, when the first path component names one (a dot, a port or localhost). */
  registry?: string;
  /** The repository: nx-fleet's image name. */
  repository: string;
  tag?: string;
}

/** `ghcr.io/acme/api:1.2` → registry ghcr.io, repository acme/api, tag 1.2. */
export function parseImageRef(reference: string): ImageRef {
  // A digest follows the name (`api@sha256:…`); a leading `@` is no digest but an npm scope, kept to be refused as written.
  const at = reference.indexOf('@', 1);
  const withoutDigest = at < 0 ? reference : reference.slice(0, at);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const [first, ...rest] = name.split('/');
  const isRegistry = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  return {
    ...(isRegistry ? { registry: first } : {}),
    repository: isRegistry ? rest.join('/') : name,
    ...(tag !== undefined ? { tag } : {}),
  };
}

/** Whether a repository is one nx-fleet can use as it is (lowercase path components, OCI distribution rules). */
export function isValidRepository(repository: string): boolean {
  return /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository);
}
