import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  askApart,
  computesApart,
  FILES_FOR_A_PROCESS_OF_ITS_OWN,
  NODES_PROCESS_ENV,
  type ApartAnswer,
  type ApartQuestion,
} from './create-nodes-apart';

describe('computesApart', () => {
  it.each([
    ['the daemon never', true, 50_000, true, false],
    ['the option, when it is a boolean', false, 10, true, true],
    ['the option off, however large', false, 50_000, false, false],
    ['by default, from the threshold', false, FILES_FOR_A_PROCESS_OF_ITS_OWN, undefined, true],
    ['by default, below it', false, FILES_FOR_A_PROCESS_OF_ITS_OWN - 1, undefined, false],
    ['a value that is no boolean counts as unset', false, FILES_FOR_A_PROCESS_OF_ITS_OWN, 'yes', true],
  ])('%s', (_label, daemon, files, option, expected) => {
    expect(computesApart(daemon, files, option, {})).toBe(expected);
  });

  it('never inside that process itself, whatever the option', () => {
    expect(computesApart(false, 50_000, true, { [NODES_PROCESS_ENV]: '1' })).toBe(false);
  });
});

describe('askApart (a real process; the script itself is create-nodes-process.ts, run by the e2e suite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-apart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, onQuestion: string) => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, `process.once('message', (q) => { ${onQuestion} });\n`);
    return file;
  };
  const question: ApartQuestion = {
    files: ['services/a/Dockerfile'],
    options: { runtimeGraph: { ownProcess: true } },
    context: { workspaceRoot: '/ws', nxJsonConfiguration: {} },
    workspaceFiles: [{ file: 'services/a/Dockerfile', hash: '1' }],
    cacheDirectory: join(dir, 'cache'),
  };

  it('hands the process the question and gives its answer, an error object included; the process knows it is the one', async () => {
    const answering = script(
      'answering',
      `process.send({ outcomes: [{ file: q.files[0], result: { projects: { [q.context.workspaceRoot]: {} } } }, { file: 'b', error: new TypeError('b broke') }], warnings: [['k', String(q.workspaceFiles.length)]], logs: [process.env.${NODES_PROCESS_ENV}], cpuMs: 12.5 }, () => process.disconnect());`,
    );
    const answer = (await askApart(question, answering)) as Extract<ApartAnswer, { outcomes: unknown }>;
    expect(answer.outcomes[0]).toEqual({ file: 'services/a/Dockerfile', result: { projects: { '/ws': {} } } });
    const failed = answer.outcomes[1] as { file: string; error: Error };
    expect(failed.error).toBeInstanceOf(Error);
    expect(failed.error.message).toBe('b broke');
    expect(answer.warnings).toEqual([['k', '1']]);
    expect(answer.logs).toEqual(['1']);
    expect(answer.cpuMs).toBe(12.5);
  });

  it('rejects when the process dies without an answer, or the script is not there', async () => {
    await expect(askApart(question, script('dying', 'process.exit(3);'))).rejects.toThrow(/exited with 3/);
    await expect(askApart(question, join(dir, 'missing.js'))).rejects.toThrow(/is not there/);
  });
});
