import { describe, expect, it } from 'vitest';
import type { TargetConfiguration } from '@nx/devkit';
import { inferContext } from '../../image/context-inference';
import { carriedDependsOn, planAdoption, type ProjectAdoptionInput } from './plan';
import type { ImageBuildSetup } from './readers';

const FOLDER_DOCKERFILE =
  'FROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY src/ ./src/\nCMD ["node", "src/main.js"]\n';
const REPO_DOCKERFILE = 'FROM node:20\nWORKDIR /app\nCOPY apps/api/src ./src\nCMD ["node", "src/main.js"]\n';
const FILES = [
  'apps/api/Dockerfile',
  'apps/api/package.json',
  'apps/api/project.json',
  'apps/api/src/main.js',
  'package.json',
];

const setup = (over: Partial<ImageBuildSetup>): ImageBuildSetup => ({
  source: '@nx/docker target docker:build',
  oldTarget: 'docker:build',
  problems: [],
  notes: [],
  ...over,
});
const input = (over: Partial<ProjectAdoptionInput> = {}): ProjectAdoptionInput => ({
  project: { name: 'api', root: 'apps/api', targets: {}, scripts: {}, hasDockerfile: true },
  setups: [],
  existing: {},
  ownDockerfile: 'apps/api/Dockerfile',
  flags: {},
  buildTargetName: 'docker-build',
  pushTargetName: 'docker-push',
  hostBuildTarget: 'build',
  dockerfiles: { 'apps/api/Dockerfile': FOLDER_DOCKERFILE },
  workspace: { files: FILES, ignore: { project: [], workspace: [] } },
  infer: inferContext,
  ...over,
});

describe('planAdoption', () => {
  it('writes no context when the one the setup sends is the one inferred', () => {
    const plan = planAdoption(
      input({
        setups: [
          setup({
            context: 'apps/api',
            dockerfile: 'apps/api/Dockerfile',
            image: 'acme/build-manager',
            dependsOn: ['build', '^build'],
          }),
        ],
      }),
    );
    expect(plan.write).toEqual({
      fleet: { image: 'acme/build-manager' },
      buildTarget: { dependsOn: ['build', '^build'] },
      dockerignore: 'apps/api/.dockerignore',
    });
    expect(plan.row).toMatchObject({
      service: 'api',
      context: 'project',
      image: 'acme/build-manager',
      notAdopted: '-',
    });
    expect(plan.row.why).toMatch(/names a path in apps\/api/);
    expect(plan.notes).toEqual([
      '@nx/docker target docker:build is kept: remove it once docker-build builds the image',
    ]);
  });

  it('carries no project folder that cannot hold what the Dockerfile copies', () => {
    // Sent as the project folder, but its COPY names a workspace path the folder does not hold (gaia's web,
    // @nx/docker's default build that its CI never runs): that build cannot work, the inference stands.
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': REPO_DOCKERFILE },
        setups: [setup({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile' })],
      }),
    );
    expect(plan.write?.fleet).toEqual({});
    expect(plan.row.context).toBe('pruned');
    expect(plan.notes).toContain(
      '@nx/docker target docker:build sends the project folder, which holds none of apps/api/apps/api/src that apps/api/Dockerfile copies: not carried over, the pruned context nx-fleet infers is kept',
    );
    // Its image name is carried all the same, and said so (frak's `docker build --tag "elysia-dev" .`).
    const named = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': REPO_DOCKERFILE },
        setups: [setup({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', image: 'elysia-dev' })],
      }),
    );
    expect(named.write?.fleet).toEqual({ image: 'elysia-dev' });
    expect(named.notes[0]).toMatch(
      /the pruned context nx-fleet infers is kept \(its image name elysia-dev is: a build that cannot run may not name the image you ship; --image sets another\)$/,
    );
  });

  it("carries no project folder that a step after a copy of the whole folder cannot build in (yggd's web: `pnpm --filter web deploy`)", () => {
    // `COPY . .` names nothing the project folder lacks; the RUN steps after it need the workspace's
    // lockfile and pnpm-workspace.yaml, which only the root holds: @nx/docker's default build cannot work.
    const wholeCopy =
      'FROM node:20-alpine\nWORKDIR /w\nCOPY . .\nRUN corepack enable && pnpm install --frozen-lockfile\nRUN pnpm --filter api deploy --prod /app\nCMD ["node", "/app/index.js"]\n';
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': wholeCopy },
        setups: [
          setup({ source: '@nx/docker target package', context: 'apps/api', dockerfile: 'apps/api/Dockerfile' }),
        ],
        workspace: {
          files: [
            'apps/api/Dockerfile',
            'apps/api/package.json',
            'package.json',
            'pnpm-lock.yaml',
            'pnpm-workspace.yaml',
          ],
          ignore: { project: [], workspace: [] },
        },
      }),
    );
    expect(plan.write?.fleet).toEqual({});
    expect(plan.write?.dockerignore).toBe('.dockerignore');
    expect(plan.row.context).toBe('workspace');
    expect(plan.notes).toContain(
      '@nx/docker target package sends the project folder, which apps/api/Dockerfile cannot be built from ("COPY . ." (apps/api/Dockerfile:3) is followed by "RUN pnpm --filter api deploy --prod /app" (apps/api/Dockerfile:5), a workspace tool: it reads the whole workspace): not carried over, the workspace context nx-fleet infers is kept',
    );
    // A prune tool run on the copy reads the whole workspace too.
    const pruning = planAdoption(
      input({
        dockerfiles: {
          'apps/api/Dockerfile': 'FROM node:20\nWORKDIR /w\nCOPY . .\nRUN npx turbo prune api --docker\n',
        },
        setups: [setup({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile' })],
      }),
    );
    expect(pruning.write?.fleet).toEqual({});
    expect(pruning.notes[0]).toMatch(
      /cannot be built from \(.*"RUN npx turbo prune api --docker" \(apps\/api\/Dockerfile:4\), a prune tool: it reads the whole workspace\)/,
    );
  });

  it('keeps the workspace root only when inference would take the project folder', () => {
    const repo = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': REPO_DOCKERFILE },
        setups: [setup({ context: '.', dockerfile: 'apps/api/Dockerfile' })],
      }),
    );
    expect(repo.write?.fleet).toEqual({});
    expect(repo.row.context).toBe('pruned');
    // What it copies is at the root as in the project folder: the build the setup runs works there.
    const both = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': 'FROM node:20\nCOPY package.json ./\n' },
        setups: [setup({ context: '.', dockerfile: 'apps/api/Dockerfile' })],
      }),
    );
    expect(both.write?.fleet).toEqual({ context: 'workspace' });
    expect(both.write?.dockerignore).toBe('.dockerignore');
    // The root holds none of what it copies (pagopa/dx's runner, `cwd: "."` for `COPY entrypoint.sh`): not carried.
    const folder = planAdoption(input({ setups: [setup({ context: '.', dockerfile: 'apps/api/Dockerfile' })] }));
    expect(folder.write?.fleet).toEqual({});
    expect(folder.row.context).toBe('project');
    expect(folder.notes).toContain(
      '@nx/docker target docker:build sends the workspace root, which holds none of src that apps/api/Dockerfile copies: not carried over, the project context nx-fleet infers is kept',
    );
  });

  it('keeps another folder (a build output) as docker-build’s context option, with build args and stage', () => {
    const plan = planAdoption(
      input({
        setups: [
          setup({
            source: 'nx-container target container',
            oldTarget: 'container',
            context: 'dist/apps/api',
            dockerfile: 'apps/api/Dockerfile',
            buildArgs: { NODE_ENV: 'production' },
            target: 'runner',
            dependsOn: ['build'],
          }),
        ],
      }),
    );
    expect(plan.write).toEqual({
      fleet: {},
      buildTarget: {
        dependsOn: ['build'],
        options: { context: 'dist/apps/api', prune: false, buildArgs: { NODE_ENV: 'production' }, target: 'runner' },
      },
    });
    expect(plan.row.context).toBe('dist/apps/api');
  });

  it('records a Dockerfile outside the project folder, and the user’s settings win over what is read', () => {
    const plan = planAdoption(
      input({
        existing: { image: 'acme/kept', context: 'pruned' },
        dockerfiles: { 'apps/api/Dockerfile': FOLDER_DOCKERFILE, 'docker/api.Dockerfile': REPO_DOCKERFILE },
        setups: [setup({ context: '.', dockerfile: 'docker/api.Dockerfile', image: 'acme/read' })],
        existingBuildTarget: { options: { target: 'mine' } },
      }),
    );
    expect(plan.write?.fleet).toEqual({ image: 'acme/kept', context: 'pruned', dockerfile: 'docker/api.Dockerfile' });
    expect(plan.row).toMatchObject({ context: 'pruned', why: 'set in metadata.fleet', image: 'acme/kept' });
  });

  it('reports setups it cannot adopt, and adopts the next one', () => {
    const plan = planAdoption(
      input({
        setups: [
          setup({ source: 'npm script image', problems: ['the context is streamed on stdin (-): no folder to adopt'] }),
          setup({
            context: 'apps/api',
            dockerfile: 'apps/api/Dockerfile',
            problems: ['build arg TOKEN takes its value from the environment'],
          }),
          setup({ source: 'npm script other', context: 'apps/api', dockerfile: 'apps/api/Dockerfile' }),
        ],
      }),
    );
    expect(plan.row.notAdopted).toBe(
      'npm script image: the context is streamed on stdin (-): no folder to adopt; build arg TOKEN takes its value from the environment',
    );
    expect(plan.notes).toContain('npm script other also builds an image: not adopted (one image per service)');
    expect(plan.write).toBeDefined();
  });

  it('writes nothing for a project with no usable Dockerfile, and explains', () => {
    const plan = planAdoption(
      input({
        ownDockerfile: undefined,
        dockerfiles: {},
        setups: [setup({ source: 'npm script image', problems: ['no build context argument'] })],
      }),
    );
    expect(plan.write).toBeUndefined();
    expect(plan.row.notAdopted).toBe('npm script image: no build context argument');
    expect(plan.error).toMatch(/has no Dockerfile/);
  });

  it('infers the context with the build arguments the adopted setup passes', () => {
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': 'FROM node:20\nARG APP=web\nCOPY apps/${APP}/src ./src\n' },
        setups: [setup({ dockerfile: 'apps/api/Dockerfile', buildArgs: { APP: 'api' } })],
      }),
    );
    expect(plan.row).toMatchObject({ context: 'pruned', why: expect.stringContaining('"COPY apps/${APP}/src ./src"') });
    expect(plan.write?.buildTarget).toMatchObject({ options: { buildArgs: { APP: 'api' } } });
    expect(plan.notes.filter((note) => note.includes('declared by no ARG'))).toEqual([]);
  });

  it("names a build argument the adopted setup passes that no ARG declares (iqb-berlin's project vs PROJECT)", () => {
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': 'FROM node:20 AS base\nARG PROJECT\nCOPY dist/apps/${PROJECT} ./\n' },
        setups: [setup({ dockerfile: 'apps/api/Dockerfile', buildArgs: { project: 'api', VERSION: '1' } })],
      }),
    );
    const unused = plan.notes.filter((note) => note.includes('declared by no ARG'));
    expect(unused).toHaveLength(2);
    expect(unused[0]).toMatch(
      /^build argument "project" \(from .*\) is declared by no ARG in apps\/api\/Dockerfile, so the build ignores it: names are case-sensitive, and the Dockerfile declares "PROJECT"$/,
    );
    expect(unused[1]).toMatch(/^build argument "VERSION" .* so the build ignores it$/);
  });

  it("carries the platforms, and infers from the stage the setup builds: its reason quotes that stage (sdp-demo's node and alpine targets)", () => {
    const dockerfile =
      'FROM node:20 AS node\nARG DIST_PATH\nCOPY ./$DIST_PATH .\nFROM alpine AS alpine\nARG DIST_PATH\nCOPY $DIST_PATH ./app\n';
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': dockerfile },
        setups: [
          setup({
            dockerfile: 'apps/api/Dockerfile',
            buildArgs: { DIST_PATH: 'dist/apps/api' },
            target: 'node',
            platforms: ['linux/amd64'],
          }),
        ],
      }),
    );
    expect(plan.write?.buildTarget).toMatchObject({ options: { target: 'node', platforms: ['linux/amd64'] } });
    expect(plan.row.why).toContain('"COPY ./$DIST_PATH ." (apps/api/Dockerfile:3)');
  });

  it('carries the named build contexts of the adopted setup into the target, and infers with them', () => {
    const plan = planAdoption(
      input({
        dockerfiles: { 'apps/api/Dockerfile': 'FROM scratch AS dist\nFROM node:20\nCOPY --from=dist / ./\n' },
        setups: [setup({ dockerfile: 'apps/api/Dockerfile', buildContexts: { dist: 'apps/web/dist' } })],
      }),
    );
    expect(plan.write?.buildTarget).toMatchObject({ options: { buildContexts: { dist: 'apps/web/dist' } } });
  });

  it('does not touch a build target the project uses for something else', () => {
    const plan = planAdoption(
      input({
        setups: [setup({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { A: 'b' } })],
        existingBuildTarget: { command: 'docker build .' },
      }),
    );
    expect(plan.write?.buildTarget).toBeUndefined();
    expect(plan.row.notAdopted).toMatch(/^target docker-build already runs docker build \./);
  });

  it("replaces the run-commands build it adopts under nx-fleet's build target name, keeping only what it read", () => {
    const oldBuild = setup({
      source: 'run-commands target docker-build',
      oldTarget: 'docker-build',
      rewritable: true,
      context: '.',
      dockerfile: 'apps/api/Dockerfile',
      image: 'erxes/erxes-next-api',
      dependsOn: ['build'],
    });
    const existingBuildTarget = {
      dependsOn: ['build'],
      command: 'docker build -f apps/api/Dockerfile . -t erxes/erxes-next-api',
    };
    const plan = planAdoption(
      input({ setups: [oldBuild], existingBuildTarget, dockerfiles: { 'apps/api/Dockerfile': REPO_DOCKERFILE } }),
    );
    expect(plan.write).toEqual({
      fleet: { image: 'erxes/erxes-next-api' },
      buildTarget: { dependsOn: ['build'] },
      dockerignore: '.dockerignore',
    });
    expect(plan.row.notAdopted).toBe('-');
    expect(plan.notes).toEqual([
      "run-commands target docker-build is replaced: nx-fleet's docker-build builds the image now (its dependsOn kept)",
    ]);
    // Nothing of it left to write: an empty target, which the generator removes.
    const bare = planAdoption(
      input({
        setups: [{ ...oldBuild, dependsOn: undefined }],
        existingBuildTarget: { command: 'docker build .' },
        dockerfiles: { 'apps/api/Dockerfile': REPO_DOCKERFILE },
      }),
    );
    expect(bare.write?.buildTarget).toEqual({});
  });

  it("names an npm script under nx-fleet's build target name, which adopt does not rename", () => {
    const plan = planAdoption(
      input({
        setups: [
          setup({ source: 'npm script docker-build', oldTarget: 'docker-build', dockerfile: 'apps/api/Dockerfile' }),
        ],
      }),
    );
    expect(plan.row.notAdopted).toBe(
      "npm script docker-build has nx-fleet's build target name, so Nx runs it for docker-build: rename it (and what calls it by name), or set nx-fleet's buildTargetName",
    );
  });

  it('names a build target the project uses for something else, even with nothing to write into it', () => {
    const plan = planAdoption(
      input({ existingBuildTarget: { executor: 'nx:run-commands', options: { command: 'make image' } } }),
    );
    expect(plan.write?.buildTarget).toBeUndefined();
    expect(plan.row.notAdopted).toMatch(/^target docker-build already runs nx:run-commands: it replaces nx-fleet's/);
  });

  it('lets flags win: --context is written as given, --image replaces', () => {
    const plan = planAdoption(
      input({ flags: { context: 'workspace', image: 'acme/flag' }, existing: { image: 'acme/old' } }),
    );
    expect(plan.write?.fleet).toEqual({ context: 'workspace', image: 'acme/flag' });
    expect(plan.row.why).toMatch(/^--context \(inferred project: /);
  });
});

describe('carriedDependsOn', () => {
  it.each([
    // @nx/docker's prep chain states no outputs: the build whose outputs the image copies comes first.
    [['prune-lockfile'], true, ['build', 'prune-lockfile']],
    [['prune-lockfile'], false, ['prune-lockfile']],
    [['build', 'prune-lockfile'], true, ['build', 'prune-lockfile']],
    [[{ target: 'build' }], true, [{ target: 'build' }]],
    // Another project's build is not the project's own.
    [['^build'], true, ['build', '^build']],
    // The deprecated forms, as Nx keeps them.
    [[{ target: 'build', projects: 'self', params: 'forward' }], true, [{ target: 'build', params: 'forward' }]],
    [[{ target: 'build', projects: 'dependencies' }], false, [{ target: 'build', dependencies: true }]],
  ])('%j (copies the build outputs: %s) → %j', (dependsOn, copies, expected) => {
    expect(carriedDependsOn(dependsOn as TargetConfiguration['dependsOn'], 'build', copies)).toEqual(expected);
  });

  it('leaves none as none', () => {
    expect(carriedDependsOn(undefined, 'build', true)).toBeUndefined();
  });
});
