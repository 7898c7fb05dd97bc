import type { TargetConfiguration } from '@nx/devkit';

/** One project as adopt reads it: only what its own files state, never inferred targets. */
export interface AdoptProject {
  name: string;
  /** Workspace-relative, `.` for a root project. */
  root: string;
  /** Targets stated in its project.json or package.json `nx`. */
  targets: Record<string, TargetConfiguration>;
  /** The `name` in its project.json, else in its package.json (what @nx/docker calls `{projectName}`). */
  manifestName?: string;
  /** Its package.json `scripts`. */
  scripts: Record<string, string>;
  /** Its `release` configuration (project.json, or package.json `nx.release`). */
  release?: { docker?: unknown };
  /** Whether `<root>/Dockerfile` exists: @nx/docker makes its targets from that file alone. */
  hasDockerfile: boolean;
}

/** The parts of nx.json adopt reads. */
export interface AdoptWorkspace {
  plugins: readonly unknown[];
  targetDefaults: Record<string, TargetConfiguration>;
  release?: { docker?: unknown };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
