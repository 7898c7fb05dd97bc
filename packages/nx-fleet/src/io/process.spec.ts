import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askScript, run, ToolFailedError, type RunResult } from './process';

const CANARY = 'canary-s3cr3t-91bc';
const failed = (stderr = ''): RunResult => ({ code: 1, stdout: '', stdoutBytes: Buffer.from(''), stderr });

describe('ToolFailedError', () => {
  it('shows the command line with secret values, env values and URL credentials redacted', () => {
    const error = new ToolFailedError(
      'skopeo',
      ['copy', '--dest-creds', `fleet:${CANARY}`, `docker://u:${CANARY}@reg.local/a:1`, '--env', `T=${CANARY}`],
      failed(`unauthorized: http://fleet:${CANARY}@reg.local refused`),
      false,
    );
    expect(error.message).not.toContain(CANARY);
    expect(error.message).toBe(
      'nx-fleet: `skopeo copy --dest-creds *** docker://***@reg.local/a:1 --env T=***` exited with code 1:\nunauthorized: http://***@reg.local refused',
    );
  });

  it('keeps the raw args and output off what console.error / util.inspect print', async () => {
    const { inspect } = await import('node:util');
    // echoed: the output is not in the message (the user saw it streamed), so only the fields could show it.
    const error = new ToolFailedError('podman', ['login', '--password', CANARY], failed(`pw ${CANARY}`), true);
    expect(inspect(error)).not.toContain(CANARY);
    expect(error.args).toEqual(['login', '--password', CANARY]);
    expect(error.result.stderr).toBe(`pw ${CANARY}`);
  });

  it('redacts a PEM given as cosign --key and in the output', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${CANARY}\n-----END PRIVATE KEY-----`;
    const error = new ToolFailedError('cosign', ['sign', '--key', pem, 'r@sha256:x'], failed(`bad key ${pem}`), false);
    expect(error.message).not.toContain(CANARY);
    expect(error.message).toContain('`cosign sign --key *** r@sha256:x`');
  });
});

describe('run: timeoutMs', () => {
  it('stops a tool that runs past it and says so; one that finishes in time is not marked', async () => {
    const slow = await run(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
    expect(slow.code).not.toBe(0);
    const quick = await run(process.execPath, ['-e', 'process.exit(3)'], { timeoutMs: 10_000 });
    expect(quick).toMatchObject({ code: 3 });
    expect(quick.timedOut).toBeUndefined();
  });
});

describe('run: addEnv', () => {
  it("adds variables to the child's environment, keeping the others", async () => {
    const result = await run(
      process.execPath,
      ['-e', 'process.stdout.write(`${process.env.FLEET_CANARY}|${typeof process.env.PATH}`)'],
      { addEnv: { FLEET_CANARY: CANARY } },
    );
    expect(result.stdout).toBe(`${CANARY}|string`);
  });

  it('adds them on top of a given env', async () => {
    const result = await run(process.execPath, ['-e', 'process.stdout.write(`${process.env.A}${process.env.B}`)'], {
      env: { A: 'a', PATH: process.env['PATH'] },
      addEnv: { B: 'b' },
    });
    expect(result.stdout).toBe('ab');
  });
});

describe('askScript', () => {
  it("runs the script with none of this process's Node flags: a process started with `-e` does not run its code again", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-fleet-ask-'));
    const script = join(dir, 'answer.js');
    writeFileSync(
      script,
      "process.once('message', (q) => process.send({ q, execArgv: process.execArgv, added: process.env.ASKED }, () => process.disconnect()));\n",
    );
    const execArgv = process.execArgv;
    // As in `node -e '<code>'`: inherited, the flag would run that code instead of the script.
    process.execArgv = ['-e', 'process.exit(9)'];
    try {
      expect(await askScript(script, { n: new Map([['a', 1]]) }, { ASKED: 'yes' })).toEqual({
        q: { n: new Map([['a', 1]]) },
        execArgv: [],
        added: 'yes',
      });
    } finally {
      process.execArgv = execArgv;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
