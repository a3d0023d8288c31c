import { ApiError } from "../../lib/errors";

/** The schemes a source verifies its deliveries with. */
export const SOURCE_KINDS = ["github", "stripe", "standard"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** How far a signed timestamp (Stripe's `t`, Standard Webhooks' `webhook-timestamp`) may be from now, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;
/** The longest delivery id and event type stored (the table's check says the same for the id). */
export const MAX_DELIVERY_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 200;
/** Signatures one header may list (Stripe and Standard Webhooks send several while a secret rotates). */
const MAX_SIGNATURES = 10;

/** A delivery whose signature held: what is stored. */
export interface VerifiedDelivery {
  deliveryId: string;
  eventType: string;
  payload: unknown;
}

/** What verification reads of a request: its headers and its body, byte for byte as received. */
export interface SignedRequest {
  header(name: string): string | undefined;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Checks `request`'s signature under `secret` (the source's opened secret: the shared secret, or a
 * Standard Webhooks `whpk_…` public key) with WebCrypto's `verify`, which compares in constant time,
 * over the raw bytes. 401 WEBHOOK_SIGNATURE_INVALID for a missing or wrong signature or a timestamp
 * outside the tolerance, 400 WEBHOOK_MALFORMED for headers or a body not in the scheme's syntax;
 * neither says more. `now` is in milliseconds.
 */
export async function verifyDelivery(kind: SourceKind, secret: string, request: SignedRequest, now: number): Promise<VerifiedDelivery> {
  switch (kind) {
    case "github":
      return verifyGitHub(secret, request);
    case "stripe":
      return verifyStripe(secret, request, now);
    case "standard":
      return verifyStandard(secret, request, now);
  }
}

const invalid = () => new ApiError("WEBHOOK_SIGNATURE_INVALID");
const malformed = () => new ApiError("WEBHOOK_MALFORMED");
const encoder = new TextEncoder();
/** `value`'s UTF-8 bytes (TextEncoder's buffer is never shared; its type does not say so). */
const utf8 = (value: string) => encoder.encode(value) as Uint8Array<ArrayBuffer>;

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` under the secret's UTF-8 bytes. */
async function verifyGitHub(secret: string, { header, body }: SignedRequest): Promise<VerifiedDelivery> {
  const deliveryId = token(header("X-GitHub-Delivery"), MAX_DELIVERY_ID_LENGTH);
  const eventType = token(header("X-GitHub-Event"), MAX_EVENT_TYPE_LENGTH);
  const signature = header("X-Hub-Signature-256");
  if (!signature) throw invalid();
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim())?.[1];
  if (!hex) throw malformed();
  if (!(await hmacVerifies(utf8(secret), [fromHex(hex)], body))) throw invalid();
  return { deliveryId, eventType, payload: json(body) };
}

/**
 * Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>…]`, each an HMAC-SHA256 of `<t>.<body>`
 * under the whole `whsec_…` string; the delivery id and type are the event's `id` and `type`.
 */
async function verifyStripe(secret: string, { header, body }: SignedRequest, now: number): Promise<VerifiedDelivery> {
  const value = header("Stripe-Signature");
  if (!value) throw invalid();
  let timestamp: string | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of value.split(",").slice(0, MAX_SIGNATURES + 4)) {
    const [key, item, ...rest] = part.trim().split("=");
    if (!key || item === undefined || rest.length > 0) throw malformed();
    if (key === "t") timestamp = item;
    // v0 and other schemes are Stripe's test or legacy signatures: never accepted.
    else if (key === "v1") signatures.push(/^[0-9a-f]{64}$/i.test(item) ? fromHex(item) : new Uint8Array(32));
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw malformed();
  if (signatures.length === 0) throw invalid();
  if (Math.abs(now / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) throw invalid();
  if (!(await hmacVerifies(utf8(secret), signatures.slice(0, MAX_SIGNATURES), concat(utf8(`${timestamp}.`), body)))) throw invalid();
  const payload = json(body);
  const event = payload as { id?: unknown; type?: unknown } | null;
  if (typeof event?.id !== "string" || typeof event.type !== "string") throw malformed();
  return { deliveryId: token(event.id, MAX_DELIVERY_ID_LENGTH), eventType: token(event.type, MAX_EVENT_TYPE_LENGTH), payload };
}

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature`, a
 * space-separated list of `v1,<base64 HMAC-SHA256>` (secret `whsec_<base64 key>`) or
 * `v1a,<base64 ed25519>` (public key `whpk_<base64 key>`) over `<id>.<timestamp>.<body>`. A source
 * holds one of the two, and only signatures of its scheme count. The type is the payload's `type`.
 */
async function verifyStandard(secret: string, { header, body }: SignedRequest, now: number): Promise<VerifiedDelivery> {
  const deliveryId = token(header("webhook-id"), MAX_DELIVERY_ID_LENGTH);
  const timestamp = header("webhook-timestamp")?.trim();
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw malformed();
  const value = header("webhook-signature");
  if (!value) throw invalid();
  const asymmetric = secret.startsWith("whpk_");
  const wanted = asymmetric ? "v1a" : "v1";
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const entry of value.trim().split(/ +/).slice(0, MAX_SIGNATURES)) {
    const [version, signature, ...rest] = entry.split(",");
    if (!version || !signature || rest.length > 0) throw malformed();
    if (version !== wanted) continue;
    const bytes = fromBase64(signature);
    if (!bytes) throw malformed();
    signatures.push(bytes);
  }
  if (signatures.length === 0) throw invalid();
  if (Math.abs(now / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) throw invalid();
  const signed = concat(utf8(`${deliveryId}.${timestamp}.`), body);
  const key = fromBase64(secret.slice(asymmetric ? "whpk_".length : "whsec_".length));
  if (!key) throw new Error("a standard source's secret is not whsec_ or whpk_ and base64");
  const verified = asymmetric ? await ed25519Verifies(key, signatures, signed) : await hmacVerifies(key, signatures, signed);
  if (!verified) throw invalid();
  const payload = json(body);
  const type = (payload as { type?: unknown } | null)?.type;
  return { deliveryId, eventType: typeof type === "string" && type ? token(type, MAX_EVENT_TYPE_LENGTH) : "unknown", payload };
}

/** Whether any of `signatures` is the HMAC-SHA256 of `data` under `key`; `verify` compares in constant time. */
async function hmacVerifies(key: Uint8Array<ArrayBuffer>, signatures: Uint8Array<ArrayBuffer>[], data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const results = await Promise.all(signatures.map((signature) => crypto.subtle.verify("HMAC", imported, signature, data)));
  return results.includes(true);
}

async function ed25519Verifies(publicKey: Uint8Array<ArrayBuffer>, signatures: Uint8Array<ArrayBuffer>[], data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const imported = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  const results = await Promise.all(signatures.map((signature) => crypto.subtle.verify("Ed25519", imported, signature, data)));
  return results.includes(true);
}

/** A header value or id of printable ASCII, 1 to `max` characters; 400 otherwise. */
function token(value: string | undefined, max: number): string {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length > max || !/^[\x21-\x7e]+$/.test(trimmed)) throw malformed();
  return trimmed;
}

/** The body as JSON (an object or array: what every scheme sends); 400 otherwise. */
function json(body: Uint8Array<ArrayBuffer>): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body));
  } catch {
    throw malformed();
  }
  if (typeof parsed !== "object" || parsed === null) throw malformed();
  // PostgreSQL's jsonb cannot hold U+0000: refused here rather than failing the store on every retry.
  // (An escape `\u0000` preceded by an even number of backslashes: a literal backslash is escaped as two.)
  if (/(?:^|[^\\])(?:\\\\)*\\u0000/.test(JSON.stringify(parsed))) throw malformed();
  return parsed;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Standard base64 (what Standard Webhooks uses), or undefined when `value` is not. */
export function fromBase64(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length > 1024) return undefined;
  try {
    return Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function concat(head: Uint8Array<ArrayBuffer>, tail: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head);
  joined.set(tail, head.byteLength);
  return joined;
}
