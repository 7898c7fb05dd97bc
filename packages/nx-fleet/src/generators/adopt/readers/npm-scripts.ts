import { setupFromCommands } from './commands';
import type { AdoptProject } from './project';
import type { ImageBuildSetup } from './setup';

/**
 * Every script of the project's package.json that runs an image build, read as a setup. npm runs a
 * script in the package's folder, so paths in it are relative to the project root.
 */
export function readNpmScripts(project: AdoptProject): ImageBuildSetup[] {
  return Object.entries(project.scripts).flatMap(([name, script]) => {
    const setup = setupFromCommands({
      source: `npm script ${name}`,
      oldTarget: name,
      scripts: [script],
      cwd: project.root,
    });
    return setup ? [setup] : [];
  });
}
