import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { TEMPLATE_ENV } from '../../../tools/fleet-harness/src/workspace';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (template) rmSync(dirname(template), { recursive: true, force: true });
}
