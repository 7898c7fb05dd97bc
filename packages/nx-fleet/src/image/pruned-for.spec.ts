import { describe, expect, it } from 'vitest';
import { DockerfileReading } from './dockerfile-copies';
import { argumentValue, namedBuildFor, prunedFor, pruneSelectors, selectorArguments } from './pruned-for';

const PROJECTS = [
  { name: 'remix', root: 'apps/remix', packageName: '@documenso/remix' },
  { name: 'api', root: 'apps/api', packageName: '@dokploy/api' },
  { name: 'workers', root: 'apps/workers', packageName: '@karakeep/workers' },
  { name: 'webapp', root: 'apps/webapp' },
  { name: 'server', root: 'packages/server', packageName: '@dokploy/server' },
  { name: 'entity-service', root: 'apps/entity-service' },
];

describe('pruneSelectors', () => {
  it.each([
    ['rush deploy --project @acme/api --target-folder ./prod', ['@acme/api']],
    ['node common/scripts/install-run-rush.js deploy -p api', ['api']],
    ['turbo prune --scope=@documenso/remix --docker', ['@documenso/remix']],
    ['npx -q turbo@2.10.0 prune --scope webapp --docker', ['webapp']],
    ['turbo prune api web --docker', ['api', 'web']],
    ['pnpm --filter=./apps/api --prod deploy --legacy /prod/api', ['./apps/api']],
    [
      'CI=true pnpm deploy --node-linker=isolated --legacy --filter @karakeep/workers --prod /prod/workers',
      ['@karakeep/workers'],
    ],
    ['yarn workspaces focus --production api', ['api']],
    ['--mount=type=cache,target=/pnpm pnpm -F api... deploy /out', ['api...']],
    ['npm prune --omit=dev --workspace=api', ['api']],
    ['npm ci && npm prune --production -w @dokploy/api', ['@dokploy/api']],
    // A pnpm install filtered to packages (langwatch's main image).
    ['CI=true pnpm install --frozen-lockfile --filter "@langwatch/web..."', ['@langwatch/web...']],
    ['pnpm --filter api... install --prod', ['api...']],
    ['pnpm i -F api', ['api']],
    ['bun install --frozen-lockfile --filter server', ['server']],
    ['bun i -F "@acme/api"', ['@acme/api']],
    ['bun run --filter server build', []],
    // Installs and builds prune nothing.
    ['pnpm --filter=@dokploy/server build && pnpm install --frozen-lockfile', []],
    ['npm prune --omit=dev', []],
  ])('%s', (run, expected) => {
    expect(pruneSelectors(run)).toEqual(expected);
  });

  it("follows a root script that runs one (streamr's `npm run prune-pkg -- @streamr/node`)", () => {
    const scripts = {
      'prune-pkg': 'npm prune --no-audit --include-workspace-root --production --workspace',
      build: 'tsc',
    };
    expect(pruneSelectors('npm ci && npm run prune-pkg -- @streamr/node', scripts)).toEqual(['@streamr/node']);
    expect(pruneSelectors('npm run build -- api', scripts)).toEqual([]);
    expect(pruneSelectors('npm run prune-pkg -- @streamr/node')).toEqual([]);
  });
});

describe('prunedFor', () => {
  it.each([
    [
      "documenso's docker/Dockerfile",
      'FROM node:22 AS builder\nCOPY . .\nRUN turbo prune --scope=@documenso/remix --docker\nFROM node:22 AS runner\nCOPY --from=builder /app/out .\n',
      'remix',
    ],
    [
      "dokploy's Dockerfile.server (a folder selector)",
      'FROM node:20 AS build\nCOPY . .\nRUN pnpm --filter=@dokploy/server build\nRUN pnpm --filter=./apps/api --prod deploy --legacy /prod/api\nFROM node:20\nCOPY --from=build /prod/api /app\n',
      'api',
    ],
    [
      "langwatch's infra/docker/Dockerfile (a pnpm install filtered to the package)",
      'FROM node:22-alpine\nCOPY pnpm-workspace.yaml pnpm-lock.yaml package.json ./\nCOPY apps/workers/package.json ./apps/workers/\nRUN CI=true pnpm install --frozen-lockfile --filter "@karakeep/workers..."\nCOPY apps/workers ./apps/workers\nCMD ["node", "apps/workers/index.js"]\n',
      'workers',
    ],
  ])('%s', (_, text, project) => {
    expect(prunedFor(text, PROJECTS)?.project).toBe(project);
  });

  it.each([
    ['no prune tool', 'FROM node:20\nCOPY . .\nRUN pnpm install && pnpm build\n'],
    [
      'two projects (inbox-zero deploys its web app and its worker)',
      'FROM node:20\nRUN pnpm --filter @documenso/remix deploy /a && pnpm --filter @karakeep/workers deploy /b\n',
    ],
    ['a selector naming no project', 'FROM node:20\nRUN turbo prune --scope=@acme/other --docker\n'],
    ['a glob selector', 'FROM node:20\nRUN pnpm --filter "./apps/*" deploy /out\n'],
    [
      "several final stages (karakeep's: one image per stage, picked with --target)",
      'FROM node:20 AS base\nRUN CI=true pnpm deploy --filter @karakeep/workers --prod /prod/workers\nFROM base AS web\nCMD ["web"]\nFROM base AS workers\nCMD ["workers"]\n',
    ],
  ])('claims nothing for %s', (_, text) => {
    expect(prunedFor(text, PROJECTS)).toBeUndefined();
  });

  it("claims nothing for a library built in a stage of an app's image, which copies the app's code (auxx's lambda Dockerfile.server)", () => {
    const text = (app: string) =>
      `FROM node:22-slim AS sdk\nCOPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\nCOPY packages/server ./packages/server\nRUN pnpm install --frozen-lockfile --filter @dokploy/server...\nRUN pnpm --filter @dokploy/server build\nFROM node:22-slim\nCOPY --from=sdk /app/packages/server /task/packages/server\nCOPY apps/webapp/package.json /task/\n${app}CMD ["node", "src/server.js"]\n`;
    expect(prunedFor(text('COPY apps/webapp/src /task/src\n'), PROJECTS)).toBeUndefined();
    // The app's manifest alone is an install's; an app the library depends on is its own to copy.
    expect(prunedFor(text(''), PROJECTS)?.project).toBe('server');
    expect(
      prunedFor(text('COPY apps/webapp/src /task/src\n'), PROJECTS, {}, (root) =>
        root === 'packages/server' ? ['apps/webapp'] : [],
      )?.project,
    ).toBe('server');
  });
});

describe('namedBuildFor', () => {
  const WHOLE = 'FROM node:20\nCOPY . .\nRUN pnpm install --frozen-lockfile\n';
  it.each([
    [
      'a variant named after the package (OpenLiveSlide)',
      'docker/workers.Dockerfile',
      `${WHOLE}RUN pnpm --filter @karakeep/workers build\n`,
      'workers',
    ],
    [
      'a folder named after the project (clawix)',
      'infra/docker/webapp/Dockerfile',
      `${WHOLE}RUN npx nx build webapp\n`,
      'webapp',
    ],
    [
      "with its dependencies (guardian-wallet's `…server...`)",
      'docker/Dockerfile.server',
      `${WHOLE}RUN pnpm --filter "@dokploy/server..." build\n`,
      'server',
    ],
    [
      "by its folder (chainchik's `pnpm -C apps/api build`)",
      'docker/api.Dockerfile',
      `${WHOLE}RUN pnpm -C apps/api build\n`,
      'api',
    ],
    [
      "with the Angular CLI (ngx-starter-kit's `.deploy/webapp/Dockerfile`, `ng build webapp`)",
      'docker/webapp/Dockerfile',
      `${WHOLE}RUN $(npm bin)/ng build webapp -c=production\n`,
      'webapp',
    ],
    ['by its folder, with yarn', 'docker/api.Dockerfile', `${WHOLE}RUN yarn --cwd ./apps/api/ build\n`, 'api'],
    ['by its folder, with bun', 'docker/api.Dockerfile', `${WHOLE}RUN bun run --cwd apps/api build\n`, 'api'],
    [
      "in its folder, by `cd`, with a bundle script (remote-swe-agents' slack-bolt-app: esbuild)",
      'docker/api.Dockerfile',
      `${WHOLE}RUN cd apps/api && npm run bundle\n`,
      'api',
    ],
    [
      "in its folder, by `cd`, its manifest copied there before the whole context (remote-swe-agents' webapp.Dockerfile)",
      'docker/api.Dockerfile',
      'FROM node:22\nWORKDIR /app\nCOPY apps/api/package.json ./apps/api/\nRUN npm ci\nCOPY . .\nRUN cd apps/api && npm run build\n',
      'api',
    ],
    ['by its name, with bun', 'docker/api.Dockerfile', `${WHOLE}RUN bun run --filter api build\n`, 'api'],
    [
      "in its folder, by `cd`, with bun's bundler (world-wide-webb's Dockerfile.temporal-worker)",
      'docker/api.Dockerfile',
      'FROM oven/bun:1\nWORKDIR /app\nCOPY package.json bun.lock ./\nRUN bun install\nCOPY apps/api apps/api\nRUN cd apps/api && bun build src/index.ts --target=node --outfile /app/dist/api.mjs\n',
      'api',
    ],

    ['by its folder, with npm', 'docker/api.Dockerfile', `${WHOLE}RUN npm run build --prefix apps/api\n`, 'api'],
    [
      "in its folder, by `cd` (juxtaposition's root `miiverse-api.Dockerfile`)",
      'api.Dockerfile',
      `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN cd apps/api && npm run build\n`,
      'api',
    ],
    [
      'in its folder, by WORKDIR',
      'api.Dockerfile',
      `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nWORKDIR /app/apps/api\nRUN npm run build\n`,
      'api',
    ],
    [
      "by its folder's name as a word of the file's (school-v2's `docker/feature-webapp.Dockerfile`)",
      'docker/feature-webapp.Dockerfile',
      `${WHOLE}RUN npx nx run webapp:build:production\n`,
      'webapp',
    ],
    [
      'with the Nest CLI in its monorepo mode (`nest build auth`)',
      'docker/api.Dockerfile',
      `${WHOLE}RUN npx nest build --webpack api\n`,
      'api',
    ],
    [
      'with the Nest CLI, a flag taking a value before the name (`nest build -b swc api`)',
      'docker/api.Dockerfile',
      `${WHOLE}RUN npx @nestjs/cli build -b swc --config nest-cli.json api\n`,
      'api',
    ],
    [
      "by its folder's name as words of the file's, the name hyphenated (NavyOnlineMvp's root `docker-entity-service.dockerfile`)",
      'docker-entity-service.dockerfile',
      `${WHOLE}RUN npx nest build entity-service\n`,
      'entity-service',
    ],
    [
      "by its folder's name as a word of the file's, of several so named the one it builds (school-v2's `libs/…/feature` folders)",
      'docker/server-api.Dockerfile',
      `${WHOLE}RUN npx nx run api:build:production\n`,
      'api',
    ],
  ])('%s', (_, dockerfile, text, project) => {
    expect(namedBuildFor(dockerfile, text, PROJECTS)).toMatchObject({
      project,
      step: { text: expect.stringMatching(/build|bundle/) },
    });
  });

  it.each([
    ['named after it, building nothing by name', 'docker/workers.Dockerfile', `${WHOLE}RUN pnpm -r build\n`],
    [
      'building it, named after nothing',
      'docker/app.Dockerfile',
      `${WHOLE}RUN pnpm --filter @karakeep/workers build\n`,
    ],
    [
      "a word of its name a project's folder, building another (no word claims alone)",
      'docker/feature-webapp.Dockerfile',
      `${WHOLE}RUN pnpm --filter @dokploy/api build\n`,
    ],
    [
      'named after one project, building another',
      'docker/workers.Dockerfile',
      `${WHOLE}RUN pnpm --filter @dokploy/api build\n`,
    ],
    [
      'building another project by name too',
      'docker/workers.Dockerfile',
      `${WHOLE}RUN pnpm --filter @dokploy/server build && pnpm --filter @karakeep/workers build\n`,
    ],
    [
      'building another project it does not depend on',
      'api.Dockerfile',
      `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd apps/api && npm run build\nWORKDIR /app/packages/server\nRUN npm run build\n`,
    ],
    [
      'several final stages',
      'docker/workers.Dockerfile',
      `${WHOLE}RUN pnpm --filter @karakeep/workers build\nFROM node:20 AS a\nCMD ["a"]\nFROM node:20 AS b\nCMD ["b"]\n`,
    ],
  ])('claims nothing %s', (_, dockerfile, text) => {
    expect(namedBuildFor(dockerfile, text, PROJECTS)).toBeUndefined();
  });

  it("claims one named after it that runs its sources in its folder, unbuilt (cover-generator's bun server.Dockerfile)", () => {
    const runs = (workdir: string, copy = 'COPY apps ./apps') =>
      `FROM oven/bun:1\nWORKDIR /usr/local\nCOPY package.json bun.lock ./\n${copy}\nRUN bun install\nWORKDIR ${workdir}\nENTRYPOINT ["bun", "src/index.ts"]\n`;
    expect(namedBuildFor('api.Dockerfile', runs('/usr/local/apps/api'), PROJECTS)).toEqual({
      project: 'api',
      step: { line: 7, text: 'ENTRYPOINT ["bun", "src/index.ts"]' },
      runs: true,
    });
    // In the whole copy, too.
    expect(namedBuildFor('api.Dockerfile', runs('apps/api', 'COPY . .'), PROJECTS)).toMatchObject({ runs: true });
    // Its manifests copied into the folder first, then its sources (padloc's root Dockerfile-server).
    const padloc =
      'FROM node:16\nWORKDIR /p\nCOPY package*.json lerna.json ./\nCOPY apps/api/package*.json ./apps/api/\nRUN npm ci\nCOPY apps/api/src ./apps/api/src\nWORKDIR /p/apps/api\nCMD ["npm", "run", "start"]\n';
    expect(namedBuildFor('Dockerfile-api', padloc, PROJECTS)).toMatchObject({ project: 'api', runs: true });
    // The check can fail: started in another project's folder, or in no copied one.
    expect(namedBuildFor('api.Dockerfile', runs('/usr/local/apps/web'), PROJECTS)).toBeUndefined();
    expect(namedBuildFor('api.Dockerfile', runs('/srv'), PROJECTS)).toBeUndefined();
  });

  it("claims one named after it that runs its sources by their path into its copied folder, unbuilt (world-wide-webb's nested bun workspace Dockerfile.api)", () => {
    const projects = [
      { name: 'suite', root: 'apps/suite', packageName: 'suite' },
      { name: '@s/api', root: 'apps/suite/apps/api', packageName: '@s/api' },
      { name: '@s/web', root: 'apps/suite/apps/web', packageName: '@s/web' },
    ];
    const runs = (script: string, copy = 'COPY apps/suite/apps/api apps/suite/apps/api') =>
      `FROM oven/bun:1\nWORKDIR /app\nCOPY package.json bun.lock ./\nCOPY apps/suite/apps/api/package.json apps/suite/apps/api/\nRUN bun install\n${copy}\nCMD ["bun", "run", "${script}"]\n`;
    const api = 'apps/suite/apps/api/src/index.ts';
    expect(namedBuildFor('apps/suite/Dockerfile.api', runs(api), projects)).toEqual({
      project: '@s/api',
      step: { line: 7, text: `CMD ["bun", "run", "${api}"]` },
      runs: true,
    });
    // Through a copy of a folder above it, or of the whole context, and from a WORKDIR elsewhere in the layout.
    expect(namedBuildFor('Dockerfile.api', runs(api, 'COPY apps ./apps'), projects)).toMatchObject({ runs: true });
    expect(namedBuildFor('Dockerfile.api', runs(api, 'COPY . .'), projects)).toMatchObject({ runs: true });
    const below = runs(
      'apps/api/src/index.ts',
      'COPY apps/suite/apps/api apps/suite/apps/api\nWORKDIR /app/apps/suite',
    );
    expect(namedBuildFor('Dockerfile.api', below, projects)).toMatchObject({ project: '@s/api', runs: true });
    // Copied on from the stage that holds it, as world-wide-webb's runtime stage does.
    const runtime = runs(api).replace(
      /CMD/,
      'FROM oven/bun:1 AS runtime\nWORKDIR /app\nCOPY --from=0 /app/node_modules node_modules\nCOPY --from=build /app/apps/suite/apps/api apps/suite/apps/api\nCMD',
    );
    expect(
      namedBuildFor('Dockerfile.api', runtime.replace('FROM oven/bun:1\n', 'FROM oven/bun:1 AS build\n'), projects),
    ).toMatchObject({ project: '@s/api', runs: true });
    expect(
      namedBuildFor(
        'Dockerfile.api',
        runtime.replace('/app/apps/suite/apps/api ', '/app/apps/suite/apps/web '),
        projects,
      ),
    ).toBeUndefined();
    // The check can fail: another project's sources, only its manifest copied, or a file named after the
    // workspace that holds the project (the deepest project holding the script runs).
    expect(
      namedBuildFor('Dockerfile.api', runs('apps/suite/apps/web/src/index.ts', 'COPY . .'), projects),
    ).toBeUndefined();
    expect(namedBuildFor('Dockerfile.api', runs(api, 'RUN true'), projects)).toBeUndefined();
    expect(namedBuildFor('Dockerfile.suite', runs(api), projects)).toBeUndefined();
    // Named after another project too (world-wide-webb's root `@control-center/api`): the one it runs.
    const both = [...projects, { name: '@c/api', root: 'apps/api', packageName: '@c/api' }];
    expect(namedBuildFor('apps/suite/Dockerfile.api', runs(api), both)).toMatchObject({ project: '@s/api' });
    expect(namedBuildFor('apps/suite/Dockerfile.api', runs('apps/api/main.ts', 'COPY . .'), both)).toMatchObject({
      project: '@c/api',
    });
    expect(
      namedBuildFor('apps/suite/Dockerfile.api', runs(api, 'COPY . .').replace(/CMD.*/, ''), both),
    ).toBeUndefined();
  });

  it.each([
    ['CMD ["yarn", "workspace", "@dokploy/api", "start"]'],
    ['CMD yarn workspace @dokploy/api start'],
    ['CMD ["npm", "start", "-w", "@dokploy/api"]'],
    ['CMD ["npm", "run", "start", "--workspace=@dokploy/api"]'],
    ['CMD ["pnpm", "--filter", "@dokploy/api", "start"]'],
  ])("claims one named after it whose command starts it by its package manager (web-minigames' %s)", (cmd) => {
    const text = `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn\n${cmd}\n`;
    expect(namedBuildFor('.docker/prod/api.Dockerfile', text, PROJECTS)).toMatchObject({ project: 'api', runs: true });
    // The check can fail: another package started.
    expect(
      namedBuildFor('.docker/prod/api.Dockerfile', text.replace('@dokploy/api', '@documenso/remix'), PROJECTS),
    ).toBeUndefined();
  });

  it("claims one named after it whose command starts it by name through a root script (NavyOnlineMvp's `CMD npm run start:entity-service:prod`, the root's `nest start entity-service`)", () => {
    const text = (cmd: string, copy = 'COPY . .') =>
      `FROM node:20\nWORKDIR /app\n${copy}\nRUN npm ci && npm run build\n${cmd}\n`;
    const scripts = {
      build: 'nest build',
      'start:entity-service:prod': 'nest start entity-service',
      'start:api:prod': 'node dist/apps/api/main',
    };
    expect(
      namedBuildFor(
        'docker-entity-service.dockerfile',
        text('CMD npm run start:entity-service:prod'),
        PROJECTS,
        () => [],
        scripts,
      ),
    ).toMatchObject({ project: 'entity-service', runs: true });
    expect(
      namedBuildFor('docker/api.Dockerfile', text('CMD ["npx", "nest", "start", "--watch", "api"]'), PROJECTS),
    ).toMatchObject({ project: 'api', runs: true });
    // The check can fail: a script that names no project, or a root script where no root package.json was copied.
    expect(
      namedBuildFor('docker/api.Dockerfile', text('CMD npm run start:api:prod'), PROJECTS, () => [], scripts),
    ).toBeUndefined();
    expect(
      namedBuildFor(
        'docker-entity-service.dockerfile',
        text('CMD npm run start:entity-service:prod', 'COPY dist ./dist'),
        PROJECTS,
        () => [],
        scripts,
      ),
    ).toBeUndefined();
  });

  it("claims one named after it that builds it through a root script (life-stats' `npm run api:build`: `cd apps/api && npm run build`)", () => {
    const text = 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci -w apps/api\nRUN npm run api:build\n';
    const scripts = { 'api:build': 'cd apps/api && npm run build', 'web:build': 'npm run build -w @dokploy/server' };
    expect(namedBuildFor('docker/api.Dockerfile', text, PROJECTS, () => [], scripts)).toMatchObject({
      project: 'api',
      step: { text: 'RUN npm run api:build' },
    });
    // The check can fail: without the root's scripts, or a script that builds another project.
    expect(namedBuildFor('docker/api.Dockerfile', text, PROJECTS)).toBeUndefined();
    // After a `cd`, `npm run build` is that folder's own script, not the root's (atlas' docs image).
    const docs = 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN cd apps/api && npm run build\n';
    expect(
      namedBuildFor('docker/api.Dockerfile', docs, PROJECTS, () => [], { build: 'npm run build -w @dokploy/server' }),
    ).toMatchObject({ project: 'api' });
    const other = text.replace('api:build', 'web:build');
    expect(namedBuildFor('docker/api.Dockerfile', other, PROJECTS, () => [], scripts)).toBeUndefined();
  });

  it("claims one built through a root script given its name (a Nest CLI monorepo: `npm run build api`, the root's `nest build`)", () => {
    const text = (run: string) =>
      `FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n${run}\nCMD ["node", "dist/apps/api/main"]\n`;
    const scripts = { build: 'nest build' };
    for (const run of ['RUN npm run build api', 'RUN npm run build -- api', 'RUN yarn build api'])
      expect(namedBuildFor('docker/api.Dockerfile', text(run), PROJECTS, () => [], scripts)).toMatchObject({
        project: 'api',
        step: { text: run },
      });
    // Given another app's name, or none (the Nest CLI's default project), it claims nothing.
    expect(
      namedBuildFor('docker/api.Dockerfile', text('RUN npm run build webapp'), PROJECTS, () => [], scripts),
    ).toBeUndefined();
    expect(
      namedBuildFor('docker/api.Dockerfile', text('RUN npm run build'), PROJECTS, () => [], scripts),
    ).toBeUndefined();
  });

  it("claims one named after it that copies its folder and no other project's, then builds every package (Durmah's infra/docker/admin.Dockerfile)", () => {
    const text = (copies: string) =>
      `FROM node:20-alpine AS builder\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages ./packages\n${copies}RUN npm ci && npm run build\n\nFROM node:20-alpine\nWORKDIR /app\nCOPY --from=builder /app/apps/api/dist ./dist\nCMD ["node", "dist/main.js"]\n`;
    const scripts = { build: 'npm run build --workspaces' };
    expect(
      namedBuildFor('infra/docker/api.Dockerfile', text('COPY apps/api ./apps/api\n'), PROJECTS, () => [], scripts),
    ).toMatchObject({ project: 'api', step: { text: 'RUN npm ci && npm run build' } });
    // The check can fail: another project's folder copied too, or none of its own.
    const both = text('COPY apps/api ./apps/api\nCOPY apps/webapp ./apps/webapp\n');
    expect(namedBuildFor('infra/docker/api.Dockerfile', both, PROJECTS, () => [], scripts)).toBeUndefined();
    expect(namedBuildFor('infra/docker/api.Dockerfile', text(''), PROJECTS, () => [], scripts)).toBeUndefined();
  });

  it('claims one named after it whose command runs it by name with the workspace\'s tool (ParkingSystem\'s `CMD ["nx", "serve", "api"]`)', () => {
    const text = (cmd: string) =>
      `FROM node:20-alpine\nWORKDIR /app\nRUN npm install -g nx\nCOPY package*.json ./\nRUN npm install\nCOPY . .\n${cmd}\n`;
    expect(
      namedBuildFor('docker/api.Dockerfile', text('CMD ["nx", "serve", "api", "--host", "0.0.0.0"]'), PROJECTS),
    ).toEqual({
      project: 'api',
      step: { line: 7, text: 'CMD ["nx", "serve", "api", "--host", "0.0.0.0"]' },
      runs: true,
    });
    expect(namedBuildFor('docker/api.Dockerfile', text('CMD npx nx run api:start'), PROJECTS)).toMatchObject({
      project: 'api',
      runs: true,
    });
    // The check can fail: another project run, or none by name.
    expect(namedBuildFor('docker/api.Dockerfile', text('CMD ["nx", "serve", "webapp"]'), PROJECTS)).toBeUndefined();
    expect(namedBuildFor('docker/api.Dockerfile', text('CMD ["npm", "start"]'), PROJECTS)).toBeUndefined();
  });

  it("claims one that builds the project's own dependencies first, each in its folder (sill's docker/Dockerfile.web)", () => {
    const text =
      'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\nWORKDIR /app/packages/server\nRUN pnpm build\nWORKDIR /app/apps/api\nRUN pnpm build\n';
    const dependencies = (root: string) => (root === 'apps/api' ? ['packages/server'] : []);
    expect(namedBuildFor('docker/Dockerfile.api', text, PROJECTS, dependencies)).toMatchObject({ project: 'api' });
    // The check can fail: a project it does not depend on is another image's.
    expect(namedBuildFor('docker/Dockerfile.api', text, PROJECTS)).toBeUndefined();
  });
});

describe('selectorArguments', () => {
  const args = (run: string, more = '') => [
    ...new Set(
      selectorArguments(new DockerfileReading(`FROM node:20\nARG APP\nARG DIR=apps\n${more}RUN ${run}\n`)).flatMap(
        (found) => found.args,
      ),
    ),
  ];
  it.each([
    ['turbo prune ${APP} --docker', ['APP']],
    ['npx nest build $APP', ['APP']],
    ['npx nx build ${APP} --prod', ['APP']],
    ['npx nx run $APP:build', ['APP']],
    ['pnpm --filter "${APP}..." build', ['APP']],
    ['npm run build -w $APP', ['APP']],
    ['yarn workspace ${APP} build', ['APP']],
    // A build script's argument selects where a path names it too.
    ['npm run build ${APP}', []],
    // A variable the file declares no ARG for is the shell's; one with a default is known.
    ['nest build $HOME', []],
    ['nest build ${DIR}', []],
    ['mkdir -p $APP && grep -F $APP x', []],
    // The folder a build runs in, or a selector holding the variable (bins', and r69a's forms).
    ['yarn install && cd packages/$APP && yarn build', ['APP']],
    ['pnpm -C apps/${APP} build', ['APP']],
    ['yarn --cwd apps/$APP build', ['APP']],
    ['npm run build --prefix=apps/$APP', ['APP']],
    ['pnpm --filter @acme/${APP} build', ['APP']],
    ['pnpm turbo run build --filter=@repo/${APP}', ['APP']],
    ['lerna run build --scope @acme/$APP', ['APP']],
    ['node common/scripts/install-run-rush.js build --to $APP', ['APP']],
    ['yarn workspaces foreach -Rpt --from ${APP} run build', ['APP']],
    ['npx ng build ${APP} -c production', ['APP']],
    ['npm run build:${APP}', ['APP']],
    ['npm run build-${APP}', ['APP']],
    ['npx nx run-many -t build -p ${APP}', ['APP']],
    // A literal project beside it: the variable is a flag's value.
    ['npx turbo prune web $APP --docker', []],
    ['cd packages/$APP && ls', []],
  ])('RUN %s: %j', (run, expected) => {
    expect(args(run)).toEqual(expected);
  });

  it('takes a WORKDIR a build runs in, and a COPY source, named by it', () => {
    expect(args('npm run build', 'WORKDIR /app/apps/${APP}\n')).toEqual(['APP']);
    expect(args('npm ci', 'WORKDIR /app/apps/${APP}\n')).toEqual([]);
    expect(args('yarn', 'COPY ./apps/$APP apps/$APP\n')).toEqual(['APP']);
  });

  it("takes a build script's argument where the file names a path by it (`dist/apps/${APP}/main`)", () => {
    expect(args('npm run build ${APP}', 'ENV MAIN=dist/apps/${APP}/main\n')).toEqual(['APP']);
    expect(args('yarn build -- $APP', 'COPY apps/$APP ./\n')).toEqual(['APP']);
  });
});

describe('argumentValue', () => {
  const project = { root: 'apps/auth', name: '@email-platform/auth', packageName: '@email-platform/auth' };
  const value = (lines: string) =>
    argumentValue(new DockerfileReading(`FROM node:20\nARG APP_NAME\n${lines}`), 'APP_NAME', project);
  it.each([
    // email-platform-services: the folder's name, not the project's.
    ['COPY apps/${APP_NAME}/package.json apps/${APP_NAME}/package.json\n', 'auth'],
    ['COPY ./apps/$APP_NAME ./\n', 'auth'],
    ['RUN pnpm --filter @email-platform/${APP_NAME} run build\n', 'auth'],
    ['RUN npx nest build ${APP_NAME}\n', undefined],
    ['COPY dist/apps/${APP_NAME} .\n', undefined],
    ['COPY ${DIR}/${APP_NAME} .\n', undefined],
  ])('%s → %s', (lines, expected) => {
    expect(value(lines)).toBe(expected);
  });

  it('takes a bare argument as the project name where that has no slash', () => {
    expect(
      argumentValue(new DockerfileReading('FROM node:20\nARG APP\nRUN nest build $APP\n'), 'APP', {
        root: 'apps/worker',
        name: 'worker',
      }),
    ).toBe('worker');
  });
});
