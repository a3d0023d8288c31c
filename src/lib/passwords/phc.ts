import type { Argon2Parameters } from "./argon2";

/** A stored Argon2id hash (version 0x13), decoded from its PHC string. */
export interface PasswordHash extends Argon2Parameters {
  salt: Uint8Array;
  tag: Uint8Array;
}

// The reference implementation's encoding: parameters in this order, decimal without leading zeros,
// salt and tag in standard base64 without padding. Anything else, argon2i/d and version 0x10 included,
// is not a hash this module made.
const PHC_PATTERN = /^\$argon2id\$v=19\$m=(0|[1-9]\d{0,9}),t=(0|[1-9]\d{0,9}),p=(0|[1-9]\d{0,9})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * The PHC string of a hash.
 * @example formatPhc(hash) // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>"
 */
export function formatPhc({ memoryKiB, iterations, parallelism, salt, tag }: PasswordHash): string {
  return `$argon2id$v=19$m=${memoryKiB},t=${iterations},p=${parallelism}$${encodeBase64(salt)}$${encodeBase64(tag)}`;
}

/** Decodes a PHC string; undefined unless it is an Argon2id v=19 hash in the reference encoding. */
export function parsePhc(phc: string): PasswordHash | undefined {
  const match = PHC_PATTERN.exec(phc);
  if (!match) return undefined;
  const [, memory, iterations, parallelism, salt = "", tag = ""] = match;
  const saltBytes = decodeBase64(salt);
  const tagBytes = decodeBase64(tag);
  if (!saltBytes || !tagBytes) return undefined;
  return { memoryKiB: Number(memory), iterations: Number(iterations), parallelism: Number(parallelism), salt: saltBytes, tag: tagBytes };
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "");
}

/** Standard base64 without padding, canonical only (unused trailing bits must be zero). */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const binary = atob(text + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return encodeBase64(bytes) === text ? bytes : undefined;
}
