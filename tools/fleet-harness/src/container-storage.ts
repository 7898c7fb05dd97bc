import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool, run, runOk } from './tools';

const STORAGE_CONF = 'CONTAINERS_STORAGE_CONF';

/**
 * Gives this run (and every process it starts: podman, buildah, skopeo, nx) an image store of its
 * own under `parent`, through containers/storage's CONTAINERS_STORAGE_CONF. Tests tag every image
 * with their workspace id, so a shared store only grows: a machine that ran the suite a few dozen
 * times holds a thousand images, and every build and lookup slows with them. The store's driver is
 * the machine's own. Returns the directory `removeRunStorage` deletes; with docker (one daemon's store),
 * nothing.
 */
export async function useRunStorage(parent: string, engine: string): Promise<string | undefined> {
  if (engine !== 'podman') return undefined;
  const driver = (await runOk(requireTool('podman'), ['info', '--format', '{{.Store.GraphDriverName}}'])).stdout.trim();
  const dir = join(parent, 'containers');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'storage.conf');
  const lines = [
    '[storage]',
    `driver = ${JSON.stringify(driver)}`,
    `graphroot = ${JSON.stringify(join(dir, 'storage'))}`,
    `runroot = ${JSON.stringify(join(dir, 'run'))}`,
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  process.env[STORAGE_CONF] = conf;
  return dir;
}

/** Removes the run's store: its containers and images first (overlay layers are mounts), then the folder. */
export async function removeRunStorage(dir: string): Promise<void> {
  const podman = requireTool('podman');
  await run(podman, ['rm', '--all', '--force', '--time', '0']);
  await run(podman, ['rmi', '--all', '--force']);
  rmSync(dir, { recursive: true, force: true });
}
