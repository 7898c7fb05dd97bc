import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProjectGraph, ProjectGraphDependency, ProjectGraphProjectNode } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeProcesses } from '../io/ports';
import { hashContextFiles, listContextFiles } from './build-context';
import { BUILD_EXECUTOR } from '../services/projects';
import { collectingLog, fakeProcesses, runResult } from '../testing/fake-ports';
import {
  contextProjects,
  nestedOutside,
  listWorkspaceFiles,
  hashContents,
  npmInstallProblems,
  FROZEN_INSTALL_TIMEOUT_MS,
  prunedContents,
  workspaceListing,
  writeContents,
  type PrunedContextInput,
  type PruningPorts,
} from './pruned-context';

/** Real git; no fixture has a root package.json, so nothing asks Nx to prune manifests. */
const ports: PruningPorts = {
  processes: nodeProcesses,
  log: collectingLog(),
  pruning: {
    prunedManifests: () => {
      throw new Error('no manifests to prune without a root package.json');
    },
    workspaceDataDirectory: '/nonexistent',
  },
};

function node(name: string, type: 'app' | 'lib', service = false): ProjectGraphProjectNode {
  return {
    name,
    type,
    data: {
      root: `${type === 'app' ? 'services' : 'libs'}/${name}`,
      targets: service
        ? { 'docker-build': { executor: BUILD_EXECUTOR }, lint: { executor: 'nx:run-commands' } }
        : { lint: { executor: 'nx:run-commands' } },
    },
  };
}

const edge = (
  source: string,
  target: string,
  type: ProjectGraphDependency['type'] = 'static',
): ProjectGraphDependency => ({ source, target, type });

/**
 * api -> lib-a -> lib-b -> lib-c, lib-c -> lib-a (cycle), lib-b -> api (cycle back to the service);
 * api -> npm:express; api -> orders (runtime edge to another service), orders -> orders-lib;
 * api -> ghost (missing from the graph); unrelated is not reachable.
 */
const graph: ProjectGraph = {
  nodes: {
    api: node('api', 'app', true),
    orders: node('orders', 'app', true),
    'lib-a': node('lib-a', 'lib'),
    'lib-b': node('lib-b', 'lib'),
    'lib-c': node('lib-c', 'lib'),
    'orders-lib': node('orders-lib', 'lib'),
    unrelated: node('unrelated', 'lib'),
  },
  externalNodes: {
    'npm:express': { name: 'npm:express', type: 'npm', data: { version: '4.21.2', packageName: 'express' } },
  },
  dependencies: {
    api: [edge('api', 'lib-a'), edge('api', 'npm:express'), edge('api', 'orders', 'implicit'), edge('api', 'ghost')],
    'lib-a': [edge('lib-a', 'lib-b'), edge('lib-a', 'npm:express')],
    'lib-b': [edge('lib-b', 'lib-c'), edge('lib-b', 'api')],
    'lib-c': [edge('lib-c', 'lib-a', 'dynamic')],
    orders: [edge('orders', 'orders-lib')],
    'orders-lib': [],
    unrelated: [edge('unrelated', 'lib-a')],
  },
};

/** A package-lock.json (v3) of `name`: its root entry with `root` added, and `packages` beside it. */
const npmLock = (name: string, root: object = {}, packages: object = {}) =>
  JSON.stringify({
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name, version: '1.0.0', ...root }, ...packages },
  });
describe('nestedOutside', () => {
  it("names the projects nested in the context's projects' folders that the service does not depend on (plane's locales)", () => {
    const at = (name: string, root: string) => ({ ...node(name, 'lib'), data: { root } });
    const plane: ProjectGraph = {
      ...graph,
      nodes: {
        ...graph.nodes,
        en: at('en', 'libs/lib-a/locales/en'),
        // In the closure through another path: hashed with it.
        cs: at('cs', 'libs/lib-b/locales/cs'),
        // The service's own nested projects are its inputs already; the unrelated library's are not sent.
        'api-sdk': at('api-sdk', 'services/api/sdk'),
        'unrelated-docs': at('unrelated-docs', 'libs/unrelated/docs'),
      },
      dependencies: { ...graph.dependencies, 'lib-c': [...graph.dependencies['lib-c']!, edge('lib-c', 'cs')] },
    };
    const listed = [
      'libs/lib-a/locales/en/messages.json',
      'libs/lib-b/locales/cs/messages.json',
      'services/api/sdk/a.ts',
    ];
    const context = { projects: contextProjects(plane, 'api'), listed, include: [] };
    expect(nestedOutside(plane, 'api', context)).toEqual([
      { project: 'en', root: 'libs/lib-a/locales/en', inside: 'libs/lib-a' },
    ]);
    // Not sent (the ignore file), or copied by name (docker-build's input): nothing to say.
    expect(nestedOutside(plane, 'api', { ...context, listed: listed.slice(1) })).toEqual([]);
    expect(nestedOutside(plane, 'api', { ...context, include: ['libs/lib-a/**'] })).toEqual([]);
  });
});

describe('contextProjects', () => {
  it('follows the library chain through the cycle, skipping npm packages, missing nodes and other services', () => {
    expect(contextProjects(graph, 'api')).toEqual(['api', 'lib-a', 'lib-b', 'lib-c']);
  });

  it('with a prune tool run in the image, takes in a service a package depends on (static), with its closure, never one named only implicitly', () => {
    const dashboard: ProjectGraph = {
      ...graph,
      nodes: { ...graph.nodes, dashboard: node('dashboard', 'app', true) },
      dependencies: {
        ...graph.dependencies,
        dashboard: [edge('dashboard', 'orders'), edge('dashboard', 'api', 'implicit')],
      },
    };
    expect(contextProjects(dashboard, 'dashboard', true)).toEqual(['dashboard', 'orders', 'orders-lib']);
    expect(contextProjects(dashboard, 'dashboard')).toEqual(['dashboard']);
    // api's runtime edge to orders stays implicit: still left out.
    expect(contextProjects(graph, 'api', true)).toEqual(['api', 'lib-a', 'lib-b', 'lib-c']);
  });

  it('includes the other service’s own libraries only for that service', () => {
    expect(contextProjects(graph, 'orders')).toEqual(['orders', 'orders-lib']);
  });

  it('returns the service alone when it has no dependencies, or no entry in dependencies at all', () => {
    expect(contextProjects({ ...graph, dependencies: { ...graph.dependencies, orders: [] } }, 'orders')).toEqual([
      'orders',
    ]);
    const { orders: _orders, ...withoutOrders } = graph.dependencies;
    expect(contextProjects({ ...graph, dependencies: withoutOrders }, 'orders')).toEqual(['orders']);
  });

  it('treats a project as a service by its build executor, whatever the target is called', () => {
    const renamed: ProjectGraph = {
      ...graph,
      nodes: {
        ...graph.nodes,
        'lib-b': {
          ...node('lib-b', 'lib'),
          data: { root: 'libs/lib-b', targets: { image: { executor: BUILD_EXECUTOR } } },
        },
      },
    };
    expect(contextProjects(renamed, 'api')).toEqual(['api', 'lib-a']);
  });

  it('does not modify the graph', () => {
    const before = JSON.stringify(graph);
    contextProjects(graph, 'api');
    expect(JSON.stringify(graph)).toBe(before);
  });

  it('is found once per graph and service: another graph object is walked again', () => {
    expect(contextProjects(graph, 'api')).toBe(contextProjects(graph, 'api'));
    const cut = { ...graph, dependencies: { ...graph.dependencies, api: [] } };
    expect(contextProjects(cut, 'api')).toEqual(['api']);
  });
});

describe('listWorkspaceFiles', () => {
  const dirs: string[] = [];

  function tempDir(): string {
    // realpath: on some systems tmpdir() is a symlink, and git reports paths from the real one.
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nx-fleet-pruned-spec-')));
    dirs.push(dir);
    return dir;
  }

  function write(root: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
  }

  function git(cwd: string, ...args: string[]): void {
    execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(cwd) } });
  }

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('in a git checkout: tracked and untracked files under the patterns, never git-ignored or deleted ones', async () => {
    const root = tempDir();
    write(root, {
      '.gitignore': 'dist/\n*.log\nservices/api/.env\n',
      'package.json': '{}\n',
      'tsconfig.base.json': '{}\n',
      'services/api/src/main.ts': 'tracked\n',
      'services/api/Dockerfile': 'FROM scratch\n',
      'services/api/gone.ts': 'tracked, then deleted\n',
      'services/api/src/new.ts': 'untracked\n',
      'services/api/debug.log': 'ignored\n',
      'services/api/.env': 'ignored\n',
      'services/api/dist/main.js': 'ignored\n',
      'services/orders/src/main.ts': 'outside the patterns\n',
      'libs/a/index.ts': 'tracked\n',
    });
    git(root, 'init', '-q');
    git(
      root,
      'add',
      '.gitignore',
      'package.json',
      'services/api/src/main.ts',
      'services/api/Dockerfile',
      'services/api/gone.ts',
      'libs/a/index.ts',
    );
    unlinkSync(join(root, 'services/api/gone.ts'));

    expect(await listWorkspaceFiles(ports, root, ['services/api/**', 'libs/a/**', 'tsconfig.base.json'])).toEqual([
      'libs/a/index.ts',
      'services/api/Dockerfile',
      'services/api/src/main.ts',
      'services/api/src/new.ts',
      'tsconfig.base.json',
    ]);
  });

  it("in a git checkout: patterns match as git's glob pathspecs do, from one listing however many are asked", async () => {
    const root = tempDir();
    write(root, {
      'libs/a/src/x.ts': 'x\n',
      'libs/a/y.ts': 'x\n',
      'config/c.json': 'x\n',
      'root.json': 'x\n',
      '.env': 'x\n',
    });
    git(root, 'init', '-q');
    const spawned = fakeProcesses(({ command, args }) =>
      command === 'git' ? runResult(execFileSync('git', args, { cwd: root, encoding: 'utf8' })) : undefined,
    );
    const listing = workspaceListing({ processes: spawned });
    const list = (...patterns: string[]) => listWorkspaceFiles({ processes: spawned, listing }, root, patterns);
    // What `git ls-files -- ':(glob)<pattern>'` answers for each.
    expect(await list('libs/a')).toEqual(['libs/a/src/x.ts', 'libs/a/y.ts']);
    expect(await list('libs/a/')).toEqual(['libs/a/src/x.ts', 'libs/a/y.ts']);
    expect(await list('libs/*')).toEqual([]);
    expect(await list('./config')).toEqual(['config/c.json']);
    expect(await list('*.json')).toEqual(['root.json']);
    expect(await list('libs/**/x.ts', '**')).toEqual([
      '.env',
      'config/c.json',
      'libs/a/src/x.ts',
      'libs/a/y.ts',
      'root.json',
    ]);
    expect(spawned.calls).toHaveLength(1);
  });

  it('in a git checkout: a submodule or a repository inside it holds its checked-out files, an empty submodule nothing', async () => {
    const root = tempDir();
    write(root, {
      'package.json': '{}\n',
      'libs/proto/.gitignore': 'gen/\n',
      'libs/proto/api.proto': 'committed in the submodule\n',
      'libs/proto/draft.proto': 'untracked in the submodule\n',
      'libs/proto/gen/api.ts': 'ignored by the submodule\n',
      'vendor/tool/index.js': 'a repository nobody added\n',
    });
    git(join(root, 'libs/proto'), 'init', '-q');
    git(join(root, 'libs/proto'), 'add', '.gitignore', 'api.proto');
    git(join(root, 'libs/proto'), '-c', 'user.email=a@b', '-c', 'user.name=n', 'commit', '-qm', 'proto');
    git(join(root, 'vendor/tool'), 'init', '-q');
    mkdirSync(join(root, 'libs/empty'), { recursive: true });
    git(root, 'init', '-q');
    git(root, 'add', 'package.json');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: join(root, 'libs/proto'), encoding: 'utf8' }).trim();
    // Gitlinks, as `git submodule add` records them: one initialised, one never checked out.
    git(root, 'update-index', '--add', '--cacheinfo', `160000,${sha},libs/proto`);
    git(root, 'update-index', '--add', '--cacheinfo', `160000,${sha},libs/empty`);

    expect(await listWorkspaceFiles(ports, root, ['**'])).toEqual([
      'libs/proto/.gitignore',
      'libs/proto/api.proto',
      'libs/proto/draft.proto',
      'package.json',
      'vendor/tool/index.js',
    ]);
  });

  it('in a git checkout: a pattern matching nothing gives nothing', async () => {
    const root = tempDir();
    write(root, { 'a.txt': 'x\n' });
    git(root, 'init', '-q');
    expect(await listWorkspaceFiles(ports, root, ['services/none/**'])).toEqual([]);
  });

  it('outside git: globs the patterns, dot files included, skipping node_modules, .git, dist and .nx', async () => {
    const root = tempDir();
    write(root, {
      'package.json': '{}\n',
      'services/api/src/main.ts': 'x\n',
      'services/api/.env': 'x\n',
      'services/api/node_modules/dep/index.js': 'x\n',
      'node_modules/dep/index.js': 'x\n',
      'dist/services/api/main.js': 'x\n',
      '.nx/cache/x': 'x\n',
      'libs/a/index.ts': 'x\n',
    });
    const previous = process.env['GIT_CEILING_DIRECTORIES'];
    // Keeps git from finding a repository above the temp dir, so the fallback is what runs.
    process.env['GIT_CEILING_DIRECTORIES'] = dirname(root);
    try {
      expect(await listWorkspaceFiles(ports, root, ['services/api/**', 'package.json'])).toEqual([
        'package.json',
        'services/api/.env',
        'services/api/src/main.ts',
      ]);
      expect(await listWorkspaceFiles(ports, root, ['**'])).toEqual([
        'libs/a/index.ts',
        'package.json',
        'services/api/.env',
        'services/api/src/main.ts',
      ]);
    } finally {
      if (previous === undefined) delete process.env['GIT_CEILING_DIRECTORIES'];
      else process.env['GIT_CEILING_DIRECTORIES'] = previous;
    }
  });
});

describe('prunedContents, written out', () => {
  const dirs: string[] = [];

  /** As `nx-fleet context --out` writes it. */
  async function writtenOut(pruning: PruningPorts, { into, ...input }: PrunedContextInput & { into: string }) {
    const contents = await prunedContents(pruning, input);
    await writeContents(contents, into);
    return contents;
  }

  function tempDir(): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nx-fleet-pruned-pacts-spec-')));
    dirs.push(dir);
    return dir;
  }

  function git(cwd: string, ...args: string[]): void {
    execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(cwd) } });
  }

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // No root package.json: no manifests to prune and no install to check, only the files copied.
  const FILES: Record<string, string> = {
    'services/orders/Dockerfile': 'FROM scratch\n',
    'services/orders/src/main.ts': 'export {};\n',
    'services/orders/pacts/web-orders.json': '{}\n',
    'services/orders/pacts/states.js': 'module.exports = {};\n',
    'services/orders/pacts-notes.md': 'not the pacts folder\n',
    'services/orders/src/pacts/fixture.json': 'a folder of the source, not the pacts folder\n',
    'libs/shared/index.ts': 'export {};\n',
    'libs/shared/pacts/keep.json': "a library's own folder, not the service's pacts\n",
    'tsconfig.base.json': '{}\n',
  };

  const ordersGraph = (root = 'services/orders'): ProjectGraph => ({
    nodes: {
      orders: {
        name: 'orders',
        type: 'app',
        data: { root, targets: { 'docker-build': { executor: BUILD_EXECUTOR } } },
      },
      shared: { name: 'shared', type: 'lib', data: { root: 'libs/shared' } },
    },
    dependencies: { orders: [edge('orders', 'shared')], shared: [] },
  });

  async function assemble(workspaceRoot: string, graph: ProjectGraph, include: string[] = []) {
    const into = tempDir();
    const context = await writtenOut(ports, { workspaceRoot, graph, service: 'orders', include, into });
    return { context, into };
  }

  it("never holds Nx's working files, which a .gitignore without .nx leaves to git's untracked list (tianji)", async () => {
    const root = tempDir();
    write(root, {
      ...FILES,
      'services/orders/Dockerfile': 'FROM scratch\n',
      '.nx/workspace-data/file-map.json': '{}\n',
      '.nx/cache/run.json': '{}\n',
      '.nx/notes.md': 'a file of its own in .nx\n',
    });
    git(root, 'init', '-q');
    const { context } = await assemble(root, ordersGraph('.'));
    expect(context.files.filter((file) => file.startsWith('.nx/'))).toEqual(['.nx/notes.md']);
    expect(context.files).toContain('tsconfig.base.json');
  });

  it("announces a pruned lockfile npm refuses with npm's reasons, and carries the workspace's package.json and lockfile instead", async () => {
    const root = tempDir();
    const workspaceManifest = JSON.stringify({ name: 'ws', version: '1.0.0', private: true });
    const workspaceLock = npmLock('ws');
    write(root, { ...FILES, 'package.json': workspaceManifest, 'package-lock.json': workspaceLock });
    git(root, 'init', '-q');
    const log = collectingLog();
    const refused = {
      'package.json': JSON.stringify({ name: 'orders', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }),
      'package-lock.json': npmLock(
        'orders',
        { dependencies: { 'is-number': '7.0.0' } },
        { 'node_modules/ms': { version: '2.1.2' } },
      ),
    };
    const into = tempDir();
    await writtenOut(
      { ...ports, log, pruning: { prunedManifests: () => refused, workspaceDataDirectory: tempDir() } },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [], into },
    );
    expect(readFileSync(join(into, 'package.json'), 'utf8')).toBe(workspaceManifest);
    expect(readFileSync(join(into, 'package-lock.json'), 'utf8')).toBe(workspaceLock);
    expect(log.of('warn')).toEqual([
      'nx-fleet: orders: the lockfile Nx pruned for it does not install frozen (npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error):\n' +
        '  Missing: is-number@7.0.0 from lock file\n' +
        "Its context carries the workspace's package.json, package-lock.json instead (they install together); " +
        'the image installs more than the service needs until the pruned lockfile installs. ' +
        "docker-build's Nx inputs do not name package.json, package-lock.json: after a change there, a build restored from the cache carries " +
        'an older content tag, which docker-push refuses; "context": "workspace" in orders\'s settings makes them inputs.',
    ]);
    // Copied by name (`COPY package*.json ./`), they are docker-build's inputs already: nothing stale to warn of.
    const named = collectingLog();
    await writtenOut(
      { ...ports, log: named, pruning: { prunedManifests: () => refused, workspaceDataDirectory: tempDir() } },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: ['package*.json'], into: tempDir() },
    );
    expect(named.of('warn')).toEqual([expect.stringMatching(/until the pruned lockfile installs\.$/)]);
    // Where Nx could not prune, the lockfile is the workspace's whole one (FVJohnny's template): said so, not "pruned".
    const installing = JSON.stringify({
      ...JSON.parse(workspaceLock),
      packages: { '': { name: 'ws', version: '1.0.0' }, 'node_modules/ms': { version: '2.1.2' } },
    });
    write(root, { 'package-lock.json': installing });
    const unpruned = collectingLog();
    await writtenOut(
      {
        ...ports,
        log: unpruned,
        pruning: {
          prunedManifests: () => ({ ...refused, 'package-lock.json': installing }),
          workspaceDataDirectory: tempDir(),
        },
      },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [], into: tempDir() },
    );
    expect(unpruned.of('warn')).toEqual([
      expect.stringMatching(
        /^nx-fleet: orders: the workspace's package-lock\.json, which Nx could not prune for it, does not install frozen with its pruned package\.json \(npm ci /,
      ),
    ]);
  }, 60_000); // runs the real npm: slow on a busy 2-core machine

  it("keeps the pruned lockfile where the workspace's own fails alike, names the workspace's, and says it once per content (Azkaban_V4)", async () => {
    const root = tempDir();
    const dependent = { name: 'ws', version: '1.0.0', private: true, dependencies: { 'is-number': '7.0.0' } };
    // The workspace's own lockfile is out of step with its package.json: npm ci refuses it too.
    const workspaceLock = npmLock('ws');
    write(root, { ...FILES, 'package.json': JSON.stringify(dependent), 'package-lock.json': workspaceLock });
    git(root, 'init', '-q');
    const pruned = {
      'package.json': JSON.stringify({ name: 'orders', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }),
      'package-lock.json': npmLock('orders', {}, { 'node_modules/ms': { version: '2.1.2' } }),
    };
    const workspaceDataDirectory = tempDir();
    const build = async () => {
      const log = collectingLog();
      const into = tempDir();
      await writtenOut(
        { ...ports, log, pruning: { prunedManifests: () => pruned, workspaceDataDirectory } },
        { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [], into },
      );
      return { log, into };
    };
    const first = await build();
    expect(readFileSync(join(first.into, 'package-lock.json'), 'utf8')).toBe(pruned['package-lock.json']);
    expect(first.log.of('warn')).toEqual([
      "nx-fleet: orders: the workspace's package-lock.json does not install frozen with its own package.json files either (npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error):\n" +
        '  Missing: is-number@7.0.0 from lock file\n' +
        "The lockfile Nx pruned from it goes into orders's context as it is, and an install in the image that needs a frozen one fails. " +
        'Bring the lockfile in line (`npm install` at the workspace root) and commit it.',
    ]);
    const again = await build();
    expect(readFileSync(join(again.into, 'package-lock.json'), 'utf8')).toBe(pruned['package-lock.json']);
    expect(again.log.of('warn')).toEqual([]);
  }, 60_000); // runs the real npm: slow on a busy 2-core machine

  it("keeps the pruned lockfile, unchecked and said so, when the install could not fetch packages: no verdict on the lockfile (unifed's yarn)", async () => {
    const root = tempDir();
    const berryLock = '__metadata:\n  version: 6\n\n"ms@npm:2.1.3":\n  version: 2.1.3\n';
    write(root, {
      ...FILES,
      'package.json': JSON.stringify({ name: 'ws', private: true, workspaces: ['services/*', 'libs/*'] }),
      'yarn.lock': berryLock,
      '.yarnrc.yml': 'nodeLinker: node-modules\n',
    });
    git(root, 'init', '-q');
    // Captured from yarn 3.0.0-rc.9 with its registry unreachable (__fixtures__/install-output).
    const unreachable = readFileSync(
      join(__dirname, '__fixtures__', 'install-output', 'yarn-3.0.0-rc.9-registry-unreachable.txt'),
      'utf8',
    );
    const processes = fakeProcesses(({ command, args }) =>
      command === 'git'
        ? runResult(execFileSync('git', args, { cwd: root, encoding: 'utf8' }))
        : command === 'yarn'
          ? runResult(unreachable, '', 1)
          : new Error(`${command}: not here`),
    );
    const log = collectingLog();
    const pruned = { 'package.json': '{"name":"orders"}\n', 'yarn.lock': `${berryLock}# pruned\n` };
    const contents = await prunedContents(
      { processes, log, pruning: { prunedManifests: () => pruned, workspaceDataDirectory: tempDir() } },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [] },
    );
    expect(contents.generated['yarn.lock']).toBe(pruned['yarn.lock']);
    expect(log.of('warn')).toEqual([
      'nx-fleet: orders: the check that its pruned yarn.lock installs frozen could not fetch packages (yarn install --immutable --mode=skip-build: ➤ YN0001: │ RequestError: connect ECONNREFUSED 127.0.0.1:9); the pruned yarn.lock goes into its context unchecked.',
    ]);
    // No second install with the workspace's files: the fetch, not the lockfile, failed.
    expect(processes.calls.filter((call) => call.command === 'yarn')).toHaveLength(1);
  });

  it("checks with the context's root files a yarn plugin reads, and blames no lockfile for a file the context lacks (Backstage's backstage.json)", async () => {
    const root = tempDir();
    const berryLock = '__metadata:\n  version: 8\n';
    write(root, {
      ...FILES,
      'package.json': JSON.stringify({ name: 'ws', private: true, workspaces: ['services/*', 'libs/*'] }),
      'yarn.lock': berryLock,
      '.yarnrc.yml': 'plugins:\n  - path: .yarn/plugins/plugin-settings.cjs\n',
      '.yarn/plugins/plugin-settings.cjs': 'module.exports = {};\n',
      'settings.json': '{"version":"1"}\n',
    });
    git(root, 'init', '-q');
    // Captured from yarn 4.9.2 (__fixtures__/install-output): the plugin's validateProject reads settings.json.
    const pluginFails = readFileSync(
      join(__dirname, '__fixtures__', 'install-output', 'yarn-4.9.2-plugin-file-missing.txt'),
      'utf8',
    );
    const processes = fakeProcesses(({ command, args, options }) => {
      if (command === 'git') return runResult(execFileSync('git', args, { cwd: root, encoding: 'utf8' }));
      if (command !== 'yarn') return new Error(`${command}: not here`);
      const scratch = options!.cwd!;
      return existsSync(join(scratch, 'settings.json'))
        ? runResult()
        : runResult(pluginFails.replaceAll('/tmp/nx-fleet-frozen-Qm3xTz', scratch), '', 1);
    });
    const pruned = { 'package.json': '{"name":"orders"}\n', 'yarn.lock': `${berryLock}# pruned\n` };
    const workspaceDataDirectory = tempDir();
    const prune = (log: ReturnType<typeof collectingLog>, include: string[]) =>
      prunedContents(
        { processes, log, pruning: { prunedManifests: () => pruned, workspaceDataDirectory } },
        { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include },
      );
    const yarnRuns = () => processes.calls.filter((call) => call.command === 'yarn').length;
    // The Dockerfile copies settings.json: the context holds it, and so does the check's copy.
    const copied = collectingLog();
    expect((await prune(copied, ['settings.json'])).generated['yarn.lock']).toBe(pruned['yarn.lock']);
    expect(copied.of('warn')).toEqual([]);
    expect(yarnRuns()).toBe(1);
    // It does not: the plugin's missing file is no verdict on the lockfile, the pruned one's or the workspace's.
    const lacking = collectingLog();
    expect((await prune(lacking, [])).generated['yarn.lock']).toBe(pruned['yarn.lock']);
    expect(lacking.of('warn')).toEqual([
      "nx-fleet: orders: the check that its pruned yarn.lock installs frozen failed on something other than the lockfile, in a copy holding the context's root files, its manifests and yarn's settings " +
        "(yarn install --immutable --mode=skip-build: ➤ YN0001: │ Error: ENOENT: no such file or directory, open 'settings.json'); the pruned yarn.lock goes into its context unchecked.",
    ]);
    expect(yarnRuns()).toBe(2);
    // Said once per content: a retry would find the copy lacking it alike.
    const again = collectingLog();
    await prune(again, []);
    expect(again.of('warn')).toEqual([]);
    expect(yarnRuns()).toBe(2);
  });

  it('gives up on a check that does not finish in time (a registry that never answers), keeps the pruned lockfile unchecked and says so', async () => {
    const root = tempDir();
    write(root, {
      ...FILES,
      'package.json': JSON.stringify({ name: 'ws', private: true }),
      'package-lock.json': npmLock('ws'),
    });
    git(root, 'init', '-q');
    const processes = fakeProcesses(({ command, args }) =>
      command === 'git'
        ? runResult(execFileSync('git', args, { cwd: root, encoding: 'utf8' }))
        : command === 'npm'
          ? { ...runResult('', '', 128), timedOut: true }
          : new Error(`${command}: not here`),
    );
    const log = collectingLog();
    const pruned = {
      'package.json': JSON.stringify({ name: 'orders', version: '1.0.0', dependencies: { ms: '2.1.2' } }),
      'package-lock.json': npmLock(
        'orders',
        { dependencies: { ms: '2.1.2' } },
        { 'node_modules/ms': { version: '2.1.2' } },
      ),
    };
    const workspaceDataDirectory = tempDir();
    const prune = () =>
      prunedContents(
        { processes, log, pruning: { prunedManifests: () => pruned, workspaceDataDirectory } },
        { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [] },
      );
    expect((await prune()).generated['package-lock.json']).toBe(pruned['package-lock.json']);
    expect(log.of('warn')).toEqual([
      'nx-fleet: orders: the check that its pruned package-lock.json installs frozen did not finish in 180 s (npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error: is the package registry reachable from here?); the pruned package-lock.json goes into its context unchecked.',
    ]);
    const npm = processes.calls.filter((call) => call.command === 'npm');
    expect(npm).toHaveLength(1);
    expect(npm[0]!.options?.timeoutMs).toBe(FROZEN_INSTALL_TIMEOUT_MS);
    // Not remembered: the next assembly checks again.
    await prune();
    expect(processes.calls.filter((call) => call.command === 'npm')).toHaveLength(2);
  });

  it("refuses a pruned pnpm lockfile missing a snapshot that pnpm's --lockfile-only check passes, and carries the workspace's", async () => {
    const root = tempDir();
    const lock = (snapshots: string) =>
      `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      debug:\n        specifier: 4.3.4\n        version: 4.3.4\n\n` +
      `packages:\n\n  debug@4.3.4:\n    resolution: {integrity: sha512-x}\n\n  ms@2.1.2:\n    resolution: {integrity: sha512-y}\n\nsnapshots:\n\n` +
      `  debug@4.3.4:\n    dependencies:\n      ms: 2.1.2\n\n${snapshots}`;
    const workspaceLock = lock('  ms@2.1.2: {}\n');
    write(root, {
      ...FILES,
      'package.json': JSON.stringify({ name: 'ws', private: true, packageManager: 'pnpm@9.15.0' }),
      'pnpm-lock.yaml': workspaceLock,
    });
    git(root, 'init', '-q');
    // pnpm 9.15.0's `install --frozen-lockfile --lockfile-only` passes both (pnpm-9.15.0-missing-snapshot.txt).
    const processes = fakeProcesses(({ command, args }) =>
      command === 'git'
        ? runResult(execFileSync('git', args, { cwd: root, encoding: 'utf8' }))
        : command === 'pnpm'
          ? runResult('Done in 574ms\n')
          : new Error(`${command}: not here`),
    );
    const log = collectingLog();
    const pruned = {
      'package.json': JSON.stringify({ name: 'orders', version: '1.0.0', dependencies: { debug: '4.3.4' } }),
      'pnpm-lock.yaml': lock(''),
    };
    const contents = await prunedContents(
      { processes, log, pruning: { prunedManifests: () => pruned, workspaceDataDirectory: tempDir() } },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: ['pnpm-lock.yaml'] },
    );
    expect(contents.generated['pnpm-lock.yaml']).toBeUndefined();
    expect(contents.files).toContain('pnpm-lock.yaml');
    expect(log.of('warn')).toEqual([
      expect.stringContaining(
        "nx-fleet: orders: the lockfile Nx pruned for it does not install frozen (pnpm install --frozen-lockfile --lockfile-only --ignore-scripts --reporter=append-only):\n  ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY: Broken lockfile: no entry for 'ms@2.1.2' in pnpm-lock.yaml\nIts context carries the workspace's package.json, pnpm-lock.yaml instead (they install together)",
      ),
    ]);
  });

  it("sends no root manifest, lockfile or package manager setting to a Dockerfile that reads none (OpenSign's apps), and asks Nx to prune nothing", async () => {
    const root = tempDir();
    write(root, { ...FILES, 'package.json': '{"name":"ws"}\n', 'package-lock.json': '{}\n', '.npmrc': 'x=1\n' });
    git(root, 'init', '-q');
    const log = collectingLog();
    const into = tempDir();
    const pruning = {
      prunedManifests: () => {
        throw new Error('not asked: the image reads no root manifest');
      },
      workspaceDataDirectory: tempDir(),
    };
    const context = await writtenOut(
      { ...ports, log, pruning },
      { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [], into, rootManifests: false },
    );
    // No package.json, lockfile or .npmrc at the root: nothing the image reads.
    expect(context.files.filter((file) => !file.includes('/'))).toEqual([]);
    expect(context.files).toContain('services/orders/src/main.ts');
    expect(log.of('warn')).toEqual([]);
  });

  it('hashes a context where its files are, exactly as the folder it is written to hashes', async () => {
    const root = tempDir();
    write(root, {
      ...FILES,
      '.dockerignore': '**/*.md\n',
      '.gitignore': 'dist\n',
      'dist/services/orders/main.js': 'built\n',
      'package.json': '{"name":"ws"}\n',
    });
    git(root, 'init', '-q');
    const pruned = {
      ...ports,
      pruning: { ...ports.pruning, prunedManifests: () => ({ 'package.json': '{"name":"orders"}\n' }) },
    };
    const input = {
      workspaceRoot: root,
      graph: ordersGraph(),
      service: 'orders',
      include: ['tsconfig.base.json'],
      outputs: ['dist/services/orders'],
    };
    const dockerfile = join(root, 'services/orders/Dockerfile');
    const into = tempDir();
    await writtenOut(pruned, { ...input, into });
    const listed = await listContextFiles(into, dockerfile);

    const hashed = await hashContents(await prunedContents(pruned, input), dockerfile);

    expect(hashed.listed).toEqual(listed);
    expect(hashed.files).toEqual(await hashContextFiles(into, listed));
    expect(listed).toContain('dist/services/orders/main.js');
    expect(listed).not.toContain('services/orders/pacts-notes.md');
    expect(hashed.files.find((f) => f.path === 'package.json')?.sha256).toBe(
      createHash('sha256').update('{"name":"orders"}\n').digest('hex'),
    );
  });

  it('carries a committed link as a link (to a folder too), hashed as the folder it is written to hashes', async () => {
    const root = tempDir();
    write(root, FILES);
    mkdirSync(join(root, 'services/orders/skills'), { recursive: true });
    symlinkSync('../../../libs/shared', join(root, 'services/orders/skills/shared'));
    symlinkSync('../src/main.ts', join(root, 'services/orders/skills/main'));
    git(root, 'init', '-q');
    const input = { workspaceRoot: root, graph: ordersGraph(), service: 'orders', include: [], outputs: [] };
    const dockerfile = join(root, 'services/orders/Dockerfile');
    const into = tempDir();
    await writtenOut(ports, { ...input, into });
    expect(lstatSync(join(into, 'services/orders/skills/shared')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(into, 'services/orders/skills/shared'))).toBe('../../../libs/shared');
    expect(readlinkSync(join(into, 'services/orders/skills/main'))).toBe('../src/main.ts');
    const hashed = await hashContents(await prunedContents(ports, input), dockerfile);
    expect(hashed.listed).toEqual(await listContextFiles(into, dockerfile));
    expect(hashed.files).toEqual(await hashContextFiles(into, hashed.listed));
    expect(hashed.listed).toContain('services/orders/skills/shared');
  });

  it("leaves the service's own pacts folder out of its context, keeping look-alikes and other projects' pacts folders", async () => {
    const root = tempDir();
    write(root, FILES);
    git(root, 'init', '-q');
    const { context, into } = await assemble(root, ordersGraph(), ['tsconfig.base.json', 'services/orders/pacts/**']);
    expect(context.files).toEqual([
      'libs/shared/index.ts',
      'libs/shared/pacts/keep.json',
      'services/orders/Dockerfile',
      'services/orders/pacts-notes.md',
      'services/orders/src/main.ts',
      'services/orders/src/pacts/fixture.json',
      'tsconfig.base.json',
    ]);
    expect(existsSync(join(into, 'services/orders/src/main.ts'))).toBe(true);
    expect(existsSync(join(into, 'services/orders/pacts'))).toBe(false);
  });

  it("for a prune tool in the build: every manifest and root file unpruned, other projects' sources left out; build outputs from the disk", async () => {
    const root = tempDir();
    write(root, {
      ...FILES,
      'package.json': '{"name":"ws","workspaces":["services/*","libs/*"]}\n',
      'turbo.json': '{}\n',
      'services/web/package.json': '{"name":"web"}\n',
      'services/web/src/main.ts': 'export {};\n',
      '.gitignore': 'dist\n',
      'dist/services/orders/main.js': 'built\n',
      // yarn 2+'s committed cache (zero-installs), which the tool installs from.
      '.yarn/cache/ms-npm-2.1.3.zip': 'zip\n',
    });
    git(root, 'init', '-q');
    const into = tempDir();
    const context = await writtenOut(
      { ...ports, pruning: { ...ports.pruning, prunedManifests: () => ({ 'package.json': 'pruned by Nx' }) } },
      {
        workspaceRoot: root,
        graph: ordersGraph(),
        service: 'orders',
        include: [],
        outputs: ['dist/services/orders'],
        workspaceManifests: true,
        into,
      },
    );
    expect(context.files).toEqual([
      '.gitignore',
      '.yarn/cache/ms-npm-2.1.3.zip',
      'dist/services/orders/main.js',
      'libs/shared/index.ts',
      'libs/shared/pacts/keep.json',
      'package.json',
      'services/orders/Dockerfile',
      'services/orders/pacts-notes.md',
      'services/orders/src/main.ts',
      'services/orders/src/pacts/fixture.json',
      'services/web/package.json',
      'tsconfig.base.json',
      'turbo.json',
    ]);
    expect(readFileSync(join(into, 'package.json'), 'utf8')).toContain('"workspaces"');
    // A Dockerfile that copies no whole context gets the package manager's root files, no other, and
    // the manifests it copies (its includes), not another service's (overleaf's `yarn workspaces focus`).
    const named = async (include: string[]) =>
      (
        await prunedContents(ports, {
          workspaceRoot: root,
          graph: ordersGraph(),
          service: 'orders',
          include,
          workspaceManifests: true,
          rootFiles: false,
          packageGlobs: ['services/*/package.json', 'libs/*/package.json'],
        })
      ).files;
    expect((await named([])).filter((file) => !file.includes('/'))).toEqual(['package.json']);
    expect(await named([])).not.toContain('services/web/package.json');
    // Nor the yarn cache, unless it copies it by name.
    expect(await named([])).not.toContain('.yarn/cache/ms-npm-2.1.3.zip');
    expect(await named(['.yarn/**'])).toContain('.yarn/cache/ms-npm-2.1.3.zip');
    expect(await named(['services/web/package.json'])).toContain('services/web/package.json');
    // With the workspaces' globs: a package.json outside them (a docs site) is no package the tool reads.
    write(root, { 'docs/package.json': '{"name":"docs"}\n' });
    const listed = async (packageGlobs?: string[]) =>
      (
        await prunedContents(ports, {
          workspaceRoot: root,
          graph: ordersGraph(),
          service: 'orders',
          include: [],
          workspaceManifests: true,
          ...(packageGlobs ? { packageGlobs } : {}),
        })
      ).files;
    expect(await listed()).toContain('docs/package.json');
    const scoped = await listed(['services/*/package.json', 'libs/*/package.json']);
    expect(scoped).not.toContain('docs/package.json');
    expect(scoped).toContain('services/web/package.json');
  });

  it('leaves out the pacts folder of a service at the workspace root', async () => {
    const root = tempDir();
    write(root, {
      Dockerfile: 'FROM scratch\n',
      'src/main.ts': 'export {};\n',
      'pacts/web-orders.json': '{}\n',
      'libs/shared/index.ts': 'export {};\n',
    });
    git(root, 'init', '-q');
    const { context } = await assemble(root, ordersGraph('.'));
    expect(context.files).toEqual(['Dockerfile', 'libs/shared/index.ts', 'src/main.ts']);
  });

  function write(root: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
  }
});

describe('installsAnything', () => {
  it('is false for a lockfile holding only the root package, true when it lists a package or cannot be read', async () => {
    const { installsAnything } = await import('./pruned-context');
    expect(installsAnything(JSON.stringify({ packages: { '': { name: 'svc' } } }))).toBe(false);
    expect(
      installsAnything(JSON.stringify({ packages: { '': {}, 'node_modules/is-number': { version: '7.0.0' } } })),
    ).toBe(true);
    expect(installsAnything('{ not json')).toBe(true);
  });
});

describe("npmInstallProblems: npm's reasons, never its usage text", () => {
  const usage = [
    'npm error',
    'npm error Clean install a project',
    'npm error',
    'npm error Usage:',
    'npm error npm ci',
    'npm error',
    'npm error Options:',
    'npm error [--install-strategy <hoisted|nested|shallow|linked>] [--legacy-bundling]',
    'npm error A complete log of this run can be found in: /root/.npm/_logs/x-debug-0.log',
  ];

  it.each([
    [
      'out of sync (npm 11, real output shape)',
      [
        'npm error code EUSAGE',
        'npm error',
        'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.',
        'npm error',
        'npm error Missing: @octokit/request-error@3.0.3 from lock file',
        "npm error Invalid: lock file's ms@2.1.2 does not satisfy ms@2.1.3",
        ...usage,
      ],
      [
        'Missing: @octokit/request-error@3.0.3 from lock file',
        "Invalid: lock file's ms@2.1.2 does not satisfy ms@2.1.3",
      ],
    ],
    [
      'another error: its message, not the usage',
      [
        'npm error code EJSONPARSE',
        'npm error JSON.parse Invalid package.json: Unexpected end of JSON input',
        ...usage,
      ],
      ['JSON.parse Invalid package.json: Unexpected end of JSON input'],
    ],
    ['nothing said', [''], ['(npm printed no reason)']],
    ['npm 6 prefix', ['npm ERR! Missing: left-pad@1.3.0 from lock file'], ['Missing: left-pad@1.3.0 from lock file']],
  ])('%s', (_, lines, expected) => {
    expect(npmInstallProblems(lines.join('\n'))).toEqual(expected);
  });
});
