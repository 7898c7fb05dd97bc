import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import type { FilePort } from '../../io/ports';

/**
 * The one reader of private keys: PEM text (PKCS#8 or SEC1, optionally encrypted) into a key object.
 * The key's text must never reach a log: errors say only what kind of problem it is.
 */
export function readPrivateKey(pem: string, passphrase?: string): KeyObject {
  if (/-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(pem)) {
    throw new Error(
      "nx-fleet: this is cosign's own encrypted key format, which only cosign can read. Use a PEM key instead: `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out cosign.key` (import it into cosign with `cosign import-key-pair --key cosign.key` if cosign signs too).",
    );
  }
  try {
    return createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  } catch (error) {
    if (!passphrase && pem.includes('ENCRYPTED'))
      throw new Error(
        'nx-fleet: the signing key could not be read (it is encrypted): set FLEET_SIGNING_KEY_PASSWORD to its passphrase.',
      );
    throw new Error(
      `nx-fleet: the signing key could not be read (${(error as NodeJS.ErrnoException).code ?? 'not a PEM private key'}). Give a PKCS#8 PEM private key (ECDSA P-256 or Ed25519) in FLEET_SIGNING_KEY or the signingKey option, and FLEET_SIGNING_KEY_PASSWORD if it is encrypted.`,
    );
  }
}

/** A private key re-exported unencrypted for the signer, with its public key; kept in memory only. */
export function loadSigningKey(pem: string, passphrase?: string): { privateKeyPem: string; publicKeyPem: string } {
  const key = readPrivateKey(pem, passphrase);
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * A key setting's text: the PEM itself (a CI secret) or the path of a file holding it, relative to
 * the workspace. `unreadable` words the error from the file's path and the reason (an errno code).
 */
export async function keyText(
  value: string,
  workspaceRoot: string,
  files: Pick<FilePort, 'readText'>,
  unreadable: (file: string, code: string | undefined) => Error,
): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  const file = resolve(workspaceRoot, value);
  let text: string | undefined;
  try {
    text = await files.readText(file);
  } catch (error) {
    throw unreadable(file, (error as NodeJS.ErrnoException).code);
  }
  if (text === undefined) throw unreadable(file, 'ENOENT');
  return text;
}
