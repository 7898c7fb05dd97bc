import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tree } from '../../../tools/fleet-harness/src/files';
import { detectEngine, runOk } from '../../../tools/fleet-harness/src/tools';
import { TestWorkspace } from '../../../tools/fleet-harness/src/workspace';

interface PackageLock {
  packages: Record<string, { version?: string }>;
}

describe('pruned contexts: package.json and lockfile pruned to each service, installing frozen in the image', () => {
  let ws: TestWorkspace;
  let scratch: string;
  const engine = detectEngine();

  const writeContext = async (project: string, name: string) => {
    const dir = join(scratch, name);
    await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', project, '--out', dir], {
      cwd: ws.root,
      env: ws.env(),
    });
    return {
      dir,
      packageJson: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      },
      lock: JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as PackageLock,
      bytes: tree(dir),
    };
  };

  beforeAll(async () => {
    ws = TestWorkspace.create('pruned');
    scratch = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-pruned-'));
    await runOk('npm', ['install', '--no-fund', '--no-audit', 'is-number@7.0.0', 'is-odd@3.0.1'], {
      cwd: ws.root,
      env: ws.env(),
    });
    ws.addService('numbers', {
      main: `// ${ws.id}\nconsole.log(require('is-number')(42));\n`,
      dockerfile: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'RUN npm ci --omit=dev --no-audit --no-fund',
        'COPY services/numbers services/numbers',
        'CMD ["node", "services/numbers/main.js"]',
        '',
      ].join('\n'),
    });
    ws.addService('odds', {
      main: `// ${ws.id}\nconsole.log(require('is-odd')(3));\n`,
      dockerfile: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'COPY services/odds services/odds',
        'CMD ["node", "services/odds/main.js"]',
        '',
      ].join('\n'),
    });
    // Its Dockerfile reads no root manifest (it installs nothing): its context holds none.
    ws.addService('plain');
    await ws.commit('two services with npm dependencies');
  });
  afterAll(() => {
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("keeps only each service's dependency closure", async () => {
    const numbers = await writeContext('numbers', 'numbers-1');
    const odds = await writeContext('odds', 'odds-1');
    expect(numbers.packageJson.dependencies).toEqual({ 'is-number': '^7.0.0' });
    expect(Object.keys(numbers.lock.packages).filter(Boolean)).toEqual(['node_modules/is-number']);
    expect(odds.packageJson.dependencies).toEqual({ 'is-odd': '^3.0.1' });
    // is-odd depends on is-number@6: the closure, not just the direct dependency.
    expect(Object.keys(odds.lock.packages).filter(Boolean).sort()).toEqual([
      'node_modules/is-number',
      'node_modules/is-odd',
    ]);
    expect(odds.lock.packages['node_modules/is-number']?.version).toMatch(/^6\./);
  });

  it('sends no package.json or lockfile to a Dockerfile that reads neither', async () => {
    const plain = await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', 'plain'], {
      cwd: ws.root,
      env: ws.env(),
    });
    expect(plain.stdout.trim().split('\n').sort()).toEqual(
      expect.arrayContaining(['services/plain/Dockerfile', 'services/plain/main.js']),
    );
    expect(plain.stdout).not.toMatch(/^package(-lock)?\.json$/m);
  });

  it("hashes the package manager's settings it sends beside the root manifests (a cached build never outlives an .npmrc change)", async () => {
    ws.write('.npmrc', 'fund=false\n');
    await ws.commit('npm settings');
    try {
      const listed = await runOk(join(ws.root, 'node_modules/.bin/nx-fleet'), ['context', 'numbers'], {
        cwd: ws.root,
        env: ws.env(),
      });
      expect(listed.stdout).toMatch(/^\.npmrc$/m);
      const isInput = async (service: string) =>
        (await ws.nx(['show', 'target', 'inputs', `${service}:docker-build`, '--check', '.npmrc'])).code === 0;
      expect(await isInput('numbers')).toBe(true);
      expect(await isInput('odds')).toBe(true);
      // Its Dockerfile reads no root manifest: the context holds no .npmrc.
      expect(await isInput('plain')).toBe(false);
    } finally {
      ws.remove('.npmrc');
      await ws.commit('no npm settings');
    }
  });

  it('builds an image that installs the pruned lockfile with npm ci', async () => {
    await ws.nxOk(['run', 'numbers:docker-build', '--output-style=static'], { retryNetwork: true });
    const image = ws.readJson<{ localRef: string }>('dist/fleet/services/numbers/image.json');
    if (engine === 'podman')
      expect((await runOk('podman', ['run', '--rm', image.localRef])).stdout.trim()).toBe('true');
  });

  it('names a committed file .gitignore matches, which it sends and Nx does not hash, when a cached build runs', async () => {
    ws.write('services/odds/version.js', "module.exports = '1';\n");
    await ws.commit('a version file');
    ws.write('.gitignore', `${ws.read('.gitignore')}\nservices/odds/version.js\n`);
    await ws.commit('the version file is written by a script now');
    const built = await ws.nxOk(['run', 'odds:docker-build', '--output-style=stream']);
    expect(built.stdout + built.stderr).toMatch(
      /odds: its build context \. sends 1 file \(services\/odds\/version\.js\), which matches ignore rules Nx follows \(\.gitignore, \.ignore, \.nxignore\), so Nx does not hash it.*It is committed: change the rule that matches it so Nx hashes it \(`git check-ignore -v --no-index services\/odds\/version\.js` names a \.gitignore one\)/s,
    );
    expect(ws.readJson<{ contentTag: string }>('dist/fleet/services/odds/image.json').contentTag).toMatch(/^ct-/);
    // nx-fleet context says it too, the context written out or not.
    const out = join(mkdtempSync(join(tmpdir(), 'nx-fleet-odds-')), 'context');
    try {
      for (const args of [[], ['--out', out]]) {
        const context = await ws.bin('nx-fleet', ['context', 'odds', ...args]);
        expect(context.code).toBe(0);
        expect(context.stderr).toMatch(/odds: its build context \. sends 1 file \(services\/odds\/version\.js\)/);
      }
      expect(readFileSync(join(out, 'services/odds/version.js'), 'utf8')).toBe("module.exports = '1';\n");
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });

  it('names what git ignores in a folder the Dockerfile copies, which docker build would send and the pruned context leaves out', async () => {
    ws.write('.gitignore', `${ws.read('.gitignore')}\nservices/numbers/generated/\n`);
    // A new content tag, so the engine builds.
    ws.write('services/numbers/main.js', `${ws.read('services/numbers/main.js')}// generated docs\n`);
    await ws.commit('generated sources are git-ignored');
    ws.write('services/numbers/generated/docs.js', 'module.exports = [];\n');
    const built = await ws.nxOk(['run', 'numbers:docker-build', '--output-style=stream']);
    expect(built.stdout + built.stderr).toMatch(
      /numbers: its pruned context leaves out what git ignores in the folders its Dockerfile copies, which `docker build` from the workspace root would send: services\/numbers\/generated\//,
    );
  });

  it("names a project nested in a dependency's folder that the service does not depend on: sent, and hashed only once Nx knows", async () => {
    ws.write('libs/words/project.json', JSON.stringify({ name: 'words' }));
    // Loaded by a path only known at run time (plane's i18n): no import Nx can follow.
    ws.write('libs/words/index.js', 'module.exports = (lang) => require(`./locales/${lang}/messages.json`);\n');
    // A translation folder that is a project of its own (plane's locales: a file named project.json).
    ws.write('libs/words/locales/en/project.json', JSON.stringify({ name: 'words-en' }));
    ws.write('libs/words/locales/en/messages.json', '{ "hello": "hello" }\n');
    // turbo prune after COPY . . (turbo is not in this base image: the fallback copies the same closure).
    const dir = ws.addService('speaker', {
      dockerfile: [
        'FROM node:20 AS prune',
        'WORKDIR /repo',
        'COPY . .',
        'RUN if command -v turbo >/dev/null 2>&1; then turbo prune speaker --docker; else mkdir -p out/full && cp -r libs out/full/; fi',
        'FROM node:20',
        'WORKDIR /app',
        'COPY --from=prune /repo/out/full .',
        'CMD ["cat", "libs/words/locales/en/messages.json"]',
        '',
      ].join('\n'),
    });
    ws.write(`${dir}/project.json`, JSON.stringify({ name: 'speaker', implicitDependencies: ['words'] }));
    await ws.commit('a service on a library with a nested project');
    const built = await ws.nxOk(['run', 'speaker:docker-build', '--output-style=stream']);
    expect(built.stdout + built.stderr).toMatch(
      /speaker: its pruned context holds the files of words-en \(libs\/words\/locales\/en\), nested in libs\/words, a project it depends on, .*Make the project in libs\/words depend on it \("implicitDependencies": \["words-en"\]\)/,
    );
    const affected = async () =>
      JSON.parse(
        (await ws.nxOk(['show', 'projects', '--affected', '--files=libs/words/locales/en/messages.json', '--json']))
          .stdout,
      ) as string[];
    expect(await affected()).not.toContain('speaker');
    // As the warning says: then Nx hashes its files for the service, and a change there makes it affected.
    ws.write('libs/words/project.json', JSON.stringify({ name: 'words', implicitDependencies: ['words-en'] }));
    await ws.commit('words depends on its locale');
    expect(await affected()).toContain('speaker');
    const again = await ws.nxOk(['run', 'speaker:docker-build', '--output-style=stream', '--skip-nx-cache']);
    expect(again.stdout + again.stderr).not.toMatch(/its pruned context holds the files of/);
  });

  it('a dependency change only another service uses leaves this context byte-identical', async () => {
    const before = await writeContext('numbers', 'numbers-2');
    const oddsBefore = await writeContext('odds', 'odds-2');
    await runOk('npm', ['install', '--no-fund', '--no-audit', 'is-odd@3.0.0'], { cwd: ws.root, env: ws.env() });
    await ws.commit('is-odd 3.0.0');
    expect((await writeContext('numbers', 'numbers-3')).bytes).toEqual(before.bytes);
    expect((await writeContext('odds', 'odds-3')).bytes).not.toEqual(oddsBefore.bytes);
  });

  it("a prune tool after manifests copied by name: another service's manifest is no input (overleaf's yarn workspaces focus)", async () => {
    ws.write('services/odds/package.json', `${JSON.stringify({ name: 'odds', private: true })}\n`);
    const dir = ws.addService('focus', {
      dockerfile: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'COPY services/focus/package.json services/focus/',
        'RUN yarn workspaces focus focus --production',
        'COPY services/focus services/focus',
        'CMD ["node", "services/focus/main.js"]',
        '',
      ].join('\n'),
    });
    ws.write(`${dir}/package.json`, `${JSON.stringify({ name: 'focus', private: true })}\n`);
    await ws.commit('a service pruned by a tool in its build');
    const affected = async (file: string) =>
      JSON.parse((await ws.nxOk(['show', 'projects', '--affected', `--files=${file}`, '--json'])).stdout) as string[];
    expect(await affected('services/odds/package.json')).not.toContain('focus');
    expect(await affected('services/focus/package.json')).toContain('focus');
    expect(await affected('package-lock.json')).toContain('focus');
    const context = await ws.bin('nx-fleet', ['context', 'focus']);
    expect(context.code).toBe(0);
    const files = context.stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'services/focus/package.json']));
    expect(files).not.toContain('services/odds/package.json');
  });
});
