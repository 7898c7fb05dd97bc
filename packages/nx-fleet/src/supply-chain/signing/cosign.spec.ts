import { describe, it, expect } from 'vitest';
import { cosignSignArgs } from './cosign';

const reference = `registry.local:5000/acme/orders@sha256:${'ab'.repeat(32)}`;

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

  it('passes an env:// key reference unchanged', () => {
    expect(cosignSignArgs({ reference, key: 'env://FLEET_SIGNING_KEY', tlsVerify: true })).toEqual([
      'sign',
      '--yes',
      '--key',
      'env://FLEET_SIGNING_KEY',
      reference,
    ]);
  });

  it.each([
    ['a PEM', '-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n'],
    [
      "cosign's own format",
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJr\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----',
    ],
  ])('refuses %s as --key: it would be on the command line', (_label, key) => {
    expect(() => cosignSignArgs({ reference, key, tlsVerify: true })).toThrow(/--key env:\/\/FLEET_SIGNING_KEY/);
  });
});
