import { CompactSign, compactVerify, importJWK, type CryptoKey } from "jose";
import { z } from "zod";
import { ownPromise } from "../own-promise.ts";

/**
 * What a signing key may use. ES256 is understood by every JWT library; Ed25519 (RFC 9864's name for
 * EdDSA on Ed25519, supported by workerd's WebCrypto) is faster but not yet known to every verifier.
 */
export const SIGNING_ALGORITHMS = ["ES256", "Ed25519"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The current key, the previous one, and room for a hand-made rotation; the JWKS stays small. */
const MAX_KEYS = 4;

/** `bytes` bytes in unpadded base64url. */
const base64url = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), `must be ${bytes} bytes in base64url`);

// A kid travels in every token header and into logs: short, and nothing that needs escaping.
const keyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 characters of A-Z a-z 0-9 _ -");

const signingJwk = z.discriminatedUnion("alg", [
  z.object({ kid: keyId, alg: z.literal("ES256"), use: z.literal("sig"), kty: z.literal("EC"), crv: z.literal("P-256"), x: base64url(32), y: base64url(32), d: base64url(32) }),
  z.object({ kid: keyId, alg: z.literal("Ed25519"), use: z.literal("sig"), kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: base64url(32), d: base64url(32) }),
]);

/** A private signing key as a JWK (RFC 7517) with its `kid`, `alg` and `use`. */
export type SigningJwk = z.infer<typeof signingJwk>;

/** The key set as JSON: `{ "keys": [current, previous…] }`; the first key signs, every key verifies. */
export const JwkSetSchema = z.object({ keys: z.array(signingJwk).min(1).max(MAX_KEYS) }).superRefine((set, ctx) => {
  const seen = new Set<string>();
  set.keys.forEach((key, index) => {
    if (seen.has(key.kid)) ctx.addIssue({ code: "custom", message: "duplicate kid", path: ["keys", index, "kid"] });
    seen.add(key.kid);
  });
});

export type SigningKeySet = z.infer<typeof JwkSetSchema>;

const secretToSet = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // JSON.parse's own message quotes the input, which is a private key.
      ctx.addIssue({ code: "custom", message: 'must be JSON: { "keys": [current, previous…] }' });
      return z.NEVER;
    }
  })
  .pipe(JwkSetSchema);

/**
 * The secret holding the key set (a JSON string), for the configuration schema: a broken set is a
 * configuration error naming the setting. The value stays the string, which keys the import cache.
 * No issue ever quotes the secret.
 * @example JWT_SIGNING_KEYS: SigningKeySetSchema
 */
export const SigningKeySetSchema = z.string().superRefine((text, ctx) => {
  const result = secretToSet.safeParse(text);
  if (result.success) return;
  for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
});

/** A key set that cannot be used; the message names the member at fault, never a key's value. */
export class SigningKeySetError extends Error {
  override readonly name = "SigningKeySetError";
}

/** Parses and validates the secret; throws SigningKeySetError. */
export function parseSigningKeySet(secret: string): SigningKeySet {
  const result = secretToSet.safeParse(secret);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new SigningKeySetError(`invalid signing key set: ${issues.join("; ")}`);
}

/** A public key as published at `/.well-known/jwks.json`. */
export type PublicJwk = Omit<Extract<SigningJwk, { kty: "EC" }>, "d"> | Omit<Extract<SigningJwk, { kty: "OKP" }>, "d">;

/** The public half of a key set, for `GET /.well-known/jwks.json`. */
export function publicJwkSet(set: SigningKeySet): { keys: PublicJwk[] } {
  // Built member by member rather than by deleting private members, so nothing unlisted gets out.
  return {
    keys: set.keys.map(({ kid, alg, use, ...key }): PublicJwk =>
      key.kty === "EC"
        ? { kid, alg: "ES256", use, kty: key.kty, crv: key.crv, x: key.x, y: key.y }
        : { kid, alg: "Ed25519", use, kty: key.kty, crv: key.crv, x: key.x },
    ),
  };
}

export interface VerificationKey {
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
}

/** A key set imported for use: made once per isolate by `importSigningKeys`. */
export interface SigningKeys {
  /** The set's first key, which signs every new token. */
  readonly current: { readonly kid: string; readonly alg: SigningAlgorithm; readonly privateKey: CryptoKey };
  /** Every key of the set by `kid`: the only place verification takes a key from. */
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  /** The algorithms of the set: the list verification pins. */
  readonly algorithms: readonly SigningAlgorithm[];
  /** The public JWK set, with no private member. */
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

// Keyed by the secret's text, which fixes the result: an entry never goes stale, so it needs no TTL.
// Two entries cover an isolate that sees the set before and after a secret update.
const CACHE_ENTRIES = 2;
const imported = new Map<string, ImportEntry>();

/**
 * Imports the key set held in `secret`, once per isolate. Rejects with SigningKeySetError when the
 * set is malformed or a key's public half does not belong to its private half.
 * @example const keys = await importSigningKeys(config.JWT_SIGNING_KEYS)
 */
export function importSigningKeys(secret: string): Promise<SigningKeys> {
  const cached = imported.get(secret);
  if (cached) return cached.keys ? Promise.resolve(cached.keys) : ownPromise(cached.importing, () => new Error("the signing keys' import did not finish"));
  const entry: ImportEntry = { importing: (async () => importSet(parseSigningKeySet(secret)))() };
  entry.importing.then((keys) => (entry.keys = keys), () => {});
  if (imported.size >= CACHE_ENTRIES) imported.delete(imported.keys().next().value!);
  imported.set(secret, entry);
  return entry.importing;
}

/** An import under way, and its keys once it is done: later requests take them without waiting on another's promise. */
interface ImportEntry {
  importing: Promise<SigningKeys>;
  keys?: SigningKeys;
}

async function importSet(set: SigningKeySet): Promise<SigningKeys> {
  const pairs = await Promise.all(set.keys.map(importPair));
  const current = pairs[0]!;
  return {
    current: { kid: current.kid, alg: current.alg, privateKey: current.privateKey },
    byKid: new Map(pairs.map((pair) => [pair.kid, { alg: pair.alg, key: pair.publicKey }])),
    algorithms: [...new Set(pairs.map((pair) => pair.alg))],
    jwks: publicJwkSet(set),
  };
}

const PROBE = new TextEncoder().encode("signing key probe");

async function importPair(jwk: SigningJwk) {
  const { kid, alg, use: _use, ...material } = jwk;
  const { d: _d, ...publicMaterial } = material;
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    [privateKey, publicKey] = await Promise.all([
      importJWK(material, alg, { extractable: false }) as Promise<CryptoKey>,
      importJWK(publicMaterial, alg) as Promise<CryptoKey>,
    ]);
  } catch (cause) {
    throw new SigningKeySetError(`invalid signing key set: key ${kid} cannot be imported`, { cause });
  }
  // A hand-edited set can pair `d` with another key's `x`/`y`: every token would then fail to verify,
  // here and for anyone using the published JWKS. One signature per key at import catches it.
  try {
    await compactVerify(await new CompactSign(PROBE).setProtectedHeader({ alg }).sign(privateKey), publicKey);
  } catch (cause) {
    throw new SigningKeySetError(`invalid signing key set: key ${kid} has a public half that does not match its private half`, { cause });
  }
  return { kid, alg, privateKey, publicKey };
}
