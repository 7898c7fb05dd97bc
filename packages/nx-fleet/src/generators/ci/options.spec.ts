import { describe, expect, it } from 'vitest';
import { ciTemplate, ciWarnings, type CiPipelineOptions, type CiTemplate } from './options';

const NAMES = { buildTargetName: 'image', scanTargetName: 'vuln-scan', contractTargetName: 'pact-verify' };

describe('ciTemplate', () => {
  it('decides every value the templates print, defaults included', () => {
    expect(ciTemplate({})).toEqual<CiTemplate>({
      provider: 'github',
      path: '.github/workflows/fleet.yml',
      environment: 'production',
      mainBranch: 'main',
      matrix: false,
      nodeVersion: '20',
      remoteCache: true,
      ledger: 'deploy/fleet.json',
      targets: { build: 'docker-build', scan: 'scan', contract: 'contract-verify' },
      registry: undefined,
      configuredRegistry: undefined,
      fleetRegistry: '${{ vars.FLEET_REGISTRY }}',
      registryRef: '${FLEET_REGISTRY}',
      noRegistry:
        'echo "nx-fleet: no registry to push to: set the repository variable FLEET_REGISTRY or the registry option in nx.json, or rerun nx g nx-fleet:ci --registry <host/namespace> --force." >&2',
      verifyTargets: 'lint test typecheck docker-build scan contract-verify',
      matrixTargets: 'docker-build,scan,contract-verify',
      planFile: 'dist/release-plan.json',
    });
  });

  it.each<[string, CiPipelineOptions, Partial<CiTemplate>]>([
    ['github, nothing given', {}, { fleetRegistry: '${{ vars.FLEET_REGISTRY }}', registryRef: '${FLEET_REGISTRY}' }],
    [
      'github, --registry',
      { registry: ' ghcr.io/acme ' },
      { registry: 'ghcr.io/acme', fleetRegistry: '"ghcr.io/acme"', registryRef: '${FLEET_REGISTRY}' },
    ],
    [
      "github, nx.json's registry",
      { configuredRegistry: 'ghcr.io/acme' },
      { fleetRegistry: '${{ vars.FLEET_REGISTRY }}', registryRef: '${FLEET_REGISTRY:-ghcr.io/acme}' },
    ],
    [
      'github, an nx.json registry the pipeline cannot quote is left to FLEET_REGISTRY',
      { configuredRegistry: 'ghcr.io/Acme Corp' },
      { configuredRegistry: undefined, registryRef: '${FLEET_REGISTRY}' },
    ],
    [
      "gitlab, nothing given: the project's own registry",
      { provider: 'gitlab' },
      { path: '.gitlab-ci.yml', fleetRegistry: '"$CI_REGISTRY_IMAGE"', registryRef: '${FLEET_REGISTRY}' },
    ],
    ['gitlab, --registry', { provider: 'gitlab', registry: 'ghcr.io/acme' }, { fleetRegistry: '"ghcr.io/acme"' }],
    [
      "gitlab, nx.json's registry: FLEET_REGISTRY unset",
      { provider: 'gitlab', configuredRegistry: 'ghcr.io/acme' },
      { fleetRegistry: undefined, registryRef: '${FLEET_REGISTRY:-ghcr.io/acme}' },
    ],
    [
      'gitlab, the CI/CD variable named when no registry is set',
      { provider: 'gitlab' },
      {
        noRegistry:
          'echo "nx-fleet: no registry to push to: set the CI/CD variable FLEET_REGISTRY or the registry option in nx.json, or rerun nx g nx-fleet:ci --registry <host/namespace> --force." >&2',
      },
    ],
    [
      "nx.json's target names",
      NAMES,
      {
        targets: { build: 'image', scan: 'vuln-scan', contract: 'pact-verify' },
        verifyTargets: 'lint test typecheck image vuln-scan pact-verify',
        matrixTargets: 'image,vuln-scan,pact-verify',
      },
    ],
    [
      'one target renamed',
      { scanTargetName: 'trivy:scan' },
      { matrixTargets: 'docker-build,trivy:scan,contract-verify' },
    ],
    ['a ledger given as ./path', { ledger: './ops/ledger.json' }, { ledger: 'ops/ledger.json' }],
    ['--matrix on gitlab is kept for the note', { provider: 'gitlab', matrix: true }, { matrix: true }],
  ])('%s', (_, options, expected) => {
    expect(ciTemplate(options)).toMatchObject(expected);
    // EJS reads the values as variables: every key is there, undefined or not.
    expect(Object.keys(ciTemplate(options))).toEqual(
      expect.arrayContaining(['registry', 'configuredRegistry', 'fleetRegistry']),
    );
  });

  it.each([
    [
      { buildTargetName: 'docker build' },
      'the target name "docker build" (buildTargetName in nx.json) cannot be written into the pipeline',
    ],
    [{ scanTargetName: 'scan,sbom' }, '"scan,sbom" (scanTargetName in nx.json)'],
    [{ contractTargetName: '-verify' }, '"-verify" (contractTargetName in nx.json)'],
    [{ contractTargetName: '' }, '"" (contractTargetName in nx.json)'],
  ])('rejects the target names %j', (options, message) => {
    expect(() => ciTemplate(options)).toThrow(message);
  });
});

describe('ciWarnings', () => {
  const NOT_REGISTERED = expect.stringContaining('nx.json does not register nx-fleet yet; run `nx g nx-fleet:init`');
  const GITHUB_ONLY = expect.stringContaining('--matrix is GitHub only');
  const NO_CACHE = expect.stringContaining('--matrix without --remoteCache');

  it.each([
    [{ provider: 'github', matrix: false, remoteCache: true }, true, []],
    [{ provider: 'github', matrix: false, remoteCache: true }, false, [NOT_REGISTERED]],
    [{ provider: 'github', matrix: true, remoteCache: true }, true, []],
    [{ provider: 'github', matrix: true, remoteCache: false }, true, [NO_CACHE]],
    [{ provider: 'github', matrix: false, remoteCache: false }, true, []],
    [{ provider: 'gitlab', matrix: true, remoteCache: true }, true, [GITHUB_ONLY]],
    // On GitLab the matrix is not built at all: the cache warning would be beside the point.
    [{ provider: 'gitlab', matrix: true, remoteCache: false }, false, [NOT_REGISTERED, GITHUB_ONLY]],
  ] as const)('%j, registered %s', (options, registered, expected) => {
    expect(ciWarnings(options, registered)).toEqual(expected);
  });
});
