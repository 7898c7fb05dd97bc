import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import {
  bundleFromJSON,
  bundleToJSON,
  ValidationError,
  type Bundle,
  type Envelope,
  type SerializedBundle,
} from '@sigstore/bundle';
import type { Signer } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, VerificationError, Verifier } from '@sigstore/verify';
import { readPrivateKey } from './keys';

export type { SerializedBundle } from '@sigstore/bundle';

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const STATEMENT_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
// What cosign writes for an image signature in its bundle format, so cosign and policy engines
// that ask for the signature claim (not just "any attestation") accept these bundles.
const IMAGE_SIGNATURE_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const DIGEST = /^sha256:([0-9a-f]{64})$/;

// The offline, key-based path trusts no Rekor, CT log, Fulcio or TSA: the only trust is the key.
const OFFLINE_TRUSTED_ROOT: Parameters<typeof toTrustMaterial>[0] = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/** The bundle is not a valid signature of the expected image by the expected key. */
export class SignatureVerificationError extends Error {
  override readonly name = 'SignatureVerificationError';

  constructor(problem: string) {
    super(`nx-fleet: ${problem}`);
  }
}

interface ImageStatement {
  _type: typeof STATEMENT_TYPE;
  subject: { name?: unknown; digest?: { sha256?: unknown } }[];
  predicateType: unknown;
}

export async function signImageDigest(input: {
  repository: string;
  digest: string;
  privateKeyPem: string;
}): Promise<SerializedBundle> {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: input.repository, digest: { sha256: digestHex(input.digest) } }],
    predicateType: IMAGE_SIGNATURE_PREDICATE_TYPE,
    predicate: {},
  };
  // Loaded on use: its modules cost every docker-push ~0.15 s, and most pushes sign nothing.
  const { DSSEBundleBuilder } = await import('@sigstore/sign');
  // No witnesses: no Rekor entry and no timestamp, so signing never leaves the machine.
  const builder = new DSSEBundleBuilder({ signer: keySigner(input.privateKeyPem), witnesses: [] });
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: STATEMENT_PAYLOAD_TYPE });
  return bundleToJSON(bundle);
}

export function verifyImageSignature(input: {
  bundle: unknown;
  digest: string;
  publicKeyPem: string;
  repository?: string;
}): void {
  const hex = digestHex(input.digest);
  const publicKey = readPublicKey(input.publicKeyPem);
  const { bundle, envelope } = parseBundle(input.bundle);
  verifySignature(bundle, publicKey);
  // Only read once the signature holds: before that, the payload is anyone's words.
  const statement = readStatement(envelope);
  if (statement.predicateType !== IMAGE_SIGNATURE_PREDICATE_TYPE) {
    throw new SignatureVerificationError(
      `the bundle is a "${String(statement.predicateType)}" attestation, not an image signature (${IMAGE_SIGNATURE_PREDICATE_TYPE}); pass the image's signature bundle, not one of its attestations.`,
    );
  }
  checkSubject(statement, hex, input.repository);
}

function keySigner(privateKeyPem: string): Signer {
  const privateKey = readPrivateKey(privateKeyPem);
  const algorithm = signatureDigest(privateKey);
  const publicKey = createPublicKey(privateKey);
  const key = {
    $case: 'publicKey' as const,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    hint: keyHint(publicKey),
  };
  return { sign: async (data) => ({ signature: sign(algorithm, data, privateKey), key }) };
}

// P-256 only because @sigstore/verify checks ECDSA with OpenSSL's default digest, SHA-256: a
// P-384 or P-521 signature over SHA-384/512 would not verify there. Ed25519 hashes internally.
function signatureDigest(key: KeyObject): 'sha256' | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'sha256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new Error(
    `nx-fleet: image signing keys must be ECDSA P-256 or Ed25519, not ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}. Generate one with \`openssl ecparam -name prime256v1 -genkey -noout -out cosign.key\` or \`openssl genpkey -algorithm ed25519 -out cosign.key\`.`,
  );
}

function readPublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new Error(
      `nx-fleet: the verification key is not a PEM public key (${errorText(error)}); pass the SPKI PEM text, e.g. cosign.pub.`,
    );
  }
}

/** Names the key in the bundle so a verifier holding several keys can pick the right one. */
function keyHint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function digestHex(digest: string): string {
  const hex = DIGEST.exec(digest)?.[1];
  if (!hex)
    throw new Error(
      `nx-fleet: "${digest}" is not an image digest; expected sha256: followed by 64 lowercase hex digits.`,
    );
  return hex;
}

function parseBundle(json: unknown): { bundle: Bundle; envelope: Envelope } {
  if (typeof json !== 'object' || json === null) {
    throw new SignatureVerificationError(
      `the bundle is not a Sigstore bundle: expected its parsed JSON object, got ${json === null ? 'null' : typeof json}.`,
    );
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    const detail =
      error instanceof ValidationError ? `missing or invalid: ${error.fields.join(', ')}` : errorText(error);
    throw new SignatureVerificationError(
      `the bundle is not a valid Sigstore bundle (${detail}); pass the bundle JSON exactly as it was produced.`,
    );
  }
  if (bundle.verificationMaterial.content.$case !== 'publicKey') {
    throw new SignatureVerificationError(
      'the bundle is keyless (signed with a certificate, not a key); verify it with `cosign verify --certificate-identity … --certificate-oidc-issuer …` instead of a public key.',
    );
  }
  if (bundle.content.$case !== 'dsseEnvelope') {
    throw new SignatureVerificationError(
      'the bundle holds a bare message signature, not a signed statement about an image; pass an image signature bundle.',
    );
  }
  return { bundle, envelope: bundle.content.dsseEnvelope };
}

function verifySignature(bundle: Bundle, publicKey: KeyObject): void {
  const hint = keyHint(publicKey);
  const trust = toTrustMaterial(OFFLINE_TRUSTED_ROOT, (bundleHint) => {
    if (bundleHint !== hint) {
      throw new SignatureVerificationError(
        `the bundle was signed by another key (its key hint is "${bundleHint}", this public key's is "${hint}"); verify with the public key of the key that signed it.`,
      );
    }
    // Key validity is only checked against timestamps, and the offline path has none.
    return { publicKey, validFor: () => true };
  });
  try {
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle));
  } catch (error) {
    if (error instanceof SignatureVerificationError) throw error;
    if (error instanceof VerificationError && error.code === 'SIGNATURE_ERROR') {
      throw new SignatureVerificationError(
        'the signature does not verify with this public key: the statement or the signature was altered after signing. Re-sign the image; do not edit the bundle.',
      );
    }
    throw new SignatureVerificationError(
      `the bundle cannot be verified offline (${errorText(error)}); nx-fleet verifies key-based bundles without transparency-log entries or timestamps, use \`cosign verify\` for others.`,
    );
  }
}

function readStatement(envelope: Envelope): ImageStatement {
  if (envelope.payloadType !== STATEMENT_PAYLOAD_TYPE) {
    throw new SignatureVerificationError(
      `the bundle signs a "${envelope.payloadType}" payload, not an in-toto statement (${STATEMENT_PAYLOAD_TYPE}); pass an image signature bundle.`,
    );
  }
  let statement: unknown;
  try {
    statement = JSON.parse(envelope.payload.toString('utf8'));
  } catch {
    statement = undefined;
  }
  if (!isStatement(statement)) {
    throw new SignatureVerificationError(
      `the bundle's payload is not an in-toto ${STATEMENT_TYPE} statement with subjects; pass an image signature bundle.`,
    );
  }
  return statement;
}

function isStatement(value: unknown): value is ImageStatement {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof ImageStatement, unknown>>;
  return (
    candidate._type === STATEMENT_TYPE &&
    Array.isArray(candidate.subject) &&
    candidate.subject.every((s) => typeof s === 'object' && s !== null)
  );
}

function checkSubject(statement: ImageStatement, hex: string, repository: string | undefined): void {
  const matches = statement.subject.filter((subject) => subject.digest?.sha256 === hex);
  if (matches.length === 0) {
    const signed =
      statement.subject.map((subject) => `sha256:${String(subject.digest?.sha256)}`).join(', ') || 'no digest';
    throw new SignatureVerificationError(
      `the bundle signs another image (${signed}), not sha256:${hex}; pass the signature bundle attached to sha256:${hex}.`,
    );
  }
  if (repository !== undefined && !matches.some((subject) => subject.name === repository)) {
    const names = matches.map((subject) => JSON.stringify(subject.name ?? '')).join(', ');
    throw new SignatureVerificationError(
      `the bundle signs sha256:${hex} as ${names}, not as "${repository}"; the same image pushed to another repository needs its own signature.`,
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
