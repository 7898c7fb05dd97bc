// A tag can move between signing and pushing (or verifying and pulling); a digest cannot. The
// first character may not be "-", so a reference is never read as a flag.
const DIGEST_REFERENCE = /^[^\s@-][^\s@]*@sha256:[0-9a-f]{64}$/;

export function cosignSignArgs(input: { reference: string; key?: string; tlsVerify: boolean }): string[] {
  // --yes: nx-fleet runs unattended, and keyless signing otherwise stops to ask about the public log.
  return ['sign', '--yes', ...keyArgs(input.key), ...registryArgs(input.tlsVerify), pinned(input.reference, 'sign')];
}

export function cosignVerifyArgs(input: {
  reference: string;
  key?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  tlsVerify: boolean;
}): string[] {
  return ['verify', ...verifierArgs(input), ...registryArgs(input.tlsVerify), pinned(input.reference, 'verify')];
}

function pinned(reference: string, verb: 'sign' | 'verify'): string {
  if (!DIGEST_REFERENCE.test(reference)) {
    throw new Error(
      `nx-fleet: cosign must ${verb} an image by digest, not "${reference}"; pass <repository>@sha256:<64 hex>, the digest the push reported.`,
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
  return ['--key', key];
}

function verifierArgs(input: { key?: string; certificateIdentity?: string; certificateOidcIssuer?: string }): string[] {
  const { key, certificateIdentity: identity, certificateOidcIssuer: issuer } = input;
  if (key !== undefined) {
    // A key signature carries no certificate, so an identity given here would look enforced and not be.
    if (identity !== undefined || issuer !== undefined) {
      throw new Error(
        'nx-fleet: certificateIdentity and certificateOidcIssuer apply to keyless verification only; pass either a key or both of them.',
      );
    }
    return keyArgs(key);
  }
  if (!identity || !issuer) {
    throw new Error(
      "nx-fleet: keyless verification needs certificateIdentity and certificateOidcIssuer (e.g. the signing workflow's URL and https://token.actions.githubusercontent.com); without them any Fulcio identity would pass.",
    );
  }
  return ['--certificate-identity', identity, '--certificate-oidc-issuer', issuer];
}

// tlsVerify=false means a local or test registry: skip certificate checks and allow plain HTTP.
function registryArgs(tlsVerify: boolean): string[] {
  return tlsVerify ? [] : ['--allow-insecure-registry', '--allow-http-registry'];
}
