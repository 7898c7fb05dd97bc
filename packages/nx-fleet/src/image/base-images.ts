import { familiarName, fullRepository, referenceParts } from '../text/image-reference';
import type { ImageBase } from './dockerfile-copies';

/**
 * Images built FROM (or copying `--from=`) another service's image (browserless's browsers `FROM
 * ghcr.io/browserless/base`, the image its `docker/base` builds): which FROM names which service,
 * decided once at graph time by the names each service's image goes by (its image name, and the
 * repository its docker-push sends it to), and read again by the build.
 */

/**
 * The repository a FROM takes its image from, when it takes the image as the sources build it now:
 * no digest, and no tag or `latest` or a tag a build argument gives (`:$VERSION`). A literal tag
 * (`base:1.4`) or a digest pins a published image: that FROM is no link to the sources. A tag or a
 * digest whose argument has no value yet (nango's `FROM nangohq/nango:${BASE_IMAGE_HASH}`; konto's
 * `…/openapi-clients@${OPENAPI_CLIENTS_DIGEST}`, the digest its CI has just built) follows the
 * repository written: the build that gives it one builds after the base.
 */
export function followedRepository(base: ImageBase): string | undefined {
  if (base.image === undefined) {
    const { repository, tag, digest } = referenceParts(base.written);
    const given = digest ? digest.includes('$') : tag?.includes('$');
    return given && !repository.includes('$') ? repository : undefined;
  }
  const { repository, tag, digest } = referenceParts(base.image);
  if (digest) return undefined;
  const writtenTag = referenceParts(base.written).tag;
  if (tag === undefined || tag === 'latest' || writtenTag?.includes('$')) return repository;
  return undefined;
}

/** How the Dockerfile takes the image: `FROM ghcr.io/acme/base:$VERSION`, `--from=acme/assets`. */
export function takenAs(base: Pick<ImageBase, 'via' | 'written'>): string {
  if (base.via === 'FROM') return `FROM ${base.written}`;
  return base.via === 'mount' ? `--mount=from=${base.written}` : `--from=${base.written}`;
}

/** docker-build's `baseImages`: a repository a FROM names → the `project:target` that builds its image. */
export type BaseImages = Record<string, string>;

/** A `baseImages` value's parts: `base:docker-build` → base, docker-build. */
export function builtBy(built: string): { project: string; target: string } {
  const colon = built.lastIndexOf(':');
  return { project: built.slice(0, colon), target: built.slice(colon + 1) };
}

/** A FROM that names a service's image, as the build reads it. */
export interface LinkedBase extends ImageBase {
  image: string;
  project: string;
  target: string;
}

/** The FROMs of a build that name an image another service builds, by `baseImages`. */
export function linkedBases(bases: readonly ImageBase[], baseImages: BaseImages | undefined): LinkedBase[] {
  if (!baseImages) return [];
  const byRepository = new Map(Object.entries(baseImages).map(([repo, built]) => [fullRepository(repo), built]));
  const followed = bases.map(followedRepository);
  // An entry no followed FROM takes was stated by hand for a FROM that pins a tag (terramatch's
  // `FROM …-base:nx-base`, the image its CI builds just before): graph time infers none for such a
  // FROM, and where one of that repository follows the sources, a pinned one stays pinned.
  const taken = new Set(followed.filter((repository) => repository !== undefined));
  return bases.flatMap((base, i) => {
    const repository = followed[i] ?? statedFor(base, taken);
    const built = repository === undefined ? undefined : byRepository.get(repository);
    if (!built || base.image === undefined) return [];
    return [{ ...base, image: base.image, ...builtBy(built) }];
  });
}

/** The repository of a FROM with a literal tag, when no FROM that follows the sources takes it. */
function statedFor(base: ImageBase, taken: ReadonlySet<string>): string | undefined {
  if (base.image === undefined) return undefined;
  const { repository, digest } = referenceParts(base.image);
  return digest || taken.has(repository) ? undefined : repository;
}

/** The `baseImages` entries no FROM of the build's stages names: a link stated for nothing. */
export function unlinkedBaseImages(bases: readonly ImageBase[], baseImages: BaseImages | undefined): string[] {
  const linked = new Set(linkedBases(bases, baseImages).map((base) => referenceParts(base.image).repository));
  return Object.keys(baseImages ?? {}).filter((repository) => !linked.has(fullRepository(repository)));
}

/** A service as the graph-time decision sees it. */
export interface ServiceImage {
  project: string;
  /**
   * The names a FROM takes its image by: the name nx-fleet builds it under (`base`, as a local base
   * image is named: `FROM base`) and the repository its docker-push sends it to (`<registry>/base`).
   */
  repositories: readonly string[];
  /** The images its build takes (FROM, `--from=`). */
  bases: readonly ImageBase[];
  /** The `baseImages` its project's own docker-build options state: links as written, whatever the FROM's tag. */
  stated?: BaseImages;
}

/** A FROM that pins a literal tag of another service's image (`FROM base:ci`): what that tag holds, not the base's sources. */
export interface PinnedBase {
  /** As the Dockerfile takes it: `FROM base:ci`. */
  taken: string;
  /** The repository, as `baseImages` would name it: `base`, `ghcr.io/acme/base`. */
  repository: string;
  /** The service that builds that repository. */
  project: string;
}

/**
 * Which services are built FROM which others' images: each service's `baseImages`, the cycles
 * (A FROM B's image, B FROM A's: no order builds them), whose links are dropped, and the FROMs that
 * pin a tag of another service's image, which nothing links (NEONScience's `FROM …-core:latest-dev`,
 * its CI's tag: the consumer was never rebuilt after a change to the base, and nothing said why).
 */
export function baseImageLinks(
  services: readonly ServiceImage[],
  buildTarget: string,
): { links: Map<string, BaseImages>; cycles: string[][]; pinned: Map<string, PinnedBase[]> } {
  const byRepository = new Map<string, string>();
  for (const { project, repositories } of services)
    for (const repository of repositories) byRepository.set(fullRepository(repository), project);
  const projects = new Set(services.map(({ project }) => project));
  // Per service, its links as docker-build's `baseImages` writes them: repository → project:target.
  const found = new Map<string, Map<string, string>>();
  const link = (project: string, repository: string, built: string) =>
    found.set(project, (found.get(project) ?? new Map()).set(repository, built));
  const pinned = new Map<string, PinnedBase[]>();
  for (const { project, bases, stated } of services) {
    const statedRepositories = new Set(Object.keys(stated ?? {}).map(fullRepository));
    for (const base of bases) {
      const repository = followedRepository(base);
      if (repository === undefined) {
        const owner = pinnedOwner(base, byRepository, statedRepositories);
        if (owner !== undefined && owner !== project) {
          const pin = {
            taken: takenAs(base),
            repository: familiarName(referenceParts(base.image!).repository),
            project: owner,
          };
          pinned.set(project, [...(pinned.get(project) ?? []), pin]);
        }
        continue;
      }
      const owner = byRepository.get(repository);
      if (owner === undefined || owner === project) continue;
      link(project, familiarName(repository), `${owner}:${buildTarget}`);
    }
    // Nx merges the project's own options over these: a stated repository's link is the stated one.
    for (const [repository, built] of Object.entries(stated ?? {})) {
      const owner = builtBy(built).project;
      if (owner !== project && projects.has(owner)) link(project, repository, built);
    }
  }
  const owners = (bases: ReadonlyMap<string, string>) => [
    ...new Set([...bases.values()].map((b) => builtBy(b).project)),
  ];
  const cycles = cyclesOf(new Map([...found].map(([project, bases]) => [project, owners(bases)])));
  const inCycle = new Set(cycles.flat());
  const links = new Map<string, BaseImages>();
  for (const [project, bases] of found) {
    const kept = [...bases].filter(([, built]) => !(inCycle.has(project) && inCycle.has(builtBy(built).project)));
    if (kept.length) links.set(project, Object.fromEntries(kept));
  }
  return { links, cycles, pinned };
}

/**
 * The service whose image a FROM pins by a literal tag, unless a stated link takes it. A digest is a
 * deliberate pin; so is a version tag of a one-word name, which is Docker Hub's official image
 * (`FROM nginx:1.27` beside a service named nginx), not the service's.
 */
function pinnedOwner(
  base: ImageBase,
  byRepository: ReadonlyMap<string, string>,
  stated: ReadonlySet<string>,
): string | undefined {
  if (base.image === undefined) return undefined;
  const { repository, tag = '', digest } = referenceParts(base.image);
  if (digest || stated.has(repository)) return undefined;
  if (repository.startsWith('docker.io/library/') && /^v?\d/.test(tag)) return undefined;
  return byRepository.get(repository);
}

/** Each cycle once, from its first project in the order given. */
function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (project: string, path: string[]) => {
    const at = path.indexOf(project);
    if (at >= 0) {
      cycles.push(path.slice(at));
      return;
    }
    if (done.has(project)) return;
    for (const next of edges.get(project) ?? []) visit(next, [...path, project]);
    done.add(project);
  };
  for (const project of edges.keys()) visit(project, []);
  return cycles;
}
