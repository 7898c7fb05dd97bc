import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'node',
    // Unit tests touch no tool and no network; a slow one is a design smell.
    testTimeout: 5000,
  },
});
