import { describe, expect, it } from 'vitest';
import {
  contextFolder,
  contextNeeds,
  dependencyFirstBuilds,
  inferContext,
  nestedRootOf,
  readsRootManifests,
  runsPackageTarget,
  scriptsRun,
  type ContextFacts,
} from './context-inference';

/** A small npm + Nx monorepo: two apps, a library, root manifests and a base tsconfig. */
const FILES = [
  'package.json',
  'package-lock.json',
  'nx.json',
  'tsconfig.base.json',
  'apps/api/project.json',
  'apps/api/package.json',
  'apps/api/src/main.ts',
  'apps/api/src/routes/users.ts',
  'apps/api/Dockerfile',
  'apps/web/project.json',
  'apps/web/index.html',
  'libs/shared/project.json',
  'libs/shared/src/index.ts',
  'tools/scripts/healthcheck.sh',
  'docker/api.Dockerfile',
];

function facts(dockerfileText: string, extra: Partial<ContextFacts> = {}): ContextFacts {
  return {
    projectRoot: 'apps/api',
    dockerfile: 'apps/api/Dockerfile',
    dockerfileText,
    files: FILES,
    ignore: { project: [], workspace: [] },
    ...extra,
  };
}

describe('inferContext', () => {
  it.each([
    [
      'a Dockerfile written for its folder',
      'FROM node:20\nCOPY package.json ./\nCOPY src/ ./src/\nCMD ["node", "src/main.js"]\n',
      'project',
      /"COPY src\/ \.\/src\/" \(apps\/api\/Dockerfile:3\) names a path in apps\/api, not at the workspace root/,
    ],
    [
      "nx-fleet's repo-shaped Dockerfile",
      'FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY apps/api/ apps/api/\nCOPY libs/shared/ libs/shared/\n',
      'pruned',
      /"COPY package\.json package-lock\.json \.\/" \(apps\/api\/Dockerfile:2\) names a workspace path/,
    ],
    [
      'COPY . . followed by turbo prune',
      'FROM node:20 AS prune\nCOPY . .\nRUN npx turbo@2 prune --scope=api --docker\n',
      'pruned',
      /"COPY \. \." \(apps\/api\/Dockerfile:2\) is followed by "RUN npx turbo@2 prune --scope=api --docker" \(apps\/api\/Dockerfile:3\): the context holds every workspace manifest and root file as they are/,
    ],
    [
      'COPY . . then pnpm deploy',
      'FROM node:20\nCOPY . .\nRUN pnpm --filter=api deploy /out\n',
      'pruned',
      /is followed by "RUN pnpm --filter=api deploy \/out"/,
    ],
    [
      "COPY . . then the tool installed with the flag after its name, then turbo prune (next-turborepo-starter's admin)",
      'FROM node:22-alpine AS builder\nCOPY . .\nRUN pnpm add turbo --global\nRUN turbo prune api --docker\n',
      'pruned',
      /is followed by "RUN turbo prune api --docker"/,
    ],
    [
      "a RUN bind-mounting the whole context that runs the prune tool in it (ras0q's pnpm deploy)",
      'FROM node:24-slim AS pruned\nWORKDIR /app\nRUN --mount=type=bind,source=.,target=/app,rw \\\n    pnpm install --frozen-lockfile && pnpm -F api --legacy deploy /tmp/pruned\nFROM node:24-slim\nCOPY --from=pruned /tmp/pruned /app\n',
      'pruned',
      /^"RUN --mount=source=\. pnpm install --frozen-lockfile && pn\.\.\." \(apps\/api\/Dockerfile:3\) mounts the whole context for itself: the context holds every workspace manifest/,
    ],
    [
      'a RUN bind-mounting the whole context that builds a workspace package in it',
      'FROM node:20\nRUN --mount=type=bind,target=/src cd /src && npm ci && npm run build -w api && cp -r apps/api/dist /out\n',
      'workspace',
      /mounts the whole context for itself, a workspace tool: it reads the whole workspace/,
    ],
    [
      'COPY . . of a Dockerfile in its folder, with a folder-only source',
      'FROM node:20\nCOPY src/main.ts ./\nCOPY . .\n',
      'project',
      /names a path in apps\/api/,
    ],
    [
      'COPY . . with a workspace path: the image holds the whole repository',
      'FROM node:20\nCOPY tsconfig.base.json ./\nCOPY . .\n',
      'workspace',
      /"COPY tsconfig\.base\.json \.\/" \(apps\/api\/Dockerfile:2\) names a workspace path and "COPY \. \." .* copies the whole context/,
    ],
    [
      'nothing copied',
      'FROM node:20\nRUN echo hi\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder and it copies nothing from the context/,
    ],
    [
      'only sources found in both places',
      'FROM node:20\nCOPY package.json ./\n',
      'project',
      /its COPY sources are found in the project folder/,
    ],
    [
      "sources found in both places, and one found nowhere (ottertime's web: a template's lockfile its workspace does not use)",
      'FROM node:20\nCOPY ./package.json yarn.lock /app/\n',
      'project',
      /its COPY sources are found in the project folder \(as `docker build \.` there sends it\), but yarn\.lock, which "COPY \.\/package\.json yarn\.lock \/app\/" \(apps\/api\/Dockerfile:2\) copies, is found nowhere in the workspace: the build fails there unless a step before it writes it$/,
    ],
    [
      "only its folder's build output",
      'FROM node:20\nCOPY dist/ ./dist/\n',
      'project',
      /its COPY sources are build outputs in the project folder/,
    ],
    [
      'sources a step before the build writes (a context tool)',
      'FROM node:20\nCOPY --chown=1000:1000 ./meta .\nCOPY ./deps .\nCOPY ./pkg .\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder and neither context holds its COPY sources \("COPY --chown=1000:1000 \.\/meta \." \(apps\/api\/Dockerfile:2\) and 2 more\): a step before the build must write them/,
    ],
    [
      'a source only the build can expand',
      'FROM node:20\nARG APP\nCOPY ${APP}/ ./\n',
      'project',
      /its COPY sources depend on values only the build knows \("COPY \$\{APP\}\/ \.\/" \(apps\/api\/Dockerfile:3\)\)/,
    ],
    [
      'COPY . . then a workspace build in a heredoc (a generator writes the sources quoted)',
      'FROM node:20\nWORKDIR /app\nCOPY \\\n    --link \\\n    "." "/app/"\nRUN <<EOF\npnpm install --frozen-lockfile\npnpm turbo run build --filter=@acme/api\nEOF\n',
      'workspace',
      /"COPY --link "\." "\/app\/"" \(apps\/api\/Dockerfile:3\) is followed by "RUN <<EOF pnpm install --frozen-lockfile pnpm turbo run b\.\.\." \(apps\/api\/Dockerfile:6\), a workspace tool/,
    ],
    [
      "COPY . . then Rush's install and build (trader-tools)",
      'FROM node:22\nWORKDIR /tmp\nCOPY . .\nRUN npm i -g @microsoft/rush && rush install -t @acme/api && rush build --to @acme/api\n',
      'workspace',
      /is followed by "RUN npm i -g @microsoft\/rush && rush install -t @acme\/api\.\.\." \(apps\/api\/Dockerfile:4\), a workspace tool/,
    ],
    [
      'COPY . . then the Angular CLI building a project by name',
      'FROM node:20\nCOPY . .\nRUN npx ng build web -c=production\n',
      'workspace',
      /a workspace tool/,
    ],
    [
      "COPY . . then Rush through the repository's own script",
      'FROM node:22\nCOPY . .\nRUN node common/scripts/install-run-rush.js install\n',
      'workspace',
      /a workspace tool/,
    ],
    [
      'COPY . . and a build of the folder alone',
      'FROM node:20\nCOPY . .\nRUN npm install && npm run build\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder/,
    ],
    [
      'COPY . . then an install from the lockfile only the workspace root holds',
      'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:2\) is followed by "RUN npm ci && npm run build" \(apps\/api\/Dockerfile:3\), which needs package-lock\.json: the workspace root holds it, the project folder does not/,
    ],
    [
      "COPY ./ then a WORKDIR into the project's own path inside the copy",
      'FROM node:20\nCOPY ./ /workspace\nWORKDIR /workspace\nRUN yarn install\nWORKDIR /workspace/apps/api\nCMD ["node", "dist/main.js"]\n',
      'workspace',
      /"COPY \.\/ \/workspace" \(apps\/api\/Dockerfile:2\) is followed by "WORKDIR \/workspace\/apps\/api" \(apps\/api\/Dockerfile:5\): the project's own path inside the copy/,
    ],
    [
      "COPY . . in a stage that inherits its WORKDIR, then the project's own path inside the copy (AppFlowy's chef stage)",
      'FROM rust:1 AS chef\nWORKDIR /workspace\nFROM chef AS builder\nCOPY . .\nWORKDIR /workspace/apps/api\nRUN cargo build\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:4\) is followed by "WORKDIR \/workspace\/apps\/api" \(apps\/api\/Dockerfile:5\): the project's own path inside the copy/,
    ],
    [
      "COPY . . then a later stage takes the project's own path from the copy (fonoster's autopilot)",
      'FROM node:22-slim AS builder\nWORKDIR /work\nCOPY . .\nRUN npm install && npm run build\nFROM node:22-slim\nCOPY --from=builder /work/apps/api/dist /srv/api/dist\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:3\) is followed by "COPY --from=builder \/work\/apps\/api\/dist \/srv\/api\/dist" \(apps\/api\/Dockerfile:6\), which takes the project's own path from the copy/,
    ],
    [
      'COPY . . then a later stage takes a path of the project folder from the copy',
      'FROM node:22-slim AS builder\nWORKDIR /work\nCOPY . .\nRUN npm install && npm run build\nFROM node:22-slim\nCOPY --from=builder /work/dist /srv/api/dist\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder/,
    ],
    [
      "COPY . . then a RUN that cd's into the project's own path inside the copy (multitenant-saas-starter's FastAPI app)",
      'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install uv && cd apps/api && uv sync\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:3\) is followed by "RUN pip install uv && cd apps\/api && uv sync" \(apps\/api\/Dockerfile:4\): the project's own path inside the copy/,
    ],
    [
      "COPY . . in a stage a later one takes whole, then the project's own path in that one",
      'FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY . .\nRUN pip install .\nFROM python:3.11-slim\nWORKDIR /app\nCOPY --from=builder /app .\nWORKDIR /app/apps/api\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:3\) is followed by "WORKDIR \/app\/apps\/api" \(apps\/api\/Dockerfile:8\): the project's own path inside the copy/,
    ],
    [
      "COPY . . then a RUN that cd's into a folder of the project",
      'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd src && npm run build\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder/,
    ],
    [
      "COPY . . then a command naming a script by the project's own path inside the copy (a Deno service)",
      'FROM denoland/deno:2.5.0\nWORKDIR /app\nCOPY . .\nRUN deno cache apps/api/main.ts\nCMD ["deno", "run", "-A", "apps/api/main.ts"]\n',
      'workspace',
      /"COPY \. \." \(apps\/api\/Dockerfile:3\) is followed by "RUN deno cache apps\/api\/main\.ts" \(apps\/api\/Dockerfile:4\) runs apps\/api\/main\.ts: the project's own path inside the copy/,
    ],
    [
      'COPY . . then a command naming a script of the project folder',
      'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/main.js"]\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder/,
    ],
    [
      'COPY . . then a WORKDIR inside the copy that is no project path',
      'FROM node:20\nWORKDIR /app\nCOPY . .\nWORKDIR /app/src\nRUN yarn install\n',
      'project',
      /apps\/api\/Dockerfile is in the project folder/,
    ],
    [
      "bun's install filtered to the service",
      'FROM oven/bun:1\nCOPY . .\nRUN bun install --frozen-lockfile --filter api\n',
      'pruned',
      /is followed by "RUN bun install --frozen-lockfile --filter api"/,
    ],
    [
      "bun's build of a filtered package (a workspace tool)",
      'FROM oven/bun:1\nCOPY . .\nRUN bun run --filter api build\n',
      'workspace',
      /a workspace tool/,
    ],
    [
      'a prune tool in a heredoc',
      'FROM node:20\nCOPY . .\nRUN <<EOF\nturbo prune api --docker\nEOF\n',
      'pruned',
      /is followed by "RUN <<EOF turbo prune api --docker"/,
    ],
    [
      "a RUN's bind mounts of workspace files",
      'FROM node:20\nRUN --mount=type=bind,source=package-lock.json,target=package-lock.json --mount=type=cache,target=/root/.npm npm ci\n',
      'pruned',
      /"RUN --mount=source=package-lock\.json npm ci" \(apps\/api\/Dockerfile:2\) names a workspace path/,
    ],
    [
      'workspace paths written with an ARG default',
      'FROM node:20\nARG lib=shared\nCOPY libs/${lib}/ libs/${lib}/\n',
      'pruned',
      /"COPY libs\/\$\{lib\}\/ libs\/\$\{lib\}\/" \(apps\/api\/Dockerfile:3\) names a workspace path/,
    ],
  ])('%s → %s', (_, dockerfile, mode, reason) => {
    const result = inferContext(facts(dockerfile));
    expect(result.mode).toBe(mode);
    expect(result.reason).toMatch(reason);
  });

  it("expands COPY sources with the target's build arguments over the ARG defaults", () => {
    const dockerfile =
      'FROM node:20\nARG component=missing\nCOPY ./dist/packages/${component} .\nCOPY libs/${component} libs/\n';
    const outputs = ['dist/packages/api'];
    expect(inferContext(facts(dockerfile, { buildOutputs: outputs }))).toMatchObject({ mode: 'project', include: [] });
    expect(
      inferContext(facts(dockerfile, { buildOutputs: outputs, buildArgs: { component: 'shared' } })),
    ).toMatchObject({ mode: 'pruned', include: ['libs/shared/**'], outputs: ['dist/packages/shared'] });
  });

  it('a prune tool in the build keeps the workspace manifests; a plain COPY . . does not', () => {
    expect(inferContext(facts('FROM node:20\nCOPY . .\nRUN yarn workspaces focus api\n')).workspaceManifests).toBe(
      true,
    );
    expect(inferContext(facts('FROM node:20\nCOPY src/main.ts ./\nCOPY . .\n')).workspaceManifests).toBeUndefined();
  });

  it("a prune tool's context, with a later COPY of a git-ignored root file the CI writes, is the workspace (next-turborepo-starter's .env)", () => {
    const dockerfile =
      'FROM node:22 AS builder\nCOPY . .\nRUN turbo prune api --docker\nFROM node:22\nCOPY --from=builder /app/out/json/ .\nCOPY .env ./\n';
    expect(inferContext(facts(dockerfile, { gitignore: ['node_modules', '.env'] }))).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(/, but "COPY \.env \.\/" \(apps\/api\/Dockerfile:6\) copies what Nx lists nowhere/),
    });
    // Committed (Nx lists it), or not ignored (a file to add, which the build names): the prune tool's context.
    expect(inferContext(facts(dockerfile, { files: [...FILES, '.env'], gitignore: ['.env'] })).mode).toBe('pruned');
    expect(inferContext(facts(dockerfile)).mode).toBe('pruned');
  });

  it("COPY . . then a locked uv sync, whose lock only the workspace root holds, is the workspace (multitenant-saas-starter's uv workspace)", () => {
    const dockerfile = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN uv sync --frozen\n';
    expect(inferContext(facts(dockerfile, { files: [...FILES, 'uv.lock'] }))).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(
        /"RUN uv sync --frozen" \(apps\/api\/Dockerfile:4\), which needs uv\.lock: the workspace root holds it/,
      ),
    });
    expect(inferContext(facts(dockerfile, { files: [...FILES, 'uv.lock', 'apps/api/uv.lock'] })).mode).toBe('project');
  });

  it("another project's dist, build or out folder is its build output: carried, with the project that builds it", () => {
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'web', root: 'apps/web' },
      { name: 'admin', root: 'apps/admin' },
      { name: 'shared', root: 'libs/shared' },
    ];
    const dockerfile =
      'FROM node:20\nCOPY ./apps/web/dist ./static\nCOPY apps/admin/build/ ./admin\nCOPY dist/apps/api .\nCOPY libs/shared/src/missing.ts ./\n';
    expect(inferContext(facts(dockerfile, { projects }))).toMatchObject({
      mode: 'pruned',
      outputs: ['apps/web/dist', 'apps/admin/build', 'dist/apps/api'],
      producers: [
        { output: 'apps/web/dist', project: 'web' },
        { output: 'apps/admin/build', project: 'admin' },
      ],
    });
    // Without the projects known, a sibling's dist decides nothing (as before).
    expect(inferContext(facts(dockerfile)).producers).toBeUndefined();
    // The service's own dist, by its workspace path: its own build's output, no other project's.
    expect(inferContext(facts('FROM node:20\nCOPY apps/api/dist .\n', { projects }))).toMatchObject({
      mode: 'pruned',
      outputs: ['apps/api/dist'],
    });
    expect(inferContext(facts('FROM node:20\nCOPY apps/api/dist .\n', { projects })).producers).toBeUndefined();
    // Next.js's output folder (simply-calendar-embeds: the standalone server the host's next build writes).
    const next =
      'FROM node:22\nCOPY apps/web/.next/standalone ./\nCOPY apps/web/.next/static ./apps/web/.next/static\n';
    expect(inferContext(facts(next, { projects }))).toMatchObject({
      mode: 'pruned',
      outputs: ['apps/web/.next/standalone', 'apps/web/.next/static'],
      producers: [
        { output: 'apps/web/.next/standalone', project: 'web' },
        { output: 'apps/web/.next/static', project: 'web' },
      ],
    });
    // Nuxt's and Nitro's (xlt-blog's `COPY apps/web/.output ./.output`).
    expect(inferContext(facts('FROM node:22\nCOPY apps/web/.output ./.output\n', { projects }))).toMatchObject({
      mode: 'pruned',
      outputs: ['apps/web/.output'],
      producers: [{ output: 'apps/web/.output', project: 'web' }],
    });
  });

  it('a project folder copied whole carries what its TypeScript build writes inside it, as docker build would send it', () => {
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'web', root: 'apps/web' },
      { name: 'shared', root: 'libs/shared' },
    ];
    // The server image of a repository that builds first, then copies the folders (its CMD runs ./dist/index.js).
    const dockerfile = 'FROM node:20\nCOPY ./apps/api /app\nCOPY apps/web/ /app/static\nCOPY libs/shared /app/shared\n';
    const folderOutputs = {
      'apps/api': ['apps/api/dist'],
      'apps/web': ['apps/web/dist'],
      'libs/shared': ['libs/shared/src'],
    };
    expect(inferContext(facts(dockerfile, { projects, folderOutputs }))).toMatchObject({
      mode: 'pruned',
      // libs/shared/src is committed: the context holds it already.
      outputs: ['apps/api/dist', 'apps/web/dist'],
      producers: [{ output: 'apps/web/dist', project: 'web' }],
    });
    // Without them known, the folders are sources only (as before).
    expect(inferContext(facts(dockerfile, { projects }))).toMatchObject({ outputs: [] });
    // A project context is the folder on the disk: nothing to carry.
    expect(contextNeeds(facts(dockerfile, { projects, folderOutputs }), 'project').outputs).toEqual([]);
    // What the .dockerignore leaves out is never sent (the image builds it itself): no output, no build first.
    for (const pattern of ['**/dist', 'apps/web/dist', '**/dist/**']) {
      const ignored = inferContext(
        facts(dockerfile, { projects, folderOutputs, ignore: { project: [], workspace: [pattern] } }),
      );
      expect({ pattern, outputs: ignored.outputs, producers: ignored.producers }).toEqual({
        pattern,
        outputs: pattern === 'apps/web/dist' ? ['apps/api/dist'] : [],
        producers: undefined,
      });
    }
    // An allow-list sending the output's files, not its folder's own path, sends it (a check of `apps/api/dist` alone said not).
    const allowList = (...lines: string[]) =>
      inferContext(facts(dockerfile, { projects, folderOutputs, ignore: { project: [], workspace: ['*', ...lines] } }))
        .outputs;
    const folders = ['!apps/api', '!apps/web', '!libs/shared'];
    expect(allowList(...folders, 'apps/*/dist', '!apps/api/dist/**')).toEqual(['apps/api/dist']);
    expect(allowList(...folders, 'apps/*/dist', '!apps/api/dist/main.js')).toEqual(['apps/api/dist']);
    expect(allowList(...folders, 'apps/*/dist')).toEqual([]);
  });

  it("a copied folder the image builds itself is neither carried nor waited for (hyperdx's common-utils)", () => {
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'web', root: 'apps/web', packageName: '@acme/web' },
    ];
    const folderOutputs = { 'apps/api': ['apps/api/dist'], 'apps/web': ['apps/web/dist'] };
    const copies = 'FROM node:20\nCOPY ./apps/api /app/apps/api\nCOPY apps/web/ /app/apps/web\n';
    const built = (run: string) => inferContext(facts(`${copies}RUN ${run}\n`, { projects, folderOutputs })).outputs;
    // By package name or project name, with each tool's selector; or every package at once.
    expect(built('yarn workspace @acme/web run build')).toEqual(['apps/api/dist']);
    expect(built("pnpm --filter '@acme/web...' build")).toEqual(['apps/api/dist']);
    expect(built('npm run build -w @acme/web')).toEqual(['apps/api/dist']);
    // A script named for a build (mzm's `npm run cleanbuild -w mzm-auth`, which runs its build).
    expect(built('npm run cleanbuild -w @acme/web')).toEqual(['apps/api/dist']);
    expect(built('yarn workspace @acme/web run build:prod')).toEqual(['apps/api/dist']);
    expect(built('npx nx build web --prod')).toEqual(['apps/api/dist']);
    expect(built('npx turbo run build --filter=@acme/web')).toEqual(['apps/api/dist']);
    // By its folder: npm takes a workspace's path for its name (steel-browser's `-w api`), pnpm and turbo a `./` path.
    expect(built('npm run build -w apps/web')).toEqual(['apps/api/dist']);
    expect(built('npm run build --workspace=./apps/web/')).toEqual(['apps/api/dist']);
    expect(built('pnpm --filter ./apps/web build')).toEqual(['apps/api/dist']);
    // Run in its folder (chainchik's `pnpm -C apps/api build`).
    expect(built('pnpm -C apps/web build')).toEqual(['apps/api/dist']);
    expect(built('pnpm --dir=./apps/web run build')).toEqual(['apps/api/dist']);
    expect(built('yarn --cwd apps/web build')).toEqual(['apps/api/dist']);
    expect(built('npm run build --prefix apps/web')).toEqual(['apps/api/dist']);
    expect(built('pnpm -C apps/web-ui build')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(built("npx turbo run build --filter='{./apps/web}...'")).toEqual(['apps/api/dist']);
    expect(built("npx turbo run build --filter='{apps/web}'")).toEqual(['apps/api/dist']);
    expect(built('npx nx run-many -t build --projects web --prod')).toEqual(['apps/api/dist']);
    expect(built('npx nx run-many -t build -p api')).toEqual(['apps/web/dist']);
    expect(built('npm run build -w apps/web-ui')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(built('pnpm --filter apps/web build')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(built('pnpm -r build')).toEqual([]);
    expect(built('yarn workspaces foreach -A run build')).toEqual([]);
    // A compiler run in the package it selects, with no build script (logchimp's `pnpm --filter=api exec tsc`).
    expect(built('pnpm --filter=@acme/web exec tsc')).toEqual(['apps/api/dist']);
    expect(built('yarn workspace @acme/web exec tsc -p tsconfig.build.json')).toEqual(['apps/api/dist']);
    expect(built('pnpm --filter=@acme/web exec tsc --noEmit')).toEqual(['apps/api/dist', 'apps/web/dist']);
    // The workspace it starts from (shapeshift's unchained: `yarn workspaces foreach -Rpt --from ${PACKAGE} run build`).
    expect(built('yarn workspaces foreach -Rpt --from @acme/web run build')).toEqual(['apps/api/dist']);
    expect(built("yarn workspaces foreach --recursive --from '@acme/web' run build")).toEqual(['apps/api/dist']);
    // Named through a build argument: its default, or the value docker-build passes (one Dockerfile for every API).
    const parametrised = (args: string, buildArgs?: Record<string, string>) =>
      inferContext(
        facts(
          `FROM node:20\n${args}\n${copies.slice('FROM node:20\n'.length)}RUN yarn workspaces foreach -Rpt --from \${PACKAGE} run build\n`,
          {
            projects,
            folderOutputs,
            ...(buildArgs ? { buildArgs } : {}),
          },
        ),
      ).outputs;
    expect(parametrised('ARG PACKAGE=@acme/web')).toEqual(['apps/api/dist']);
    expect(parametrised('ARG PACKAGE', { PACKAGE: '@acme/web' })).toEqual(['apps/api/dist']);
    expect(parametrised('ARG PACKAGE')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(built('npx turbo run build')).toEqual([]);
    // Another package built, or no build: both carried, and web's build waited for.
    expect(built('yarn workspace @acme/web-ui run build')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(built('pnpm --filter @acme/web test')).toEqual(['apps/api/dist', 'apps/web/dist']);
    expect(
      inferContext(facts(`${copies}RUN yarn workspace @acme/web run build\n`, { projects, folderOutputs })).producers,
    ).toBeUndefined();
  });

  it("with a target, reads only the stages it needs (Flagsmith's oss-api and oss-frontend from one Dockerfile)", () => {
    const files = ['api/pyproject.toml', 'api/main.py', 'frontend/package.json', 'frontend/index.js', 'manifest.json'];
    const dockerfile = [
      'FROM node:20 AS build-node',
      'COPY frontend /build/frontend',
      'FROM python:3.12 AS oss-api',
      'COPY api /app/',
      'COPY manifest.json ./',
      'FROM nginx AS oss-frontend',
      'COPY --from=build-node /build/frontend/dist /usr/share/nginx/html',
      'COPY manifest.json ./',
      '',
    ].join('\n');
    const include = (target?: string) =>
      inferContext(
        facts(dockerfile, { files, projectRoot: 'api', dockerfile: 'Dockerfile', ...(target ? { target } : {}) }),
      ).include;
    expect(include('oss-api')).toEqual(['manifest.json']);
    expect(include('oss-frontend')).toEqual(['frontend/**', 'manifest.json']);
    expect(include()).toEqual(['frontend/**', 'manifest.json']);
  });

  // kubernetes/dashboard's api: `context: modules`, `file: modules/api/Dockerfile`, modules/ a Go workspace.
  it('a Go workspace above the project that holds every source is the context', () => {
    const files = [
      'modules/go.work',
      'modules/common/lib/lib.go',
      'modules/api/go.mod',
      'modules/api/main.go',
      'modules/api/Dockerfile',
      'modules/web/package.json',
    ];
    expect(nestedRootOf(files, 'modules/api')).toBe('modules');
    const dockerfile =
      'FROM golang:1.23 AS builder\nWORKDIR /w\nCOPY common/lib /w/common/lib\nWORKDIR /w/api\nCOPY api/go.* ./\nCOPY api/main.go ./\nRUN go build -o /app .\n';
    expect(
      inferContext(
        facts(dockerfile, {
          files,
          projectRoot: 'modules/api',
          dockerfile: 'modules/api/Dockerfile',
          nestedRoot: 'modules',
          folderIgnore: [],
        }),
      ),
    ).toMatchObject({
      mode: 'folder',
      folder: 'modules',
      reason: expect.stringMatching(
        /^"COPY common\/lib \/w\/common\/lib" \(modules\/api\/Dockerfile:3\) names a path in modules, neither in modules\/api nor at the workspace root: modules is a Go workspace of its own \(its go\.work\), built as `docker build -f modules\/api\/Dockerfile modules` builds it/,
      ),
    });
  });

  // plasmic's wab: `docker build -f platform/wab/Dockerfile platform/`, platform/ a pnpm workspace of its own.
  it('a package manager root of its own above the project that holds every source is the context', () => {
    const files = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'libs/a/package.json',
      'platform/package.json',
      'platform/pnpm-lock.yaml',
      'platform/pnpm-workspace.yaml',
      'platform/patches/x.patch',
      'platform/lib/package.json',
      'platform/wab/package.json',
      'platform/wab/main.js',
    ];
    expect(nestedRootOf(files, 'platform/wab')).toBe('platform');
    expect(nestedRootOf(files, 'libs/a')).toBeUndefined();
    // A package.json alone is no package manager root.
    expect(nestedRootOf(['platform/package.json', 'platform/wab/package.json'], 'platform/wab')).toBeUndefined();
    const at = (dockerfile: string, nestedRoot?: string) =>
      inferContext(
        facts(dockerfile, {
          files,
          projectRoot: 'platform/wab',
          dockerfile: 'platform/wab/Dockerfile',
          ...(nestedRoot ? { nestedRoot, folderIgnore: ['**/node_modules'] } : {}),
        }),
      );
    const manifests = 'FROM node:20\nWORKDIR /platform\nCOPY package.json pnpm-workspace.yaml pnpm-lock.yaml ./\n';
    const withPatches = `${manifests}COPY patches/ ./patches/\nCOPY . .\nWORKDIR /platform/wab\n`;
    expect(at(withPatches, 'platform')).toMatchObject({
      mode: 'folder',
      folder: 'platform',
      reason: expect.stringMatching(
        /^"COPY patches\/ \.\/patches\/" \(platform\/wab\/Dockerfile:4\) names a path in platform, neither in platform\/wab nor at the workspace root: platform is a package manager root of its own/,
      ),
    });
    expect(at(withPatches).mode).toBe('workspace');
    // The whole copy's WORKDIR is the project's path inside it.
    expect(at(`${manifests}COPY . .\nWORKDIR /platform/wab\n`, 'platform')).toMatchObject({
      mode: 'folder',
      reason: expect.stringMatching(
        /"WORKDIR \/platform\/wab" \(platform\/wab\/Dockerfile:5\), the project's path inside platform/,
      ),
    });
    // No evidence for it (every source at the root too, no WORKDIR into it), or a source it lacks: not it.
    expect(at(`${manifests}COPY . .\n`, 'platform').mode).toBe('workspace');
    expect(at(`${withPatches}COPY libs/a libs/a\n`, 'platform').mode).not.toBe('folder');
  });

  it('a prune tool reads the manifests the workspaces name, not every package.json (a docs site outside them)', () => {
    const packageGlobs = ['apps/*/package.json', 'libs/*/package.json'];
    const whole = inferContext(
      facts('FROM node:20 AS prune\nCOPY . .\nRUN npx turbo prune api --docker\n', { packageGlobs }),
    );
    expect(whole.manifestGlobs).toEqual(expect.arrayContaining(packageGlobs));
    expect(whole.manifestGlobs).not.toContain('**/package.json');
    const named = inferContext(
      facts(
        'FROM node:20\nCOPY package.json package-lock.json ./\nCOPY apps apps\nRUN npx turbo prune api --docker\n',
        {
          packageGlobs,
        },
      ),
    );
    // Copied by parts: the manifests it gets are in the folders it copies, no other package's.
    expect(named.manifestGlobs).toEqual(['package.json', 'package-lock.json']);
    expect(named.include).toContain('apps/**');
  });

  it("without a target, a stage the last stage never needs is not read (openreplay's cicd copies the git-ignored public)", () => {
    const files = ['api/package.json', 'api/main.ts'];
    const dockerfile = 'FROM node:20 AS cicd\nCOPY public /public\nFROM node:20\nCOPY api /app\n';
    const at = (target?: string) =>
      inferContext(
        facts(dockerfile, {
          files,
          projectRoot: 'api',
          dockerfile: 'api/Dockerfile',
          gitignore: ['public/'],
          unlistedOnDisk: ['public'],
          ...(target ? { target } : {}),
        }),
      );
    expect(at()).toEqual(expect.objectContaining({ mode: 'pruned', include: [] }));
    expect(at().unlisted).toBeUndefined();
    expect(at('cicd')).toMatchObject({ mode: 'project', unlisted: ['api/public'] });
  });

  it("a workspace path beside a source Nx lists nowhere and no project's build writes is a workspace context, not cached (SigNoz's frontend/build)", () => {
    const files = [
      'templates/email.html',
      'cmd/community/project.json',
      'frontend/package.json',
      'frontend/src/index.tsx',
    ];
    const dockerfile =
      'FROM alpine\nCOPY ./templates /root/templates\nCOPY frontend/build/ /etc/signoz/web/\nCOPY ./target/linux/signoz /root/\n';
    const choice = inferContext(
      facts(dockerfile, { files, projectRoot: 'cmd/community', dockerfile: 'cmd/community/Dockerfile' }),
    );
    expect(choice).toMatchObject({ mode: 'workspace', unlisted: ['frontend/build', 'target/linux/signoz'] });
    // A source missing elsewhere (a typo, a folder renamed) decides nothing: the build fails before the engine.
    expect(
      inferContext(
        facts('FROM alpine\nCOPY ./templates /root/templates\nCOPY frontend/src/gone.ts /x\n', {
          files,
          projectRoot: 'cmd/community',
          dockerfile: 'cmd/community/Dockerfile',
        }),
      ).mode,
    ).toBe('pruned');
    expect(choice.reason).toMatch(
      /"COPY \.\/templates \/root\/templates" \(cmd\/community\/Dockerfile:2\) names a workspace path, and "COPY frontend\/build\/ \/etc\/signoz\/web\/" \(cmd\/community\/Dockerfile:3\) one Nx lists nowhere/,
    );
    // A project's build output is held (from the disk, after its build): pruned, as before.
    const project = [{ name: 'frontend', root: 'frontend' }];
    expect(
      inferContext(
        facts('FROM alpine\nCOPY ./templates /root/templates\nCOPY frontend/build/ /etc/signoz/web/\n', {
          files,
          projectRoot: 'cmd/community',
          dockerfile: 'cmd/community/Dockerfile',
          projects: project,
        }),
      ).mode,
    ).toBe('pruned');
  });

  it("a workspace path beside a source the root .gitignore leaves out is a workspace context (code-server's release-packages/*.deb)", () => {
    const files = ['ci/release-image/entrypoint.sh', 'ci/release-image/project.json', 'src/node/main.ts'];
    const dockerfile =
      'FROM scratch AS packages\nCOPY release-packages/code-server*.deb /tmp/\n\nFROM debian:12\nCOPY ci/release-image/entrypoint.sh /usr/bin/entrypoint.sh\nRUN --mount=from=packages,src=/tmp,dst=/tmp/packages dpkg -i /tmp/packages/code-server*.deb\n';
    const at = (gitignore?: string[]) =>
      inferContext(
        facts(dockerfile, {
          files,
          projectRoot: 'ci/release-image',
          dockerfile: 'ci/release-image/Dockerfile',
          ...(gitignore ? { gitignore } : {}),
        }),
      );
    const choice = at(['# packaging', 'release/', 'release-packages/', '']);
    expect(choice).toMatchObject({ mode: 'workspace', unlisted: ['release-packages/code-server*.deb'] });
    expect(choice.reason).toMatch(
      /"COPY release-packages\/code-server\*\.deb \/tmp\/" \(ci\/release-image\/Dockerfile:2\) one Nx lists nowhere/,
    );
    // Not ignored (a typo, a folder renamed), or ignored only below another folder: the build fails naming it.
    expect(at().mode).toBe('pruned');
    expect(at(['release/', 'docs/release-packages/']).mode).toBe('pruned');
    // A negation git reads as such keeps it.
    expect(at(['release-packages/*', '!release-packages/code-server*.deb']).mode).toBe('pruned');
  });

  it("what `turbo prune --docker` writes at the root before the build (out/json, out/full, out/<lockfile>) is no build's output: a workspace context waiting for no build, wherever the Dockerfile is (typie's website and api)", () => {
    const files = ['package.json', 'apps/web/package.json', 'apps/web/src/main.ts', 'apps/api/schema.graphql'];
    const projects = [
      { name: 'web', root: 'apps/web' },
      { name: 'api', root: 'apps/api' },
    ];
    const at = (dockerfileText: string) =>
      inferContext(
        facts(dockerfileText, {
          files,
          projectRoot: 'apps/web',
          dockerfile: 'apps/web/Dockerfile',
          projects,
          gitignore: ['out/', 'dist/'],
        }),
      );
    const turbo = 'FROM node:20\nCOPY out/json/ .\nCOPY out/pnpm-lock.yaml ./\nRUN pnpm install\nCOPY out/full/ .\n';
    const build = 'RUN pnpm turbo build --filter=web\n';
    // With a workspace path beside it (website's `COPY apps/api/schema.graphql`), and alone in the project folder (api's).
    for (const dockerfile of [`${turbo}COPY apps/api/schema.graphql apps/web/\n${build}`, `${turbo}${build}`]) {
      const choice = at(dockerfile);
      expect(choice).toMatchObject({
        mode: 'workspace',
        outputs: [],
        unlisted: ['out/json', 'out/pnpm-lock.yaml', 'out/full'],
      });
      expect(choice.producers).toBeUndefined();
      expect(choice.reason).toMatch(
        /"COPY out\/json\/ \." \(apps\/web\/Dockerfile:2\) copies what `turbo prune --docker` writes at the workspace root before the build/,
      );
    }
    // A Next.js static export the project's build writes in its own folder is its output, as before.
    expect(at('FROM nginx\nCOPY out/ /usr/share/nginx/html/\n')).toMatchObject({
      mode: 'project',
      outputs: ['apps/web/out'],
    });
  });

  it("a folder a folder-only .gitignore pattern leaves out is written on the host (4ks' `COPY /PACKAGE_JSON /code` under `PACKAGE_JSON/`)", () => {
    const files = ['apps/web/package.json', 'apps/web/index.js', 'package.json'];
    const at = (copy: string, gitignore: string[]) =>
      inferContext(
        facts(`FROM node:20\nWORKDIR /code\n${copy}\nCOPY ./apps/web /code/apps/web\n`, {
          files,
          projectRoot: 'apps/web',
          dockerfile: 'apps/web/Dockerfile',
          gitignore,
        }),
      );
    expect(at('COPY /gen /code', ['node_modules', 'gen/'])).toMatchObject({ mode: 'workspace', unlisted: ['gen'] });
    expect(at('COPY gen/ /code', ['/gen/']).mode).toBe('workspace');
    expect(at('COPY /gen /code', ['gen']).mode).toBe('workspace');
    expect(at('COPY /gen /code', ['other/']).mode).toBe('pruned');
  });

  it("a lockfile the root .gitignore matches is committed all the same, no host output (Cap's media-server bun.lock)", () => {
    const files = ['apps/media-server/package.json', 'apps/media-server/src/index.ts', 'package.json'];
    const dockerfile =
      'FROM oven/bun:1\nCOPY apps/media-server/package.json apps/media-server/bun.lock ./\nRUN bun install\nCOPY apps/media-server/src ./src\n';
    const choice = inferContext(
      facts(dockerfile, {
        files,
        projectRoot: 'apps/media-server',
        dockerfile: 'apps/media-server/Dockerfile',
        gitignore: ['bun.lock', 'node_modules'],
        unlistedOnDisk: ['apps/media-server/bun.lock'],
      }),
    );
    expect(choice.mode).toBe('pruned');
  });

  it("a Dockerfile kept in a folder above the project that holds every source is built from there, though the project holds one too (sealos's frontend/Dockerfile)", () => {
    const files = [
      'web/package.json',
      'web/lock.yaml',
      'web/shared/a.js',
      'web/app/package.json',
      'web/app/project.json',
      'web/app/main.js',
    ];
    const dockerfile =
      'FROM node:20\nCOPY lock.yaml package.json ./\nCOPY shared ./shared\nARG path\nCOPY ${path} ${path}\n';
    const at = (extra: Partial<ContextFacts> = {}) =>
      inferContext(
        facts(dockerfile, {
          files,
          projectRoot: 'web/app',
          dockerfile: 'web/Dockerfile',
          buildArgs: { path: 'app' },
          ...extra,
        }),
      );
    expect(at()).toMatchObject({
      mode: 'folder',
      folder: 'web',
      reason:
        '"COPY lock.yaml package.json ./" (web/Dockerfile:2) names a path in web, the Dockerfile\'s folder, and neither in web/app nor at the workspace root',
    });
    // A source the folder lacks: not that folder.
    expect(at({ files: files.filter((file) => file !== 'web/shared/a.js') }).mode).not.toBe('folder');
  });

  it("a Dockerfile kept in another folder whose sources are beside it is built from that folder (openreplay's api/Dockerfile for a project elsewhere)", () => {
    const files = ['api/requirements.txt', 'api/app.py', 'api/README.md', 'deploy/chalice/project.json'];
    const dockerfile = 'FROM python:3.12\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n';
    const choice = inferContext(
      facts(dockerfile, { files, projectRoot: 'deploy/chalice', dockerfile: 'api/Dockerfile', folderIgnore: ['*.md'] }),
    );
    expect(choice).toMatchObject({ mode: 'folder', folder: 'api', include: [], ignored: ['api/*.md'] });
    expect(choice.reason).toBe(
      '"COPY requirements.txt ./" (api/Dockerfile:2) names a path in api, the Dockerfile\'s folder, and neither in deploy/chalice nor at the workspace root',
    );
    expect(choice.unlisted).toBeUndefined();
    // In the project folder or at the root, the Dockerfile's folder is no candidate.
    expect(inferContext(facts(dockerfile, { files, projectRoot: 'api', dockerfile: 'api/Dockerfile' })).mode).toBe(
      'project',
    );
    expect(contextFolder({ dockerfile: 'Dockerfile.api', projectRoot: 'deploy/chalice' })).toBeUndefined();
    expect(contextFolder({ dockerfile: 'apps/api/Dockerfile', projectRoot: 'apps/api' })).toBeUndefined();
    // One of the project's folders, whose sources the Dockerfile copies beside it (pulumi's `container/app/*`).
    expect(contextFolder({ dockerfile: 'apps/api/container/Dockerfile', projectRoot: 'apps/api' })).toBe(
      'apps/api/container',
    );
    const pulumi = inferContext(
      facts('FROM node:20\nCOPY ./app/* /usr/src/app/\nRUN npm install\n', {
        files: ['apps/api/package.json', 'apps/api/index.ts', 'apps/api/container/app/index.js'],
        dockerfile: 'apps/api/container/Dockerfile',
      }),
    );
    expect(pulumi).toMatchObject({ mode: 'folder', folder: 'apps/api/container' });
    expect(contextFolder({ dockerfile: 'backend/Dockerfile', projectRoot: 'backend/cmd/http' })).toBe('backend');
    expect(
      contextFolder({
        dockerfile: 'api/Dockerfile',
        projectRoot: 'deploy/chalice',
        statedContext: { context: 'api/' },
      }),
    ).toBe('api');
  });

  it("a Dockerfile kept in another folder whose sources are found nowhere gets that folder, where a step writes them (playwright's utils/docker)", () => {
    const files = ['utils/docker/Dockerfile.noble', 'utils/docker/build.sh', 'packages/core/package.json'];
    const dockerfile = 'FROM ubuntu:24.04\nCOPY ./playwright-core.tar.gz /tmp/playwright-core.tar.gz\n';
    const choice = inferContext(
      facts(dockerfile, { files, projectRoot: 'packages/core', dockerfile: 'utils/docker/Dockerfile.noble' }),
    );
    expect(choice).toMatchObject({
      mode: 'folder',
      folder: 'utils/docker',
      unlisted: ['utils/docker/playwright-core.tar.gz'],
    });
    expect(choice.reason).toBe(
      'utils/docker/Dockerfile.noble is kept in utils/docker and no context holds its COPY sources ("COPY ./playwright-core.tar.gz /tmp/playwright-core.tar.gz" (utils/docker/Dockerfile.noble:2)): a step before the build must write them, beside it',
    );
    // The check can fail: a Dockerfile in a project's own docker/ folder has no folder of its own to take.
    expect(
      inferContext(
        facts(dockerfile, { files, projectRoot: 'packages/core', dockerfile: 'packages/core/docker/Dockerfile' }),
      ).mode,
    ).toBe('pruned');
  });

  it("reads a leading ../ as the build does, from the context's root (highlight's COPY ../go.work .)", () => {
    const files = ['go.work', 'backend/go.mod', 'backend/main.go', 'sdk/highlight-go/go.mod'];
    const dockerfile =
      'FROM golang:1.23\nCOPY ../go.work .\nCOPY ../backend/go.mod ./backend/go.mod\nCOPY ../sdk/highlight-go ./sdk/highlight-go\nCOPY ../backend ./backend\n';
    const choice = inferContext(
      facts(dockerfile, { files, projectRoot: 'backend', dockerfile: 'docker/backend.Dockerfile' }),
    );
    expect(choice).toMatchObject({ mode: 'pruned', include: ['go.work', 'sdk/highlight-go/**'] });
    expect(choice.reason).not.toMatch(/names a path in backend/);
  });

  it("a copied folder a RUN builds where it was copied to is neither carried nor waited for (rybbit's server)", () => {
    const projects = [
      { name: 'server', root: 'server' },
      { name: 'shared', root: 'shared' },
    ];
    const folderOutputs = { server: ['server/dist'], shared: ['shared/dist'] };
    const files = ['server/package.json', 'server/src/index.ts', 'shared/package.json', 'shared/src/index.ts'];
    const built = (dockerfile: string) =>
      inferContext(
        facts(dockerfile, { projects, folderOutputs, files, projectRoot: 'server', dockerfile: 'server/Dockerfile' }),
      ).outputs;
    const copied =
      'FROM node:20 AS builder\nWORKDIR /app/shared\nCOPY shared/ .\nWORKDIR /app/server\nCOPY server/package.json ./\nCOPY server/ .\n';
    for (const run of [
      'npm run build',
      'npm ci && npm run build:prod',
      'yarn build',
      'pnpm run build',
      'npx tsc -p .',
      'nest build',
    ])
      expect(built(`${copied}RUN ${run}\n`)).toEqual(['shared/dist']);
    // In another folder, or another package's build: carried, as before.
    expect(built(`${copied}WORKDIR /app\nRUN npm run build\n`)).toEqual(['shared/dist', 'server/dist']);
    // (-w names shared: its build is the image's, server's is not.)
    expect(built(`${copied}RUN npm run build -w shared\n`)).toEqual(['server/dist']);
    expect(built(`${copied}RUN npm test\n`)).toEqual(['shared/dist', 'server/dist']);
    // Built in its own folder by a WORKDIR entered after the copy to it.
    expect(built('FROM node:20\nCOPY shared /app/shared\nWORKDIR /app/shared\nRUN npm run build\n')).toEqual([]);
    // A file copied into the folder after it leaves it the folder's copy (aws-lambda-supergraph's schema, an .npmrc).
    for (const file of ['server/schema.graphql ./', '.npmrc ./', 'server/tsconfig.json /app/'])
      expect(built(`FROM node:20\nCOPY server /app\nWORKDIR /app\nCOPY ${file}\nRUN npm run build\n`)).toEqual([]);
  });

  it("a copied folder whose install script builds it, installed after the copy, is neither carried nor waited for (sourcebot's libraries)", () => {
    const projects = [
      { name: 'web', root: 'packages/web', packageName: '@x/web' },
      { name: 'lib', root: 'packages/lib', packageName: '@x/lib' },
    ];
    const folderOutputs = { 'packages/lib': ['packages/lib/dist'] };
    const files = ['package.json', 'yarn.lock', 'packages/lib/package.json', 'packages/lib/src/index.ts'];
    const outputs = (dockerfile: string, installBuilds = ['packages/lib']) =>
      inferContext(
        facts(dockerfile, {
          projects,
          folderOutputs,
          files,
          installBuilds,
          projectRoot: 'packages/web',
          dockerfile: 'Dockerfile',
        }),
      ).outputs;
    const copied = 'FROM node:20\nCOPY package.json yarn.lock ./\nCOPY ./packages/lib ./packages/lib\n';
    for (const run of ['yarn workspace @x/lib install', 'yarn install --immutable', 'yarn', 'npm ci', 'pnpm install'])
      expect(outputs(`${copied}RUN ${run}\n`)).toEqual([]);
    expect(outputs(`FROM node:20\nCOPY . .\nRUN npm ci\n`)).toEqual([]);
    // No install script that builds, scripts turned off, named packages added, or installed before the copy: carried.
    expect(outputs(`${copied}RUN yarn install\n`, [])).toEqual(['packages/lib/dist']);
    expect(outputs(`${copied}RUN npm ci --ignore-scripts\n`)).toEqual(['packages/lib/dist']);
    expect(outputs(`${copied}RUN yarn install --mode=skip-build\n`)).toEqual(['packages/lib/dist']);
    expect(outputs(`${copied}RUN yarn install --mode skip-build\n`)).toEqual(['packages/lib/dist']);
    expect(outputs(`${copied}RUN npm install left-pad\n`)).toEqual(['packages/lib/dist']);
    expect(
      outputs('FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\nCOPY ./packages/lib ./packages/lib\n'),
    ).toEqual(['packages/lib/dist']);

    // Joplin's server: the root manifest's `"postinstall": "gulp build"` builds every package, kept as it is
    // by a context that keeps every manifest (a workspace tool runs later).
    const rootBuilds = (dockerfile: string, rootInstallBuilds: boolean) =>
      inferContext(
        facts(dockerfile, {
          projects,
          folderOutputs,
          files,
          ...(rootInstallBuilds ? { rootInstallBuilds: true as const } : {}),
          projectRoot: 'packages/web',
          dockerfile: 'Dockerfile',
        }),
      );
    const workspaceTool = `${copied}COPY ./packages/web ./packages/web\nRUN yarn install\nRUN yarn workspace @x/web run build\n`;
    expect(rootBuilds(workspaceTool, true)).toMatchObject({ workspaceManifests: true, outputs: [] });
    expect(rootBuilds(workspaceTool, false).outputs).toEqual(['packages/lib/dist']);
    // An install after the root manifest is copied runs them (graphprotocol/indexer's): kept as it is too.
    expect(rootBuilds(`${copied}RUN yarn install\n`, true)).toMatchObject({ workspaceManifests: true, outputs: [] });
    expect(rootBuilds(`${copied}RUN yarn install --ignore-scripts\n`, true).outputs).toEqual(['packages/lib/dist']);
  });

  it("a copied folder the image's `tsc --build` compiles through a project reference is neither carried nor waited for (dittofeed's api)", () => {
    const projects = [
      { name: 'api', root: 'packages/api' },
      { name: 'backend-lib', root: 'packages/backend-lib' },
      { name: 'admin', root: 'packages/admin' },
    ];
    const folderOutputs = {
      'packages/api': ['packages/api/dist'],
      'packages/backend-lib': ['packages/backend-lib/dist'],
      'packages/admin': ['packages/admin/dist'],
    };
    const dockerfile = (run: string) =>
      `FROM node:20\nCOPY packages/backend-lib packages/backend-lib\nCOPY packages/admin packages/admin\nCOPY packages/api packages/api\nRUN ${run}\n`;
    const referenceBuilds = { 'packages/api': ['packages/backend-lib'] };
    const files = projects.flatMap(({ root }) => [`${root}/package.json`, `${root}/src/index.ts`]);
    const inferred = (run: string, references: Record<string, string[]> = referenceBuilds) =>
      inferContext(
        facts(dockerfile(run), {
          projectRoot: 'packages/api',
          dockerfile: 'packages/api/Dockerfile',
          files: [...files, 'packages/api/Dockerfile'],
          projects,
          folderOutputs,
          referenceBuilds: references,
        }),
      );
    expect(inferred('yarn workspace api build')).toMatchObject({
      outputs: ['packages/admin/dist'],
      producers: [{ output: 'packages/admin/dist', project: 'admin' }],
    });
    // The referencing package not built in the image, or its build compiling no references: carried and waited for.
    expect(inferred('yarn workspace admin build').outputs).toEqual(['packages/backend-lib/dist', 'packages/api/dist']);
    expect(inferred('yarn workspace api build', {}).outputs).toEqual([
      'packages/backend-lib/dist',
      'packages/admin/dist',
    ]);
  });

  it("a copied library a RUN builds first, as a dependency of the package it builds, is neither carried nor waited for (twenty's server)", () => {
    const projects = [
      { name: 'twenty-server', root: 'packages/twenty-server' },
      { name: 'twenty-shared', root: 'packages/twenty-shared' },
      { name: 'twenty-front', root: 'packages/twenty-front' },
    ];
    const folderOutputs = {
      'packages/twenty-shared': ['packages/twenty-shared/dist'],
      'packages/twenty-front': ['packages/twenty-front/dist'],
    };
    const dockerfile = [
      'FROM node:20',
      'COPY packages/twenty-shared packages/twenty-shared',
      'COPY packages/twenty-front packages/twenty-front',
      'COPY packages/twenty-server packages/twenty-server',
      'RUN npx nx run twenty-server:build',
      '',
    ].join('\n');
    const files = projects.flatMap(({ root }) => [`${root}/package.json`, `${root}/src/index.ts`]);
    const outputs = (dependencyBuilds?: Record<string, string[]>) =>
      inferContext(
        facts(dockerfile, {
          projectRoot: 'packages/twenty-server',
          dockerfile: 'packages/twenty-server/Dockerfile',
          files: [...files, 'packages/twenty-server/Dockerfile'],
          projects,
          folderOutputs,
          ...(dependencyBuilds ? { dependencyBuilds } : {}),
        }),
      ).outputs;
    expect(outputs({ 'packages/twenty-server': ['packages/twenty-shared'] })).toEqual(['packages/twenty-front/dist']);
    // Without the fact (its build does not depend on `^build`, or no RUN builds it so): both carried.
    expect(outputs()).toEqual(['packages/twenty-shared/dist', 'packages/twenty-front/dist']);
  });

  it("says a Dockerfile whose sources start with the workspace's own folder is written for the folder above it (unkey: Nx in web/)", () => {
    const dockerfile = [
      'FROM node:20',
      'COPY web/package.json web/package-lock.json ./',
      'COPY web/apps/api/package.json ./apps/api/package.json',
      'RUN npm ci',
      'COPY web/ .',
      '',
    ].join('\n');
    const inferred = inferContext(facts(dockerfile, { workspaceFolder: 'web' }));
    expect(inferred.mode).toBe('project');
    expect(inferred.reason).toMatch(
      /its COPY sources \("COPY web\/package\.json .*" \(apps\/api\/Dockerfile:2\) and 3 more\) start with web\/, the Nx workspace's own folder: it is written for the folder above the workspace/,
    );
    // Another folder name: the sources are simply found nowhere.
    const elsewhere = inferContext(facts(dockerfile, { workspaceFolder: 'acme' }));
    expect(elsewhere.reason).toMatch(/neither context holds its COPY sources/);
    expect(elsewhere.aboveWorkspace).toBeUndefined();
  });

  it('names the packages a RUN builds with their dependencies first, by tool and by what its build depends on', () => {
    const first = (nx: boolean, turbo: boolean) => ({ nx: () => nx, turbo: () => turbo });
    const named = (run: string, nx = false, turbo = false) =>
      dependencyFirstBuilds(`FROM node:20\nRUN ${run}\n`, first(nx, turbo));
    expect(named("pnpm --filter '@acme/api...' build")).toEqual(['@acme/api']);
    expect(named('pnpm -F api^... run build')).toEqual(['api']);
    expect(named('npx turbo run build --filter=api...')).toEqual(['api']);
    expect(named('lerna run build --scope api --include-dependencies')).toEqual(['api']);
    expect(named('rush build --to @acme/api')).toEqual(['@acme/api']);
    expect(named('node common/scripts/install-run-rush.js build -t api')).toEqual(['api']);
    expect(named('rush build --only api')).toEqual([]);
    expect(named('yarn workspaces foreach -R --from api run build')).toEqual(['api']);
    expect(named("yarn workspaces foreach -Rpt --from '@acme/api' run build")).toEqual(['@acme/api']);
    expect(named('yarn workspaces foreach -pt --from api run build')).toEqual([]);
    expect(
      dependencyFirstBuilds(
        'FROM node:20\nARG PACKAGE\nRUN yarn workspaces foreach -R --from ${PACKAGE} run build\n',
        first(false, false),
        {
          buildArgs: { PACKAGE: 'api' },
        },
      ),
    ).toEqual(['api']);
    // By name alone: only when the runner's build depends on `^build`.
    expect(named('npx nx run twenty-server:build', true)).toEqual(['twenty-server']);
    expect(named('nx build api --prod', true)).toEqual(['api']);
    expect(named('npx nx run twenty-server:build')).toEqual([]);
    expect(named('turbo run build --filter=api', false, true)).toEqual(['api']);
    expect(named('turbo run build --filter=api')).toEqual([]);
    // A path with its dependencies, in each of turbo's forms: named by its path.
    expect(named('turbo run build --filter=./apps/api...')).toEqual(['./apps/api']);
    expect(named("turbo run build --filter='{./apps/api}...'")).toEqual(['./apps/api']);
    expect(named('turbo build --filter={apps/api/}...')).toEqual(['./apps/api']);
    // nx run-many's projects, by name, where its build depends on `^build`.
    expect(named('npx nx run-many -t build --projects api --prod', true)).toEqual(['api']);
    expect(named('nx run-many --targets=lint,build -p api util', true)).toEqual(['api', 'util']);
    expect(named('nx run-many -t build --projects=api,util', true)).toEqual(['api', 'util']);
    expect(named('nx run-many -t build --projects=api')).toEqual([]);
    expect(named('nx run-many -t test --projects=api', true)).toEqual([]);
    // Without dependencies: pnpm by name, dependents (`...api`), a path alone, Nx told to skip them, no build at all.
    expect(named('pnpm --filter api build', true, true)).toEqual([]);
    expect(named("pnpm --filter '...api' build", true, true)).toEqual([]);
    expect(named('pnpm --filter ./apps/api build', true, true)).toEqual([]);
    expect(named('nx build api --exclude-task-dependencies', true, true)).toEqual([]);
    expect(named("pnpm --filter 'api...' test", true, true)).toEqual([]);
    expect(named('lerna run build --scope api', true, true)).toEqual([]);
  });

  it("a prune tool after folders holding the workspace's projects reads them as it reads a whole copy (IoT-Manager's COPY apps ./apps)", () => {
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'web', root: 'apps/web' },
      { name: 'shared', root: 'libs/shared' },
    ];
    const dockerfile = [
      'FROM node:20 AS pruner',
      'WORKDIR /app',
      'RUN npm i -g turbo',
      'COPY package.json package-lock.json ./',
      'COPY apps ./apps',
      'COPY libs ./libs',
      'COPY tools/scripts ./tools/scripts',
      'RUN turbo prune api --docker',
      'FROM node:20',
      'COPY --from=pruner /app/out/full/ .',
      '',
    ].join('\n');
    const chosen = inferContext(facts(dockerfile, { projects }));
    expect(chosen).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        '"COPY apps ./apps" (apps/api/Dockerfile:5) is followed by "RUN turbo prune api --docker"',
      ),
    });
    // The folders the tool reads are its closure and every manifest in them, not whole; another folder
    // copied beside them stays whole.
    expect(chosen.include).toEqual(['apps/**/package.json', 'libs/**/package.json', 'tools/scripts/**']);
    // The control: without the tool, the folders are copied whole.
    expect(inferContext(facts(dockerfile.replace('RUN turbo prune api --docker\n', ''), { projects })).include).toEqual(
      ['apps/**', 'libs/**', 'tools/scripts/**'],
    );
  });

  it('a pruned context carries what later stages take from the stage that copied the whole context', () => {
    const result = inferContext(
      facts(
        [
          'FROM node:20 AS builder',
          'WORKDIR /app',
          'COPY . .',
          'RUN turbo prune api --docker',
          'FROM node:20',
          'COPY --from=builder /app/out/full/ .',
          'COPY --from=builder /app/tools/scripts/healthcheck.sh /healthcheck.sh',
          'COPY --from=builder /app/libs/shared /libs/shared',
          'COPY --from=builder /app/package.json /app/apps/api/src/main.ts /app/',
          '',
        ].join('\n'),
      ),
    );
    expect(result).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      manifestGlobs: ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '**/package.json'],
      include: ['tools/scripts/healthcheck.sh', 'libs/shared/**'],
    });
  });

  it("after COPY . . every root file is sent, each named, but what the root's ignore file leaves out (openpanel's README.md)", () => {
    const text = 'FROM node:20\nCOPY . .\nRUN turbo prune api --docker\n';
    const files = [...FILES, 'README.md', 'docs/guide.md', 'LICENSE'];
    const result = inferContext(facts(text, { files, ignore: { project: [], workspace: ['*.md', 'docs'] } }));
    expect(result).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      manifestGlobs: [
        'package.json',
        'package-lock.json',
        'nx.json',
        'tsconfig.base.json',
        'LICENSE',
        '**/package.json',
      ],
    });
  });

  it("after COPY . . a package manifest the root's ignore file leaves out is no input: the kept ones are named (FAIMS3's CDK package)", () => {
    const text = 'FROM node:20\nCOPY . .\nRUN turbo prune api --docker\n';
    const files = [...FILES, 'apps/infra/package.json', 'apps/infra/bin/app.ts'];
    const packageGlobs = ['apps/*/package.json', 'libs/*/package.json'];
    const manifests = (workspace: string[]) =>
      inferContext(facts(text, { files, packageGlobs, ignore: { project: [], workspace } })).manifestGlobs ?? [];
    expect(manifests(['apps/infra/'])).not.toContain('apps/infra/package.json');
    expect(manifests(['apps/infra/'])).toEqual(
      expect.arrayContaining(
        files.filter((file) => /^(apps|libs)\/[^/]+\/package\.json$/.test(file) && !file.startsWith('apps/infra/')),
      ),
    );
    expect(manifests(['apps/infra/'])).not.toEqual(expect.arrayContaining(packageGlobs));
    // Nothing left out: the globs, as before.
    expect(manifests(['*.md'])).toEqual(expect.arrayContaining(packageGlobs));
  });

  it('the root package.json copied and a prune tool run on it keeps the root manifests as they are, and the ones it copies (twenty)', () => {
    const twenty = {
      projectRoot: 'packages/twenty-server',
      dockerfile: 'packages/twenty-docker/twenty/Dockerfile',
      files: [
        'package.json',
        'yarn.lock',
        '.yarnrc.yml',
        'nx.json',
        'packages/twenty-front/package.json',
        'packages/twenty-front/src/index.tsx',
        'packages/twenty-server/package.json',
        'packages/twenty-server/src/main.ts',
        'packages/twenty-docker/twenty/Dockerfile',
      ],
    };
    const dockerfile = (prune: string, build = 'RUN npx nx run twenty-server:build') =>
      [
        'FROM node:20 AS deps',
        'WORKDIR /app',
        'COPY ./package.json ./yarn.lock ./.yarnrc.yml ./nx.json /app/',
        'COPY ./packages/twenty-front/package.json /app/packages/twenty-front/',
        'RUN yarn',
        'FROM deps AS server',
        'COPY ./packages/twenty-server /app/packages/twenty-server',
        build,
        prune,
        '',
      ].join('\n');
    const focused = inferContext(facts(dockerfile('RUN yarn workspaces focus --production twenty-server'), twenty));
    // Root files it does not copy never reach the image (dittofeed's README.md).
    expect(focused).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      // Another package's manifest (twenty-emails') never reaches the image: the copied one is a source.
      manifestGlobs: ['package.json', 'yarn.lock', '.yarnrc.yml'],
      include: expect.arrayContaining(['packages/twenty-front/package.json']),
    });
    expect(focused.reason).toMatch(
      /"COPY \.\/package\.json .*" \(packages\/twenty-docker\/twenty\/Dockerfile:3\) copies the root package\.json and "RUN yarn workspaces focus --production twenty-server" \(packages\/twenty-docker\/twenty\/Dockerfile:9\) runs a prune tool on it: the context holds the package manager's root files as they are, .* manifests among them$/,
    );
    // Nx's build reads the workspace's manifests too (a workspace tool), without the prune tool.
    expect(inferContext(facts(dockerfile('RUN yarn build'), twenty))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        '"RUN npx nx run twenty-server:build" (packages/twenty-docker/twenty/Dockerfile:8) runs a workspace tool, which reads every package manifest',
      ),
    });
    // No tool, or no root manifest for one to read: the service's own pruned manifests.
    const plain = inferContext(facts(dockerfile('RUN yarn build', 'RUN node build.js'), twenty));
    expect(plain).toMatchObject({ mode: 'pruned' });
    expect(plain.workspaceManifests).toBeUndefined();
    const withoutRoot = dockerfile('RUN yarn workspaces focus twenty-server').replace(
      './package.json ./yarn.lock ./.yarnrc.yml ./nx.json',
      './.yarnrc.yml ./nx.json',
    );
    expect(inferContext(facts(withoutRoot, twenty)).workspaceManifests).toBeUndefined();
  });

  it("the root manifests copied by name and a workspace tool run on them keep every workspace manifest as it is (atproto's, botpress's pnpm filters)", () => {
    const layout = {
      projectRoot: 'services/feed',
      dockerfile: 'services/feed/Dockerfile',
      files: [
        'package.json',
        'pnpm-lock.yaml',
        'pnpm-workspace.yaml',
        'packages/feed/package.json',
        'packages/feed/src/index.ts',
        'packages/client/package.json',
        'packages/client/src/index.ts',
        'services/feed/package.json',
        'services/feed/index.ts',
        'services/feed/Dockerfile',
      ],
    };
    const dockerfile = (...runs: string[]) =>
      [
        'FROM node:20 AS build',
        'WORKDIR /app',
        'COPY ./package.json ./',
        'COPY ./pnpm-lock.yaml ./pnpm-workspace.yaml ./',
        'COPY ./packages/feed ./packages/feed',
        'COPY ./packages/client ./packages/client',
        'COPY ./services/feed ./services/feed',
        'RUN pnpm install --frozen-lockfile',
        ...runs,
        '',
      ].join('\n');
    // A pruned root manifest is the service's own, with `packages: []`: these filters find only it.
    for (const run of [
      "RUN pnpm run --recursive --stream --filter 'feed-service...' build",
      'RUN pnpm --filter @acme/client run generate',
      'RUN pnpm -r build',
    ]) {
      const inferred = inferContext(facts(dockerfile(run), layout));
      expect(inferred).toMatchObject({ mode: 'pruned', workspaceManifests: true });
      expect(inferred.reason).toMatch(
        /^"COPY \.\/package\.json \.\/" \(services\/feed\/Dockerfile:3\) copies the root package\.json and "RUN pnpm .*" \(services\/feed\/Dockerfile:9\) runs a workspace tool, which reads every package manifest/,
      );
    }
    // The root manifest taken by a glob (akash's `COPY package*.json /app/`) is copied all the same.
    const globbed = inferContext(
      facts(dockerfile('RUN pnpm -r build').replace('COPY ./package.json ./', 'COPY package*.json ./'), layout),
    );
    expect(globbed).toMatchObject({ mode: 'pruned', workspaceManifests: true });
    // The image builds in the service's folder, without reading another package's manifest.
    const own = inferContext(facts(dockerfile('WORKDIR /app/services/feed', 'RUN pnpm build'), layout));
    expect(own).toMatchObject({ mode: 'pruned' });
    expect(own.workspaceManifests).toBeUndefined();
  });

  it("the root package.json copied with the packages' manifests by a glob: the workspace laid out for the install, kept as it is (agenta's web images)", () => {
    const files = [...FILES, 'pnpm-workspace.yaml', 'libs/shared/package.json'];
    const dockerfile = (manifests: string) =>
      `FROM node:20\nWORKDIR /app\nCOPY package.json pnpm-workspace.yaml ./\nCOPY apps/api/package.json ./apps/api/\n${manifests}RUN pnpm install --frozen-lockfile\nCOPY libs/ ./libs/\nCOPY apps/api/ ./apps/api/\n`;
    expect(inferContext(facts(dockerfile('COPY --parents libs/*/package.json ./\n'), { files }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        '"COPY --parents libs/*/package.json ./" (apps/api/Dockerfile:5) the packages\' manifests, laying the workspace out for its install',
      ),
    });
    // The check can fail: the service's own manifest by name is the pruned context's to write.
    expect(inferContext(facts(dockerfile(''), { files })).workspaceManifests).toBeUndefined();
    // Another project's manifest by name lays the workspace out the same (sill's web: its node_modules per package).
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'shared', root: 'libs/shared' },
    ];
    expect(
      inferContext(facts(dockerfile('COPY libs/shared/package.json ./libs/shared/\n'), { files, projects })),
    ).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        '"COPY libs/shared/package.json ./libs/shared/" (apps/api/Dockerfile:5) the packages\'',
      ),
    });
  });

  it("pnpm's workspace file copied without the root package.json, then a whole install, keeps it and the lockfile as they are (crowd.dev's workers)", () => {
    const files = [...FILES, 'pnpm-workspace.yaml', 'pnpm-lock.yaml', 'libs/shared/package.json'];
    const dockerfile = (install: string) =>
      `FROM node:20\nWORKDIR /app\nCOPY ./pnpm-workspace.yaml ./pnpm-lock.yaml ./\nRUN pnpm fetch\nCOPY ./apps ./apps\nCOPY ./libs ./libs\nRUN ${install}\n`;
    expect(inferContext(facts(dockerfile('pnpm i --frozen-lockfile'), { files }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        'copies pnpm-workspace.yaml without the root package.json, and "RUN pnpm i --frozen-lockfile" (apps/api/Dockerfile:7) installs the packages it lists',
      ),
    });
    // The check can fail: no install, nothing reads the workspace file.
    expect(inferContext(facts(dockerfile('node -v'), { files })).workspaceManifests).toBeUndefined();
  });

  it("a project with no package.json of its own that installs the root's keeps the root manifest as it is where Nx cannot prune it by its imports (Mist3rBru's services, zen's api)", () => {
    const ownless = FILES.filter((file) => file !== 'apps/api/package.json' && file !== 'package-lock.json');
    const dockerfile = (install: string) =>
      `FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN ${install}\nCOPY apps/api ./apps/api\n`;
    expect(inferContext(facts(dockerfile('npm install'), { files: ownless }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        'copies the root package.json, the only manifest apps/api has, and "RUN npm install" (apps/api/Dockerfile:4) installs what it names, which Nx cannot prune by the project\'s imports (no lockfile)',
      ),
    });
    // Nor where Nx analyses no source file (zen's api: no Nx JS plugin, no `@nx/js` config), lockfile or not.
    const unanalysed = facts(dockerfile('npm install'), {
      files: FILES.filter((file) => file !== 'apps/api/package.json'),
      sourcesUnanalysed: true,
    });
    expect(inferContext(unanalysed).reason).toContain(
      "which Nx cannot prune by the project's imports (it analyses no source file)",
    );
    // The check can fail: its own manifest, a lockfile (Nx's pruning keeps what the sources import), or no install.
    const own = FILES.filter((file) => file !== 'package-lock.json');
    expect(inferContext(facts(dockerfile('npm install'), { files: own })).workspaceManifests).toBeUndefined();
    const locked = FILES.filter((file) => file !== 'apps/api/package.json');
    expect(inferContext(facts(dockerfile('npm install'), { files: locked })).workspaceManifests).toBeUndefined();
    expect(inferContext(facts(dockerfile('node -v'), { files: ownless })).workspaceManifests).toBeUndefined();
  });

  it("the root package.json of a bun workspace, whose lockfile Nx cannot prune, is kept as it is (sim's migrations image)", () => {
    const bun = [...FILES.filter((file) => file !== 'package-lock.json'), 'bun.lock', 'libs/shared/package.json'];
    const dockerfile =
      'FROM oven/bun:1 AS deps\nWORKDIR /app\nCOPY package.json bun.lock ./\nCOPY libs/shared/package.json ./libs/shared/package.json\nCOPY apps/api/package.json ./apps/api/package.json\nRUN bun install --ignore-scripts\nCOPY apps/api ./apps/api\n';
    expect(inferContext(facts(dockerfile, { files: bun }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining(
        'copies the root package.json of a bun workspace, whose lockfile Nx cannot prune',
      ),
    });
    // The check can fail: with npm's lockfile, Nx prunes the root manifest and lockfile.
    expect(inferContext(facts(dockerfile.replace('bun.lock', 'package-lock.json'))).workspaceManifests).toBeUndefined();
    // Committed though `.gitignore` names it, which keeps it off Nx's list (comp's bun.lock): a bun workspace all the same.
    const unlisted = bun.filter((file) => file !== 'bun.lock');
    expect(inferContext(facts(dockerfile, { files: unlisted, unlistedOnDisk: ['bun.lock'] }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
    });
    expect(inferContext(facts(dockerfile, { files: unlisted })).workspaceManifests).toBeUndefined();
  });

  it("the root package.json copied with sources no project holds is kept as it is: only it names their dependencies (browserless's base image)", () => {
    const single = [
      'package.json',
      'package-lock.json',
      'src/server.ts',
      'src/routes/chrome.ts',
      'bin/cli.js',
      'fonts/Emoji.ttf',
      'docker/base/project.json',
      'docker/base/Dockerfile',
    ];
    const base = (copies: string) =>
      inferContext({
        ...facts(
          `FROM node:20\nWORKDIR /app\nCOPY fonts/* /usr/share/fonts/\nCOPY package.json package-lock.json ./\nRUN npm clean-install\n${copies}`,
          {
            files: single,
            projects: [{ name: 'bl-base', root: 'docker/base' }],
          },
        ),
        projectRoot: 'docker/base',
        dockerfile: 'docker/base/Dockerfile',
      });
    expect(base('COPY bin bin\nCOPY src src\nRUN npm run build\n')).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringMatching(
        /copies the root package\.json and "COPY bin bin" \(docker\/base\/Dockerfile:6\) sources no project holds, whose dependencies only the root package\.json names/,
      ),
    });
    // The check can fail: fonts are no sources, and a project's folder has its own manifest in the closure.
    expect(base('').workspaceManifests).toBeUndefined();
  });

  it("Yarn's own files copied with the root package.json are named as Yarn's: they read it as it is (Plug'n'Play)", () => {
    const choice = inferContext({
      ...facts(
        'FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc.yml .pnp.cjs ./\nCOPY .yarn ./.yarn\nCOPY apps/api apps/api\nCMD ["node", "-r", "./.pnp.cjs", "apps/api/src/main.js"]\n',
        {
          files: [
            'package.json',
            'yarn.lock',
            '.yarnrc.yml',
            '.pnp.cjs',
            '.yarn/releases/yarn-4.5.0.cjs',
            'apps/api/package.json',
            'apps/api/src/main.js',
          ],
          projects: [{ name: 'api', root: 'apps/api' }],
        },
      ),
      projectRoot: 'apps/api',
      dockerfile: 'apps/api/Dockerfile',
    });
    expect(choice).toMatchObject({ mode: 'pruned', workspaceManifests: true });
    expect(choice.reason).toMatch(/Yarn's own files \(its release, plugins or Plug'n'Play install state\)/);
    expect(choice.reason).not.toMatch(/sources no project holds/);
  });

  it('root manifests bound into a pnpm install filtered to the service are kept as they are, with the manifests it mounts (openstatus, Dofigen)', () => {
    const openstatus = {
      projectRoot: 'packages/db',
      dockerfile: 'packages/db/Dockerfile',
      files: [
        'package.json',
        'pnpm-lock.yaml',
        'pnpm-workspace.yaml',
        'packages/db/package.json',
        'packages/db/src/index.ts',
        'packages/utils/package.json',
        'packages/utils/src/index.ts',
        'packages/db/Dockerfile',
      ],
    };
    const dockerfile = (install: string) =>
      [
        'FROM node:20 AS install',
        'WORKDIR /app',
        'RUN --mount=type=bind,target=pnpm-workspace.yaml,source=pnpm-workspace.yaml \\',
        '    --mount=type=bind,target=pnpm-lock.yaml,source=pnpm-lock.yaml \\',
        '    --mount=type=bind,target=package.json,source=package.json \\',
        '    --mount=type=bind,target=packages/db/package.json,source=packages/db/package.json \\',
        '    --mount=type=bind,target=packages/utils/package.json,source=packages/utils/package.json <<EOF',
        install,
        'EOF',
        'COPY packages/db packages/db',
        'COPY packages/utils packages/utils',
        '',
      ].join('\n');
    for (const install of [
      'pnpm install --prod --frozen-lockfile --filter=@openstatus/db...',
      'pnpm --filter @openstatus/db... install --frozen-lockfile',
      'pnpm i -F @openstatus/db...',
    ])
      expect(inferContext(facts(dockerfile(install), openstatus))).toMatchObject({
        mode: 'pruned',
        workspaceManifests: true,
        // The package manifests it mounts are its sources; no other reaches the image.
        manifestGlobs: ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'],
        // The RUN that mounts the manifests and runs the tool, quoted once.
        reason: expect.stringMatching(
          /^"RUN --mount=source=pnpm-workspace\.yaml … <<EOF pnpm [^"]*" \(packages\/db\/Dockerfile:3\) mounts the root package\.json and runs a prune tool on it: /,
        ),
      });
    // An install of the whole lockfile: the service's own pruned manifests.
    expect(
      inferContext(facts(dockerfile('pnpm install --frozen-lockfile'), openstatus)).workspaceManifests,
    ).toBeUndefined();
  });

  it("the prune tool must be the next step of the COPY . . stage: what runs between may read every project's sources", () => {
    const outside = { dockerfile: 'docker/api.Dockerfile' };
    // The tool's own install may come first.
    expect(
      inferContext(
        facts('FROM node:20\nCOPY . .\nRUN npm install -g turbo@2\nRUN turbo prune api --docker\n', outside),
      ),
    ).toMatchObject({ mode: 'pruned', workspaceManifests: true });
    // Or the package manager's own version (dittofeed's dashboard).
    expect(
      inferContext(
        facts('FROM node:20\nCOPY . .\nRUN yarn set version 4.1.1\nRUN yarn workspaces focus api\n', outside),
      ),
    ).toMatchObject({ mode: 'pruned', workspaceManifests: true });
    // pnpm's documented pattern builds every package before deploying one: the whole repository.
    expect(
      inferContext(
        facts(
          'FROM node:20 AS build\nCOPY . /usr/src/app\nWORKDIR /usr/src/app\nRUN pnpm install --frozen-lockfile\nRUN pnpm run -r build\nRUN pnpm deploy --filter=api --prod /prod/api\n',
          outside,
        ),
      ),
    ).toMatchObject({
      mode: 'workspace',
      reason: expect.stringContaining('"COPY . /usr/src/app" (docker/api.Dockerfile:2)'),
    });
    // A COPY . . in one stage and the tool in another (after a full install in its parent stage).
    const stages = [
      'FROM golang:1.22 AS webapp_server_builder',
      'COPY . .',
      'RUN go build ./...',
      'FROM node:20 AS base_builder',
      'COPY . .',
      'RUN pnpm install -f',
      'FROM base_builder AS backend_builder',
      'RUN pnpm --filter=api deploy /dist/api',
      '',
    ].join('\n');
    expect(inferContext(facts(stages, outside))).toMatchObject({ mode: 'workspace' });
    expect(inferContext(facts(stages, outside)).workspaceManifests).toBeUndefined();
  });

  it("a WORKDIR the project folder's own copy would also hold decides nothing", () => {
    const dockerfile = 'FROM node:20\nCOPY . .\nWORKDIR /apps/api\nCMD ["node", "main.js"]\n';
    expect(inferContext(facts(dockerfile)).mode).toBe('workspace');
    // apps/api/apps/api/main.js: the project folder has that path itself.
    expect(inferContext(facts(dockerfile, { files: [...FILES, 'apps/api/apps/api/main.js'] })).mode).toBe('project');
  });

  it("a whole copy then an install, from a project folder without a package.json: the workspace's (ultimate-backend's Nest apps)", () => {
    const layout = {
      projectRoot: 'apps/svc',
      dockerfile: 'apps/svc/Dockerfile',
      files: ['package.json', 'yarn.lock', 'nest-cli.json', 'apps/svc/project.json', 'apps/svc/src/main.ts'],
    };
    const dockerfile = (...runs: string[]) =>
      [
        'FROM node:20',
        'ADD . /usr/src/app',
        'WORKDIR /usr/src/app',
        ...runs,
        'CMD ["node", "dist/apps/svc/main.js"]',
        '',
      ].join('\n');
    expect(inferContext(facts(dockerfile('RUN yarn install --production=false'), layout))).toMatchObject({
      mode: 'workspace',
      reason:
        '"ADD . /usr/src/app" (apps/svc/Dockerfile:2) is followed by "RUN yarn install --production=false" (apps/svc/Dockerfile:4), which needs a package.json: the workspace root holds one, the project folder none',
    });
    expect(inferContext(facts(dockerfile('RUN yarn && yarn build'), layout)).mode).toBe('workspace');
    // The Nest CLI's monorepo build of one app reads the root's nest-cli.json and every library.
    expect(inferContext(facts(dockerfile('RUN nest build svc'), layout))).toMatchObject({
      mode: 'workspace',
      reason: expect.stringContaining('"RUN nest build svc" (apps/svc/Dockerfile:4), a workspace tool'),
    });
    // A global install reads no package.json; a project folder with its own has what the install needs.
    expect(inferContext(facts(dockerfile('RUN npm install -g pm2'), layout)).mode).toBe('project');
    expect(inferContext(facts(dockerfile('RUN npm i -g pm2 && node x.js'), layout)).mode).toBe('project');
    expect(
      inferContext(
        facts(dockerfile('RUN yarn install'), { ...layout, files: [...layout.files, 'apps/svc/web/package.json'] }),
      ).mode,
    ).toBe('project');
    expect(inferContext(facts(dockerfile('RUN nest build'), layout)).mode).toBe('project');
  });

  it('an install from a lockfile the project folder holds itself keeps the project context', () => {
    const own = facts('FROM node:20\nCOPY . .\nRUN yarn install --immutable && yarn build\n', {
      files: [...FILES, 'yarn.lock', 'apps/api/yarn.lock'],
    });
    expect(inferContext(own).mode).toBe('project');
    expect(inferContext({ ...own, files: [...FILES, 'yarn.lock'] })).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(/which needs yarn\.lock: the workspace root holds it/),
    });
  });

  it("a Dockerfile kept outside its project that copies nothing: its own folder, as `docker build` there sends it (greenpress's compose/builders)", () => {
    expect(
      inferContext(
        facts(
          'ARG MONOREPO_VERSION=main\nFROM acme/monorepo:${MONOREPO_VERSION} AS base\nFROM node:20\nCOPY --from=base /apps/api .\n',
          {
            dockerfile: 'compose/builders/api.Dockerfile',
          },
        ),
      ),
    ).toMatchObject({
      mode: 'folder',
      reason:
        'compose/builders/api.Dockerfile copies nothing from the context and is kept in compose/builders, outside apps/api: built from there, as `docker build` there sends it',
    });
  });

  it("a Dockerfile in its project's docker/ folder that copies nothing: that folder, as its CI builds it (mockoon's CLI image)", () => {
    const installs = 'FROM node:20\nARG version=latest\nRUN npm install -g @acme/cli@$version\n';
    expect(inferContext(facts(installs, { dockerfile: 'apps/api/docker/Dockerfile' }))).toMatchObject({
      mode: 'folder',
      reason:
        'apps/api/docker/Dockerfile copies nothing from the context and is kept in apps/api/docker, a folder of apps/api: built from there, as `docker build` there sends it',
    });
    // In the project folder itself: the project folder.
    expect(inferContext(facts(installs))).toMatchObject({
      mode: 'project',
      reason: 'apps/api/Dockerfile is in the project folder and it copies nothing from the context',
    });
  });

  it('a Dockerfile outside its project with no deciding source: pruned', () => {
    expect(
      inferContext(facts('FROM node:20\nCOPY package.json ./\n', { dockerfile: 'docker/api.Dockerfile' })),
    ).toMatchObject({
      mode: 'pruned',
      reason: 'no COPY source decides between the project folder and the workspace root',
    });
  });

  it('copies of workspace paths outside the service become includes (folders as globs), manifests do not', () => {
    expect(
      inferContext(
        facts(
          'FROM node:20\nCOPY package.json package-lock.json tsconfig.base.json ./\nCOPY libs/shared ./libs/shared\nCOPY apps/api apps/api\nCOPY tools/scripts/*.sh /usr/local/bin/\n',
        ),
      ),
    ).toEqual({
      mode: 'pruned',
      reason: expect.any(String),
      include: ['tsconfig.base.json', 'libs/shared/**', 'tools/scripts/*.sh'],
      outputs: [],
    });
  });

  it("a Dockerfile copying the Nx build's output (git-ignored, so absent): pruned, with the output", () => {
    const result = inferContext(
      facts('FROM node:20\nWORKDIR /app\nCOPY ./dist/apps/api .\nCOPY package.json ./\nCMD ["node", "main.js"]\n'),
    );
    expect(result).toMatchObject({ mode: 'pruned', outputs: ['dist/apps/api'], include: [] });
    expect(result.reason).toMatch(/"COPY \.\/dist\/apps\/api \." \(apps\/api\/Dockerfile:3\) names a workspace path/);
  });

  it('a declared build output outside the conventional folders counts as one', () => {
    const result = inferContext(facts('FROM node:20\nCOPY artifacts/api /app\n', { buildOutputs: ['artifacts/api'] }));
    expect(result).toMatchObject({ mode: 'pruned', outputs: ['artifacts/api'] });
  });

  it('a build output stated at the workspace root in a dist folder (an outputPath of dist/services/api) is there, not in the project folder', () => {
    const dockerfile = 'FROM node:20-alpine\nWORKDIR /app\nCOPY dist/services/api ./\nCMD ["node", "main.js"]\n';
    expect(inferContext(facts(dockerfile, { buildOutputs: ['dist/services/api'] }))).toMatchObject({
      mode: 'pruned',
      outputs: ['dist/services/api'],
    });
    // Another project's stated output too.
    const statedOutputs = [{ project: 'web', target: 'build', output: 'dist/services/api' }];
    expect(inferContext(facts(dockerfile, { statedOutputs }))).toMatchObject({ mode: 'pruned' });
    // The check can fail: stated nowhere, the project's own dist folder is what it copies.
    expect(inferContext(facts(dockerfile))).toMatchObject({ mode: 'project', outputs: ['apps/api/dist/services/api'] });
  });

  it("the project's own dist folder, copied from its folder: project context, with the output", () => {
    const result = inferContext(facts('FROM nginx:1\nCOPY dist/ /usr/share/nginx/html/\nCOPY src/main.ts /x\n'));
    expect(result).toMatchObject({ mode: 'project', outputs: ['apps/api/dist'] });
  });

  it("a source the project's .dockerignore leaves out does not count there", () => {
    const dockerfile = 'FROM node:20\nCOPY src/ ./src/\n';
    expect(inferContext(facts(dockerfile)).mode).toBe('project');
    expect(inferContext(facts(dockerfile, { ignore: { project: ['src'], workspace: [] } })).reason).toMatch(
      /neither context holds its COPY sources \("COPY src\/ \.\/src\/" \(apps\/api\/Dockerfile:2\)\)/,
    );
  });

  it('a majority decides between conflicting sources, and the reason counts the others', () => {
    const result = inferContext(
      facts('FROM node:20\nCOPY src ./src\nCOPY libs/shared ./libs/shared\nCOPY apps/web ./web\n'),
    );
    expect(result.mode).toBe('pruned');
    expect(result.reason).toMatch(/1 other source is only in apps\/api \(checked before the build\)/);
  });

  it('globs match files and folders', () => {
    expect(inferContext(facts('FROM node:20\nCOPY src/*.ts ./\n')).mode).toBe('project');
    expect(inferContext(facts('FROM node:20\nCOPY libs/*/src ./libs/\n')).mode).toBe('pruned');
  });

  it('the service at the workspace root is the repository as it is, a prune tool in the build too', () => {
    const root = (dockerfile: string) =>
      inferContext(facts(dockerfile, { projectRoot: '.', dockerfile: 'Dockerfile' }));
    expect(root('FROM node:20\nCOPY . .\nRUN pnpm i && pnpm -r build\n')).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(
        /^the service is the workspace root: the repository as it is, with its own package.json/,
      ),
    });
    // No package.json at the root (khoj's pyproject.toml): none is named.
    expect(
      inferContext(
        facts('FROM python:3.12\nCOPY . .\n', {
          projectRoot: '.',
          dockerfile: 'Dockerfile',
          files: ['pyproject.toml'],
        }),
      ).reason,
    ).toBe('the service is the workspace root: the repository as it is');
    // Selective copies of the manifests and packages it builds: their own, not cut to the root project's.
    expect(
      root('FROM node:20\nCOPY package.json package-lock.json ./\nCOPY apps/api apps/api\nRUN npm ci\n').mode,
    ).toBe('workspace');
    // The tool picks packages by name, not the root project's closure (tianji's `pnpm install --filter
    // @tianji/client...`): every project it may take is the image's input, as the engine sends them all.
    for (const tool of ['turbo prune api --docker', 'pnpm install --filter @acme/client... --frozen-lockfile'])
      expect(root(`FROM node:20 AS prune\nCOPY . .\nRUN ${tool}\n`)).toMatchObject({
        mode: 'workspace',
        reason: expect.stringMatching(/^the service is the workspace root/),
      });
  });

  it('stages and URLs are no sources', () => {
    expect(
      inferContext(facts('FROM node:20 AS build\nCOPY --from=build /app/dist ./dist\nADD https://x.io/a.tgz /tmp/\n')),
    ).toMatchObject({ mode: 'project', reason: expect.stringMatching(/copies nothing from the context/) });
  });
});

describe('contextNeeds', () => {
  it("a folder context Nx lists nothing of, copied whole, is a build's output: waited for and hashed as one, else not cached (whackakey's dist/apps/frontend)", () => {
    const whole = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
    const folder = (context: string, extra: Partial<ContextFacts> = {}) =>
      contextNeeds(
        facts(whole, {
          dockerfile: 'Dockerfile',
          statedContext: { context },
          projects: [
            { name: 'api', root: 'apps/api' },
            { name: 'web', root: 'apps/web' },
          ],
          ...extra,
        }),
        'folder',
      );
    // The service's own build: by its outputs, or where Nx writes it.
    expect(folder('dist/apps/web', { buildOutputs: ['dist/apps/web'] })).toMatchObject({ outputs: ['dist/apps/web'] });
    expect(folder('dist/apps/api')).toMatchObject({ outputs: ['dist/apps/api'] });
    expect(folder('dist/apps/api').producers).toBeUndefined();
    // Another project's, by the outputs it states.
    expect(
      folder('dist/apps/web', { statedOutputs: [{ project: 'web', target: 'build', output: 'dist/apps/web' }] }),
    ).toMatchObject({
      outputs: ['dist/apps/web'],
      producers: [{ output: 'dist/apps/web', project: 'web', target: 'build' }],
    });
    // No build writes it: from the disk, not cached.
    expect(folder('release/site')).toMatchObject({ outputs: [], unlisted: ['release/site'] });
    // The check can fail: a folder Nx lists is hashed as it is.
    expect(folder('apps/api/src')).toMatchObject({ outputs: [] });
    expect(folder('apps/api/src').unlisted).toBeUndefined();
  });

  const dockerfile = 'FROM node:20\nCOPY dist/apps/api ./\nCOPY tsconfig.base.json ./\n';

  it.each([
    ['pruned', { include: ['tsconfig.base.json'], outputs: ['dist/apps/api'] }],
    ['workspace', { include: [], outputs: ['dist/apps/api'] }],
    // Sent from the disk if there at all: nothing Nx lists or a build declares, so nothing Nx can hash.
    ['project', { include: [], outputs: [], unlisted: ['apps/api/dist/apps/api', 'apps/api/tsconfig.base.json'] }],
  ] as const)('for a context set to %s', (mode, expected) => {
    expect(contextNeeds(facts(dockerfile), mode)).toEqual(expected);
  });

  // payload's templates, Next.js's with-docker example: optional lockfile patterns and an optional folder.
  it('a pattern that matches nothing Nx lists is optional, no source Nx cannot hash, unless a host build writes there', () => {
    const optional = 'FROM node:20\nCOPY package.json yarn.lock* package-lock.json* ./\nCOPY ini[t]/ ./init/\n';
    const files = [...FILES, 'apps/api/package.json', 'apps/api/package-lock.json'];
    const choice = inferContext(facts(optional, { files }));
    expect(choice.mode).toBe('project');
    expect(choice.unlisted).toBeUndefined();
    // What the root .gitignore leaves out is written on the host (a build output folder is the build's).
    const written = 'FROM node:20\nCOPY package.json ./\nCOPY dist/*.js ./\nCOPY pkgs/app*.deb /tmp/\n';
    expect(contextNeeds(facts(written, { files, gitignore: ['pkgs/'] }), 'project')).toMatchObject({
      outputs: ['apps/api/dist/*.js'],
      unlisted: ['apps/api/pkgs/app*.deb'],
    });
  });

  it('names what a project or workspace context sends that Nx does not list and no build declares', () => {
    // Huly's pods: a bundle a package script writes to a git-ignored folder; dist/ is the build's output.
    const bundled = 'FROM node:20\nCOPY bundle/bundle.js ./\nCOPY dist/ ./dist/\nCOPY src/main.ts ./\n';
    expect(inferContext(facts(bundled))).toMatchObject({
      mode: 'project',
      outputs: ['apps/api/dist'],
      unlisted: ['apps/api/bundle/bundle.js'],
    });
    expect(contextNeeds(facts('FROM node:20\nCOPY . .\nCOPY generated/ ./generated/\n'), 'workspace')).toMatchObject({
      unlisted: ['generated'],
    });
    // Listed sources and build outputs: Nx hashes them all.
    expect(inferContext(facts('FROM node:20\nCOPY dist/ ./dist/\nCOPY src/main.ts ./\n')).unlisted).toBeUndefined();
    // A listed file the .dockerignore leaves out (pulumi's langserve README.md) fails the build naming it, never uncached.
    const ignored = { ignore: { project: ['README.md'], workspace: [] }, files: [...FILES, 'apps/api/README.md'] };
    expect(inferContext(facts('FROM node:20\nCOPY src/main.ts README.md ./\n', ignored)).unlisted).toBeUndefined();
  });

  // unkey's portal: `COPY web/ .` with `/web/apps/dashboard` in its ignore file; Nx 23's affected reads
  // the inputs without negations, so the folder is named by what the context sends.
  it("a pruned context's included folder its ignore file trims is named by what it sends (includeInputs)", () => {
    const files = [
      ...FILES,
      'web/package.json',
      'web/apps/dashboard/page.tsx',
      'web/apps/dashboard/lib/x.ts',
      'web/apps/portal/index.ts',
      'web/internal/ui/button.tsx',
    ];
    const dockerfile = 'FROM node:20\nCOPY web/ web/\nCOPY apps/api apps/api\n';
    const needs = contextNeeds(
      facts(dockerfile, { files, ignore: { project: [], workspace: ['/web/apps/dashboard'] } }),
      'pruned',
    );
    expect(needs.include).toEqual(['web/**']);
    expect(needs.includeInputs).toEqual(['web/apps/portal/**', 'web/internal/**', 'web/package.json']);
    // Nothing trimmed: the include is its own input.
    expect(contextNeeds(facts(dockerfile, { files }), 'pruned').includeInputs).toBeUndefined();
  });

  // trigger.dev: pnpm's patchedDependencies name files in patches/, which a pruned context sends with
  // the root manifests; a patch edit must reach docker-build's hash, as it reaches the content tag.
  it('a pruned context that reads the root manifests names the package manager settings and patches the workspace has', () => {
    const files = [...FILES, '.npmrc', 'patches/left-pad@1.3.0.patch', '.yarn/plugins/p.cjs', 'apps/api/.npmrc'];
    const installs = 'FROM node:20\nCOPY package.json package-lock.json ./\nCOPY apps/api apps/api\nRUN npm ci\n';
    expect(contextNeeds(facts(installs, { files }), 'pruned').installSettings).toEqual([
      '.npmrc',
      'patches/**',
      '.yarn/plugins/**',
    ]);
    expect(inferContext(facts(`FROM node:20\nCOPY . .\nRUN npx turbo prune api --docker\n`, { files }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      installSettings: ['.npmrc', 'patches/**', '.yarn/plugins/**'],
    });
    // What the context does not send: no root manifest read, another mode, a workspace without them.
    expect(
      contextNeeds(facts('FROM node:20\nCOPY apps/api apps/api\n', { files }), 'pruned').installSettings,
    ).toBeUndefined();
    expect(contextNeeds(facts(installs, { files }), 'workspace').installSettings).toBeUndefined();
    expect(contextNeeds(facts(installs), 'pruned').installSettings).toBeUndefined();
  });

  // rocicorp's load-generator: Nx's pruning rewrites pnpm-workspace.yaml to its settings and carries the
  // patches `patchedDependencies` names from wherever they are (packages/zero/patches/), under patches/.
  it('names pnpm-workspace.yaml and the patch files patchedDependencies names outside patches/', () => {
    const files = [...FILES, 'pnpm-workspace.yaml', 'libs/zero/patches/pg@3.4.7.patch', 'patches/a.patch'];
    const installs = 'FROM node:20\nCOPY package.json ./\nCOPY apps/api apps/api\nRUN npm install\n';
    const patchFiles = ['libs/zero/patches/pg@3.4.7.patch', 'patches/a.patch', 'libs/gone.patch'];
    expect(contextNeeds(facts(installs, { files, patchFiles }), 'pruned').installSettings).toEqual([
      'patches/**',
      'pnpm-workspace.yaml',
      'libs/zero/patches/pg@3.4.7.patch',
    ]);
    expect(
      contextNeeds(facts('FROM node:20\nCOPY apps/api apps/api\n', { files, patchFiles }), 'pruned').installSettings,
    ).toBeUndefined();
  });
});

describe('contextNeeds: named build contexts (graphql-hive: `COPY --from=dist`, bake `contexts`)', () => {
  const projects = [
    { name: 'api', root: 'apps/api' },
    { name: 'web', root: 'apps/web' },
    { name: 'shared', root: 'libs/shared' },
  ];
  const dockerfile = 'FROM scratch AS dist\nFROM node:20\nCOPY --from=dist / /app/\n';

  it.each(['pruned', 'workspace', 'project'] as const)(
    'in a %s context: folders Nx lists are sources, build outputs wait for their builds, the rest is unlisted',
    (mode) => {
      const buildContexts = {
        dist: 'apps/web/dist',
        own: 'apps/api/dist',
        root: 'dist/apps/api',
        shared: 'libs/shared/',
        base: 'docker-image://localhost/base:1',
        generated: 'generated',
      };
      const needs = contextNeeds(facts(dockerfile, { projects, buildContexts }), mode);
      expect(needs.named).toEqual({
        sources: ['libs/shared'],
        outputs: ['apps/web/dist', 'apps/api/dist', 'dist/apps/api'],
      });
      expect(needs.producers).toEqual([{ output: 'apps/web/dist', project: 'web' }]);
      expect(needs.unlisted).toEqual(['generated']);
      // Sent as contexts of their own: never part of the main context's outputs.
      expect(needs.outputs).toEqual([]);
    },
  );

  it('names nothing without folder contexts', () => {
    const needs = contextNeeds(
      facts(dockerfile, { projects, buildContexts: { base: 'docker-image://node:20' } }),
      'pruned',
    );
    expect(needs.named).toBeUndefined();
    expect(contextNeeds(facts(dockerfile, { projects }), 'pruned').named).toBeUndefined();
  });
});

describe("inferContext: the workspace's ignore file leaves the project out", () => {
  it("a whole copy from the project's docker/ folder is of the project folder (cosmo's demo subgraphs)", () => {
    const files = ['demo/go.mod', 'demo/cmd/employees/main.go', 'demo/docker/employees.Dockerfile', 'go.work.sum'];
    const dockerfile = 'FROM golang:1.25\nWORKDIR /app\nCOPY . ./\nRUN go build ./cmd/employees\n';
    const of = (workspace: string[]) =>
      inferContext(
        facts(dockerfile, {
          projectRoot: 'demo',
          dockerfile: 'demo/docker/employees.Dockerfile',
          files,
          ignore: { project: [], workspace },
        }),
      );
    expect(of(['demo'])).toMatchObject({
      mode: 'project',
      reason: expect.stringContaining("the workspace's .dockerignore leaves out demo"),
    });
    // The check can fail: a workspace context that sends the project stays the workspace.
    expect(of(['docs'])).toMatchObject({ mode: 'workspace' });
  });
});

describe('committed files .gitignore matches, which Nx does not list (Cap)', () => {
  it("a locked install after a whole copy in the project folder needs the root's committed lockfile: the workspace", () => {
    const dockerfile = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm i --frozen-lockfile\n';
    const of = (unlistedOnDisk: string[]) =>
      inferContext(
        facts(dockerfile, {
          files: [...FILES, 'pnpm-workspace.yaml', 'apps/api/package.json'],
          ...(unlistedOnDisk.length ? { unlistedOnDisk } : {}),
        }),
      );
    expect(of(['pnpm-lock.yaml'])).toMatchObject({
      mode: 'workspace',
      reason: expect.stringContaining('which needs pnpm-lock.yaml: the workspace root holds it'),
    });
    // The check can fail: with no lockfile at the root, the project folder is the context.
    expect(of([])).toMatchObject({ mode: 'project' });
  });

  it("says so when a project-folder Dockerfile's only sources are such files (AgentGPT's db: ADD setup.sql, matched by *.sql)", () => {
    const of = (unlistedOnDisk: string[]) =>
      inferContext(
        facts('FROM postgres:15\nADD setup.sql /docker-entrypoint-initdb.d/\n', {
          ...(unlistedOnDisk.length ? { unlistedOnDisk } : {}),
        }),
      );
    expect(of(['apps/api/setup.sql'])).toMatchObject({
      mode: 'project',
      reason: expect.stringContaining(
        'its COPY sources ("ADD setup.sql /docker-entrypoint-initdb.d/" (apps/api/Dockerfile:2)) are on disk in the project folder, but ignore rules Nx follows (.gitignore, .ignore, .nxignore) match them, so Nx does not list them',
      ),
      unlisted: ['apps/api/setup.sql'],
    });
    // The check can fail: missing from the disk too, a step before the build must write it.
    expect(of([]).reason).toContain('a step before the build must write them');
  });

  it('a pruned context carries a committed source Nx does not list: the build is not cached', () => {
    const dockerfile =
      'FROM oven/bun\nCOPY apps/api/package.json apps/api/bun.lock ./\nRUN bun install --frozen-lockfile\n';
    const files = [...FILES, 'apps/api/package.json'];
    expect(inferContext(facts(dockerfile, { files, unlistedOnDisk: ['apps/api/bun.lock'] }))).toMatchObject({
      mode: 'pruned',
      unlisted: ['apps/api/bun.lock'],
    });
    // Missing from the disk too: it fails before the build, and the cache stays.
    expect(inferContext(facts(dockerfile, { files })).unlisted).toBeUndefined();
  });
});

describe('contextNeeds: what the context sends beyond what Nx gives the project', () => {
  const files = [
    ...FILES,
    'README.md',
    'docs/guide.md',
    'apps/api/README.md',
    'apps/api/plugins/audit/project.json',
    'apps/api/plugins/audit/index.ts',
    'apps/api/fixtures/big/project.json',
  ];
  const projects = [
    { name: 'api', root: 'apps/api' },
    { name: 'audit', root: 'apps/api/plugins/audit' },
    { name: 'big', root: 'apps/api/fixtures/big' },
    { name: 'shared', root: 'libs/shared' },
  ];
  const dockerfile = 'FROM node:20\nCOPY . .\n';

  it("a workspace context negates what its ignore file leaves out; a project context too, inside the project's folder", () => {
    const ignore = { project: ['README.md', 'fixtures'], workspace: ['docs', '*.md'] };
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'workspace').ignored).toEqual([
      'docs/**',
      '*.md',
    ]);
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'project').ignored).toEqual([
      'apps/api/README.md',
      'apps/api/fixtures/**',
    ]);
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'pruned').ignored).toBeUndefined();
  });

  it('an allow-list ignore file names what a workspace or project context sends', () => {
    const ignore = { project: ['*', '!plugins', '!README.md'], workspace: ['*', '!apps/api', '!libs/shared'] };
    const choice = (mode: 'workspace' | 'project' | 'pruned') =>
      contextNeeds(facts(dockerfile, { files, ignore, projects }), mode).allowed;
    expect(choice('workspace')).toEqual(['apps/api/**', 'libs/shared/**']);
    expect(choice('project')).toEqual(['apps/api/plugins/**', 'apps/api/README.md']);
    expect(choice('pruned')).toBeUndefined();
  });

  it("a project or pruned context names the projects inside the service's folder that send a file", () => {
    const ignore = { project: ['fixtures'], workspace: [] };
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'project').nested).toEqual([
      'apps/api/plugins/audit',
    ]);
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'pruned').nested).toEqual([
      'apps/api/fixtures/big',
      'apps/api/plugins/audit',
    ]);
    // The workspace context's inputs are every file already.
    expect(contextNeeds(facts(dockerfile, { files, ignore, projects }), 'workspace').nested).toBeUndefined();
  });
});

describe('scriptsRun', () => {
  it.each([
    ['RUN npm run bootstrap -- --scope=themes', ['bootstrap']],
    // What follows `--` is the script's (akash's safe-install), not npm's.
    ['RUN npm run safe-install -- --workspace $WORKSPACE', ['safe-install']],
    ['RUN npm ci --ignore-scripts && npm run build:server:themes', ['build:server:themes']],
    ['RUN npm --silent run-script lint', ['lint']],
    ['RUN NODE_ENV=production npm start', ['start']],
    ['RUN yarn build:chatgpt', ['build:chatgpt']],
    ['RUN yarn run build', ['build']],
    ['RUN yarn install --frozen-lockfile; yarn test', ['test']],
    ['RUN --mount=type=cache,target=/root/.pnpm pnpm build', ['build']],
    ['RUN bun run build && bun install', ['build']],
    // Through a wrapper's `--`: the wrapped command's.
    ['RUN doppler run -- yarn build:frontend', ['build:frontend']],
    ['RUN npx dotenv -e .env -- pnpm run build', ['build']],
    // Run in another package, or a command of the package manager: no script of this folder's manifest.
    ['RUN yarn workspace api build', []],
    ['RUN npm run build -w api', []],
    ['RUN npm run build --workspace=api', []],
    ['RUN pnpm --filter api build', []],
    ['RUN pnpm -r build', []],
    ['RUN yarn install && pnpm dlx turbo build', []],
    ['RUN npx turbo run build', []],
    ['RUN bun install', []],
  ])('%s', (run, scripts) => {
    expect(scriptsRun(run)).toEqual(scripts);
  });
});

describe("inferContext: git's own folder", () => {
  it("is held by the workspace folder as it is, never a pruned listing (churros' COPY .git /app/.git)", () => {
    const dockerfile =
      'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY ./.git/ .git\nCOPY apps/api apps/api\nRUN npm ci && git rev-parse HEAD > version\n';
    expect(inferContext(facts(dockerfile))).toMatchObject({
      mode: 'workspace',
      reason: `"COPY ./.git/ .git" (apps/api/Dockerfile:4) copies git's own folder, which only the workspace folder as it is holds`,
    });
    // The control: without it, the workspace's files the Dockerfile names.
    expect(inferContext(facts(dockerfile.replace('COPY ./.git/ .git\n', '')))).toMatchObject({ mode: 'pruned' });
    // A folder named alike is not git's.
    expect(inferContext(facts(dockerfile.replace('./.git/ .git', '.github .github')))).toMatchObject({
      mode: 'pruned',
    }); // Beside sources only the project folder holds (FreeStuff's legacy bot, from a repository of its own): those decide.
    const bot = 'FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nCOPY src ./src\nCOPY .git ./.git\n';
    expect(inferContext(facts(bot))).toMatchObject({ mode: 'project' });
  });
});

describe('inferContext: a pattern beside a source the project folder holds', () => {
  it("is optional there: the root's lockfile matching it names no workspace path (hasna's bun.lock*)", () => {
    const text =
      'FROM oven/bun:1\nWORKDIR /app\nCOPY package.json package-lock.json* ./\nRUN npm install\nCOPY . .\nCMD ["node", "src/main.ts"]\n';
    expect(inferContext(facts(text))).toMatchObject({ mode: 'project' });
    // Alone in its COPY, the root's is what it names.
    expect(inferContext(facts(text.replace('package.json package-lock.json*', 'package-lock.json*')))).toMatchObject({
      mode: 'workspace',
    });
  });
});

describe('inferContext: scripts only the workspace root defines', () => {
  const scripts = { root: ['bootstrap', 'build:chatgpt', 'build'], project: ['start', 'build'] };
  const withLock = [...FILES, 'apps/api/package-lock.json'];

  it('a whole copy then a root script is the workspace, though the project has its own lockfile', () => {
    const dockerfile = 'FROM node:20\nCOPY . .\nRUN npm ci\nRUN npm run bootstrap -- --scope=api\n';
    expect(inferContext(facts(dockerfile, { files: withLock, scripts }))).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(
        /"COPY \. \." \(apps\/api\/Dockerfile:2\) is followed by "RUN npm run bootstrap -- --scope=api" \(apps\/api\/Dockerfile:4\) runs "bootstrap", a script only the workspace root's package.json defines/,
      ),
    });
    // The control: without the root's scripts known, its folder, and the reason says it copies it whole.
    expect(inferContext(facts(dockerfile, { files: withLock }))).toMatchObject({
      mode: 'project',
      reason: expect.stringMatching(/"COPY \. \." \(apps\/api\/Dockerfile:2\) copies that folder whole/),
    });
  });

  it("a RUN of a stage the target never builds decides nothing (churros' `yarn cp-env` in the builder stage its prisma image never uses)", () => {
    const dockerfile =
      'FROM node:20 AS builder\nCOPY package.json yarn.lock ./\nCOPY apps/ apps/\nRUN yarn install && yarn build:chatgpt\n' +
      'FROM node:20 AS db\nCOPY apps/api/package.json package.json\nCOPY apps/api/src src\nRUN yarn install\n';
    const db = inferContext(facts(dockerfile, { scripts, target: 'db' }));
    expect(db).toMatchObject({ mode: 'pruned' });
    expect(db.workspaceManifests).toBeUndefined();
    // The builder's own image: its RUN decides.
    expect(inferContext(facts(dockerfile, { scripts, target: 'builder' }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining('runs "build:chatgpt"'),
    });
  });

  it("a script run in the folder a package was copied to is that package's (opencrvs' base image: WORKDIR packages/commons, yarn build)", () => {
    const files = [...FILES, 'libs/shared/package.json'];
    const dockerfile =
      'FROM node:22\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\n' +
      'COPY libs/shared /app/libs/shared\nWORKDIR /app/libs/shared\nRUN yarn build:chatgpt\n';
    expect(inferContext(facts(dockerfile, { files, scripts }))).toMatchObject({ mode: 'pruned' });
    // The control: a folder with no package.json of its own runs the root's script.
    expect(inferContext(facts(dockerfile, { scripts }))).toMatchObject({ mode: 'workspace' });
  });

  it("workspace paths then a root script run beside the root package.json copied keep that manifest as it is (sleepr's `pnpm run build auth`, the root's `nest build`); run elsewhere, the workspace", () => {
    const dockerfile =
      'FROM node:20\nCOPY package.json package-lock.json nx.json ./\nCOPY apps/api apps/api\nRUN yarn build:chatgpt\n';
    expect(inferContext(facts(dockerfile, { scripts }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringMatching(
        /"RUN yarn build:chatgpt" .* runs "build:chatgpt" beside the root package\.json it copied/,
      ),
    });
    expect(inferContext(facts(dockerfile)).workspaceManifests).toBeUndefined();
    // A root script running a workspace tool (novu's web: `"build:web": "nx build @novu/web"`) reads the workspace.
    expect(inferContext(facts(dockerfile, { scripts: { ...scripts, tools: ['build:chatgpt'] } })).mode).toBe(
      'workspace',
    );
    // The project's package.json copied over the root's: the root's script is run with no root manifest beside it.
    const over = dockerfile.replace(
      'COPY apps/api apps/api\n',
      'COPY apps/api/package.json ./\nCOPY apps/api apps/api\n',
    );
    expect(inferContext(facts(over, { scripts }))).toMatchObject({
      mode: 'workspace',
      reason: expect.stringMatching(
        /names a workspace path and "RUN yarn build:chatgpt" .* a script only the workspace root's package\.json defines/,
      ),
    });
  });

  it("a root script with the root's manifests kept as they are is no reason for the workspace: they hold it (beabee's yarn workspaces focus -A, then yarn build)", () => {
    const dockerfile =
      'FROM node:20 AS b\nCOPY package.json yarn.lock ./\nCOPY apps/api/package.json apps/api/\nRUN yarn workspaces focus -A\nCOPY apps/api apps/api\nRUN yarn build:chatgpt\n';
    expect(inferContext(facts(dockerfile, { scripts }))).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      reason: expect.stringContaining('runs a prune tool on it'),
    });
    // Without the tool, the root script run beside the root package.json keeps it so.
    expect(inferContext(facts(dockerfile.replace('RUN yarn workspaces focus -A\n', ''), { scripts })).reason).toContain(
      'runs "build:chatgpt" beside the root package.json it copied',
    );
  });

  it('a script the project defines too, run in its folder, or one run in another package, decides nothing', () => {
    for (const run of [
      'WORKDIR apps/api\nRUN npm run build',
      'RUN yarn workspace api bootstrap',
      'RUN npm run bootstrap -w apps/api',
    ]) {
      const dockerfile = `FROM node:20\nCOPY package.json nx.json ./\nCOPY apps/api apps/api\n${run}\n`;
      expect({ run, mode: inferContext(facts(dockerfile, { scripts })).mode }).toEqual({ run, mode: 'pruned' });
    }
  });

  it("what the container starts runs a root script too (adsp's pdf-service: COPY . . in a project folder with no package.json, then CMD npm run -d service)", () => {
    const serve = (start: string) =>
      `FROM node:24\nARG SERVICE\nCOPY . .\nRUN chmod -R 777 dist node_modules\n${start}\n`;
    const noManifest = { scripts: { root: ['service'], project: [] } };
    expect(inferContext(facts(serve('CMD npm run -d service dist/apps/${SERVICE}/main.js'), noManifest))).toMatchObject(
      {
        mode: 'workspace',
        reason: expect.stringContaining(
          '"CMD npm run -d service dist/apps/${SERVICE}/main.js" (apps/api/Dockerfile:5) runs "service"',
        ),
      },
    );
    expect(inferContext(facts(serve('ENTRYPOINT ["npm", "run", "service"]'), noManifest)).mode).toBe('workspace');
    // The check can fail: a script the project defines too is its own.
    expect(
      inferContext(
        facts(serve('CMD ["npm", "run", "service"]'), { scripts: { root: ['service'], project: ['service'] } }),
      ).mode,
    ).toBe('project');
  });

  it("a script the project defines too, run beside the root package.json it copied, is the root's: that manifest kept as it is, and what it builds built in the image (FVJohnny's template, novu's embed)", () => {
    const dockerfile =
      'FROM node:20\nWORKDIR /app\nCOPY package*.json nx.json ./\nCOPY libs libs\nCOPY apps/api apps/api\nRUN npm ci && npm run build\n';
    const projects = [
      { name: 'api', root: 'apps/api' },
      { name: 'shared', root: 'libs/shared' },
    ];
    const folderOutputs = { 'libs/shared': ['libs/shared/dist'] };
    const inferred = (extra: Partial<ContextFacts> = {}) =>
      inferContext(facts(dockerfile, { scripts, projects, folderOutputs, ...extra }));
    expect(inferred({ rootBuildScripts: ['build'] })).toMatchObject({
      mode: 'pruned',
      workspaceManifests: true,
      outputs: [],
      reason: expect.stringContaining(
        '"RUN npm ci && npm run build" (apps/api/Dockerfile:6) runs "build" beside the root package.json it copied: the workspace root\'s script, not the project\'s own',
      ),
    });
    // A root build that builds one package only leaves the library's output to its host build.
    expect(inferred().outputs).toEqual(['libs/shared/dist']);
    // The check can fail: the project's own package.json copied over it there makes the script the project's.
    const over = dockerfile.replace('COPY apps/api apps/api\n', 'COPY apps/api/package.json ./\n');
    expect(inferContext(facts(over, { scripts })).workspaceManifests).toBeUndefined();
  });
});

describe('inferContext: a compiler given a project folder', () => {
  it("compiles it, and what its tsconfig references reach, in the image (gridfire's `yarn tsc --build apps/api`)", () => {
    const dockerfile =
      'FROM node:22 AS build\nWORKDIR /app\nCOPY package.json yarn.lock ./\nCOPY apps/api ./apps/api/\nCOPY shared ./shared/\nRUN yarn install\nRUN yarn tsc --build apps/api\n' +
      'FROM node:22\nCOPY --from=build /app/apps/api/dist apps/api/dist/\nCOPY --from=build /app/shared/dist shared/dist/\n';
    const base = {
      projects: [
        { name: 'api', root: 'apps/api' },
        { name: 'shared', root: 'shared' },
      ],
      folderOutputs: { 'apps/api': ['apps/api/dist'], shared: ['shared/dist'] },
      referenceBuilds: { 'apps/api': ['shared'] },
      files: [...FILES, 'shared/package.json', 'shared/src/index.ts'],
    };
    expect(inferContext(facts(dockerfile, base)).outputs).toEqual([]);
    for (const run of ['npx tsc -p apps/api/tsconfig.build.json', 'tsc -b ./apps/api/'])
      expect(inferContext(facts(dockerfile.replace('yarn tsc --build apps/api', run), base)).outputs).toEqual([]);
    // The check can fail: type checking writes nothing, and another folder is not this one.
    for (const run of ['tsc --noEmit -p apps/api', 'tsc --build apps/other'])
      expect([run, inferContext(facts(dockerfile.replace('yarn tsc --build apps/api', run), base)).outputs]).toEqual([
        run,
        ['apps/api/dist', 'shared/dist'],
      ]);
  });
});

describe('readsRootManifests', () => {
  it.each([
    [['package.json', 'services/api'], true],
    [['package*.json'], true],
    [['pnpm-lock.yaml'], true],
    [['.yarn'], true],
    [['patches'], true],
    [['.'], true],
    [['./'], true],
    [[undefined], true],
    [['apps/OpenSign/package*.json', 'apps/OpenSign/'], false],
    [['services/api', 'libs/shared', 'tsconfig.base.json'], false],
    [[], false],
  ] as const)('%j: %s', (sources, expected) => {
    expect(readsRootManifests(sources.map((source) => ({ source })))).toBe(expected);
  });
});

describe("runsPackageTarget: a RUN running a package's target other than its build", () => {
  it.each([
    ['pnpm --filter @acme/client generate', true],
    ['pnpm --filter=@acme/client run generate', true],
    ['yarn workspace @acme/client generate', true],
    ['npm run generate -w @acme/client', true],
    ['nx run @acme/client:generate', true],
    ['npx nx generate @acme/client', true],
    ['pnpm -r generate', true],
    ['turbo run generate', true],
    ['nx run-many -t generate', true],
    ['yarn workspaces foreach -A run generate', true],
    ['npm run generate --workspaces', true],
    ['lerna run generate', true],
    ['pnpm --filter @acme/client build', false],
    ['yarn workspaces foreach -A --from @acme/web run generate', false],
    ['lerna run generate --scope @acme/web', false],
    ['pnpm --filter @acme/web generate', false],
    ['pnpm -r --filter @acme/web generate', false],
    ['turbo run generate --filter=@acme/web', false],
    ['nx run-many -t generate -p web', false],
    ['pnpm --filter @acme/client generate:docs', false],
  ])('%s: %s', (command, runs) => {
    expect(runsPackageTarget(command, '@acme/client', 'generate')).toBe(runs);
  });
});
