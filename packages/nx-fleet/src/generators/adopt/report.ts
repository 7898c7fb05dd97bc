import { posix } from 'node:path';
import { listed } from '../../text/listed';
import { formatTable } from '../../text/table';
import type { ProjectAdoption } from './plan';

const HEADER = ['SERVICE', 'DOCKERFILE', 'CONTEXT', 'WHY', 'IMAGE', 'NOT ADOPTED'];

/** A service whose project only nx-fleet makes (a named package.json in none of the package manager's workspaces). */
export interface FleetOnlyProject {
  name: string;
  root: string;
  /** Workspace projects its Dockerfile's final stages are named after: each stage is that project's image. */
  staged?: { dockerfile: string; projects: readonly string[] };
}

/** A project whose own Dockerfile the plugin option `exclude` hides from the graph (ever-teams' CI-pushed examples). */
export interface ExcludedProject {
  name: string;
  dockerfile: string;
  pattern: string;
}

/** Why adopt cannot write such a project's settings, and what makes it a project Nx's generators know. */
export function fleetOnlyNote({ name, root, staged }: FleetOnlyProject): string {
  const manifest = posix.join(root, 'package.json');
  const where = root === '.' ? 'the workspace root' : root;
  const stages = staged
    ? ` Where ${staged.dockerfile}'s final stages ${listed(staged.projects)} are those projects' images (built with that target), adopt it for each of them instead (${staged.projects.map((project) => `\`nx g nx-fleet:adopt --project ${project} --dockerfile ${staged.dockerfile}\``).join(', ')}: the target is the stage named after the project).`
    : '';
  return `nx-fleet adopt: ${name} is a project only nx-fleet makes, of ${manifest}, which is in none of the package manager's workspaces: Nx's generators can read and write no configuration of it. Add a project.json with "name": "${name}" to ${where} (or list ${root === '.' ? 'the root' : 'the folder'} in the workspaces), then run adopt again.${stages}`;
}

/**
 * The table adopt prints (the same with --dry-run), then the notes per service, then the projects whose
 * own Dockerfile the plugin option `exclude` hides. With no service, the Dockerfiles no project is
 * beside (ever-gauzy's `.deploy/*`), with how to adopt one.
 */
export function adoptionReport(
  plans: readonly ProjectAdoption[],
  buildTargetName: string,
  others: {
    projectless?: readonly string[];
    fleetOnly?: readonly FleetOnlyProject[];
    excluded?: readonly ExcludedProject[];
  } = {},
): string {
  const { projectless = [], fleetOnly = [], excluded = [] } = others;
  const hidden = excluded.length
    ? [
        '',
        `Left out by the plugin option "exclude" (no service, no note in the graph): ${listed(excluded.map(({ name, dockerfile, pattern }) => `${name} (${dockerfile}, ${pattern})`))}. Adopt one with \`nx g nx-fleet:adopt --project <name>\`: its metadata.fleet.dockerfile then names the Dockerfile, which exclusions do not apply to.`,
      ]
    : [];
  if (!plans.length && fleetOnly.length)
    return [
      "nx-fleet adopt: no project Nx's generators can write builds an image here.",
      ...fleetOnly.map((project) => `  ${fleetOnlyNote(project)}`),
      ...(projectless.length ? [`  No project is beside ${listed(projectless)}.`] : []),
      ...hidden,
    ].join('\n');
  const projectlessAdvice =
    'Where the Dockerfile\'s folder is its own service (spacedrive\'s apps/server), add a project.json with a "name" to that folder; where it builds another project, adopt it for that one with `nx g nx-fleet:adopt --project <name> --dockerfile <path>`, or name it in the plugin option `services`.';
  if (!plans.length)
    return [
      projectless.length
        ? `nx-fleet adopt: no project builds an image here; ${projectless.length === 1 ? 'one Dockerfile has' : `${projectless.length} Dockerfiles have`} no project beside ${projectless.length === 1 ? 'it' : 'them'} (${listed(projectless)}). ${projectlessAdvice}`
        : excluded.length
          ? 'nx-fleet adopt: no project builds an image here but the ones the plugin option "exclude" leaves out (below).'
          : 'nx-fleet adopt: no project builds an image here (no Dockerfile, @nx/docker target, nx-container target, run-commands or npm script running docker build).',
      ...hidden,
    ].join('\n');
  const rows = plans.map(({ row }) => [row.service, row.dockerfile, row.context, row.why, row.image, row.notAdopted]);
  const notes = plans.flatMap((plan) => plan.notes.map((note) => `  ${plan.project}: ${note}`));
  const skipped = plans.filter((plan) => !plan.write).map((plan) => plan.project);
  return [
    formatTable(HEADER, rows),
    ...(skipped.length ? ['', `Not adopted (nothing written): ${skipped.join(', ')}.`] : []),
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
    // Beside the adopted ones too (FreeStuff's legacy bot, a package.json outside the workspaces).
    ...(fleetOnly.length ? ['', ...fleetOnly.map(fleetOnlyNote)] : []),
    ...(projectless.length
      ? [
          '',
          `No project is beside ${listed(projectless)}, and none above builds ${projectless.length === 1 ? 'it' : 'them'}. ${projectlessAdvice}`,
        ]
      : []),
    ...hidden,
    '',
    `Build with: nx run <service>:${buildTargetName}`,
  ].join('\n');
}
