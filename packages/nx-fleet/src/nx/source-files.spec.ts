import { describe, expect, it } from 'vitest';
import { filesByProject } from './source-files';

const f = (file: string) => ({ file, hash: `h-${file}` });

describe('filesByProject', () => {
  const projects = [
    { name: 'orders', root: 'services/orders' },
    { name: 'orders-sdk', root: 'services/orders/sdk' },
    { name: 'money', root: 'libs/money' },
  ];

  it('gives a file to the deepest project root holding it, the rest to no project', () => {
    const files = [
      f('services/orders/src/main.ts'),
      f('services/orders/sdk/src/index.ts'),
      f('services/orders-legacy/main.ts'),
      f('libs/money/index.ts'),
      f('tsconfig.base.json'),
    ];
    expect(filesByProject(files, projects)).toEqual({
      projectFiles: {
        orders: [f('services/orders/src/main.ts')],
        'orders-sdk': [f('services/orders/sdk/src/index.ts')],
        money: [f('libs/money/index.ts')],
      },
      otherFiles: [f('services/orders-legacy/main.ts'), f('tsconfig.base.json')],
    });
  });

  it('gives files outside every other project to a project at the workspace root', () => {
    const files = [f('package.json'), f('libs/money/index.ts'), f('src/app.ts')];
    expect(filesByProject(files, [...projects, { name: 'root', root: '.' }])).toEqual({
      projectFiles: {
        orders: [],
        'orders-sdk': [],
        money: [f('libs/money/index.ts')],
        root: [f('package.json'), f('src/app.ts')],
      },
      otherFiles: [],
    });
  });
});
