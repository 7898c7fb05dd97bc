import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './nx-workspace';

/** A report the suite feeds the plugin, from the harness's own fixtures (the plugin's unit-test ones stay private). */
export function fixture(name: string): string {
  return join(REPO_ROOT, 'tools', 'fleet-harness', 'fixtures', name);
}

/** Every file under a directory with its bytes (base64), for byte-for-byte comparisons. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return out;
}
