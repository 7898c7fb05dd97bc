import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { commitAll, nxEnv } from './nx-workspace';
import { run, runOk, type RunResult } from './tools';

/** Set by global-setup: a fresh Nx 23.2.1 workspace with the packed nx-fleet installed and registered. */
export const TEMPLATE_ENV = 'NX_FLEET_E2E_TEMPLATE';

export interface NxRunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface ServiceSpec {
  /** Folder relative to the workspace root; default `services/<name>`. */
  dir?: string;
  /** Contents of main.js; default prints the service name. */
  main?: string;
  dockerfile?: string;
}

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

  private constructor(readonly root: string) {}

  static create(label: string): TestWorkspace {
    const template = process.env[TEMPLATE_ENV];
    if (!template || !existsSync(template)) {
      throw new Error(
        `${TEMPLATE_ENV} is not set: run the e2e suite through its jest config (global-setup builds the template workspace).`,
      );
    }
    const root = join(mkdtempSync(join(tmpdir(), `nx-fleet-e2e-${label}-`)), 'workspace');
    cpSync(template, root, { recursive: true, verbatimSymlinks: true });
    return new TestWorkspace(root);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return nxEnv(this.root, extra);
  }

  nx(args: string[], options: NxRunOptions = {}): Promise<RunResult> {
    return run(join(this.root, 'node_modules', '.bin', 'nx'), args, {
      cwd: this.root,
      env: this.env(options.env),
      timeoutMs: options.timeoutMs ?? 300_000,
    });
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

  async showProject(name: string): Promise<{
    name: string;
    root: string;
    targets: Record<
      string,
      {
        executor?: string;
        dependsOn?: unknown[];
        metadata?: Record<string, unknown>;
        cache?: boolean;
        outputs?: string[];
      }
    >;
  }> {
    return JSON.parse((await this.nxOk(['show', 'project', name, '--json'])).stdout);
  }

  async projects(extra: string[] = []): Promise<string[]> {
    return JSON.parse((await this.nxOk(['show', 'projects', '--json', ...extra])).stdout) as string[];
  }

  async graph(): Promise<{
    graph: {
      nodes: Record<string, unknown>;
      dependencies: Record<string, Array<{ source: string; target: string; type: string }>>;
    };
  }> {
    const file = join(this.root, 'tmp', `graph-${Date.now()}.json`);
    await this.nxOk(['graph', `--file=${file}`]);
    return JSON.parse(readFileSync(file, 'utf8'));
  }

  write(path: string, content: string): void {
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

  dispose(): void {
    rmSync(dirname(this.root), { recursive: true, force: true });
  }
}

/** Nx prefixes task output; this keeps only nx-fleet's own summary lines. */
export function fleetLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('nx-fleet:'));
}
