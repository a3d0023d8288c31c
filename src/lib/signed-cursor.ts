import { z } from "@hono/zod-openapi";

/**
 * Opaque, tamper-proof list cursors: the position of a page's last row (its sort values and id) as
 * base64url JSON, followed by an HMAC-SHA256 over it and over the list's shape (which list, which
 * filters, which order). A cursor altered in any byte, or sent with other filters than the ones it
 * was made for, fails the check and the client gets a 400: no hand-made position ever reaches SQL.
 */
export interface CursorSigner {
  /** The cursor for `position` in the list `shape` names. */
  sign(shape: string, position: readonly CursorValue[]): Promise<string>;
  /** The position `cursor` names in list `shape`, or undefined when it is not one we made for that list. */
  verify(shape: string, cursor: string): Promise<CursorValue[] | undefined>;
}

export type CursorValue = string | number | null;

/** A cursor holds a few sort values and an id: this is plenty, and bounds what is parsed. */
export const SIGNED_CURSOR_MAX_LENGTH = 512;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();

/** Derived keys by the secret's text: one per isolate in practice, a handful in tests. */
const keys = new Map<string, Promise<CryptoKey>>();
const MAX_KEYS = 4;

/**
 * A signer whose HMAC key is derived (HKDF-SHA256, its own `info`) from `secret`, so no secret of its
 * own is needed: the JWT signing key set serves. Rotating that secret makes cursors in flight a 400,
 * and the client starts the list again.
 */
export async function cursorSigner(secret: string): Promise<CursorSigner> {
  const key = await derivedKey(secret);
  return {
    async sign(shape, position) {
      const payload = toBase64Url(encoder.encode(JSON.stringify(position)));
      const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${shape}\n${payload}`));
      return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
    },
    async verify(shape, cursor) {
      if (cursor.length > SIGNED_CURSOR_MAX_LENGTH) return undefined;
      const [payload, mac, ...rest] = cursor.split(".");
      if (rest.length > 0 || !payload || !mac || !BASE64URL.test(payload) || !BASE64URL.test(mac)) return undefined;
      const macBytes = fromBase64Url(mac);
      if (!macBytes || !(await crypto.subtle.verify("HMAC", key, macBytes, encoder.encode(`${shape}\n${payload}`)))) return undefined;
      const bytes = fromBase64Url(payload);
      if (!bytes) return undefined;
      const parsed = PositionSchema.safeParse(safeJson(new TextDecoder().decode(bytes)));
      return parsed.success ? parsed.data : undefined;
    },
  };
}

const PositionSchema = z.array(z.union([z.string().max(200), z.number(), z.null()])).max(8);

function derivedKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("edge-backend list cursors v1") },
          material,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        ),
      );
    keys.set(secret, key);
    // A failed derivation is not kept: the next request tries again.
    key.catch(() => keys.delete(secret));
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of canonical base64url only: a text whose unused last bits were changed is refused, so every character counts. */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
  return toBase64Url(bytes) === text ? bytes : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `cursor` query parameter of a list whose cursors are signed. */
export const SignedCursorParam = z
  .string()
  .max(SIGNED_CURSOR_MAX_LENGTH)
  .optional()
  .openapi({ param: { name: "cursor", in: "query" }, description: "The `nextCursor` of the previous page, with the same filters and order; omit it for the first page." });
