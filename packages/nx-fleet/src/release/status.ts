import type { ProjectGraphProjectNode } from '@nx/devkit';
import type { ImageRecord, PushRecord } from '../image/records';
import { repositoryCollisions } from '../image/collisions';
import { replacedBuilds, serviceNodes } from '../services/projects';
import { formatTable } from '../text/table';
import type { ServiceRecords } from './records';

export interface ServiceStatus {
  project: string;
  root: string;
  image?: ImageRecord;
  push?: PushRecord;
  /** The last push is of another content tag than the current image record (a failed or skipped push since). */
  pushOutdated?: boolean;
  /** Other services that push to the same repository: docker-push refuses all of them. */
  sharesRepositoryWith?: string[];
  /** The project's own configuration replaced nx-fleet's build target: why its push cannot run. */
  replacedBuild?: string;
}

/**
 * Every service of the graph with what its last build and push recorded, and the services whose build
 * target the project's own configuration replaced (under `buildTargetName`).
 */
export async function serviceStatuses(
  nodes: readonly ProjectGraphProjectNode[],
  records: ServiceRecords,
  buildTargetName: string,
): Promise<ServiceStatus[]> {
  const collisions = repositoryCollisions(nodes);
  const replaced = replacedBuilds(nodes, buildTargetName).map(({ node, why }) => ({
    project: node.name,
    root: node.data.root,
    replacedBuild: why,
  }));
  const services = await Promise.all(
    serviceNodes(nodes).map(async (node) => {
      const image = await records.image(node.data.root);
      const push = await records.push(node.data.root);
      const others = collisions.find((c) => c.projects.includes(node.name))?.projects.filter((p) => p !== node.name);
      return {
        project: node.name,
        root: node.data.root,
        image,
        push,
        ...(image && push && !isPushOf(push, image) ? { pushOutdated: true } : {}),
        ...(others ? { sharesRepositoryWith: others } : {}),
      };
    }),
  );
  return [...services, ...replaced].sort((a, b) => a.project.localeCompare(b.project));
}

/** A push is of an image record when it carried that record's content tag (a record without tags is not judged). */
function isPushOf(push: PushRecord, image: ImageRecord): boolean {
  return !Array.isArray(push.tags) || push.tags.includes(image.contentTag);
}

function pushState(s: ServiceStatus): string {
  if (!s.push) return 'not pushed';
  const state = s.push.uploaded ? 'uploaded' : 'present';
  return s.pushOutdated ? `${state}, older: ${s.push.tags[0] ?? '?'}` : state;
}

/** The problems under the table, one line each: what docker-push will refuse or what is stale. */
export function statusProblems(statuses: readonly ServiceStatus[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const s of statuses) {
    if (s.sharesRepositoryWith && !seen.has(s.project)) {
      const projects = [s.project, ...s.sharesRepositoryWith].sort();
      projects.forEach((p) => seen.add(p));
      const repository = s.image?.image;
      lines.push(
        `error: the services ${projects.map((p) => `"${p}"`).join(' and ')} share one image repository${repository ? ` ("${repository}")` : ''}: docker-push refuses them until one sets a distinct "image" option.`,
      );
    }
    if (s.replacedBuild) lines.push(`error: ${s.replacedBuild}`);
    if (s.pushOutdated)
      lines.push(
        `${s.project}: the last push is of ${s.push?.tags[0]}, an older content tag than the current image ${s.image?.contentTag}: run docker-push.`,
      );
  }
  return lines;
}

export function formatStatusTable(statuses: readonly ServiceStatus[]): string {
  if (!statuses.length)
    return 'No services: a project becomes one with a Dockerfile or Containerfile beside its project.json or package.json, or one its "metadata": { "fleet": { "dockerfile": … } } names (`nx g nx-fleet:adopt --dry-run` lists what already builds images).';
  const rows = statuses.map((s) => [
    s.project,
    s.image ? `${s.image.image}:${s.image.contentTag}` : '-',
    s.replacedBuild ? 'replaced' : s.image ? (s.image.built ? 'built' : 'reused') : 'not built',
    pushState(s),
    s.push?.reference ?? '-',
  ]);
  const table = formatTable(['SERVICE', 'IMAGE', 'BUILD', 'PUSH', 'PINNED REFERENCE'], rows);
  const problems = statusProblems(statuses);
  return problems.length ? `${table}\n\n${problems.join('\n')}` : table;
}
