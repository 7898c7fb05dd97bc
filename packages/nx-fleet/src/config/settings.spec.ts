import { describe, expect, it } from 'vitest';
import { setting } from './settings';

describe('setting', () => {
  it.each([
    [{ FLEET_REGISTRY: 'env.example/acme' }, 'option.example', 'env.example/acme'],
    [{}, 'option.example', 'option.example'],
    [{ FLEET_REGISTRY: '' }, 'option.example', 'option.example'],
    [{}, undefined, undefined],
    [{ FLEET_REGISTRY: '' }, '', undefined],
  ])('env %j with option %j gives %j', (env, option, expected) => {
    expect(setting(env, 'registry', option)).toBe(expected);
  });
});
