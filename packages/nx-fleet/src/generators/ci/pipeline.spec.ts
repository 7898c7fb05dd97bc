import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createTree } from '@nx/devkit/testing';
import { writeCiPipeline } from './generator';
import {
  CI_FILES,
  CI_PROVIDERS,
  RELEASE_PLAN_FILE,
  ciTemplate,
  normalizeCiOptions,
  type CiPipelineOptions,
} from './options';

/** The pipeline the templates render for the options, in a tree of its own. */
const ciPipeline = (options: CiPipelineOptions = {}) => writeCiPipeline(createTree(), ciTemplate(options));
const ciPipelineYaml = (options: CiPipelineOptions = {}) => ciPipeline(options).content;

// The shapes of the two pipeline files, as far as the tests read them.
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  run?: string;
}
interface GithubJob {
  needs?: string | string[];
  if?: string;
  name?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: { push: { branches: string[] }; pull_request: unknown };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, GithubJob>;
}
interface GitlabJob {
  stage: string;
  needs?: string[];
  rules?: Array<{ if: string }>;
  resource_group?: string;
  environment?: { name: string };
  script: string[];
  artifacts?: { when: string; paths: string[] };
}
type GitlabPipeline = {
  workflow: { rules: Array<{ if: string; variables?: Record<string, string> }> };
  stages: string[];
  variables: Record<string, string>;
  default: {
    image: string;
    cache: Array<{ key: string | { files: string[] }; paths: string[] }>;
    before_script: string[];
  };
} & Record<'verify' | 'release', GitlabJob>;

/** Strict YAML: any error or warning (duplicate keys, bad indentation, tabs…) fails the test. */
function parseYaml<T>(text: string): T {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((w) => w.message)).toEqual([]);
  return doc.toJS() as T;
}

const github = (options: CiPipelineOptions = {}) =>
  parseYaml<Workflow>(ciPipelineYaml({ provider: 'github', ...options }));
const gitlab = (options: CiPipelineOptions = {}) =>
  parseYaml<GitlabPipeline>(ciPipelineYaml({ provider: 'gitlab', ...options }));

const stepIndex = (job: GithubJob, predicate: (step: Step) => boolean | undefined) => {
  const index = job.steps.findIndex((step) => predicate(step));
  expect(index, 'step not found').toBeGreaterThanOrEqual(0);
  return index;
};
const runOf = (job: GithubJob, predicate: (step: Step) => boolean | undefined) =>
  job.steps[stepIndex(job, predicate)]!.run ?? '';
const runs = (text: string) => (step: Step) => step.run?.includes(text);
/** The lines of a GitLab job's script, as the shell runs them (block items split into lines). */
const gitlabLines = (script: readonly string[]) =>
  script.flatMap((item) => item.split('\n')).map((line) => line.trim());

const ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
const AFFECTED = 'npx nx affected -t lint test typecheck docker-build scan contract-verify';

/** Every shell line the pipeline runs: GitHub `run:` steps, GitLab scripts. */
function shellLines(options: CiPipelineOptions): string[] {
  if ((options.provider ?? 'github') === 'github') {
    return Object.values(github(options).jobs).flatMap((job) =>
      job.steps.flatMap((step) => (step.run ?? '').split('\n')),
    );
  }
  const pipeline = gitlab(options);
  return [...pipeline.default.before_script, ...pipeline.verify.script, ...pipeline.release.script].flatMap((item) =>
    item.split('\n'),
  );
}

const TARGET_NAMES = { buildTargetName: 'image', scanTargetName: 'vuln-scan', contractTargetName: 'pact-verify' };

const VARIANTS: CiPipelineOptions[] = [
  {},
  { matrix: true },
  { remoteCache: false, registry: 'ghcr.io/acme', environment: 'staging', mainBranch: 'trunk', nodeVersion: '22' },
  { matrix: true, configuredRegistry: 'registry.example.com:5000/team' },
  { provider: 'gitlab' },
  { provider: 'gitlab', matrix: true, registry: 'ghcr.io/acme', remoteCache: false },
  { provider: 'gitlab', configuredRegistry: 'ghcr.io/acme', environment: 'staging', mainBranch: 'trunk' },
  { matrix: true, ...TARGET_NAMES },
  { provider: 'gitlab', ...TARGET_NAMES },
];

describe('ciPipeline: GitHub Actions (default)', () => {
  it('writes .github/workflows/fleet.yml, valid YAML, verify then release', () => {
    expect(ciPipeline().path).toBe('.github/workflows/fleet.yml');
    expect(ciPipeline({ provider: 'github' })).toEqual(ciPipeline());
    const workflow = github();
    expect(workflow.name).toBe('fleet');
    expect(Object.keys(workflow.jobs)).toEqual(['verify', 'release']);
    expect(ciPipelineYaml().endsWith('\n')).toBe(true);
  });

  it('runs on pull requests and on pushes to the main branch, reading only by default', () => {
    const workflow = github();
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(workflow.on.pull_request).toBeNull();
    expect(workflow.permissions).toEqual({ contents: 'read', actions: 'read' });
  });

  it('verify: full history, node with the npm cache, npm ci, base SHA from nx-set-shas, then affected and pacts --check', () => {
    const { verify } = github().jobs;
    expect(verify!.if).toBeUndefined();
    expect(verify!.steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(verify!.steps[1]).toEqual({ uses: 'actions/setup-node@v4', with: { 'node-version': '20', cache: 'npm' } });
    expect(verify!.steps[2]).toEqual({ run: 'npm ci' });
    const shas = stepIndex(verify!, (s) => s.uses === 'nrwl/nx-set-shas@v4');
    expect(verify!.steps[shas]!.with).toEqual({ 'main-branch-name': 'main' });
    const affected = stepIndex(verify!, (s) => s.run === AFFECTED);
    const pacts = stepIndex(verify!, (s) => s.run === 'npx nx-fleet pacts --check');
    expect(shas).toBeLessThan(affected);
    expect(affected).toBeLessThan(pacts);
  });

  it('release: only on pushes to main, after verify, with contents: write and one release per environment at a time', () => {
    const { release } = github().jobs;
    expect(release!.needs).toBe('verify');
    expect(release!.if).toBe(ON_MAIN);
    expect(release!.permissions).toEqual({ contents: 'write' });
    expect(release!.concurrency).toEqual({ group: 'fleet-release-production', 'cancel-in-progress': false });
    expect(release!.environment).toBe('production');
  });

  it('release: plan first (JSON, changes nothing), then the all-or-nothing release with --commit, then git push of the ledger commit', () => {
    const { release } = github().jobs;
    const plan = stepIndex(release!, runs('--plan'));
    expect(release!.steps[plan]!.run!.split('\n')).toEqual(
      expect.arrayContaining([`npx nx-fleet release --env production --plan --json > ${RELEASE_PLAN_FILE}`]),
    );
    const commit = stepIndex(release!, (s) => s.run === 'npx nx-fleet release --env production --commit');
    const push = stepIndex(release!, runs('git push origin HEAD:refs/heads/main'));
    const login = stepIndex(release!, runs('--password-stdin'));
    expect(login).toBeLessThan(plan);
    expect(plan).toBeLessThan(commit);
    expect(commit).toBeLessThan(push);
    // Exactly two release commands: the plan and the commit.
    expect(
      shellLines({})
        .filter((line) => line.includes('nx-fleet release'))
        .map((line) => line.trim()),
    ).toEqual([
      `npx nx-fleet release --env production --plan --json > ${RELEASE_PLAN_FILE}`,
      'npx nx-fleet release --env production --commit',
    ]);
  });

  it('release: starts from the latest ledger on main, or steps aside for a newer commit', () => {
    const { release } = github().jobs;
    const sync = release!.steps.find((s) => s.id === 'ledger')!;
    expect(sync.run).toContain("git diff --quiet HEAD FETCH_HEAD -- . ':(exclude)deploy/fleet.json'");
    expect(sync.run).toContain('git checkout --quiet --detach FETCH_HEAD');
    expect(sync.run).toContain('echo "superseded=true" >> "$GITHUB_OUTPUT"');
    const after = release!.steps.slice(release!.steps.indexOf(sync) + 1);
    expect(after.length).toBe(3);
    for (const step of after) expect(step.if).toBe("steps.ledger.outputs.superseded == 'false'");
  });

  it('wires the Nx remote cache from a repository variable; only pushes to the main branch get the read-write secret, everything else the read token', () => {
    expect(github().env).toMatchObject({
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN:
        "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' && secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN || secrets.NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN }}",
    });
    // A pull request (even one from a branch of this repository) never holds the token that writes the cache.
    expect(github({ mainBranch: 'release/v2' }).env['NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN']).toContain(
      "github.event_name == 'push' && github.ref == 'refs/heads/release/v2' && secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN ||",
    );
    expect(ciPipelineYaml()).toContain('NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN (a token your cache');
  });

  it('leaves the remote cache out with remoteCache: false', () => {
    expect(Object.keys(github({ remoteCache: false }).env)).toEqual(['FLEET_REGISTRY']);
    expect(ciPipelineYaml({ remoteCache: false })).not.toContain('NX_SELF_HOSTED_REMOTE_CACHE');
  });

  it('logs in to the registry from secrets through stdin, and passes the optional signing key from a secret', () => {
    const { release } = github().jobs;
    const login = release!.steps.find((s) => s.name === 'Log in to the registry')!;
    expect(login.env).toEqual({
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    expect(login.run).toContain(
      'printf \'%s\\n\' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USERNAME" --password-stdin "$host"',
    );
    expect(release!.env).toEqual({
      FLEET_SIGNING_KEY: '${{ secrets.FLEET_SIGNING_KEY }}',
      FLEET_SIGNING_KEY_PASSWORD: '${{ secrets.FLEET_SIGNING_KEY_PASSWORD }}',
    });
    expect(ciPipelineYaml()).toMatch(/# Optional: .*signing/);
  });

  it('takes the registry from the FLEET_REGISTRY repository variable unless --registry is given', () => {
    expect(github().env['FLEET_REGISTRY']).toBe('${{ vars.FLEET_REGISTRY }}');
    expect(github({ registry: 'ghcr.io/acme' }).env['FLEET_REGISTRY']).toBe('ghcr.io/acme');
  });

  it('logs in to the registry nx.json configures when FLEET_REGISTRY is empty', () => {
    const login = runOf(github({ configuredRegistry: 'ghcr.io/acme' }).jobs['release']!, runs('--password-stdin'));
    expect(login).toContain('registry="${FLEET_REGISTRY:-ghcr.io/acme}"');
  });

  it('verify logs in when it can, and goes on without a registry; release-side jobs require one', () => {
    const workflow = github({ matrix: true });
    expect(runOf(workflow.jobs['verify']!, runs('--password-stdin'))).not.toContain('exit 1');
    for (const job of ['plan', 'build', 'release'])
      expect(runOf(workflow.jobs[job]!, runs('--password-stdin'))).toContain('nx-fleet: no registry to push to');
  });

  it('pins actions by major version', () => {
    const uses = Object.values(github({ matrix: true }).jobs).flatMap((job) =>
      job.steps.flatMap((step) => (step.uses ? [step.uses] : [])),
    );
    expect(new Set(uses)).toEqual(
      new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/cache@v4', 'nrwl/nx-set-shas@v4']),
    );
  });
});

describe('ciPipeline: options', () => {
  const options = { environment: 'staging', registry: 'ghcr.io/acme', nodeVersion: '22.11', mainBranch: 'trunk' };

  it('substitutes environment, registry, node version and main branch (GitHub)', () => {
    const workflow = github(options);
    const text = ciPipelineYaml(options);
    expect(workflow.on.push.branches).toEqual(['trunk']);
    expect(workflow.env['FLEET_REGISTRY']).toBe('ghcr.io/acme');
    expect(workflow.jobs['verify']!.steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')!.with).toEqual({
      'main-branch-name': 'trunk',
    });
    const { release } = workflow.jobs;
    expect(release!.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/trunk'");
    expect(release!.environment).toBe('staging');
    expect(release!.concurrency!.group).toBe('fleet-release-staging');
    expect(runOf(release!, runs('--plan'))).toContain('npx nx-fleet release --env staging --plan --json');
    expect(runOf(release!, runs('--commit'))).toBe('npx nx-fleet release --env staging --commit');
    expect(runOf(release!, runs('git push'))).toContain('git push origin HEAD:refs/heads/trunk');
    for (const job of Object.values(workflow.jobs))
      expect(job.steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version']).toBe('22.11');
    expect(text).not.toMatch(/production|refs\/heads\/main|fleet-release-production|node-version: "20"/);
  });

  it('substitutes them in the GitLab pipeline too', () => {
    const pipeline = gitlab(options);
    const text = ciPipelineYaml({ ...options, provider: 'gitlab' });
    expect(pipeline.variables['FLEET_REGISTRY']).toBe('ghcr.io/acme');
    expect(pipeline.default.image).toBe('node:22.11');
    expect(pipeline.workflow.rules).toContainEqual({
      if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "trunk"',
    });
    expect(pipeline.release.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "trunk"' }]);
    expect(pipeline.release.resource_group).toBe('fleet-release-staging');
    expect(pipeline.release.environment).toEqual({ name: 'staging' });
    expect(gitlabLines(pipeline.release.script)).toEqual(
      expect.arrayContaining(['npx nx-fleet release --env staging --commit', 'git fetch --quiet origin trunk']),
    );
    expect(text).not.toMatch(/production|refs\/heads\/main|"main"/);
  });

  it('runs the target names nx.json configures', () => {
    const affected = 'npx nx affected -t lint test typecheck image vuln-scan pact-verify';
    const workflow = github({ ...TARGET_NAMES, matrix: true });
    expect(workflow.jobs['verify']!.steps.some((s) => s.run === affected)).toBe(true);
    expect(workflow.jobs['build']!.steps.at(-1)!.run).toBe(
      'npx nx run-many -t image,vuln-scan,pact-verify -p "$SERVICE"',
    );
    expect(gitlabLines(gitlab(TARGET_NAMES).verify.script)).toContain(affected);
    for (const provider of CI_PROVIDERS)
      expect(ciPipelineYaml({ ...TARGET_NAMES, provider, matrix: true })).not.toMatch(/docker-build|contract-verify\b/);
  });

  it('uses the ledger nx.json configures', () => {
    const text = ciPipelineYaml({ ledger: 'ops/ledger.json' });
    expect(text).toContain("':(exclude)ops/ledger.json'");
    expect(text).not.toContain('deploy/fleet.json');
  });

  it('has the defaults schema.json declares', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf-8')) as {
      properties: Record<string, { default?: unknown; enum?: string[] }>;
    };
    const defaults = normalizeCiOptions({});
    for (const [name, property] of Object.entries(schema.properties)) {
      if (name in defaults) expect(defaults[name as keyof typeof defaults], name).toEqual(property.default);
    }
    expect(schema.properties['provider']!.enum).toEqual([...CI_PROVIDERS]);
    expect(Object.keys(CI_FILES).sort()).toEqual([...CI_PROVIDERS].sort());
  });

  it.each([
    [{ environment: 'prod env' }, '--environment "prod env" is not valid'],
    [{ environment: '-prod' }, '--environment "-prod" is not valid'],
    [{ registry: 'ghcr.io/Acme' }, '--registry "ghcr.io/Acme" is not valid'],
    [{ registry: 'ghcr.io/acme;rm -rf /' }, 'is not valid: use a registry host'],
    [{ nodeVersion: 'lts/*' }, '--nodeVersion "lts/*" is not valid'],
    [{ mainBranch: 'a..b' }, '--mainBranch "a..b" is not valid'],
    [{ mainBranch: "main' || true" }, 'is not valid: use a git branch name'],
    [{ provider: 'jenkins' as never }, '--provider "jenkins" is not valid: use github or gitlab'],
    [
      { ledger: '../gitops/fleet.json' },
      'the release ledger ../gitops/fleet.json (release.ledger in nx.json) is not a path inside the workspace',
    ],
    [{ ledger: '/srv/fleet.json' }, 'is not a path inside the workspace'],
  ])('rejects %j', (options, message) => {
    expect(() => ciPipeline(options)).toThrow(message);
  });

  it('accepts a registry with a port and nested namespace, a branch with a slash, and a numeric node version', () => {
    expect(() =>
      ciPipeline({ registry: 'localhost:5000/a/b', mainBranch: 'release/v2', nodeVersion: 20 as unknown as string }),
    ).not.toThrow();
    expect(github({ nodeVersion: 20 as unknown as string }).jobs['verify']!.steps[1]!.with!['node-version']).toBe('20');
  });
});

describe('ciPipeline: matrix (GitHub)', () => {
  const workflow = () => github({ matrix: true });

  it('plans, fans out one job per planned service, then releases once', () => {
    const { jobs } = workflow();
    expect(Object.keys(jobs)).toEqual(['verify', 'plan', 'build', 'release']);
    expect(jobs['plan']!.needs).toBe('verify');
    expect(jobs['plan']!.if).toBe(ON_MAIN);
    expect(jobs['build']!.needs).toBe('plan');
    expect(jobs['release']!.needs).toEqual(['plan', 'build']);
    expect(jobs['release']!.permissions).toEqual({ contents: 'write' });
    expect(jobs['release']!.concurrency).toEqual({ group: 'fleet-release-production', 'cancel-in-progress': false });
    expect(jobs['plan']!.permissions).toBeUndefined();
    expect(jobs['build']!.permissions).toBeUndefined();
  });

  it("passes the plan's services to the matrix with fromJSON, and skips it when there is nothing to release", () => {
    const { jobs } = workflow();
    expect(jobs['plan']!.outputs).toEqual({
      services: '${{ steps.plan.outputs.services }}',
      count: '${{ steps.plan.outputs.count }}',
    });
    expect(jobs['build']!.strategy!.matrix).toEqual({ service: '${{ fromJSON(needs.plan.outputs.services) }}' });
    expect(jobs['build']!.if).toBe('needs.plan.outputs.count > 0');
    const build = jobs['build']!.steps.at(-1)!;
    expect(build.env).toEqual({ SERVICE: '${{ matrix.service }}' });
    expect(build.run).toBe('npx nx run-many -t docker-build,scan,contract-verify -p "$SERVICE"');
  });

  it("writes the plan step's outputs in the format GitHub reads ($GITHUB_OUTPUT lines)", () => {
    const plan = workflow().jobs['plan']!.steps.find((s) => s.id === 'plan')!;
    expect(plan.run).toContain(`npx nx-fleet release --env production --plan --json > ${RELEASE_PLAN_FILE}`);
    const line = plan.run!.split('\n').find((l) => l.startsWith('node -e '))!;
    const [, script] = /^node -e '([^']*)' >> "\$GITHUB_OUTPUT"$/.exec(line)!;
    // `nx-fleet release --json`: { environment, services, waves, release, skipped }.
    const output: string[] = [];
    const requireStub = (id: string) => {
      expect(id).toBe(`./${RELEASE_PLAN_FILE}`);
      return {
        environment: 'production',
        services: ['orders', 'payments'],
        waves: [['orders'], ['payments']],
        release: [],
        skipped: [],
      };
    };
    new Function('require', 'console', script!)(requireStub, { log: (text: string) => output.push(text) });
    expect(output).toEqual(['services=["orders","payments"]', 'count=2']);
  });

  it('releases with --commit only in the final job, which explains why it is still all or nothing', () => {
    const { jobs } = workflow();
    const text = ciPipelineYaml({ matrix: true });
    expect(runOf(jobs['release']!, runs('nx-fleet release'))).toBe('npx nx-fleet release --env production --commit');
    expect(jobs['release']!.steps.some((s) => s.run?.includes('--plan'))).toBe(false);
    for (const job of ['verify', 'plan', 'build'])
      expect(jobs[job]!.steps.some((s) => s.run?.includes('--commit') || s.run?.includes('git push'))).toBe(false);
    expect(text).toMatch(/\n {2}# Still all or nothing:[^\n]*\n( {2}#[^\n]*\n)* {2}release:\n/);
  });
});

describe('ciPipeline: GitLab CI', () => {
  it('writes .gitlab-ci.yml, valid YAML, with merge request and main-branch pipelines', () => {
    expect(ciPipeline({ provider: 'gitlab' }).path).toBe('.gitlab-ci.yml');
    const pipeline = gitlab();
    expect(pipeline.stages).toEqual(['verify', 'release']);
    expect(pipeline.workflow.rules).toEqual([
      {
        if: '$CI_PIPELINE_SOURCE == "merge_request_event"',
        // Merge requests read the remote cache with the read token; only main writes it.
        variables: { NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '$NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN' },
      },
      { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"' },
    ]);
    expect(gitlab({ remoteCache: false }).workflow.rules[0]).toEqual({
      if: '$CI_PIPELINE_SOURCE == "merge_request_event"',
    });
    expect(pipeline.variables['GIT_DEPTH']).toBe('0');
    expect(pipeline.default.image).toBe('node:20');
    expect(pipeline.default.cache).toEqual([
      { key: { files: ['package-lock.json'] }, paths: ['.npm/'] },
      { key: 'nx-fleet-imports', paths: ['.nx/workspace-data/nx-fleet/'] },
    ]);
    expect(pipeline.default.before_script[0]).toBe('npm ci --cache .npm --prefer-offline');
  });

  it('verify: NX_BASE from the merge request diff base or the commit before the push, then affected and pacts --check', () => {
    const { verify } = gitlab();
    expect(verify.stage).toBe('verify');
    expect(verify.rules).toBeUndefined();
    const lines = gitlabLines(verify.script);
    expect(lines).toEqual(
      expect.arrayContaining([
        'NX_BASE="$CI_MERGE_REQUEST_DIFF_BASE_SHA"',
        'NX_BASE="$CI_COMMIT_BEFORE_SHA"',
        'export NX_BASE NX_HEAD="$CI_COMMIT_SHA"',
      ]),
    );
    const base = lines.indexOf('export NX_BASE NX_HEAD="$CI_COMMIT_SHA"');
    expect(base).toBeLessThan(lines.indexOf(AFFECTED));
    expect(lines.indexOf(AFFECTED)).toBeLessThan(lines.indexOf('npx nx-fleet pacts --check'));
  });

  it('release: main only, after verify, one at a time per environment; plan, release --commit, push the ledger commit', () => {
    const { release } = gitlab();
    expect(release.stage).toBe('release');
    expect(release.needs).toEqual(['verify']);
    expect(release.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"' }]);
    expect(release.resource_group).toBe('fleet-release-production');
    expect(release.environment).toEqual({ name: 'production' });
    const lines = gitlabLines(release.script);
    const plan = lines.indexOf(`npx nx-fleet release --env production --plan --json > ${RELEASE_PLAN_FILE}`);
    const commit = lines.indexOf('npx nx-fleet release --env production --commit');
    const push = lines.findIndex((l) =>
      l.startsWith('if ! git push -o ci.skip "$CI_SERVER_URL/$CI_PROJECT_PATH.git" HEAD:refs/heads/main'),
    );
    const sync = lines.indexOf('git checkout --quiet --detach FETCH_HEAD');
    expect(sync).toBeGreaterThanOrEqual(0);
    expect(sync).toBeLessThan(plan);
    expect(plan).toBeGreaterThan(0);
    expect(plan).toBeLessThan(commit);
    expect(commit).toBeLessThan(push);
    expect(release.artifacts).toEqual({ when: 'always', paths: [RELEASE_PLAN_FILE] });
  });

  it("defaults the registry to the project's GitLab registry, or leaves it to nx.json when that configures one", () => {
    expect(gitlab().variables['FLEET_REGISTRY']).toBe('$CI_REGISTRY_IMAGE');
    const configured = gitlab({ configuredRegistry: 'ghcr.io/acme' });
    expect(configured.variables['FLEET_REGISTRY']).toBeUndefined();
    expect(configured.default.before_script[1]).toContain('registry="${FLEET_REGISTRY:-ghcr.io/acme}"');
    expect(configured.default.before_script[1]).toContain(
      'podman login --username "$REGISTRY_USERNAME" --password-stdin "$host"',
    );
  });

  it('documents the remote cache CI/CD variables only with remoteCache: the read-write token protected, a read token for merge requests', () => {
    const text = ciPipelineYaml({ provider: 'gitlab' });
    expect(text).toContain(
      'NX_SELF_HOSTED_REMOTE_CACHE_SERVER, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN (masked, protected',
    );
    expect(text).toContain('NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN (masked, a token');
    expect(text).toContain('Merge requests use the read token');
    expect(ciPipelineYaml({ provider: 'gitlab', remoteCache: false })).not.toContain('NX_SELF_HOSTED_REMOTE_CACHE');
  });

  it('gets the single release job with --matrix, and says why', () => {
    const pipeline = gitlab({ matrix: true });
    expect(
      Object.keys(pipeline).filter((key) => !['workflow', 'stages', 'variables', 'default'].includes(key)),
    ).toEqual(['verify', 'release']);
    expect(ciPipelineYaml({ provider: 'gitlab', matrix: true })).toMatch(
      /parallel:matrix[^\n]*\n.*GitLab gets the single release job/,
    );
  });
});

describe.each(VARIANTS)('ciPipeline %j', (options) => {
  const text = ciPipelineYaml(options);
  const provider = options.provider ?? 'github';

  it('is valid YAML without tabs or trailing spaces', () => {
    parseYaml(text);
    expect(text).not.toMatch(/\t| +$/m);
  });

  it('runs nx only as npx nx / npx nx-fleet, never a downloaded one', () => {
    expect(text).not.toMatch(/nx(-fleet)?@|nx@latest|npm exec|pnpm|yarn|bunx/);
    const commands = shellLines(options)
      .map((line) => line.trim())
      .filter((line) => !line.startsWith('#') && !line.startsWith('echo') && /(^|[\s;&|(])nx(-fleet)?\s/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line, line).toMatch(/^npx nx(-fleet)? /);
  });

  it('inlines no secret: GitHub reads secrets only into env, GitLab only from CI/CD variables; passwords go through stdin', () => {
    expect(text).not.toMatch(/--password(?!-stdin)\b|--password=|-p "\$REGISTRY_PASSWORD"/);
    const lines = shellLines(options);
    // A secret's value is only ever piped to a login or read by git's credential helper from the variable.
    for (const line of lines.filter(
      (l) => /PASSWORD|TOKEN/.test(l) && !l.trim().startsWith('#') && !l.trim().startsWith('echo "nx-fleet'),
    )) {
      expect(line.trim(), line).toMatch(
        /^(printf '%s\\n' "\$REGISTRY_PASSWORD" \| (docker|podman) login --username "\$REGISTRY_USERNAME" --password-stdin "\$host"|REGISTRY_PASSWORD="\$CI_REGISTRY_PASSWORD"|if \[ -z "\$FLEET_PUSH_TOKEN" \]; then|git config credential\.helper '!f\(\) \{ echo "username=oauth2"; echo "password=\$\{FLEET_PUSH_TOKEN\}"; \}; f')$/,
      );
    }
    if (provider === 'github') {
      const workflow = github(options);
      // No expression inside a script (no injection, no secret in a command line)...
      for (const line of lines) expect(line).not.toContain('${{');
      // ...and every secret is exactly the value of an env entry.
      const secretRefs: string[] = [];
      const visit = (value: unknown, key: string, parent: string) => {
        if (typeof value === 'string' && value.includes('secrets.')) {
          // One secret, or the remote cache token: the read-write secret on pushes to the main branch only.
          expect(value, key).toMatch(
            /^\$\{\{ secrets\.[A-Z_]+ \}\}$|^\$\{\{ github\.event_name == 'push' && github\.ref == 'refs\/heads\/[\w./-]+' && secrets\.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN \|\| secrets\.NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN \}\}$/,
          );
          expect(parent, key).toBe('env');
          secretRefs.push(value);
        } else if (value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) visit(v, k, key);
        }
      };
      visit(workflow, '', '');
      expect(secretRefs.length).toBeGreaterThan(0);
      // Expressions only read contexts: no literal values smuggled into ${{ }}.
      for (const [expression] of text.matchAll(/\$\{\{[^}]*\}\}/g)) {
        expect(expression).toMatch(
          /^\$\{\{ (secrets|vars|steps|needs|matrix)\.[\w.]+ \}\}$|^\$\{\{ github\.sha \}\}$|^\$\{\{ fromJSON\(needs\.plan\.outputs\.services\) \}\}$|^\$\{\{ github\.event_name == 'push' && github\.ref == 'refs\/heads\/[\w./-]+' && secrets\.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN \|\| secrets\.NX_SELF_HOSTED_REMOTE_CACHE_READ_TOKEN \}\}$/,
        );
      }
    } else {
      expect(text).not.toContain('${{');
      expect(text).not.toMatch(/secrets\./);
    }
  });

  it('uses full history and pins nothing to a moving tag', () => {
    if (provider === 'github') {
      for (const job of Object.values(github(options).jobs))
        expect(job.steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
      expect(text).not.toMatch(/@(main|master|latest)\b/);
    } else {
      expect(gitlab(options).variables['GIT_DEPTH']).toBe('0');
      expect(gitlab(options).default.image).not.toMatch(/latest/);
    }
  });
});
