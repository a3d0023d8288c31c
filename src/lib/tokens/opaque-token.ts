import { base64url } from "jose";
import { InvalidTokenError } from "./invalid-token-error.ts";

/** The prefix of each kind of opaque token, so a token's kind shows in a glance and in a secret scanner. */
export const OPAQUE_TOKEN_PREFIXES = { refresh: "rt", verification: "vt", reset: "pt", invitation: "it" } as const;
export type OpaqueTokenKind = keyof typeof OPAQUE_TOKEN_PREFIXES;

const TOKEN_BYTES = 32;

// 32 bytes are 43 base64url characters whose last one holds 2 bits and 4 zero bits: only the
// canonical spelling is accepted, so one secret has exactly one token string (and one hash).
const OPAQUE_TOKEN = /^(rt|vt|pt|it)_([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;

/**
 * A new opaque token of `kind`: its prefix, an underscore and 256 random bits in base64url.
 * Store only `hashOpaqueToken(token)`; the token itself goes to the client once.
 * @example const refreshToken = createOpaqueToken("refresh") // "rt_Qm9…"
 */
export function createOpaqueToken(kind: OpaqueTokenKind): string {
  return `${OPAQUE_TOKEN_PREFIXES[kind]}_${base64url.encode(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)))}`;
}

/** Whether `input` is shaped like an opaque token of any kind. */
export function isOpaqueToken(input: string): boolean {
  return OPAQUE_TOKEN.test(input);
}

/**
 * Checks that `input` is a well-formed token of `kind` before anything looks it up; returns it.
 * Throws InvalidTokenError: `malformed`, or `wrong-kind` for a well-formed token of another kind.
 */
export function parseOpaqueToken(kind: OpaqueTokenKind, input: unknown): string {
  const match = typeof input === "string" ? OPAQUE_TOKEN.exec(input) : null;
  if (!match) throw new InvalidTokenError("malformed");
  if (match[1] !== OPAQUE_TOKEN_PREFIXES[kind]) throw new InvalidTokenError("wrong-kind");
  return match[0];
}

/**
 * The SHA-256 of the whole token (prefix included) in lowercase hex: what the database stores and
 * looks up. 256 random bits need no salt or slow hash: there is nothing to guess.
 */
export async function hashOpaqueToken(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Compares two strings in time that depends only on their length, for secrets and their hashes.
 * Strings of different lengths are unequal at once: the length of a hash is no secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right);
}
