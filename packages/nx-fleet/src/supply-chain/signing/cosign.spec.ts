import { describe, it, expect } from 'vitest';
import { cosignSignArgs, cosignVerifyArgs } from './cosign';

const reference = `registry.local:5000/acme/orders@sha256:${'ab'.repeat(32)}`;
const identity = 'https://github.com/acme/fleet/.github/workflows/release.yml@refs/heads/main';
const issuer = 'https://token.actions.githubusercontent.com';

describe('cosignSignArgs (argument construction only: cosign is not installed here)', () => {
  it('signs with a key', () => {
    expect(cosignSignArgs({ reference, key: 'cosign.key', tlsVerify: true })).toEqual([
      'sign',
      '--yes',
      '--key',
      'cosign.key',
      reference,
    ]);
  });

  it('passes a KMS URI as the key unchanged', () => {
    expect(cosignSignArgs({ reference, key: 'awskms:///alias/fleet', tlsVerify: true })).toEqual([
      'sign',
      '--yes',
      '--key',
      'awskms:///alias/fleet',
      reference,
    ]);
  });

  it('signs keyless without a key', () => {
    expect(cosignSignArgs({ reference, tlsVerify: true })).toEqual(['sign', '--yes', reference]);
  });

  it('allows an insecure and a plain-HTTP registry when TLS verification is off, reference last', () => {
    expect(cosignSignArgs({ reference, key: 'cosign.key', tlsVerify: false })).toEqual([
      'sign',
      '--yes',
      '--key',
      'cosign.key',
      '--allow-insecure-registry',
      '--allow-http-registry',
      reference,
    ]);
  });

  it.each([
    ['a tag', 'registry.local:5000/acme/orders:1.2.3'],
    ['a bare repository', 'registry.local:5000/acme/orders'],
    ['a short digest', 'acme/orders@sha256:abc'],
    ['an uppercase digest', `acme/orders@sha256:${'AB'.repeat(32)}`],
    ['two digests', `acme/orders@sha256:${'ab'.repeat(32)}@sha256:${'ab'.repeat(32)}`],
    ['a flag-like reference', `--key=evil@sha256:${'ab'.repeat(32)}`],
  ])('refuses to sign %s', (_label, ref) => {
    expect(() => cosignSignArgs({ reference: ref, key: 'cosign.key', tlsVerify: true })).toThrow(
      /^nx-fleet: cosign must sign an image by digest/,
    );
  });

  it('accepts a tag next to the digest: the digest is what is signed', () => {
    const tagged = `acme/orders:1.2.3@sha256:${'ab'.repeat(32)}`;
    expect(cosignSignArgs({ reference: tagged, tlsVerify: true }).at(-1)).toBe(tagged);
  });

  it('refuses an empty key instead of silently signing keyless', () => {
    expect(() => cosignSignArgs({ reference, key: '', tlsVerify: true })).toThrow(/the cosign key is empty/);
  });
});

describe('cosignVerifyArgs (argument construction only: cosign is not installed here)', () => {
  it('verifies with a key', () => {
    expect(cosignVerifyArgs({ reference, key: 'cosign.pub', tlsVerify: true })).toEqual([
      'verify',
      '--key',
      'cosign.pub',
      reference,
    ]);
  });

  it('verifies keyless with the certificate identity and issuer', () => {
    expect(
      cosignVerifyArgs({ reference, certificateIdentity: identity, certificateOidcIssuer: issuer, tlsVerify: true }),
    ).toEqual(['verify', '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, reference]);
  });

  it('allows an insecure and a plain-HTTP registry when TLS verification is off', () => {
    expect(cosignVerifyArgs({ reference, key: 'cosign.pub', tlsVerify: false })).toEqual([
      'verify',
      '--key',
      'cosign.pub',
      '--allow-insecure-registry',
      '--allow-http-registry',
      reference,
    ]);
  });

  it.each([
    ['no identity and no issuer', {}],
    ['an identity only', { certificateIdentity: identity }],
    ['an issuer only', { certificateOidcIssuer: issuer }],
    ['an empty identity', { certificateIdentity: '', certificateOidcIssuer: issuer }],
  ])('refuses keyless verification with %s', (_label, extra) => {
    expect(() => cosignVerifyArgs({ reference, tlsVerify: true, ...extra })).toThrow(
      /^nx-fleet: keyless verification needs certificateIdentity and certificateOidcIssuer/,
    );
  });

  it('refuses a key together with a certificate identity', () => {
    expect(() =>
      cosignVerifyArgs({
        reference,
        key: 'cosign.pub',
        certificateIdentity: identity,
        certificateOidcIssuer: issuer,
        tlsVerify: true,
      }),
    ).toThrow(/apply to keyless verification only/);
  });

  it('refuses to verify a tag', () => {
    expect(() => cosignVerifyArgs({ reference: 'acme/orders:latest', key: 'cosign.pub', tlsVerify: true })).toThrow(
      /^nx-fleet: cosign must verify an image by digest/,
    );
  });
});
