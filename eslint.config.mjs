// @ts-check
import nx from '@nx/eslint-plugin';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier/flat';
import jsonc from 'jsonc-eslint-parser';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SRC = 'packages/nx-fleet/src';

/**
 * The plugin's layers, lowest first (ARCHITECTURE.md): a folder may import its own rank and lower ones,
 * so nothing below nx/ can reach what Nx calls, and no production code can reach an entry point.
 */
const RANKS = [
  ['io', 'text'],
  ['config'],
  ['services', 'engines', 'registry', 'runtime-graph'],
  ['image'],
  ['supply-chain', 'contracts'],
  ['push'],
  ['release'],
  ['nx'],
];
/** Entry points: each may import nx/ and below and its own folder, never another entry point. */
const ENTRY_POINTS = ['executors', 'cli', 'generators'];
const LAYERS = RANKS.flat();

/** The allow policies of the boundaries rule; spec files may also import the shared fakes in testing/. */
function layerPolicies({ testing }) {
  const extra = testing ? ['testing'] : [];
  const allow = (from, to) => ({
    from: { element: { type: from } },
    allow: { to: { element: { types: { anyOf: [...to, ...extra] } } } },
  });
  return [
    ...RANKS.flatMap((folders, rank) => folders.map((folder) => allow(folder, RANKS.slice(0, rank + 1).flat()))),
    ...ENTRY_POINTS.map((entry) => allow(entry, [...LAYERS, entry])),
    // The package's main: what Nx loads (nx/) and the public option types (config/).
    {
      from: { file: { categories: { anyOf: ['main'] } } },
      allow: { to: { element: { types: { anyOf: LAYERS } } } },
    },
    // Fakes and fixtures may use anything they imitate, and each other.
    allow('testing', [...LAYERS, ...ENTRY_POINTS, 'testing']),
  ];
}

const NX_INTERNAL = [
  {
    name: '@nx/devkit/internal',
    message: 'Only nx/ imports @nx/devkit/internal; inject what a lower layer needs as a port.',
  },
];
// Nx's modules by path (nx/src/…) are internals too: only nx/devkit-internal.ts reaches them.
// Nx's logger is the one exception: io/ports.ts hands it to every use case, and @nx/devkit's index costs a plugin worker ~150 ms to load.
const NX_MODULES = [
  {
    regex: '^nx/src/(?!utils/logger$)',
    message: 'Only nx/devkit-internal.ts imports Nx modules by path; add it there.',
  },
];
const CHILD_PROCESS = ['child_process', 'node:child_process'].map((name) => ({
  name,
  message: 'Spawn through the ProcessRunner port (io/ports.ts).',
}));

const boundaryRule = (options) => ['error', { default: 'disallow', policies: layerPolicies(options) }];

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/coverage/', '.nx/', 'tmp/', `${SRC}/**/files/**`],
  },

  // Every TypeScript file: the plugin, its e2e suite, the benchmarks and the harness.
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // Destructuring a field away to keep the rest is how an object loses a key here.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },

  // Nx's own checks of the plugin's manifests: implementations and schemas exist, exports are found.
  {
    files: ['packages/nx-fleet/package.json', 'packages/nx-fleet/executors.json', 'packages/nx-fleet/generators.json'],
    languageOptions: { parser: jsonc },
    plugins: { '@nx': nx },
    rules: { '@nx/nx-plugin-checks': 'error' },
  },

  // Import boundaries between the plugin's layers.
  {
    files: [`${SRC}/**/*.ts`],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': import.meta.dirname,
      'boundaries/include': [`${SRC}/**/*.ts`],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      'boundaries/elements': [
        ...[...LAYERS, ...ENTRY_POINTS, 'testing'].map((folder) => ({
          type: folder,
          pattern: `${SRC}/${folder}`,
          partialMatch: false,
        })),
      ],
      'boundaries/files': [{ category: 'main', pattern: `${SRC}/index.ts` }],
      // Relative imports carry no extension; the resolver must know to try .ts.
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': boundaryRule({ testing: false }),
      // A file outside every layer would escape the rule: a new folder must be given a rank above.
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    files: [`${SRC}/**/*.spec.ts`],
    rules: { 'boundaries/dependencies': boundaryRule({ testing: true }) },
  },

  // The plugin is CommonJS and some loads can only happen at run time: the workspace's own
  // @pact-foundation/pact and a user's state-handler module (paths known at run time), ts-morph (a
  // quarter-second load, deferred until a file is really parsed) and its own package.json.
  {
    files: [`${SRC}/**/*.ts`],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // Nx's internals and the process's effects stay behind their adapters (specs and fakes may touch them).
  {
    files: [`${SRC}/**/*.ts`],
    ignores: [`${SRC}/**/*.spec.ts`, `${SRC}/testing/**`],
    rules: {
      'no-restricted-imports': ['error', { paths: [...NX_INTERNAL, ...CHILD_PROCESS], patterns: NX_MODULES }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use the HttpFetch port (io/ports.ts).' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the Env port; FLEET_* through setting() (config/settings.ts).',
        },
      ],
    },
  },
  {
    files: [`${SRC}/nx/**/*.ts`],
    ignores: [`${SRC}/**/*.spec.ts`],
    rules: { 'no-restricted-imports': ['error', { paths: CHILD_PROCESS, patterns: NX_MODULES }] },
  },
  {
    files: [`${SRC}/nx/devkit-internal.ts`],
    rules: { 'no-restricted-imports': ['error', { paths: CHILD_PROCESS }] },
  },
  // io/ is where the effects live: the adapters spawn, fetch and hand children the environment.
  {
    files: [`${SRC}/io/**/*.ts`],
    ignores: [`${SRC}/**/*.spec.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths: NX_INTERNAL, patterns: NX_MODULES }],
      'no-restricted-globals': 'off',
      'no-restricted-properties': 'off',
    },
  },

  prettier,
);
