import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { commitAll, nxEnv } from './nx-workspace';
import { run, runOk, type RunResult } from './tools';

/** Set by global-setup: a fresh Nx 23.2.1 workspace with the packed nx-fleet installed and registered. */
export const TEMPLATE_ENV = 'NX_FLEET_E2E_TEMPLATE';

/** Set by global-setup: the run's own podman image store (see useRunStorage), removed by global-teardown. */
export const RUN_STORAGE_ENV = 'NX_FLEET_E2E_RUN_STORAGE';

/**
 * The workspaces global-setup prepares once per run, which tests copy: `nx23` (create-nx-workspace
 * 23.2.1 + nx-fleet), `nx24` (hand-written Nx 24.0.6 + nx-fleet), `nx24-bare` (the same Nx 24
 * workspace before nx-fleet: for `npm i -D` / `nx add` and for "without nx-fleet" comparisons).
 */
export type WorkspaceTemplate = 'nx23' | 'nx24' | 'nx24-bare';
export const TEMPLATE_ENVS: Record<WorkspaceTemplate, string> = {
  nx23: TEMPLATE_ENV,
  nx24: 'NX_FLEET_E2E_NX24_TEMPLATE',
  'nx24-bare': 'NX_FLEET_E2E_NX24_BARE_TEMPLATE',
};

export interface NxRunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * Run once more when the command failed on the npm registry's network (an image build's `npm ci`
   * reaches it through a proxy the suite does not control); a failure of any other kind still fails.
   */
  retryNetwork?: boolean;
}

/**
 * What npm and pnpm print when a request to the registry failed on the network, not on its content.
 * npm says nothing when it drops an optional package it could not fetch: the generated Dockerfile's
 * install step then fails on esbuild's missing platform package (and so is not cached).
 */
const NETWORK_FAILURE =
  /npm error network|ERR_PNPM_META_FETCH_FAIL|\b(ETIMEDOUT|ECONNRESET|EAI_AGAIN)\b|could not be found, and is needed by esbuild/;

export interface ServiceSpec {
  /** Folder relative to the workspace root; default `services/<name>`. */
  dir?: string;
  /** Contents of main.js; default prints the service name. */
  main?: string;
  dockerfile?: string;
}

/** A project as `nx show project <name> --json` prints it. */
export interface ShownProject {
  name: string;
  root: string;
  targets: Record<
    string,
    {
      executor?: string;
      options?: Record<string, unknown>;
      dependsOn?: unknown[];
      metadata?: Record<string, unknown>;
      cache?: boolean;
      inputs?: unknown[];
      outputs?: string[];
    }
  >;
}

/**
 * How Nx runs the workspace's plugins. `isolated` is Nx's default (a plugin worker process per plugin,
 * what users run, and where nx-fleet hands Nx serialized answers); `in-process` (NX_ISOLATE_PLUGINS=false)
 * spares each Nx command that worker's start and load, ~0.9 s of CPU, which over the suite's ~400
 * commands is minutes on two cores. The journeys (foundation, generators, build-push, release) and the
 * Nx 24 spec keep Nx's default; the inference specs, which run Nx most often, run in-process.
 */
export type PluginMode = 'isolated' | 'in-process';

/**
 * A throwaway copy of the template workspace, driven through the real `nx` CLI the way a user
 * drives it. Each test gets its own copy, its own Nx cache and no daemon (so runs are independent).
 */
export class TestWorkspace {
  /**
   * Unique per workspace and written into generated services: the engine's image store outlives
   * test runs, and an image left by an earlier run would (correctly) turn a build into a reuse.
   */
  readonly id = randomBytes(6).toString('hex');

  private constructor(
    readonly root: string,
    readonly template: WorkspaceTemplate,
    readonly plugins: PluginMode,
  ) {}

  /** A copy of one of global-setup's templates (default: the Nx 23 one). */
  static create(
    label: string,
    template: WorkspaceTemplate = 'nx23',
    plugins: PluginMode = 'in-process',
  ): TestWorkspace {
    const variable = TEMPLATE_ENVS[template];
    const source = process.env[variable];
    if (!source || !existsSync(source)) {
      throw new Error(
        `${variable} is not set: run the e2e suite through its jest config (global-setup builds the template workspaces).`,
      );
    }
    const root = join(mkdtempSync(join(tmpdir(), `nx-fleet-e2e-${label}-`)), 'workspace');
    cpSync(source, root, { recursive: true, verbatimSymlinks: true });
    return new TestWorkspace(root, template, plugins);
  }

  /** The installed Nx version, e.g. "24.0.6". */
  nxVersion(): string {
    return this.readJson<{ version: string }>('node_modules/nx/package.json').version;
  }

  /** The installed Nx major: 23 or 24. */
  nxMajor(): number {
    return Number(this.nxVersion().split('.')[0]);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return nxEnv(this.root, { NX_ISOLATE_PLUGINS: String(this.plugins === 'isolated'), ...extra });
  }

  async nx(args: string[], options: NxRunOptions = {}): Promise<RunResult> {
    const once = () =>
      run(join(this.root, 'node_modules', '.bin', 'nx'), args, {
        cwd: this.root,
        env: this.env(options.env),
        timeoutMs: options.timeoutMs ?? 300_000,
      });
    const result = await once();
    if (result.code === 0 || !options.retryNetwork || !NETWORK_FAILURE.test(result.stdout + result.stderr))
      return result;
    process.stderr.write(`nx ${args.join(' ')} failed on the npm registry's network; running it once more\n`);
    return once();
  }

  async nxOk(args: string[], options: NxRunOptions = {}): Promise<RunResult> {
    const result = await this.nx(args, options);
    if (result.code !== 0)
      throw new Error(`nx ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** Runs a binary the workspace installed (e.g. `nx-fleet`), as `npx <bin>` would. */
  bin(name: string, args: string[], options: NxRunOptions = {}): Promise<RunResult> {
    return run(join(this.root, 'node_modules', '.bin', name), args, {
      cwd: this.root,
      env: this.env(options.env),
      timeoutMs: options.timeoutMs,
    });
  }

  async showProject(name: string): Promise<ShownProject> {
    return JSON.parse((await this.nxOk(['show', 'project', name, '--json'])).stdout);
  }

  /**
   * What `nx show project <name> --json` prints, for every project at once: the graph's nodes hold the
   * same data, and one graph costs one Nx process where a call per project costs one each.
   */
  async shownProjects(): Promise<Record<string, ShownProject>> {
    const { graph } = await this.graph();
    return Object.fromEntries(
      Object.entries(graph.nodes).map(([name, node]) => [name, (node as { data: ShownProject }).data]),
    );
  }

  async projects(extra: string[] = []): Promise<string[]> {
    return JSON.parse((await this.nxOk(['show', 'projects', '--json', ...extra])).stdout) as string[];
  }

  async graph(options: NxRunOptions = {}): Promise<{
    graph: {
      nodes: Record<string, unknown>;
      dependencies: Record<string, Array<{ source: string; target: string; type: string }>>;
    };
  }> {
    const file = join(this.root, 'tmp', `graph-${Date.now()}.json`);
    await this.nxOk(['graph', `--file=${file}`], options);
    return JSON.parse(readFileSync(file, 'utf8'));
  }

  write(path: string, content: string | Buffer): void {
    const file = join(this.root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  readJson<T = Record<string, unknown>>(path: string): T {
    return JSON.parse(this.read(path)) as T;
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  remove(path: string): void {
    rmSync(join(this.root, path), { recursive: true, force: true });
  }

  git(args: string[]): Promise<RunResult> {
    return runOk('git', args, { cwd: this.root });
  }

  /** Commits everything; returns the new HEAD so affected scenarios can name their base. */
  async commit(message: string): Promise<string> {
    await commitAll(this.root, message);
    return this.head();
  }

  async head(): Promise<string> {
    return (await this.git(['rev-parse', 'HEAD'])).stdout.trim();
  }

  /** A service the way teams have them: a project.json, a Dockerfile FROM node:20 and a script. */
  addService(name: string, spec: ServiceSpec = {}): string {
    const dir = spec.dir ?? `services/${name}`;
    this.write(
      `${dir}/project.json`,
      JSON.stringify({ name, $schema: '../../node_modules/nx/schemas/project-schema.json', root: dir }, null, 2),
    );
    this.write(
      `${dir}/main.js`,
      spec.main ?? `// test workspace ${this.id}\nconsole.log(${JSON.stringify(`${name} up`)});\n`,
    );
    // Written for nx-fleet's default pruned context, which is repo-shaped.
    this.write(
      `${dir}/Dockerfile`,
      spec.dockerfile ??
        ['FROM node:20', 'WORKDIR /app', `COPY ${dir}/main.js ./`, 'USER node', 'CMD ["node", "main.js"]', ''].join(
          '\n',
        ),
    );
    return dir;
  }

  /**
   * A TypeScript service the way the affected scenarios need it: a project.json, `src/main.ts` (plus
   * any `files`, relative to the service folder) and a Dockerfile for the pruned context that copies
   * the service folder. Nx reads the TS imports (TypeScript is installed in every template).
   */
  addTsService(name: string, spec: TsServiceSpec = {}): string {
    const dir = spec.dir ?? `services/${name}`;
    const depth = dir.split('/').length;
    this.write(
      `${dir}/project.json`,
      `${JSON.stringify({ name, $schema: `${'../'.repeat(depth)}node_modules/nx/schemas/project-schema.json`, root: dir, tags: spec.tags ?? [] }, null, 2)}\n`,
    );
    // The workspace id heads every main.ts, so an image left in the engine by an earlier run is never reused.
    this.write(
      `${dir}/src/main.ts`,
      `// test workspace ${this.id}\n${spec.source ?? `export const service = ${JSON.stringify(name)};\nconsole.log(\`\${service} up\`);\n`}`,
    );
    for (const [file, content] of Object.entries(spec.files ?? {})) this.write(`${dir}/${file}`, content);
    this.write(
      `${dir}/Dockerfile`,
      spec.dockerfile ??
        [
          'FROM node:20',
          'WORKDIR /app',
          `COPY ${dir} ${dir}`,
          'USER node',
          `CMD ["node", "-e", ${JSON.stringify(`console.log(${JSON.stringify(`${name} up`)})`)}]`,
          '',
        ].join('\n'),
    );
    return dir;
  }

  /**
   * Runs `run` with `options` merged into the nx-fleet plugin's options in nx.json, from a graph
   * reset before; nx.json is restored and the graph reset again after.
   */
  async withFleetOptions<T>(options: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
    const original = this.read('nx.json');
    type Entry = string | { plugin: string; options?: Record<string, unknown> };
    const config = JSON.parse(original) as { plugins?: Entry[] };
    config.plugins = (config.plugins ?? []).map((entry) => {
      const { plugin, options: own = {} } = typeof entry === 'string' ? { plugin: entry } : entry;
      return plugin === 'nx-fleet' ? { plugin, options: { ...own, ...options } } : entry;
    });
    this.write('nx.json', JSON.stringify(config, null, 2));
    try {
      await this.nxOk(['reset']);
      return await run();
    } finally {
      this.write('nx.json', original);
      await this.nxOk(['reset']);
    }
  }

  dispose(): void {
    rmSync(dirname(this.root), { recursive: true, force: true });
  }
}

export interface TsServiceSpec {
  /** Folder relative to the workspace root; default `services/<name>`. */
  dir?: string;
  /** Contents of src/main.ts after a first line naming the workspace id (see `id`); default exports the service name. */
  source?: string;
  /** More files, relative to the service folder (e.g. `{ 'src/orders.ts': "import … from '@acme/orders-sdk';" }`). */
  files?: Record<string, string>;
  dockerfile?: string;
  tags?: string[];
}

/**
 * A copy of a template (default: Nx 24 with nx-fleet) with `services` added as TypeScript services
 * (`addTsService`) and committed: the starting point of the affected scenarios on either major.
 * `services` is a count (`svc1`…`svcN`), names, or names with specs.
 */
export async function workspaceWithServices(
  label: string,
  services: number | Array<string | ({ name: string } & TsServiceSpec)>,
  opts: { template?: WorkspaceTemplate; message?: string; plugins?: PluginMode } = {},
): Promise<TestWorkspace> {
  const ws = TestWorkspace.create(label, opts.template ?? 'nx24', opts.plugins);
  try {
    const list = typeof services === 'number' ? Array.from({ length: services }, (_, i) => `svc${i + 1}`) : services;
    for (const service of list) {
      if (typeof service === 'string') ws.addTsService(service);
      else ws.addTsService(service.name, service);
    }
    await ws.commit(opts.message ?? `${list.length} services`);
    return ws;
  } catch (e) {
    ws.dispose();
    throw e;
  }
}

/** Nx prefixes task output; this keeps only nx-fleet's own summary lines. */
export function fleetLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('nx-fleet:'));
}
