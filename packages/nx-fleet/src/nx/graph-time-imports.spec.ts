import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, isTypeOnly } from '../runtime-graph/sdk-imports';

/*
 * Every `nx` command loads the plugin entry in a plugin worker. The worker has loaded Nx's own modules
 * by then; `@nx/devkit`'s index loads all of Nx's public API besides (generators, task runners),
 * ~150 ms of each worker's start. The entry's module-load closure must reach Nx only through the
 * modules below: Nx 23.2.1's plugin worker has each loaded before it loads a plugin, except
 * plugin-cache-utils (two functions over modules it has). (A `require()` inside a function, such as
 * the pruning's, is loaded when used.)
 */
const NX_MODULES_LOADED_BY_THE_PLUGIN_WORKER = [
  'nx/src/hasher/file-hasher',
  'nx/src/project-graph/error-types',
  'nx/src/project-graph/nx-deps-cache',
  'nx/src/project-graph/plugins/utils',
  'nx/src/utils/cache-directory',
  'nx/src/utils/logger',
  'nx/src/utils/output',
  'nx/src/utils/package-manager',
  'nx/src/utils/plugin-cache-utils',
  'nx/src/utils/workspace-context',
];

const SRC = join(__dirname, '..');

/** The packages and Nx modules the entry's static imports load, following its own modules (`seen`). */
function loadTimeExternals(entry: string, seen = new Set<string>()): Set<string> {
  const externals = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const ref of importsOf(file, readFileSync(file, 'utf8'))) {
      if (isTypeOnly(ref.kind) || (ref.kind !== 'import' && ref.kind !== 'export')) continue;
      if (ref.specifier.startsWith('.')) visit(`${join(dirname(file), ref.specifier)}.ts`);
      else if (!ref.specifier.startsWith('node:')) externals.add(ref.specifier);
    }
  };
  visit(entry);
  return externals;
}

describe('the plugin entry at graph time', () => {
  const own = new Set<string>();
  const externals = loadTimeExternals(join(SRC, 'index.ts'), own);

  it('does not load @nx/devkit or its internals', () => {
    expect([...externals].filter((name) => name.startsWith('@nx/'))).toEqual([]);
  });

  it('reaches Nx only through modules the plugin worker has already loaded', () => {
    const nx = [...externals].filter((name) => name === 'nx' || name.startsWith('nx/'));
    expect(nx.filter((name) => !NX_MODULES_LOADED_BY_THE_PLUGIN_WORKER.includes(name))).toEqual([]);
    // The walk itself reaches the graph-time modules (it would pass vacuously otherwise).
    expect(nx).toContain('nx/src/utils/workspace-context');
  });

  it('loads no analysis: a graph answered from the kept answer needs none, the rest loads on a miss', () => {
    const loaded = [...own].map((file) => file.slice(SRC.length + 1));
    expect(loaded).toContain('nx/create-nodes.ts');
    const analysis = loaded.filter((file) =>
      /^runtime-graph\/|^image\/(context-inference|pruned-for|pruned-context|base-images)\.ts$|^nx\/(service-nodes|service-folders|service-context|targets|runtime-providers)\.ts$/.test(
        file,
      ),
    );
    expect(analysis).toEqual([]);
  });

  it('loads no YAML parser: most graphs parse no YAML, and its ~70 modules cost every worker its start', () => {
    expect(externals).not.toContain('yaml');
    // The walk follows the entry's closure (it would pass vacuously otherwise).
    expect(externals).toContain('picomatch');
  });
});
