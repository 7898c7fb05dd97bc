import { describe, expect, it } from 'vitest';
import { tscBuildConfigs } from './typescript-builds';

describe('tscBuildConfigs', () => {
  it.each([
    ['tsc --build', ['tsconfig.json']],
    ['tsc -b', ['tsconfig.json']],
    ['tsc -b tsconfig.build.json --verbose', ['tsconfig.build.json']],
    ['rimraf dist && npx tsc --build src', ['src']],
    ['yarn clean; ./node_modules/.bin/tsc -b', ['tsconfig.json']],
    ['pnpm exec tsc --build tsconfig.json', ['tsconfig.json']],
  ])('%s starts from %j', (script, configs) => {
    expect(tscBuildConfigs(script)).toEqual(configs);
  });

  it.each(['tsc', 'tsc -p tsconfig.build.json', 'tsup src/index.ts', 'echo tsc -b', 'node build.js --build'])(
    '%s compiles no references',
    (script) => {
      expect(tscBuildConfigs(script)).toBeUndefined();
    },
  );
});
