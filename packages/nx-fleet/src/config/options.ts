import { posix } from 'node:path';
import { DEFAULT_EXCLUDES, DEFAULT_LEDGER, DEFAULT_RELEASE_IGNORE, DEFAULT_TARGET_NAMES } from './defaults';
import type { ContextMode, FleetGates, FleetServiceConfig } from './service-settings';

/** Options of the nx-fleet entry in `nx.json` `plugins`. Every field is optional. */
export interface FleetPluginOptions {
  /** Target names, so teams with existing `docker-build`-like targets can avoid clashes. */
  buildTargetName?: string;
  pushTargetName?: string;
  scanTargetName?: string;
  contractTargetName?: string;
  /** How old a cached passing scan may be before it runs again against newer vulnerability data; default 24. */
  scanMaxAgeHours?: number;
  /** Registry host (and optional namespace) images are pushed to, e.g. `ghcr.io/acme`. Env `FLEET_REGISTRY` wins. */
  registry?: string;
  /** Container engine; auto-detected when unset. Env `FLEET_ENGINE` wins. */
  engine?: EngineName;
  /**
   * Glob patterns (relative to the workspace root) of paths whose Dockerfiles never make a service.
   * Added to the defaults (`DEFAULT_EXCLUDES`: dev containers, templates, generator files, fixtures)
   * unless `excludeDefaults` is `false`.
   */
  exclude?: string[];
  /** Only an explicit `false` drops the default excludes, so `exclude` alone applies. */
  excludeDefaults?: boolean;
  /**
   * Build context of every service unless it says otherwise. Unset: inferred per Dockerfile from its
   * COPY/ADD sources (the project folder, a pruned repo-shaped context, or the whole workspace).
   */
  context?: ContextMode;
  /**
   * The project target whose outputs a Dockerfile copies (e.g. `COPY dist/apps/api .`): docker-build
   * depends on it, as @nx/docker's `buildTarget`. Default `build`.
   */
  buildTarget?: string;
  /** Extra workspace files every pruned context gets, e.g. `["tsconfig.base.json"]`. */
  contextInclude?: string[];
  /** Per-service settings keyed by project name or root, for projects whose files cannot be edited. */
  services?: Record<string, FleetServiceConfig>;
  /**
   * SDK ownership for SDKs that live elsewhere: `{ "<project or package name>": "<service project>" }`.
   * A client that talks to several services names them all (`"@acme/client": ["api", "realtime"]`:
   * an import of it calls each). A key may be a subpath of a workspace package
   * (`"@acme/core/v3/workers": "workers"`): it matches that specifier and the ones below it
   * (`@acme/core/v3/workers/queue`), and the longest matching key wins.
   */
  sdks?: Record<string, string | string[]>;
  /** What counts as evidence of runtime calls between services. */
  runtimeGraph?: FleetRuntimeGraph;
  /** Checks docker-push waits for (default: all on); per service in `metadata.fleet.gates`. */
  gates?: FleetGates;
  /** Sign every pushed digest; unset: images are pushed unsigned. */
  signing?: FleetSigning;
  /** Releases: where the ledger lives, and which files outside projects never affect services. */
  release?: FleetRelease;
}

export interface FleetRuntimeGraph {
  /**
   * Globs (relative to the workspace root) of files that never run in the service: their imports of
   * an SDK make no runtime edge, and their imports of libraries no code edge. Replaces the default
   * list, `DEFAULT_TEST_FILES`: `*.spec.*`, `*.test.*`, `*.e2e-spec.*` and `*.stories.*` files,
   * whatever lies in `__tests__`, `test`, `tests`, `e2e`, `cypress` or `.storybook` folders, and
   * build-tool configuration (`webpack.config.*`, `webpack.*.*`, `vite.config.*`, `jest.config.*`, … ) and the package
   * manager's own (`.yarn/`, `.pnp.*`), at any depth. Repeat those to add to them; `[]` counts every file.
   */
  testFiles?: string[];
  /**
   * Threads that extract imports besides Nx's plugin worker on a cold graph. Default: one per 25,000
   * files to read, up to the other cores (none on most repositories: a thread costs ~0.45 s to start);
   * 0 turns them off.
   */
  workers?: number;
  /**
   * Whether a graph without the daemon computes createNodes (the scan, the contexts, the targets) in
   * a short-lived process of its own, so that Nx's plugin worker does not keep TypeScript, the
   * workspace's file list and the computation's memory while Nx builds the graph (~40 MiB less at
   * its peak at 1,000 services). Default: from 2,000 files matched for nx-fleet (manifests, container
   * files, pacts; ~700 services with their SDKs) — below that, the ~0.2 s the process takes to start
   * costs more than the memory is worth. A graph answered from the kept answer starts no process; the
   * daemon's worker always computes itself: it keeps what it computed for the next edit.
   */
  ownProcess?: boolean;
}

/**
 * Files whose imports never count as runtime calls, unless `runtimeGraph.testFiles` says otherwise:
 * tests, stories, build and tool configuration (a webpack config that requires a sibling service's
 * copy patterns builds the image, it does not call the service), and the package manager's files
 * (a vendored Yarn release, Plug'n'Play's loader).
 */
export const DEFAULT_TEST_FILES: readonly string[] = [
  '**/*.spec.*',
  '**/*.test.*',
  '**/*.e2e-spec.*',
  '**/__tests__/**',
  // Jest's module mocks and the test runners' setup files, which load before every test.
  '**/__mocks__/**',
  // A mock stands in for a service and never calls it (MSW's \`src/mocks/\`, Angular's \`*.mock.ts\`); fixtures are test data.
  '**/mocks/**',
  '**/*.mock.*',
  '**/fixtures/**',
  '**/__fixtures__/**',
  '**/{jest,vitest}.setup.*',
  '**/setupTests.*',
  // Test helpers a library ships beside its code (semiont's react-ui `test-utils.tsx`, vitest's mocks of a client).
  '**/test-utils.*',
  '**/test-utils/**',
  '**/test/**',
  '**/tests/**',
  '**/e2e/**',
  '**/cypress/**',
  '**/*.stories.*',
  '**/.storybook/**',
  '**/{webpack,rspack,vite,vitest,jest,rollup,esbuild,tsup,tsdown,babel,postcss,tailwind,eslint,stylelint,prettier,commitlint,playwright,cypress,karma,drizzle,codegen,graphql,mesh}.config.*',
  '**/webpack.*.*',
  // GraphQL Code Generator's, GraphQL Mesh's and graphql-config's, which read a service's schema to generate types.
  '**/codegen.*',
  '**/.{graphqlrc,meshrc}.*',
  '**/.yarn/**',
  '**/.pnp.*',
];

export interface FleetRelease {
  /** Default `deploy/fleet.json`; may be outside the workspace (a GitOps checkout). */
  ledger?: string;
  /**
   * Globs of files outside every project that affect no service and no release hash. Replaces the
   * default list, `DEFAULT_RELEASE_IGNORE` (CI and editor folders, changesets, hooks, docs, Markdown,
   * licences, bot configs, logs); repeat those to add to them. The ledger's folder is always ignored.
   */
  ignore?: string[];
}

/**
 * `sigstore`: the built-in key-based signer, a Sigstore bundle stored in the registry as a referrer
 * of the digest. `cosign`: runs cosign (key, KMS URI, or keyless).
 */
export interface FleetSigning {
  method: SigningMethod;
  /** sigstore: path of a PKCS#8 PEM private key (ECDSA P-256 or Ed25519). cosign: its `--key` reference. Env FLEET_SIGNING_KEY wins. */
  key?: string;
  /** cosign only: keyless signing (OIDC). */
  keyless?: boolean;
  /** Path of the PEM public key `nx-fleet verify` checks signatures with; env FLEET_VERIFY_KEY wins. */
  publicKey?: string;
}

export type SigningMethod = 'sigstore' | 'cosign';

export type EngineName = 'docker' | 'podman' | 'buildah';
export const ENGINE_NAMES: readonly EngineName[] = ['docker', 'podman', 'buildah'];

export interface NormalizedFleetOptions {
  buildTargetName: string;
  pushTargetName: string;
  scanTargetName: string;
  contractTargetName: string;
  scanMaxAgeHours: number;
  registry?: string;
  engine?: EngineName;
  exclude: string[];
  /** Set for every service by the plugin option; undefined: inferred per Dockerfile. */
  context?: ContextMode;
  contextInclude: string[];
  buildTarget: string;
  services: Record<string, FleetServiceConfig>;
  gates: Required<FleetGates>;
  signing?: FleetSigning;
  ledger: string;
  /** Globs of files outside projects that affect no service (the ledger's folder included: a release must not affect everything). */
  releaseIgnore: string[];
  /** Globs of test files, whose imports make no runtime or code edge (`runtimeGraph.testFiles`). */
  runtimeTestFiles: string[];
}

export function normalizeOptions(options: FleetPluginOptions | undefined): NormalizedFleetOptions {
  return {
    buildTargetName: options?.buildTargetName ?? DEFAULT_TARGET_NAMES.build,
    pushTargetName: options?.pushTargetName ?? DEFAULT_TARGET_NAMES.push,
    scanTargetName: options?.scanTargetName ?? DEFAULT_TARGET_NAMES.scan,
    contractTargetName: options?.contractTargetName ?? DEFAULT_TARGET_NAMES.contract,
    // A number only: it becomes part of a runtime input's command.
    scanMaxAgeHours:
      Number.isFinite(options?.scanMaxAgeHours) && options!.scanMaxAgeHours! > 0 ? options!.scanMaxAgeHours! : 24,
    registry: options?.registry,
    engine: options?.engine,
    exclude: excludes(options?.exclude, options?.excludeDefaults),
    ...(options?.context ? { context: options.context } : {}),
    buildTarget: typeof options?.buildTarget === 'string' && options.buildTarget ? options.buildTarget : 'build',
    contextInclude: options?.contextInclude ?? [],
    // Keyed by project name or root: a root written `./apps/web` or `apps/web/` is the root `apps/web`.
    services: Object.fromEntries(
      Object.entries(options?.services ?? {}).map(([key, config]) => [
        key.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '') || '.',
        config,
      ]),
    ),
    // Only an explicit false turns a gate off: a typo must never silently skip a check.
    gates: { scan: options?.gates?.scan !== false, contract: options?.gates?.contract !== false },
    ...(options?.signing ? { signing: options.signing } : {}),
    ledger: options?.release?.ledger ?? DEFAULT_LEDGER,
    releaseIgnore: [
      ...(options?.release?.ignore ?? DEFAULT_RELEASE_IGNORE),
      releaseOutputs(options?.release?.ledger ?? DEFAULT_LEDGER),
    ],
    runtimeTestFiles: testFiles(options?.runtimeGraph?.testFiles),
  };
}

/**
 * What releases write — the ledger and the GitOps files beside it — is their output, never a reason
 * to release: the ledger's folder (or the ledger alone at the workspace root).
 */
function releaseOutputs(ledger: string): string {
  const folder = posix.dirname(ledger.replace(/\\/g, '/'));
  return folder === '.' ? ledger : `${folder}/**`;
}

/** `exclude` adds to the default excludes; only `excludeDefaults: false` drops them. Duplicates are kept out. */
function excludes(option: unknown, withDefaults: unknown): string[] {
  const given = Array.isArray(option) ? option.filter((g): g is string => typeof g === 'string') : [];
  return [...new Set([...(withDefaults === false ? [] : DEFAULT_EXCLUDES), ...given])];
}

/** A list of globs replaces the defaults; anything else (a typo'd string) keeps them. */
function testFiles(option: unknown): string[] {
  return Array.isArray(option) && option.every((g) => typeof g === 'string')
    ? [...(option as string[])]
    : [...DEFAULT_TEST_FILES];
}
