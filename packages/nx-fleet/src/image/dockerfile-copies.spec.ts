import { describe, expect, it } from 'vitest';
import { contextPath, copySources, DockerfileReading, excludedEverywhere, missingSources } from './dockerfile-copies';

describe('copySources', () => {
  it.each([
    ['a plain COPY', 'FROM node:20\nCOPY package.json ./\n', [[2, 'package.json']]],
    [
      'several sources',
      'COPY a.json b.json ./\n',
      [
        [1, 'a.json'],
        [1, 'b.json'],
      ],
    ],
    ['flags before the sources', 'COPY --chown=node:node --chmod=644 src/ ./src/\n', [[1, 'src/']]],
    ['the exec form', 'COPY ["dist/app", "/app"]\n', [[1, 'dist/app']]],
    [
      'continuation lines',
      'COPY \\\n  a \\\n  b \\\n  /dest\n',
      [
        [1, 'a'],
        [1, 'b'],
      ],
    ],
    ['lower case', 'copy x /y\n', [[1, 'x']]],
    ['ADD of a local file', 'ADD vendor.tar.gz /opt/\n', [[1, 'vendor.tar.gz']]],
    ['from another stage', 'COPY --from=build /app/dist ./dist\n', []],
    ['from an image', 'COPY --from nginx:1 /etc/nginx /etc/nginx\n', []],
    ['an URL', 'ADD https://example.com/x.tgz /tmp/\n', []],
    ['a git source', 'ADD git@github.com:acme/x.git /x\n', []],
    ['a heredoc', 'COPY <<EOF /etc/x\nhello\nEOF\n', []],
    ['a build argument only the build knows', 'FROM x\nARG APP_DIR\nCOPY ${APP_DIR}/main.js ./\n', []],
    ['an undeclared variable', 'FROM x\nCOPY ${APP_DIR}/main.js ./\n', []],
    [
      'a build argument with its default',
      'FROM x\nARG component=api\nCOPY dist/packages/${component} .\n',
      [[3, 'dist/packages/api']],
    ],
    ['a comment and RUN lines', '# COPY nothing\nRUN cp a b\n', []],
    ['quoted sources, as BuildKit unquotes them', 'COPY --link "." "/app/"\n', [[1, '.']]],
    ['single quotes keep a dollar', "COPY 'a$b' ./\n", [[1, 'a$b']]],
    ['double quotes expand', 'FROM x\nARG app=api\nCOPY "apps/${app}" ./\n', [[3, 'apps/api']]],
    ['a quote left open: only the engine can tell', 'COPY "my file" ./\n', []],
    [
      "a RUN's bind mounts of the context, not caches, secrets or other stages",
      'RUN --mount=type=bind,source=pnpm-lock.yaml,target=/l --mount=type=cache,target=/c --mount=type=secret,id=npm --mount=type=bind,from=build,src=/x,target=/y pnpm fetch\n',
      [[1, 'pnpm-lock.yaml']],
    ],
    ['a bind mount without a source is the whole context', 'RUN --mount=target=/src make -C /src\n', [[1, '.']]],
    [
      'quoted mount values, as BuildKit unquotes them: a cache and a secret read no context (Railway\'s `--mount="type=cache,…"`)',
      'RUN --mount="type=cache,id=pnpm,target=/pnpm/store" --mount=\'type=secret,id=npm\' --mount="type=bind,source=my dir,target=/d" pnpm i\n',
      [[1, 'my dir']],
    ],
    ['--mount in the command is not a RUN flag', 'RUN docker run --mount=type=bind,source=x,target=/x img\n', []],
    [
      "a heredoc's lines are not instructions",
      'FROM x\nRUN <<EOF\nCOPY not-this ./\nFROM not-a-stage\nEOF\nCOPY a ./\nCOPY <<-END /etc/x\n\tCOPY nor-this ./\n\tEND\nCOPY b ./\n',
      [
        [6, 'a'],
        [10, 'b'],
      ],
    ],
  ])('%s', (_, dockerfile, expected) => {
    expect(copySources(dockerfile).map((s) => [s.line, s.source])).toEqual(expected);
  });

  it('expands variables as the build does: ARG defaults, ENV, stages, modifiers', () => {
    const dockerfile = [
      'ARG BASE=node:20',
      'ARG SHARED=libs/shared',
      'FROM $BASE AS build',
      'ARG component=plugin-api',
      'ENV APP=/srv/app OTHER="x y"',
      'COPY ./dist/packages/${component}/package.json ./',
      'COPY ./dist/packages/$component ${APP}',
      'COPY ${missing:-fallback}/x .',
      'COPY ${undeclared}/y .',
      'ARG nodef',
      'COPY ${nodef}/z .',
      'ARG SHARED',
      'COPY ${SHARED} ./shared',
      'ENV STAGE_ENV=e',
      'COPY ${STAGE_ENV}/e .',
      'FROM build AS final',
      'COPY $APP/q .',
      'COPY ${component}/w .',
      'COPY ["dist/${component:-c}", "/x"]',
      'ENV legacy some value',
      'COPY ${legacy:+set}/l ${unset:+no}/m .',
      'ARG TARGETARCH',
      'COPY bin/${TARGETARCH}/tool /usr/bin/',
      'COPY \\$literal/n ${x#y}/o .',
      '',
    ].join('\n');
    const expanded = (buildArgs?: Record<string, string>) =>
      new DockerfileReading(dockerfile, buildArgs).written.map((s) => [s.line, s.written, s.source]);
    expect(expanded()).toEqual([
      [6, './dist/packages/${component}/package.json', './dist/packages/plugin-api/package.json'],
      [7, './dist/packages/$component', './dist/packages/plugin-api'],
      [8, '${missing:-fallback}/x', 'fallback/x'],
      [9, '${undeclared}/y', undefined],
      [11, '${nodef}/z', undefined],
      [13, '${SHARED}', 'libs/shared'],
      [15, '${STAGE_ENV}/e', 'e/e'],
      [17, '$APP/q', '/srv/app/q'],
      // A stage FROM another stage of the file takes its build arguments (BuildKit's rule, and newer buildah's).
      [18, '${component}/w', 'plugin-api/w'],
      [19, 'dist/${component:-c}', 'dist/plugin-api'],
      [21, '${legacy:+set}/l', 'set/l'],
      [21, '${unset:+no}/m', '/m'],
      [23, 'bin/${TARGETARCH}/tool', 'bin/*/tool'],
      [24, '\\$literal/n', undefined],
      [24, '${x#y}/o', undefined],
    ]);
    // Build arguments win over defaults and give bare ARGs their value; ENV wins over both.
    expect(expanded({ component: 'given', nodef: 'n', TARGETARCH: 'amd64', SHARED: 'libs/other' })).toEqual(
      expect.arrayContaining([
        [6, './dist/packages/${component}/package.json', './dist/packages/given/package.json'],
        [11, '${nodef}/z', 'n/z'],
        [13, '${SHARED}', 'libs/other'],
        [23, 'bin/${TARGETARCH}/tool', 'bin/amd64/tool'],
      ]),
    );
    expect(copySources('FROM x\nARG v=a\nENV v=b\nCOPY $v .\n', { v: 'c' }).map((s) => s.source)).toEqual(['b']);
    // Not in a stage built FROM another image: only in one built FROM the stage declaring it.
    const inherited =
      'FROM x AS base\nARG v=a\nFROM y AS other\nCOPY ${v}/z .\nFROM base\nCOPY --from=other /z /z\nCOPY ${v}/w .\n';
    expect(new DockerfileReading(inherited).written.map((s) => s.source)).toEqual([undefined, 'a/w']);
  });

  it('keeps the instruction for the message', () => {
    expect(copySources('FROM x\nCOPY --chown=node src/ ./src/\n')[0]).toEqual({
      line: 2,
      instruction: 'COPY --chown=node src/ ./src/',
      source: 'src/',
    });
  });
});

describe('DockerfileReading.written: remote sources', () => {
  it.each([
    [
      'a URL whose version only the build knows (opentelemetry-demo)',
      'FROM x\nARG V\nADD https://example.com/v$V/x.jar /x.jar\n',
    ],
    ['a quoted one', 'FROM x\nARG V\nADD "https://example.com/${V}.tgz" /tmp/\n'],
    ['a git remote', 'FROM x\nARG REF\nADD git@github.com:acme/x.git#$REF /x\n'],
  ])('%s is no context source', (_, dockerfile) => {
    expect(new DockerfileReading(dockerfile).written).toEqual([]);
  });

  it('a variable that may hold a URL is left to the build', () => {
    expect(new DockerfileReading('FROM x\nARG BASE\nADD ${BASE}/x.jar /x.jar\n').written.map((s) => s.source)).toEqual([
      undefined,
    ]);
  });
});

describe('DockerfileReading.written: build arguments without a value', () => {
  it.each([
    [
      'declared without a default',
      'FROM node:20\nARG SCOPE\nCOPY scripts/${SCOPE}-entrypoint.sh ./\n',
      {},
      { args: ['SCOPE'], source: 'scripts/-entrypoint.sh' },
    ],
    [
      'the global one taken into the stage',
      'ARG APP\nFROM node:20\nARG APP\nCOPY apps/$APP ./\n',
      {},
      { args: ['APP'], source: 'apps/' },
    ],
    [
      'through an ENV of it (typebot)',
      'FROM node:20\nARG SCOPE\nENV SCOPE=${SCOPE}\nCOPY scripts/${SCOPE}-entrypoint.sh ./\n',
      {},
      { args: ['SCOPE'], source: 'scripts/-entrypoint.sh' },
    ],
    ['with an alternative', 'FROM node:20\nARG V\nCOPY ${V:-dist}/x ./\n', {}, { args: ['V'], source: 'dist/x' }],
    ['set by the builder', 'FROM node:20\nARG TARGETARCH\nCOPY bin/${TARGETARCH} ./\n', {}, undefined],
    ['given', 'FROM node:20\nARG SCOPE\nCOPY scripts/${SCOPE}.sh ./\n', { SCOPE: 'web' }, undefined],
  ])('%s', (_, dockerfile, buildArgs, unset) => {
    expect(new DockerfileReading(dockerfile, buildArgs).written[0]!.unset).toEqual(unset);
  });
});

describe('missingSources', () => {
  const files = ['package.json', 'services/orders/src/main.ts', 'services/orders/Dockerfile', '.dockerignore'];
  const source = (s: string) => ({ line: 1, instruction: `COPY ${s} .`, source: s });

  it.each([
    ['a file', 'package.json', false],
    ['a folder', 'services/orders', false],
    ['a folder with a slash', 'services/orders/', false],
    ['a leading ./', './package.json', false],
    ['the whole context', '.', false],
    ['a glob matching a file', 'services/*/src/*.ts', false],
    ['a glob matching a folder', 'services/ord*', false],
    ['a missing folder', 'src/', true],
    ['a missing file', 'tsconfig.json', true],
    // BuildKit copies nothing for it (an optional folder: `COPY ini[t]/ ./init/`); the engine decides.
    ['a glob matching nothing', '*.lock', false],
    ['an optional folder', 'ini[t]/', false],
    ['a prefix that is no folder', 'services/ord', true],
  ])('%s: %s missing %s', (_, path, missing) => {
    expect(missingSources([source(path)], files).length > 0).toBe(missing);
  });
});

describe('DockerfileReading.wholeCopyWorkdirs', () => {
  it('names the WORKDIRs inside a whole-context copy as context paths, through stages and variables', () => {
    const dockerfile = [
      'FROM node:20 AS build',
      'WORKDIR /app',
      'RUN mkdir -p /app',
      'COPY ./ /workspace',
      'ARG PKG=packages/auth',
      'WORKDIR /workspace/${PKG}',
      'WORKDIR /srv',
      'FROM build AS run',
      'WORKDIR /workspace/packages/files',
      'FROM node:20',
      'WORKDIR /workspace/packages/other',
      'COPY --from=run /srv /srv',
    ].join('\n');
    expect(new DockerfileReading(dockerfile).wholeCopyWorkdirs.map((w) => [w.line, w.source])).toEqual([
      [6, 'packages/auth'],
      [9, 'packages/files'],
    ]);
  });
});

describe('DockerfileReading.runsNothing', () => {
  const artifact =
    'FROM node:24 AS build\nCOPY . .\nRUN npm run build\nFROM scratch AS prod\nCOPY --from=build /app/dist ./dist\n';
  it.each([
    ["an export of another stage's files to scratch (konto's openapi-clients)", artifact, undefined, true],
    ['a stage built FROM it, with no command either', `${artifact}FROM prod AS again\n`, undefined, true],
    ['the same with a command', `${artifact}ENTRYPOINT ["/dist/server"]\n`, undefined, false],
    [
      'a stage FROM an image, whose own command it runs',
      `${artifact}FROM nginx\nCOPY --from=prod /dist /usr/share/nginx/html\n`,
      undefined,
      false,
    ],
    ['its build stage as the target', artifact, 'build', false],
    ["scratch holding no other stage's files", 'FROM scratch\nCOPY main /main\n', undefined, false],
  ])('%s: %s', (_, text, target, expected) => {
    expect(new DockerfileReading(text, {}, target).runsNothing).toBe(expected);
  });
});

describe('DockerfileReading: a stage built FROM another starts where it left off', () => {
  it('inherits its WORKDIR and the folders it filled (AppFlowy-Cloud: WORKDIR /app in chef, COPY . . in FROM chef)', () => {
    const text = [
      'FROM rust:1 AS chef',
      'WORKDIR /app',
      'COPY server/ ./server/',
      'FROM chef AS builder',
      'COPY . .',
      'WORKDIR /app/admin_frontend',
      'FROM builder AS check',
      'WORKDIR /app/server',
      'RUN npm run build',
      '',
    ].join('\n');
    const reading = new DockerfileReading(text, {}, 'check');
    expect(reading.wholeCopyWorkdirs.map((w) => [w.line, w.source])).toEqual([
      [6, 'admin_frontend'],
      [8, 'server'],
    ]);
    // The whole context copied over `server/` after it: the folder is the context's.
    expect(reading.localBuilds).toEqual([{ line: 9, instruction: 'RUN npm run build', source: 'server' }]);
    // A stage FROM an image starts at / with nothing copied.
    expect(
      new DockerfileReading('FROM node:20 AS a\nWORKDIR /app\nFROM node:20\nCOPY . .\nWORKDIR /app/x\n')
        .wholeCopyWorkdirs,
    ).toEqual([expect.objectContaining({ source: 'app/x' })]);
  });
});

describe('DockerfileReading.wholeCopyReads', () => {
  it('maps what later stages copy from a stage holding the whole context back to context paths', () => {
    const dockerfile = [
      'FROM node:20 AS base',
      'FROM base AS builder',
      'WORKDIR /app',
      'COPY . .',
      'RUN turbo prune api --docker',
      'FROM builder AS more',
      'FROM base AS runner',
      'WORKDIR /srv',
      'COPY --from=builder /app/out/full/ .',
      'COPY --from=builder /app/scripts/entrypoint.sh /srv/entrypoint.sh',
      'COPY --from=more app/config "/app/.env.example" ./',
      'COPY --from=base /etc/hosts /x',
      'COPY --from=builder /etc/passwd /y',
      'COPY scripts/other.sh ./',
      '',
    ].join('\n');
    expect(new DockerfileReading(dockerfile).wholeCopyReads.map((r) => [r.line, r.source])).toEqual([
      [9, 'out/full'],
      [10, 'scripts/entrypoint.sh'],
      [11, 'config'],
      [11, '.env.example'],
    ]);
  });

  it('follows the copy destination and WORKDIR, relative or not', () => {
    const dockerfile =
      'FROM node:20 AS b\nWORKDIR /work\nWORKDIR repo\nCOPY ./ src/\nFROM node:20\nCOPY --from=b /work/repo/src/tools/x.sh /x.sh\n';
    expect(new DockerfileReading(dockerfile).wholeCopyReads.map((r) => r.source)).toEqual(['tools/x.sh']);
  });

  it('expands what a later stage copies with its own ARGs, as every other source', () => {
    const dockerfile =
      'FROM node:20 AS b\nWORKDIR /app\nCOPY . .\nFROM node:20\nARG dir=scripts\nCOPY --from=b /app/${dir}/x.sh /x.sh\n';
    expect(new DockerfileReading(dockerfile).wholeCopyReads.map((r) => r.source)).toEqual(['scripts/x.sh']);
  });

  it('reads nothing from stages without a whole copy', () => {
    expect(
      new DockerfileReading('FROM node:20 AS b\nCOPY src/ /app/\nFROM node:20\nCOPY --from=b /app/x /x\n')
        .wholeCopyReads,
    ).toEqual([]);
  });
});

describe('DockerfileReading.finalStages', () => {
  it.each([
    ['one stage, unnamed', 'FROM node:20\nCOPY . .\n', ['#0']],
    [
      'a chain: each stage built on, or copied from, by the next',
      'FROM node:20 AS base\nFROM base AS builder\nRUN make\nFROM node:20-slim AS runner\nCOPY --from=builder /app /app\n',
      ['runner'],
    ],
    [
      "jitsu's all.Dockerfile: one image per final stage",
      'FROM node:20 AS base\nFROM base AS builder\nRUN pnpm build\nFROM base AS console\nCOPY --from=builder /app/console /app\nFROM base AS rotor\nCOPY --from=builder /app/rotor /app\nFROM base AS profiles\nCOPY --from=builder /app/profiles /app\n',
      ['console', 'rotor', 'profiles'],
    ],
    [
      'a stage used by number, by a RUN mount, and in any case',
      'FROM node:20\nRUN make\nFROM golang AS Tools\nFROM node:20 AS final\nCOPY --from=0 /a /a\nRUN --mount=type=bind,from=tools,source=/bin,target=/t cp /t/x /x\n',
      ['final'],
    ],
    ['an image copied from is no stage of it', 'FROM node:20 AS app\nCOPY --from=busybox:1 /bin/sh /sh\n', ['app']],
    [
      "a RUN mount whose first field is from= (code-server's packages)",
      'FROM scratch AS packages\nCOPY x.deb /tmp/\nFROM debian:12\nRUN --mount=from=packages,src=/tmp,dst=/p dpkg -i /p/x.deb\n',
      ['#1'],
    ],
    [
      "a stage that is only its FROM (plane's unused binfmt) builds no image; the last one is built all the same",
      'FROM tonistiigi/binfmt AS binfmt\nFROM node:20 AS runner\nRUN make\nFROM runner AS prod\n',
      ['prod'],
    ],
    [
      "a stage that is only its FROM another stage is that stage's image by a name of its own (tamanu's frontend)",
      'FROM alpine AS web-base\nCMD ["httpd"]\nFROM web-base AS web\nFROM alpine AS tool\nCMD ["sh"]\n',
      ['web', 'tool'],
    ],
    [
      "a stage a build argument's default names (gram's runtime image: `FROM ${RUNNER_SOURCE} AS runner-artifact`)",
      'ARG RUNNER_SOURCE=runner-builder\nFROM rust:1 AS runner-builder\nRUN make\nFROM ${RUNNER_SOURCE} AS runner-artifact\nFROM debian:12\nCOPY --from=runner-artifact /runner /usr/local/bin/runner\nENTRYPOINT ["/usr/local/bin/runner"]\n',
      ['#2'],
    ],
  ])('%s', (_, text, expected) => {
    expect(new DockerfileReading(text).finalStages).toEqual(expected);
  });

  it('follows the build argument docker-build gives a FROM naming a stage; without a value, none', () => {
    const text =
      'ARG SOURCE\nFROM node:20 AS a\nCMD ["a"]\nFROM node:20 AS b\nCMD ["b"]\nFROM ${SOURCE} AS chosen\nFROM debian:12\nCOPY --from=chosen /x /x\n';
    expect(new DockerfileReading(text, { SOURCE: 'a' }).finalStages).toEqual(['b', '#3']);
    expect(new DockerfileReading(text).finalStages).toEqual(['a', 'b', '#3']);
  });
});

describe('DockerfileReading.listsImagesOnly', () => {
  it.each([
    ["testcontainers' image list: FROM lines only", 'FROM redis:7\nFROM redis/redis-stack-server:7\n', true],
    ['with ARGs and comments', '# pinned\nARG V=16\nFROM postgres:${V}\nARG R=7\nFROM redis:${R}\n', true],
    ['one FROM alone (a mirror, maybe)', 'FROM postgres:16\n', false],
    ['a stage by another name', 'FROM node:20 AS tools\nFROM tools\n', false],
    ['a stage that runs something', 'FROM redis:7\nCMD ["redis-server"]\n', false],
    ['a COPY', 'FROM nginx\nCOPY site /usr/share/nginx/html\n', false],
    ['no FROM at all (a fragment)', 'RUN echo\n', false],
  ])('%s: %s', (_, text, expected) => {
    expect(new DockerfileReading(text).listsImagesOnly).toBe(expected);
  });
});

describe('DockerfileReading.otherImageStages', () => {
  it.each([
    [
      "latitude's root Dockerfile: images beside the last, each with its command",
      'FROM node:20 AS base\nFROM base AS api\nCMD ["node", "api.js"]\nFROM base AS web\nCMD ["node", "web.js"]\nFROM base AS migrations\nCMD ["sh"]\n',
      ['api', 'web'],
    ],
    [
      "tegon's leftover install stage: built on a stage of the file, running nothing",
      'FROM node:20-alpine AS base\nCOPY package.json ./\nFROM base AS prod-deps\nRUN npm install --omit=dev\nFROM base AS builder\nCOPY main.js ./\nFROM node:20-alpine AS runner\nCOPY --from=builder /main.js ./\nCMD ["node", "main.js"]\n',
      [],
    ],
    [
      "a stage that runs its base stage's command, or a registry image's",
      'FROM node:20 AS runtime\nENTRYPOINT ["node"]\nFROM runtime AS worker\nCOPY worker.js ./\nFROM nginx:1 AS static\nCOPY site /usr/share/nginx/html\nFROM runtime AS api\nCOPY api.js ./\n',
      ['worker', 'static'],
    ],
    [
      "a stage per service, none with a command of its own (Mist3rBru's: compose gives each its command and target)",
      'FROM node:20 AS base\nCOPY package.json ./\nRUN npm install\nFROM base AS pay\nCOPY pay ./pay\nFROM base AS gw\nCOPY gw ./gw\n',
      ['pay'],
    ],
    [
      "checks a CI compose file builds by target, none with a command (mf's lint, build and unit_tests)",
      'FROM node:22 AS base\nRUN npm install\nFROM base AS lint\nRUN npm run lint\nFROM base AS build\nRUN npm run build\nFROM base AS unit_tests\nRUN npm test\n',
      [],
    ],
    [
      'development and test stages beside the production one',
      'FROM node:20 AS base\nFROM base AS dev\nRUN echo\nFROM base AS test-e2e\nRUN echo\nFROM base AS production\nRUN echo\n',
      [],
    ],
    [
      "nocobase's files to export (`--output`) from a scratch stage",
      'FROM node:20 AS build\nRUN make\nFROM scratch AS app-artifact\nCOPY --from=build /x.tgz /x.tgz\nFROM node:20-slim AS runtime\nRUN echo\n',
      [],
    ],
    [
      "etherpad's stage chosen by a build argument: every stage it may name is used",
      'FROM node:20 AS build\nFROM build AS build_git\nRUN git pull\nFROM build AS build_copy\nRUN echo\nARG BUILD_ENV=git\nFROM build_${BUILD_ENV} AS production\nRUN echo\n',
      [],
    ],
    [
      "etherpad's with its default before the first FROM: the default's stage, and every other it may name",
      'ARG BUILD_ENV=git\nFROM node:20 AS build\nFROM build AS build_git\nRUN git pull\nFROM build AS build_copy\nRUN echo\nFROM build_${BUILD_ENV} AS production\nRUN echo\n',
      [],
    ],
    [
      'a base image named by a build argument alone decides nothing',
      'FROM node:20 AS base\nFROM base AS api\nCMD ["node"]\nARG RUNTIME=node:20-slim\nFROM ${RUNTIME} AS web\nRUN echo\n',
      ['api'],
    ],
  ])('%s', (_, text, expected) => {
    expect(new DockerfileReading(text).otherImageStages).toEqual(expected);
  });
});

describe('DockerfileReading.foreignNames', () => {
  it("names what --from and mounts read that is no stage and no full image reference (electric's sync-service)", () => {
    const text = [
      'FROM elixir:1.17 AS builder',
      'COPY --from=electric-telemetry / /builder/electric-telemetry',
      'COPY --from=node:20 /usr/local/bin/node /usr/local/bin/',
      'COPY --from=ghcr.io/acme/tools /bin/x /bin/',
      'RUN --mount=type=bind,from=busybox,source=/bin,target=/b true',
      'FROM debian AS runner',
      'COPY --from=builder /app /app',
      'COPY --from=0 /etc/x /etc/x',
      '',
    ].join('\n');
    expect(new DockerfileReading(text).foreignNames).toEqual(['electric-telemetry', 'busybox']);
  });
});

describe('DockerfileReading.developmentLast', () => {
  it.each([
    [
      "AgentGPT's platform: the dev stage last, built FROM the production one",
      'FROM python:3.11 AS prod\nCOPY . /app\nCMD ["python", "-m", "app"]\nFROM prod AS dev\nRUN poetry install\n',
      { last: 'dev', ships: 'prod' },
    ],
    [
      'the one other final stage that is an image',
      'FROM node:20 AS build\nRUN make\nFROM node:20-slim AS runtime\nCOPY --from=build /app /app\nFROM build AS development\nCMD ["npm", "run", "dev"]\n',
      { last: 'development', ships: 'runtime' },
    ],
    [
      'up the FROM chain past stages that run nothing of their own and development ones',
      'FROM node:20 AS app\nENTRYPOINT ["node"]\nFROM app AS deps\nRUN npm ci\nFROM deps AS test\nCMD ["npm", "test"]\nFROM test AS debug-e2e\nRUN echo\n',
      { last: 'debug-e2e', ships: 'app' },
    ],
    [
      'no stage before it runs anything: none to ship instead',
      'FROM node:20 AS deps\nRUN npm ci\nFROM deps AS dev\nCMD ["npm", "run", "dev"]\n',
      { last: 'dev', ships: undefined },
    ],
    [
      'several other images: none chosen (the final-stage warning names them)',
      'FROM node:20 AS base\nFROM base AS api\nCMD ["api"]\nFROM base AS web\nCMD ["web"]\nFROM base AS dev\nRUN echo\n',
      { last: 'dev', ships: undefined },
    ],
    [
      "awesome-compose's dev-envs tool image over the development stage its compose file builds",
      'FROM node:20 AS development\nCOPY . .\nCMD ["npm", "run", "dev"]\nFROM development AS dev-envs\nRUN apt-get install -y git\n',
      { last: 'dev-envs', ships: 'development' },
    ],
    ['a production stage last', 'FROM node:20 AS dev\nRUN echo\nFROM dev AS production\nCMD ["node"]\n', undefined],
    ['an unnamed last stage', 'FROM node:20 AS dev\nCMD ["x"]\nFROM dev\nRUN echo\n', undefined],
    ['one stage', 'FROM node:20 AS dev\nCMD ["x"]\n', { last: 'dev', ships: undefined }],
    [
      'a stage named again, which BuildKit refuses: no loop',
      'FROM node:20 AS base\nRUN echo\nFROM base AS app\nRUN echo\nFROM app AS app\nRUN echo\nFROM app AS dev\nRUN echo\n',
      { last: 'dev', ships: undefined },
    ],
  ])('%s', (_, text, expected) => {
    expect(new DockerfileReading(text).developmentLast).toEqual(expected);
  });
});

describe('DockerfileReading with a target: the stages it needs only', () => {
  // Flagsmith's root Dockerfile, one image per target.
  const text = [
    'ARG NODE=node:20',
    'FROM ${NODE} AS build-node',
    'COPY frontend/package.json ./',
    'COPY frontend /build/frontend',
    'FROM python:3.12 AS build-python',
    'COPY api/pyproject.toml api/uv.lock ./',
    'FROM build-python AS api-runtime',
    'COPY api /app/',
    'FROM api-runtime AS oss-api',
    'COPY --from=build-python /venv /venv',
    'COPY .release-please-manifest.json ./',
    'FROM nginx AS oss-frontend',
    'COPY --from=build-node /build/frontend/dist /usr/share/nginx/html',
    'FROM oss-api AS oss-unified',
    'RUN --mount=type=bind,from=0,source=/build,target=/b true',
    '',
  ].join('\n');
  const sources = (target?: string) => copySources(text, {}, target).map(({ source }) => source);

  it('reads the target, the stage it is built from, those it copies or mounts from, transitively', () => {
    expect(sources('oss-api')).toEqual(['api/pyproject.toml', 'api/uv.lock', 'api', '.release-please-manifest.json']);
    expect(sources('OSS-Frontend')).toEqual(['frontend/package.json', 'frontend']);
    expect(sources('oss-unified')).toEqual([
      'frontend/package.json',
      'frontend',
      'api/pyproject.toml',
      'api/uv.lock',
      'api',
      '.release-please-manifest.json',
    ]);
  });

  it('reads the last stage and what it needs without a target, as BuildKit and buildah build', () => {
    expect(sources()).toEqual(sources('oss-unified'));
    // openreplay's `cicd`: a stage nothing needs copies a git-ignored `public`; the build never reads it.
    const unused = text.replace('FROM nginx', 'FROM node:20 AS cicd\nCOPY public /public\nFROM nginx');
    expect(copySources(unused).map(({ source }) => source)).toEqual(sources('oss-unified'));
    expect(copySources(unused, {}, 'cicd').map(({ source }) => source)).toEqual(['public']);
    expect(new DockerfileReading('FROM node:20 AS tool\nCOPY tool /t\nFROM node:20\nCOPY app /app\n').sources).toEqual([
      expect.objectContaining({ source: 'app' }),
    ]);
  });

  it('reads every stage for a target that is no stage, or a reference only the build can tell', () => {
    const all = 'FROM node:20 AS tool\nCOPY tool /t\nFROM node:20\nCOPY app /app\n';
    expect(copySources(all, {}, 'nope')).toHaveLength(2);
    expect(copySources(`${all}COPY --from=\${STAGE} /x /x\n`)).toHaveLength(2);
    expect(copySources(`${text}FROM nginx AS other\nCOPY --from=\${STAGE} /x /x\n`, {}, 'oss-api')).toHaveLength(6);
  });

  it("expands an argument's default with the arguments declared before it (kanbn's distroless image)", () => {
    const staged = [
      'ARG V=20',
      'ARG IMG="node:${V}-slim"',
      'FROM node:20 AS build',
      'COPY apps/web /src',
      'FROM node:20 AS tool',
      'COPY docs/notes.txt /n',
      'FROM ${IMG} AS web',
      'COPY --from=build /src /app',
      '',
    ].join('\n');
    expect(copySources(staged).map(({ source }) => source)).toEqual(['apps/web']);
    expect(copySources(staged, {}, 'tool').map(({ source }) => source)).toEqual(['docs/notes.txt']);
    // An argument only the build gives leaves the FROM open: every stage is read.
    expect(copySources(staged.replace('ARG V=20', 'ARG V'))).toHaveLength(2);
  });
});

describe('contextPath', () => {
  it.each([
    ['../go.work', 'go.work'],
    ['../../sdk/highlight-go/', 'sdk/highlight-go'],
    ['/app/src', 'app/src'],
    ['./src/', 'src'],
    ['a/../../b', 'b'],
    ['.', '.'],
    ['./', '.'],
    ['..', '.'],
    ['/', '.'],
  ])('%s is %s of the context', (source, path) => {
    expect(contextPath(source)).toBe(path);
  });
});

describe('DockerfileReading.localBuilds', () => {
  it('names the folder a build runs in, as its COPY wrote it, per stage', () => {
    const text = [
      'FROM node:20 AS build',
      'WORKDIR /app/server',
      'COPY --chown=node server/ .',
      'RUN npm ci && npm run build',
      'FROM node:20',
      // A new stage starts with nothing copied: its build builds no context folder.
      'WORKDIR /app/server',
      'RUN npm run build',
      'COPY api /srv/api',
      'RUN cd /srv/api && npm run build',
      'COPY --from=build /app/server/dist /srv/dist',
      '',
    ].join('\n');
    expect(new DockerfileReading(text).localBuilds).toEqual([
      { line: 4, instruction: 'RUN npm ci && npm run build', source: 'server/' },
      // Where a `cd` in the RUN moves to.
      { line: 9, instruction: 'RUN cd /srv/api && npm run build', source: 'api' },
    ]);
  });

  it('names a folder inside a whole or folder copy, entered by WORKDIR or by `cd` (juxtaposition)', () => {
    const text = [
      'FROM node:20',
      'WORKDIR /app',
      'COPY . .',
      'RUN npm ci',
      'RUN cd apps/api && npm run build',
      'WORKDIR /app/apps/web',
      'RUN npm run build',
      // A variable, a subshell or a selector sends the build where the reading cannot follow.
      'RUN cd $DIR && npm run build',
      'RUN npm run build --workspace lib',
      'COPY packages /srv/packages',
      'RUN cd /srv/packages/ui && pnpm build && cd .. && tsc',
      '',
    ].join('\n');
    expect(new DockerfileReading(text).localBuilds.map((b) => [b.line, b.source])).toEqual([
      [5, 'apps/api'],
      [7, 'apps/web'],
      [11, 'packages/ui'],
      [11, 'packages'],
    ]);
    // Run at the copy's root: the root's build, as written.
    expect(new DockerfileReading('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build\n').localBuilds).toEqual([
      { line: 4, instruction: 'RUN npm run build', source: '.' },
    ]);
  });

  it.each([
    ['make build-frontend', true],
    ['make -j4 build', true],
    ['make', true],
    ['apk add make && make', true],
    ['make install', false],
    ['make -C ../other build', false],
    ['apt-get install -y make', false],
    ['make build-frontend && make clean', true],
    ['cmake --build .', false],
  ])('a make run: RUN %s builds the folder: %s', (run, built) => {
    const text = `FROM node:20\nWORKDIR /w/web\nCOPY apps/web .\nRUN ${run}\n`;
    expect(new DockerfileReading(text).localBuilds.length > 0).toBe(built);
  });
});

describe('DockerfileReading.localBuilds, bun', () => {
  it.each([
    ['bun build src/index.ts --target=node --outfile /app/dist/api.mjs', true],
    ['bun install && bun build ./src/index.ts --outdir dist', true],
    ['bun build --compile src/index.ts', true],
    ['bun run build', true],
    ['bun install --frozen-lockfile', false],
    ['bun run start', false],
  ])("RUN %s builds the folder: %s (bun's bundler, world-wide-webb's Dockerfile.temporal-worker)", (run, built) => {
    const text = `FROM oven/bun:1\nWORKDIR /w/worker\nCOPY apps/worker .\nRUN ${run}\n`;
    expect(new DockerfileReading(text).localBuilds.length > 0).toBe(built);
  });
});

describe('DockerfileReading.localBuilds, bundlers and framework CLIs run in the folder', () => {
  it.each([
    ['npx vite build', true],
    ['pnpm exec vite build --mode production', true],
    ['npx ng build', true],
    ['npx astro build', true],
    ['yarn next build', true],
    ['npx nuxt generate', true],
    ['npx webpack --mode production', true],
    ['npx tsup src/index.ts', true],
    ['esbuild src/main.ts --bundle --outdir=dist', true],
    ['npx vite preview', false],
    ['npx next start', false],
    ['npm i -g vite', false],
  ])("RUN %s builds the folder: %s (round 98b's micro-frontend: its dist is the image's own)", (run, built) => {
    const text = `FROM node:22\nWORKDIR /w/web\nCOPY apps/web .\nRUN ${run}\n`;
    expect(new DockerfileReading(text).localBuilds.length > 0).toBe(built);
  });
});

describe('DockerfileReading.startScripts', () => {
  it("names the script files a CMD or ENTRYPOINT runs by path in folders COPYs filled, as context paths (world-wide-webb's Dockerfile.api)", () => {
    const text = [
      'FROM oven/bun:1',
      'WORKDIR /app',
      'COPY apps/api/package.json apps/api/',
      'COPY apps/web apps/web',
      'COPY libs ./packages',
      // Only the manifest was copied to apps/api: no script there is the context's.
      'CMD ["bun", "run", "apps/api/src/index.ts", "apps/web/src/main.ts", "packages/ui/cli.js", "/srv/x/y.js"]',
      'WORKDIR /app/apps',
      'ENTRYPOINT bun web/src/index.tsx',
      '',
    ].join('\n');
    expect(new DockerfileReading(text).startScripts.map((s) => [s.line, s.source])).toEqual([
      [6, 'apps/web/src/main.ts'],
      [6, 'libs/ui/cli.js'],
      [8, 'apps/web/src/index.tsx'],
    ]);
    // A later stage's copy of a context folder an earlier stage holds: the same context path.
    const runtime = [
      'FROM node:22 AS build',
      'WORKDIR /app',
      'COPY apps/api/package.json apps/api/',
      'COPY . .',
      'FROM node:22',
      'WORKDIR /srv',
      'COPY --from=build /app/apps/api/src api',
      'COPY --from=build /app/apps/api/package.json api/',
      'CMD ["node", "api/main.js"]',
      '',
    ].join('\n');
    expect(new DockerfileReading(runtime).startScripts.map((s) => s.source)).toEqual(['apps/api/src/main.js']);
    // By its absolute path in the image; not a URL's path.
    const absolute = (cmd: string) =>
      new DockerfileReading(`FROM node:22\nWORKDIR /srv\nCOPY apps/api /app/apps/api\n${cmd}\n`).startScripts.map(
        (s) => s.source,
      );
    expect(absolute('CMD ["node", "/app/apps/api/dist/main.js"]')).toEqual(['apps/api/dist/main.js']);
    expect(absolute('CMD ["node", "-r", "https://cdn.example/app/apps/api/x.js"]')).toEqual([]);
  });
});

describe('DockerfileReading.unsetBases', () => {
  it('names the FROMs only unset global build arguments leave open, not defaults, given ones or stages', () => {
    const text = [
      'ARG HATCHET_IMAGE',
      'ARG NODE=node:20',
      'FROM $HATCHET_IMAGE AS api',
      'FROM ${NODE} AS build',
      'FROM --platform=$BUILDPLATFORM build',
      'ARG LATE',
      'FROM ${LATE:-alpine}',
      '',
    ].join('\n');
    expect(new DockerfileReading(text).unsetBases).toEqual([
      {
        line: 3,
        instruction: 'FROM $HATCHET_IMAGE AS api',
        written: '$HATCHET_IMAGE',
        unset: { args: ['HATCHET_IMAGE'], source: '' },
      },
    ]);
    expect(new DockerfileReading(text, { HATCHET_IMAGE: 'localhost/api' }).unsetBases).toEqual([]);
  });
});

describe('DockerfileReading.placeholderStages', () => {
  it('names the empty scratch stages others copy from, which a named build context fills (graphql-hive)', () => {
    const text =
      'FROM scratch AS router_pkg\nFROM scratch AS config\nFROM scratch AS unused\nFROM rust:1 AS build\nCOPY --from=router_pkg . /src\nRUN --mount=type=bind,from=config,target=/cfg cargo build\nFROM scratch AS out\nCOPY --from=build /bin/router /router\n';
    expect(new DockerfileReading(text).placeholderStages).toEqual(['router_pkg', 'config']);
    expect(
      new DockerfileReading('FROM node:20 AS base\nFROM base\nCOPY --from=base /a /a\n').placeholderStages,
    ).toEqual([]);
  });
});

describe('DockerfileReading.imageBases', () => {
  const DOCKERFILE = [
    'ARG VERSION=latest',
    'ARG REGISTRY',
    'FROM ghcr.io/acme/base:$VERSION AS builder',
    'FROM scratch AS empty',
    'FROM --platform=$BUILDPLATFORM node:20 AS tools',
    'FROM builder AS app',
    'FROM ${REGISTRY}/runtime AS runtime',
    'FROM ghcr.io/acme/base:${VERSION}',
    'COPY --from=tools /t /t',
    'COPY --from=app /a /a',
    'RUN --mount=from=runtime,src=/r,dst=/r true',
  ].join('\n');

  it('lists the images FROMs name, expanded by the build arguments declared before the first FROM, not stages or scratch', () => {
    expect(new DockerfileReading(DOCKERFILE).imageBases).toEqual([
      { line: 3, written: 'ghcr.io/acme/base:$VERSION', image: 'ghcr.io/acme/base:latest', via: 'FROM' },
      { line: 5, written: 'node:20', image: 'node:20', via: 'FROM' },
      { line: 7, written: '${REGISTRY}/runtime', image: undefined, via: 'FROM' },
      { line: 8, written: 'ghcr.io/acme/base:${VERSION}', image: 'ghcr.io/acme/base:latest', via: 'FROM' },
    ]);
    expect(
      new DockerfileReading(DOCKERFILE, { VERSION: '2', REGISTRY: 'r.example' }).imageBases.map((b) => b.image),
    ).toEqual(['ghcr.io/acme/base:2', 'node:20', 'r.example/runtime', 'ghcr.io/acme/base:2']);
  });

  it('lists the images a COPY or ADD takes files --from, not stages by name or number', () => {
    const reading = new DockerfileReading(
      'FROM node:20 AS build\nARG ASSETS=acme/assets\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=$ASSETS:latest /c /c\nADD --from=acme/tools /d /d\n',
    );
    expect(reading.imageBases.filter((b) => b.via === '--from')).toEqual([
      { line: 5, written: '$ASSETS:latest', image: 'acme/assets:latest', via: '--from' },
      { line: 6, written: 'acme/tools', image: 'acme/tools', via: '--from' },
    ]);
  });

  it('lists the images a RUN mounts from, not stages, and no context source for them', () => {
    const reading = new DockerfileReading(
      [
        'FROM node:20 AS build',
        'ARG TOOLS=acme/tools',
        'RUN --mount=type=bind,from=build,source=/a,target=/a true',
        'RUN --mount=type=bind,from=acme/base,source=/etc/motd,target=/m --mount=type=cache,from=$TOOLS,target=/c cp /m /motd',
        'RUN --mount=type=bind,source=src,target=/src echo --mount=from=not-a-flag',
      ].join('\n'),
    );
    expect(reading.imageBases.filter((b) => b.via !== 'FROM')).toEqual([
      { line: 4, written: 'acme/base', image: 'acme/base', via: 'mount' },
      { line: 4, written: '$TOOLS', image: 'acme/tools', via: 'mount' },
    ]);
    expect(reading.sources.map((s) => s.source)).toEqual(['src']);
    expect(reading.bindsInRun).toBe(true);
  });

  it('tells a RUN that bind-mounts files (implicitly a bind without a type) from caches, secrets and tmpfs, in the stages built', () => {
    const binds = (text: string, target?: string) => new DockerfileReading(text, {}, target).bindsInRun;
    expect(binds('FROM a\nRUN --mount=source=package.json,target=/p npm ci\n')).toBe(true);
    expect(binds('FROM a\nRUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc npm ci\n')).toBe(false);
    expect(binds('FROM a\nRUN --mount=type=tmpfs,target=/t echo --mount=type=bind\n')).toBe(false);
    expect(binds('FROM a AS dev\nRUN --mount=type=bind,target=/src true\nFROM a AS prod\nRUN true\n', 'prod')).toBe(
      false,
    );
  });

  it('reads only the stages a target needs', () => {
    const reading = new DockerfileReading(DOCKERFILE, { REGISTRY: 'r.example' }, 'app');
    expect(reading.imageBases.map((b) => b.written)).toEqual(['ghcr.io/acme/base:$VERSION']);
  });
});

describe('excludedEverywhere', () => {
  const of = (dockerfile: string) => excludedEverywhere(copySources(dockerfile));
  it.each([
    [
      'every copy of the whole context excludes it',
      'FROM a\nCOPY --exclude=apps/web --exclude="docs/**" . .\n',
      ['apps/web', 'docs/**'],
    ],
    [
      'a copy of another source does not read there',
      'FROM a\nCOPY package.json ./\nCOPY --exclude=apps/web . .\n',
      ['apps/web'],
    ],
    ['no copy of the whole context', 'FROM a\nCOPY --exclude=web apps ./apps\n', []],
    ['another whole copy sends it', 'FROM a\nCOPY --exclude=apps/web . .\nCOPY . /src\n', []],
    ['a source inside it', 'FROM a\nCOPY --exclude=apps/web . .\nCOPY apps/web/package.json ./\n', []],
    ['a folder holding it', 'FROM a\nCOPY --exclude=apps/web . .\nCOPY apps ./apps\n', []],
    [
      'a bind mount of the whole context',
      'FROM a\nCOPY --exclude=apps/web . .\nRUN --mount=type=bind,target=/s make\n',
      [],
    ],
    [
      'a pattern that may match anywhere, beside another source',
      'FROM a\nCOPY --exclude=**/*.md . .\nCOPY apps/web ./web\n',
      [],
    ],
    ['an exception', 'FROM a\nCOPY --exclude=!keep . .\n', []],
  ])('%s', (_, dockerfile, expected) => {
    expect(of(dockerfile)).toEqual(expected);
  });
});

describe('shippedSteps', () => {
  it('holds the stage built and the stages it is built FROM, not those it only copies from', () => {
    const text =
      'ARG V=1\nFROM node:20 AS base\nRUN a\nFROM node:20 AS deps\nRUN b\nFROM base AS app\nCOPY --from=deps /x /x\nRUN c\n';
    const lines = (target?: string) => new DockerfileReading(text, {}, target).shippedSteps.map(({ line }) => line);
    expect(lines()).toEqual([2, 3, 6, 7, 8]);
    expect(lines('deps')).toEqual([4, 5]);
    expect(lines('DEPS')).toEqual([4, 5]);
  });
});
