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
    } catch {
      // Nx may also give up by throwing: what matters is what reached the user.
    } finally {
      stderr.mockRestore();
    }
    expect(output.warn).toBe(nxWarn);
    expect(written.join('')).not.toMatch(/falls back to the root lockfile|without immutability|regular install/);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringMatching(/^nx-fleet: a: Nx could not prune the lockfile to its dependencies \(.+\)/),
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
    try {
      nxPruning().prunedManifests(graph, 'a', root);
    } catch {
      // Nx may also give up by throwing: what matters is what reached the user.
    }
    expect(output.error).toBe(nxError);
    expect(stderr.mock.calls.flat().join('\n')).not.toMatch(/open an issue/);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringMatching(/^nx-fleet: a: Nx could not prune the lockfile/),
    ]);
  });
});
