// Packs the built plugin into the tarball a user installs: npm pack decides what ships, not us.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [packageDir, tarball] = process.argv.slice(2);
if (!packageDir || !tarball) {
  console.error('usage: node scripts/pack.mjs <built-package-dir> <tarball>');
  process.exit(2);
}
const out = mkdtempSync(join(tmpdir(), 'nx-fleet-pack-'));
execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
  cwd: resolve(packageDir),
  stdio: ['ignore', 'ignore', 'inherit'],
});
const [packed] = readdirSync(out).filter((file) => file.endsWith('.tgz'));
renameSync(join(out, packed), resolve(tarball));
rmSync(out, { recursive: true, force: true });
console.log(`nx-fleet: packed ${resolve(tarball)}`);
