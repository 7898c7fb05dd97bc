import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { logger, type CreateNodesResult } from '@nx/devkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { FleetPluginOptions } from './options';

/**
 * The plugin remembers which warnings it printed (module state), so every test loads a fresh copy.
 * `@nx/devkit` is an external CommonJS module: its `logger` stays the one object spied on here.
 */
async function freshCreateNodes() {
  vi.resetModules();
  return (await import('./plugin')).createNodes;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

const FILES: Record<string, string> = {
  'services/a/project.json': JSON.stringify({ name: 'a' }),
  'services/a/Dockerfile': 'FROM scratch\n',
  'services/b/package.json': JSON.stringify({ name: '@acme/b' }),
  'services/b/Containerfile': 'FROM scratch\n',
  'orphan/Dockerfile': 'FROM scratch\n',
  'unnamed/package.json': JSON.stringify({ private: true }),
  'unnamed/Dockerfile': 'FROM scratch\n',
  '.devcontainer/project.json': JSON.stringify({ name: 'devcontainer' }),
  '.devcontainer/Dockerfile': 'FROM scratch\n',
  'both/project.json': JSON.stringify({ name: 'both' }),
  'both/Containerfile': 'FROM scratch\n',
  'both/Dockerfile': 'FROM scratch\n',
  'broken/project.json': '{ "name": "broken", ',
  'broken/Dockerfile': 'FROM scratch\n',
};

/** What Nx would hand the plugin: every file matching `**\/{Dockerfile,Containerfile}`. */
const DOCKERFILES = [
  '.devcontainer/Dockerfile',
  'both/Containerfile',
  'both/Dockerfile',
  'broken/Dockerfile',
  'orphan/Dockerfile',
  'services/a/Dockerfile',
  'services/b/Containerfile',
  'unnamed/Dockerfile',
];

function expectedTargets(root: string, dockerfile: string, names = { build: 'docker-build', push: 'docker-push' }, pushOptions = {}) {
  return {
    [names.build]: expect.objectContaining({
      executor: 'nx-fleet:docker-build',
      options: { dockerfile, context: root },
      outputs: [`{workspaceRoot}/dist/fleet/${root}/image.json`],
      cache: true,
    }),
    [names.push]: expect.objectContaining({
      executor: 'nx-fleet:docker-push',
      dependsOn: [names.build],
      options: pushOptions,
      outputs: [`{workspaceRoot}/dist/fleet/${root}/push.json`],
      cache: false,
    }),
  };
}

function warnings(spy: MockInstance): string[] {
  return spy.mock.calls.map((call) => String(call[0]));
}

let tmp: string;
let warn: MockInstance;

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

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(createNodes: Awaited<ReturnType<typeof freshCreateNodes>>, options: FleetPluginOptions | undefined, workspaceRoot = tmp, files = DOCKERFILES) {
  // `configFiles` is not part of the public context type; Nx passes it anyway.
  const context = { workspaceRoot, nxJsonConfiguration: {}, configFiles: files };
  return createNodes[1](files, options, context);
}

describe('createNodes', () => {
  it('matches Dockerfiles and Containerfiles anywhere', async () => {
    const createNodes = await freshCreateNodes();
    expect(createNodes[0]).toBe('**/{Dockerfile,Containerfile}');
  });

  it('returns one [file, result] pair per file, with projects only for services', async () => {
    const createNodes = await freshCreateNodes();
    const results = await run(createNodes, undefined);

    expect(results.map(([file]) => file)).toEqual(DOCKERFILES);
    const byFile = new Map<string, CreateNodesResult>(results.map(([file, result]) => [file, result]));

    // Excluded by default, even though a project.json lies beside it.
    expect(byFile.get('.devcontainer/Dockerfile')).toEqual({});
    // Orphans: nothing beside it, or a package.json without a name.
    expect(byFile.get('orphan/Dockerfile')).toEqual({});
    expect(byFile.get('unnamed/Dockerfile')).toEqual({});
    // Dockerfile wins over Containerfile in the same folder.
    expect(byFile.get('both/Containerfile')).toEqual({});
    expect(byFile.get('both/Dockerfile')).toEqual({
      projects: { both: { targets: expectedTargets('both', 'both/Dockerfile'), metadata: { technologies: ['docker'] } } },
    });

    // project.json: Nx names the project, so the plugin adds no name.
    expect(byFile.get('services/a/Dockerfile')).toEqual({
      projects: { 'services/a': { targets: expectedTargets('services/a', 'services/a/Dockerfile'), metadata: { technologies: ['docker'] } } },
    });
    expect(byFile.get('services/a/Dockerfile')!.projects!['services/a']).not.toHaveProperty('name');

    // Named package.json: the package name becomes the project name.
    expect(byFile.get('services/b/Containerfile')).toEqual({
      projects: {
        'services/b': {
          name: '@acme/b',
          targets: expectedTargets('services/b', 'services/b/Containerfile'),
          metadata: { technologies: ['docker'] },
        },
      },
    });

    // Invalid project.json does not break the graph: still a service, without a name from the plugin.
    expect(byFile.get('broken/Dockerfile')).toEqual({
      projects: { broken: { targets: expectedTargets('broken', 'broken/Dockerfile'), metadata: { technologies: ['docker'] } } },
    });
  });

  it('warns once per orphan, naming the file and its folder, and once per invalid JSON file, across runs', async () => {
    const createNodes = await freshCreateNodes();
    await run(createNodes, undefined);
    await run(createNodes, undefined);

    const messages = warnings(warn);
    const orphan = messages.filter((m) => m.includes('orphan/Dockerfile'));
    expect(orphan).toHaveLength(1);
    expect(orphan[0]).toBe(
      'nx-fleet: orphan/Dockerfile has no project.json or named package.json beside it, so it is not a service. ' +
        'Add a project.json to orphan, or exclude it with the plugin option "exclude".',
    );
    expect(messages.filter((m) => m.includes('unnamed/Dockerfile'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('broken/project.json is not valid JSON'))).toHaveLength(1);
    // Excluded and Containerfile-shadowed files and services never warn.
    expect(messages.some((m) => m.includes('.devcontainer') || m.includes('both/') || m.includes('services/'))).toBe(false);
    expect(messages).toHaveLength(3);
  });

  it('uses configured target names and passes the registry to the push target', async () => {
    const createNodes = await freshCreateNodes();
    const results = await run(createNodes, { buildTargetName: 'image', pushTargetName: 'publish', registry: 'ghcr.io/acme' });
    const a = results.find(([file]) => file === 'services/a/Dockerfile')![1];
    expect(a.projects!['services/a']!.targets).toEqual(
      expectedTargets('services/a', 'services/a/Dockerfile', { build: 'image', push: 'publish' }, { registry: 'ghcr.io/acme' }),
    );
    expect(Object.keys(a.projects!['services/a']!.targets!)).toEqual(['image', 'publish']);
  });

  it('replaces the default excludes with the configured ones', async () => {
    const createNodes = await freshCreateNodes();
    const results = new Map(await run(createNodes, { exclude: ['services/a/**'] }));
    expect(results.get('services/a/Dockerfile')).toEqual({});
    expect(results.get('.devcontainer/Dockerfile')!.projects).toHaveProperty(['.devcontainer']);
    expect(warnings(warn).some((m) => m.includes('services/a'))).toBe(false);
  });

  it('names "the workspace root" in the warning for an orphan Dockerfile at the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-fleet-plugin-root-'));
    try {
      writeTree(root, { Dockerfile: 'FROM scratch\n' });
      const createNodes = await freshCreateNodes();
      expect(await run(createNodes, undefined, root, ['Dockerfile'])).toEqual([['Dockerfile', {}]]);
      expect(warnings(warn)).toEqual([
        'nx-fleet: Dockerfile has no project.json or named package.json beside it, so it is not a service. ' +
          'Add a project.json to the workspace root, or exclude it with the plugin option "exclude".',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
