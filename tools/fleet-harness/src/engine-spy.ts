import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './tools';

export interface EngineCall {
  tool: string;
  args: string;
}

/**
 * Wrappers for the container tools that log each invocation and run the real tool, so a test can
 * prove that an unchanged service caused no engine invocation at all.
 */
export function createEngineSpy(dir: string, tools: readonly string[] = ['podman', 'buildah', 'skopeo']) {
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  mkdirSync(bin, { recursive: true });
  writeFileSync(log, '');
  for (const tool of tools) {
    const real = requireTool(tool);
    const script = join(bin, tool);
    // Test fixture only: the paths are the harness's own, never user input.
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\t%s\\n' ${tool} "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(script, 0o755);
  }
  return {
    env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
    calls(): EngineCall[] {
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [tool, args = ''] = line.split('\t');
          return { tool: tool!, args };
        });
    },
    reset(): void {
      writeFileSync(log, '');
    },
  };
}

export type EngineSpy = ReturnType<typeof createEngineSpy>;

/** Builds and pushes in the log, whichever engine ran them. */
export function builds(calls: EngineCall[]): EngineCall[] {
  return calls.filter(
    (c) =>
      (c.tool === 'podman' && c.args.startsWith('build ')) ||
      (c.tool === 'buildah' && c.args.startsWith('bud ')) ||
      (c.tool === 'docker' && /^(buildx )?build /.test(c.args)),
  );
}

export function pushes(calls: EngineCall[]): EngineCall[] {
  return calls.filter((c) => ['podman', 'buildah', 'docker'].includes(c.tool) && c.args.startsWith('push '));
}
