import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../io/ports';
import { ToolNotFoundError } from '../../io/process';
import { fakeProcesses, memoryFiles, type ProcessAnswer } from '../../testing/fake-ports';
import { signingKeyPair } from '../../testing/registry-image';
import { prepareSigning, readSigningKey, type SigningOptions } from './settings';

const root = '/ws';
const keys = signingKeyPair();

function portsWith(env: Env, files: Record<string, string> = {}, cosign?: ProcessAnswer) {
  const processes = fakeProcesses(() => cosign);
  return { ports: { env, files: memoryFiles(files), processes }, calls: processes.calls };
}

describe('prepareSigning', () => {
  it.each<[string, Env, SigningOptions]>([
    ['nothing is set', {}, {}],
    ['the option says none', {}, { sign: 'none' }],
    ['FLEET_SIGN=none overrides the option', { FLEET_SIGN: 'none' }, { sign: 'sigstore' }],
  ])('does not sign when %s, and runs nothing', async (_case, env, options) => {
    const { ports, calls } = portsWith(env);
    expect(await prepareSigning(ports, options, root)).toEqual({ method: 'none' });
    expect(calls).toEqual([]);
  });

  it('names FLEET_SIGN and the methods for an unknown method', async () => {
    const { ports } = portsWith({ FLEET_SIGN: 'gpg' });
    await expect(prepareSigning(ports, {}, root)).rejects.toThrow(
      'nx-fleet: FLEET_SIGN is "gpg"; use none, sigstore or cosign.',
    );
  });

  it.each<[string, Env, SigningOptions, Record<string, string>]>([
    ['FLEET_SIGNING_KEY holding the PEM', { FLEET_SIGN: 'sigstore', FLEET_SIGNING_KEY: keys.privateKeyPem }, {}, {}],
    [
      'the signingKey option naming a file',
      {},
      { sign: 'sigstore', signingKey: 'keys/fleet.pem' },
      {
        [join(root, 'keys/fleet.pem')]: keys.privateKeyPem,
      },
    ],
    [
      'FLEET_SIGNING_KEY naming a file, over the option',
      { FLEET_SIGNING_KEY: '/secrets/k.pem' },
      {
        sign: 'sigstore',
        signingKey: 'missing.pem',
      },
      { '/secrets/k.pem': keys.privateKeyPem },
    ],
  ])('sigstore: loads the key from %s', async (_case, env, options, files) => {
    const { ports, calls } = portsWith(env, files);
    expect(await prepareSigning(ports, options, root)).toEqual({ method: 'sigstore', key: keys });
    expect(calls).toEqual([]);
  });

  it('sigstore: asks for a key when none is configured', async () => {
    const { ports } = portsWith({}, {});
    await expect(prepareSigning(ports, { sign: 'sigstore' }, root)).rejects.toThrow(
      'nx-fleet: sign is "sigstore" but no key is configured: set FLEET_SIGNING_KEY (a PEM private key or its path) or signing.key in the nx-fleet plugin options.',
    );
  });

  it('sigstore: names the key file it could not read', async () => {
    const { ports } = portsWith({}, {});
    await expect(prepareSigning(ports, { sign: 'sigstore', signingKey: 'keys/none.pem' }, root)).rejects.toThrow(
      `nx-fleet: the signing key file ${join(root, 'keys/none.pem')} could not be read (ENOENT). Check FLEET_SIGNING_KEY or signing.key.`,
    );
  });

  it('cosign: asks for a key or keyless when neither is set, before running cosign', async () => {
    const { ports, calls } = portsWith({ FLEET_SIGN: 'cosign' });
    await expect(prepareSigning(ports, {}, root)).rejects.toThrow(
      'nx-fleet: sign is "cosign" but no key is configured: set signing.key in the nx-fleet plugin options (the signingKey option) or FLEET_SIGNING_KEY, or keyless: true.',
    );
    expect(calls).toEqual([]);
  });

  it.each<[string, Env, SigningOptions, { method: 'cosign'; key?: string }]>([
    ['a key option', {}, { sign: 'cosign', signingKey: 'cosign.key' }, { method: 'cosign', key: 'cosign.key' }],
    [
      'FLEET_SIGNING_KEY over the option',
      { FLEET_SIGNING_KEY: 'kms://k' },
      { sign: 'cosign', signingKey: 'x' },
      {
        method: 'cosign',
        key: 'kms://k',
      },
    ],
    ['keyless', {}, { sign: 'cosign', keyless: true }, { method: 'cosign' }],
  ])('cosign: with %s, checks cosign is installed', async (_case, env, options, signing) => {
    const { ports, calls } = portsWith(env);
    expect(await prepareSigning(ports, options, root)).toEqual(signing);
    expect(calls).toEqual([{ method: 'run', command: 'cosign', args: ['version'] }]);
  });

  it('cosign: a PEM in FLEET_SIGNING_KEY goes by reference (env://), its text only in the environment', async () => {
    const { ports, calls } = portsWith({ FLEET_SIGN: 'cosign', FLEET_SIGNING_KEY: keys.privateKeyPem });
    expect(await prepareSigning(ports, {}, root)).toEqual({
      method: 'cosign',
      key: 'env://FLEET_SIGNING_KEY',
      env: { FLEET_SIGNING_KEY: keys.privateKeyPem },
    });
    expect(JSON.stringify(calls)).not.toContain('PRIVATE KEY');
  });

  it('cosign: refuses a PEM in the signingKey option (it cannot go by reference)', async () => {
    const { ports } = portsWith({});
    await expect(prepareSigning(ports, { sign: 'cosign', signingKey: keys.privateKeyPem }, root)).rejects.toThrow(
      /signing.key holds a key's text; put the key in FLEET_SIGNING_KEY/,
    );
  });

  it('cosign: says how to install it, or to use the built-in signer, when it is missing', async () => {
    const { ports } = portsWith({}, {}, new ToolNotFoundError('cosign'));
    const error = await prepareSigning(ports, { sign: 'cosign', keyless: true }, root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as Error).message).toBe(
      'nx-fleet: "cosign" was not found on PATH. Install cosign (https://docs.sigstore.dev/cosign/system_config/installation/), or use the built-in signer: signing.method "sigstore".',
    );
  });
});

describe('readSigningKey', () => {
  it('passes an inline PEM through without reading a file', async () => {
    const { ports } = portsWith({ FLEET_SIGNING_KEY: keys.privateKeyPem });
    expect(await readSigningKey(ports, {}, root)).toBe(keys.privateKeyPem);
  });
});
