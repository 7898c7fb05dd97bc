import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { output } from 'nx/src/utils/output';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  getAllFileDataInContext,
  nxPruning,
  packageJsonProjects,
  PluginCache,
  readFileMapCache,
  workspaceDataDirectory,
  mergedAsNx,
  withNxTokens,
  workspaceFilesHash,
} from './devkit-internal';

/*
 * What nx-fleet takes from Nx's internals, pinned: the same shapes hold on Nx 23.2.1 (installed here)
 * and 24.0.6 / @nx/devkit 24.0.0 (checked by e2e/nx-fleet-e2e/tests/nx24.spec.ts, which loads this
 * module inside an Nx 24 workspace).
 */

const temps: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-fleet-devkit-internal-'));
  temps.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

/** A workspace whose service `a` needs yaml, with the lockfile given, and its project graph. */
function serviceA(lockfile: string): { root: string; graph: ProjectGraph } {
  const root = workspace({
    'package.json': JSON.stringify({ name: 'ws', version: '0.0.0', private: true, dependencies: { yaml: '2.9.1' } }),
    'package-lock.json': lockfile,
    'services/a/package.json': JSON.stringify({ name: 'a', version: '1.0.0', dependencies: { yaml: '*' } }),
  });
  const graph: ProjectGraph = {
    nodes: { a: { name: 'a', type: 'app', data: { root: 'services/a', targets: {} } } },
    externalNodes: {},
    dependencies: { a: [] },
  };
  return { root, graph };
}

describe('devkit-internal', () => {
  it("packageJsonProjects: Nx's rule, the package manager's workspaces (npm and pnpm), or every package.json", () => {
    const npm = workspace({ 'package.json': JSON.stringify({ workspaces: ['apps/*', '!apps/legacy'] }) });
    const isProject = packageJsonProjects(npm, false, true);
    expect(['apps/a/package.json', 'apps/a/src/package.json', 'apps/legacy/package.json'].map(isProject)).toEqual([
      true,
      false,
      false,
    ]);
    const pnpm = workspace({ 'package.json': '{}', 'pnpm-workspace.yaml': "packages:\n  - 'services/**'\n" });
    expect(packageJsonProjects(pnpm, false, true)('services/a/sdk/package.json')).toBe(true);
    expect(packageJsonProjects(pnpm, false, true)('tools/x/package.json')).toBe(false);
    expect(packageJsonProjects(workspace({}), true, false)('anything/package.json')).toBe(true);
  });

  it('exposes the functions with the arities the callers use', () => {
    expect(typeof workspaceDataDirectory).toBe('string');
    expect(readFileMapCache).toHaveLength(0);
  });

  it("withNxTokens resolves a target's tokens by Nx's own rule, and leaves one Nx refuses as written", () => {
    const project = { name: 'orders', root: 'services/orders' };
    expect(
      withNxTokens(
        {
          executor: 'nx:run-commands',
          options: { cwd: '{workspaceRoot}', file: '{workspaceRoot}/{projectRoot}/Dockerfile', tag: '{projectName}' },
          configurations: { ci: { cwd: '{projectRoot}' } },
        },
        project,
      ),
    ).toEqual({
      executor: 'nx:run-commands',
      options: { cwd: '', file: 'services/orders/Dockerfile', tag: 'orders' },
      configurations: { ci: { cwd: 'services/orders' } },
    });
    const refused = { options: { cwd: 'x/{workspaceRoot}' } };
    expect(withNxTokens(refused, project)).toBe(refused);
  });

  it('mergedAsNx merges a target over another as Nx does: an incompatible one whole, a compatible one option by option', () => {
    const inferred = {
      command: 'docker build .',
      dependsOn: ['build'],
      options: { cwd: 'apps/api', args: ['--tag api'] },
    };
    expect(mergedAsNx(inferred, { executor: 'nx:run-commands', options: { command: 'docker build -f x .' } })).toEqual({
      executor: 'nx:run-commands',
      options: { command: 'docker build -f x .' },
    });
    expect(mergedAsNx(inferred, { options: { cwd: '.' } })).toMatchObject({
      executor: 'nx:run-commands',
      dependsOn: ['build'],
      options: { command: 'docker build .', cwd: '.', args: ['--tag api'] },
    });
  });

  it('PluginCache keeps what was set and writes it where it was told', () => {
    const root = workspace({});
    const file = join(root, 'cache', 'c.hash');
    const cache = new PluginCache<{ n: number }>(file);
    cache.set('k', { n: 1 });
    cache.writeToDisk();
    expect(new PluginCache<{ n: number }>(file).get('k')).toEqual({ n: 1 });
  });

  it('getAllFileDataInContext lists the workspace files with content hashes, git-ignored files left out', async () => {
    vi.stubEnv('NX_DAEMON', 'false');
    const root = workspace({
      '.gitignore': 'ignored/\n',
      'a/one.ts': 'same\n',
      'b/two.ts': 'same\n',
      'b/three.ts': 'other\n',
      'ignored/x.ts': 'x\n',
    });
    const files = await getAllFileDataInContext(root);
    const byName = Object.fromEntries(files.map((f) => [f.file, f.hash]));
    expect(Object.keys(byName).sort()).toEqual(['.gitignore', 'a/one.ts', 'b/three.ts', 'b/two.ts']);
    expect(byName['a/one.ts']).toBe(byName['b/two.ts']);
    expect(byName['a/one.ts']).not.toBe(byName['b/three.ts']);
  });

  it('workspaceFilesHash is one hash of every listed path and content: a rename or an edit moves it, a git-ignored file does not', async () => {
    vi.stubEnv('NX_DAEMON', 'false');
    const files = { '.gitignore': 'ignored/\n', 'a/one.ts': 'same\n', '.github/ci.yml': 'on: push\n' };
    const hashOf = (changed: Record<string, string>) => workspaceFilesHash(workspace({ ...files, ...changed }));
    const base = await hashOf({});
    expect(await hashOf({ 'ignored/x.ts': 'x\n' })).toBe(base);
    const others = [
      await hashOf({ 'a/one.ts': 'other\n' }),
      await hashOf({ '.github/ci.yml': 'on: pull_request\n' }),
      await hashOf({ 'a/two.ts': 'same\n' }),
    ];
    for (const other of others) expect(other).not.toBe(base);
    const renamed = workspace({ '.gitignore': 'ignored/\n', 'a/moved.ts': 'same\n', '.github/ci.yml': 'on: push\n' });
    expect(await workspaceFilesHash(renamed)).not.toBe(base);
  });

  it("nxPruning prunes package.json and the npm lockfile to the service's closure", () => {
    const root = workspace({
      'package.json': JSON.stringify({
        name: 'ws',
        version: '0.0.0',
        private: true,
        workspaces: ['services/*'],
        dependencies: { yaml: '2.9.1', picomatch: '4.0.4' },
      }),
      'package-lock.json': JSON.stringify({
        name: 'ws',
        version: '0.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'ws', version: '0.0.0', dependencies: { yaml: '2.9.1', picomatch: '4.0.4' } },
          'node_modules/yaml': { version: '2.9.1', integrity: 'sha512-y', license: 'ISC' },
          'node_modules/picomatch': { version: '4.0.4', integrity: 'sha512-p', license: 'MIT' },
        },
      }),
      // The service's own manifest names what it uses; Nx keeps it as written and prunes the lockfile to it.
      'services/a/package.json': JSON.stringify({ name: 'a', version: '1.0.0', dependencies: { yaml: '*' } }),
    });
    const npm = (name: string, version: string) => ({
      name: `npm:${name}`,
      type: 'npm' as const,
      data: { packageName: name, version, hash: `sha512-${name[0]}` },
    });
    const graph: ProjectGraph = {
      nodes: { a: { name: 'a', type: 'app', data: { root: 'services/a', targets: {} } } },
      externalNodes: { 'npm:yaml': npm('yaml', '2.9.1'), 'npm:picomatch': npm('picomatch', '4.0.4') },
      dependencies: {
        a: [{ source: 'a', target: 'npm:yaml', type: 'static' }],
        'npm:yaml': [],
        'npm:picomatch': [],
      },
    };
    const pruning = nxPruning();
    const files = pruning.prunedManifests(graph, 'a', root);
    expect(Object.keys(files).sort()).toEqual(['package-lock.json', 'package.json']);
    expect(JSON.parse(files['package.json']!)).toMatchObject({ name: 'a', dependencies: { yaml: '*' } });
    const lock = JSON.parse(files['package-lock.json']!) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/yaml']);
    expect(pruning.workspaceDataDirectory).toBe(workspaceDataDirectory);
    // The project file map is read once for the run: a second service costs no second read.
    expect(pruning.prunedManifests(graph, 'a', root)).toEqual(files);
  });

  it("says in its own words when Nx falls back to the root lockfile, without Nx's advice to install unfrozen", () => {
    // Parses, but holds nothing the service needs: the pruning fails and Nx keeps the root lockfile.
    const { root, graph } = serviceA(
      JSON.stringify({ name: 'ws', lockfileVersion: 3, requires: true, packages: { '': { name: 'ws' } } }),
    );
    const nxWarn = output.warn;
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const written: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      nxPruning().prunedManifests(graph, 'a', root);
    } finally {
      stderr.mockRestore();
    }
    expect(output.warn).toBe(nxWarn);
    expect(written.join('')).not.toMatch(/falls back to the root lockfile|without immutability|regular install/);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringMatching(
        /^nx-fleet: a: Nx could not prune package-lock\.json to its dependencies, .+ Nx's reason: .+/,
      ),
    ]);
    warn.mockRestore();
  });

  it("takes the same fallback when Nx gives up by throwing, naming the lockfile and Nx's reason without its advice", () => {
    // pnpm's injected workspace packages: @x/ui needs @x/lib, which the service does not list. Nx
    // throws past its own fallback, advising autoInstallPeers (on already) or a manifest change.
    // As pnpm 9 writes it: the peer suffix keys the injected packages' snapshots.
    const lockfile = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false
  injectWorkspacePackages: true

importers:

  .: {}

  packages/lib:
    dependencies:
      ms:
        specifier: 2.1.3
        version: 2.1.3

  packages/ui:
    dependencies:
      '@x/lib':
        specifier: workspace:*
        version: file:packages/lib(ms@2.1.3)

  packages/web:
    dependencies:
      '@x/ui':
        specifier: workspace:*
        version: file:packages/ui(ms@2.1.3)
      ms:
        specifier: 2.1.3
        version: 2.1.3

packages:

  '@x/lib@file:packages/lib':
    resolution: {directory: packages/lib, type: directory}
    peerDependencies:
      ms: '*'

  '@x/ui@file:packages/ui':
    resolution: {directory: packages/ui, type: directory}
    peerDependencies:
      ms: '*'

  ms@2.1.3:
    resolution: {integrity: sha512-m}

snapshots:

  '@x/lib@file:packages/lib(ms@2.1.3)':
    dependencies:
      ms: 2.1.3

  '@x/ui@file:packages/ui(ms@2.1.3)':
    dependencies:
      '@x/lib': file:packages/lib(ms@2.1.3)
      ms: 2.1.3

  ms@2.1.3: {}
`;
    const web = { name: '@x/web', version: '1.0.0', dependencies: { '@x/ui': 'workspace:*', ms: '2.1.3' } };
    const root = workspace({
      'package.json': JSON.stringify({ name: 'ws', private: true, packageManager: 'pnpm@9.15.9' }),
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\ninjectWorkspacePackages: true\n',
      'pnpm-lock.yaml': lockfile,
      'packages/lib/package.json': JSON.stringify({
        name: '@x/lib',
        dependencies: { ms: '2.1.3' },
        peerDependencies: { ms: '*' },
      }),
      'packages/ui/package.json': JSON.stringify({
        name: '@x/ui',
        dependencies: { '@x/lib': 'workspace:*' },
        peerDependencies: { ms: '*' },
      }),
      'packages/web/package.json': JSON.stringify(web),
    });
    const project = (name: string, root: string) => ({
      name,
      type: 'lib' as const,
      data: { root, targets: {}, metadata: { js: { packageName: name } } },
    });
    const injected = (name: string, folder: string) => ({
      name: `npm:${name}`,
      type: 'npm' as const,
      data: { packageName: name, version: `file:${folder}`, hash: folder },
    });
    const graph: ProjectGraph = {
      nodes: {
        '@x/web': project('@x/web', 'packages/web'),
        '@x/ui': project('@x/ui', 'packages/ui'),
        '@x/lib': project('@x/lib', 'packages/lib'),
      },
      externalNodes: {
        'npm:@x/ui': injected('@x/ui', 'packages/ui'),
        'npm:@x/lib': injected('@x/lib', 'packages/lib'),
        'npm:ms': { name: 'npm:ms', type: 'npm', data: { packageName: 'ms', version: '2.1.3', hash: 'sha512-m' } },
      },
      dependencies: {
        '@x/web': [
          { source: '@x/web', target: '@x/ui', type: 'static' },
          { source: '@x/web', target: 'npm:ms', type: 'static' },
        ],
        '@x/ui': [{ source: '@x/ui', target: '@x/lib', type: 'static' }],
        '@x/lib': [{ source: '@x/lib', target: 'npm:ms', type: 'static' }],
        'npm:@x/ui': [{ source: 'npm:@x/ui', target: 'npm:@x/lib', type: 'static' }],
        'npm:@x/lib': [{ source: 'npm:@x/lib', target: 'npm:ms', type: 'static' }],
        'npm:ms': [],
      },
    };
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const files = nxPruning().prunedManifests(graph, '@x/web', root);
    // The workspace's lockfile beside the manifest as Nx created it, not as its pruning rewrote it.
    expect(files).toEqual({
      'pnpm-lock.yaml': lockfile,
      'package.json': `${JSON.stringify({ ...web, packageManager: 'pnpm@9.15.9' }, null, 2)}\n`,
    });
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      "nx-fleet: @x/web: Nx could not prune pnpm-lock.yaml to its dependencies, so its context carries the workspace's whole pnpm-lock.yaml, checked like a pruned one before the build. " +
        "Nx's reason: local package @x/ui requires @x/lib, which won't be resolvable in the standalone deploy (its dependency closure was never resolved into the pruned lockfile).",
    ]);
    warn.mockRestore();
  });

  it('ships the pruned package.json alone when the workspace root has no lockfile (each folder installs with its own)', () => {
    const root = workspace({
      'package.json': JSON.stringify({ name: 'ws', version: '0.0.0', private: true }),
      'services/a/package.json': JSON.stringify({ name: 'a', version: '1.0.0', dependencies: { yaml: '*' } }),
      'services/a/yarn.lock': '# its own\n',
    });
    const graph: ProjectGraph = {
      nodes: { a: { name: 'a', type: 'app', data: { root: 'services/a', targets: {} } } },
      externalNodes: {},
      dependencies: { a: [] },
    };
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const files = nxPruning().prunedManifests(graph, 'a', root);
    expect(Object.keys(files)).toEqual(['package.json']);
    expect(JSON.parse(files['package.json']!)).toMatchObject({ name: 'a' });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("says in its own words when Nx cannot prune, and keeps Nx's issue-template advice out of the output", () => {
    const { root, graph } = serviceA('{ "lockfileVersion": 3, "packages": ');
    const nxError = output.error;
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    nxPruning().prunedManifests(graph, 'a', root);
    expect(output.error).toBe(nxError);
    expect(stderr.mock.calls.flat().join('\n')).not.toMatch(/open an issue/);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringMatching(/^nx-fleet: a: Nx could not prune package-lock\.json/),
    ]);
  });
});
