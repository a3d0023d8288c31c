import { base64url } from "jose";

/**
 * A rotated refresh token keeps its successor sealed under a key derived from the rotated token
 * itself (HKDF-SHA256, then AES-256-GCM). Within the grace window, the client that sent the old token
 * twice at once gets the same successor back, so two tabs refreshing together do not fork the family;
 * the database alone cannot open it.
 */
const INFO = new TextEncoder().encode("edge-backend refresh successor v1");
const IV_BYTES = 12;

async function keyFrom(token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(token), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO }, material, { name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

/** `successor` sealed with a key derived from `token`: base64url of IV and ciphertext. */
export async function sealSuccessor(token: string, successor: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFrom(token), new TextEncoder().encode(successor));
  const joined = new Uint8Array(IV_BYTES + sealed.byteLength);
  joined.set(iv);
  joined.set(new Uint8Array(sealed), IV_BYTES);
  return base64url.encode(joined);
}

/** The successor sealed under `token`, or undefined when `sealed` was not sealed with it. */
export async function unsealSuccessor(token: string, sealed: string): Promise<string | undefined> {
  try {
    const bytes = base64url.decode(sealed);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, IV_BYTES) }, await keyFrom(token), bytes.slice(IV_BYTES));
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}
