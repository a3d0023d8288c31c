/**
 * The file types attachments may have. Each is proved by the file's first bytes, never taken from
 * the client's word: a browser that met an HTML or SVG file under an image's name could run it.
 */
export const ATTACHMENT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "text/plain"] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Bytes read from the start of a file to prove its type; text is checked over all of them. */
export const SNIFF_BYTES = 512;

const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));

/** Each binary type's signature: bytes at an offset (`null` matches any byte). */
const SIGNATURES: ReadonlyArray<{ type: AttachmentType; at?: number; bytes: ReadonlyArray<number | null> }> = [
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "image/gif", bytes: ascii("GIF87a") },
  { type: "image/gif", bytes: ascii("GIF89a") },
  { type: "image/webp", bytes: [...ascii("RIFF"), null, null, null, null, ...ascii("WEBP")] },
  { type: "application/pdf", bytes: ascii("%PDF-") },
  { type: "application/zip", bytes: ascii("PK\x03\x04") },
  // An empty archive.
  { type: "application/zip", bytes: ascii("PK\x05\x06") },
];

function startsWith(prefix: Uint8Array, signature: ReadonlyArray<number | null>): boolean {
  return prefix.byteLength >= signature.length && signature.every((byte, index) => byte === null || prefix[index] === byte);
}

/**
 * The type `prefix` (a file's first SNIFF_BYTES bytes, or all of a shorter file) proves, if any of
 * ATTACHMENT_TYPES. Text is UTF-8 without NUL bytes that does not open with markup (`<` after any
 * byte order mark and white space): HTML, SVG and XML are not plain text, whatever a client calls them.
 */
export function provenType(prefix: Uint8Array, complete: boolean): AttachmentType | undefined {
  const binary = SIGNATURES.find(({ bytes }) => startsWith(prefix, bytes));
  if (binary) return binary.type;
  return isPlainText(prefix, complete) ? "text/plain" : undefined;
}

function isPlainText(prefix: Uint8Array, complete: boolean): boolean {
  if (prefix.byteLength === 0 || prefix.includes(0)) return false;
  let text: string;
  try {
    // Not the end of the file: a character cut at the end of the prefix is not an error.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(prefix, { stream: !complete });
  } catch {
    return false;
  }
  return !text.replace(/^\uFEFF/, "").trimStart().startsWith("<");
}

/**
 * The media type of a `Content-Type` header value, lower-cased and without parameters, when it is
 * one of ATTACHMENT_TYPES.
 */
export function claimedType(contentType: string): AttachmentType | undefined {
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  return (ATTACHMENT_TYPES as readonly string[]).includes(mediaType) ? (mediaType as AttachmentType) : undefined;
}
