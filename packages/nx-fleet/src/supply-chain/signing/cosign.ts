// A tag can move between signing and pushing; a digest cannot. The
// first character may not be "-", so a reference is never read as a flag.
const DIGEST_REFERENCE = /^[^\s@-][^\s@]*@sha256:[0-9a-f]{64}$/;

export function cosignSignArgs(input: { reference: string; key?: string; tlsVerify: boolean }): string[] {
  // --yes: nx-fleet runs unattended, and keyless signing otherwise stops to ask about the public log.
  return ['sign', '--yes', ...keyArgs(input.key), ...registryArgs(input.tlsVerify), pinned(input.reference)];
}

function pinned(reference: string): string {
  if (!DIGEST_REFERENCE.test(reference)) {
    throw new Error(
      `nx-fleet: cosign must sign an image by digest, not "${reference}"; pass <repository>@sha256:<64 hex>, the digest the push reported.`,
    );
  }
  return reference;
}

function keyArgs(key: string | undefined): string[] {
  if (key === undefined) return [];
  // An empty key would otherwise fall through to keyless signing with someone's OIDC identity.
  if (key === '')
    throw new Error(
      'nx-fleet: the cosign key is empty; pass a key file path or KMS URI, or leave it out for keyless signing.',
    );
  // A key's text on cosign's command line would be in `ps` and in every failure log: cosign reads it
  // from a variable instead (`env://NAME`, see prepareSigning).
  if (isKeyText(key))
    throw new Error(
      `nx-fleet: the cosign key is the key's text, which would go on cosign's command line; put it in ${COSIGN_KEY_VARIABLE} (nx-fleet passes it as --key env://${COSIGN_KEY_VARIABLE}) or give a key file path or KMS URI.`,
    );
  return ['--key', key];
}

/** Where an inline key is for cosign: the variable nx-fleet already reads it from. */
export const COSIGN_KEY_VARIABLE = 'FLEET_SIGNING_KEY';

/** A PEM or cosign's own key format, as opposed to a path, `env://…` or a KMS URI. */
export function isKeyText(key: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(key) || key.includes('\n');
}

// tlsVerify=false means a local or test registry: skip certificate checks and allow plain HTTP.
function registryArgs(tlsVerify: boolean): string[] {
  return tlsVerify ? [] : ['--allow-insecure-registry', '--allow-http-registry'];
}
