import { describe, expect, it } from 'vitest';
import { isUnreadBuildFile, readBuildFiles, unreadBuildsOf } from './unread-builds';

describe('isUnreadBuildFile', () => {
  it.each([
    ['docker-compose.yml', true],
    ['infra/compose.prod.yaml', true],
    ['.github/workflows/cd.yml', true],
    ['Tiltfile', true],
    ['apps/web/fly.toml', true],
    // Railway's "Config File Path" takes any name (omega's railway-web.toml).
    ['railway-web.toml', true],
    ['railway.api.json', true],
    ['render.yaml', true],
    ['cloudbuild.yaml', true],
    // Run with `--config` from a folder of their own (gogocash-monorepo's cloudbuild/build-staging.yaml).
    ['cloudbuild/build-staging.yaml', true],
    ['devspace.yaml', true],
    ['Earthfile', true],
    ['heroku.yml', true],
    ['.do/app.yaml', true],
    ['deploy/app.yaml', false],
    ['docker-bake.hcl', true],
    // Bake files run with `-f` under other names (jetdisc's infra/docker/image-bake.hcl).
    ['infra/docker/image-bake.hcl', true],
    ['docker/bake.json', true],
    ['azure-pipelines.yml', true],
    ['bitbucket-pipelines.yml', true],
    ['Jenkinsfile', true],
    ['scripts/build-and-push-images.sh', true],
    ['Makefile', true],
    ['deploy/images.mk', true],
    ['justfile', true],
    ['apps/web/package.json', false],
    ['docs/workflows/cd.yml', false],
  ])('%s: %s', (file, expected) => {
    expect(isUnreadBuildFile(file)).toBe(expected);
  });
});

describe('unreadBuildsOf', () => {
  const of = (text: string, dockerfile = 'apps/admin/Dockerfile', root = 'apps/admin', file = 'docker-compose.yml') =>
    unreadBuildsOf(readBuildFiles([{ file, text }]), dockerfile, root);

  it('takes a file naming the Dockerfile as a path, or the project folder as the context of its own Dockerfile', () => {
    expect(of('with:\n  file: apps/admin/Dockerfile\n')).toEqual(['docker-compose.yml']);
    expect(of('build:\n  context: ./apps/admin\n  dockerfile: Dockerfile\n')).toEqual(['docker-compose.yml']);
    expect(of('', 'apps/web/Dockerfile', 'apps/web', 'apps/web/fly.toml')).toEqual(['apps/web/fly.toml']);
  });

  it("takes a step entering the folder before its docker build, and a compose file in the folder building it (director-run's apps/docker)", () => {
    const release = 'steps:\n  - run: |\n      cd apps/admin\n      docker build -t acme/admin:$VERSION .\n';
    expect(of(release, undefined, undefined, '.github/workflows/release.yml')).toEqual([
      '.github/workflows/release.yml',
    ]);
    const step = '  - working-directory: apps/admin\n    run: docker buildx build -t acme/admin .\n';
    expect(of(step, undefined, undefined, '.github/workflows/ci.yml')).toEqual(['.github/workflows/ci.yml']);
    expect(of('services:\n  app:\n    build: .\n', undefined, undefined, 'apps/admin/docker-compose.yml')).toEqual([
      'apps/admin/docker-compose.yml',
    ]);
    // The check can fail: another folder entered, a compose file elsewhere building its own folder, a step that builds nothing.
    expect(
      of(release.replace('apps/admin', 'apps/admin-web'), undefined, undefined, '.github/workflows/release.yml'),
    ).toEqual([]);
    expect(of('services:\n  app:\n    build: .\n', undefined, undefined, 'docker-compose.yml')).toEqual([]);
    expect(of('run: cd apps/admin && npm test\n', undefined, undefined, '.github/workflows/ci.yml')).toEqual([]);
    const elsewhere = 'run: |\n  cd apps/admin\n  npm ci\n  cd ../web\n  docker build -t acme/web .\n';
    expect(of(elsewhere, undefined, undefined, '.github/workflows/ci.yml')).toEqual([]);
  });

  it("takes a Fly config beside a Dockerfile it builds by default, naming no other (cyborg-academy's fly.ui.toml)", () => {
    const fly = '[build]\n  build-target = "ui"\n[build.args]\n  VITE_API_URL = "https://x"\n';
    expect(of(fly, 'Dockerfile', 'ui', 'fly.ui.toml')).toEqual(['fly.ui.toml']);
    // The check can fail: a config naming another Dockerfile, or the Dockerfile in another folder.
    expect(of(`[build]\n  dockerfile = "api.Dockerfile"\n`, 'Dockerfile', 'ui', 'fly.ui.toml')).toEqual([]);
    expect(of(fly, 'ui/Dockerfile', 'ui', 'fly.ui.toml')).toEqual([]);
    // Another stage than the service's is another image.
    expect(unreadBuildsOf(readBuildFiles([{ file: 'fly.ui.toml', text: fly }]), 'Dockerfile', 'ui', 'ui')).toEqual([
      'fly.ui.toml',
    ]);
    expect(unreadBuildsOf(readBuildFiles([{ file: 'fly.ui.toml', text: fly }]), 'Dockerfile', 'api', 'api')).toEqual(
      [],
    );
  });

  it('takes a platform config in the project folder unless it deploys an image, another builder, or another Dockerfile', () => {
    const at = (text: string, file = 'apps/admin/fly.toml') => of(text, undefined, undefined, file);
    expect(at('app = "admin"\n')).toEqual(['apps/admin/fly.toml']);
    expect(at('[build]\n  dockerfile = "Dockerfile"\n')).toEqual(['apps/admin/fly.toml']);
    expect(at('[build]\n  dockerfile = "Dockerfile.dev"\n')).toEqual([]);
    expect(at('[build]\n  image = "registry.fly.io/admin:latest"\n')).toEqual([]);
    expect(
      at('[build]\n  builder = "paketobuildpacks/builder:base"\n  buildpacks = ["gcr.io/paketo-buildpacks/nodejs"]\n'),
    ).toEqual([]);
    expect(at('[build]\nbuilder = "NIXPACKS"\n', 'apps/admin/railway.toml')).toEqual([]);
    expect(at('[build]\nbuilder = "DOCKERFILE"\n', 'apps/admin/railway.toml')).toEqual(['apps/admin/railway.toml']);
    // Railway's path from the repository root, under a custom name (omega's railway-web.toml).
    expect(at('[build]\ndockerfilePath = "apps/admin/Dockerfile"\n', 'railway-web.toml')).toEqual(['railway-web.toml']);
  });

  it("takes a script or Makefile that runs an engine's build of the Dockerfile, not one that only names it (personal-kanban's images script)", () => {
    const script = 'docker buildx build --platform linux/amd64 -f apps/admin/Dockerfile -t $REGISTRY/admin --push .\n';
    expect(of(script, undefined, undefined, 'scripts/build-and-push-images.sh')).toEqual([
      'scripts/build-and-push-images.sh',
    ]);
    expect(of(`images:\n\t${script}`, undefined, undefined, 'Makefile')).toEqual(['Makefile']);
    expect(of('hadolint apps/admin/Dockerfile\n', undefined, undefined, 'scripts/lint.sh')).toEqual([]);
    // Its comments and messages build nothing, nor a build of another file beside a line naming this one.
    expect(of('# docker build -f apps/admin/Dockerfile .\n', undefined, undefined, 'scripts/doc.sh')).toEqual([]);
    expect(of('echo "run: docker build -f apps/admin/Dockerfile ."\n', undefined, undefined, 'scripts/doc.sh')).toEqual(
      [],
    );
    const other = 'build:\n\tdocker build -f apps/admin/Dockerfile.dev .\n\t@echo built apps/admin/Dockerfile\n';
    expect(of(other, undefined, undefined, 'Makefile')).toEqual([]);
    // The Dockerfile in a variable or a function's argument (gatrix's, personal-kanban's), and a message before the build.
    const variable = 'DOCKERFILE=apps/admin/Dockerfile\ndocker build -f "$DOCKERFILE" -t admin .\n';
    expect(of(variable, undefined, undefined, 'scripts/build.sh')).toEqual(['scripts/build.sh']);
    const echoed = 'echo "Building admin" && docker build -f apps/admin/Dockerfile -t admin .\n';
    expect(of(echoed, undefined, undefined, 'scripts/build.sh')).toEqual(['scripts/build.sh']);
    // A build continued over lines is one command.
    expect(of('docker build \\\n  -f apps/admin/Dockerfile .\n', undefined, undefined, 'deploy.sh')).toEqual([
      'deploy.sh',
    ]);
  });

  it('takes a Bake target whose context is the project folder, or whose dockerfile, read from its context, is the Dockerfile', () => {
    const hcl =
      'target "a" {\n  context    = "apps/admin"\n  dockerfile = "Dockerfile"\n  tags       = ["ghcr.io/acme/admin:latest"]\n}\n';
    expect(of(hcl, undefined, undefined, 'docker-bake.hcl')).toEqual(['docker-bake.hcl']);
    const json = '{"target": {"a": {"context": "apps/admin", "dockerfile": "Dockerfile"}}}';
    expect(of(json, undefined, undefined, 'docker-bake.json')).toEqual(['docker-bake.json']);
    const pretty =
      '{\n  "target": {\n    "a": {\n      "context": "apps",\n      "dockerfile": "admin/Dockerfile"\n    }\n  }\n}\n';
    expect(of(pretty, undefined, undefined, 'docker-bake.json')).toEqual(['docker-bake.json']);
    // The check can fail: another folder's target.
    expect(of(hcl.replace('apps/admin', 'apps/web'), undefined, undefined, 'infra/image-bake.hcl')).toEqual([]);
  });

  it('takes a compose build whose dockerfile, read from its context, is the Dockerfile, and an azure.yaml service of the folder', () => {
    const compose = 'services:\n  api:\n    build:\n      context: ./backend\n      dockerfile: api/Dockerfile\n';
    expect(of(compose, 'backend/api/Dockerfile', 'backend/api')).toEqual(['docker-compose.yml']);
    // Read from the compose file's own folder, the other way round too (`dockerfile:` first, `context: ..`).
    const inFolder = 'services:\n  api:\n    build:\n      dockerfile: api/Dockerfile\n      context: ..\n';
    expect(of(inFolder, 'backend/api/Dockerfile', 'backend/api', 'backend/deploy/compose.yaml')).toEqual([
      'backend/deploy/compose.yaml',
    ]);
    const azure =
      'services:\n  search:\n    project: ./packages/search\n    host: containerapp\n    docker:\n      context: ../..\n';
    expect(of(azure, 'packages/search/Dockerfile', 'packages/search', 'azure.yaml')).toEqual(['azure.yaml']);
    expect(isUnreadBuildFile('azure.yaml')).toBe(true);
    // The check can fail: another Dockerfile from that context, another project.
    expect(of(compose.replace('api/Dockerfile', 'worker/Dockerfile'), 'backend/api/Dockerfile', 'backend/api')).toEqual(
      [],
    );
    expect(of(azure, 'packages/web/Dockerfile', 'packages/web', 'azure.yaml')).toEqual([]);
  });

  it("leaves a trigger's path filter, a longer path and another project's folder (athlonix, nx-mf-react)", () => {
    expect(of("on: {push: {paths-ignore: ['apps/admin/**']}}\nsteps: [{ file: apps/api/Dockerfile }]\n")).toEqual([]);
    expect(of('file: apps/admin/Dockerfile.dev\n')).toEqual([]);
    expect(of('context: ./apps/admin-web\n')).toEqual([]);
    // A Dockerfile kept elsewhere is not the folder's own: the folder as a context names it not.
    expect(of('context: ./apps/admin\n', 'docker/Dockerfile')).toEqual([]);
  });

  it('reads the Dockerfiles Cloud Build configs and Earthfiles build without naming their paths', () => {
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    const cloudBuild = (args: string, extra = '') =>
      `steps:\n  - name: gcr.io/cloud-builders/docker\n${extra}    args: [${args}]\n`;
    // tcg-nexus' apps/api/cloudbuild.yaml builds its own folder; from the root it would build another file.
    expect(
      of(cloudBuild("'build', '-t', 'gcr.io/p/api:$COMMIT_SHA', '.'"), ...api, 'apps/api/cloudbuild.yaml'),
    ).toEqual(['apps/api/cloudbuild.yaml']);
    expect(of(cloudBuild("'build', '-t', 'gcr.io/p/api', '.'"), ...api, 'cloudbuild.yaml')).toEqual([]);
    expect(
      of(cloudBuild("'build', '-t', 'gcr.io/p/api', '.'", '    dir: apps/api\n'), ...api, 'cloudbuild.yaml'),
    ).toEqual(['cloudbuild.yaml']);
    expect(
      of(
        cloudBuild("'buildx', 'build', '--file=Dockerfile', '.'", '    dir: apps/api\n'),
        ...api,
        'cloudbuild/ci.yaml',
      ),
    ).toEqual(['cloudbuild/ci.yaml']);
    // `-f` is read from the step's `dir`, as the engine reads it from where it runs.
    expect(
      of(cloudBuild("'build', '-f', 'Dockerfile.prod', '.'", '    dir: apps/api\n'), ...api, 'cloudbuild.yaml'),
    ).toEqual([]);
    expect(of(cloudBuild("'build', '-t', 'gcr.io/p/api', 'apps/api'"), ...api, 'cloudbuild/ci.yaml')).toEqual([
      'cloudbuild/ci.yaml',
    ]);
    // Not docker's step, or not a build: no image of this file.
    expect(
      of(
        cloudBuild("'build', '.'").replace('cloud-builders/docker', 'cloud-builders/npm'),
        ...api,
        'apps/api/cloudbuild.yaml',
      ),
    ).toEqual([]);
    expect(of(cloudBuild("'push', 'gcr.io/p/api'"), ...api, 'apps/api/cloudbuild.yaml')).toEqual([]);
    expect(of('steps: [', ...api, 'apps/api/cloudbuild.yaml')).toEqual([]);
    // cardano-ibc-incubator's `FROM DOCKERFILE dapps/ibc-explorer`, and one naming another file.
    expect(
      of('VERSION 0.8\nexplorer:\n    FROM DOCKERFILE apps/api\n    SAVE IMAGE explorer\n', ...api, 'Earthfile'),
    ).toEqual(['Earthfile']);
    expect(of('web:\n  FROM DOCKERFILE -f apps/api/Dockerfile.dev apps/api\n', ...api, 'Earthfile')).toEqual([]);
    expect(of('web:\n  FROM DOCKERFILE --build-arg X=1 ./api\n', ...api, 'apps/Earthfile')).toEqual(['apps/Earthfile']);
  });

  it("reads a workflow's `${{ matrix.<key> }}` as each value of its job's matrix (pullsar's podman build, Penge's build-push-action)", () => {
    const api = ['apps/api/Containerfile', 'apps/api'] as const;
    const workflow = (matrix: string, step: string, job = 'build') =>
      `on: push\njobs:\n  ${job}:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n${matrix}    steps:\n      - uses: actions/checkout@v4\n${step}`;
    const podman =
      '      - run: podman build -f ./apps/${{ matrix.service }}/Containerfile -t quay.io/acme/all:${{ matrix.service }} .\n';
    const file = '.github/workflows/ci-cd.yaml';
    expect(of(workflow('        service: [worker, api, web]\n', podman), ...api, file)).toEqual([file]);
    // A block sequence, and build-push-action's `file:`.
    const action =
      '      - uses: docker/build-push-action@v6\n        with:\n          file: apps/${{ matrix.app }}/Containerfile\n          push: true\n';
    expect(of(workflow('        app:\n          - web\n          - api\n', action), ...api, file)).toEqual([file]);
    // A context naming the folder whose own Dockerfile it is, through the matrix too.
    const context =
      '      - uses: docker/build-push-action@v6\n        with:\n          context: ./apps/${{ matrix.app }}\n';
    expect(of(workflow('        app: [web, api]\n', context), 'apps/api/Dockerfile', 'apps/api', file)).toEqual([file]);
    // `include:` entries give the key too, alone or added to the combinations.
    expect(
      of(workflow('        include:\n          - service: api\n            arch: amd64\n', podman), ...api, file),
    ).toEqual([file]);
    const both = '      - run: docker build -f apps/${{ matrix.app }}/${{ matrix.file }} .\n';
    expect(
      of(
        workflow(
          '        app: [web, api]\n        include:\n          - app: api\n            file: Containerfile\n',
          both,
        ),
        ...api,
        file,
      ),
    ).toEqual([file]);
    // The check can fail: values that make other paths, a combination excluded, another job's matrix, no matrix.
    expect(of(workflow('        service: [worker, web]\n', podman), ...api, file)).toEqual([]);
    expect(of(workflow('        service: [api-gateway]\n', podman), ...api, file)).toEqual([]);
    expect(
      of(workflow('        service: [web, api]\n        exclude:\n          - service: api\n', podman), ...api, file),
    ).toEqual([]);
    const twoJobs =
      workflow('        service: [web]\n', podman) +
      '  test:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        service: [api]\n    steps:\n      - run: npm test -w ${{ matrix.service }}\n';
    expect(of(twoJobs, ...api, file)).toEqual([]);
    expect(of(workflow('        node: [20, 22]\n', podman), ...api, file)).toEqual([]);
    // Another Dockerfile in the matrix's folder is another image.
    expect(
      of(workflow('        service: [api]\n', podman.replace('Containerfile', 'Containerfile.dev')), ...api, file),
    ).toEqual([]);
  });

  it("takes an engine's build given the service's folder as its context, naming no Dockerfile", () => {
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    const ci = '.github/workflows/ci.yml';
    expect(of('      - run: docker build -t acme/api apps/api\n', ...api, ci)).toEqual([ci]);
    expect(of('      - run: podman build --pull ./apps/api/ && podman push acme/api\n', ...api, ci)).toEqual([ci]);
    // The check can fail: another Dockerfile named, another folder, the folder as no context.
    expect(of('      - run: docker build -f apps/api/Dockerfile.dev apps/api\n', ...api, ci)).toEqual([]);
    expect(of('      - run: docker build -t acme/gw apps/api-gateway\n', ...api, ci)).toEqual([]);
    expect(of('      - run: docker build -t acme/web apps/web --build-arg FROM=apps/api\n', ...api, ci)).toEqual([]);
  });

  it('reads paths from the checkout\'s root as CI writes them (GitLab\'s kaniko: `--dockerfile "${CI_PROJECT_DIR}/apps/api/Dockerfile"`)', () => {
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    const gitlab = '.gitlab-ci.yml';
    const kaniko = (flags: string) =>
      `build-api:\n  script:\n    - /kaniko/executor ${flags} --destination "$CI_REGISTRY_IMAGE/api"\n`;
    expect(
      of(kaniko('--context "${CI_PROJECT_DIR}" --dockerfile "${CI_PROJECT_DIR}/apps/api/Dockerfile"'), ...api, gitlab),
    ).toEqual([gitlab]);
    expect(of(kaniko('--context "${CI_PROJECT_DIR}/apps/api"'), ...api, gitlab)).toEqual([gitlab]);
    expect(of(kaniko('--context=$CI_PROJECT_DIR/apps/api'), ...api, gitlab)).toEqual([gitlab]);
    const ci = '.github/workflows/ci.yml';
    expect(of('      - run: docker build -f ${{ github.workspace }}/apps/api/Dockerfile .\n', ...api, ci)).toEqual([
      ci,
    ]);
    // The check can fail: another folder under the checkout, a longer path ending the same.
    expect(of(kaniko('--context "${CI_PROJECT_DIR}/apps/web"'), ...api, gitlab)).toEqual([]);
    expect(of(kaniko('--dockerfile "${CI_PROJECT_DIR}/legacy/apps/api/Dockerfile"'), ...api, gitlab)).toEqual([]);
  });

  it("takes a build-push-action step naming no file as building its context's Dockerfile, the root's too (publiz's `context: .`)", () => {
    const ci = '.github/workflows/docker.yml';
    const step = (inputs: string) =>
      `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v5\n        with:\n${inputs}          push: true\n`;
    expect(of(step('          context: .\n'), 'Dockerfile', 'apps/api', ci)).toEqual([ci]);
    expect(of(step(''), 'Dockerfile', 'apps/api', ci)).toEqual([ci]);
    // The check can fail: a step naming another file, another folder's context.
    expect(
      of(step('          context: .\n          file: apps/web/Dockerfile\n'), 'Dockerfile', 'apps/api', ci),
    ).toEqual([]);
    expect(of(step('          context: ./apps/web\n'), 'Dockerfile', 'apps/api', ci)).toEqual([]);
  });

  it("reads a GitLab job's `parallel: matrix` variables in its script, each set the product of its lists", () => {
    const file = '.gitlab-ci.yml';
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    const ci = (
      matrix: string,
      script = '    - docker build -f apps/$SERVICE/Dockerfile -t $CI_REGISTRY_IMAGE/${SERVICE}:$CI_COMMIT_SHA .\n',
    ) => `stages: [build]\nbuild-images:\n  stage: build\n  parallel:\n    matrix:\n${matrix}  script:\n${script}`;
    expect(of(ci('      - SERVICE: [web, api]\n'), ...api, file)).toEqual([file]);
    expect(of(ci('      - SERVICE: web\n      - SERVICE: api\n'), ...api, file)).toEqual([file]);
    // Braced, and a context naming the folder whose own Dockerfile it is.
    expect(
      of(ci('      - SERVICE: [api]\n', '    - docker build -t acme/${SERVICE} apps/${SERVICE}\n'), ...api, file),
    ).toEqual([file]);
    // The check can fail: values that make other paths, another variable, no matrix.
    expect(of(ci('      - SERVICE: [web, worker]\n'), ...api, file)).toEqual([]);
    expect(of(ci('      - APP: [api]\n'), ...api, file)).toEqual([]);
    expect(of(ci('      - SERVICE: [api]\n').replace(/  parallel:\n    matrix:\n.*\n/, ''), ...api, file)).toEqual([]);
  });

  it("reads a shell loop's literal words as each value of its variable in the loop's body (mixwave's docker/build.sh)", () => {
    const loop = 'for svc in worker admin; do docker build -t acme/$svc apps/$svc; done\n';
    expect(of(loop, undefined, undefined, 'scripts/build.sh')).toEqual(['scripts/build.sh']);
    // A bash array assigned a literal list, the loop's body entering each folder from the directory it starts in.
    const array =
      'declare -a apps=("web" "admin")\nroot=$(pwd)\nfor app in "${apps[@]}"\ndo\n  cd $root/apps/$app\n  npm run build\n  docker build . --tag=acme/${app}:latest\ndone\n';
    expect(of(array, undefined, undefined, 'docker/build.sh')).toEqual(['docker/build.sh']);
    // A variable holding a literal list, split into its words.
    const words = 'SERVICES="web admin"\nfor s in $SERVICES; do docker build -f apps/${s}/Dockerfile .; done\n';
    expect(of(words, undefined, undefined, 'build.sh')).toEqual(['build.sh']);
    // A Makefile's variable assigned a literal list, its recipe's loop variable written `$$s`.
    const make = (list: string, body = 'docker build -f apps/$$s/Dockerfile -t acme/$$s .') =>
      `SERVICES := jobs admin\nimages:\n\tfor s in ${list}; do \\\n\t  ${body}; \\\n\tdone\n`;
    expect(of(make('$(SERVICES)'), undefined, undefined, 'Makefile')).toEqual(['Makefile']);
    expect(of(make('jobs admin'), undefined, undefined, 'deploy/images.mk')).toEqual(['deploy/images.mk']);
    // A CI step's loop.
    const step =
      '      - run: |\n          for app in web admin; do\n            docker build -t acme/$app apps/$app\n          done\n';
    expect(of(step, undefined, undefined, '.github/workflows/images.yml')).toEqual(['.github/workflows/images.yml']);
    // The check can fail: other values, a loop that builds nothing, a list only known when it runs, Make's own `$s`.
    expect(of(loop.replace('admin', 'web'), undefined, undefined, 'scripts/build.sh')).toEqual([]);
    const tests = 'for svc in worker admin; do npm test -w apps/$svc; done\ndocker build -t acme/api apps/api\n';
    expect(of(tests, undefined, undefined, 'scripts/build.sh')).toEqual([]);
    expect(of(loop.replace('worker admin', '$(ls apps)'), undefined, undefined, 'scripts/build.sh')).toEqual([]);
    expect(of(loop.replace('worker admin', 'apps/*'), undefined, undefined, 'scripts/build.sh')).toEqual([]);
    expect(of(array.replace('"admin"', '"$EXTRA"'), undefined, undefined, 'docker/build.sh')).toEqual([]);
    expect(
      of(make('$(SERVICES)').replace('jobs admin', '$(notdir $(wildcard apps/*))'), undefined, undefined, 'Makefile'),
    ).toEqual([]);
    expect(of(make('$(SERVICES)', 'docker build -f apps/$s/Dockerfile .'), undefined, undefined, 'Makefile')).toEqual(
      [],
    );
    // The directory it starts in, changed before it was read, is not the root.
    expect(of(`cd docker\n${array}`, undefined, undefined, 'docker/build.sh')).toEqual([]);
  });

  it("reads a reusable workflow's `${{ inputs.<key> }}` as each value the repository's workflows call it with (typie's build.yml)", () => {
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    const build = {
      file: '.github/workflows/build.yml',
      text: 'on:\n  workflow_call:\n    inputs:\n      app: { type: string, required: true }\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          file: apps/${{ inputs.app }}/Dockerfile\n',
    };
    const caller = (jobs: string) => ({ file: '.github/workflows/cd.yml', text: `on: push\njobs:\n${jobs}` });
    const calls = (...apps: string[]) =>
      caller(
        apps
          .map((app) => `  ${app}:\n    uses: ./.github/workflows/build.yml\n    with:\n      app: ${app}\n`)
          .join(''),
      );
    const notes = (...files: Array<{ file: string; text: string }>) => unreadBuildsOf(readBuildFiles(files), ...api);
    expect(notes(build, calls('web', 'api'))).toEqual([build.file]);
    expect(notes(build, caller('  api: { uses: ./.github/workflows/build.yml, with: { app: api } }\n'))).toEqual([
      build.file,
    ]);
    // Through the caller's matrix.
    const matrix =
      '  images:\n    strategy:\n      matrix:\n        app: [web, api]\n    uses: ./.github/workflows/build.yml\n    with:\n      app: ${{ matrix.app }}\n';
    expect(notes(build, caller(matrix))).toEqual([build.file]);
    // The check can fail: other values, a call to another workflow, no caller.
    expect(notes(build, calls('web', 'admin'))).toEqual([]);
    const other = calls('api');
    expect(notes(build, { ...other, text: other.text.replace('build.yml', 'deploy.yml') })).toEqual([]);
    expect(notes(build)).toEqual([]);
  });

  it("reads a Tiltfile's docker_build context, positional as Tilt's docs write it or by keyword, from the Tiltfile's folder", () => {
    const api = ['apps/api/Dockerfile', 'apps/api'] as const;
    expect(of("docker_build('acme/api', 'apps/api')\n", ...api, 'Tiltfile')).toEqual(['Tiltfile']);
    expect(of("docker_build('acme/api', context='apps/api')\n", ...api, 'Tiltfile')).toEqual(['Tiltfile']);
    const multiline =
      "docker_build(\n    'acme/api',  # the API\n    './apps/api/',\n    live_update=[sync('apps/api/src', '/app/src')],\n)\n";
    expect(of(multiline, ...api, 'Tiltfile')).toEqual(['Tiltfile']);
    expect(of("docker_build('acme/api', '../apps/api')\n", ...api, 'dev/Tiltfile')).toEqual(['dev/Tiltfile']);
    // The Dockerfile named, from the Tiltfile's folder as Tilt reads it (not from the context).
    expect(of("docker_build('acme/api', 'apps', dockerfile='apps/api/Dockerfile')\n", ...api, 'Tiltfile')).toEqual([
      'Tiltfile',
    ]);
    // The check can fail: another Dockerfile in the folder, a comment, another folder, a context in a variable.
    expect(
      of("docker_build('acme/api', context='apps/api', dockerfile='apps/api/Dockerfile.dev')\n", ...api, 'Tiltfile'),
    ).toEqual([]);
    expect(of("docker_build('acme/api', 'apps/api', {}, 'apps/api/Dockerfile.dev')\n", ...api, 'Tiltfile')).toEqual([]);
    expect(of("# docker_build('acme/api', 'apps/api')\n", ...api, 'Tiltfile')).toEqual([]);
    expect(of("docker_build('acme/api', 'apps/api-gateway')\n", ...api, 'Tiltfile')).toEqual([]);
    expect(of("docker_build('acme/api', 'apps/api')\n", ...api, 'dev/Tiltfile')).toEqual([]);
    expect(of("API = 'apps/web'\ndocker_build('acme/api', API)\n", ...api, 'Tiltfile')).toEqual([]);
  });

  it("reads a build context from the folder of a file outside the root, as Skaffold and compose read it (deploy/skaffold.yaml's `context: ../apps/web`)", () => {
    const web = ['apps/web/Dockerfile', 'apps/web'] as const;
    const skaffold = (context: string) =>
      `apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: acme/web\n      context: ${context}\n`;
    expect(of(skaffold('../apps/web'), ...web, 'deploy/skaffold.yaml')).toEqual(['deploy/skaffold.yaml']);
    expect(of(skaffold('../apps/web/'), ...web, 'deploy/skaffold.yaml')).toEqual(['deploy/skaffold.yaml']);
    expect(of('services:\n  web:\n    build:\n      context: ../web\n', ...web, 'apps/api/compose.yaml')).toEqual([
      'apps/api/compose.yaml',
    ]);
    // The check can fail: another folder from there, the folder read from the wrong place.
    expect(of(skaffold('../apps/web-admin'), ...web, 'deploy/skaffold.yaml')).toEqual([]);
    expect(of(skaffold('../../apps/web'), ...web, 'deploy/skaffold.yaml')).toEqual([]);
  });

  it('takes DevSpace and Heroku files naming the Dockerfile', () => {
    expect(
      of(
        'images:\n  api:\n    image: reg/api\n    dockerfile: ./apps/admin/Dockerfile\n    context: ./\n',
        undefined,
        undefined,
        'devspace.yaml',
      ),
    ).toEqual(['devspace.yaml']);
    expect(of('build:\n  docker:\n    web: apps/admin/Dockerfile\n', undefined, undefined, 'heroku.yml')).toEqual([
      'heroku.yml',
    ]);
  });
});
