import type { BuildRequest } from '../engines/engine';

/**
 * A fresh BuildRequest for unit tests: one tag, an iidfile, every list and map empty; `overrides`
 * replace whole fields. Test-only: tsconfig.lib.json excludes every `testing` folder, so it is not shipped.
 */
export function buildRequest(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    dockerfile: '/ws/services/a/Dockerfile',
    context: '/ws/services/a',
    tags: ['acme/a:ct-0123'],
    buildArgs: {},
    platforms: [],
    labels: {},
    secrets: [],
    cacheFrom: [],
    cacheTo: [],
    iidFile: '/tmp/iid',
    ...overrides,
  };
}
