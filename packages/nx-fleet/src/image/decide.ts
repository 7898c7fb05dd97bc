/** What docker-build does for an image: nothing when one with its content tag exists anywhere, else a build. */
export type BuildDecision = { kind: 'present-in-engine' } | { kind: 'present-in-registry' } | { kind: 'build' };

export interface BuildFacts {
  /** Whether the engine holds `<image>:<content tag>`. */
  inEngine: boolean;
  /**
   * The registry's digest for the content tag: undefined when it has none, when no registry is
   * configured, or when it was not asked because the engine had the image.
   */
  registryDigest: string | undefined;
}

/**
 * The content tag names what an image contains, so an image holding it never needs building again:
 * on a machine that never built it, the registry's copy is enough (the push only adds tags).
 */
export function decideBuild(facts: BuildFacts): BuildDecision {
  if (facts.inEngine) return { kind: 'present-in-engine' };
  if (facts.registryDigest) return { kind: 'present-in-registry' };
  return { kind: 'build' };
}
