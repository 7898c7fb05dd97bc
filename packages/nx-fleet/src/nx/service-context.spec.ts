import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../config/options';
import type { ContextFacts } from '../image/context-inference';
import { resolveServiceContext } from './service-context';

/** A Dockerfile copying a folder source, the Nx build output and a root file: the workspace paths outnumber it. */
const FACTS: ContextFacts = {
  projectRoot: 'apps/api',
  dockerfile: 'apps/api/Dockerfile',
  dockerfileText: 'FROM node:20\nCOPY src/ ./src/\nCOPY dist/apps/api ./dist\nCOPY tsconfig.base.json ./\n',
  files: ['apps/api/src/main.ts', 'tsconfig.base.json'],
  ignore: { project: [], workspace: [] },
};

describe('resolveServiceContext', () => {
  it('infers the mode when nothing sets it, with the build target to depend on', () => {
    expect(resolveServiceContext({}, normalizeOptions({}), FACTS)).toMatchObject({
      mode: 'pruned',
      origin: 'inferred',
      buildTarget: 'build',
      include: ['tsconfig.base.json'],
      outputs: ['dist/apps/api'],
    });
  });

  it.each([
    [
      'the service settings win over the plugin option',
      { context: 'workspace' as const },
      { context: 'project' as const },
      'workspace',
      'service settings',
    ],
    ['the plugin option wins over inference', {}, { context: 'pruned' as const }, 'pruned', 'plugin option'],
  ])('%s', (_, config, plugin, mode, origin) => {
    const result = resolveServiceContext(config, normalizeOptions(plugin), FACTS);
    expect(result).toMatchObject({ mode, origin, outputs: ['dist/apps/api'] });
    expect(result.reason).toMatch(new RegExp(`^set to ${mode} by the`));
  });

  it.each([
    ['the service settings', { context: 'project' as const }, undefined, "service's settings"],
    [
      "the project's own docker-build options",
      {},
      { context: '.' },
      "project's own docker-build options (context, prune)",
    ],
  ])(
    "a project context at the workspace root is the workspace, nested projects' files too (%s: nx-recipes' store-api)",
    (_, config, statedContext, by) => {
      const facts: ContextFacts = {
        ...FACTS,
        projectRoot: '.',
        dockerfile: 'Dockerfile',
        dockerfileText: 'FROM node:20\nCOPY . .\n',
        ...(statedContext ? { statedContext } : {}),
      };
      const result = resolveServiceContext(config, normalizeOptions({}), facts);
      expect(result).toMatchObject({ mode: 'workspace' });
      expect(result.reason).toBe(`set to project by the ${by}: at the workspace root, the workspace`);
      // Without facts (the Dockerfile unread), the project root says it.
      expect(resolveServiceContext(config, normalizeOptions({}), undefined, '.').mode).toBe(
        statedContext ? 'pruned' : 'workspace',
      );
      expect(resolveServiceContext({ context: 'project' }, normalizeOptions({}), FACTS).mode).toBe('project');
    },
  );

  it.each([
    [{ context: 'backend', prune: false }, 'folder', { folder: 'backend' }],
    [{ context: 'apps/api' }, 'project', {}],
    [{ context: '.', prune: true }, 'pruned', {}],
    [{ context: '.' }, 'workspace', {}],
  ])("the project's own docker-build options %j win over everything: %s", (statedContext, mode, folder) => {
    const facts = {
      ...FACTS,
      statedContext,
      dockerfile: 'backend/Dockerfile',
      files: [...FACTS.files, 'backend/go.mod', 'backend/main.go'],
      dockerfileText: 'FROM golang:1\nCOPY go.mod main.go ./\n',
      folderIgnore: ['*.md'],
    };
    const result = resolveServiceContext({ context: 'workspace' }, normalizeOptions({ context: 'pruned' }), facts);
    expect(result).toMatchObject({ mode, origin: 'target options', ...folder });
    expect(result.reason).toBe(`set to ${mode} by the project's own docker-build options (context, prune)`);
    if (mode === 'folder') expect(result.unlisted).toBeUndefined();
  });

  it('a set pruned context keeps the includes its Dockerfile needs, after the configured ones', () => {
    const result = resolveServiceContext(
      { contextInclude: ['.npmrc'], buildTarget: 'compile' },
      normalizeOptions({ context: 'pruned', buildTarget: 'bundle' }),
      FACTS,
    );
    expect(result).toMatchObject({ include: ['.npmrc', 'tsconfig.base.json'], buildTarget: 'compile' });
    // An included folder its ignore file trims is named by what it sends; the configured includes stay inputs.
    const trimmed = resolveServiceContext({ contextInclude: ['.npmrc'] }, normalizeOptions({}), {
      ...FACTS,
      dockerfileText: 'FROM node:20\nCOPY libs/ui libs/ui\n',
      files: [...FACTS.files, 'libs/ui/index.ts', 'libs/ui/stories/a.tsx'],
      ignore: { project: [], workspace: ['libs/ui/stories'] },
    });
    expect(trimmed).toMatchObject({ include: ['.npmrc', 'libs/ui/**'], includeInputs: ['.npmrc', 'libs/ui/index.ts'] });
  });

  it("a service's contextInclude asks for a pruned context (services generated before inference set no context)", () => {
    expect(
      resolveServiceContext({ contextInclude: ['tsconfig.base.json'] }, normalizeOptions({}), FACTS),
    ).toMatchObject({
      mode: 'pruned',
      origin: 'service settings',
      reason: "set to pruned by the service's settings",
    });
  });

  it('outputs of a build target the project cannot have are sources Nx cannot hash, and nothing is waited for', () => {
    const known = (names: string[], complete: boolean) => ({ ...FACTS, projectTargets: { names, complete } });
    expect(resolveServiceContext({}, normalizeOptions({}), known(['lint'], true))).toMatchObject({
      outputs: ['dist/apps/api'],
      unlisted: ['dist/apps/api'],
      buildTargetMissing: true,
    });
    // Its own buildTarget setting names the target that counts.
    expect(
      resolveServiceContext({ buildTarget: 'lint' }, normalizeOptions({}), known(['lint'], true)).buildTargetMissing,
    ).toBeUndefined();
    // Another plugin may infer it: unknown, so as before.
    expect(resolveServiceContext({}, normalizeOptions({}), known(['lint'], false))).not.toHaveProperty('unlisted');
  });

  it('without facts (the Dockerfile could not be read): pruned, saying why', () => {
    expect(resolveServiceContext({}, normalizeOptions({}), undefined)).toEqual({
      mode: 'pruned',
      reason: 'the Dockerfile could not be read',
      include: [],
      outputs: [],
      origin: 'inferred',
      buildTarget: 'build',
    });
  });
});
