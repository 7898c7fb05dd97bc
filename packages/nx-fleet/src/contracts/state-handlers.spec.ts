import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../testing/fake-ports';
import { loadStateHandlers } from './state-handlers';

const handler = async () => undefined;

function load(files: Record<string, unknown>, option?: string) {
  const loaded: string[] = [];
  const handlers = loadStateHandlers(
    {
      files: memoryFiles(Object.fromEntries(Object.keys(files).map((file) => [file, '']))),
      loader: {
        module: (file) => {
          loaded.push(file);
          return files[file];
        },
      },
    },
    { workspaceRoot: '/ws', projectRoot: 'services/orders', option },
  );
  return { handlers, loaded };
}

describe('loadStateHandlers', () => {
  it.each<[string, Record<string, unknown>, string | undefined, string[]]>([
    ['none without a module', {}, undefined, []],
    [
      'pacts/states.js',
      { '/ws/services/orders/pacts/states.js': { 'order 1 exists': handler } },
      undefined,
      ['/ws/services/orders/pacts/states.js'],
    ],
    [
      'pacts/states.cjs',
      { '/ws/services/orders/pacts/states.cjs': { 'order 1 exists': handler } },
      undefined,
      ['/ws/services/orders/pacts/states.cjs'],
    ],
    [
      'states.js before states.cjs',
      { '/ws/services/orders/pacts/states.js': { a: handler }, '/ws/services/orders/pacts/states.cjs': { b: handler } },
      undefined,
      ['/ws/services/orders/pacts/states.js'],
    ],
    [
      "the option's module, relative to the workspace, instead of pacts/states.js",
      { '/ws/tools/states.js': { a: handler }, '/ws/services/orders/pacts/states.js': { b: handler } },
      'tools/states.js',
      ['/ws/tools/states.js'],
    ],
  ])('%s', (_case, files, option, loaded) => {
    expect(load(files, option).loaded).toEqual(loaded);
  });

  it("takes a module's default export, or the module itself", () => {
    expect(load({ '/ws/services/orders/pacts/states.js': { default: { a: handler } } }).handlers).toEqual({
      a: handler,
    });
    expect(load({ '/ws/services/orders/pacts/states.js': { a: handler } }).handlers).toEqual({ a: handler });
  });

  it('refuses a stateHandlers option naming a module that does not exist', () => {
    expect(() => load({}, 'tools/states.js')).toThrow(
      'nx-fleet: the stateHandlers module tools/states.js does not exist.',
    );
  });

  it('refuses handlers that are not functions, naming them', () => {
    expect(() =>
      load({ '/ws/services/orders/pacts/states.js': { a: handler, 'order 1 exists': 'yes', b: 1 } }),
    ).toThrow(
      'nx-fleet: /ws/services/orders/pacts/states.js must export an object of provider-state handler functions; "order 1 exists", "b" are not functions.',
    );
  });
});
