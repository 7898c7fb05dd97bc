import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { requireTool, runOk, run, type Engine } from './tools';

export const NODE_BASE_IMAGE = 'localhost/nx-fleet-node:20';
/** Extra names so an unmodified `FROM node:20` resolves from local storage, without network. */
export const NODE_BASE_ALIASES = ['docker.io/library/node:20', 'localhost/node:20'];

const APPLETS =
  'sh ls cat mkdir rm cp mv echo env wget id adduser addgroup chown chmod ln sleep true test grep sed tar'.split(' ');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const IMAGE_ENV = [
  'PATH=/usr/local/bin:/usr/bin:/bin',
  `NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
  // An image build's `npm ci` reaches the registry through a proxy: more, shorter retries than npm's two.
  'npm_config_fetch_retries=5',
  'npm_config_fetch_retry_mintimeout=2000',
  'npm_config_fetch_retry_maxtimeout=20000',
];

const pending = new Map<Engine, Promise<string>>();

/**
 * Makes sure a minimal Node 20 image (host node + its libs, busybox, npm, CA bundle) exists in the
 * engine's local storage, since images cannot be pulled here. Returns its reference.
 */
export function ensureNodeBaseImage(engine: Engine): Promise<string> {
  let p = pending.get(engine);
  if (!p) {
    p = ensure(engine);
    pending.set(engine, p);
    p.catch(() => pending.delete(engine)); // let a later call retry
  }
  return p;
}

async function ensure(engine: Engine): Promise<string> {
  const bin = requireTool(engine);
  const exists =
    engine === 'podman'
      ? await run(bin, ['image', 'exists', NODE_BASE_IMAGE])
      : await run(bin, ['inspect', '--type', 'image', NODE_BASE_IMAGE]);
  if (exists.code !== 0) await build(engine, bin);
  await runOk(bin, ['tag', NODE_BASE_IMAGE, ...NODE_BASE_ALIASES]);
  return NODE_BASE_IMAGE;
}

async function build(engine: Engine, bin: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'nx-fleet-base-'));
  try {
    const root = join(work, 'root');
    await assembleRootfs(root);
    // Ownership comes from tar, not from whoever ran this: root everywhere except the node user's home.
    const tarBin = requireTool('tar');
    const archive = join(work, 'rootfs.tar');
    const owner = (id: number) => ['--numeric-owner', `--owner=${id}`, `--group=${id}`];
    await runOk(tarBin, ['-C', root, ...owner(0), '--exclude=./home/node', '-cf', archive, '.']);
    await runOk(tarBin, ['-C', root, ...owner(1000), '-rf', archive, './home/node']);

    if (engine === 'podman') {
      const changes = [...IMAGE_ENV.map((e) => `ENV ${e}`), 'CMD ["node"]'].flatMap((c) => ['--change', c]);
      await runOk(bin, ['import', ...changes, archive, NODE_BASE_IMAGE]);
    } else {
      const ctr = (await runOk(bin, ['from', 'scratch'])).stdout.trim();
      try {
        await runOk(bin, ['add', ctr, archive, '/']); // a local tar is extracted, ownership kept
        await runOk(bin, ['config', ...IMAGE_ENV.flatMap((e) => ['--env', e]), '--cmd', '["node"]', ctr]);
        await runOk(bin, ['commit', ctr, NODE_BASE_IMAGE]);
      } finally {
        await run(bin, ['rm', ctr]);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function assembleRootfs(root: string): Promise<void> {
  const put = (abs: string) => {
    const dest = join(root, abs);
    mkdirSync(dirname(dest), { recursive: true });
    return dest;
  };
  const copyExecutable = (from: string, to: string) => {
    copyFileSync(from, put(to)); // follows symlinks: the image gets real files
    chmodSync(join(root, to), 0o755);
  };
  const writeScript = (abs: string, body: string) => {
    writeFileSync(put(abs), body);
    chmodSync(join(root, abs), 0o755);
  };

  copyExecutable(process.execPath, '/usr/local/bin/node');
  for (const lib of await sharedLibraries(process.execPath)) copyExecutable(lib, lib);

  copyExecutable(requireTool('busybox'), '/bin/busybox');
  for (const applet of APPLETS) symlinkSync('busybox', put(`/bin/${applet}`));
  symlinkSync('/bin/busybox', put('/usr/bin/env')); // `#!/usr/bin/env node` shebangs hardcode this path

  // npm expects to live under the node prefix (/usr/local) to find its globals.
  cpSync(findNpm(), put('/usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  for (const [name, cli] of [
    ['npm', 'npm-cli.js'],
    ['npx', 'npx-cli.js'],
  ]) {
    writeScript(
      `/usr/local/bin/${name}`,
      `#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/${cli} "$@"\n`,
    );
  }

  if (existsSync(CA_BUNDLE)) copyFileSync(CA_BUNDLE, put(CA_BUNDLE));
  writeFileSync(put('/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
  writeFileSync(put('/etc/group'), 'root:x:0:\nnode:x:1000:\n');
  for (const dir of ['/tmp', '/root', '/home/node']) mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777); // mkdir's mode is masked by umask
}

/** Absolute paths of the shared objects (dynamic loader included) `ldd` reports for a binary. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout, stderr, code } = await run(requireTool('ldd'), [binary]);
  if (code !== 0) {
    if (/not a dynamic executable/.test(stdout + stderr)) return [];
    throw new Error(`ldd ${binary} failed (exit ${code}): ${stderr.trim()}`);
  }
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
    const path = /(\/\S+)/.exec(line)?.[1]; // the vdso line has no path
    if (path) libs.push(path);
  }
  return libs;
}

function findNpm(): string {
  const prefix = resolve(dirname(process.execPath), '..');
  const candidates = [
    join(prefix, 'lib', 'node_modules', 'npm'),
    '/usr/lib/node_modules/npm',
    '/usr/local/lib/node_modules/npm',
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'bin', 'npm-cli.js')));
  if (!found) throw new Error(`npm not found for the base image; looked in ${candidates.join(', ')}`);
  return found;
}
