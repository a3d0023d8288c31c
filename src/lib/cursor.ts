import { z } from "@hono/zod-openapi";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { isId, type IdKind } from "./ids";

/**
 * Where a page of a list ordered by (time, id) ends: the row's time to the microsecond, as PostgreSQL
 * keeps it (a JavaScript Date would round it, and rows of one millisecond would be skipped or repeated),
 * and its id, which breaks ties.
 */
export interface Cursor {
  /** `2026-11-30T10:00:00.123456Z` */
  at: string;
  id: string;
}

/** The longest cursor a client may send back: the time, a separator and an id, in base64url, with room. */
export const CURSOR_MAX_LENGTH = 128;

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The opaque form of `cursor` the API hands out as `nextCursor`. */
export function encodeCursor(cursor: Cursor): string {
  return btoa(`${cursor.at}|${cursor.id}`).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The position `value` names in a list of `kind` ids, or undefined when it is not a cursor this API
 * made for such a list: malformed, of another list, or naming a time that does not exist.
 */
export function decodeCursor(value: string, kind: IdKind): Cursor | undefined {
  if (value.length > CURSOR_MAX_LENGTH || !BASE64URL.test(value)) return undefined;
  let text: string;
  try {
    text = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const [at, id, ...rest] = text.split("|");
  if (rest.length > 0 || !at || !id || !AT.test(at) || !isId(kind, id)) return undefined;
  // PostgreSQL would refuse 2026-02-30 with an error; the client gets a 400 instead.
  const millis = Date.parse(`${at.slice(0, 23)}Z`);
  if (Number.isNaN(millis) || new Date(millis).toISOString() !== `${at.slice(0, 23)}Z`) return undefined;
  return { at, id };
}

/** A timestamp column as a cursor's `at`: UTC, to the microsecond. */
export function cursorTime(column: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The `cursor` query parameter of a paginated list. */
export const CursorParam = z
  .string()
  .max(CURSOR_MAX_LENGTH)
  .optional()
  .openapi({ param: { name: "cursor", in: "query" }, description: "The `nextCursor` of the previous page; omit it for the first page." });

/** A page size: `limit` as sent, clamped to 1-`max`; `fallback` when absent. */
export function limitParam(fallback: number, max: number) {
  return z.coerce
    .number()
    .int()
    .optional()
    .transform((limit) => Math.min(max, Math.max(1, limit ?? fallback)))
    .openapi({ param: { name: "limit", in: "query" }, type: "integer", description: `How many to return: ${fallback} by default, at most ${max} (a larger value is clamped).` });
}
