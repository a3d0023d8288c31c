import { base64url } from "jose";

/**
 * Secrets the server must read back (webhook signing secrets) are stored sealed: AES-256-GCM under
 * WEBHOOK_SECRETS_KEY, as `v1.<iv>.<ciphertext>` in base64url. A database dump alone gives none of
 * them away; the row's id is the additional data, so a sealed value copied to another row does not open.
 */
const VERSION = "v1";
const IV_BYTES = 12;

const keys = new Map<string, Promise<CryptoKey>>();

function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // The configured value is base64url of 32 random bytes; SHA-256 makes any such string a 256-bit key.
    key = crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)).then((raw) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
    keys.set(secret, key);
  }
  return key;
}

/** `plaintext` sealed under `secret` for the row `rowId`. */
export async function sealSecret(secret: string, rowId: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(rowId) }, await importKey(secret), new TextEncoder().encode(plaintext));
  return `${VERSION}.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/** The plaintext of `sealed`; throws when it was sealed under another key, for another row, or altered. */
export async function openSecret(secret: string, rowId: string, sealed: string): Promise<string> {
  const [version, iv, ciphertext, ...rest] = sealed.split(".");
  if (version !== VERSION || !iv || !ciphertext || rest.length > 0) throw new Error("not a sealed secret");
  const opened = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv), additionalData: new TextEncoder().encode(rowId) }, await importKey(secret), base64url.decode(ciphertext));
  return new TextDecoder().decode(opened);
}
