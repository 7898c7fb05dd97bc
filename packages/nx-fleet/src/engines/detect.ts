import { ENGINE_NAMES, type EngineName } from '../config/options';
import { run } from '../io/process';
import { dockerEngine } from './docker';
import type { Engine } from './engine';
import { podmanFamilyEngine } from './podman';

export function engineByName(name: EngineName): Engine {
  return name === 'docker' ? dockerEngine() : podmanFamilyEngine(name);
}

export function parseEngineName(value: string, source: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new Error(`nx-fleet: ${source} is "${value}"; use one of ${ENGINE_NAMES.join(', ')}.`);
}

/** docker only counts when its daemon answers: a bare client (common on CI images) cannot build. */
async function answers(command: string, args: string[]): Promise<boolean> {
  try {
    return (await run(command, args, { timeoutMs: 10_000 })).code === 0;
  } catch {
    return false;
  }
}

const probes: ReadonlyArray<[EngineName, string[]]> = [
  ['docker', ['info', '--format', '{{.ServerVersion}}']],
  ['podman', ['--version']],
  ['buildah', ['--version']],
];

export async function detectEngineName(): Promise<EngineName> {
  for (const [name, args] of probes) {
    if (await answers(name, args)) return name;
  }
  throw new Error(
    'nx-fleet: no container engine found: install podman or buildah, or start a Docker daemon (see the README, "Support matrix").',
  );
}

/** Precedence: env FLEET_ENGINE (a CI override), then the option, then detection. */
export async function resolveEngine(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  if (env['FLEET_ENGINE']) return engineByName(parseEngineName(env['FLEET_ENGINE'], 'FLEET_ENGINE'));
  if (option) return engineByName(parseEngineName(option, 'the "engine" option'));
  return engineByName(await detectEngineName());
}
