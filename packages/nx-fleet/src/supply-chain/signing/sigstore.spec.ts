import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { describe, it, expect } from 'vitest';
import {
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  SignatureVerificationError,
  signImageDigest,
  verifyImageSignature,
  type SerializedBundle,
} from './sigstore';

const repository = 'registry.local:5000/acme/orders';
const digest = `sha256:${'a1'.repeat(32)}`;
const otherDigest = `sha256:${'b2'.repeat(32)}`;

function pemPair(kind: 'p256' | 'p384' | 'ed25519' | 'rsa'): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } =
    kind === 'p256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : kind === 'p384'
        ? generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        : kind === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const p256 = pemPair('p256');
const ed25519 = pemPair('ed25519');

function envelopeOf(bundle: SerializedBundle) {
  if (!bundle.dsseEnvelope) throw new Error('test setup: no DSSE envelope');
  return bundle.dsseEnvelope;
}

function statementOf(bundle: SerializedBundle) {
  return JSON.parse(Buffer.from(envelopeOf(bundle).payload, 'base64').toString('utf8'));
}

function verifyError(run: () => void): SignatureVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect((error as Error).message).toMatch(/^nx-fleet: /);
    return error as SignatureVerificationError;
  }
  throw new Error('expected verification to fail');
}

describe.each([
  ['ECDSA P-256', p256],
  ['Ed25519', ed25519],
])('signImageDigest / verifyImageSignature with %s', (_name, keys) => {
  it('signs a digest and verifies it with the public key, repository included', async () => {
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem });
    expect(() => verifyImageSignature({ bundle, digest, publicKeyPem: keys.publicKeyPem, repository })).not.toThrow();
  });

  it('produces a v0.3 bundle with a DSSE in-toto statement naming the repository and digest, and no witnesses', async () => {
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem });
    expect(bundle.mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPE);
    expect(envelopeOf(bundle).payloadType).toBe('application/vnd.in-toto+json');
    expect(envelopeOf(bundle).signatures).toHaveLength(1);
    expect(bundle.verificationMaterial.publicKey?.hint).toMatch(/^[0-9a-f]{64}$/);
    // Proto3 JSON drops empty lists, although SerializedBundle types tlogEntries as always present.
    expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []).toEqual([]);
    expect(statementOf(bundle)).toEqual(imageStatement());
  });

  it('still verifies after a JSON.stringify / JSON.parse round trip', async () => {
    const bundle: unknown = JSON.parse(
      JSON.stringify(await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem })),
    );
    expect(() => verifyImageSignature({ bundle, digest, publicKeyPem: keys.publicKeyPem })).not.toThrow();
  });

  it('rejects the bundle of another image', async () => {
    const bundle = await signImageDigest({ repository, digest: otherDigest, privateKeyPem: keys.privateKeyPem });
    const error = verifyError(() => verifyImageSignature({ bundle, digest, publicKeyPem: keys.publicKeyPem }));
    expect(error.message).toContain('signs another image');
    expect(error.message).toContain(otherDigest);
  });

  it('rejects a tampered payload', async () => {
    const bundle = await signImageDigest({ repository, digest: otherDigest, privateKeyPem: keys.privateKeyPem });
    const envelope = envelopeOf(bundle);
    // Re-point the signed statement at the image under verification: one character changes.
    const statement = Buffer.from(envelope.payload, 'base64').toString('utf8').replace('"sha256":"b2', '"sha256":"a2');
    const forged = { ...bundle, dsseEnvelope: { ...envelope, payload: Buffer.from(statement).toString('base64') } };
    const error = verifyError(() =>
      verifyImageSignature({
        bundle: forged,
        digest: otherDigest.replace('b2', 'a2'),
        publicKeyPem: keys.publicKeyPem,
      }),
    );
    expect(error.message).toContain('signature does not verify');
  });

  it('rejects a tampered signature', async () => {
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem });
    const envelope = envelopeOf(bundle);
    const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
    sig[sig.length - 1] ^= 0x01;
    const forged = {
      ...bundle,
      dsseEnvelope: { ...envelope, signatures: [{ ...envelope.signatures[0], sig: sig.toString('base64') }] },
    };
    const error = verifyError(() => verifyImageSignature({ bundle: forged, digest, publicKeyPem: keys.publicKeyPem }));
    expect(error.message).toContain('signature does not verify');
  });

  it('rejects another key, also when the bundle claims that key in its hint', async () => {
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem });
    const other = pemPair('p256');
    expect(
      verifyError(() => verifyImageSignature({ bundle, digest, publicKeyPem: other.publicKeyPem })).message,
    ).toContain('signed by another key');

    const otherHint =
      (await signImageDigest({ repository, digest, privateKeyPem: other.privateKeyPem })).verificationMaterial.publicKey
        ?.hint ?? '';
    const relabelled = {
      ...bundle,
      verificationMaterial: { ...bundle.verificationMaterial, publicKey: { hint: otherHint } },
    };
    expect(
      verifyError(() => verifyImageSignature({ bundle: relabelled, digest, publicKeyPem: other.publicKeyPem })).message,
    ).toContain('signature does not verify');
  });

  it('rejects a repository other than the signed one', async () => {
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: keys.privateKeyPem });
    const error = verifyError(() =>
      verifyImageSignature({
        bundle,
        digest,
        publicKeyPem: keys.publicKeyPem,
        repository: 'registry.local:5000/acme/billing',
      }),
    );
    expect(error.message).toContain('not as "registry.local:5000/acme/billing"');
  });
});

describe('verifyImageSignature on bundles that are not image signatures', () => {
  it.each([
    ['{}', {}],
    ["'x'", 'x'],
    ['null', null],
  ])('rejects %s with a clear message', (_label, bundle) => {
    const error = verifyError(() => verifyImageSignature({ bundle, digest, publicKeyPem: p256.publicKeyPem }));
    expect(error.message).toMatch(/^nx-fleet: the bundle is not a (valid )?Sigstore bundle/);
  });

  it('names the missing fields of a malformed bundle', () => {
    const error = verifyError(() =>
      verifyImageSignature({
        bundle: { mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE },
        digest,
        publicKeyPem: p256.publicKeyPem,
      }),
    );
    expect(error.message).toContain('missing or invalid: content, verificationMaterial');
  });

  it('rejects a validly signed attestation that is not the image-signature claim', async () => {
    const bundle = await signStatement(
      { ...imageStatement(), predicateType: 'https://slsa.dev/provenance/v1' },
      p256.privateKeyPem,
    );
    expect(
      verifyError(() => verifyImageSignature({ bundle, digest, publicKeyPem: p256.publicKeyPem })).message,
    ).toContain('is a "https://slsa.dev/provenance/v1" attestation, not an image signature');
  });

  it('rejects a validly signed payload that is not an in-toto statement', async () => {
    const bundle = await signStatement(imageStatement(), p256.privateKeyPem, 'application/vnd.example+json');
    expect(
      verifyError(() => verifyImageSignature({ bundle, digest, publicKeyPem: p256.publicKeyPem })).message,
    ).toContain('signs a "application/vnd.example+json" payload, not an in-toto statement');
  });
});

function imageStatement() {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: repository, digest: { sha256: digest.slice('sha256:'.length) } }],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  };
}

// Signs any payload the way signImageDigest does, to reach the checks behind the signature.
async function signStatement(
  statement: object,
  privateKeyPem: string,
  type = 'application/vnd.in-toto+json',
): Promise<SerializedBundle> {
  const privateKey = createPrivateKey(privateKeyPem);
  const hint = createHash('sha256')
    .update(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const signer = {
    sign: async (data: Buffer) => ({
      signature: sign('sha256', data, privateKey),
      key: { $case: 'publicKey' as const, publicKey: '', hint },
    }),
  };
  const bundle = await new DSSEBundleBuilder({ signer, witnesses: [] }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type,
  });
  return bundleToJSON(bundle);
}

describe('signImageDigest key and input checks', () => {
  it('rejects an RSA key with a clear message', async () => {
    await expect(signImageDigest({ repository, digest, privateKeyPem: pemPair('rsa').privateKeyPem })).rejects.toThrow(
      /^nx-fleet: image signing keys must be ECDSA P-256 or Ed25519, not rsa\./,
    );
  });

  it('rejects ECDSA on another curve', async () => {
    await expect(signImageDigest({ repository, digest, privateKeyPem: pemPair('p384').privateKeyPem })).rejects.toThrow(
      /not ec \(secp384r1\)/,
    );
  });

  it('accepts a SEC1 EC key, the `openssl ecparam -genkey` output', async () => {
    const pair = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const bundle = await signImageDigest({ repository, digest, privateKeyPem: pair.privateKey });
    expect(() => verifyImageSignature({ bundle, digest, publicKeyPem: pair.publicKey })).not.toThrow();
  });

  it("explains that cosign's encrypted key format cannot be read", async () => {
    const cosignKey =
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n';
    await expect(signImageDigest({ repository, digest, privateKeyPem: cosignKey })).rejects.toThrow(
      /cosign's own encrypted key format/,
    );
  });

  it('rejects a digest that is not sha256:<64 hex>', async () => {
    await expect(signImageDigest({ repository, digest: 'latest', privateKeyPem: p256.privateKeyPem })).rejects.toThrow(
      /"latest" is not an image digest/,
    );
  });
});
