import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startRegistry } from '../../../tools/fleet-harness/src/registry';
import { runOk } from '../../../tools/fleet-harness/src/tools';
import { type ShownProject, TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

/**
 * Dockerfiles as teams already have them, none written for nx-fleet and none with a per-service
 * setting: one written for its own folder, one copying the Nx build's output from dist/ (its path
 * written with an ARG), one running a monorepo prune tool after `COPY . .`. Each builds a real
 * image, and another project's change leaves every content tag as it was.
 */
describe('build contexts inferred from existing Dockerfiles (real nx CLI, real engine)', () => {
  let ws: TestWorkspace;
  const tag = (root: string) => ws.readJson<{ contentTag: string }>(`dist/fleet/${root}/image.json`).contentTag;
  // The projects beforeAll writes, as nx show project prints them, read in one Nx run.
  let shown: Promise<Record<string, ShownProject>> | undefined;
  const project = async (name: string) => (await (shown ??= ws.shownProjects()))[name]!;
  const SERVICES = [
    'folder-api',
    'dist-api',
    'turbo-web',
    'folders-web',
    'edge',
    'node-srv',
    'variant-web',
    'gen-web',
    'mount-api',
    'laid-api',
    'inside-srv',
    'script-api',
    'docked-api',
    'staged-api',
    'loose-img',
    'cli-img',
  ];
  /** Their context is the whole workspace: every change moves their tags. */
  const WHOLE = ['gen-web'];

  beforeAll(async () => {
    ws = TestWorkspace.create('contexts');
    const main = (name: string) => `console.log(${JSON.stringify(`${name} ${ws.id}`)});\n`;

    // Written for `docker build .` in its folder.
    ws.write('apps/folder-api/project.json', JSON.stringify({ name: 'folder-api' }));
    ws.write('apps/folder-api/package.json', JSON.stringify({ name: 'folder-api', private: true }));
    ws.write('apps/folder-api/src/main.js', main('folder-api'));
    // A project inside its folder (a plugin of its own): Nx counts its files as that project's, the engine sends them.
    ws.write('apps/folder-api/plugins/audit/project.json', JSON.stringify({ name: 'folder-api-audit' }));
    ws.write('apps/folder-api/plugins/audit/index.js', 'module.exports = 1;\n');
    // Its first stage, which the last never uses, copies a folder git ignores (openreplay's `cicd` stage):
    // BuildKit and buildah skip it, so it leaves the build cached.
    ws.write('apps/folder-api/.gitignore', 'public/\n');
    ws.write('apps/folder-api/public/index.html', '<p>built on the host</p>\n');
    ws.write(
      'apps/folder-api/Dockerfile',
      'FROM node:20 AS cicd\nCOPY public /srv/public\nFROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY src/ ./src/\nCMD ["node", "src/main.js"]\n',
    );

    // Copies what its Nx build target writes to the git-ignored dist/ folder; the repo's .dockerignore
    // lets dist/ through, as repos whose Dockerfiles copy build outputs have it.
    ws.write('.dockerignore', 'node_modules\n.git\n.nx\ntmp\ncoverage\ndist/fleet\ndocs\nCHANGELOG.md\n');
    ws.write('CHANGELOG.md', '# changes\n');
    ws.write('docs/guide.md', 'how we deploy\n');
    ws.write(
      'apps/dist-api/project.json',
      JSON.stringify({
        name: 'dist-api',
        targets: {
          build: {
            executor: 'nx:run-commands',
            options: { command: 'node apps/dist-api/build.mjs' },
            inputs: ['{projectRoot}/**/*'],
            outputs: ['{workspaceRoot}/dist/apps/dist-api'],
            cache: true,
          },
        },
      }),
    );
    ws.write('apps/dist-api/src/main.js', main('dist-api'));
    ws.write(
      'apps/dist-api/build.mjs',
      [
        "import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';",
        "mkdirSync('dist/apps/dist-api', { recursive: true });",
        "copyFileSync('apps/dist-api/src/main.js', 'dist/apps/dist-api/main.js');",
        'writeFileSync(\'dist/apps/dist-api/package.json\', \'{"name":"dist-api"}\\n\');',
        '',
      ].join('\n'),
    );
    ws.write(
      'apps/dist-api/Dockerfile',
      // The path written with a build argument's default, as many repositories' Dockerfiles do.
      'FROM node:20\nARG app=dist-api\nWORKDIR /app\nCOPY ./dist/apps/${app}/package*.json ./\nCOPY ./dist/apps/${app} .\nCMD ["node", "main.js"]\n',
    );

    // COPY . . and a prune step (turbo is not in this base image: the fallback branch copies the same closure).
    ws.write('libs/util/project.json', JSON.stringify({ name: 'util' }));
    ws.write('libs/util/index.js', 'module.exports = 1;\n');
    ws.write('apps/turbo-web/project.json', JSON.stringify({ name: 'turbo-web', implicitDependencies: ['util'] }));
    ws.write('apps/turbo-web/main.js', main('turbo-web'));
    // turbo's build runs the dependencies' builds first (as most turbo.json files say): deps-api below.
    ws.write('turbo.json', JSON.stringify({ tasks: { build: { dependsOn: ['^build'] } } }));
    ws.write('scripts/start.sh', 'node apps/turbo-web/main.js\n');
    ws.write(
      'apps/turbo-web/Dockerfile',
      [
        'FROM node:20 AS prune',
        'WORKDIR /repo',
        'COPY . .',
        'RUN if command -v turbo >/dev/null 2>&1; then turbo prune turbo-web --docker; else mkdir -p out/full && cp -r apps libs turbo.json out/full/; fi',
        'FROM node:20',
        'WORKDIR /app',
        'COPY --from=prune /repo/out/full .',
        // A root file, no project's, taken from the stage that copied the whole context.
        'COPY --from=prune /repo/scripts/start.sh /start.sh',
        'CMD ["node", "apps/turbo-web/main.js"]',
        '',
      ].join('\n'),
    );

    // The folders holding the projects copied whole, then the prune step (IoT-Manager's `COPY apps ./apps`):
    // the context holds the closure and every package manifest there, as after `COPY . .`.
    ws.write('apps/folders-web/project.json', JSON.stringify({ name: 'folders-web', implicitDependencies: ['util'] }));
    ws.write('apps/folders-web/main.js', main('folders-web'));
    ws.write(
      'apps/folders-web/Dockerfile',
      [
        'FROM node:20 AS prune',
        'WORKDIR /repo',
        'COPY turbo.json ./',
        'COPY apps ./apps',
        'COPY libs ./libs',
        'RUN if command -v turbo >/dev/null 2>&1; then turbo prune folders-web --docker; else mkdir -p out/full/apps && cp -r apps/folders-web out/full/apps/ && cp -r libs out/full/; fi',
        'FROM node:20',
        'WORKDIR /app',
        'COPY --from=prune /repo/out/full .',
        'CMD ["node", "apps/folders-web/main.js"]',
        '',
      ].join('\n'),
    );

    // Serves another project's build output: that project's build runs first, its dist is carried.
    ws.write(
      'apps/site/project.json',
      JSON.stringify({
        name: 'site',
        targets: {
          build: {
            executor: 'nx:run-commands',
            options: {
              command:
                "node -e \"require('fs').mkdirSync('apps/site/dist',{recursive:true});require('fs').writeFileSync('apps/site/dist/index.html','<h1>site</h1>')\"",
            },
            inputs: ['{projectRoot}/**/*'],
            outputs: ['{projectRoot}/dist'],
            cache: true,
          },
        },
      }),
    );
    ws.write('apps/site/src/index.html', '<h1>site</h1>\n');
    ws.write('apps/edge/project.json', JSON.stringify({ name: 'edge' }));
    ws.write(
      'apps/edge/Dockerfile',
      'FROM node:20\nWORKDIR /srv\nCOPY ./apps/site/dist ./public\nCMD ["ls", "public"]\n',
    );

    // Copies its own folder whole and runs what its TypeScript build wrote there (tsconfig outDir, git-ignored).
    ws.write(
      'apps/node-srv/project.json',
      JSON.stringify({
        name: 'node-srv',
        targets: {
          build: {
            executor: 'nx:run-commands',
            options: {
              command:
                "node -e \"const fs=require('fs');fs.mkdirSync('apps/node-srv/dist',{recursive:true});fs.copyFileSync('apps/node-srv/src/index.js','apps/node-srv/dist/index.js')\"",
            },
          },
        },
      }),
    );
    ws.write('apps/node-srv/tsconfig.json', JSON.stringify({ compilerOptions: { outDir: 'dist' } }));
    ws.write('apps/node-srv/src/index.js', main('node-srv'));
    ws.write(
      'apps/node-srv/Dockerfile',
      'FROM node:20\nCOPY ./apps/node-srv /app\nCMD ["node", "/app/dist/index.js"]\n',
    );

    // Its image's Dockerfile has a name of its own beside a development one (which would fail the build).
    ws.write('apps/variant-web/package.json', JSON.stringify({ name: 'variant-web', private: true }));
    ws.write('apps/variant-web/src/main.js', main('variant-web'));
    ws.write(
      'apps/variant-web/Dockerfile.web',
      'FROM node:20\nWORKDIR /app\nCOPY src/ ./src/\nCMD ["node", "src/main.js"]\n',
    );
    ws.write('apps/variant-web/Dockerfile.dev', 'FROM node:20\nRUN exit 1\n');

    // Its Dockerfile kept alone in a docker/ folder of its own (hedgedoc's backend), written for the workspace root.
    // Copies the root package.json and sources no project holds (browserless's base image): only the
    // root manifest names their dependencies, so it is sent as it is, not pruned to the service's own.
    ws.write('apps/loose-img/project.json', JSON.stringify({ name: 'loose-img' }));
    ws.write('tools/loose/hello.js', `module.exports = ${JSON.stringify(`loose ${ws.id}`)};\n`);
    ws.write(
      'apps/loose-img/Dockerfile',
      'FROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY tools/loose tools/loose\nCMD ["node", "-e", "console.log(require(\'/app/package.json\').name, require(\'/app/tools/loose/hello.js\'))"]\n',
    );
    // Its last stage is a development one built FROM the production stage (AgentGPT's platform): the
    // production stage is the image, as its compose file's `target: prod` builds it.
    ws.write('apps/staged-api/project.json', JSON.stringify({ name: 'staged-api' }));
    ws.write('apps/staged-api/main.js', main('staged-api'));
    ws.write(
      'apps/staged-api/Dockerfile',
      'FROM node:20 AS prod\nWORKDIR /app\nCOPY main.js main.js\nCMD ["node", "main.js"]\nFROM prod AS dev\nCMD ["node", "-e", "console.log(\'the development stage\')"]\n',
    );
    ws.write('apps/docked-api/package.json', JSON.stringify({ name: 'docked-api', private: true }));
    ws.write('apps/docked-api/main.js', main('docked-api'));
    ws.write('apps/docked-api/docker/README.md', 'docker build -f apps/docked-api/docker/Dockerfile .\n');
    ws.write(
      'apps/docked-api/docker/Dockerfile',
      'FROM node:20\nWORKDIR /app\nCOPY apps/docked-api/main.js main.js\nCMD ["node", "main.js"]\n',
    );

    // Copying nothing, kept in its project's docker/ folder (mockoon's CLI image, whose CI builds that
    // folder): built from there, so the project's own sources never move its tag.
    ws.write('apps/cli-img/package.json', JSON.stringify({ name: 'cli-img', private: true }));
    ws.write('apps/cli-img/src/index.js', main('cli-img'));
    ws.write(
      'apps/cli-img/docker/Dockerfile',
      `FROM node:20\nRUN echo "cli-img ${ws.id}" > /motd.txt\nCMD ["cat", "/motd.txt"]\n`,
    );

    // As a Dockerfile generator writes it (quoted words), in its folder, then a workspace tool: the workspace context.
    ws.write('apps/gen-web/package.json', JSON.stringify({ name: 'gen-web', private: true }));
    ws.write('apps/gen-web/main.js', main('gen-web'));
    ws.write(
      'apps/gen-web/Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /app',
        'COPY \\',
        '    "." "/app/"',
        'RUN if command -v turbo >/dev/null 2>&1; then turbo run build --filter=gen-web; else node apps/gen-web/main.js > /app/out.txt; fi',
        'CMD ["cat", "/app/out.txt"]',
        '',
      ].join('\n'),
    );

    // Reads a library's file through a RUN bind mount: the pruned context must carry it.
    ws.write('apps/mount-api/project.json', JSON.stringify({ name: 'mount-api' }));
    ws.write('apps/mount-api/main.js', "console.log('mount-api', require('./util.js'));\n");
    ws.write(
      'apps/mount-api/Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /app',
        'RUN --mount=type=bind,source=libs/util/index.js,target=/mnt/util.js cp /mnt/util.js /app/util.js',
        'COPY apps/mount-api/main.js ./',
        'CMD ["node", "main.js"]',
        '',
      ].join('\n'),
    );

    // In its folder, copies the context whole and then works inside its own path there: the workspace.
    ws.write('apps/laid-api/package.json', JSON.stringify({ name: 'laid-api', private: true }));
    ws.write('apps/laid-api/main.js', "console.log('laid-api', require('../../libs/util/index.js'));\n");
    ws.write(
      'apps/laid-api/Dockerfile',
      'FROM node:20\nCOPY ./ /workspace\nWORKDIR /workspace/apps/laid-api\nCMD ["node", "main.js"]\n',
    );
    // Its ignore file is an allow-list: what the engine sends is what it names, so that is what its inputs follow.
    ws.write('apps/laid-api/Dockerfile.dockerignore', '*\n!apps/laid-api\n!libs/util\n!package.json\n');

    // Copies its folder whole and builds it inside the image; its own ignore file leaves dist/ out, so
    // the host's build (which would fail here) is neither waited for nor carried.
    ws.write(
      'apps/inside-srv/project.json',
      JSON.stringify({ name: 'inside-srv', targets: { build: { command: 'exit 1' } } }),
    );
    ws.write('apps/inside-srv/tsconfig.json', JSON.stringify({ compilerOptions: { outDir: 'dist' } }));
    ws.write('apps/inside-srv/src/index.js', main('inside-srv'));
    ws.write(
      'apps/inside-srv/Dockerfile',
      'FROM node:20\nCOPY ./apps/inside-srv /app\nRUN mkdir -p /app/dist && cp /app/src/index.js /app/dist/index.js\nCMD ["node", "/app/dist/index.js"]\n',
    );
    ws.write('apps/inside-srv/Dockerfile.dockerignore', '**/dist\n');

    // Builds through a script only the root package.json defines: a pruned package.json (the service's own) lacks it.
    const rootManifest = ws.readJson<{ scripts?: Record<string, string> }>('package.json');
    ws.write(
      'package.json',
      JSON.stringify(
        {
          ...rootManifest,
          scripts: { ...rootManifest.scripts, 'build:script-api': 'node apps/script-api/build.js' },
        },
        null,
        2,
      ),
    );
    ws.write('apps/script-api/project.json', JSON.stringify({ name: 'script-api' }));
    ws.write(
      'apps/script-api/build.js',
      `require('fs').writeFileSync(__dirname + '/out.js', "console.log('script-api ${ws.id}')");\n`,
    );
    ws.write(
      'apps/script-api/Dockerfile',
      'FROM node:20\nWORKDIR /repo\nCOPY package.json ./\nCOPY apps/script-api apps/script-api\nRUN npm run build:script-api\nCMD ["node", "apps/script-api/out.js"]\n',
    );

    // Copies a bundle a package script writes to a git-ignored folder (Huly's pods): Nx cannot hash it.
    ws.write('apps/bundle-pod/project.json', JSON.stringify({ name: 'bundle-pod' }));
    ws.write('apps/bundle-pod/.gitignore', 'bundle/\n');
    ws.write('apps/bundle-pod/bundle/bundle.js', "console.log('bundle v1');\n");
    ws.write(
      'apps/bundle-pod/Dockerfile',
      'FROM node:20\nCOPY bundle/bundle.js /app/bundle.js\nCMD ["node", "/app/bundle.js"]\n',
    );

    // Copies the binary its host build writes per platform, git-ignored (sealos's controllers): the
    // platform argument the builder sets stands for every platform.
    ws.write('apps/arch-pod/project.json', JSON.stringify({ name: 'arch-pod' }));
    for (const arch of ['amd64', 'arm64']) ws.write(`apps/arch-pod/bin/app-${arch}.js`, "console.log('arch v1');\n");
    ws.write(
      'apps/arch-pod/Dockerfile',
      'FROM node:20\nARG TARGETARCH\nCOPY bin/app-$TARGETARCH.js /app/app.js\nCMD ["node", "/app/app.js"]\n',
    );

    // A Dockerfile of FROM lines only lists images (testcontainers' modules, for Dependabot): no service.
    ws.write('apps/pins/project.json', JSON.stringify({ name: 'pins' }));
    ws.write('apps/pins/Dockerfile', 'FROM redis:7\nFROM postgres:16\n');

    // Copies a package its packaging script writes to a folder the root .gitignore leaves out, beside a
    // committed script (code-server's release image): the workspace as the engine sends it.
    ws.write('.gitignore', `${ws.read('.gitignore')}\nrelease-packages/\napps/arch-pod/bin/\n`);
    ws.write('ci/pkg-img/project.json', JSON.stringify({ name: 'pkg-img' }));
    ws.write('scripts/pkg-entry.js', "require('/app/pkg/pkg-app.js');\n");
    ws.write('release-packages/pkg-app.js', "console.log('package v1');\n");
    ws.write(
      'ci/pkg-img/Dockerfile',
      'FROM node:20\nCOPY scripts/pkg-entry.js /app/entry.js\nCOPY release-packages/pkg-*.js /app/pkg/\nCMD ["node", "/app/entry.js"]\n',
    );

    // Copies a library folder and builds it inside the image by its package name (hyperdx's common-utils):
    // the library's host build (which would fail here) is neither waited for nor carried.
    ws.write('libs/shared/project.json', JSON.stringify({ name: 'shared', targets: { build: { command: 'exit 1' } } }));
    ws.write('libs/shared/package.json', JSON.stringify({ name: '@e2e/shared', private: true }));
    ws.write('libs/shared/tsconfig.json', JSON.stringify({ compilerOptions: { outDir: 'dist' } }));
    ws.write('libs/shared/src/index.js', `module.exports = 'shared built in the image ${ws.id}';\n`);
    ws.write('apps/inimage-api/project.json', JSON.stringify({ name: 'inimage-api' }));
    ws.write('apps/inimage-api/main.js', "console.log(require('../../libs/shared/dist/index.js'));\n");
    ws.write(
      'apps/inimage-api/Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /repo',
        'COPY libs/shared libs/shared',
        'COPY apps/inimage-api apps/inimage-api',
        // No npm workspace in this base image: the fallback builds the same output.
        'RUN npm run build -w @e2e/shared 2>/dev/null || (mkdir -p libs/shared/dist && cp libs/shared/src/index.js libs/shared/dist/index.js)',
        'CMD ["node", "apps/inimage-api/main.js"]',
        '',
      ].join('\n'),
    );

    // Builds the library where it copied it to, in its WORKDIR (rybbit's server): no host build either.
    ws.write('apps/workdir-api/project.json', JSON.stringify({ name: 'workdir-api' }));
    ws.write('apps/workdir-api/main.js', "console.log(require('../../libs/shared/dist/index.js'));\n");
    ws.write(
      'apps/workdir-api/Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /repo/libs/shared',
        'COPY libs/shared .',
        // The library's package.json has no build script here: the fallback builds the same output.
        'RUN npm run build 2>/dev/null || (mkdir -p dist && cp src/index.js dist/index.js)',
        'WORKDIR /repo',
        'COPY apps/workdir-api apps/workdir-api',
        'CMD ["node", "apps/workdir-api/main.js"]',
        '',
      ].join('\n'),
    );

    // Builds the service by name with turbo, whose build depends on `^build`: the library its package.json
    // depends on is built first in the image (twenty's server, with Nx), so its failing host build never runs.
    ws.write('libs/deplib/project.json', JSON.stringify({ name: 'deplib', targets: { build: { command: 'exit 1' } } }));
    ws.write('libs/deplib/package.json', JSON.stringify({ name: '@e2e/deplib', private: true }));
    ws.write('libs/deplib/tsconfig.json', JSON.stringify({ compilerOptions: { outDir: 'dist' } }));
    ws.write('libs/deplib/src/index.js', `module.exports = 'deplib built first in the image ${ws.id}';\n`);
    ws.write('apps/deps-api/project.json', JSON.stringify({ name: 'deps-api' }));
    ws.write(
      'apps/deps-api/package.json',
      JSON.stringify({ name: '@e2e/deps-api', private: true, dependencies: { '@e2e/deplib': '*' } }),
    );
    ws.write('apps/deps-api/main.js', "console.log(require('../../libs/deplib/dist/index.js'));\n");
    ws.write(
      'apps/deps-api/Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /repo',
        'COPY libs/deplib libs/deplib',
        'COPY apps/deps-api apps/deps-api',
        // No turbo in this base image: the fallback builds the same output.
        'RUN turbo run build --filter=@e2e/deps-api 2>/dev/null || (mkdir -p libs/deplib/dist && cp libs/deplib/src/index.js libs/deplib/dist/index.js)',
        'CMD ["node", "apps/deps-api/main.js"]',
        '',
      ].join('\n'),
    );

    // Copies the output of a package.json build script, which declares no outputs (langfuse's sandbox
    // runtime, in a turbo repository): Nx hashes none of its files, and docker-build says so.
    ws.write('apps/script-pod/project.json', JSON.stringify({ name: 'script-pod' }));
    ws.write(
      'apps/script-pod/package.json',
      JSON.stringify({ name: '@e2e/script-pod', private: true, scripts: { build: 'node build.js' } }),
    );
    ws.write('apps/script-pod/.gitignore', 'dist/\n');
    ws.write(
      'apps/script-pod/build.js',
      `require('fs').mkdirSync('dist', { recursive: true });\nrequire('fs').writeFileSync('dist/index.js', "console.log('script-pod ${ws.id}');\\n");\n`,
    );
    ws.write('apps/script-pod/Dockerfile', 'FROM node:20\nCOPY dist /app/dist\nCMD ["node", "/app/dist/index.js"]\n');

    // Its source names a build argument without a default (typebot's `COPY scripts/${SCOPE}-entrypoint.sh`).
    ws.write('apps/argy-api/project.json', JSON.stringify({ name: 'argy-api' }));
    ws.write('apps/argy-api/argy-api.js', `console.log('argy-api ${ws.id}');\n`);
    ws.write(
      'apps/argy-api/Dockerfile',
      'FROM node:20\nARG SERVICE\nCOPY ${SERVICE}.js /app/main.js\nCMD ["node", "/app/main.js"]\n',
    );

    // In a project-less docker/ folder, pruning the workspace to one app that has no Dockerfile (documenso's).
    ws.write('apps/pruned-web/project.json', JSON.stringify({ name: 'pruned-web' }));
    ws.write('apps/pruned-web/package.json', JSON.stringify({ name: '@e2e/pruned-web', private: true }));
    ws.write('apps/pruned-web/main.js', main('pruned-web'));
    ws.write(
      'docker/Dockerfile',
      [
        'FROM node:20 AS prune',
        'WORKDIR /repo',
        'COPY . .',
        // No turbo in this base image: the fallback copies the same closure.
        'RUN if command -v turbo >/dev/null 2>&1; then turbo prune --scope=@e2e/pruned-web --docker; else mkdir -p out/full/apps && cp -r apps/pruned-web out/full/apps/; fi',
        'FROM node:20',
        'WORKDIR /app',
        'COPY --from=prune /repo/out/full .',
        'CMD ["node", "apps/pruned-web/main.js"]',
        '',
      ].join('\n'),
    );

    // In a project-less deploy/ folder, named after the app it builds by name (OpenLiveSlide's docker/realtime.Dockerfile).
    ws.write('apps/named-api/project.json', JSON.stringify({ name: 'named-api' }));
    ws.write(
      'apps/named-api/package.json',
      JSON.stringify({
        name: 'named-api',
        private: true,
        scripts: { build: `node -e "require('fs').writeFileSync('built.txt', 'named-api built')"` },
      }),
    );
    ws.write(
      'apps/named-api/main.js',
      `console.log(require('fs').readFileSync(__dirname + '/built.txt', 'utf8') + ' ' + ${JSON.stringify(ws.id)});\n`,
    );
    ws.write(
      'deploy/named-api.Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /repo',
        'COPY apps/named-api apps/named-api',
        `RUN echo '{"private":true,"workspaces":["apps/*"]}' > package.json && npm run build --workspace=named-api`,
        'CMD ["node", "apps/named-api/main.js"]',
        '',
      ].join('\n'),
    );

    // Built by `docker buildx bake` in its repository (graphql-hive's): an empty placeholder stage and a
    // name no stage has, each filled by a named build context — a library's build output and a folder.
    ws.write(
      'packages/router/project.json',
      JSON.stringify({
        name: 'router-pkg',
        targets: {
          build: {
            executor: 'nx:run-commands',
            options: { command: 'node packages/router/build.mjs' },
            outputs: ['{projectRoot}/dist'],
            cache: true,
          },
        },
      }),
    );
    ws.write(
      'packages/router/build.mjs',
      `import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('packages/router/dist', { recursive: true });\nwriteFileSync('packages/router/dist/router.js', "console.log('router ${ws.id}');\\n");\n`,
    );
    ws.write('libs/web-assets/banner.txt', 'banner v1\n');
    ws.write(
      'apps/bake-web/project.json',
      JSON.stringify({
        name: 'bake-web',
        metadata: { fleet: { buildContexts: { router_pkg: 'packages/router/dist', assets: 'libs/web-assets' } } },
      }),
    );
    ws.write(
      'apps/bake-web/Dockerfile',
      [
        'FROM scratch AS router_pkg',
        'FROM node:20',
        'WORKDIR /app',
        'COPY --from=router_pkg router.js ./router.js',
        'COPY --from=assets banner.txt ./banner.txt',
        'CMD ["sh", "-c", "node router.js && cat banner.txt"]',
        '',
      ].join('\n'),
    );

    // Unrelated to all of them.
    ws.write('apps/other/project.json', JSON.stringify({ name: 'other' }));
    ws.write('apps/other/src/index.js', 'module.exports = 0;\n');
    await ws.commit('existing Dockerfiles');
  });
  afterAll(() => ws?.dispose());

  it('shows each choice and why in nx show project, and nx-fleet context says it too', async () => {
    const folder = await ws.showProject('folder-api');
    expect(folder.targets['docker-build']!.metadata!['description']).toMatch(
      /from a project context \(inferred: "COPY src\/ \.\/src\/" \(apps\/folder-api\/Dockerfile:6\) names a path in apps\/folder-api, not at the workspace root\)/,
    );
    expect(folder.targets['docker-build']!.cache).toBe(true);
    const dist = await project('dist-api');
    expect(dist.targets['docker-build']).toMatchObject({
      dependsOn: ['build'],
      metadata: { context: { mode: 'pruned', origin: 'inferred' } },
    });
    const web = await project('turbo-web');
    expect(web.targets['docker-build']!.metadata!['context']).toMatchObject({
      mode: 'pruned',
      reason: expect.stringMatching(/is followed by "RUN if command -v turbo .*every workspace manifest and root file/),
    });
    // Every root file is sent, each an input by name, but what the root's .dockerignore leaves out: never affected by it.
    expect(web.targets['docker-build']!.inputs).toContain('{workspaceRoot}/turbo.json');
    expect(web.targets['docker-build']!.inputs).not.toContain('{workspaceRoot}/CHANGELOG.md');
    const affectedBy = async (file: string) =>
      JSON.parse((await ws.nxOk(['show', 'projects', '--affected', `--files=${file}`, '--json'])).stdout) as string[];
    expect(await affectedBy('CHANGELOG.md')).not.toContain('turbo-web');
    expect(await affectedBy('turbo.json')).toContain('turbo-web');
    const folders = (await project('folders-web')).targets['docker-build']!;
    expect(folders).toMatchObject({
      options: { context: '.', prune: true, workspaceManifests: true },
      metadata: {
        context: { reason: expect.stringMatching(/^"COPY apps \.\/apps" .* is followed by "RUN if command -v turbo/) },
      },
    });
    // Another app's sources are no input of it (its manifest would be, as the tool reads it).
    expect(await affectedBy('apps/other/src/index.js')).not.toContain('folders-web');
    expect(await affectedBy('libs/util/index.js')).toContain('folders-web');

    expect((await project('edge')).targets['docker-build']).toMatchObject({
      dependsOn: [{ projects: ['site'], target: 'build' }],
      options: { context: '.', prune: true, contextOutputs: ['apps/site/dist'] },
    });

    expect((await project('node-srv')).targets['docker-build']).toMatchObject({
      dependsOn: ['build'],
      options: { context: '.', prune: true, contextOutputs: ['apps/node-srv/dist'] },
    });

    expect((await project('variant-web')).targets['docker-build']).toMatchObject({
      options: { dockerfile: 'apps/variant-web/Dockerfile.web', context: 'apps/variant-web' },
    });
    expect((await project('docked-api')).targets['docker-build']).toMatchObject({
      options: { dockerfile: 'apps/docked-api/docker/Dockerfile', context: '.', prune: true },
    });
    expect((await project('cli-img')).targets['docker-build']).toMatchObject({
      options: { dockerfile: 'apps/cli-img/docker/Dockerfile', context: 'apps/cli-img/docker' },
    });

    const gen = (await project('gen-web')).targets['docker-build']!;
    expect(gen).toMatchObject({ options: { context: '.', prune: false } });
    expect(gen.metadata!['description']).toMatch(
      /"COPY "\." "\/app\/"" \(apps\/gen-web\/Dockerfile:3\) is followed by "RUN if command -v turbo .*, a workspace tool/,
    );
    expect((await project('mount-api')).targets['docker-build']).toMatchObject({
      options: { context: '.', prune: true, contextInclude: ['libs/util/index.js'] },
    });
    const inside = (await project('inside-srv')).targets['docker-build']!;
    expect(inside).toMatchObject({ options: { context: '.', prune: true } });
    const insideOptions = (inside as { options?: Record<string, unknown> }).options ?? {};
    expect([inside.dependsOn, insideOptions['contextOutputs']]).toEqual([undefined, undefined]);
    // A root script run beside the root package.json it copies needs that manifest as it is, not the workspace.
    const scripted = (await project('script-api')).targets['docker-build']!;
    expect(scripted).toMatchObject({ options: { context: '.', prune: true, workspaceManifests: true } });
    expect(scripted.metadata!['description']).toMatch(
      /"RUN npm run build:script-api" \(apps\/script-api\/Dockerfile:5\) runs "build:script-api" beside the root package.json it copied/,
    );
    const laid = (await project('laid-api')).targets['docker-build']!;
    expect(laid).toMatchObject({ options: { context: '.', prune: false } });
    expect(laid.metadata!['description']).toMatch(
      /"COPY \.\/ \/workspace" \(apps\/laid-api\/Dockerfile:2\) is followed by "WORKDIR \/workspace\/apps\/laid-api" \(apps\/laid-api\/Dockerfile:3\): the project's own path inside the copy/,
    );
    // Its allow-list names what the engine sends: another project's change neither reaches its inputs nor affects it.
    expect(laid.inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/apps/laid-api/**',
        '{workspaceRoot}/libs/util/**',
        '{workspaceRoot}/package.json',
      ]),
    );
    expect(laid.inputs).not.toContain('{workspaceRoot}/**/*');
    expect(await affectedBy('apps/other/src/index.js')).not.toContain('laid-api');
    expect(await affectedBy('libs/util/index.js')).toContain('laid-api');

    const context = await ws.bin('nx-fleet', ['context', 'dist-api']);
    expect(context.code).toBe(0);
    expect(context.stderr).toMatch(
      /dist-api: pruned context, inferred: "COPY \.\/dist\/apps\/\$\{app\}\/package\*\.json \.\/"/,
    );
    expect(context.stderr).toMatch(/build outputs it copies .*: dist\/apps\/dist-api/);
  });

  it('a dry run says the content tag and the engine command, and builds, prunes and records nothing', async () => {
    const dry = await ws.nxOk([
      'run',
      'mount-api:docker-build',
      '--dry-run',
      '--skip-nx-cache',
      '--output-style=stream',
    ]);
    expect(dry.stdout).toMatch(
      /nx-fleet: mount-api: dry run: would build mount-api:ct-[0-9a-f]{32}, running: podman build .*-t mount-api:ct-[0-9a-f]{32} .*<pruned-context>; nothing is built or recorded/,
    );
    expect(existsSync(join(ws.root, 'dist/fleet/apps/mount-api/image.json'))).toBe(false);
  });

  it('builds every one with no setting; the build output is built first; another project leaves the tags alone', async () => {
    const first = await ws.nxOk(['run-many', '-t', 'docker-build', '-p', ...SERVICES, '--output-style=stream']);
    expect(first.stdout).toMatch(/nx run dist-api:build/);
    expect(first.stdout).toMatch(/nx run site:build/);
    const tags = Object.fromEntries(SERVICES.map((s) => [s, tag(`apps/${s}`)]));
    // An output that is a glob (the manifests copied first) is on the disk when it holds a file.
    const out = join(mkdtempSync(join(tmpdir(), 'nx-fleet-dist-api-')), 'context');
    try {
      const written = await ws.bin('nx-fleet', ['context', 'dist-api', '--out', out]);
      expect([written.code, written.stderr]).toEqual([0, expect.not.stringMatching(/not on the disk/)]);
      expect(existsSync(join(out, 'dist/apps/dist-api/package.json'))).toBe(true);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
    // The folder copied whole holds what its build wrote, as `docker build` would have sent it.
    const nodeSrv = ws.readJson<{ localRef: string }>('dist/fleet/apps/node-srv/image.json').localRef;
    expect((await runOk('podman', ['run', '--rm', nodeSrv])).stdout).toContain(`node-srv ${ws.id}`);
    const image = (root: string) => ws.readJson<{ localRef: string }>(`dist/fleet/${root}/image.json`).localRef;
    expect((await runOk('podman', ['run', '--rm', image('apps/variant-web')])).stdout).toContain(
      `variant-web ${ws.id}`,
    );
    expect((await runOk('podman', ['run', '--rm', image('apps/gen-web')])).stdout).toContain(`gen-web ${ws.id}`);
    expect((await runOk('podman', ['run', '--rm', image('apps/mount-api')])).stdout).toContain('mount-api 1');
    expect((await runOk('podman', ['run', '--rm', image('apps/laid-api')])).stdout).toContain('laid-api 1');
    expect((await runOk('podman', ['run', '--rm', image('apps/inside-srv')])).stdout).toContain(`inside-srv ${ws.id}`);
    expect((await runOk('podman', ['run', '--rm', image('apps/script-api')])).stdout).toContain(`script-api ${ws.id}`);
    expect((await runOk('podman', ['run', '--rm', image('apps/docked-api')])).stdout).toContain(`docked-api ${ws.id}`);
    expect((await runOk('podman', ['run', '--rm', image('apps/cli-img')])).stdout.trim()).toBe(`cli-img ${ws.id}`);
    expect((await runOk('podman', ['run', '--rm', image('apps/folders-web')])).stdout.trim()).toBe(
      `folders-web ${ws.id}`,
    );
    expect((await project('staged-api')).targets['docker-build']).toMatchObject({ options: { target: 'prod' } });
    expect((await runOk('podman', ['run', '--rm', image('apps/staged-api')])).stdout.trim()).toBe(
      `staged-api ${ws.id}`,
    );
    const rootName = ws.readJson<{ name: string }>('package.json').name;
    expect((await runOk('podman', ['run', '--rm', image('apps/loose-img')])).stdout.trim()).toBe(
      `${rootName} loose ${ws.id}`,
    );

    ws.write('apps/other/src/index.js', 'module.exports = 42;\n');
    ws.write('apps/other/README.md', 'notes\n');
    ws.write('apps/cli-img/src/index.js', 'module.exports = 43;\n');
    await ws.commit('unrelated change');
    await ws.nxOk(['run-many', '-t', 'docker-build', '-p', ...SERVICES, '--skip-nx-cache']);
    // The workspace context holds the whole repository: its image follows every change, as `docker build .` at the root would.
    for (const s of SERVICES.filter((s) => !WHOLE.includes(s))) expect(tag(`apps/${s}`)).toBe(tags[s]);
    for (const s of WHOLE) expect(tag(`apps/${s}`)).not.toBe(tags[s]);

    // The check can fail: the service's own change moves its tag, and only its tag.
    ws.write('apps/dist-api/src/main.js', `console.log('dist-api v2 ${ws.id}');\n`);
    await ws.commit('dist-api change');
    await ws.nxOk(['run-many', '-t', 'docker-build', '-p', ...SERVICES]);
    expect(tag('apps/dist-api')).not.toBe(tags['dist-api']);
    expect(tag('apps/folder-api')).toBe(tags['folder-api']);
    expect(tag('apps/turbo-web')).toBe(tags['turbo-web']);

    // A file a RUN bind-mounts: the new image holds it (buildah reuses such a RUN's layer whatever the file holds).
    ws.write('libs/util/index.js', 'module.exports = 2;\n');
    await ws.commit('util change');
    await ws.nxOk(['run', 'mount-api:docker-build']);
    expect(tag('apps/mount-api')).not.toBe(tags['mount-api']);
    expect((await runOk('podman', ['run', '--rm', image('apps/mount-api')])).stdout).toContain('mount-api 2');
  });

  it("a folder context that is a build's output (adopt's dist/apps/<app>) waits for that build, and its image follows the output", async () => {
    ws.write(
      'apps/out-web/project.json',
      JSON.stringify({
        name: 'out-web',
        targets: {
          build: {
            executor: 'nx:run-commands',
            options: { command: 'node apps/out-web/build.mjs', outputPath: 'dist/apps/out-web' },
            inputs: ['{projectRoot}/**/*'],
            outputs: ['{options.outputPath}'],
            cache: true,
          },
          'docker-build': { options: { context: 'dist/apps/out-web', prune: false } },
        },
      }),
    );
    ws.write('apps/out-web/src/main.js', "console.log('out-web 1');\n");
    ws.write(
      'apps/out-web/build.mjs',
      "import { mkdirSync, copyFileSync } from 'node:fs';\nmkdirSync('dist/apps/out-web', { recursive: true });\ncopyFileSync('apps/out-web/src/main.js', 'dist/apps/out-web/main.js');\n",
    );
    ws.write('apps/out-web/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "main.js"]\n');
    await ws.commit('a service built from its build output folder');
    const image = () => ws.readJson<{ localRef: string }>('dist/fleet/apps/out-web/image.json').localRef;
    expect((await ws.nxOk(['run', 'out-web:docker-build', '--output-style=stream'])).stdout).toMatch(
      /nx run out-web:build/,
    );
    expect((await runOk('podman', ['run', '--rm', image()])).stdout.trim()).toBe('out-web 1');
    // Nx hashes nothing of the git-ignored folder itself: the build's outputs are what moves the cache.
    ws.write('apps/out-web/src/main.js', "console.log('out-web 2');\n");
    await ws.commit('out-web change');
    await ws.nxOk(['run', 'out-web:docker-build']);
    expect((await runOk('podman', ['run', '--rm', image()])).stdout.trim()).toBe('out-web 2');
  });

  it("a cache hit restores the build's outputs first", async () => {
    ws.remove('dist');
    const again = await ws.nxOk(['run', 'dist-api:docker-build', '--output-style=stream']);
    expect(again.stdout).toMatch(
      /dist-api:build.*\[local cache\]|existing outputs match the cache|Nx read the output from the cache/s,
    );
    expect(existsSync(join(ws.root, 'dist/apps/dist-api/main.js'))).toBe(true);
    expect(existsSync(join(ws.root, 'dist/fleet/apps/dist-api/image.json'))).toBe(true);
  });

  it("what the ignore file leaves out keeps a workspace context's build cached; a nested project's change reaches its folder's image", async () => {
    const cached = /existing outputs match the cache|\[local cache\]|Nx read the output from the cache/;
    expect((await project('gen-web')).targets['docker-build']!.inputs).toContain('!{workspaceRoot}/docs/**');
    await ws.nxOk(['run', 'gen-web:docker-build']);
    const gen = tag('apps/gen-web');
    ws.write('docs/guide.md', `how we deploy, again ${Date.now()}\n`);
    await ws.commit('docs change');
    expect((await ws.nxOk(['run', 'gen-web:docker-build', '--output-style=stream'])).stdout).toMatch(cached);
    expect(tag('apps/gen-web')).toBe(gen);
    // The check can fail: a file the context sends misses the cache and moves the tag.
    ws.write('apps/other/notes.txt', `sent ${Date.now()}\n`);
    await ws.commit('a sent file');
    expect((await ws.nxOk(['run', 'gen-web:docker-build', '--output-style=stream'])).stdout).not.toMatch(cached);
    expect(tag('apps/gen-web')).not.toBe(gen);

    await ws.nxOk(['run', 'folder-api:docker-build']);
    const folder = tag('apps/folder-api');
    ws.write('apps/folder-api/plugins/audit/index.js', `module.exports = ${Date.now()};\n`);
    await ws.commit('the nested project changes');
    expect((await ws.nxOk(['run', 'folder-api:docker-build', '--output-style=stream'])).stdout).not.toMatch(cached);
    expect(tag('apps/folder-api')).not.toBe(folder);
  });

  it("a Dockerfile no project builds, which prunes the workspace to one app, is that app's image: it builds and runs", async () => {
    const web = (await project('pruned-web')).targets['docker-build']!;
    expect(web).toMatchObject({ options: { dockerfile: 'docker/Dockerfile', context: '.', prune: true } });
    await ws.nxOk(['run', 'pruned-web:docker-build']);
    const image = ws.readJson<{ localRef: string }>('dist/fleet/apps/pruned-web/image.json').localRef;
    expect((await runOk('podman', ['run', '--rm', image])).stdout).toContain(`pruned-web ${ws.id}`);
  });

  it("a Dockerfile no project builds, named after an app and building it by name, is that app's image: it builds and runs", async () => {
    const named = (await project('named-api')).targets['docker-build']!;
    expect(named).toMatchObject({ options: { dockerfile: 'deploy/named-api.Dockerfile', context: '.', prune: true } });
    await ws.nxOk(['run', 'named-api:docker-build']);
    const image = ws.readJson<{ localRef: string }>('dist/fleet/apps/named-api/image.json').localRef;
    expect((await runOk('podman', ['run', '--rm', image])).stdout).toContain(`named-api built ${ws.id}`);
  });

  it('a library the image builds itself is neither waited for nor carried: its failing host build never runs', async () => {
    const build = (await project('inimage-api')).targets['docker-build']!;
    expect(build).toMatchObject({ options: { context: '.', prune: true } });
    const options = (build as { options?: Record<string, unknown> }).options ?? {};
    expect([build.dependsOn, options['contextOutputs']]).toEqual([undefined, undefined]);
    const run = await ws.nxOk(['run', 'inimage-api:docker-build', '--output-style=stream']);
    expect(run.stdout).not.toMatch(/nx run shared:build/);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/inimage-api/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(`shared built in the image ${ws.id}`);
  });

  it('a library the image builds in the folder it copied it to is neither waited for nor carried', async () => {
    const build = (await project('workdir-api')).targets['docker-build']!;
    const options = (build as { options?: Record<string, unknown> }).options ?? {};
    expect([build.dependsOn, options['contextOutputs']]).toEqual([undefined, undefined]);
    const run = await ws.nxOk(['run', 'workdir-api:docker-build', '--output-style=stream']);
    expect(run.stdout).not.toMatch(/nx run shared:build/);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/workdir-api/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(`shared built in the image ${ws.id}`);
  });

  it("a library built first in the image, as a dependency of the package a RUN builds (turbo's ^build), is neither waited for nor carried", async () => {
    const build = (await project('deps-api')).targets['docker-build']!;
    expect(build).toMatchObject({ options: { context: '.', prune: true } });
    const options = (build as { options?: Record<string, unknown> }).options ?? {};
    expect([build.dependsOn, options['contextOutputs']]).toEqual([undefined, undefined]);
    const run = await ws.nxOk(['run', 'deps-api:docker-build', '--output-style=stream']);
    expect(run.stdout).not.toMatch(/nx run deplib:build/);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/deps-api/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(
      `deplib built first in the image ${ws.id}`,
    );
  });

  it('a build output taken from the disk that its build (a package.json script) does not declare is named when a cached docker-build runs', async () => {
    const build = (await project('script-pod')).targets['docker-build']!;
    expect(build).toMatchObject({
      cache: true,
      dependsOn: ['build'],
      options: { context: 'apps/script-pod', contextOutputs: ['apps/script-pod/dist'] },
    });
    const run = await ws.nxOk(['run', 'script-pod:docker-build', '--output-style=stream']);
    expect(run.stdout + run.stderr).toMatch(
      /script-pod: its build context takes apps\/script-pod\/dist from the disk, but no build it depends on \(script-pod:build\) declares it as an output/,
    );
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/script-pod/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(`script-pod ${ws.id}`);
  });

  it('named build contexts: the library is built first, both are sent, and a change in either folder rebuilds', async () => {
    const build = (await project('bake-web')).targets['docker-build']!;
    expect(build).toMatchObject({
      cache: true,
      dependsOn: [{ projects: ['router-pkg'], target: 'build' }],
      options: { buildContexts: { router_pkg: 'packages/router/dist', assets: 'libs/web-assets' } },
    });
    expect(build.inputs).toContain('{workspaceRoot}/libs/web-assets/**/*');
    const context = await ws.bin('nx-fleet', ['context', 'bake-web']);
    expect(context.stderr).toContain(
      'named build contexts, sent beside it: router_pkg=packages/router/dist, assets=libs/web-assets',
    );
    const run = async () => {
      const built = await ws.nxOk(['run', 'bake-web:docker-build', '--output-style=stream']);
      // The placeholder is filled: no warning says its image gets nothing there.
      expect(built.stdout + built.stderr).not.toMatch(/placeholders a named build context fills/);
      const { localRef, contentTag } = ws.readJson<{ localRef: string; contentTag: string }>(
        'dist/fleet/apps/bake-web/image.json',
      );
      return {
        built: built.stdout,
        contentTag,
        says: (await runOk('podman', ['run', '--rm', localRef])).stdout.trim(),
      };
    };
    const first = await run();
    expect(first.built).toMatch(/nx run router-pkg:build/);
    expect(first.says).toBe(`router ${ws.id}\nbanner v1`);
    ws.write('libs/web-assets/banner.txt', 'banner v2\n');
    await ws.commit('a new banner');
    const second = await run();
    expect(second).toMatchObject({
      contentTag: expect.not.stringMatching(first.contentTag),
      says: `router ${ws.id}\nbanner v2`,
    });
    // The library's source changes its build output: the build runs again, and so does the image's.
    ws.write('packages/router/build.mjs', ws.read('packages/router/build.mjs').replace('router ', 'router v2 '));
    await ws.commit('a new router');
    expect((await run()).says).toBe(`router v2 ${ws.id}\nbanner v2`);
  });

  it('a source a build argument without a default empties fails before the engine, naming the argument, as two platforms with podman do; passed, it builds', async () => {
    const failed = await ws.nx(['run', 'argy-api:docker-build', '--output-style=stream']);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(
      /apps\/argy-api\/Dockerfile:3 COPY \$\{SERVICE\}\.js \/app\/main\.js: the build argument SERVICE has no default and docker-build passes none, so the build reads "\.js", which is not in the build context\. Set "SERVICE" in docker-build's "buildArgs"/,
    );
    // Refused before the engine ran: no step's output, no record.
    expect(failed.stdout + failed.stderr).not.toMatch(/STEP 1\/|COMMIT|Successfully tagged/);
    expect(existsSync(join(ws.root, 'dist/fleet/apps/argy-api/image.json'))).toBe(false);
    // Two platforms with podman, which would tag one architecture: refused before the engine too.
    const platforms = await ws.nx([
      'run',
      'argy-api:docker-build',
      '--buildArgs.SERVICE=argy-api',
      '--platforms=linux/amd64,linux/arm64',
      '--output-style=stream',
    ]);
    expect(platforms.code).not.toBe(0);
    expect(platforms.stdout + platforms.stderr).toMatch(
      /docker-build's "platforms" names 2 platforms \(linux\/amd64, linux\/arm64\), and podman builds them as separate images/,
    );
    expect(platforms.stdout + platforms.stderr).not.toMatch(/STEP 1\/|COMMIT|Successfully tagged/);
    expect(existsSync(join(ws.root, 'dist/fleet/apps/argy-api/image.json'))).toBe(false);
    await ws.nxOk(['run', 'argy-api:docker-build', '--buildArgs.SERVICE=argy-api', '--output-style=stream']);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/argy-api/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(`argy-api ${ws.id}`);
  });

  it('a Dockerfile kept in another folder, its sources beside it, builds from that folder; what its ignore file leaves out keeps the build cached', async () => {
    const cached = /existing outputs match the cache|\[local cache\]|Nx read the output from the cache/;
    ws.write('pyapi/app.js', `console.log('pyapi ${ws.id}');\n`);
    ws.write('pyapi/README.md', 'docs\n');
    ws.write('pyapi/.dockerignore', '*.md\n');
    ws.write('pyapi/Dockerfile', 'FROM node:20\nCOPY app.js /app/app.js\nCMD ["node", "/app/app.js"]\n');
    ws.write(
      'deploy/pyapi/project.json',
      JSON.stringify({ name: 'pyapi', metadata: { fleet: { dockerfile: 'pyapi/Dockerfile' } } }),
    );
    await ws.commit('a service built from the folder of its Dockerfile');
    expect((await ws.showProject('pyapi')).targets['docker-build']).toMatchObject({
      options: { context: 'pyapi', prune: false },
      metadata: { context: { mode: 'folder', origin: 'inferred' } },
    });
    await ws.nxOk(['run', 'pyapi:docker-build', '--output-style=stream']);
    const record = () => ws.readJson<{ localRef: string; contentTag: string }>('dist/fleet/deploy/pyapi/image.json');
    const first = record();
    expect((await runOk('podman', ['run', '--rm', first.localRef])).stdout.trim()).toBe(`pyapi ${ws.id}`);
    ws.write('pyapi/README.md', 'more docs\n');
    await ws.commit('docs beside the Dockerfile');
    expect((await ws.nxOk(['run', 'pyapi:docker-build', '--output-style=stream'])).stdout).toMatch(cached);
    // The check can fail: a file the folder sends misses the cache and moves the tag.
    ws.write('pyapi/app.js', `console.log('pyapi v2 ${ws.id}');\n`);
    await ws.commit('the app beside the Dockerfile');
    expect((await ws.nxOk(['run', 'pyapi:docker-build', '--output-style=stream'])).stdout).not.toMatch(cached);
    expect(record().contentTag).not.toBe(first.contentTag);
  });

  it("a package manager root of its own above the project is the context (plasmic's platform/): it builds from there, and the workspace's own files leave its tag alone", async () => {
    ws.write('platform/package.json', JSON.stringify({ name: 'platform', private: true, workspaces: ['nested-api'] }));
    ws.write('platform/package-lock.json', JSON.stringify({ name: 'platform', lockfileVersion: 3, packages: {} }));
    ws.write('platform/patches/readme.patch', 'a patch the image carries\n');
    ws.write('platform/.dockerignore', '**/node_modules\n');
    ws.write('platform/nested-api/project.json', JSON.stringify({ name: 'nested-api' }));
    ws.write(
      'platform/nested-api/main.js',
      `console.log('nested-api ${ws.id}', require('fs').existsSync('/platform/patches/readme.patch'));\n`,
    );
    ws.write(
      'platform/nested-api/Dockerfile',
      'FROM node:20\nWORKDIR /platform\nCOPY package.json package-lock.json ./\nCOPY patches/ ./patches/\nCOPY . .\nWORKDIR /platform/nested-api\nCMD ["node", "main.js"]\n',
    );
    await ws.commit('a service in a package manager root of its own');
    const build = (await ws.showProject('nested-api')).targets['docker-build']!;
    expect(build).toMatchObject({
      options: { context: 'platform', prune: false },
      cache: true,
      metadata: { context: { mode: 'folder', origin: 'inferred' } },
    });
    expect(build.metadata!['description']).toMatch(/platform is a package manager root of its own/);
    await ws.nxOk(['run', 'nested-api:docker-build', '--output-style=stream']);
    const record = () =>
      ws.readJson<{ localRef: string; contentTag: string }>('dist/fleet/platform/nested-api/image.json');
    const first = record();
    expect((await runOk('podman', ['run', '--rm', first.localRef])).stdout.trim()).toBe(`nested-api ${ws.id} true`);
    ws.write('CHANGELOG.md', `# changes ${ws.id}\n`);
    await ws.commit('a workspace file outside platform/');
    await ws.nxOk(['run', 'nested-api:docker-build', '--output-style=stream', '--skip-nx-cache']);
    expect(record().contentTag).toBe(first.contentTag);
  });

  it('a git-ignored file the Dockerfile copies is not hashed by Nx: docker-build is not cached, and its image follows the file', async () => {
    const pod = (await project('bundle-pod')).targets['docker-build']!;
    expect(pod).toMatchObject({ cache: false, options: { context: 'apps/bundle-pod' } });
    expect(pod.metadata!['description']).toMatch(/not cached by Nx: it copies apps\/bundle-pod\/bundle\/bundle\.js/);
    const run = async () => {
      const built = await ws.nxOk(['run', 'bundle-pod:docker-build', '--output-style=stream']);
      // Not cached by Nx: the file Nx does not hash cannot make a cache hit wrong, so no warning says it could.
      expect(built.stdout + built.stderr).not.toMatch(
        /which match(?:es)? ignore rules Nx follows \(\.gitignore, \.ignore, \.nxignore\), so Nx does not hash (?:it|them)/,
      );
      const { localRef, contentTag } = ws.readJson<{ localRef: string; contentTag: string }>(
        'dist/fleet/apps/bundle-pod/image.json',
      );
      return { contentTag, says: (await runOk('podman', ['run', '--rm', localRef])).stdout.trim() };
    };
    const first = await run();
    expect(first.says).toBe('bundle v1');
    // nx-fleet context says what a build says (Kong/insomnia's inso, copying the tarball its script writes).
    expect((await ws.bin('nx-fleet', ['context', 'bundle-pod'])).stderr).not.toMatch(/so Nx does not hash (?:it|them)/);
    // Rewritten by the package script, nothing committed: Nx's hash of the project is the same.
    ws.write('apps/bundle-pod/bundle/bundle.js', "console.log('bundle v2');\n");
    const second = await run();
    expect(second).toEqual({ contentTag: expect.not.stringMatching(first.contentTag), says: 'bundle v2' });
  });

  it("a git-ignored binary per platform the Dockerfile copies through TARGETARCH (sealos's controllers) is not hashed by Nx: docker-build is not cached, and its image follows the file", async () => {
    const pod = (await project('arch-pod')).targets['docker-build']!;
    expect(pod).toMatchObject({ cache: false, options: { context: 'apps/arch-pod' } });
    expect(pod.metadata!['description']).toMatch(/not cached by Nx: it copies apps\/arch-pod\/bin\/app-\*\.js/);
    expect((await project('pins')).targets['docker-build']).toBeUndefined();
    const run = async () => {
      await ws.nxOk(['run', 'arch-pod:docker-build', '--output-style=stream']);
      const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/arch-pod/image.json');
      return (await runOk('podman', ['run', '--rm', localRef])).stdout.trim();
    };
    expect(await run()).toBe('arch v1');
    for (const arch of ['amd64', 'arm64']) ws.write(`apps/arch-pod/bin/app-${arch}.js`, "console.log('arch v2');\n");
    expect(await run()).toBe('arch v2');
  });

  it("a COPY source the root .gitignore leaves out, outside the project (code-server's release-packages), gets the workspace context, not cached: the image follows the file", async () => {
    const img = (await project('pkg-img')).targets['docker-build']!;
    expect(img).toMatchObject({ cache: false, options: { context: '.' } });
    expect(img.metadata!['context']).toMatchObject({ mode: 'workspace' });
    expect(img.metadata!['description']).toMatch(/not cached by Nx: it copies release-packages\/pkg-\*\.js/);
    const run = async () => {
      await ws.nxOk(['run', 'pkg-img:docker-build', '--output-style=stream']);
      const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/ci/pkg-img/image.json');
      return (await runOk('podman', ['run', '--rm', localRef])).stdout.trim();
    };
    expect(await run()).toBe('package v1');
    ws.write('release-packages/pkg-app.js', "console.log('package v2');\n");
    expect(await run()).toBe('package v2');
  });

  it('a Dockerfile written for the folder above the workspace fails before the engine, naming the fix; with it, the image builds', async () => {
    // unkey's portal: Nx lives in web/, the Dockerfile copies web/… from the repository root.
    const folder = basename(ws.root);
    ws.write('apps/above-api/project.json', JSON.stringify({ name: 'above-api' }));
    ws.write('apps/above-api/main.js', `console.log('above ${ws.id}');\n`);
    ws.write(
      'apps/above-api/Dockerfile',
      `FROM node:20\nCOPY ${folder}/apps/above-api/main.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
    );
    ws.write(
      'apps/above-api/Dockerfile.dockerignore',
      ['node_modules', '.nx', '.git', 'dist'].map((path) => `${folder}/${path}`).join('\n'),
    );
    await ws.commit('a Dockerfile written for the folder above');
    const build = (await ws.showProject('above-api')).targets['docker-build']!;
    expect(build).toMatchObject({ cache: false, options: { context: 'apps/above-api' } });
    expect(build.metadata!['description']).toMatch(
      new RegExp(
        `start with ${folder}/, the Nx workspace's own folder: it is written for the folder above the workspace`,
      ),
    );
    const failed = await ws.nx(['run', 'above-api:docker-build', '--output-style=stream']);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(
      new RegExp(
        `"${folder}/apps/above-api/main\\.js" is not in the build context of above-api: it starts with ${folder}/.*"context": "\\.\\."`,
        's',
      ),
    );
    ws.write(
      'apps/above-api/project.json',
      JSON.stringify({
        name: 'above-api',
        targets: { 'docker-build': { options: { context: '..', prune: false }, cache: false } },
      }),
    );
    await ws.nxOk(['run', 'above-api:docker-build', '--output-style=stream']);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/apps/above-api/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout.trim()).toBe(`above ${ws.id}`);
  });
});

/**
 * A Dockerfile at the repository root makes the root a service: its context is the repository as it
 * is, its own package.json (with `workspaces`) and packages included, as `docker build .` sends it.
 */
describe('a service at the workspace root (real nx CLI, real engine)', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = TestWorkspace.create('root-service');
    const manifest = ws.readJson<Record<string, unknown>>('package.json');
    ws.write('package.json', JSON.stringify({ ...manifest, name: 'root-app', workspaces: ['packages/*'] }, null, 2));
    ws.write(
      'packages/greeting/package.json',
      JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }),
    );
    ws.write('packages/greeting/index.js', `module.exports = 'hello ${ws.id}';\n`);
    // As umami's: the records folder (dist/fleet) is not left out.
    ws.write('.dockerignore', '.git\nnode_modules\n.nx\n');
    ws.write(
      'Dockerfile',
      [
        'FROM node:20',
        'WORKDIR /repo',
        'COPY . .',
        'CMD ["node", "-e", "console.log(require(\'/repo/package.json\').workspaces.join(), require(\'/repo/packages/greeting\'))"]',
        '',
      ].join('\n'),
    );
    await ws.commit('a service at the root');
  });
  afterAll(() => ws?.dispose());

  it('builds from the workspace as it is, its own manifests included', async () => {
    const build = (await ws.showProject('root-app')).targets['docker-build']!;
    expect(build).toMatchObject({ options: { dockerfile: 'Dockerfile', context: '.', prune: false } });
    expect(build.metadata!['description']).toMatch(/the service is the workspace root: the repository as it is/);
    await ws.nxOk(['run', 'root-app:docker-build', '--output-style=stream']);
    const { localRef } = ws.readJson<{ localRef: string }>('dist/fleet/image.json');
    expect((await runOk('podman', ['run', '--rm', localRef])).stdout).toContain(`packages/* hello ${ws.id}`);
  });

  it('its records are in the run summary; the records folder in its context is named, and once left out the tag stays put', async () => {
    const summary = () =>
      ws.readJson<{ tasks: Array<{ project: string; image?: string }> }>('dist/fleet/last-run.json').tasks;
    const first = ws.readJson<{ image: string; contentTag: string }>('dist/fleet/image.json');
    expect(summary()).toEqual([
      expect.objectContaining({ project: 'root-app', image: `${first.image}:${first.contentTag}` }),
    ]);
    // The context now holds the records the first build wrote: the tag changes, and the warning says why.
    const again = await ws.nxOk(['run', 'root-app:docker-build', '--skip-nx-cache', '--output-style=stream']);
    expect(again.stdout + again.stderr).toMatch(
      /root-app: its build context \. holds dist\/fleet, which Nx, git and nx-fleet rewrite as they run, and \.dockerignore does not leave it out.*Add `dist\/fleet` to \.dockerignore/s,
    );
    expect(ws.readJson<{ contentTag: string }>('dist/fleet/image.json').contentTag).not.toBe(first.contentTag);
    ws.write('.dockerignore', '.git\nnode_modules\n.nx\ndist/fleet\n');
    const fixed = await ws.nxOk(['run', 'root-app:docker-build', '--skip-nx-cache', '--output-style=stream']);
    expect(fixed.stdout + fixed.stderr).not.toMatch(/holds dist\/fleet/);
    // The .dockerignore itself is in the context: the tag differs from the first, and stays put from now on.
    const settled = ws.readJson<{ contentTag: string }>('dist/fleet/image.json').contentTag;
    await ws.nxOk(['run', 'root-app:docker-build', '--skip-nx-cache', '--output-style=stream']);
    expect(ws.readJson<{ contentTag: string; built: boolean }>('dist/fleet/image.json')).toMatchObject({
      contentTag: settled,
      built: false,
    });
  });
  it('names the files git ignores that its context sends; restored for other contents, docker-push refuses naming them and pushes nothing', async () => {
    const registry = await startRegistry();
    try {
      ws.write('.dockerignore', '.git\nnode_modules\n.nx\ndist/fleet\n');
      const gitignore = ws.read('.gitignore');
      if (!/^\/?coverage$/m.test(gitignore)) ws.write('.gitignore', `${gitignore}\ncoverage\n`);
      await ws.commit('coverage is git-ignored');
      ws.write('coverage/lcov.info', 'TN:first\n');
      // Not skipping the cache: Nx keeps this record for the next run (.gitignore changed, so it runs).
      const built = await ws.nxOk(['run', 'root-app:docker-build', '--output-style=stream']);
      expect(built.stdout + built.stderr).toMatch(
        /root-app: its build context \. sends 1 file \(coverage\/lcov\.info\), which matches ignore rules Nx follows \(\.gitignore, \.ignore, \.nxignore\), so Nx does not hash it.*Add it to \.dockerignore/s,
      );
      expect((await ws.bin('nx-fleet', ['context', 'root-app'])).stderr).toMatch(
        /root-app: its build context \. sends 1 file \(coverage\/lcov\.info\).*so Nx does not hash it/s,
      );
      // Nx's hash is the same: its cache gives the record of the first contents back.
      ws.write('coverage/lcov.info', 'TN:second\n');
      const env = { FLEET_REGISTRY: registry.host };
      const push = await ws.nx(['run', 'root-app:docker-push', '--output-style=stream'], { env });
      const out = push.stdout + push.stderr;
      expect(push.code).not.toBe(0);
      expect(out).toMatch(/root-app:docker-build.*(local cache|existing outputs match the cache)/s);
      expect(out).toMatch(
        /dist\/fleet\/image\.json is not trusted: it records content tag ct-\w+, but the current sources give ct-\w+ \(the build context sends 1 file \(coverage\/lcov\.info\), which matches ignore rules Nx follows \(\.gitignore, \.ignore, \.nxignore\), so Nx does not hash it/,
      );
      const { image } = ws.readJson<{ image: string }>('dist/fleet/image.json');
      expect(await registry.tags(image)).toEqual([]);
      // Left out as the warning says: the image no longer follows them, and it is pushed.
      ws.write('.dockerignore', '.git\nnode_modules\n.nx\ndist/fleet\ncoverage\n');
      await ws.nxOk(['run', 'root-app:docker-push', '--output-style=stream'], { env });
      const { contentTag } = ws.readJson<{ contentTag: string }>('dist/fleet/image.json');
      expect(await registry.tags(image)).toContain(contentTag);
    } finally {
      await registry.stop();
    }
  });
});
