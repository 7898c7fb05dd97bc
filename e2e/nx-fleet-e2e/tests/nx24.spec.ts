import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TARBALL } from '../../../tools/fleet-harness/src/nx-workspace';
import { NX24_DEVKIT_VERSION, NX24_VERSION } from '../../../tools/fleet-harness/src/nx24-workspace';
import { type RunningNpmRegistry, startNpmRegistry, tarEntry } from '../../../tools/fleet-harness/src/npm-registry';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { detectEngine, run, type RunResult } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace, workspaceWithServices } from '../../../tools/fleet-harness/src/workspace';

/*
 * nx-fleet on Nx 23.2.1 and 24.x: `nx add nx-fleet` from a registry on both majors, and on Nx 24
 * the install of the tarball (peer ranges: npm 11 refuses a mismatch with ERESOLVE), the inferred
 * targets, a real build and push, the graph, every Nx internal the plugin uses, and the rules that
 * read users' own project files and Dockerfiles (a foreign docker-build, a workspace laid out in the image).
 */

const FLEET_TARGETS = ['docker-build', 'scan', 'contract-verify', 'docker-push'];
// Explicit, so a machine-wide npm setting cannot hide a peer conflict.
const STRICT_NPM = { npm_config_legacy_peer_deps: 'false', npm_config_force: 'false' };
/** The version inside the tarball, which the registry serves as `latest`. */
const pluginVersion = (): string =>
  (
    JSON.parse(tarEntry(gunzipSync(readFileSync(TARBALL)), 'package/package.json').toString('utf8')) as {
      version: string;
    }
  ).version;

function npm(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run('npm', args, { cwd: ws.root, env: ws.env({ ...STRICT_NPM, ...env }), timeoutMs: 300_000 });
}

function expectInstalled(result: RunResult, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/ERESOLVE|peer dep/i);
}

/** `npm ls <names>` exits non-zero when one of them is missing or outside a range that asks for it (nx-fleet's peers). */
async function expectConsistentTree(ws: TestWorkspace): Promise<void> {
  const ls = await npm(ws, ['ls', 'nx', '@nx/devkit', 'nx-fleet']);
  if (ls.code !== 0) throw new Error(`npm ls: ${ls.stdout}\n${ls.stderr}`);
}

type PluginEntry = string | { plugin: string };
const isFleet = (p: PluginEntry) => (typeof p === 'string' ? p : p.plugin) === 'nx-fleet';
const fleetPluginEntries = (ws: TestWorkspace): PluginEntry[] =>
  (ws.readJson<{ plugins?: PluginEntry[] }>('nx.json').plugins ?? []).filter(isFleet);

describe('Nx 23 and Nx 24: nx add nx-fleet', () => {
  let npmRegistry: RunningNpmRegistry;
  const workspaces: TestWorkspace[] = [];

  beforeAll(async () => {
    npmRegistry = await startNpmRegistry([TARBALL]);
  });
  afterAll(async () => {
    await npmRegistry?.stop();
    for (const ws of workspaces) ws.dispose();
  });

  it('installs nx-fleet from a registry and runs its init generator, on Nx 23 and Nx 24', async () => {
    const nx23 = TestWorkspace.create('add23', 'nx23', 'isolated');
    const nx24 = TestWorkspace.create('add24', 'nx24-bare', 'isolated');
    workspaces.push(nx23, nx24);
    expect([nx23.nxVersion(), nx24.nxVersion()]).toEqual(['23.2.1', NX24_VERSION]);
    // Global-setup installed the tarball into the Nx 23 template with a plain `npm i -D`: the tree is consistent.
    await expectConsistentTree(nx23);
    // Then take it out again, as for a user who never had it.
    const uninstall = await npm(nx23, ['uninstall', '--no-audit', '--no-fund', 'nx-fleet']);
    expect(uninstall.code).toBe(0);
    const nxJson = nx23.readJson<{ plugins?: PluginEntry[] }>('nx.json');
    nxJson.plugins = (nxJson.plugins ?? []).filter((p) => !isFleet(p));
    nx23.write('nx.json', `${JSON.stringify(nxJson, null, 2)}\n`);
    expect(nx23.exists('node_modules/nx-fleet')).toBe(false);

    const before = npmRegistry.served['nx-fleet']!.packuments;
    const results = await Promise.all(
      [nx23, nx24].map((ws) => ws.nx(['add', 'nx-fleet'], { env: { ...npmRegistry.env, ...STRICT_NPM } })),
    );
    for (const [i, ws] of [nx23, nx24].entries()) {
      expectInstalled(results[i]!, `nx add nx-fleet on Nx ${ws.nxVersion()}`);
      expect(results[i]!.stdout).toContain('Package nx-fleet added successfully');
      // From the registry, as `npm i -D nx-fleet@latest` records it, and registered by init.
      expect(ws.readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies['nx-fleet']).toBe(
        `^${pluginVersion()}`,
      );
      expect(fleetPluginEntries(ws)).toEqual(['nx-fleet']);
      expect(ws.exists('.dockerignore')).toBe(true);
      await expectConsistentTree(ws);
    }
    expect(npmRegistry.served['nx-fleet']!.packuments).toBeGreaterThanOrEqual(before + 2);
  });
});

describe('Nx 24: targets, build and push, graph, Nx internals (real engine, real registry)', () => {
  let ws: TestWorkspace;
  let registry: RunningRegistry;
  let scratch: string;
  const engine = detectEngine();
  const env = () => ({ FLEET_REGISTRY: registry.host, FLEET_ENGINE: engine });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-nx24-'));
    registry = await startRegistry();
    ws = await workspaceWithServices(
      'nx24',
      [
        'orders',
        // An npm dependency in the service's sources: the pruned context's package.json and lockfile keep it.
        {
          name: 'users',
          source: "import * as ts from 'typescript';\nexport const version = ts.version;\n",
          dockerfile: [
            'FROM node:20',
            'WORKDIR /app',
            'COPY package.json package-lock.json ./',
            'COPY services/users services/users',
            'USER node',
            'CMD ["node", "-e", "console.log(\\"users up\\")"]',
            '',
          ].join('\n'),
        },
      ],
      { plugins: 'isolated' },
    );
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('npm i -D <tarball> installs on Nx 24.0.6 / @nx/devkit 24.0.0 with no --legacy-peer-deps', async () => {
    // The template is the bare Nx 24 workspace plus a plain `npm install --save-dev <tarball>` (global-setup),
    // which npm 11 refuses with ERESOLVE when the peer range leaves Nx 24 out.
    expect(ws.nxVersion()).toBe(NX24_VERSION);
    expect(ws.readJson<{ version: string }>('node_modules/@nx/devkit/package.json').version).toBe(NX24_DEVKIT_VERSION);
    expect(
      ws.readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies['nx-fleet'],
    ).toMatch(/^file:.*nx-fleet\.tgz$/);
    await expectConsistentTree(ws);
  });

  it('nx show project lists the inferred fleet targets', async () => {
    const project = await ws.showProject('orders');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(FLEET_TARGETS));
    expect(project.targets['docker-push']?.executor).toBe('nx-fleet:docker-push');
  });

  it('nx run-many -t docker-push builds and pushes both services to the registry', async () => {
    const result = await ws.nx(['run-many', '-t', 'docker-push', '--output-style=static'], { env: env() });
    if (result.code !== 0) throw new Error(`docker-push failed\n${result.stdout}\n${result.stderr}`);
    for (const service of ['orders', 'users']) {
      const image = ws.readJson<{ contentTag: string; built: boolean }>(`dist/fleet/services/${service}/image.json`);
      const push = ws.readJson<{ digest: string; uploaded: boolean }>(`dist/fleet/services/${service}/push.json`);
      expect(image.built).toBe(true);
      expect(push.uploaded).toBe(true);
      expect(await registry.manifestDigest(service, image.contentTag)).toBe(push.digest);
    }
  });

  it('nx-fleet release --plan on Nx 24: content tags from the sources (Nx 24 graph and pruning) equal what docker-build built', async () => {
    const plan = await ws.bin('nx-fleet', ['release', '--env', 'prod', '--plan', '--json'], { env: env() });
    if (plan.code !== 0) throw new Error(`release --plan failed\n${plan.stdout}\n${plan.stderr}`);
    const { release } = JSON.parse(plan.stdout) as { release: Array<{ service: string; contentTag: string }> };
    expect(release.map((r) => [r.service, r.contentTag]).sort()).toEqual(
      ['orders', 'users'].map((s) => [
        s,
        ws.readJson<{ contentTag: string }>(`dist/fleet/services/${s}/image.json`).contentTag,
      ]),
    );
  });

  it('nx graph --file writes the project graph with both services and their targets', async () => {
    const { graph } = await ws.graph();
    for (const service of ['orders', 'users']) {
      const node = graph.nodes[service] as { data: { targets: Record<string, unknown> } } | undefined;
      expect(Object.keys(node?.data.targets ?? {})).toEqual(expect.arrayContaining(FLEET_TARGETS));
    }
  });

  it("with Nx 24's daemon, edits reach the runtime links: a new call, an edit that keeps it, its removal", async () => {
    // Nx 24's isolated worker keeps nx-fleet's last answer between graphs and gives it again when an
    // edit cannot change it: each step checks the answer against the edit.
    const daemon = { NX_DAEMON: 'true', CI: 'false' };
    const callsOrders = async () => {
      const node = (await ws.graph({ env: daemon })).graph.nodes['users'] as
        { data: { targets: Record<string, { inputs?: unknown[] }> } } | undefined;
      return (node?.data.targets['docker-push']?.inputs ?? []).includes('{workspaceRoot}/services/orders/**');
    };
    const caller = 'services/users/src/calls-orders.ts';
    try {
      expect(await callsOrders()).toBe(false);
      ws.write(caller, "import * as orders from '../../orders/src/main';\nexport const o = orders;\n");
      expect(await callsOrders()).toBe(true);
      ws.write(
        caller,
        "// the same call, one line lower\nimport * as orders from '../../orders/src/main';\nexport const o = orders;\n",
      );
      expect(await callsOrders()).toBe(true);
      ws.write(caller, "// the call is gone: import * as orders from '../../orders/src/main';\nexport const o = 1;\n");
      expect(await callsOrders()).toBe(false);
    } finally {
      ws.remove(caller);
      await ws.nx(['daemon', '--stop'], { env: daemon });
    }
  });

  it('on Nx 24, a cold graph computed in a process of its own gives what the worker computes, runtime links included', async () => {
    const caller = 'services/users/src/calls-orders.ts';
    const cold = (ownProcess: boolean) =>
      ws.withFleetOptions({ runtimeGraph: { ownProcess } }, async () => {
        const file = `tmp/graph-own-process-${ownProcess}.json`;
        const result = await ws.nxOk(['graph', `--file=${file}`], { env: { NX_VERBOSE_LOGGING: 'true' } });
        const { graph } = ws.readJson<{ graph: { nodes: Record<string, { data: { targets: unknown } }> } }>(file);
        return {
          apart: /nx-fleet: createNodes computed in a process of its own \(CPU [\d.]+ ms\)/.test(
            result.stdout + result.stderr,
          ),
          targets: ['orders', 'users'].map((s) => graph.nodes[s]?.data.targets),
        };
      });
    try {
      ws.write(caller, "import * as orders from '../../orders/src/main';\nexport const o = orders;\n");
      const here = await cold(false);
      const apart = await cold(true);
      expect([here.apart, apart.apart]).toEqual([false, true]);
      expect(apart.targets).toEqual(here.targets);
      expect(JSON.stringify(apart.targets)).toContain('{workspaceRoot}/services/orders/**');
    } finally {
      ws.remove(caller);
    }
  });

  it("Nx's internals nx-fleet uses work on Nx 24: pruning, workspace data, plugin cache, file map, workspace context", async () => {
    // The pruned context: createPackageJson + generatePrunedDeployOutput over the real Nx 24 graph.
    const out = join(scratch, 'users-context');
    const context = await ws.bin('nx-fleet', ['context', 'users', '--out', out]);
    if (context.code !== 0) throw new Error(`nx-fleet context failed\n${context.stdout}\n${context.stderr}`);
    const pruned = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect({ ...pruned['dependencies'], ...pruned['devDependencies'] }).toHaveProperty('typescript');
    const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    expect(Object.keys(lock.packages)).toContain('node_modules/typescript');
    expect(Object.keys(lock.packages)).not.toContain('node_modules/nx');

    // readFileMapCache (through the runtime graph command) and the module's other exports, loaded by Nx 24's node_modules.
    const graph = await ws.bin('nx-fleet', ['graph', '--json']);
    if (graph.code !== 0) throw new Error(`nx-fleet graph failed\n${graph.stdout}\n${graph.stderr}`);
    const probe = await run(
      process.execPath,
      [
        '-e',
        `(async () => {
          const m = require('nx-fleet/src/nx/devkit-internal');
          const files = await m.getAllFileDataInContext(process.cwd());
          const cache = new m.PluginCache(require('path').join(m.workspaceDataDirectory, 'nx-fleet-probe.hash'));
          cache.set('k', 1);
          console.log(JSON.stringify({
            types: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v])),
            worker: m.isPluginWorker(),
            daemon: m.isDaemonEnabled(),
            workerMarks: require('fs')
              .readFileSync(require.resolve('nx/src/project-graph/plugins/isolation/plugin-worker'), 'utf8')
              .includes('global.NX_PLUGIN_WORKER = true'),
            cached: cache.get('k'),
            fileMap: Object.keys(m.readFileMapCache()?.fileMap?.projectFileMap ?? {}).sort(),
            dataDir: m.workspaceDataDirectory,
            files: files.filter((f) => f.file.startsWith('services/')).map((f) => f.file + ':' + typeof f.hash).sort(),
            packageJsonProjects: ['services/x/package.json', 'services/x/src/package.json'].map(
              m.packageJsonProjects(process.cwd(), false, true),
            ),
            tokens: m.withNxTokens(
              { options: { cwd: '{workspaceRoot}', file: '{projectRoot}/Dockerfile', name: '{projectName}' } },
              { name: 'orders', root: 'services/orders' },
            ).options,
            // On Nx 24 the worker loads its host's files: no walk is started, and nothing breaks.
            walk: typeof m.startWorkspaceWalk(),
            filesHash: typeof (await m.workspaceFilesHash(process.cwd())),
            merged: m.mergedAsNx(
              { command: 'docker build .', options: { cwd: 'services/orders' } },
              { executor: 'nx:run-commands', options: { command: 'docker build -f services/orders/Dockerfile .' } },
            ).options,
          }));
        })().catch((e) => { console.error(e); process.exit(1); });`,
      ],
      { cwd: ws.root, env: ws.env() },
    );
    if (probe.code !== 0) throw new Error(`probe failed\n${probe.stderr}`);
    const facts = JSON.parse(probe.stdout) as {
      types: Record<string, string>;
      worker: boolean;
      daemon: boolean;
      workerMarks: boolean;
      cached: number;
      fileMap: string[];
      dataDir: string;
      files: string[];
      packageJsonProjects: boolean[];
      tokens: Record<string, string>;
      merged: Record<string, string>;
      walk: string;
      filesHash: string;
    };
    expect(facts.types).toEqual({
      nxPruning: 'function',
      getAllFileDataInContext: 'function',
      createNodesFromFiles: 'function',
      AggregateCreateNodesError: 'function',
      logger: 'object',
      PluginCache: 'function',
      readFileMapCache: 'function',
      workspaceDataDirectory: 'string',
      isPluginWorker: 'function',
      isDaemonEnabled: 'function',
      packageJsonProjects: 'function',
      withNxTokens: 'function',
      mergedAsNx: 'function',
      startWorkspaceWalk: 'function',
      workspaceFilesHash: 'function',
    });
    expect(facts.walk).toBe('undefined');
    expect(facts.filesHash).toBe('string');
    // adopt reads a target as Nx 24 runs it: its tokens resolved, and a project's own target of another
    // command over an inferred one taken whole, by Nx's own rules.
    expect(facts.tokens).toEqual({ cwd: '', file: 'services/orders/Dockerfile', name: 'orders' });
    expect(facts.merged).toEqual({ command: 'docker build -f services/orders/Dockerfile .' });
    // The harness turns the daemon off: Nx 24's client says so to nx-fleet graph, which then leaves
    // the scan's warnings to createNodes.
    expect(facts.daemon).toBe(false);
    // Nx 24's own rule for package.json projects: in the workspaces (services/*), not below them.
    expect(facts.packageJsonProjects).toEqual([true, false]);
    // A plain process is no plugin worker; Nx 24's worker marks itself as nx-fleet reads it (its answers
    // leave the worker serialized, so the daemon's worker gives its last answer again without a copy).
    expect(facts.worker).toBe(false);
    expect(facts.workerMarks).toBe(true);
    expect(facts.cached).toBe(1);
    expect(facts.fileMap).toEqual(expect.arrayContaining(['orders', 'users']));
    expect(facts.dataDir.startsWith(ws.root)).toBe(true);
    expect(facts.files).toEqual(
      expect.arrayContaining(['services/orders/src/main.ts:string', 'services/users/Dockerfile:string']),
    );
  });

  it("on Nx 24: a project's own docker-build is named and push refuses on it; a Dockerfile laying out the workspace builds from it", async () => {
    // Nx 24 states the `command` shorthand as Nx 23 does; nx-fleet reads the project file, not the graph.
    ws.write(
      'services/gateway/project.json',
      JSON.stringify({
        name: 'gateway',
        targets: { 'docker-build': { command: 'docker build -f services/gateway/Dockerfile . -t acme/gateway' } },
      }),
    );
    ws.write('services/gateway/Dockerfile', 'FROM node:20\nCOPY services/gateway/main.js /app/\n');
    ws.write('services/gateway/main.js', 'console.log(1);\n');
    // The whole context copied, then a WORKDIR into the project's own path inside it: the workspace context.
    ws.write('services/laid/project.json', JSON.stringify({ name: 'laid' }));
    ws.write('services/laid/main.js', "console.log('laid', require('../orders/package.json').name);\n");
    ws.write(
      'services/laid/Dockerfile',
      'FROM node:20\nCOPY ./ /workspace\nWORKDIR /workspace/services/laid\nCMD ["node", "main.js"]\n',
    );
    try {
      const graph = await ws.nxOk(['graph', '--file=tmp/graph-foreign.json']);
      expect(graph.stdout + graph.stderr).toMatch(
        /nx-fleet: services\/gateway\/project\.json: gateway:docker-build runs `docker build -f services\/gateway\/Dockerfile \. -t acme\/gateway` \(nx:run-commands\), not nx-fleet:docker-build/,
      );
      const push = await ws.nx(['run', 'gateway:docker-push', '--exclude-task-dependencies', '--output-style=stream'], {
        env: env(),
      });
      expect(push.code).not.toBe(0);
      expect(push.stdout + push.stderr).toMatch(/Carry that build over with `nx g nx-fleet:adopt gateway`/);
      expect(ws.exists('dist/fleet/services/gateway/push.json')).toBe(false);

      const laid = (await ws.showProject('laid')).targets['docker-build']!;
      expect(laid).toMatchObject({ options: { context: '.', prune: false } });
      expect(laid.metadata!['description']).toMatch(/followed by "WORKDIR \/workspace\/services\/laid"/);
      const build = await ws.nx(['run', 'laid:docker-build', '--output-style=static'], { env: env() });
      if (build.code !== 0) throw new Error(`laid:docker-build failed\n${build.stdout}\n${build.stderr}`);
      expect(ws.readJson<{ built: boolean }>('dist/fleet/services/laid/image.json').built).toBe(true);
    } finally {
      ws.remove('services/gateway');
      ws.remove('services/laid');
    }
  });

  /** The projects whose docker-push a change of the file selects. */
  const pushes = async (file: string) =>
    JSON.parse(
      (await ws.nxOk(['show', 'projects', '--affected', '-t', 'docker-push', `--files=${file}`, '--json'])).stdout,
    ) as string[];

  it('on Nx 24: a change its ignore file leaves out selects no push of a workspace-context service, a file it sends does', async () => {
    ws.write('services/whole/project.json', JSON.stringify({ name: 'whole' }));
    ws.write('services/whole/main.js', "console.log('whole');\n");
    ws.write(
      'services/whole/Dockerfile',
      'FROM node:20\nCOPY ./ /workspace\nWORKDIR /workspace/services/whole\nCMD ["node", "main.js"]\n',
    );
    ws.write('services/whole/Dockerfile.dockerignore', 'node_modules\n.git\n.nx\ndist\ndocs\n');
    ws.write('docs/guide.md', 'how we deploy\n');
    ws.write('notes/plan.txt', 'sent with the workspace\n');
    try {
      expect((await ws.showProject('whole')).targets['docker-push']!.inputs).toContain('!{workspaceRoot}/docs/**');
      expect(await pushes('docs/guide.md')).not.toContain('whole');
      // The check can fail: a file the context sends selects the push.
      expect(await pushes('notes/plan.txt')).toContain('whole');
    } finally {
      ws.remove('services/whole');
      ws.remove('docs');
      ws.remove('notes');
    }
  });

  it("on Nx 24: a change its folder's ignore file leaves out selects no push of a project-context service, nor a change outside its folder", async () => {
    ws.write('services/folder/project.json', JSON.stringify({ name: 'folder' }));
    ws.write('services/folder/main.js', "console.log('folder');\n");
    ws.write('services/folder/NOTES.md', 'not sent\n');
    ws.write('services/folder/.dockerignore', '**/*.md\n');
    ws.write('services/folder/Dockerfile', 'FROM node:20\nCOPY . /app\nCMD ["node", "/app/main.js"]\n');
    ws.write('docs/guide.md', 'how we deploy\n');
    try {
      expect((await ws.showProject('folder')).targets['docker-build']!.inputs).toContain('!{projectRoot}/**/*.md');
      // A negation of workspace paths alone would make Nx hash every workspace file (opentelemetry-demo).
      expect(await pushes('docs/guide.md')).not.toContain('folder');
      expect(await pushes('services/folder/NOTES.md')).not.toContain('folder');
      // The check can fail: a file the context sends selects the push.
      expect(await pushes('services/folder/main.js')).toContain('folder');
    } finally {
      ws.remove('services/folder');
      ws.remove('docs');
    }
  });

  it('on Nx 24: a git-ignored file a Dockerfile copies leaves docker-build uncached, and the image follows it', async () => {
    ws.write('services/bundled/project.json', JSON.stringify({ name: 'bundled' }));
    ws.write('services/bundled/.gitignore', 'bundle/\n');
    ws.write('services/bundled/bundle/bundle.js', "console.log('bundle v1');\n");
    ws.write('services/bundled/Dockerfile', 'FROM node:20\nCOPY bundle/bundle.js /app/bundle.js\n');
    try {
      expect((await ws.showProject('bundled')).targets['docker-build']).toMatchObject({ cache: false });
      const tag = async () => {
        const build = await ws.nx(['run', 'bundled:docker-build', '--output-style=static'], { env: env() });
        if (build.code !== 0) throw new Error(`bundled:docker-build failed\n${build.stdout}\n${build.stderr}`);
        return ws.readJson<{ contentTag: string }>('dist/fleet/services/bundled/image.json').contentTag;
      };
      const first = await tag();
      ws.write('services/bundled/bundle/bundle.js', "console.log('bundle v2');\n");
      expect(await tag()).not.toBe(first);
    } finally {
      ws.remove('services/bundled');
    }
  });
  it('on Nx 24: a root-only script keeps the root manifests (the workspace where it runs a workspace tool), a library the image builds is not waited for, an unset build argument fails before the engine', async () => {
    const manifest = ws.readJson<Record<string, unknown> & { scripts?: Record<string, string> }>('package.json');
    ws.write(
      'package.json',
      JSON.stringify(
        {
          ...manifest,
          scripts: { ...manifest.scripts, 'build:scripted': 'node -v', 'build:tooled': 'nx run-many -t build' },
        },
        null,
        2,
      ),
    );
    ws.write('services/scripted/project.json', JSON.stringify({ name: 'scripted' }));
    ws.write(
      'services/scripted/Dockerfile',
      'FROM node:20\nWORKDIR /repo\nCOPY package.json ./\nCOPY services/scripted services/scripted\nRUN npm run build:scripted\n',
    );
    ws.write('services/tooled/project.json', JSON.stringify({ name: 'tooled' }));
    ws.write(
      'services/tooled/Dockerfile',
      'FROM node:20\nWORKDIR /repo\nCOPY package.json ./\nCOPY services/tooled services/tooled\nRUN npm run build:tooled\n',
    );
    ws.write('libs/kit/project.json', JSON.stringify({ name: 'kit', targets: { build: { command: 'exit 1' } } }));
    ws.write('libs/kit/package.json', JSON.stringify({ name: '@nx24/kit', private: true }));
    ws.write('libs/kit/tsconfig.json', JSON.stringify({ compilerOptions: { outDir: 'dist' } }));
    ws.write('libs/kit/src/index.js', 'module.exports = 1;\n');
    ws.write('services/kitted/project.json', JSON.stringify({ name: 'kitted' }));
    ws.write(
      'services/kitted/Dockerfile',
      'FROM node:20\nWORKDIR /repo\nCOPY libs/kit libs/kit\nCOPY services/kitted services/kitted\nRUN npm run build -w @nx24/kit\n',
    );
    ws.write('services/argy/project.json', JSON.stringify({ name: 'argy' }));
    ws.write('services/argy/Dockerfile', 'FROM node:20\nARG SERVICE\nCOPY ${SERVICE}.js /app/main.js\n');
    try {
      const shown = await ws.shownProjects();
      const scripted = shown['scripted']!.targets['docker-build']!;
      expect(scripted).toMatchObject({ options: { context: '.', prune: true, workspaceManifests: true } });
      expect(scripted.metadata!['description']).toMatch(/runs "build:scripted" beside the root package.json it copied/);
      const tooled = shown['tooled']!.targets['docker-build']!;
      expect(tooled).toMatchObject({ options: { context: '.', prune: false } });
      expect(tooled.metadata!['description']).toMatch(
        /runs "build:tooled", a script only the workspace root's package.json defines/,
      );
      const kitted = shown['kitted']!.targets['docker-build']!;
      expect(kitted).toMatchObject({ options: { context: '.', prune: true } });
      expect(kitted.dependsOn).toBeUndefined();
      const argy = await ws.nx(['run', 'argy:docker-build', '--output-style=static'], { env: env() });
      expect(argy.code).not.toBe(0);
      expect(argy.stdout + argy.stderr).toMatch(
        /the build argument SERVICE has no default and docker-build passes none/,
      );
      expect(ws.exists('dist/fleet/services/argy/image.json')).toBe(false);
    } finally {
      ws.write('package.json', JSON.stringify(manifest, null, 2));
      for (const dir of ['services/scripted', 'services/tooled', 'libs/kit', 'services/kitted', 'services/argy'])
        ws.remove(dir);
    }
  });
});
