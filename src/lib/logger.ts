import { describeError } from "./log-redaction";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Whether a line of `level` is written when the lowest level written is `threshold`. */
export function isLogged(level: LogLevel, threshold: LogLevel): boolean {
  return SEVERITY[level] >= SEVERITY[threshold];
}

/** Structured logs, one JSON line per event; usable anywhere: requests, Durable Objects, queues, cron. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (e.g. the request id, a Durable Object's name). */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** The lowest level written; a function when it is only known later (before configuration loads). */
  level?: LogLevel | (() => LogLevel);
  /** Fields on every line. */
  fields?: LogFields;
  /** Where a line goes; by default console.error for errors, console.warn for warnings, else console.log. */
  write?: (level: LogLevel, line: string) => void;
}

function writeToConsole(level: LogLevel, line: string): void {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/**
 * Makes a logger. Field values that are errors are described without values or secrets
 * (see log-redaction.ts); every other field is the caller's to keep clean.
 * @example createLogger({ level: "info", fields: { object: "RateCounter" } }).warn("storage slow", { ms: 120 })
 */
export function createLogger({ level = "info", fields = {}, write = writeToConsole }: LoggerOptions = {}): Logger {
  const threshold = typeof level === "function" ? level : () => level;
  const log = (lineLevel: LogLevel) => (msg: string, extra: LogFields = {}) => {
    if (!isLogged(lineLevel, threshold())) return;
    write(lineLevel, JSON.stringify({ level: lineLevel, msg, ...fields, ...serialize(extra) }));
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    with: (more) => createLogger({ level, fields: { ...fields, ...more }, write }),
  };
}

function serialize(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? describeError(value) : value;
  return out;
}
