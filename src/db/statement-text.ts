/** Characters of one statement a log line keeps: enough to recognise it, bounded for the log. */
const MAX_STATEMENT_LENGTH = 2000;

/**
 * In one pass: double-quoted identifiers (kept), then what may carry a value (replaced): comments,
 * E'…' and '…' strings, dollar-quoted strings, numbers not part of a name or a `$1` placeholder.
 */
const TOKENS = /("(?:[^"]|"")*")|(--[^\n]*|\/\*[\s\S]*?\*\/)|([eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*')|(\$([A-Za-z_]\w*)?\$[\s\S]*?\$\5\$)|((?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * A statement as it may be logged: parameters are never in it (drizzle and Neon send them apart),
 * and literal values written into the SQL text (strings, numbers, comments) become `?`.
 * @example redactedStatement(`select "id" from "users" where "email" = 'ada@example.com' limit 10`)
 * // `select "id" from "users" where "email" = ? limit ?`
 */
export function redactedStatement(sql: string): string {
  const redacted = sql.replace(TOKENS, (match, identifier?: string, comment?: string) => (identifier ? match : comment ? "" : "?"));
  return redacted.length > MAX_STATEMENT_LENGTH ? `${redacted.slice(0, MAX_STATEMENT_LENGTH)}…` : redacted;
}
