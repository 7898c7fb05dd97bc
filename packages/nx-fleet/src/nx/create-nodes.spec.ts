import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { AggregateCreateNodesError, logger, type CreateNodesResult } from '@nx/devkit';
import picomatch from 'picomatch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { FleetPluginOptions } from '../config/options';
import { answerApart, fleetCreateNodes, type CreateNodesDeps } from './create-nodes';
import { NODES_PROCESS_ENV, type ApartAnswer, type ApartQuestion } from './create-nodes-apart';
import { cacheFile } from './folder-cache';
import { PLUGIN_GLOB } from '../services/detection';
import { GraphMemo } from './graph-memo';
import { OnceWarnings } from './worker-state';

/**
 * A plugin as a new worker has it: no warning printed yet, and an empty cache directory of its own
 * (or the given one, to start a worker over a cache an earlier one wrote).
 * `@nx/devkit` is an external CommonJS module: its `logger` stays the one object spied on here.
 */
function freshCreateNodes(cacheDirectory = tempDir('nx-fleet-plugin-cache-'), env: Record<string, string> = {}) {
  return fleetCreateNodes(workerDeps({ cacheDirectory, env }));
}

/** A new worker's ports: the disk's files, Nx's logger, and a process of its own played here, answers copied as IPC would. */
function workerDeps(given: Partial<CreateNodesDeps> = {}): CreateNodesDeps {
  return {
    cacheDirectory: tempDir('nx-fleet-plugin-cache-'),
    warnings: new OnceWarnings(),
    verbose: (message) => logger.verbose(message),
    askApart: apartHere,
    sourceFiles: diskFiles,
    memo: new GraphMemo(),
    env: {},
    ...given,
  };
}

/** What create-nodes-process.ts does, without the process: the question and the answer structured-cloned. */
async function apartHere(question: ApartQuestion): Promise<ApartAnswer> {
  const ports = { env: { [NODES_PROCESS_ENV]: '1' }, sourceFiles: diskFiles };
  return structuredClone(await answerApart(structuredClone(question), ports));
}

/** What Nx's workspace context gives: every file under the root, with a content hash. */
async function diskFiles(root: string): Promise<Array<{ file: string; hash: string }>> {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      return entry.isDirectory() ? walk(path) : [path];
    });
  return walk('').map((file) => ({
    file,
    hash: createHash('sha256')
      .update(readFileSync(join(root, file)))
      .digest('hex'),
  }));
}
type CreateNodesTuple = ReturnType<typeof freshCreateNodes>;

/** Drops createNodes' kept whole answers (nodes-cache.ts) from a cache directory. */
function forgetAnswers(cacheDirectory: string): void {
  const dir = join(cacheDirectory, 'nx-fleet');
  for (const file of existsSync(dir) ? readdirSync(dir) : []) if (file.startsWith('nodes-')) rmSync(join(dir, file));
}

/** Removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  extraDirs.push(dir);
  return dir;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

/** What Nx would hand the plugin: every file matching its glob (manifests, container files, JSON files directly in a pacts folder), sorted. */
function matched(files: Record<string, string>): string[] {
  return Object.keys(files)
    .filter((file) => matchesPluginGlob(file))
    .sort();
}

const matchesPluginGlob = picomatch(PLUGIN_GLOB, { dot: true });

const json = (value: unknown) => JSON.stringify(value);

const FILES: Record<string, string> = {
  'package.json': json({ name: '@acme/source', private: true }),
  'services/a/project.json': json({ name: 'a' }),
  'services/a/Dockerfile': 'FROM scratch\n',
  'services/b/package.json': json({ name: '@acme/b' }),
  'services/b/Containerfile': 'FROM scratch\n',
  'orphan/Dockerfile': 'FROM scratch\n',
  'unnamed/package.json': json({ private: true }),
  'unnamed/Dockerfile': 'FROM scratch\n',
  '.devcontainer/project.json': json({ name: 'devcontainer' }),
  '.devcontainer/Dockerfile': 'FROM scratch\n',
  '.cursor/Dockerfile': 'FROM scratch\n',
  'both/project.json': json({ name: 'both' }),
  'both/Containerfile': 'FROM scratch\n',
  'both/Dockerfile': 'FROM scratch\n',
  'broken/project.json': '{ "name": "broken", ',
  'broken/Dockerfile': 'FROM scratch\n',
  // Projects without a Dockerfile: never a service, never a warning, even when their JSON is broken.
  'libs/util/project.json': json({ name: 'util' }),
  'libs/util/package.json': json({ name: '@acme/util' }),
  'libs/broken-lib/project.json': '{ "name": ',
  'libs/broken-pkg/package.json': '{',
  'services/a/src/main.ts': 'export {};\n',
};
const MATCHED = matched(FILES);

const ENGINE = { env: 'FLEET_ENGINE' };
/** Every service's project metadata: its technology, and its four targets as one group in Nx Console. */
const PROJECT_METADATA = {
  technologies: ['docker'],
  targetGroups: { Fleet: ['docker-build', 'scan', 'contract-verify', 'docker-push'] },
};
const PRUNED_INPUTS = ['default', '!{projectRoot}/pacts/**/*', '^default', '{workspaceRoot}/.dockerignore', ENGINE];
/** The fixtures' Dockerfiles copy nothing, so their inferred context is the project folder. */
const PROJECT_INPUTS = ['{projectRoot}/**/*', ENGINE];
const PRUNED = { buildOptions: { context: '.', prune: true }, inputs: PRUNED_INPUTS };
/** A Dockerfile outside its project is an input of the image, with the ignore file beside it. */
const PRUNED_ELSEWHERE = (dockerfile: string) => ({
  ...PRUNED,
  inputs: [
    ...PRUNED_INPUTS.slice(0, -1),
    `{workspaceRoot}/${dockerfile}`,
    `{workspaceRoot}/${dockerfile}.dockerignore`,
    ENGINE,
  ],
});
const CONTRACT_INPUTS = [{ dependentTasksOutputFiles: '**/image.json', transitive: false }, '{projectRoot}/pacts/**/*'];
const SCAN_INPUTS = [
  { dependentTasksOutputFiles: '**/image.json', transitive: false },
  '{workspaceRoot}/fleet-allowlist.json',
  { env: 'FLEET_SCANNER' },
  { env: 'FLEET_TRIVY' },
  { env: 'TRIVY_CACHE_DIR' },
  { env: 'GRYPE_DB_CACHE_DIR' },
  {
    runtime: `node -e "process.stdout.write(require('nx-fleet/src/supply-chain/scanners/fingerprint').scannerFingerprint(86400000))"`,
  },
];

function expectedTargets(
  root: string,
  dockerfile: string,
  {
    build = 'docker-build',
    push = 'docker-push',
    scan = 'scan',
    contract = 'contract-verify',
    buildOptions = {},
    pushOptions = {},
    inputs = PROJECT_INPUTS as unknown[],
    scanGate = true,
    pacts = 0,
    contractGate = true,
  } = {},
) {
  const waitsForContracts = pacts > 0 && contractGate;
  const skippedGates = [...(scanGate ? [] : ['scan']), ...(pacts > 0 && !contractGate ? ['contract'] : [])];
  return {
    [build]: expect.objectContaining({
      executor: 'nx-fleet:docker-build',
      options: { dockerfile, context: root, ...buildOptions },
      inputs,
      outputs: [`{workspaceRoot}/dist/fleet/${root}/image.json`],
      cache: true,
    }),
    [scan]: expect.objectContaining({
      executor: 'nx-fleet:scan',
      dependsOn: [build],
      options: { buildTarget: build },
      inputs: SCAN_INPUTS,
      outputs: [
        `{workspaceRoot}/dist/fleet/${root}/scan.json`,
        `{workspaceRoot}/dist/fleet/${root}/scan.sarif`,
        `{workspaceRoot}/dist/fleet/${root}/sbom.*.json`,
      ],
      cache: true,
      metadata: expect.objectContaining({ technologies: ['docker'] }),
    }),
    [contract]: expect.objectContaining({
      executor: 'nx-fleet:contract-verify',
      dependsOn: [build],
      options: { buildTarget: build },
      inputs: CONTRACT_INPUTS,
      outputs: [`{workspaceRoot}/dist/fleet/${root}/contract-verify.json`],
      cache: true,
      metadata: expect.objectContaining({
        technologies: ['docker', 'pact'],
        description:
          pacts > 0 ? expect.stringContaining(`verify the ${pacts} pact(s)`) : expect.stringContaining('none yet'),
      }),
    }),
    [push]: expect.objectContaining({
      executor: 'nx-fleet:docker-push',
      // The scan gate (on by default) holds the push until the scan passed; the contract gate, until the consumers' pacts are verified.
      dependsOn: [build, ...(scanGate ? [scan] : []), ...(waitsForContracts ? [contract] : [])],
      options: { buildTarget: build, ...pushOptions, ...(skippedGates.length ? { skippedGates } : {}) },
      outputs: [`{workspaceRoot}/dist/fleet/${root}/push.json`],
      cache: false,
    }),
  };
}

function warnings(spy: MockInstance): string[] {
  return spy.mock.calls.map((call) => String(call[0]));
}

const orphanWarning = (dockerfile: string, folder: string) =>
  `nx-fleet: ${dockerfile} has no project.json or named package.json beside it, so it is not a service. ` +
  `Add a project.json with a "name" to ${folder}, point a project at it with "metadata": { "fleet": { "dockerfile": "${dockerfile}" } } (or, for a project you cannot edit, the plugin option "services"), or exclude it with the plugin option "exclude".`;

let tmp: string;
let warn: MockInstance;
const extraDirs: string[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-fleet-plugin-spec-'));
  writeTree(tmp, FILES);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  // The import cache is saved on the next turn of the event loop: after it, so the folders stay removed.
  await new Promise((resolve) => setImmediate(resolve));
  for (const dir of extraDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(
  createNodes: CreateNodesTuple,
  options: FleetPluginOptions | undefined,
  workspaceRoot = tmp,
  files = MATCHED,
) {
  // `configFiles` is not part of the public context type; Nx passes it anyway.
  const nxJson = join(workspaceRoot, 'nx.json');
  const context = {
    workspaceRoot,
    nxJsonConfiguration: existsSync(nxJson) ? (JSON.parse(readFileSync(nxJson, 'utf8')) as object) : {},
    configFiles: files,
  };
  return createNodes[1](files, options, context);
}

/** A workspace of its own, for the per-service settings cases; removed after the test. */
async function runWorkspace(files: Record<string, string>, options?: FleetPluginOptions) {
  const root = tempDir('nx-fleet-plugin-ws-');
  writeTree(root, files);
  const createNodes = freshCreateNodes();
  const results = await run(createNodes, options, root, matched(files));
  return {
    results,
    byFile: new Map<string, CreateNodesResult>(results.map(([file, result]) => [file, result])),
    rerun: () => run(createNodes, options, root, matched(files)),
  };
}

function onlyProject(results: ReadonlyArray<readonly [string, CreateNodesResult]>) {
  expect(results).toHaveLength(1);
  const projects = results[0]![1].projects!;
  expect(Object.keys(projects)).toHaveLength(1);
  return Object.values(projects)[0]!;
}

/** The roots of the projects the results make services (a docker-build target). */
function servicesOf(results: ReadonlyArray<readonly [string, CreateNodesResult]>): string[] {
  return results.flatMap(([, result]) =>
    Object.entries(result.projects ?? {}).flatMap(([root, project]) =>
      project.targets?.['docker-build'] ? [root] : [],
    ),
  );
}

/** The docker-build target of the service at `root` (its Dockerfile in its folder). */
function dockerPushOf(results: ReadonlyArray<readonly [string, CreateNodesResult]>, root: string) {
  return results.find(([, r]) => r.projects?.[root])![1].projects![root]!.targets!['docker-push']!;
}

function dockerBuildOf(
  results: ReadonlyArray<readonly [string, CreateNodesResult]>,
  root: string,
  file = `${root}/Dockerfile`,
) {
  return results.find(([f]) => f === file)![1].projects![root]!.targets!['docker-build']!;
}

/** Each service's root, with the Dockerfile its docker-build builds. */
function dockerfilesOf(results: ReadonlyArray<readonly [string, CreateNodesResult]>): Record<string, string> {
  return Object.fromEntries(
    results.flatMap(([, r]) =>
      Object.entries(r.projects ?? {}).flatMap(([root, p]) =>
        p.targets?.['docker-build']
          ? [[root, (p.targets['docker-build'].options as { dockerfile: string }).dockerfile]]
          : [],
      ),
    ),
  );
}

describe('createNodes', () => {
  it('matches Dockerfiles, Containerfiles and project manifests anywhere', async () => {
    const createNodes = freshCreateNodes();
    expect(createNodes[0]).toBe(PLUGIN_GLOB);
  });

  it('returns one [file, result] pair per service only, keyed by its Dockerfile', async () => {
    const createNodes = freshCreateNodes();
    const results = await run(createNodes, undefined);

    // Not here: the excluded .devcontainer, the orphans, the shadowed both/Containerfile, projects without a Dockerfile.
    expect(results.map(([file]) => file)).toEqual([
      'both/Dockerfile',
      'broken/Dockerfile',
      'services/a/Dockerfile',
      'services/b/Containerfile',
    ]);
    const byFile = new Map<string, CreateNodesResult>(results.map(([file, result]) => [file, result]));

    // Dockerfile wins over Containerfile in the same folder.
    expect(byFile.get('both/Dockerfile')).toEqual({
      projects: {
        both: { targets: expectedTargets('both', 'both/Dockerfile'), metadata: PROJECT_METADATA },
      },
    });

    // project.json: Nx names the project, so the plugin adds no name.
    expect(byFile.get('services/a/Dockerfile')).toEqual({
      projects: {
        'services/a': {
          targets: expectedTargets('services/a', 'services/a/Dockerfile'),
          metadata: PROJECT_METADATA,
        },
      },
    });
    expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']).not.toHaveProperty('name');

    // Named package.json: the package name becomes the project name.
    expect(byFile.get('services/b/Containerfile')).toEqual({
      projects: {
        'services/b': {
          name: '@acme/b',
          targets: expectedTargets('services/b', 'services/b/Containerfile'),
          metadata: PROJECT_METADATA,
        },
      },
    });

    // Invalid project.json does not break the graph: still a service, without a name from the plugin.
    expect(byFile.get('broken/Dockerfile')).toEqual({
      projects: {
        broken: { targets: expectedTargets('broken', 'broken/Dockerfile'), metadata: PROJECT_METADATA },
      },
    });
  });

  it("takes a lowercase dockerfile, the docker CLI's fallback, where a folder has no Dockerfile: a service beside a manifest, an orphan elsewhere (blinko's)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'blinko', workspaces: ['apps/*'] }),
      dockerfile: 'FROM node:20\nCOPY . .\n',
      'apps/api/package.json': json({ name: 'api' }),
      'apps/api/dockerfile': 'FROM node:20\nCOPY index.js .\n',
      'apps/web/project.json': json({ name: 'web' }),
      'apps/web/Dockerfile': 'FROM node:20\n',
      'apps/web/dockerfile': 'FROM node:18\n',
      'tools/img/dockerfile': 'FROM alpine\nCOPY x .\n',
    });
    const builds = Object.fromEntries(
      results.flatMap(([, result]) =>
        Object.entries(result.projects ?? {}).map(([root, project]) => [
          root,
          (project.targets?.['docker-build']?.options as { dockerfile?: string } | undefined)?.dockerfile,
        ]),
      ),
    );
    expect(builds).toEqual({ '.': 'dockerfile', 'apps/api': 'apps/api/dockerfile', 'apps/web': 'apps/web/Dockerfile' });
    expect(warnings(warn).filter((m) => m.includes('tools/img/dockerfile'))).toEqual([
      orphanWarning('tools/img/dockerfile', 'tools/img'),
    ]);
  });

  it("waits for the target whose stated outputs hold a copied root output, not the service's own build (daytona's runner)", async () => {
    const { results } = await runWorkspace({
      '.gitignore': 'dist\n',
      'libs/tool/project.json': json({
        name: 'tool',
        targets: {
          build: { command: 'true', outputs: ['{workspaceRoot}/dist/{projectRoot}'] },
          'build-amd64': { command: 'true', outputs: ['{workspaceRoot}/dist/libs/tool-amd64'] },
        },
      }),
      'libs/tool/main.go': 'package main\n',
      'apps/agent/project.json': json({
        name: 'agent',
        targets: { build: { command: 'true', outputs: ['{workspaceRoot}/dist/apps/agent'] } },
      }),
      'apps/agent/run.sh': '',
      'apps/agent/Dockerfile':
        'FROM alpine\nCOPY dist/libs/tool-amd64 /usr/bin/tool\nCOPY dist/apps/agent /app\nCOPY apps/agent/run.sh /run.sh\n',
    });
    const build = results.flatMap(([, r]) => (r.projects?.['apps/agent'] ? [r.projects['apps/agent']!] : []))[0]!
      .targets!['docker-build']!;
    // Its own build for its own output; the tool's build-amd64 for the tool's, whose outputs Nx then hashes.
    expect(build.dependsOn).toEqual(['build', { projects: ['tool'], target: 'build-amd64' }]);
    expect(build.inputs).toContainEqual({ dependentTasksOutputFiles: '**/*', transitive: false });
  });

  it("waits for no build for what `turbo prune --docker` writes at the root, in whichever folder the Dockerfile is, uncached (typie's website and api)", async () => {
    const turbo = 'FROM node:20\nCOPY out/json/ .\nRUN npm ci\nCOPY out/full/ .\n';
    const { results } = await runWorkspace({
      '.gitignore': 'out/\ndist/\n',
      'apps/web/project.json': json({ name: 'web', targets: { build: { command: 'true' } } }),
      'apps/web/src/main.ts': '',
      'apps/web/Dockerfile': `${turbo}COPY apps/api/schema.graphql apps/web/\nRUN npx turbo build --filter=web\n`,
      'apps/api/project.json': json({ name: 'api', targets: { build: { command: 'true' } } }),
      'apps/api/schema.graphql': '',
      'apps/api/Dockerfile': `${turbo}RUN npx turbo build --filter=api\n`,
    });
    for (const root of ['apps/web', 'apps/api']) {
      const build = results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!] : []))[0]!.targets![
        'docker-build'
      ]!;
      expect(build.metadata!['context']).toMatchObject({ mode: 'workspace' });
      expect(build.metadata!['description']).toMatch(/not cached by Nx: it copies out\/json, out\/full/);
      expect(build.options).toEqual({ dockerfile: `${root}/Dockerfile`, context: '.', prune: false });
      expect(build.dependsOn ?? []).toEqual([]);
      expect(build.cache).toBe(false);
    }
  });

  it("reads {options.outputPath} outputs, and waits for every build a copied folder holds the outputs of (codelab's dist/libs/tools)", async () => {
    const library = (name: string, outputPath: string) =>
      json({
        name,
        targets: {
          build: { executor: '@nx/js:tsc', outputs: ['{options.outputPath}'], options: { outputPath } },
          lint: { command: 'true', outputs: ['{options.outputFile}'] },
        },
      });
    const workspace = (copy: string) => ({
      '.gitignore': 'dist\n',
      'libs/tools/a/project.json': library('tools-a', 'dist/libs/tools/a'),
      'libs/tools/b/project.json': library('tools-b', 'dist/libs/tools/b'),
      'libs/ui/project.json': library('ui', 'dist/libs/ui'),
      'apps/api/project.json': json({ name: 'api', targets: { build: { command: 'true' } } }),
      'apps/api/main.ts': '\n',
      'apps/api/Dockerfile': `FROM node:20\n${copy}\nCOPY apps/api /app\nRUN npx nx build api\n`,
    });
    const buildOf = async (copy: string) => {
      const { results } = await runWorkspace(workspace(copy));
      return results.flatMap(([, r]) => (r.projects?.['apps/api'] ? [r.projects['apps/api']!] : []))[0]!.targets![
        'docker-build'
      ]!;
    };
    expect((await buildOf('COPY dist/libs/tools/a ./dist/libs/tools/a')).dependsOn).toEqual([
      { projects: ['tools-a'], target: 'build' },
    ]);
    expect((await buildOf('COPY dist/libs/tools ./dist/libs/tools')).dependsOn).toEqual([
      { projects: ['tools-a'], target: 'build' },
      { projects: ['tools-b'], target: 'build' },
    ]);
  });

  it('reads an {options.outputPath} its default configuration sets, as nx run builds it', async () => {
    const build = (where: Record<string, unknown>) => ({
      executor: '@nx/esbuild:esbuild',
      outputs: ['{options.outputPath}'],
      defaultConfiguration: 'production',
      ...where,
    });
    const workspace = (target: Record<string, unknown>) => ({
      '.gitignore': 'dist\n',
      'apps/api/project.json': json({ name: 'api', targets: { build: target } }),
      'apps/api/main.ts': '\n',
      'apps/api/Dockerfile': 'FROM node:20\nCOPY dist/services/api api/\nCMD ["node", "api"]\n',
    });
    const dockerBuild = async (target: Record<string, unknown>) =>
      dockerBuildOf((await runWorkspace(workspace(target))).results, 'apps/api');
    const production = build({
      options: { main: 'apps/api/main.ts' },
      configurations: { production: { outputPath: 'dist/services/api' }, development: { outputPath: 'tmp/api' } },
    });
    expect(await dockerBuild(production)).toMatchObject({
      dependsOn: ['build'],
      options: { context: '.', prune: true, contextOutputs: ['dist/services/api'] },
    });
    // The check can fail: another default configuration writes elsewhere, and the copy is nobody's output.
    expect((await dockerBuild({ ...production, defaultConfiguration: 'development' })).options).not.toMatchObject({
      contextOutputs: ['dist/services/api'],
    });
  });

  it("reads an {options.outputPath} holding Nx's tokens (pulse-dashboards' `{workspaceRoot}/dist/apps/{projectName}`)", async () => {
    const { results } = await runWorkspace({
      '.gitignore': 'dist\n',
      'apps/api/project.json': json({
        name: 'api-svc',
        targets: {
          build: {
            executor: 'nx:run-commands',
            outputs: ['{options.outputPath}'],
            options: { outputPath: '{workspaceRoot}/dist/apps/{projectName}', command: 'mkdir -p dist/apps/api-svc' },
          },
        },
      }),
      'apps/api/Dockerfile': 'FROM node:22-alpine\nWORKDIR /app\nCOPY dist/apps/api-svc .\nCMD ["node", "main.js"]\n',
    });
    expect(dockerBuildOf(results, 'apps/api')).toMatchObject({
      dependsOn: ['build'],
      options: { context: '.', prune: true, contextOutputs: ['dist/apps/api-svc'] },
    });
  });

  it("makes no service of the workspace root whose Dockerfile other projects' settings name (bcgov's bciers), unless its own settings do", async () => {
    const app = (name: string) =>
      json({
        name,
        metadata: { fleet: { dockerfile: 'Dockerfile' } },
        targets: {
          build: { command: 'true', outputs: [`{workspaceRoot}/dist/${name}`] },
          'docker-build': {
            dependsOn: ['build'],
            options: { context: `dist/${name}`, prune: false, buildArgs: { app: name } },
          },
        },
      });
    const workspace = {
      'package.json': json({ name: '@acme/source', private: true }),
      Dockerfile: 'FROM node:22-alpine\nARG app\nCOPY ./.next/standalone .\nCMD ["node", "server.js"]\n',
      'apps/web/project.json': app('web'),
      'apps/admin/project.json': app('admin'),
    };
    const services = async (files: Record<string, string>, options = {}) =>
      (await runWorkspace(files, options)).results
        .flatMap(([, r]) =>
          Object.entries(r.projects ?? {}).flatMap(([root, p]) => (p.targets?.['docker-build'] ? [root] : [])),
        )
        .sort();
    expect(await services(workspace)).toEqual(['apps/admin', 'apps/web']);
    // No project names it: the root's own image, as before.
    expect(await services({ 'package.json': workspace['package.json'], Dockerfile: workspace.Dockerfile })).toEqual([
      '.',
    ]);
    // Its own settings keep it a service.
    expect(await services(workspace, { services: { '@acme/source': { image: 'acme/base' } } })).toEqual([
      '.',
      'apps/admin',
      'apps/web',
    ]);
  });

  it("takes no file named after a Dockerfile variant that has no FROM for a project's image (continue's Dockerfile.tmLanguage)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'fx', private: true, workspaces: ['pkgs/*'] }),
      'pkgs/syntax/package.json': json({ name: 'syntax', version: '1.0.0' }),
      'pkgs/syntax/Dockerfile.tmLanguage': '<plist><dict><key>name</key><string>Dockerfile</string></dict></plist>\n',
      'pkgs/api/package.json': json({ name: 'api', version: '1.0.0' }),
      'pkgs/api/Dockerfile.prod': '# syntax=docker/dockerfile:1\nARG BASE=node:20\nfrom ${BASE}\nCOPY . .\n',
    });
    const services = results.flatMap(([, result]) =>
      Object.entries(result.projects ?? {}).flatMap(([root, project]) =>
        project.targets?.['docker-build'] ? [root] : [],
      ),
    );
    expect(services).toEqual(['pkgs/api']);
    expect(warnings(warn).filter((m) => m.includes('tmLanguage'))).toEqual([]);
  });

  it("makes no service of a Dockerfile that only lists images (testcontainers' modules, for Dependabot), nor names one in the orphan warning; a project's settings may still name it", async () => {
    const files = {
      'package.json': json({ name: 'fx', private: true, workspaces: ['pkgs/*'] }),
      'pkgs/redis/package.json': json({ name: 'redis-module', version: '1.0.0' }),
      'pkgs/redis/Dockerfile': '# images the tests run\nFROM redis:7\nFROM redis/redis-stack-server:7\n',
      'pkgs/api/package.json': json({ name: 'api', version: '1.0.0' }),
      'pkgs/api/Dockerfile': 'FROM node:20\nCOPY . .\n',
      'docker/pg/Dockerfile': 'ARG V=16\nFROM postgres:${V}\nFROM redis:7\n',
      'docker/tool/Dockerfile': 'FROM node:20\nCOPY . .\n',
    };
    expect(servicesOf((await runWorkspace(files)).results)).toEqual(['pkgs/api']);
    expect(warnings(warn).filter((m) => m.includes('no project.json'))).toEqual([
      orphanWarning('docker/tool/Dockerfile', 'docker/tool'),
    ]);
    const named = await runWorkspace(files, { services: { 'redis-module': { dockerfile: 'pkgs/redis/Dockerfile' } } });
    expect(servicesOf(named.results).sort()).toEqual(['pkgs/api', 'pkgs/redis']);
  });

  it("makes no service of a Dockerfile whose image is an empty FROM scratch (pia-system's libraries: a CI toolbox stage, then an empty final), nor an orphan of one; a stage the settings pick is built", async () => {
    const toolbox =
      'FROM node:20 AS npm-install\nCOPY package.json ./\nRUN npm install\n\n# nothing ships\nFROM scratch AS final\n';
    const files = {
      'package.json': json({ name: 'fx', private: true, workspaces: ['pkgs/*'] }),
      'pkgs/lib/package.json': json({ name: 'lib', version: '1.0.0' }),
      'pkgs/lib/Dockerfile': toolbox,
      'pkgs/api/package.json': json({ name: 'api', version: '1.0.0' }),
      'pkgs/api/Dockerfile': 'FROM node:20\nCOPY . .\n',
      'docker/tool/Dockerfile': toolbox,
      'docker/copier/Dockerfile': 'FROM node:20 AS build\nRUN true\nFROM scratch\nCOPY --from=build /x /x\n',
    };
    expect(servicesOf((await runWorkspace(files)).results)).toEqual(['pkgs/api']);
    expect(warnings(warn).filter((m) => m.includes('no project.json'))).toEqual([
      orphanWarning('docker/copier/Dockerfile', 'docker/copier'),
    ]);
    const picked = await runWorkspace(files, { services: { lib: { target: 'npm-install' } } });
    expect(servicesOf(picked.results).sort()).toEqual(['pkgs/api', 'pkgs/lib']);
  });

  it("claims a Dockerfile building a project by its angular.json name, where Nx names it after its package (ngx-starter-kit's .deploy/api)", async () => {
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'angular.json': json({ version: 2, projects: { api: 'apps/api' } }),
      'apps/api/package.json': json({ name: '@x/api' }),
      'apps/api/src/main.ts': 'export {};\n',
      '.deploy/api/Dockerfile':
        'FROM node:20 AS b\nWORKDIR /app\nCOPY . .\nRUN npx ng build api --prod\nFROM node:20\nCOPY --from=b /app/dist/apps/api .\nCMD ["node", "main.js"]\n',
    };
    const { results } = await runWorkspace(files);
    expect(servicesOf(results)).toEqual(['apps/api']);
    expect(warnings(warn)).toEqual([]);
  });

  it("says where angular.json declares the project of a Dockerfile's folder, which nx-fleet does not read (Ridy's admin-panel)", async () => {
    const files = {
      'package.json': json({ name: 'ridy', private: true }),
      'angular.json': json({ version: 1, projects: { 'admin-panel': { root: 'apps/admin-panel', architect: {} } } }),
      'apps/admin-panel/Dockerfile': 'FROM nginx:alpine\nCOPY dist/apps/admin-panel /usr/share/nginx/html\n',
    };
    const note =
      ' angular.json declares apps/admin-panel as "admin-panel", and nx-fleet reads project.json and package.json only: a project.json there with that "name" makes it a service (Nx merges it with angular.json\'s).';
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([orphanWarning('apps/admin-panel/Dockerfile', 'apps/admin-panel') + note]);
    warn.mockClear();
    await runWorkspace(files, { services: { 'admin-panel': { dockerfile: 'apps/admin-panel/Dockerfile' } } });
    expect(warnings(warn)).toContain(
      `nx-fleet: the plugin option "services", entry "admin-panel": no project has that name or root, so it is ignored. A folder is a project when it holds a project.json (with a "name") or a package.json Nx reads; add one there, or name an existing project.${note}`,
    );
  });

  it("names no Dockerfile a dev container configuration builds, or in a folder named for development, in the orphan warning (Requarks/wiki's dev/containers)", async () => {
    await runWorkspace({
      'package.json': json({ name: 'wiki', private: true }),
      '.devcontainer/devcontainer.json': json({
        dockerComposeFile: ['../box/containers/compose.yml'],
        service: 'wiki',
      }),
      'box/containers/compose.yml':
        'services:\n  wiki:\n    build:\n      context: ../..\n      dockerfile: box/containers/Dockerfile\n',
      'box/containers/Dockerfile': 'FROM node:20\nCMD ["tail", "-f", "/dev/null"]\n',
      'box/build/Dockerfile': 'FROM node:20\nCOPY . .\n',
      // A folder named for development, as a variant's name would say it (kubernetes/dashboard's hack/develop).
      'hack/develop/Dockerfile': 'FROM golang:1.23\nCOPY . .\n',
      'tools/local-env/Dockerfile': 'FROM node:20\nCOPY . .\n',
      'dev/build/Dockerfile': 'FROM node:20\nCOPY . .\n',
      // A named one there too, with no plain one beside it (logchimp's docker/local/server.Dockerfile).
      'docker/local/server.Dockerfile': 'FROM node:22\nCOPY . .\n',
    });
    expect(warnings(warn).filter((m) => m.includes('no project.json'))).toEqual([
      orphanWarning('box/build/Dockerfile', 'box/build'),
    ]);
  });

  it('names every orphan in one warning, and warns once per invalid JSON file beside a Dockerfile, across runs', async () => {
    const createNodes = freshCreateNodes();
    await run(createNodes, undefined);
    await run(createNodes, undefined);

    const messages = warnings(warn);
    expect(messages.filter((m) => m.includes('orphan/Dockerfile') || m.includes('unnamed/Dockerfile'))).toEqual([
      'nx-fleet: 2 Dockerfiles have no project.json or named package.json beside them, so they are not services: orphan/Dockerfile, unnamed/Dockerfile. ' +
        'Add a project.json with a "name" to each folder, point a project at one with "metadata": { "fleet": { "dockerfile": "orphan/Dockerfile" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude".',
    ]);
    expect(messages.filter((m) => m.includes('broken/project.json'))).toEqual([
      'nx-fleet: broken/project.json is not valid JSON; its project is treated as unnamed.',
    ]);
    // Excluded and Containerfile-shadowed files, services, and broken JSON without a Dockerfile never warn.
    expect(
      messages.some(
        (m) =>
          m.includes('.devcontainer') ||
          m.includes('.cursor') ||
          m.includes('both/') ||
          m.includes('services/') ||
          m.includes('libs/'),
      ),
    ).toBe(false);
    expect(messages).toHaveLength(2);
  });

  it('uses configured target names and passes the registry to the build and push targets', async () => {
    const createNodes = freshCreateNodes();
    const results = await run(createNodes, {
      buildTargetName: 'image',
      pushTargetName: 'publish',
      scanTargetName: 'audit',
      registry: 'ghcr.io/acme',
    });
    const a = results.find(([file]) => file === 'services/a/Dockerfile')![1];
    expect(a.projects!['services/a']!.targets).toEqual(
      expectedTargets('services/a', 'services/a/Dockerfile', {
        build: 'image',
        push: 'publish',
        scan: 'audit',
        buildOptions: { registry: 'ghcr.io/acme' },
        pushOptions: { registry: 'ghcr.io/acme' },
      }),
    );
    expect(Object.keys(a.projects!['services/a']!.targets!)).toEqual(['image', 'audit', 'contract-verify', 'publish']);
    expect(a.projects!['services/a']!.metadata).toEqual({
      technologies: ['docker'],
      targetGroups: { Fleet: ['image', 'audit', 'contract-verify', 'publish'] },
    });
  });

  it('makes the push depend on the scan target by default, with configured target names', async () => {
    const createNodes = freshCreateNodes();
    const results = new Map(
      await run(createNodes, { buildTargetName: 'image', pushTargetName: 'publish', scanTargetName: 'audit' }),
    );
    const publish = results.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['publish']!;
    expect(publish.dependsOn).toEqual(['image', 'audit']);
    expect(publish.options).toEqual({ buildTarget: 'image' });
    const byDefault = new Map(await run(createNodes, undefined)).get('services/b/Containerfile')!.projects![
      'services/b'
    ]!.targets!['docker-push']!;
    expect(byDefault.dependsOn).toEqual(['docker-build', 'scan']);
  });

  it('with PACT_BROKER_BASE_URL where the graph is computed, every push waits for contract-verify, whose key holds the broker', async () => {
    const push = async (env: Record<string, string>) =>
      new Map(await run(freshCreateNodes(undefined, env), undefined)).get('services/a/Dockerfile')!.projects![
        'services/a'
      ]!.targets!;
    const withBroker = await push({ PACT_BROKER_BASE_URL: 'https://broker.example' });
    expect(withBroker['docker-push']!.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
    expect(withBroker['contract-verify']!.inputs).toContainEqual({
      runtime: `node -e "require('nx-fleet/src/cli/broker-fingerprint').printBrokerFingerprint('a')"`,
    });
    expect((await push({}))['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
  });

  it('plugin gates.scan false: every push depends on the build only and gets skippedGates, without a warning at graph time', async () => {
    const createNodes = freshCreateNodes();
    const results = new Map(await run(createNodes, { gates: { scan: false } }));
    for (const [file, root] of [
      ['services/a/Dockerfile', 'services/a'],
      ['services/b/Containerfile', 'services/b'],
      ['both/Dockerfile', 'both'],
    ] as const) {
      expect(results.get(file)!.projects![root]!.targets).toEqual(expectedTargets(root, file, { scanGate: false }));
    }
    expect(warnings(warn).some((m) => m.includes('gate'))).toBe(false);
  });

  it('passes scanMaxAgeHours to the scan inputs, and falls back to 24 h for an invalid value', async () => {
    const createNodes = freshCreateNodes();
    const runtimeOf = async (scanMaxAgeHours: unknown) => {
      const results = new Map(await run(createNodes, { scanMaxAgeHours: scanMaxAgeHours as number }));
      return results.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['scan']!.inputs!.at(-1);
    };
    expect(await runtimeOf(1.5)).toEqual({
      runtime: `node -e "process.stdout.write(require('nx-fleet/src/supply-chain/scanners/fingerprint').scannerFingerprint(5400000))"`,
    });
    expect(await runtimeOf(-3)).toEqual(SCAN_INPUTS.at(-1));
    expect(await runtimeOf('1; rm -rf /')).toEqual(SCAN_INPUTS.at(-1));
  });

  it('applies the plugin-wide context settings', async () => {
    const createNodes = freshCreateNodes();
    const results = new Map(await run(createNodes, { context: 'pruned', contextInclude: ['tsconfig.base.json'] }));
    expect(results.get('services/a/Dockerfile')!.projects!['services/a']!.targets).toEqual(
      expectedTargets('services/a', 'services/a/Dockerfile', {
        buildOptions: { context: '.', prune: true, contextInclude: ['tsconfig.base.json'] },
        inputs: [
          'default',
          '!{projectRoot}/pacts/**/*',
          '^default',
          '{workspaceRoot}/.dockerignore',
          '{workspaceRoot}/tsconfig.base.json',
          ENGINE,
        ],
      }),
    );
  });

  it('replaces the default excludes with the configured ones when excludeDefaults is false', async () => {
    const createNodes = freshCreateNodes();
    const results = new Map(await run(createNodes, { exclude: ['services/a/**'], excludeDefaults: false }));
    expect(results.has('services/a/Dockerfile')).toBe(false);
    expect(results.get('.devcontainer/Dockerfile')!.projects).toHaveProperty(['.devcontainer']);
    expect([...results.keys()]).toEqual([
      '.devcontainer/Dockerfile',
      'both/Dockerfile',
      'broken/Dockerfile',
      'services/b/Containerfile',
    ]);
    expect(warnings(warn).some((m) => m.includes('services/a'))).toBe(false);
  });

  it("names every Dockerfile without a project in its one warning, however many (onyx's sixth is an image its CI ships)", async () => {
    const folders = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    await runWorkspace(Object.fromEntries(folders.map((folder) => [`${folder}/Dockerfile`, 'FROM scratch\n'])));
    const [warning] = warnings(warn);
    expect(warning).toContain(
      `7 Dockerfiles have no project.json or named package.json beside them, so they are not services: ${folders.map((f) => `${f}/Dockerfile`).join(', ')}. `,
    );
  });

  it("names the shipping variants beside a package.json that names no project, as orphans (umbrel's packages/os)", async () => {
    await runWorkspace({
      'package.json': json({ private: true }),
      'os/package.json': json({ scripts: { build: './build.sh' } }),
      'os/umbrelos.Dockerfile': 'FROM debian:12\nCOPY os/overlay /\n',
      'os/builder.Dockerfile': 'FROM debian:12\n',
      'os/Dockerfile.dev': 'FROM debian:12\n',
      'os2/package.json': json({ scripts: {} }),
      'os2/Dockerfile': 'FROM debian:12\n',
    });
    const [warning] = warnings(warn);
    expect(warning).toContain(
      '3 Dockerfiles have no project.json or named package.json beside them, so they are not services: os/builder.Dockerfile, os2/Dockerfile, os/umbrelos.Dockerfile.',
    );
  });

  it('reads only the manifests among the matched files', async () => {
    const createNodes = freshCreateNodes();
    // services/a/project.json is on disk but not handed over: the Dockerfile is an orphan.
    const results = await run(createNodes, undefined, tmp, ['services/a/Dockerfile']);
    expect(results).toEqual([]);
    expect(warnings(warn)).toEqual([orphanWarning('services/a/Dockerfile', 'services/a')]);
  });

  it("asks for a root project.json, and a name in the root package.json, for an orphan Dockerfile at the root (prism's: Nx refuses a root project whose package.json has none); for a root variant, one that names it (focalboard's Dockerfile.build)", async () => {
    const { results } = await runWorkspace({ Dockerfile: 'FROM scratch\n' });
    expect(results).toEqual([]);
    expect(warnings(warn)).toEqual([
      orphanWarning('Dockerfile', 'the workspace root').replace(
        'Add a project.json with a "name" to the workspace root',
        'Add a project.json with a "name" to the workspace root (and a "name" to the root package.json, if there is one: Nx refuses a root project without one)',
      ),
    ]);
    warn.mockClear();
    await runWorkspace({ 'Dockerfile.build': 'FROM alpine AS b\nRUN echo x > /x\nFROM scratch\nCOPY --from=b /x .\n' });
    expect(warnings(warn)[0]).toContain(
      'Add a project.json with a "name" and "metadata": { "fleet": { "dockerfile": "Dockerfile.build" } } to the workspace root (there, only a plain Dockerfile is the root project\'s own)',
    );
    warn.mockClear();
    await runWorkspace({ Dockerfile: 'FROM scratch\n', 'Dockerfile.rootless': 'FROM scratch\n' });
    expect(warnings(warn)[0]).toContain(
      'Add a project.json with a "name" to the workspace root (one project can build one of them: the others need projects of their own; with a "name" in the root package.json too, if there is one), point',
    );
    warn.mockClear();
    await runWorkspace({ Dockerfile: 'FROM scratch\n', 'docker/Dockerfile': 'FROM scratch\n' });
    expect(warnings(warn)[0]).toContain(
      'Add a project.json with a "name" to each folder (at the workspace root, with a "name" in the root package.json too, if there is one), point a project',
    );
  });

  it('does not warn about a Dockerfile in an excluded path without a project beside it', async () => {
    const { results } = await runWorkspace({
      '.devcontainer/Dockerfile': 'FROM scratch\n',
      'templates/node/Dockerfile': 'FROM scratch\n',
    });
    expect(results).toEqual([]);
    expect(warnings(warn)).toEqual([]);
  });

  it("makes no service of a package.json Nx makes no project of in a folder named for tests (aws-cdk-cli's fixture images)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'root', private: true, workspaces: ['packages/@acme-testing/*'] }),
      'packages/@acme-testing/cli-integ/package.json': json({ name: '@acme-testing/cli-integ' }),
      'packages/@acme-testing/cli-integ/resources/app/src/docker/Fn/package.json': json({ name: 'Fn' }),
      'packages/@acme-testing/cli-integ/resources/app/src/docker/Fn/Dockerfile': 'FROM node:18\nCOPY app.js ./\n',
      'packages/@acme-testing/cli-integ/resources/app/docker/Dockerfile': 'FROM node:18\nCOPY app.js ./\n',
      // The check can fail: outside such a folder it is a service, as before.
      'demos/unique/package.json': json({ name: 'unique' }),
      'demos/unique/Dockerfile': 'FROM scratch\n',
    });
    expect(results.map(([file]) => file)).toEqual(['demos/unique/Dockerfile']);
    expect(warnings(warn)).toEqual([]);
  });

  it('makes no service of a package.json Nx makes no project of when its name is taken: Nx would refuse the graph', async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'root', private: true }),
      'apps/web/project.json': json({ name: 'web' }),
      'demos/a/package.json': json({ name: 'app' }),
      'demos/a/Dockerfile': 'FROM scratch\n',
      'demos/b/package.json': json({ name: 'app' }),
      'demos/b/Dockerfile': 'FROM scratch\n',
      'demos/web/package.json': json({ name: 'web' }),
      'demos/web/Dockerfile': 'FROM scratch\n',
      'demos/unique/package.json': json({ name: 'unique' }),
      'demos/unique/Dockerfile': 'FROM scratch\n',
    });
    expect(results.map(([file]) => file)).toEqual(['demos/unique/Dockerfile']);
    expect(warnings(warn)).toEqual([
      // One warning for the folders that share a name (pulumi's examples: three `app`), not one each.
      'nx-fleet: 2 Dockerfiles are not services: demos/a/Dockerfile, demos/b/Dockerfile. Nx makes no project of the package.json beside each (in none of the package manager\'s workspaces), and the name nx-fleet would give each, "app", is the others\': Nx refuses two projects of one name. Add a project.json with a name of its own to each folder, point other projects at the Dockerfiles with the plugin option "services" (an entry for one of these folders names no project), or exclude them with the plugin option "exclude".',
      'nx-fleet: demos/web/Dockerfile is not a service: Nx makes no project of demos/web/package.json (it is in none of the package manager\'s workspaces), and the name nx-fleet would give it, "web", is also apps/web\'s: Nx refuses two projects of one name. Add a project.json with a name of its own to demos/web, point another project at the Dockerfile with the plugin option "services" (an entry for demos/web itself names no project), or exclude it with the plugin option "exclude".',
    ]);
  });

  it('a root variant the plugin option "services" names for a root whose name is taken: one warning, the name clash (E2B)', async () => {
    const files = {
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      'package.json': json({ name: 'x', private: true }),
      'packages/a/package.json': json({ name: 'x' }),
      'tool.Dockerfile': 'FROM alpine\nCMD ["true"]\n',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([expect.stringMatching(/tool\.Dockerfile .*variants? at the workspace root/)]);
    warn.mockClear();
    await runWorkspace(files, { services: { '.': { dockerfile: 'tool.Dockerfile' } } });
    const said = warnings(warn);
    expect(said).toEqual([
      expect.stringMatching(/^nx-fleet: tool\.Dockerfile is not a service: .*"x", is also packages\/a's/),
    ]);
  });

  it("a root Dockerfile whose package name is another project's: that project may build it, through the plugin option services", async () => {
    const files = {
      'package.json': json({ name: 'dokploy', private: true, workspaces: ['apps/*'] }),
      Dockerfile: 'FROM scratch\n',
      'apps/dokploy/package.json': json({ name: 'dokploy' }),
    };
    const unset = await runWorkspace(files);
    expect(unset.results).toEqual([]);
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: Dockerfile is not a service: Nx makes no project of package\.json \(the workspace root's manifest is one only when the package manager's workspaces list the root\), .*"dokploy", is also apps\/dokploy's: .* to the workspace root, point another project at the Dockerfile with the plugin option "services" \(an entry for the workspace root itself names no project\)/,
      ),
    ]);
    warn.mockClear();
    const set = await runWorkspace(files, { services: { dokploy: { dockerfile: 'Dockerfile' } } });
    expect(set.results.map(([file]) => file)).toEqual(['apps/dokploy/package.json']);
    expect(dockerBuildOf(set.results, 'apps/dokploy', 'apps/dokploy/package.json').options).toMatchObject({
      dockerfile: 'Dockerfile',
    });
    expect(warnings(warn)).toEqual([]);
  });

  it("a package.json Nx makes no project of leaves its folder's files shared: rule (b) (SigNoz's frontend/)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'mono', private: true, workspaces: ['packages/*'] }),
      'packages/lib/package.json': json({ name: 'lib' }),
      'svc/project.json': json({ name: 'svc' }),
      'svc/main.sh': 'echo\n',
      'svc/Dockerfile': 'FROM alpine\nCOPY svc/main.sh /main.sh\n',
      'web/package.json': json({ name: 'web', scripts: { build: 'vite build' } }),
      'web/src/a.js': '',
      'other/b.txt': '',
    });
    const inputs = dockerPushOf(results, 'svc').inputs;
    expect(inputs).toEqual(expect.arrayContaining(['{workspaceRoot}/web/**', '{workspaceRoot}/other/**']));
    expect(inputs).not.toContain('{workspaceRoot}/packages/**');
  });

  it("a Dockerfile folder nx-fleet makes no project of (a nameless package.json, a name another has) stays shared: rule (b) (dapr's samples)", async () => {
    const node = 'FROM node:20\nCOPY . .\n';
    const { results } = await runWorkspace({
      'a/package.json': json({ name: 'same' }),
      'a/Dockerfile': node,
      'a/app.js': '',
      'b/package.json': json({ name: 'same' }),
      'b/Dockerfile': node,
      'c/package.json': json({ name: 'svc' }),
      'c/Dockerfile': node,
      'e/package.json': json({ private: true }),
      'e/Dockerfile': node,
      'e/app.js': '',
    });
    const inputs = dockerPushOf(results, 'c').inputs;
    expect(inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/a/**', '{workspaceRoot}/b/**', '{workspaceRoot}/e/**']),
    );
    expect(inputs).not.toContain('{workspaceRoot}/c/**');
  });

  it("a nameless package.json in the package manager's workspaces is Nx's project, named after its folder: its Dockerfile is its service (MonSSteRFF/micro's backend/proto)", async () => {
    const node = 'FROM node:20-alpine\nWORKDIR /app\nCOPY main.js .\nCMD ["node", "main.js"]\n';
    const { results } = await runWorkspace({
      'package.json': json({ name: 'root', private: true, workspaces: ['svc/*'] }),
      'svc/worker/package.json': json({ private: true, scripts: { start: 'node main.js' } }),
      'svc/worker/Dockerfile': node,
      'svc/worker/main.js': '\n',
      'svc/api/package.json': json({ name: 'api', private: true }),
      'svc/api/Dockerfile': node,
      'svc/api/main.js': '\n',
      // Outside the workspaces Nx makes no project of it: no service, and the warning says so.
      'tools/gen/package.json': json({ private: true }),
      'tools/gen/Dockerfile': node,
    });
    const worker = results.find(([file]) => file === 'svc/worker/Dockerfile')?.[1].projects?.['svc/worker'];
    expect(worker?.name).toBe('worker');
    expect(worker?.targets?.['docker-build']).toBeDefined();
    expect(warnings(warn)).toEqual([orphanWarning('tools/gen/Dockerfile', 'tools/gen')]);
  });

  it("a service nested in a root service is affected by the root's own files, never by every other project's (homarr)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'homarr', private: true, workspaces: ['packages/*'] }),
      Dockerfile: 'FROM node:20\nCOPY . .\n',
      'turbo.json': json({ tasks: {} }),
      'packages/ui/package.json': json({ name: '@homarr/ui' }),
      'packages/ui/index.ts': 'export {};\n',
      'deployments/helper/package.json': json({ name: 'homarr-helper' }),
      'deployments/helper/Dockerfile': 'FROM node:20\nCOPY package.json .\n',
    });
    const inputs = results.find(([f]) => f === 'deployments/helper/Dockerfile')![1].projects!['deployments/helper']!
      .targets!['docker-push']!.inputs;
    expect(inputs).toContain('{workspaceRoot}/turbo.json');
    expect(inputs).not.toContain('{workspaceRoot}/**');
    expect(inputs).not.toContain('{workspaceRoot}/packages/ui/**');
  });

  it("a service nested in a parent service is affected by the parent's own files, not by its sibling projects' (gaia's bots)", async () => {
    const bot = (name: string) =>
      json({
        name: `bot-${name}`,
        metadata: { fleet: { dockerfile: 'apps/bots/Dockerfile', buildArgs: { BOT: name } } },
      });
    const { results } = await runWorkspace({
      'apps/bots/project.json': json({ name: 'bots-e2e' }),
      'apps/bots/Dockerfile': 'FROM node:20\nARG BOT=discord\nCOPY apps/bots/${BOT} /app\n',
      'apps/bots/scripts/entry.sh': 'exec node /app\n',
      'apps/bots/discord/project.json': bot('discord'),
      'apps/bots/discord/index.ts': 'export {};\n',
      'apps/bots/slack/project.json': bot('slack'),
      'apps/bots/slack/index.ts': 'export {};\n',
    });
    const inputs = results.find(([, r]) => r.projects?.['apps/bots/discord'])![1].projects!['apps/bots/discord']!
      .targets!['docker-push']!.inputs;
    expect(inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/apps/bots/Dockerfile', '{workspaceRoot}/apps/bots/scripts/**']),
    );
    expect(inputs).not.toContain('{workspaceRoot}/apps/bots/**');
    expect(JSON.stringify(inputs)).not.toContain('apps/bots/slack');
  });

  it("names the shipping variants beside a plain Dockerfile, which make no image, unless a project is pointed at them (teable's db-migrate)", async () => {
    const files = {
      'dockers/teable/Dockerfile': 'FROM node:20\n',
      'dockers/teable/Dockerfile.db-migrate': 'FROM node:20\n',
      'dockers/teable/Dockerfile.dev': 'FROM node:20\n',
      'dockers/teable/project.json': json({ name: 'teable' }),
      'packages/db-main-prisma/package.json': json({ name: '@teable/db-main-prisma' }),
      'packages/db-main-prisma/prisma/schema.prisma': '',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      'nx-fleet: dockers/teable/Dockerfile.db-migrate is a Dockerfile variant beside the Dockerfile a project is built from: no image is built from the variant. ' +
        'To build one as well, point a project of its own at it (a project builds one image) with "metadata": { "fleet": { "dockerfile": "dockers/teable/Dockerfile.db-migrate" } } (or the plugin option "services"); to silence this, exclude it with the plugin option "exclude".',
    ]);
    warn.mockClear();
    const { results } = await runWorkspace(files, {
      services: { '@teable/db-main-prisma': { dockerfile: 'dockers/teable/Dockerfile.db-migrate' } },
    });
    expect(
      dockerBuildOf(results, 'packages/db-main-prisma', 'packages/db-main-prisma/package.json').options,
    ).toMatchObject({
      dockerfile: 'dockers/teable/Dockerfile.db-migrate',
    });
    expect(warnings(warn)).toEqual([]);
  });

  it("names a shipping variant beside an orphan Dockerfile with it, as an orphan (automatisch's docker/), and root variants without a plain one (saltcorn's)", async () => {
    const files = {
      'package.json': json({ name: 'saltcorn-monorepo', private: true, workspaces: ['packages/*'] }),
      'Dockerfile.release': 'FROM node:20\nRUN npm install -g @acme/cli\n',
      'Dockerfile.dev': 'FROM node:20\n',
      'Dockerfile.isolated.dev': 'FROM node:20\n',
      'docker/Dockerfile': 'FROM node:20\nCOPY . /app\n',
      'docker/Dockerfile.compose': 'FROM acme/app:latest\n',
      'packages/backend/package.json': json({ name: '@acme/backend' }),
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      'nx-fleet: 2 Dockerfiles have no project.json or named package.json beside them, so they are not services: docker/Dockerfile, docker/Dockerfile.compose. ' +
        'Add a project.json with a "name" to docker (one project can build one of them: the others need projects of their own), point a project at one with "metadata": { "fleet": { "dockerfile": "docker/Dockerfile" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude".',
      'nx-fleet: Dockerfile.release is a Dockerfile variant at the workspace root, where only a plain Dockerfile makes a service (a root variant often builds one image per stage): no image is built from it. ' +
        'To build one, point a project at it with "metadata": { "fleet": { "dockerfile": "Dockerfile.release" } } (or the plugin option "services", "." naming the root; each image needs a project of its own); to silence this, exclude it with the plugin option "exclude".',
    ]);
    warn.mockClear();
    // Pointed at from another project: the plain one builds, its variant is named once, as unbuilt.
    await runWorkspace(files, {
      services: { '@acme/backend': { dockerfile: 'docker/Dockerfile' }, '.': { dockerfile: 'Dockerfile.release' } },
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: docker/Dockerfile.compose is a Dockerfile variant beside the Dockerfile a project is built from: no image is built from the variant. ' +
        'To build one as well, point a project of its own at it (a project builds one image) with "metadata": { "fleet": { "dockerfile": "docker/Dockerfile.compose" } } (or the plugin option "services"); to silence this, exclude it with the plugin option "exclude".',
    ]);
  });

  it("names a FROM of a stage of another service's Dockerfile, which a Bake target context fills (fullstack-open-online-banking), until the build has it", async () => {
    const files = {
      'package.json': json({ name: 'ws', private: true, workspaces: ['svc/*'] }),
      Dockerfile:
        'FROM node:20 AS base\nCOPY . /app\nWORKDIR /app\nRUN npm ci && npm run build --workspaces\nFROM base\nCMD ["node"]\n',
      'svc/api/package.json': json({ name: 'api' }),
      'svc/api/Dockerfile':
        'FROM base AS builder\nFROM node:20-slim\nCOPY --from=builder /app/svc/api/dist /srv\nCMD ["node", "/srv/index.js"]\n',
      'svc/web/package.json': json({ name: 'web' }),
      // A stage of its own, and a one-word image of Docker Hub, are no such FROM.
      'svc/web/Dockerfile': 'FROM node:20 AS base\nFROM base\nFROM alpine\nCMD ["sh"]\n',
      'docker-bake.hcl':
        'target "api" {\n  dockerfile = "svc/api/Dockerfile"\n  contexts = { base = "target:base" }\n}\n',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: svc\/api\/Dockerfile:1 FROM base AS builder: base is no stage of this Dockerfile, but one of Dockerfile: a Bake target context fills it there/,
      ),
    ]);
    expect(warnings(warn)[0]).toContain('"baseImages": { "base": "<that project>:docker-build" }');
    warn.mockClear();
    // Stated, the build has it.
    await runWorkspace({
      ...files,
      'svc/api/project.json': json({
        name: 'api',
        targets: { 'docker-build': { options: { baseImages: { base: 'ws:docker-build' } } } },
      }),
    });
    expect(warnings(warn)).toEqual([]);
  });

  it('names a root variant beside the one the root service is built from once, as unbuilt beside it (NavyOnlineMvp)', async () => {
    await runWorkspace(
      {
        'package.json': json({ name: 'root' }),
        'a.Dockerfile': 'FROM node:20\nCOPY package.json .\nCMD ["node"]\n',
        'b.Dockerfile': 'FROM node:20\nCOPY package.json .\nCMD ["node"]\n',
      },
      { services: { '.': { dockerfile: 'a.Dockerfile' } } },
    );
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: b\.Dockerfile is a Dockerfile variant beside the Dockerfile a project is built from: /,
      ),
    ]);
  });

  it("names root variants once where the root is no project (juxtaposition's `api.Dockerfile`), with the advice that fits them", async () => {
    await runWorkspace({
      'package.json': json({ private: true, workspaces: ['apps/*'] }),
      'package-lock.json': '{}',
      'apps/api/package.json': json({ name: 'api' }),
      'api.Dockerfile': 'FROM node:20\nCOPY . .\nRUN npm ci\n',
      'web.Dockerfile': 'FROM node:20\nCOPY . .\nRUN npm ci\n',
    });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: api\.Dockerfile, web\.Dockerfile are Dockerfile variants at the workspace root, /,
      ),
    ]);
  });

  it("builds a project from its Dockerfile kept alone in its docker/ folder (hedgedoc's backend), not one with sources beside it (saltcorn's builder)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'hedgedoc', private: true, workspaces: ['backend', 'frontend', 'packages/*'] }),
      'yarn.lock': '',
      'backend/package.json': json({ name: '@hedgedoc/backend' }),
      'backend/src/main.ts': 'export {};\n',
      'backend/docker/Dockerfile': 'FROM node:20\nCOPY . .\nRUN yarn install --immutable\n',
      'backend/docker/README.md': '# image\n',
      // Its own Dockerfile wins; one in a test folder is no one's.
      'frontend/package.json': json({ name: '@hedgedoc/frontend' }),
      'frontend/Dockerfile': 'FROM node:20\nCOPY . .\n',
      'frontend/docker/Dockerfile': 'FROM node:20\n',
      'frontend/e2e/Dockerfile': 'FROM node:20\n',
      // It copies a file beside it: that folder is its context, and a project.json there the fix.
      'packages/builder/package.json': json({ name: '@hedgedoc/builder' }),
      'packages/builder/docker/Dockerfile': 'FROM node:20\nCOPY entry.bash ./\n',
      'packages/builder/docker/entry.bash': 'exec node\n',
      // Its sources beside it by a glob (pulumi's cosmos app, `COPY ./app/* /usr/src/app/`): that folder's too.
      'packages/cosmos/package.json': json({ name: '@hedgedoc/cosmos' }),
      'packages/cosmos/container/Dockerfile': 'FROM node:20\nCOPY ./app/* /usr/src/app/\n',
      'packages/cosmos/container/app/index.js': 'exec node\n',
      // A file beside it copied by its workspace path (zigbee2mqtt's entrypoint) decides nothing.
      'packages/worker/package.json': json({ name: '@hedgedoc/worker' }),
      'packages/worker/docker/Dockerfile':
        'FROM node:20\nCOPY packages/worker/docker/entry.sh /usr/local/bin/\nCOPY packages/worker/dist ./dist\n',
      'packages/worker/docker/entry.sh': 'exec node\n',
    });
    const build = dockerBuildOf(results, 'backend', 'backend/package.json');
    expect(build.options).toMatchObject({ dockerfile: 'backend/docker/Dockerfile', context: '.', prune: false });
    expect(build.metadata?.['description']).toContain('the Dockerfile is not directly in its project folder (');
    expect(dockerBuildOf(results, 'frontend').options).toMatchObject({
      dockerfile: 'frontend/Dockerfile',
    });
    expect(results.some(([, r]) => Object.keys(r.projects ?? {}).includes('packages/builder'))).toBe(false);
    expect(results.some(([, r]) => Object.keys(r.projects ?? {}).includes('packages/cosmos'))).toBe(false);
    expect(dockerBuildOf(results, 'packages/worker', 'packages/worker/package.json').options).toMatchObject({
      dockerfile: 'packages/worker/docker/Dockerfile',
    });
    expect(warnings(warn)).toEqual([
      // frontend/e2e/Dockerfile is a test image, left out by default (**/e2e/**).
      'nx-fleet: 3 Dockerfiles have no project.json or named package.json beside them, so they are not services: frontend/docker/Dockerfile, packages/builder/docker/Dockerfile, packages/cosmos/container/Dockerfile. ' +
        'Add a project.json with a "name" to each folder, point a project at one with "metadata": { "fleet": { "dockerfile": "frontend/docker/Dockerfile" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude".',
    ]);
  });

  it("of several variants, builds the one `exclude` leaves, and warns of none in an excluded folder (serverless' examples)", async () => {
    const files = {
      'apps/multi/project.json': json({ name: 'multi' }),
      'apps/multi/Dockerfile.public': 'FROM node:20\nCMD ["node", "public.js"]\n',
      'apps/multi/Dockerfile.private': 'FROM node:20\nCMD ["node", "private.js"]\n',
      'packages/a/examples/demo/project.json': json({ name: 'demo' }),
      'packages/a/examples/demo/Dockerfile.public': 'FROM node:20\n',
      'packages/a/examples/demo/Dockerfile.private': 'FROM node:20\n',
    };
    const { results } = await runWorkspace(files, { exclude: ['**/Dockerfile.private'] });
    expect(dockerBuildOf(results, 'apps/multi', 'apps/multi/project.json').options).toMatchObject({
      dockerfile: 'apps/multi/Dockerfile.public',
    });
    expect(warnings(warn)).toEqual([]);
    // The check can fail: without the option, the two in apps/multi are not guessed between, and said so.
    warn.mockClear();
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      expect.stringMatching(/^nx-fleet: apps\/multi holds Dockerfile\.private and Dockerfile\.public/),
    ]);
  });

  it("builds a project from the one shipping variant in its docker/ folder (agenta's web/oss/docker/Dockerfile.gh), with no orphan warning", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'agenta-web', private: true, workspaces: ['oss', 'ee'] }),
      'oss/package.json': json({ name: '@agenta/oss' }),
      'oss/docker/Dockerfile.gh': 'FROM node:20\nCOPY oss/ ./oss/\n',
      'oss/docker/Dockerfile.dev': 'FROM node:20\nCOPY oss/ ./oss/\n',
      // Two that ship: not guessed between, named.
      'ee/package.json': json({ name: '@agenta/ee' }),
      'ee/docker/Dockerfile.gh': 'FROM node:20\nCOPY ee/ ./ee/\n',
      'ee/docker/Dockerfile.railway': 'FROM node:20\nCOPY ee/ ./ee/\n',
    });
    expect(dockerBuildOf(results, 'oss', 'oss/package.json').options).toMatchObject({
      dockerfile: 'oss/docker/Dockerfile.gh',
      context: '.',
    });
    expect(results.some(([, r]) => Object.keys(r.projects ?? {}).includes('ee'))).toBe(false);
    expect(warnings(warn).join('\n')).not.toContain('oss/docker');
    expect(warnings(warn).join('\n')).toContain('ee/docker/Dockerfile.gh');
  });

  it("builds the root project from a plain Dockerfile in its docker/ folder (zigbee2mqtt's)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'zigbee2mqtt', scripts: { build: 'tsc' } }),
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'index.js': 'require("./dist");\n',
      'docker/Dockerfile':
        'FROM node:20\nCOPY package.json pnpm-lock.yaml ./\nCOPY dist ./dist\nCOPY docker/docker-entrypoint.sh /usr/local/bin/\n',
      'docker/docker-entrypoint.sh': 'exec node index.js\n',
    });
    expect(dockerBuildOf(results, '.', 'package.json').options).toMatchObject({
      dockerfile: 'docker/Dockerfile',
      context: '.',
    });
    expect(warnings(warn)).toEqual([]);
  });

  it('builds a project from its one named variant that is not for development, and names several in one warning', async () => {
    const { results } = await runWorkspace({
      'apps/web/package.json': json({ name: 'web' }),
      'apps/web/Dockerfile.web': 'FROM scratch\n',
      'apps/web/Dockerfile.dev': 'FROM scratch\n',
      'apps/web/Dockerfile.web.dockerignore': 'node_modules\n',
      'apps/api/project.json': json({ name: 'api' }),
      'apps/api/api.Containerfile': 'FROM scratch\n',
      'apps/multi/project.json': json({ name: 'multi' }),
      'apps/multi/Dockerfile.alpine': 'FROM scratch\n',
      'apps/multi/Dockerfile.debian': 'FROM scratch\n',
      'apps/multi/Dockerfile.local': 'FROM scratch\n',
      // Variants no project owns (plane's apps/proxy/Dockerfile.ce, inbox-zero's docker/Dockerfile.prod
      // beside an unused Dockerfile.web, which their CI builds) are orphans, as plain Dockerfiles would be.
      'docker/Dockerfile.prod': 'FROM scratch\n',
      'docker/Dockerfile.web': 'FROM scratch\n',
      'apps/proxy/Dockerfile.ce': 'FROM caddy\n',
      'apps/proxy/Caddyfile.ce': ':80\n',
      // One for development or tests only is no one's either (redash's test runner).
      'tools/Dockerfile.dev': 'FROM scratch\n',
      '.ci/Dockerfile.cypress': 'FROM cypress/base\n',
      'apps/tools/project.json': json({ name: 'tools' }),
      'apps/tools/Dockerfile.dev': 'FROM scratch\n',
    });
    // Nx matched the manifests, not the variants (found in its file list): the targets come from them.
    expect(results.map(([file]) => file)).toEqual(['apps/api/project.json', 'apps/web/package.json']);
    const optionsOf = (file: string, root: string) =>
      results.find(([f]) => f === file)![1].projects![root]!.targets!['docker-build']!.options;
    expect(optionsOf('apps/web/package.json', 'apps/web')).toMatchObject({ dockerfile: 'apps/web/Dockerfile.web' });
    expect(optionsOf('apps/api/project.json', 'apps/api')).toMatchObject({
      dockerfile: 'apps/api/api.Containerfile',
    });
    // docker/ is still outside every project: a change there affects every service (rule b).
    expect(
      results.find(([f]) => f === 'apps/web/package.json')![1].projects!['apps/web']!.targets!['docker-push']!.inputs,
    ).toContain('{workspaceRoot}/docker/**');
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/multi holds Dockerfile.alpine and Dockerfile.debian and no plain Dockerfile, so it is not a service: which one ships is not guessed. ' +
        'Name it in the project\'s configuration with "metadata": { "fleet": { "dockerfile": "apps/multi/Dockerfile.alpine" } } (or the plugin option "services"), or exclude the others with the plugin option "exclude".',
      'nx-fleet: 3 Dockerfiles have no project.json or named package.json beside them, so they are not services: apps/proxy/Dockerfile.ce, docker/Dockerfile.prod, docker/Dockerfile.web. ' +
        'Add a project.json with a "name" to each folder, point a project at one with "metadata": { "fleet": { "dockerfile": "apps/proxy/Dockerfile.ce" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude".',
    ]);
  });

  it("a project-less folder with a plain Dockerfile is rule (b)'s, unless a service the plugin option names builds from it", async () => {
    const { results } = await runWorkspace(
      {
        'apps/api/project.json': json({ name: 'api' }),
        'apps/api/Dockerfile': 'FROM scratch\n',
        'apps/web/project.json': json({ name: 'web' }),
        // An orphan's folder (growthbook's preview/, documenso's docker/): its compose file and scripts affect every service.
        'deploy2/Dockerfile': 'FROM nginx\nCOPY a.conf /etc/nginx/\n',
        'deploy2/compose.yml': 'services: {}\n',
        // Built for web, named in the plugin option: its Dockerfile is web's own input, not everyone's.
        'ops/web/Dockerfile': 'FROM scratch\n',
      },
      { services: { web: { dockerfile: 'ops/web/Dockerfile' } } },
    );
    const pushOf = (file: string, root: string) =>
      results.find(([f]) => f === file)![1].projects![root]!.targets!['docker-push']!.inputs;
    expect(pushOf('apps/api/Dockerfile', 'apps/api')).toContain('{workspaceRoot}/deploy2/**');
    expect(pushOf('apps/api/Dockerfile', 'apps/api')).not.toContain('{workspaceRoot}/ops/**');
    expect(pushOf('apps/web/project.json', 'apps/web')).toContain('{workspaceRoot}/deploy2/**');
  });

  it('names a setting of the plugin option "services" nx-fleet does not have, or a wrong one, and keeps the others', async () => {
    const { results } = await runWorkspace(
      {
        'apps/web/project.json': json({ name: 'web' }),
        'apps/workers/project.json': json({ name: 'workers' }),
        'apps/workers/src/main.js': '\n',
        // karakeep's images: one Dockerfile, a stage each on a shared one; its COPY source written with a build argument.
        'docker/Dockerfile':
          'FROM node:20 AS base\nARG APP\nCOPY apps/${APP}/src /app\nFROM base AS web\nCMD ["web"]\nFROM base AS workers\nCMD ["workers"]\n',
      },
      {
        services: {
          web: { dockerfile: 'docker/Dockerfile', target: 'web', imag: 'acme/web', context: 'everything' },
          workers: { dockerfile: 'docker/Dockerfile', target: 'workers', buildArgs: { APP: 'workers' } },
        } as unknown as FleetPluginOptions['services'],
      },
    );
    expect(dockerBuildOf(results, 'apps/web', 'apps/web/project.json').options).toMatchObject({
      dockerfile: 'docker/Dockerfile',
      target: 'web',
    });
    const workers = dockerBuildOf(results, 'apps/workers', 'apps/workers/project.json');
    expect(workers.options).toMatchObject({ target: 'workers', buildArgs: { APP: 'workers' } });
    // The build argument's value decides the COPY source: it names workers' own folder, found in the workspace.
    expect(workers.metadata!['context']).toMatchObject({ reason: expect.stringMatching(/names a workspace path$/) });
    expect(dockerBuildOf(results, 'apps/web', 'apps/web/project.json').metadata!['context']).toMatchObject({
      reason: 'no COPY source decides between the project folder and the workspace root',
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: the plugin option "services", entry "web": setting "imag" is not an nx-fleet setting (dockerfile, context, contextInclude, buildTarget, image, target, buildArgs, buildContexts, enabled, gates); it is ignored.',
      'nx-fleet: the plugin option "services", entry "web": setting "context" must be one of pruned, workspace, project; it is ignored.',
      // Web sets no APP: its image copies every app's sources.
      expect.stringMatching(
        /^nx-fleet: docker\/Dockerfile:3 "COPY apps\/\$\{APP\}\/src \/app" takes the build argument APP, which the docker-build of web does not set/,
      ),
    ]);
  });

  it("says nothing of a build argument while the project's own docker-build is what Nx runs (it sets its own)", async () => {
    const gw = (target: Record<string, unknown>) =>
      runWorkspace({
        'apps/gw/project.json': json({ name: 'gw', targets: target }),
        'apps/gw/Dockerfile': 'FROM node:20\nARG APP\nCOPY dist/apps/${APP} ./\n',
      });
    await gw({
      'docker-build': {
        executor: 'nx:run-commands',
        options: { command: 'docker build -f apps/gw/Dockerfile . -t acme/gw --build-arg APP={projectName}' },
      },
    });
    expect(warnings(warn).filter((w) => w.includes('takes the build argument'))).toEqual([]);
    expect(warnings(warn).filter((w) => w.includes("the project's own configuration replaces"))).toHaveLength(1);
    // The check can fail: nx-fleet's own build, with nothing set, is told.
    warn.mockClear();
    await gw({ build: { command: 'true' } });
    expect(warnings(warn).filter((w) => w.includes('takes the build argument APP'))).toHaveLength(1);
  });

  it('says which stages a root variant builds one image each from, and the setting that picks one (jitsu)', async () => {
    await runWorkspace({
      'package.json': json({ name: 'jitsu', private: true }),
      'all.Dockerfile':
        'FROM node:20 AS base\nFROM base AS builder\nRUN pnpm build\nFROM base AS console\nCOPY --from=builder /a /a\nENTRYPOINT ["/a/start.sh"]\nFROM base AS rotor\nCOPY --from=builder /b /b\nCMD ["main.js"]\n',
      'builder.Dockerfile': 'FROM node:20\nRUN npm i -g pnpm\n',
    });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: all\.Dockerfile, builder\.Dockerfile are Dockerfile variants at the workspace root, .* all\.Dockerfile builds one image per final stage \(console, rotor\): each is a service of its own, with "target" set to its stage\.$/,
      ),
    ]);
  });

  it('names no development stage as an image of a Dockerfile no project builds (hyperdx)', async () => {
    await runWorkspace({
      'package.json': json({ name: 'hyperdx', private: true }),
      'docker/collector/Dockerfile':
        'FROM otel AS base\nFROM base AS dev\nCMD ["dev"]\nFROM base AS prod\nCMD ["prod"]\n',
      'docker/app/Dockerfile':
        'FROM node:20 AS prod\nCMD ["app"]\nFROM prod AS bundle-auth\nENV AUTH=1\nFROM prod AS bundle-noauth\nENV AUTH=0\nFROM prod AS dev\nCMD ["dev"]\n',
    });
    const [warning] = warnings(warn);
    expect(warning).toContain('docker/app/Dockerfile builds one image per final stage (bundle-auth, bundle-noauth)');
    expect(warning).not.toContain('docker/collector/Dockerfile builds one image per final stage');
  });

  it('names services that build one Dockerfile alike, which would push one image under several names', async () => {
    const files = {
      'apps/web/project.json': json({ name: 'web' }),
      'apps/workers/project.json': json({ name: 'workers' }),
      'apps/cli/project.json': json({
        name: 'cli',
        targets: { 'docker-build': { options: { target: 'cli' } } },
      }),
      'docker/Dockerfile':
        'FROM node:20 AS base\nFROM base AS web\nCMD ["web"]\nFROM base AS workers\nCMD ["workers"]\nFROM base AS cli\nCMD ["cli"]\n',
    };
    const services = { dockerfile: 'docker/Dockerfile' };
    await runWorkspace(files, { services: { web: services, workers: services, cli: services } });
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/web, apps/workers build docker/Dockerfile alike (no "target", "buildArgs" or "buildContexts" of theirs tells them apart): they push one image under 2 names. ' +
        'docker/Dockerfile builds one image per final stage (web, workers, cli): each is a service of its own, with "target" set to its stage.',
    ]);
    warn.mockClear();
    // Each with its stage (the settings, or the project's own docker-build options): no word.
    await runWorkspace(files, {
      services: { web: { ...services, target: 'web' }, workers: { ...services, target: 'workers' }, cli: services },
    });
    expect(warnings(warn)).toEqual([]);
  });

  it("root Dockerfiles the plugin option services points projects at are each their own service's, no other's rule-(b) file (graphprotocol/indexer)", async () => {
    const { results } = await runWorkspace(
      {
        'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
        'packages/a/package.json': json({ name: 'a' }),
        'packages/b/package.json': json({ name: 'b' }),
        'Dockerfile.a': 'FROM node:20\nCOPY packages/a/ ./\n',
        'Dockerfile.b': 'FROM node:20\nCOPY packages/b/ ./\n',
        'deploy.sh': 'echo\n',
      },
      { services: { a: { dockerfile: 'Dockerfile.a' }, b: { dockerfile: 'Dockerfile.b' } } },
    );
    const a = dockerPushOf(results, 'packages/a').inputs;
    expect(a).toEqual(expect.arrayContaining(['{workspaceRoot}/Dockerfile.a', '{workspaceRoot}/deploy.sh']));
    expect(a).not.toContain('{workspaceRoot}/Dockerfile.b');
    expect(dockerPushOf(results, 'packages/b').inputs).not.toContain('{workspaceRoot}/Dockerfile.a');
  });

  it("a Dockerfile no project builds, which prunes the workspace to one project, is that project's image (documenso, dokploy)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'dokploy', private: true, workspaces: ['apps/*'] }),
      'apps/remix/package.json': json({ name: '@documenso/remix' }),
      // Leftover templates it does not build from (not guessed between): it builds no image of its own.
      'apps/remix/Dockerfile.bun': 'FROM oven/bun\n',
      'apps/remix/Dockerfile.pnpm': 'FROM node:20\n',
      'apps/api/package.json': json({ name: '@dokploy/api' }),
      'apps/web/package.json': json({ name: 'web' }),
      'apps/web/Dockerfile': 'FROM node:20\nCOPY . .\n',
      // documenso's: in a project-less docker/ folder, with its build script beside it.
      'docker/Dockerfile':
        'FROM node:22 AS builder\nCOPY . .\nRUN turbo prune --scope=@documenso/remix --docker\nFROM node:22\nCOPY --from=builder /app/out/json/ .\n',
      'docker/build.sh': 'docker build -f docker/Dockerfile .\n',
      // dokploy's: a root variant, by folder.
      'Dockerfile.server':
        'FROM node:20 AS build\nCOPY . .\nRUN pnpm --filter=./apps/api --prod deploy --legacy /prod/api\nFROM node:20\nCOPY --from=build /prod/api /app\n',
      // Two images of web's (it has its own): not taken.
      'docker/Dockerfile.web': 'FROM node:20\nRUN turbo prune web --docker\n',
    });
    const buildOf = (root: string) =>
      results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets!['docker-build']!] : []))[0];
    expect(buildOf('apps/remix')!.options).toMatchObject({ dockerfile: 'docker/Dockerfile' });
    expect(buildOf('apps/api')!.options).toMatchObject({ dockerfile: 'Dockerfile.server' });
    expect(buildOf('apps/web')!.options).toMatchObject({ dockerfile: 'apps/web/Dockerfile' });
    // Each Dockerfile is its service's input, and the folder holding one is its (as the plugin option's).
    const push = results.flatMap(([, r]) =>
      r.projects?.['apps/web'] ? [r.projects['apps/web']!.targets!['docker-push']!] : [],
    )[0]!;
    expect(push.inputs).toEqual(['{projectRoot}/**/*', { env: 'FLEET_ENGINE' }]);
    expect(warnings(warn).join('\n')).not.toMatch(/docker\/Dockerfile[^.]|Dockerfile\.server/);
  });

  it('a Dockerfile no project builds, named after one project and building it alone by name, is its image (OpenLiveSlide, clawix)', async () => {
    const image = (filter: string) =>
      `FROM node:22\nCOPY . .\nRUN pnpm install --frozen-lockfile\nRUN pnpm --filter ${filter} build\nCMD ["node"]\n`;
    const files = {
      'package.json': json({ name: 'ols', private: true, workspaces: ['apps/*', 'packages/*'] }),
      'apps/realtime/package.json': json({ name: '@ols/realtime' }),
      'apps/web/package.json': json({ name: '@ols/web' }),
      'packages/db/package.json': json({ name: '@ols/db' }),
      'docker/realtime.Dockerfile': image('@ols/realtime'),
      'infra/docker/web/Dockerfile': image('@ols/web...'),
      // Named after no project: the orphan warning names it.
      'docker/tools.Dockerfile': image('@ols/db'),
    };
    const { results } = await runWorkspace(files);
    const buildOf = (root: string) =>
      results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets!['docker-build']!] : []))[0];
    expect(buildOf('apps/realtime')!.options).toMatchObject({ dockerfile: 'docker/realtime.Dockerfile', context: '.' });
    expect(buildOf('apps/web')!.options).toMatchObject({ dockerfile: 'infra/docker/web/Dockerfile' });
    expect(buildOf('packages/db')).toBeUndefined();
    expect(warnings(warn).filter((m) => m.includes('no project.json'))).toEqual([
      orphanWarning('docker/tools.Dockerfile', 'docker'),
    ]);
  });

  it("a named Dockerfile beside the one its folder's own project builds is still the image of the project it is named after and builds (secshop's docker/)", async () => {
    const files = {
      'package.json': json({ name: 'secshop', private: true, workspaces: ['services/*'] }),
      'services/auth/package.json': json({ name: '@x/auth', scripts: { build: 'tsc' } }),
      'docker/base.dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n',
      'docker/auth.dockerfile':
        'FROM acme/base:latest\nCOPY services/auth ./services/auth\nRUN npm run build -w @x/auth\nCMD ["node", "services/auth/dist/index.js"]\n',
      'docker/worker.dockerfile': 'FROM acme/base:latest\nCOPY services/auth ./services/auth\nCMD ["node", "x.js"]\n',
      // The orphan warning's advice followed for the base image: its folder is a project now.
      'docker/project.json': json({ name: 'base', metadata: { fleet: { dockerfile: 'docker/base.dockerfile' } } }),
    };
    const { results } = await runWorkspace(files, { registry: 'acme' });
    const auth = results.flatMap(([, r]) => (r.projects?.['services/auth'] ? [r.projects['services/auth']!] : []))[0]!;
    expect(auth.targets!['docker-build']).toMatchObject({
      options: { dockerfile: 'docker/auth.dockerfile', baseImages: { 'acme/base': 'base:docker-build' } },
      dependsOn: [{ projects: ['base'], target: 'docker-build' }],
    });
    // The variant nothing builds is named, beside the one its folder's project builds.
    expect(warnings(warn).filter((m) => m.includes('worker.dockerfile'))).toEqual([
      expect.stringContaining('docker/worker.dockerfile'),
    ]);
    expect(warnings(warn).filter((m) => m.includes('auth.dockerfile'))).toEqual([]);
  });

  it("a project folder's variants, all but one other services' images, leave it that one (puretome's docker/)", async () => {
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({
        name: 'api',
        nx: { metadata: { fleet: { dockerfile: 'docker/api.Dockerfile' } } },
      }),
      'docker/api.Dockerfile': 'FROM node:20\nCMD ["node", "index.js"]\n',
      'docker/base.Dockerfile': 'FROM node:20\nCOPY . .\n',
      // The orphan warning's advice, followed.
      'docker/project.json': json({ name: 'base' }),
    };
    const { results } = await runWorkspace(files);
    expect(dockerBuildOf(results, 'docker', 'docker/project.json').options).toMatchObject({
      dockerfile: 'docker/base.Dockerfile',
    });
    expect(warnings(warn)).toEqual([]);
    // Two left: not guessed between, and said so.
    warn.mockClear();
    await runWorkspace({ ...files, 'docker/web.Dockerfile': 'FROM node:20\nCMD ["web"]\n' });
    // Those two alone: api.Dockerfile is api's.
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: docker holds base\.Dockerfile and web\.Dockerfile and no plain Dockerfile, so it is not a service: which one ships is not guessed/,
      ),
    ]);
  });

  it("negates in the inputs what every copy of the whole context excludes (COPY --exclude), as the ignore file's lines", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api' }),
      'apps/api/Dockerfile':
        'FROM node:20\nWORKDIR /app\nCOPY --exclude=apps/web --exclude=apps/broker . .\nRUN npm ci\nCMD ["node", "apps/api/main.js"]\n',
      'apps/api/main.js': 'x\n',
      'apps/web/package.json': json({ name: 'web' }),
      'apps/web/index.js': 'x\n',
      'apps/broker/main.js': 'x\n',
      'package-lock.json': '{}\n',
    });
    const { inputs } = dockerBuildOf(results, 'apps/api');
    expect(inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/**/*',
        '!{workspaceRoot}/apps/web/**',
        '!{workspaceRoot}/apps/broker/**',
      ]),
    );
  });

  it("names a variant named for a test tool whose image starts no tests (AnyCrawl's Dockerfile.playwright scraper worker), once", async () => {
    const worker =
      'FROM mcr.microsoft.com/playwright:v1.48.0-noble\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/worker.js"]\n';
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/crawler/package.json': json({ name: 'crawler' }),
      'apps/crawler/Dockerfile.playwright': worker,
      // The tools' own test runs, and an image with no command of its own, are test images: no warning.
      'apps/web/package.json': json({ name: 'web' }),
      'apps/web/Dockerfile': 'FROM node:20\nCMD ["node", "server.js"]\n',
      'apps/web/Dockerfile.cypress': 'FROM cypress/included:13\nCOPY . .\nCMD ["npx", "cypress", "run"]\n',
      'apps/web/Dockerfile.playwright': 'FROM mcr.microsoft.com/playwright:v1.48.0-noble\nCOPY . .\nRUN npm ci\n',
      'apps/e2e/Dockerfile.playwright': 'FROM mcr.microsoft.com/playwright:v1.48.0-noble\nCMD ["pnpm", "test:e2e"]\n',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/crawler/Dockerfile.playwright is named for a test tool (playwright), so it is taken for a test image and no service is built from it, but its image starts CMD ["node", "src/worker.js"] (line 4), no test run. If it is an image to ship, point the project in apps/crawler at it with "metadata": { "fleet": { "dockerfile": "apps/crawler/Dockerfile.playwright" } } (or the plugin option "services"); else exclude it with the plugin option "exclude".',
    ]);
    // The advice, followed: the project's service, and no warning.
    warn.mockClear();
    const pointed = json({
      name: 'crawler',
      nx: { metadata: { fleet: { dockerfile: 'apps/crawler/Dockerfile.playwright' } } },
    });
    const { results } = await runWorkspace({ ...files, 'apps/crawler/package.json': pointed });
    expect(dockerBuildOf(results, 'apps/crawler', 'apps/crawler/package.json').options).toMatchObject({
      dockerfile: 'apps/crawler/Dockerfile.playwright',
    });
    expect(warnings(warn)).toEqual([]);
  });

  it("a project added to a folder of other projects' claimed Dockerfiles leaves them theirs (diagnova's docker/, the orphan warning's advice followed)", async () => {
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: '@acme/api', scripts: { build: 'tsc' } }),
      'apps/api/src/main.ts': 'export {};\n',
      'docker/api.Dockerfile':
        'FROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY apps/api apps/api\nRUN npm run build --workspace=apps/api\nCMD ["node", "apps/api/dist/main.js"]\n',
      'docker/proxy.Dockerfile': 'FROM nginx\nCOPY docker/proxy.conf /etc/nginx/conf.d/default.conf\n',
      'docker/proxy.conf': 'server {}\n',
      'docker/project.json': json({ name: 'proxy' }),
    };
    const { results } = await runWorkspace(files);
    expect(dockerBuildOf(results, 'apps/api', 'apps/api/package.json').options).toMatchObject({
      dockerfile: 'docker/api.Dockerfile',
    });
    expect(dockerBuildOf(results, 'docker', 'docker/project.json').options).toMatchObject({
      dockerfile: 'docker/proxy.Dockerfile',
    });
    expect(warnings(warn)).toEqual([]);
    // Two left: not guessed between, and the warning names those two, not the one @acme/api builds.
    warn.mockClear();
    await runWorkspace({ ...files, 'docker/ai.Dockerfile': 'FROM python:3\nCMD ["python", "main.py"]\n' });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(/^nx-fleet: docker holds ai\.Dockerfile and proxy\.Dockerfile and no plain Dockerfile/),
    ]);
  });

  it("a Dockerfile beside the one a project elsewhere is pointed at is an orphan, named once (chainchik's docker/)", async () => {
    await runWorkspace({
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({
        name: 'api',
        nx: { metadata: { fleet: { dockerfile: 'docker/api.Dockerfile' } } },
      }),
      'docker/api.Dockerfile': 'FROM node:20\nCMD ["node", "index.js"]\n',
      'docker/base.Dockerfile': 'FROM node:20\nCOPY . .\n',
    });
    expect(warnings(warn)).toEqual([orphanWarning('docker/base.Dockerfile', 'docker')]);
  });

  it("says how to build each project from one Dockerfile that prunes to the project a build argument names (torus-ts' docker/Dockerfile)", async () => {
    await runWorkspace({
      'package.json': json({ name: 'torus', private: true, workspaces: ['apps/*'] }),
      'apps/portal/package.json': json({ name: 'portal' }),
      'docker/Dockerfile':
        'ARG APP_NAME\nFROM node:22 AS pruner\nARG APP_NAME\nCOPY . .\nRUN turbo prune ${APP_NAME} --docker\nFROM node:22\nCOPY --from=pruner /app/out/full/ .\n',
    });
    const picked =
      'nx-fleet: docker/Dockerfile has no project.json or named package.json beside it, so it is not a service (exclude it with the plugin option "exclude" if no image is built from it). docker/Dockerfile picks the project it prunes to, builds or copies by its build argument APP_NAME: each project built from it is a service of its own (a project.json with a "name" in its folder, where it has none), pointed at it with "dockerfile" and "buildArgs" ("APP_NAME": "<project>") in its entry of the plugin option "services".';
    expect(warnings(warn)).toEqual([picked]);
    // With a default too (ysam020's `ARG PROJECT=api-gateway-service`): the argument still picks the project.
    warn.mockClear();
    await runWorkspace({
      'package.json': json({ name: 'torus', private: true, workspaces: ['apps/*'] }),
      'apps/portal/package.json': json({ name: 'portal' }),
      'docker/Dockerfile':
        'ARG APP_NAME=portal\nFROM node:22 AS pruner\nARG APP_NAME\nCOPY . .\nRUN turbo prune ${APP_NAME} --docker\nFROM node:22\nCOPY --from=pruner /app/out/full/ .\n',
    });
    expect(warnings(warn)).toEqual([picked]);
    // A default naming a path picks nothing (pia-system's `ARG DIR=.`, then `COPY $DIR/migration.patch`).
    warn.mockClear();
    await runWorkspace({
      'package.json': json({ name: 'pia', private: true }),
      'psa.database/Dockerfile': 'FROM postgres:16\nARG DIR=.\nCOPY $DIR/migration.patch /migration.patch\n',
      'psa.database/migration.patch': '',
    });
    expect(warnings(warn)).toEqual([orphanWarning('psa.database/Dockerfile', 'psa.database')]);
    // Nor one naming a file beside the Dockerfile (briefer's `ARG JUPYTER_REQUIREMENTS_FILE=jupyter-requirements.txt`).
    warn.mockClear();
    await runWorkspace({
      'package.json': json({ name: 'mono', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api' }),
      'apps/api/Dockerfile': 'FROM node:20-slim\nCOPY index.js .\n',
      'apps/api/jupyter-requirements.txt': '',
      'apps/api/jupyter.Dockerfile':
        'FROM python:3.12-slim\nARG REQUIREMENTS_FILE=jupyter-requirements.txt\nCOPY $REQUIREMENTS_FILE ./requirements.txt\nCMD ["jupyter", "server"]\n',
    });
    expect(warnings(warn)).toEqual([expect.stringContaining('apps/api/jupyter.Dockerfile')]);
    expect(warnings(warn)[0]).not.toContain('picks the project');
  });

  it("says which value of a build argument picks each project, as the file's paths name it (email-platform-services: the folder's name, not the package's)", async () => {
    const workspace = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/auth/package.json': json({ name: '@acme/auth' }),
      'infra/docker/app.Dockerfile':
        'FROM node:20\nARG APP_NAME\nCOPY package.json ./\nCOPY apps/${APP_NAME} ./apps/${APP_NAME}\nRUN npm ci && npm run build -w @acme/${APP_NAME}\n',
    };
    await runWorkspace(workspace);
    expect(warnings(warn)).toEqual([
      expect.stringContaining('"buildArgs" ("APP_NAME": "<x>" (apps/<x>, the project\'s)) in its entry'),
    ]);
    warn.mockClear();
    await runWorkspace(workspace, { services: { '@acme/auth': { dockerfile: 'infra/docker/app.Dockerfile' } } });
    expect(warnings(warn)).toEqual([
      expect.stringContaining(
        'Set APP_NAME in the "buildArgs" of @acme/auth\'s docker-build ("APP_NAME": "auth") (its entry',
      ),
    ]);
  });

  describe("one Dockerfile for every Nest app, the app a build argument (sleepr's kind: `npm run build ${APP}`, `CMD node dist/apps/${APP}/main`)", () => {
    const NEST =
      'FROM node:20-alpine AS build\nARG APP\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build ${APP}\n' +
      'FROM node:20-alpine\nARG APP\nENV APP_MAIN=dist/apps/${APP}/main\nCOPY --from=build /usr/src/app/dist ./dist\nCMD node ${APP_MAIN}\n';
    const workspace = (dockerfile: string, extra: Record<string, string> = {}) => ({
      'package.json': json({ name: 'shop', scripts: { build: 'nest build' } }),
      'package-lock.json': '{}',
      'nest-cli.json': json({ monorepo: true }),
      'apps/orders/project.json': json({ name: 'orders' }),
      'apps/payments/project.json': json({ name: 'payments' }),
      [dockerfile]: NEST,
      ...extra,
    });

    it('reads the stage the service builds: an argument only another stage takes is none of its', async () => {
      await runWorkspace({
        'package.json': json({ name: 'shop', private: true, workspaces: ['apps/*'] }),
        'apps/web/package.json': json({ name: 'web', nx: { metadata: { fleet: { target: 'web' } } } }),
        'apps/web/Dockerfile':
          'FROM node:20 AS web\nCOPY . .\nCMD ["node", "main.js"]\nFROM node:20 AS other\nARG APP\nRUN npx nest build $APP\n',
      });
      expect(warnings(warn)).toEqual([]);
    });

    it('a service building it without the argument is told, once, with the setting', async () => {
      await runWorkspace(workspace('Dockerfile'));
      expect(warnings(warn)).toEqual([
        'nx-fleet: Dockerfile:7 "RUN npm run build ${APP}" takes the build argument APP, which the docker-build of the workspace root does not set: the step runs with it empty (no project picked, or a whole folder copied). ' +
          'Set APP in the "buildArgs" of the workspace root\'s docker-build (its entry of the plugin option "services", or the target\'s options); where the file builds every app, each app is a service of its own: a project (a project.json with a "name" in its folder, where it has none) pointed at it with "dockerfile" and "buildArgs" in its entry of the plugin option "services".',
      ]);
      warn.mockClear();
      // Each app pointed at it with its argument: the root yields it, and nothing is left to say.
      const { results } = await runWorkspace(workspace('Dockerfile'), {
        services: {
          orders: { dockerfile: 'Dockerfile', buildArgs: { APP: 'orders' } },
          payments: { dockerfile: 'Dockerfile', buildArgs: { APP: 'payments' } },
        },
      });
      expect(warnings(warn)).toEqual([]);
      expect(servicesOf(results)).toEqual(['apps/orders', 'apps/payments']);
    });

    it("an orphan building it says how to point each app at it; a flag's argument selects nothing", async () => {
      await runWorkspace(workspace('docker/Dockerfile'));
      expect(warnings(warn)).toEqual([
        expect.stringContaining(
          'docker/Dockerfile picks the project it prunes to, builds or copies by its build argument APP:',
        ),
      ]);
      warn.mockClear();
      // A build script's argument that names no path is a flag (`npm run build $FLAGS`): no word.
      await runWorkspace({
        ...workspace('Dockerfile'),
        Dockerfile:
          'FROM node:20\nARG FLAGS\nCOPY . .\nRUN npm ci && npm run build $FLAGS\nCMD ["node", "dist/main"]\n',
      });
      expect(warnings(warn)).toEqual([]);
    });
  });

  it("a plain Dockerfile in the folder of a service built from another file is no one's: another project's image if it prunes to it, else named (ctrlplane's docker/)", async () => {
    const files = {
      'package.json': json({ name: 'ctrlplane', private: true, workspaces: ['apps/*'] }),
      'apps/web/package.json': json({ name: 'web' }),
      'docker/Dockerfile':
        'FROM node:22 AS pruner\nCOPY . .\nRUN npx turbo prune web --docker\nFROM node:22\nCOPY --from=pruner /r/out/full/ .\n',
      'docker/Dockerfile.gateway': 'FROM nginx:1\nCOPY docker/nginx.conf /etc/nginx/nginx.conf\n',
      'docker/nginx.conf': 'events {}\n',
      // The warning's advice for the variant, followed in the variant's own folder.
      'docker/project.json': json({
        name: 'gateway',
        metadata: { fleet: { dockerfile: 'docker/Dockerfile.gateway' } },
      }),
    };
    const { results } = await runWorkspace(files);
    expect(dockerBuildOf(results, 'docker', 'docker/project.json').options).toMatchObject({
      dockerfile: 'docker/Dockerfile.gateway',
    });
    expect(dockerBuildOf(results, 'apps/web', 'apps/web/package.json').options).toMatchObject({
      dockerfile: 'docker/Dockerfile',
    });
    expect(warnings(warn)).toEqual([]);
    // Pruned to no project: no image is built from it, which is said.
    warn.mockClear();
    await runWorkspace({ ...files, 'docker/Dockerfile': 'FROM node:22\nCOPY . .\n' });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: docker\/Dockerfile is in the folder of a service whose settings build docker\/Dockerfile\.gateway, so no image is built from docker\/Dockerfile\. To build it as well, point a project in another folder at it/,
      ),
    ]);
  });

  it("a root variant that prunes the workspace through a root script (streamr's npm run prune-pkg -- @streamr/node) is that package's image", async () => {
    const { results } = await runWorkspace({
      'package.json': json({
        name: 'network',
        private: true,
        workspaces: ['packages/*'],
        scripts: { 'prune-pkg': 'npm prune --omit=dev --include-workspace-root --workspace' },
      }),
      'packages/node/package.json': json({ name: '@streamr/node' }),
      'packages/sdk/package.json': json({ name: '@streamr/sdk' }),
      'Dockerfile.node':
        'FROM node:20 AS build\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run prune-pkg -- @streamr/node\nFROM node:20-slim\nCOPY --from=build /src /src\nWORKDIR /src/packages/node\nCMD ["node", "bin/run.js"]\n',
    });
    expect(dockerBuildOf(results, 'packages/node', 'packages/node/package.json').options).toMatchObject({
      dockerfile: 'Dockerfile.node',
      context: '.',
    });
    expect(warnings(warn).join('\n')).not.toMatch(/Dockerfile\.node/);
  });

  it("a root docker/Dockerfile that prunes the workspace to an app is that app's image, not the root's (unsend)", async () => {
    const { results } = await runWorkspace({
      'package.json': json({ name: 'usesend', private: true, workspaces: ['apps/*'] }),
      'apps/web/package.json': json({ name: 'web' }),
      'docker/Dockerfile':
        'FROM node:20 AS builder\nCOPY package.json ./\nCOPY ./apps/web ./apps/web\nRUN pnpm turbo prune web --docker\nFROM node:20 AS runner\nCOPY --from=builder /app/out/full .\n',
      'docker/start.sh': 'node server.js\n',
    });
    const buildOf = (root: string) =>
      results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets?.['docker-build']] : []))[0];
    expect(buildOf('apps/web')!.options).toMatchObject({ dockerfile: 'docker/Dockerfile' });
    expect(buildOf('.')).toBeUndefined();
  });

  it("a root Dockerfile that prunes the workspace to another project is that project's image, not the root's (HazelHook)", async () => {
    const prune =
      'FROM node:20 AS builder\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune backend --docker\nFROM node:20\nCOPY --from=builder /app/out/full/ .\nCMD ["node", "apps/backend/src/index.js"]\n';
    const workspace = {
      'package.json': json({ name: 'hazel', private: true, workspaces: ['apps/*'] }),
      'apps/backend/package.json': json({ name: 'backend' }),
      'apps/web/package.json': json({ name: 'web' }),
      Dockerfile: prune,
    };
    // The project has no Dockerfile of its own: the root's is its image.
    expect(dockerfilesOf((await runWorkspace(workspace)).results)).toEqual({ 'apps/backend': 'Dockerfile' });
    // Copying the folders of what it depends on before the focus too (zentla's root Dockerfile); not another app's.
    const focus = (copied: string) =>
      runWorkspace({
        ...workspace,
        'apps/backend/package.json': json({ name: 'backend', dependencies: { core: '*' } }),
        'apps/core/package.json': json({ name: 'core' }),
        Dockerfile: `FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock ./\nCOPY apps/${copied} ./apps/${copied}\nCOPY apps/backend ./apps/backend\nRUN yarn workspaces focus --production backend\n`,
      });
    expect(dockerfilesOf((await focus('core')).results)).toEqual({ 'apps/backend': 'Dockerfile' });
    expect(dockerfilesOf((await focus('web')).results)).toEqual({ '.': 'Dockerfile' });
    expect(warnings(warn)).toEqual([]);
    // It has one (a copy of the root's): the root's builds nothing, in one warning naming both.
    const { results } = await runWorkspace({ ...workspace, 'apps/backend/Dockerfile': prune });
    expect(dockerfilesOf(results)).toEqual({ 'apps/backend': 'apps/backend/Dockerfile' });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: Dockerfile at the workspace root prunes the workspace to backend \("RUN npx turbo prune backend --docker", line 4\), whose image apps\/backend\/Dockerfile builds: .*"metadata": \{ "fleet": \{ "dockerfile": "Dockerfile" \} \}/,
      ),
    ]);
    // The root's own settings keep it its service; so does a prune to the root's own name.
    expect(
      dockerfilesOf((await runWorkspace(workspace, { services: { hazel: { image: 'acme/hazel' } } })).results),
    ).toEqual({
      '.': 'Dockerfile',
    });
    expect(
      dockerfilesOf(
        (await runWorkspace({ ...workspace, Dockerfile: prune.replace('prune backend', 'prune hazel') })).results,
      ),
    ).toEqual({ '.': 'Dockerfile' });
  });

  it("a root Dockerfile that builds one project by name, where the root is no Nx project, is that project's image (ci-cd's `nx run api:build`)", async () => {
    const build =
      'FROM node:20-alpine AS build\nWORKDIR /opt/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npx nx run api:build:production\nFROM node:20-alpine\nCOPY --from=build /opt/app/dist/apps/api ./dist\nCMD ["node", "./dist/main.js"]\n';
    const target = (outputPath: string) =>
      json({ name: outputPath.split('/').pop(), targets: { build: { executor: 'nx:noop', outputs: [outputPath] } } });
    const workspace = {
      'package.json': json({ name: '@acme/source', private: true }),
      'apps/api/project.json': target('dist/apps/api'),
      'apps/web/project.json': target('dist/apps/web'),
      Dockerfile: build,
    };
    const builds = async (files: Record<string, string>) => dockerfilesOf((await runWorkspace(files)).results);
    expect(await builds(workspace)).toEqual({ 'apps/api': 'Dockerfile' });
    // The check can fail: a build of two projects, or a root Nx makes a project of, keeps the root's image.
    expect(
      await builds({
        ...workspace,
        Dockerfile: build.replace('api:build:production', 'api:build && npx nx run web:build'),
      }),
    ).toEqual({ '.': 'Dockerfile' });
    expect(await builds({ ...workspace, 'project.json': json({ name: 'source' }) })).toEqual({ '.': 'Dockerfile' });
    // A project with an image of its own leaves the root's as it was.
    expect(await builds({ ...workspace, 'apps/api/Dockerfile': 'FROM node:20\nCOPY . .\n' })).toEqual({
      '.': 'Dockerfile',
      'apps/api': 'apps/api/Dockerfile',
    });
  });

  it('names a service whose Dockerfile copies from an empty scratch stage, which a named build context fills', async () => {
    await runWorkspace({
      'apps/router/project.json': json({ name: 'router' }),
      'apps/router/Dockerfile':
        'FROM scratch AS router_pkg\nFROM rust:1 AS build\nCOPY --from=router_pkg . /src\nRUN cargo build\nFROM debian\nCOPY --from=build /r /r\n',
    });
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: apps\/router\/Dockerfile copies from router_pkg, empty "FROM scratch" stage: placeholders a named build context fills .*Name it in docker-build's "buildContexts" .*\{ "router_pkg": "<workspace folder>" \}/,
      ),
    ]);
  });

  it("names a bare --from= that is no stage but a project's folder name: a named build context (electric's sync-service)", async () => {
    const dockerfile =
      'FROM elixir:1.17 AS builder\nCOPY --from=electric-telemetry / /builder/electric-telemetry\nCOPY --from=busybox /bin/sh /bin/sh\nFROM debian\nCOPY --from=builder /app /app\n';
    const workspace = {
      'package.json': json({ name: 'electric', private: true, workspaces: ['packages/*'] }),
      'packages/sync-service/package.json': json({ name: '@core/sync-service' }),
      'packages/sync-service/Dockerfile': dockerfile,
      'packages/electric-telemetry/package.json': json({ name: '@core/electric-telemetry' }),
    };
    await runWorkspace(workspace);
    expect(warnings(warn)).toEqual([
      'nx-fleet: packages/sync-service/Dockerfile copies from electric-telemetry, which is no stage of it: the engine takes it as an image from a registry. If it is the folder packages/electric-telemetry (a named build context, --build-context electric-telemetry=…), name it in docker-build\'s "buildContexts" (the service\'s settings or the target\'s options: { "electric-telemetry": "packages/electric-telemetry" }).',
    ]);
    // Named, nothing to say.
    warn.mockClear();
    await runWorkspace(workspace, {
      services: { '@core/sync-service': { buildContexts: { 'electric-telemetry': 'packages/electric-telemetry' } } },
    });
    expect(warnings(warn)).toEqual([]);
  });

  it("names a service whose Dockerfile builds an image per final stage and which sets no target (latitude's root), not a development or test stage beside the production one", async () => {
    const stages = (names: string[]) =>
      [
        'FROM node:20 AS base',
        'RUN echo base',
        ...names.flatMap((name) => [`FROM base AS ${name}`, `CMD ["node", "${name}.js"]`]),
        '',
      ].join('\n');
    await runWorkspace({
      'package.json': json({ name: 'latitude', private: true, workspaces: ['apps/*'] }),
      Dockerfile: stages(['api', 'web', 'migrations']),
      'apps/api/package.json': json({ name: '@app/api' }),
      'apps/api/Dockerfile': stages(['dev', 'test-e2e', 'production']),
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: Dockerfile builds one image per final stage (api, web, migrations), and the docker-build of the workspace root sets no "target": the engine builds the last stage, migrations, and never api, web. ' +
        'Set "target" to the stage that is the image of the workspace root ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build\'s options); each other stage is a service of its own, with "target" set to its stage.',
    ]);
    warn.mockClear();
    await runWorkspace(
      {
        'package.json': json({ name: 'latitude', private: true, workspaces: ['apps/*'] }),
        Dockerfile: stages(['api', 'web', 'migrations']),
        'apps/api/package.json': json({ name: '@app/api' }),
      },
      { services: { latitude: { target: 'migrations' }, '@app/api': { dockerfile: 'Dockerfile', target: 'api' } } },
    );
    expect(warnings(warn)).toEqual([]);
  });

  it("names the stages other stages build on that run a command of their own (uptime-kuma's release, under rootless)", async () => {
    const dockerfile = [
      'FROM node:22 AS build',
      'COPY server.js .',
      'FROM node:22-slim AS release',
      'COPY --from=build /app /app',
      'CMD ["node", "/app/server.js"]',
      'FROM release AS rootless',
      'USER node',
      'FROM node:22 AS upload',
      'COPY --from=build /app /app',
      'RUN tar czf /app.tgz /app',
      '',
    ].join('\n');
    await runWorkspace({ 'apps/web/project.json': json({ name: 'web' }), 'apps/web/Dockerfile': dockerfile });
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/web/Dockerfile builds one image per final stage (rootless, upload), and the docker-build of web sets no "target": the engine builds the last stage, upload, and never rootless. ' +
        'release, built on by other stages, runs a command of its own: it may be an image too. ' +
        'Set "target" to the stage that is the image of web ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build\'s options); each other stage is a service of its own, with "target" set to its stage.',
    ]);
  });

  it("where the last stage has no name, says how to ship it; a stage another service builds is no stage left unbuilt (overleaf's clsi)", async () => {
    const dockerfile = [
      'FROM node:20 AS app',
      'COPY src/ /app/src/',
      'FROM app AS with-texlive',
      'RUN install-texlive',
      'CMD ["node", "app.js"]',
      'FROM app',
      'CMD ["node", "app.js"]',
      '',
    ].join('\n');
    const workspace = {
      'services/clsi/project.json': json({ name: 'clsi' }),
      'services/clsi/Dockerfile': dockerfile,
      'services/clsi/src/app.js': '\n',
      'tools/texlive/project.json': json({ name: 'texlive' }),
    };
    await runWorkspace(workspace);
    expect(warnings(warn)).toEqual([
      'nx-fleet: services/clsi/Dockerfile builds one image per final stage (with-texlive, #2), and the docker-build of clsi sets no "target": the engine builds the last stage, the unnamed one (#2), and never with-texlive. ' +
        'Where clsi ships the last stage, make each other final stage a service of its own, with "target" set to its stage (the plugin option "services" entry), or name the last stage (FROM … AS <name>) and set "target" to it; else set "target" to the stage that is the image of clsi.',
    ]);
    warn.mockClear();
    // As it says: the other stage, another service's image.
    await runWorkspace(workspace, {
      services: { texlive: { dockerfile: 'services/clsi/Dockerfile', target: 'with-texlive' } },
    });
    expect(warnings(warn)).toEqual([]);
  });

  it('names final stages with no name beside the last, which no target can pick', async () => {
    await runWorkspace({
      'apps/a/project.json': json({ name: 'a' }),
      'apps/a/Dockerfile': 'FROM redis:7\nCMD ["redis-server"]\nFROM valkey/valkey:8\nCMD ["valkey-server"]\n',
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/a/Dockerfile has final stages besides its last, which the docker-build of a builds, as the engine does. A final stage has no name (apps/a/Dockerfile:1 FROM redis:7): never built either, and "target" picks a named stage only; name it (FROM … AS <name>), or remove it.',
    ]);
  });

  it("names a stage that is only its FROM another stage as that stage's image (tamanu's frontend and patient-portal)", async () => {
    const dockerfile = [
      'FROM node:22 AS run-base',
      'CMD ["node"]',
      'FROM run-base AS server',
      'COPY server.js .',
      'FROM nginx AS frontend-base',
      'CMD ["nginx"]',
      'FROM frontend-base AS frontend',
      'FROM frontend-base AS portal',
      '',
    ].join('\n');
    await runWorkspace({ 'apps/web/project.json': json({ name: 'web' }), 'apps/web/Dockerfile': dockerfile });
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/web/Dockerfile builds one image per final stage (server, frontend, portal), and the docker-build of web sets no "target": the engine builds the last stage, portal, and never server, frontend. ' +
        'run-base, built on by other stages, runs a command of its own: it may be an image too. ' +
        'Set "target" to the stage that is the image of web ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build\'s options); each other stage is a service of its own, with "target" set to its stage.',
    ]);
  });

  it("builds the stage a service ships when its last stage is a development one (AgentGPT's platform: FROM prod AS dev), and names one with none to ship instead", async () => {
    const platform =
      'FROM python:3.11-slim AS prod\nCOPY pyproject.toml /app/\nCOPY . /app/src/\nCMD ["python", "-m", "platform"]\nFROM prod AS dev\nRUN poetry install\n';
    const workspace = {
      'platform/project.json': json({ name: 'platform' }),
      'platform/Dockerfile': platform,
      'platform/pyproject.toml': '\n',
      'web/project.json': json({ name: 'web' }),
      'web/Dockerfile':
        'FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim AS runtime\nCOPY --from=build /app /app\nFROM build AS development\nCMD ["npm", "run", "dev"]\n',
      'tools/project.json': json({ name: 'tools' }),
      'tools/Dockerfile': 'FROM node:20 AS deps\nRUN npm ci\nFROM deps AS dev\nCMD ["npm", "run", "dev"]\n',
      // One stage named for development (docker-yarn-monorepo's root Dockerfile, run with the sources mounted).
      'mono/project.json': json({ name: 'mono' }),
      'mono/Dockerfile': 'FROM node:20 AS dev\nWORKDIR /app\nCOPY . .\nCMD ["yarn", "dev"]\n',
    };
    const { results } = await runWorkspace(workspace);
    const buildOf = (root: string) =>
      results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets!['docker-build']!] : []))[0]!;
    expect(buildOf('platform').options).toMatchObject({ target: 'prod', context: 'platform' });
    expect(buildOf('platform').metadata?.['description']).toContain(
      'builds the stage prod, not the last one, dev, a development stage ("target" chooses another)',
    );
    expect(buildOf('web').options).toMatchObject({ target: 'runtime' });
    expect(buildOf('tools').options).not.toHaveProperty('target');
    expect(warnings(warn)).toEqual([
      'nx-fleet: mono/Dockerfile\'s one stage, dev, is a development stage: the docker-build of mono builds it. If mono ships an image built from another Dockerfile, point it at that file ("metadata": { "fleet": { "dockerfile": … } } in its configuration, or the plugin option "services" entry); else exclude mono/Dockerfile with the plugin option "exclude".',
      'nx-fleet: tools/Dockerfile\'s last stage, dev, is a development stage, and no stage it is built FROM runs anything of its own (CMD or ENTRYPOINT): the docker-build of tools builds it, as the engine does without a "target". If tools ships another stage, set "target" to it ("metadata": { "fleet": { "target": … } } in its configuration, the plugin option "services" entry, or docker-build\'s options).',
    ]);
    // A stated target wins, and leaves nothing to say.
    warn.mockClear();
    const stated = await runWorkspace(workspace, {
      services: { platform: { target: 'dev' }, tools: { target: 'dev' }, mono: { target: 'dev' } },
    });
    const statedBuild = stated.results.flatMap(([, r]) =>
      r.projects?.['platform'] ? [r.projects['platform']!.targets!['docker-build']!] : [],
    )[0]!;
    expect(statedBuild.options).toMatchObject({ target: 'dev' });
    expect(statedBuild.metadata?.['description']).not.toContain('development stage');
    expect(warnings(warn)).toEqual([]);
  });

  it("passes the named build contexts the settings or the target's options give, and waits for the builds of the outputs they send", async () => {
    const dockerfile =
      'FROM scratch AS Router_Pkg\nFROM rust:1 AS build\nCOPY --from=router_pkg . /src\nRUN cargo build\nFROM debian\nCOPY --from=build /r /r\n';
    const { results } = await runWorkspace({
      'apps/router/project.json': json({
        name: 'router',
        metadata: { fleet: { buildContexts: { router_pkg: 'packages/router/dist' } } },
      }),
      'apps/router/Dockerfile': dockerfile,
      'packages/router/project.json': json({ name: 'router-pkg', targets: { build: {} } }),
      'apps/gateway/project.json': json({
        name: 'gateway',
        targets: { 'docker-build': { options: { buildContexts: { router_pkg: 'packages/router/src' } } } },
      }),
      'apps/gateway/Dockerfile': dockerfile,
      'packages/router/src/lib.rs': '\n',
    });
    const buildOf = (root: string) =>
      results.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets!['docker-build']!] : []))[0]!;
    expect(buildOf('apps/router')).toMatchObject({
      dependsOn: [{ projects: ['router-pkg'], target: 'build' }],
      options: { buildContexts: { router_pkg: 'packages/router/dist' } },
      inputs: expect.arrayContaining([{ dependentTasksOutputFiles: '**/*', transitive: false }]),
    });
    // Named in the target's own options, which Nx merges: followed, not repeated.
    expect(buildOf('apps/gateway').inputs).toContain('{workspaceRoot}/packages/router/src/**/*');
    expect(buildOf('apps/gateway').options).not.toHaveProperty('buildContexts');
    expect(warnings(warn)).toEqual([]);
  });

  it("builds an image FROM another service's image first, where a FROM names the repository that service pushes to (browserless's base)", async () => {
    const base = 'FROM scratch\nCOPY base.txt /\n';
    const workspace = {
      'images/base/project.json': json({ name: 'base' }),
      'images/base/Dockerfile': base,
      'images/base/base.txt': 'one\n',
      'services/api/project.json': json({ name: 'api' }),
      'services/api/Dockerfile': 'ARG VERSION=latest\nFROM ghcr.io/acme/base:$VERSION\nCOPY main.js /\n',
      'services/worker/project.json': json({ name: 'worker' }),
      'services/worker/Dockerfile': 'FROM ghcr.io/acme/api\n',
      // By the name nx-fleet builds it under, as a local base image is named.
      'services/tools/project.json': json({ name: 'tools' }),
      'services/tools/Dockerfile': 'FROM base AS tools\nFROM tools\n',
      // Files copied from a service's image: the folder named alike is no named context then.
      'services/gateway/project.json': json({ name: 'gateway' }),
      'services/gateway/Dockerfile': 'FROM nginx:1.27\nCOPY --from=api /main.js /srv/\n',
      // Files a RUN mounts from a service's image.
      'services/checker/project.json': json({ name: 'checker' }),
      'services/checker/Dockerfile':
        'FROM nginx:1.27\nRUN --mount=type=bind,from=api,source=/main.js,target=/m cp /m /srv/\n',
      // A literal tag, or a digest, is the published image.
      'services/web/project.json': json({ name: 'web' }),
      'services/web/Dockerfile': 'FROM ghcr.io/acme/base:1.4\n',
      // Each FROM the other's image: no order builds them.
      'services/x/project.json': json({ name: 'x' }),
      'services/x/Dockerfile': 'FROM ghcr.io/acme/y\n',
      'services/y/project.json': json({ name: 'y' }),
      'services/y/Dockerfile': 'FROM ghcr.io/acme/x:latest\n',
    };
    const { results } = await runWorkspace(workspace, { registry: 'ghcr.io/acme' });
    expect(dockerBuildOf(results, 'services/api')).toMatchObject({
      dependsOn: [{ projects: ['base'], target: 'docker-build' }],
      options: { baseImages: { 'ghcr.io/acme/base': 'base:docker-build' } },
      inputs: [
        ...PROJECT_INPUTS.slice(0, -1),
        { dependentTasksOutputFiles: '**/image.json', transitive: false },
        ENGINE,
      ],
      metadata: {
        description: expect.stringContaining('; built FROM the image of base, as their sources build it now'),
      },
    });
    // Nx 23 selects projects by `{workspaceRoot}` inputs: the base's folder affects the push.
    expect(dockerPushOf(results, 'services/api').inputs).toContain('{workspaceRoot}/images/base/**/*');
    // And its bases' bases: worker FROM api FROM base.
    expect(dockerPushOf(results, 'services/worker').inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/services/api/**/*', '{workspaceRoot}/images/base/**/*']),
    );
    for (const root of ['services/web', 'services/x', 'services/y', 'images/base']) {
      expect(dockerBuildOf(results, root).options).not.toHaveProperty('baseImages');
      expect(dockerBuildOf(results, root)).not.toHaveProperty('dependsOn');
    }
    // A pinned tag of a service's image links nothing, and the description says so, with the link.
    expect(dockerBuildOf(results, 'services/web').metadata!['description']).toContain(
      `; FROM ghcr.io/acme/base:1.4 pins a tag of base's image: built from what that tag holds, not from base's sources, and a change to base does not rebuild it ("baseImages": { "ghcr.io/acme/base": "base:docker-build" } in its docker-build options links them)`,
    );
    expect(dockerBuildOf(results, 'services/gateway').metadata!['description']).not.toContain('pins a tag');
    expect(warnings(warn)).toEqual([
      expect.stringMatching(
        /^nx-fleet: x → y → x: each of these services' Dockerfiles is built FROM \(or copies from\) the next one's image/,
      ),
    ]);
    expect(dockerBuildOf(results, 'services/tools').options).toMatchObject({
      baseImages: { base: 'base:docker-build' },
    });
    for (const root of ['services/gateway', 'services/checker'])
      expect(dockerBuildOf(results, root)).toMatchObject({
        dependsOn: [{ projects: ['api'], target: 'docker-build' }],
        options: { baseImages: { api: 'api:docker-build' } },
      });
    // Stated by hand for the literal tag (NEONScience's bake base, `FROM …-parent:latest-builder-base`):
    // the build's inputs, description and the push's inputs follow the stated link.
    const webStating = (baseImages: Record<string, string>) =>
      runWorkspace(
        {
          ...workspace,
          'services/web/project.json': json({ name: 'web', targets: { 'docker-build': { options: { baseImages } } } }),
        },
        { registry: 'ghcr.io/acme' },
      );
    const stated = await webStating({ 'ghcr.io/acme/base': 'base:docker-build' });
    expect(dockerBuildOf(stated.results, 'services/web')).toMatchObject({
      dependsOn: [{ projects: ['base'], target: 'docker-build' }],
      inputs: expect.arrayContaining([{ dependentTasksOutputFiles: '**/image.json', transitive: false }]),
      metadata: { description: expect.stringContaining('; built FROM the image of base') },
    });
    expect(dockerBuildOf(stated.results, 'services/web').metadata!['description']).not.toContain('pins a tag');
    expect(dockerPushOf(stated.results, 'services/web').inputs).toContain('{workspaceRoot}/images/base/**/*');
    // A stated entry no FROM of the build takes links nothing (the build names it).
    const unused = await webStating({ 'acme/unused': 'base:docker-build' });
    expect(dockerBuildOf(unused.results, 'services/web')).not.toHaveProperty('dependsOn');
    // Without a registry only local names name a service's image.
    const alone = await runWorkspace(workspace);
    expect(dockerBuildOf(alone.results, 'services/api').options).not.toHaveProperty('baseImages');
    expect(dockerBuildOf(alone.results, 'services/tools').options).toMatchObject({
      baseImages: { base: 'base:docker-build' },
    });
  });

  it("follows a FROM whose registry a build argument the project's own docker-build options give names (CodesDoWork's ${IMAGE_BASE}/workspace-base)", async () => {
    const app = (buildArgs?: Record<string, string>) =>
      json({ name: 'app', ...(buildArgs ? { targets: { 'docker-build': { options: { buildArgs } } } } : {}) });
    const files = {
      'base/project.json': json({ name: 'base' }),
      'base/Dockerfile': 'FROM node:20\n',
      'app/Dockerfile': 'ARG REG\nFROM ${REG}/base:latest\nCMD ["x"]\n',
    };
    const given = await runWorkspace(
      { ...files, 'app/project.json': app({ REG: 'reg.example.com/acme' }) },
      { registry: 'reg.example.com/acme' },
    );
    expect(dockerBuildOf(given.results, 'app')).toMatchObject({
      dependsOn: [{ projects: ['base'], target: 'docker-build' }],
      options: { baseImages: { 'reg.example.com/acme/base': 'base:docker-build' } },
    });
    // Given none, the FROM names no image nx-fleet can tell: left as written.
    const none = await runWorkspace({ ...files, 'app/project.json': app() }, { registry: 'reg.example.com/acme' });
    expect(dockerBuildOf(none.results, 'app')).not.toHaveProperty('dependsOn');
  });

  it('names no fragment another file is appended to (no FROM): it builds no image', async () => {
    await runWorkspace({
      'apps/api/project.json': json({ name: 'api' }),
      'apps/api/Dockerfile': 'FROM scratch\n',
      'preview/Dockerfile.append': '# appended by CI\nCOPY preview/idle.js /app/idle.js\n',
      'preview/idle.js': '\n',
      'Dockerfile.append': 'COPY x /x\n',
      'deploy/Dockerfile.prod': 'ARG BASE=node:20\nfrom ${BASE}\n',
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: deploy/Dockerfile.prod has no project.json or named package.json beside it, so it is not a service. ' +
        'Add a project.json with a "name" to deploy, point a project at it with "metadata": { "fleet": { "dockerfile": "deploy/Dockerfile.prod" } } (or, for a project you cannot edit, the plugin option "services"), or exclude it with the plugin option "exclude".',
    ]);
  });

  it("names the project a Dockerfile no build step claims is named after, with the declaration to paste (life-stats' docker/api.Dockerfile)", async () => {
    await runWorkspace({
      'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
      'packages/api/package.json': json({ name: '@acme/api' }),
      'packages/api/main.js': '\n',
      'packages/ui/package.json': json({ name: '@acme/ui' }),
      'packages/ui/Dockerfile': 'FROM nginx\nCOPY index.html /usr/share/nginx/html/\n',
      'docker/api.Dockerfile':
        // Not `node packages/api/main.js`: running the project's sources by their path claims the file.
        'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npm", "start"]\n',
      // Named after a service already, or after nothing, or an image per final stage: no declaration to suggest.
      'docker/ui.Dockerfile': 'FROM nginx\nCOPY packages/ui /srv\n',
      'packages/worker/package.json': json({ name: '@acme/worker' }),
      'docker/worker.Dockerfile':
        'FROM node:22 AS gpu\nCMD ["node", "gpu.js"]\nFROM node:22 AS cpu\nCMD ["node", "cpu.js"]\n',
      'docker/tools.Dockerfile': 'FROM node:22\nCOPY . .\n',
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: 4 Dockerfiles have no project.json or named package.json beside them, so they are not services: docker/api.Dockerfile, docker/tools.Dockerfile, docker/ui.Dockerfile, docker/worker.Dockerfile. ' +
        'Add a project.json with a "name" to docker (one project can build one of them: the others need projects of their own), point a project at one with "metadata": { "fleet": { "dockerfile": "docker/api.Dockerfile" } } (or, for a project you cannot edit, the plugin option "services"), or exclude them with the plugin option "exclude". ' +
        'docker/worker.Dockerfile builds one image per final stage (gpu, cpu): each is a service of its own, with "target" set to its stage. ' +
        'docker/api.Dockerfile is named after @acme/api: the plugin option "services": { "@acme/api": { "dockerfile": "docker/api.Dockerfile" } } makes it that project\'s image.',
    ]);
  });

  it("names one entry per project where several Dockerfiles are named after it (Weave12's Dockerfile.api and api.Dockerfile)", async () => {
    const image = (app: string) =>
      `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nWORKDIR /app/apps/${app}\nCMD ["npm", "run", "start"]\n`;
    await runWorkspace({
      'package.json': json({ name: 'fx', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api', scripts: { start: 'node index.js' } }),
      'apps/worker/package.json': json({ name: 'worker', scripts: { start: 'node index.js' } }),
      'apps/web/package.json': json({ name: 'web' }),
      'docker/Dockerfile.api': image('api'),
      'docker/api.Dockerfile': image('api'),
      'docker/Dockerfile.worker': image('worker'),
      'docker/worker.Dockerfile': image('worker'),
      'docker/web.Dockerfile': 'FROM nginx\nCOPY . /srv\n',
    });
    const [message] = warnings(warn);
    expect(message).toContain(
      'docker/web.Dockerfile is named after web: the plugin option "services": { "web": { "dockerfile": "docker/web.Dockerfile" } } makes it that project\'s image.',
    );
    expect(message).toContain(
      'docker/Dockerfile.api, docker/api.Dockerfile are each named after api: "api": { "dockerfile": <the one it ships> } in the plugin option "services" makes that one its image.',
    );
    expect(message!.match(/"api":/g)).toHaveLength(1);
    expect(message!.match(/"worker":/g)).toHaveLength(1);
  });

  it("sends the project a Dockerfile is named after to the folder it copies, where no project is (web-app's docker/backend.Dockerfile)", async () => {
    const files = {
      'package.json': json({ name: 'fx', private: true, workspaces: ['apps/*'] }),
      'apps/backend/pyproject.toml': '[project]\nname = "backend"\n',
      'apps/backend/main.py': '\n',
      'apps/web/package.json': json({ name: 'web' }),
      'apps/web/Dockerfile': 'FROM nginx\nCOPY . /srv\n',
      'docker/backend.Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY apps/backend/ .\nCMD ["python", "main.py"]\n',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      orphanWarning('docker/backend.Dockerfile', 'docker') +
        ' docker/backend.Dockerfile copies apps/backend, the folder it is named after: a project.json with a "name" in that folder makes it that project\'s image.',
    ]);
    // The advice followed: that project's image, and no warning.
    warn.mockClear();
    const { results } = await runWorkspace({ ...files, 'apps/backend/project.json': json({ name: 'backend' }) });
    const backend = results.flatMap(([, r]) => (r.projects?.['apps/backend'] ? [r.projects['apps/backend']!] : []))[0];
    expect(backend?.targets?.['docker-build']?.options).toMatchObject({ dockerfile: 'docker/backend.Dockerfile' });
    expect(warnings(warn)).toEqual([]);
  });

  it('names a build argument named as a secret before a RUN of the stages built, with the build secret to use instead', async () => {
    const files = (dockerfile: string) => ({
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api' }),
      'apps/api/.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
      'apps/api/Dockerfile': dockerfile,
    });
    await runWorkspace(
      files(
        'FROM node:20 AS base\nARG NPM_TOKEN\nARG NODE_ENV=production\nCOPY .npmrc package.json ./\nRUN npm install\nFROM base\nCMD ["node", "index.js"]\n',
      ),
    );
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/api/Dockerfile:2 ARG NPM_TOKEN: the engine writes a build argument\'s value into the image\'s history with every RUN after it (`docker history` shows it), so whoever can pull the image of api can read it. Pass a secret as a build secret instead: "secrets": [{ "id": "npm_token", "env": "NPM_TOKEN" }] in the options of api\'s docker-build, and, in place of the ARG, RUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token)" <the command that needs it>.',
    ]);
    // A client bundle's public setting, one no RUN follows, one in a stage not built, or in a stage the
    // image only copies from: nothing to say.
    for (const dockerfile of [
      'FROM node:20 AS deps\nARG NPM_TOKEN\nCOPY package.json ./\nRUN npm install\nFROM node:20\nCOPY --from=deps /node_modules ./node_modules\nCMD ["node", "index.js"]\n',
      'FROM node:20\nARG NEXT_PUBLIC_API_KEY\nRUN npm run build\n',
      'FROM node:20\nRUN npm ci\nARG SENTRY_AUTH_TOKEN\nCMD ["node", "index.js"]\n',
      'FROM node:20 AS dev\nARG GITHUB_TOKEN\nRUN git clone x\nFROM node:20\nCMD ["node", "index.js"]\n',
    ]) {
      warn.mockClear();
      await runWorkspace(files(dockerfile));
      expect({ dockerfile, warnings: warnings(warn) }).toEqual({ dockerfile, warnings: [] });
    }
  });

  it('names a credentials file no commit holds that a COPY puts into a layer (CI writes the token .npmrc)', async () => {
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api' }),
      'apps/api/Dockerfile':
        'FROM node:20\nCOPY package.json .npmrc ./\nCOPY .env.example ./\nRUN npm install\nCMD ["node", "index.js"]\n',
      'apps/api/.env.example': '',
    };
    await runWorkspace(files);
    expect(warnings(warn)).toEqual([
      'nx-fleet: apps/api/Dockerfile:2 COPY package.json .npmrc ./: a file no commit holds (written before the build, as CI writes a token\'s .npmrc) copied into an image layer, which keeps it readable to whoever can pull the image, a later RUN\'s rm notwithstanding. Where it holds a secret, mount it for the RUN that needs it instead: "secrets": [{ "id": "npmrc", "src": "<its path>" }] in docker-build\'s options, and RUN --mount=type=secret,id=npmrc,target=/root/.npmrc <the install>.',
    ]);
    // In a stage the image only copies from, it stays out of the image.
    warn.mockClear();
    await runWorkspace({
      ...files,
      'apps/api/Dockerfile':
        'FROM node:20 AS deps\nCOPY package.json .npmrc ./\nRUN npm install\nFROM node:20\nCOPY --from=deps /node_modules ./node_modules\nCMD ["node", "index.js"]\n',
    });
    expect(warnings(warn)).toEqual([]);
    // A committed one (`${NPM_TOKEN}` read from the environment) is no secret itself.
    warn.mockClear();
    await runWorkspace({ ...files, 'apps/api/.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' });
    expect(warnings(warn)).toEqual([]);
  });

  it("warns once per file when projects' own targets take the names of nx-fleet's push, scan or contract-verify (getlarge/ticketing's docker push)", async () => {
    const push = (name: string) => json({ name, targets: { 'docker-push': { command: `docker push acme/${name}` } } });
    const files = {
      'apps/orders/project.json': push('orders'),
      'apps/orders/Dockerfile': 'FROM scratch\n',
      'apps/auth/project.json': push('auth'),
      'apps/auth/Dockerfile': 'FROM scratch\n',
      'apps/web/project.json': json({ name: 'web', targets: { scan: { command: 'trivy fs .' } } }),
      'apps/web/Dockerfile': 'FROM scratch\n',
    };
    await runWorkspace(files, { buildTargetName: 'image' });
    expect(warnings(warn)).toEqual([
      "nx-fleet: 2 projects give a target of their own nx-fleet's docker-push name, which replaces nx-fleet's: apps/auth/project.json, apps/orders/project.json. nx-fleet's docker-push pushes only images that passed the scan and contract checks, and records what it pushed: `nx affected -t docker-push` runs the project's command instead, and `nx-fleet release` refuses the service. Rename or remove the project's own docker-push, or give nx-fleet's another name (plugin option pushTargetName).",
      "nx-fleet: apps/web/project.json: web:scan runs `trivy fs .` (nx:run-commands), not nx-fleet:scan: nx-fleet's scan is a gate docker-push waits for: the push waits for the project's command instead. Rename or remove the project's own scan, or give nx-fleet's another name (plugin option scanTargetName).",
    ]);
    // With the build replaced too, one warning for the file says both.
    warn.mockClear();
    await runWorkspace(
      {
        ...files,
        'apps/orders/project.json': json({
          name: 'orders',
          targets: { image: { command: 'docker build .' }, 'docker-push': { command: 'docker push acme/orders' } },
        }),
      },
      { buildTargetName: 'image' },
    );
    const said = warnings(warn);
    // A project replacing two of them is named once, with both.
    warn.mockClear();
    await runWorkspace(
      {
        ...files,
        'apps/web/project.json': json({
          name: 'web',
          targets: { scan: { command: 'trivy fs .' }, 'docker-push': { command: 'docker push acme/web' } },
        }),
      },
      { buildTargetName: 'image' },
    );
    expect(warnings(warn).filter((m) => m.includes('apps/web/project.json'))).toEqual([
      expect.stringMatching(
        /^nx-fleet: a project gives targets of its own the names of nx-fleet's docker-push and scan, which replace nx-fleet's: apps\/web\/project\.json\. nx-fleet's docker-push pushes only .* nx-fleet's scan is a gate/,
      ),
    ]);
    expect(said.filter((m) => m.includes('apps/orders/project.json'))).toEqual([
      expect.stringMatching(
        /^nx-fleet: apps\/orders\/project\.json: orders:image runs `docker build \.` .* Its own docker-push replaces nx-fleet's too: the project's commands run instead, with no scan or contract check before its push\.$/,
      ),
    ]);
    expect(
      said.some((m) => m.startsWith('nx-fleet: apps/auth/project.json: auth:docker-push runs `docker push acme/auth`')),
    ).toBe(true);
  });

  it('asks only to rename the package.json scripts when every build under its name is one (pnpm-turbo-repo)', async () => {
    await runWorkspace({
      'package.json': json({ name: 'acme', private: true, workspaces: ['apps/*'] }),
      'apps/web/package.json': json({ name: 'web', scripts: { 'docker-build': 'docker build -t web .' } }),
      'apps/web/Dockerfile': 'FROM scratch\n',
      'apps/docs/package.json': json({ name: 'docs', scripts: { 'docker-build': 'docker build -t docs .' } }),
      'apps/docs/Dockerfile': 'FROM scratch\n',
    });
    expect(warnings(warn)).toEqual([
      expect.stringContaining(
        'refuse to run there. Rename the package.json scripts of apps/docs/package.json, apps/web/package.json (adopt reports a script, it carries none over), or give',
      ),
    ]);
    expect(warnings(warn)[0]).not.toContain('nx g nx-fleet:adopt');
  });

  it("warns once, naming the files, when projects' own targets take nx-fleet's build target name", async () => {
    const { results, rerun } = await runWorkspace({
      'backend/gateway/project.json': json({
        name: 'gateway',
        targets: { 'docker-build': { dependsOn: ['build'], command: 'docker build -f backend/gateway/Dockerfile .' } },
      }),
      'backend/gateway/Dockerfile': 'FROM scratch\nCOPY dist/ /app/\n',
      'apps/web/package.json': json({
        name: 'web',
        nx: { targets: { 'docker-build': { executor: 'nx-fleet:docker-build', options: { buildArgs: { A: '1' } } } } },
      }),
      'apps/web/Dockerfile': 'FROM scratch\n',
      // npm scripts of a package Nx makes a project of (in the workspaces) are targets too; one Nx is told not to include is not.
      'package.json': json({ name: 'acme', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': json({ name: 'api', scripts: { 'docker-build': 'docker build -t acme/api .' } }),
      // Outside the workspaces Nx makes no project of it, and none of its scripts is a target.
      'tools/cli/package.json': json({ name: 'cli', scripts: { 'docker-build': 'docker build .' } }),
      'tools/cli/Dockerfile': 'FROM scratch\n',
      'apps/api/Dockerfile': 'FROM scratch\n',
      'apps/admin/package.json': json({
        name: 'admin',
        scripts: { 'docker-build': 'docker build .' },
        nx: { includedScripts: ['build'] },
      }),
      'apps/admin/Dockerfile': 'FROM scratch\n',
    });
    // The service keeps its targets: Nx takes the project's own docker-build, and the others refuse to run on it.
    expect(results.map(([file]) => file)).toEqual([
      'apps/admin/Dockerfile',
      'apps/api/Dockerfile',
      'apps/web/Dockerfile',
      'backend/gateway/Dockerfile',
      'tools/cli/Dockerfile',
    ]);
    // nx-fleet's build target stays out of the replaced ones, so Nx leaves the project's own as it is.
    const targetsOf = (file: string) =>
      Object.keys(Object.values(results.find(([f]) => f === file)![1].projects!)[0]!.targets!);
    expect(targetsOf('apps/api/Dockerfile')).toEqual(['scan', 'contract-verify', 'docker-push']);
    expect(targetsOf('backend/gateway/Dockerfile')).toEqual(['scan', 'contract-verify', 'docker-push']);
    for (const file of ['apps/admin/Dockerfile', 'apps/web/Dockerfile', 'tools/cli/Dockerfile'])
      expect(targetsOf(file)).toEqual(['docker-build', 'scan', 'contract-verify', 'docker-push']);
    await rerun();
    expect(warnings(warn)).toEqual([
      "nx-fleet: 2 projects give their own build nx-fleet's build target name, docker-build, which replaces nx-fleet's: apps/api/package.json, backend/gateway/project.json. " +
        "nx-fleet's scan, contract-verify and docker-push use the image record nx-fleet's docker-build writes, so they refuse to run there. " +
        "Carry the others over with `nx g nx-fleet:adopt` (their image names, contexts, build args and dependsOn become nx-fleet's docker-build), " +
        // adopt reports an npm script and carries none over (pnpm-turbo-repo's `docker-build` scripts).
        'rename the package.json scripts of apps/api/package.json (adopt reports a script, it carries none over), ' +
        "or give nx-fleet's build target another name (plugin option buildTargetName).",
    ]);
    warn.mockClear();
    await runWorkspace({
      'backend/gateway/project.json': json({
        name: 'gateway',
        targets: { 'docker-build': { dependsOn: ['build'], command: 'docker build -f backend/gateway/Dockerfile .' } },
      }),
      'backend/gateway/Dockerfile': 'FROM scratch\n',
    });
    expect(warnings(warn)).toEqual([
      'nx-fleet: backend/gateway/project.json: gateway:docker-build runs `docker build -f backend/gateway/Dockerfile .` (nx:run-commands), not nx-fleet:docker-build: ' +
        "the project's own configuration replaces nx-fleet's docker-build, which writes the image record scan, contract-verify and docker-push use. " +
        "Carry that build over with `nx g nx-fleet:adopt gateway` (its image name, context, build args and dependsOn become nx-fleet's docker-build), or give nx-fleet's build target another name (plugin option buildTargetName).",
    ]);
  });

  describe('per-service settings', () => {
    it('makes a service of a project whose fleet.dockerfile points elsewhere, and does not call that Dockerfile an orphan', async () => {
      const { results } = await runWorkspace({
        'services/api/project.json': json({
          name: 'api',
          metadata: { fleet: { dockerfile: '.deploy/api/Dockerfile' } },
        }),
        'services/api/src/main.ts': 'export {};\n',
        '.deploy/api/Dockerfile': 'FROM scratch\nCOPY services/api /app\n',
        '.deploy/other/Dockerfile': 'FROM scratch\n',
      });
      // The Dockerfile is among the matched files, so Nx records it as the source.
      expect(results).toEqual([
        [
          'services/api/project.json',
          {
            projects: {
              'services/api': {
                targets: expectedTargets(
                  'services/api',
                  '.deploy/api/Dockerfile',
                  PRUNED_ELSEWHERE('.deploy/api/Dockerfile'),
                ),
                metadata: PROJECT_METADATA,
              },
            },
          },
        ],
      ]);
      // The unreferenced one next to it still warns.
      expect(warnings(warn)).toEqual([orphanWarning('.deploy/other/Dockerfile', '.deploy/other')]);
    });

    it('records the project.json as the source when the fleet.dockerfile is not among the matched files', async () => {
      const { results } = await runWorkspace({
        'services/api/project.json': json({
          name: 'api',
          metadata: { fleet: { dockerfile: 'docker/api.Dockerfile' } },
        }),
        'docker/api.Dockerfile': 'FROM scratch\nCOPY services/api /app\n',
      });
      expect(results.map(([file]) => file)).toEqual(['services/api/project.json']);
      expect(onlyProject(results).targets!['docker-build']!.options).toEqual({
        dockerfile: 'docker/api.Dockerfile',
        context: '.',
        prune: true,
      });
      expect(warnings(warn)).toEqual([]);
    });

    describe('the plugin option services with a dockerfile elsewhere (a project folder without a Dockerfile)', () => {
      /** docker/Dockerfile at the root builds apps/webapp; no manifest beside it, none of it in the project. */
      const WEBAPP = {
        'package.json': json({ name: '@acme/source', private: true, workspaces: ['apps/*'] }),
        'apps/webapp/package.json': json({ name: 'webapp' }),
        'apps/webapp/src/main.ts': 'export {};\n',
        'docker/Dockerfile': 'FROM node:22\nCOPY . .\n',
      };
      const WEBAPP_PROJECT = {
        name: 'webapp',
        targets: expectedTargets('apps/webapp', 'docker/Dockerfile', {
          buildOptions: { context: '.', prune: false },
          inputs: ['{workspaceRoot}/**/*', ENGINE],
        }),
        metadata: PROJECT_METADATA,
      };

      it.each<[string, string]>([
        ['by project name', 'webapp'],
        ['by root', 'apps/webapp'],
      ])('makes the project a service %s, and the Dockerfile it points at is no orphan', async (_how, key) => {
        const { results } = await runWorkspace(WEBAPP, {
          services: { [key]: { dockerfile: 'docker/Dockerfile', context: 'workspace' } },
        });
        expect(results).toEqual([['apps/webapp/package.json', { projects: { 'apps/webapp': WEBAPP_PROJECT } }]]);
        expect(warnings(warn)).toEqual([]);
      });

      it('takes a project.json project by its name as well', async () => {
        const { results } = await runWorkspace(
          {
            'apps/api/project.json': json({ name: 'api' }),
            'docker/api.Dockerfile': 'FROM scratch\nCOPY apps/api /app\n',
          },
          { services: { api: { dockerfile: './docker/api.Dockerfile' } } },
        );
        expect(results.map(([file]) => file)).toEqual(['apps/api/project.json']);
        expect(onlyProject(results).targets!['docker-build']!.options).toEqual({
          dockerfile: 'docker/api.Dockerfile',
          context: '.',
          prune: true,
        });
      });

      const unmatched = (key: string) =>
        `nx-fleet: the plugin option "services", entry "${key}": no project has that name or root, so it is ignored. A folder is a project when it holds a project.json (with a "name") or a package.json Nx reads; add one there, or name an existing project.`;
      it.each<[string, FleetPluginOptions, string[]]>([
        [
          'an entry naming no project',
          { services: { nobody: { dockerfile: 'docker/Dockerfile' } } },
          [unmatched('nobody')],
        ],
        [
          'an entry for a folder with no project',
          { services: { docker: { dockerfile: 'docker/Dockerfile' } } },
          [unmatched('docker')],
        ],
        ['an entry without a dockerfile', { services: { webapp: { context: 'workspace' } } }, []],
        ['an entry by root without a dockerfile', { services: { 'apps/webapp': { context: 'workspace' } } }, []],
      ])('changes nothing for %s: no service, and the Dockerfile still warns', async (_case, options, named) => {
        const { results } = await runWorkspace(WEBAPP, options);
        expect(results).toEqual([]);
        expect(warnings(warn).sort()).toEqual([orphanWarning('docker/Dockerfile', 'docker'), ...named].sort());
      });
    });

    it('opts a project out with enabled: false, without a warning', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { enabled: false } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'services/b/project.json': json({ name: 'b' }),
        'services/b/Dockerfile': 'FROM scratch\n',
      });
      expect(results.map(([file]) => file)).toEqual(['services/b/Dockerfile']);
      expect(warnings(warn)).toEqual([]);
    });

    it('opts a project out with enabled: false in the plugin services map', async () => {
      const { results } = await runWorkspace(
        { 'services/a/project.json': json({ name: 'a' }), 'services/a/Dockerfile': 'FROM scratch\n' },
        { services: { a: { enabled: false } } },
      );
      expect(results).toEqual([]);
    });

    it('passes metadata.fleet.image to the docker-build options', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { image: 'acme/a-api' } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
      });
      const targets = onlyProject(results).targets!;
      expect(targets['docker-build']!.options).toEqual({
        dockerfile: 'services/a/Dockerfile',
        context: 'services/a',
        image: 'acme/a-api',
      });
      expect(targets['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
    });

    it('changes the build options and inputs with context: project', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({
          name: 'a',
          metadata: { fleet: { context: 'project', contextInclude: ['tsconfig.base.json'] } },
        }),
        'services/a/Dockerfile': 'FROM scratch\n',
      });
      const build = onlyProject(results).targets!['docker-build']!;
      expect(build.options).toEqual({ dockerfile: 'services/a/Dockerfile', context: 'services/a' });
      expect(build.inputs).toEqual(['{projectRoot}/**/*', ENGINE]);
    });

    it('applies the plugin services map by root, and the project’s own block wins over it field by field', async () => {
      const files = {
        'services/a/project.json': json({ name: 'a' }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'services/b/project.json': json({ name: 'b', metadata: { fleet: { context: 'project' } } }),
        'services/b/Dockerfile': 'FROM scratch\n',
      };
      const { byFile } = await runWorkspace(files, {
        services: {
          'services/a': { context: 'workspace' },
          'services/b': { context: 'workspace', image: 'from-plugin/b' },
        },
      });
      const a = byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['docker-build']!;
      expect(a.options).toEqual({ dockerfile: 'services/a/Dockerfile', context: '.', prune: false });
      expect(a.inputs).toEqual(['{workspaceRoot}/**/*', ENGINE]);
      const b = byFile.get('services/b/Dockerfile')!.projects!['services/b']!.targets!['docker-build']!;
      expect(b.options).toEqual({ dockerfile: 'services/b/Dockerfile', context: 'services/b', image: 'from-plugin/b' });
      expect(b.inputs).toEqual(['{projectRoot}/**/*', ENGINE]);
    });

    it('applies the plugin services map by project name over the entry by root', async () => {
      const { results } = await runWorkspace(
        { 'services/a/project.json': json({ name: 'a' }), 'services/a/Dockerfile': 'FROM scratch\n' },
        { services: { 'services/a': { image: 'by-root', context: 'project' }, a: { image: 'by-name' } } },
      );
      expect(onlyProject(results).targets!['docker-build']!.options).toEqual({
        dockerfile: 'services/a/Dockerfile',
        context: 'services/a',
        image: 'by-name',
      });
    });

    it('warns once about an invalid field, naming the file and the field, and still creates the service', async () => {
      const { results, rerun } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { context: 'bogus', image: 'acme/a' } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
      });
      await rerun();
      expect(warnings(warn)).toEqual([
        'nx-fleet: services/a/project.json: fleet setting "context" must be one of pruned, workspace, project; it is ignored.',
      ]);
      expect(results.map(([file]) => file)).toEqual(['services/a/Dockerfile']);
      // The invalid field falls back to inference (a Dockerfile that copies nothing: its folder), the valid one is kept.
      expect(onlyProject(results).targets!['docker-build']!.options).toEqual({
        dockerfile: 'services/a/Dockerfile',
        context: 'services/a',
        image: 'acme/a',
      });
    });

    it("lets a service's metadata.fleet.gates.scan false override the plugin default", async () => {
      const { byFile } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { gates: { scan: false } } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'services/b/project.json': json({ name: 'b' }),
        'services/b/Dockerfile': 'FROM scratch\n',
      });
      expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets).toEqual(
        expectedTargets('services/a', 'services/a/Dockerfile', { scanGate: false }),
      );
      expect(byFile.get('services/b/Dockerfile')!.projects!['services/b']!.targets).toEqual(
        expectedTargets('services/b', 'services/b/Dockerfile'),
      );
      expect(warnings(warn)).toEqual([]);
    });

    it("lets a service's metadata.fleet.gates.scan true override a plugin gates.scan false", async () => {
      const { byFile } = await runWorkspace(
        {
          'services/a/project.json': json({ name: 'a', metadata: { fleet: { gates: { scan: true } } } }),
          'services/a/Dockerfile': 'FROM scratch\n',
          'services/b/project.json': json({ name: 'b' }),
          'services/b/Dockerfile': 'FROM scratch\n',
        },
        { gates: { scan: false } },
      );
      expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets).toEqual(
        expectedTargets('services/a', 'services/a/Dockerfile'),
      );
      expect(byFile.get('services/b/Dockerfile')!.projects!['services/b']!.targets).toEqual(
        expectedTargets('services/b', 'services/b/Dockerfile', { scanGate: false }),
      );
    });

    it('reads gates from nx.metadata.fleet of a package.json and from the plugin services map', async () => {
      const { byFile } = await runWorkspace(
        {
          'services/web/package.json': json({
            name: '@acme/web',
            nx: { metadata: { fleet: { gates: { scan: false } } } },
          }),
          'services/web/Dockerfile': 'FROM scratch\n',
          'services/a/project.json': json({ name: 'a' }),
          'services/a/Dockerfile': 'FROM scratch\n',
        },
        { services: { a: { gates: { scan: false } } } },
      );
      expect(
        byFile.get('services/web/Dockerfile')!.projects!['services/web']!.targets!['docker-push']!.dependsOn,
      ).toEqual(['docker-build']);
      expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['docker-push']!.options).toEqual({
        buildTarget: 'docker-build',
        skippedGates: ['scan'],
      });
    });

    it('warns about invalid gates and keeps the scan gate on', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { gates: { scan: 'no' } } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
      });
      expect(warnings(warn)).toEqual([
        'nx-fleet: services/a/project.json: fleet setting "gates" must be an object like { "scan": false, "contract": false }; it is ignored.',
      ]);
      const push = onlyProject(results).targets!['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build', 'scan']);
      expect(push.options).toEqual({ buildTarget: 'docker-build' });
    });

    it('reads nx.metadata.fleet from a package.json, keeping the package name', async () => {
      const { results, byFile } = await runWorkspace({
        'services/web/package.json': json({
          name: '@acme/web',
          nx: { metadata: { fleet: { context: 'project', image: 'acme/web' } } },
        }),
        'services/web/Dockerfile': 'FROM scratch\n',
        'services/worker/package.json': json({
          name: '@acme/worker',
          nx: { metadata: { fleet: { dockerfile: 'docker/worker.Dockerfile' } } },
        }),
      });
      expect(results.map(([file]) => file)).toEqual(['services/web/Dockerfile', 'services/worker/package.json']);
      const web = byFile.get('services/web/Dockerfile')!.projects!['services/web']!;
      expect(web.name).toBe('@acme/web');
      expect(web.targets!['docker-build']!.options).toEqual({
        dockerfile: 'services/web/Dockerfile',
        context: 'services/web',
        image: 'acme/web',
      });
      const worker = byFile.get('services/worker/package.json')!.projects!['services/worker']!;
      expect(worker.name).toBe('@acme/worker');
      expect(worker.targets!['docker-build']!.options).toEqual({
        dockerfile: 'docker/worker.Dockerfile',
        context: '.',
        prune: true,
      });
      expect(warnings(warn)).toEqual([]);
    });

    it("lets a service's metadata.fleet.gates.contract false release its push from its pacts, the other service keeping the gate", async () => {
      const { byFile } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { gates: { contract: false } } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'services/a/pacts/web-a.json': json({ consumer: { name: 'web' }, provider: { name: 'a' }, interactions: [] }),
        'services/b/project.json': json({
          name: 'b',
          metadata: { fleet: { gates: { scan: false, contract: false } } },
        }),
        'services/b/Dockerfile': 'FROM scratch\n',
        'services/b/pacts/web-b.json': json({ consumer: { name: 'web' }, provider: { name: 'b' }, interactions: [] }),
        'services/c/project.json': json({ name: 'c' }),
        'services/c/Dockerfile': 'FROM scratch\n',
        'services/c/pacts/web-c.json': json({ consumer: { name: 'web' }, provider: { name: 'c' }, interactions: [] }),
      });
      expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets).toEqual(
        expectedTargets('services/a', 'services/a/Dockerfile', { pacts: 1, contractGate: false }),
      );
      expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['docker-push']!.options).toEqual({
        buildTarget: 'docker-build',
        skippedGates: ['contract'],
      });
      expect(byFile.get('services/b/Dockerfile')!.projects!['services/b']!.targets!['docker-push']).toMatchObject({
        dependsOn: ['docker-build'],
        options: { buildTarget: 'docker-build', skippedGates: ['scan', 'contract'] },
      });
      expect(byFile.get('services/c/Dockerfile')!.projects!['services/c']!.targets!['docker-push']!.dependsOn).toEqual([
        'docker-build',
        'scan',
        'contract-verify',
      ]);
      expect(warnings(warn)).toEqual([]);
    });

    it('warns about an invalid contract gate and keeps the gate on', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({ name: 'a', metadata: { fleet: { gates: { contract: 'off' } } } }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'services/a/pacts/web-a.json': json({ consumer: { name: 'web' }, provider: { name: 'a' }, interactions: [] }),
      });
      expect(warnings(warn)).toEqual([
        'nx-fleet: services/a/project.json: fleet setting "gates" must be an object like { "scan": false, "contract": false }; it is ignored.',
      ]);
      const push = onlyProject(results).targets!['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(push.options).toEqual({ buildTarget: 'docker-build' });
    });

    it('ignores a package.json fleet block where a project.json is the project', async () => {
      const { results } = await runWorkspace({
        'services/a/project.json': json({ name: 'a' }),
        'services/a/package.json': json({
          name: '@acme/a',
          nx: { metadata: { fleet: { dockerfile: 'docker/a.Dockerfile' } } },
        }),
      });
      expect(results).toEqual([]);
    });
  });

  describe('contexts inferred from the Dockerfile', () => {
    it('a Dockerfile copying the outputs project.json declares for its build: pruned, depending on the build', async () => {
      const { results } = await runWorkspace({
        'apps/api/project.json': json({
          name: 'api',
          targets: { build: { command: 'node build.mjs', outputs: ['{workspaceRoot}/artifacts/{projectName}'] } },
        }),
        'apps/api/Dockerfile': 'FROM node:20\nCOPY artifacts/api /app\n',
      });
      expect(onlyProject(results).targets!['docker-build']).toMatchObject({
        dependsOn: ['build'],
        options: { context: '.', prune: true, contextOutputs: ['artifacts/api'] },
        metadata: { context: { mode: 'pruned', origin: 'inferred' } },
      });
    });

    it("COPY sources written with an ARG: expanded with docker-build's buildArgs from project.json, else the default", async () => {
      const build = async (buildArgs?: Record<string, string>) =>
        onlyProject(
          (
            await runWorkspace({
              'apps/api/project.json': json({
                name: 'api',
                ...(buildArgs ? { targets: { 'docker-build': { options: { buildArgs } } } } : {}),
              }),
              'apps/api/Dockerfile': 'FROM node:20\nARG lib=shared\nCOPY libs/${lib}/ libs/${lib}/\n',
              'libs/shared/src/index.ts': '',
              'libs/util/src/index.ts': '',
            })
          ).results,
        ).targets!['docker-build']!;
      expect(await build()).toMatchObject({
        options: { context: '.', prune: true, contextInclude: ['libs/shared/**'] },
        metadata: { context: { mode: 'pruned', reason: expect.stringContaining('"COPY libs/${lib}/ libs/${lib}/"') } },
      });
      expect((await build({ lib: 'util' })).options).toMatchObject({ contextInclude: ['libs/util/**'] });
    });

    it("holds the other projects a prune tool in the image keeps, with their dependencies (enpitsu's admin and its migrations)", async () => {
      const workspace = (scopes: string, dependencies = {}) => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }),
        'apps/web/package.json': json({ name: '@x/web', dependencies }),
        'packages/migrate/package.json': json({ name: '@x/migrate', dependencies: { '@x/db': '*' } }),
        'packages/migrate/migrations/0000.sql': 'select 1;\n',
        'packages/db/package.json': json({ name: '@x/db' }),
        'packages/ui/package.json': json({ name: '@x/ui' }),
        'apps/web/Dockerfile': `FROM node:20 AS pruner\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune ${scopes} --docker\nFROM node:20\nCOPY --from=pruner /app/out/full/ .\n`,
      });
      const include = async (scopes: string, dependencies = {}) =>
        (
          (await runWorkspace(workspace(scopes, dependencies))).results.flatMap(([, r]) =>
            Object.values(r.projects ?? {}),
          )[0]!.targets!['docker-build']!.options as { contextInclude?: string[] }
        ).contextInclude ?? [];
      expect(await include('--scope=@x/web --scope=@x/migrate')).toEqual(
        expect.arrayContaining(['packages/db/**', 'packages/migrate/**']),
      );
      expect(await include('--scope=@x/web --scope=@x/migrate')).not.toContain('packages/ui/**');
      expect(await include('@x/web')).not.toContain('packages/migrate/**');
      // One the service depends on is in its context already (kan's `--scope=@kan/db`): nothing more.
      expect(await include('--scope=@x/web --scope=@x/ui', { '@x/ui': '*' })).toEqual([]);
    });

    it("reads docker-build's buildArgs from package.json's nx.targets too (a package.json project)", async () => {
      const { results } = await runWorkspace({
        'apps/api/package.json': json({
          name: 'api',
          nx: { targets: { 'docker-build': { options: { buildArgs: { lib: 'util' } } } } },
        }),
        'apps/api/Dockerfile': 'FROM node:20\nARG lib=shared\nCOPY libs/${lib}/ libs/${lib}/\n',
        'libs/shared/src/index.ts': '',
        'libs/util/src/index.ts': '',
      });
      expect(onlyProject(results).targets!['docker-build']!.options).toMatchObject({
        contextInclude: ['libs/util/**'],
      });
    });

    it("a Dockerfile copying another project's build output depends on that project's build, and carries it", async () => {
      const { results } = await runWorkspace({
        'apps/server/project.json': json({ name: 'server', targets: { build: {} } }),
        'apps/server/Dockerfile': 'FROM node:20\nCOPY ./apps/web/dist ./static\nCOPY dist/apps/server .\n',
        'apps/web/project.json': json({ name: 'web', targets: { build: {} } }),
        'apps/web/src/main.ts': '',
      });
      const build = dockerBuildOf(results, 'apps/server');
      expect(build).toMatchObject({
        dependsOn: ['build', { projects: ['web'], target: 'build' }],
        options: { context: '.', prune: true, contextOutputs: ['apps/web/dist', 'dist/apps/server'] },
      });
      // The server need not depend on web: its push names web's folder, so a change there affects it on Nx 23.
      const push = results.find(([f]) => f === 'apps/server/Dockerfile')![1].projects!['apps/server']!.targets![
        'docker-push'
      ]!;
      expect(push.inputs).toContain('{workspaceRoot}/apps/web/**');
      expect(build.inputs).not.toContain('{workspaceRoot}/apps/web/**');
    });

    it('a Dockerfile copying project folders whole carries their tsconfig outDir (git-ignored) and depends on their builds', async () => {
      const { results } = await runWorkspace({
        'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
        'packages/server/package.json': json({ name: 'server', scripts: { build: 'tsc' } }),
        'packages/server/tsconfig.json':
          '{\n  // JSONC, as tsc reads it\n  "compilerOptions": { "outDir": "dist" }\n}\n',
        'packages/server/src/index.ts': '',
        'packages/server/Dockerfile':
          'FROM node:20\nCOPY ./packages/server /app\nCOPY ./packages/web /app/web\nCMD ["node", "dist/index.js"]\n',
        'packages/web/project.json': json({ name: 'web', targets: { build: {} } }),
        'packages/web/tsconfig.app.json': json({ compilerOptions: { outDir: './build/' } }),
        'packages/web/tsconfig.json': json({ compilerOptions: { outDir: '../../dist/out-tsc' } }),
        // tsc writes nothing here (type checking only, as openstatus's Deno packages are): no output.
        'packages/web/tsconfig.lib.json': json({ compilerOptions: { outDir: './lib', noEmit: true } }),
        'packages/web/src/main.ts': '',
      });
      const build = dockerBuildOf(results, 'packages/server');
      expect(build).toMatchObject({
        dependsOn: ['build', { projects: ['web'], target: 'build' }],
        options: { context: '.', prune: true, contextOutputs: ['packages/server/dist', 'packages/web/build'] },
      });
    });

    it("a Dockerfile copying project folders whole carries the outputs their builds state inside them, and depends on those builds (uesio's component packs)", async () => {
      const pack = (name: string) =>
        json({
          name,
          targets: {
            build: { command: 'vite build', outputs: ['{projectRoot}/bundle/dist', '{projectRoot}/gen/*/out'] },
          },
        });
      const workspace = (run = '') => ({
        '.gitignore': '**/bundle/dist/\n',
        'libs/apps/core/project.json': pack('core'),
        'libs/apps/core/bundle/src/a.ts': '',
        'libs/apps/studio/project.json': pack('studio'),
        'libs/apps/studio/bundle/src/a.ts': '',
        'apps/web/project.json': json({
          name: 'web',
          targets: { build: { command: 'go build', outputs: ['{projectRoot}/bin'] } },
        }),
        'apps/web/main.go': '',
        'apps/web/Dockerfile': `FROM golang:1.22\nCOPY apps/web apps/web\nRUN cd apps/web && go build\nCOPY ./libs/apps/core ./libs/apps/core\nCOPY ./libs/apps/studio ./libs/apps/studio\n${run}CMD ["apps/web/web"]\n`,
      });
      // The service's own stated output is not taken for one (its host build may be another toolchain's);
      // an output written as a pattern names no folder to carry.
      expect(dockerBuildOf((await runWorkspace(workspace())).results, 'apps/web')).toMatchObject({
        dependsOn: [
          { projects: ['core'], target: 'build' },
          { projects: ['studio'], target: 'build' },
        ],
        options: { contextOutputs: ['libs/apps/core/bundle/dist', 'libs/apps/studio/bundle/dist'] },
      });
      // Built in the image: nothing to wait for.
      const inImage = dockerBuildOf(
        (await runWorkspace(workspace('RUN npx nx run-many -t build\n'))).results,
        'apps/web',
      );
      expect(inImage.dependsOn).toBeUndefined();
      expect(inImage.options!['contextOutputs']).toBeUndefined();
    });

    it("a package script a RUN runs builds what its commands build, after its pre script where the tool runs one (personal-kanban's prebuild)", async () => {
      const workspace = (run: string, scripts: Record<string, string>) => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }),
        'package-lock.json': '{}',
        '.gitignore': '**/dist\n',
        'packages/shared/package.json': json({ name: '@k/shared', scripts: { build: 'tsc' } }),
        'packages/shared/tsconfig.json': json({ compilerOptions: { outDir: 'dist' } }),
        'packages/shared/src/index.ts': '',
        'apps/api/package.json': json({ name: '@k/api', dependencies: { '@k/shared': '*' }, scripts }),
        'apps/api/tsconfig.json': json({ compilerOptions: { outDir: 'dist' } }),
        'apps/api/src/index.ts': '',
        'apps/api/Dockerfile': `FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages/shared packages/shared\nCOPY apps/api apps/api\nRUN npm ci\nWORKDIR /app/apps/api\nRUN ${run}\nCMD ["node", "dist/index.js"]\n`,
      });
      const dependsOn = async (run: string, scripts: Record<string, string>) =>
        dockerBuildOf((await runWorkspace(workspace(run, scripts))).results, 'apps/api').dependsOn;
      const shared = { projects: ['@k/shared'], target: 'build' };
      expect(
        await dependsOn('npm run build', { prebuild: 'npm run build -w @k/shared', build: 'tsc' }),
      ).toBeUndefined();
      expect(
        await dependsOn('npm run build', {
          build: 'npm run build:deps && tsc',
          'build:deps': 'npm run build -w @k/shared',
        }),
      ).toBeUndefined();
      // pnpm runs no pre script; a script that builds nothing else leaves the host build.
      expect(await dependsOn('pnpm run build', { prebuild: 'pnpm --filter @k/shared build', build: 'tsc' })).toEqual([
        shared,
      ]);
      expect(await dependsOn('npm run build', { build: 'tsc' })).toEqual([shared]);
    });

    it('a copied package folder whose entry imports what another of its targets generates (git-ignored) waits for that target and carries its output (an orval client)', async () => {
      const workspace = (over: Record<string, string> = {}) => ({
        'package.json': json({ name: 'root', private: true }),
        'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - packages/*\n',
        '.gitignore': 'packages/api-client/src/generated\ncoverage\n',
        'packages/api-client/package.json': json({ name: '@acme/api-client', main: 'src/index.ts' }),
        'packages/api-client/project.json': json({
          name: '@acme/api-client',
          targets: {
            generate: { command: 'orval', outputs: ['{projectRoot}/src/generated'] },
            test: { command: 'vitest run --coverage', outputs: ['{projectRoot}/coverage'] },
          },
        }),
        'packages/api-client/src/index.ts': "export * from './generated/api';\nexport type { Page } from './page';\n",
        'packages/api-client/src/page.ts': 'export type Page = { n: number };\n',
        'apps/web/package.json': json({ name: '@acme/web', dependencies: { '@acme/api-client': 'workspace:*' } }),
        'apps/web/src/main.ts': "import { getOrders } from '@acme/api-client';\n",
        'apps/web/Dockerfile':
          'FROM node:22-alpine\nWORKDIR /app\nCOPY package.json pnpm-workspace.yaml ./\nCOPY packages/api-client packages/api-client\nCOPY apps/web apps/web\nRUN pnpm install\nRUN pnpm --filter @acme/web build\nCMD ["node", "apps/web/dist/main.js"]\n',
        ...over,
      });
      expect(dockerBuildOf((await runWorkspace(workspace())).results, 'apps/web')).toMatchObject({
        dependsOn: [{ projects: ['@acme/api-client'], target: 'generate' }],
        options: { contextOutputs: ['packages/api-client/src/generated'] },
      });
      // An output the package's entry does not import (its test coverage) is nothing the image needs.
      const unimported = dockerBuildOf(
        (await runWorkspace(workspace({ 'packages/api-client/src/index.ts': "export type { Page } from './page';\n" })))
          .results,
        'apps/web',
      );
      expect(unimported.dependsOn).toBeUndefined();
      expect(unimported.options!['contextOutputs']).toBeUndefined();
      const withRun = async (run: string, over: Record<string, string> = {}) => {
        const files = workspace(over);
        files['apps/web/Dockerfile'] = files['apps/web/Dockerfile'].replace(
          'RUN pnpm install\n',
          `RUN pnpm install\n${run}`,
        );
        return dockerBuildOf((await runWorkspace(files)).results, 'apps/web');
      };
      // Generated in the image: nothing from the host; built there by its build script, still needed.
      expect((await withRun('RUN pnpm --filter @acme/api-client generate\n')).dependsOn).toBeUndefined();
      // Through a script of the service's that runs it.
      const scripted = await withRun('RUN cd apps/web && npm run codegen\n', {
        'apps/web/package.json': json({
          name: '@acme/web',
          scripts: { codegen: 'pnpm --filter @acme/api-client generate' },
          dependencies: { '@acme/api-client': 'workspace:*' },
        }),
      });
      expect(scripted.dependsOn).toBeUndefined();
      expect(await withRun('RUN pnpm --filter @acme/api-client build\n')).toMatchObject({
        dependsOn: [{ projects: ['@acme/api-client'], target: 'generate' }],
      });
      // An output stated as the file itself, imported without its extension (orval's single file).
      const file = await withRun('', {
        'packages/api-client/project.json': json({
          name: '@acme/api-client',
          targets: { generate: { command: 'orval', outputs: ['{projectRoot}/src/generated/api.ts'] } },
        }),
      });
      expect(file).toMatchObject({
        dependsOn: [{ projects: ['@acme/api-client'], target: 'generate' }],
        options: { contextOutputs: ['packages/api-client/src/generated/api.ts'] },
      });
    });

    it("a whole copy that a deploy tool prunes ships the service's own host build where its package's entry lies in it (flyXC's `pnpm -F fetcher deploy`)", async () => {
      const workspace = (manifest: Record<string, unknown>, run = '') => ({
        'package.json': json({ name: 'root', private: true }),
        'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
        'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
        '.gitignore': 'dist\n',
        'apps/fetcher/package.json': json({ name: 'fetcher', version: '1.0.0', ...manifest }),
        'apps/fetcher/project.json': json({
          name: 'fetcher',
          targets: { build: { command: 'vite build', outputs: ['{projectRoot}/dist'] } },
        }),
        'apps/fetcher/src/index.ts': 'export {};\n',
        'apps/fetcher/Dockerfile': `FROM node:22-slim AS installer\nWORKDIR /src\nCOPY . .\n${run}RUN pnpm -F fetcher deploy /tmp/fetcher\nFROM node:22-slim\nWORKDIR /app\nCOPY --from=installer /tmp/fetcher ./\nCMD ["node", "dist/index.js"]\n`,
      });
      // Its package's `main` is `./index.js`: the deploy tool ships whatever the folder holds.
      expect(
        dockerBuildOf((await runWorkspace(workspace({ main: './index.js' }))).results, 'apps/fetcher'),
      ).toMatchObject({
        dependsOn: ['build'],
        options: { contextOutputs: ['apps/fetcher/dist'] },
      });
      // Built in the image, by name or in the folder the deploy tool wrote: nothing from the host.
      for (const run of [
        'RUN pnpm -F fetcher build\n',
        'RUN pnpm -F fetcher deploy /out && cd /out && pnpm run build\n',
      ]) {
        const built = dockerBuildOf(
          (await runWorkspace(workspace({ main: './index.js' }, run))).results,
          'apps/fetcher',
        );
        expect(built.dependsOn).toBeUndefined();
        expect(built.options!['contextOutputs']).toBeUndefined();
      }
      // `turbo prune` copies the closure into `out/` as git sees it: no git-ignored host output gets there,
      // unless told not to honour .gitignore.
      const turbo = async (flag: string) =>
        dockerBuildOf(
          (
            await runWorkspace({
              ...workspace({ main: './index.js' }),
              'apps/fetcher/Dockerfile': `FROM node:22-slim AS pruner\nWORKDIR /src\nCOPY . .\nRUN turbo prune fetcher --docker${flag}\nFROM node:22-slim\nWORKDIR /app\nCOPY --from=pruner /src/out/full/ .\nCMD ["node", "apps/fetcher/dist/index.js"]\n`,
            })
          ).results,
          'apps/fetcher',
        );
      expect((await turbo('')).dependsOn).toBeUndefined();
      expect((await turbo('')).options!['contextOutputs']).toBeUndefined();
      expect(await turbo(' --use-gitignore=false')).toMatchObject({
        dependsOn: ['build'],
        options: { contextOutputs: ['apps/fetcher/dist'] },
      });
    });

    it("a copy of the service's own folder ships its stated build output where its package's entry lies in it, not where the entry is a source", async () => {
      const workspace = (main: string) => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
        'package-lock.json': json({ lockfileVersion: 3, packages: {} }),
        '.gitignore': 'dist\n',
        'apps/api/package.json': json({ name: 'api', version: '1.0.0', main }),
        'apps/api/project.json': json({
          name: 'api',
          targets: { build: { command: 'esbuild', outputs: ['{projectRoot}/dist'] } },
        }),
        'apps/api/src/index.ts': 'export {};\n',
        'apps/api/Dockerfile':
          'FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY apps/api apps/api\nRUN npm ci -w api\nCMD ["node", "apps/api/dist/index.js"]\n',
      });
      expect(dockerBuildOf((await runWorkspace(workspace('dist/index.js'))).results, 'apps/api')).toMatchObject({
        dependsOn: ['build'],
        options: { contextOutputs: ['apps/api/dist'] },
      });
      const sources = dockerBuildOf((await runWorkspace(workspace('src/index.ts'))).results, 'apps/api');
      expect(sources.dependsOn).toBeUndefined();
    });

    it("a RUN's `tsc --build <folder>` compiles that folder and what its tsconfig references reach, in the image (gridfire's api)", async () => {
      const workspace = (run: string) => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*', 'shared'] }),
        'yarn.lock': '',
        '.gitignore': '**/dist\n',
        'shared/package.json': json({ name: '@x/shared' }),
        'shared/tsconfig.json': json({ compilerOptions: { composite: true, outDir: 'dist', rootDir: 'src' } }),
        'shared/src/index.ts': 'export const x = 1;\n',
        'apps/api/package.json': json({ name: '@x/api', dependencies: { '@x/shared': '*' } }),
        'apps/api/tsconfig.json': json({
          compilerOptions: { outDir: 'dist', rootDir: 'src' },
          references: [{ path: '../../shared' }],
        }),
        'apps/api/src/app.ts': "import { x } from '@x/shared';\n",
        'apps/api/Dockerfile':
          `FROM node:22 AS build\nWORKDIR /app\nCOPY package.json yarn.lock ./\nCOPY apps/api ./apps/api/\nCOPY shared ./shared/\nRUN yarn install\nRUN ${run}\n` +
          'FROM node:22\nCOPY --from=build /app/apps/api/dist apps/api/dist/\nCOPY --from=build /app/shared/dist shared/dist/\n',
      });
      for (const run of ['yarn tsc --build apps/api', 'npx tsc -b apps/api/tsconfig.json']) {
        const build = dockerBuildOf((await runWorkspace(workspace(run))).results, 'apps/api');
        expect({ run, outputs: build.options!['contextOutputs'], cache: build.cache }).toEqual({
          run,
          outputs: undefined,
          cache: true,
        });
      }
      // The check can fail: `tsc -p` builds no references.
      const plain = dockerBuildOf((await runWorkspace(workspace('npx tsc -p apps/api'))).results, 'apps/api');
      expect(plain.options!['contextOutputs']).toEqual(['shared/dist']);
    });

    it("an outDir a tsconfig inherits through extends, relative to the config that sets it (opencrvs' events)", async () => {
      const workspace = (lib: Record<string, string>) => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
        'packages/lib/package.json': json({ name: 'lib', scripts: { build: 'tsc -p tsconfig.build.json' } }),
        'packages/lib/src/index.ts': '',
        ...lib,
        'packages/web/package.json': json({ name: 'web' }),
        'packages/web/Dockerfile':
          'FROM node:20\nCOPY packages/lib /app/packages/lib\nCOPY packages/web /app/packages/web\n',
      });
      const outputs = async (lib: Record<string, string>) =>
        (
          dockerBuildOf((await runWorkspace(workspace(lib))).results, 'packages/web').options as {
            contextOutputs?: string[];
          }
        ).contextOutputs;
      const base = { 'packages/lib/tsconfig.base.json': json({ compilerOptions: { outDir: 'build/dist' } }) };
      expect(
        await outputs({ ...base, 'packages/lib/tsconfig.build.json': json({ extends: './tsconfig.base.json' }) }),
      ).toEqual(['packages/lib/build/dist']);
      // A noEmit the chain sets writes nothing; a base above the project names a folder outside it.
      expect(
        await outputs({
          ...base,
          'packages/lib/tsconfig.build.json': json({ extends: './tsconfig.base', compilerOptions: { noEmit: true } }),
        }),
      ).toBeUndefined();
      expect(
        await outputs({
          'tsconfig.base.json': json({ compilerOptions: { outDir: 'dist' } }),
          'packages/lib/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
        }),
      ).toBeUndefined();
    });

    it("folders the image's `tsc --build` compiles through tsconfig references are neither carried nor waited for (dittofeed)", async () => {
      const composite = (references: string[]) =>
        json({
          compilerOptions: { outDir: 'dist', composite: true },
          references: references.map((path) => ({ path })),
        });
      const files = {
        'package.json': json({ name: 'ditto', private: true, workspaces: ['packages/*'] }),
        'packages/api/package.json': json({
          name: 'api',
          scripts: { build: 'tsc --build', cleanbuild: 'rm -rf dist && npm run build' },
        }),
        // References out of the workspace (absolute, or above it) reach no project.
        'packages/api/tsconfig.json': composite(['../backend-lib', '/opt/shared', '../../../outside']),
        'packages/api/src/index.ts': '',
        // Reached through backend-lib's own reference, to a tsconfig file.
        'packages/backend-lib/package.json': json({ name: 'backend-lib', scripts: { build: 'tsc -b' } }),
        'packages/backend-lib/tsconfig.json': composite(['../isomorphic-lib/tsconfig.json']),
        'packages/backend-lib/src/index.ts': '',
        'packages/isomorphic-lib/package.json': json({ name: 'isomorphic-lib' }),
        'packages/isomorphic-lib/tsconfig.json': composite([]),
        'packages/isomorphic-lib/src/index.ts': '',
        // Copied, referenced by nothing the image builds: its host build is carried and waited for.
        'packages/admin/package.json': json({ name: 'admin', scripts: { build: 'tsc' } }),
        'packages/admin/tsconfig.json': composite([]),
        'packages/admin/src/index.ts': '',
        'packages/api/Dockerfile': [
          'FROM node:20',
          'WORKDIR /app',
          'COPY packages/isomorphic-lib packages/isomorphic-lib',
          'COPY packages/backend-lib packages/backend-lib',
          'COPY packages/admin packages/admin',
          'COPY packages/api packages/api',
          'RUN yarn workspace api build',
          '',
        ].join('\n'),
      };
      const { results } = await runWorkspace(files);
      const build = dockerBuildOf(results, 'packages/api');
      expect(build).toMatchObject({
        dependsOn: [{ projects: ['admin'], target: 'build' }],
        options: { context: '.', prune: true, contextOutputs: ['packages/admin/dist'] },
      });
      // The service's own folder copied file by file (mzm's auth): its build compiles what it references all the same.
      const byFile = await runWorkspace({
        ...files,
        'packages/api/Dockerfile': [
          'FROM node:20',
          'WORKDIR /app',
          'COPY package.json ./',
          'COPY packages/backend-lib packages/backend-lib',
          'COPY packages/isomorphic-lib packages/isomorphic-lib',
          'COPY packages/api/package.json packages/api/tsconfig.json packages/api/',
          'COPY packages/api/src packages/api/src',
          'RUN npm install -w api && npm run cleanbuild -w api',
          '',
        ].join('\n'),
      });
      expect(dockerBuildOf(byFile.results, 'packages/api')).not.toHaveProperty('dependsOn');
      expect(dockerBuildOf(byFile.results, 'packages/api').options).not.toHaveProperty('contextOutputs');
    });

    it("a Dockerfile's own folder as the context: its sources beside it (openreplay's api), or the folder the project's docker-build options name", async () => {
      const { results } = await runWorkspace(
        {
          'api/requirements.txt': 'flask\n',
          'api/app.py': 'print(1)\n',
          'api/README.md': 'docs\n',
          'api/.dockerignore': '*.md\n',
          'api/Dockerfile': 'FROM python:3.12\nCOPY requirements.txt ./\nCOPY . .\n',
          'deploy/chalice/project.json': json({ name: 'chalice' }),
          'backend/go.mod': 'module x\n',
          'backend/cmd/sink/project.json': json({
            name: 'sink',
            metadata: { fleet: { dockerfile: 'backend/Dockerfile' } },
            targets: { 'docker-build': { options: { context: 'backend', prune: false } } },
          }),
          'backend/cmd/sink/main.go': 'package main\n',
          'backend/Dockerfile': 'FROM golang:1\nCOPY go.mod ./\nCOPY . .\n',
        },
        { services: { chalice: { dockerfile: 'api/Dockerfile' } } },
      );
      const chalice = dockerBuildOf(results, 'deploy/chalice', 'deploy/chalice/project.json');
      expect(chalice).toMatchObject({
        options: { dockerfile: 'api/Dockerfile', context: 'api', prune: false },
        inputs: ['{workspaceRoot}/api/**/*', '!{workspaceRoot}/api/*.md', ENGINE],
        cache: true,
        metadata: { context: { mode: 'folder', origin: 'inferred' } },
      });
      const sink = dockerBuildOf(results, 'backend/cmd/sink', 'backend/cmd/sink/project.json');
      expect(sink).toMatchObject({
        options: { dockerfile: 'backend/Dockerfile', context: 'backend', prune: false },
        inputs: ['{workspaceRoot}/backend/**/*', ENGINE],
        metadata: { context: { mode: 'folder', origin: 'target options' } },
      });
      // A folder above the workspace is no input Nx can hash: the inference's word stands.
      expect(
        dockerBuildOf(
          (
            await runWorkspace({
              'apps/above/project.json': json({
                name: 'above',
                targets: { 'docker-build': { options: { context: '..', prune: false } } },
              }),
              'apps/above/Dockerfile': 'FROM node:20\nCOPY main.js /app/\n',
              'apps/above/main.js': '',
            })
          ).results,
          'apps/above',
        ).metadata,
      ).toMatchObject({ context: { mode: 'project', origin: 'inferred' } });
    });

    it('libraries whose install script builds them, installed in the image after their copy, are neither carried nor waited for (sourcebot)', async () => {
      const library = (name: string, scripts: Record<string, string>) => ({
        [`packages/${name}/package.json`]: json({ name: `@x/${name}`, scripts: { build: 'tsc', ...scripts } }),
        [`packages/${name}/tsconfig.json`]: json({ compilerOptions: { outDir: 'dist' } }),
        [`packages/${name}/src/index.ts`]: '',
      });
      const { results } = await runWorkspace(
        {
          'package.json': json({ name: 'mono', private: true, workspaces: ['packages/*'] }),
          'yarn.lock': '',
          ...library('db', { postinstall: 'yarn build' }),
          ...library('schemas', { prepare: 'npm run build' }),
          // No install script that builds: its host build is carried and waited for.
          ...library('shared', { postinstall: 'echo installed' }),
          'packages/web/package.json': json({ name: '@x/web', dependencies: { '@x/db': '*' } }),
          'packages/web/src/index.ts': '',
          Dockerfile: [
            'FROM node:20',
            'WORKDIR /app',
            'COPY package.json yarn.lock ./',
            'COPY ./packages/db ./packages/db',
            'COPY ./packages/schemas ./packages/schemas',
            'COPY ./packages/shared ./packages/shared',
            'RUN yarn workspace @x/db install',
            'COPY ./packages/web ./packages/web',
            'RUN yarn workspace @x/web build',
            '',
          ].join('\n'),
        },
        { services: { '@x/web': { dockerfile: 'Dockerfile' } } },
      );
      const build = dockerBuildOf(results, 'packages/web', 'packages/web/package.json');
      expect(build).toMatchObject({
        dependsOn: [{ projects: ['@x/shared'], target: 'build' }],
        options: { context: '.', prune: true, contextOutputs: ['packages/shared/dist'] },
      });
    });

    it("a library no build writes, used from its sources, carries no outDir (dotkom's monoweb: exports at src, tsc --noEmit)", async () => {
      const library = (name: string, manifest: Record<string, unknown>) => ({
        [`packages/${name}/package.json`]: json({ name: `@x/${name}`, ...manifest }),
        [`packages/${name}/tsconfig.json`]: json({ compilerOptions: { outDir: 'dist' } }),
        [`packages/${name}/src/index.ts`]: '',
      });
      const { results } = await runWorkspace({
        'package.json': json({ name: 'mono', private: true, workspaces: ['packages/*', 'apps/*'] }),
        '.gitignore': 'dist\n',
        ...library('db', { exports: { '.': './src/index.ts' }, scripts: { 'type-check': 'tsc --noEmit' } }),
        // Its entry is the output: carried (and, with no build to write it, uncached).
        ...library('legacy', { main: 'dist/index.js' }),
        // A build of its own: carried and waited for.
        ...library('shared', { exports: './src/index.ts', scripts: { build: 'tsc' } }),
        'apps/api/package.json': json({
          name: '@x/api',
          dependencies: { '@x/db': '*', '@x/legacy': '*', '@x/shared': '*' },
        }),
        'apps/api/src/main.ts': '',
        'apps/api/Dockerfile': [
          'FROM node:22',
          'WORKDIR /app',
          'COPY apps ./apps',
          'COPY packages ./packages',
          'RUN npm install',
          'CMD ["node", "--experimental-strip-types", "apps/api/src/main.ts"]',
          '',
        ].join('\n'),
      });
      const build = dockerBuildOf(results, 'apps/api');
      expect((build.options as { contextOutputs?: string[] }).contextOutputs).toEqual([
        'packages/legacy/dist',
        'packages/shared/dist',
      ]);
    });

    it("libraries a RUN builds first, as the dependencies of the package it builds (Nx's or turbo's `^build`), are neither carried nor waited for (twenty)", async () => {
      const library = (name: string, deps: Record<string, string> = {}) => ({
        [`packages/${name}/package.json`]: json({ name, dependencies: deps }),
        [`packages/${name}/tsconfig.json`]: json({ compilerOptions: { outDir: 'dist' } }),
        [`packages/${name}/src/index.ts`]: '',
      });
      const workspace = (run: string, root: Record<string, string>) => ({
        'package.json': json({ name: 'twenty', private: true, workspaces: ['packages/*'] }),
        ...root,
        ...library('twenty-server', { 'twenty-emails': 'workspace:*', express: '^4' }),
        // Reached through twenty-emails: the closure is transitive.
        ...library('twenty-emails', { 'twenty-shared': 'workspace:*' }),
        ...library('twenty-shared'),
        // Copied, depended on by nothing built: its host build is carried and waited for.
        ...library('twenty-front'),
        'packages/twenty-server/Dockerfile': [
          'FROM node:20',
          'COPY packages/twenty-shared packages/twenty-shared',
          'COPY packages/twenty-emails packages/twenty-emails',
          'COPY packages/twenty-front packages/twenty-front',
          'COPY packages/twenty-server packages/twenty-server',
          `RUN ${run}`,
          '',
        ].join('\n'),
      });
      const carried = async (run: string, root: Record<string, string>) =>
        (
          dockerBuildOf((await runWorkspace(workspace(run, root))).results, 'packages/twenty-server').options as {
            contextOutputs?: string[];
          }
        ).contextOutputs;
      const nxJson = (dependsOn: unknown[]) => ({ 'nx.json': json({ targetDefaults: { build: { dependsOn } } }) });
      expect(await carried('npx nx run twenty-server:build', nxJson(['^build']))).toEqual([
        'packages/twenty-front/dist',
      ]);
      expect(await carried('nx build twenty-server', nxJson([{ dependencies: true, target: 'build' }]))).toEqual([
        'packages/twenty-front/dist',
      ]);
      const turbo = { 'turbo.json': json({ tasks: { build: { dependsOn: ['^build'] } } }) };
      expect(await carried('npx turbo run build --filter=twenty-server', turbo)).toEqual([
        'packages/twenty-front/dist',
      ]);
      // The build depends on nothing first (nx.json, or turbo.json without `^build`): every copied output is carried.
      const everything = ['packages/twenty-shared/dist', 'packages/twenty-emails/dist', 'packages/twenty-front/dist'];
      expect(await carried('npx nx run twenty-server:build', nxJson([]))).toEqual(everything);
      expect(
        await carried('npx turbo run build --filter=twenty-server', { 'turbo.json': json({ tasks: { build: {} } }) }),
      ).toEqual(everything);
      // By its path with its dependencies (`...`), whatever turbo.json says; nx run-many by its projects.
      const plain = { 'turbo.json': json({ tasks: { build: {} } }) };
      expect(await carried("npx turbo run build --filter='{./packages/twenty-server}...'", plain)).toEqual([
        'packages/twenty-front/dist',
      ]);
      expect(await carried('npx nx run-many -t build --projects twenty-server', nxJson(['^build']))).toEqual([
        'packages/twenty-front/dist',
      ]);
    });

    it('the configured build target name is the one depended on', async () => {
      const { results } = await runWorkspace(
        {
          'apps/api/project.json': json({ name: 'api', targets: { compile: {} } }),
          'apps/api/Dockerfile': 'FROM node:20\nCOPY dist/apps/api /app\n',
        },
        { buildTarget: 'compile' },
      );
      expect(onlyProject(results).targets!['docker-build']!.dependsOn).toEqual(['compile']);
    });

    it("a service's own buildTarget setting names its own build; another project's build keeps the workspace's name", async () => {
      const { results } = await runWorkspace({
        'apps/server/project.json': json({
          name: 'server',
          targets: { compile: {} },
          metadata: { fleet: { buildTarget: 'compile' } },
        }),
        'apps/server/Dockerfile': 'FROM node:20\nCOPY ./apps/web/dist ./static\nCOPY dist/apps/server .\n',
        'apps/web/project.json': json({ name: 'web', targets: { build: {} } }),
        'apps/web/src/main.ts': '',
      });
      const build = dockerBuildOf(results, 'apps/server');
      expect(build.dependsOn).toEqual(['compile', { projects: ['web'], target: 'build' }]);
    });

    it("another project's output whose build target no file or plugin gives it is a source Nx cannot hash, waited for by nothing (illa-builder)", async () => {
      const files = {
        'package.json': json({ name: 'illa', private: true, workspaces: ['apps/*'] }),
        Dockerfile: 'FROM nginx\nCOPY ./apps/builder/dist /usr/share/nginx/html\n',
        'apps/builder/package.json': json({ name: 'builder', scripts: { 'build-cloud': 'vite build' } }),
        'apps/builder/src/main.ts': '',
      };
      const buildOf = (results: Awaited<ReturnType<typeof runWorkspace>>['results']) =>
        results.flatMap(([, r]) => (r.projects?.['.'] ? [r.projects['.']!.targets!['docker-build']!] : []))[0]!;
      const build = buildOf((await runWorkspace(files)).results);
      expect(build).toMatchObject({ cache: false, options: { contextOutputs: ['apps/builder/dist'] } });
      expect(build.dependsOn).toBeUndefined();
      expect(build.metadata?.['description']).toMatch(
        /not cached by Nx: it copies apps\/builder\/dist, which Nx does not list \(git-ignored, a symbolic link to nothing on this machine, written before the build, or not there at all\) and builder has no "build" target to write$/,
      );
      // A plugin besides nx-fleet may infer it: waited for, cached on its outputs.
      const inferred = buildOf(
        (await runWorkspace({ ...files, 'nx.json': json({ plugins: ['@nx/vite/plugin', 'nx-fleet'] }) })).results,
      );
      expect(inferred).toMatchObject({ cache: true, dependsOn: [{ projects: ['builder'], target: 'build' }] });
    });

    it('a build output whose build target no file or plugin can give the project is a source Nx cannot hash (dyrectorio)', async () => {
      const files = {
        'svc/project.json': json({ name: 'svc' }),
        'svc/Dockerfile': 'FROM alpine\nCOPY ./out/app /app\nCOPY dist/ /srv/\n',
      };
      const build = onlyProject((await runWorkspace(files)).results).targets!['docker-build']!;
      expect(build).toMatchObject({ cache: false, options: { contextOutputs: ['svc/out/app', 'svc/dist'] } });
      expect(build.dependsOn).toBeUndefined();
      expect(build.metadata?.['description']).toMatch(
        /not cached by Nx: it copies svc\/out\/app, svc\/dist, which Nx does not list \(git-ignored, a symbolic link to nothing on this machine, written before the build, or not there at all\) and the project has no "build" target to write$/,
      );
      // A plugin besides nx-fleet may infer it (as @nx/vite infers build): waited for, cached on its outputs.
      const inferred = await runWorkspace({ ...files, 'nx.json': json({ plugins: ['@nx/vite/plugin', 'nx-fleet'] }) });
      expect(onlyProject(inferred.results).targets!['docker-build']).toMatchObject({
        cache: true,
        dependsOn: ['build'],
      });
      // So may a package.json script.
      const scripted = await runWorkspace({
        ...files,
        'svc/package.json': json({ name: 'svc', scripts: { build: 'go build -o out/app' } }),
      });
      expect(onlyProject(scripted.results).targets!['docker-build']).toMatchObject({
        cache: true,
        dependsOn: ['build'],
      });
      // Not the scripts of a package.json Nx makes no project of (no workspaces; only nx-fleet names it: rybbit's server).
      const named = await runWorkspace({
        'svc/package.json': json({ name: 'svc', scripts: { build: 'tsc' } }),
        'svc/Dockerfile': files['svc/Dockerfile'],
      });
      expect(onlyProject(named.results).targets!['docker-build']).toMatchObject({ cache: false });
      expect(onlyProject(named.results).targets!['docker-build']!.dependsOn).toBeUndefined();
    });

    it('a platform argument the builder sets matches every platform: a git-ignored binary per platform is a source Nx cannot hash (sealos)', async () => {
      const files = {
        'controllers/user/project.json': json({ name: 'user' }),
        'controllers/user/main.go': '',
        '.gitignore': 'bin\n',
        'controllers/user/Dockerfile':
          'FROM distroless\nARG TARGETARCH\nCOPY bin/controller-user-$TARGETARCH /manager\n',
      };
      const build = onlyProject((await runWorkspace(files)).results).targets!['docker-build']!;
      expect(build).toMatchObject({ cache: false, options: { context: 'controllers/user' } });
      expect(build.metadata?.['description']).toMatch(
        /not cached by Nx: it copies controllers\/user\/bin\/controller-user-\*, which Nx does not list/,
      );
      // Committed for each platform, they are the image's sources: cached.
      const committed = await runWorkspace({
        ...files,
        '.gitignore': '',
        'controllers/user/bin/controller-user-amd64': '',
        'controllers/user/bin/controller-user-arm64': '',
      });
      expect(onlyProject(committed.results).targets!['docker-build']).toMatchObject({ cache: true });
    });

    it("a folder copied whole that holds several projects carries the build outputs of the service and the packages it depends on (subql's COPY ./packages ./packages)", async () => {
      const pkg = (name: string, dependencies: Record<string, string> = {}) => ({
        [`packages/${name}/package.json`]: json({ name, scripts: { build: 'tsc -b' }, dependencies }),
        [`packages/${name}/tsconfig.json`]: json({ compilerOptions: { outDir: 'dist' } }),
        [`packages/${name}/src/index.ts`]: '',
      });
      const files = {
        'package.json': json({ name: 'subql', private: true, workspaces: ['packages/*'] }),
        'yarn.lock': '',
        '.gitignore': 'dist\n',
        ...pkg('node', { common: 'workspace:*' }),
        ...pkg('common'),
        ...pkg('other'),
        'packages/node/Dockerfile':
          'FROM node:20\nWORKDIR /app\nCOPY ./package.json ./yarn.lock ./\nCOPY ./packages ./packages\nRUN cd packages/node && npm pack\n',
      };
      const build = dockerBuildOf((await runWorkspace(files)).results, 'packages/node');
      expect(build).toMatchObject({
        cache: true,
        options: { context: '.', prune: true, contextOutputs: ['packages/node/dist', 'packages/common/dist'] },
      });
      expect(build.dependsOn).toEqual(['build', { projects: ['common'], target: 'build' }]);
      // Built in the image, every package: nothing carried, nothing waited for.
      const inImage = dockerBuildOf(
        (
          await runWorkspace({
            ...files,
            'packages/node/Dockerfile': files['packages/node/Dockerfile'].replace(
              'RUN cd',
              'RUN npx lerna run build\nRUN cd',
            ),
          })
        ).results,
        'packages/node',
      );
      expect(inImage.options).not.toHaveProperty('contextOutputs');
      expect(inImage.dependsOn).toBeUndefined();
    });

    it("a copied project folder that holds another project carries only what the service depends on (Joystream's COPY ./storage-node, of which the image builds the client)", async () => {
      const files = {
        'package.json': json({ name: 'ws', private: true, workspaces: ['lib-a', 'lib-a/client', 'svc'] }),
        'yarn.lock': '',
        '.gitignore': 'lib\n',
        'lib-a/package.json': json({ name: 'lib-a', scripts: { build: 'tsc' } }),
        'lib-a/tsconfig.json': json({ compilerOptions: { outDir: 'lib' } }),
        'lib-a/src/index.ts': '',
        'lib-a/client/package.json': json({ name: 'lib-a-client', scripts: { build: 'tsc' } }),
        'lib-a/client/tsconfig.json': json({ compilerOptions: { outDir: 'lib' } }),
        'lib-a/client/src/index.ts': '',
        'svc/package.json': json({ name: 'svc', dependencies: { 'lib-a-client': '*' } }),
        'svc/src/main.ts': '',
        'svc/Dockerfile': [
          'FROM node:20',
          'COPY package.json yarn.lock ./',
          'RUN yarn --frozen-lockfile',
          'COPY lib-a lib-a',
          'COPY svc svc',
          'RUN yarn workspace svc start',
          '',
        ].join('\n'),
      };
      // The client's build output is carried, and waited for; lib-a's, which nothing in the image uses, is not.
      const carried = dockerBuildOf((await runWorkspace(files)).results, 'svc');
      expect(carried.options.contextOutputs).toEqual(['lib-a/client/lib']);
      expect(carried.dependsOn).toEqual([{ projects: ['lib-a-client'], target: 'build' }]);
      // Built in the image: nothing carried, nothing waited for.
      const built = dockerBuildOf(
        (
          await runWorkspace({
            ...files,
            'svc/Dockerfile': files['svc/Dockerfile'].replace(
              'yarn workspace svc start',
              'yarn workspace lib-a-client build',
            ),
          })
        ).results,
        'svc',
      );
      expect(built.options).not.toHaveProperty('contextOutputs');
      expect(built.dependsOn).toBeUndefined();
    });

    it("the root's install scripts build every package and the image runs them: the root manifests kept as they are, no host build (graphprotocol/indexer's lerna run prepare)", async () => {
      const pkg = (name: string, dependencies: Record<string, string> = {}) => ({
        [`packages/${name}/package.json`]: json({
          name,
          scripts: { prepare: 'yarn compile', compile: 'tsc --build' },
          dependencies,
        }),
        [`packages/${name}/tsconfig.json`]: json({ compilerOptions: { outDir: 'dist' } }),
        [`packages/${name}/src/index.ts`]: '',
      });
      const dockerfile = (install: string) =>
        `FROM node:20\nWORKDIR /opt\nCOPY package.json yarn.lock lerna.json ./\nCOPY packages/common packages/common\nCOPY packages/agent packages/agent\nRUN ${install}\nWORKDIR /opt/packages/agent\nCMD ["node", "dist/index.js"]\n`;
      const files = {
        'package.json': json({ private: true, workspaces: ['packages/*'], scripts: { prepare: 'lerna run prepare' } }),
        'yarn.lock': '',
        'lerna.json': '{}',
        '.gitignore': 'dist\n',
        ...pkg('agent', { common: '*' }),
        ...pkg('common'),
        'packages/agent/Dockerfile': dockerfile('yarn --frozen-lockfile'),
      };
      const build = dockerBuildOf((await runWorkspace(files)).results, 'packages/agent');
      expect(build).toMatchObject({
        cache: true,
        options: { context: '.', prune: true, workspaceManifests: true },
        metadata: {
          description: expect.stringContaining(
            '"COPY package.json yarn.lock lerna.json ./" (packages/agent/Dockerfile:3) copies the root package.json, whose install scripts build every package, and "RUN yarn --frozen-lockfile" (packages/agent/Dockerfile:6) runs them',
          ),
        },
      });
      expect(build.options).not.toHaveProperty('contextOutputs');
      expect(build.dependsOn).toBeUndefined();
      // An install without scripts builds nothing: the host builds, as before.
      const plain = dockerBuildOf(
        (
          await runWorkspace({
            ...files,
            'packages/agent/Dockerfile': dockerfile('yarn --frozen-lockfile --ignore-scripts'),
          })
        ).results,
        'packages/agent',
      );
      expect(plain.options).not.toHaveProperty('workspaceManifests');
      expect(plain.options).toMatchObject({ contextOutputs: ['packages/common/dist', 'packages/agent/dist'] });
    });

    it("a package manager root of its own whose workspaces list the project, whose manifests the Dockerfile copies, is the context (practica's code templates under a CLI's root)", async () => {
      const files = {
        'package.json': json({ name: 'cli-tool', dependencies: { commander: '^12.0.0' } }),
        'package-lock.json': json({ name: 'cli-tool', lockfileVersion: 3, packages: {} }),
        'scaffold/package.json': json({ name: 'scaffold', private: true, workspaces: ['services/*', 'libs/*'] }),
        'scaffold/package-lock.json': json({ name: 'scaffold', lockfileVersion: 3, packages: {} }),
        'scaffold/libs/log/package.json': json({ name: '@scaffold/log' }),
        'scaffold/libs/log/index.js': '',
        'scaffold/services/api/package.json': json({ name: 'api', dependencies: { '@scaffold/log': '*' } }),
        'scaffold/services/api/index.js': '',
        'scaffold/services/api/Dockerfile':
          'FROM node:20\nWORKDIR /app\nCOPY package.json /app/\nCOPY package-lock.json /app/\nRUN npm ci --omit=dev\n',
      };
      const build = dockerBuildOf((await runWorkspace(files)).results, 'scaffold/services/api');
      expect(build.options).toMatchObject({ context: 'scaffold', prune: false });
      expect(build.metadata?.['description']).toContain(
        '"COPY package.json /app/" (scaffold/services/api/Dockerfile:3) copies the root manifests of scaffold, whose workspaces list scaffold/services/api',
      );
    });

    it("the folder above the project that alone holds every source is the context, a plain folder of packages (a compose file's `context: ./backend`)", async () => {
      const files = {
        'package.json': json({ name: 'root', private: true, workspaces: ['backend/*'] }),
        'backend/shared/package.json': json({ name: 'shared', version: '1.0.0' }),
        'backend/shared/src/index.js': '',
        'backend/api/package.json': json({ name: 'api', version: '1.0.0', dependencies: { shared: '*' } }),
        'backend/api/src/index.js': '',
        'backend/api/Dockerfile':
          'FROM node:20-alpine\nWORKDIR /app\nCOPY shared ./shared\nCOPY api ./api\nWORKDIR /app/api\nCMD ["node", "src/index.js"]\n',
      };
      const build = dockerBuildOf((await runWorkspace(files)).results, 'backend/api');
      expect(build.options).toMatchObject({ context: 'backend', prune: false });
      expect(build.inputs).toContain('{workspaceRoot}/backend/**/*');
      expect(build.metadata?.['description']).toContain(
        "backend holds every one of its COPY sources, built as `docker build -f backend/api/Dockerfile backend` (a compose file's `context: ./backend`) builds it",
      );
      // The check can fail: a source the workspace root holds too leaves the choice to the rules before.
      const atRoot = dockerBuildOf((await runWorkspace({ ...files, 'shared/x.js': '' })).results, 'backend/api');
      expect(atRoot.options).not.toMatchObject({ context: 'backend' });
    });

    it("a whole copy then an install, in a project whose package.json depends on a workspace package the registry cannot give, is the workspace (embiem's api)", async () => {
      const files = (shared: object, spec = '*') => ({
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }),
        'package-lock.json': json({ lockfileVersion: 3, packages: {} }),
        'packages/shared/package.json': json({ name: '@acme/shared', ...shared }),
        'packages/shared/index.js': '',
        'apps/api/package.json': json({ name: '@acme/api', dependencies: { '@acme/shared': spec } }),
        'apps/api/src/index.js': '',
        'apps/api/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\n',
      });
      const contextOf = async (workspace: Record<string, string>) =>
        dockerBuildOf((await runWorkspace(workspace)).results, 'apps/api');
      const privateDep = await contextOf(files({ private: true }));
      expect(privateDep.options).toMatchObject({ context: '.' });
      expect(privateDep.metadata?.['description']).toContain(
        '"RUN npm install" (apps/api/Dockerfile:4) installs @acme/shared, a workspace package only the workspace root\'s install resolves',
      );
      expect((await contextOf(files({}, 'workspace:*'))).options).toMatchObject({ context: '.' });
      // The check can fail: a published package of the workspace is fetched like any other.
      expect((await contextOf(files({ version: '1.0.0' }))).options).toMatchObject({ context: 'apps/api' });
    });

    it('a Dockerfile written for its folder: the project folder, and no build dependency', async () => {
      const { results } = await runWorkspace({
        'apps/api/project.json': json({ name: 'api' }),
        'apps/api/src/main.js': '',
        'apps/api/Dockerfile': 'FROM node:20\nCOPY src ./src\n',
      });
      const build = onlyProject(results).targets!['docker-build']!;
      expect(build.options).toEqual({ dockerfile: 'apps/api/Dockerfile', context: 'apps/api' });
      expect(build.dependsOn).toBeUndefined();
    });

    it('one worker across edits (the daemon) decides as a new worker would: Dockerfile, files that exist, ignore file', async () => {
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = {
        'apps/api/project.json': json({ name: 'api' }),
        'apps/api/src/main.js': '',
        'apps/api/Dockerfile': 'FROM node:20\nCOPY libs/util ./util\n',
        '.gitignore': 'node_modules\n',
      };
      writeTree(root, files);
      const worker = freshCreateNodes();
      const contextBy = async (createNodes: CreateNodesTuple) => {
        const build = onlyProject(await run(createNodes, undefined, root, matched(files))).targets!['docker-build']!;
        return { options: build.options, context: build.metadata!['context'] };
      };
      const seen: unknown[] = [];
      for (const changed of <Array<Record<string, string>>>[
        {},
        { 'apps/api/src/main.js': '// edited\n' },
        { 'libs/util/index.js': '' },
        { 'apps/api/Dockerfile': 'FROM node:20\nCOPY src ./src\n' },
        { 'apps/api/Dockerfile': 'FROM node:20\nCOPY libs/util ./util\n' },
        { '.dockerignore': 'libs\n' },
        // A source Nx lists nowhere, then the root .gitignore leaving it out (code-server's release-packages).
        {
          'apps/api/Dockerfile': 'FROM node:20\nCOPY tsconfig.json ./\nCOPY release/app.deb /tmp/\n',
          'tsconfig.json': '{}',
        },
        { '.gitignore': 'node_modules\nrelease/\n' },
      ]) {
        Object.assign(files, changed);
        writeTree(root, changed);
        const decided = await contextBy(worker);
        expect(decided).toEqual(await contextBy(freshCreateNodes()));
        seen.push(JSON.stringify(decided));
      }
      // The edits do move the decision (the comparison above would pass for a constant one too).
      expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
      expect(
        seen.slice(-2).map((decided) => (JSON.parse(String(decided)) as { context: { mode: string } }).context.mode),
      ).toEqual(['pruned', 'workspace']);
    });
  });

  describe('contracts', () => {
    const pact = (consumer: string, provider: string) =>
      json({ consumer: { name: consumer }, provider: { name: provider }, interactions: [] });
    const ORDERS = {
      'services/orders/project.json': json({ name: 'orders' }),
      // Repo-shaped: a pruned context, whose inputs leave the pacts folder out.
      'services/orders/Dockerfile': 'FROM scratch\nCOPY services/orders/ services/orders/\n',
      'services/orders/pacts/web-orders.json': pact('web', 'orders'),
      'services/web/project.json': json({ name: 'web' }),
      'services/web/Dockerfile': 'FROM scratch\n',
    };

    it('gives a service with a pact a contract-verify target the push waits for, and makes no project of its pacts folder', async () => {
      const { results, byFile } = await runWorkspace(ORDERS);
      expect(matched(ORDERS)).toContain('services/orders/pacts/web-orders.json');
      // One result per service, keyed by its Dockerfile: never by the pact, never for the pacts folder.
      expect(results.map(([file]) => file)).toEqual(['services/orders/Dockerfile', 'services/web/Dockerfile']);
      expect(results.flatMap(([, result]) => Object.keys(result.projects!))).toEqual([
        'services/orders',
        'services/web',
      ]);

      const orders = byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!;
      expect(orders.targets).toEqual(
        expectedTargets('services/orders', 'services/orders/Dockerfile', { ...PRUNED, pacts: 1 }),
      );
      expect(orders.targets!['contract-verify']).toEqual({
        executor: 'nx-fleet:contract-verify',
        dependsOn: ['docker-build'],
        options: { buildTarget: 'docker-build' },
        inputs: CONTRACT_INPUTS,
        outputs: ['{workspaceRoot}/dist/fleet/services/orders/contract-verify.json'],
        cache: true,
        metadata: {
          technologies: ['docker', 'pact'],
          description:
            'Run the image built and verify the 1 pact(s) consumers have with this service (pacts/); re-runs when the image or a pact changes',
          help: {
            command: 'npx nx run orders:contract-verify --help',
            example: { options: { port: 8080, healthPath: '/healthz' } },
          },
        },
      });
      expect(orders.targets!['docker-push']!.dependsOn).toEqual(['docker-build', 'scan', 'contract-verify']);
      expect(orders.targets!['docker-push']!.options).toEqual({ buildTarget: 'docker-build' });
      // The pacts folder is left out of the pruned build inputs: a new pact re-verifies, it never rebuilds.
      expect(orders.targets!['docker-build']!.inputs).toEqual(PRUNED_INPUTS);

      // The consumer holds no pacts of its own: its push does not wait for contracts.
      const web = byFile.get('services/web/Dockerfile')!.projects!['services/web']!;
      expect(web.targets).toEqual(expectedTargets('services/web', 'services/web/Dockerfile'));
      expect(web.targets!['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
      expect(warnings(warn)).toEqual([]);
    });

    it('counts every pact of a provider and keeps nested providers apart', async () => {
      const { byFile } = await runWorkspace({
        ...ORDERS,
        'services/orders/pacts/mobile-orders.json': pact('mobile', 'orders'),
        'services/orders/billing/project.json': json({ name: 'billing' }),
        'services/orders/billing/Dockerfile': 'FROM scratch\n',
        'services/orders/billing/pacts/orders-billing.json': pact('orders', 'billing'),
      });
      expect(byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!.targets).toEqual(
        // The pruned context copies orders' folder whole, the nested billing service in it, which Nx counts as billing's.
        expectedTargets('services/orders', 'services/orders/Dockerfile', {
          ...PRUNED,
          inputs: [...PRUNED_INPUTS.slice(0, 4), '{workspaceRoot}/services/orders/billing/**/*', ENGINE],
          pacts: 2,
        }),
      );
      expect(byFile.get('services/orders/billing/Dockerfile')!.projects!['services/orders/billing']!.targets).toEqual(
        expectedTargets('services/orders/billing', 'services/orders/billing/Dockerfile', { pacts: 1 }),
      );
    });

    it('finds the pacts of a project whose fleet.dockerfile points elsewhere in the project folder', async () => {
      const { results } = await runWorkspace({
        'services/api/project.json': json({
          name: 'api',
          metadata: { fleet: { dockerfile: '.deploy/api/Dockerfile' } },
        }),
        'services/api/pacts/web-api.json': pact('web', 'api'),
        '.deploy/api/Dockerfile': 'FROM scratch\nCOPY services/api /app\n',
      });
      expect(results.map(([file]) => file)).toEqual(['services/api/project.json']);
      expect(onlyProject(results).targets).toEqual(
        expectedTargets('services/api', '.deploy/api/Dockerfile', {
          ...PRUNED_ELSEWHERE('.deploy/api/Dockerfile'),
          pacts: 1,
        }),
      );
    });

    it('plugin gates.contract false: the push does not wait for contract-verify and names the skipped gate, without a warning', async () => {
      const { byFile } = await runWorkspace(ORDERS, { gates: { contract: false } });
      const orders = byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!.targets!;
      expect(orders).toEqual(
        expectedTargets('services/orders', 'services/orders/Dockerfile', { ...PRUNED, pacts: 1, contractGate: false }),
      );
      expect(orders['docker-push']!.dependsOn).toEqual(['docker-build', 'scan']);
      expect(orders['docker-push']!.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['contract'] });
      // Without pacts there is no contract gate to skip.
      expect(
        byFile.get('services/web/Dockerfile')!.projects!['services/web']!.targets!['docker-push']!.options,
      ).toEqual({ buildTarget: 'docker-build' });
      expect(warnings(warn)).toEqual([]);
    });

    it('plugin gates.scan and gates.contract false: the push depends on the build only and lists both skipped gates', async () => {
      const { byFile } = await runWorkspace(ORDERS, { gates: { scan: false, contract: false } });
      const push = byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!.targets!['docker-push']!;
      expect(push.dependsOn).toEqual(['docker-build']);
      expect(push.options).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan', 'contract'] });
      expect(
        byFile.get('services/web/Dockerfile')!.projects!['services/web']!.targets!['docker-push']!.options,
      ).toEqual({ buildTarget: 'docker-build', skippedGates: ['scan'] });
    });

    it('applies a contract gate from the plugin services map', async () => {
      const { byFile } = await runWorkspace(ORDERS, { services: { orders: { gates: { contract: false } } } });
      expect(
        byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!.targets!['docker-push']!.options,
      ).toEqual({
        buildTarget: 'docker-build',
        skippedGates: ['contract'],
      });
    });

    it('uses the configured contract target name', async () => {
      const { byFile } = await runWorkspace(ORDERS, { contractTargetName: 'pact-verify', buildTargetName: 'image' });
      const targets = byFile.get('services/orders/Dockerfile')!.projects!['services/orders']!.targets!;
      expect(Object.keys(targets)).toEqual(['image', 'scan', 'pact-verify', 'docker-push']);
      expect(targets['pact-verify']).toMatchObject({
        executor: 'nx-fleet:contract-verify',
        dependsOn: ['image'],
        options: { buildTarget: 'image' },
      });
      expect(targets['docker-push']!.dependsOn).toEqual(['image', 'scan', 'pact-verify']);
    });

    it('makes nothing of pacts beside no service, nor of JSON files nested below a pacts folder', async () => {
      const files = {
        'libs/util/project.json': json({ name: 'util' }),
        'libs/util/pacts/web-util.json': pact('web', 'util'),
        'services/orders/project.json': json({ name: 'orders' }),
        'services/orders/Dockerfile': 'FROM scratch\n',
        'services/orders/pacts/archive/old-orders.json': pact('old', 'orders'),
      };
      const root = tempDir('nx-fleet-plugin-ws-');
      writeTree(root, files);
      // Handed over even though the glob would not match the nested one: the plugin still ignores it.
      const results = await run(freshCreateNodes(), undefined, root, Object.keys(files).sort());
      expect(results.map(([file]) => file)).toEqual(['services/orders/Dockerfile']);
      expect(onlyProject(results).targets).toEqual(expectedTargets('services/orders', 'services/orders/Dockerfile'));
      expect(warnings(warn)).toEqual([]);
    });
  });

  it("names the project as Nx does in its targets' help commands", async () => {
    const { byFile } = await runWorkspace({
      'services/a/project.json': json({ name: 'api' }),
      'services/a/package.json': json({ name: '@acme/a' }),
      'services/a/Dockerfile': 'FROM scratch\n',
      'services/b/package.json': json({ name: '@acme/b', nx: { name: 'billing' } }),
      'services/b/Dockerfile': 'FROM scratch\n',
      'services/c/package.json': json({ name: '@acme/c' }),
      'services/c/Dockerfile': 'FROM scratch\n',
      'services/Unnamed/project.json': json({}),
      'services/Unnamed/Dockerfile': 'FROM scratch\n',
    });
    const helpOf = (file: string, root: string) =>
      byFile.get(file)!.projects![root]!.targets!['docker-build']!.metadata!.help!;
    expect(helpOf('services/a/Dockerfile', 'services/a')).toEqual({
      command: 'npx nx run api:docker-build --help',
      example: { options: { platforms: ['linux/arm64'] } },
    });
    expect(helpOf('services/b/Dockerfile', 'services/b').command).toBe('npx nx run billing:docker-build --help');
    expect(helpOf('services/c/Dockerfile', 'services/c').command).toBe('npx nx run @acme/c:docker-build --help');
    expect(helpOf('services/Unnamed/Dockerfile', 'services/Unnamed').command).toBe(
      'npx nx run unnamed:docker-build --help',
    );
  });

  describe('cache (one file per options hash in the workspace-data directory, an entry per folder)', () => {
    const WORKSPACE = {
      'services/a/project.json': json({ name: 'a' }),
      'services/a/Dockerfile': 'FROM scratch\n',
      'services/b/project.json': json({ name: 'b' }),
      'services/b/Dockerfile': 'FROM scratch\n',
    };

    type Analysis = { detection: { config: Record<string, unknown> | null } };
    /** Changes what the cache holds for one folder, keeping its hash: what a run then returns came from the cache. */
    function tamper(
      cacheDirectory: string,
      options: FleetPluginOptions | undefined,
      root: string,
      change: (analysis: Analysis) => void,
    ) {
      const file = cacheFile(cacheDirectory, options);
      const cache = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { analysis: Analysis }> };
      change(cache.entries[root]!.analysis);
      writeFileSync(file, JSON.stringify(cache));
    }

    /** A workspace whose cache says services/a's image is "from-the-cache", and a run of a new worker over it. */
    async function cachedWorkspace() {
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = { ...WORKSPACE };
      writeTree(root, files);
      const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
      await run(freshCreateNodes(cacheDirectory), undefined, root, matched(files));
      tamper(
        cacheDirectory,
        undefined,
        'services/a',
        (analysis) => (analysis.detection.config!['image'] = 'from-the-cache'),
      );
      return {
        root,
        cacheDirectory,
        change(changed: Record<string, string>) {
          Object.assign(files, changed);
          writeTree(root, changed);
        },
        // The folder cache answers when the whole answer is not kept (after any change to a file).
        run: (options?: FleetPluginOptions) => {
          forgetAnswers(cacheDirectory);
          return run(freshCreateNodes(cacheDirectory), options, root, matched(files));
        },
        async imageOfA(options?: FleetPluginOptions) {
          const results = new Map(await this.run(options));
          return results.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['docker-build']!.options.image;
        },
      };
    }

    it.each<FleetPluginOptions | undefined>([
      undefined,
      { registry: 'ghcr.io/acme', gates: { scan: false }, exclude: [] },
    ])(
      'returns the same projects from the cache as without it, and does not print the same warnings again (options %j)',
      async (options) => {
        const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
        const computed = await run(freshCreateNodes(cacheDirectory), options);
        expect(warnings(warn)).toHaveLength(2);
        expect(readdirSync(cacheDirectory).sort()).toEqual(
          ['nx-fleet', posix.basename(cacheFile(cacheDirectory, options))].sort(),
        );
        expect(readdirSync(cacheDirectory).filter((f) => f !== 'nx-fleet')[0]).toMatch(/^nx-fleet-\w+\.hash$/);
        expect(readdirSync(join(cacheDirectory, 'nx-fleet')).filter((f) => f.startsWith('nodes-'))).toHaveLength(1);
        warn.mockClear();

        // A second Nx command (a new process, a new worker) over the same cache directory: the whole
        // answer, as Nx receives it from a worker (JSON).
        const cached = await run(freshCreateNodes(cacheDirectory), options);
        expect(cached).toStrictEqual(JSON.parse(JSON.stringify(computed)));
        expect(warnings(warn)).toEqual([]);

        // Without it (any file changed), the folders' analyses are answered from theirs.
        forgetAnswers(cacheDirectory);
        expect(await run(freshCreateNodes(cacheDirectory), options)).toStrictEqual(computed);
        expect(warnings(warn)).toEqual([]);
      },
    );

    describe('warnings once per workspace state, across Nx commands', () => {
      const ORPHANS = {
        'services/a/project.json': json({ name: 'a' }),
        'services/a/Dockerfile': 'FROM scratch\n',
        'deploy/Dockerfile': 'FROM scratch\n',
        'broken/project.json': '{ "name": ',
        'broken/Dockerfile': 'FROM scratch\n',
      };
      const ORPHAN = orphanWarning('deploy/Dockerfile', 'deploy');
      const BROKEN = 'nx-fleet: broken/project.json is not valid JSON; its project is treated as unnamed.';

      function workspace(options?: FleetPluginOptions) {
        const root = tempDir('nx-fleet-plugin-ws-');
        const files: Record<string, string> = { ...ORPHANS };
        writeTree(root, files);
        const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
        return {
          change(changed: Record<string, string>) {
            Object.assign(files, changed);
            writeTree(root, changed);
          },
          remove(file: string) {
            delete files[file];
            rmSync(join(root, file));
          },
          /** One Nx command: a fresh plugin over the shared cache directory; what it printed. */
          async command(): Promise<string[]> {
            warn.mockClear();
            await run(freshCreateNodes(cacheDirectory), options, root, matched(files));
            return warnings(warn);
          },
        };
      }

      it("prints the sources' warnings (an sdks entry naming no service) once per workspace state too", async () => {
        const ws = workspace({ sdks: { '@acme/nothing': 'nobody' } });
        const first = await ws.command();
        const sdks = first.filter((message) => message.includes('@acme/nothing'));
        expect(sdks).toHaveLength(1);
        expect(await ws.command()).toEqual([]);
      });

      it('prints a warning once, then not again while nothing changed; again once its folder changes', async () => {
        const ws = workspace();
        expect((await ws.command()).sort()).toEqual([BROKEN, ORPHAN].sort());
        expect(await ws.command()).toEqual([]);
        expect(await ws.command()).toEqual([]);

        // The Dockerfile's content changes: that folder's warning again, not the other.
        ws.change({ 'deploy/Dockerfile': 'FROM node:22\n' });
        expect(await ws.command()).toEqual([ORPHAN]);
        expect(await ws.command()).toEqual([]);

        // A file appears in the folder of the broken manifest.
        ws.change({ 'broken/Containerfile': 'FROM scratch\n' });
        expect(await ws.command()).toEqual([BROKEN]);
        expect(await ws.command()).toEqual([]);
      });

      it('prints a warning that went away and came back again', async () => {
        const ws = workspace();
        await ws.command();
        ws.change({ 'deploy/project.json': json({ name: 'deploy' }) });
        expect(await ws.command()).toEqual([]);
        ws.remove('deploy/project.json');
        expect(await ws.command()).toEqual([ORPHAN]);
      });

      it('keeps what was printed per options hash: other options print their warnings once too', async () => {
        const ws = workspace();
        await ws.command();
        const other = workspace({ registry: 'ghcr.io/acme' });
        expect((await other.command()).sort()).toEqual([BROKEN, ORPHAN].sort());
        expect(await other.command()).toEqual([]);
      });
    });

    it('answers from the cache while a folder is unchanged; a Dockerfile whose content changes is unchanged for nx-fleet', async () => {
      const workspace = await cachedWorkspace();
      expect(await workspace.imageOfA()).toBe('from-the-cache');
      workspace.change({ 'services/a/Dockerfile': 'FROM node:22\nCOPY . .\n' });
      expect(await workspace.imageOfA()).toBe('from-the-cache');
    });

    it("names a folder's manifests by Nx's hashes: a folder still in the cache is not read; one Nx does not list is", async () => {
      const workspace = await cachedWorkspace();
      const listed = await diskFiles(workspace.root);
      const withFiles = (files: typeof listed) =>
        fleetCreateNodes(
          workerDeps({ cacheDirectory: workspace.cacheDirectory, sourceFiles: () => Promise.resolve(files) }),
        );
      const imageOfA = async (createNodes: CreateNodesTuple) => {
        forgetAnswers(workspace.cacheDirectory);
        return new Map(await run(createNodes, undefined, workspace.root, matched(WORKSPACE))).get(
          'services/a/Dockerfile',
        )!.projects!['services/a']!.targets!['docker-build']!.options.image;
      };
      // Nx still reports the hash it knew: were the manifest read, its new text would be a miss.
      workspace.change({ 'services/a/project.json': json({ name: 'a', tags: ['x'] }) });
      expect(await imageOfA(withFiles(listed))).toBe('from-the-cache');
      expect(
        await imageOfA(withFiles(listed.filter(({ file }) => file !== 'services/a/project.json'))),
      ).toBeUndefined();
    });

    it('a new worker over an unchanged workspace takes the kept whole answer; any change to an input makes a new one', async () => {
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = {
        ...WORKSPACE,
        'services/a/Dockerfile': 'FROM scratch\nCOPY src ./src\n',
        'services/a/src/main.ts': 'export {};\n',
      };
      writeTree(root, files);
      const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
      // Git ignores .dockerignore files here: Nx does not list them, so the disk is asked.
      const listed = async (dir: string) =>
        (await diskFiles(dir)).filter(({ file }) => !file.endsWith('.dockerignore'));
      const command = async (changed: Record<string, string> = {}) => {
        Object.assign(files, changed);
        writeTree(root, changed);
        const createNodes = fleetCreateNodes(workerDeps({ cacheDirectory, sourceFiles: listed }));
        const results = new Map(await run(createNodes, undefined, root, matched(files)));
        return results.get('services/a/Dockerfile')!.projects!['services/a']!.targets!['docker-build']!;
      };
      const keptFile = () => {
        const dir = join(cacheDirectory, 'nx-fleet');
        return join(
          dir,
          readdirSync(dir).find((file) => file.startsWith('nodes-'))!,
        );
      };
      /** Marks the kept answer: a run that returns the mark took it. */
      const mark = () => {
        const [key, text] = readFileSync(keptFile(), 'utf8').split(/\n(.*)/s) as [string, string];
        const kept = JSON.parse(text) as {
          result: Array<
            [string, { projects: Record<string, { targets: Record<string, { metadata: { description?: string } }> }> }]
          >;
        };
        kept.result.find(([file]) => file === 'services/a/Dockerfile')![1].projects['services/a']!.targets[
          'docker-build'
        ]!.metadata.description = 'kept';
        writeFileSync(keptFile(), `${key}\n${JSON.stringify(kept)}`);
      };

      expect((await command()).metadata?.['description']).not.toBe('kept');
      mark();
      expect((await command()).metadata?.['description']).toBe('kept');
      // A source file's content (the import scan's input).
      expect((await command({ 'services/a/src/main.ts': 'export const a = 1;\n' })).metadata?.['description']).not.toBe(
        'kept',
      );
      mark();
      // A file Nx does not list, which the context inference reads.
      expect((await command({ 'services/a/Dockerfile.dockerignore': 'src\n' })).metadata?.['description']).not.toBe(
        'kept',
      );
      mark();
      expect((await command()).metadata?.['description']).toBe('kept');
      expect((await command({ 'services/a/Dockerfile.dockerignore': 'dist\n' })).metadata?.['description']).not.toBe(
        'kept',
      );
      mark();
      expect(
        (await command({ 'services/b/project.json': json({ name: 'b', metadata: { fleet: { image: 'x/b' } } }) }))
          .metadata?.['description'],
      ).not.toBe('kept');
    });

    it('one worker asked twice for one state (the daemon, after an edit) answers the second time from the first', async () => {
      const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = { ...WORKSPACE, 'services/a/src/main.ts': 'export {};\n' };
      writeTree(root, files);
      const worker = freshCreateNodes();
      const scans = () => verbose.mock.calls.filter(([line]) => String(line).includes('runtime graph:')).length;
      const first = await run(worker, undefined, root, matched(files));
      expect(scans()).toBe(1);
      const second = await run(worker, undefined, root, matched(files));
      expect(scans()).toBe(1);
      expect(second).toEqual(first);
      // A copy: what Nx does with one answer never reaches the next.
      expect(second[0]![1]).not.toBe(first[0]![1]);
      // An edit that leaves every input of the answer alone is answered again too; one to a manifest is not.
      writeTree(root, { 'services/a/src/main.ts': 'export const a = 1;\n' });
      expect(await run(worker, undefined, root, matched(files))).toEqual(first);
      expect(scans()).toBe(1);
      writeTree(root, { 'services/b/project.json': json({ name: 'b', tags: ['x'] }) });
      await run(worker, undefined, root, matched(files));
      expect(scans()).toBe(2);
    });

    it("the daemon's worker, first answered from the disk, computes the answer again while it waits: the next edit has a basis", async () => {
      const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
      const scans = () => verbose.mock.calls.filter(([line]) => String(line).includes('runtime graph:')).length;
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = { ...WORKSPACE, 'services/a/src/main.ts': 'export {};\n' };
      writeTree(root, files);
      const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
      await run(freshCreateNodes(cacheDirectory), undefined, root, matched(files));
      expect(scans()).toBe(1);
      const daemon = freshCreateNodes(cacheDirectory, { NX_DAEMON_PROCESS: 'true' });
      const first = await run(daemon, undefined, root, matched(files));
      // From the disk: nothing scanned; then, while Nx waits for nothing, the same answer computed again.
      expect(scans()).toBe(1);
      await vi.waitFor(() => expect(scans()).toBe(2), { timeout: 5000, interval: 20 });
      writeTree(root, { 'services/a/src/main.ts': 'export const a = 1;\n' });
      const edited = await run(daemon, undefined, root, matched(files));
      expect(scans()).toBe(2);
      expect(edited).toEqual(first);
      expect(edited).toEqual(await run(freshCreateNodes(), undefined, root, matched(files)));
    });

    it("the daemon's worker asks Nx for the files' one hash first, and lists them only when it is not its last answer's", async () => {
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = { ...WORKSPACE, 'services/a/src/main.ts': 'export {};\n' };
      writeTree(root, files);
      let state = 's1';
      const listings = vi.fn(diskFiles);
      const worker = fleetCreateNodes(
        workerDeps({
          sourceFiles: listings,
          filesState: () => Promise.resolve(state),
          memo: new GraphMemo(false),
          env: { NX_DAEMON_PROCESS: 'true' },
        }),
      );
      const first = await run(worker, undefined, root, matched(files));
      expect(await run(worker, undefined, root, matched(files))).toEqual(first);
      expect(listings).toHaveBeenCalledTimes(1);
      writeTree(root, { 'services/a/project.json': json({ name: 'a', metadata: { fleet: { image: 'acme/a2' } } }) });
      state = 's2';
      const edited = await run(worker, undefined, root, matched(files));
      expect(listings).toHaveBeenCalledTimes(2);
      expect(edited).toEqual(await run(freshCreateNodes(), undefined, root, matched(files)));
      expect(edited).not.toEqual(first);
      // Without the daemon every graph lists the files.
      const command = vi.fn(diskFiles);
      const plain = fleetCreateNodes(workerDeps({ sourceFiles: command, filesState: () => Promise.resolve('s2') }));
      await run(plain, undefined, root, matched(files));
      await run(plain, undefined, root, matched(files));
      expect(command).toHaveBeenCalledTimes(2);
    });

    it("the daemon's worker, once idle, stamps the folders that stand for the files it found missing; others keep none", async () => {
      const root = tempDir('nx-fleet-plugin-ws-');
      writeTree(root, WORKSPACE);
      const old = new Date(Date.now() - 60_000);
      for (const folder of ['services/a', 'services/b']) utimesSync(join(root, folder), old, old);
      const missing = (memo: GraphMemo) => [...memo.absences.keys()].filter((path) => path.endsWith('.dockerignore'));
      const daemon = new GraphMemo(false);
      await run(
        fleetCreateNodes(workerDeps({ memo: daemon, env: { NX_DAEMON_PROCESS: 'true' } })),
        undefined,
        root,
        matched(WORKSPACE),
      );
      await vi.waitFor(() => expect(missing(daemon)).toContain('services/a/.dockerignore'), {
        timeout: 5000,
        interval: 50,
      });
      expect(daemon.absences.get('services/a/.dockerignore')?.folder).toBe('services/a');
      const command = new GraphMemo();
      await run(fleetCreateNodes(workerDeps({ memo: command })), undefined, root, matched(WORKSPACE));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(command.absences.size).toBe(0);
    });

    it('one worker across edits (the daemon): a folder whose manifest changes is analysed again, a library folder too', async () => {
      const root = tempDir('nx-fleet-plugin-ws-');
      const files: Record<string, string> = { ...WORKSPACE, 'libs/sdk/package.json': json({ name: '@acme/sdk' }) };
      writeTree(root, files);
      const worker = freshCreateNodes();
      const images = async (changed: Record<string, string>) => {
        Object.assign(files, changed);
        writeTree(root, changed);
        const results = await run(worker, undefined, root, matched(files));
        return Object.fromEntries(
          results.flatMap(([, result]) =>
            Object.entries(result.projects ?? {}).map(([projectRoot, p]) => [
              projectRoot,
              p.targets?.['docker-build']?.options.image ?? null,
            ]),
          ),
        );
      };
      expect(await images({})).toEqual({ 'services/a': null, 'services/b': null });
      expect(
        await images({ 'services/a/project.json': json({ name: 'a', metadata: { fleet: { image: 'acme/a2' } } }) }),
      ).toEqual({ 'services/a': 'acme/a2', 'services/b': null });
      // The library becomes a service by its fleet block: its folder is analysed again.
      expect(
        await images({
          'libs/sdk/package.json': json({
            name: '@acme/sdk',
            nx: { metadata: { fleet: { dockerfile: 'services/b/Dockerfile', image: 'acme/sdk' } } },
          }),
        }),
      ).toEqual({ 'services/a': 'acme/a2', 'services/b': null, 'libs/sdk': 'acme/sdk' });
    });

    it.each<[string, (workspace: Awaited<ReturnType<typeof cachedWorkspace>>) => Promise<unknown>]>([
      [
        'its project.json changes',
        (workspace) => {
          workspace.change({ 'services/a/project.json': json({ name: 'a', tags: ['x'] }) });
          return workspace.imageOfA();
        },
      ],
      [
        'a Containerfile appears beside its Dockerfile',
        (workspace) => {
          workspace.change({ 'services/a/Containerfile': 'FROM scratch\n' });
          return workspace.imageOfA();
        },
      ],
      ['the plugin options change', (workspace) => workspace.imageOfA({ registry: 'ghcr.io/acme' })],
    ])('analyses a folder again when %s', async (_change, imageAfter) => {
      const workspace = await cachedWorkspace();
      expect(await imageAfter(workspace)).toBeUndefined();
    });

    it('keeps one file per options hash, and other folders answered from it', async () => {
      const workspace = await cachedWorkspace();
      await workspace.imageOfA({ registry: 'ghcr.io/acme' });
      expect(
        readdirSync(workspace.cacheDirectory)
          .filter((f) => f.endsWith('.hash'))
          .sort(),
      ).toEqual(
        [
          cacheFile(workspace.cacheDirectory, undefined),
          cacheFile(workspace.cacheDirectory, { registry: 'ghcr.io/acme' }),
        ]
          .map((file) => posix.basename(file))
          .sort(),
      );
      expect(await workspace.imageOfA()).toBe('from-the-cache');
    });

    it('fails one folder alone: the other services still become projects, Nx hears which file failed, and the warnings print', async () => {
      const workspace = await cachedWorkspace();
      tamper(workspace.cacheDirectory, undefined, 'services/a', (analysis) => (analysis.detection.config = null));
      workspace.change({ 'services/b/src/blob.ts': `export {};${'\0'.repeat(64)}\n` });
      const error: unknown = await workspace.run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateCreateNodesError);
      const aggregate = error as AggregateCreateNodesError;
      expect(aggregate.errors.map(([file]) => file)).toEqual(['services/a/Dockerfile']);
      expect(aggregate.partialResults.map(([file]) => file)).toEqual(['services/b/Dockerfile']);
      expect(warnings(warn)).toContain(
        'nx-fleet: services/b/src/blob.ts is not text; it is not scanned for SDK imports.',
      );
    });

    it('in a process of its own (runtimeGraph.ownProcess), fails one folder alone the same way, and the warnings print here', async () => {
      const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
      const apart: FleetPluginOptions = { runtimeGraph: { ownProcess: true } };
      const workspace = await cachedWorkspace();
      await workspace.run(apart);
      tamper(workspace.cacheDirectory, apart, 'services/a', (analysis) => (analysis.detection.config = null));
      workspace.change({ 'services/b/src/blob.ts': `export {};${'\0'.repeat(64)}\n` });
      const error: unknown = await workspace.run(apart).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateCreateNodesError);
      const aggregate = error as AggregateCreateNodesError;
      expect(aggregate.errors.map(([file]) => file)).toEqual(['services/a/Dockerfile']);
      expect(aggregate.errors[0]![1]).toBeInstanceOf(Error);
      expect(aggregate.partialResults.map(([file]) => file)).toEqual(['services/b/Dockerfile']);
      expect(warnings(warn)).toContain(
        'nx-fleet: services/b/src/blob.ts is not text; it is not scanned for SDK imports.',
      );
      expect(warnings(verbose).filter((line) => line.includes('in a process of its own'))).toHaveLength(2);
    });

    it('treats an entry it cannot use as a miss, and a cache file it cannot read as empty', async () => {
      const workspace = await cachedWorkspace();
      tamper(workspace.cacheDirectory, undefined, 'services/a', (analysis) => {
        (analysis as { detection: unknown }).detection = { kind: 'service', root: 42 };
      });
      expect(await workspace.imageOfA()).toBeUndefined();
      writeFileSync(cacheFile(workspace.cacheDirectory, undefined), '{ not json');
      expect(await workspace.imageOfA()).toBeUndefined();
    });
  });
});

describe('createNodes: runtime knowledge on the deploy side only', () => {
  /** Services a, b, c, d and a library; who calls whom is set per case. */
  const FLEET: Record<string, string> = {
    'package.json': json({
      name: '@acme/source',
      private: true,
      workspaces: ['services/*', 'services/*/sdk', 'libs/*'],
    }),
    'services/a/package.json': json({ name: '@acme/a' }),
    'services/a/Dockerfile': 'FROM scratch\n',
    'services/b/package.json': json({ name: '@acme/b' }),
    'services/b/Dockerfile': 'FROM scratch\n',
    'services/b/sdk/package.json': json({ name: '@acme/b-sdk', nx: { tags: ['fleet:sdk-of:@acme/b'] } }),
    'services/b/sdk/index.ts': 'export const callB = () => fetch("http://b/");\n',
    'services/c/package.json': json({ name: '@acme/c' }),
    'services/c/Dockerfile': 'FROM scratch\n',
    'services/d/package.json': json({ name: '@acme/d' }),
    'services/d/Dockerfile': 'FROM scratch\n',
    'libs/client/package.json': json({ name: '@acme/client' }),
  };

  /** b's project context sends its nested SDK folder, which Nx counts as the SDK's. */
  const inputsOf = (root: string) =>
    root === 'services/b'
      ? [PROJECT_INPUTS[0], '{workspaceRoot}/services/b/sdk/**/*', ...PROJECT_INPUTS.slice(1)]
      : PROJECT_INPUTS;

  async function pushInputsOf(sources: Record<string, string>) {
    const { results } = await runWorkspace({ ...FLEET, ...sources });
    const inputs = new Map<string, unknown>();
    for (const [, result] of results)
      for (const [root, project] of Object.entries(result.projects ?? {}))
        inputs.set(root, project.targets?.['docker-push']?.inputs);
    return inputs;
  }

  it.each([
    [
      'a direct SDK import',
      { 'services/a/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n" },
      'services/a',
    ],
    [
      'a library the service imports, which imports the SDK',
      {
        'libs/client/index.ts': "export { callB } from '@acme/b-sdk';\n",
        'services/c/src/main.ts': "import { callB } from '@acme/client';\ncallB();\n",
      },
      'services/c',
    ],
  ])('%s puts the provider folder into the consumer push inputs only', async (_, sources, consumer) => {
    const inputs = await pushInputsOf(sources);
    expect(inputs.get(consumer)).toEqual([...PROJECT_INPUTS, '{workspaceRoot}/services/b/**']);
    for (const [root, value] of inputs) if (root !== consumer) expect(value).toEqual(inputsOf(root));
  });

  it("a service whose image runs nothing (files exported to scratch, konto's openapi-clients) is called by no one", async () => {
    const calls = { 'services/a/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n" };
    const artifact =
      'FROM node:24 AS build\nCOPY . .\nRUN npm run build\nFROM scratch\nCOPY --from=build /app/dist ./dist\n';
    const inputs = await pushInputsOf({ ...calls, 'services/b/Dockerfile': artifact });
    expect(inputs.get('services/a')).toEqual(PROJECT_INPUTS);
    // The check can fail: with a command, it is a server again.
    const served = await pushInputsOf({ ...calls, 'services/b/Dockerfile': `${artifact}CMD ["/dist/b"]\n` });
    expect(served.get('services/a')).toEqual([...PROJECT_INPUTS, '{workspaceRoot}/services/b/**']);
  });

  it('a package.json Nx makes no project of (outside the workspaces) leaves its files to the enclosing project', async () => {
    const inputs = await pushInputsOf({
      'services/a/src/package.json': json({ name: 'a-src', private: true }),
      'services/a/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n",
    });
    expect(inputs.get('services/a')).toEqual([...PROJECT_INPUTS, '{workspaceRoot}/services/b/**']);
  });

  it.each([
    [
      'a type-only import',
      { 'services/a/src/types.ts': "import type { callB } from '@acme/b-sdk';\nexport type T = typeof callB;\n" },
    ],
    ['an import in a test file', { 'services/a/src/main.spec.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n" }],
    ['a library no service imports', { 'libs/client/index.ts': "export { callB } from '@acme/b-sdk';\n" }],
  ])('%s calls nothing', async (_, sources) => {
    const inputs = await pushInputsOf(sources);
    for (const [root, value] of inputs) expect(value).toEqual(inputsOf(root));
  });

  it('one worker across edits (the daemon) answers each as a new worker would; an edit that keeps the imports scans nothing', async () => {
    const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
    const scans = () => verbose.mock.calls.filter(([line]) => String(line).includes('runtime graph:')).length;
    const root = tempDir('nx-fleet-plugin-ws-');
    const files: Record<string, string> = {
      ...FLEET,
      'README.md': '# fleet\n',
      'services/a/src/main.ts': 'export {};\n',
      'services/a/src/main.spec.ts': 'export {};\n',
      'services/c/src/main.ts': "import { x } from '@acme/client';\nx();\n",
      'libs/client/index.ts': 'export const x = () => 1;\n',
    };
    writeTree(root, files);
    const worker = freshCreateNodes();
    const pushInputs = (results: Awaited<ReturnType<typeof run>>) =>
      Object.fromEntries(
        results.flatMap(([, r]) =>
          Object.entries(r.projects ?? {}).map(([at, p]) => [at, p.targets?.['docker-push']?.inputs]),
        ),
      );
    await run(worker, undefined, root, matched(files));
    const steps: Array<[Record<string, string>, boolean]> = [
      [{ 'services/a/src/main.ts': 'export const a = 1;\n' }, false],
      [{ 'services/a/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n" }, true],
      [{ 'services/a/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\ncallB();\n" }, false],
      // Lines move, the references do not; a comment naming an SDK is no reference.
      [{ 'services/a/src/main.ts': "\n// '@acme/d'\nimport { callB } from '@acme/b-sdk';\ncallB();\n" }, false],
      [
        { 'services/a/src/main.ts': "import type { callB } from '@acme/b-sdk';\nexport type T = typeof callB;\n" },
        true,
      ],
      [{ 'services/a/src/main.spec.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n" }, false],
      [{ 'README.md': '# fleet, edited\n' }, false],
      // The library c imports now calls b: c's closure changes.
      [{ 'libs/client/index.ts': "export { callB as x } from '@acme/b-sdk';\n" }, true],
      [{ 'services/b/sdk/package.json': json({ name: '@acme/b-sdk', nx: { tags: [] } }) }, true],
      [{ 'services/b/Dockerfile': 'FROM scratch\nCOPY . .\n' }, true],
      [{ 'services/d/src/main.ts': "import { callB } from '@acme/b-sdk';\n" }, true],
    ];
    const seen = new Set<string>();
    for (const [changed, scanned] of steps) {
      Object.assign(files, changed);
      writeTree(root, changed);
      const before = scans();
      const answer = await run(worker, undefined, root, matched(files));
      expect({ changed, scanned: scans() > before }).toEqual({ changed, scanned });
      expect(answer).toEqual(await run(freshCreateNodes(), undefined, root, matched(files)));
      seen.add(JSON.stringify(pushInputs(answer)));
    }
    // The edits do move the answer (the comparison above would pass for a constant one too).
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it('two services that call each other each get the other folder, and nothing else changes', async () => {
    const sources = {
      'services/d/sdk/package.json': json({ name: '@acme/d-sdk', nx: { tags: ['fleet:sdk-of:@acme/d'] } }),
      'services/d/sdk/index.ts': 'export const callD = () => 1;\n',
      'services/b/src/main.ts': "import { callD } from '@acme/d-sdk';\ncallD();\n",
      'services/d/src/main.ts': "import { callB } from '@acme/b-sdk';\ncallB();\n",
    };
    const { results } = await runWorkspace({ ...FLEET, ...sources });
    const { results: without } = await runWorkspace({
      ...FLEET,
      ...sources,
      'services/b/src/main.ts': 'export {};\n',
      'services/d/src/main.ts': 'export {};\n',
    });
    const targetsOf = (list: typeof results, root: string) =>
      list.flatMap(([, r]) => (r.projects?.[root] ? [r.projects[root]!.targets!] : []))[0]!;
    expect(targetsOf(results, 'services/b')['docker-push']!.inputs).toEqual([
      ...inputsOf('services/b'),
      '{workspaceRoot}/services/d/**',
    ]);
    expect(targetsOf(results, 'services/d')['docker-push']!.inputs).toEqual([
      PROJECT_INPUTS[0],
      '{workspaceRoot}/services/d/sdk/**/*',
      ...PROJECT_INPUTS.slice(1),
      '{workspaceRoot}/services/b/**',
    ]);
    for (const root of ['services/b', 'services/d']) {
      const withCalls = targetsOf(results, root);
      const plain = targetsOf(without, root);
      for (const target of ['docker-build', 'scan', 'contract-verify'])
        expect(withCalls[target]).toEqual(plain[target]);
      expect(withCalls['docker-push']!.dependsOn).toEqual(plain['docker-push']!.dependsOn);
    }
  });

  it('keeps the graph when the sources cannot be listed, with one warning', async () => {
    const root = tempDir('nx-fleet-plugin-ws-');
    writeTree(root, FLEET);
    const createNodes = fleetCreateNodes(
      workerDeps({ sourceFiles: () => Promise.reject(new Error('no workspace context')) }),
    );
    const results = await run(createNodes, undefined, root, matched(FLEET));
    expect(results).toHaveLength(4);
    await run(createNodes, undefined, root, matched(FLEET));
    expect(warnings(warn)).toEqual([
      "nx-fleet: the workspace's files could not be listed (no workspace context); build contexts are not inferred and docker-push targets are affected by their own inputs only.",
    ]);
  });
});

describe('createNodes in a process of its own (runtimeGraph.ownProcess, or 2,000 matched files without the daemon)', () => {
  const APART: FleetPluginOptions = { runtimeGraph: { ownProcess: true } };

  it("gives the answer computed here, prints the process's warnings here once and its verbose lines, and a new worker over it answers from the disk", async () => {
    const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
    const here = await run(freshCreateNodes(), undefined);
    const warnedHere = warnings(warn);
    expect(warnedHere.length).toBeGreaterThan(0);
    warn.mockClear();

    const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
    const askApart = vi.fn(apartHere);
    const worker = fleetCreateNodes(workerDeps({ cacheDirectory, askApart }));
    expect(await run(worker, APART)).toEqual(here);
    expect(askApart).toHaveBeenCalledTimes(1);
    expect(askApart.mock.calls[0]![0]).toMatchObject({ files: MATCHED, options: APART, cacheDirectory });
    expect(warnings(warn)).toEqual(warnedHere);
    const lines = warnings(verbose);
    expect(lines.some((line) => /^nx-fleet: runtime graph: /.test(line))).toBe(true);
    expect(
      lines.some((line) => /^nx-fleet: createNodes computed in a process of its own \(CPU [\d.]+ ms\)$/.test(line)),
    ).toBe(true);

    // The process saved the whole answer: the next command's worker answers from it without a process.
    warn.mockClear();
    const next = vi.fn(apartHere);
    expect(await run(fleetCreateNodes(workerDeps({ cacheDirectory, askApart: next })), APART)).toEqual(here);
    expect(next).not.toHaveBeenCalled();
    expect(warnings(warn)).toEqual([]);
  });

  it('lists the files in the worker only when an answer is kept: after `nx reset` the process lists them, after an edit the worker hands its list over', async () => {
    const root = tempDir('nx-fleet-plugin-ws-');
    const files = { ...FILES };
    writeTree(root, files);
    const cacheDirectory = tempDir('nx-fleet-plugin-cache-');
    const command = async () => {
      const sourceFiles = vi.fn(diskFiles);
      const askApart = vi.fn(apartHere);
      await run(fleetCreateNodes(workerDeps({ cacheDirectory, sourceFiles, askApart })), APART, root, matched(files));
      return {
        listed: sourceFiles.mock.calls.length,
        handed: askApart.mock.calls.map(([q]) => q.workspaceFiles?.length),
      };
    };
    expect(await command()).toEqual({ listed: 0, handed: [undefined] });
    writeTree(root, { 'services/a/src/main.ts': 'export const edited = 1;\n' });
    expect(await command()).toEqual({ listed: 1, handed: [Object.keys(files).length] });
    expect(await command()).toEqual({ listed: 1, handed: [] });
  });

  it.each<[string, Partial<CreateNodesDeps>, FleetPluginOptions | undefined]>([
    ["the daemon's worker, whatever the option", { env: { NX_DAEMON_PROCESS: 'true' } }, APART],
    ['the option false', {}, { runtimeGraph: { ownProcess: false } }],
    ['below 2,000 matched files by default', {}, undefined],
  ])('%s: computes here', async (_label, given, options) => {
    const askApart = vi.fn(apartHere);
    await run(fleetCreateNodes(workerDeps({ ...given, askApart })), options);
    expect(askApart).not.toHaveBeenCalled();
  });

  it('a process that cannot start or dies without an answer leaves the work to the worker: the same answer', async () => {
    const verbose = vi.spyOn(logger, 'verbose').mockImplementation(() => undefined);
    const here = await run(freshCreateNodes(), undefined);
    const askApart = vi.fn(() => Promise.reject(new Error('exited with 1 before it answered')));
    expect(await run(fleetCreateNodes(workerDeps({ askApart })), APART)).toEqual(here);
    expect(askApart).toHaveBeenCalledTimes(1);
    expect(warnings(verbose).some((line) => line.includes('in a process of its own'))).toBe(false);
  });

  it('a createNodes that failed there fails here, with its reason', async () => {
    const askApart = () => Promise.resolve<ApartAnswer>({ error: 'the workspace broke' });
    await expect(run(fleetCreateNodes(workerDeps({ askApart })), APART)).rejects.toThrow('the workspace broke');
  });
});
