import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureNodeBaseImage } from './harness/base-image';
import { detectEngine, requireTool, runOk } from './harness/tools';
import { TEMPLATE_ENV } from './harness/workspace';

const repoRoot = resolve(__dirname, '../../..');
export const NX_VERSION = '23.2.1';

/**
 * Once per run: pack the plugin, create one fresh Nx workspace and install the tarball into it as
 * a user would, and build the local node:20 base image. Tests copy the template.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  for (const tool of ['git', 'skopeo', 'docker-registry']) requireTool(tool);
  const engine = detectEngine();

  await runOk(join(repoRoot, 'node_modules', '.bin', 'nx'), ['run', 'nx-fleet:package'], {
    cwd: repoRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  const tarball = join(repoRoot, 'dist', 'nx-fleet.tgz');
  if (!existsSync(tarball)) throw new Error(`npm run package did not produce ${tarball}`);

  const [template] = await Promise.all([createTemplate(tarball), ensureNodeBaseImage(engine)]);
  process.env[TEMPLATE_ENV] = template;
  console.log(`\nnx-fleet e2e: template workspace ${template}, engine ${engine}, ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

async function createTemplate(tarball: string): Promise<string> {
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-template-'));
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };
  // Pinned: the registry's latest create-nx-workspace is another major.
  await runOk('npx', ['--yes', `create-nx-workspace@${NX_VERSION}`, 'template', '--preset=apps', '--nxCloud=skip', '--packageManager=npm', '--interactive=false'], {
    cwd: parent,
    env,
    timeoutMs: 600_000,
  });
  const root = join(parent, 'template');
  await runOk('npm', ['install', '--save-dev', '--no-fund', '--no-audit', tarball], { cwd: root, env, timeoutMs: 600_000 });
  await runOk(join(root, 'node_modules', '.bin', 'nx'), ['g', 'nx-fleet:init', '--no-interactive'], { cwd: root, env });
  await runOk('git', ['add', '-A'], { cwd: root });
  await runOk('git', ['-c', 'user.name=nx-fleet e2e', '-c', 'user.email=e2e@nx-fleet.invalid', 'commit', '--quiet', '-m', 'add nx-fleet'], { cwd: root });
  return root;
}
