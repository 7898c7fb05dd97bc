import { runCommandsCwd, runCommandsScripts, setupFromCommands } from './commands';
import { readNpmScripts } from './npm-scripts';
import { readNxContainer } from './nx-container';
import { readNxDocker } from './nx-docker';
import type { AdoptProject, AdoptWorkspace } from './project';
import type { ImageBuildSetup } from './setup';

export type { AdoptProject, AdoptWorkspace } from './project';
export type { ImageBuildSetup } from './setup';

/** run-commands targets the project states that run `docker build` (a repo's own `container` target). */
export function readRunCommands(project: AdoptProject, skip: ReadonlySet<string>): ImageBuildSetup[] {
  return Object.entries(project.targets).flatMap(([name, config]) => {
    if (skip.has(name)) return [];
    const scripts = runCommandsScripts(config);
    const setup = scripts
      ? setupFromCommands({
          source: `run-commands target ${name}`,
          oldTarget: name,
          scripts,
          cwd: runCommandsCwd(config),
          dependsOn: config.dependsOn,
        })
      : undefined;
    return setup ? [{ ...setup, rewritable: true as const }] : [];
  });
}

/**
 * Everything that builds the project's image today, most explicit first: nx-container targets, the
 * project's own run-commands targets, @nx/docker's target, npm scripts. The plan adopts the first.
 */
export function readSetups(project: AdoptProject, workspace: AdoptWorkspace): ImageBuildSetup[] {
  const nxDocker = readNxDocker(project, workspace);
  // nx-fleet's own target runs no command: a run-commands target under its name is the user's build, read.
  const skip = new Set(nxDocker?.oldTarget ? [nxDocker.oldTarget] : []);
  return [
    ...readNxContainer(project),
    ...readRunCommands(project, skip),
    ...(nxDocker ? [nxDocker] : []),
    ...readNpmScripts(project),
  ];
}
