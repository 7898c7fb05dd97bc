import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeRunStorage } from '../../../tools/fleet-harness/src/container-storage';
import { RUN_STORAGE_ENV, TEMPLATE_ENVS } from '../../../tools/fleet-harness/src/workspace';

export default async function globalTeardown(): Promise<void> {
  const storage = process.env[RUN_STORAGE_ENV];
  if (storage) await removeRunStorage(storage);
  const parents = new Set<string>();
  for (const variable of Object.values(TEMPLATE_ENVS)) {
    const template = process.env[variable];
    if (template) parents.add(dirname(template));
  }
  for (const parent of parents) rmSync(parent, { recursive: true, force: true });
}
