/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): secrets `whsec_<base64>`, and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one such entry per
 * secret in use, separated by spaces.
 */

const SECRET_PREFIX = "whsec_";
/** 32 random bytes: above the 24 the specification asks for, and the HMAC's own block of security. */
const SECRET_BYTES = 32;

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A new endpoint secret, `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** One `v1,<signature>` entry of `webhook-signature` for `content` (`<id>.<timestamp>.<body>`) under `secret`. */
async function signWith(secret: string, content: string): Promise<string> {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("not a webhook secret");
  const key = await crypto.subtle.importKey("raw", fromBase64(secret.slice(SECRET_PREFIX.length)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(content));
  return `v1,${toBase64(new Uint8Array(signature))}`;
}

/**
 * The `webhook-signature` header of message `id` sent at `timestamp` (Unix seconds) with `body`: one
 * entry per secret, the current first (during a rotation's overlap, the previous one too).
 */
export async function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): Promise<string> {
  const content = `${id}.${timestamp}.${body}`;
  return (await Promise.all(secrets.map((secret) => signWith(secret, content)))).join(" ");
}
