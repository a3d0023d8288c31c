import { sql, type SQL } from "drizzle-orm";

/** A `jsonb` object of the columns of clause `alias`, as `{ apiName: column }`; times in ISO 8601. */
export function jsonOf(alias: string, columns: Record<string, string>, times: Record<string, string> = {}): SQL {
  const from = (column: string) => sql`${sql.identifier(alias)}.${sql.identifier(column)}`;
  const pairs = [
    ...Object.entries(columns).map(([name, column]) => sql`${name}::text, ${from(column)}`),
    ...Object.entries(times).map(([name, column]) => sql`${name}::text, to_char(${from(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`),
  ];
  return sql`jsonb_build_object(${sql.join(pairs, sql`, `)})`;
}
