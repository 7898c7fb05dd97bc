import { describe, expect, it } from 'vitest';
import { contains, resolveOwnership, SDK_TAG_PREFIX, type ProjectInfo, type SdksOption } from './sdk-ownership';

const service = (name: string, root: string, extra: Partial<ProjectInfo> = {}): ProjectInfo => ({
  name,
  root,
  tags: [],
  isService: true,
  ...extra,
});
const lib = (name: string, root: string, extra: Partial<ProjectInfo> = {}): ProjectInfo => ({
  name,
  root,
  tags: [],
  isService: false,
  ...extra,
});

/** SDK → its owners, comma-separated. */
const owners = (projects: ProjectInfo[], sdks?: SdksOption) =>
  Object.fromEntries([...resolveOwnership(projects, sdks).sdkOwners].map(([sdk, list]) => [sdk, list.join(', ')]));

describe('resolveOwnership: the folder convention', () => {
  it("makes a non-service project nested in a service folder that service's SDK", () => {
    expect(
      owners([
        service('orders', 'services/orders'),
        lib('orders-sdk', 'services/orders/sdk'),
        lib('shared', 'libs/shared'),
      ]),
    ).toEqual({ 'orders-sdk': 'orders' });
  });

  it('claims projects nested at any depth, by the deepest enclosing service', () => {
    const projects = [
      service('orders', 'services/orders'),
      service('billing', 'services/orders/billing'),
      lib('billing-sdk', 'services/orders/billing/sdk'),
      lib('orders-client', 'services/orders/clients/http'),
    ];
    expect(owners(projects)).toEqual({ 'billing-sdk': 'billing', 'orders-client': 'orders' });
  });

  it('never makes a service nested in another service an SDK of the outer one', () => {
    const ownership = resolveOwnership([
      service('orders', 'services/orders'),
      service('billing', 'services/orders/billing'),
    ]);
    expect(ownership.sdkOwners.size).toBe(0);
    expect(ownership.problems).toEqual([]);
  });

  it('does not let a sibling folder that merely shares a name prefix count as nested', () => {
    expect(owners([service('orders', 'services/orders'), lib('orders-ui', 'services/orders-ui')])).toEqual({});
  });

  it('never lets a root "." service claim every project in the workspace', () => {
    expect(owners([service('gateway', '.'), lib('shared', 'libs/shared'), lib('client', 'gateway-client')])).toEqual(
      {},
    );
  });

  it('still applies the folder convention below other services when one service sits at the root', () => {
    expect(
      owners([service('gateway', '.'), service('orders', 'services/orders'), lib('orders-sdk', 'services/orders/sdk')]),
    ).toEqual({ 'orders-sdk': 'orders' });
  });
});

describe('resolveOwnership: the tag convention', () => {
  it(`makes a project tagged ${SDK_TAG_PREFIX}<service> that service's SDK, wherever it lives`, () => {
    const projects = [
      service('orders', 'services/orders'),
      lib('orders-client', 'libs/clients/orders', { tags: ['scope:shared', 'fleet:sdk-of:orders'] }),
    ];
    expect(owners(projects)).toEqual({ 'orders-client': 'orders' });
  });

  it('wins over the folder convention', () => {
    const projects = [
      service('orders', 'services/orders'),
      service('payments', 'services/payments'),
      lib('sdk', 'services/orders/sdk', { tags: ['fleet:sdk-of:payments'] }),
    ];
    expect(owners(projects)).toEqual({ sdk: 'payments' });
  });

  it('reports a tag naming no service, and the project then falls back to the folder convention', () => {
    const projects = [
      service('orders', 'services/orders'),
      lib('shared', 'libs/shared'),
      lib('sdk', 'services/orders/sdk', { tags: ['fleet:sdk-of:shared'] }),
      lib('x', 'libs/x', { tags: ['fleet:sdk-of:ghost'] }),
    ];
    const ownership = resolveOwnership(projects);
    expect(Object.fromEntries(ownership.sdkOwners)).toEqual({ sdk: ['orders'] });
    expect(ownership.problems).toHaveLength(2);
    expect(ownership.problems[0]).toContain('"shared"');
    expect(ownership.problems[0]).toContain('fleet:sdk-of:shared');
    expect(ownership.problems[1]).toContain('"ghost"');
  });

  it('never makes a tagged service an SDK', () => {
    expect(
      owners([
        service('orders', 'services/orders'),
        service('payments', 'services/payments', { tags: ['fleet:sdk-of:orders'] }),
      ]),
    ).toEqual({});
  });
});

describe('resolveOwnership: the sdks plugin option', () => {
  it('names SDKs by project name', () => {
    expect(owners([service('orders', 'services/orders'), lib('client', 'libs/client')], { client: 'orders' })).toEqual({
      client: 'orders',
    });
  });

  it('names SDKs by package name', () => {
    expect(
      owners(
        [service('orders', 'services/orders'), lib('client', 'libs/client', { packageName: '@acme/orders-client' })],
        { '@acme/orders-client': 'orders' },
      ),
    ).toEqual({ client: 'orders' });
  });

  it('wins over a tag and over the folder convention', () => {
    const projects = [
      service('orders', 'services/orders'),
      service('payments', 'services/payments'),
      service('users', 'services/users'),
      lib('a', 'services/orders/sdk', { tags: ['fleet:sdk-of:users'] }),
    ];
    expect(owners(projects, { a: 'payments' })).toEqual({ a: 'payments' });
  });

  it('reports keys that are no project or package, and owners that are no service', () => {
    const projects = [service('orders', 'services/orders'), lib('client', 'libs/client'), lib('shared', 'libs/shared')];
    const ownership = resolveOwnership(projects, { ghost: 'orders', client: 'shared', shared: 'nobody' });
    expect(ownership.sdkOwners.size).toBe(0);
    expect(ownership.problems).toHaveLength(3);
    expect(ownership.problems[0]).toMatch(
      /sdks names "ghost", which is no workspace project or package, nor a path of one/,
    );
    expect(ownership.problems[1]).toMatch(/sdks\["client"\] names "shared".*not a service/);
    expect(ownership.problems[2]).toMatch(/sdks\["shared"\] names "nobody".*not a service/);
  });

  it('declares a plain library with an empty list, a service of its own included: importing it calls nothing', () => {
    const projects = [
      service('web', 'apps/web'),
      service('db', 'packages/db', { packageName: '@acme/db' }),
      lib('orders-sdk', 'packages/db/sdk', { tags: ['fleet:sdk-of:web'] }),
      lib('core', 'packages/core', { packageName: '@acme/core' }),
    ];
    const ownership = resolveOwnership(projects, { '@acme/db': [], 'orders-sdk': [], '@acme/core/internal': [] });
    expect(ownership.problems).toEqual([]);
    expect(ownership.ownersOfFile('packages/db/src/schema.ts')).toEqual([]);
    expect(ownership.ownersOfProject('orders-sdk')).toEqual([]);
    expect(ownership.ownersOfSpecifier('@acme/core/internal/x')).toEqual([]);
    expect(ownership.ownersOfFile('apps/web/src/main.ts')).toEqual(['web']);
    expect(resolveOwnership(projects, {}).ownersOfFile('packages/db/src/schema.ts')).toEqual(['db']);
  });

  it('never makes a service an SDK, and reports nothing for it', () => {
    const ownership = resolveOwnership(
      [service('orders', 'services/orders'), service('payments', 'services/payments')],
      { payments: 'orders' },
    );
    expect(ownership.sdkOwners.size).toBe(0);
    expect(ownership.problems).toEqual([]);
  });
});

describe('resolveOwnership: several owners', () => {
  const projects = [
    service('api', 'services/api'),
    service('realtime', 'services/realtime'),
    service('orders', 'services/orders'),
    lib('client', 'libs/client', { packageName: '@acme/client' }),
  ];

  it.each<[string, SdksOption, Record<string, string>, number]>([
    ['one owner', { '@acme/client': 'api' }, { client: 'api' }, 0],
    ['a list of owners', { '@acme/client': ['api', 'realtime'] }, { client: 'api, realtime' }, 0],
    ['a list of one', { client: ['realtime'] }, { client: 'realtime' }, 0],
    ['a repeated owner, once', { client: ['api', 'api', 'realtime'] }, { client: 'api, realtime' }, 0],
    ['a list with a non-service: the others, and a problem', { client: ['api', 'ghost'] }, { client: 'api' }, 1],
    ['a list of non-services: nothing, and a problem each', { client: ['ghost', 'nobody'] }, {}, 2],
    ['an empty list: a plain library, no problem', { client: [] }, {}, 0],
    ['no string: nothing, and a problem', { client: [42] as unknown as string[] }, {}, 1],
  ])('%s', (_name, sdks, expected, problems) => {
    expect(owners(projects, sdks)).toEqual(expected);
    expect(resolveOwnership(projects, sdks).problems).toHaveLength(problems);
  });

  it('takes several fleet:sdk-of tags as several owners', () => {
    const tagged = lib('client', 'libs/client', { tags: ['fleet:sdk-of:api', 'x', 'fleet:sdk-of:realtime'] });
    expect(owners([...projects.slice(0, 3), tagged])).toEqual({ client: 'api, realtime' });
  });

  it('lets the option win over the tags as a whole, not owner by owner', () => {
    const tagged = lib('client', 'libs/client', { tags: ['fleet:sdk-of:api', 'fleet:sdk-of:realtime'] });
    expect(owners([...projects.slice(0, 3), tagged], { client: 'orders' })).toEqual({ client: 'orders' });
  });
});

describe('resolveOwnership: subpath keys', () => {
  const projects = [
    service('webapp', 'apps/webapp'),
    service('workers', 'apps/workers'),
    service('mailer', 'apps/mailer'),
    lib('core', 'packages/core', { packageName: '@acme/core' }),
  ];
  const ownership = resolveOwnership(projects, {
    '@acme/core': 'webapp',
    '@acme/core/v3': 'mailer',
    '@acme/core/v3/workers': 'workers',
    '@acme/core/v4/both': ['workers', 'mailer'],
  });

  describe('by the path each key names (a package subpath, or where a tsconfig paths alias maps it)', () => {
    const paths: Record<string, string> = {
      '@acme/core/v3': 'packages/core/src/v3',
      '@acme/core/v3/workers': 'packages/core/src/v3/workers',
      '@app/common/proto/users': 'libs/common/src/proto/users',
    };
    const placed = resolveOwnership(
      [...projects, lib('common', 'libs/common')],
      { '@acme/core/v3': 'mailer', '@acme/core/v3/workers': 'workers', '@app/common/proto/users': 'webapp' },
      (key) => (paths[key] === undefined ? undefined : { path: paths[key]!, exists: true }),
    );

    it.each([
      ['packages/core/src/v3/workers/queue.ts', 'workers'],
      ['packages/core/src/v3/workers.d.ts', 'workers'],
      ['packages/core/src/v3/mail.ts', 'mailer'],
      ['packages/core/src/v3-old/mail.ts', undefined],
      ['libs/common/src/proto/users.ts', 'webapp'],
      ['libs/common/src/proto/users_pb.ts', undefined],
      ['libs/common/src/index.ts', undefined],
    ])('%s: the deepest path holding it names %s', (file, expected) => {
      expect(placed.ownersOfModule(file)?.join(', ')).toBe(expected);
    });

    it('a key an alias maps into a project with no package name is a path of that project', () => {
      expect(placed.problems).toEqual([]);
      expect(placed.packageOfSpecifier('@app/common/proto/users')).toBe('common');
      expect([...placed.keyedProjects].sort()).toEqual(['common', 'core']);
    });
  });

  it.each([
    ['@acme/core/v3/workers', 'workers'],
    ['@acme/core/v3/workers/queue', 'workers'],
    ['@acme/core/v3/workers/queue/deep', 'workers'],
    ['@acme/core/v3', 'mailer'],
    ['@acme/core/v3/mail', 'mailer'],
    ['@acme/core/v3/workers-ui', 'mailer'],
    ['@acme/core/v4/both', 'workers, mailer'],
    ['@acme/core/v4', undefined],
    ['@acme/core', undefined],
    ['@acme/core/v', undefined],
    ['@acme/other/v3/workers', undefined],
    ['./v3/workers', undefined],
  ])('%s: the longest matching key names %s', (specifier, expected) => {
    expect(ownership.ownersOfSpecifier(specifier)?.join(', ')).toBe(expected);
  });

  it('leaves the package key to the project itself', () => {
    expect(Object.fromEntries(ownership.sdkOwners)).toEqual({ core: ['webapp'] });
    expect(ownership.problems).toEqual([]);
  });

  it.each([
    [
      'a subpath of no workspace package',
      { '@acme/nowhere/v3': 'workers' },
      /which is no workspace project or package, nor a path of one/,
    ],
    ['a name that only starts like a package', { '@acme/core-x/v3': 'workers' }, /nor a path of one/],
    [
      'a subpath owned by no service',
      { '@acme/core/v3': 'core' },
      /sdks\["@acme\/core\/v3"\] names "core".*not a service/,
    ],
  ])('reports %s', (_name, sdks, problem) => {
    const bad = resolveOwnership(projects, sdks);
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatch(problem);
    expect(bad.ownersOfSpecifier('@acme/core/v3/x')).toBeUndefined();
  });
});

describe('resolveOwnership: ownersOfFile and projectOfFile', () => {
  const projects = [
    service('gateway', '.'),
    service('orders', 'services/orders'),
    service('billing', 'services/orders/billing'),
    lib('orders-sdk', 'services/orders/sdk'),
    lib('client', 'libs/client', { tags: ['fleet:sdk-of:billing'] }),
    lib('shared', 'libs/shared'),
  ];
  const ownership = resolveOwnership(projects);

  it.each([
    ['services/orders/src/routes.ts', 'orders', 'orders'],
    ['services/orders/billing/src/main.ts', 'billing', 'billing'],
    ['services/orders/sdk/src/index.ts', 'orders-sdk', 'orders'],
    ['libs/client/src/index.ts', 'client', 'billing'],
    ['libs/shared/src/index.ts', 'shared', ''],
    // A root service's folder is every loose file: no one calls it by importing one.
    ['tools/script.ts', 'gateway', ''],
    ['services/orders-ui/x.ts', 'gateway', ''],
    ['services/orders/../orders/src/x.ts', 'orders', 'orders'],
  ])('%s belongs to project %s, owned by "%s" (the deepest root wins)', (file, project, owner) => {
    expect(ownership.projectOfFile(file)).toBe(project);
    expect(ownership.ownersOfFile(file).join(', ')).toBe(owner);
    expect(ownership.ownersOfProject(project).join(', ')).toBe(owner);
  });

  it('owns nothing outside every project', () => {
    const noRoot = resolveOwnership([service('orders', 'services/orders'), lib('shared', 'libs/shared')]);
    expect(noRoot.projectOfFile('tools/x.ts')).toBeUndefined();
    expect(noRoot.ownersOfFile('tools/x.ts')).toEqual([]);
    expect(noRoot.ownersOfFile('libs/shared/x.ts')).toEqual([]);
    expect(noRoot.ownersOfProject('ghost')).toEqual([]);
  });
});

describe('contains', () => {
  it.each([
    ['.', 'anything/at/all.ts', true],
    ['', 'x.ts', true],
    ['services/orders', 'services/orders', true],
    ['services/orders', 'services/orders/src/a.ts', true],
    ['services/orders', './services/orders/a.ts', true],
    ['services/orders', 'services/orders-ui/a.ts', false],
    ['services/orders', 'services/order', false],
    ['services/orders', 'services/orders/../payments/a.ts', false],
    ['services/orders', 'libs/services/orders/a.ts', false],
  ])('contains(%j, %j) is %s', (root, path, expected) => {
    expect(contains(root, path)).toBe(expected);
  });
});
