import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ts } from 'ts-morph';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDirectory, requireWithCodeCache } from './code-cache';

describe('requireWithCodeCache', () => {
  let dir: string;
  let file: string;
  let cache: string;
  const forget = () => delete createRequire(file).cache[file];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
    mkdirSync(join(dir, 'node_modules', 'big', 'lib'), { recursive: true });
    file = join(dir, 'node_modules', 'big', 'lib', 'index.js');
    cache = join(dir, 'node_modules', '.cache', 'nx-fleet');
    writeFileSync(join(dir, 'node_modules', 'big', 'lib', 'helper.js'), 'module.exports = 41;\n');
    writeFileSync(
      file,
      [
        "const helper = require('./helper');",
        'exports.answer = () => helper + 1;',
        'exports.where = [__filename, __dirname];',
        'exports.self = module;',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => {
    forget();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a CommonJS load (its own require, __filename, __dirname), kept in the node_modules it is installed in', () => {
    expect(codeCacheDirectory(file)).toBe(cache);
    const first = requireWithCodeCache<{ answer(): number; where: string[] }>(file, codeCacheDirectory(file));
    expect(first.from).toBe('compiled');
    expect(first.exports.answer()).toBe(42);
    expect(first.exports.where).toEqual([file, join(dir, 'node_modules', 'big', 'lib')]);
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^index\.js-[0-9a-f]{20}\.v8$/)]);
  });

  it("is Node's module for that file: a later require of it gets the same instance", () => {
    const { exports } = requireWithCodeCache<{ self: { loaded: boolean } }>(file, cache);
    expect(createRequire(file)(file)).toBe(exports);
    expect(exports.self.loaded).toBe(true);
    expect(requireWithCodeCache(file, cache)).toEqual({ exports, from: 'loaded before' });
  });

  it("loads V8's kept code in the next process; compiles (and keeps anew) when the content changed or the code is damaged", () => {
    // Across processes, as in use: within one, V8's own compilation cache answers before the kept code is read.
    const loader = join(dir, 'code-cache.js');
    const source = readFileSync(join(__dirname, 'code-cache.ts'), 'utf8');
    writeFileSync(
      loader,
      ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText,
    );
    const loadAnew = () =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `const { requireWithCodeCache } = require(${JSON.stringify(loader)});
           const { exports, from } = requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)});
           process.stdout.write(from + ' ' + (typeof exports.answer === 'function' ? exports.answer() : exports.answer));`,
        ],
        { encoding: 'utf8' },
      );
    expect(loadAnew()).toBe('compiled 42');
    expect(loadAnew()).toBe('cache 42');
    const [kept] = readdirSync(cache);
    writeFileSync(join(cache, kept!), 'not V8 code');
    expect(loadAnew()).toBe('compiled 42');
    expect(loadAnew()).toBe('cache 42');
    const before = readdirSync(cache);
    writeFileSync(file, 'exports.answer = 7;\n');
    expect(loadAnew()).toBe('compiled 7');
    expect(loadAnew()).toBe('cache 7');
    // One kept file per file name: the older version's code is gone.
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^index\.js-[0-9a-f]{20}\.v8$/)]);
    expect(readdirSync(cache)).not.toEqual(before);
  });

  it('loads where nothing can be kept, and keeps nothing outside a node_modules folder', () => {
    // A folder that cannot be made (a file is in the way), whoever runs the test.
    const blocked = join(dir, 'node_modules', 'big', 'lib', 'helper.js', 'cache');
    const loaded = requireWithCodeCache<{ answer(): number }>(file, blocked);
    expect(loaded.exports.answer()).toBe(42);
    expect(loaded.from).toBe('compiled');
    expect(readdirSync(join(dir, 'node_modules', 'big', 'lib'))).toEqual(['helper.js', 'index.js']);
    expect(codeCacheDirectory(join(dir, 'lib', 'index.js'))).toBeUndefined();
  });

  it('leaves no trace of a load that throws', () => {
    writeFileSync(file, "throw new Error('broken package');\n");
    expect(() => requireWithCodeCache(file, cache)).toThrow('broken package');
    expect(createRequire(file).cache[file]).toBeUndefined();
  });
});
