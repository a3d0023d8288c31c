/** Each byte's two lowercase hex digits, so bytes are formatted by lookups alone. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * Lowercase hex of `bytes[start, end)`: one table lookup a byte, where `toString(16)` and `padStart`
 * were two calls a byte on the hot path (entity tags, trace ids, counter names).
 * @example hex(new Uint8Array([0, 171, 255])) // "00abff"
 */
export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = "";
  for (let index = start; index < end; index++) text += HEX[bytes[index]!];
  return text;
}
