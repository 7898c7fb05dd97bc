import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markedInsecure, readInsecureLocations, registriesConfFiles } from './insecure-hosts';

describe('registriesConfFiles', () => {
  let dir: string;
  let system: string;
  let home: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nx-fleet-registries-conf-'));
    system = join(dir, 'etc');
    home = join(dir, 'home');
    await mkdir(join(system, 'registries.conf.d'), { recursive: true });
    await mkdir(join(home, '.config/containers/registries.conf.d'), { recursive: true });
    await writeFile(join(system, 'registries.conf'), '# system\n');
    await writeFile(join(system, 'registries.conf.d/20-b.conf'), '# b\n');
    await writeFile(join(system, 'registries.conf.d/10-a.conf'), '# a\n');
    await writeFile(join(system, 'registries.conf.d/README'), 'not a drop-in\n');
    await writeFile(join(home, '.config/containers/registries.conf.d/50-user.conf'), '# user\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const files = (env: Record<string, string>) => registriesConfFiles({ HOME: home, ...env }, system).map((f) => f.file);

  it('reads the main file, then the system drop-ins by name, then the user drop-ins, as containers/image does', () => {
    expect(files({})).toEqual([
      join(system, 'registries.conf'),
      join(system, 'registries.conf.d/10-a.conf'),
      join(system, 'registries.conf.d/20-b.conf'),
      join(home, '.config/containers/registries.conf.d/50-user.conf'),
    ]);
  });

  it("takes CONTAINERS_REGISTRIES_CONF, else the user's registries.conf, as the main file", async () => {
    const own = join(dir, 'own.conf');
    await writeFile(own, '# own\n');
    expect(files({ CONTAINERS_REGISTRIES_CONF: own })[0]).toBe(own);
    await writeFile(join(home, '.config/containers/registries.conf'), '# user main\n');
    expect(files({})[0]).toBe(join(home, '.config/containers/registries.conf'));
    expect(files({})).not.toContain(join(system, 'registries.conf'));
  });

  it('finds a host a drop-in marks insecure, naming the drop-in', async () => {
    const dropIn = join(system, 'registries.conf.d/30-lab.conf');
    await writeFile(dropIn, '[[registry]]\nlocation = "lab.test:5000"\ninsecure = true\n');
    const insecure = readInsecureLocations({ HOME: home }, system);
    expect(markedInsecure('lab.test:5000', insecure)).toEqual({ location: 'lab.test:5000', file: dropIn });
    expect(markedInsecure('lab.test:5001', insecure)).toBeUndefined();
  });
});
