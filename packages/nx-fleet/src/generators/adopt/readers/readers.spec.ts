import { describe, expect, it } from 'vitest';
import { readSetups, readRunCommands } from './index';
import { readNpmScripts } from './npm-scripts';
import { NX_CONTAINER_EXECUTORS, readNxContainer } from './nx-container';
import { nxDockerImageRef, readNxDocker } from './nx-docker';
import type { AdoptProject, AdoptWorkspace } from './project';

const project = (over: Partial<AdoptProject> = {}): AdoptProject => ({
  name: 'build-manager',
  root: 'apps/build-manager',
  targets: {},
  manifestName: 'build-manager',
  scripts: {},
  hasDockerfile: true,
  ...over,
});
const workspace = (over: Partial<AdoptWorkspace> = {}): AdoptWorkspace => ({
  plugins: ['@nx/docker'],
  targetDefaults: {},
  ...over,
});
/** @nx/docker's reading of the project with the plugin option `buildTarget` set so. */
const withBuildTarget = (buildTarget: Record<string, unknown>) =>
  readNxDocker(project(), workspace({ plugins: [{ plugin: '@nx/docker', options: { buildTarget } }] }));

describe('readNxDocker (fixtures shaped like @nx/docker 23.2.1 workspaces)', () => {
  it('computes the default image reference from the project root', () => {
    expect(nxDockerImageRef('apps/build-manager')).toBe('apps-build-manager');
    expect(nxDockerImageRef('Apps/My App')).toBe('apps-my-app');
  });

  it("reads the inferred docker:build target: project folder as context, default tag, and no dependsOn of @nx/docker's own", () => {
    expect(readNxDocker(project(), workspace())).toEqual({
      source: '@nx/docker target docker:build',
      oldTarget: 'docker:build',
      context: 'apps/build-manager',
      dockerfile: 'apps/build-manager/Dockerfile',
      image: 'apps-build-manager',
      problems: [],
      notes: [],
    });
    // Written by the user, in targetDefaults or the project's own target: carried.
    const stated = { 'docker:build': { dependsOn: ['build'] } };
    expect(readNxDocker(project(), workspace({ targetDefaults: stated }))?.dependsOn).toEqual(['build']);
    expect(readNxDocker(project({ targets: stated }), workspace())?.dependsOn).toEqual(['build']);
  });

  it("passes the target's options run-commands does not know on to the command, as it does (pagopa/dx's platform)", () => {
    const setup = readNxDocker(
      project({
        targets: {
          'docker:build': {
            options: { platform: 'linux/amd64', cwd: '.', args: ['--file apps/build-manager/Dockerfile'] },
          },
        },
      }),
      workspace(),
    );
    expect(setup).toMatchObject({ platforms: ['linux/amd64'], context: '.' });
  });

  it('prefers a --tag the plugin options add (with tokens), and keeps build args and the target stage', () => {
    const setup = withBuildTarget({
      name: 'image',
      args: ['--tag acme/{projectName}:{shortCommitSha}', '--build-arg NODE_ENV=production', '--target=runtime'],
    });
    expect(setup).toMatchObject({
      source: '@nx/docker target image',
      image: 'acme/build-manager',
      buildArgs: { NODE_ENV: 'production' },
      target: 'runtime',
      notes: ['also tagged apps-build-manager: nx-fleet names one repository per service'],
    });
  });

  it("reads the plugin options' `{workspaceRoot}` cwd as the workspace root, as Nx resolves it", () => {
    const setup = withBuildTarget({
      name: 'docker:build',
      cwd: '{workspaceRoot}',
      args: ['-f {projectRoot}/Dockerfile'],
    });
    expect(setup).toMatchObject({ context: '.', dockerfile: 'apps/build-manager/Dockerfile' });
  });

  it('merges the project target over the inferred one as Nx does (options shallow, dependsOn replaced)', () => {
    const setup = readNxDocker(
      project({
        targets: {
          'docker:build': {
            dependsOn: ['prebuild', 'build', 'postbuild'],
            options: { args: ['--tag acme/build-manager', '-f docker/Dockerfile.prod'], cwd: '.' },
          },
        },
      }),
      workspace({ targetDefaults: { 'docker:build': { options: { args: ['--tag overridden'] } } } }),
    );
    expect(setup).toMatchObject({
      context: '.',
      dockerfile: 'docker/Dockerfile.prod',
      image: 'acme/build-manager',
      dependsOn: ['prebuild', 'build', 'postbuild'],
    });
  });

  it("takes a project's own target of another command whole, as Nx does (gaia's docker:build over @nx/docker's)", () => {
    const setup = readNxDocker(
      project({
        targets: {
          'docker:build': {
            executor: 'nx:run-commands',
            options: {
              command:
                'docker build --platform linux/amd64 -f apps/build-manager/Dockerfile -t ghcr.io/acme/bm:latest . && docker push ghcr.io/acme/bm:latest',
              cwd: '.',
            },
          },
        },
      }),
      workspace(),
    );
    expect(setup).toMatchObject({
      context: '.',
      dockerfile: 'apps/build-manager/Dockerfile',
      image: 'acme/bm',
      platforms: ['linux/amd64'],
      problems: [],
    });
    expect(setup).not.toHaveProperty('dependsOn');
  });

  it('takes the release repositoryName first (what nx release pushes), project over workspace', () => {
    const ws = workspace({ release: { docker: { repositoryName: 'acme/all', registryUrl: 'ghcr.io' } } });
    expect(readNxDocker(project(), ws)).toMatchObject({
      image: 'acme/all',
      notes: expect.arrayContaining(["release registry ghcr.io: set nx-fleet's registry option"]),
    });
    expect(readNxDocker(project({ release: { docker: { repositoryName: 'acme/bm' } } }), ws)?.image).toBe('acme/bm');
  });

  it('honours skipDefaultTag, include/exclude and the Dockerfile rule', () => {
    const skip = workspace({ plugins: [{ plugin: '@nx/docker', options: { buildTarget: { skipDefaultTag: true } } }] });
    expect(readNxDocker(project(), skip)).toMatchObject({ problems: [] });
    expect(readNxDocker(project(), skip)?.image).toBeUndefined();
    expect(
      readNxDocker(project(), workspace({ plugins: [{ plugin: '@nx/docker', exclude: ['apps/**'] }] })),
    ).toBeUndefined();
    expect(
      readNxDocker(project(), workspace({ plugins: [{ plugin: '@nx/docker', include: ['libs/**'] }] })),
    ).toBeUndefined();
    expect(readNxDocker(project({ hasDockerfile: false }), workspace())).toBeUndefined();
    expect(readNxDocker(project(), workspace({ plugins: ['nx-fleet'] }))).toBeUndefined();
  });

  it('reports a tag whose repository depends on the environment', () => {
    const setup = readNxDocker(
      project({ targets: { 'docker:build': { options: { args: ['--tag {env.REPO}/api'] } } } }),
      workspace(),
    );
    expect(setup?.problems).toEqual(['image {env.REPO}/api: its name depends on the environment']);
  });
});

describe('readNxContainer (fixtures shaped like @nx-tools/nx-container targets)', () => {
  it('reads context, file, metadata.images, build-args, target and dependsOn', () => {
    const [setup] = readNxContainer(
      project({
        targets: {
          container: {
            executor: '@nx-tools/nx-container:build',
            dependsOn: ['build'],
            options: {
              engine: 'docker',
              context: 'dist/apps/build-manager',
              file: 'apps/build-manager/Dockerfile',
              push: true,
              'build-args': ['NODE_ENV=production', 'GIT_SHA'],
              target: 'runner',
              metadata: { images: ['ghcr.io/acme/build-manager'], tags: ['type=sha'] },
            },
            configurations: { ci: { push: true }, prod: { tags: ['acme/prod:latest'] } },
          },
        },
      }),
    );
    expect(setup).toEqual({
      source: 'nx-container target container',
      oldTarget: 'container',
      dependsOn: ['build'],
      context: 'dist/apps/build-manager',
      dockerfile: 'apps/build-manager/Dockerfile',
      buildArgs: { NODE_ENV: 'production' },
      target: 'runner',
      image: 'acme/build-manager',
      problems: [
        'build-arg GIT_SHA takes its value from the environment',
        'configuration prod (tags): nx-fleet builds one image per service',
      ],
      notes: [
        "registry ghcr.io: set nx-fleet's registry option (images are pushed there)",
        `tag rules type=sha: not carried over: nx-fleet tags each image with its content tag and the commit's short SHA (docker-push's "tags" adds fixed ones, "latest": true the latest tag)`,
        'push: true: nx-fleet pushes with docker-push, after the scan',
        'engine docker: nx-fleet detects its engine (FLEET_ENGINE chooses one)',
      ],
    });
  });
  it("takes the image from the default configuration's tags, and leaves configurations tagging the same repository (pulse-dashboards)", () => {
    const repository = 'us-docker.pkg.dev/acme/apps/acme-api';
    const [setup] = readNxContainer(
      project({
        targets: {
          container: {
            executor: '@nx-tools/nx-container:build',
            options: { engine: 'docker' },
            defaultConfiguration: 'staging',
            configurations: {
              staging: { push: true, tags: [`${repository}:$COMMIT_SHA`, `${repository}:latest`] },
              demo: { push: true, tags: [`${repository}:$COMMIT_SHA`] },
              preview: { tags: ['us-docker.pkg.dev/acme/apps/acme-api-preview:$COMMIT_SHA'] },
            },
          },
        },
      }),
    );
    expect(setup!.image).toBe('acme/apps/acme-api');
    // Another repository is another image: not adopted, as before.
    expect(setup!.problems).toEqual(['configuration preview (tags): nx-fleet builds one image per service']);
    // A default configuration that names no image (pulse-dashboards' `dev`): the repository the most others tag.
    const [dev] = readNxContainer(
      project({
        targets: {
          container: {
            executor: '@nx-tools/nx-container:build',
            defaultConfiguration: 'dev',
            configurations: {
              dev: { push: false },
              staging: { push: true, tags: [`${repository}:$COMMIT_SHA`, `${repository}:latest`] },
              demo: { push: true, tags: [`${repository}:$COMMIT_SHA`] },
              preview: { tags: ['us-docker.pkg.dev/acme/apps/acme-api-preview:$COMMIT_SHA'] },
            },
          },
        },
      }),
    );
    expect(dev!.image).toBe('acme/apps/acme-api');
    expect(dev!.problems).toEqual(['configuration preview (tags): nx-fleet builds one image per service']);
  });

  it('names the image by the reference it pushes, where a local name is tagged beside it (sovereign-university)', () => {
    const [setup] = readNxContainer(
      project({
        targets: {
          container: {
            executor: NX_CONTAINER_EXECUTORS[0]!,
            options: { metadata: { images: ['su-api', 'ghcr.io/decouvrebitcoin/su-api'] } },
          },
        },
      }),
    );
    expect(setup).toMatchObject({
      image: 'decouvrebitcoin/su-api',
      notes: [
        "registry ghcr.io: set nx-fleet's registry option (images are pushed there)",
        'also tagged su-api: nx-fleet names one repository per service',
      ],
    });
  });

  it("takes the image from metadata.images alone, which replace the executor's tags, in metadata-action's name= form too", () => {
    const read = (options: Record<string, unknown>) =>
      readNxContainer(project({ targets: { container: { executor: NX_CONTAINER_EXECUTORS[0]!, options } } }))[0]!;
    expect(
      read({ tags: ['ghcr.io/acme/legacy-api:latest'], metadata: { images: ['api'], tags: ['type=sha'] } }),
    ).toMatchObject({
      image: 'api',
      notes: expect.arrayContaining([
        'tags ghcr.io/acme/legacy-api:latest: unused, as metadata.images names the images (the executor tags from those alone)',
      ]),
    });
    expect(read({ metadata: { images: ['name=ghcr.io/acme/gw,enable=true'] } })).toMatchObject({
      image: 'acme/gw',
      problems: [],
    });
    expect(read({ metadata: { images: ['name=acme/off,enable=false', 'name=acme/on'] } }).image).toBe('acme/on');
    // Without metadata.images, the tags name it, as before.
    expect(read({ tags: ['ghcr.io/acme/legacy-api:latest'] }).image).toBe('acme/legacy-api');
  });

  it("reads the platforms it builds for (sdp-demo's linux/amd64), and names ones the environment sets", () => {
    const read = (platforms: unknown) =>
      readNxContainer(
        project({ targets: { docker: { executor: NX_CONTAINER_EXECUTORS[0]!, options: { platforms } } } }),
      )[0]!;
    expect(read(['linux/amd64'])).toMatchObject({ platforms: ['linux/amd64'], problems: [] });
    expect(read(['$PLATFORM']).problems).toEqual(['platforms $PLATFORM: depends on the environment']);
    expect(read(undefined)).not.toHaveProperty('platforms');
  });

  it("defaults to the workspace root as context and the project's Dockerfile, and the image from tags (harmony)", () => {
    for (const executor of NX_CONTAINER_EXECUTORS) {
      const [setup] = readNxContainer(
        project({ targets: { docker: { executor, options: { tags: ['acme/api:dev'] } } } }),
      );
      expect(setup).toMatchObject({
        context: '.',
        dockerfile: 'apps/build-manager/Dockerfile',
        image: 'acme/api',
        problems: [],
      });
    }
    // A root project's is the root's.
    const [root] = readNxContainer(
      project({ root: '.', targets: { docker: { executor: NX_CONTAINER_EXECUTORS[0]!, options: {} } } }),
    );
    expect(root).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  });
});

describe('npm scripts and run-commands targets', () => {
  it('reads a docker build script relative to the package folder', () => {
    expect(
      readNpmScripts(
        project({
          scripts: {
            build: 'tsc',
            'docker:build': 'npm run build && docker build -t acme/web --build-arg PORT=8080 -f Dockerfile ../..',
          },
        }),
      ),
    ).toEqual([
      {
        source: 'npm script docker:build',
        oldTarget: 'docker:build',
        context: '.',
        dockerfile: 'apps/build-manager/Dockerfile',
        buildArgs: { PORT: '8080' },
        image: 'acme/web',
        problems: [],
        notes: ['also runs `npm run build`: not part of docker-build (a dependsOn can run it)'],
      },
    ]);
  });

  it("names a docker buildx bake run, whose bake file it does not read (asafarim's docker:build)", () => {
    expect(
      readNpmScripts(
        project({
          scripts: {
            'docker:build': 'docker buildx bake -f ../../docker-bake.hcl web',
            'docker:bake': 'docker bake web',
            bakery: 'echo bake',
          },
        }),
      ),
    ).toEqual([
      expect.objectContaining({
        source: 'npm script docker:build',
        problems: [
          'runs `docker buildx bake -f ../../docker-ba...`: bake files are not read; set "target", "image", "buildArgs" and "buildContexts" as its bake target says',
        ],
      }),
      expect.objectContaining({ source: 'npm script docker:bake' }),
    ]);
  });

  it("follows the cds before the build (starter-monorepo's `cd ../.. && docker build …`), and says what tags it drops", () => {
    const [setup] = readNpmScripts(
      project({
        scripts: { 'docker:build': 'cd ../.. && docker build -f apps/build-manager/.ci/Dockerfile -t bm:1.0.0 .' },
      }),
    );
    expect(setup).toMatchObject({
      context: '.',
      dockerfile: 'apps/build-manager/.ci/Dockerfile',
      image: 'bm',
      problems: [],
      notes: [
        `tags 1.0.0: not carried over: nx-fleet tags each image with its content tag and the commit's short SHA (docker-push's "tags" adds fixed ones, "latest": true the latest tag)`,
      ],
    });
    expect(readNpmScripts(project({ scripts: { image: 'cd $DIR && docker build .' } }))[0]?.problems).toEqual([
      '`cd $DIR` before the build leads to no folder of the workspace it can name',
    ]);
  });

  it.each([
    ['docker build -t acme/web - < Dockerfile', ['the context is streamed on stdin (-): no folder to adopt']],
    ['docker build -t $IMAGE .', ['image $IMAGE: its name depends on the environment']],
    [
      'docker build -t a . && docker build -t b -f Dockerfile.worker .',
      ["2 image builds in one command chain: which one is the service's is not guessed"],
    ],
  ])('reports %s', (script, problems) => {
    expect(readNpmScripts(project({ scripts: { image: script } }))[0]?.problems).toEqual(problems);
  });

  it('reads a run-commands target that runs docker build, from its cwd', () => {
    const targets = {
      container: {
        executor: 'nx:run-commands',
        dependsOn: ['prebuild', 'build', 'postbuild'],
        options: { commands: ['docker build -t acme/build-manager -f apps/build-manager/Dockerfile .'] },
      },
      lint: { command: 'eslint .' },
    };
    expect(readRunCommands(project({ targets }), new Set())).toMatchObject([
      {
        source: 'run-commands target container',
        context: '.',
        dockerfile: 'apps/build-manager/Dockerfile',
        image: 'acme/build-manager',
        dependsOn: ['prebuild', 'build', 'postbuild'],
      },
    ]);
  });

  it('lists every setup, most explicit first; a run-commands target under nx-fleet’s build target name is the user’s build', () => {
    const setups = readSetups(
      project({
        targets: {
          'docker-build': { command: 'docker build .' },
          container: { executor: '@nx-tools/nx-container:build', options: {} },
        },
        scripts: { image: 'docker build -t x .' },
      }),
      workspace(),
    );
    expect(setups.map((s) => [s.source, s.rewritable ?? false])).toEqual([
      ['nx-container target container', false],
      ['run-commands target docker-build', true],
      ['@nx/docker target docker:build', false],
      ['npm script image', false],
    ]);
    // nx-fleet's own target (its executor, options only) runs no command: nothing to read.
    const own = readSetups(
      project({ targets: { 'docker-build': { executor: 'nx-fleet:docker-build', options: { target: 'run' } } } }),
      { ...workspace(), plugins: [] },
    );
    expect(own).toEqual([]);
  });
});
