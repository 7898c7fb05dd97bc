import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage } from '../../../tools/fleet-harness/src/base-image';
import { createFleetWorkspace, packPlugin } from '../../../tools/fleet-harness/src/nx-workspace';
import { detectEngine, requireTool } from '../../../tools/fleet-harness/src/tools';
import { TEMPLATE_ENV } from '../../../tools/fleet-harness/src/workspace';

/**
 * Once per run: pack the plugin, create one fresh Nx workspace with the tarball installed as a
 * user would, and build the local node:20 base image. Tests copy the template.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  for (const tool of ['git', 'skopeo', 'docker-registry']) requireTool(tool);
  const engine = detectEngine();
  const tarball = await packPlugin();
  const parent = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-template-'));
  const [template] = await Promise.all([
    createFleetWorkspace(parent, 'template', tarball),
    ensureNodeBaseImage(engine),
  ]);
  process.env[TEMPLATE_ENV] = template;
  console.log(
    `\nnx-fleet e2e: template workspace ${template}, engine ${engine}, ready in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}
