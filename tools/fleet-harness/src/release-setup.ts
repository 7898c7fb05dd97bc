import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from './registry';
import { run, runOk, type RunResult } from './tools';
import { type PluginMode, TestWorkspace } from './workspace';

/** The ledger as `nx-fleet release` writes it (deploy/fleet.json). */
export interface LedgerJson {
  environments: Record<
    string,
    Record<string, { image: string; digest: string; contentTag: string; gitSha: string; releasedAt?: string }>
  >;
}

/**
 * What every release scenario shares: a copy of the template workspace with a committing git
 * identity, a loopback registry as FLEET_REGISTRY, and `nx-fleet release --env <environment>` run
 * the way a user runs it (the workspace's own bin, its own cwd).
 */
export interface ReleaseHarness {
  ws: TestWorkspace;
  registry: RunningRegistry;
  environment: string;
  /** The workspace's environment with the registry (and no Pact telemetry). */
  env(): NodeJS.ProcessEnv;
  /** `nx-fleet release --env <environment> ...args`; resolves for any exit status. */
  release(args: string[]): Promise<RunResult>;
  /** With --json; a non-zero exit throws with both outputs. */
  releaseJson<T>(args: string[]): Promise<T>;
  ledger(): LedgerJson;
  stop(): Promise<void>;
}

export async function startReleaseHarness(
  label: string,
  environment = 'production',
  plugins?: PluginMode,
): Promise<ReleaseHarness> {
  const ws = TestWorkspace.create(label, 'nx23', plugins);
  let registry: RunningRegistry;
  try {
    registry = await startRegistry();
    await runOk('git', ['config', 'user.name', 'release-bot'], { cwd: ws.root });
    await runOk('git', ['config', 'user.email', 'release-bot@example.invalid'], { cwd: ws.root });
  } catch (error) {
    ws.dispose();
    throw error;
  }
  const env = () => ({ ...ws.env(), FLEET_REGISTRY: registry.host, PACT_DO_NOT_TRACK: 'true' });
  const release = (args: string[]) =>
    run(join(ws.root, 'node_modules/.bin/nx-fleet'), ['release', '--env', environment, ...args], {
      cwd: ws.root,
      env: env(),
    });
  return {
    ws,
    registry,
    environment,
    env,
    release,
    async releaseJson<T>(args: string[]) {
      const result = await release([...args, '--json']);
      if (result.code !== 0) throw new Error(`release failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    ledger: () => ws.readJson<LedgerJson>('deploy/fleet.json'),
    async stop() {
      await registry.stop();
      ws.dispose();
    },
  };
}
