/** What can name another workspace project, from the workspace's shape (see `candidateNames` in sdk-graph.ts). */
export interface ReachableNames {
  /** Package names of workspace projects: the name itself or a subpath of it. */
  packageNames: readonly string[];
  /** tsconfig `paths` keys: a key without `*` matches as a name does; with `*`, as TypeScript matches the pattern. */
  aliases: readonly string[];
  /** First folders of project roots: specifiers a `baseUrl` resolves (`services/orders/sdk/src`). */
  topFolders: readonly string[];
}

/**
 * Whether a bare specifier (not `./` or `../`) may reach another workspace project: it equals, or is a
 * subpath of, a package name or an exact alias, starts like a wildcard alias, or starts with a
 * project root's top folder. Whole specifiers, from the tokens: `@acme/orders-ui` never matches
 * `@acme/orders`, and `express` never matches anything. Everything else needs no resolution.
 */
export function bareSpecifierFilter(names: ReachableNames): (specifier: string) => boolean {
  const exact = new Set([...names.packageNames, ...names.aliases.filter((a) => !a.includes('*'))]);
  // As TypeScript matches a `paths` pattern: what comes before the `*` and what comes after it.
  const patterns = [...new Set(names.aliases.filter((a) => a.includes('*')))].map((a) => ({
    prefix: a.slice(0, a.indexOf('*')),
    suffix: a.slice(a.indexOf('*') + 1),
  }));
  const folders = new Set(names.topFolders);
  return (specifier) => {
    if (exact.has(specifier)) return true;
    // Every leading run of segments, so `@acme/orders/client` tries `@acme/orders/client`, `@acme/orders`, `@acme`.
    for (let slash = specifier.lastIndexOf('/'); slash > 0; slash = specifier.lastIndexOf('/', slash - 1)) {
      if (exact.has(specifier.slice(0, slash))) return true;
    }
    const first = specifier.indexOf('/');
    if (first > 0 && folders.has(specifier.slice(0, first))) return true;
    return patterns.some(
      ({ prefix, suffix }) =>
        specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix),
    );
  };
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}
