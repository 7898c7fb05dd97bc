import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signingKeyPair } from '../../testing/registry-image';
import { memoryFiles } from '../../testing/fake-ports';
import { keyText, loadSigningKey, readPrivateKey } from './keys';

const keys = signingKeyPair();

describe('loadSigningKey', () => {
  it('reads a PKCS#8 PEM key and derives its public key', () => {
    const loaded = loadSigningKey(keys.privateKeyPem);
    expect(loaded.privateKeyPem).toBe(keys.privateKeyPem);
    expect(loaded.publicKeyPem).toBe(keys.publicKeyPem);
  });

  it('decrypts an encrypted PEM key with its passphrase and re-exports it unencrypted', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const encrypted = privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
      .toString();
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');

    const loaded = loadSigningKey(encrypted, 'correct horse');
    expect(loaded.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(loaded.privateKeyPem).toBe(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(loaded.publicKeyPem).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });

  const encryptedKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
    .toString();
  const garbage =
    '-----BEGIN PRIVATE KEY-----\nTUlJQ0lBZ0VBTUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n-----END PRIVATE KEY-----\n';

  it.each([
    ['an encrypted key with the wrong passphrase', encryptedKey, 'battery staple'],
    ['an encrypted key without its passphrase', encryptedKey, undefined],
    ['a PEM block that is not a key', garbage, undefined],
    ['text that is not PEM at all', 'my-signing-key-is-secret', undefined],
  ])('refuses %s without echoing the key, pointing at FLEET_SIGNING_KEY', (_case, pem, passphrase) => {
    let error: unknown;
    try {
      loadSigningKey(pem, passphrase);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^nx-fleet: the signing key could not be read \(/);
    expect(message).toContain('FLEET_SIGNING_KEY');
    // Neither the key text nor any line of its body may leak into a log.
    expect(message).not.toContain(pem);
    for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
      expect(message).not.toContain(line);
    if (passphrase) expect(message).not.toContain(passphrase);
  });
});

describe('readPrivateKey', () => {
  it("explains cosign's own encrypted key format rather than asking for its password", () => {
    const cosignKey =
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n';
    expect(() => readPrivateKey(cosignKey)).toThrow(/^nx-fleet: this is cosign's own encrypted key format/);
    expect(() => loadSigningKey(cosignKey, 'a passphrase')).toThrow(/cosign's own encrypted key format/);
  });

  it('reads SEC1 as well as PKCS#8 PEM', () => {
    const sec1 = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(readPrivateKey(sec1.privateKey).asymmetricKeyType).toBe('ec');
  });
});

describe('keyText', () => {
  const unreadable = (file: string, code: string | undefined) => new Error(`${file} (${code})`);
  const files = memoryFiles({ '/ws/keys/fleet.pub': 'PUBLIC KEY TEXT' });

  it('takes PEM text as the key itself, reading no file', async () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n';
    expect(await keyText(pem, '/ws', memoryFiles(), unreadable)).toBe(pem);
  });

  it('reads a path relative to the workspace, or an absolute one', async () => {
    expect(await keyText('keys/fleet.pub', '/ws', files, unreadable)).toBe('PUBLIC KEY TEXT');
    expect(await keyText('/ws/keys/fleet.pub', '/elsewhere', files, unreadable)).toBe('PUBLIC KEY TEXT');
  });

  it('words a missing file as ENOENT, and another failure with its code', async () => {
    await expect(keyText('keys/none.pub', '/ws', files, unreadable)).rejects.toThrow('/ws/keys/none.pub (ENOENT)');
    const failing = {
      readText: () => Promise.reject(Object.assign(new Error('is a directory'), { code: 'EISDIR' })),
    };
    await expect(keyText('keys', '/ws', failing, unreadable)).rejects.toThrow('/ws/keys (EISDIR)');
  });
});
