import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTree, createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { initGenerator } from '../init/generator';
import ciGenerator, { ciGenerator as namedCiGenerator, ciPipelineOptions, writeCiPipeline } from './generator';
import { ciTemplate, type CiPipelineOptions } from './options';
import type { CiGeneratorSchema } from './schema';

/** The pipeline the templates render for the options, in a tree of its own. */
const ciPipelineYaml = (options: CiPipelineOptions = {}) => writeCiPipeline(createTree(), ciTemplate(options)).content;

const generate = (tree: Tree, options: CiGeneratorSchema = {}) => ciGenerator(tree, { skipFormat: true, ...options });

const read = (tree: Tree, path: string): string => {
  const content = tree.read(path, 'utf-8');
  if (content === null) throw new Error(`${path} was not generated`);
  return content;
};

function setFleetOptions(tree: Tree, options: Record<string, unknown>): void {
  const nxJson = readNxJson(tree)!;
  updateNxJson(tree, {
    ...nxJson,
    plugins: [...(nxJson.plugins ?? []).filter((p) => p !== 'nx-fleet'), { plugin: 'nx-fleet', options }],
  });
}

describe('ci generator', () => {
  let tree: Tree;

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exports the same function as default and by name', () => {
    expect(ciGenerator).toBe(namedCiGenerator);
  });

  it("writes the GitHub workflow by default: the templates' YAML, and nothing else", async () => {
    const before = new Set(tree.listChanges().map((c) => c.path));
    const callback = await generate(tree);
    expect(typeof callback).toBe('function');
    expect(
      tree
        .listChanges()
        .map((c) => c.path)
        .filter((p) => !before.has(p)),
    ).toEqual(['.github/workflows/fleet.yml']);
    expect(read(tree, '.github/workflows/fleet.yml')).toBe(ciPipelineYaml());
    expect(tree.exists('.gitlab-ci.yml')).toBe(false);
  });

  it('writes .gitlab-ci.yml with --provider gitlab', async () => {
    await generate(tree, { provider: 'gitlab' });
    expect(read(tree, '.gitlab-ci.yml')).toBe(ciPipelineYaml({ provider: 'gitlab' }));
    expect(tree.exists('.github/workflows/fleet.yml')).toBe(false);
  });

  it('passes every pipeline option through', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const options = {
      environment: 'staging',
      registry: 'ghcr.io/acme',
      mainBranch: 'trunk',
      matrix: true,
      nodeVersion: '22',
      remoteCache: false,
    } as const;
    await generate(tree, options);
    expect(read(tree, '.github/workflows/fleet.yml')).toBe(ciPipelineYaml(options));
    const workflow = parse(read(tree, '.github/workflows/fleet.yml')) as {
      env: Record<string, string>;
      jobs: Record<string, unknown>;
    };
    expect(workflow.env).toEqual({ FLEET_REGISTRY: 'ghcr.io/acme' });
    expect(Object.keys(workflow.jobs)).toEqual(['verify', 'plan', 'build', 'release']);
  });

  it('logs in to the registry nx.json configures, and releases the ledger nx.json names', async () => {
    setFleetOptions(tree, { registry: 'registry.example.com/team', release: { ledger: 'ops/fleet-ledger.json' } });
    expect(ciPipelineOptions(tree, {})).toMatchObject({
      configuredRegistry: 'registry.example.com/team',
      ledger: 'ops/fleet-ledger.json',
    });
    await generate(tree);
    const text = read(tree, '.github/workflows/fleet.yml');
    expect(text).toContain('registry="${FLEET_REGISTRY:-registry.example.com/team}"');
    expect(text).toContain("':(exclude)ops/fleet-ledger.json'");
  });

  it('runs the target names nx.json configures', async () => {
    setFleetOptions(tree, { buildTargetName: 'image', scanTargetName: 'vuln-scan', contractTargetName: 'pact-verify' });
    expect(ciPipelineOptions(tree, {})).toMatchObject({
      buildTargetName: 'image',
      scanTargetName: 'vuln-scan',
      contractTargetName: 'pact-verify',
    });
    await generate(tree, { matrix: true });
    const text = read(tree, '.github/workflows/fleet.yml');
    expect(text).toContain('- run: npx nx affected -t lint test typecheck image vuln-scan pact-verify\n');
    expect(text).toContain('run: npx nx run-many -t image,vuln-scan,pact-verify -p "$SERVICE"\n');
  });

  it('refuses a target name the pipeline cannot run, writing nothing', async () => {
    setFleetOptions(tree, { scanTargetName: 'scan; rm -rf /' });
    await expect(generate(tree)).rejects.toThrow(
      'nx-fleet: the target name "scan; rm -rf /" (scanTargetName in nx.json) cannot be written into the pipeline',
    );
    expect(tree.exists('.github/workflows/fleet.yml')).toBe(false);
  });

  it('refuses a ledger outside the workspace, writing nothing', async () => {
    setFleetOptions(tree, { release: { ledger: '../gitops/fleet.json' } });
    await expect(generate(tree)).rejects.toThrow(
      'nx-fleet: the release ledger ../gitops/fleet.json (release.ledger in nx.json) is not a path inside the workspace',
    );
    expect(tree.exists('.github/workflows/fleet.yml')).toBe(false);
  });

  it.each([
    ['github', '.github/workflows/fleet.yml'],
    ['gitlab', '.gitlab-ci.yml'],
  ] as const)(
    'refuses to overwrite an existing %s pipeline without --force, naming the file',
    async (provider, path) => {
      tree.write(path, '# ours\n');
      await expect(generate(tree, { provider })).rejects.toThrow(
        `nx-fleet: ${path} already exists; pass --force to overwrite it.`,
      );
      expect(read(tree, path)).toBe('# ours\n');
    },
  );

  it('overwrites an existing pipeline with --force', async () => {
    tree.write('.github/workflows/fleet.yml', '# ours\n');
    await generate(tree, { force: true, environment: 'staging' });
    expect(read(tree, '.github/workflows/fleet.yml')).toBe(ciPipelineYaml({ environment: 'staging' }));
  });

  it("is not blocked by the other provider's file", async () => {
    tree.write('.gitlab-ci.yml', '# ours\n');
    await generate(tree);
    expect(read(tree, '.gitlab-ci.yml')).toBe('# ours\n');
    expect(tree.exists('.github/workflows/fleet.yml')).toBe(true);
  });

  it('rejects invalid options before writing anything', async () => {
    await expect(generate(tree, { environment: 'prod env' })).rejects.toThrow(
      'nx-fleet: --environment "prod env" is not valid',
    );
    await expect(generate(tree, { provider: 'circleci' as never })).rejects.toThrow(
      '--provider "circleci" is not valid',
    );
    expect(tree.exists('.github/workflows/fleet.yml')).toBe(false);
  });

  it('warns that --matrix is GitHub only, and that a matrix without the remote cache repeats its work', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await generate(tree, { provider: 'gitlab', matrix: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('--matrix is GitHub only'));
    warn.mockClear();
    await generate(tree, { matrix: true, remoteCache: false });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('--matrix without --remoteCache'));
    warn.mockClear();
    await generate(tree, { matrix: true, force: true });
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns when nx-fleet is not registered in nx.json, and still writes the pipeline', async () => {
    const fresh = createTreeWithEmptyWorkspace();
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await generate(fresh);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('nx g nx-fleet:init'));
    expect(fresh.exists('.github/workflows/fleet.yml')).toBe(true);
  });

  it('formats unless --skipFormat, leaving valid YAML', async () => {
    // This repository installs no formatter: Nx says so (on stderr) and leaves the file as written.
    await ciGenerator(tree, { provider: 'gitlab' });
    expect(parse(read(tree, '.gitlab-ci.yml'))).toMatchObject({ stages: ['verify', 'release'] });
  });
});
