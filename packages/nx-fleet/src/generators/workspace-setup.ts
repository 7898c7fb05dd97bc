import {
  addDependenciesToPackageJson,
  formatFiles,
  readJson,
  runTasksInSerial,
  updateJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';

/** Versions the generated code is written and tested against. */
export const GENERATED_DEV_DEPENDENCIES: Record<string, string> = {
  esbuild: '0.28.2',
  eslint: '9.39.5',
  'typescript-eslint': '8.73.0',
  typescript: '5.9.3',
  vitest: '4.1.12',
  '@types/node': '20.19.43',
};

/** What consumers' Pact tests run on: 16.x is the Pact line that supports Node 20. */
export const PACT_DEV_DEPENDENCY: Record<string, string> = { '@pact-foundation/pact': '16.5.0' };

export const TSCONFIG_BASE = 'tsconfig.base.json';

/** The port a generated service listens on, and its SDK's default, unless told otherwise. */
export const DEFAULT_SERVICE_PORT = 3000;

/** The npm scope SDK packages are named under: the root package's scope, else the workspace folder's name. */
export function npmScope(tree: Tree): string {
  const name = tree.exists('package.json') ? (readJson<{ name?: string }>(tree, 'package.json').name ?? '') : '';
  const scope = /^@([^/]+)\//.exec(name)?.[1];
  return scope ?? (name.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'fleet');
}

export function sdkImportPath(tree: Tree, service: string): string {
  return `@${npmScope(tree)}/${service}-sdk`;
}

/** Creates tsconfig.base.json when the workspace has none, and maps the SDK's import path in it. */
export function addSdkPath(tree: Tree, importPath: string, entry: string): void {
  if (!tree.exists(TSCONFIG_BASE)) {
    tree.write(
      TSCONFIG_BASE,
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'commonjs',
          moduleResolution: 'node10',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          types: ['node'],
          baseUrl: '.',
          paths: {},
        },
        exclude: ['node_modules', 'tmp', 'dist'],
      }),
    );
  }
  updateJson(
    tree,
    TSCONFIG_BASE,
    (json: { compilerOptions?: { paths?: Record<string, string[]>; baseUrl?: string } }) => {
      json.compilerOptions ??= {};
      json.compilerOptions.baseUrl ??= '.';
      json.compilerOptions.paths = { ...json.compilerOptions.paths, [importPath]: [entry] };
      return json;
    },
  );
}

/** Lowercase letters, digits and dashes, starting with a letter: valid as project, folder, image and DNS name. */
export function assertServiceName(name: string, option = 'name'): void {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 50) {
    throw new Error(
      `nx-fleet: "${name}" is not a valid service ${option}: use lowercase letters, digits and single dashes, starting with a letter, at most 50 characters (e.g. "orders" or "order-history").`,
    );
  }
}

const ESLINT_CONFIGS = [
  'eslint.config.mjs',
  'eslint.config.js',
  'eslint.config.cjs',
  'eslint.config.ts',
  '.eslintrc.json',
  '.eslintrc.js',
];

/** A flat ESLint config with typescript-eslint's recommended rules, unless the workspace has its own. */
export function ensureEslintConfig(tree: Tree): void {
  if (ESLINT_CONFIGS.some((file) => tree.exists(file))) return;
  tree.write(
    'eslint.config.mjs',
    [
      "import tseslint from 'typescript-eslint';",
      '',
      'export default tseslint.config(',
      "  { ignores: ['**/dist/**', '**/node_modules/**', '**/tmp/**', '**/.nx/**'] },",
      '  ...tseslint.configs.recommended,',
      ');',
      '',
    ].join('\n'),
  );
}

/** The check targets every generated project gets: lint, typecheck and unit tests. */
export function checkTargets(): Record<
  string,
  { executor: string; options: { command: string }; cache: boolean; inputs: string[] }
> {
  const target = (command: string) => ({
    executor: 'nx:run-commands',
    options: { command },
    cache: true,
    inputs: ['default', '^default'],
  });
  return {
    lint: target('eslint {projectRoot}/src'),
    test: target('vitest run --root {projectRoot}'),
    typecheck: target('tsc -p {projectRoot}/tsconfig.json --noEmit'),
  };
}

/**
 * The last steps of a generator that adds projects: an ESLint config for their lint target, the dev
 * dependencies their checks run on (plus `devDependencies`), formatting, then `init`'s install and ours.
 */
export async function finishProjects(
  tree: Tree,
  init: GeneratorCallback,
  options: { skipFormat?: boolean; devDependencies?: Record<string, string> },
): Promise<GeneratorCallback> {
  ensureEslintConfig(tree);
  const install = addDependenciesToPackageJson(tree, {}, { ...GENERATED_DEV_DEPENDENCIES, ...options.devDependencies });
  if (!options.skipFormat) await formatFiles(tree);
  return runTasksInSerial(init, install);
}
