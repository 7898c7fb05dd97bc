import { describe, expect, it } from 'vitest';
import { decideBuild, type BuildDecision, type BuildFacts } from './decide';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('decideBuild', () => {
  it.each<[string, BuildDecision['kind'], BuildFacts]>([
    ['the engine holds the content tag', 'present-in-engine', { inEngine: true, registryDigest: undefined }],
    ['the engine and the registry hold it', 'present-in-engine', { inEngine: true, registryDigest: DIGEST }],
    ['only the registry holds it', 'present-in-registry', { inEngine: false, registryDigest: DIGEST }],
    ['neither holds it (or no registry is configured)', 'build', { inEngine: false, registryDigest: undefined }],
  ])('%s → %s', (_case, kind, facts) => {
    expect(decideBuild(facts)).toEqual({ kind });
  });
});
