import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../config/options';
import type { FleetServiceConfig } from '../config/service-settings';
import type { ContextFacts } from '../image/context-inference';
import { scannerFingerprint } from '../supply-chain/scanners/fingerprint';
import { resolveServiceContext } from './service-context';
import {
  brokerFingerprintCommand,
  buildInputs,
  pushInputs,
  buildServiceTargets,
  contextOptions,
  contractInputs,
  scanInputs,
  serviceProjectMetadata,
  targetHelp,
  baseImagePaths,
  withPaths,
} from './targets';

const ENGINE = { env: 'FLEET_ENGINE' };
/** Pruned builds leave the service's pacts folder out: a consumer's new pact re-verifies, it never rebuilds. */
const NO_PACTS = '!{projectRoot}/pacts/**/*';
const PACTS = ['services/orders/pacts/mobile-orders.json', 'services/orders/pacts/web-orders.json'];
const CONTRACT_HELP = {
  command: 'npx nx run orders:contract-verify --help',
  example: { options: { port: 8080, healthPath: '/healthz' } },
};

/** A Dockerfile written for nx-fleet's repo-shaped context: inferred pruned. */
const REPO_SHAPED: ContextFacts = {
  projectRoot: 'services/orders',
  dockerfile: 'services/orders/Dockerfile',
  dockerfileText: 'FROM node:20\nCOPY services/orders/ services/orders/\n',
  files: ['services/orders/Dockerfile', 'services/orders/main.js'],
  ignore: { project: [], workspace: [] },
};
const INFERRED = '"COPY services/orders/ services/orders/" (services/orders/Dockerfile:2) names a workspace path';

const input = (
  overrides: Parameters<typeof normalizeOptions>[0] = {},
  config: FleetServiceConfig = {},
  facts: ContextFacts = REPO_SHAPED,
) => {
  const options = normalizeOptions(overrides);
  return {
    projectRoot: 'services/orders',
    projectName: 'orders',
    dockerfile: 'services/orders/Dockerfile',
    config,
    // This process's environment never decides a test.
    broker: false,
    context: resolveServiceContext(config, options, facts),
    options,
  };
};

/** The same service with two consumers' pacts in its pacts folder. */
const withPacts = (overrides: Parameters<typeof normalizeOptions>[0] = {}, config: FleetServiceConfig = {}) => ({
  ...input(overrides, config),
  pacts: PACTS,
});

describe('contextOptions', () => {
  it('pruned: the workspace root, pruned, with the extra files only when there are some', () => {
    expect(contextOptions({ mode: 'pruned', include: [], outputs: [] }, 'services/orders')).toEqual({
      context: '.',
      prune: true,
    });
    expect(contextOptions({ mode: 'pruned', include: ['tsconfig.base.json'], outputs: [] }, 'services/orders')).toEqual(
      {
        context: '.',
        prune: true,
        contextInclude: ['tsconfig.base.json'],
      },
    );
  });

  it('workspace: the whole workspace root, not pruned, ignoring extra files', () => {
    expect(
      contextOptions({ mode: 'workspace', include: ['tsconfig.base.json'], outputs: [] }, 'services/orders'),
    ).toEqual({
      context: '.',
      prune: false,
    });
  });

  it('project: the project folder alone, ignoring extra files', () => {
    expect(
      contextOptions({ mode: 'project', include: ['tsconfig.base.json'], outputs: [] }, 'services/orders'),
    ).toEqual({
      context: 'services/orders',
    });
    expect(contextOptions({ mode: 'project', include: [], outputs: [] }, '.')).toEqual({ context: '.' });
  });
});

describe('a prune tool in the build, and build outputs', () => {
  const context = { mode: 'pruned' as const, include: [], outputs: ['dist/apps/api'], workspaceManifests: true };

  it('sends every manifest unpruned and the outputs, and hashes them', () => {
    expect(contextOptions(context, 'apps/api')).toEqual({
      context: '.',
      prune: true,
      workspaceManifests: true,
      contextOutputs: ['dist/apps/api'],
    });
    expect(buildInputs(context)).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/*',
      '{workspaceRoot}/**/package.json',
      { dependentTasksOutputFiles: '**/*', transitive: false },
      ENGINE,
    ]);
  });

  it('hashes the root files the context holds, as inferred (`manifestGlobs`)', () => {
    const manifestGlobs = ['package.json', 'yarn.lock', '**/package.json'];
    // Copied by name too: one input.
    expect(buildInputs({ ...context, include: ['yarn.lock'], outputs: [], manifestGlobs })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/yarn.lock',
      '{workspaceRoot}/package.json',
      '{workspaceRoot}/**/package.json',
      ENGINE,
    ]);
  });

  it('hashes the package manager settings and patches the context sends (`installSettings`), once each', () => {
    const manifestGlobs = ['package.json', '.npmrc', '**/package.json'];
    const installSettings = ['.npmrc', 'patches/**'];
    expect(buildInputs({ ...context, outputs: [], manifestGlobs, installSettings })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/package.json',
      '{workspaceRoot}/.npmrc',
      '{workspaceRoot}/**/package.json',
      '{workspaceRoot}/patches/**',
      ENGINE,
    ]);
    const plain = { mode: 'pruned' as const, include: [], outputs: [], installSettings };
    expect(buildInputs(plain)).toContain('{workspaceRoot}/patches/**');
  });

  it('names an included folder by what the context sends of it (`includeInputs`), the option keeps the folder', () => {
    const trimmed = {
      mode: 'pruned' as const,
      include: ['web/**'],
      includeInputs: ['web/apps/portal/**', 'web/package.json'],
      outputs: [],
    };
    expect(contextOptions(trimmed, 'apps/api')).toMatchObject({ contextInclude: ['web/**'] });
    const inputs = buildInputs(trimmed);
    expect(inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/web/apps/portal/**', '{workspaceRoot}/web/package.json']),
    );
    expect(inputs).not.toContain('{workspaceRoot}/web/**');
  });

  it('makes docker-build depend on the build target that writes the outputs', () => {
    const facts: ContextFacts = {
      ...REPO_SHAPED,
      dockerfileText: 'FROM node:20\nCOPY dist/services/orders ./\n',
    };
    const targets = buildServiceTargets(input({ buildTarget: 'compile' }, {}, facts));
    expect(targets['docker-build']).toMatchObject({
      dependsOn: ['compile'],
      options: { context: '.', prune: true, contextOutputs: ['dist/services/orders'] },
    });
  });

  it("depends only on the other project's build when it copies only that project's output", () => {
    const facts: ContextFacts = {
      ...REPO_SHAPED,
      dockerfileText: 'FROM node:20\nCOPY apps/web/dist ./static\n',
      projects: [
        { name: 'orders', root: 'services/orders' },
        { name: 'web', root: 'apps/web' },
      ],
    };
    expect(buildServiceTargets(input({ buildTarget: 'compile' }, {}, facts))['docker-build']).toMatchObject({
      dependsOn: [{ projects: ['web'], target: 'compile' }],
      options: { contextOutputs: ['apps/web/dist'] },
    });
  });
});

describe('named build contexts', () => {
  const facts: ContextFacts = {
    ...REPO_SHAPED,
    dockerfileText:
      'FROM scratch AS dist\nFROM node:20\nCOPY --from=dist / ./\nCOPY services/orders/ services/orders/\n',
    projects: [
      { name: 'orders', root: 'services/orders' },
      { name: 'web', root: 'apps/web' },
    ],
  };

  it("passes them, waits for the builds of the outputs they send, and follows the folders' files", () => {
    const buildContexts = { dist: 'apps/web/dist', own: 'services/orders/dist', assets: 'services/orders' };
    const targets = buildServiceTargets(
      input({ buildTarget: 'compile' }, { buildContexts }, { ...facts, buildContexts }),
    );
    expect(targets['docker-build']).toMatchObject({
      dependsOn: ['compile', { projects: ['web'], target: 'compile' }],
      options: { buildContexts },
      inputs: expect.arrayContaining([
        '{workspaceRoot}/services/orders/**/*',
        { dependentTasksOutputFiles: '**/*', transitive: false },
      ]),
    });
    expect(targets['docker-build']!.options).not.toHaveProperty('contextOutputs');
  });

  it("those the project's own target options name count, without being repeated in the options", () => {
    const targets = buildServiceTargets(input({}, {}, { ...facts, buildContexts: { dist: 'apps/web/dist' } }));
    expect(targets['docker-build']!.dependsOn).toEqual([{ projects: ['web'], target: 'build' }]);
    expect(targets['docker-build']!.options).not.toHaveProperty('buildContexts');
  });
});

describe('buildInputs', () => {
  it('pruned: the project and its workspace dependencies, the extra files, and the engine', () => {
    expect(buildInputs({ mode: 'pruned', include: [], outputs: [] })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      ENGINE,
    ]);
    expect(buildInputs({ mode: 'pruned', include: ['tsconfig.base.json', 'tools/scripts/**'], outputs: [] })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/tsconfig.base.json',
      '{workspaceRoot}/tools/scripts/**',
      ENGINE,
    ]);
  });

  it('workspace: every file of the workspace and the engine', () => {
    expect(buildInputs({ mode: 'workspace', include: ['tsconfig.base.json'], outputs: [] })).toEqual([
      '{workspaceRoot}/**/*',
      ENGINE,
    ]);
  });

  it('a Dockerfile outside the project, and its own ignore file, are inputs; one inside or a workspace context needs none', () => {
    const outside = { dockerfile: '.deploy/api/Dockerfile', projectRoot: 'apps/api' };
    expect(buildInputs({ mode: 'project', include: [], outputs: [] }, outside)).toEqual([
      '{projectRoot}/**/*',
      '{workspaceRoot}/.deploy/api/Dockerfile',
      '{workspaceRoot}/.deploy/api/Dockerfile.dockerignore',
      ENGINE,
    ]);
    expect(buildInputs({ mode: 'pruned', include: [], outputs: [] }, outside)).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/.deploy/api/Dockerfile',
      '{workspaceRoot}/.deploy/api/Dockerfile.dockerignore',
      ENGINE,
    ]);
    expect(buildInputs({ mode: 'workspace', include: [], outputs: [] }, outside)).toEqual([
      '{workspaceRoot}/**/*',
      ENGINE,
    ]);
    const inside = { dockerfile: 'apps/api/docker/Dockerfile', projectRoot: 'apps/api' };
    expect(buildInputs({ mode: 'pruned', include: [], outputs: [] }, inside)).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      ENGINE,
    ]);
  });

  it("what the context's ignore file leaves out is negated, and nested projects' folders are added", () => {
    expect(buildInputs({ mode: 'workspace', include: [], outputs: [], ignored: ['docs/**', '**/*.md'] })).toEqual([
      '{workspaceRoot}/**/*',
      '!{workspaceRoot}/docs/**',
      '!{workspaceRoot}/**/*.md',
      ENGINE,
    ]);
    const api = { dockerfile: 'apps/api/Dockerfile', projectRoot: 'apps/api' };
    const project = { mode: 'project' as const, include: [], outputs: [], ignored: ['apps/api/**/*.md'] };
    expect(buildInputs({ ...project, nested: ['apps/api/plugins/audit'] }, api)).toEqual([
      '{projectRoot}/**/*',
      '{workspaceRoot}/apps/api/plugins/audit/**/*',
      '!{projectRoot}/**/*.md',
      '!{workspaceRoot}/apps/api/**/*.md',
      ENGINE,
    ]);
    // Nx reads a workspace negation with no workspace path beside it as every workspace file but those:
    // the project's own negation alone (opentelemetry-demo's currency hashed 373 files, not 13).
    expect(buildInputs(project, api)).toEqual(['{projectRoot}/**/*', '!{projectRoot}/**/*.md', ENGINE]);
    expect(buildInputs(project)).toEqual(['{projectRoot}/**/*', ENGINE]);
    expect(buildInputs({ mode: 'pruned', include: [], outputs: [], nested: ['apps/api/plugins/audit'] })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/apps/api/plugins/audit/**/*',
      ENGINE,
    ]);
  });

  it('an allow-list ignore file: what it sends, the Dockerfile and the ignore files, not the whole folder', () => {
    const root = { dockerfile: 'apps/api/Dockerfile', projectRoot: 'apps/api' };
    const allowed = ['apps/api/**', 'libs/ui/**', 'package.json'];
    expect(
      buildInputs({ mode: 'workspace', include: [], outputs: [], allowed, ignored: ['apps/api/**/*.md'] }, root),
    ).toEqual([
      '{workspaceRoot}/apps/api/**',
      '{workspaceRoot}/libs/ui/**',
      '{workspaceRoot}/package.json',
      '{workspaceRoot}/apps/api/Dockerfile',
      '{workspaceRoot}/apps/api/Dockerfile.dockerignore',
      '{workspaceRoot}/.dockerignore',
      '!{workspaceRoot}/apps/api/**/*.md',
      ENGINE,
    ]);
    // A push follows the release rules' paths beside them (a workspace context's whole folder already did).
    const image = buildInputs({ mode: 'workspace', include: [], outputs: [], allowed }, root);
    expect(pushInputs(image, ['scripts/**'], [])).toContain('{workspaceRoot}/scripts/**');
    expect(
      buildInputs(
        { mode: 'folder', folder: 'backend', include: [], outputs: [], allowed: ['backend/src/**'] },
        {
          dockerfile: 'docker/api.Dockerfile',
          projectRoot: 'backend/api',
        },
      ),
    ).toEqual([
      '{workspaceRoot}/backend/src/**',
      '{workspaceRoot}/docker/api.Dockerfile',
      '{workspaceRoot}/docker/api.Dockerfile.dockerignore',
      '{workspaceRoot}/backend/.dockerignore',
      ENGINE,
    ]);
    expect(
      buildInputs(
        { mode: 'project', include: [], outputs: [], allowed: ['apps/api/dist/**', 'apps/api/package.json'] },
        root,
      ),
    ).toEqual([
      '{projectRoot}/dist/**',
      '{projectRoot}/package.json',
      '{projectRoot}/Dockerfile',
      '{projectRoot}/Dockerfile.dockerignore',
      '{projectRoot}/.dockerignore',
      ENGINE,
    ]);
  });

  it("named build contexts: the folders Nx lists, whatever the main context's ignore file says, and the builds' outputs", () => {
    const named = { sources: ['libs/assets'], outputs: ['apps/web/dist'] };
    const fromBuilds = { dependentTasksOutputFiles: '**/*', transitive: false };
    expect(buildInputs({ mode: 'pruned', include: [], outputs: [], named })).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/libs/assets/**/*',
      fromBuilds,
      ENGINE,
    ]);
    expect(
      buildInputs(
        { mode: 'workspace', include: [], outputs: [], named, ignored: ['libs/**', 'docs/**'] },
        { dockerfile: 'Dockerfile', projectRoot: '.' },
      ),
    ).toEqual(['{workspaceRoot}/**/*', '!{workspaceRoot}/docs/**', fromBuilds, ENGINE]);
    expect(buildInputs({ mode: 'workspace', include: [], outputs: [], named, ignored: ['libs/assets'] })).toEqual([
      '{workspaceRoot}/**/*',
      fromBuilds,
      ENGINE,
    ]);
  });

  it("folder: the folder's every file, less what its ignore file leaves out, and a Dockerfile kept outside it", () => {
    const folder = {
      mode: 'folder' as const,
      folder: 'backend',
      include: [],
      outputs: [],
      ignored: ['backend/**/*.md'],
    };
    expect(buildInputs(folder, { dockerfile: 'backend/Dockerfile', projectRoot: 'backend/cmd/sink' })).toEqual([
      '{workspaceRoot}/backend/**/*',
      '!{workspaceRoot}/backend/**/*.md',
      ENGINE,
    ]);
    expect(buildInputs(folder, { dockerfile: 'docker/sink.Dockerfile', projectRoot: 'backend/cmd/sink' })).toEqual([
      '{workspaceRoot}/backend/**/*',
      '{workspaceRoot}/docker/sink.Dockerfile',
      '{workspaceRoot}/docker/sink.Dockerfile.dockerignore',
      '!{workspaceRoot}/backend/**/*.md',
      ENGINE,
    ]);
    expect(contextOptions(folder, 'backend/cmd/sink')).toEqual({ context: 'backend', prune: false });
  });

  it('project: every file of the project and the engine', () => {
    expect(buildInputs({ mode: 'project', include: ['tsconfig.base.json'], outputs: [] })).toEqual([
      '{projectRoot}/**/*',
      ENGINE,
    ]);
  });
});

describe('buildServiceTargets', () => {
  it('creates docker-build, scan, contract-verify and docker-push by default, and nothing else, with or without pacts', () => {
    expect(Object.keys(buildServiceTargets(input()))).toEqual([
      'docker-build',
      'scan',
      'contract-verify',
      'docker-push',
    ]);
    expect(Object.keys(buildServiceTargets(withPacts()))).toEqual([
      'docker-build',
      'scan',
      'contract-verify',
      'docker-push',
    ]);
  });

  it('describes the build target, with a pruned context by default', () => {
    const build = buildServiceTargets(input())['docker-build']!;
    expect(build.executor).toBe('nx-fleet:docker-build');
    expect(build.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: true });
    expect(build.inputs).toEqual(['default', NO_PACTS, '^default', '{workspaceRoot}/.dockerignore', ENGINE]);
    expect(build.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/image.json']);
    expect(build.cache).toBe(true);
    expect(build.dependsOn).toBeUndefined();
    expect(build.metadata?.technologies).toEqual(['docker']);
    expect(build.metadata?.description).toBe(
      `Build the service image from a pruned context (inferred: ${INFERRED}); no engine build when an image with the same content tag exists`,
    );
  });

  it('describes the push target: depends on the build and the scan, names the build in its options, never cached', () => {
    const push = buildServiceTargets(input())['docker-push']!;
    expect(push.executor).toBe('nx-fleet:docker-push');
    expect(push.dependsOn).toEqual(['docker-build', 'scan']);
    expect(push.options).toEqual({ buildTarget: 'docker-build' });
    expect(push.cache).toBe(false);
    expect(push.outputs).toEqual(['{workspaceRoot}/dist/fleet/services/orders/push.json']);
    expect(push.metadata?.technologies).toEqual(['docker']);
  });

  it('describes the scan target: depends on the build, names it in its options, cached on the scan inputs', () => {
    const scan = buildServiceTargets(input())['scan']!;
    expect(scan.executor).toBe('nx-fleet:scan');
    expect(scan.dependsOn).toEqual(['docker-build']);
    expect(scan.options).toEqual({ buildTarget: 'docker-build' });
    expect(scan.cache).toBe(true);
    expect(scan.inputs).toEqual(scanInputs(24));
    expect(scan.outputs).toEqual([
      '{workspaceRoot}/dist/fleet/services/orders/scan.json',
      '{workspaceRoot}/dist/fleet/services/orders/scan.sarif',
      '{workspaceRoot}/dist/fleet/services/orders/sbom.*.json',
    ]);
    expect(scan.metadata?.technologies).toEqual(['docker']);
    expect(scan.metadata?.description).toMatch(/at most 24 h$/);
  });

  it('gives the scan target the configured maximum age in its inputs and description', () => {
    const scan = buildServiceTargets(input({ scanMaxAgeHours: 6 }))['scan']!;
    expect(scan.inputs).toEqual(scanInputs(6));
    expect(scan.inputs).not.toEqual(scanInputs(24));
    expect(scan.metadata?.description).toMatch(/at most 6 h$/);
  });

  it('never passes the registry or the image to the scan target', () => {
    const scan = buildServiceTargets(input({ registry: 'ghcr.io/acme' }, { image: 'acme/orders' }))['scan']!;
    expect(scan.options).toEqual({ buildTarget: 'docker-build' });
  });

  it('uses configured target names, including in dependsOn and the push and scan buildTarget', () => {
    const targets = buildServiceTargets(
      input({ buildTargetName: 'image', pushTargetName: 'publish', scanTargetName: 'audit' }),
    );
    expect(Object.keys(targets)).toEqual(['image', 'audit', 'contract-verify', 'publish']);
    expect(targets['image']!.executor).toBe('nx-fleet:docker-build');
    expect(targets['publish']!.executor).toBe('nx-fleet:docker-push');
    expect(targets['publish']!.dependsOn).toEqual(['image', 'audit']);
    expect(targets['publish']!.options).toEqual({ buildTarget: 'image' });
    expect(targets['audit']!.executor).toBe('nx-fleet:scan');
    expect(targets['audit']!.dependsOn).toEqual(['image']);
    expect(targets['audit']!.options).toEqual({ buildTarget: 'image' });
  });

  describe('scan gate', () => {
    it('makes the push depend on the scan target by default, with configured target names', () => {
      const targets = buildServiceTargets(
        input({ buildTargetName: 'image', pushTargetName: 'publish', scanTargetName: 'audit' }),
      );
      expect(targets['publish']!.dependsOn).toEqual(['image', 'audit']);
      expect(targets['publish']!.options).not.toHaveProperty('skippedGates');
      expect(buildServiceTargets(input({ gates: { scan: true } }))['docker-push']!.dependsOn).toEqual([
        'docker-build',
        'scan',
      ]);
    });

    it('plugin gates.scan false: the push depends on the build only and names the skipped gate', () => {
      const targets = buildServiceTargets(input({ gates: { scan: false } }));
      expect(targets['docker-push']!.dependsOn).toEqual(['docker-build']);
      expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan'] });
      // The scan target itself stays, unchanged.
      expect(targets['scan']!.dependsOn).toEqual(['docker-build']);
      expect(targets['scan']!.options).toEqual({ buildTarget: 'docker-build' });
    });

    it('keeps the registry beside skippedGates, with configured target names', () => {
      const targets = buildServiceTargets(
        input({
          gates: { scan: false },
          registry: 'ghcr.io/acme',
          buildTargetName: 'image',
          pushTargetName: 'publish',
          scanTargetName: 'audit',
        }),
      );
      expect(targets['publish']!.dependsOn).toEqual(['image']);
      expect(targets['publish']!.options).toEqual({
        buildTarget: 'image',
        registry: 'ghcr.io/acme',
        skippedGates: ['scan'],
      });
    });

    it("lets the service's gates.scan false win over the plugin default", () => {
      const push = buildServiceTargets(input({}, { gates: { scan: false } }))['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build']);
      expect(push.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan'] });
    });

    it("lets the service's gates.scan true win over a plugin false", () => {
      const push = buildServiceTargets(input({ gates: { scan: false } }, { gates: { scan: true } }))['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build', 'scan']);
      expect(push.options).toEqual({ buildTarget: 'docker-build' });
    });

    it('falls back to the plugin setting when the service gates name no scan', () => {
      const push = buildServiceTargets(input({ gates: { scan: false } }, { gates: {} }))['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build']);
      expect(push.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan'] });
    });
  });

  it('passes the registry to both targets only when it is set', () => {
    const without = buildServiceTargets(input());
    expect(without['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
    expect(without['docker-build']!.options).not.toHaveProperty('registry');

    const withRegistry = buildServiceTargets(input({ registry: 'ghcr.io/acme' }));
    expect(withRegistry['docker-push']!.options).toEqual({ buildTarget: 'docker-build', registry: 'ghcr.io/acme' });
    expect(withRegistry['docker-build']!.options).toEqual({
      dockerfile: 'services/orders/Dockerfile',
      context: '.',
      prune: true,
      registry: 'ghcr.io/acme',
    });
  });

  it('passes the image from the service config to the build only', () => {
    const targets = buildServiceTargets(input({}, { image: 'acme/orders' }));
    expect(targets['docker-build']!.options).toEqual({
      dockerfile: 'services/orders/Dockerfile',
      context: '.',
      prune: true,
      image: 'acme/orders',
    });
    expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
    expect(buildServiceTargets(input())['docker-build']!.options).not.toHaveProperty('image');
  });

  it('keeps a Containerfile (or any path) as the dockerfile option', () => {
    const targets = buildServiceTargets({ ...input(), dockerfile: 'services/orders/Containerfile' });
    expect(targets['docker-build']!.options).toEqual({
      dockerfile: 'services/orders/Containerfile',
      context: '.',
      prune: true,
    });
    const elsewhere = buildServiceTargets({ ...input(), dockerfile: '.deploy/orders/Dockerfile' });
    expect(elsewhere['docker-build']!.options).toMatchObject({ dockerfile: '.deploy/orders/Dockerfile' });
  });

  it('takes the context mode and extra files from the plugin options when the service config has none', () => {
    const build = buildServiceTargets(input({ context: 'pruned', contextInclude: ['tsconfig.base.json'] }))[
      'docker-build'
    ]!;
    expect(build.options).toEqual({
      dockerfile: 'services/orders/Dockerfile',
      context: '.',
      prune: true,
      contextInclude: ['tsconfig.base.json'],
    });
    expect(build.inputs).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/tsconfig.base.json',
      ENGINE,
    ]);

    const workspace = buildServiceTargets(input({ context: 'workspace' }))['docker-build']!;
    expect(workspace.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: '.', prune: false });
    expect(workspace.inputs).toEqual(['{workspaceRoot}/**/*', ENGINE]);
    expect(workspace.metadata?.description).toMatch(
      /^Build the service image from a workspace context \(set to workspace by the plugin option "context"\);/,
    );
  });

  it('leaves docker-build out of Nx cache when its context sends files Nx cannot hash', () => {
    // Written by a package script into a git-ignored folder (Huly's pods): no build target declares it.
    const bundled: ContextFacts = {
      ...REPO_SHAPED,
      dockerfileText: 'FROM node:20\nCOPY main.js ./\nCOPY bundle/bundle.js ./\n',
    };
    const build = buildServiceTargets(input({}, {}, bundled))['docker-build']!;
    expect(build.options).toMatchObject({ context: 'services/orders' });
    expect(build.cache).toBe(false);
    expect(build.metadata?.description).toMatch(
      /; not cached by Nx: it copies services\/orders\/bundle\/bundle\.js, which Nx does not list \(git-ignored, a symbolic link to nothing on this machine, written before the build, or not there at all\) and no build target declares as its output$/,
    );
    // Written for the folder above the workspace (Nx in web/): said so, and not cached either.
    const above = buildServiceTargets(
      input(
        {},
        {},
        {
          ...bundled,
          files: [...bundled.files, 'package.json'],
          workspaceFolder: 'web',
          dockerfileText: 'FROM node:20\nCOPY web/package.json ./\n',
        },
      ),
    )['docker-build']!;
    expect(above.cache).toBe(false);
    expect(above.metadata?.description).toMatch(
      /; not cached by Nx: its sources are in the folder above the workspace, where Nx hashes nothing$/,
    );
    // The control: what Nx lists, it hashes.
    expect(
      buildServiceTargets(input({}, {}, { ...bundled, dockerfileText: 'FROM node:20\nCOPY main.js ./\n' }))[
        'docker-build'
      ]!.cache,
    ).toBe(true);
  });

  it('lets the service config win over the plugin options', () => {
    const project = buildServiceTargets(
      input({ context: 'workspace', contextInclude: ['a/**'] }, { context: 'project' }),
    )['docker-build']!;
    expect(project.options).toEqual({ dockerfile: 'services/orders/Dockerfile', context: 'services/orders' });
    expect(project.inputs).toEqual(['{projectRoot}/**/*', ENGINE]);
    expect(project.metadata?.description).toMatch(
      /^Build the service image from a project context \(set to project by the service's settings\);/,
    );

    const include = buildServiceTargets(input({ contextInclude: ['a/**'] }, { contextInclude: ['b/**'] }))[
      'docker-build'
    ]!;
    expect(include.options).toEqual({
      dockerfile: 'services/orders/Dockerfile',
      context: '.',
      prune: true,
      contextInclude: ['b/**'],
    });
    expect(include.inputs).toEqual([
      'default',
      NO_PACTS,
      '^default',
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/b/**',
      ENGINE,
    ]);

    const none = buildServiceTargets(input({ contextInclude: ['a/**'] }, { contextInclude: [] }))['docker-build']!;
    expect(none.options).not.toHaveProperty('contextInclude');
    expect(none.inputs).toEqual(['default', NO_PACTS, '^default', '{workspaceRoot}/.dockerignore', ENGINE]);
  });

  it('keeps the pacts folder in the build inputs of the workspace and project modes, where the whole folder is the context', () => {
    expect(buildServiceTargets(withPacts({ context: 'workspace' }))['docker-build']!.inputs).toEqual([
      '{workspaceRoot}/**/*',
      ENGINE,
    ]);
    expect(buildServiceTargets(withPacts({}, { context: 'project' }))['docker-build']!.inputs).toEqual([
      '{projectRoot}/**/*',
      ENGINE,
    ]);
  });

  describe('contract gate', () => {
    it('a service with pacts: contract-verify runs the image built, cached on the image record and the pacts folder', () => {
      expect(buildServiceTargets(withPacts())['contract-verify']).toEqual({
        executor: 'nx-fleet:contract-verify',
        dependsOn: ['docker-build'],
        options: { buildTarget: 'docker-build' },
        inputs: [{ dependentTasksOutputFiles: '**/image.json', transitive: false }, '{projectRoot}/pacts/**/*'],
        outputs: ['{workspaceRoot}/dist/fleet/services/orders/contract-verify.json'],
        cache: true,
        metadata: {
          technologies: ['docker', 'pact'],
          description:
            'Run the image built and verify the 2 pact(s) consumers have with this service (pacts/); re-runs when the image or a pact changes',
          help: CONTRACT_HELP,
        },
      });
      expect(contractInputs()).toEqual([
        { dependentTasksOutputFiles: '**/image.json', transitive: false },
        '{projectRoot}/pacts/**/*',
      ]);
    });

    it('a service with pacts: the push waits for the scan and the contracts, and skips no gate', () => {
      const push = buildServiceTargets(withPacts())['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(push.options).toEqual({ buildTarget: 'docker-build' });
      expect(buildServiceTargets(withPacts({ gates: { contract: true } }))['docker-push']!.dependsOn).toEqual([
        'docker-build',
        'scan',
        'contract-verify',
      ]);
    });

    it('uses configured target names in contract-verify and in the push dependsOn', () => {
      const targets = buildServiceTargets(
        withPacts({
          buildTargetName: 'image',
          pushTargetName: 'publish',
          scanTargetName: 'audit',
          contractTargetName: 'pact-verify',
        }),
      );
      expect(Object.keys(targets)).toEqual(['image', 'audit', 'pact-verify', 'publish']);
      expect(targets['pact-verify']!.executor).toBe('nx-fleet:contract-verify');
      expect(targets['pact-verify']!.dependsOn).toEqual(['image']);
      expect(targets['pact-verify']!.options).toEqual({ buildTarget: 'image' });
      expect(targets['publish']!.dependsOn).toEqual(['image', 'audit', 'pact-verify']);
    });

    it('plugin gates.contract false: the push does not wait for contract-verify and names the skipped gate; the target stays', () => {
      const targets = buildServiceTargets(withPacts({ gates: { contract: false } }));
      expect(targets['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
      expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['contract'] });
      expect(targets['contract-verify']!.dependsOn).toEqual(['docker-build']);
      expect(targets['contract-verify']!.options).toEqual({ buildTarget: 'docker-build' });
    });

    it("lets the service's gates.contract false win over the plugin default, and true win over a plugin false", () => {
      const off = buildServiceTargets(withPacts({}, { gates: { contract: false } }))['docker-push']!;
      expect(off.dependsOn).toEqual(['docker-build', 'scan']);
      expect(off.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['contract'] });

      const on = buildServiceTargets(withPacts({ gates: { contract: false } }, { gates: { contract: true } }))[
        'docker-push'
      ]!;
      expect(on.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(on.options).toEqual({ buildTarget: 'docker-build' });

      // A service gates block naming only the scan leaves the contract gate to the plugin.
      const fallback = buildServiceTargets(withPacts({ gates: { contract: false } }, { gates: { scan: true } }))[
        'docker-push'
      ]!;
      expect(fallback.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['contract'] });
    });

    it('both gates off: the push depends on the build only and lists both skipped gates, scan first, beside the registry', () => {
      const push = buildServiceTargets(
        withPacts({ gates: { scan: false, contract: false }, registry: 'ghcr.io/acme' }),
      )['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build']);
      expect(push.options).toEqual({
        buildTarget: 'docker-build',
        registry: 'ghcr.io/acme',
        skippedGates: ['scan', 'contract'],
      });

      const mixed = buildServiceTargets(withPacts({ gates: { scan: false } }, { gates: { contract: false } }))[
        'docker-push'
      ]!;
      expect(mixed.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan', 'contract'] });
    });

    it('a service without pacts: the push never waits for contract-verify and no contract gate counts as skipped, whatever the setting', () => {
      for (const targets of [
        buildServiceTargets(input()),
        buildServiceTargets({ ...input(), pacts: [] }),
        buildServiceTargets(input({ gates: { contract: false } })),
        buildServiceTargets(input({}, { gates: { contract: false } })),
      ]) {
        expect(targets['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
        expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
      }
      const bothOff = buildServiceTargets(input({ gates: { scan: false, contract: false } }))['docker-push']!;
      expect(bothOff.dependsOn).toEqual(['docker-build']);
      expect(bothOff.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan'] });
    });

    const FINGERPRINT = {
      runtime: `node -e "require('nx-fleet/src/cli/broker-fingerprint').printBrokerFingerprint('orders')"`,
    };

    it("a Pact Broker and no repository pacts: the push waits for contract-verify, whose cache key holds the broker's pacts", () => {
      const targets = buildServiceTargets({ ...input(), broker: true });
      expect(targets['docker-push']!.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
      expect(targets['contract-verify']).toMatchObject({
        dependsOn: ['docker-build'],
        cache: true,
        inputs: [
          { dependentTasksOutputFiles: '**/image.json', transitive: false },
          '{projectRoot}/pacts/**/*',
          FINGERPRINT,
        ],
        metadata: {
          description:
            "Run the image built and verify the pacts the Pact Broker (PACT_BROKER_BASE_URL) holds for this service; re-runs when the image or the broker's pacts change",
        },
      });
      // Only contract-verify's key: the image's and the push's inputs do not follow the broker.
      expect(targets['docker-build']!.inputs).not.toContainEqual(FINGERPRINT);
      expect(targets['docker-push']!.inputs).not.toContainEqual(FINGERPRINT);
    });

    it('a Pact Broker and repository pacts: one verification of both gates the push', () => {
      const targets = buildServiceTargets({ ...withPacts(), broker: true });
      expect(targets['docker-push']!.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(targets['contract-verify']!.inputs).toContainEqual(FINGERPRINT);
      expect(targets['contract-verify']!.metadata?.description).toMatch(/2 pact\(s\) .* and the Pact Broker's for it/);
    });

    it('a Pact Broker with the contract gate off: skipped and named, and still never a cached verification across broker changes', () => {
      const targets = buildServiceTargets({ ...input({ gates: { contract: false } }), broker: true });
      expect(targets['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
      expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['contract'] });
      expect(targets['contract-verify']!.inputs).toContainEqual(FINGERPRINT);
    });

    it('a Pact Broker and a project name no shell command can carry: contract-verify is never cached', () => {
      const targets = buildServiceTargets({ ...input(), projectName: "o'rders", broker: true });
      expect(targets['contract-verify']!.cache).toBe(false);
      expect(targets['contract-verify']!.inputs).toEqual([
        { dependentTasksOutputFiles: '**/image.json', transitive: false },
        '{projectRoot}/pacts/**/*',
      ]);
      expect(brokerFingerprintCommand("o'rders")).toBeUndefined();
    });

    it('the runtime input is the fingerprint command and carries no broker URL or credential', () => {
      expect(brokerFingerprintCommand('@acme/orders')).toBe(
        `node -e "require('nx-fleet/src/cli/broker-fingerprint').printBrokerFingerprint('@acme/orders')"`,
      );
      expect(contractInputs(FINGERPRINT.runtime)).toEqual([
        { dependentTasksOutputFiles: '**/image.json', transitive: false },
        '{projectRoot}/pacts/**/*',
        FINGERPRINT,
      ]);
    });

    it('a service without pacts: contract-verify is listed, says there are none yet, and is configured as with pacts', () => {
      const target = buildServiceTargets(input())['contract-verify']!;
      const { metadata, ...rest } = buildServiceTargets(withPacts())['contract-verify']!;
      expect(target).toEqual({
        ...rest,
        metadata: {
          technologies: ['docker', 'pact'],
          description:
            "Verify consumers' pacts with this service; none yet (consumers' Pact tests write them to pacts/)",
          help: CONTRACT_HELP,
        },
      });
      expect(metadata?.description).not.toBe(target.metadata?.description);
    });

    it('counts the pacts in the description', () => {
      expect(
        buildServiceTargets({ ...input(), pacts: ['services/orders/pacts/web-orders.json'] })['contract-verify']!
          .metadata?.description,
      ).toMatch(/^Run the image built and verify the 1 pact\(s\)/);
    });
  });
});

describe('scanInputs', () => {
  const runtimeOf = (inputs: ReturnType<typeof scanInputs>) =>
    inputs.flatMap((entry) => (typeof entry === 'object' && 'runtime' in entry ? [entry.runtime] : []));

  it("24 h: the image record of the build (not transitive), the allowlist, the scanner settings and the scanners' fingerprint with a daily bucket", () => {
    expect(scanInputs(24)).toEqual([
      { dependentTasksOutputFiles: '**/image.json', transitive: false },
      '{workspaceRoot}/fleet-allowlist.json',
      { env: 'FLEET_SCANNER' },
      { env: 'FLEET_TRIVY' },
      { env: 'TRIVY_CACHE_DIR' },
      { env: 'GRYPE_DB_CACHE_DIR' },
      {
        runtime: `node -e "process.stdout.write(require('nx-fleet/src/supply-chain/scanners/fingerprint').scannerFingerprint(86400000))"`,
      },
    ]);
  });

  it('1.5 h: a bucket of 5400000 ms, the other inputs unchanged', () => {
    const inputs = scanInputs(1.5);
    expect(runtimeOf(inputs)).toEqual([
      `node -e "process.stdout.write(require('nx-fleet/src/supply-chain/scanners/fingerprint').scannerFingerprint(5400000))"`,
    ]);
    expect(inputs.slice(0, 6)).toEqual(scanInputs(24).slice(0, 6));
    expect(inputs).toHaveLength(7);
  });

  it('writes an integer bucket length into the command, never a fraction or an exponent', () => {
    for (const hours of [1 / 3, 0.1, 7, 1000]) {
      const [command] = runtimeOf(scanInputs(hours));
      expect(command).toMatch(/scannerFingerprint\([1-9]\d*\)\)"$/);
    }
  });

  it('never writes a zero bucket length, even for a tiny positive maximum age', () => {
    const { scanMaxAgeHours } = normalizeOptions({ scanMaxAgeHours: 1e-7 });
    expect(scanMaxAgeHours).toBeGreaterThan(0);
    const [command] = runtimeOf(scanInputs(scanMaxAgeHours));
    expect(command).not.toContain('(0)');
  });

  it("gives a runtime command that prints the scanners' fingerprint when run (nx-fleet resolved as in a user workspace)", () => {
    const [command] = runtimeOf(scanInputs(1.5));
    const script = /node -e "(.*)"$/.exec(command!)![1]!;
    let printed = '';
    const write = (text: string) => {
      printed += text;
    };
    // The path inside the installed package; the e2e scan runs the real command in a user workspace.
    const requireFromPackage = (id: string) => {
      expect(id).toBe('nx-fleet/src/supply-chain/scanners/fingerprint');
      return { scannerFingerprint };
    };
    new Function('process', 'require', script)({ stdout: { write } }, requireFromPackage);
    expect(printed).toMatch(/^bucket=\d+ trivy=\S+ trivy-db=\S+ grype=\S+ grype-db-v5=\S+ grype-db-v6=\S+$/);
  });
});

describe('Nx Console metadata', () => {
  it('groups the four targets under "Fleet", in their order, with configured names, beside the technology', () => {
    expect(serviceProjectMetadata(normalizeOptions({}))).toEqual({
      technologies: ['docker'],
      targetGroups: { Fleet: ['docker-build', 'scan', 'contract-verify', 'docker-push'] },
    });
    expect(
      serviceProjectMetadata(
        normalizeOptions({
          buildTargetName: 'image',
          scanTargetName: 'audit',
          contractTargetName: 'pact-verify',
          pushTargetName: 'publish',
        }),
      ).targetGroups,
    ).toEqual({ Fleet: ['image', 'audit', 'pact-verify', 'publish'] });
  });

  it("gives every target a help command printing its executor's options, with an example of them", () => {
    const targets = buildServiceTargets(withPacts({ buildTargetName: 'image', pushTargetName: 'publish' }));
    expect(Object.fromEntries(Object.entries(targets).map(([name, target]) => [name, target.metadata?.help]))).toEqual({
      image: {
        command: 'npx nx run orders:image --help',
        example: { options: { platforms: ['linux/arm64'] } },
      },
      scan: {
        command: 'npx nx run orders:scan --help',
        example: { options: { threshold: 'CRITICAL', ignoreUnfixed: true } },
      },
      'contract-verify': CONTRACT_HELP,
      publish: { command: 'npx nx run orders:publish --help', example: { options: { tags: ['stable'] } } },
    });
  });

  it('keeps the description and technologies beside the help', () => {
    const build = buildServiceTargets(input())['docker-build']!;
    expect(build.metadata).toEqual({
      technologies: ['docker'],
      description: expect.stringMatching(/^Build the service image from a pruned context \(inferred: /),
      context: { mode: 'pruned', origin: 'inferred', reason: INFERRED },
      help: expect.objectContaining({ command: 'npx nx run orders:docker-build --help' }),
    });
  });

  it.each([
    ['@acme/orders', 'docker-build', 'npx nx run @acme/orders:docker-build --help'],
    ['orders.v2_api', 'docker-build', 'npx nx run orders.v2_api:docker-build --help'],
    ['orders; rm -rf /', 'docker-build', undefined],
    ['$(whoami)', 'docker-build', undefined],
    ['orders', 'build && curl x', undefined],
  ])('help for project %j, target %j: %j (a name a shell would interpret gets none)', (project, target, command) => {
    expect(targetHelp(project, target, { x: 1 }).help?.command).toBe(command);
  });
});

describe('docker-push inputs: what makes a push affected', () => {
  const IMAGE = ['default', NO_PACTS, '^default', '{workspaceRoot}/.dockerignore', ENGINE];

  it.each([
    ['nothing but the image', [], [], IMAGE],
    ['a shared file (rule b)', ['.gitignore'], [], [...IMAGE, '{workspaceRoot}/.gitignore']],
    [
      "a shared file the image's inputs name already",
      ['.dockerignore', '.gitignore'],
      [],
      [...IMAGE, '{workspaceRoot}/.gitignore'],
    ],
    ['a parent service folder (rule c)', ['platform/**'], [], [...IMAGE, '{workspaceRoot}/platform/**']],
    [
      'providers called through their SDKs',
      [],
      ['services/payments', 'services/users'],
      [...IMAGE, '{workspaceRoot}/services/payments/**', '{workspaceRoot}/services/users/**'],
    ],
    ['a provider at the workspace root', [], ['.'], [...IMAGE, '{workspaceRoot}/**']],
    [
      'all three',
      ['renovate.json'],
      ['services/payments'],
      [...IMAGE, '{workspaceRoot}/renovate.json', '{workspaceRoot}/services/payments/**'],
    ],
  ])('%s', (_, affectedBy, providerRoots, expected) => {
    const push = buildServiceTargets({ ...input(), affectedBy, providerRoots })['docker-push']!;
    expect(push.inputs).toEqual(expected);
  });

  it('starts with the build inputs of every context mode, so a changed image is always pushed', () => {
    for (const context of ['pruned', 'workspace', 'project'] as const) {
      const targets = buildServiceTargets({ ...input({ context }), providerRoots: ['services/payments'] });
      expect(targets['docker-push']!.inputs).toEqual([
        ...targets['docker-build']!.inputs!,
        // A workspace context's image follows every file already: no path is repeated.
        ...(context === 'workspace' ? [] : ['{workspaceRoot}/services/payments/**']),
      ]);
    }
  });

  it("keeps what the rules name an input of the push, even where the image's ignore file leaves it out", () => {
    const push = (ignored: string[], affectedBy: string[], providerRoots: string[]) =>
      pushInputs(
        buildInputs({ mode: 'workspace', include: [], outputs: [], ignored }),
        affectedBy,
        providerRoots,
      ).filter((input) => typeof input === 'string' && input.startsWith('!'));
    // docs/ is in release.ignore (no rule-b path), scripts/ is a shared folder, services/b a provider.
    expect(push(['docs/**', 'scripts/**', '**/*.md'], ['scripts/**'], ['services/b'])).toEqual([
      '!{workspaceRoot}/docs/**',
    ]);
    expect(push(['docs/**', 'deploy.sh'], ['deploy.sh', 'platform/**'], [])).toEqual(['!{workspaceRoot}/docs/**']);
    expect(push(['docs/**'], [], ['.'])).toEqual([]);
    expect(push(['**/*.md'], [], [])).toEqual(['!{workspaceRoot}/**/*.md']);
  });

  it('never puts runtime knowledge into the build, scan or contract inputs, nor into any dependsOn', () => {
    const plain = buildServiceTargets(input());
    const withProviders = buildServiceTargets({ ...input(), providerRoots: ['services/payments'] });
    for (const target of ['docker-build', 'scan', 'contract-verify'])
      expect(withProviders[target]).toEqual(plain[target]);
    expect(withProviders['docker-push']!.dependsOn).toEqual(plain['docker-push']!.dependsOn);
  });
});

describe("a base image's paths (Nx 23's affected)", () => {
  it('names the workspace paths of its image inputs, its folder for `default`, no negation and no dependency input', () => {
    expect(
      baseImagePaths(
        [
          'default',
          '!{projectRoot}/pacts/**/*',
          '^default',
          '{projectRoot}/**/*',
          '{workspaceRoot}/.dockerignore',
          '!{workspaceRoot}/images/base/README.md',
          { env: 'FLEET_ENGINE' },
        ],
        'images/base',
      ),
    ).toEqual([
      '{workspaceRoot}/images/base/**/*',
      '{workspaceRoot}/images/base/**/*',
      '{workspaceRoot}/.dockerignore',
    ]);
    expect(baseImagePaths(['{projectRoot}/**/*'], '.')).toEqual(['{workspaceRoot}/**/*']);
  });

  it('adds each path once, and none to inputs that follow every workspace file', () => {
    expect(
      withPaths(
        ['{projectRoot}/**/*', '{workspaceRoot}/a/**/*'],
        ['{workspaceRoot}/a/**/*', '{workspaceRoot}/b/**/*', '{workspaceRoot}/b/**/*'],
      ),
    ).toEqual(['{projectRoot}/**/*', '{workspaceRoot}/a/**/*', '{workspaceRoot}/b/**/*']);
    expect(withPaths(['{workspaceRoot}/**/*'], ['{workspaceRoot}/b/**/*'])).toEqual(['{workspaceRoot}/**/*']);
  });
});
