import { listed } from '../../text/listed';
import { formatTable } from '../../text/table';
import type { ProjectAdoption } from './plan';

const HEADER = ['SERVICE', 'DOCKERFILE', 'CONTEXT', 'WHY', 'IMAGE', 'NOT ADOPTED'];

/**
 * The table adopt prints (the same with --dry-run), then the notes per service. With no service, the
 * Dockerfiles no project is beside (ever-gauzy's `.deploy/*`), with how to adopt one.
 */
export function adoptionReport(
  plans: readonly ProjectAdoption[],
  buildTargetName: string,
  projectless: readonly string[] = [],
): string {
  if (!plans.length)
    return projectless.length
      ? `nx-fleet adopt: no project builds an image here; ${projectless.length === 1 ? 'one Dockerfile has' : `${projectless.length} Dockerfiles have`} no project beside ${projectless.length === 1 ? 'it' : 'them'} (${listed(projectless)}). Adopt one for the project it builds with \`nx g nx-fleet:adopt --project <name> --dockerfile <path>\`, or name it in the plugin option \`services\`.`
      : 'nx-fleet adopt: no project builds an image here (no Dockerfile, @nx/docker target, nx-container target, run-commands or npm script running docker build).';
  const rows = plans.map(({ row }) => [row.service, row.dockerfile, row.context, row.why, row.image, row.notAdopted]);
  const notes = plans.flatMap((plan) => plan.notes.map((note) => `  ${plan.project}: ${note}`));
  const skipped = plans.filter((plan) => !plan.write).map((plan) => plan.project);
  return [
    formatTable(HEADER, rows),
    ...(skipped.length ? ['', `Not adopted (nothing written): ${skipped.join(', ')}.`] : []),
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
    '',
    `Build with: nx run <service>:${buildTargetName}`,
  ].join('\n');
}
