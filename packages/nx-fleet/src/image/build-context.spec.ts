import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeProcesses } from '../io/ports';
import {
  filterContext,
  interpolatedOutput,
  gitIgnoredEntries,
  hashContextFiles,
  leftOutOfPruned,
  listContextFiles,
  parseIgnoreFile,
  pathSummary,
  volatileFoldersIn,
  readIgnorePatterns,
  undeclaredOutputs,
  unhashedContextFiles,
  unhashedOf,
  type DependedBuild,
} from './build-context';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-fleet-context-spec-'));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function write(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp, file)), { recursive: true });
    writeFileSync(join(tmp, file), text);
  }
}

describe('parseIgnoreFile', () => {
  it('drops comments and blank lines, trims, and accepts CRLF', () => {
    expect(
      parseIgnoreFile('# deps\nnode_modules\n\n   \r\n  *.log  \r\n!keep.log\n  # indented comment\ndist/**\n'),
    ).toEqual(['node_modules', '*.log', '!keep.log', 'dist/**']);
  });

  it('returns nothing for an empty file', () => {
    expect(parseIgnoreFile('')).toEqual([]);
  });
});

describe('filterContext', () => {
  const paths = [
    'src/main.ts',
    'README.md',
    'docs/guide.md',
    'node_modules/x/index.js',
    'a.log',
    'keep.log',
    'deep/nested/b.log',
    'Dockerfile',
    '.env',
  ];

  it('keeps everything, sorted, without patterns', () => {
    expect(filterContext(paths, [])).toEqual([...paths].sort());
  });

  it('returns sorted paths and does not mutate its input', () => {
    const input = ['b', 'a', 'c'];
    expect(filterContext(input, [])).toEqual(['a', 'b', 'c']);
    expect(input).toEqual(['b', 'a', 'c']);
  });

  it('ignores a directory and everything in it', () => {
    expect(filterContext(paths, ['node_modules'])).not.toContain('node_modules/x/index.js');
  });

  it('anchors a bare glob at the context root, as docker does', () => {
    const kept = filterContext(paths, ['*.md', '*.log']);
    expect(kept).not.toContain('README.md');
    expect(kept).not.toContain('a.log');
    expect(kept).toContain('docs/guide.md');
    expect(kept).toContain('deep/nested/b.log');
  });

  it('matches any depth with **', () => {
    const kept = filterContext(paths, ['**/*.log', '**/*.md']);
    expect(kept).toEqual(['.env', 'Dockerfile', 'node_modules/x/index.js', 'src/main.ts']);
  });

  it('re-includes a path with a later ! exception', () => {
    expect(filterContext(paths, ['**/*.log', '!keep.log'])).toEqual([
      '.env',
      'Dockerfile',
      'README.md',
      'docs/guide.md',
      'keep.log',
      'node_modules/x/index.js',
      'src/main.ts',
    ]);
  });

  it('lets the last matching pattern win', () => {
    expect(filterContext(['keep.log'], ['!keep.log', '*.log'])).toEqual([]);
  });

  it('supports the "ignore all, then allow" style', () => {
    expect(filterContext(paths, ['*', '!src', '!Dockerfile'])).toEqual(['Dockerfile', 'src/main.ts']);
  });

  it('is case sensitive', () => {
    expect(filterContext(['README.md', 'readme.md'], ['README.md'])).toEqual(['readme.md']);
  });

  it('ignores dotfiles when asked to', () => {
    expect(filterContext(paths, ['.env'])).not.toContain('.env');
  });
});

describe('readIgnorePatterns', () => {
  it('reads .dockerignore at the context root', () => {
    write({ '.dockerignore': '# x\nnode_modules\n', Dockerfile: 'FROM scratch\n' });
    expect(readIgnorePatterns(tmp, join(tmp, 'Dockerfile'))).toEqual(['node_modules']);
  });

  it('prefers <Dockerfile>.dockerignore over .dockerignore', () => {
    write({
      '.dockerignore': 'from-root\n',
      'docker/api.Dockerfile': 'FROM scratch\n',
      'docker/api.Dockerfile.dockerignore': 'from-dockerfile\n!keep\n',
    });
    expect(readIgnorePatterns(tmp, join(tmp, 'docker/api.Dockerfile'))).toEqual(['from-dockerfile', '!keep']);
  });

  it('returns nothing when there is no ignore file', () => {
    write({ Dockerfile: 'FROM scratch\n' });
    expect(readIgnorePatterns(tmp, join(tmp, 'Dockerfile'))).toEqual([]);
  });
});

describe('listContextFiles', () => {
  it('lists files (not directories) with dotfiles, posix, sorted, minus ignored ones', async () => {
    write({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'node_modules\n*.log\n',
      '.env.example': 'A=1\n',
      '.config/settings.json': '{}',
      'src/main.ts': 'console.log(1);\n',
      'src/nested/deep.ts': 'export {};\n',
      'node_modules/dep/index.js': '',
      'debug.log': 'x',
    });
    mkdirSync(join(tmp, 'empty-dir'));
    expect(await listContextFiles(tmp, join(tmp, 'Dockerfile'))).toEqual([
      '.config/settings.json',
      '.dockerignore',
      '.env.example',
      'Dockerfile',
      'src/main.ts',
      'src/nested/deep.ts',
    ]);
  });

  it('lists symbolic links as the engine sends them: to a file, to a folder, to nothing; never followed', async () => {
    write({ Dockerfile: 'FROM scratch\n', 'docs/guide.md': '# guide\n' });
    mkdirSync(join(tmp, 'links'));
    symlinkSync('../docs/guide.md', join(tmp, 'links/file'));
    symlinkSync('../docs', join(tmp, 'links/folder'));
    symlinkSync('../nowhere', join(tmp, 'links/dangling'));
    expect(await listContextFiles(tmp, join(tmp, 'Dockerfile'))).toEqual([
      'Dockerfile',
      'docs/guide.md',
      'links/dangling',
      'links/file',
      'links/folder',
    ]);
  });

  it('uses <Dockerfile>.dockerignore when there is one', async () => {
    write({
      Dockerfile: 'FROM scratch\n',
      'Dockerfile.dockerignore': 'src\n',
      '.dockerignore': 'Dockerfile\n',
      'src/main.ts': '',
    });
    expect(await listContextFiles(tmp, join(tmp, 'Dockerfile'))).toEqual([
      '.dockerignore',
      'Dockerfile',
      'Dockerfile.dockerignore',
    ]);
  });
});

describe('hashContextFiles', () => {
  it('gives the sha256 hex of each file, in the given order', async () => {
    write({ 'a.txt': 'hello\n', 'dir/b.bin': '' });
    expect(await hashContextFiles(tmp, ['dir/b.bin', 'a.txt'])).toEqual([
      { path: 'dir/b.bin', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { path: 'a.txt', sha256: createHash('sha256').update('hello\n').digest('hex') },
    ]);
    expect(createHash('sha256').update('hello\n').digest('hex')).toBe(
      '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
    );
  });

  it('hashes binary content byte for byte', async () => {
    const bytes = Buffer.from([0, 255, 128, 10, 13]);
    writeFileSync(join(tmp, 'x.bin'), bytes);
    expect(await hashContextFiles(tmp, ['x.bin'])).toEqual([
      { path: 'x.bin', sha256: createHash('sha256').update(bytes).digest('hex') },
    ]);
  });

  it('hashes a file larger than one read (streamed) the same way', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'nx-fleet');
    writeFileSync(join(tmp, 'big.bin'), big);
    writeFileSync(join(tmp, 'edge.bin'), big.subarray(0, 1024 * 1024));
    expect(await hashContextFiles(tmp, ['big.bin', 'edge.bin'])).toEqual([
      { path: 'big.bin', sha256: createHash('sha256').update(big).digest('hex') },
      {
        path: 'edge.bin',
        sha256: createHash('sha256')
          .update(big.subarray(0, 1024 * 1024))
          .digest('hex'),
      },
    ]);
  });

  it('hashes a link by where it points (as git keeps it), whatever is there, even a folder or nothing', async () => {
    write({ 'a.txt': 'hello\n' });
    symlinkSync('a.txt', join(tmp, 'to-file'));
    symlinkSync('.', join(tmp, 'to-folder'));
    symlinkSync('nowhere', join(tmp, 'dangling'));
    const link = (target: string) => createHash('sha256').update(`symlink\0${target}`).digest('hex');
    expect(await hashContextFiles(tmp, ['to-file', 'to-folder', 'dangling'])).toEqual([
      { path: 'to-file', sha256: link('a.txt') },
      { path: 'to-folder', sha256: link('.') },
      { path: 'dangling', sha256: link('nowhere') },
    ]);
    // A link and a file holding its target's path differ.
    write({ 'plain.txt': 'a.txt' });
    expect((await hashContextFiles(tmp, ['plain.txt']))[0]!.sha256).not.toBe(link('a.txt'));
  });

  it('rejects for a missing file', async () => {
    await expect(hashContextFiles(tmp, ['missing.txt'])).rejects.toThrow(/ENOENT/);
  });
});

describe('gitIgnoredEntries (real git)', () => {
  const git = (...args: string[]) => nodeProcesses.runOk('git', args, { cwd: tmp });

  it('lists what git ignores under the folder, relative to it: files, whole folders as dir/, tracked ignored files too', async () => {
    write({
      '.gitignore': 'coverage\n.env\n*.log\nkept.txt\n',
      'svc/src/a.ts': '',
      'svc/coverage/lcov.info': '',
      'svc/debug.log': '',
      'svc/kept.txt': '',
      '.env': 'SECRET=1\n',
    });
    await git('init', '-q');
    await git('add', '.gitignore', 'svc/src');
    await git('add', '-f', 'svc/kept.txt');
    const atRoot = await gitIgnoredEntries({ processes: nodeProcesses }, tmp);
    expect(atRoot?.entries.sort()).toEqual(['.env', 'svc/coverage/', 'svc/debug.log', 'svc/kept.txt']);
    expect([...atRoot!.committed]).toEqual(['svc/kept.txt']);
    const inFolder = await gitIgnoredEntries({ processes: nodeProcesses }, join(tmp, 'svc'));
    expect(inFolder?.entries.sort()).toEqual(['coverage/', 'debug.log', 'kept.txt']);
    expect([...inFolder!.committed]).toEqual(['kept.txt']);
  });

  it("also lists what the ignore files Nx's walker reads leave out (inngest's ripgrep .ignore over vendor/), committed or not", async () => {
    write({
      '.gitignore': 'coverage\n',
      '.ignore': '/vendor/*\n!/vendor/acme\n',
      'vendor/lib/mod.go': '',
      'vendor/acme/mod.go': '',
      'main.go': '',
      'coverage/lcov.info': '',
    });
    await git('init', '-q');
    await git('add', '.gitignore', '.ignore', 'vendor', 'main.go');
    const ignored = await gitIgnoredEntries({ processes: nodeProcesses }, tmp);
    expect(ignored?.entries.sort()).toEqual(['coverage/', 'vendor/lib/mod.go']);
    expect([...ignored!.committed]).toEqual(['vendor/lib/mod.go']);
    // What git's own rules do not match is told apart: git check-ignore cannot name its rule.
    expect([...(ignored!.walkerOnly ?? [])]).toEqual([['vendor/lib/mod.go', '.ignore']]);
  });

  it("reads a walker's ignore file above the folder, as git does from the checkout's root down (karakeep's root .ignore)", async () => {
    write({ '.ignore': 'apps/api/gen/\n', 'apps/api/gen/a.json': '{}', 'apps/api/src/main.ts': '' });
    await git('init', '-q');
    await git('add', '.');
    const inProject = await gitIgnoredEntries({ processes: nodeProcesses }, join(tmp, 'apps/api'));
    expect(inProject?.entries).toEqual(['gen/a.json']);
    expect([...inProject!.committed]).toEqual(['gen/a.json']);
  });

  it('is undefined outside a git checkout', async () => {
    write({ 'a.txt': '' });
    expect(await gitIgnoredEntries({ processes: nodeProcesses }, tmp)).toBeUndefined();
  });
});

describe('unhashedContextFiles', () => {
  const listed = [
    '.env',
    '.nx/cache/x',
    'Dockerfile',
    'coverage/lcov.info',
    'coverage/sub/a.json',
    'dist/fleet/image.json',
    'libs/ui/dist/index.js',
    'src/main.ts',
    'src/main.ts.log',
  ];

  it('keeps the listed files git ignores, by name or under an ignored folder', () => {
    expect(unhashedContextFiles(listed, ['.env', 'coverage/', 'src/main.ts.log', 'not-listed.txt'], [])).toEqual([
      '.env',
      'coverage/lcov.info',
      'coverage/sub/a.json',
      'src/main.ts.log',
    ]);
  });

  it("leaves out the build outputs Nx hashes as the build task's and the volatile folders, warned of apart", () => {
    expect(unhashedContextFiles(listed, ['.nx/', 'dist/', 'libs/ui/dist/', '.env'], ['libs/ui/dist'])).toEqual([
      '.env',
    ]);
  });

  it('finds none when git ignores nothing the engine sends', () => {
    expect(unhashedContextFiles(listed, ['node_modules/', 'tmp/'], [])).toEqual([]);
  });

  it("reads an output that is a glob as one, as nx-fleet infers the manifests an image copies from its build (harmony's dist/apps/<app>/package*.json)", () => {
    const built = ['dist/apps/api/package.json', 'dist/apps/api/package-lock.json', 'dist/apps/api/main.js'];
    expect(unhashedContextFiles(built, ['dist/'], ['dist/apps/api/package*.json'])).toEqual(['dist/apps/api/main.js']);
  });
});

describe('leftOutOfPruned', () => {
  const ignored = [
    'frontend/app/src/lib/generated/',
    'frontend/app/node_modules/',
    'frontend/app/dist/',
    'frontend/app/.env.local',
    'frontend/app/debug.log',
    'frontend/app/tsconfig.tsbuildinfo',
    'frontend/app/.turbo/',
    'frontend/app/src/config.local.json',
    'frontend/docs/generated/',
    'sdks/typescript/src/version.ts',
    // What a Next.js build in the image writes again, a linter's cache, a test runner's reports.
    'frontend/app/next-env.d.ts',
    'frontend/app/.eslintcache',
    'frontend/app/test-results/',
    'frontend/app/playwright-report/',
    'frontend/app/.react-router/',
    'frontend/app/.astro/',
  ];

  it("names what git ignores in the copied folders that the ignore file keeps, but for dependencies, tools' folders, outputs and local files", () => {
    expect(leftOutOfPruned(['frontend/app'], ignored, [], [])).toEqual([
      'frontend/app/src/lib/generated/',
      'frontend/app/src/config.local.json',
    ]);
    expect(leftOutOfPruned(['frontend/app'], ignored, ['**/*.local.json'], [])).toEqual([
      'frontend/app/src/lib/generated/',
    ]);
    expect(leftOutOfPruned(['frontend/app'], ignored, [], ['frontend/app/src/lib/generated'])).toEqual([
      'frontend/app/src/config.local.json',
    ]);
    // COPY . . copies every folder.
    expect(leftOutOfPruned(['.'], ignored, ['frontend/app'], [])).toEqual([
      'frontend/docs/generated/',
      'sdks/typescript/src/version.ts',
    ]);
    expect(leftOutOfPruned(['backend'], ignored, [], [])).toEqual([]);
  });
});

describe('volatileFoldersIn', () => {
  it("names the folders Nx, git and nx-fleet rewrite as they run, but not git's HEAD and branch refs alone (etherpad)", () => {
    expect(
      volatileFoldersIn(['src/a.ts', '.nx/workspace-data/file-map.json', '.git/index', 'dist/fleet/image.json']),
    ).toEqual(['.nx/workspace-data', '.git', 'dist/fleet']);
    expect(volatileFoldersIn(['src/a.ts', '.git/HEAD', '.git/refs/heads/develop', '.git/config'])).toEqual([]);
    expect(volatileFoldersIn(['.git/HEAD', '.git/logs/HEAD'])).toEqual(['.git']);
    expect(volatileFoldersIn(['.git/refs/remotes/origin/main'])).toEqual(['.git']);
    expect(volatileFoldersIn(['.gitignore', 'src/.git-keep'])).toEqual([]);
  });
});

describe('pathSummary', () => {
  it('names a folder once with its count, files at the top by name, the first few', () => {
    const coverage = Array.from({ length: 12 }, (_, i) => `coverage/f${i}.html`);
    expect(pathSummary(['.env', ...coverage, 'dist/', 'tmp/a', 'tmp/b', 'x', 'y'])).toBe(
      '.env, coverage/ (12 files), dist/, tmp/ (2 files), x and 1 more',
    );
    expect(pathSummary(['a/x', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a/x, b, c, d, e and 2 more');
  });

  it("splits a folder into its subfolders while the list stays short, and narrows one to what its paths share (standardnotes' packages)", () => {
    expect(pathSummary(['.env', 'packages/auth/dist/', 'packages/common/dist/', 'node_modules/'])).toBe(
      '.env, packages/auth/dist/, packages/common/dist/, node_modules/',
    );
    // Files directly in a folder keep it whole.
    expect(pathSummary(['.env', 'coverage/a', 'coverage/b/c'])).toBe('.env, coverage/ (2 files)');
    expect(pathSummary(['apps/web/.next/a', 'apps/web/.next/b', 'apps/web/.next/c'])).toBe('apps/web/.next/ (3 files)');
    // Split, it would name more than the five shown.
    const many = ['a/1/x', 'a/2/x', 'a/3/x', 'a/4/x', 'a/5/x', 'b'];
    expect(pathSummary(many)).toBe('a/ (5 files), b');
  });
});

describe('undeclaredOutputs', () => {
  const build = (outputs: string[], options: Record<string, unknown> = {}): DependedBuild => ({
    project: 'sandbox',
    target: 'build',
    root: 'packages/sandbox',
    outputs,
    options,
  });

  it('names the context outputs no depended-on build declares (a package.json script declares none)', () => {
    expect(undeclaredOutputs(['packages/sandbox/dist'], [build([])])).toEqual(['packages/sandbox/dist']);
    expect(undeclaredOutputs(['packages/sandbox/dist'], [])).toEqual(['packages/sandbox/dist']);
    expect(undeclaredOutputs(['packages/sandbox/dist'], [build(['{projectRoot}/build'])])).toEqual([
      'packages/sandbox/dist',
    ]);
  });

  it('counts an output declared over, under or at the folder, with Nx tokens and globs resolved', () => {
    for (const outputs of [
      ['{projectRoot}/dist'],
      ['{workspaceRoot}/packages/sandbox/dist/'],
      ['{projectRoot}/dist/**/*.js'],
      ['{projectRoot}'],
      ['{workspaceRoot}/dist/{projectName}', '{projectRoot}/dist/index.js'],
      ['{options.outputPath}'],
    ])
      expect(
        undeclaredOutputs(['packages/sandbox/dist'], [build(outputs, { outputPath: 'packages/sandbox/dist' })]),
      ).toEqual([]);
    // An option Nx would resolve that is not set here: not claimed undeclared.
    expect(undeclaredOutputs(['packages/sandbox/dist'], [build(['{options.outDir}'])])).toEqual([]);
    // A negation declares nothing.
    expect(undeclaredOutputs(['packages/sandbox/dist'], [build(['!{projectRoot}/dist/cache'])])).toEqual([
      'packages/sandbox/dist',
    ]);
  });
});

describe('unhashedOf', () => {
  it("tells which unhashed files only a walker's ignore file matches, by a file's entry or its folder's", () => {
    const unhashed = unhashedOf(
      ['gen/a.json', 'vendor/x/mod.go', 'vendor/y.go', 'coverage/lcov.info', 'src/main.ts'],
      {
        entries: ['gen/a.json', 'vendor/', 'coverage/'],
        committed: new Set(['gen/a.json', 'vendor/x/mod.go', 'vendor/y.go']),
        walkerOnly: new Map([
          ['gen/a.json', '.ignore'],
          ['vendor/', '.nxignore'],
        ]),
      },
      [],
      'apps/api',
    );
    expect([...unhashed.files].sort()).toEqual(['coverage/lcov.info', 'gen/a.json', 'vendor/x/mod.go', 'vendor/y.go']);
    expect([...(unhashed.walkerOnly ?? [])]).toEqual([
      ['gen/a.json', '.ignore'],
      ['vendor/x/mod.go', '.nxignore'],
      ['vendor/y.go', '.nxignore'],
    ]);
  });
});

describe('interpolatedOutput', () => {
  const target = {
    root: 'apps/api',
    project: 'api-svc',
    options: { outputPath: '{workspaceRoot}/dist/apps/{projectName}' },
  };
  it.each([
    ['{options.outputPath}', 'dist/apps/api-svc'],
    ['{workspaceRoot}/dist/{projectRoot}', 'dist/apps/api'],
    ['{projectRoot}/build', 'apps/api/build'],
    ['{options.outputFile}', undefined],
    ['{workspaceRoot}/{unknown}/x', undefined],
  ])('%s: %s', (output, expected) => {
    expect(interpolatedOutput(output, target)).toBe(expected);
  });
});
