import { hex } from "../hex";
/** What describes a body, which a 304 has not (RFC 9110 section 15.4.5); everything else it keeps. */
const BODY_HEADERS = ["Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Range"] as const;

/**
 * A strong entity tag for a body: 128 bits of its SHA-256, hex, in quotes.
 * @example await entityTagOf(new TextEncoder().encode("{}")) // '"44136fa355b3678a1146ad16f7e8649e"'
 */
export async function entityTagOf(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return `"${hex(digest, 0, 16)}"`;
}

/** The tag without its weakness indicator: `W/"x"` and `"x"` compare equal under weak comparison. */
function opaqueTag(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * Whether an `If-None-Match` field names `etag`: `*`, or a list of entity tags of which one is equal
 * under the weak comparison RFC 9110 (section 13.1.2) prescribes for this field.
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const wanted = opaqueTag(etag);
  for (const match of ifNoneMatch.matchAll(/(?:W\/)?"[^"]*"/g)) {
    if (opaqueTag(match[0]) === wanted) return true;
  }
  return false;
}

/**
 * The 304 that stands for `response`: no body, and its headers but those that describe the body, so
 * `ETag`, `Cache-Control` and `Vary` stay (and the rate-limit fields, which a client still wants).
 */
export function notModified(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  return new Response(null, { status: 304, headers });
}
