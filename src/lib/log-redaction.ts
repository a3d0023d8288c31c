/**
 * What may reach a log line. Logs leave the Worker for a log service that more people can read than
 * the database, so no token, password or client value goes there: paths lose their secret
 * segments, and error messages lose the values drivers put in them.
 */

/** Route parameters whose values are secrets, by name (`/v1/files/:id/download/:token`). */
const SECRET_PARAMETER = /token|ticket|secret|signature|password|code|key/i;

/** A path segment long and random enough to be a credential: ids stay, tokens (~43 chars) go. */
const CREDENTIAL_LENGTH = 40;
const CREDENTIAL_SEGMENT = new RegExp(`^[A-Za-z0-9._~%+=-]{${CREDENTIAL_LENGTH},}$`);

export const REDACTED = "[redacted]";

/**
 * The path as it may be logged: with the route template known, the values of secret parameters are
 * replaced by the parameter's name; in any case, segments that look like credentials are replaced.
 * @example loggedPath("/v1/reset/abc...xyz", "/v1/reset/:token") // "/v1/reset/:token"
 */
export function loggedPath(path: string, route?: string | null): string {
  // Most requests: a route without parameters and a path too short to hold a credential segment.
  if (path.length <= CREDENTIAL_LENGTH && !route?.includes(":")) return path;
  const segments = path.split("/");
  const template = route && !route.includes("*") ? route.split("/") : undefined;
  return segments
    .map((segment, index) => {
      const name = template?.[index]?.match(/^:(\w+)/)?.[1];
      if (name && SECRET_PARAMETER.test(name)) return `:${name}`;
      return CREDENTIAL_SEGMENT.test(segment) ? REDACTED : segment;
    })
    .join("/");
}

/** Causes followed when an error is described; drivers nest a few, a loop would nest forever. */
const MAX_CAUSE_DEPTH = 4;
/** Stack frames kept per error: enough to find the line, not a page of framework frames. */
const MAX_FRAMES = 8;

/** Members of database errors that name schema objects, never values (`detail` does carry values). */
const SCHEMA_MEMBERS = ["code", "constraint", "table", "column"] as const;

/** An error as a log field: name, value-free message, SQLSTATE and schema names, top frames and causes. */
export function describeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: "NonError", message: sanitizeMessage(String(error)) };
  const next = (error as { sourceError?: unknown }).sourceError ?? error.cause;
  const members = Object.fromEntries(
    SCHEMA_MEMBERS.flatMap((member) => {
      const value = (error as unknown as Record<string, unknown>)[member];
      return typeof value === "string" || typeof value === "number" ? [[member, value]] : [];
    }),
  );
  return {
    name: error.name,
    message: sanitizeMessage(error.message),
    ...members,
    ...(error.stack ? { frames: stackFrames(error.stack) } : {}),
    ...(next === undefined ? {} : depth < MAX_CAUSE_DEPTH ? { cause: describeError(next, depth + 1) } : { cause: "[deeper causes omitted]" }),
  };
}

/**
 * Removes the values drivers embed in their messages: Upstash appends the whole command with its
 * arguments, drizzle appends the query's parameters, PostgreSQL quotes offending input.
 */
export function sanitizeMessage(message: string): string {
  return message
    .replace(/, command was: (.*)$/s, (_, command: string) => `, command was: ${commandNames(command)}`)
    .replace(/\nparams: .*$/s, "\nparams: [redacted]")
    .replace(/"[^"\n]*"|'[^'\n]*'/g, '"…"');
}

/** `["set","key","value"]` or a pipeline of them, as just the command names: `[SET]`. */
function commandNames(command: string): string {
  const names = [...command.matchAll(/\[\s*"(\w+)"/g)].map((match) => match[1]!.toUpperCase());
  return `[${names.join(", ") || "?"}]`;
}

/** The "at …" lines of a V8 stack, without the message lines above them (which carry values). */
function stackFrames(stack: string): string[] {
  return stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
}
