import { posix } from 'node:path';

/**
 * Per-service settings: in `project.json` `metadata.fleet`, in `package.json` `nx.metadata.fleet`,
 * or in the plugin options' `services` map (keyed by project name or root) for projects that
 * cannot be edited. The project's own file wins over the plugin options.
 */
export interface FleetServiceConfig {
  /** Dockerfile elsewhere than the project folder, relative to the workspace root. */
  dockerfile?: string;
  /**
   * `pruned`: a repo-shaped context with only this service's files, the workspace projects it
   * depends on and a pruned package.json + lockfile; `workspace`: the whole repository; `project`:
   * the project folder alone. Unset: inferred from the Dockerfile's COPY/ADD sources.
   */
  context?: ContextMode;
  /** The project target whose outputs the Dockerfile copies (default: the plugin option `buildTarget`, else `build`). */
  buildTarget?: string;
  /** Extra workspace files (globs) a pruned context needs, e.g. `tsconfig.base.json`. */
  contextInclude?: string[];
  image?: string;
  /** The Dockerfile stage to build (`--target`): several services built from one Dockerfile's stages. */
  target?: string;
  /** Build arguments (`--build-arg`), also read when the context is inferred (`COPY apps/${APP}`). */
  buildArgs?: Record<string, string>;
  /**
   * Named build contexts (`--build-context name=…`, bake's `contexts`): a workspace folder the
   * Dockerfile reads with `COPY --from=name` or `FROM name`, or a `docker-image://` reference.
   */
  buildContexts?: Record<string, string>;
  /** `false` opts a project with a Dockerfile out of the fleet. */
  enabled?: boolean;
  /** Checks docker-push waits for; turning one off makes every push warn that it was skipped. */
  gates?: FleetGates;
}

export interface FleetGates {
  scan?: boolean;
  /** contract-verify, for services that consumers have pacts with. */
  contract?: boolean;
}

export const GATE_NAMES = ['scan', 'contract'] as const;

export type ContextMode = 'pruned' | 'workspace' | 'project';
export const CONTEXT_MODES: readonly ContextMode[] = ['pruned', 'workspace', 'project'];

export interface ConfigProblem {
  field: string;
  message: string;
}

/** Keeps the valid fields and reports the others, so one typo never drops a service from the graph. */
export function parseServiceConfig(raw: unknown): { config: FleetServiceConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config: FleetServiceConfig = {};
  if (raw === undefined) return { config, problems };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { config, problems: [{ field: 'fleet', message: 'must be an object' }] };
  }
  const input = raw as Record<string, unknown>;
  for (const [field, value] of Object.entries(input)) {
    switch (field) {
      case 'dockerfile':
      case 'image':
      case 'buildTarget':
      case 'target':
        if (typeof value === 'string' && value) config[field] = value;
        else problems.push({ field, message: 'must be a non-empty string' });
        break;
      case 'context':
        if (CONTEXT_MODES.includes(value as ContextMode)) config.context = value as ContextMode;
        else problems.push({ field, message: `must be one of ${CONTEXT_MODES.join(', ')}` });
        break;
      case 'contextInclude':
        if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
          config.contextInclude = value as string[];
        else problems.push({ field, message: 'must be an array of glob strings' });
        break;
      case 'buildArgs':
        if (
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every((v) => typeof v === 'string')
        )
          config.buildArgs = value as Record<string, string>;
        else problems.push({ field, message: 'must be an object of strings, like { "APP": "web" }' });
        break;
      case 'buildContexts': {
        const problem = buildContextsProblem(value);
        if (problem) problems.push({ field, message: problem });
        else config.buildContexts = value as Record<string, string>;
        break;
      }
      case 'enabled':
        if (typeof value === 'boolean') config.enabled = value;
        else problems.push({ field, message: 'must be true or false' });
        break;
      case 'gates':
        if (
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([k, v]) => (GATE_NAMES as readonly string[]).includes(k) && typeof v === 'boolean',
          )
        )
          config.gates = value as FleetGates;
        else problems.push({ field, message: 'must be an object like { "scan": false, "contract": false }' });
        break;
      default:
        problems.push({
          field,
          message:
            'is not an nx-fleet setting (dockerfile, context, contextInclude, buildTarget, image, target, buildArgs, buildContexts, enabled, gates)',
        });
    }
  }
  return { config, problems };
}

/** What a named build context's value names: a folder (workspace-relative, normalized) or an image. */
export type NamedContextSource = { kind: 'folder'; path: string } | { kind: 'image'; ref: string };

const IMAGE_SCHEME = 'docker-image://';

/**
 * A value of `buildContexts` as docker-build passes it; undefined for what it does not: other
 * schemes (git, https, oci-layout, `target:`), whose contents no content tag could follow, and
 * folders outside the workspace, which Nx hashes nothing of.
 */
export function namedContextSource(value: string): NamedContextSource | undefined {
  if (value.startsWith(IMAGE_SCHEME))
    return value.length > IMAGE_SCHEME.length ? { kind: 'image', ref: value } : undefined;
  if (/^[a-z][\w+.-]*:/i.test(value) || value.startsWith('/')) return undefined;
  const path = posix.normalize(value).replace(/\/+$/, '') || '.';
  return path === '..' || path.startsWith('../') ? undefined : { kind: 'folder', path };
}

function buildContextsProblem(value: unknown): string | undefined {
  const shape =
    'must be an object of names to workspace folders or docker-image:// references, like { "assets": "dist/apps/web" }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shape;
  for (const [name, source] of Object.entries(value)) {
    if (!name || /[\s=]/.test(name)) return `${shape}; "${name}" is no context name`;
    if (typeof source !== 'string' || !namedContextSource(source))
      return `${shape}; "${name}": ${JSON.stringify(source)} is neither (git, https, oci-layout and target: contexts are not passed: their contents are no input Nx or the content tag can follow)`;
  }
  return undefined;
}

/** The `fleet` block of a project.json (`metadata.fleet`) or package.json (`nx.metadata.fleet`). */
export function fleetBlockOf(manifest: ProjectManifest | undefined, kind: 'project.json' | 'package.json'): unknown {
  const metadata = kind === 'project.json' ? manifest?.metadata : manifest?.nx?.metadata;
  return typeof metadata === 'object' && metadata !== null ? (metadata as { fleet?: unknown }).fleet : undefined;
}

export interface ProjectManifest {
  name?: unknown;
  tags?: unknown;
  metadata?: unknown;
  targets?: unknown;
  scripts?: unknown;
  nx?: { metadata?: unknown; name?: unknown; tags?: unknown; targets?: unknown; includedScripts?: unknown };
}
