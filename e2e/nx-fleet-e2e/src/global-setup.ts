import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage } from '../../../tools/fleet-harness/src/base-image';
import { useRunStorage } from '../../../tools/fleet-harness/src/container-storage';
import { createFleetWorkspace, packPlugin } from '../../../tools/fleet-harness/src/nx-workspace';
import { createNx24BareWorkspace, createNx24FleetWorkspace } from '../../../tools/fleet-harness/src/nx24-workspace';
import { detectEngine, requireTool } from '../../../tools/fleet-harness/src/tools';
import { RUN_STORAGE_ENV, TEMPLATE_ENVS } from '../../../tools/fleet-harness/src/workspace';

/**
 * Once per run: pack the plugin, create the template workspaces tests copy — a fresh Nx 23
 * workspace with the tarball installed as a user would, and a hand-written Nx 24 one before and
 * after the same install — and build the local node:20 base image in the run's own image store
 * (podman), all side by side.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
  for (const tool of ['git', 'skopeo', 'docker-registry']) requireTool(tool);
  const engine = detectEngine();
  const tarball = await packPlugin();
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-template-'));
  const storage = await useRunStorage(parent, engine);
  if (storage) process.env[RUN_STORAGE_ENV] = storage;
  const timings: string[] = [];
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const since = Date.now();
    const result = await work();
    timings.push(`${label} ${seconds(since)}`);
    return result;
  };
  const [nx23, [nx24Bare, nx24]] = await Promise.all([
    timed('nx23', () => createFleetWorkspace(parent, 'template', tarball)),
    timed('nx24', async () => {
      const bare = await createNx24BareWorkspace(parent, 'nx24-bare');
      return [bare, await createNx24FleetWorkspace(bare, parent, 'nx24', tarball)] as const;
    }),
    timed('base image', () => ensureNodeBaseImage(engine)),
  ]);
  process.env[TEMPLATE_ENVS.nx23] = nx23;
  process.env[TEMPLATE_ENVS.nx24] = nx24;
  process.env[TEMPLATE_ENVS['nx24-bare']] = nx24Bare;
  console.log(
    `\nnx-fleet e2e: template workspaces in ${parent} (${timings.join(', ')}), engine ${engine}, ready in ${seconds(started)}`,
  );
}
