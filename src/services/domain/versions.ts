import { sql, type SQL } from "drizzle-orm";
import { at } from "../workspaces/sql";

/**
 * Versions of projects and tasks: `updated_at` in microseconds since the epoch, as text. Every write
 * moves it forward by at least a microsecond (see `nextUpdatedAt`), so two writes never leave the
 * same version, even on one clock tick, and a version names one state of the row.
 */
export type Version = string;

/** The versions a write expects the row to be at (from `If-Match`); undefined expects nothing. */
export type ExpectedVersions = readonly Version[] | undefined;

/** `alias`'s version as text, exact: `extract(epoch …)` is numeric, not a float. */
export function versionOf(alias: string): SQL<string> {
  return sql<string>`(extract(epoch from ${sql.identifier(alias)}.updated_at) * 1000000)::bigint::text`;
}

/** A write's new `updated_at`: now, or a microsecond past the old one when the clock has not moved on. */
export function nextUpdatedAt(alias: string, now: Date): SQL {
  return sql`greatest(${at(now)}, ${sql.identifier(alias)}.updated_at + interval '1 microsecond')`;
}

/** True where `alias`'s version is not among `expected`; false when nothing is expected. */
export function isStale(alias: string, expected: ExpectedVersions): SQL {
  if (expected === undefined) return sql`false`;
  if (expected.length === 0) return sql`true`;
  return sql`not (${versionOf(alias)} = any(array[${sql.join(
    expected.map((version) => sql`${version}`),
    sql`, `,
  )}]::text[]))`;
}
