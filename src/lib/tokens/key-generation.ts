// Runs in Node too (dev/keys-cli.ts): relative imports name the .ts file, which Node needs.
import { base64url, exportJWK, generateKeyPair } from "jose";
import { JwkSetSchema, type SigningAlgorithm, type SigningJwk, type SigningKeySet } from "./signing-keys.ts";

export interface KeyGenerationOptions {
  /** ES256 unless told otherwise; rotation keeps the current key's algorithm by default. */
  algorithm?: SigningAlgorithm;
}

/** A new private signing key with a random `kid`. */
export async function generateSigningKey<A extends SigningAlgorithm = "ES256">(algorithm: A = "ES256" as A): Promise<Extract<SigningJwk, { alg: A }>> {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const material = await exportJWK(privateKey);
  const kid = base64url.encode(crypto.getRandomValues(new Uint8Array(12)));
  const [jwk] = JwkSetSchema.parse({ keys: [{ ...material, kid, alg: algorithm, use: "sig" }] }).keys;
  return jwk as Extract<SigningJwk, { alg: A }>;
}

/** A new key set holding one new key. */
export async function generateSigningKeySet({ algorithm = "ES256" }: KeyGenerationOptions = {}): Promise<SigningKeySet> {
  return { keys: [await generateSigningKey(algorithm)] };
}

/**
 * The next key set: a new key signs, the current one still verifies the tokens it signed, and any
 * older key is dropped (access tokens live 15 minutes, so wait that long between two rotations).
 */
export async function rotateSigningKeySet(current: SigningKeySet, { algorithm }: KeyGenerationOptions = {}): Promise<SigningKeySet> {
  const previous = JwkSetSchema.parse(current).keys[0]!;
  let next: SigningJwk;
  do next = await generateSigningKey(algorithm ?? previous.alg);
  while (next.kid === previous.kid);
  return { keys: [next, previous] };
}
