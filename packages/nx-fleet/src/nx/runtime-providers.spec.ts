import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  FILES_FOR_A_PROCESS_OF_ITS_OWN,
  runtimeProviderRootsApart,
  SCAN_PROCESS_ENV,
  scansApart,
  type RuntimeProvidersInput,
  type ScanStats,
} from './runtime-providers';

describe('scansApart', () => {
  it.each([
    ['the daemon never', true, 50_000, true, false],
    ['the option, when it is a boolean', false, 10, true, true],
    ['the option off, however large', false, 50_000, false, false],
    ['by default, from the threshold', false, FILES_FOR_A_PROCESS_OF_ITS_OWN, undefined, true],
    ['by default, below it', false, FILES_FOR_A_PROCESS_OF_ITS_OWN - 1, undefined, false],
    ['a value that is no boolean counts as unset', false, FILES_FOR_A_PROCESS_OF_ITS_OWN, 'yes', true],
  ])('%s', (_label, daemon, files, option, expected) => {
    expect(scansApart(daemon, files, option, {})).toBe(expected);
  });

  it('never inside the scan process itself, whatever the option', () => {
    expect(scansApart(false, 50_000, true, { [SCAN_PROCESS_ENV]: '1' })).toBe(false);
  });
});

describe('runtimeProviderRootsApart (a real process; the scan itself is runtime-providers-process.ts, run by the e2e suite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-apart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, onQuestion: string) => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, `process.once('message', (q) => { ${onQuestion} });\n`);
    return file;
  };
  const input = () => ({
    workspaceRoot: '/ws',
    // No service: the scan here (the fallback) answers at once, and says it ran here (no `apart`).
    projects: [{ name: 'lib', root: 'libs/lib', tags: [], isService: false }],
    files: [{ file: 'libs/lib/index.ts', hash: '1' }],
    options: undefined,
    cacheDirectory: join(dir, 'cache'),
    warn: vi.fn<RuntimeProvidersInput['warn']>(),
    stats: { parsed: 0, resolved: 0, imports: 0 } as ScanStats,
  });

  it("gives the process's providers, prints its warnings here, and takes its stats and CPU time", async () => {
    const answering = script(
      'answering',
      `process.send({ roots: [['svc', [q.workspaceRoot, String(q.files.length), typeof q.warn, process.env.NX_FLEET_SCAN_PROCESS]]], warnings: [['a.ts', 'nx-fleet: a.ts is odd.']], cpuMs: 12.5, stats: { ...q.stats, parsed: 3 } }, () => process.disconnect());`,
    );
    const given = input();
    const providers = await runtimeProviderRootsApart(given, answering);
    // The question is the input without its callback; the process knows it is the scan's.
    expect([...providers.roots]).toEqual([['svc', ['/ws', '1', 'undefined', '1']]]);
    expect(given.warn).toHaveBeenCalledWith('a.ts', 'nx-fleet: a.ts is odd.');
    expect(given.stats).toEqual({ parsed: 3, resolved: 0, imports: 0, apart: { cpuMs: 12.5 } });
    // No scan is kept here to compare an edit with.
    expect(providers.unchangedBy({ file: 'libs/lib/index.ts', before: '1', after: '2' })).toBe(false);
  });

  it('a scan that failed there fails here, with its reason', async () => {
    const failing = script('failing', `process.send({ error: 'the scan broke' }, () => process.disconnect());`);
    await expect(runtimeProviderRootsApart(input(), failing)).rejects.toThrow('the scan broke');
  });

  it('a process that dies without an answer, or a script that is not there, leaves the scan to this process', async () => {
    const dying = script('dying', 'process.exit(3);');
    for (const path of [dying, join(dir, 'missing.js')]) {
      const given = input();
      const providers = await runtimeProviderRootsApart(given, path);
      expect([...providers.roots]).toEqual([]);
      expect(given.stats?.apart).toBeUndefined();
    }
  });
});
