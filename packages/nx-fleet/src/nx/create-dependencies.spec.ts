import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DependencyType, logger, type CreateDependenciesContext, type ProjectConfiguration } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { BUILD_EXECUTOR } from '../services/projects';
import { fleetCreateDependencies } from './create-dependencies';
import { OnceWarnings } from './worker-state';

const temps: string[] = [];
let warn: MockInstance;
beforeEach(() => {
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const service = (root: string): ProjectConfiguration => ({ root, targets: { build: { executor: BUILD_EXECUTOR } } });

/** api imports the orders SDK (nested in orders' folder); a second import names a project nobody has. */
function workspace(): CreateDependenciesContext {
  const root = tempDir('nx-fleet-deps-ws-');
  const files: Record<string, string> = {
    'services/api/src/main.ts': "import { OrdersClient } from '@acme/orders-sdk';\n",
    'services/orders/src/main.ts': 'export {};\n',
    'services/orders/sdk/package.json': JSON.stringify({ name: '@acme/orders-sdk', main: 'src/index.ts' }),
    'services/orders/sdk/src/index.ts': 'export class OrdersClient {}\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  const projects = {
    api: service('services/api'),
    orders: service('services/orders'),
    'orders-sdk': { root: 'services/orders/sdk' },
  };
  const listed = (project: string, prefix: string) =>
    Object.keys(files)
      .filter((file) => file.startsWith(`${prefix}/`) && (project !== 'orders' || !file.includes('/sdk/')))
      .map((file) => ({ file, hash: file }));
  const fileMap = {
    projectFileMap: {
      api: listed('api', 'services/api'),
      orders: listed('orders', 'services/orders'),
      'orders-sdk': listed('orders-sdk', 'services/orders/sdk'),
    },
    nonProjectFiles: [],
  };
  return {
    workspaceRoot: root,
    projects,
    externalNodes: {},
    nxJsonConfiguration: {},
    fileMap,
    filesToProcess: fileMap,
  };
}

describe('createDependencies', () => {
  it('returns the runtime edges, keeping the import cache in the directory it is given', async () => {
    const cacheDirectory = tempDir('nx-fleet-deps-cache-');
    const createDependencies = fleetCreateDependencies({ cacheDirectory, warnings: new OnceWarnings(), env: {} });
    expect(await createDependencies(undefined, workspace())).toEqual([
      { source: 'api', target: 'orders', type: DependencyType.implicit },
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(join(cacheDirectory, 'nx-fleet', 'imports.v2.json'))).toBe(true);
  });

  it('warns once per worker about a problem found on every graph', async () => {
    const createDependencies = fleetCreateDependencies({
      cacheDirectory: tempDir('nx-fleet-deps-cache-'),
      warnings: new OnceWarnings(),
      env: {},
    });
    const ctx = workspace();
    await createDependencies({ sdks: { ghost: 'orders' } }, ctx);
    await createDependencies({ sdks: { ghost: 'orders' } }, ctx);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      'nx-fleet: plugin option sdks names "ghost", which is no workspace project or package.',
    ]);
  });
});
