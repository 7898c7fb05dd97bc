import { ENGINE_NAMES, type EngineName } from '../config/options';
import { FLEET_ENV } from '../config/settings';
import type { Ports, ProcessRunner } from '../io/ports';
import { dockerEngine } from './docker';
import type { Engine } from './engine';
import { podmanFamilyEngine } from './podman';

/** What an engine needs: the tools it runs, and the environment docker's builds run in. */
export type EnginePorts = Pick<Ports, 'processes' | 'env'>;

export function engineByName(name: EngineName, ports: EnginePorts): Engine {
  return name === 'docker' ? dockerEngine(ports.processes, ports.env) : podmanFamilyEngine(name, ports.processes);
}

export function parseEngineName(value: string, source: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new Error(`nx-fleet: ${source} is "${value}"; use one of ${ENGINE_NAMES.join(', ')}.`);
}

/** docker only counts when its daemon answers: a bare client (common on CI images) cannot build. */
async function answers(processes: ProcessRunner, command: string, args: string[]): Promise<boolean> {
  try {
    return (await processes.run(command, args, { timeoutMs: 10_000 })).code === 0;
  } catch {
    return false;
  }
}

const probes: ReadonlyArray<[EngineName, string[]]> = [
  ['docker', ['info', '--format', '{{.ServerVersion}}']],
  ['podman', ['--version']],
  ['buildah', ['--version']],
];

export async function detectEngineName(processes: ProcessRunner): Promise<EngineName> {
  for (const [name, args] of probes) {
    if (await answers(processes, name, args)) return name;
  }
  throw new Error(
    'nx-fleet: no container engine found: install podman or buildah, or start a Docker daemon (see the README, "Support matrix").',
  );
}

/** Precedence: env FLEET_ENGINE (a CI override), then the option, then detection. */
export async function resolveEngine(ports: EnginePorts, option: string | undefined): Promise<Engine> {
  const fromEnv = ports.env[FLEET_ENV.engine];
  if (fromEnv) return engineByName(parseEngineName(fromEnv, FLEET_ENV.engine), ports);
  if (option) return engineByName(parseEngineName(option, 'the "engine" option'), ports);
  return engineByName(await detectEngineName(ports.processes), ports);
}
