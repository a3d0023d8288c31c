import { base64url } from "jose";
import { InvalidTokenError } from "./invalid-token-error.ts";

/**
 * What starts a key of each environment (APP_ENV): a key is refused, before any lookup, by an
 * environment it was not made for, and a secret scanner tells a live key from a test one.
 */
export const API_KEY_ENVIRONMENTS = { production: "live", staging: "stg", development: "dev", test: "test" } as const;
export type ApiKeyEnvironment = (typeof API_KEY_ENVIRONMENTS)[keyof typeof API_KEY_ENVIRONMENTS];

/** Crockford's base32, lower case (as ids): the visible prefix reads aloud and copies by hand. */
const PREFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export const API_KEY_PREFIX_LENGTH = 8;
const SECRET_BYTES = 32;
const CHECKSUM_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 62^6 > 2^32: a CRC32 always fits. */
const CHECKSUM_LENGTH = 6;

// `<env>_<prefix>_<secret><checksum>`. The secret's 32 bytes are 43 base64url characters whose last
// one holds 2 bits and 4 zero bits: only the canonical spelling passes, so one key has one hash.
const API_KEY = /^(live|stg|dev|test)_([0-9a-hjkmnp-tv-z]{8})_([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])([0-9A-Za-z]{6})$/;
const API_KEY_START = /^(?:live|stg|dev|test)_/;

/** A key that passed the checks made without I/O: its shape, its environment and its checksum. */
export interface ParsedApiKey {
  /** The whole key, as hashed and stored. */
  key: string;
  /** The visible, unique part the key record is looked up by. */
  prefix: string;
}

/**
 * A new API key of `environment`: a fresh prefix, or `prefix` when rotating a key's secret. Store
 * only its hash (`hashOpaqueToken(key)`); the key goes to the client once.
 * @example generateApiKey("live") // { key: "live_3xk9ab12_Qm9…x7Kp2Q", prefix: "3xk9ab12" }
 */
export function generateApiKey(environment: ApiKeyEnvironment, prefix = newApiKeyPrefix()): ParsedApiKey {
  const body = `${environment}_${prefix}_${base64url.encode(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
  return { key: `${body}${checksum(body)}`, prefix };
}

/** Whether a bearer value is meant as an API key (and not an access token), whatever else is wrong with it. */
export function isApiKeyShaped(input: string): boolean {
  return API_KEY_START.test(input);
}

/**
 * Checks a presented key without I/O: shape, environment, checksum. A mistyped or truncated key, or
 * one of another environment, is refused here and never looked up.
 * Throws InvalidTokenError: `malformed`, `wrong-environment` or `checksum`.
 */
export function parseApiKey(input: string, environment: ApiKeyEnvironment): ParsedApiKey {
  const match = API_KEY.exec(input);
  if (!match) throw new InvalidTokenError("malformed");
  if (match[1] !== environment) throw new InvalidTokenError("wrong-environment");
  const body = input.slice(0, -CHECKSUM_LENGTH);
  if (match[4] !== checksum(body)) throw new InvalidTokenError("checksum");
  return { key: input, prefix: match[2]! };
}

function newApiKeyPrefix(): string {
  let prefix = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(API_KEY_PREFIX_LENGTH))) prefix += PREFIX_ALPHABET[byte & 31];
  return prefix;
}

/** CRC32 of the key's text in 6 base62 characters: catches every single-character mistake, proves nothing. */
function checksum(body: string): string {
  let value = crc32(new TextEncoder().encode(body));
  let text = "";
  for (let index = 0; index < CHECKSUM_LENGTH; index++) {
    text = CHECKSUM_ALPHABET[value % 62]! + text;
    value = Math.floor(value / 62);
  }
  return text;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib), unsigned. */
function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= makeCrcTable());
  let crc = 0xffffffff;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
