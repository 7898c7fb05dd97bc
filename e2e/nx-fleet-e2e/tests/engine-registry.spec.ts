import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeBaseImage } from '../../../tools/fleet-harness/src/base-image';
import { type RunningRegistry, startRegistry } from '../../../tools/fleet-harness/src/registry';
import { detectEngine, forgetImage, requireTool, runOk } from '../../../tools/fleet-harness/src/tools';

// Proves the tool layer end to end: local base image -> build -> run -> push -> registry digest.
describe('container engine + local registry', () => {
  const engine = detectEngine();
  const bin = requireTool(engine);
  let registry: RunningRegistry | undefined;
  let context: string;
  let image: string;

  beforeAll(async () => {
    context = mkdtempSync(join(tmpdir(), 'nx-fleet-e2e-ctx-'));
    registry = await startRegistry();
    image = `${registry.host}/e2e/hello:1`;
  });

  afterAll(async () => {
    await registry?.stop();
    if (image) await forgetImage(engine, image);
    rmSync(context, { recursive: true, force: true });
  });

  it('starts an empty registry', async () => {
    expect(registry!.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await registry!.tags('e2e/hello')).toEqual([]);
    expect(await registry!.manifestDigest('e2e/hello', '1')).toBeUndefined();
  });

  it('builds FROM node:20, runs, pushes and reads the same digest back', async () => {
    await ensureNodeBaseImage(engine);

    writeFileSync(join(context, 'hello.js'), "console.log('hello from node ' + process.version);\n");
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        'FROM node:20',
        'COPY hello.js /app/hello.js',
        'RUN node /app/hello.js > /app/out.txt',
        'CMD ["node","/app/hello.js"]',
        '',
      ].join('\n'),
    );
    const build =
      engine === 'podman'
        ? ['build', '--layers', '-t', image, context]
        : ['bud', '--isolation', 'chroot', '--layers', '-t', image, context];
    await runOk(bin, build, { timeoutMs: 120_000 });

    if (engine === 'podman') {
      const { stdout } = await runOk(bin, ['run', '--rm', image], { timeoutMs: 60_000 });
      expect(stdout.trim()).toBe(`hello from node ${process.version}`);
    }

    const digestFile = join(context, 'digest');
    await runOk(bin, ['push', '--tls-verify=false', '--digestfile', digestFile, image, `docker://${image}`], {
      timeoutMs: 120_000,
    });
    const pushed = readFileSync(digestFile, 'utf8').trim();

    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry!.manifestDigest('e2e/hello', '1')).toBe(pushed);
    expect(await registry!.tags('e2e/hello')).toEqual(['1']);

    await registry!.deleteRepo('e2e/hello');
    expect(await registry!.manifestDigest('e2e/hello', '1')).toBeUndefined();
  }, 300_000);
});
