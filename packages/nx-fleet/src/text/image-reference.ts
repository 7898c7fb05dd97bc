/** A reference's parts: the repository in Docker's full form (`docker.io/library/node`), its tag and digest. */
export function referenceParts(ref: string): { repository: string; tag?: string; digest?: string } {
  const [named = '', digest] = ref.split('@', 2);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const [name, tag] = colon > slash ? [named.slice(0, colon), named.slice(colon + 1)] : [named, undefined];
  return { repository: fullRepository(name), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * `node` → `docker.io/library/node`, `acme/base` → `docker.io/acme/base`; a host (a dot, a port,
 * localhost) is kept, but Docker Hub's legacy `index.docker.io` is `docker.io`, as Docker normalizes it.
 */
export function fullRepository(name: string): string {
  const lower = name.toLowerCase().replace(/^index\.docker\.io\//, 'docker.io/');
  const [first = '', ...rest] = lower.split('/');
  if (first === 'docker.io' && rest.length === 1) return `docker.io/library/${rest[0]}`;
  if (rest.length && (/[.:]/.test(first) || first === 'localhost')) return lower;
  return rest.length ? `docker.io/${lower}` : `docker.io/library/${lower}`;
}

/**
 * The name BuildKit looks a FROM's named context up by: the reference in Docker's short form, without
 * `:latest` (`docker.io/library/node:latest` → `node`).
 */
export function familiarName(ref: string): string {
  const { repository, tag, digest } = referenceParts(ref);
  const short = repository.replace(/^docker\.io\/(?:library\/)?/, '');
  return `${short}${tag && tag !== 'latest' ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}
