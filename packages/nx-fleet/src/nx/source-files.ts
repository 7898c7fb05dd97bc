import { deepestAt } from '../runtime-graph/sdk-ownership';
import type { WorkspaceFileData } from './devkit-internal';

export interface SourceFiles {
  /** Each project's files, by project name. */
  projectFiles: Record<string, WorkspaceFileData[]>;
  /** Files outside every project (the root tsconfig, package.json, …). */
  otherFiles: WorkspaceFileData[];
}

/**
 * Every file under the deepest project root that holds it, as Nx assigns files to projects: a nested
 * SDK's files are the SDK's, not its service's.
 */
export function filesByProject(
  files: readonly WorkspaceFileData[],
  projects: ReadonlyArray<{ name: string; root: string }>,
): SourceFiles {
  const byRoot = new Map(projects.map((p) => [p.root, p.name]));
  const projectFiles: Record<string, WorkspaceFileData[]> = Object.fromEntries(projects.map((p) => [p.name, []]));
  const otherFiles: WorkspaceFileData[] = [];
  for (const data of files) {
    const owner = deepestAt(byRoot, data.file);
    if (owner === undefined) otherFiles.push(data);
    else projectFiles[owner]!.push(data);
  }
  return { projectFiles, otherFiles };
}
