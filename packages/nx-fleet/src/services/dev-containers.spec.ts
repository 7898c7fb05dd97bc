import { describe, expect, it } from 'vitest';
import { devContainerDockerfiles } from './dev-containers';

describe('devContainerDockerfiles', () => {
  it("names the Dockerfiles dev container configurations build, directly or as their compose service (Requarks/wiki's dev/containers)", () => {
    const texts: Record<string, string> = {
      '.devcontainer/devcontainer.json':
        '{\n  // the editor\'s container\n  "dockerComposeFile": ["../dev/containers/docker-compose.yml"],\n  "service": "wiki",\n}\n',
      'dev/containers/docker-compose.yml':
        'services:\n  db:\n    build: ./db\n  wiki:\n    build:\n      context: ../..\n      dockerfile: dev/containers/Dockerfile\n',
      'apps/web/.devcontainer/node/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile.dev" } }',
      'tools/.devcontainer.json': '{ "dockerFile": "../images/dev.Dockerfile" }',
      'escape/.devcontainer.json': '{ "dockerFile": "../../outside/Dockerfile" }',
      'broken/.devcontainer/devcontainer.json': '{ "service": "x", "dockerComposeFile": "missing.yml"',
      'apps/api/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }',
    };
    expect([...devContainerDockerfiles(Object.keys(texts), (path) => texts[path])].sort()).toEqual([
      'apps/web/.devcontainer/node/Dockerfile.dev',
      'dev/containers/Dockerfile',
      'images/dev.Dockerfile',
    ]);
  });
});
