import { describe, expect, it } from 'vitest';
import { DEFAULT_RELEASE_IGNORE } from '../config/defaults';
import {
  parentServiceRoots,
  sharedFileTest,
  sharedPatterns,
  withoutIgnoredInside,
  type DirEntry,
} from './change-rules';

/** A workspace tree as nested objects: a string is a file, an object a folder. */
type Tree = { [name: string]: Tree | string };
function entriesOf(tree: Tree) {
  return (dir: string): DirEntry[] => {
    let node: Tree | string | undefined = tree;
    for (const part of dir ? dir.split('/') : []) node = typeof node === 'object' ? node[part] : undefined;
    return typeof node === 'object'
      ? Object.entries(node).map(([name, value]) => ({ name, isDirectory: typeof value === 'object' }))
      : [];
  };
}

const workspace: Tree = {
  'nx.json': '',
  'package.json': '',
  'package-lock.json': '',
  'README.md': '',
  'tsconfig.base.json': '',
  node_modules: { x: '' },
  dist: { y: '' },
  '.git': { HEAD: '' },
  docs: { 'guide.md': '', 'diagram.png': '' },
  scripts: { 'deploy.sh': '' },
  docker: { 'base.Dockerfile': '' },
  deploy: { 'fleet.json': '', 'kustomization.yaml': '' },
  services: {
    'README.md': '',
    'shared.env': '',
    orders: { 'project.json': '', sdk: { 'project.json': '' } },
    payments: { 'project.json': '' },
  },
  libs: { money: { 'project.json': '' } },
};

describe('sharedPatterns (rule b: files outside every project affect every service)', () => {
  it('lists what is outside every project, skipping what Nx already handles, build output and the ignored documentation', () => {
    const patterns = sharedPatterns({
      projectRoots: ['.', 'services/orders', 'services/orders/sdk', 'services/payments', 'libs/money'],
      entriesOf: entriesOf(workspace),
      ignore: [...DEFAULT_RELEASE_IGNORE, 'deploy/fleet.json'],
    });
    // The ledger's folder is listed entry by entry: the ledger a release writes must not affect every service.
    expect(patterns).toEqual([
      'deploy/kustomization.yaml',
      'docker/**',
      'scripts/**',
      'services/shared.env',
      'tsconfig.base.json',
    ]);
  });

  it('honours a custom ignore list, as folders or single files', () => {
    const patterns = sharedPatterns({
      projectRoots: ['services/orders', 'services/payments', 'libs/money'],
      entriesOf: entriesOf(workspace),
      ignore: ['scripts/**', 'deploy/**', 'tsconfig.base.json'],
    });
    expect(patterns).toEqual(['README.md', 'docker/**', 'docs/**', 'services/README.md', 'services/shared.env']);
  });
});

describe('withoutIgnoredInside (a shared folder as its paths that are not ignored)', () => {
  // Huly's foundations/net: a vendored repository outside every project, with docs/ of Markdown only.
  const files = [
    'foundations/net/README.md',
    'foundations/net/docs/guide.md',
    'foundations/net/docs/api/index.md',
    'foundations/net/src/main.rs',
    'foundations/net/src/lib/io.rs',
    'foundations/net/Cargo.toml',
    'scripts/deploy.sh',
    'scripts/lib/common.sh',
    'tools/notes.md',
    'services/api/src/main.ts',
  ];
  const patterns = ['foundations/net/**', 'scripts/**', 'tools/**', 'tsconfig.base.json'];

  it('lists files by name and subfolders holding no ignored file whole; a folder of ignored files only is gone', () => {
    expect(withoutIgnoredInside(patterns, files, DEFAULT_RELEASE_IGNORE)).toEqual([
      'foundations/net/Cargo.toml',
      'foundations/net/src/**',
      'scripts/**',
      'tsconfig.base.json',
    ]);
    // The release's own rule for one file agrees with each input.
    const shared = sharedFileTest(['services/api'], DEFAULT_RELEASE_IGNORE);
    expect(files.filter(shared)).toEqual([
      'foundations/net/src/main.rs',
      'foundations/net/src/lib/io.rs',
      'foundations/net/Cargo.toml',
      'scripts/deploy.sh',
      'scripts/lib/common.sh',
    ]);
  });

  it("takes no service's own Dockerfile outside its folder for a shared file", () => {
    const shared = sharedFileTest(['packages/a', 'packages/b'], DEFAULT_RELEASE_IGNORE, [
      'Dockerfile.a',
      'Dockerfile.a.dockerignore',
    ]);
    expect(['Dockerfile.a', 'Dockerfile.a.dockerignore', 'deploy.sh'].filter(shared)).toEqual(['deploy.sh']);
  });

  it('keeps a folder whole past the limit, and patterns without folders as they are', () => {
    expect(withoutIgnoredInside(patterns, files, DEFAULT_RELEASE_IGNORE, 0)).toEqual([
      'foundations/net/**',
      'scripts/**',
      'tsconfig.base.json',
    ]);
    expect(withoutIgnoredInside(['README.sh', 'docker/Dockerfile'], files, DEFAULT_RELEASE_IGNORE)).toEqual([
      'README.sh',
      'docker/Dockerfile',
    ]);
  });
});

/** A repository shaped like a real one: CI, editor, changeset, bot and licence files around its projects. */
const realRepo: Tree = {
  '.github': { workflows: { 'ci.yml': '' }, 'dependabot.yml': '', CODEOWNERS: '' },
  '.gitlab': { merge_request_templates: { 'default.md': '' } },
  '.gitlab-ci.yml': '',
  // iqb-berlin's GitLab includes and job image.
  '.gitlab-ci': { 'release.gitlab-ci.yml': '', 'CICD.Dockerfile': '' },
  '.ci': { 'compose.ci.yaml': '' },
  '.circleci': { 'config.yml': '' },
  '.buildkite': { 'pipeline.yml': '' },
  '.vscode': { 'settings.json': '' },
  '.idea': { 'workspace.xml': '' },
  // JetBrains' shared run configurations (ticketpond's).
  '.run': { 'All Tests.run.xml': '' },
  '.changeset': { 'x.md': '', 'config.json': '' },
  '.husky': { 'pre-commit': '' },
  '.devcontainer': { Dockerfile: '', 'devcontainer.json': '' },
  '.claude': { 'settings.json': '' },
  // Coding agents' plans, skills and rules (documenso's).
  '.agents': { skills: { 'review.json': '' } },
  '.opencode': { 'agent.json': '' },
  '.cursorrules': '',
  // An editor's settings (andeo-lunch's).
  '.editorconfig': '',
  docs: { 'guide.md': '' },
  'CHANGELOG.md': '',
  LICENSE: '',
  'LICENSE-APACHE': '',
  'CITATION.cff': '',
  'renovate.json': '',
  '.renovaterc.json': '',
  'npm-debug.log': '',
  scripts: { 'deploy.sh': '' },
  services: { api: { 'project.json': '', 'server.ts': '' } },
};
const realFiles = (tree: Tree, dir = ''): string[] =>
  Object.entries(tree).flatMap(([name, value]) => {
    const path = dir ? `${dir}/${name}` : name;
    return typeof value === 'object' ? realFiles(value, path) : [path];
  });

describe('the default release ignore list (rule b and the release hash)', () => {
  it('shares only what can reach an image or a deployment', () => {
    const patterns = sharedPatterns({
      projectRoots: ['services/api'],
      entriesOf: entriesOf(realRepo),
      ignore: DEFAULT_RELEASE_IGNORE,
    });
    expect(patterns).toEqual(['scripts/**']);
  });

  it('gives the release hash the same shared files, file by file', () => {
    const shared = sharedFileTest(['services/api'], DEFAULT_RELEASE_IGNORE);
    expect(realFiles(realRepo).filter(shared)).toEqual(['scripts/deploy.sh']);
  });

  it.each([
    ['.github/workflows/ci.yml', false],
    ['.changeset/x.md', false],
    ['renovate.json', false],
    ['LICENSE', false],
    ['scripts/deploy.sh', true],
    ['docker/base.Dockerfile', true],
    ['tools/README.md', false],
    ['tools/run.log', false],
    ['tools/license-check.ts', true],
  ])('%s shared: %s', (file, shared) => {
    expect(sharedFileTest([], DEFAULT_RELEASE_IGNORE)(file)).toBe(shared);
  });

  it('shares everything again when release.ignore replaces the defaults with an empty list', () => {
    const patterns = sharedPatterns({ projectRoots: ['services/api'], entriesOf: entriesOf(realRepo), ignore: [] });
    expect(patterns).toEqual(expect.arrayContaining(['.github/**', '.changeset/**', 'LICENSE', 'renovate.json']));
  });
});

describe('parentServiceRoots (rule c: a change in a parent service folder affects the nested service)', () => {
  it('finds the service folders around a nested service, not siblings or look-alikes', () => {
    const roots = new Set(['services/api', 'services/api/worker', 'services/api-gateway', 'services/api/worker/cron']);
    expect(parentServiceRoots('services/api/worker/cron', roots)).toEqual(['services/api', 'services/api/worker']);
    expect(parentServiceRoots('services/api-gateway', roots)).toEqual([]);
    expect(parentServiceRoots('services/api', roots)).toEqual([]);
    // A service at the workspace root holds every other one, and is no parent: its own files are rule (b)'s.
    expect(parentServiceRoots('services/api', new Set(['.', 'services/api']))).toEqual([]);
    expect(parentServiceRoots('.', new Set(['.', 'services/api']))).toEqual([]);
  });
});
