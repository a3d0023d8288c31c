/**
 * Short-lived download links for attachments: `/v1/attachments/{id}/content?expires=…&sig=…`, where
 * `sig` is HMAC-SHA256 over the id and the expiry under ATTACHMENT_URL_SECRET. Whoever holds the link
 * may download until it expires; changing any part of it breaks the signature.
 */

const encoder = new TextEncoder();

/** What is signed: a purpose, so a signature made here means nothing anywhere else, the id and the expiry. */
const message = (attachmentId: string, expires: number) => encoder.encode(`attachment-content\n${attachmentId}\n${expires}`);

function importKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function toBase64Url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The signature of a link to attachment `attachmentId` valid until `expires` (seconds since the epoch). */
export async function signAttachmentLink(secret: string, attachmentId: string, expires: number): Promise<string> {
  return toBase64Url(await crypto.subtle.sign("HMAC", await importKey(secret, "sign"), message(attachmentId, expires)));
}

/**
 * Whether `signature` is the one of a link to `attachmentId` valid until `expires` and `now`
 * (milliseconds) is before it. The comparison is WebCrypto's own, in constant time.
 */
export async function verifyAttachmentLink(secret: string, attachmentId: string, expires: number, signature: string, now: number): Promise<boolean> {
  const bytes = fromBase64Url(signature);
  if (!bytes) return false;
  const valid = await crypto.subtle.verify("HMAC", await importKey(secret, "verify"), bytes, message(attachmentId, expires));
  return valid && now < expires * 1000;
}
