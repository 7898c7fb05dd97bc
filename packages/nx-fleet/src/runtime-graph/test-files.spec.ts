import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_FILES } from '../config/options';
import { testFileMatcher } from './test-files';
import { resetWorkerState } from './worker-state';

describe('testFileMatcher', () => {
  beforeEach(resetWorkerState);

  it.each([
    ['apps/api/src/main.spec.ts', true],
    ['main.test.js', true],
    ['apps/api/src/__tests__/x.ts', true],
    ['e2e/flow.ts', true],
    ['apps/web/cypress/support/e2e.ts', true],
    ['apps/api/src/main.ts', false],
    ['apps/api-e2e/src/flow.ts', false],
    ['apps/api/src/spec/helpers.ts', false],
    // NestJS's e2e tests, test helpers in a test/ or tests/ folder.
    ['apps/api/test/app.e2e-spec.ts', true],
    ['apps/webapp/test/utils/replicationUtils.ts', true],
    ['packages/backend/server/tests/utils/user.ts', true],
    ['apps/api/src/testing/fakes.ts', false],
    ['apps/api/src/test-utils.ts', true],
    ['apps/worker/config/webpack.config.js', true],
    ['apps/web/webpack.prod.js', true],
    ['apps/web/vite.config.mts', true],
    ['apps/api/jest.config.ts', true],
    // drizzle-kit's config (starter-monorepo's migrator reads a sibling app's env module through it).
    ['apps/database-migrator/drizzle.config.ts', true],
    ['apps/gateway/codegen.ts', true],
    ['apps/gateway/graphql.config.ts', true],
    ['apps/gateway/.meshrc.ts', true],
    ['apps/gateway/src/codegenerated.ts', false],
    ['apps/web/src/button.stories.tsx', true],
    ['apps/web/.storybook/main.ts', true],
    ['.yarn/releases/yarn-4.5.0.cjs', true],
    ['.pnp.cjs', true],
    ['apps/api/src/app.config.ts', false],
    ['apps/api/src/config/webpack.ts', false],
    ['apps/api/src/webpack-loader.ts', false],
    // Jest's module mocks and the runners' setup files.
    ['apps/web/src/__mocks__/api.ts', true],
    // Mocks stand in for a service (graphql-federation-example's gateway: \`src/mocks/\`, imported by its tests only).
    ['apps/gateway/src/mocks/products.ts', true],
    ['apps/web/src/app/user.service.mock.ts', true],
    ['apps/api/src/fixtures/orders.ts', true],
    ['apps/api/src/__fixtures__/orders.ts', true],
    ['apps/api/src/mockups.ts', false],
    ['apps/api/src/mock-server.ts', false],
    ['apps/web/jest.setup.ts', true],
    ['apps/web/vitest.setup.mts', true],
    ['apps/web/src/setupTests.ts', true],
    // A library's shipped test helpers.
    ['packages/ui/src/test-utils.tsx', true],
    ['packages/ui/src/test-utils/render.tsx', true],
    ['packages/ui/src/utils.ts', false],
    ['apps/web/src/setup.ts', false],
  ])('the defaults: %s is a test file: %s', (file, expected) => {
    expect(testFileMatcher(DEFAULT_TEST_FILES)(file)).toBe(expected);
  });

  it('matches nothing for no globs', () => {
    expect(testFileMatcher([])('a.spec.ts')).toBe(false);
  });

  it('compiles the same globs once per worker, and other globs again', () => {
    const first = testFileMatcher(['**/*.spec.*']);
    expect(testFileMatcher(['**/*.spec.*'])).toBe(first);
    expect(testFileMatcher(['**/*.test.*'])).not.toBe(first);
  });
});
