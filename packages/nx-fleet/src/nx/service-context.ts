import type { NormalizedFleetOptions } from '../config/options';
import type { FleetServiceConfig } from '../config/service-settings';
import {
  contextNeeds,
  inferContext,
  statedMode,
  type ChosenMode,
  type ContextChoice,
  type ContextFacts,
} from '../image/context-inference';

/** A service's build context as its targets state it: the choice, why, and what decided it. */
export interface ServiceContext extends ContextChoice {
  origin: 'inferred' | 'target options' | 'service settings' | 'plugin option';
  /** The project target docker-build depends on when the Dockerfile copies build outputs. */
  buildTarget: string;
  /**
   * The project has no such target, for certain: the outputs it would write are sources Nx cannot
   * hash (in `unlisted`), and docker-build waits for nothing (Nx would drop the dependency unsaid).
   */
  buildTargetMissing?: true;
  /** No target is stated and the last stage is a development one: the stage docker-build builds instead (`target`). */
  shippedStage?: { stage: string; instead: string };
  /**
   * Producers whose project has no such target, for certain: their outputs are sources Nx cannot hash
   * (in `unlisted`), and docker-build waits for none of them.
   */
  missingProducers?: Array<{ output: string; project: string; target: string }>;
}

/**
 * The context without the producers whose project has no such target, for certain (`hasTarget` says
 * false; undefined when another plugin may infer it): Nx would drop the dependency unsaid and cache
 * the build without the output in its hash (illa's root image copies `apps/builder/dist`, which
 * illa-builder builds with `build-cloud`: it has no `build`).
 */
export function withoutMissingProducers(
  context: ServiceContext,
  defaultTarget: string,
  hasTarget: (project: string, target: string) => boolean | undefined,
): ServiceContext {
  const missing = (context.producers ?? [])
    .map(({ output, project, target = defaultTarget }) => ({ output, project, target }))
    .filter(({ project, target }) => hasTarget(project, target) === false);
  if (!missing.length) return context;
  const gone = new Set(missing.map((p) => p.output));
  const producers = (context.producers ?? []).filter((p) => !gone.has(p.output));
  const { producers: _all, ...rest } = context;
  return {
    ...rest,
    ...(producers.length ? { producers } : {}),
    unlisted: [...new Set([...(context.unlisted ?? []), ...gone])],
    missingProducers: missing,
  };
}

const SET_BY: Record<ServiceContext['origin'], string> = {
  inferred: 'Dockerfile',
  'target options': "project's own docker-build options (context, prune)",
  'service settings': "service's settings",
  'plugin option': 'plugin option "context"',
};

/**
 * Settings always win over inference: the service's own (`metadata.fleet` or the plugin option
 * `services`; a `contextInclude` there asks for a pruned context), then the plugin-wide `context`. Whatever decided the mode, the Dockerfile still says
 * which workspace paths and build outputs the context must hold. Without facts (the Dockerfile could
 * not be read) an unset context is pruned, the default of generated services.
 */
export function resolveServiceContext(
  config: FleetServiceConfig,
  options: NormalizedFleetOptions,
  facts: ContextFacts | undefined,
  projectRoot = facts?.projectRoot,
): ServiceContext {
  const buildTarget = config.buildTarget ?? options.buildTarget;
  // The project's own docker-build options are what the engine gets (Nx merges them over nx-fleet's).
  const stated = facts && statedMode(facts);
  // contextInclude only means something in a pruned context: a service that sets it (as generated ones do) asks for one.
  const setMode: { mode: ChosenMode; origin: ServiceContext['origin'] } | undefined = stated
    ? { mode: stated, origin: 'target options' }
    : config.context
      ? { mode: config.context, origin: 'service settings' as const }
      : config.contextInclude
        ? { mode: 'pruned' as const, origin: 'service settings' as const }
        : options.context
          ? { mode: options.context, origin: 'plugin option' as const }
          : undefined;
  // The project folder of a service at the workspace root is the workspace, nested projects' files
  // too, which Nx gives to those projects (nx-recipes' store-api, set to "project").
  const rootProject = setMode?.mode === 'project' && projectRoot === '.';
  const set = setMode && rootProject ? { ...setMode, mode: 'workspace' as const } : setMode;
  const explicitInclude = config.contextInclude ?? options.contextInclude;
  const inferred: ContextChoice = facts
    ? set
      ? {
          mode: set.mode,
          reason: rootProject
            ? `set to project by the ${SET_BY[set.origin]}: at the workspace root, the workspace`
            : `set to ${set.mode} by the ${SET_BY[set.origin]}`,
          ...contextNeeds(facts, set.mode),
        }
      : inferContext(facts)
    : {
        mode: set?.mode ?? 'pruned',
        reason: set ? `set to ${set.mode}` : 'the Dockerfile could not be read',
        include: [],
        outputs: [],
      };
  const chosen: ServiceContext = {
    ...inferred,
    include: [...new Set([...explicitInclude, ...inferred.include])],
    ...(inferred.includeInputs ? { includeInputs: [...new Set([...explicitInclude, ...inferred.includeInputs])] } : {}),
    origin: set?.origin ?? 'inferred',
    buildTarget,
    ...(facts?.shippedStage ? { shippedStage: facts.shippedStage } : {}),
  };
  const targets = facts?.projectTargets;
  if (!targets?.complete || targets.names.includes(buildTarget)) return chosen;
  // dyrectorio's agent: a Go binary built outside Nx into a git-ignored folder the Dockerfile copies.
  const produced = new Set((inferred.producers ?? []).map((p) => p.output));
  const own = [...inferred.outputs, ...(inferred.named?.outputs ?? [])].filter((output) => !produced.has(output));
  return own.length
    ? { ...chosen, unlisted: [...new Set([...(inferred.unlisted ?? []), ...own])], buildTargetMissing: true }
    : chosen;
}
