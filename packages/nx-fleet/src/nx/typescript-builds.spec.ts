import { describe, expect, it } from 'vitest';
import { buildsOnInstall, buildsWorkspaceOnInstall, tscBuildConfigs } from './typescript-builds';

describe('tscBuildConfigs', () => {
  it.each([
    ['tsc --build', ['tsconfig.json']],
    ['tsc -b', ['tsconfig.json']],
    ['tsc -b tsconfig.build.json --verbose', ['tsconfig.build.json']],
    ['rimraf dist && npx tsc --build src', ['src']],
    ['yarn clean; ./node_modules/.bin/tsc -b', ['tsconfig.json']],
    ['pnpm exec tsc --build tsconfig.json', ['tsconfig.json']],
    // An environment set for the command (dittofeed's api): the program is tsc all the same.
    ['NODE_ENV=production tsc --build tsconfig.build.json', ['tsconfig.build.json']],
    ['cross-env NODE_ENV=production npx tsc -b', ['tsconfig.json']],
    ['env CI=1 tsc -b', ['tsconfig.json']],
  ])('%s starts from %j', (script, configs) => {
    expect(tscBuildConfigs(script)).toEqual(configs);
  });

  it.each([
    'tsc',
    'tsc -p tsconfig.build.json',
    'tsup src/index.ts',
    'echo tsc -b',
    'node build.js --build',
    'TSC=1 tsup -b',
  ])('%s compiles no references', (script) => {
    expect(tscBuildConfigs(script)).toBeUndefined();
  });
});

describe('buildsOnInstall', () => {
  it.each([
    [{ postinstall: 'yarn build' }],
    [{ prepare: 'npm run build' }],
    [{ install: 'pnpm run build && echo done' }],
    [{ postinstall: 'npx tsc -p tsconfig.build.json' }],
  ])('%j builds the package when it is installed', (scripts) => {
    expect(buildsOnInstall(scripts)).toBe(true);
  });

  it.each([
    [{ build: 'tsc' }],
    [{ postinstall: 'prisma generate' }],
    [{ prepare: 'husky' }],
    [{ postinstall: 'tsc --noEmit' }],
    [{ postinstall: 'yarn workspace other build' }],
    [{ postinstall: 42 }],
  ])('%j does not', (scripts) => {
    expect(buildsOnInstall(scripts)).toBe(false);
  });
});

describe("buildsWorkspaceOnInstall (the workspace root's install scripts)", () => {
  it.each([
    [{ postinstall: 'gulp build' }],
    [{ postinstall: 'npx gulp build --production' }],
    [{ postinstall: 'yarn workspaces foreach -A run build' }],
    [{ prepare: 'lerna run build' }],
    [{ postinstall: 'yarn build' }],
  ])('%j builds every package when the workspace is installed', (scripts) => {
    expect(buildsWorkspaceOnInstall(scripts)).toBe(true);
  });

  it.each([
    [{ postinstall: 'husky install' }],
    [{ postinstall: 'lerna run build --scope @x/api' }],
    [{ build: 'gulp build' }],
  ])('%j does not', (scripts) => {
    expect(buildsWorkspaceOnInstall(scripts)).toBe(false);
  });
});
