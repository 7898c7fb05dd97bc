import { formatTable } from '../../text/table';
import type { ProjectAdoption } from './plan';

const HEADER = ['SERVICE', 'DOCKERFILE', 'CONTEXT', 'WHY', 'IMAGE', 'NOT ADOPTED'];

/** The table adopt prints (the same with --dry-run), then the notes per service. */
export function adoptionReport(plans: readonly ProjectAdoption[], buildTargetName: string): string {
  if (!plans.length)
    return 'nx-fleet adopt: no project builds an image here (no Dockerfile, @nx/docker target, nx-container target, run-commands or npm script running docker build).';
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
