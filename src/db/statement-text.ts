/** Characters of one statement a log line keeps: enough to recognise it, bounded for the log. */
const MAX_STATEMENT_LENGTH = 2000;
/** Characters read at most: a batch insert's text can be long, and only its start is kept anyway. */
const MAX_STATEMENT_INPUT = 4 * MAX_STATEMENT_LENGTH;

/**
 * In one pass: double-quoted identifiers (kept), then what may carry a value (replaced): comments,
 * E'…' and '…' strings, dollar-quoted strings, numbers not part of a name or a `$1` placeholder. A
 * string or comment left open (the text was cut inside it) runs to the end, so no part of it stays.
 */
const TOKENS = /("(?:[^"]|"")*(?:"|$))|(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|([eE]'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|'(?:[^']|'')*(?:'|$))|(\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\5\$|$))|((?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * A statement as it may be logged: parameters are never in it (drizzle and Neon send them apart),
 * and literal values written into the SQL text (strings, numbers, comments) become `?`.
 * @example redactedStatement(`select "id" from "users" where "email" = 'ada@example.com' limit 10`)
 * // `select "id" from "users" where "email" = ? limit ?`
 */
export function redactedStatement(sql: string): string {
  const text = sql.length > MAX_STATEMENT_INPUT ? sql.slice(0, MAX_STATEMENT_INPUT) : sql;
  const redacted = text.replace(TOKENS, (match, identifier?: string, comment?: string) => (identifier ? match : comment ? "" : "?"));
  return redacted.length > MAX_STATEMENT_LENGTH ? `${redacted.slice(0, MAX_STATEMENT_LENGTH)}…` : redacted;
}
