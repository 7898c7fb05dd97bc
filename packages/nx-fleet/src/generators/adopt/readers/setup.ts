import type { BuildSecret } from '../../../engines/engine';
import type { TargetConfiguration } from '@nx/devkit';
import { isValidRepository, parseImageRef } from './image-ref';

/** What already builds a project's image, as one reader understood it: plain data for the plan. */
export interface ImageBuildSetup {
  /** Where it was found, as the table names it: `@nx/docker target docker:build`, `npm script docker:build`… */
  source: string;
  /** The target or script that builds the image today: it is kept, and the notes say it can go. */
  oldTarget?: string;
  /**
   * `oldTarget` is a target of the project's own configuration (run-commands) that adopt may rewrite:
   * one that has nx-fleet's build target name becomes nx-fleet's build target.
   */
  rewritable?: true;
  /** Workspace-relative. */
  dockerfile?: string;
  /** Workspace-relative directory sent to the engine. */
  context?: string;
  /** Repository without registry or tag. */
  image?: string;
  buildArgs?: Record<string, string>;
  buildContexts?: Record<string, string>;
  target?: string;
  /** The platforms it builds for (`--platform`, nx-container's `platforms`). */
  platforms?: string[];
  /** The build secrets it passes (`--secret`): docker-build's `secrets`. */
  secrets?: BuildSecret[];
  dependsOn?: NonNullable<TargetConfiguration['dependsOn']>;
  /** What could not be carried over, and why. */
  problems: string[];
  /** Facts worth knowing that need no action (a registry, other tags). */
  notes: string[];
}

export function emptySetup(source: string, oldTarget?: string): ImageBuildSetup {
  return { source, ...(oldTarget ? { oldTarget } : {}), problems: [], notes: [] };
}

/**
 * The image name from the references a setup tags: the repository of the first usable one that
 * names a registry — the one pushed, where a local name is tagged beside it
 * (sovereign-university's `["…-api", "ghcr.io/decouvrebitcoin/…-api"]`) — else of the first usable
 * one; registries and other repositories become notes, a name that depends on the environment a
 * problem.
 */
export function imageFromReferences(
  references: readonly string[],
  setup: ImageBuildSetup,
  /** False where the order given is the preference (@nx/docker's release repository first). */
  preferPushed = true,
): void {
  const repositories: string[] = [];
  const tags: string[] = [];
  let pushed: string | undefined;
  for (const reference of references) {
    const ref = parseImageRef(reference);
    if (/[$`{}]/.test(ref.repository) || (ref.registry && /[$`{}]/.test(ref.registry))) {
      setup.problems.push(`image ${reference}: its name depends on the environment`);
      continue;
    }
    if (!isValidRepository(ref.repository)) {
      setup.problems.push(
        `image ${reference}: "${ref.repository}" is not a valid repository name${ref.repository.startsWith('@') ? " (an npm package's scope: an image repository has none)" : ''}`,
      );
      continue;
    }
    if (ref.registry && !setup.notes.some((note) => note.includes(ref.registry!)))
      setup.notes.push(`registry ${ref.registry}: set nx-fleet's registry option (images are pushed there)`);
    if (!repositories.includes(ref.repository)) repositories.push(ref.repository);
    if (ref.registry && preferPushed) pushed ??= ref.repository;
    // @nx/docker's commit tokens name the tag nx-fleet gives too.
    if (ref.tag !== undefined && !/commitSha/i.test(ref.tag) && !tags.includes(ref.tag)) tags.push(ref.tag);
  }
  if (tags.length) setup.notes.push(uncarriedTags(`tags ${tags.join(', ')}`));
  const [image, ...others] = pushed ? [pushed, ...repositories.filter((r) => r !== pushed)] : repositories;
  if (image) setup.image = image;
  if (others.length) setup.notes.push(`also tagged ${others.join(', ')}: nx-fleet names one repository per service`);
}

/** A note for the tags a setup gives its image, which nx-fleet does not carry over. */
export function uncarriedTags(what: string): string {
  return `${what}: not carried over: nx-fleet tags each image with its content tag and the commit's short SHA (docker-push's "tags" adds fixed ones, "latest": true the latest tag)`;
}
