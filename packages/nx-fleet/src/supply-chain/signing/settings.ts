import { setting } from '../../config/settings';
import type { Ports } from '../../io/ports';
import { ToolNotFoundError } from '../../io/process';
import { COSIGN_KEY_VARIABLE, isKeyText } from './cosign';
import { keyText, loadSigningKey } from './keys';

/** docker-push's signing options (the plugin's `signing` setting fills them). */
export interface SigningOptions {
  sign?: 'none' | 'sigstore' | 'cosign';
  signingKey?: string;
  keyless?: boolean;
}

export type Signing =
  | { method: 'none' }
  | { method: 'sigstore'; key: { privateKeyPem: string; publicKeyPem: string } }
  | {
      method: 'cosign';
      /** A path, a KMS URI or `env://FLEET_SIGNING_KEY`: never the key's text. */
      key?: string;
      /** What cosign's environment needs for `env://` (its caller passes it as RunOptions.addEnv). */
      env?: Record<string, string>;
    };

export type SigningPorts = Pick<Ports, 'env' | 'files' | 'processes'>;

/** Everything signing needs, checked before anything is pushed: bad settings leave the registry untouched. */
export async function prepareSigning(
  ports: SigningPorts,
  options: SigningOptions,
  workspaceRoot: string,
): Promise<Signing> {
  const method = setting(ports.env, 'sign', options.sign) ?? 'none';
  if (method === 'none') return { method };
  if (method === 'sigstore')
    return {
      method,
      key: loadSigningKey(
        await readSigningKey(ports, options, workspaceRoot),
        setting(ports.env, 'signingKeyPassword'),
      ),
    };
  if (method !== 'cosign') throw new Error(`nx-fleet: FLEET_SIGN is "${method}"; use none, sigstore or cosign.`);
  const key = setting(ports.env, 'signingKey', options.signingKey);
  if (!key && !options.keyless)
    throw new Error(
      'nx-fleet: sign is "cosign" but no key is configured: set signing.key in the nx-fleet plugin options (the signingKey option) or FLEET_SIGNING_KEY, or keyless: true.',
    );
  await ports.processes.run('cosign', ['version']).catch((error: unknown) => {
    throw error instanceof ToolNotFoundError
      ? new ToolNotFoundError(
          'cosign',
          'Install cosign (https://docs.sigstore.dev/cosign/system_config/installation/), or use the built-in signer: signing.method "sigstore".',
        )
      : error;
  });
  if (key && isKeyText(key)) {
    // The PEM stays in the environment cosign inherits; only its variable's name goes on the command line.
    if (ports.env[COSIGN_KEY_VARIABLE] !== key)
      throw new Error(
        `nx-fleet: signing.key holds a key's text; put the key in ${COSIGN_KEY_VARIABLE} (a CI secret) or in a file and give its path.`,
      );
    return { method, key: `env://${COSIGN_KEY_VARIABLE}`, env: { [COSIGN_KEY_VARIABLE]: key } };
  }
  return { method, ...(key ? { key } : {}) };
}

/** FLEET_SIGNING_KEY (the PEM itself, for CI secrets, or a path), else the signingKey option's file. */
export async function readSigningKey(
  ports: Pick<SigningPorts, 'env' | 'files'>,
  options: SigningOptions,
  workspaceRoot: string,
): Promise<string> {
  const value = setting(ports.env, 'signingKey', options.signingKey);
  if (!value)
    throw new Error(
      'nx-fleet: sign is "sigstore" but no key is configured: set FLEET_SIGNING_KEY (a PEM private key or its path) or signing.key in the nx-fleet plugin options.',
    );
  return keyText(
    value,
    workspaceRoot,
    ports.files,
    (file, code) =>
      new Error(
        `nx-fleet: the signing key file ${file} could not be read (${code}). Check FLEET_SIGNING_KEY or signing.key.`,
      ),
  );
}
