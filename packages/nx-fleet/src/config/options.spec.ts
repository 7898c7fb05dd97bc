import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, DEFAULT_RELEASE_IGNORE } from './defaults';
import { DEFAULT_TEST_FILES, ENGINE_NAMES, normalizeOptions, type FleetPluginOptions } from './options';

describe('normalizeOptions', () => {
  it('fills every default when no options are given', () => {
    const expected = {
      buildTargetName: 'docker-build',
      pushTargetName: 'docker-push',
      scanTargetName: 'scan',
      contractTargetName: 'contract-verify',
      scanMaxAgeHours: 24,
      registry: undefined,
      engine: undefined,
      exclude: [
        '**/.devcontainer/**',
        '**/.codesandbox/**',
        '**/.cursor/**',
        '**/.ci/**',
        '**/.circleci/**',
        '**/.buildkite/**',
        '**/.gitlab/**',
        '**/.gitlab-ci/**',
        '**/.github/actions/**',
        '**/vendor/**',
        '**/templates/**',
        '**/*-templates/**',
        '**/_template/**',
        '**/_templates/**',
        '**/examples/**',
        '**/generators/**/files/**',
        '**/__fixtures__/**',
        '**/fixtures/**',
        '**/testdata/**',
        '**/test/**',
        '**/tests/**',
        '**/__tests__/**',
        '**/e2e/**',
        '**/*-e2e/**',
        '**/*-tests/**',
      ],
      contextInclude: [],
      buildTarget: 'build',
      services: {},
      gates: { scan: true, contract: true },
      ledger: 'deploy/fleet.json',
      releaseIgnore: [...DEFAULT_RELEASE_IGNORE, 'deploy/**'],
      runtimeTestFiles: [...DEFAULT_TEST_FILES],
    };
    expect(normalizeOptions(undefined)).toEqual(expected);
    expect(normalizeOptions({})).toEqual(expected);
  });

  it('keeps what is given', () => {
    const given = {
      buildTargetName: 'image',
      pushTargetName: 'publish',
      scanTargetName: 'audit',
      contractTargetName: 'pact-verify',
      scanMaxAgeHours: 6,
      registry: 'localhost:5000',
      engine: 'podman' as const,
      exclude: ['legacy/**'],
      context: 'workspace' as const,
      contextInclude: ['tsconfig.base.json'],
      buildTarget: 'compile',
      services: { 'services/a': { context: 'project' as const }, b: { enabled: false } },
      gates: { scan: false, contract: false },
    };
    expect(
      normalizeOptions({
        ...given,
        release: { ledger: '../gitops/fleet.json', ignore: ['handbook/**'] },
        runtimeGraph: { testFiles: ['**/fixtures/**'] },
      }),
    ).toEqual({
      ...given,
      exclude: [...DEFAULT_EXCLUDES, 'legacy/**'],
      ledger: '../gitops/fleet.json',
      releaseIgnore: ['handbook/**', '../gitops/**'],
      runtimeTestFiles: ['**/fixtures/**'],
    });
    expect(normalizeOptions({ release: { ledger: 'fleet-ledger.json' } }).releaseIgnore).toEqual([
      ...DEFAULT_RELEASE_IGNORE,
      'fleet-ledger.json',
    ]);
  });

  it("reads a services key written as a folder path as the project root it names (charter's ./apps/web)", () => {
    const services = normalizeOptions({
      services: { './apps/web': { image: 'a' }, 'apps/api/': { image: 'b' }, '@acme/cli': { image: 'c' }, './': {} },
    }).services;
    expect(Object.keys(services)).toEqual(['apps/web', 'apps/api', '@acme/cli', '.']);
  });

  it('fills the new defaults independently of the others', () => {
    const normalized = normalizeOptions({ registry: 'ghcr.io/acme', context: 'project' });
    expect(normalized.context).toBe('project');
    expect(normalized.contextInclude).toEqual([]);
    expect(normalized.services).toEqual({});
    // Unset, the context is inferred per Dockerfile.
    expect(normalizeOptions({ contextInclude: ['a/**'] }).context).toBeUndefined();
    expect(normalizeOptions({ buildTarget: '' }).buildTarget).toBe('build');
  });

  it('turns the scan gate on unless it is explicitly turned off', () => {
    expect(normalizeOptions({}).gates).toEqual({ scan: true, contract: true });
    expect(normalizeOptions({ gates: {} }).gates).toEqual({ scan: true, contract: true });
    expect(normalizeOptions({ gates: { scan: true } }).gates).toEqual({ scan: true, contract: true });
    expect(normalizeOptions({ gates: { scan: false } }).gates).toEqual({ scan: false, contract: true });
    expect(normalizeOptions({ registry: 'ghcr.io/acme' }).gates).toEqual({ scan: true, contract: true });
  });

  it('turns the contract gate on unless it is explicitly turned off, independently of the scan gate', () => {
    expect(normalizeOptions({ gates: { contract: true } }).gates).toEqual({ scan: true, contract: true });
    expect(normalizeOptions({ gates: { contract: false } }).gates).toEqual({ scan: true, contract: false });
    expect(normalizeOptions({ gates: { scan: false, contract: false } }).gates).toEqual({
      scan: false,
      contract: false,
    });
    // Only an explicit false turns it off: a misspelt value keeps the gate.
    expect(normalizeOptions({ gates: { contract: 'no' as unknown as boolean } }).gates).toEqual({
      scan: true,
      contract: true,
    });
  });

  it('keeps a positive scanMaxAgeHours, fractions included', () => {
    expect(normalizeOptions({ scanMaxAgeHours: 1 }).scanMaxAgeHours).toBe(1);
    expect(normalizeOptions({ scanMaxAgeHours: 1.5 }).scanMaxAgeHours).toBe(1.5);
    expect(normalizeOptions({ scanMaxAgeHours: 168 }).scanMaxAgeHours).toBe(168);
  });

  it.each([
    ['zero', 0],
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '12'],
    ['a string', 'daily'],
    ['null', null],
    ['a boolean', true],
    ['an object', { hours: 12 }],
  ])('falls back to 24 hours for %s (it becomes part of a shell command)', (_, value) => {
    expect(normalizeOptions({ scanMaxAgeHours: value as unknown as number }).scanMaxAgeHours).toBe(24);
  });

  it('fills the scan defaults independently of the other target names', () => {
    const normalized = normalizeOptions({ buildTargetName: 'image', scanMaxAgeHours: 2 });
    expect(normalized.scanTargetName).toBe('scan');
    expect(normalized.pushTargetName).toBe('docker-push');
    expect(normalized.contractTargetName).toBe('contract-verify');
    expect(normalizeOptions({ scanTargetName: 'audit' }).scanMaxAgeHours).toBe(24);
    expect(normalizeOptions({ contractTargetName: 'pact' }).scanTargetName).toBe('scan');
  });

  it.each<[string, Pick<FleetPluginOptions, 'exclude' | 'excludeDefaults'>, readonly string[]]>([
    ['unset: the defaults', {}, DEFAULT_EXCLUDES],
    ['an empty list: the defaults', { exclude: [] }, DEFAULT_EXCLUDES],
    ['a list: added to the defaults', { exclude: ['legacy/**'] }, [...DEFAULT_EXCLUDES, 'legacy/**']],
    ['a default repeated: listed once', { exclude: ['**/templates/**', 'x/**'] }, [...DEFAULT_EXCLUDES, 'x/**']],
    [
      'excludeDefaults true: added',
      { exclude: ['legacy/**'], excludeDefaults: true },
      [...DEFAULT_EXCLUDES, 'legacy/**'],
    ],
    ['excludeDefaults false: replaces them', { exclude: ['legacy/**'], excludeDefaults: false }, ['legacy/**']],
    ['excludeDefaults false alone: nothing excluded', { excludeDefaults: false }, []],
    ['excludeDefaults false, empty list: nothing excluded', { exclude: [], excludeDefaults: false }, []],
    [
      'excludeDefaults a string (not false): added',
      { exclude: ['a/**'], excludeDefaults: 'false' as unknown as boolean },
      [...DEFAULT_EXCLUDES, 'a/**'],
    ],
    ['exclude a string (not a list): the defaults', { exclude: 'legacy/**' as unknown as string[] }, DEFAULT_EXCLUDES],
    [
      'a list with a non-string: its strings added',
      { exclude: ['a/**', 3] as unknown as string[] },
      [...DEFAULT_EXCLUDES, 'a/**'],
    ],
  ])('exclude %s', (_name, options, expected) => {
    expect(normalizeOptions(options).exclude).toEqual(expected);
  });

  it('never shares the default exclude list with a caller that changes it', () => {
    normalizeOptions({}).exclude.push('mine/**');
    expect(normalizeOptions({}).exclude).toEqual(DEFAULT_EXCLUDES);
  });

  it.each<[string, FleetPluginOptions['release'], readonly string[]]>([
    ['unset: the defaults and the ledger folder', undefined, [...DEFAULT_RELEASE_IGNORE, 'deploy/**']],
    ['a list: replaces the defaults', { ignore: ['handbook/**'] }, ['handbook/**', 'deploy/**']],
    ['an empty list: only the ledger folder', { ignore: [] }, ['deploy/**']],
  ])('release.ignore %s', (_name, release, expected) => {
    expect(normalizeOptions({ release }).releaseIgnore).toEqual(expected);
  });

  it('ignores by default what cannot reach an image or a deployment', () => {
    expect(DEFAULT_RELEASE_IGNORE).toEqual(
      expect.arrayContaining([
        '.github/**',
        '.changeset/**',
        '.vscode/**',
        '**/*.md',
        'LICENSE*',
        'renovate.json',
        '**/*.log',
      ]),
    );
  });

  it.each<[string, unknown, readonly string[]]>([
    ['unset: the defaults', undefined, DEFAULT_TEST_FILES],
    ['a list: replaces the defaults', ['**/fixtures/**'], ['**/fixtures/**']],
    ['an empty list: no test files', [], []],
    ['a string (not a list): the defaults', '**/fixtures/**', DEFAULT_TEST_FILES],
    ['a list with a non-string: the defaults', ['**/x/**', 3], DEFAULT_TEST_FILES],
  ])('runtimeGraph.testFiles %s', (_name, testFiles, expected) => {
    const options = { runtimeGraph: { testFiles } } as FleetPluginOptions;
    expect(normalizeOptions(options).runtimeTestFiles).toEqual(expected);
  });

  it('never shares the default test-file list with a caller that changes it', () => {
    normalizeOptions({}).runtimeTestFiles.push('mine/**');
    expect(normalizeOptions({}).runtimeTestFiles).toEqual(DEFAULT_TEST_FILES);
  });

  it('exports the default excludes and engine names', () => {
    expect(DEFAULT_EXCLUDES).toContain('**/.devcontainer/**');
    expect(ENGINE_NAMES).toEqual(['docker', 'podman', 'buildah']);
  });
});
