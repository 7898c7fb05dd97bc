import { describe, expect, it } from 'vitest';
import { DEFAULT_RELEASE_IGNORE } from '../config/defaults';
import { parentServiceRoots, sharedPatterns, type DirEntry } from './change-rules';

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
    expect(patterns).toEqual(['docker/**', 'docs/**', 'README.md', 'services/README.md', 'services/shared.env']);
  });
});

describe('parentServiceRoots (rule c: a change in a parent service folder affects the nested service)', () => {
  it('finds the service folders around a nested service, not siblings or look-alikes', () => {
    const roots = ['services/api', 'services/api/worker', 'services/api-gateway', 'services/api/worker/cron'];
    expect(parentServiceRoots('services/api/worker/cron', roots)).toEqual(['services/api', 'services/api/worker']);
    expect(parentServiceRoots('services/api-gateway', roots)).toEqual([]);
    expect(parentServiceRoots('services/api', roots)).toEqual([]);
  });
});
