import { describe, expect, it } from 'vitest';
import { bareSpecifierFilter, isRelativeSpecifier } from './specifier-filter';

describe('bareSpecifierFilter', () => {
  const mayReach = bareSpecifierFilter({
    packageNames: ['@acme/orders', '@acme/core', 'shared'],
    aliases: ['@libs/ui', '@sdk/*', '~/*', '@acme/*-sdk', '#config'],
    topFolders: ['services', 'libs'],
  });

  it.each([
    ['@acme/orders', true],
    ['@acme/orders/client', true],
    ['@acme/orders/a/b', true],
    ['@acme/core', true],
    ['shared', true],
    ['shared/x', true],
    ['@libs/ui', true],
    ['@libs/ui/button', true],
    ['@sdk/payments', true],
    ['~/anything', true],
    ['@acme/billing-sdk', true],
    ['#config', true],
    ['services/orders/sdk/src', true],
    ['libs/x', true],
    // Whole specifiers: a longer name that only starts the same is another package.
    ['@acme/orders-ui', false],
    ['@acme/ordersx', false],
    ['@acme/order', false],
    ['sharedx', false],
    ['@libs/uikit', false],
    ['@sdk', false],
    ['express', false],
    ['node:path', false],
    ['zod', false],
    ['services', false],
    ['servicesx/a', false],
    ['@acme', false],
  ])('%s may reach a project: %s', (specifier, expected) => {
    expect(mayReach(specifier)).toBe(expected);
  });

  it('matches nothing when the workspace names nothing', () => {
    const none = bareSpecifierFilter({ packageNames: [], aliases: [], topFolders: [] });
    expect(none('@acme/orders')).toBe(false);
  });

  it('a "*" alias matches every bare specifier', () => {
    expect(bareSpecifierFilter({ packageNames: [], aliases: ['*'], topFolders: [] })('express')).toBe(true);
  });
});

describe('isRelativeSpecifier', () => {
  it.each([
    ['./a', true],
    ['../a', true],
    ['.', true],
    ['..', true],
    ['.a', false],
    ['..a', false],
    ['a/./b', false],
    ['@acme/x', false],
  ])('%s: %s', (specifier, expected) => {
    expect(isRelativeSpecifier(specifier)).toBe(expected);
  });
});
