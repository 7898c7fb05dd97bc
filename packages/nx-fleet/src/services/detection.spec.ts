import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES } from '../config/defaults';
import type { FleetServiceConfig } from '../config/service-settings';
import {
  CONTAINERFILE_NAMES,
  detectService,
  groupByFolder,
  orphanVariants,
  projectlessVariants,
  unbuiltVariants,
  withContainerFolders,
  type Detection,
  PLUGIN_GLOB,
  preferredContainerfile,
  projectContainerfile,
  serviceContainerfile,
  variantsLeft,
  containerfileVariant,
  variantsByFolder,
  type FolderInput,
} from './detection';

/** A folder as the plugin hands it over; `config` defaults to no settings. */
function folder(
  root: string,
  containerfiles: string[],
  rest: Partial<Omit<FolderInput, 'root' | 'containerfiles'>> = {},
): FolderInput {
  return { root, containerfiles, config: {}, ...rest };
}

describe('detectService', () => {
  it('makes a service of a Dockerfile with a project.json beside it, leaving the name to Nx', () => {
    expect(
      detectService(folder('services/a', ['services/a/Dockerfile'], { projectJson: { name: 'a' } }), DEFAULT_EXCLUDES),
    ).toEqual({
      kind: 'service',
      root: 'services/a',
      dockerfile: 'services/a/Dockerfile',
      name: undefined,
      config: {},
    });
  });

  it('prefers project.json over package.json for naming (project.json names itself)', () => {
    const detection = detectService(
      folder('services/a', ['services/a/Dockerfile'], { projectJson: {}, packageJson: { name: '@acme/a' } }),
      DEFAULT_EXCLUDES,
    );
    expect(detection).toEqual({
      kind: 'service',
      root: 'services/a',
      dockerfile: 'services/a/Dockerfile',
      name: undefined,
      config: {},
    });
  });

  it('makes a service of a Containerfile with a named package.json beside it and passes the package name on', () => {
    expect(
      detectService(
        folder('services/b', ['services/b/Containerfile'], { packageJson: { name: '@acme/b' } }),
        DEFAULT_EXCLUDES,
      ),
    ).toEqual({
      kind: 'service',
      root: 'services/b',
      dockerfile: 'services/b/Containerfile',
      name: '@acme/b',
      config: {},
    });
  });

  it('picks the Dockerfile when the folder has a Containerfile too', () => {
    const detection = detectService(
      folder('both', ['both/Containerfile', 'both/Dockerfile'], { projectJson: {} }),
      DEFAULT_EXCLUDES,
    );
    expect(detection).toMatchObject({ kind: 'service', dockerfile: 'both/Dockerfile' });
  });

  it('uses "." as the root for a Dockerfile at the workspace root', () => {
    expect(detectService(folder('.', ['Dockerfile'], { projectJson: {} }), DEFAULT_EXCLUDES)).toEqual({
      kind: 'service',
      root: '.',
      dockerfile: 'Dockerfile',
      name: undefined,
      config: {},
    });
  });

  it('passes the folder config on with the service', () => {
    const config: FleetServiceConfig = { context: 'project', image: 'acme/a', contextInclude: ['tsconfig.base.json'] };
    const detection = detectService(
      folder('services/a', ['services/a/Dockerfile'], { projectJson: {}, config }),
      DEFAULT_EXCLUDES,
    );
    expect(detection).toEqual({
      kind: 'service',
      root: 'services/a',
      dockerfile: 'services/a/Dockerfile',
      name: undefined,
      config,
    });
  });

  it('reports an orphan when nothing describes a project', () => {
    expect(detectService(folder('orphan', ['orphan/Dockerfile']), DEFAULT_EXCLUDES)).toEqual({
      kind: 'orphan',
      dockerfile: 'orphan/Dockerfile',
    });
  });

  it.each([
    ['no name', {}],
    ['an empty name', { name: '' }],
    ['a non-string name', { name: 42 }],
  ])('reports an orphan for a package.json with %s', (_label, packageJson) => {
    expect(detectService(folder('tools/x', ['tools/x/Dockerfile'], { packageJson }), DEFAULT_EXCLUDES)).toEqual({
      kind: 'orphan',
      dockerfile: 'tools/x/Dockerfile',
    });
  });

  it('reports nothing for a project without a Dockerfile or a fleet dockerfile, and for an empty folder', () => {
    expect(detectService(folder('libs/util', [], { projectJson: { name: 'util' } }), DEFAULT_EXCLUDES)).toEqual({
      kind: 'none',
    });
    expect(
      detectService(
        folder('libs/util', [], { packageJson: { name: '@acme/util' }, config: { image: 'x' } }),
        DEFAULT_EXCLUDES,
      ),
    ).toEqual({
      kind: 'none',
    });
    expect(detectService(folder('empty', []), DEFAULT_EXCLUDES)).toEqual({ kind: 'none' });
  });

  it.each([
    ['.devcontainer/Dockerfile', '**/.devcontainer/**'],
    ['apps/web/.devcontainer/Dockerfile', '**/.devcontainer/**'],
    ['.codesandbox/Dockerfile', '**/.codesandbox/**'],
    ['.ci/Dockerfile', '**/.ci/**'],
    ['.buildkite/Dockerfile', '**/.buildkite/**'],
    ['.gitlab-ci/CICD.Dockerfile', '**/.gitlab-ci/**'],
    ['.gitlab/images/runner/Dockerfile', '**/.gitlab/**'],
    ['.circleci/images/node/Dockerfile', '**/.circleci/**'],
    ['.github/actions/people/Dockerfile', '**/.github/actions/**'],
    // The defaults name folders in any case (OneUptime's Examples/).
    ['Examples/snmp-simulator/Dockerfile', '**/examples/**'],
    ['apps/api/Tests/Dockerfile', '**/tests/**'],
    ['vendor/github.com/pelletier/go-toml/Dockerfile', '**/vendor/**'],
    ['libs/x/generators/app/files/Dockerfile', '**/generators/**/files/**'],
    ['libs/x/src/generators/files/Dockerfile', '**/generators/**/files/**'],
    ['templates/node/Dockerfile', '**/templates/**'],
    ['tools/templates/go/Containerfile', '**/templates/**'],
    ['src/code-templates/services/order-service/Dockerfile', '**/*-templates/**'],
    ['microservices/_template/Dockerfile', '**/_template/**'],
    ['examples/astro/payload/Dockerfile', '**/examples/**'],
    ['services/a/__fixtures__/Dockerfile', '**/__fixtures__/**'],
    ['fixtures/react-router-docker/Dockerfile', '**/fixtures/**'],
    ['core/integration/testdata/modules/go/secret/input/Dockerfile', '**/testdata/**'],
    ['src/tests/ratelimit/Dockerfile.nginx', '**/tests/**'],
    ['packages/db/test/Dockerfile', '**/test/**'],
    ['packages/db/__tests__/Dockerfile', '**/__tests__/**'],
    ['apps/web-e2e/Dockerfile', '**/*-e2e/**'],
    ['e2e/runner/Dockerfile', '**/e2e/**'],
    ['client-tests/apollo-js/Dockerfile', '**/*-tests/**'],
  ])('excludes %s by the default pattern %s, even with a project.json beside it', (dockerfile, pattern) => {
    const root = dockerfile.slice(0, dockerfile.lastIndexOf('/'));
    expect(detectService(folder(root, [dockerfile], { projectJson: {} }), DEFAULT_EXCLUDES)).toEqual({
      kind: 'excluded',
      dockerfile,
      pattern,
    });
  });

  it("matches the workspace's own patterns as written, in their case", () => {
    const root = 'Legacy/api';
    expect(detectService(folder(root, [`${root}/Dockerfile`], { projectJson: {} }), ['legacy/**']).kind).toBe(
      'service',
    );
    expect(detectService(folder(root, [`${root}/Dockerfile`], { projectJson: {} }), ['Legacy/**']).kind).toBe(
      'excluded',
    );
  });

  it('excludes a Dockerfile in an excluded path even when no project lies beside it', () => {
    expect(detectService(folder('.devcontainer', ['.devcontainer/Dockerfile']), DEFAULT_EXCLUDES)).toEqual({
      kind: 'excluded',
      dockerfile: '.devcontainer/Dockerfile',
      pattern: '**/.devcontainer/**',
    });
  });

  it('does not exclude look-alike folder names', () => {
    for (const root of ['services/templates-api', 'services/devcontainer', 'services/generators']) {
      expect(detectService(folder(root, [`${root}/Dockerfile`], { projectJson: {} }), DEFAULT_EXCLUDES).kind).toBe(
        'service',
      );
    }
  });

  it('uses the given exclude list instead of the defaults', () => {
    expect(detectService(folder('legacy', ['legacy/Dockerfile'], { projectJson: {} }), ['legacy/**'])).toEqual({
      kind: 'excluded',
      dockerfile: 'legacy/Dockerfile',
      pattern: 'legacy/**',
    });
    expect(detectService(folder('.devcontainer', ['.devcontainer/Dockerfile'], { projectJson: {} }), []).kind).toBe(
      'service',
    );
  });

  describe('with a dockerfile in the project settings', () => {
    it('makes a service of a folder without a Dockerfile, with the normalized path', () => {
      const config = { dockerfile: './.deploy/api/Dockerfile' };
      expect(
        detectService(folder('services/api', [], { projectJson: { name: 'api' }, config }), DEFAULT_EXCLUDES),
      ).toEqual({
        kind: 'service',
        root: 'services/api',
        dockerfile: '.deploy/api/Dockerfile',
        name: undefined,
        config,
      });
    });

    it('uses it instead of the folder’s own Dockerfile, and passes a package name on', () => {
      const detection = detectService(
        folder('services/web', ['services/web/Dockerfile'], {
          packageJson: { name: '@acme/web' },
          config: { dockerfile: 'docker/web.Dockerfile' },
        }),
        DEFAULT_EXCLUDES,
      );
      expect(detection).toMatchObject({
        kind: 'service',
        root: 'services/web',
        dockerfile: 'docker/web.Dockerfile',
        name: '@acme/web',
      });
    });

    it('is not subject to the exclusions, neither its own path nor the folder’s', () => {
      expect(
        detectService(
          folder('services/api', [], { projectJson: {}, config: { dockerfile: 'templates/api/Dockerfile' } }),
          DEFAULT_EXCLUDES,
        ),
      ).toMatchObject({
        kind: 'service',
        dockerfile: 'templates/api/Dockerfile',
      });
      const excludedFolder = folder('legacy', ['legacy/Dockerfile'], {
        projectJson: {},
        config: { dockerfile: 'legacy/Dockerfile.new' },
      });
      expect(detectService(excludedFolder, ['legacy/**'])).toMatchObject({
        kind: 'service',
        root: 'legacy',
        dockerfile: 'legacy/Dockerfile.new',
      });
    });
  });

  describe('with enabled: false', () => {
    it('opts the project out, even with a Dockerfile beside it and a fleet dockerfile', () => {
      expect(
        detectService(
          folder('services/a', ['services/a/Dockerfile'], { projectJson: {}, config: { enabled: false } }),
          DEFAULT_EXCLUDES,
        ),
      ).toEqual({
        kind: 'opted-out',
        root: 'services/a',
      });
      expect(
        detectService(
          folder('services/b', [], {
            packageJson: { name: '@acme/b' },
            config: { enabled: false, dockerfile: 'x/Dockerfile' },
          }),
          DEFAULT_EXCLUDES,
        ),
      ).toEqual({ kind: 'opted-out', root: 'services/b' });
    });

    it('keeps enabled: true a service', () => {
      expect(
        detectService(
          folder('services/a', ['services/a/Dockerfile'], { projectJson: {}, config: { enabled: true } }),
          DEFAULT_EXCLUDES,
        ).kind,
      ).toBe('service');
    });
  });
});

describe('detectService: named variants', () => {
  it('builds a project folder from its one shipping variant, the workspace root only from a plain one', () => {
    expect(
      detectService(
        folder('apps/web', ['apps/web/Dockerfile.web', 'apps/web/Dockerfile.dev', 'apps/web/Dockerfile.integration'], {
          projectJson: {},
        }),
        [],
      ),
    ).toMatchObject({
      kind: 'service',
      dockerfile: 'apps/web/Dockerfile.web',
    });
    expect(detectService(folder('.', ['prod.Dockerfile'], { packageJson: { name: 'root' } }), []).kind).toBe('none');
    expect(
      detectService(folder('.', ['prod.Dockerfile', 'Dockerfile'], { packageJson: { name: 'root' } }), []),
    ).toMatchObject({
      kind: 'service',
      dockerfile: 'Dockerfile',
    });
    // No project: neither a service nor, here, an orphan (createNodes names such variants, projectlessVariants).
    expect(detectService(folder('docker', ['docker/Dockerfile.pnpm']), []).kind).toBe('none');
    expect(
      detectService(folder('apps/web', ['apps/web/Dockerfile.web'], { projectJson: {} }), ['apps/web/**']).kind,
    ).toBe('excluded');
  });
});

describe('containerfileVariant', () => {
  it.each([
    ['apps/web/Dockerfile', ''],
    ['Containerfile', ''],
    // The docker CLI's fallback name (blinko's root dockerfile).
    ['dockerfile', ''],
    ['apps/web/dockerfile', ''],
    ['apps/web/dockerfile.dockerignore', undefined],
    ['apps/web/Dockerfile.web', 'web'],
    ['apps/web/web.Dockerfile', 'web'],
    ['apps/api/Containerfile.prod', 'prod'],
    ['apps/api/api.Containerfile', 'api'],
    ['apps/web/Dockerfile.web.dockerignore', undefined],
    ['apps/web/Dockerfile.dockerignore', undefined],
    // openreplay's api/Dockerfile_alerts and Dockerfile_crons.
    ['api/Dockerfile_alerts', 'alerts'],
    ['apps/web/Dockerfile-dev', 'dev'],
    ['apps/web/Dockerfile-dev.yml', undefined],
    ['apps/web/package.json', undefined],
    // graphql-hive's images: a name before a lowercase or mixed-case extension.
    ['docker/services.dockerfile', 'services'],
    ['docker/Migrations.DockerFile', 'Migrations'],
    ['ops/web.containerfile', 'web'],
    // And a name after one in lowercase (nanithefuck's apps/api/dockerfile.prod, built by its compose file).
    ['apps/api/dockerfile.prod', 'prod'],
    ['apps/api/containerfile-dev', 'dev'],
    // Sources, documents and templates named after one build nothing.
    ['packages/cli/src/dockerfile.ts', undefined],
    ['packages/cli/src/Dockerfile.spec.ts', undefined],
    ['docs/Dockerfile.md', undefined],
    ['templates/Dockerfile.hbs', undefined],
    ['templates/Dockerfile.template', undefined],
    // A program reading Dockerfiles (cmux's scripts/dockerfile_to_bash.py); a variant named after a language is one.
    ['scripts/dockerfile_to_bash.py', undefined],
    ['tools/dockerfile-lint.go', undefined],
    ['apps/api/Dockerfile.go', 'go'],
    ['apps/api/Dockerfile.isolated.dev', 'isolated.dev'],
    // A name before a hyphen (Static-DICOMWeb's arm-Dockerfile); not a lowercase one (a script's name).
    ['arm-Dockerfile', 'arm'],
    ['deploy/prod-Containerfile', 'prod'],
    ['bin/generate-dockerfile', undefined],
  ])('%s → %s', (file, variant) => {
    expect(containerfileVariant(file)).toBe(variant);
  });
});

describe('variantsByFolder', () => {
  it('groups named variants by folder and leaves every other file out', () => {
    expect(
      variantsByFolder([
        'apps/web/Dockerfile.web',
        'apps/web/Dockerfile',
        'apps/web/Dockerfile.web.dockerignore',
        'apps/web/src/DockerfileParser.ts',
        'apps/api/api.Containerfile',
        'apps/web/Dockerfile.dev',
        'README.md',
      ]),
    ).toEqual(
      new Map([
        ['apps/web', ['apps/web/Dockerfile.web', 'apps/web/Dockerfile.dev']],
        ['apps/api', ['apps/api/api.Containerfile']],
      ]),
    );
  });
});

describe('serviceContainerfile', () => {
  it.each([
    ['the plain one over any variant', ['x/Dockerfile.web', 'x/Dockerfile'], { file: 'x/Dockerfile' }],
    ['the one shipping variant', ['x/Dockerfile.dev', 'x/Dockerfile.web'], { file: 'x/Dockerfile.web' }],
    ['no development variant', ['x/Dockerfile.dev', 'x/Dockerfile.local', 'x/test.Dockerfile', 'x/Dockerfile.CI'], {}],
    [
      'none development in one of its parts',
      [
        'x/Dockerfile.isolated.dev',
        'x/web.e2e.Dockerfile',
        'x/Dockerfile-dev',
        'x/Dockerfile_web-test',
        'x/Dockerfile.cypress',
        // A Gitpod workspace image (remix-run/examples' `.gitpod.Dockerfile`, which `.gitpod.yml` names).
        'x/.gitpod.Dockerfile',
      ],
      {},
    ],
    [
      'one of several parts, none for development',
      ['x/Dockerfile.mobile.release'],
      { file: 'x/Dockerfile.mobile.release' },
    ],
    [
      'several shipping variants, sorted',
      ['x/Dockerfile.debian', 'x/Dockerfile.alpine'],
      { ambiguous: ['x/Dockerfile.alpine', 'x/Dockerfile.debian'] },
    ],
    ['nothing', [], {}],
  ])('%s', (_, files, expected) => {
    expect(serviceContainerfile(files)).toEqual(expected);
  });
});

describe('projectContainerfile', () => {
  it("takes the one variant exclude leaves of several, and none of several left (serverless' examples' Dockerfile.public)", () => {
    const files = ['x/Dockerfile.private', 'x/Dockerfile.public'];
    expect(projectContainerfile(files, ['**/Dockerfile.private'])).toBe('x/Dockerfile.public');
    expect(projectContainerfile(files, [])).toBeUndefined();
    // What serviceContainerfile picks stands, excluded or not: the detection says it is excluded.
    expect(projectContainerfile(['x/Dockerfile', 'x/Dockerfile.public'], ['**/Dockerfile'])).toBe('x/Dockerfile');
  });
});

describe('variantsLeft', () => {
  const variants = ['s/Dockerfile.jobs', 's/Dockerfile.web', 's/Dockerfile.worker'];

  it("names the variants no other project builds (world-wide-webb's Dockerfile.frontend, its frontend's by name)", () => {
    expect(variantsLeft(variants, new Set(['s/Dockerfile.web']), false)).toEqual({
      left: ['s/Dockerfile.jobs', 's/Dockerfile.worker'],
    });
  });

  it("gives the project the one left, unless it claims a file elsewhere (puretome's docker/)", () => {
    const taken = new Set(['s/Dockerfile.web', 's/Dockerfile.worker']);
    expect(variantsLeft(variants, taken, false)).toEqual({ left: ['s/Dockerfile.jobs'], own: 's/Dockerfile.jobs' });
    expect(variantsLeft(variants, taken, true)).toEqual({ left: ['s/Dockerfile.jobs'] });
  });
});

describe('preferredContainerfile', () => {
  it('picks Dockerfile over Containerfile in the same folder, whatever the order', () => {
    expect(preferredContainerfile(['x/Containerfile', 'x/Dockerfile'])).toBe('x/Dockerfile');
    expect(preferredContainerfile(['x/Dockerfile', 'x/Containerfile'])).toBe('x/Dockerfile');
  });

  it('returns a lone Containerfile and ignores other file names', () => {
    expect(preferredContainerfile(['x/project.json', 'x/Containerfile'])).toBe('x/Containerfile');
    expect(preferredContainerfile(['Containerfile'])).toBe('Containerfile');
    expect(preferredContainerfile(['x/Dockerfile.prod', 'x/package.json'])).toBeUndefined();
    expect(preferredContainerfile(['x/dockerfile', 'x/package.json'])).toBe('x/dockerfile');
    expect(preferredContainerfile(['x/Dockerfile', 'x/dockerfile'])).toBe('x/Dockerfile');
  });

  it('returns undefined for nothing', () => {
    expect(preferredContainerfile([])).toBeUndefined();
  });
});

describe('groupByFolder', () => {
  it('groups files by their folder, "." for the workspace root, in the order given', () => {
    const groups = groupByFolder([
      'package.json',
      'services/a/Dockerfile',
      'Dockerfile',
      'services/a/project.json',
      'services/a/src/package.json',
    ]);
    expect([...groups]).toEqual([
      ['.', ['package.json', 'Dockerfile']],
      ['services/a', ['services/a/Dockerfile', 'services/a/project.json']],
      ['services/a/src', ['services/a/src/package.json']],
    ]);
  });

  it('returns an empty map for no files', () => {
    expect(groupByFolder([]).size).toBe(0);
  });
});

describe('globs', () => {
  it('names both container file names', () => {
    expect(CONTAINERFILE_NAMES).toEqual(['Dockerfile', 'Containerfile']);
  });

  it('PLUGIN_GLOB matches container files, project manifests and pacts at any depth, nothing else', () => {
    expect(PLUGIN_GLOB).toBe('**/{Dockerfile,Containerfile,project.json,package.json,pacts/*.json}');
    const matches = picomatch(PLUGIN_GLOB, { dot: true });
    for (const file of [
      'Dockerfile',
      'package.json',
      'services/a/Containerfile',
      'services/a/project.json',
      '.deploy/api/Dockerfile',
      'services/orders/pacts/web-orders.json',
      'pacts/web-root.json',
    ]) {
      expect(matches(file), file).toBe(true);
    }
    for (const file of [
      // Named variants come from Nx's file list beside the manifests (variantsByFolder).
      'services/a/Dockerfile.prod',
      'apps/web/web.Dockerfile',
      'services/a/Dockerfile-dev',
      'services/a/.dockerignore',
      'services/a/tsconfig.json',
      'services/a/package-lock.json',
      'README.md',
      // Only JSON files directly in a folder named pacts.
      'services/orders/pacts/states.js',
      'services/orders/pacts/README.md',
      'services/orders/pacts/old/web-orders.json',
      'services/orders/my-pacts/web-orders.json',
      'services/orders/pactsx/web-orders.json',
      'services/orders/web-orders.json',
    ]) {
      expect(matches(file), file).toBe(false);
    }
  });
});

describe('projectlessVariants', () => {
  const variants = new Map([
    ['apps/proxy', ['apps/proxy/Dockerfile.ce']],
    ['docker', ['docker/Dockerfile.prod', 'docker/Dockerfile.web', 'docker/Dockerfile.local']],
    ['tools', ['tools/Dockerfile.dev']],
    ['apps/web', ['apps/web/Dockerfile.web']],
    ['.devcontainer', ['.devcontainer/Dockerfile.base']],
  ]);

  it("names a project-less folder's shipping variants orphans; development ones, claimed and excluded folders stay unnamed", () => {
    expect(projectlessVariants(variants, new Map([['apps/web', []]]), DEFAULT_EXCLUDES)).toEqual([
      { kind: 'orphan', dockerfile: 'apps/proxy/Dockerfile.ce' },
      { kind: 'orphan', dockerfile: 'docker/Dockerfile.prod' },
      { kind: 'orphan', dockerfile: 'docker/Dockerfile.web' },
    ]);
    expect(projectlessVariants(variants, new Map(), ['apps/proxy/**', 'docker/**'])).toEqual([
      { kind: 'orphan', dockerfile: 'apps/web/Dockerfile.web' },
      { kind: 'orphan', dockerfile: '.devcontainer/Dockerfile.base' },
    ]);
    expect(projectlessVariants(undefined, new Map(), [])).toEqual([]);
  });
});

describe('unbuiltVariants', () => {
  const variants = new Map([
    ['dockers/teable', ['dockers/teable/Dockerfile.db-migrate', 'dockers/teable/Dockerfile.dev']],
    ['apps/web', ['apps/web/Dockerfile.web']],
    ['apps/api', ['apps/api/Dockerfile.alpine']],
  ]);

  it('names the shipping variants beside the plain Dockerfile a service is built from, unless a service builds them or they are excluded', () => {
    const detections: Detection[] = [
      { kind: 'service', root: 'dockers/teable', dockerfile: 'dockers/teable/Dockerfile', config: {} },
      // Built from its variant: nothing beside a plain one.
      { kind: 'service', root: 'apps/web', dockerfile: 'apps/web/Dockerfile.web', config: {} },
      { kind: 'service', root: 'apps/api', dockerfile: 'apps/api/Dockerfile', config: {} },
    ];
    expect(unbuiltVariants(detections, variants, [])).toEqual([
      'dockers/teable/Dockerfile.db-migrate',
      'apps/api/Dockerfile.alpine',
    ]);
    expect(unbuiltVariants(detections, variants, ['**/Dockerfile.alpine'])).toEqual([
      'dockers/teable/Dockerfile.db-migrate',
    ]);
    const pointed: Detection = {
      kind: 'service',
      root: 'packages/db',
      dockerfile: 'dockers/teable/Dockerfile.db-migrate',
      config: {},
    };
    expect(unbuiltVariants([...detections, pointed], variants, [])).toEqual(['apps/api/Dockerfile.alpine']);
    expect(unbuiltVariants(detections, undefined, [])).toEqual([]);
  });

  it("names them once when two services are built from one Dockerfile, and never beside an orphan's (automatisch's docker/)", () => {
    const backend: Detection = {
      kind: 'service',
      root: 'packages/backend',
      dockerfile: 'docker/Dockerfile',
      config: {},
    };
    const worker: Detection = { kind: 'service', root: 'packages/worker', dockerfile: 'docker/Dockerfile', config: {} };
    const compose = new Map([['docker', ['docker/Dockerfile.compose']]]);
    expect(unbuiltVariants([backend, worker], compose, [])).toEqual(['docker/Dockerfile.compose']);
    expect(unbuiltVariants([{ kind: 'orphan', dockerfile: 'docker/Dockerfile' }], compose, [])).toEqual([]);
  });
});

describe('orphanVariants', () => {
  const compose = new Map([['docker', ['docker/Dockerfile.compose', 'docker/Dockerfile.dev']]]);
  const orphan: Detection = { kind: 'orphan', dockerfile: 'docker/Dockerfile' };

  it('names the shipping variants beside a plain Dockerfile no project is built from orphans too', () => {
    expect(orphanVariants([orphan], compose, [])).toEqual([
      { kind: 'orphan', dockerfile: 'docker/Dockerfile.compose' },
    ]);
    expect(orphanVariants([orphan], compose, ['docker/**'])).toEqual([]);
  });

  it('names none where a service elsewhere is built from that Dockerfile, or from the variant', () => {
    const pointed: Detection = {
      kind: 'service',
      root: 'packages/backend',
      dockerfile: 'docker/Dockerfile',
      config: {},
    };
    expect(orphanVariants([orphan, pointed], compose, [])).toEqual([]);
    const variant: Detection = {
      kind: 'service',
      root: 'packages/web',
      dockerfile: 'docker/Dockerfile.compose',
      config: {},
    };
    expect(orphanVariants([orphan, variant], compose, [])).toEqual([]);
  });
});

describe('withContainerFolders', () => {
  const folders = () =>
    new Map([
      ['backend', ['backend/package.json']],
      ['backend/docker', ['backend/docker/Dockerfile']],
      ['.', ['package.json']],
      ['docker', ['docker/Dockerfile']],
      ['web', ['web/project.json', 'web/Dockerfile']],
      ['web/docker', ['web/docker/Dockerfile']],
      ['builder', ['builder/package.json']],
      ['builder/docker', ['builder/docker/Dockerfile']],
      ['tools', ['tools/package.json']],
      ['tools/docker', ['tools/docker/Dockerfile.alpine', 'tools/docker/Dockerfile.debian']],
      ['api', ['api/project.json']],
      ['api/tests', ['api/tests/Dockerfile']],
    ]);
  // builder's Dockerfile copies a file beside it (saltcorn's entry.bash).
  const notTheProjects = (dockerfile: string) => dockerfile === 'builder/docker/Dockerfile';

  it("moves a project's Dockerfile in its docker/ folder, the root's too, into the project folder, leaving the folder empty", () => {
    const moved = withContainerFolders(folders(), notTheProjects);
    expect(moved.get('backend')).toEqual(['backend/docker/Dockerfile', 'backend/package.json']);
    expect(moved.get('backend/docker')).toEqual([]);
    expect(moved.get('.')).toEqual(['docker/Dockerfile', 'package.json']);
    expect(moved.get('docker')).toEqual([]);
    // A project with its own, one copying from that folder, two variants, a test folder: left.
    const left = folders();
    for (const root of ['web', 'web/docker', 'builder', 'builder/docker', 'tools', 'tools/docker', 'api', 'api/tests'])
      expect(moved.get(root), root).toEqual(left.get(root));
  });

  it("moves a project's container folder of named variants alone, Nx's listing of them, when one ships (agenta's web/oss/docker/Dockerfile.gh)", () => {
    const matched = () =>
      new Map([
        ['web/oss', ['web/oss/package.json']],
        ['tools', ['tools/package.json']],
        ['.', ['package.json']],
      ]);
    const variants = new Map([
      ['web/oss/docker', ['web/oss/docker/Dockerfile.dev', 'web/oss/docker/Dockerfile.gh']],
      ['tools/docker', ['tools/docker/Dockerfile.alpine', 'tools/docker/Dockerfile.debian']],
      ['docker', ['docker/Dockerfile.prod']],
      ['web/oss/images', ['web/oss/images/Dockerfile.gh']],
    ]);
    const moved = withContainerFolders(matched(), () => false, variants);
    expect(moved.get('web/oss')).toEqual([
      'web/oss/docker/Dockerfile.dev',
      'web/oss/docker/Dockerfile.gh',
      'web/oss/package.json',
    ]);
    expect(moved.get('web/oss/docker')).toEqual([]);
    // Two that ship, a variant at the root, a folder that is no container folder: left.
    expect(moved.get('tools')).toEqual(['tools/package.json']);
    expect(moved.get('.')).toEqual(['package.json']);
    expect([...moved.keys()].sort()).toEqual(['.', 'tools', 'web/oss', 'web/oss/docker']);
  });

  it('moves only a plain one into the workspace root, and nothing without the question answered', () => {
    const variant = new Map([
      ['.', ['package.json']],
      ['docker', ['docker/Dockerfile.prod']],
    ]);
    expect(withContainerFolders(variant, () => false).get('docker')).toEqual(['docker/Dockerfile.prod']);
    expect(withContainerFolders(folders(), undefined)).toEqual(folders());
  });
});
